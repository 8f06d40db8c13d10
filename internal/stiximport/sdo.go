package stiximport

import (
	"encoding/json"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// vulnerability converts a vulnerability to a vulnerability attribute
// whose value is its CVE id (an external reference with source_name "cve"),
// else its name.
func (c *converter) vulnerability(v object) {
	value := ""
	if refs, ok := v["external_references"].([]any); ok {
		for _, r := range refs {
			m, _ := r.(map[string]any)
			src, _ := m["source_name"].(string)
			ext, _ := m["external_id"].(string)
			if ext != "" && (strings.EqualFold(src, "cve") || strings.EqualFold(src, "vulnerability")) {
				value = ext
				break
			}
		}
	}
	if value == "" {
		value = v.str("name")
	}
	if strings.TrimSpace(value) == "" {
		c.warn(v.str("id"), "vulnerability without a name left out")
		return
	}
	h := hintsOf(v)
	el := element{src: v, comment: v.str("description"), category: h.category}
	if c.addAttribute(el, &misp.Attribute{Type: "vulnerability", Value: value, UUID: c.claim(v.uuid())}) {
		c.converted++
	}
}

// galaxy converts an SDO that MISP imports as a galaxy cluster (malware,
// threat-actor, attack-pattern, …) to an event tag: the misp-galaxy tag
// name misp-stix gives the cluster when galaxies are imported as tags
// (misp-galaxy:<type>="<name>"), or, for an SDO MISP exported, its
// cluster's own tag. With a misp:type hint (a campaign-name or
// threat-actor attribute exported by MISP) it becomes that attribute.
func (c *converter) galaxy(obj object) {
	id := obj.str("id")
	name := strings.TrimSpace(obj.str("name"))
	if name == "" {
		c.warn(id, "%s without a name left out", obj.str("type"))
		return
	}
	h := hintsOf(obj)
	if h.typ != "" {
		el := element{src: obj, comment: obj.str("description"), category: h.category}
		if c.addAttribute(el, &misp.Attribute{Type: h.typ, Value: name, UUID: c.claim(obj.uuid())}) {
			c.converted++
		}
		return
	}
	tag := ""
	for _, l := range obj.strs("labels") {
		if strings.HasPrefix(l, "misp-galaxy:") {
			tag = l
			break
		}
	}
	if tag == "" {
		typ := obj.str("type")
		if h.galaxyType != "" {
			typ = h.galaxyType
		}
		tag = "misp-galaxy:" + typ + `="` + strings.ReplaceAll(name, `"`, `'`) + `"`
	}
	if (&misp.Tag{Name: tag}).Validate() != nil {
		c.warn(id, "tag %q left out: not a valid tag name", truncate(tag))
		return
	}
	c.eventTags.add(tag)
	c.converted++
}

// customAttribute converts misp-stix's x-misp-attribute, which carries a
// MISP attribute of a type STIX has no object for, back to it.
func (c *converter) customAttribute(obj object) {
	el := element{src: obj, category: obj.str("x_misp_category")}
	if b, ok := boolValue(obj["x_misp_to_ids"]); ok {
		el.toIDS = b
	}
	el.first, el.last = microTime(obj.str("x_misp_first_seen")), microTime(obj.str("x_misp_last_seen"))
	a := &misp.Attribute{
		Type: obj.str("x_misp_type"), Value: obj.str("x_misp_value"), Comment: obj.str("x_misp_comment"),
		Data: obj.str("x_misp_data"), UUID: c.claim(obj.uuid()),
	}
	if a.Type == "" {
		c.warn(obj.str("id"), "x-misp-attribute without x_misp_type left out")
		return
	}
	if c.addAttribute(el, a) {
		c.converted++
	}
}

// customObject converts misp-stix's x-misp-object back to the MISP
// object: x_misp_name, x_misp_meta_category, x_misp_comment and the
// attributes in x_misp_attributes.
func (c *converter) customObject(obj object) {
	id := obj.str("id")
	name := obj.str("x_misp_name")
	if name == "" {
		c.warn(id, "x-misp-object without x_misp_name left out")
		return
	}
	el := element{src: obj, comment: obj.str("x_misp_comment"),
		first: microTime(obj.str("x_misp_first_seen")), last: microTime(obj.str("x_misp_last_seen"))}
	o := &misp.Object{Name: name, MetaCategory: obj.str("x_misp_meta_category"), UUID: c.claim(obj.uuid())}
	list, _ := obj["x_misp_attributes"].([]any)
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		ao := object(m)
		rel := ao.str("object_relation")
		value := ao.str("value")
		if n, ok := m["value"].(json.Number); ok {
			value = n.String()
		}
		u := ao.str("uuid")
		if u == "" {
			u = uuid5(id + " - " + rel + " - " + value)
		}
		a := &misp.Attribute{
			Type: ao.str("type"), Value: value, Category: ao.str("category"), Comment: ao.str("comment"),
			Data: ao.str("data"), ObjectRelation: &rel, UUID: c.claim(u),
		}
		if b, ok := boolValue(m["to_ids"]); ok {
			a.ToIDS = misp.Bool(b)
		}
		if a.Category != "" && !misp.CategoryAllows(a.Category, a.Type) {
			a.Category = ""
		}
		if rel == "" {
			c.warn(id, "x-misp-object attribute %d without object_relation left out", i)
			continue
		}
		o.Attribute = append(o.Attribute, a)
	}
	// Each attribute keeps its own to_ids: prepare sets el.toIDS, so it
	// is applied per attribute after the fact.
	toIDS := make([]misp.Bool, len(o.Attribute))
	for i, a := range o.Attribute {
		toIDS[i] = a.ToIDS
	}
	if c.addCustomObject(el, o, toIDS) {
		c.converted++
	}
}

// addCustomObject is addObject keeping each attribute's own to_ids.
func (c *converter) addCustomObject(el element, o *misp.Object, toIDS []misp.Bool) bool {
	byUUID := make(map[string]misp.Bool, len(o.Attribute))
	for i, a := range o.Attribute {
		byUUID[a.UUID] = toIDS[i]
	}
	if !c.addObject(el, o) {
		return false
	}
	for _, a := range o.Attribute {
		a.ToIDS = byUUID[a.UUID]
	}
	return true
}

// boolValue reads a JSON boolean, or "true"/"false"/"1"/"0".
func boolValue(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		b, err := misp.ParseBool(v)
		return b, err == nil
	case json.Number:
		return v.String() != "0", true
	}
	return false, false
}
