package storetest

import (
	"errors"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

func testCreateEvent(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	first, last := misp.MicroTime(1717171717123456), misp.MicroTime(1717181717000001)
	ip := newAttr("ip-dst", "Network activity", "192.0.2.1")
	ip.FirstSeen, ip.LastSeen, ip.ToIDS, ip.Comment = &first, &last, true, "c2"
	composite := newAttr("domain|ip", "Network activity", "example.com|198.51.100.7")
	attachment := newAttr("attachment", "External analysis", "report.pdf")
	attachment.Data = "JVBERi0xLjQK"
	old := newAttr("comment", "Other", "kept timestamp")
	old.Timestamp = 1000
	old.UUID = "6A4DF1D6-4D57-4B43-8D53-C1E5A0D3F7A1"
	o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "evil.exe"),
		newObjectAttr("md5", "md5", "Payload delivery", "0123456789abcdef0123456789abcdef"))
	o.Comment = "dropped"

	e := newEvent("  create me", ip, composite, attachment, old)
	e.Info = "create me"
	e.Object = []*misp.Object{o}
	e.Distribution = misp.DistributionCommunity
	e.Analysis = misp.AnalysisOngoing
	e.ThreatLevelID = misp.ThreatLevelHigh
	e.ExtendsUUID = "c99506a6-1255-4b71-afa5-7b8ba48c3b1b"
	e.Protected = ptr(misp.Bool(false))
	e.OrgcID = f.orgB.ID // ignored: a plain user creates for its own org
	mustCreateEvent(t, s, f.a, e)

	now := misp.Int(s.Clock.Unix())
	if e.ID == 0 || !misp.IsUUID(e.UUID) {
		t.Fatalf("CreateEvent() set id %d, uuid %q", e.ID, e.UUID)
	}
	if e.OrgID != f.orgA.ID || e.OrgcID != f.orgA.ID || e.UserID != f.userA.ID || e.Timestamp != now {
		t.Errorf("CreateEvent() set org %d, orgc %d, user %d, timestamp %d; want %d, %d, %d, %d",
			e.OrgID, e.OrgcID, e.UserID, e.Timestamp, f.orgA.ID, f.orgA.ID, f.userA.ID, now)
	}
	if e.AttributeCount != 6 {
		t.Errorf("attribute_count = %d, want 6", e.AttributeCount)
	}
	for _, a := range append(append([]*misp.Attribute(nil), e.Attribute...), o.Attribute...) {
		if a.ID == 0 || a.EventID != e.ID || !misp.IsUUID(a.UUID) {
			t.Errorf("attribute %q: id %d, event %d, uuid %q", a.Value, a.ID, a.EventID, a.UUID)
		}
	}
	if old.Timestamp != 1000 || ip.Timestamp != now || old.UUID != "6a4df1d6-4d57-4b43-8d53-c1e5a0d3f7a1" {
		t.Errorf("timestamps %d, %d (want 1000, %d), uuid %q (want lower case)", old.Timestamp, ip.Timestamp, now, old.UUID)
	}
	if o.ID == 0 || o.EventID != e.ID || o.Timestamp != now || o.Attribute[0].ObjectID != o.ID {
		t.Errorf("object: id %d, event %d, timestamp %d, attribute object_id %d", o.ID, o.EventID, o.Timestamp, o.Attribute[0].ObjectID)
	}

	for _, find := range []struct {
		name string
		fn   func() (*misp.Event, error)
	}{
		{"FindEventByID", func() (*misp.Event, error) {
			return s.Events.FindEventByID(ctx, f.a, int64(e.ID), misp.EventViewOptions{})
		}},
		{"FindEventByUUID", func() (*misp.Event, error) {
			return s.Events.FindEventByUUID(ctx, f.a2, e.UUID, misp.EventViewOptions{})
		}},
	} {
		got, err := find.fn()
		if err != nil {
			t.Fatalf("%s = %v", find.name, err)
		}
		want := *e
		want.Org = &misp.OrgRef{ID: f.orgA.ID, Name: f.orgA.Name, UUID: f.orgA.UUID, Local: true}
		want.Orgc = want.Org
		want.EventCreatorEmail = f.userA.Email // perm_audit user of the creator org
		if d := diff(&want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", find.name, d)
		}
	}

	// value1/value2 split: either half of a composite value is searchable.
	for _, v := range []string{"198.51.100.7", "example.com", "example.com|198.51.100.7"} {
		events, n, err := s.Events.FindEvents(ctx, f.a, misp.EventFilter{Value: v})
		if err != nil || n != 1 || len(events) != 1 {
			t.Errorf("FindEvents(value %q) = %d events, total %d, %v; want 1", v, len(events), n, err)
		}
	}
}

func testCreateEventOrgc(t *testing.T, s *Stores) {
	f := newFixture(t, s)
	cases := []struct {
		name     string
		actor    *misp.Actor
		orgc     misp.Int
		wantOrg  misp.Int
		wantOrgc misp.Int
	}{
		{"user without orgc", f.a, 0, f.orgA.ID, f.orgA.ID},
		{"user cannot create for another org", f.a, f.orgB.ID, f.orgA.ID, f.orgA.ID},
		{"site admin may", f.admin, f.orgB.ID, f.orgC.ID, f.orgB.ID},
		{"sync user may", f.syncB, f.orgA.ID, f.orgB.ID, f.orgA.ID},
	}
	for _, c := range cases {
		e := newEvent(c.name)
		e.OrgcID = c.orgc
		mustCreateEvent(t, s, c.actor, e)
		got := mustFindEvent(t, s, f.admin, e.ID)
		if got.OrgID != c.wantOrg || got.OrgcID != c.wantOrgc || got.UserID != c.actor.User.ID {
			t.Errorf("%s: org %d, orgc %d, user %d; want %d, %d, %d", c.name, got.OrgID, got.OrgcID,
				got.UserID, c.wantOrg, c.wantOrgc, c.actor.User.ID)
		}
		if got.Orgc.ID != c.wantOrgc || got.Org.ID != c.wantOrg {
			t.Errorf("%s: Org %+v, Orgc %+v", c.name, got.Org, got.Orgc)
		}
	}
	e := newEvent("unknown creator org")
	e.OrgcID = 999
	wantErr(t, "CreateEvent(unknown orgc)", s.Events.CreateEvent(t.Context(), f.admin, e, false), misp.ErrInvalid)
}

func testCreateEventConflicts(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	first := newEvent("first", newAttr("ip-dst", "Network activity", "192.0.2.1"))
	first.Object = []*misp.Object{newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))}
	mustCreateEvent(t, s, f.a, first)

	count := func() int64 {
		t.Helper()
		_, n, err := s.Events.FindEvents(ctx, f.admin, misp.EventFilter{})
		if err != nil {
			t.Fatalf("FindEvents() = %v", err)
		}
		return n
	}

	dup := newEvent("same uuid")
	dup.UUID = first.UUID
	err := s.Events.CreateEvent(ctx, f.b, dup, false)
	var ce *misp.ConflictError
	if !errors.As(err, &ce) || ce.What != "event" || ce.ID != int64(first.ID) || !errors.Is(err, misp.ErrConflict) {
		t.Errorf("CreateEvent(duplicate uuid) = %v, want ConflictError{event, %d}", err, first.ID)
	}

	mk := func(name string, mod func(e *misp.Event)) *misp.Event {
		e := newEvent(name, newAttr("ip-dst", "Network activity", "203.0.113.1"),
			newAttr("ip-dst", "Network activity", "203.0.113.2"))
		e.Tag = []*misp.AttachedTag{{Name: "would-be-created"}}
		mod(e)
		return e
	}
	stored := func(what string, id misp.Int, uuid string) *misp.ConflictError {
		return &misp.ConflictError{What: what, ID: int64(id), UUID: uuid}
	}
	cases := []struct {
		name  string
		actor *misp.Actor // nil: f.a
		e     *misp.Event
		want  *misp.ConflictError // nil: any ErrConflict
	}{
		{"2nd attribute reuses a stored attribute uuid", nil,
			mk("a", func(e *misp.Event) { e.Attribute[1].UUID = upper(first.Attribute[0].UUID) }),
			stored("attribute", first.Attribute[0].ID, first.Attribute[0].UUID)},
		{"attribute reuses the uuid of an invisible attribute", f.b,
			mk("a2", func(e *misp.Event) { e.Attribute[0].UUID = first.Attribute[0].UUID }),
			stored("attribute", first.Attribute[0].ID, first.Attribute[0].UUID)},
		{"two attributes share a uuid", nil, mk("b", func(e *misp.Event) {
			e.Attribute[0].UUID = "0f5b1e2c-1f0e-4c38-9f0b-8a1e2d3c4b5a"
			e.Attribute[1].UUID = "0f5b1e2c-1f0e-4c38-9f0b-8a1e2d3c4b5a"
		}), nil},
		{"object reuses a stored object uuid", nil, mk("c", func(e *misp.Event) {
			o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.exe"))
			o.UUID = first.Object[0].UUID
			e.Object = []*misp.Object{o}
		}), stored("object", first.Object[0].ID, first.Object[0].UUID)},
		{"object attribute reuses a stored uuid", nil, mk("d", func(e *misp.Event) {
			a := newObjectAttr("filename", "filename", "Payload delivery", "b.exe")
			a.UUID = first.Object[0].Attribute[0].UUID
			e.Object = []*misp.Object{newObject(a)}
		}), stored("attribute", first.Object[0].Attribute[0].ID, first.Object[0].Attribute[0].UUID)},
	}
	before := count()
	for _, c := range cases {
		actor := c.actor
		if actor == nil {
			actor = f.a
		}
		err := s.Events.CreateEvent(ctx, actor, c.e, true)
		wantErr(t, "CreateEvent("+c.name+")", err, misp.ErrConflict)
		if c.want != nil {
			var got *misp.ConflictError
			if !errors.As(err, &got) {
				t.Errorf("CreateEvent(%s) = %v, want %+v", c.name, err, c.want)
			} else if d := diff(c.want, got); d != "" {
				t.Errorf("CreateEvent(%s) conflict (-want +got):\n%s", c.name, d)
			}
		}
		// Atomic: nothing of the event is left behind.
		if _, err := s.Events.FindEventByUUID(ctx, f.admin, c.e.UUID, misp.EventViewOptions{}); !errors.Is(err, misp.ErrNotFound) {
			t.Errorf("%s: FindEventByUUID() = %v, want ErrNotFound", c.name, err)
		}
		if u := c.e.Attribute[0].UUID; u != "" && u != first.Attribute[0].UUID {
			if _, err := s.Attributes.FindAttributeByUUID(ctx, f.admin, u, true); !errors.Is(err, misp.ErrNotFound) {
				t.Errorf("%s: first attribute left behind (%v)", c.name, err)
			}
		}
		if _, err := s.Tags.FindTagByName(ctx, "would-be-created"); !errors.Is(err, misp.ErrNotFound) {
			t.Errorf("%s: tag created by a failed CreateEvent (%v)", c.name, err)
		}
	}
	if got := count(); got != before {
		t.Errorf("events after failed creates = %d, want %d", got, before)
	}
	attrs, err := s.Attributes.FindAttributes(ctx, f.admin, misp.AttributeFilter{Deleted: misp.DeletedInclude})
	if err != nil || len(attrs) != 2 {
		t.Errorf("FindAttributes() = %d attributes, %v; want the 2 of the first event", len(attrs), err)
	}
}

func testCreateEventDuplicates(t *testing.T, s *Stores) {
	f := newFixture(t, s)
	deleted := newAttr("domain", "Network activity", "example.org")
	deleted.Deleted = true
	e := newEvent("dups",
		newAttr("domain", "Network activity", "example.org"),
		newAttr("domain", "Network activity", "EXAMPLE.org"),   // duplicate, case-insensitive
		newAttr("domain", "network activity", "example.org"),   // category compared case-insensitively
		newAttr("domain", "External analysis", "example.org"),  // other category: kept
		newAttr("hostname", "Network activity", "example.org"), // other type: kept
		deleted, // deleted ones are always kept
	)
	e.Object = []*misp.Object{newObject(newObjectAttr("domain", "domain", "Network activity", "example.org"))}
	mustCreateEvent(t, s, f.a, e)
	got := mustFindEvent(t, s, f.a, e.ID)
	if len(e.Attribute) != 4 || len(got.Attribute) != 3 || len(got.Object[0].Attribute) != 1 {
		t.Errorf("kept %d standalone attributes (returned %d live, %d in object), want 4 (3 live, 1)",
			len(e.Attribute), len(got.Attribute), len(got.Object[0].Attribute))
	}
	if got.AttributeCount != 4 {
		t.Errorf("attribute_count = %d, want 4", got.AttributeCount)
	}
	withDeleted, err := s.Events.FindEventByID(t.Context(), f.a, int64(e.ID), misp.EventViewOptions{Deleted: misp.DeletedInclude})
	if err != nil || len(withDeleted.Attribute) != 4 {
		t.Errorf("FindEventByID(deleted included) = %v; want 4 standalone attributes", err)
	}
}

func testCreateEventTags(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	green := mustCreateTag(t, s, "tlp:green")
	rel := ptr("classification")
	mk := func() *misp.Event {
		a := newAttr("url", "Network activity", "https://example.com/x")
		a.Tag = []*misp.AttachedTag{{Name: "TLP:GREEN", Local: true}, {Name: "new:attribute-tag"}}
		e := newEvent("tags", a)
		e.Tag = []*misp.AttachedTag{{Name: "Tlp:Green", RelationshipType: rel}, {Name: "new:event-tag", Local: true}}
		return e
	}

	e := mk()
	if err := s.Events.CreateEvent(ctx, f.a, e, false); err != nil {
		t.Fatalf("CreateEvent(createTags=false) = %v", err)
	}
	got := mustFindEvent(t, s, f.a, e.ID)
	if d := diff([]*misp.AttachedTag{green.Attach(false, rel)}, got.Tag); d != "" {
		t.Errorf("event tags without createTags (-want +got):\n%s", d)
	}
	if d := diff([]*misp.AttachedTag{green.Attach(true, nil)}, got.Attribute[0].Tag); d != "" {
		t.Errorf("attribute tags without createTags (-want +got):\n%s", d)
	}
	for _, name := range []string{"new:event-tag", "new:attribute-tag"} {
		_, err := s.Tags.FindTagByName(ctx, name)
		wantErr(t, "FindTagByName("+name+") after createTags=false", err, misp.ErrNotFound)
	}

	e = mk()
	if err := s.Events.CreateEvent(ctx, f.a, e, true); err != nil {
		t.Fatalf("CreateEvent(createTags=true) = %v", err)
	}
	got = mustFindEvent(t, s, f.a, e.ID)
	if d := diff([]string{"tlp:green", "new:event-tag"}, tagNames(got.Tag)); d != "" {
		t.Errorf("event tags with createTags (-want +got):\n%s", d)
	}
	if d := diff([]string{"tlp:green", "new:attribute-tag"}, tagNames(got.Attribute[0].Tag)); d != "" {
		t.Errorf("attribute tags with createTags (-want +got):\n%s", d)
	}
	created, err := s.Tags.FindTagByName(ctx, "new:event-tag")
	if err != nil {
		t.Fatalf("FindTagByName(created) = %v", err)
	}
	want := &misp.Tag{ID: created.ID, Name: "new:event-tag", Colour: misp.TagColour("new:event-tag"), Exportable: true}
	if d := diff(want, created); d != "" {
		t.Errorf("created tag (-want +got):\n%s", d)
	}
	if !got.Tag[1].Local || got.Tag[1].ID != created.ID {
		t.Errorf("created tag attached as %+v, want local link to tag %d", got.Tag[1], created.ID)
	}

	// Listings of one tag on a new attribute: the first wins, a deleted
	// one cancels the listings before it, a later one attaches it again.
	// Attributes of one event are tagged in one batch; the second
	// attribute's identical listings must not collide with the first's.
	a1 := newAttr("url", "Network activity", "https://example.com/batch-1")
	a1.Tag = []*misp.AttachedTag{{Name: "tlp:green"}, {Name: "TLP:GREEN", Local: true},
		{Name: "gone", Deleted: true}, {Name: "again"}, {Name: "again", Deleted: true}, {Name: "back", Local: true},
		{Name: "back", Deleted: true}, {Name: "back"}}
	a2 := newAttr("url", "Network activity", "https://example.com/batch-2")
	a2.Tag = []*misp.AttachedTag{{Name: "tlp:green", Local: true}, {Name: "again"}}
	e = newEvent("tag batch", a1, a2)
	if err := s.Events.CreateEvent(ctx, f.a, e, true); err != nil {
		t.Fatalf("CreateEvent(repeated tag listings) = %v", err)
	}
	got = mustFindEvent(t, s, f.a, e.ID)
	type link struct {
		Name  string
		Local bool
	}
	links := func(a *misp.Attribute) []link {
		var out []link
		for _, at := range a.Tag {
			out = append(out, link{at.Name, bool(at.Local)})
		}
		return out
	}
	if d := diff([]link{{"tlp:green", false}, {"back", false}}, links(got.Attribute[0])); d != "" {
		t.Errorf("first attribute's tags (-want +got):\n%s", d)
	}
	if d := diff([]link{{"tlp:green", true}, {"again", false}}, links(got.Attribute[1])); d != "" {
		t.Errorf("second attribute's tags (-want +got):\n%s", d)
	}
}

func testCreateEventReferences(t *testing.T, s *Stores) {
	f := newFixture(t, s)
	target := newAttr("ip-dst", "Network activity", "192.0.2.1")
	target.UUID = "11111111-1111-4111-8111-111111111111"
	o1 := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))
	o2 := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.exe"))
	o2.UUID = "22222222-2222-4222-8222-222222222222"
	o1.ObjectReference = []*misp.ObjectReference{
		{ReferencedUUID: target.UUID, RelationshipType: "communicates-with", Comment: "c2"},
		{ReferencedUUID: "22222222-2222-4222-8222-222222222222", RelationshipType: "drops", UUID: "33333333-3333-4333-8333-333333333333"},
		{ReferencedUUID: "44444444-4444-4444-8444-444444444444", RelationshipType: "unresolvable"},
	}
	e := newEvent("refs", target)
	e.Object = []*misp.Object{o1, o2}
	mustCreateEvent(t, s, f.a, e)

	got := mustFindEvent(t, s, f.a, e.ID)
	now := misp.Int(s.Clock.Unix())
	refs := got.Object[0].ObjectReference
	if len(refs) != 2 {
		t.Fatalf("object references = %d, want 2 (the unresolvable one skipped)", len(refs))
	}
	want := []*misp.ObjectReference{
		{ID: refs[0].ID, UUID: refs[0].UUID, Timestamp: now, ObjectID: o1.ID, EventID: e.ID,
			ReferencedUUID: target.UUID, ReferencedID: target.ID, ReferencedType: misp.ReferencedAttribute,
			RelationshipType: "communicates-with", Comment: "c2", ObjectUUID: o1.UUID},
		{ID: refs[1].ID, UUID: "33333333-3333-4333-8333-333333333333", Timestamp: now, ObjectID: o1.ID, EventID: e.ID,
			ReferencedUUID: o2.UUID, ReferencedID: o2.ID, ReferencedType: misp.ReferencedObject,
			RelationshipType: "drops", ObjectUUID: o1.UUID},
	}
	if d := diff(want, refs); d != "" {
		t.Errorf("references (-want +got):\n%s", d)
	}
	if refs[0].ID == 0 || !misp.IsUUID(refs[0].UUID) {
		t.Errorf("reference id %d, uuid %q", refs[0].ID, refs[0].UUID)
	}
	if len(got.Object[1].ObjectReference) != 0 {
		t.Errorf("second object has references %v, want none", got.Object[1].ObjectReference)
	}
}
