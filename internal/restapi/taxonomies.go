package restapi

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerTaxonomies adds the taxonomies endpoints (misp-rest-api §3.4):
// reads for every authenticated user, writes for site admins
// (ACLComponent: taxonomies/* other than index, view, taxonomy_tags and
// export have no role flag, i.e. site admin only). docs/taxonomies.md.
func (a *API) registerTaxonomies(mux *http.ServeMux) {
	a.route(mux, "GET", "/taxonomies/index", a.taxonomyIndex)
	// Without a.route's /{named...} twin, which would answer every GET
	// under /taxonomies/ (a GET of a write endpoint must be a 405).
	mux.Handle("GET /taxonomies", a.ad.Authed(a.taxonomyIndex))
	a.route(mux, "GET", "/taxonomies/view/{id}", a.taxonomyView)
	a.route(mux, "GET", "/taxonomies/taxonomy_tags/{id}", a.taxonomyTags)
	a.route(mux, "GET", "/taxonomies/export/{id}", a.taxonomyExport)
	a.route(mux, "POST", "/taxonomies/enable/{id}", a.taxonomyEnable)
	a.route(mux, "POST", "/taxonomies/disable/{id}", a.taxonomyDisable)
	a.route(mux, "POST", "/taxonomies/toggleRequired/{id}", a.taxonomyToggleRequired)
	a.route(mux, "POST", "/taxonomies/toggleHighlighted/{id}", a.taxonomyToggleHighlighted)
	a.route(mux, "POST", "/taxonomies/addTag/{id}", a.taxonomyAddTag)
	a.route(mux, "POST", "/taxonomies/addTag", a.taxonomyAddTag)
	a.route(mux, "POST", "/taxonomies/disableTag/{id}", a.taxonomyDisableTag)
	a.route(mux, "POST", "/taxonomies/disableTag", a.taxonomyDisableTag)
	a.route(mux, "POST", "/taxonomies/update", a.taxonomyUpdate)
}

// taxonomyIndex is GET /taxonomies/index: every taxonomy ordered by id,
// as [{"Taxonomy": {…}, "total_count": n, "current_count": n}], filtered
// by the named parameters value (a substring of the namespace,
// description, or a predicate's or entry's value or expanded text) and
// enabled. MISP's REST index is not paginated.
func (a *API) taxonomyIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	named := Named(r)
	f := misp.TaxonomyFilter{}
	if v := named["value"]; len(v) > 0 {
		f.Value = v[len(v)-1]
	}
	if v, ok := named["enabled"]; ok && len(v) > 0 {
		enabled := phpTruthy(v[len(v)-1])
		f.Enabled = &enabled
	}
	items, err := a.st.Taxonomies.FindTaxonomies(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list taxonomies: %w", err)
	}
	if items == nil {
		items = []*misp.TaxonomyListItem{}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, items)
	return nil
}

// findTaxonomy resolves the {id} of a read endpoint: a numeric id, or
// else a namespace (Taxonomy::__getTaxonomy). Unknown → 404 "Taxonomy
// not found.".
func (a *API) findTaxonomy(r *http.Request) (*misp.Taxonomy, error) {
	ref := strings.TrimSuffix(strings.TrimSpace(r.PathValue("id")), ".json")
	var t *misp.Taxonomy
	var err error
	if id, ok := parseID(ref); ok {
		t, err = a.st.Taxonomies.FindTaxonomyByID(r.Context(), id)
	} else if _, numeric := strconv.ParseFloat(ref, 64); numeric == nil || ref == "" {
		err = misp.ErrNotFound
	} else {
		t, err = a.st.Taxonomies.FindTaxonomyByNamespace(r.Context(), ref)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return nil, exception(r, http.StatusNotFound, "Taxonomy not found.")
	}
	if err != nil {
		return nil, fmt.Errorf("find taxonomy %q: %w", ref, err)
	}
	return t, nil
}

// taxonomyEntry is an entry of taxonomies/view and taxonomy_tags
// (Taxonomy::getTaxonomy): the optional keys are present only when the
// definition has them, exclusive_predicate only for entries of a
// predicate, and existing_tag is false or {"Tag": …}.
type taxonomyEntry struct {
	Tag                string     `json:"tag"`
	Expanded           string     `json:"expanded"`
	ExclusivePredicate *misp.Bool `json:"exclusive_predicate,omitempty"`
	Description        string     `json:"description,omitempty"`
	Colour             string     `json:"colour,omitempty"`
	NumericalValue     *misp.Int  `json:"numerical_value,omitempty"`
	ExistingTag        any        `json:"existing_tag"`
	// Events and Attributes are taxonomy_tags' counts: as in MISP, a
	// count is a string when the tag is used and the number 0 otherwise.
	Events     any `json:"events,omitempty"`
	Attributes any `json:"attributes,omitempty"`
}

// taxonomyView is the answer of taxonomies/view and taxonomy_tags.
type taxonomyView struct {
	Taxonomy *misp.Taxonomy  `json:"Taxonomy"`
	Entries  []taxonomyEntry `json:"entries"`
}

func newTaxonomyEntry(tt *misp.TaxonomyTag) taxonomyEntry {
	e := taxonomyEntry{Tag: tt.Name, Expanded: tt.Expanded, Description: tt.Description,
		Colour: tt.Colour, NumericalValue: tt.NumericalValue, ExistingTag: false}
	if tt.Entry {
		x := tt.ExclusivePredicate
		e.ExclusivePredicate = &x
	}
	if tt.Tag != nil {
		e.ExistingTag = map[string]*misp.Tag{"Tag": tt.Tag}
	}
	return e
}

// taxonomyView is GET /taxonomies/view/{id|namespace}: the taxonomy and
// every tag it defines, each with its stored tag when one exists.
func (a *API) taxonomyView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	t, err := a.findTaxonomy(r)
	if err != nil {
		return err
	}
	tags, err := a.st.Taxonomies.FindTaxonomyTags(r.Context(), int64(t.ID))
	if err != nil {
		return fmt.Errorf("find tags of taxonomy %d: %w", t.ID, err)
	}
	view := taxonomyView{Taxonomy: t, Entries: []taxonomyEntry{}}
	for _, tt := range tags {
		view.Entries = append(view.Entries, newTaxonomyEntry(tt))
	}
	httpserver.WriteJSON(w, r, http.StatusOK, view)
	return nil
}

// taxonomyTags is GET /taxonomies/taxonomy_tags/{id|namespace}: the view
// with the number of events and attributes using each tag, the entries
// filtered by the named parameter filter (a substring of the tag name),
// sorted by sort (tag, expanded, events or attributes; direction asc or
// desc) and paginated like MISP's CustomPaginationTool: page (1 by
// default, 0 for everything) of limit entries (60 by default). The counts
// are those of what the actor may see (MISP counts attribute links the
// user may not see).
func (a *API) taxonomyTags(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	t, err := a.findTaxonomy(r)
	if err != nil {
		return err
	}
	tags, err := a.st.Taxonomies.FindTaxonomyTags(r.Context(), int64(t.ID))
	if err != nil {
		return fmt.Errorf("find tags of taxonomy %d: %w", t.ID, err)
	}
	named := Named(r)
	last := func(k string) string {
		if v := named[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return ""
	}
	filter := strings.ToLower(last("filter"))
	var kept []*misp.TaxonomyTag
	var ids []int64
	for _, tt := range tags {
		if filter != "" && !strings.Contains(strings.ToLower(tt.Name), filter) {
			continue
		}
		kept = append(kept, tt)
		if tt.Tag != nil {
			ids = append(ids, int64(tt.Tag.ID))
		}
	}
	usage, err := a.st.Taxonomies.TagUsage(r.Context(), actor, ids)
	if err != nil {
		return fmt.Errorf("count uses of taxonomy %d: %w", t.ID, err)
	}
	entries := make([]taxonomyEntry, 0, len(kept))
	counts := make([][2]int, 0, len(kept))
	for _, tt := range kept {
		e := newTaxonomyEntry(tt)
		var u misp.TagUsage
		if tt.Tag != nil {
			u = usage[int64(tt.Tag.ID)]
		}
		e.Events, e.Attributes = phpCount(u.Events), phpCount(u.Attributes)
		entries = append(entries, e)
		counts = append(counts, [2]int{u.Events, u.Attributes})
	}
	sortTaxonomyEntries(entries, counts, last("sort"), strings.EqualFold(last("direction"), "desc"))
	entries = paginateEntries(entries, last("page"), last("limit"))
	httpserver.WriteJSON(w, r, http.StatusOK, taxonomyView{Taxonomy: t, Entries: entries})
	return nil
}

// phpCount renders a count as MISP's taxonomy_tags does: the database's
// string when the tag is used, the PHP integer 0 otherwise.
func phpCount(n int) any {
	if n == 0 {
		return 0
	}
	return strconv.Itoa(n)
}

// sortTaxonomyEntries orders entries by the named key (tag by default).
func sortTaxonomyEntries(entries []taxonomyEntry, counts [][2]int, key string, desc bool) {
	less := func(i, j int) bool { return entries[i].Tag < entries[j].Tag }
	switch key {
	case "expanded":
		less = func(i, j int) bool { return entries[i].Expanded < entries[j].Expanded }
	case "events":
		less = func(i, j int) bool { return counts[i][0] < counts[j][0] }
	case "attributes":
		less = func(i, j int) bool { return counts[i][1] < counts[j][1] }
	}
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool {
		if desc {
			return less(idx[y], idx[x])
		}
		return less(idx[x], idx[y])
	})
	sorted := make([]taxonomyEntry, len(entries))
	for i, k := range idx {
		sorted[i] = entries[k]
	}
	copy(entries, sorted)
}

// paginateEntries is CustomPaginationTool's page and limit: page 1 of 60
// by default, page 0 for every entry.
func paginateEntries(entries []taxonomyEntry, pageText, limitText string) []taxonomyEntry {
	page, err := strconv.Atoi(pageText)
	if err != nil || page < 0 {
		page = 1
	}
	limit, err := strconv.Atoi(limitText)
	if err != nil || limit <= 0 {
		limit = 60
	}
	if page == 0 {
		return entries
	}
	start := (page - 1) * limit
	if start >= len(entries) {
		return []taxonomyEntry{}
	}
	return entries[start:min(start+limit, len(entries))]
}
