package mispjson

import (
	"encoding/json"
	"maps"

	"github.com/razmena/razmena/internal/misp"
)

// AttributeInput is one decoded attribute with the keys its JSON object
// held. Defaults (category, to_ids, distribution) belong to absent keys only:
//
//	a.Attribute.ApplyDefaults(a.Has("to_ids"))
//	if !a.Has("distribution") { a.Attribute.Distribution = defaultDist }
type AttributeInput struct {
	Attribute *misp.Attribute
	Fields
	// SharingGroup is the nested "SharingGroup" object, nil when absent.
	SharingGroup *SharingGroupInput
}

// DecodeAttributes decodes a POST /attributes/add body: one attribute
// ({...} or {"Attribute": {...}}), a list of them (bare or under
// "Attribute", items bare or wrapped), or an attribute whose "value" is a
// list, which stands for one attribute per value with the other fields
// shared. multi reports whether MISP answers with the list shape
// (AttributesAddView): true when the body held more than one attribute; a
// one-element list or value list answers the single shape
// (AttributeAddView), like a single attribute (misp-rest-api §3.2).
func DecodeAttributes(body []byte) (attrs []*AttributeInput, multi bool, err error) {
	raw, _, err := envelope(body, "Attribute")
	if err != nil {
		return nil, false, err
	}
	var items []json.RawMessage
	switch k := kindOf(raw); k {
	case kindObject:
		items = []json.RawMessage{raw}
	case kindList:
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false, valueError("Attribute", err)
		}
		if len(items) == 0 {
			return nil, false, inputErrorf("Attribute", "no attribute in the request")
		}
	default:
		return nil, false, inputErrorf("Attribute", "expected an Attribute object or a list of them, got %s", kindName(k))
	}
	for i, item := range items {
		path := "Attribute"
		if len(items) > 1 {
			path = indexPath(path, i)
		}
		m, err := objectAt(path, "an Attribute object", item)
		if err != nil {
			return nil, false, err
		}
		// Items of a list may be wrapped in their model too (an attribute
		// has no "Attribute" key of its own).
		if inner, ok := m["Attribute"]; ok {
			if m, err = objectAt(path, "an Attribute object", inner); err != nil {
				return nil, false, err
			}
		}
		raw, ok := m["value"]
		if !ok || kindOf(raw) != kindList {
			a, err := decodeAttribute(path, m, &misp.Attribute{})
			if err != nil {
				return nil, false, err
			}
			attrs = append(attrs, a)
			continue
		}
		var values []json.RawMessage
		if err := json.Unmarshal(raw, &values); err != nil {
			return nil, false, valueError(joinPath(path, "value"), err)
		}
		if len(values) == 0 {
			return nil, false, inputErrorf(joinPath(path, "value"), "empty list of values")
		}
		for j, v := range values {
			if k := kindOf(v); k != kindString && k != kindNumber {
				return nil, false, inputErrorf(indexPath(joinPath(path, "value"), j), "expected a string, got %s", kindName(k))
			}
			vm := maps.Clone(m)
			vm["value"] = v
			a, err := decodeAttribute(path, vm, &misp.Attribute{})
			if err != nil {
				return nil, false, err
			}
			attrs = append(attrs, a)
		}
	}
	return attrs, len(attrs) > 1, nil
}

// MergeAttribute decodes a POST /attributes/edit body ({"Attribute": {...}}
// or bare) onto a copy of stored: keys absent from the body keep their
// stored values; stored is not modified. Attribute.Tag holds only the tags
// of the body (to attach, or to detach when "deleted": true); the stored
// tags are not carried over. Use Has("timestamp") for the newer-wins check.
func MergeAttribute(stored *misp.Attribute, body []byte) (*AttributeInput, error) {
	raw, _, err := envelope(body, "Attribute")
	if err != nil {
		return nil, err
	}
	m, err := objectAt("Attribute", "an Attribute object", raw)
	if err != nil {
		return nil, err
	}
	return decodeAttribute("Attribute", m, copyAttribute(stored))
}

// copyAttribute returns a copy of a's own fields, sharing no memory with a,
// without tags.
func copyAttribute(a *misp.Attribute) *misp.Attribute {
	c := *a
	c.Tag = nil
	c.ObjectRelation = clonePtr(a.ObjectRelation)
	c.FirstSeen, c.LastSeen = clonePtr(a.FirstSeen), clonePtr(a.LastSeen)
	return &c
}

// decodeAttributeObject decodes one attribute of an Attribute[] list.
// decodeAttributeList decodes the Attribute list (or single attribute) at
// path, returning the inputs and, in the same order, their attributes.
func decodeAttributeList(path string, raw json.RawMessage) ([]*AttributeInput, []*misp.Attribute, error) {
	items, err := oneOrMany(path, raw)
	if err != nil {
		return nil, nil, err
	}
	var (
		ins   []*AttributeInput
		attrs []*misp.Attribute
	)
	for i, item := range items {
		a, err := decodeAttributeObject(indexPath(path, i), item)
		if err != nil {
			return nil, nil, err
		}
		ins = append(ins, a)
		attrs = append(attrs, a.Attribute)
	}
	return ins, attrs, nil
}

func decodeAttributeObject(path string, raw json.RawMessage) (*AttributeInput, error) {
	m, err := objectAt(path, "an Attribute object", raw)
	if err != nil {
		return nil, err
	}
	return decodeAttribute(path, m, &misp.Attribute{})
}

// decodeAttribute decodes the keys of m onto a.
func decodeAttribute(path string, m map[string]json.RawMessage, a *misp.Attribute) (*AttributeInput, error) {
	in := &AttributeInput{Attribute: a, Fields: fieldsOf(m)}
	if err := decodeFields(path, m, a); err != nil {
		return nil, err
	}
	sg, err := nestedSharingGroup(path, m)
	if err != nil {
		return nil, err
	}
	in.SharingGroup = sg
	// MISP stores value1/value2 and builds value from them when value is
	// empty (misp-core-format §11.2 step 1); add responses carry them.
	if raw1, ok := m["value1"]; ok && (!in.Has("value") || a.Value == "") {
		var v1, v2 string
		if err := decodeValue(raw1, &v1); err != nil {
			return nil, valueError(joinPath(path, "value1"), err)
		}
		if raw2, ok := m["value2"]; ok {
			if err := decodeValue(raw2, &v2); err != nil {
				return nil, valueError(joinPath(path, "value2"), err)
			}
		}
		a.Value = v1
		if v2 != "" {
			a.Value += "|" + v2
		}
		in.Fields["value"] = true
	}
	if err := checkSeen(path, a.FirstSeen, a.LastSeen); err != nil {
		return nil, err
	}
	tags, ok, err := decodeAttachedTags(path, m, "AttributeTag")
	if err != nil {
		return nil, err
	}
	if ok {
		a.Tag = tags
		in.Fields["Tag"] = true
	}
	return in, nil
}
