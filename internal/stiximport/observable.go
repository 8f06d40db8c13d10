package stiximport

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// This file converts observed data and STIX Cyber-observable objects:
// each SCO is read as the comparisons an equality pattern on all its
// properties would make ("file:hashes.MD5 = '…'", "network-traffic:
// dst_ref.value = '…'"), so that observables and indicators share one
// mapping; the result has to_ids false.

// skipProps are SCO properties that carry no MISP value.
var skipProps = map[string]bool{
	"type": true, "id": true, "spec_version": true, "object_marking_refs": true,
	"granular_markings": true, "defanged": true, "created_by_ref": true,
}

// Bounds on one SCO: nesting and reference chains, and the comparisons
// it may yield (references shared by many properties could otherwise
// multiply them).
const (
	maxFlattenDepth  = 6
	maxSCOComparison = 1000
)

// flatten returns the comparisons of an SCO. References (…_ref, …_refs)
// are followed with resolve, once per chain, and contribute the
// referenced object's properties under the reference's name
// ("dst_ref.value").
func flatten(sco map[string]any, resolve func(string) map[string]any) []comparison {
	typ, _ := sco["type"].(string)
	var out []comparison
	onPath := map[string]bool{}
	var walk func(path []string, v any, depth int)
	walk = func(path []string, v any, depth int) {
		if depth > maxFlattenDepth || len(out) >= maxSCOComparison {
			return
		}
		last := path[len(path)-1]
		switch v := v.(type) {
		case string:
			if strings.HasSuffix(last, "_ref") || (last == "[*]" && len(path) > 1 && strings.HasSuffix(path[len(path)-2], "_refs")) {
				if target := resolve(v); target != nil && !onPath[v] {
					onPath[v] = true
					for _, k := range sortedKeys(target) {
						if !skipProps[k] {
							walk(append(path, k), target[k], depth+1)
						}
					}
					onPath[v] = false
				}
				return
			}
			out = append(out, comparison{objType: typ, path: clonePath(path), op: "=", values: []string{v}})
		case json.Number:
			out = append(out, comparison{objType: typ, path: clonePath(path), op: "=", values: []string{v.String()}})
		case bool:
			out = append(out, comparison{objType: typ, path: clonePath(path), op: "=", values: []string{strconv.FormatBool(v)}})
		case []any:
			for _, e := range v {
				walk(append(path, "[*]"), e, depth+1)
			}
		case map[string]any:
			for _, k := range sortedKeys(v) {
				walk(append(path, k), v[k], depth+1)
			}
		}
	}
	for _, k := range sortedKeys(sco) {
		if !skipProps[k] {
			walk([]string{k}, sco[k], 0)
		}
	}
	return out
}

func clonePath(p []string) []string { return append([]string(nil), p...) }

// refsOf returns the references an SCO makes (…_ref, …_refs), nested
// properties included.
func refsOf(sco map[string]any) []string {
	var out []string
	var walk func(key string, v any, depth int)
	walk = func(key string, v any, depth int) {
		if depth > maxFlattenDepth {
			return
		}
		switch v := v.(type) {
		case string:
			if strings.HasSuffix(key, "_ref") || strings.HasSuffix(key, "_refs") {
				out = append(out, v)
			}
		case []any:
			for _, e := range v {
				walk(key, e, depth+1)
			}
		case map[string]any:
			for k, e := range v {
				walk(k, e, depth+1)
			}
		}
	}
	for k, v := range sco {
		if k != "object_marking_refs" && k != "created_by_ref" {
			walk(k, v, 0)
		}
	}
	return out
}

// member is one SCO of an observed-data object.
type member struct {
	key string // 2.1: the SCO's id; 2.0: its key in objects
	obj map[string]any
}

// observedSCOs returns the ids of the SCOs that observed-data objects of
// the bundle list in object_refs.
func (c *converter) observedSCOs() map[string]bool {
	out := map[string]bool{}
	for _, obj := range c.objects {
		if obj.str("type") == "observed-data" {
			for _, ref := range obj.strs("object_refs") {
				out[ref] = true
			}
		}
	}
	return out
}

// observedData converts an observed-data object: its SCOs (2.1
// object_refs, or the 2.0 objects dictionary) that no other of its SCOs
// references each become an attribute or an object, with first_observed
// and last_observed as first_seen and last_seen. With misp-stix hints
// (misp:type, misp:name) all its SCOs make one attribute or object.
func (c *converter) observedData(od object, ids map[string]bool) {
	id := od.str("id")
	var members []member
	var resolve func(string) map[string]any
	if refs := od.strs("object_refs"); len(refs) > 0 {
		for _, ref := range refs {
			obj, ok := c.byID[ref]
			switch {
			case !ok:
				c.warn(id, "observable %s is not in the bundle", truncate(ref))
			case !scoTypes[obj.str("type")]:
				c.warn(id, "observable type %s is not converted", truncate(obj.str("type")))
			default:
				members = append(members, member{key: ref, obj: obj})
			}
		}
		resolve = c.resolveSCO
	} else if emb, ok := od["objects"].(map[string]any); ok {
		keys := sortedKeys(emb)
		sort.SliceStable(keys, func(i, j int) bool { return numericLess(keys[i], keys[j]) })
		for _, k := range keys {
			obj, ok := emb[k].(map[string]any)
			if !ok {
				continue
			}
			if t, _ := obj["type"].(string); !scoTypes[t] {
				c.warn(id, "observable type %s is not converted", truncate(t))
				continue
			}
			members = append(members, member{key: k, obj: obj})
		}
		resolve = func(ref string) map[string]any {
			obj, _ := emb[ref].(map[string]any)
			return obj
		}
	}
	if len(members) == 0 {
		c.warn(id, "observed data without a convertible observable left out")
		return
	}
	el := element{src: od, first: microTime(od.str("first_observed")), last: microTime(od.str("last_observed")), ids: ids}
	h := hintsOf(od)
	el.category = h.category
	if h.toIDS != nil {
		el.toIDS = *h.toIDS
	}
	referenced := map[string]bool{}
	for _, m := range members {
		for _, r := range refsOf(m.obj) {
			referenced[r] = true
		}
	}
	var roots []member
	for _, m := range members {
		if !referenced[m.key] && !c.emitted[m.key] {
			roots = append(roots, m)
		}
	}
	for _, m := range members {
		if strings.Contains(m.key, "--") {
			c.emitted[m.key] = true
		}
	}
	added := false
	if h.typ != "" || h.name != "" {
		var cs []comparison
		for _, m := range roots {
			cs = append(cs, flatten(m.obj, resolve)...)
		}
		added = len(cs) > 0 && c.emit(el, cs, od.uuid())
	} else {
		for _, m := range roots {
			u := od.uuid()
			switch {
			case strings.Contains(m.key, "--"):
				u = idUUID(m.key)
			case len(roots) > 1:
				u = uuid5(id + " - " + m.key)
			}
			if c.emit(el, flatten(m.obj, resolve), u) {
				added = true
			} else {
				t, _ := m.obj["type"].(string)
				c.warn(id, "observable %s (%s) gave no MISP data", truncate(m.key), t)
			}
		}
	}
	if added {
		c.converted++
	}
}

// observedDataWithIndicator converts observed data that misp-stix wrote
// with an indicator of the same uuid (a MISP element with to_ids): the
// observed data gives the values, the indicator's pattern which of them
// are to_ids. An indicator whose pattern cannot be read marks them all.
func (c *converter) observedDataWithIndicator(od, ind object) {
	ids := map[string]bool{"*": true}
	p, err := parsePattern(ind.str("pattern"))
	if err != nil || ind.str("pattern_type") != "" && ind.str("pattern_type") != "stix" {
		p = nil
	}
	if p == nil {
		// No comparison to tell them apart: every value is to_ids.
		c.observedData(od, map[string]bool{"all": true})
		return
	}
	for _, cmp := range p.comparisons() {
		fields, _ := mapComparison(cmp)
		if rel, custom := strings.CutPrefix(cmp.key(), "x_misp_"); custom {
			for _, v := range cmp.values {
				fields = append(fields, field{relation: strings.ReplaceAll(rel, "_", "-"), value: v})
			}
		}
		for _, f := range fields {
			ids[f.relation+"\x00"+f.value] = true
		}
	}
	c.observedData(od, ids)
}

// resolveSCO returns the SCO of the bundle with id ref.
func (c *converter) resolveSCO(ref string) map[string]any {
	obj, ok := c.byID[ref]
	if !ok || !scoTypes[obj.str("type")] {
		return nil
	}
	return obj
}

// standaloneSCOs converts the SCOs of the bundle that no observed data
// lists and no other SCO references (STIX 2.1 lets them stand alone).
func (c *converter) standaloneSCOs(observed map[string]bool) {
	referenced := map[string]bool{}
	for _, obj := range c.objects {
		if scoTypes[obj.str("type")] {
			for _, r := range refsOf(obj) {
				referenced[r] = true
			}
		}
	}
	for _, obj := range c.objects {
		id := obj.str("id")
		if !scoTypes[obj.str("type")] || observed[id] || referenced[id] || c.emitted[id] {
			continue
		}
		c.emitted[id] = true
		if c.emit(element{src: obj}, flatten(obj, c.resolveSCO), obj.uuid()) {
			c.converted++
		} else {
			c.warn(id, "observable gave no MISP data")
		}
	}
}

// numericLess orders STIX 2.0 observable keys "0", "1", …, "10".
func numericLess(a, b string) bool {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA != nil || errB != nil {
		return a < b
	}
	return x < y
}
