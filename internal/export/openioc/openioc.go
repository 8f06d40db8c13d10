// Package openioc writes the restSearch "openioc" return format: a
// Mandiant OpenIOC 1.0 document whose top OR indicator holds one
// IndicatorItem per attribute (an AND indicator of two for composite
// types), as MISP's OpeniocExport (app/Lib/Export/OpeniocExport.php) does.
//
// Text is escaped with encoding/xml, so the bytes differ from MISP's h()
// where it escapes (" is &#34; here, &quot; there; a newline is &#xA;)
// while the XML means the same.
package openioc

import (
	"bufio"
	"encoding/xml"
	"io"
	"strings"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the "openioc" returnFormat. It is restrictive, and the writer
// itself also drops attributes without to_ids, as MISP does. The events
// scope writes every attribute of each event, object attributes included
// (OpeniocExport fetches flattened).
var Format = export.Format{
	Name:        "openioc",
	Producer:    true,
	ContentType: "application/xml; charset=UTF-8",
	Restrictive: true,
	Attributes:  func(w io.Writer, o export.Options) export.AttributeWriter { return newWriter(w, o, misp.NewUUID) },
}

// item is where an IndicatorItem looks: Context document and search, and
// the Content type.
type item struct{ document, search, content string }

// simple is OpeniocExport::MAPPING['simple']. "link" really has content
// type md5 in MISP.
var simple = map[string]item{
	"md5":              {"FileItem", "FileItem/Md5sum", "md5"},
	"sha1":             {"FileItem", "FileItem/Sha1sum", "sha1"},
	"sha256":           {"FileItem", "FileItem/Sha256sum", "sha256"},
	"filename":         {"FileItem", "FileItem/FileName", "string"},
	"ip-src":           {"PortItem", "PortItem/remoteIP", "IP"},
	"ip-dst":           {"RouteEntryItem", "RouteEntryItem/Destination", "IP"},
	"hostname":         {"RouteEntryItem", "RouteEntryItem/Destination", "string"},
	"email":            {"Email", "Email/From", "string"},
	"email-src":        {"Email", "Email/From", "string"},
	"email-dst":        {"Email", "Email/To", "string"},
	"email-subject":    {"Email", "Email/Subject", "string"},
	"email-attachment": {"Email", "Email/Attachment/Name", "string"},
	"domain":           {"Network", "Network/DNS", "string"},
	"url":              {"UrlHistoryItem", "UrlHistoryItem/URL", "string"},
	"user-agent":       {"Network", "Network/UserAgent", "string"},
	"regkey":           {"Network", "RegistryItem/KeyPath", "string"},
	"snort":            {"Snort", "Snort/Snort", "string"},
	"attachment":       {"FileItem", "FileItem/FileName", "string"},
	"link":             {"URL", "UrlHistoryItem/URL", "md5"},
}

// composite is OpeniocExport::MAPPING['composite']: the items of the two
// halves. malware-sample is written as filename|md5.
var composite = map[string][2]item{
	"regkey|value":    {{"Network", "RegistryItem/KeyPath", "string"}, {"Network", "RegistryItem/Value", "string"}},
	"filename|md5":    {{"FileItem", "FileItem/FileName", "string"}, {"FileItem", "FileItem/Md5sum", "md5"}},
	"filename|sha1":   {{"FileItem", "FileItem/FileName", "string"}, {"FileItem", "FileItem/Sha1sum", "sha1"}},
	"filename|sha256": {{"FileItem", "FileItem/FileName", "string"}, {"FileItem", "FileItem/Sha256sum", "sha256"}},
	"domain|ip":       {{"Network", "Network/DNS", "string"}, {"PortItem", "PortItem/remoteIP", "IP"}},
}

// categories are those OpeniocExport::checkValidTypeForIOC lets through.
var categories = map[string]bool{
	"Payload delivery":      true,
	"Artifacts dropped":     true,
	"Payload installation":  true,
	"Persistence mechanism": true,
	"Network activity":      true,
}

type writer struct {
	bw      *bufio.Writer
	o       export.Options
	newUUID func() string
	started bool
	err     error // the first write error; later writes are skipped
}

func newWriter(w io.Writer, o export.Options, newUUID func() string) *writer {
	return &writer{bw: bufio.NewWriter(w), o: o, newUUID: newUUID}
}

// raw writes s as it is.
func (w *writer) raw(s string) {
	if w.err == nil {
		_, w.err = w.bw.WriteString(s)
	}
}

// text writes s escaped as XML character data.
func (w *writer) text(s string) {
	if w.err == nil {
		w.err = xml.EscapeText(w.bw, []byte(s))
	}
}

// start writes OpeniocExport::header. MISP gives the document and the top
// indicator fresh random ids, and writes the time with a 12-hour clock
// ("h") and no zone. authored_by is the requesting user's organisation in
// MISP; the options only know the host organisation.
func (w *writer) start() {
	if w.started {
		return
	}
	w.started = true
	date := w.o.Now.Format("2006-01-02T03:04:05")
	w.raw(`<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<ioc xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="`)
	w.text(w.newUUID())
	w.raw(`" last-modified="` + date + `" xmlns="http://schemas.mandiant.com/2010/ioc">` + "\n" +
		"  <short_description>Filtered indicator list</short_description>\n" +
		"  <description>Filtered indicator list</description>\n" +
		"  <keywords />\n" +
		"  <authored_by>")
	w.text(w.o.OrgName)
	w.raw("</authored_by>\n" +
		"  <authored_date>" + date + "</authored_date>\n" +
		"  <links />\n" +
		"  <definition>\n" +
		`    <Indicator operator="OR" id="`)
	w.text(w.newUUID())
	w.raw("\">\n")
}

// Write writes the indicator of an attribute that has to_ids set, a
// category OpeniocExport accepts and a type it maps.
func (w *writer) Write(h misp.AttributeHit) error {
	w.start()
	a := h.Attribute
	if !categories[a.Category] || !bool(a.ToIDS) {
		return w.err
	}
	typ := a.Type
	if typ == "malware-sample" {
		typ = "filename|md5"
	}
	if strings.IndexByte(typ, '|') > 0 {
		if m, ok := composite[typ]; ok {
			parts := strings.Split(a.Value, "|")
			second := ""
			if len(parts) > 1 {
				second = parts[1]
			}
			w.raw(`     <Indicator operator="AND" id="`)
			w.text(a.UUID)
			w.raw("\">\n")
			w.indicatorItem(m[0], a.UUID, parts[0], 8)
			w.indicatorItem(m[1], a.UUID, second, 8)
			w.raw("      </Indicator>\n")
		}
	} else if m, ok := simple[typ]; ok {
		w.indicatorItem(m, a.UUID, a.Value, 6)
	}
	return w.err
}

// indicatorItem is OpeniocExport::frameIndicator, indented by pad.
func (w *writer) indicatorItem(m item, uuid, value string, pad int) {
	p, p2 := strings.Repeat(" ", pad), strings.Repeat(" ", pad+2)
	w.raw(p + `<IndicatorItem id="`)
	w.text(uuid)
	w.raw(`" condition="is">` + "\n" +
		p2 + `<Context document="` + m.document + `" search="` + m.search + `" type="mir" />` + "\n" +
		p2 + `<Content type="` + m.content + `">`)
	w.text(value)
	w.raw("</Content>\n" + p + "</IndicatorItem>\n")
}

// Close writes OpeniocExport::footer and flushes.
func (w *writer) Close() error {
	w.start()
	w.raw("    </Indicator>\n  </definition>\n</ioc>\n")
	if w.err != nil {
		return w.err
	}
	return w.bw.Flush()
}
