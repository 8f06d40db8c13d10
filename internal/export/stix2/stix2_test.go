package stix2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/export/stix2/stix2test"
	"github.com/razmena/razmena/internal/misp"
)

// check validates a bundle the writer produced: references, that every
// SCO identifier is the one its content gives, then schemas and patterns
// (skipped when the schemas are not installed).
func check(t *testing.T, bundle []byte) {
	t.Helper()
	stix2test.ValidateRefs(t, bundle)
	for _, o := range decode(t, bundle) {
		typ, _ := o["type"].(string)
		if _, sco := idContributing[typ]; !sco {
			continue
		}
		props := make(object, 0, len(o))
		for k, v := range o {
			if k == "hashes" {
				// scoID expects the type the writer builds.
				h := map[string]string{}
				for hk, hv := range v.(map[string]any) {
					h[hk] = hv.(string)
				}
				v = h
			}
			props = append(props, prop{k, v})
		}
		id := o["id"].(string)
		contributes := false
		for _, name := range idContributing[typ] {
			_, ok := o[name]
			contributes = contributes || ok
		}
		// Without contributing properties an SCO is named from the MISP
		// uuid, which the bundle does not say.
		if got := scoID(typ, props, ""); contributes && got != id {
			t.Errorf("%s: identifier computed from its content is %s", id, got)
		}
	}
	stix2test.Validate(t, bundle)
}

// decode returns the objects of a bundle.
func decode(t *testing.T, bundle []byte) []map[string]any {
	t.Helper()
	var b struct {
		Type    string           `json:"type"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatalf("bundle is not JSON: %v\n%s", err, bundle)
	}
	if b.Type != "bundle" {
		t.Fatalf("type = %q, want bundle", b.Type)
	}
	return b.Objects
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		got  func(t *testing.T) []byte
	}{
		{"events", func(t *testing.T) []byte {
			return exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), exporttest.Events())
		}},
		{"attributes", func(t *testing.T) []byte {
			return exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), exporttest.Hits())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.got(t)
			exporttest.Golden(t, tt.name, got)
			check(t, got)
		})
	}
}

func TestEmptyAnswer(t *testing.T) {
	t.Run("with producer", func(t *testing.T) {
		got := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), nil)
		check(t, got)
		if objs := decode(t, got); len(objs) != 1 || objs[0]["type"] != "identity" {
			t.Errorf("empty answer = %s, want the producer identity alone", got)
		}
	})
	t.Run("without producer", func(t *testing.T) {
		o := exporttest.Options(export.ScopeEvents)
		o.OrgUUID = ""
		got := exporttest.WriteEvents(t, Format, o, nil)
		check(t, got)
		if !bytes.HasPrefix(got, []byte(`{"type":"bundle","id":"bundle--`)) || bytes.Contains(got, []byte("objects")) {
			t.Errorf("empty answer = %s, want a bundle without objects", got)
		}
	})
}

// TestEmptyEvent: a report must refer to something; misp-stix adds a
// note saying the event is empty.
func TestEmptyEvent(t *testing.T) {
	e := exporttest.Events()[0]
	e.Attribute, e.Object = nil, nil
	got := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), []*misp.Event{e})
	check(t, got)
	var types []string
	for _, o := range decode(t, got) {
		types = append(types, o["type"].(string))
	}
	if want := []string{"identity", "marking-definition", "report", "note"}; !slices.Equal(types, want) {
		t.Errorf("objects %v, want %v", types, want)
	}
}

// TestObjectReferences: MISP object references become relationships
// between the STIX objects of their source and target.
func TestObjectReferences(t *testing.T) {
	e := exporttest.Events()[0]
	file := e.Object[0]
	file.ObjectReference = []*misp.ObjectReference{
		{UUID: "00000000-0000-4000-8000-000000000bbb", ReferencedUUID: e.Attribute[0].UUID, RelationshipType: "Communicates With", Timestamp: 1764000100},
		{UUID: "00000000-0000-4000-8000-000000000ccc", ReferencedUUID: "00000000-0000-4000-8000-00000000dead", RelationshipType: "related-to"},
	}
	got := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), []*misp.Event{e})
	check(t, got)
	var rels []map[string]any
	for _, o := range decode(t, got) {
		if o["type"] == "relationship" {
			rels = append(rels, o)
		}
	}
	if len(rels) != 1 {
		t.Fatalf("relationships %v, want one (the other target is not in the event)", rels)
	}
	r := rels[0]
	if r["id"] != "relationship--00000000-0000-4000-8000-000000000bbb" || r["relationship_type"] != "communicates-with" ||
		r["source_ref"] != "indicator--"+file.UUID || r["target_ref"] != "indicator--"+e.Attribute[0].UUID {
		t.Errorf("relationship %v", r)
	}
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestStreaming: the answer reaches the writer while attributes arrive,
// not at Close.
func TestStreaming(t *testing.T) {
	var cw countingWriter
	w := Format.Attributes(&cw, exporttest.Options(export.ScopeAttributes))
	hits := exporttest.Hits()
	for i := 0; cw.n == 0; i++ {
		if i == 10000 {
			t.Fatal("nothing written after 10000 attributes")
		}
		h := hits[i%len(hits)]
		a := *h.Attribute
		a.UUID = fmt.Sprintf("00000000-0000-4000-8000-%012x", i)
		h.Attribute = &a
		if err := w.Write(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestValidatorRejects makes sure the validation of our bundles has
// teeth: the events golden answer, broken in one place, must fail.
func TestValidatorRejects(t *testing.T) {
	dir, err := stix2test.Dir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("STIX 2.1 JSON schemas not found (CI has them): %v", err)
	}
	v, err := stix2test.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	good := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), exporttest.Events())
	if errs := v.Check(good); len(errs) != 0 {
		t.Fatalf("Check(golden) = %v", errs)
	}
	breaks := []struct{ name, old, new string }{
		{"number_observed 0", `"number_observed":1`, `"number_observed":0`},
		{"unquoted hash name", `file:hashes.'SHA-256'`, `file:hashes.SHA-256`},
		{"unescaped quote", `'posta-srbija.example.com'`, `'posta'srbija.example.com'`},
		{"report without published", `"published":"2025-11-24T16:01:00.000Z",`, ``},
		{"seconds-only timestamp", `"created":"2025-11-24T16:00:00.000Z"`, `"created":"2025-11-24T16:00:00Z"`},
		{"TLP marking renamed", `"name":"TLP:AMBER"`, `"name":"TLP:ORANGE"`},
		{"bad AS number", `"number":64500`, `"number":"64500"`},
		{"upper-case custom property", `"x_misp_type"`, `"X_misp_type"`},
		{"SCO id of another type", `"id":"autonomous-system--`, `"id":"ipv4-addr--`},
	}
	for _, b := range breaks {
		t.Run(b.name, func(t *testing.T) {
			bad := bytes.Replace(good, []byte(b.old), []byte(b.new), 1)
			if bytes.Equal(bad, good) {
				t.Fatalf("%q is not in the golden answer", b.old)
			}
			if errs := v.Check(bad); len(errs) == 0 {
				t.Errorf("Check(golden with %s) = no error", b.name)
			}
		})
	}
	// An object referred to but missing.
	i := bytes.Index(good, []byte(`{"type":"autonomous-system"`))
	j := bytes.IndexByte(good[i:], '\n')
	if errs := stix2test.CheckRefs(append(good[:i:i], good[i+j+1:]...)); len(errs) == 0 {
		t.Error("CheckRefs(golden without the autonomous-system) = no error")
	}
}

// FuzzAttribute: any type and value give a valid bundle, in both scopes.
func FuzzAttribute(f *testing.F) {
	for _, h := range exporttest.Hits() {
		f.Add(h.Attribute.Type, h.Attribute.Value, bool(h.Attribute.ToIDS), h.Attribute.Comment)
	}
	f.Add("regkey|value", `HKLM\x'\|\`, true, "")
	f.Add("ip-dst|port", "::ffff:1.2.3.4|99999", true, "\x00")
	f.Fuzz(func(t *testing.T, typ, value string, toIDS bool, comment string) {
		e := exporttest.Events()[0]
		a := e.Attribute[0]
		a.Type, a.Value, a.ToIDS, a.Comment = typ, value, misp.Bool(toIDS), comment
		e.Attribute = e.Attribute[:1]
		check(t, exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), []*misp.Event{e}))
		check(t, exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), export.Hits(e)))
	})
}

func BenchmarkAttributes(b *testing.B) {
	hits := exporttest.Hits()
	w := Format.Attributes(io.Discard, exporttest.Options(export.ScopeAttributes))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.Write(hits[i%len(hits)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}
