package mispjson

import (
	"encoding/json"
	"maps"

	"github.com/razmena/razmena/internal/misp"
)

// ObjectInput is one decoded object with the keys its JSON object held
// (e.g. Has("distribution")), and its attributes with theirs:
// Attributes[i].Attribute == Object.Attribute[i].
type ObjectInput struct {
	Object *misp.Object
	Fields
	Attributes []*AttributeInput
	// SharingGroup is the nested "SharingGroup" object, nil when absent.
	SharingGroup *SharingGroupInput
}

// DecodeObject decodes a POST /objects/add body: {"Object": {...}} with
// its "Attribute" list inside the object or beside it at the top level
// (used only when the object has none), or the bare object.
func DecodeObject(body []byte) (*ObjectInput, error) {
	m, err := objectBody(body)
	if err != nil {
		return nil, err
	}
	return decodeObject("Object", m, &misp.Object{})
}

// MergeObject decodes a POST /objects/edit body onto a copy of stored, as
// MergeAttribute does: keys absent from the body keep their stored values,
// and Object.Attribute and Object.ObjectReference hold only the elements of
// the body, to be merged by UUID (or object_relation) by the caller.
func MergeObject(stored *misp.Object, body []byte) (*ObjectInput, error) {
	m, err := objectBody(body)
	if err != nil {
		return nil, err
	}
	c := *stored
	c.Attribute, c.ObjectReference = nil, nil
	c.FirstSeen, c.LastSeen = clonePtr(stored.FirstSeen), clonePtr(stored.LastSeen)
	return decodeObject("Object", m, &c)
}

// DecodeObjectReference decodes a POST /objectReferences/add body: the
// bare reference (what PyMISP sends) or {"ObjectReference": {...}}. The
// source object is object_uuid (or its alias source_uuid); for a wrapped
// body a top-level object_uuid beside "ObjectReference" takes precedence,
// since that is the only place MISP reads it from.
func DecodeObjectReference(body []byte) (*misp.ObjectReference, error) {
	raw, outer, err := envelope(body, "ObjectReference")
	if err != nil {
		return nil, err
	}
	r, err := decodeReference("ObjectReference", raw)
	if err != nil {
		return nil, err
	}
	if raw, ok := outer["object_uuid"]; ok {
		var s string
		if err := decodeValue(raw, &s); err != nil {
			return nil, valueError("object_uuid", err)
		}
		if s != "" {
			r.ObjectUUID = s
		}
	}
	return r, nil
}

// objectBody unwraps an objects/add or objects/edit body, moving an
// "Attribute" list found beside "Object" into the object.
func objectBody(body []byte) (map[string]json.RawMessage, error) {
	raw, outer, err := envelope(body, "Object")
	if err != nil {
		return nil, err
	}
	m, err := objectAt("Object", "an Object object", raw)
	if err != nil {
		return nil, err
	}
	if _, ok := m["Attribute"]; !ok && outer != nil {
		if attrs, ok := outer["Attribute"]; ok {
			m = maps.Clone(m)
			m["Attribute"] = attrs
		}
	}
	return m, nil
}

// decodeObject decodes the keys of m onto o.
func decodeObject(path string, m map[string]json.RawMessage, o *misp.Object) (*ObjectInput, error) {
	in := &ObjectInput{Object: o, Fields: fieldsOf(m)}
	if err := decodeFields(path, m, o); err != nil {
		return nil, err
	}
	sg, err := nestedSharingGroup(path, m)
	if err != nil {
		return nil, err
	}
	in.SharingGroup = sg
	if err := checkSeen(path, o.FirstSeen, o.LastSeen); err != nil {
		return nil, err
	}
	if in.Attributes, o.Attribute, err = decodeAttributeList(joinPath(path, "Attribute"), m["Attribute"]); err != nil {
		return nil, err
	}
	refPath := joinPath(path, "ObjectReference")
	items, err := oneOrMany(refPath, m["ObjectReference"])
	if err != nil {
		return nil, err
	}
	for i, item := range items {
		r, err := decodeReference(indexPath(refPath, i), item)
		if err != nil {
			return nil, err
		}
		o.ObjectReference = append(o.ObjectReference, r)
	}
	return in, nil
}

// decodeReference decodes one object reference. MISP names the source
// object source_uuid or object_uuid; both end up in ObjectUUID.
func decodeReference(path string, raw json.RawMessage) (*misp.ObjectReference, error) {
	m, err := objectAt(path, "an ObjectReference object", raw)
	if err != nil {
		return nil, err
	}
	r := &misp.ObjectReference{}
	if err := decodeFields(path, m, r); err != nil {
		return nil, err
	}
	if r.ObjectUUID == "" {
		r.ObjectUUID = r.SourceUUID
	}
	return r, nil
}
