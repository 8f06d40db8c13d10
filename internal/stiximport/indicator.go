package stiximport

import (
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// patternTypes maps STIX 2.1 pattern_type values other than "stix" to the
// MISP attribute type that holds such a rule.
var patternTypes = map[string]string{
	"yara": "yara", "sigma": "sigma", "snort": "snort", "suricata": "snort",
}

// patternHolding are the MISP types whose value is a whole rule, which
// MISP exports as the indicator's pattern.
var patternHolding = map[string]bool{"stix2-pattern": true, "yara": true, "sigma": true, "snort": true}

// indicator converts an indicator: its pattern becomes an attribute or an
// object with to_ids set (misp-stix ExternalSTIX2IndicatorConverter); a
// pattern that cannot be read as one MISP element is kept whole in a
// stix2-pattern object.
func (c *converter) indicator(ind object) {
	h := hintsOf(ind)
	el := element{
		src: ind, toIDS: true, comment: ind.str("description"), category: h.category,
		first: microTime(ind.str("valid_from")), last: microTime(ind.str("valid_until")),
	}
	if h.toIDS != nil {
		el.toIDS = *h.toIDS
	}
	id := ind.str("id")
	pat := ind.str("pattern")
	if strings.TrimSpace(pat) == "" {
		c.warn(id, "indicator without a pattern left out")
		return
	}
	if patternHolding[h.typ] {
		// A MISP attribute whose value is the rule itself.
		if c.addAttribute(el, &misp.Attribute{Type: h.typ, Value: pat, UUID: c.claim(ind.uuid())}) {
			c.converted++
		}
		return
	}
	if pt := ind.str("pattern_type"); pt != "" && pt != "stix" {
		typ, ok := patternTypes[pt]
		if !ok {
			c.patternObject(el, "pattern type "+truncate(pt)+" has no MISP attribute type")
			return
		}
		if c.addAttribute(el, &misp.Attribute{Type: typ, Value: pat, UUID: c.claim(ind.uuid())}) {
			c.converted++
		}
		return
	}
	p, err := parsePattern(pat)
	if err != nil {
		c.patternObject(el, err.Error())
		return
	}
	if p.combined {
		c.patternObject(el, "the pattern combines or qualifies observation expressions")
		return
	}
	cs := p.comparisons()
	for _, cmp := range cs {
		if cmp.negate || (cmp.op != "=" && cmp.op != "IN") {
			op := cmp.op
			if cmp.negate {
				op = "NOT " + op
			}
			c.patternObject(el, "operator "+op+" in "+cmp.String())
			return
		}
	}
	if c.emit(el, cs, ind.uuid()) {
		c.converted++
		return
	}
	c.patternObject(el, "no MISP mapping for the pattern's "+groupKey(cs))
}

// patternObject keeps an indicator's pattern in a stix2-pattern object
// (misp-stix _create_stix_pattern_object).
func (c *converter) patternObject(el element, reason string) {
	id := el.src.str("id")
	c.warn(id, "pattern kept in a stix2-pattern object: %s", reason)
	version := el.src.str("spec_version")
	if version == "" {
		version = c.version
	}
	fields := []field{
		{relation: "version", typ: "text", value: "stix " + version},
		{relation: "stix2-pattern", typ: "stix2-pattern", value: el.src.str("pattern")},
	}
	o := c.newObject(id, "stix2-pattern", el.src.uuid(), fields)
	el.first, el.last = nil, nil
	if c.addObject(el, o) {
		c.converted++
	}
}

// emit adds the MISP data of one indicator or observable, read from its
// comparisons: with misp-stix hints (an object MISP exported), the
// attribute type or object name they give; otherwise one attribute per
// field or an object, as groups says. It reports whether anything was
// added.
func (c *converter) emit(el element, cs []comparison, uuid string) bool {
	id := el.src.str("id")
	h := hintsOf(el.src)
	var fields []field
	var unmapped []string
	for _, cmp := range cs {
		fs, ok := mapComparison(cmp)
		if ok {
			fields = append(fields, fs...)
			continue
		}
		if rel, custom := strings.CutPrefix(cmp.key(), "x_misp_"); custom && h.name != "" {
			// An attribute of a MISP object without a STIX property.
			for _, v := range cmp.values {
				fields = append(fields, field{relation: strings.ReplaceAll(rel, "_", "-"), typ: "text", value: v})
			}
			continue
		}
		unmapped = append(unmapped, cmp.String())
	}
	switch {
	case h.name != "" && len(fields) > 0:
		o := c.newObject(id, h.name, uuid, fields)
		o.MetaCategory = h.meta
		return c.addObject(el, o)
	case h.typ != "":
		if a, ok := hintedAttribute(h.typ, fields); ok {
			a.UUID = c.claim(uuid)
			return c.addAttribute(el, a)
		}
	}
	if len(unmapped) > 0 {
		c.warn(id, "properties without a MISP mapping left out: %s", strings.Join(unmapped, ", "))
	}
	if len(fields) == 0 {
		return false
	}
	key := groupKey(cs)
	g, ok := groups[key]
	if !ok {
		return false
	}
	if g.asObject(key, fields) {
		return c.addObject(el, c.newObject(id, g.object, uuid, fields))
	}
	added := false
	for i, f := range fields {
		if f.typ == "attachment" {
			continue
		}
		u := uuid
		if i > 0 {
			u = uuid5(id + " - " + f.relation + " - " + f.value)
		}
		a := &misp.Attribute{Type: f.typ, Value: f.value, UUID: c.claim(u)}
		if c.addAttribute(el, a) {
			added = true
		}
	}
	return added
}

// hintedAttribute builds an attribute of MISP type typ (a misp:type
// label) from the fields of its pattern or observable: the value of the
// matching field, or of the two matching fields joined by "|" for a
// composite type. Attachment content comes from a payload_bin field.
func hintedAttribute(typ string, fields []field) (*misp.Attribute, bool) {
	a := &misp.Attribute{Type: typ}
	var rest []field
	for _, f := range fields {
		if f.relation == "payload_bin" {
			a.Data = f.data
			continue
		}
		rest = append(rest, f)
	}
	take := func(want string, skip int) int {
		for i, f := range rest {
			if i == skip {
				continue
			}
			if want == "value" || typeFamily(f.typ) == typeFamily(want) {
				return i
			}
		}
		return -1
	}
	if misp.IsCompositeType(typ) {
		first, second, _ := strings.Cut(typ, "|")
		i := take(first, -1)
		if i < 0 {
			return nil, false
		}
		j := take(second, i)
		if j < 0 {
			return nil, false
		}
		a.Value = rest[i].value + "|" + rest[j].value
		return a, true
	}
	want := typ
	if typ == "attachment" {
		want = "filename"
	}
	i := take(want, -1)
	if i < 0 {
		if len(rest) != 1 {
			return nil, false
		}
		i = 0
	}
	a.Value = rest[i].value
	return a, true
}
