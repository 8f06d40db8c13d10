package stix2

import (
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// eventObjects returns the objects of a full event in write order: those
// of its attributes and of its objects, each followed by the SDOs of its
// galaxy clusters not in the answer yet, the relationships of its object
// references, the SDOs of the event's own clusters, the relationships
// from attributes and objects to their clusters, and, for an event with
// none of those, misp-stix's note saying the event is empty (a report
// must refer to something). clusters are the clusters already in the
// answer; refs are the identifiers of those the event refers to, which
// its report lists too.
func eventObjects(e *misp.Event, createdBy string, clusters clusterSet) (objs []object, refs []string) {
	// stixIDs maps MISP uuids to the STIX id of their SDO; an object's
	// attributes map to the object's, as in misp-stix.
	stixIDs := map[string]string{}
	var galaxyRels []object
	// withClusters adds the clusters of galaxies, attached to the SDO
	// source created at timestamp.
	withClusters := func(source string, galaxies []*misp.EventGalaxy, timestamp int64) {
		ids, sdos := clusters.add(galaxies, timestamp)
		objs = append(objs, sdos...)
		refs = append(refs, ids...)
		galaxyRels = append(galaxyRels, galaxyRelationships(source, ids, timestamp)...)
	}
	for _, a := range e.Attribute {
		as := attributeObjects(a, createdBy, nil)
		stixIDs[a.UUID] = as[0].id()
		objs = append(objs, as...)
		withClusters(as[0].id(), a.Galaxy, int64(a.Timestamp))
	}
	for _, o := range e.Object {
		os := objectObjects(o, createdBy)
		for _, a := range o.Attribute {
			if _, ok := stixIDs[a.UUID]; !ok {
				stixIDs[a.UUID] = os[0].id()
			}
		}
		stixIDs[o.UUID] = os[0].id()
		objs = append(objs, os...)
		withClusters(os[0].id(), mergedGalaxies(o), int64(o.Timestamp))
	}
	for _, o := range e.Object {
		for _, r := range o.ObjectReference {
			if rel, ok := relationship(r, stixIDs[o.UUID], stixIDs[r.ReferencedUUID], createdBy, int64(o.Timestamp)); ok {
				objs = append(objs, rel)
			}
		}
	}
	ids, sdos := clusters.add(e.Galaxy, int64(e.Timestamp))
	objs = append(objs, sdos...)
	refs = append(refs, ids...)
	objs = append(objs, galaxyRels...)
	if len(objs) == 0 && len(refs) == 0 {
		ts := stamp(int64(e.Timestamp))
		// Not note--<event uuid> as in misp-stix: §2.9 forbids one UUID
		// for objects of two types.
		note := object{{"type", "note"}, {"spec_version", "2.1"}, {"id", "note--" + uuid5(razmenaNamespace, "note|"+e.UUID)}}
		if createdBy != "" {
			note = append(note, prop{"created_by_ref", createdBy})
		}
		note = append(note,
			prop{"created", ts}, prop{"modified", ts},
			prop{"content", "This MISP Event is empty and contains no attribute, object, galaxy or tag."},
			prop{"object_refs", []string{containerID(e)}},
		)
		objs = append(objs, note)
	}
	return objs, refs
}

// relationship converts an object reference. A reference whose target is
// not in the event, or whose type has nothing STIX accepts in a
// relationship_type, is left out (misp-stix skips undefined targets too).
func relationship(r *misp.ObjectReference, source, target, createdBy string, objectTimestamp int64) (object, bool) {
	typ := relationshipType(r.RelationshipType)
	if source == "" || target == "" || typ == "" {
		return nil, false
	}
	uuid := r.UUID
	if uuid == "" {
		// misp-stix derives a version 5 UUID from the triple.
		uuid = source + " - " + typ + " - " + target
	}
	ts := objectTimestamp
	if r.Timestamp > 0 {
		ts = int64(r.Timestamp)
	}
	o := sdo("relationship", uuid, createdBy, ts)
	o.set("relationship_type", typ)
	if r.Comment != "" {
		o.set("description", clean(r.Comment))
	}
	o.set("source_ref", source)
	o.set("target_ref", target)
	return o, true
}

// relationshipType makes a MISP relationship type fit STIX's
// ^[a-z0-9-]+$: lower case, anything else a hyphen, no hyphen at the
// ends ("Drops File!" is drops-file).
func relationshipType(t string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// published reports whether e is published, as misp-stix's
// _is_published: the flag and a publication time.
func published(e *misp.Event) bool { return bool(e.Published) && e.PublishTimestamp > 0 }

// containerID is the id of the report or grouping of e.
func containerID(e *misp.Event) string {
	if published(e) {
		return sdoID("report", e.UUID)
	}
	return sdoID("grouping", e.UUID)
}

// eventContainer returns the report of a published event, the grouping
// of an unpublished one (a report must have a publication time;
// misp-stix makes the same choice, with context suspicious-activity). It
// refers to every object of the event but identities and marking
// definitions, and to the event's clusters written earlier in the answer
// (clusterRefs); its labels are misp-stix's, which tell MISP's importer
// the bundle is MISP content, then the event's tags but those of its
// exported clusters of mapped galaxies (misp-stix leaves the tags of
// unmapped clusters).
func eventContainer(e *misp.Event, createdBy string, objs []object, clusterRefs []string) object {
	typ := "grouping"
	if published(e) {
		typ = "report"
	}
	o := sdo(typ, e.UUID, createdBy, int64(e.Timestamp))
	name := clean(e.Info)
	if name == "" {
		name = "MISP Event exported to STIX 2.1 with misp-stix."
	}
	o.set("name", name)
	if typ == "report" {
		o.set("published", stamp(int64(e.PublishTimestamp)))
	} else {
		o.set("context", "suspicious-activity")
	}
	refs := make([]string, 0, len(objs)+len(clusterRefs))
	seen := make(map[string]bool, len(objs))
	for _, x := range objs {
		if id := x.id(); !seen[id] {
			seen[id] = true
			refs = append(refs, id)
		}
	}
	for _, id := range clusterRefs {
		if !seen[id] {
			seen[id] = true
			refs = append(refs, id)
		}
	}
	o.set("object_refs", refs)
	tagsOf(withoutClusterTags(e.Tag, e.Galaxy, true)).apply(&o, "Threat-Report", `misp:tool="MISP-STIX-Converter"`)
	return o
}
