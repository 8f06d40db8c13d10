package restapi

import (
	"context"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/taxonomy"
)

// exclusivityFail is MISP's refusal of a tag that an exclusive taxonomy
// or predicate does not allow beside the ones attached.
const exclusivityFail = "Tag is not allowed due to taxonomy exclusivity settings"

// taxonomyRefuses reports whether attaching the tag named name next to
// the tags of the same scope (local or global) already on the target
// breaks the exclusivity of its taxonomy or predicate, as MISP's
// Taxonomy::checkIfNewTagIsAllowedByTaxonomy decides on events/addTag and
// attributes/addTag. A tag of no known taxonomy is always allowed.
func (a *API) taxonomyRefuses(ctx context.Context, name string, attached []*misp.AttachedTag, local bool) (bool, error) {
	mt, ok := taxonomy.ParseTag(name)
	if !ok {
		return false, nil
	}
	found, err := a.st.Taxonomies.FindTaxonomiesByNamespace(ctx, []string{mt.Namespace})
	if err != nil {
		return false, fmt.Errorf("find taxonomy %s: %w", mt.Namespace, err)
	}
	if len(found) == 0 {
		return false, nil
	}
	var existing []string
	for _, t := range attached {
		if bool(t.Local) == local {
			existing = append(existing, t.Name)
		}
	}
	for _, t := range found {
		if !taxonomy.FromMISP(t).AllowsTag(existing, name) {
			return true, nil
		}
	}
	return false, nil
}
