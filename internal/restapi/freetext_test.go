package restapi

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// advisory is pasted advisory text with defanged indicators: an address
// on the public-DNS fixture list, a C2 address, a domain, a URL and a
// hash.
const advisory = `CERT advisory: the dropper contacts 8.8.8.8 and 203.0.113.66
then fetches hxxps://evil[.]example[.]com/stage2 (sha256
9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08).`

// withDNSWarninglist stores and enables a warninglist holding 8.8.8.8.
func (e *testEnv) withDNSWarninglist(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	wl := &misp.Warninglist{Name: "Public DNS resolvers", Type: "cidr", Description: "fixture", Version: 1,
		Category: "false_positive", Entries: []misp.WarninglistEntry{{Value: "8.8.8.8/32"}},
		Types: []misp.WarninglistType{{Type: "ip-src"}, {Type: "ip-dst"}}}
	if _, err := e.DB.ImportWarninglists(ctx, []*misp.Warninglist{wl}); err != nil {
		t.Fatalf("ImportWarninglists: %v", err)
	}
	on := true
	if _, err := e.DB.ToggleWarninglists(ctx, misp.WarninglistSelection{Names: []string{"Public DNS resolvers"}}, &on); err != nil {
		t.Fatalf("ToggleWarninglists: %v", err)
	}
}

// eventValues returns type:value of the attributes of event 1.
func (e *testEnv) eventValues(t *testing.T) []string {
	t.Helper()
	var got []string
	for _, a := range dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event", "Attribute").([]any) {
		at := a.(obj)
		got = append(got, at["type"].(string)+":"+at["value"].(string))
	}
	slices.Sort(got)
	return got
}

func TestFreetextImport(t *testing.T) {
	e := newTestEnv(t)
	e.withDNSWarninglist(t)
	e.emptyEvent(t)

	// Parse only: proposals in MISP's shape, the warninglist hit marked.
	out := e.call(t, "POST", "/events/freeTextImport/1", e.AUser.Key, obj{"value": advisory, "returnMetaAttributes": true}, http.StatusOK).([]any)
	byValue := map[string]obj{}
	for _, p := range out {
		byValue[p.(obj)["value"].(string)] = p.(obj)
	}
	for _, v := range []string{"8.8.8.8", "203.0.113.66", "https://evil.example.com/stage2", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"} {
		if byValue[v] == nil {
			t.Errorf("proposals lack %s: %v", v, out)
		}
	}
	if p := byValue["8.8.8.8"]; p == nil || p["default_type"] != "ip-dst" || p["warnings"] == nil {
		t.Errorf("8.8.8.8 proposal = %v, want ip-dst with its warninglist hit", p)
	}
	if p := byValue["203.0.113.66"]; p != nil && p["warnings"] != nil {
		t.Errorf("203.0.113.66 is on no list: %v", p)
	}
	if got := e.eventValues(t); len(got) != 0 {
		t.Fatalf("returnMetaAttributes added attributes: %v", got)
	}
	// The same through the parse helper, without an event.
	if again := e.call(t, "POST", "/freetext/parse", e.BUser.Key, obj{"value": advisory}, http.StatusOK).([]any); len(again) != len(out) {
		t.Errorf("freetext/parse gave %d proposals, freeTextImport %d", len(again), len(out))
	}

	// Import adhering to the warninglists: 8.8.8.8 is left out.
	added := e.call(t, "POST", "/events/freeTextImport/1", e.AUser.Key, obj{"value": advisory, "adhereToWarninglists": true}, http.StatusOK).([]any)
	want := []string{"ip-dst:203.0.113.66", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"url:https://evil.example.com/stage2"}
	if got := e.eventValues(t); !slices.Equal(got, want) || len(added) != len(want) {
		t.Errorf("after import: %d answered, event has %v; want %v", len(added), got, want)
	}
	// Soft: 8.8.8.8 is added without to_ids; what exists is skipped.
	added = e.call(t, "POST", "/events/freeTextImport/1/soft", e.AUser.Key, obj{"value": advisory}, http.StatusOK).([]any)
	if len(added) != 1 || dig(t, added[0], "Attribute", "value") != "8.8.8.8" || dig(t, added[0], "Attribute", "to_ids") != false {
		t.Errorf("soft import answered %v, want only 8.8.8.8 with to_ids off", added)
	}

	// Refusals: another organisation's user does not see the org-only
	// event (404, as a missing one), may see but not modify a community
	// one (403); an unknown event; no text; a bad mode; no perm_add.
	e.callObj(t, "POST", "/events/freeTextImport/1", e.BUser.Key, obj{"value": "198.51.100.1"}, http.StatusNotFound)
	e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "community", "distribution": 3}}, http.StatusOK)
	e.call(t, "POST", "/events/freeTextImport/2", e.BUser.Key, obj{"value": "198.51.100.1", "returnMetaAttributes": 1}, http.StatusOK)
	e.callObj(t, "POST", "/events/freeTextImport/2", e.BUser.Key, obj{"value": "198.51.100.1"}, http.StatusForbidden)
	e.callObj(t, "POST", "/events/freeTextImport/99", e.AUser.Key, obj{"value": "198.51.100.1"}, http.StatusNotFound)
	e.callObj(t, "POST", "/events/freeTextImport/1", e.AUser.Key, obj{"text": "198.51.100.1"}, http.StatusBadRequest)
	e.callObj(t, "POST", "/events/freeTextImport/1", e.AUser.Key, obj{"value": "x", "adhereToWarninglists": "maybe"}, http.StatusBadRequest)
	e.callObj(t, "POST", "/events/freeTextImport/1", e.AReadOnly.Key, obj{"value": "198.51.100.1"}, http.StatusForbidden)
	if got := e.eventValues(t); len(got) != 4 {
		t.Errorf("refused imports changed the event: %v", got)
	}
}
