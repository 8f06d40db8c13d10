package restapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/taxonomy"
)

// checkRequiredTaxonomies refuses to publish e while it lacks a tag of a
// taxonomy that is enabled and required (taxonomies/toggleRequired), with
// MISP's message (Event::checkIfPublishable). MISP checks this only when
// publishing from its UI; Razmena checks every publication, so that an
// API client cannot publish what the instance's policy says is not ready.
func (a *API) checkRequiredTaxonomies(ctx context.Context, r *http.Request, e *misp.Event) error {
	required, err := a.st.Taxonomies.RequiredTaxonomies(ctx)
	if err != nil {
		return fmt.Errorf("required taxonomies: %w", err)
	}
	if len(required) == 0 {
		return nil
	}
	names := make([]string, 0, len(e.Tag))
	for _, t := range e.Tag {
		names = append(names, t.Name)
	}
	if missing := taxonomy.Missing(required, names); len(missing) > 0 {
		return exception(r, http.StatusForbidden, "Could not publish event - no tag for required taxonomies missing: "+strings.Join(missing, ", "))
	}
	return nil
}
