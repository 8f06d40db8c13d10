// Package restsearch parses MISP restSearch requests (misp-rest-api §4):
// a JSON body (optionally wrapped in {"request": …}), named URL
// parameters (/key:value) and legacy positional URL segments, into a
// Request of typed filters. It resolves nothing against the database:
// org names, tag names and uuids stay terms for the caller to resolve.
package restsearch

import "github.com/razmena/razmena/internal/misp"

// Terms is one filter's terms (misp-rest-api §1.4, §4.3): a plain value
// or list is OR; "!" terms are NOT; {"OR":[…],"AND":[…],"NOT":[…]} and
// "a&&!b" give AND and NOT explicitly. Terms are trimmed, "!" removed.
type Terms struct {
	OR, AND, NOT []string
}

// Empty reports whether no term was given.
func (t Terms) Empty() bool { return len(t.OR) == 0 && len(t.AND) == 0 && len(t.NOT) == 0 }

// Request is a parsed restSearch request.
type Request struct {
	// Scope is "attributes" or "events" (export.ScopeAttributes/Events).
	Scope string
	// ReturnFormat is the lower-cased format name; "json" by default,
	// "download" reads as "json", "bro" as "zeek".
	ReturnFormat string

	// Value matches value1 or value2; valid IPv6 terms are compressed
	// (Event::set_filter_value). Value1 and Value2 are attributes scope.
	Value, Value1, Value2 Terms
	// Type has "email" added beside "email-src" or "email-dst"
	// (Event::set_filter_type).
	Type, Category Terms
	ObjectRelation Terms
	Org            Terms // creator org: ids, names or uuids
	Tags           Terms // "tags" and its events-scope alias "tag"
	EventTags      Terms // events scope only
	EventInfo      Terms
	EventID        Terms // ids and/or uuids; "all" is no filter
	UUID           Terms
	SharingGroup   Terms // ids
	// Searchall is events scope only. In MISP it replaces every other
	// selection filter, and a non-empty Value is then the LIKE pattern
	// instead of it (Event::restSearchFilterMassage, filterEventIds).
	Searchall Terms

	// From and To bound the event date, as YYYY-MM-DD (a Unix time is
	// converted, as MISP does for restSearch; a date-time keeps its
	// date; anything else is ignored).
	From, To string
	// Date is the events-scope "date" (a delta or a range of deltas)
	// resolved to a range of dates, YYYY-MM-DD; "" for an open end.
	DateFrom, DateTo string
	// Timestamps resolved against the request time to Unix seconds
	// ("7d", "12h", "30m", "20s", Unix seconds, dates; a list of two is a
	// range). Last and PublishTimestamp both bound publish_timestamp;
	// Timestamp is the scope's own timestamp (event timestamp in events
	// scope, attribute timestamp in attributes scope).
	Last, PublishTimestamp, Timestamp, EventTimestamp, AttributeTimestamp misp.Range
	// FirstSeen and LastSeen, in microseconds (MISP stores first_seen
	// and last_seen so).
	FirstSeen, LastSeen misp.Range

	// Published and ToIDS are nil when not given or when both values
	// are asked for ([0,1], [true,false]). As in MISP, a JSON false is
	// no filter, except for published in the events scope.
	Published, ToIDS *bool
	Deleted          misp.DeletedFilter
	ThreatLevels     []misp.ThreatLevel
	Distributions    []misp.Distribution

	// Limit and Page (1-based); 0 means absent.
	Limit, Page int

	IncludeEventTags bool
	IncludeContext   bool
	IncludeEventUUID bool
	// WithAttachments is withAttachments or, in the events scope,
	// includeAttachments.
	WithAttachments     bool
	Metadata            bool
	Headerless          bool
	IncludeCorrelations bool
	// IncludeEventCorrelations and IncludeGranularCorrelations attach
	// the events scope's RelatedEvent and per-attribute RelatedAttribute.
	IncludeEventCorrelations    bool
	IncludeGranularCorrelations bool
	EnforceWarninglist          bool
	IncludeWarninglistHits      bool
	// ExcludeGalaxy leaves the events scope's Galaxy lists empty.
	ExcludeGalaxy    bool
	ExcludeLocalTags bool
	IncludeAllTags   bool
	SGReferenceOnly  bool
	// RequestedAttributes are csv columns, in order.
	RequestedAttributes []string
	// FormatParams are the format's own parameters (rpz zone settings
	// …), last value wins.
	FormatParams map[string]string

	// Given records the canonical names of the parameters the request
	// set (after aliases: "tag" is recorded as "tags"), with any non-null
	// value, including the scope's parameters that have no field here
	// (order, includeProposals, …): restrictive formats default to_ids
	// and published only when they are not given.
	Given map[string]bool
}
