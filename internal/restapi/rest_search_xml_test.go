package restapi

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
)

// TestRestSearchXML: restSearch's xml format in both scopes, asked for in
// the JSON body, as a named and as a positional URL parameter: MISP's
// headers, B's visible results only, every event and attribute in full
// (the format is not restrictive: B's unpublished draft is there), and
// the empty answer.
func TestRestSearchXML(t *testing.T) {
	env := newTestEnv(t)
	w := newSearchWorld(t, env)
	k := env.BUser.Key
	shared := []string{"198.51.100.11", "visible-one.example.com", "0123456789abcdef0123456789abcdef", "http://visible-two.example.com/x"}
	all := append(slices.Clone(shared), "203.0.113.5")
	for _, tc := range []struct {
		name, method, path string
		body               any
		scope              string
		values             []string // attribute values, in the events scope those of every event
		events             []string // event uuids (events scope)
	}{
		{"attributes, body", "POST", "/attributes/restSearch", obj{"returnFormat": "xml", "type": []string{"ip-dst", "domain", "md5", "url", "ip-src"}},
			"attributes", all, nil},
		{"attributes, named", "GET", "/attributes/restSearch/returnFormat:xml/value:198.51.100.11", nil, "attributes", []string{"198.51.100.11"}, nil},
		{"attributes, positional", "GET", "/attributes/restSearch/xml/198.51.100.11", nil, "attributes", []string{"198.51.100.11"}, nil},
		{"attributes, named over body", "POST", "/attributes/restSearch/returnFormat:xml", obj{"returnFormat": "json", "value": "203.0.113.5"},
			"attributes", []string{"203.0.113.5"}, nil},
		{"events, body", "POST", "/events/restSearch", obj{"returnFormat": "xml", "type": []string{"ip-dst", "ip-src"}},
			"events", all, []string{w.shared.UUID, w.draft.UUID}},
		{"events, named", "GET", "/events/restSearch/returnFormat:xml/value:198.51.100.11", nil, "events", shared, []string{w.shared.UUID}},
		{"events, positional", "GET", "/events/restSearch/xml/203.0.113.5", nil, "events", []string{"203.0.113.5"}, []string{w.draft.UUID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, b := env.do(t, tc.method, tc.path, k, tc.body)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, b)
			}
			for name, want := range map[string]string{"Content-Type": "application/xml; charset=UTF-8",
				"X-Response-Format": "xml", "X-Export-Module-Used": "xml"} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			var values, events []string
			n := 0
			if tc.scope == "attributes" {
				for _, a := range xmlResults(t, b, "Attribute") {
					n++
					values = append(values, leakStr(a["value"]))
					if _, ok := a["Event"]; ok {
						t.Errorf("attribute %s carries its Event; MISP's XmlExport drops it", a["uuid"])
					}
				}
			} else {
				for _, ev := range xmlResults(t, b, "Event") {
					n++
					events = append(events, leakStr(ev["uuid"]))
					for _, a := range leakList(ev["Attribute"]) {
						values = append(values, leakStr(a["value"]))
					}
					if leakStr(ev["Orgc"].(obj)["uuid"]) == "" {
						t.Errorf("event %s has no Orgc", ev["uuid"])
					}
				}
			}
			if d := diffStrings(sortedCopy(tc.values), sortedCopy(values)); d != "" {
				t.Errorf("values (-want +got):\n%s", d)
			}
			if d := diffStrings(sortedCopy(tc.events), sortedCopy(events)); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			if got := h.Get("X-Result-Count"); got != strconv.Itoa(n) {
				t.Errorf("X-Result-Count = %q, want %d", got, n)
			}
		})
	}

	for _, scope := range []string{"attributes", "events"} {
		t.Run(scope+", empty", func(t *testing.T) {
			status, h, b := env.do(t, http.MethodPost, "/"+scope+"/restSearch", k, obj{"returnFormat": "xml", "value": "no such value"})
			const want = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response></response>\n"
			if status != http.StatusOK || string(b) != want {
				t.Errorf("status %d, body %q; want 200, %q", status, b, want)
			}
			if h.Get("X-Result-Count") != "0" || h.Get("Content-Type") != "application/xml; charset=UTF-8" {
				t.Errorf("X-Result-Count %q, Content-Type %q; want 0, application/xml", h.Get("X-Result-Count"), h.Get("Content-Type"))
			}
		})
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
