package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// checkTouched verifies that the event was unpublished and stamped now,
// and its attribute_count.
func checkTouched(t *testing.T, s *Stores, actor *misp.Actor, id misp.Int, what string, wantCount misp.Int) {
	t.Helper()
	e := mustFindEvent(t, s, actor, id)
	if e.Published || e.Timestamp != misp.Int(s.Clock.Unix()) || e.AttributeCount != wantCount {
		t.Errorf("%s: event published %t, timestamp %d, attribute_count %d; want false, %d, %d",
			what, e.Published, e.Timestamp, e.AttributeCount, s.Clock.Unix(), wantCount)
	}
}

// republish publishes the event and advances the clock so that the next
// modification is observable.
func republish(t *testing.T, s *Stores, actor *misp.Actor, id misp.Int) {
	t.Helper()
	if err := s.Events.SetPublished(t.Context(), actor, int64(id), true); err != nil {
		t.Fatalf("SetPublished() = %v", err)
	}
	s.Clock.Advance(100)
}

func testAttributes(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	e := newEvent("attributes", newAttr("domain", "Network activity", "example.com"))
	e.Object = []*misp.Object{newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))}
	mustCreateEvent(t, s, f.a, e)
	other := mustCreateEvent(t, s, f.a, newEvent("other"))
	other.Object = nil

	republish(t, s, f.a, e.ID)
	first := misp.MicroTime(1700000000000000)
	a := newAttr("domain|ip", "Network activity", "evil.test|192.0.2.1")
	a.FirstSeen, a.Comment, a.ToIDS = &first, "c", true
	a.Tag = []*misp.AttachedTag{{Name: "tlp:red", Local: true}}
	if err := s.Attributes.CreateAttribute(ctx, f.a, int64(e.ID), a, true); err != nil {
		t.Fatalf("CreateAttribute() = %v", err)
	}
	if a.ID == 0 || a.EventID != e.ID || !misp.IsUUID(a.UUID) || a.Timestamp != misp.Int(s.Clock.Unix()) {
		t.Errorf("CreateAttribute() set id %d, event %d, uuid %q, timestamp %d", a.ID, a.EventID, a.UUID, a.Timestamp)
	}
	checkTouched(t, s, f.a, e.ID, "CreateAttribute", 3)
	red, err := s.Tags.FindTagByName(ctx, "tlp:red")
	if err != nil {
		t.Fatalf("FindTagByName(tlp:red) = %v", err)
	}
	want := *a
	want.Tag = []*misp.AttachedTag{red.Attach(true, nil)}
	for _, find := range []func() (*misp.Attribute, error){
		func() (*misp.Attribute, error) { return s.Attributes.FindAttributeByID(ctx, f.a, int64(a.ID), false) },
		func() (*misp.Attribute, error) {
			return s.Attributes.FindAttributeByUUID(ctx, f.a2, upper(a.UUID), false)
		},
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find attribute = %v", err)
		}
		if d := diff(&want, got); d != "" {
			t.Errorf("find attribute (-want +got):\n%s", d)
		}
	}

	inObject := newObjectAttr("md5", "md5", "Payload delivery", "0123456789abcdef0123456789abcdef")
	inObject.ObjectID = e.Object[0].ID
	creates := []struct {
		name string
		a    *misp.Attribute
		want error
	}{
		{"similar (case-insensitive)", newAttr("domain", "Network activity", "EXAMPLE.com"), misp.ErrInvalid},
		{"similar but deleted", func() *misp.Attribute {
			x := newAttr("domain", "Network activity", "example.com")
			x.Deleted = true
			return x
		}(), nil},
		{"uuid taken", func() *misp.Attribute {
			x := newAttr("domain", "Network activity", "unique.test")
			x.UUID = a.UUID
			return x
		}(), misp.ErrConflict},
		{"into an object", inObject, nil},
		{"into another event's object", func() *misp.Attribute {
			x := newObjectAttr("filename", "filename", "Payload delivery", "x.exe")
			x.ObjectID = 999
			return x
		}(), misp.ErrInvalid},
	}
	for _, c := range creates {
		wantErr(t, "CreateAttribute("+c.name+")", s.Attributes.CreateAttribute(ctx, f.a, int64(e.ID), c.a, false), c.want)
	}
	if inObject.ObjectID != e.Object[0].ID || inObject.ObjectRelation == nil {
		t.Errorf("object attribute: object_id %d, relation %v", inObject.ObjectID, inObject.ObjectRelation)
	}
	wantErr(t, "CreateAttribute(unknown event)", s.Attributes.CreateAttribute(ctx, f.a, 999, newAttr("domain", "Network activity", "x.test"), false), misp.ErrNotFound)

	lists := []struct {
		name string
		f    misp.AttributeFilter
		want int
	}{
		{"all visible", misp.AttributeFilter{}, 4},
		{"event", misp.AttributeFilter{EventID: int64(e.ID)}, 4},
		{"other event", misp.AttributeFilter{EventID: int64(other.ID)}, 0},
		{"deleted included", misp.AttributeFilter{Deleted: misp.DeletedInclude}, 5},
		{"deleted only", misp.AttributeFilter{Deleted: misp.DeletedOnly}, 1},
		{"page 2 of 2", misp.AttributeFilter{Limit: 3, Page: 2}, 1},
	}
	for _, l := range lists {
		got, err := s.Attributes.FindAttributes(ctx, f.a, l.f)
		if err != nil || len(got) != l.want {
			t.Errorf("FindAttributes(%s) = %d attributes, %v; want %d", l.name, len(got), err, l.want)
		}
	}
	all, err := s.Attributes.FindAttributes(ctx, f.a, misp.AttributeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].ID >= all[i].ID {
			t.Errorf("FindAttributes() not ordered by id: %d before %d", all[i-1].ID, all[i].ID)
		}
	}
	if d := diff(&want, all[2]); d != "" {
		t.Errorf("FindAttributes() entry (-want +got):\n%s", d)
	}

	// Updates: the newer-timestamp rule, value split, unpublishing.
	stored := a.Timestamp
	for _, ts := range []misp.Int{stored, stored - 1} {
		u := want
		u.Timestamp, u.Comment = ts, "not applied"
		wantErr(t, "UpdateAttribute(not newer)", s.Attributes.UpdateAttribute(ctx, f.a, &u, false), misp.ErrNotNewer)
	}
	republish(t, s, f.a, e.ID)
	u := want
	u.Timestamp, u.Value, u.Comment, u.ToIDS, u.FirstSeen = 0, "evil.test|198.51.100.1", "edited", false, nil
	u.UUID = "ignored"
	if err := s.Attributes.UpdateAttribute(ctx, f.a2, &u, false); err != nil {
		t.Fatalf("UpdateAttribute() = %v", err)
	}
	checkTouched(t, s, f.a, e.ID, "UpdateAttribute", 4)
	got := mustFindAttribute(t, s, f.a, a.ID)
	want2 := u
	want2.UUID, want2.Timestamp = a.UUID, misp.Int(s.Clock.Unix())
	if d := diff(&want2, got); d != "" {
		t.Errorf("updated attribute (-want +got):\n%s", d)
	}
	if events, _, err := s.Events.FindEvents(ctx, f.a, misp.EventFilter{Value: "198.51.100.1"}); err != nil || len(events) != 1 {
		t.Errorf("FindEvents(new value half) = %d events, %v; want 1", len(events), err)
	}
	similar := *got
	similar.Value, similar.Type, similar.Timestamp = "example.com", "domain", 0
	wantErr(t, "UpdateAttribute(similar to another)", s.Attributes.UpdateAttribute(ctx, f.a, &similar, false), misp.ErrInvalid)
	missing := *got
	missing.ID = 999
	wantErr(t, "UpdateAttribute(999)", s.Attributes.UpdateAttribute(ctx, f.a, &missing, false), misp.ErrNotFound)
	_, err = s.Attributes.FindAttributeByID(ctx, f.a, 999, true)
	wantErr(t, "FindAttributeByID(999)", err, misp.ErrNotFound)
}

// testAttributeEditTags checks the tags of UpdateAttribute: merged into
// the attribute's tags in the same transaction as its fields.
func testAttributeEditTags(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	a := newAttr("ip-dst", "Network activity", "192.0.2.1")
	a.Tag = []*misp.AttachedTag{{Name: "keep"}, {Name: "old"}}
	e := mustCreateEvent(t, s, f.a, newEvent("edit tags", a))
	known := mustCreateTag(t, s, "known")

	// edit applies the comment and tags to a copy of the stored attribute.
	edit := func(comment string, tags []*misp.AttachedTag, createTags bool) error {
		t.Helper()
		u := *mustFindAttribute(t, s, f.a, a.ID)
		u.Timestamp, u.Comment, u.Tag = 0, comment, tags
		return s.Attributes.UpdateAttribute(ctx, f.a2, &u, createTags)
	}
	// check verifies the attribute's comment and tags (name:local:relationship).
	check := func(what, wantComment string, wantTags ...string) {
		t.Helper()
		got := mustFindAttribute(t, s, f.a, a.ID)
		var tags []string
		for _, tag := range got.Tag {
			rel := ""
			if tag.RelationshipType != nil {
				rel = *tag.RelationshipType
			}
			tags = append(tags, fmt.Sprintf("%s:%t:%s", tag.Name, tag.Local, rel))
		}
		if got.Comment != wantComment {
			t.Errorf("%s: comment %q, want %q", what, got.Comment, wantComment)
		}
		if d := diff(wantTags, tags); d != "" {
			t.Errorf("%s: tags (-want +got):\n%s", what, d)
		}
	}

	republish(t, s, f.a, e.ID)
	err := edit("attach and detach", []*misp.AttachedTag{
		{Name: "KNOWN", Local: true, RelationshipType: ptr("related-to")},
		{Name: "old", Deleted: true},
		{Name: "never-attached", Deleted: true},
		{Name: "unknown"},
	}, false)
	wantErr(t, "UpdateAttribute(tags, createTags=false)", err, nil)
	checkTouched(t, s, f.a, e.ID, "UpdateAttribute(tags)", 1)
	check("createTags=false", "attach and detach", "keep:false:", "known:true:related-to")
	for _, name := range []string{"unknown", "never-attached"} {
		_, err := s.Tags.FindTagByName(ctx, name)
		wantErr(t, "FindTagByName("+name+") after createTags=false", err, misp.ErrNotFound)
	}
	if got, err := s.Tags.FindTagByID(ctx, int64(known.ID)); err != nil || got.Name != "known" {
		t.Errorf("FindTagByID(known) = %+v, %v", got, err)
	}

	republish(t, s, f.a, e.ID)
	err = edit("create", []*misp.AttachedTag{{Name: "new:tag"}, {Name: "ghost", Deleted: true}, {Name: "known"}}, true)
	wantErr(t, "UpdateAttribute(tags, createTags=true)", err, nil)
	checkTouched(t, s, f.a, e.ID, "UpdateAttribute(new tag)", 1)
	check("createTags=true", "create", "keep:false:", "known:true:related-to", "new:tag:false:")
	_, err = s.Tags.FindTagByName(ctx, "ghost")
	wantErr(t, "FindTagByName(ghost): an unknown tag listed as deleted", err, misp.ErrNotFound)

	// Atomic: a tag that cannot be created fails the edit after the
	// attribute row was written, and nothing of the edit remains.
	republish(t, s, f.a, e.ID)
	before := mustFindAttribute(t, s, f.a, a.ID)
	err = edit("lost", []*misp.AttachedTag{{Name: "keep", Deleted: true}, {Name: strings.Repeat("x", 300)}}, true)
	wantErr(t, "UpdateAttribute(uncreatable tag)", err, misp.ErrInvalid)
	if d := diff(before, mustFindAttribute(t, s, f.a, a.ID)); d != "" {
		t.Errorf("attribute after a failed edit (-before +after):\n%s", d)
	}
	if got := mustFindEvent(t, s, f.a, e.ID); !got.Published || got.Timestamp == misp.Int(s.Clock.Unix()) {
		t.Errorf("event after a failed edit: published %t, timestamp %d; want published, not bumped", got.Published, got.Timestamp)
	}
}

func testAttributeDelete(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	target := newAttr("ip-dst", "Network activity", "192.0.2.1")
	target.Tag = []*misp.AttachedTag{{Name: "t"}}
	other := newAttr("ip-dst", "Network activity", "192.0.2.2")
	o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))
	e := newEvent("delete", target, other)
	e.Object = []*misp.Object{o}
	o.ObjectReference = []*misp.ObjectReference{{RelationshipType: "a"}, {RelationshipType: "b"}}
	mustCreateEvent(t, s, f.a, e)
	refs := mustFindEvent(t, s, f.a, e.ID).Object[0].ObjectReference
	if len(refs) != 0 {
		t.Fatalf("references without a target were kept: %v", refs)
	}
	for _, x := range []*misp.Attribute{target, other} {
		r := &misp.ObjectReference{ObjectID: o.ID, ReferencedUUID: x.UUID, RelationshipType: "related-to"}
		if err := s.Objects.CreateObjectReference(ctx, f.a, r); err != nil {
			t.Fatalf("CreateObjectReference() = %v", err)
		}
		refs = append(refs, r)
	}

	republish(t, s, f.a, e.ID)
	wantErr(t, "DeleteAttribute(soft)", s.Attributes.DeleteAttribute(ctx, f.a, int64(target.ID), false), nil)
	checkTouched(t, s, f.a, e.ID, "soft delete", 2)
	_, err := s.Attributes.FindAttributeByID(ctx, f.a, int64(target.ID), false)
	wantErr(t, "FindAttributeByID(soft-deleted, deleted=false)", err, misp.ErrNotFound)
	got := mustFindAttribute(t, s, f.a, target.ID)
	if !got.Deleted || got.Timestamp != misp.Int(s.Clock.Unix()) || len(got.Tag) != 1 {
		t.Errorf("soft-deleted attribute: deleted %t, timestamp %d, %d tags", got.Deleted, got.Timestamp, len(got.Tag))
	}
	r0, err := s.Objects.FindObjectReferenceByID(ctx, f.a, int64(refs[0].ID))
	if err != nil || !r0.Deleted || r0.Timestamp != misp.Int(s.Clock.Unix()) {
		t.Errorf("reference to the soft-deleted attribute = %+v, %v; want deleted now", r0, err)
	}
	if r1, err := s.Objects.FindObjectReferenceByID(ctx, f.a, int64(refs[1].ID)); err != nil || r1.Deleted {
		t.Errorf("reference to another attribute = %+v, %v; want live", r1, err)
	}

	republish(t, s, f.a, e.ID)
	wantErr(t, "RestoreAttribute()", s.Attributes.RestoreAttribute(ctx, f.a, int64(target.ID)), nil)
	checkTouched(t, s, f.a, e.ID, "restore", 3)
	if got := mustFindAttribute(t, s, f.a, target.ID); got.Deleted {
		t.Errorf("restored attribute still deleted")
	}
	wantErr(t, "RestoreAttribute(live)", s.Attributes.RestoreAttribute(ctx, f.a, int64(target.ID)), nil)
	wantErr(t, "RestoreAttribute(999)", s.Attributes.RestoreAttribute(ctx, f.a, 999), misp.ErrNotFound)

	republish(t, s, f.a, e.ID)
	wantErr(t, "DeleteAttribute(hard)", s.Attributes.DeleteAttribute(ctx, f.a, int64(other.ID), true), nil)
	checkTouched(t, s, f.a, e.ID, "hard delete", 2)
	_, err = s.Attributes.FindAttributeByID(ctx, f.admin, int64(other.ID), true)
	wantErr(t, "FindAttributeByID(hard-deleted)", err, misp.ErrNotFound)
	_, err = s.Objects.FindObjectReferenceByID(ctx, f.a, int64(refs[1].ID))
	wantErr(t, "FindObjectReferenceByID(to hard-deleted attribute)", err, misp.ErrNotFound)
	wantErr(t, "DeleteAttribute(hard, again)", s.Attributes.DeleteAttribute(ctx, f.a, int64(other.ID), true), misp.ErrNotFound)

	// A soft-deleted attribute can still be hard-deleted, with its tags.
	wantErr(t, "DeleteAttribute(soft)", s.Attributes.DeleteAttribute(ctx, f.a, int64(target.ID), false), nil)
	wantErr(t, "DeleteAttribute(hard after soft)", s.Attributes.DeleteAttribute(ctx, f.a, int64(target.ID), true), nil)
	all, err := s.Attributes.FindAttributes(ctx, f.admin, misp.AttributeFilter{Deleted: misp.DeletedInclude})
	if err != nil || len(all) != 1 {
		t.Errorf("FindAttributes(deleted included) = %d attributes, %v; want only the object's", len(all), err)
	}
	if got := mustFindEvent(t, s, f.a, e.ID); len(got.Attribute) != 0 || got.AttributeCount != 1 {
		t.Errorf("after deleting both: %d standalone attributes, count %d; want 0, 1", len(got.Attribute), got.AttributeCount)
	}
}
