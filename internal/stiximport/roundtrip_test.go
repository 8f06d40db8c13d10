package stiximport

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/export/stix2"
	"github.com/razmena/razmena/internal/misp"
)

// elementKey describes an attribute for the round trip: what must come
// back from Razmena's own STIX export. The value is compared as MISP
// stores it (the fixture holds some values unnormalised, "AS64500").
func elementKey(a *misp.Attribute) string {
	v, err := misp.NormalizeValue(a.Type, a.Value)
	if err != nil {
		v = a.Value
	}
	return a.Type + " " + a.Category + " " + v + " to_ids=" + boolString(bool(a.ToIDS))
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// contents lists an event's attributes (by uuid), objects and tags.
// Object attributes are keyed by object uuid, relation and value: their
// own UUIDs do not survive a STIX export (misp-stix derives new ones on
// import, and so does Razmena). The producer tag an import adds is left
// out.
func contents(e *misp.Event) map[string]string {
	out := map[string]string{"info": e.Info, "uuid": e.UUID}
	for _, a := range e.Attribute {
		out["attribute "+a.UUID] = elementKey(a)
	}
	for _, o := range e.Object {
		out["object "+o.UUID] = o.Name + " " + o.MetaCategory
		for _, a := range o.Attribute {
			out["object "+o.UUID+" "+*a.ObjectRelation+" "+a.Value] = elementKey(a)
		}
	}
	var tags []string
	for _, t := range e.Tag {
		if !strings.HasPrefix(t.Name, "misp-galaxy:producer=") {
			tags = append(tags, t.Name)
		}
	}
	sort.Strings(tags)
	out["tags"] = strings.Join(tags, ", ")
	return out
}

// exportable returns e as Razmena's STIX export represents it: an object
// with a to_ids attribute is written as one indicator whose pattern holds
// all its attributes, which therefore come back with to_ids (misp-stix
// also writes the whole object as observed data beside the indicator).
func exportable(e *misp.Event) *misp.Event {
	for _, o := range e.Object {
		ids := false
		for _, a := range o.Attribute {
			ids = ids || bool(a.ToIDS)
		}
		if !ids {
			continue
		}
		// The object is one indicator: every attribute of it comes
		// back as part of the pattern, so with to_ids.
		for _, a := range o.Attribute {
			a.ToIDS = true
		}
	}
	return e
}

// flat lists every attribute of an event, standalone or in an object,
// as elementKey gives it.
func flat(e *misp.Event) []string {
	var out []string
	for _, a := range e.Attribute {
		out = append(out, elementKey(a))
	}
	for _, o := range e.Object {
		for _, a := range o.Attribute {
			out = append(out, elementKey(a))
		}
	}
	sort.Strings(out)
	return out
}

// TestRoundTripRazmenaExport writes each event of the export fixture
// with Razmena's STIX 2.1 export (returnFormat stix2) and imports the
// bundle again: every attribute and object comes back with its uuid,
// type, category, value and to_ids, and the event with its uuid, info
// and tags.
func TestRoundTripRazmenaExport(t *testing.T) {
	for _, ev := range exporttest.Events() {
		t.Run(ev.Info, func(t *testing.T) {
			want := contents(exportable(ev))
			b := exporttest.WriteEvents(t, stix2.Format, exporttest.Options(export.ScopeEvents), []*misp.Event{ev})
			got, warnings, err := Convert(b, Options{Now: testNow})
			if err != nil {
				t.Fatalf("Convert(export of %q) = %v", ev.Info, err)
			}
			for _, w := range warnings {
				t.Logf("warning: %s", w)
			}
			if diff := cmp.Diff(want, contents(got)); diff != "" {
				t.Errorf("round trip of %q (-exported +imported):\n%s", ev.Info, diff)
			}
			checkValid(t, got)
		})
	}
}

// TestImportExportGolden imports the golden answers of the STIX export:
// the events scope (two events in one bundle become one event, as in
// MISP's upload) and the attributes scope (attributes only). Every
// attribute of the fixture comes back.
func TestImportExportGolden(t *testing.T) {
	for _, name := range []string{"events", "attributes"} {
		t.Run(name, func(t *testing.T) {
			// The attributes scope writes every attribute on its own.
			var want []string
			for _, ev := range exporttest.Events() {
				if name == "events" {
					ev = exportable(ev)
				}
				want = append(want, flat(ev)...)
			}
			sort.Strings(want)
			b, err := os.ReadFile(filepath.Join("..", "export", "stix2", "testdata", name+".golden"))
			if err != nil {
				t.Fatalf("golden file of the STIX export: %v", err)
			}
			got, warnings, err := Convert(b, Options{Now: testNow})
			if err != nil {
				t.Fatalf("Convert(%s.golden) = %v", name, err)
			}
			for _, w := range warnings {
				t.Logf("warning: %s", w)
			}
			if diff := cmp.Diff(want, flat(got)); diff != "" {
				t.Errorf("attributes of %s.golden (-exported +imported):\n%s", name, diff)
			}
			checkValid(t, got)
		})
	}
}
