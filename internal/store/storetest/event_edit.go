package storetest

import (
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

func testEditEvent(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	keep := mustCreateTag(t, s, "keep")
	drop := mustCreateTag(t, s, "drop")
	e := newEvent("original", newAttr("ip-dst", "Network activity", "192.0.2.1"))
	e.Tag = []*misp.AttachedTag{{Name: "keep"}, {Name: "drop"}}
	mustCreateEvent(t, s, f.a, e)
	created := e.Timestamp

	for _, ts := range []misp.Int{created, created - 1} {
		in := *e
		in.Timestamp = ts
		in.Info = "not applied"
		_, err := s.Events.EditEvent(ctx, f.a, int64(e.ID), &in, false)
		wantErr(t, "EditEvent(timestamp not newer)", err, misp.ErrNotNewer)
	}
	if got := mustFindEvent(t, s, f.a, e.ID); got.Info != "original" {
		t.Errorf("info after rejected edits = %q, want %q", got.Info, "original")
	}

	// A newer timestamp is kept; fields are replaced; tags are attached
	// and detached; published is as given.
	if err := s.Events.SetPublished(ctx, f.a, int64(e.ID), true); err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(100)
	in := &misp.Event{
		UUID: e.UUID, Info: "edited", Date: "2025-12-31", ThreatLevelID: misp.ThreatLevelLow,
		Analysis: misp.AnalysisCompleted, Distribution: misp.DistributionConnected, Locked: true,
		Timestamp: created + 50, OrgcID: f.orgB.ID,
		Tag: []*misp.AttachedTag{{Name: "drop", Deleted: true}, {Name: "added", Local: true}, {Name: "keep"}},
	}
	out, err := s.Events.EditEvent(ctx, f.a, int64(e.ID), in, true)
	if err != nil {
		t.Fatalf("EditEvent() = %v", err)
	}
	got := mustFindEvent(t, s, f.a, e.ID)
	if d := diff(got, out); d != "" {
		t.Errorf("EditEvent() result differs from a fresh fetch (-fetch +result):\n%s", d)
	}
	added, err := s.Tags.FindTagByName(ctx, "added")
	if err != nil {
		t.Fatalf("FindTagByName(added) = %v", err)
	}
	want := *e
	want.Info, want.Date, want.ThreatLevelID, want.Analysis = "edited", "2025-12-31", misp.ThreatLevelLow, misp.AnalysisCompleted
	want.Distribution, want.Locked, want.Timestamp, want.Published = misp.DistributionConnected, true, created+50, false
	want.PublishTimestamp = got.PublishTimestamp
	want.Org = &misp.OrgRef{ID: f.orgA.ID, Name: f.orgA.Name, UUID: f.orgA.UUID, Local: true}
	want.Orgc = want.Org
	want.EventCreatorEmail = f.userA.Email
	want.Tag = []*misp.AttachedTag{keep.Attach(false, nil), added.Attach(true, nil)}
	if d := diff(&want, got); d != "" {
		t.Errorf("edited event (-want +got):\n%s", d)
	}
	if got.PublishTimestamp == 0 {
		t.Errorf("publish_timestamp reset by an unpublishing edit")
	}
	_ = drop

	// Without a timestamp the edit is stamped now; published as given.
	s.Clock.Advance(100)
	in.Timestamp, in.Published, in.Tag = 0, true, nil
	if _, err := s.Events.EditEvent(ctx, f.a2, int64(e.ID), in, false); err != nil {
		t.Fatalf("EditEvent(no timestamp) = %v", err)
	}
	got = mustFindEvent(t, s, f.a, e.ID)
	now := misp.Int(s.Clock.Unix())
	if got.Timestamp != now || !got.Published || got.PublishTimestamp != now {
		t.Errorf("after edit without timestamp: timestamp %d, published %t at %d; want %d, true at %d",
			got.Timestamp, got.Published, got.PublishTimestamp, now, now)
	}

	_, err = s.Events.EditEvent(ctx, f.a, 999, in, false)
	wantErr(t, "EditEvent(999)", err, misp.ErrNotFound)
}

func testEditEventMerge(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	a1 := newAttr("ip-dst", "Network activity", "192.0.2.1")
	a2 := newAttr("ip-dst", "Network activity", "192.0.2.2")
	a3 := newAttr("ip-dst", "Network activity", "192.0.2.3")
	for _, a := range []*misp.Attribute{a1, a2, a3} {
		a.Timestamp = 100
	}
	o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))
	o.Timestamp = 100
	o.Attribute[0].Timestamp = 100
	o2 := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.exe"))
	o2.Timestamp = 100
	o2.Attribute[0].Timestamp = 100
	e := newEvent("merge", a1, a2, a3)
	e.Object = []*misp.Object{o, o2}
	mustCreateEvent(t, s, f.a, e)
	foreign := newEvent("foreign", newAttr("domain", "Network activity", "foreign.test"))
	foreign.Object = []*misp.Object{newObject(newObjectAttr("filename", "filename", "Payload delivery", "f.exe"))}
	mustCreateEvent(t, s, f.a, foreign)
	s.Clock.Advance(1000)
	now := misp.Int(s.Clock.Unix())

	upd := func(a *misp.Attribute, ts misp.Int, comment string) *misp.Attribute {
		c := *a
		c.Timestamp, c.Comment, c.Tag = ts, comment, nil
		return &c
	}
	newA := newAttr("url", "Network activity", "https://new.test/")
	newA.Tag = []*misp.AttachedTag{{Name: "on-new"}}
	updated := upd(a1, 200, "newer")
	updated.Tag = []*misp.AttachedTag{{Name: "on-updated"}}
	deletedA3 := upd(a3, 300, "")
	deletedA3.Deleted = true
	olderObj := *o2
	olderObj.Timestamp = 50
	olderObj.Comment = "older object ignored"
	olderObj.Attribute = []*misp.Attribute{upd(o2.Attribute[0], 500, "not applied")}
	newerObj := *o
	newerObj.Timestamp, newerObj.Comment = 300, "newer object"
	newerObj.Attribute = []*misp.Attribute{upd(o.Attribute[0], 0, "stamped now"),
		newObjectAttr("md5", "md5", "Payload delivery", "0123456789abcdef0123456789abcdef"),
		upd(foreign.Object[0].Attribute[0], 900, "attribute of another event's object")}
	newerObj.ObjectReference = []*misp.ObjectReference{{ReferencedUUID: a2.UUID, RelationshipType: "related-to"}}
	newA.UUID = "77777777-7777-4777-8777-777777777777"
	newObj := newObject(newObjectAttr("filename", "filename", "Payload delivery", "c.exe"))
	newObj.ObjectReference = []*misp.ObjectReference{{ReferencedUUID: newA.UUID, RelationshipType: "fetched-from"}}

	in := *e
	in.Timestamp, in.Tag = 0, nil
	in.Attribute = []*misp.Attribute{
		updated,                             // newer: applied, tag attached
		upd(a2, 100, "equal timestamp"),     // not newer: ignored
		deletedA3,                           // soft-deleted by the edit
		upd(foreign.Attribute[0], 999, "x"), // another event's: ignored
		newA,                                // new: created with its tag
		newAttr("ip-dst", "Network activity", "192.0.2.1"), // duplicates a1: dropped
	}
	in.Object = []*misp.Object{&olderObj, &newerObj, newObj}
	if _, err := s.Events.EditEvent(ctx, f.a, int64(e.ID), &in, true); err != nil {
		t.Fatalf("EditEvent() = %v", err)
	}

	got, err := s.Events.FindEventByID(ctx, f.a, int64(e.ID), misp.EventViewOptions{Deleted: misp.DeletedInclude})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Value, Comment string
		Timestamp      misp.Int
		Deleted        misp.Bool
		Tags           []string
	}
	viewOf := func(list []*misp.Attribute) []view {
		var out []view
		for _, a := range list {
			out = append(out, view{a.Value, a.Comment, a.Timestamp, a.Deleted, tagNames(a.Tag)})
		}
		return out
	}
	wantStandalone := []view{
		{"192.0.2.1", "newer", 200, false, []string{"on-updated"}},
		{"192.0.2.2", "", 100, false, nil},
		{"192.0.2.3", "", 300, true, nil},
		{"https://new.test/", "", now, false, []string{"on-new"}},
	}
	if d := diff(wantStandalone, viewOf(got.Attribute)); d != "" {
		t.Errorf("standalone attributes after merge (-want +got):\n%s", d)
	}
	if len(got.Object) != 3 {
		t.Fatalf("objects after merge = %d, want 3", len(got.Object))
	}
	wantObjects := []struct {
		comment string
		ts      misp.Int
		attrs   []view
		refs    []string
	}{
		{"newer object", 300, []view{{"a.exe", "stamped now", now, false, nil},
			{"0123456789abcdef0123456789abcdef", "", now, false, nil}}, []string{a2.UUID}},
		{"", 100, []view{{"b.exe", "", 100, false, nil}}, nil},
		{"", now, []view{{"c.exe", "", now, false, nil}}, []string{newA.UUID}},
	}
	for i, w := range wantObjects {
		g := got.Object[i]
		var refs []string
		for _, r := range g.ObjectReference {
			refs = append(refs, r.ReferencedUUID)
		}
		if g.Comment != w.comment || g.Timestamp != w.ts {
			t.Errorf("object %d: comment %q, timestamp %d; want %q, %d", i, g.Comment, g.Timestamp, w.comment, w.ts)
		}
		if d := diff(w.attrs, viewOf(g.Attribute)); d != "" {
			t.Errorf("object %d attributes (-want +got):\n%s", i, d)
		}
		if d := diff(w.refs, refs); d != "" {
			t.Errorf("object %d references (-want +got):\n%s", i, d)
		}
	}
	if got.AttributeCount != 7 {
		t.Errorf("attribute_count = %d, want 7", got.AttributeCount)
	}
	if got.Timestamp != now || got.Published {
		t.Errorf("event timestamp %d, published %t; want %d, false", got.Timestamp, got.Published, now)
	}
	fg := mustFindEvent(t, s, f.a, foreign.ID)
	if fg.Attribute[0].Comment != "" || fg.Object[0].Attribute[0].Comment != "" || fg.Timestamp == now {
		t.Errorf("the foreign event was modified by the merge: %+v", fg)
	}
}

func testPublishAndDelete(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	e := newEvent("publish me", newAttr("ip-dst", "Network activity", "192.0.2.1"))
	e.Object = []*misp.Object{newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))}
	e.Object[0].ObjectReference = []*misp.ObjectReference{{ReferencedUUID: "", ReferencedID: 0, RelationshipType: "x"}}
	mustCreateEvent(t, s, f.a, e)
	created := e.Timestamp

	s.Clock.Advance(60)
	wantErr(t, "SetPublished(true)", s.Events.SetPublished(ctx, f.a, int64(e.ID), true), nil)
	got := mustFindEvent(t, s, f.a, e.ID)
	publishedAt := misp.Int(s.Clock.Unix())
	if !got.Published || got.PublishTimestamp != publishedAt || got.Timestamp != created {
		t.Errorf("after publish: published %t at %d, timestamp %d; want true at %d, %d",
			got.Published, got.PublishTimestamp, got.Timestamp, publishedAt, created)
	}
	s.Clock.Advance(60)
	wantErr(t, "SetPublished(false)", s.Events.SetPublished(ctx, f.a, int64(e.ID), false), nil)
	got = mustFindEvent(t, s, f.a, e.ID)
	if got.Published || got.PublishTimestamp != publishedAt {
		t.Errorf("after unpublish: published %t at %d; want false at %d", got.Published, got.PublishTimestamp, publishedAt)
	}
	wantErr(t, "SetPublished(999)", s.Events.SetPublished(ctx, f.a, 999, true), misp.ErrNotFound)

	wantErr(t, "DeleteEvent()", s.Events.DeleteEvent(ctx, f.a2, int64(e.ID)), nil)
	_, err := s.Events.FindEventByID(ctx, f.admin, int64(e.ID), misp.EventViewOptions{})
	wantErr(t, "FindEventByID(deleted)", err, misp.ErrNotFound)
	_, err = s.Attributes.FindAttributeByID(ctx, f.admin, int64(e.Attribute[0].ID), true)
	wantErr(t, "FindAttributeByID(of deleted event)", err, misp.ErrNotFound)
	_, err = s.Objects.FindObjectByID(ctx, f.admin, int64(e.Object[0].ID), true)
	wantErr(t, "FindObjectByID(of deleted event)", err, misp.ErrNotFound)
	wantErr(t, "DeleteEvent(again)", s.Events.DeleteEvent(ctx, f.a, int64(e.ID)), misp.ErrNotFound)

	// The uuid is free again (MISP would blocklist it; that is not the store's job).
	again := newEvent("again")
	again.UUID = e.UUID
	mustCreateEvent(t, s, f.a, again)
	if again.ID == e.ID {
		t.Errorf("a hard-deleted event id was reused")
	}
}
