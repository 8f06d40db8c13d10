package misp

import "context"

// AttributeSearch selects attributes across events, for restSearch-style
// lookups and exports. Soft-deleted attributes are never returned.
// Results are ordered by id and paged by keyset: pass the id of the last
// attribute of a page as AfterID to read the next one, so that a deep
// page costs what the first one does (OFFSET would read and discard every
// row before it).
type AttributeSearch struct {
	// Value matches value1, value2 or the whole composite value exactly,
	// as MISP's restSearch value filter does without wildcards.
	Value string
	// Types keeps attributes of these types; empty keeps all.
	Types []string
	// MinTimestamp and MaxTimestamp bound the attribute timestamp,
	// inclusive; 0 leaves the bound open.
	MinTimestamp, MaxTimestamp int64
	// AfterID keeps attributes whose id is greater: the keyset cursor.
	AfterID int64
	// Limit caps the page; 0 means no limit.
	Limit int
	// NoTags skips loading the attributes' tags.
	NoTags bool
}

// AttributeSearchStore finds attributes across events.
type AttributeSearchStore interface {
	// SearchAttributes returns the live attributes matching s that actor
	// may see (the attribute visibility rule of every other read: event,
	// attribute and object distribution, sharing groups), ordered by id.
	// A nil actor sees nothing.
	SearchAttributes(ctx context.Context, actor *Actor, s AttributeSearch) ([]*Attribute, error)
}
