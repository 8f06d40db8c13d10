package restapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// TestPublishRequiresTaxonomies checks that an event cannot be published
// without a tag of each enabled required taxonomy, and can once tagged.
func TestPublishRequiresTaxonomies(t *testing.T) {
	e := newTestEnv(t)
	tx := &misp.Taxonomy{Namespace: "srbcert", Description: "Required classification.", Version: 1,
		Predicates: []*misp.TaxonomyPredicate{{Value: "incident-type", Entries: []*misp.TaxonomyEntry{{Value: "phishing"}}}}}
	if _, err := e.DB.ImportTaxonomies(context.Background(), []*misp.Taxonomy{tx}); err != nil {
		t.Fatalf("ImportTaxonomies: %v", err)
	}
	id := idStr(tx.ID)
	e.emptyEvent(t)
	publish := func(want int) obj {
		t.Helper()
		return e.callObj(t, "POST", "/events/publish/1", e.APublisher.Key, nil, want)
	}
	// Required but not enabled: no constraint, as in MISP.
	e.callObj(t, "POST", "/taxonomies/toggleRequired/"+id, e.Admin.Key, obj{"Taxonomy": obj{"required": true}}, http.StatusOK)
	publish(http.StatusOK)

	e.callObj(t, "POST", "/taxonomies/enable/"+id, e.Admin.Key, nil, http.StatusOK)
	out := publish(http.StatusForbidden)
	if want := "Could not publish event - no tag for required taxonomies missing: srbcert"; out["message"] != want {
		t.Errorf("publish without the required tag: message %v, want %q", out["message"], want)
	}
	tag := dig(t, e.mustTag(t, obj{"name": `srbcert:incident-type="phishing"`}), "id").(string)
	e.callObj(t, "POST", "/events/addTag/1/"+tag, e.AUser.Key, nil, http.StatusOK)
	publish(http.StatusOK)
}
