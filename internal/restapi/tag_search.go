package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/taxonomy"
)

// tagSearchChunk is how many names one tag or cluster query looks up: a
// term like "%" can bring in the tags of thousands of clusters.
const tagSearchChunk = 500

// tagSearchResult is one tags/search answer entry, as MISP's
// TagsController::search builds it: the tag, then, for a tag of a stored
// taxonomy, the taxonomy row and the predicate (with the matching
// entries), and, for a galaxy tag, the cluster it names.
type tagSearchResult struct {
	Tag               *misp.Tag      `json:"Tag"`
	Taxonomy          *misp.Taxonomy `json:"Taxonomy,omitempty"`
	TaxonomyPredicate *tagPredicate  `json:"TaxonomyPredicate,omitempty"`
	GalaxyCluster     *tagCluster    `json:"GalaxyCluster,omitempty"`
}

// tagPredicate is a taxonomy_predicates row as MISP sends it, with
// TaxonomyEntry only for a tag with a value (MISP loads the entries only
// then; the list may be empty). MISP stores an absent colour or
// description as NULL and an absent expanded text as the value.
type tagPredicate struct {
	ID             misp.Int   `json:"id"`
	TaxonomyID     misp.Int   `json:"taxonomy_id"`
	Value          string     `json:"value"`
	Expanded       string     `json:"expanded"`
	Colour         *string    `json:"colour"`
	Description    *string    `json:"description"`
	Exclusive      misp.Bool  `json:"exclusive"`
	NumericalValue *misp.Int  `json:"numerical_value"`
	TaxonomyEntry  []tagEntry `json:"TaxonomyEntry,omitzero"`
}

// tagEntry is a taxonomy_entries row as MISP sends it.
type tagEntry struct {
	ID                  misp.Int  `json:"id"`
	TaxonomyPredicateID misp.Int  `json:"taxonomy_predicate_id"`
	Value               string    `json:"value"`
	Expanded            string    `json:"expanded"`
	Colour              *string   `json:"colour"`
	Description         *string   `json:"description"`
	NumericalValue      *misp.Int `json:"numerical_value"`
}

// tagCluster is the cluster GalaxyCluster::getCluster returns: the row,
// Galaxy and GalaxyClusterRelation, Org and Orgc, the elements grouped as
// meta, and the tag's id. MISP's SharingGroup, TargetingClusterRelation
// and the relations' Tag lists are not given (the store has no such
// data yet; see galaxyClusterView).
type tagCluster struct {
	*misp.GalaxyCluster
	Org   any      `json:"Org"`
	Orgc  any      `json:"Orgc"`
	Meta  any      `json:"meta"`
	TagID misp.Int `json:"tag_id"`
}

// tagSearch is GET|POST /tags/search[/{term}[/{strict}]] (misp-rest-api §3.4,
// PyMISP search_tags). Terms come from the URL, from the body's "tag" (a
// string or a list), or, when the body has no "tag", from every value of
// the body object — so PyMISP's {"tagname": …, "strict_tagname": …}
// searches for both values, and strictness is only read from the URL, as
// in MISP. A strict term is an exact name or a tag id. A non-strict term
// is a case-insensitive LIKE pattern (% wildcards), and it also finds the
// tags of the galaxy clusters the actor may see whose value is the term
// or one of whose synonyms is LIKE it (case-insensitively), as MISP does
// (MISP looks at every cluster; Razmena only at visible ones).
//
// Each tag comes as {"Tag": …}, with "Taxonomy" and "TaxonomyPredicate"
// when it names a predicate of a stored taxonomy (taxonomy.ForTag) and
// "GalaxyCluster" when it names a cluster the actor may see.
func (a *API) tagSearch(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	ctx := r.Context()
	term, strictText, _ := strings.Cut(r.PathValue("named"), "/")
	strict := phpTruthy(strings.TrimSuffix(strictText, ".json"))
	var terms []string
	if term != "" {
		terms = []string{term}
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if !emptyBody(body) {
		bodyTerms, err := tagSearchTerms(r, body)
		if err != nil {
			return err
		}
		if len(bodyTerms) > 0 {
			terms = bodyTerms
		}
	}
	var tags []*misp.Tag
	if strict {
		tags, err = a.findTagsStrict(ctx, terms)
	} else {
		tags, err = a.findTagsLike(ctx, actor, terms)
	}
	if err != nil {
		return fmt.Errorf("search tags: %w", err)
	}
	out, err := a.tagSearchResults(ctx, actor, tags)
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// findTagsStrict finds the tags whose id or exact name is a term, in term
// order.
func (a *API) findTagsStrict(ctx context.Context, terms []string) ([]*misp.Tag, error) {
	var tags []*misp.Tag
	seen := map[misp.Int]bool{}
	for _, term := range terms {
		var t *misp.Tag
		var err error
		if id, ok := parseID(term); ok {
			t, err = a.st.Tags.FindTagByID(ctx, id)
		} else {
			t, err = a.st.Tags.FindTagByName(ctx, term)
		}
		if errors.Is(err, misp.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			tags = append(tags, t)
		}
	}
	return tags, nil
}

// findTagsLike finds the tags matching the non-strict terms, term by term,
// then those of the clusters the terms find (clusterTagNames).
func (a *API) findTagsLike(ctx context.Context, actor *misp.Actor, terms []string) ([]*misp.Tag, error) {
	for i, t := range terms {
		terms[i] = strings.ToLower(t)
	}
	var tags []*misp.Tag
	seen := map[misp.Int]bool{}
	add := func(found []*misp.Tag) {
		for _, t := range found {
			if !seen[t.ID] {
				seen[t.ID] = true
				tags = append(tags, t)
			}
		}
	}
	for _, t := range terms {
		found, err := a.st.Tags.FindTags(ctx, misp.TagFilter{Names: []string{t}})
		if err != nil {
			return nil, err
		}
		add(found)
	}
	names, err := a.clusterTagNames(ctx, actor, terms)
	if err != nil {
		return nil, err
	}
	for len(names) > 0 {
		n := min(len(names), tagSearchChunk)
		found, err := a.st.Tags.FindTags(ctx, misp.TagFilter{Names: names[:n]})
		if err != nil {
			return nil, err
		}
		add(found)
		names = names[n:]
	}
	return tags, nil
}

// clusterTagNames returns the lower-cased tag names of the clusters
// visible to actor whose value is a term or one of whose synonyms is LIKE
// a term (misp.GalaxyClusterFilter.ValueOrSynonym): the clusters
// TagsController::search adds to a non-strict search. Deleted clusters
// count, as in MISP.
func (a *API) clusterTagNames(ctx context.Context, actor *misp.Actor, terms []string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for len(terms) > 0 {
		n := min(len(terms), tagSearchChunk)
		clusters, err := a.st.Galaxies.FindGalaxyClusters(ctx, actor, misp.GalaxyClusterFilter{ValueOrSynonym: terms[:n]})
		if err != nil {
			return nil, fmt.Errorf("find clusters by value or synonym: %w", err)
		}
		for _, c := range clusters {
			if name := strings.ToLower(c.TagName); !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
		terms = terms[n:]
	}
	return names, nil
}

// tagSearchResults adds to each tag its taxonomy and galaxy cluster.
func (a *API) tagSearchResults(ctx context.Context, actor *misp.Actor, tags []*misp.Tag) ([]tagSearchResult, error) {
	out := make([]tagSearchResult, len(tags))
	var namespaces, galaxyTags []string
	for i, t := range tags {
		out[i].Tag = t
		if mt, ok := taxonomy.ParseTag(t.Name); ok {
			namespaces = append(namespaces, mt.Namespace)
		}
		// GalaxyCluster::getCluster looks only at names with this prefix.
		if strings.HasPrefix(t.Name, "misp-galaxy:") {
			galaxyTags = append(galaxyTags, t.Name)
		}
	}
	if len(namespaces) > 0 {
		stored, err := a.st.Taxonomies.FindTaxonomiesByNamespace(ctx, namespaces)
		if err != nil {
			return nil, fmt.Errorf("find taxonomies of tags: %w", err)
		}
		for i, t := range tags {
			if tax, p, ok := taxonomy.ForTag(stored, t.Name); ok {
				out[i].Taxonomy = tax
				out[i].TaxonomyPredicate = newTagPredicate(tax, p)
			}
		}
	}
	if len(galaxyTags) > 0 {
		clusters, err := a.clustersOfTags(ctx, actor, galaxyTags)
		if err != nil {
			return nil, err
		}
		orgs := &orgCache{a: a}
		for i, t := range tags {
			c, ok := clusters[strings.ToLower(t.Name)]
			if !ok {
				continue
			}
			if out[i].GalaxyCluster, err = newTagCluster(ctx, orgs, c, t); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// clustersOfTags returns, by lower-cased tag name, the visible cluster of
// lowest id whose tag_name is one of names, with its galaxy, elements and
// relations: the first cluster GalaxyCluster::getCluster finds.
func (a *API) clustersOfTags(ctx context.Context, actor *misp.Actor, names []string) (map[string]*misp.GalaxyCluster, error) {
	byName := map[string]*misp.GalaxyCluster{}
	for len(names) > 0 {
		n := min(len(names), tagSearchChunk)
		clusters, err := a.st.Galaxies.FindGalaxyClusters(ctx, actor, misp.GalaxyClusterFilter{TagNames: names[:n], Full: true})
		if err != nil {
			return nil, fmt.Errorf("find clusters of tags: %w", err)
		}
		for _, c := range clusters {
			if name := strings.ToLower(c.TagName); byName[name] == nil {
				byName[name] = c
			}
		}
		names = names[n:]
	}
	return byName, nil
}

func newTagPredicate(t *misp.Taxonomy, p *misp.TaxonomyPredicate) *tagPredicate {
	out := &tagPredicate{
		ID: p.ID, TaxonomyID: t.ID, Value: p.Value, Expanded: orValue(p.Expanded, p.Value),
		Colour: nullString(p.Colour), Description: nullString(p.Description), Exclusive: p.Exclusive,
		NumericalValue: p.NumericalValue,
	}
	if p.Entries != nil {
		out.TaxonomyEntry = make([]tagEntry, len(p.Entries))
		for i, e := range p.Entries {
			out.TaxonomyEntry[i] = tagEntry{
				ID: e.ID, TaxonomyPredicateID: p.ID, Value: e.Value, Expanded: orValue(e.Expanded, e.Value),
				Colour: nullString(e.Colour), Description: nullString(e.Description), NumericalValue: e.NumericalValue,
			}
		}
	}
	return out
}

func newTagCluster(ctx context.Context, orgs *orgCache, c *misp.GalaxyCluster, t *misp.Tag) (*tagCluster, error) {
	org, err := orgs.org(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	orgc, err := orgs.org(ctx, c.OrgcID)
	if err != nil {
		return nil, err
	}
	// PHP encodes the meta of a cluster without elements as an empty
	// array.
	var meta any = []string{}
	if len(c.GalaxyElement) > 0 {
		meta = c.Meta()
	}
	row := *c
	row.GalaxyElement = nil // shown as meta
	return &tagCluster{GalaxyCluster: &row, Org: org, Orgc: orgc, Meta: meta, TagID: t.ID}, nil
}

// orValue is expanded, or value when expanded is empty (what MISP stores
// for an absent expanded text).
func orValue(expanded, value string) string {
	if expanded == "" {
		return value
	}
	return expanded
}

// nullString is s, or nil (JSON null) when s is empty.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// tagSearchTerms reads the search terms of a tags/search body.
func tagSearchTerms(r *http.Request, body []byte) ([]string, error) {
	var v any
	if err := decodeJSON(r, body, &v); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return phpStrings(v), nil
	}
	if inner, ok := m["Tag"].(map[string]any); ok {
		m = inner
	}
	if t, ok := m["tag"]; ok && phpTruthy(phpString(t)) {
		return phpStrings(t), nil
	}
	var terms []string
	for _, v := range m {
		terms = append(terms, phpStrings(v)...)
	}
	return terms, nil
}
