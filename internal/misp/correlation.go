package misp

import (
	"context"
	"encoding/json"
	"strings"
)

// Correlation links attributes of different events that hold the same
// value (docs/correlation.md). The store keeps, for every attribute that
// takes part, the values it correlates on; correlations are the pairs of
// such attributes that share a value, read with the visibility rules of
// every other read on both sides.

// SettingCorrelationLimit is the setting holding the over-correlation cap
// (MISP.correlation_limit): a value held by more attributes than this is
// not correlated at all, and is listed among the over-correlating values.
const SettingCorrelationLimit = "correlation_limit"

// DefaultCorrelationLimit is MISP.correlation_limit's default.
const DefaultCorrelationLimit = 100

// SettingAdvancedCorrelations is the setting that switches CIDR
// correlation on (MISP.enable_advanced_correlations, off by default): an
// ip-src or ip-dst attribute holding a network (10.0.0.0/24) then
// correlates with the attributes of other events holding an address
// inside it. Stored as "true" or "false".
const SettingAdvancedCorrelations = "enable_advanced_correlations"

// MaxCorrelationsPerEvent bounds the RelatedAttribute entries of one
// event view (MISP.max_correlations_per_event's default).
const MaxCorrelationsPerEvent = 5000

// MaxExclusionLength is the longest correlation exclusion, in bytes; the
// exclusion list is unique by value, and a unique index holds only so
// much (MISP indexes the first 191 characters).
const MaxExclusionLength = 1024

// RelatedEvent is an element of an event's RelatedEvent list: another
// event, visible to the reader, that holds a value one of the event's
// visible attributes holds, through an attribute the reader may see.
type RelatedEvent struct {
	Event RelatedEventInfo `json:"Event"`
}

// RelatedEventInfo is the summary of a related event, in MISP's field order.
type RelatedEventInfo struct {
	ID            Int          `json:"id"`
	Date          string       `json:"date"`
	ThreatLevelID ThreatLevel  `json:"threat_level_id"`
	Info          string       `json:"info"`
	Published     Bool         `json:"published"`
	UUID          string       `json:"uuid"`
	Analysis      Analysis     `json:"analysis"`
	Timestamp     Int          `json:"timestamp"`
	Distribution  Distribution `json:"distribution"`
	OrgID         Int          `json:"org_id"`
	OrgcID        Int          `json:"orgc_id"`
	Org           OrgSummary   `json:"Org"`
	Orgc          OrgSummary   `json:"Orgc"`
}

// OrgSummary is an organisation as related events name it.
type OrgSummary struct {
	ID   Int    `json:"id"`
	Name string `json:"name"`
	UUID string `json:"uuid"`
}

// RelatedAttribute is a correlation of an attribute: another attribute,
// in another event, holding Value too. In an event view it is MISP's
// {id, value, org_id, info, event_id}, org_id being the other event's
// creator organisation; attributes/restSearch's includeCorrelations
// lists the other attribute in full instead (Detail).
type RelatedAttribute struct {
	ID      Int
	EventID Int
	Value   string
	OrgID   Int
	Info    string
	Detail  *RelatedAttributeDetail
}

// RelatedAttributeDetail is the other attribute and its event as
// attributes/restSearch lists them (Correlation::getRelatedAttributes
// with event data).
type RelatedAttributeDetail struct {
	ObjectID       Int
	ObjectRelation *string
	Category       string
	Type           string
	Value          string
	UUID           string
	Timestamp      Int
	Distribution   Distribution
	SharingGroupID Int
	ToIDS          Bool
	Comment        string
	Event          RelatedAttributeEvent
}

// RelatedAttributeEvent is the event of a RelatedAttributeDetail, in
// MISP's field order.
type RelatedAttributeEvent struct {
	ID             Int          `json:"id"`
	UUID           string       `json:"uuid"`
	ThreatLevelID  ThreatLevel  `json:"threat_level_id"`
	Analysis       Analysis     `json:"analysis"`
	Info           string       `json:"info"`
	ExtendsUUID    string       `json:"extends_uuid"`
	Distribution   Distribution `json:"distribution"`
	SharingGroupID Int          `json:"sharing_group_id"`
	Published      Bool         `json:"published"`
	Date           string       `json:"date"`
	OrgcID         Int          `json:"orgc_id"`
	OrgID          Int          `json:"org_id"`
}

// MarshalJSON writes the event-view shape, or the full one when Detail
// is set.
func (r *RelatedAttribute) MarshalJSON() ([]byte, error) {
	if d := r.Detail; d != nil {
		return json.Marshal(struct {
			ID             Int                   `json:"id"`
			EventID        Int                   `json:"event_id"`
			ObjectID       Int                   `json:"object_id"`
			ObjectRelation *string               `json:"object_relation"`
			Category       string                `json:"category"`
			Type           string                `json:"type"`
			Value          string                `json:"value"`
			UUID           string                `json:"uuid"`
			Timestamp      Int                   `json:"timestamp"`
			Distribution   Distribution          `json:"distribution"`
			SharingGroupID Int                   `json:"sharing_group_id"`
			ToIDS          Bool                  `json:"to_ids"`
			Comment        string                `json:"comment"`
			Event          RelatedAttributeEvent `json:"Event"`
		}{r.ID, r.EventID, d.ObjectID, d.ObjectRelation, d.Category, d.Type, d.Value, d.UUID, d.Timestamp,
			d.Distribution, d.SharingGroupID, d.ToIDS, d.Comment, d.Event})
	}
	return json.Marshal(struct {
		ID      Int    `json:"id"`
		Value   string `json:"value"`
		OrgID   Int    `json:"org_id"`
		Info    string `json:"info"`
		EventID Int    `json:"event_id"`
	}{r.ID, r.Value, r.OrgID, r.Info, r.EventID})
}

// CorrelationExclusion is a value, or a pattern of values, that never
// correlates (MISP's correlation_exclusions): "%x%" excludes the values
// containing x, "%x" those ending in x, "x%" those starting with x, and
// anything else that exact value. Matching is case-sensitive, and "%"
// inside the pattern is literal.
type CorrelationExclusion struct {
	ID       Int    `json:"id"`
	Value    string `json:"value"`
	FromJSON Bool   `json:"from_json"`
	Comment  string `json:"comment"`
}

// Validate trims and checks the exclusion.
func (x *CorrelationExclusion) Validate() error {
	v := &ValidationError{}
	x.Value = strings.TrimSpace(x.Value)
	switch {
	case x.Value == "":
		v.Add("value", "Value cannot be empty.")
	case len(x.Value) > MaxExclusionLength:
		v.Add("value", "Value is too long.")
	}
	return v.Err()
}

// ExclusionKind says how an exclusion matches.
type ExclusionKind int

// The exclusion kinds, as MISP reads a leading and a trailing "%".
const (
	ExclusionExact ExclusionKind = iota
	ExclusionPrefix
	ExclusionSuffix
	ExclusionSubstring
)

// ParseExclusion returns how the exclusion value matches and the text it
// matches with, as Correlation::__preventExcludedCorrelations reads it.
// "%" and "%%" leave an empty substring, which every value contains.
func ParseExclusion(value string) (ExclusionKind, string) {
	first := strings.HasPrefix(value, "%")
	last := strings.HasSuffix(value, "%")
	switch {
	case first && last && len(value) >= 2:
		return ExclusionSubstring, value[1 : len(value)-1]
	case first && last: // "%"
		return ExclusionSubstring, ""
	case first:
		return ExclusionSuffix, value[1:]
	case last:
		return ExclusionPrefix, value[:len(value)-1]
	}
	return ExclusionExact, value
}

// ExclusionMatches reports whether the exclusion value keeps v from
// correlating.
func ExclusionMatches(exclusion, v string) bool {
	kind, p := ParseExclusion(exclusion)
	switch kind {
	case ExclusionSubstring:
		return strings.Contains(v, p)
	case ExclusionSuffix:
		return strings.HasSuffix(v, p)
	case ExclusionPrefix:
		return strings.HasPrefix(v, p)
	}
	return v == p
}

// CorrelationExclusionFilter selects exclusions for the index
// (CorrelationExclusionsController::index): Value and Comment match
// exactly, or as LIKE patterns when they hold "%"; Quick matches either
// case-insensitively as a substring.
type CorrelationExclusionFilter struct {
	Value, Comment, Quick string
}

// TopCorrelation is a value of correlations/top: Count is the number of
// correlations (pairs of attributes in different events) it makes.
type TopCorrelation struct {
	Value string `json:"value"`
	// Count is a JSON number, as MISP's answer takes it from a Redis
	// sorted set's score.
	Count    int64 `json:"count"`
	Excluded bool  `json:"excluded"`
}

// OverCorrelatingValue is a value held by more attributes than the
// correlation limit: Occurrence is how many (counted when read).
type OverCorrelatingValue struct {
	Value      string `json:"value"`
	Occurrence Int    `json:"occurrence"`
}

// CorrelationProgress reports a rebuild: the attribute ids are processed
// up to LastID of MaxID (from MinID) in Batches transactions; Attributes
// of them correlate, on Values values in all.
type CorrelationProgress struct {
	MinID, LastID, MaxID int64
	Attributes, Values   int64
	Batches              int
}

// Fraction is how much of the rebuild is done, from 0 to 1.
func (p CorrelationProgress) Fraction() float64 {
	if p.MaxID <= p.MinID {
		return 1
	}
	return min(1, float64(p.LastID-p.MinID+1)/float64(p.MaxID-p.MinID+1))
}

// CorrelationStore manages the correlation engine. Correlations
// themselves are read with events (EventViewOptions) and attribute
// searches (StreamOptions); these methods are for site admins, who see
// every value: the caller checks the role.
type CorrelationStore interface {
	// RebuildCorrelations recomputes every attribute's correlation
	// values and then the over-correlating values, in batches of batch
	// attribute ids (0: a default of tens of thousands), each batch in
	// its own transaction, calling progress (when not nil) after each.
	// Writes may go on meanwhile: they keep their own attributes up to
	// date as always.
	RebuildCorrelations(ctx context.Context, batch int64, progress func(CorrelationProgress)) (CorrelationProgress, error)
	// CorrelationLimit returns the over-correlation cap.
	CorrelationLimit(ctx context.Context) (int, error)
	// SetCorrelationLimit stores the cap (ErrInvalid below 1) and
	// recounts the over-correlating values.
	SetCorrelationLimit(ctx context.Context, n int) error
	// AdvancedCorrelations reports whether CIDR correlation
	// (SettingAdvancedCorrelations) is on.
	AdvancedCorrelations(ctx context.Context) (bool, error)
	// SetAdvancedCorrelations switches CIDR correlation on or off and,
	// in the same transaction, computes every attribute's network and
	// address rows (on) or removes them (off). Writes concurrent with
	// the switch are kept in step.
	SetAdvancedCorrelations(ctx context.Context, on bool) error
	// TopCorrelations returns the values making the most correlations,
	// most first, limit per 1-based page.
	TopCorrelations(ctx context.Context, limit, page int) ([]*TopCorrelation, error)
	// FindOverCorrelatingValues returns the over-correlating values, by
	// occurrence, most first, limit per 1-based page.
	FindOverCorrelatingValues(ctx context.Context, limit, page int) ([]*OverCorrelatingValue, error)
	// FindCorrelationExclusions lists the exclusions by id.
	FindCorrelationExclusions(ctx context.Context, f CorrelationExclusionFilter) ([]*CorrelationExclusion, error)
	// FindCorrelationExclusionByID returns an exclusion. ErrNotFound.
	FindCorrelationExclusionByID(ctx context.Context, id int64) (*CorrelationExclusion, error)
	// CreateCorrelationExclusion adds a validated exclusion, setting its
	// id, and removes the correlations it excludes. ErrConflict if the
	// value is listed already.
	CreateCorrelationExclusion(ctx context.Context, x *CorrelationExclusion) error
	// UpdateCorrelationExclusion changes the comment of exclusion x.ID.
	// ErrNotFound.
	UpdateCorrelationExclusion(ctx context.Context, x *CorrelationExclusion) error
	// DeleteCorrelationExclusion removes an exclusion and correlates the
	// values it held back. ErrNotFound.
	DeleteCorrelationExclusion(ctx context.Context, id int64) error
	// CleanCorrelationExclusions removes every correlation an exclusion
	// forbids (MISP's correlation_exclusions/clean). Exclusions apply as
	// they are added, so this only repairs what a failed write left.
	CleanCorrelationExclusions(ctx context.Context) error
}
