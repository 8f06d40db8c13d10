package jsonfmt

import (
	"encoding/json"
	"testing"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
)

func TestGolden(t *testing.T) {
	o := exporttest.Options(export.ScopeAttributes)
	o.IncludeEventTags = true
	attrs := exporttest.WriteAttributes(t, Format, o, exporttest.Hits())
	exporttest.Golden(t, "attributes", attrs)
	events := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), exporttest.Events())
	exporttest.Golden(t, "events", events)

	var a struct {
		Response struct {
			Attribute []struct {
				ID    string `json:"id"`
				Event struct {
					UUID string `json:"uuid"`
				}
				Tag []struct {
					Name      string `json:"name"`
					Inherited int    `json:"inherited"`
				}
			}
		} `json:"response"`
	}
	if err := json.Unmarshal(attrs, &a); err != nil {
		t.Fatalf("attributes answer is not JSON: %v", err)
	}
	if got, want := len(a.Response.Attribute), len(exporttest.Hits()); got != want {
		t.Fatalf("%d attributes, want %d", got, want)
	}
	first := a.Response.Attribute[0]
	if first.Event.UUID == "" || len(first.Tag) != 4 || first.Tag[0].Inherited != 0 || first.Tag[1].Inherited != 1 {
		t.Errorf("first attribute: event %q, tags %+v; want the event summary, its own tag then 3 inherited", first.Event.UUID, first.Tag)
	}
	var e struct {
		Response []struct {
			Event struct {
				Attribute []json.RawMessage
				Object    []json.RawMessage
			}
		} `json:"response"`
	}
	if err := json.Unmarshal(events, &e); err != nil {
		t.Fatalf("events answer is not JSON: %v", err)
	}
	if len(e.Response) != 2 || len(e.Response[0].Event.Attribute) != 20 || len(e.Response[0].Event.Object) != 1 {
		t.Errorf("events answer: %d events; want 2 with their attributes and objects", len(e.Response))
	}
}

func TestEmpty(t *testing.T) {
	for _, tc := range []struct {
		scope, want string
	}{{export.ScopeAttributes, "{\"response\": {\"Attribute\": []}}\n"}, {export.ScopeEvents, "{\"response\": []}\n"}} {
		var got []byte
		if tc.scope == export.ScopeAttributes {
			got = exporttest.WriteAttributes(t, Format, exporttest.Options(tc.scope), nil)
		} else {
			got = exporttest.WriteEvents(t, Format, exporttest.Options(tc.scope), nil)
		}
		if string(got) != tc.want {
			t.Errorf("%s: empty answer %q, want %q", tc.scope, got, tc.want)
		}
		var v any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Errorf("%s: empty answer is not JSON: %v", tc.scope, err)
		}
	}
}
