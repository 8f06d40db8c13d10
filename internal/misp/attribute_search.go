package misp

import "context"

// AttributeSearch selects attributes across events, for restSearch and
// exports (misp-rest-api §4.2). Every field narrows the result; the zero
// value selects every live attribute the actor may see. Names, uuids and
// tag names have been resolved to ids by the caller (a term naming
// nothing is the caller's to turn into an empty answer).
//
// Results are ordered by id and paged by keyset: pass the id of the last
// attribute of a page as AfterID to read the next one, so that a deep
// page costs what the first one does.
type AttributeSearch struct {
	// Value matches value1, value2 or the whole composite value exactly,
	// as MISP's restSearch value filter does without wildcards.
	Value string
	// Values matches value1, value2 or the composite value against terms;
	// a term with "%" is a case-insensitive LIKE pattern.
	Values StringFilter
	// Value1 and Value2 match value1 only and value2 only (the halves of
	// a composite value; value2 is "" for others), as Values does.
	Value1, Value2 StringFilter
	// Types, Categories and ObjectRelations match those columns; a term
	// with "%" is a LIKE pattern.
	Types, Categories, ObjectRelations StringFilter
	// Searchall keeps attributes matching any of these case-insensitive
	// LIKE patterns ("%" where the caller wants them) by their event's
	// info, their value1, value2 or comment, or the name of one of their
	// own or their event's tags (MISP's searchall). SearchEventIDs
	// matches the event's info and tags and its visible attributes.
	Searchall []string
	// EventInfo matches the event's info; every term is a
	// case-insensitive LIKE pattern ("%" where the caller wants them).
	EventInfo StringFilter
	// UUIDs keeps attributes with one of these uuids or in an event with
	// one of these uuids.
	UUIDs []string
	// EventIDs and EventUUIDs keep attributes of these events (either
	// list matching is enough); NotEventIDs and NotEventUUIDs drop them.
	EventIDs, NotEventIDs     []int64
	EventUUIDs, NotEventUUIDs []string
	// OrgcIDs keeps attributes of events created by these organisations;
	// NotOrgcIDs drops them.
	OrgcIDs, NotOrgcIDs []int64
	// Tags filters by tags on the attribute or its event.
	Tags TagSearch
	// EventTags filters by tags on the event itself (events-scope
	// event_tags): an attribute's own tags do not count.
	EventTags TagSearch
	// DateFrom and DateTo bound the event date (YYYY-MM-DD), inclusive.
	DateFrom, DateTo string
	// MinTimestamp and MaxTimestamp bound the attribute timestamp,
	// inclusive; 0 leaves the bound open.
	MinTimestamp, MaxTimestamp int64
	// EventTimestamp and PublishTimestamp bound the event's timestamp and
	// publish_timestamp.
	EventTimestamp, PublishTimestamp Range
	// FirstSeen keeps attributes with first_seen >= FirstSeen.Min (and <=
	// Max when set); LastSeen likewise for last_seen. Microseconds.
	FirstSeen, LastSeen Range
	// Published and ToIDS filter when non-nil.
	Published, ToIDS *bool
	// Deleted selects soft-deleted attributes; deleted ones are only
	// returned where the actor may see deletions (owner org, sync users,
	// site admins).
	Deleted DeletedFilter
	// ThreatLevels keeps attributes of events with these threat levels.
	ThreatLevels []ThreatLevel
	// Distributions keeps attributes with these distributions
	// (SearchEventIDs: events).
	Distributions []Distribution
	// SharingGroupIDs keeps attributes whose event or own sharing group is
	// one of these (SearchEventIDs: events shared with one of them).
	SharingGroupIDs []int64
	// AfterID keeps attributes whose id is greater: the keyset cursor.
	AfterID int64
	// Offset skips that many matching attributes before the first one
	// returned (MISP's page); a stream applies it once.
	Offset int
	// Limit caps the page; 0 means no limit.
	Limit int
	// NoTags skips loading the attributes' tags.
	NoTags bool
	// WithData loads the base64 content of attachment and malware-sample
	// attributes (withAttachments).
	WithData bool
}

// StringFilter matches a text column: a row passes when the column
// matches any term of Any (or Any is empty) and no term of None. A term
// containing "%" is a case-insensitive LIKE pattern, others are compared
// exactly.
type StringFilter struct {
	Any, None []string
}

// Empty reports a filter that keeps everything.
func (f StringFilter) Empty() bool { return len(f.Any) == 0 && len(f.None) == 0 }

// TagSearch is restSearch's tag filter (misp-rest-api §4.3) on resolved
// tag ids. A tag counts when it is attached to the attribute or to its
// event.
type TagSearch struct {
	// Any keeps attributes carrying at least one of these tags.
	Any []int64
	// All keeps attributes carrying, for every set, at least one tag of
	// the set (one set per AND term: a LIKE term may name several tags).
	All [][]int64
	// None drops attributes carrying any of these tags.
	None []int64
}

// Empty reports a filter that keeps everything.
func (f TagSearch) Empty() bool { return len(f.Any) == 0 && len(f.All) == 0 && len(f.None) == 0 }

// Range is an inclusive range; 0 leaves an end open.
type Range struct{ Min, Max int64 }

// AttributeHit is one attribute of a search stream with its context: the
// event row (Org, Orgc and, when asked for, Tag; no children) and, for an
// object attribute, its object (no attributes or references). Event and
// Object are shared by the hits of one chunk: treat them as read-only.
type AttributeHit struct {
	Attribute *Attribute
	Event     *Event
	Object    *Object
}

// StreamOptions shape a search stream.
type StreamOptions struct {
	// EventTags loads the event tags into AttributeHit.Event.Tag.
	EventTags bool
	// Correlations fills each attribute's RelatedAttribute in full
	// (RelatedAttribute.Detail): restSearch's includeCorrelations.
	Correlations bool
	// Chunk is the number of attributes read per transaction; 0 means a
	// default of a few thousand.
	Chunk int
}

// AttributeSearchStore finds attributes across events.
type AttributeSearchStore interface {
	// SearchAttributes returns the attributes matching s that actor may
	// see (the attribute visibility rule of every other read: event,
	// attribute and object distribution, sharing groups), ordered by id.
	// A nil actor sees nothing.
	SearchAttributes(ctx context.Context, actor *Actor, s AttributeSearch) ([]*Attribute, error)
	// StreamAttributes calls fn for each attribute SearchAttributes would
	// return, in id order, reading chunk by chunk (each chunk's
	// attributes in one read transaction, by keyset, and their tags,
	// events and objects in a later one, which checks again that actor
	// may see those events and objects and leaves out the attributes of
	// any that were deleted or hidden in between), so that memory does
	// not grow with the result. s.Limit caps the total. fn is called from
	// the caller's goroutine; an error from it stops the stream and is
	// returned as is.
	StreamAttributes(ctx context.Context, actor *Actor, s AttributeSearch, o StreamOptions, fn func(AttributeHit) error) error
	// CountAttributes returns how many attributes SearchAttributes would
	// return: with Limit and Offset, the size of that page (counting stops
	// at Offset+Limit rows).
	CountAttributes(ctx context.Context, actor *Actor, s AttributeSearch) (int64, error)
}

// EventSearchStore selects events for events/restSearch.
type EventSearchStore interface {
	// SearchEventIDs returns the ids of the events actor may see that
	// match s, in id order: the event-level fields of s (event ids and
	// uuids, orgs, info, date, event and publish timestamps, published,
	// threat levels, event tags) apply to the event, and so do
	// Distributions and SharingGroupIDs, which select by the event's own
	// distribution and sharing group here (MISP's events-scope
	// distribution and sharinggroup); when any attribute-level field is
	// set (values, types, categories, object relations, uuids, tags,
	// attribute timestamps, first/last seen, to_ids) the event must also
	// contain a live attribute the actor may see that matches them all
	// (a tag may sit on the event instead, and a uuid may be the
	// event's). AfterID, Offset and Limit page events.
	SearchEventIDs(ctx context.Context, actor *Actor, s AttributeSearch) ([]int64, error)
	// CountEvents returns how many events SearchEventIDs would return,
	// paged as CountAttributes.
	CountEvents(ctx context.Context, actor *Actor, s AttributeSearch) (int64, error)
	// LoadEvents calls fn with each event of ids that actor may see, in
	// id order, as FindEventByID returns it with opts; ids actor may not
	// see, or that no longer exist, are skipped. The events are read in
	// batches of at most batch attributes by their attribute counts (an
	// event larger than that alone; the store's default when batch ≤ 0),
	// each batch in one read transaction that has ended when fn is
	// called, so memory holds one batch.
	LoadEvents(ctx context.Context, actor *Actor, ids []int64, opts EventViewOptions, batch int, fn func(*Event) error) error
}
