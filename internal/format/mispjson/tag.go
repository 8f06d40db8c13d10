package mispjson

import (
	"encoding/json"

	"github.com/razmena/razmena/internal/misp"
)

// DecodeTag decodes a tags/add or tags/edit body: {"Tag": {...}} or the
// bare tag.
// For a partial edit, where absent keys matter, decode with DecodeWrapped
// into a struct of pointer fields instead.
func DecodeTag(body []byte) (*misp.Tag, error) {
	raw, _, err := envelope(body, "Tag")
	if err != nil {
		return nil, err
	}
	m, err := objectAt("Tag", "a Tag object", raw)
	if err != nil {
		return nil, err
	}
	t := &misp.Tag{}
	if err := decodeFields("Tag", m, t); err != nil {
		return nil, err
	}
	return t, nil
}

// decodeAttachedTags decodes the tags of an event or attribute: "Tag"
// followed by the join-row spelling alias ("EventTag" or "AttributeTag").
// It reports whether either key was present.
func decodeAttachedTags(path string, m map[string]json.RawMessage, alias string) ([]*misp.AttachedTag, bool, error) {
	var tags []*misp.AttachedTag
	present := false
	for _, key := range []string{"Tag", alias} {
		raw, ok := m[key]
		if !ok {
			continue
		}
		present = true
		items, err := oneOrMany(joinPath(path, key), raw)
		if err != nil {
			return nil, false, err
		}
		for i, item := range items {
			t, err := decodeAttachedTag(indexPath(joinPath(path, key), i), item)
			if err != nil {
				return nil, false, err
			}
			tags = append(tags, t)
		}
	}
	return tags, present, nil
}

// decodeAttachedTag decodes one tag of a Tag[] list: a tag object
// {"name": ...}, a join row {"local": ..., "Tag": {...}} (EventTag[],
// AttributeTag[], or a Tag[] item wrapped in its model), or a bare name.
func decodeAttachedTag(path string, raw json.RawMessage) (*misp.AttachedTag, error) {
	t := &misp.AttachedTag{}
	if kindOf(raw) == kindString {
		if err := json.Unmarshal(raw, &t.Name); err != nil {
			return nil, valueError(path, err)
		}
		return t, nil
	}
	m, err := objectAt(path, "a tag object or name", raw)
	if err != nil {
		return nil, err
	}
	inner, ok := m["Tag"]
	if !ok {
		if err := decodeFields(path, m, t); err != nil {
			return nil, err
		}
		return t, nil
	}
	innerPath := joinPath(path, "Tag")
	im, err := objectAt(innerPath, "a tag object", inner)
	if err != nil {
		return nil, err
	}
	if err := decodeFields(innerPath, im, t); err != nil {
		return nil, err
	}
	if _, ok := im["id"]; !ok {
		if raw, ok := m["tag_id"]; ok {
			if err := decodeValue(raw, &t.ID); err != nil {
				return nil, valueError(joinPath(path, "tag_id"), err)
			}
		}
	}
	// The row's attachment fields win over any copy inside the tag.
	row := make(map[string]json.RawMessage)
	for _, k := range [...]string{"local", "relationship_type", "deleted"} {
		if v, ok := m[k]; ok {
			row[k] = v
		}
	}
	if err := decodeFields(path, row, t); err != nil {
		return nil, err
	}
	return t, nil
}
