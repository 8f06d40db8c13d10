package stix2

import (
	"github.com/razmena/razmena/internal/misp"
)

// This file builds the STIX Domain Objects of attributes, following
// misp-stix (misp_to_stix2.py, misp_to_stix21.py) for ids, labels,
// timestamps and kill chain phases. One attribute becomes one SDO, plus
// the SCOs of an observed-data: an indicator when to_ids is set and the
// type has a pattern, an observed-data otherwise, a vulnerability or
// campaign for those types, an x-misp-attribute when nothing fits.
// (misp-stix switched in 2025-10 to an observed-data for every attribute
// plus an indicator and a based-on relationship when to_ids is set; we
// keep the one-object form the rest of the MISP ecosystem consumes.)

// attributeObjects returns the objects of a: the SDO first, then the
// SCOs it refers to. createdBy is the identity of the event's creator
// ("" when unknown); inherited are tags of the event applied to the
// attribute too (attributes scope with includeEventTags). The tags of the
// attribute's exported clusters are not labels: the clusters are objects
// of their own (see galaxy.go).
func attributeObjects(a *misp.Attribute, createdBy string, inherited []*misp.AttachedTag) []object {
	tags := tagsOf(withoutClusterTags(a.Tag, a.Galaxy, false), inherited)
	var labels []string
	if a.Type != "" {
		labels = append(labels, `misp:type="`+clean(a.Type)+`"`)
	}
	if a.Category != "" {
		labels = append(labels, `misp:category="`+clean(a.Category)+`"`)
	}
	switch {
	case a.Type == "vulnerability":
		return []object{vulnerability(a, createdBy, tags, labels)}
	case a.Type == "campaign-name":
		o := sdo("campaign", a.UUID, createdBy, int64(a.Timestamp))
		o.set("name", clean(a.Value))
		tags.apply(&o, labels...)
		return []object{o}
	case patternLanguages[a.Type]:
		return []object{indicator(a, createdBy, tags, labels, clean(a.Value), a.Type)}
	}
	if mapper, ok := attributeMappers[a.Type]; ok {
		obs := mapper(attributeValue(a))
		if bool(a.ToIDS) && obs.cmp != "" {
			return []object{indicator(a, createdBy, tags, labels, "["+obs.cmp+"]", "stix")}
		}
		if len(obs.scos) > 0 {
			od := observedData(a.UUID, createdBy, int64(a.Timestamp), a.FirstSeen, a.LastSeen, obs.scos)
			tags.apply(&od, labels...)
			return append([]object{od}, obs.scos...)
		}
	}
	return []object{customAttribute(a, createdBy, tags, labels)}
}

// sdo starts an SDO: type, spec_version, id from the MISP uuid,
// created_by_ref, created and modified from the MISP timestamp.
func sdo(typ, mispUUID, createdBy string, timestamp int64) object {
	o := object{{"type", typ}, {"spec_version", "2.1"}, {"id", sdoID(typ, mispUUID)}}
	if createdBy != "" {
		o = append(o, prop{"created_by_ref", createdBy})
	}
	ts := stamp(timestamp)
	return append(o, prop{"created", ts}, prop{"modified", ts})
}

// indicator builds the indicator of an attribute. valid_from is
// first_seen or else the attribute timestamp, valid_until last_seen when
// later (misp-stix _handle_indicator_time_fields).
func indicator(a *misp.Attribute, createdBy string, tags tagging, labels []string, pattern, patternType string) object {
	o := sdo("indicator", a.UUID, createdBy, int64(a.Timestamp))
	if a.Comment != "" {
		o.set("description", clean(a.Comment))
	}
	o.set("pattern", pattern)
	o.set("pattern_type", patternType)
	if patternType == "stix" {
		o.set("pattern_version", "2.1")
	}
	setValidity(&o, int64(a.Timestamp), a.FirstSeen, a.LastSeen)
	o.set("kill_chain_phases", []object{{{"kill_chain_name", "misp-category"}, {"phase_name", clean(a.Category)}}})
	tags.apply(&o, labels...)
	return o
}

func setValidity(o *object, timestamp int64, firstSeen, lastSeen *misp.MicroTime) {
	from := stamp(timestamp)
	if firstSeen != nil {
		from = microStamp(*firstSeen)
	}
	o.set("valid_from", from)
	// Both are fixed-width UTC stamps: they compare as strings.
	if lastSeen != nil {
		if until := microStamp(*lastSeen); until > from {
			o.set("valid_until", until)
		}
	}
}

// observedData builds an observed-data of scos: first_observed and
// last_observed from first_seen and last_seen, else the timestamp, in
// order (misp-stix _handle_observable_time_fields).
func observedData(mispUUID, createdBy string, timestamp int64, firstSeen, lastSeen *misp.MicroTime, scos []object) object {
	o := sdo("observed-data", mispUUID, createdBy, timestamp)
	first, last := stamp(timestamp), stamp(timestamp)
	if firstSeen != nil {
		first = microStamp(*firstSeen)
	}
	if lastSeen != nil {
		last = microStamp(*lastSeen)
	}
	if first > last {
		if lastSeen != nil {
			first = last
		} else {
			last = first
		}
	}
	o.set("first_observed", first)
	o.set("last_observed", last)
	o.set("number_observed", 1)
	refs := make([]string, len(scos))
	for i, s := range scos {
		refs[i] = s.id()
	}
	o.set("object_refs", refs)
	return o
}

// vulnerability builds the vulnerability SDO of a vulnerability
// attribute, with a CVE external reference when the value is a CVE id.
func vulnerability(a *misp.Attribute, createdBy string, tags tagging, labels []string) object {
	o := sdo("vulnerability", a.UUID, createdBy, int64(a.Timestamp))
	o.set("name", clean(a.Value))
	if a.Comment != "" {
		o.set("description", clean(a.Comment))
	}
	if id, ok := cve(a.Value); ok {
		o.set("external_references", []object{{{"source_name", "cve"}, {"external_id", id}}})
	}
	tags.apply(&o, labels...)
	return o
}

// customAttribute builds the x-misp-attribute misp-stix writes for types
// STIX has no object for.
func customAttribute(a *misp.Attribute, createdBy string, tags tagging, labels []string) object {
	o := sdo("x-misp-attribute", a.UUID, createdBy, int64(a.Timestamp))
	tags.apply(&o, labels...)
	o.set("x_misp_type", clean(a.Type))
	o.set("x_misp_value", clean(a.Value))
	o.set("x_misp_category", clean(a.Category))
	if a.Comment != "" {
		o.set("x_misp_comment", clean(a.Comment))
	}
	return o
}
