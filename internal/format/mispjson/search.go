package mispjson

import "github.com/razmena/razmena/internal/misp"

// searchEvent is the event summary attributes/restSearch attaches to each
// attribute.
type searchEvent struct {
	OrgID        misp.Int          `json:"org_id"`
	Distribution misp.Distribution `json:"distribution"`
	ID           misp.Int          `json:"id"`
	Info         string            `json:"info"`
	OrgcID       misp.Int          `json:"orgc_id"`
	UUID         string            `json:"uuid"`
}

// contextEvent is the event of an attribute with includeContext
// (MispAttribute::__fetchEventsForAttributeContext): the event's own
// fields, its tags and its creator organisation.
type contextEvent struct {
	ID               misp.Int          `json:"id"`
	OrgcID           misp.Int          `json:"orgc_id"`
	OrgID            misp.Int          `json:"org_id"`
	Date             string            `json:"date"`
	ThreatLevelID    misp.ThreatLevel  `json:"threat_level_id"`
	Info             string            `json:"info"`
	Published        misp.Bool         `json:"published"`
	UUID             string            `json:"uuid"`
	Analysis         misp.Analysis     `json:"analysis"`
	Timestamp        misp.Int          `json:"timestamp"`
	Distribution     misp.Distribution `json:"distribution"`
	PublishTimestamp misp.Int          `json:"publish_timestamp"`
	SharingGroupID   misp.Int          `json:"sharing_group_id"`
	ExtendsUUID      string            `json:"extends_uuid"`
	Tag              []contextTag      `json:"Tag"`
	Orgc             *misp.OrgRef      `json:"Orgc"`
}

// contextTag is an event tag of a contextEvent.
type contextTag struct {
	Local          misp.Bool `json:"local"`
	ID             misp.Int  `json:"id"`
	Name           string    `json:"name"`
	Colour         string    `json:"colour"`
	NumericalValue *misp.Int `json:"numerical_value"`
}

func newContextEvent(e *misp.Event) *contextEvent {
	c := &contextEvent{ID: e.ID, OrgcID: e.OrgcID, OrgID: e.OrgID, Date: e.Date, ThreatLevelID: e.ThreatLevelID,
		Info: e.Info, Published: e.Published, UUID: e.UUID, Analysis: e.Analysis, Timestamp: e.Timestamp,
		Distribution: e.Distribution, PublishTimestamp: e.PublishTimestamp, SharingGroupID: e.SharingGroupID,
		ExtendsUUID: e.ExtendsUUID, Tag: []contextTag{}, Orgc: e.Orgc}
	for _, t := range e.Tag {
		c.Tag = append(c.Tag, contextTag{Local: t.Local, ID: t.ID, Name: t.Name, Colour: t.Colour, NumericalValue: t.NumericalValue})
	}
	return c
}

// searchObject is the object summary of an object attribute.
type searchObject struct {
	ID             misp.Int          `json:"id"`
	Distribution   misp.Distribution `json:"distribution"`
	SharingGroupID misp.Int          `json:"sharing_group_id"`
}

// searchTag is a tag of a searched attribute; Inherited marks an event
// tag copied onto the attribute (includeEventTags).
type searchTag struct {
	*misp.AttachedTag
	Inherited *int `json:"inherited,omitempty"`
}

type searchAttribute struct {
	attributeFields
	EventUUID string        `json:"event_uuid,omitempty"`
	Event     any           `json:"Event,omitempty"`
	Object    *searchObject `json:"Object,omitempty"`
	Tag       []searchTag   `json:"Tag,omitempty"`
}

// SearchOptions are the restSearch options that shape an attribute of
// the attributes/restSearch JSON answer.
type SearchOptions struct {
	// EventTags appends the event's tags to the attribute's Tag[],
	// marked "inherited": 1 (includeEventTags).
	EventTags bool
	// EventUUID adds the event's uuid as event_uuid (includeEventUuid).
	EventUUID bool
	// Context replaces the Event summary with the event's fields, Tag[]
	// and Orgc (includeContext); the hit's event must carry its tags.
	Context bool
}

// SearchAttribute returns one element of the attributes/restSearch JSON
// answer ({"response": {"Attribute": [...]}}): the attribute with an
// Event summary (its context with o.Context), an Object summary for
// object attributes, its Tag[] (omitted when empty) followed, with
// o.EventTags, by the event's tags marked "inherited": 1, and with
// o.EventUUID the event's uuid.
func SearchAttribute(h misp.AttributeHit, o SearchOptions) any {
	out := searchAttribute{attributeFields: attributeFields(*h.Attribute)}
	if e := h.Event; e != nil {
		if o.Context {
			out.Event = newContextEvent(e)
		} else {
			out.Event = &searchEvent{OrgID: e.OrgID, Distribution: e.Distribution, ID: e.ID, Info: e.Info, OrgcID: e.OrgcID, UUID: e.UUID}
		}
		if o.EventUUID {
			out.EventUUID = e.UUID
		}
	}
	if o := h.Object; o != nil {
		out.Object = &searchObject{ID: o.ID, Distribution: o.Distribution, SharingGroupID: o.SharingGroupID}
	}
	for _, t := range h.Attribute.Tag {
		out.Tag = append(out.Tag, searchTag{AttachedTag: t})
	}
	if o.EventTags && h.Event != nil {
		one := 1
		for _, t := range h.Event.Tag {
			out.Tag = append(out.Tag, searchTag{AttachedTag: t, Inherited: &one})
		}
	}
	return out
}
