// Package exporttest holds the fixed dataset every export format's golden
// files are written from, and the golden-file helper they share.
package exporttest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/misp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Now is the fixed request time of golden answers.
var Now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// Options returns the options of a golden answer in scope.
func Options(scope string) export.Options {
	return export.Options{
		Scope: scope, Now: Now, BaseURL: "https://razmena.example.rs",
		OrgName: "CERT-RS", OrgUUID: "5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e",
	}
}

func str(s string) *string { return &s }

func mt(t time.Time) *misp.MicroTime { m := misp.MicroTime(t.UnixMicro()); return &m }

var (
	orgA = &misp.OrgRef{ID: 1, Name: "CERT-RS", UUID: "5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e"}
	orgB = &misp.OrgRef{ID: 2, Name: "Banka \"Srbija\", a.d.", UUID: "7b9d3c2e-1a4f-4e6b-8c5d-0e9f8a7b6c5d"}

	tlpWhite = &misp.AttachedTag{ID: 1, Name: "tlp:white", Colour: "#ffffff", Exportable: true}
	tlpAmber = &misp.AttachedTag{ID: 2, Name: "tlp:amber", Colour: "#ffc000", Exportable: true}
	phishing = &misp.AttachedTag{ID: 3, Name: "srbcert:incident-type=\"phishing\"", Colour: "#cc0033", Exportable: true}
	apt      = &misp.AttachedTag{ID: 4, Name: "misp-galaxy:threat-actor=\"APT28\"", Colour: "#0088cc", Exportable: true, IsGalaxy: true}
)

func attr(id int64, eventID int64, typ, cat, value string, toIDS bool, ts int64) *misp.Attribute {
	return &misp.Attribute{
		ID: misp.Int(id), EventID: misp.Int(eventID), Type: typ, Category: cat, Value: value, ToIDS: misp.Bool(toIDS),
		UUID: uuidN(id), Distribution: misp.DistributionInheritEvnt, Timestamp: misp.Int(ts),
	}
}

// uuidN is a fixed, valid uuid derived from n.
func uuidN(n int64) string {
	const hex = "0123456789abcdef"
	b := []byte("00000000-0000-4000-8000-000000000000")
	for i := len(b) - 1; n > 0 && i >= 0; i-- {
		if b[i] == '-' {
			continue
		}
		b[i] = hex[n%16]
		n /= 16
	}
	return string(b)
}

// Events returns the fixed dataset: two events of two organisations with
// the attribute types every format handles, composite values, objects,
// tags (TLP, taxonomy, galaxy), to_ids on and off, and values that need
// escaping in some format (quotes, commas, semicolons, a newline, a CSV
// formula, non-ASCII). Each call returns fresh values.
func Events() []*misp.Event {
	const t1, t2 = 1764000000, 1764086400
	e1 := &misp.Event{
		ID: 1, OrgcID: 1, OrgID: 1, Date: "2026-11-24", ThreatLevelID: 1, Analysis: 2, Published: true,
		Info: "Phishing campaign against Serbian banks", UUID: "c8a1e6f2-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
		Timestamp: t1, PublishTimestamp: t1 + 60, Distribution: misp.DistributionAll,
		Org: orgA, Orgc: orgA, Tag: []*misp.AttachedTag{tlpWhite, phishing, apt},
	}
	a := func(id int64, typ, cat, value string, toIDS bool) *misp.Attribute {
		return attr(id, 1, typ, cat, value, toIDS, t1)
	}
	e1.Attribute = []*misp.Attribute{
		a(1, "ip-dst", "Network activity", "198.51.100.23", true),
		a(2, "ip-src", "Network activity", "2001:db8::1", true),
		a(3, "domain", "Network activity", "posta-srbija.example.com", true),
		a(4, "hostname", "Network activity", "login.banka-intesa.example.net", true),
		a(5, "url", "Network activity", "http://posta-srbija.example.com/prijava?id=1&x=\"y\"", true),
		a(6, "md5", "Payload delivery", "d41d8cd98f00b204e9800998ecf8427e", true),
		a(7, "sha256", "Payload delivery", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true),
		a(8, "filename|sha1", "Payload delivery", "račun;2026.pdf.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709", true),
		a(9, "email-src", "Payload delivery", "podrska@posta-srbija.example.com", true),
		a(10, "email-subject", "Payload delivery", "Vaša pošiljka, \"hitno\"", false),
		a(11, "ip-dst|port", "Network activity", "203.0.113.5|8443", true),
		a(12, "domain|ip", "Network activity", "cdn.example.org|192.0.2.44", true),
		a(13, "user-agent", "Network activity", "Mozilla/5.0 (X; \"evil\")", false),
		a(14, "vulnerability", "External analysis", "CVE-2026-12345", false),
		a(15, "comment", "Other", "=HYPERLINK(\"http://x\")", false),
		a(16, "text", "Other", "line one\nline two", false),
		a(17, "snort", "Network activity", "alert tcp any any -> any 80 (msg:\"test\"; sid:1000001;)", true),
		a(18, "AS", "Network activity", "AS64500", false),
		a(19, "email-dst", "Network activity", "zrtva@example.rs", false),
		a(20, "sha1", "Payload delivery", "da39a3ee5e6b4b0d3255bfef95601890afd80709", false),
	}
	e1.Attribute[0].Tag = []*misp.AttachedTag{tlpAmber}
	e1.Attribute[0].Comment = "C2, seen 2026-11-23; \"beacon\""
	e1.Attribute[2].FirstSeen = mt(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
	e1.Attribute[2].LastSeen = mt(time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC))
	file := &misp.Object{
		ID: 1, Name: "file", MetaCategory: "file", Description: "File object describing a file",
		TemplateUUID: "688c46fb-5edb-40a3-8273-1af7923e2215", TemplateVersion: 24, EventID: 1, UUID: uuidN(1001),
		Timestamp: t1, Distribution: misp.DistributionInheritEvnt, Comment: "dropper",
	}
	oa := func(id int64, rel, typ, cat, value string) *misp.Attribute {
		x := a(id, typ, cat, value, true)
		x.ObjectID, x.ObjectRelation = file.ID, str(rel)
		return x
	}
	file.Attribute = []*misp.Attribute{
		oa(21, "filename", "filename", "Payload delivery", "nalog.docm"),
		oa(22, "md5", "md5", "Payload delivery", "9e107d9d372bb6826bd81d3542a419d6"),
		oa(23, "sha256", "sha256", "Payload delivery", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
		oa(24, "size-in-bytes", "size-in-bytes", "Other", "48213"),
	}
	file.Attribute[3].ToIDS = false
	e1.Object = []*misp.Object{file}

	e2 := &misp.Event{
		ID: 2, OrgcID: 2, OrgID: 2, Date: "2026-11-25", ThreatLevelID: 3, Analysis: 0, Published: false,
		Info: "Scanning from botnet, Q4", UUID: "9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a",
		Timestamp: t2, Distribution: misp.DistributionConnected,
		Org: orgB, Orgc: orgB,
	}
	b := func(id int64, typ, cat, value string, toIDS bool) *misp.Attribute {
		return attr(id, 2, typ, cat, value, toIDS, t2)
	}
	e2.Attribute = []*misp.Attribute{
		b(31, "ip-src", "Network activity", "192.0.2.200", true),
		b(32, "ip-src", "Network activity", "198.51.100.23", true),
		b(33, "url", "Network activity", "https://scan.example.net/a,b;c", true),
		b(34, "md5", "Payload delivery", "d41d8cd98f00b204e9800998ecf8427e", true),
		b(35, "hostname", "Network activity", "c2.example.net", true),
	}
	e2.Attribute[1].Tag = []*misp.AttachedTag{tlpWhite}
	dom := &misp.Object{
		ID: 2, Name: "domain-ip", MetaCategory: "network", Description: "A domain and IP address seen as a tuple",
		TemplateUUID: "43b3b146-77eb-4931-b4cc-b66c60f28734", TemplateVersion: 10, EventID: 2, UUID: uuidN(1002),
		Timestamp: t2, Distribution: misp.DistributionInheritEvnt,
	}
	ob := func(id int64, rel, typ, value string) *misp.Attribute {
		x := b(id, typ, "Network activity", value, true)
		x.ObjectID, x.ObjectRelation = dom.ID, str(rel)
		return x
	}
	dom.Attribute = []*misp.Attribute{
		ob(36, "domain", "domain", "update.example.net"),
		ob(37, "ip", "ip-dst", "203.0.113.77"),
	}
	e2.Object = []*misp.Object{dom}
	return []*misp.Event{e1, e2}
}

// Hits returns the attributes of Events as the stream of an
// attributes-scope search delivers them.
func Hits() []misp.AttributeHit {
	var out []misp.AttributeHit
	for _, e := range Events() {
		out = append(out, export.Hits(e)...)
	}
	return out
}

// WriteAttributes runs the format's attributes writer over hits.
func WriteAttributes(t testing.TB, f export.Format, o export.Options, hits []misp.AttributeHit) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := f.Attributes(&buf, o)
	for _, h := range hits {
		if err := w.Write(h); err != nil {
			t.Fatalf("%s: write attribute %d: %v", f.Name, h.Attribute.ID, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("%s: close: %v", f.Name, err)
	}
	return buf.Bytes()
}

// WriteEvents runs the format's events writer (or the flattened
// attributes writer) over events.
func WriteEvents(t testing.TB, f export.Format, o export.Options, events []*misp.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w export.EventWriter
	if f.Events != nil {
		w = f.Events(&buf, o)
	} else {
		w = export.Flatten(f.Attributes(&buf, o))
	}
	for _, e := range events {
		if err := w.WriteEvent(e); err != nil {
			t.Fatalf("%s: write event %d: %v", f.Name, e.ID, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("%s: close: %v", f.Name, err)
	}
	return buf.Bytes()
}

// Golden compares got with testdata/<name>.golden of the calling
// package, or rewrites the file when the test runs with -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// GoldenScopes checks f's answers to the dataset in both scopes against
// testdata/attributes.golden and testdata/events.golden, with the
// default options of each scope.
func GoldenScopes(t *testing.T, f export.Format) {
	t.Run("attributes", func(t *testing.T) {
		Golden(t, "attributes", WriteAttributes(t, f, Options(export.ScopeAttributes), Hits()))
	})
	t.Run("events", func(t *testing.T) {
		Golden(t, "events", WriteEvents(t, f, Options(export.ScopeEvents), Events()))
	})
}
