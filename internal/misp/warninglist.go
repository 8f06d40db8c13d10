package misp

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Warninglist is one list of MISP's warninglist library
// (misp-warninglists): values known to be benign or well known (public
// DNS resolvers, top domains, cloud ranges) that should not raise alerts.
// The JSON fields are MISP's warninglists row, in its order; a list read
// with its entries and matching attribute types also carries
// WarninglistEntry and WarninglistType, as MISP's warninglists/view shows
// them. Enabled is set by the administrators and survives an update of
// the library; the other fields come from the file.
type Warninglist struct {
	ID          Int    `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Version     Int    `json:"version"`
	Enabled     Bool   `json:"enabled"`
	// Default is true for the lists of the library (MISP's default
	// column); every stored list is one, as Razmena has no custom lists.
	Default  Bool   `json:"default"`
	Category string `json:"category"`

	// EntryCount is the number of entries, also when they are not loaded.
	EntryCount int `json:"-"`
	// Entries are in file order; nil when not loaded.
	Entries []WarninglistEntry `json:"WarninglistEntry,omitzero"`
	// Types are the attribute types the list applies to ("ALL" for every
	// type), in file order; nil when not loaded.
	Types []WarninglistType `json:"WarninglistType,omitzero"`
}

// WarninglistEntry is one value of a list. Comment is MISP's comment
// column: nil unless the list.json "list" is a value → comment object.
type WarninglistEntry struct {
	ID            Int     `json:"id"`
	Value         string  `json:"value"`
	WarninglistID Int     `json:"warninglist_id"`
	Comment       *string `json:"comment"`
}

// WarninglistType is one matching attribute type of a list.
type WarninglistType struct {
	ID            Int    `json:"id"`
	Type          string `json:"type"`
	WarninglistID Int    `json:"warninglist_id"`
}

// Warninglist list types and categories, as MISP validates them.
var (
	warninglistTypes      = []string{"cidr", "hostname", "string", "substring", "regex"}
	warninglistCategories = []string{"false_positive", "known"}
)

// MatchingAttributes returns the types of w.Types.
func (w *Warninglist) MatchingAttributes() []string {
	out := make([]string, len(w.Types))
	for i, t := range w.Types {
		out[i] = t.Type
	}
	return out
}

// Validate checks what MISP's Warninglist model requires of a list: a
// name and a description, a known type and category, a version that is
// not negative; and that no entry value or matching type is empty.
func (w *Warninglist) Validate() error {
	v := &ValidationError{}
	if strings.TrimSpace(w.Name) == "" {
		v.Add("name", "A name is required.")
	}
	if strings.TrimSpace(w.Description) == "" {
		v.Add("description", "A description is required.")
	}
	if !slices.Contains(warninglistTypes, w.Type) {
		v.Add("type", fmt.Sprintf("Unknown type %q.", w.Type))
	}
	if !slices.Contains(warninglistCategories, w.Category) {
		v.Add("category", fmt.Sprintf("Unknown category %q.", w.Category))
	}
	if w.Version < 0 {
		v.Add("version", "The version must not be negative.")
	}
	for _, e := range w.Entries {
		if e.Value == "" {
			v.Add("entries", "An entry has no value.")
			break
		}
	}
	for _, t := range w.Types {
		if t.Type == "" {
			v.Add("matching_attributes", "A matching attribute type is empty.")
			break
		}
	}
	return v.Err()
}

// WarninglistFilter selects lists for the index (MISP's named parameters).
type WarninglistFilter struct {
	// Value keeps the lists whose name or description contains it, or
	// whose type is it, case-insensitively. As in MISP, "%" and "_" in it
	// are LIKE wildcards.
	Value string
	// Enabled, when set, keeps the enabled (or disabled) lists.
	Enabled *bool
}

// WarninglistSelection names lists for ToggleWarninglists: those whose id
// is one of IDs, and those whose name matches one of Names, a
// case-insensitive LIKE pattern ("%dns resolv%"), as MISP's toggleEnable
// matches names.
type WarninglistSelection struct {
	IDs   []int64
	Names []string
}

// WarninglistStore stores MISP's warninglist library (issue 6). Lists are
// instance-wide reference data: every authenticated user may read them;
// the API lets site admins and perm_warninglist roles change them.
//
// Every change that can alter what matches (an import that adds or
// replaces a list, a change of a list's enabled flag) advances the
// store's warninglist revision in the same transaction, so that a cache
// of the enabled lists, in this process or another one sharing the
// database, knows when to reload (warninglist.Matcher).
type WarninglistStore interface {
	// ImportWarninglists stores a library in one transaction, versioned
	// and idempotent, keyed by name (case-sensitive, as MISP): a list not
	// stored yet is added, disabled; one with a newer version replaces
	// the stored row, entries and types, keeping its id and enabled
	// flag; one with the same or an older version is left unchanged.
	// The ID of every list given is set to its stored id.
	// Every list is validated first: a *ValidationError (ErrInvalid) for
	// an invalid one or a name given twice, and nothing is stored. The
	// result's Library is "warninglists".
	ImportWarninglists(ctx context.Context, lists []*Warninglist) (LibraryResult, error)

	// FindWarninglists lists the rows matching f, newest id first (MISP's
	// index order), with EntryCount and Types but not Entries.
	FindWarninglists(ctx context.Context, f WarninglistFilter) ([]*Warninglist, error)
	// FindWarninglistByID returns a list with its entries and types.
	// ErrNotFound.
	FindWarninglistByID(ctx context.Context, id int64) (*Warninglist, error)
	// ToggleWarninglists sets the enabled flag of the selected lists to
	// *enabled, or flips each one's flag when enabled is nil (MISP's
	// toggleEnable), and returns the selected rows as they now are
	// (without entries or types), ordered by id. ErrNotFound when the
	// selection matches no list.
	ToggleWarninglists(ctx context.Context, sel WarninglistSelection, enabled *bool) ([]*Warninglist, error)

	// WarninglistRevision returns the current warninglist revision: a
	// number that changes with every change that can alter matching. It
	// is one indexed row read, meant to be called per request.
	WarninglistRevision(ctx context.Context) (int64, error)
	// EnabledWarninglists returns the enabled lists, ordered by id, with
	// their entries (Value only, in file order) and types, and the
	// revision they are at, read from one snapshot.
	EnabledWarninglists(ctx context.Context) ([]*Warninglist, int64, error)
}

// WarninglistHit is one enabled warninglist an attribute's value is on, as
// event views list it under the attribute's "warnings" (MISP's
// Warninglist::checkForWarning): the list entry that matched, the value
// (or part of a composite value) that matched it, and the list.
type WarninglistHit struct {
	Match               string `json:"match"`
	Value               string `json:"value"`
	WarninglistID       Int    `json:"warninglist_id"`
	WarninglistName     string `json:"warninglist_name"`
	WarninglistCategory string `json:"warninglist_category"`
}
