package openioc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/misp"
)

// fixed is Format with ids ioc-1, ioc-2, … instead of random uuids.
func fixed() export.Format {
	f := Format
	f.Attributes = func(w io.Writer, o export.Options) export.AttributeWriter {
		n := 0
		return newWriter(w, o, func() string { n++; return fmt.Sprintf("ioc-%d", n) })
	}
	return f
}

func TestGolden(t *testing.T) { exporttest.GoldenScopes(t, fixed()) }

// TestWellFormed parses the answer of the real Format and checks its ids.
func TestWellFormed(t *testing.T) {
	got := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), exporttest.Hits())
	var doc struct {
		ID         string `xml:"id,attr"`
		AuthoredBy string `xml:"authored_by"`
		Top        struct {
			ID    string `xml:"id,attr"`
			Items []struct {
				Content string `xml:"Content"`
			} `xml:"IndicatorItem"`
			And []struct {
				Items []struct {
					Content string `xml:"Content"`
				} `xml:"IndicatorItem"`
			} `xml:"Indicator"`
		} `xml:"definition>Indicator"`
	}
	if err := xml.Unmarshal(got, &doc); err != nil {
		t.Fatalf("answer is not XML: %v\n%s", err, got)
	}
	if !misp.IsUUID(doc.ID) || !misp.IsUUID(doc.Top.ID) || doc.ID == doc.Top.ID {
		t.Errorf("ioc id %q and indicator id %q, want two distinct uuids", doc.ID, doc.Top.ID)
	}
	if doc.AuthoredBy != "CERT-RS" {
		t.Errorf("authored_by = %q, want CERT-RS", doc.AuthoredBy)
	}
	if want := `http://posta-srbija.example.com/prijava?id=1&x="y"`; doc.Top.Items[4].Content != want {
		t.Errorf("fifth item content = %q, want %q", doc.Top.Items[4].Content, want)
	}
	if len(doc.Top.And) != 2 || doc.Top.And[0].Items[0].Content != "račun;2026.pdf.exe" {
		t.Errorf("composite indicators = %+v, want filename|sha1 and domain|ip of event 1", doc.Top.And)
	}
}

func TestWrite(t *testing.T) {
	const uuid = "00000000-0000-4000-8000-000000000007"
	at := func(typ, cat, value string, toIDS bool) misp.AttributeHit {
		return misp.AttributeHit{
			Attribute: &misp.Attribute{ID: 7, UUID: uuid, Type: typ, Category: cat, Value: value, ToIDS: misp.Bool(toIDS)},
			Event:     &misp.Event{ID: 1},
		}
	}
	item := func(pad int, doc, search, typ, content string) string {
		p, p2 := strings.Repeat(" ", pad), strings.Repeat(" ", pad+2)
		return p + `<IndicatorItem id="` + uuid + `" condition="is">` + "\n" +
			p2 + `<Context document="` + doc + `" search="` + search + `" type="mir" />` + "\n" +
			p2 + `<Content type="` + typ + `">` + content + "</Content>\n" +
			p + "</IndicatorItem>\n"
	}
	and := func(items ...string) string {
		return `     <Indicator operator="AND" id="` + uuid + `">` + "\n" + strings.Join(items, "") + "      </Indicator>\n"
	}
	tests := []struct {
		name string
		hit  misp.AttributeHit
		want string
	}{
		{"ip-dst", at("ip-dst", "Network activity", "192.0.2.1", true), item(6, "RouteEntryItem", "RouteEntryItem/Destination", "IP", "192.0.2.1")},
		{"ip-src IPv6", at("ip-src", "Network activity", "2001:db8::1", true), item(6, "PortItem", "PortItem/remoteIP", "IP", "2001:db8::1")},
		{"hostname", at("hostname", "Network activity", "a.rs", true), item(6, "RouteEntryItem", "RouteEntryItem/Destination", "string", "a.rs")},
		{"email-attachment", at("email-attachment", "Payload delivery", "a.exe", true), item(6, "Email", "Email/Attachment/Name", "string", "a.exe")},
		{"regkey", at("regkey", "Persistence mechanism", `HKLM\Run`, true), item(6, "Network", "RegistryItem/KeyPath", "string", `HKLM\Run`)},
		{"link is typed md5, as in MISP", at("link", "Payload delivery", "https://a.rs/", true), item(6, "URL", "UrlHistoryItem/URL", "md5", "https://a.rs/")},
		{
			"url escaped",
			at("url", "Network activity", "http://a.rs/?a=1&b=<2>\"'\n", true),
			item(6, "UrlHistoryItem", "UrlHistoryItem/URL", "string", "http://a.rs/?a=1&amp;b=&lt;2&gt;&#34;&#39;&#xA;"),
		},
		{"snort non-ASCII", at("snort", "Network activity", `alert (msg:"šum";)`, true), item(6, "Snort", "Snort/Snort", "string", "alert (msg:&#34;šum&#34;;)")},
		{
			"filename|sha256",
			at("filename|sha256", "Artifacts dropped", "a|b.exe|e3b0", true),
			and(item(8, "FileItem", "FileItem/FileName", "string", "a"), item(8, "FileItem", "FileItem/Sha256sum", "sha256", "b.exe")),
		},
		{
			"malware-sample is filename|md5",
			at("malware-sample", "Payload installation", "x.exe|d41d8cd98f00b204e9800998ecf8427e", true),
			and(item(8, "FileItem", "FileItem/FileName", "string", "x.exe"), item(8, "FileItem", "FileItem/Md5sum", "md5", "d41d8cd98f00b204e9800998ecf8427e")),
		},
		{
			"regkey|value without value",
			at("regkey|value", "Persistence mechanism", `HKLM\Run`, true),
			and(item(8, "Network", "RegistryItem/KeyPath", "string", `HKLM\Run`), item(8, "Network", "RegistryItem/Value", "string", "")),
		},
		{"to_ids off", at("md5", "Payload delivery", "d41d8cd98f00b204e9800998ecf8427e", false), ""},
		{"category not for IOCs", at("md5", "External analysis", "d41d8cd98f00b204e9800998ecf8427e", true), ""},
		{"unmapped composite", at("ip-dst|port", "Network activity", "192.0.2.1|80", true), ""},
		{"unmapped", at("AS", "Network activity", "AS1", true), ""},
	}
	head := `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<ioc xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="ioc-1" last-modified="2026-11-30T12:00:00" xmlns="http://schemas.mandiant.com/2010/ioc">` + "\n" +
		"  <short_description>Filtered indicator list</short_description>\n" +
		"  <description>Filtered indicator list</description>\n" +
		"  <keywords />\n" +
		"  <authored_by>CERT-RS</authored_by>\n" +
		"  <authored_date>2026-11-30T12:00:00</authored_date>\n" +
		"  <links />\n" +
		"  <definition>\n" +
		`    <Indicator operator="OR" id="ioc-2">` + "\n"
	const foot = "    </Indicator>\n  </definition>\n</ioc>\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exporttest.WriteAttributes(t, fixed(), exporttest.Options(export.ScopeAttributes), []misp.AttributeHit{tt.hit})
			if diff := cmp.Diff(head+tt.want+foot, string(got)); diff != "" {
				t.Errorf("openioc answer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTwelveHourClock checks MISP's date("Y-m-d\Th:i:s"): 15:04 is 03:04.
func TestTwelveHourClock(t *testing.T) {
	o := exporttest.Options(export.ScopeAttributes)
	o.Now = o.Now.Add(3*time.Hour + 4*time.Minute + 5*time.Second)
	got := exporttest.WriteAttributes(t, fixed(), o, nil)
	if want := `last-modified="2026-11-30T03:04:05"`; !bytes.Contains(got, []byte(want)) {
		t.Errorf("answer at 15:04:05 lacks %s:\n%s", want, got)
	}
}

type failWriter struct{}

var errFail = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errFail }

// TestWriteError checks that a failing connection is reported, by Write
// once the buffer spills and by Close at the latest.
func TestWriteError(t *testing.T) {
	w := Format.Attributes(failWriter{}, exporttest.Options(export.ScopeAttributes))
	var err error
	for _, h := range exporttest.Hits() {
		for i := 0; i < 20 && err == nil; i++ {
			err = w.Write(h)
		}
	}
	if !errors.Is(err, errFail) {
		t.Errorf("Write to a failing writer = %v, want %v", err, errFail)
	}
	if err := w.Close(); !errors.Is(err, errFail) {
		t.Errorf("Close = %v, want %v", err, errFail)
	}
}
