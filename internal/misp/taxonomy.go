package misp

import (
	"context"
	"fmt"
	"strings"
)

// Taxonomy is one taxonomy of MISP's library (misp-taxonomies): a
// namespace of predicates, each with optional entries, defining the
// machine tags namespace:predicate and namespace:predicate="entry". The
// JSON fields are MISP's taxonomies row, in its order. Enabled and
// Required are set by the administrators and survive an update of the
// library; the other fields come from the file (highlighted too, as in
// MISP).
type Taxonomy struct {
	ID          Int    `json:"id"`
	Namespace   string `json:"namespace"`
	Description string `json:"description"`
	Version     Int    `json:"version"`
	Enabled     Bool   `json:"enabled"`
	Exclusive   Bool   `json:"exclusive"`
	Required    Bool   `json:"required"`
	Highlighted Bool   `json:"highlighted"`
	// Predicates are in file order; nil when only the row was read.
	Predicates []*TaxonomyPredicate `json:"-"`
}

// TaxonomyPredicate is the middle part of a machine tag. Text fields are
// stored as the file gives them ("" when absent), so that an export
// reproduces the file.
type TaxonomyPredicate struct {
	ID             Int
	Value          string
	Expanded       string
	Colour         string
	Description    string
	Exclusive      Bool
	NumericalValue *Int
	// TagColour is the colour MISP gives the tag of a predicate without
	// entries: Colour, else a colour of the taxonomy's generated palette
	// (internal/taxonomy computes it). Unused when there are entries.
	TagColour string
	Entries   []*TaxonomyEntry
}

// TaxonomyEntry is one value of a predicate.
type TaxonomyEntry struct {
	ID             Int
	Value          string
	Expanded       string
	Colour         string
	Description    string
	NumericalValue *Int
	// TagColour is the colour MISP gives the entry's tag (see
	// TaxonomyPredicate.TagColour).
	TagColour string
}

// TaxonomyTag is one machine tag a taxonomy defines, as MISP's
// taxonomies/view lists it: an entry, or a predicate without entries.
type TaxonomyTag struct {
	TaxonomyID Int
	Namespace  string
	// Name is the machine tag: namespace:predicate or
	// namespace:predicate="value".
	Name string
	// Expanded is the display text: "<predicate>: <entry>" with each part's
	// expanded text (or value), or the predicate's for a predicate tag.
	Expanded    string
	Description string
	// Colour is the entry's (or predicate's) own colour, "" when the file
	// gives none; TagColour is the colour the tag is created with.
	Colour         string
	TagColour      string
	NumericalValue *Int
	// Predicate is the predicate's value; Entry is false for a predicate
	// without entries.
	Predicate string
	Entry     bool
	// ExclusivePredicate is the predicate's exclusive flag (entries only,
	// as in MISP's view).
	ExclusivePredicate Bool
	// Tag is the stored tag of that name (case-insensitive), nil when
	// there is none. Only the store's view methods fill it.
	Tag *Tag
}

// Tags lists every machine tag t defines, in MISP's order: predicates in
// file order, each either as its entries or, without entries, as itself.
func (t *Taxonomy) Tags() []*TaxonomyTag {
	var tags []*TaxonomyTag
	for _, p := range t.Predicates {
		pExpanded := orValue(p.Expanded, p.Value)
		if len(p.Entries) == 0 {
			tags = append(tags, &TaxonomyTag{
				TaxonomyID: t.ID, Namespace: t.Namespace, Name: t.Namespace + ":" + p.Value,
				Expanded: pExpanded, Description: p.Description, Colour: p.Colour,
				TagColour: p.TagColour, NumericalValue: p.NumericalValue, Predicate: p.Value,
			})
			continue
		}
		for _, e := range p.Entries {
			tags = append(tags, &TaxonomyTag{
				TaxonomyID: t.ID, Namespace: t.Namespace,
				Name:     t.Namespace + ":" + p.Value + `="` + e.Value + `"`,
				Expanded: pExpanded + ": " + orValue(e.Expanded, e.Value), Description: e.Description,
				Colour: e.Colour, TagColour: e.TagColour, NumericalValue: e.NumericalValue,
				Predicate: p.Value, Entry: true, ExclusivePredicate: p.Exclusive,
			})
		}
	}
	return tags
}

func orValue(expanded, value string) string {
	if expanded == "" {
		return value
	}
	return expanded
}

// Validate checks what MISP's import requires: a namespace, a
// description, a version that is not negative (fpf is at 0) and
// predicates, every predicate and entry with a value; and that the tag
// colours are #rrggbb or empty.
func (t *Taxonomy) Validate() error {
	v := &ValidationError{}
	t.Namespace = strings.TrimSpace(t.Namespace)
	if t.Namespace == "" {
		v.Add("namespace", "A namespace is required.")
	}
	if strings.TrimSpace(t.Description) == "" {
		v.Add("description", "A description is required.")
	}
	if t.Version < 0 {
		v.Add("version", "The version must not be negative.")
	}
	if len(t.Predicates) == 0 {
		v.Add("predicates", "At least one predicate is required.")
	}
	for i, p := range t.Predicates {
		if p.Value == "" {
			v.Add("predicates", fmt.Sprintf("Predicate %d has no value.", i))
		}
		if !validTagColour(p.TagColour) {
			v.Add("predicates", fmt.Sprintf("Predicate %q has an invalid tag colour.", p.Value))
		}
		for _, e := range p.Entries {
			if e.Value == "" {
				v.Add("predicates", fmt.Sprintf("Predicate %q has an entry without value.", p.Value))
			}
			if !validTagColour(e.TagColour) {
				v.Add("predicates", fmt.Sprintf("Entry %q of predicate %q has an invalid tag colour.", e.Value, p.Value))
			}
		}
	}
	return v.Err()
}

// validTagColour accepts "" (filled in by MISP's default tag colour) and
// #rrggbb.
func validTagColour(c string) bool { return c == "" || colourRE.MatchString(c) }

// TaxonomyListItem is one taxonomies/index entry: the taxonomy row, the
// number of tags it defines and how many of them exist as visible
// (not hidden) tags.
type TaxonomyListItem struct {
	Taxonomy     *Taxonomy `json:"Taxonomy"`
	TotalCount   int       `json:"total_count"`
	CurrentCount int       `json:"current_count"`
}

// TaxonomyFilter selects taxonomies for the index.
type TaxonomyFilter struct {
	// Value keeps the taxonomies whose namespace or description, or one
	// of whose predicates or entries (value or expanded text), contains
	// it, case-insensitively (MISP's index "value" parameter).
	Value string
	// Enabled, when set, keeps the enabled (or disabled) taxonomies.
	Enabled *bool
}

// TaxonomyUpdate holds the administrator-set flags of a taxonomy; nil
// fields are kept.
type TaxonomyUpdate struct {
	Enabled     *bool
	Required    *bool
	Highlighted *bool
}

// TagUsage counts the events and attributes a tag is attached to.
type TagUsage struct {
	Events     int
	Attributes int
}

// TaxonomyStore stores MISP's taxonomy library (issue 6). Taxonomies are
// instance-wide reference data: every authenticated user may read them;
// the API lets only site admins change them.
type TaxonomyStore interface {
	// ImportTaxonomies stores a library in one transaction, versioned and
	// idempotent: a namespace not stored yet (compared case-insensitively)
	// is added, disabled and not required; one with a newer version
	// replaces the stored predicates and entries, keeping the id,
	// enabled and required, and brings the stored tags of its entries in
	// line with it (name, colour, numerical value, as MISP's update
	// does); one with the same or an older version is left unchanged.
	// Every taxonomy is validated first: a *ValidationError (ErrInvalid)
	// for an invalid one or a namespace given twice, and nothing is
	// stored. The result's Library is "taxonomies".
	ImportTaxonomies(ctx context.Context, ts []*Taxonomy) (LibraryResult, error)

	// FindTaxonomies lists the taxonomies (rows only, no predicates)
	// ordered by id, with their tag counts.
	FindTaxonomies(ctx context.Context, f TaxonomyFilter) ([]*TaxonomyListItem, error)
	// FindTaxonomyByID returns a taxonomy with its predicates and
	// entries. ErrNotFound.
	FindTaxonomyByID(ctx context.Context, id int64) (*Taxonomy, error)
	// FindTaxonomyByNamespace is FindTaxonomyByID by namespace, compared
	// case-insensitively. ErrNotFound.
	FindTaxonomyByNamespace(ctx context.Context, namespace string) (*Taxonomy, error)
	// FindTaxonomiesByNamespace returns the taxonomies, with predicates
	// and entries, of the given namespaces (case-insensitive); unknown
	// namespaces are left out. Exclusivity checks use it
	// (taxonomy.FromMISP, Conflicts, AllowsTag).
	FindTaxonomiesByNamespace(ctx context.Context, namespaces []string) ([]*Taxonomy, error)
	// FindTaxonomyTags returns the tags a taxonomy defines, in MISP's
	// order (Taxonomy.Tags), each with its stored Tag when one of that
	// name exists. ErrNotFound.
	FindTaxonomyTags(ctx context.Context, id int64) ([]*TaxonomyTag, error)
	// FindTaxonomyEntries looks tag names up among the tags every stored
	// taxonomy defines, case-insensitively, enabled or not, and returns
	// the definitions found keyed by the name as given (Tag is not
	// filled). It is what shows a tag with its expanded text, colour and
	// numerical value.
	FindTaxonomyEntries(ctx context.Context, tagNames []string) (map[string]*TaxonomyTag, error)
	// RequiredTaxonomies returns the namespaces of the taxonomies that
	// are enabled and required: MISP refuses to publish an event without
	// a tag of each (Event::checkIfPublishable; taxonomy.Missing).
	RequiredTaxonomies(ctx context.Context) ([]string, error)

	// UpdateTaxonomy applies upd and returns the taxonomy row. Disabling
	// also hides the stored tags of the taxonomy (MISP's disable).
	// ErrNotFound.
	UpdateTaxonomy(ctx context.Context, id int64, upd TaxonomyUpdate) (*Taxonomy, error)
	// EnableTaxonomyTags creates, or shows again, the tags of a taxonomy
	// (MISP's taxonomies/addTag): every tag it defines, or those whose
	// name is exactly one of names when names is not empty. A missing tag
	// is created exportable with the definition's colour and numerical
	// value; an existing one (case-insensitive) is unhidden and given the
	// definition's name, colour and numerical value. It returns the
	// number of tags created or changed. ErrNotFound.
	EnableTaxonomyTags(ctx context.Context, id int64, names []string) (int, error)
	// DisableTaxonomyTags hides the stored tags of a taxonomy (MISP's
	// taxonomies/disableTag): every tag it defines, or those named in
	// names (case-insensitive) when names is not empty. Names the
	// taxonomy does not define are ignored. It returns the number of
	// tags hidden. ErrNotFound.
	DisableTaxonomyTags(ctx context.Context, id int64, names []string) (int, error)
	// TagUsage counts, per tag id, the events and the (not deleted)
	// attributes carrying the tag that actor may see. Tags attached to
	// nothing visible are absent.
	TagUsage(ctx context.Context, actor *Actor, tagIDs []int64) (map[int64]TagUsage, error)
}
