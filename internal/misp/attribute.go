package misp

import (
	"context"
	"strings"
	"unicode/utf8"
)

// MaxValueLength is the largest attribute value or comment, in bytes.
const MaxValueLength = 65535

// Attribute is one indicator or piece of information in an event.
type Attribute struct {
	ID                 Int          `json:"id"`
	Type               string       `json:"type"`
	Category           string       `json:"category"`
	ToIDS              Bool         `json:"to_ids"`
	UUID               string       `json:"uuid"`
	EventID            Int          `json:"event_id"`
	Distribution       Distribution `json:"distribution"`
	Timestamp          Int          `json:"timestamp"`
	Comment            string       `json:"comment"`
	SharingGroupID     Int          `json:"sharing_group_id"`
	Deleted            Bool         `json:"deleted"`
	DisableCorrelation Bool         `json:"disable_correlation"`
	ObjectID           Int          `json:"object_id"`
	ObjectRelation     *string      `json:"object_relation"`
	FirstSeen          *MicroTime   `json:"first_seen"`
	LastSeen           *MicroTime   `json:"last_seen"`
	Value              string       `json:"value"`
	// Data is the base64 content of attachment and malware-sample attributes.
	Data string         `json:"data,omitempty"`
	Tag  []*AttachedTag `json:"Tag,omitempty"`
	// SharingGroup is as Event.SharingGroup, for distribution 4.
	SharingGroup *SharingGroup `json:"SharingGroup,omitempty"`
	// RelatedAttribute lists the attribute's correlations, when asked
	// for (EventViewOptions.GranularCorrelations,
	// StreamOptions.Correlations); stores ignore it on writes.
	RelatedAttribute []*RelatedAttribute `json:"RelatedAttribute,omitempty"`
	// Galaxy lists the galaxy clusters attached to the attribute by its
	// tags, as event views show them; stores leave it nil and ignore it.
	// The event views emit it, [] when nil, as MISP puts a Galaxy list on
	// every attribute of an event (Event::__attachGalaxies); other
	// attribute answers have none.
	Galaxy []*EventGalaxy `json:"-"`
	// Warnings lists the enabled warninglists the value is on, as event
	// views show them; stores leave it nil and ignore it.
	Warnings []*WarninglistHit `json:"warnings,omitempty"`
}

// Split returns value1 and value2 as MISP stores them: the two halves of a
// composite value, or the value and "".
func (a *Attribute) Split() (string, string) {
	if IsCompositeType(a.Type) {
		if i := strings.IndexByte(a.Value, '|'); i >= 0 {
			return a.Value[:i], a.Value[i+1:]
		}
	}
	return a.Value, ""
}

// ApplyDefaults fills what a new attribute takes from its type when the
// request did not say: the category, and to_ids when toIDSGiven is false.
func (a *Attribute) ApplyDefaults(toIDSGiven bool) {
	t, ok := LookupType(a.Type)
	if !ok {
		return
	}
	if a.Category == "" {
		a.Category = t.DefaultCategory
	}
	if !toIDSGiven {
		a.ToIDS = Bool(t.ToIDS)
	}
}

// Validate normalises the value for its type and checks every field, as
// MispAttribute::beforeValidate and AttributeValidationTool do.
func (a *Attribute) Validate() error {
	v := &ValidationError{}
	a.Type = strings.TrimSpace(a.Type)
	a.Category = strings.TrimSpace(a.Category)
	if _, ok := LookupType(a.Type); !ok {
		if a.Type == "" {
			v.Add("type", "The type field is required.")
		} else {
			v.Add("type", "Options depend on the selected category.")
		}
		return v
	}
	if !CategoryAllows(a.Category, a.Type) {
		v.Add("category", "Options depend on the selected type.")
	}
	if a.UUID != "" {
		a.UUID = NormalizeUUID(a.UUID)
		if !IsUUID(a.UUID) {
			v.Add("uuid", "Please provide a valid RFC 4122 UUID")
		}
	}
	val, err := NormalizeValue(a.Type, a.Value)
	if err != nil {
		v.Add("value", err.Error())
	} else {
		a.Value = val
	}
	if len(a.Value) > MaxValueLength {
		v.Add("value", "The value is too long (max 65535 bytes).")
	}
	if !utf8.ValidString(a.Comment) {
		a.Comment = strings.ToValidUTF8(a.Comment, "?")
	}
	if len(a.Comment) > MaxValueLength {
		v.Add("comment", "The comment is too long (max 65535 bytes).")
	}
	if a.Distribution < DistributionOrgOnly || a.Distribution > DistributionInheritEvnt {
		v.Add("distribution", "Options: 0, 1, 2, 3, 4, 5")
	}
	if a.Distribution == DistributionSharingGrp && a.SharingGroupID <= 0 {
		v.Add("sharing_group_id", "If the distribution is set to \"Sharing Group\", a sharing group has to be selected.")
	}
	if a.Distribution != DistributionSharingGrp {
		a.SharingGroupID = 0
	}
	if a.FirstSeen != nil && a.LastSeen != nil && *a.LastSeen < *a.FirstSeen {
		v.Add("last_seen", "Last seen value should be greater than first seen value")
	}
	if IsAttachmentType(a.Type) && a.Data != "" && !isBase64(a.Data) {
		v.Add("data", "The attachment data must be base64.")
	}
	return v.Err()
}

func isBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
			c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r') {
			return false
		}
	}
	return true
}

// AttributeFilter selects attributes for the attribute index.
type AttributeFilter struct {
	EventID int64
	Deleted DeletedFilter
	Limit   int
	Page    int // 1-based; 0 = first
}

// AttributeStore persists attributes. Visibility of the event and of the
// attribute itself applies to every method (ErrNotFound otherwise).
type AttributeStore interface {
	// CreateAttribute adds a validated attribute to a standalone position
	// in the event (or to attr.ObjectID's object), unpublishing the event
	// and bumping its timestamp, in one transaction. Tags in attr.Tag are
	// attached (created if createTags). A non-deleted standalone attribute
	// with the same type, category and value (case-insensitive) gives a
	// ValidationError "A similar attribute already exists for this event."
	CreateAttribute(ctx context.Context, actor *Actor, eventID int64, attr *Attribute, createTags bool) error
	// FindAttributeByID returns an attribute with its tags. Deleted
	// attributes are returned only when deleted is true.
	FindAttributeByID(ctx context.Context, actor *Actor, id int64, deleted bool) (*Attribute, error)
	// FindAttributeByUUID is FindAttributeByID by UUID.
	FindAttributeByUUID(ctx context.Context, actor *Actor, uuid string, deleted bool) (*Attribute, error)
	// FindAttributes lists attributes ordered by id.
	FindAttributes(ctx context.Context, actor *Actor, f AttributeFilter) ([]*Attribute, error)
	// UpdateAttribute replaces the stored attribute attr.ID with attr
	// (already merged and validated by the caller) and merges the tags in
	// attr.Tag, in one transaction, unpublishing the event and bumping its
	// timestamp. Tags are merged as in a MISP attribute edit: each entry
	// is attached if missing (with its local and relationship_type), or
	// detached if Deleted; attached tags not listed are kept. An unknown
	// name is created if createTags, otherwise skipped; a tag that cannot
	// be created fails the whole edit. The caller has dropped the tags
	// the actor may not use (Actor.CanUseTag). ErrNotNewer if
	// attr.Timestamp is set and not newer than the stored one.
	UpdateAttribute(ctx context.Context, actor *Actor, attr *Attribute, createTags bool) error
	// DeleteAttribute soft-deletes (deleted=true, timestamp=now) or
	// hard-deletes an attribute, unpublishing the event. References that
	// point at it are marked deleted.
	DeleteAttribute(ctx context.Context, actor *Actor, id int64, hard bool) error
	// RestoreAttribute undeletes a soft-deleted attribute.
	RestoreAttribute(ctx context.Context, actor *Actor, id int64) error
}
