package storetest

import (
	"errors"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

func testObjects(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	target := newAttr("ip-dst", "Network activity", "192.0.2.1")
	e := newEvent("objects", target)
	mustCreateEvent(t, s, f.a, e)
	foreign := mustCreateEvent(t, s, f.a, newEvent("foreign", newAttr("domain", "Network activity", "f.test")))

	republish(t, s, f.a, e.ID)
	first := misp.MicroTime(1700000000000000)
	o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"),
		newObjectAttr("md5", "md5", "Payload delivery", "0123456789abcdef0123456789abcdef"))
	o.FirstSeen, o.Comment = &first, "dropped"
	o.Attribute[0].Tag = []*misp.AttachedTag{{Name: "on-object-attribute"}}
	o.ObjectReference = []*misp.ObjectReference{{ReferencedUUID: target.UUID, RelationshipType: "connects-to"}}
	if err := s.Objects.CreateObject(ctx, f.a, int64(e.ID), o, true); err != nil {
		t.Fatalf("CreateObject() = %v", err)
	}
	now := misp.Int(s.Clock.Unix())
	if o.ID == 0 || o.EventID != e.ID || o.Timestamp != now || o.Attribute[1].ObjectID != o.ID || o.ObjectReference[0].ID == 0 {
		t.Errorf("CreateObject() set id %d, event %d, timestamp %d, attribute object_id %d, reference id %d",
			o.ID, o.EventID, o.Timestamp, o.Attribute[1].ObjectID, o.ObjectReference[0].ID)
	}
	checkTouched(t, s, f.a, e.ID, "CreateObject", 3)

	tag, err := s.Tags.FindTagByName(ctx, "on-object-attribute")
	if err != nil {
		t.Fatal(err)
	}
	want := *o
	want.Attribute = []*misp.Attribute{ptr(*o.Attribute[0]), o.Attribute[1]}
	want.Attribute[0].Tag = []*misp.AttachedTag{tag.Attach(false, nil)}
	want.ObjectReference = []*misp.ObjectReference{{ID: o.ObjectReference[0].ID, UUID: o.ObjectReference[0].UUID,
		Timestamp: now, ObjectID: o.ID, EventID: e.ID, ReferencedUUID: target.UUID, ReferencedID: target.ID,
		ReferencedType: misp.ReferencedAttribute, RelationshipType: "connects-to", ObjectUUID: o.UUID}}
	for _, find := range []func() (*misp.Object, error){
		func() (*misp.Object, error) { return s.Objects.FindObjectByID(ctx, f.a, int64(o.ID), false) },
		func() (*misp.Object, error) { return s.Objects.FindObjectByUUID(ctx, f.a2, upper(o.UUID), true) },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find object = %v", err)
		}
		if d := diff(&want, got); d != "" {
			t.Errorf("find object (-want +got):\n%s", d)
		}
	}
	_, err = s.Objects.FindObjectByID(ctx, f.a, 999, true)
	wantErr(t, "FindObjectByID(999)", err, misp.ErrNotFound)

	dup := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.exe"))
	dup.UUID = o.UUID
	wantErr(t, "CreateObject(uuid taken)", s.Objects.CreateObject(ctx, f.a, int64(e.ID), dup, false), misp.ErrConflict)
	wantErr(t, "CreateObject(unknown event)", s.Objects.CreateObject(ctx, f.a, 999, newObject(newAttr("x", "y", "z")), false), misp.ErrNotFound)

	// UpdateObject: the newer-timestamp rule, then a merge of attributes.
	for _, ts := range []misp.Int{now, now - 1} {
		u := want
		u.Timestamp, u.Comment = ts, "not applied"
		_, err := s.Objects.UpdateObject(ctx, f.a, &u, false)
		wantErr(t, "UpdateObject(not newer)", err, misp.ErrNotNewer)
	}
	republish(t, s, f.a, e.ID)
	changed := *o.Attribute[1]
	changed.Timestamp, changed.Comment, changed.Tag = 0, "edited", nil
	stale := *o.Attribute[0]
	stale.Timestamp, stale.Comment, stale.Tag = o.Attribute[0].Timestamp, "stale", nil
	u := &misp.Object{ID: o.ID, Name: "file", MetaCategory: "file", Comment: "updated", Distribution: misp.DistributionCommunity,
		Attribute: []*misp.Attribute{&stale, &changed,
			newObjectAttr("size-in-bytes", "size-in-bytes", "Other", "1024"),
			ptr(*foreign.Attribute[0])}, // an attribute of another event is ignored
		ObjectReference: []*misp.ObjectReference{{ReferencedUUID: target.UUID, RelationshipType: "related-to"}},
	}
	got, err := s.Objects.UpdateObject(ctx, f.a2, u, true)
	if err != nil {
		t.Fatalf("UpdateObject() = %v", err)
	}
	now = misp.Int(s.Clock.Unix())
	checkTouched(t, s, f.a, e.ID, "UpdateObject", 4)
	if got.Comment != "updated" || got.Timestamp != now || got.UUID != o.UUID || got.Distribution != misp.DistributionCommunity ||
		got.TemplateUUID != "" || got.FirstSeen != nil {
		t.Errorf("UpdateObject() object fields = %+v", got)
	}
	var comments []string
	for _, a := range got.Attribute {
		comments = append(comments, a.Value+":"+a.Comment)
	}
	if d := diff([]string{"a.exe:", "0123456789abcdef0123456789abcdef:edited", "1024:"}, comments); d != "" {
		t.Errorf("UpdateObject() attributes (-want +got):\n%s", d)
	}
	if len(got.ObjectReference) != 2 {
		t.Errorf("UpdateObject() references = %d, want 2", len(got.ObjectReference))
	}
	if fa := mustFindAttribute(t, s, f.a, foreign.Attribute[0].ID); fa.ObjectID != 0 || fa.EventID != foreign.ID {
		t.Errorf("foreign attribute moved: %+v", fa)
	}
	missing := *u
	missing.ID = 999
	_, err = s.Objects.UpdateObject(ctx, f.a, &missing, false)
	wantErr(t, "UpdateObject(999)", err, misp.ErrNotFound)
}

func testObjectDelete(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"),
		newObjectAttr("md5", "md5", "Payload delivery", "0123456789abcdef0123456789abcdef"))
	o2 := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.exe"))
	o.UUID, o.Attribute[0].UUID = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"
	o2.ObjectReference = []*misp.ObjectReference{
		{ReferencedUUID: o.UUID, RelationshipType: "to-object"},
		{ReferencedUUID: o.Attribute[0].UUID, RelationshipType: "to-attribute"},
	}
	o.ObjectReference = []*misp.ObjectReference{{ReferencedUUID: "aaaaaaaa-0000-4000-8000-000000000003", RelationshipType: "own"}}
	o2.UUID = "aaaaaaaa-0000-4000-8000-000000000003"
	e := newEvent("delete objects", newAttr("ip-dst", "Network activity", "192.0.2.1"))
	e.Object = []*misp.Object{o, o2}
	mustCreateEvent(t, s, f.a, e)
	refs := mustFindEvent(t, s, f.a, e.ID).Object[1].ObjectReference
	if len(refs) != 2 {
		t.Fatalf("references of o2 = %d, want 2", len(refs))
	}

	republish(t, s, f.a, e.ID)
	wantErr(t, "DeleteObject(soft)", s.Objects.DeleteObject(ctx, f.a, int64(o.ID), false), nil)
	checkTouched(t, s, f.a, e.ID, "soft delete", 2)
	_, err := s.Objects.FindObjectByID(ctx, f.a, int64(o.ID), false)
	wantErr(t, "FindObjectByID(soft-deleted, deleted=false)", err, misp.ErrNotFound)
	got, err := s.Objects.FindObjectByID(ctx, f.a, int64(o.ID), true)
	if err != nil {
		t.Fatalf("FindObjectByID(soft-deleted, deleted=true) = %v", err)
	}
	now := misp.Int(s.Clock.Unix())
	if !got.Deleted || got.Timestamp != now || len(got.Attribute) != 2 {
		t.Fatalf("soft-deleted object: deleted %t, timestamp %d, %d attributes", got.Deleted, got.Timestamp, len(got.Attribute))
	}
	for _, a := range got.Attribute {
		if !a.Deleted || a.Timestamp != now {
			t.Errorf("attribute %q of the deleted object: deleted %t, timestamp %d", a.Value, a.Deleted, a.Timestamp)
		}
	}
	for _, r := range refs {
		got, err := s.Objects.FindObjectReferenceByID(ctx, f.a, int64(r.ID))
		if err != nil || !got.Deleted {
			t.Errorf("reference %q to the deleted object = %+v, %v; want deleted", r.RelationshipType, got, err)
		}
	}
	if ev := mustFindEvent(t, s, f.a, e.ID); len(ev.Object) != 1 {
		t.Errorf("event shows %d objects, want 1", len(ev.Object))
	}

	republish(t, s, f.a, e.ID)
	wantErr(t, "DeleteObject(hard)", s.Objects.DeleteObject(ctx, f.a, int64(o.ID), true), nil)
	checkTouched(t, s, f.a, e.ID, "hard delete", 2)
	_, err = s.Objects.FindObjectByID(ctx, f.admin, int64(o.ID), true)
	wantErr(t, "FindObjectByID(hard-deleted)", err, misp.ErrNotFound)
	_, err = s.Attributes.FindAttributeByUUID(ctx, f.admin, o.Attribute[0].UUID, true)
	wantErr(t, "FindAttributeByUUID(attribute of hard-deleted object)", err, misp.ErrNotFound)
	for _, r := range append(refs, o.ObjectReference...) {
		_, err := s.Objects.FindObjectReferenceByID(ctx, f.a, int64(r.ID))
		wantErr(t, "FindObjectReferenceByID("+r.RelationshipType+")", err, misp.ErrNotFound)
	}
	wantErr(t, "DeleteObject(again)", s.Objects.DeleteObject(ctx, f.a, int64(o.ID), true), misp.ErrNotFound)

	wantErr(t, "DeleteObject(hard, live)", s.Objects.DeleteObject(ctx, f.a, int64(o2.ID), true), nil)
	if ev := mustFindEvent(t, s, f.a, e.ID); len(ev.Object) != 0 || ev.AttributeCount != 1 {
		t.Errorf("after deleting both objects: %d objects, count %d; want 0, 1", len(ev.Object), ev.AttributeCount)
	}
}

func testObjectReferences(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	target := newAttr("ip-dst", "Network activity", "192.0.2.1")
	o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))
	o2 := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.exe"))
	e := newEvent("references", target)
	e.Object = []*misp.Object{o, o2}
	mustCreateEvent(t, s, f.a, e)
	foreign := mustCreateEvent(t, s, f.a, newEvent("foreign", newAttr("domain", "Network activity", "f.test")))

	republish(t, s, f.a, e.ID)
	byUUID := &misp.ObjectReference{ObjectID: o.ID, UUID: "bbbbbbbb-0000-4000-8000-000000000001",
		ReferencedUUID: upper(target.UUID), RelationshipType: "connects-to", Comment: "c"}
	if err := s.Objects.CreateObjectReference(ctx, f.a, byUUID); err != nil {
		t.Fatalf("CreateObjectReference(by uuid) = %v", err)
	}
	checkTouched(t, s, f.a, e.ID, "CreateObjectReference", 3)
	now := misp.Int(s.Clock.Unix())
	want := &misp.ObjectReference{ID: byUUID.ID, UUID: byUUID.UUID, Timestamp: now, ObjectID: o.ID, EventID: e.ID,
		ReferencedUUID: target.UUID, ReferencedID: target.ID, ReferencedType: misp.ReferencedAttribute,
		RelationshipType: "connects-to", Comment: "c", ObjectUUID: o.UUID}
	if byUUID.UUID == "bbbbbbbb-0000-4000-8000-000000000001" || !misp.IsUUID(byUUID.UUID) {
		t.Errorf("CreateObjectReference() kept the given uuid %q, want a new one", byUUID.UUID)
	}
	got, err := s.Objects.FindObjectReferenceByID(ctx, f.a2, int64(byUUID.ID))
	if err != nil {
		t.Fatalf("FindObjectReferenceByID() = %v", err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("FindObjectReferenceByID() (-want +got):\n%s", d)
	}
	got, err = s.Objects.FindObjectReferenceByUUID(ctx, f.a2, upper(byUUID.UUID))
	if err != nil {
		t.Fatalf("FindObjectReferenceByUUID() = %v", err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("FindObjectReferenceByUUID() (-want +got):\n%s", d)
	}
	_, err = s.Objects.FindObjectReferenceByUUID(ctx, f.a, target.UUID)
	wantErr(t, "FindObjectReferenceByUUID(an attribute's uuid)", err, misp.ErrNotFound)

	byID := &misp.ObjectReference{ObjectID: o.ID, ReferencedID: o2.ID, ReferencedType: misp.ReferencedObject, RelationshipType: "drops"}
	if err := s.Objects.CreateObjectReference(ctx, f.a, byID); err != nil {
		t.Fatalf("CreateObjectReference(by id) = %v", err)
	}
	if byID.ReferencedUUID != o2.UUID || byID.ReferencedType != misp.ReferencedObject {
		t.Errorf("CreateObjectReference(by id) resolved to %q type %d, want %q type 1", byID.ReferencedUUID, byID.ReferencedType, o2.UUID)
	}
	bad := []struct {
		name string
		r    *misp.ObjectReference
		want error
	}{
		{"unknown target", &misp.ObjectReference{ObjectID: o.ID, ReferencedUUID: misp.NewUUID(), RelationshipType: "x"}, misp.ErrInvalid},
		{"target in another event", &misp.ObjectReference{ObjectID: o.ID, ReferencedUUID: foreign.Attribute[0].UUID, RelationshipType: "x"}, misp.ErrInvalid},
		{"target id in another event", &misp.ObjectReference{ObjectID: o.ID, ReferencedID: foreign.Attribute[0].ID, ReferencedType: misp.ReferencedAttribute, RelationshipType: "x"}, misp.ErrInvalid},
		{"unknown source object", &misp.ObjectReference{ObjectID: 999, ReferencedUUID: target.UUID, RelationshipType: "x"}, misp.ErrNotFound},
	}
	for _, c := range bad {
		wantErr(t, "CreateObjectReference("+c.name+")", s.Objects.CreateObjectReference(ctx, f.a, c.r), c.want)
	}

	republish(t, s, f.a, e.ID)
	wantErr(t, "DeleteObjectReference(soft)", s.Objects.DeleteObjectReference(ctx, f.a, int64(byUUID.ID), false), nil)
	checkTouched(t, s, f.a, e.ID, "soft delete reference", 3)
	got, err = s.Objects.FindObjectReferenceByID(ctx, f.a, int64(byUUID.ID))
	if err != nil || !got.Deleted || got.Timestamp != misp.Int(s.Clock.Unix()) {
		t.Errorf("soft-deleted reference = %+v, %v", got, err)
	}
	if got, err := s.Objects.FindObjectReferenceByUUID(ctx, f.a, byUUID.UUID); err != nil || !got.Deleted {
		t.Errorf("FindObjectReferenceByUUID(soft-deleted) = %+v, %v; want the deleted reference", got, err)
	}
	if ev := mustFindEvent(t, s, f.a, e.ID); len(ev.Object[0].ObjectReference) != 1 {
		t.Errorf("event shows %d references of the object, want 1 (the deleted one hidden)", len(ev.Object[0].ObjectReference))
	}
	wantErr(t, "DeleteObjectReference(hard)", s.Objects.DeleteObjectReference(ctx, f.a, int64(byUUID.ID), true), nil)
	_, err = s.Objects.FindObjectReferenceByID(ctx, f.a, int64(byUUID.ID))
	if !errors.Is(err, misp.ErrNotFound) {
		t.Errorf("FindObjectReferenceByID(hard-deleted) = %v, want ErrNotFound", err)
	}
	_, err = s.Objects.FindObjectReferenceByUUID(ctx, f.a, byUUID.UUID)
	wantErr(t, "FindObjectReferenceByUUID(hard-deleted)", err, misp.ErrNotFound)
	wantErr(t, "DeleteObjectReference(again)", s.Objects.DeleteObjectReference(ctx, f.a, int64(byUUID.ID), true), misp.ErrNotFound)
}
