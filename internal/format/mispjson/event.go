package mispjson

import (
	"encoding/json"

	"github.com/razmena/razmena/internal/misp"
)

// EventInput is a decoded event with the keys its JSON object held, so that
// the caller applies defaults (distribution, threat_level_id, analysis,
// published, timestamp, date, ...) to absent keys only. Attributes and
// Objects carry the same for each child: Attributes[i].Attribute ==
// Event.Attribute[i] and Objects[i].Object == Event.Object[i].
//
// Event.Orgc is set when the body named the creator org ("Orgc" or "orgc",
// an object {id?, name, uuid} or a bare name; Has("Orgc") for either);
// OrgcName and OrgcUUID repeat its name and uuid for the capture rule
// (misp-core-format §1: by uuid when given, else by name). The owner "Org"
// is not read: the server sets it.
//
// SharingGroup is the nested "SharingGroup" object a MISP peer sends with
// a distribution-4 event (nil when absent); the same holds for
// AttributeInput and ObjectInput.
type EventInput struct {
	Event *misp.Event
	Fields
	OrgcName     string
	OrgcUUID     string
	SharingGroup *SharingGroupInput
	Attributes   []*AttributeInput
	Objects      []*ObjectInput
}

// DecodeEvent decodes a POST /events/add body (misp-core-format §0.1): the
// event wrapped ({"Event": {...}}) or bare, possibly inside {"request": ...}
// or {"response": ...} and a one-element list. Tags come as Tag[] or
// EventTag[] (and AttributeTag[] on attributes), a single object stands for
// a one-element list, attributes may sit in objects, and references may
// name their source object source_uuid or object_uuid.
func DecodeEvent(body []byte) (*EventInput, error) {
	m, err := eventBody(body)
	if err != nil {
		return nil, err
	}
	return decodeEvent(m, &misp.Event{})
}

// MergeEvent decodes a POST /events/edit body onto a copy of stored's own
// fields (misp-core-format §1.2): fields absent from the body keep their
// stored values, except published, which is false unless the body says
// true. stored is not modified. Event.Attribute, Event.Object and
// Event.Tag hold only the body's children, which the store merges by UUID
// (tags with "deleted": true are detached). Use Has("timestamp") for the
// newer-wins check and Has("uuid") to find the event actually edited.
func MergeEvent(stored *misp.Event, body []byte) (*EventInput, error) {
	m, err := eventBody(body)
	if err != nil {
		return nil, err
	}
	c := *stored
	c.Attribute, c.Object, c.Tag = nil, nil, nil
	c.Protected, c.Org, c.Orgc = clonePtr(stored.Protected), clonePtr(stored.Org), clonePtr(stored.Orgc)
	in, err := decodeEvent(m, &c)
	if err != nil {
		return nil, err
	}
	if !in.Has("published") {
		c.Published = false
	}
	return in, nil
}

func eventBody(body []byte) (map[string]json.RawMessage, error) {
	raw, _, err := envelope(body, "Event")
	if err != nil {
		return nil, err
	}
	return objectAt("Event", "an Event object", raw)
}

// decodeEvent decodes the keys of m onto e.
func decodeEvent(m map[string]json.RawMessage, e *misp.Event) (*EventInput, error) {
	const path = "Event"
	in := &EventInput{Event: e, Fields: fieldsOf(m)}
	if err := decodeFields(path, m, e); err != nil {
		return nil, err
	}
	sg, err := nestedSharingGroup(path, m)
	if err != nil {
		return nil, err
	}
	in.SharingGroup = sg

	key := "Orgc"
	raw, ok := m[key]
	if !ok {
		key = "orgc"
		raw, ok = m[key]
	}
	if ok {
		org, err := decodeOrgRef(joinPath(path, key), raw)
		if err != nil {
			return nil, err
		}
		e.Orgc = org
		if org != nil {
			in.OrgcName, in.OrgcUUID = org.Name, org.UUID
		}
		in.Fields["Orgc"] = true
	}

	tags, ok, err := decodeAttachedTags(path, m, "EventTag")
	if err != nil {
		return nil, err
	}
	if ok {
		e.Tag = tags
		in.Fields["Tag"] = true
	}

	if in.Attributes, e.Attribute, err = decodeAttributeList(joinPath(path, "Attribute"), m["Attribute"]); err != nil {
		return nil, err
	}

	objPath := joinPath(path, "Object")
	items, err := oneOrMany(objPath, m["Object"])
	if err != nil {
		return nil, err
	}
	for i, item := range items {
		p := indexPath(objPath, i)
		om, err := objectAt(p, "an Object object", item)
		if err != nil {
			return nil, err
		}
		o, err := decodeObject(p, om, &misp.Object{})
		if err != nil {
			return nil, err
		}
		in.Objects = append(in.Objects, o)
		e.Object = append(e.Object, o.Object)
	}
	return in, nil
}

// decodeOrgRef decodes an organisation given as {id?, name, uuid, local?}
// or as a bare name. null gives nil.
func decodeOrgRef(path string, raw json.RawMessage) (*misp.OrgRef, error) {
	switch k := kindOf(raw); k {
	case kindNull:
		return nil, nil
	case kindString:
		org := &misp.OrgRef{}
		if err := json.Unmarshal(raw, &org.Name); err != nil {
			return nil, valueError(path, err)
		}
		return org, nil
	case kindObject:
		m, err := objectAt(path, "an organisation", raw)
		if err != nil {
			return nil, err
		}
		org := &misp.OrgRef{}
		if err := decodeFields(path, m, org); err != nil {
			return nil, err
		}
		return org, nil
	default:
		return nil, inputErrorf(path, "expected an organisation object or name, got %s", kindName(k))
	}
}
