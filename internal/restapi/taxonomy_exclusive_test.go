package restapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// TestTaxonomyExclusivity checks that events/addTag and attributes/addTag
// refuse a second tag of an exclusive taxonomy, or of an exclusive
// predicate, in the same scope (global or local), as MISP does.
func TestTaxonomyExclusivity(t *testing.T) {
	e := newTestEnv(t)
	_, err := e.DB.ImportTaxonomies(context.Background(), []*misp.Taxonomy{
		{Namespace: "level", Description: "Exclusive taxonomy.", Version: 1, Exclusive: true, Predicates: []*misp.TaxonomyPredicate{
			{Value: "low"}, {Value: "high"}}},
		{Namespace: "kind", Description: "Exclusive predicate.", Version: 1, Predicates: []*misp.TaxonomyPredicate{
			{Value: "type", Exclusive: true, Entries: []*misp.TaxonomyEntry{{Value: "phishing"}, {Value: "malware"}, {Value: "fraud"}}},
			{Value: "note", Entries: []*misp.TaxonomyEntry{{Value: "a"}, {Value: "b"}}}}},
	})
	if err != nil {
		t.Fatalf("ImportTaxonomies: %v", err)
	}
	ids := map[string]string{}
	for _, name := range []string{"level:low", "level:high", `kind:type="phishing"`, `kind:type="malware"`, `kind:type="fraud"`,
		`kind:note="a"`, `kind:note="b"`, "free:tag"} {
		ids[name] = dig(t, e.mustTag(t, obj{"name": name}), "id").(string)
	}
	e.emptyEvent(t)
	e.callObj(t, "POST", "/attributes/add/1", e.AUser.Key, obj{"type": "ip-src", "value": "198.51.100.9"}, http.StatusOK)

	type step struct {
		tag   string
		local bool
		saved bool
	}
	steps := []step{
		{"level:low", false, true},
		{"level:high", false, false}, // one tag of the exclusive taxonomy
		{"level:high", true, true},   // the local scope is checked apart
		{`kind:type="phishing"`, false, true},
		{`kind:type="malware"`, false, false}, // exclusive predicate
		{`kind:type="malware"`, true, true},
		{`kind:type="fraud"`, true, false},
		{`kind:note="a"`, false, true},
		{`kind:note="b"`, false, true}, // a predicate that is not exclusive
		{"free:tag", false, true},
	}
	for _, target := range []string{"event", "attribute"} {
		for _, s := range steps {
			path := "/events/addTag/1/" + ids[s.tag]
			if target == "attribute" {
				path = "/attributes/addTag/1/" + ids[s.tag]
			}
			if s.local {
				path += "/local:1"
			}
			out := e.callObj(t, "POST", path, e.AUser.Key, nil, http.StatusOK)
			if out["saved"] != s.saved {
				t.Errorf("%s addTag %s (local %v) = %v, want saved %v", target, s.tag, s.local, out, s.saved)
			}
			if target == "event" && !s.saved && out["errors"] != exclusivityFail {
				t.Errorf("event addTag %s errors = %v, want %q", s.tag, out["errors"], exclusivityFail)
			}
		}
	}
}
