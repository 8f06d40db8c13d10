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
	Event     *searchEvent  `json:"Event,omitempty"`
	Object    *searchObject `json:"Object,omitempty"`
	Tag       []searchTag   `json:"Tag,omitempty"`
}

// SearchAttribute returns one element of the attributes/restSearch JSON
// answer ({"response": {"Attribute": [...]}}): the attribute with an
// Event summary, an Object summary for object attributes, its Tag[]
// (omitted when empty) followed, with eventTags, by the event's tags
// marked "inherited": 1, and with eventUUID the event's uuid.
func SearchAttribute(h misp.AttributeHit, eventTags, eventUUID bool) any {
	out := searchAttribute{attributeFields: attributeFields(*h.Attribute)}
	if e := h.Event; e != nil {
		out.Event = &searchEvent{OrgID: e.OrgID, Distribution: e.Distribution, ID: e.ID, Info: e.Info, OrgcID: e.OrgcID, UUID: e.UUID}
		if eventUUID {
			out.EventUUID = e.UUID
		}
	}
	if o := h.Object; o != nil {
		out.Object = &searchObject{ID: o.ID, Distribution: o.Distribution, SharingGroupID: o.SharingGroupID}
	}
	for _, t := range h.Attribute.Tag {
		out.Tag = append(out.Tag, searchTag{AttachedTag: t})
	}
	if eventTags && h.Event != nil {
		one := 1
		for _, t := range h.Event.Tag {
			out.Tag = append(out.Tag, searchTag{AttachedTag: t, Inherited: &one})
		}
	}
	return out
}
