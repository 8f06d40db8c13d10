// Package zeek writes the "zeek" return format (called "bro" in older
// MISP): a file for the Zeek (Bro) intelligence framework, one indicator
// a line, as MISP's BroExport (app/Lib/Export/BroExport.php) writes it
// for /attributes/bro/download.
//
// The answer is BroExport's "#fields" header, then one tab-separated line
// per indicator — value, Intel::<type>, source, description, event URL,
// "T", "-" — each ending in a newline. MISP 2.5.1 has no bro restSearch
// format; the lines are those of MispAttribute::bro with type "all".
//
// Unlike MISP, lines come in the order of the search, not natsorted: a
// stream cannot be sorted. Repeated lines are dropped, as MISP's
// array_unique does, keeping only a hash of each line (see hashset).
package zeek

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/hashset"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the "zeek" returnFormat; the API also answers it to "bro".
// It is restrictive, as MispAttribute::bro only exports published to_ids
// attributes. The events scope writes every attribute of each event,
// object attributes included (MISP fetches flattened).
var Format = export.Format{
	Name:        "zeek",
	Producer:    true,
	ContentType: "text/plain; charset=UTF-8",
	Restrictive: true,
	Attributes:  func(w io.Writer, o export.Options) export.AttributeWriter { return newWriter(w, o) },
}

const header = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\tmeta.do_notice\tmeta.if_in\n"

// indicator is one line BroExport makes of an attribute type.
type indicator struct {
	field  int    // 1 or 2: MISP's value1 or value2
	typ    string // the Intel:: type
	subnet bool   // ADDR becomes SUBNET when the value holds a "/"
	url    bool   // a leading http:// or https:// is cut off
}

var (
	addr     = indicator{field: 1, typ: "ADDR", subnet: true}
	domain   = indicator{field: 1, typ: "DOMAIN"}
	email    = indicator{field: 1, typ: "EMAIL"}
	fileName = indicator{field: 1, typ: "FILE_NAME"}
	hash1    = indicator{field: 1, typ: "FILE_HASH"}
	hash2    = indicator{field: 2, typ: "FILE_HASH"}
)

// indicators maps an attribute type to its lines: BroExport's $mapping,
// restricted to what its $mispTypes groups ask for (and in which value).
// So filename|sha512 gives only its hash, and cdhash (mapped, but in no
// group) and attachment (in a group, but not mapped) give nothing.
var indicators = map[string][]indicator{
	"ip-src": {addr}, "ip-dst": {addr}, "ip-src|port": {addr}, "ip-dst|port": {addr},
	"domain|ip":           {domain, {field: 2, typ: "ADDR"}},
	"url":                 {{field: 1, typ: "URL", url: true}},
	"hostname":            {domain},
	"domain":              {domain},
	"ja3-fingerprint-md5": {{field: 1, typ: "JA3"}},
	"email":               {email}, "email-src": {email}, "email-dst": {email}, "target-email": {email},
	"filename": {fileName}, "email-attachment": {fileName}, "pdb": {fileName},
	"filename|md5": {fileName, hash2}, "filename|sha1": {fileName, hash2}, "filename|sha256": {fileName, hash2},
	"malware-sample": {fileName, hash2},
	"md5":            {hash1}, "sha1": {hash1}, "sha256": {hash1}, "authentihash": {hash1}, "ssdeep": {hash1},
	"imphash": {hash1}, "pehash": {hash1}, "impfuzzy": {hash1}, "sha224": {hash1}, "sha384": {hash1},
	"sha512": {hash1}, "sha512/224": {hash1}, "sha512/256": {hash1}, "tlsh": {hash1},
	"filename|authentihash": {hash2}, "filename|ssdeep": {hash2}, "filename|imphash": {hash2},
	"filename|pehash": {hash2}, "filename|impfuzzy": {hash2}, "filename|sha224": {hash2},
	"filename|sha384": {hash2}, "filename|sha512": {hash2}, "filename|sha512/224": {hash2},
	"filename|sha512/256": {hash2}, "filename|tlsh": {hash2},
	"x509-fingerprint-sha1": {{field: 1, typ: "CERT_HASH"}},
	"user-agent":            {{field: 1, typ: "SOFTWARE"}},
}

var scheme = regexp.MustCompile(`^https?://`)

type writer struct {
	bw       *bufio.Writer
	instance string
	baseURL  string
	seen     *hashset.Set
	started  bool
}

func newWriter(w io.Writer, o export.Options) *writer {
	// MISP names itself "<host org> MISP" when MISP.host_org_id is set.
	instance := "MISP"
	if o.OrgName != "" {
		instance = o.OrgName + " MISP"
	}
	return &writer{bw: bufio.NewWriter(w), instance: instance, baseURL: o.BaseURL, seen: hashset.New()}
}

func (w *writer) start() error {
	if w.started {
		return nil
	}
	w.started = true
	_, err := w.bw.WriteString(header)
	return err
}

// Write writes the lines of one attribute not written before.
func (w *writer) Write(h misp.AttributeHit) error {
	if err := w.start(); err != nil {
		return err
	}
	a := h.Attribute
	inds := indicators[a.Type]
	if len(inds) == 0 {
		return nil
	}
	if h.Event == nil {
		return fmt.Errorf("zeek: attribute %d comes without its event", a.ID)
	}
	if h.Event.Orgc == nil {
		// BroExport::export skips an attribute whose creator org it
		// cannot name.
		return nil
	}
	source := w.instance + " (" + h.Event.UUID + ") - " + h.Event.Orgc.Name
	desc := sanitize(h.Event.Info) + ". " + sanitize(a.Comment)
	ref := w.baseURL + "/events/view/" + strconv.FormatInt(int64(h.Event.ID), 10)
	v1, v2 := a.Split()
	for _, ind := range inds {
		v := v1
		if ind.field == 2 {
			v = v2
		}
		typ := ind.typ
		if ind.subnet && strings.Contains(v, "/") {
			typ = "SUBNET"
		}
		// BroExport::__generateRule cleans the value, cuts the scheme of
		// a URL, and cleans it again.
		v = sanitize(v)
		if ind.url {
			v = scheme.ReplaceAllLiteralString(v, "")
		}
		line := sanitize(v) + "\tIntel::" + typ + "\t" + source + "\t" + desc + "\t" + ref + "\tT\t-"
		if !w.seen.Add(line) {
			continue
		}
		if _, err := w.bw.WriteString(line); err != nil {
			return err
		}
		if err := w.bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// Close writes the header if nothing was written and flushes.
func (w *writer) Close() error {
	if err := w.start(); err != nil {
		return err
	}
	return w.bw.Flush()
}
