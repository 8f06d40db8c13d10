package misp

import (
	"context"
	"strings"
	"time"
)

// Event is the MISP event: a dated, distributed container of attributes,
// objects and tags. Field order follows MISP's JSON output.
type Event struct {
	ID                 Int          `json:"id"`
	OrgcID             Int          `json:"orgc_id"`
	OrgID              Int          `json:"org_id"`
	Date               string       `json:"date"`
	ThreatLevelID      ThreatLevel  `json:"threat_level_id"`
	Info               string       `json:"info"`
	Published          Bool         `json:"published"`
	UUID               string       `json:"uuid"`
	AttributeCount     Int          `json:"attribute_count"`
	Analysis           Analysis     `json:"analysis"`
	Timestamp          Int          `json:"timestamp"`
	Distribution       Distribution `json:"distribution"`
	ProposalEmailLock  Bool         `json:"proposal_email_lock"`
	Locked             Bool         `json:"locked"`
	PublishTimestamp   Int          `json:"publish_timestamp"`
	SharingGroupID     Int          `json:"sharing_group_id"`
	DisableCorrelation Bool         `json:"disable_correlation"`
	ExtendsUUID        string       `json:"extends_uuid"`
	Protected          *Bool        `json:"protected"`
	EventCreatorEmail  string       `json:"event_creator_email,omitempty"`

	Org  *OrgRef `json:"Org,omitempty"`
	Orgc *OrgRef `json:"Orgc,omitempty"`
	// SharingGroup is the event's group (distribution 4) in a full view,
	// when the reader may view it; stores leave it nil.
	SharingGroup *SharingGroup  `json:"SharingGroup,omitempty"`
	Attribute    []*Attribute   `json:"Attribute"`
	Object       []*Object      `json:"Object"`
	Tag          []*AttachedTag `json:"Tag,omitempty"`
	// RelatedEvent lists the correlated events of a full view asked for
	// with EventViewOptions.EventCorrelations; the views emit it.
	RelatedEvent []*RelatedEvent `json:"-"`
	// Galaxy lists the galaxy clusters attached to the event by its tags;
	// stores leave it nil, the views emit it.
	Galaxy []*EventGalaxy `json:"-"`

	// UserID is the creating user; MISP never exports it.
	UserID Int `json:"-"`
	// SightingTimestamp appears only in index output.
	SightingTimestamp Int `json:"-"`
}

// Validate normalises and checks the event's own fields (not its children).
// today is used for a missing date.
func (e *Event) Validate(today time.Time) error {
	v := &ValidationError{}
	e.Info = strings.TrimSpace(e.Info)
	if e.Info == "" {
		v.Add("info", "Info cannot be empty.")
	}
	if e.UUID != "" {
		e.UUID = NormalizeUUID(e.UUID)
		if !IsUUID(e.UUID) {
			v.Add("uuid", "Please provide a valid RFC 4122 UUID")
		}
	}
	e.Date = strings.TrimSpace(e.Date)
	if e.Date == "" {
		e.Date = today.UTC().Format(time.DateOnly)
	} else if d, ok := parseEventDate(e.Date); ok {
		e.Date = d
	} else {
		v.Add("date", "Expected a valid date (YYYY-MM-DD).")
	}
	if e.ThreatLevelID < ThreatLevelHigh || e.ThreatLevelID > ThreatLevelUndefined {
		v.Add("threat_level_id", "Options : 1, 2, 3, 4")
	}
	if e.Analysis < AnalysisInitial || e.Analysis > AnalysisCompleted {
		v.Add("analysis", "Options : 0, 1, 2")
	}
	if e.Distribution < DistributionOrgOnly || e.Distribution > DistributionSharingGrp {
		v.Add("distribution", "Options : Your organisation only, This community only, Connected communities, All communities, Sharing group")
	}
	if e.Distribution == DistributionSharingGrp && e.SharingGroupID <= 0 {
		v.Add("sharing_group_id", "If the distribution is set to \"Sharing Group\", a sharing group has to be selected.")
	}
	if e.Distribution != DistributionSharingGrp {
		e.SharingGroupID = 0
	}
	if e.ExtendsUUID != "" {
		e.ExtendsUUID = NormalizeUUID(e.ExtendsUUID)
		if !IsUUID(e.ExtendsUUID) {
			v.Add("extends_uuid", "Invalid UUID.")
		}
	}
	return v.Err()
}

// parseEventDate accepts YYYY-MM-DD, or a longer ISO date-time of which
// the date is kept.
func parseEventDate(s string) (string, bool) {
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// DeletedFilter says whether soft-deleted elements are returned.
type DeletedFilter int

// Deleted filter values: MISP's deleted=0 (default), deleted=[0,1] (both)
// and deleted=only.
const (
	DeletedExclude DeletedFilter = iota
	DeletedInclude
	DeletedOnly
)

// EventViewOptions shape a full event fetch.
type EventViewOptions struct {
	// Deleted selects soft-deleted attributes and objects. Only the owner
	// org, sync users and site admins receive deleted elements; for others
	// the store treats any value as DeletedExclude.
	Deleted DeletedFilter
	// ExcludeLocalTags drops local tag attachments.
	ExcludeLocalTags bool
	// Metadata omits attributes and objects.
	Metadata bool
	// EventCorrelations fills Event.RelatedEvent: the other events the
	// actor may see that hold a value of one of the event's attributes
	// the actor may see, through an attribute the actor may see
	// (events/view's includeEventCorrelations).
	EventCorrelations bool
	// GranularCorrelations fills the RelatedAttribute list of every
	// returned attribute, with at most MaxCorrelationsPerEvent entries
	// in all (includeGranularCorrelations).
	GranularCorrelations bool
}

// EventFilter selects events for the index (misp-rest-api §5). Every
// condition set is ANDed with the others and with event visibility; a
// Not… list excludes the events matching any of its values. Substring
// conditions are case-insensitive and take % and _ literally.
type EventFilter struct {
	IDs        []int64 // any of these ids (ANDed with UUIDs, as MISP does)
	UUIDs      []string
	NotIDs     []int64
	NotUUIDs   []string
	Published  *bool
	Info       []string // info contains any of these
	NotInfo    []string // info contains none of these
	OrgcIDs    []int64  // creator organisation
	NotOrgcIDs []int64
	// TagSets selects the events carrying at least one tag of every set:
	// "a|b" is one set of two tags, "a&b" two sets of one. Event tags
	// only. An empty set matches nothing.
	TagSets            [][]int64
	NotTagIDs          []int64
	MinTimestamp       int64
	MaxTimestamp       int64
	MinPublishTS       int64
	DateFrom           string
	DateUntil          string
	Distributions      []Distribution
	NotDistributions   []Distribution
	ThreatLevels       []ThreatLevel
	NotThreatLevels    []ThreatLevel
	Analyses           []Analysis
	NotAnalyses        []Analysis
	SharingGroupIDs    []int64 // the event's sharing_group_id
	NotSharingGroupIDs []int64
	// Value selects events with a visible, live attribute whose value1 or
	// value2 equals it (or, for "l|r", both halves).
	Value string
	// Attribute selects events with a visible, live attribute whose
	// value1 or value2 contains any of these; NotAttribute leaves out the
	// events with such an attribute for any of its terms. A hidden
	// attribute never makes an event match or drop out.
	Attribute    []string
	NotAttribute []string
	// Quick is MISP's quick filter ("all"): events whose info or uuid
	// contains any of these, or whose creator organisation's name does,
	// or one of whose event tags' names does, or that hold a visible,
	// live attribute whose value1, value2, comment or tag name does.
	Quick []string
	// HasProposal selects events with (true) or without (false) pending
	// proposals.
	HasProposal *bool
	// CreatedByActor selects the events the acting user created.
	CreatedByActor bool
	// CreatorEmails selects events created by a user whose e-mail
	// contains any of these; NotCreatorEmails leaves out those created by
	// a user whose e-mail contains any of its terms. Site admins only:
	// for any other actor, either one matches no event.
	CreatorEmails    []string
	NotCreatorEmails []string
	Minimal          bool   // only events with attributes
	Sort             string // id, timestamp, date, info, publish_timestamp, ...
	Desc             bool
	Limit            int
	Page             int // 1-based; 0 = first
}

// EventStore persists events with their attributes, objects and tags.
// Every method applies event visibility for actor: an event the actor may
// not see behaves exactly as a missing one (ErrNotFound).
type EventStore interface {
	// CreateEvent stores e and all its attributes, objects, references and
	// tags in one transaction (validated by the caller), setting IDs,
	// UUIDs, timestamps, org_id, orgc_id and user_id. Unknown tags are
	// created only if createTags is true, otherwise skipped. A duplicate
	// event UUID returns a *ConflictError naming the existing event; an
	// attribute or object whose UUID is already stored (in any event), a
	// *ConflictError naming that attribute or object. Other UUID clashes
	// (two children of e sharing one, a reference) are ErrConflict.
	CreateEvent(ctx context.Context, actor *Actor, e *Event, createTags bool) error
	// FindEventByID returns a full event. ErrNotFound.
	FindEventByID(ctx context.Context, actor *Actor, id int64, opts EventViewOptions) (*Event, error)
	// FindEventByUUID returns a full event. ErrNotFound.
	FindEventByUUID(ctx context.Context, actor *Actor, uuid string, opts EventViewOptions) (*Event, error)
	// FindEvents lists events with Org, Orgc and Tag (no attributes), and
	// the total number of matching events.
	FindEvents(ctx context.Context, actor *Actor, f EventFilter) ([]*Event, int64, error)
	// EditEvent merges in into the stored event id (MISP Event::_edit):
	// fields of in replace stored ones, children are merged by UUID with
	// the newer-timestamp rule, tags with deleted=true are detached.
	// ErrNotNewer if in.Timestamp is set and not newer than the stored one.
	// The caller has checked modification rights.
	EditEvent(ctx context.Context, actor *Actor, id int64, in *Event, createTags bool) (*Event, error)
	// DeleteEvent hard-deletes an event and everything in it. ErrNotFound.
	DeleteEvent(ctx context.Context, actor *Actor, id int64) error
	// SetPublished publishes (publish_timestamp = now) or unpublishes an event.
	SetPublished(ctx context.Context, actor *Actor, id int64, published bool) error
}

// ConflictError reports an entity that already exists.
type ConflictError struct {
	What string // "event", "attribute", "object", ...
	ID   int64  // the existing entity's id
	UUID string // the UUID in dispute, if the entity was named by one
}

func (e *ConflictError) Error() string {
	if e.UUID != "" {
		return e.What + " " + e.UUID + " already exists"
	}
	return e.What + " already exists"
}

// Is makes a ConflictError match ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
