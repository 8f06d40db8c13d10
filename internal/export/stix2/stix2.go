// Package stix2 writes restSearch answers as one STIX 2.1 bundle
// (returnFormat stix2), following misp-stix's MISP→STIX 2.1 conventions
// so that MISP and other misp-stix consumers read our bundles as they
// read MISP's.
//
// The bundle is streamed: its head, then the objects of each attribute or
// event as they arrive, then its end. What the writer remembers across
// the answer is small: the identities and marking definitions already
// written, and a bounded set of written SCO identifiers.
//
// Identifiers are deterministic. SDOs take the MISP uuid as misp-stix
// does (indicator--<attribute uuid>, report--<event uuid>,
// identity--<organisation uuid>); SCOs take the version 5 UUID STIX 2.1
// §2.9 defines, over the canonical JSON of their ID contributing
// properties, so the same IP address has the same identifier in every
// answer and every producer.
//
// Galaxy clusters (the Galaxy lists restSearch attaches to events and
// attributes) become SDOs as misp-stix makes them: threat-actor,
// attack-pattern, malware, tool, … with the cluster uuid
// (threat-actor--<cluster uuid>), x-misp-galaxy-cluster for galaxies
// misp-stix does not map; see galaxy.go. Each cluster is written once per
// answer.
package stix2

import (
	"bufio"
	"io"
	"time"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/misp"
)

// Format is returnFormat stix2. It is not restrictive: like MISP, it
// exports attributes without to_ids as observed-data.
var Format = export.Format{
	Name:        "stix2",
	Producer:    true,
	ContentType: "application/json",
	Restrictive: false,
	Attributes: func(w io.Writer, o export.Options) export.AttributeWriter {
		return &attributeWriter{b: newBundle(w, o), inherit: o.IncludeEventTags}
	},
	Events: func(w io.Writer, o export.Options) export.EventWriter {
		return &eventWriter{b: newBundle(w, o)}
	},
}

// maxSeenSCOs bounds the set of SCO identifiers remembered to avoid
// writing an SCO twice. When full the set starts over: a later copy of an
// SCO is then written again, which STIX allows (same identifier, same
// content), and memory stays bounded whatever the answer's size.
const maxSeenSCOs = 1 << 16

// bundle writes the bundle framing and the objects, once each.
type bundle struct {
	w          *bufio.Writer
	opts       export.Options
	started    bool
	objects    int
	identities map[string]bool
	markings   map[string]bool
	scos       map[string]bool
	clusters   clusterSet
	err        error
}

func newBundle(w io.Writer, o export.Options) *bundle {
	return &bundle{
		w: bufio.NewWriter(w), opts: o,
		identities: map[string]bool{}, markings: map[string]bool{}, scos: map[string]bool{},
		clusters: clusterSet{},
	}
}

// bundleID is derived from the producer, the scope and the request time:
// unique per answer in practice, and reproducible for golden files.
func (b *bundle) bundleID() string {
	name := "bundle|" + b.opts.OrgUUID + "|" + b.opts.Scope + "|" + b.opts.Now.UTC().Format(time.RFC3339Nano)
	return "bundle--" + uuid5(razmenaNamespace, name)
}

// start writes the bundle head and the producer's identity, once, and
// is called before each attribute or event. The set of clusters written
// is bounded as the SCOs' is, and only emptied between two attributes or
// events, so that one's objects always agree on a cluster's identifier.
func (b *bundle) start() error {
	if len(b.clusters) >= maxSeenSCOs {
		clear(b.clusters)
	}
	if b.started {
		return b.err
	}
	b.started = true
	b.put(`{"type":"bundle","id":"` + b.bundleID() + `"`)
	if b.opts.OrgUUID != "" && b.opts.OrgName != "" {
		b.identity(b.opts.OrgUUID, b.opts.OrgName, stampTime(b.opts.Now))
	}
	return b.err
}

func (b *bundle) put(s string) {
	if b.err == nil {
		_, b.err = b.w.WriteString(s)
	}
}

// identity writes the identity of an organisation unless already written
// and returns its id, or "" when the organisation has no uuid or name
// (misp-stix then leaves created_by_ref out).
func (b *bundle) identity(uuid, name, created string) string {
	if uuid == "" || name == "" {
		return ""
	}
	id := sdoID("identity", uuid)
	if !b.identities[id] {
		b.identities[id] = true
		b.write(object{
			{"type", "identity"}, {"spec_version", "2.1"}, {"id", id},
			{"created", created}, {"modified", created},
			{"name", clean(name)}, {"identity_class", "organization"},
		})
	}
	return id
}

// orgIdentity is identity for an event's creator organisation, created
// at the event's timestamp as misp-stix does.
func (b *bundle) orgIdentity(e *misp.Event) string {
	if e == nil || e.Orgc == nil {
		return ""
	}
	return b.identity(e.Orgc.UUID, e.Orgc.Name, stamp(int64(e.Timestamp)))
}

// write writes o, after the marking definitions it refers to that are not
// in the bundle yet. An SCO already written is skipped.
func (b *bundle) write(o object) {
	if _, sco := idContributing[o.typ()]; sco {
		if b.scos[o.id()] {
			return
		}
		if len(b.scos) >= maxSeenSCOs {
			clear(b.scos)
		}
		b.scos[o.id()] = true
	}
	for _, ref := range o.refs("object_marking_refs") {
		if m, ok := markingsByID[ref]; ok && !b.markings[ref] {
			b.markings[ref] = true
			b.write(m)
		}
	}
	if b.objects == 0 {
		b.put(`,"objects":[` + "\n")
	} else {
		b.put(",\n")
	}
	b.objects++
	b.put(o.json())
}

// close ends the bundle. A bundle without objects has no objects
// property: the schema wants at least one item in the list.
func (b *bundle) close() error {
	if err := b.start(); err != nil {
		return err
	}
	if b.objects > 0 {
		b.put("\n]")
	}
	b.put("}\n")
	if b.err == nil {
		b.err = b.w.Flush()
	}
	return b.err
}

// attributeWriter writes an attributes-scope answer. As misp-stix does
// for attribute collections, there is no report: each attribute's objects
// stand alone, created by the identity of the event's creator. The
// clusters of the attribute's event stand alone too, created at the
// event's timestamp (MISP passes them to misp-stix as the collection's
// Galaxy); those of the attribute are linked to its SDO by relationships.
type attributeWriter struct {
	b       *bundle
	inherit bool
}

func (w *attributeWriter) Write(h misp.AttributeHit) error {
	if err := w.b.start(); err != nil {
		return err
	}
	createdBy := w.b.orgIdentity(h.Event)
	var inherited []*misp.AttachedTag
	if w.inherit && h.Event != nil {
		inherited = h.Event.Tag
	}
	if h.Event != nil {
		_, sdos := w.b.clusters.add(h.Event.Galaxy, int64(h.Event.Timestamp))
		for _, o := range sdos {
			w.b.write(o)
		}
	}
	objs := attributeObjects(h.Attribute, createdBy, inherited)
	ids, sdos := w.b.clusters.add(h.Attribute.Galaxy, int64(h.Attribute.Timestamp))
	objs = append(objs, sdos...)
	objs = append(objs, galaxyRelationships(objs[0].id(), ids, int64(h.Attribute.Timestamp))...)
	for _, o := range objs {
		w.b.write(o)
	}
	return w.b.err
}

func (w *attributeWriter) Close() error { return w.b.close() }

// eventWriter writes an events-scope answer: per event, its creator's
// identity, a report (published events) or grouping (the others) that
// refers to all the event's objects and clusters, and those objects.
type eventWriter struct{ b *bundle }

func (w *eventWriter) WriteEvent(e *misp.Event) error {
	if err := w.b.start(); err != nil {
		return err
	}
	createdBy := w.b.orgIdentity(e)
	objs, clusterRefs := eventObjects(e, createdBy, w.b.clusters)
	w.b.write(eventContainer(e, createdBy, objs, clusterRefs))
	for _, o := range objs {
		w.b.write(o)
	}
	return w.b.err
}

func (w *eventWriter) Close() error { return w.b.close() }
