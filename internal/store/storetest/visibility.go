package storetest

import (
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// testVisibility checks that an event of org A is, for users of org B
// (including a sync user), indistinguishable from a missing one on every
// event, attribute, object, reference and tag method, that nothing is
// changed by their attempts, and that a site admin sees it.
func testVisibility(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	tag := mustCreateTag(t, s, "tlp:amber")
	attr := newAttr("ip-dst", "Network activity", "192.0.2.1")
	attr.Tag = []*misp.AttachedTag{{Name: "tlp:amber"}}
	o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))
	o.ObjectReference = []*misp.ObjectReference{{ReferencedUUID: "", RelationshipType: "x"}}
	e := newEvent("secret of A", attr)
	e.Object = []*misp.Object{o}
	e.Tag = []*misp.AttachedTag{{Name: "tlp:amber"}}
	mustCreateEvent(t, s, f.a, e)
	ref := &misp.ObjectReference{ObjectID: o.ID, ReferencedUUID: attr.UUID, RelationshipType: "related-to"}
	if err := s.Objects.CreateObjectReference(ctx, f.a, ref); err != nil {
		t.Fatal(err)
	}
	gone := newAttr("ip-dst", "Network activity", "192.0.2.2")
	gone.Deleted = true
	if err := s.Attributes.CreateAttribute(ctx, f.a, int64(e.ID), gone, false); err != nil {
		t.Fatal(err)
	}
	mine := mustCreateEvent(t, s, f.b, newEvent("B's own", newAttr("domain", "Network activity", "b.test")))
	before, err := s.Events.FindEventByID(ctx, f.admin, int64(e.ID), misp.EventViewOptions{Deleted: misp.DeletedInclude})
	if err != nil {
		t.Fatal(err)
	}

	// Every call gets the event, attribute, object and reference ids to
	// use, so each runs once against A's data and once against ids that
	// do not exist: both must give ErrNotFound.
	type ids struct{ event, attr, gone, object, ref int64 }
	calls := []struct {
		name string
		do   func(a *misp.Actor, id ids) error
	}{
		{"FindEventByID", func(a *misp.Actor, id ids) error {
			_, err := s.Events.FindEventByID(ctx, a, id.event, misp.EventViewOptions{Deleted: misp.DeletedInclude})
			return err
		}},
		{"FindEventByUUID", func(a *misp.Actor, id ids) error {
			u := e.UUID
			if id.event != int64(e.ID) {
				u = misp.NewUUID()
			}
			_, err := s.Events.FindEventByUUID(ctx, a, u, misp.EventViewOptions{})
			return err
		}},
		{"EditEvent", func(a *misp.Actor, id ids) error {
			in := *before
			in.Info, in.Timestamp = "hijacked", 0
			_, err := s.Events.EditEvent(ctx, a, id.event, &in, true)
			return err
		}},
		{"SetPublished", func(a *misp.Actor, id ids) error { return s.Events.SetPublished(ctx, a, id.event, true) }},
		{"DeleteEvent", func(a *misp.Actor, id ids) error { return s.Events.DeleteEvent(ctx, a, id.event) }},
		{"CreateAttribute", func(a *misp.Actor, id ids) error {
			return s.Attributes.CreateAttribute(ctx, a, id.event, newAttr("domain", "Network activity", "x.test"), true)
		}},
		{"FindAttributeByID", func(a *misp.Actor, id ids) error {
			_, err := s.Attributes.FindAttributeByID(ctx, a, id.attr, true)
			return err
		}},
		{"FindAttributeByUUID", func(a *misp.Actor, id ids) error {
			u := attr.UUID
			if id.attr != int64(attr.ID) {
				u = misp.NewUUID()
			}
			_, err := s.Attributes.FindAttributeByUUID(ctx, a, u, true)
			return err
		}},
		{"UpdateAttribute", func(a *misp.Actor, id ids) error {
			x := *attr
			x.ID, x.Timestamp, x.Comment = misp.Int(id.attr), 0, "hijacked"
			return s.Attributes.UpdateAttribute(ctx, a, &x, false)
		}},
		{"DeleteAttribute(soft)", func(a *misp.Actor, id ids) error { return s.Attributes.DeleteAttribute(ctx, a, id.attr, false) }},
		{"DeleteAttribute(hard)", func(a *misp.Actor, id ids) error { return s.Attributes.DeleteAttribute(ctx, a, id.attr, true) }},
		{"RestoreAttribute", func(a *misp.Actor, id ids) error { return s.Attributes.RestoreAttribute(ctx, a, id.gone) }},
		{"CreateObject", func(a *misp.Actor, id ids) error {
			return s.Objects.CreateObject(ctx, a, id.event, newObject(newObjectAttr("filename", "filename", "Payload delivery", "x.exe")), true)
		}},
		{"FindObjectByID", func(a *misp.Actor, id ids) error {
			_, err := s.Objects.FindObjectByID(ctx, a, id.object, true)
			return err
		}},
		{"FindObjectByUUID", func(a *misp.Actor, id ids) error {
			u := o.UUID
			if id.object != int64(o.ID) {
				u = misp.NewUUID()
			}
			_, err := s.Objects.FindObjectByUUID(ctx, a, u, true)
			return err
		}},
		{"UpdateObject", func(a *misp.Actor, id ids) error {
			x := *o
			x.ID, x.Timestamp, x.Comment, x.Attribute, x.ObjectReference = misp.Int(id.object), 0, "hijacked", nil, nil
			_, err := s.Objects.UpdateObject(ctx, a, &x, true)
			return err
		}},
		{"DeleteObject(soft)", func(a *misp.Actor, id ids) error { return s.Objects.DeleteObject(ctx, a, id.object, false) }},
		{"DeleteObject(hard)", func(a *misp.Actor, id ids) error { return s.Objects.DeleteObject(ctx, a, id.object, true) }},
		{"CreateObjectReference", func(a *misp.Actor, id ids) error {
			return s.Objects.CreateObjectReference(ctx, a, &misp.ObjectReference{ObjectID: misp.Int(id.object),
				ReferencedUUID: attr.UUID, RelationshipType: "x"})
		}},
		{"FindObjectReferenceByID", func(a *misp.Actor, id ids) error {
			_, err := s.Objects.FindObjectReferenceByID(ctx, a, id.ref)
			return err
		}},
		{"FindObjectReferenceByUUID", func(a *misp.Actor, id ids) error {
			u := ref.UUID
			if id.ref != int64(ref.ID) {
				u = misp.NewUUID()
			}
			_, err := s.Objects.FindObjectReferenceByUUID(ctx, a, u)
			return err
		}},
		{"DeleteObjectReference(soft)", func(a *misp.Actor, id ids) error {
			return s.Objects.DeleteObjectReference(ctx, a, id.ref, false)
		}},
		{"DeleteObjectReference(hard)", func(a *misp.Actor, id ids) error {
			return s.Objects.DeleteObjectReference(ctx, a, id.ref, true)
		}},
		{"AttachEventTag(global)", func(a *misp.Actor, id ids) error {
			_, err := s.Tags.AttachEventTag(ctx, a, id.event, int64(tag.ID), false, nil)
			return err
		}},
		{"AttachEventTag(local)", func(a *misp.Actor, id ids) error {
			_, err := s.Tags.AttachEventTag(ctx, a, id.event, int64(tag.ID), true, nil)
			return err
		}},
		{"DetachEventTag", func(a *misp.Actor, id ids) error { return s.Tags.DetachEventTag(ctx, a, id.event, int64(tag.ID)) }},
		{"AttachAttributeTag", func(a *misp.Actor, id ids) error {
			_, err := s.Tags.AttachAttributeTag(ctx, a, id.attr, int64(tag.ID), true, nil)
			return err
		}},
		{"DetachAttributeTag", func(a *misp.Actor, id ids) error {
			return s.Tags.DetachAttributeTag(ctx, a, id.attr, int64(tag.ID))
		}},
	}
	real := ids{int64(e.ID), int64(attr.ID), int64(gone.ID), int64(o.ID), int64(ref.ID)}
	missing := ids{999991, 999992, 999993, 999994, 999995}
	for _, who := range []struct {
		name  string
		actor *misp.Actor
	}{{"user of B", f.b}, {"sync user of B", f.syncB}} {
		for _, c := range calls {
			wantErr(t, who.name+": "+c.name+"(A's)", c.do(who.actor, real), misp.ErrNotFound)
			wantErr(t, who.name+": "+c.name+"(missing)", c.do(who.actor, missing), misp.ErrNotFound)
		}
		events, total, err := s.Events.FindEvents(ctx, who.actor, misp.EventFilter{})
		if err != nil || total != 1 || len(events) != 1 || events[0].ID != mine.ID {
			t.Errorf("%s: FindEvents() = %v (total %d), %v; want only B's event", who.name, infos(events), total, err)
		}
		for _, filter := range []misp.EventFilter{{IDs: []int64{int64(e.ID)}}, {Value: "192.0.2.1"}, {TagSets: [][]int64{{int64(tag.ID)}}}} {
			if events, total, err := s.Events.FindEvents(ctx, who.actor, filter); err != nil || total != 0 || len(events) != 0 {
				t.Errorf("%s: FindEvents(%+v) = %v (total %d), %v; want none", who.name, filter, infos(events), total, err)
			}
		}
		for _, filter := range []misp.AttributeFilter{{}, {EventID: int64(e.ID), Deleted: misp.DeletedInclude}} {
			attrs, err := s.Attributes.FindAttributes(ctx, who.actor, filter)
			if err != nil || len(attrs) != 1 && filter.EventID == 0 || len(attrs) != 0 && filter.EventID != 0 {
				t.Errorf("%s: FindAttributes(%+v) = %d attributes, %v", who.name, filter, len(attrs), err)
			}
		}
	}

	after, err := s.Events.FindEventByID(ctx, f.admin, int64(e.ID), misp.EventViewOptions{Deleted: misp.DeletedInclude})
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(before, after); d != "" {
		t.Errorf("A's event changed by other orgs (-before +after):\n%s", d)
	}

	// The owner's org and the site admin see it.
	for _, who := range []struct {
		name  string
		actor *misp.Actor
	}{{"other user of A", f.a2}, {"site admin", f.admin}} {
		for _, name := range []string{"FindEventByID", "FindEventByUUID", "FindAttributeByID", "FindAttributeByUUID",
			"FindObjectByID", "FindObjectByUUID", "FindObjectReferenceByID",
			"FindObjectReferenceByUUID"} {
			for _, c := range calls {
				if c.name == name {
					wantErr(t, who.name+": "+name, c.do(who.actor, real), nil)
				}
			}
		}
	}
	events, total, err := s.Events.FindEvents(ctx, f.admin, misp.EventFilter{Value: "192.0.2.1"})
	if err != nil || total != 1 || len(events) != 1 || events[0].ID != e.ID {
		t.Errorf("site admin: FindEvents(value) = %v (total %d), %v", infos(events), total, err)
	}
	wantErr(t, "site admin: SetPublished", s.Events.SetPublished(ctx, f.admin, int64(e.ID), true), nil)
	wantErr(t, "site admin: DeleteEvent", s.Events.DeleteEvent(ctx, f.admin, int64(e.ID)), nil)
}
