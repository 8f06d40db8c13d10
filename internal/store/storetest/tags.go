package storetest

import (
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

func testTags(t *testing.T, s *Stores) {
	ctx := t.Context()
	nv := misp.Int(50)
	amber := &misp.Tag{Name: "tlp:amber", Exportable: true, NumericalValue: &nv, LocalOnly: true}
	if err := amber.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.Tags.CreateTag(ctx, amber); err != nil {
		t.Fatalf("CreateTag() = %v", err)
	}
	if amber.ID == 0 {
		t.Errorf("CreateTag() left id 0")
	}
	green := mustCreateTag(t, s, "tlp:green")
	other := mustCreateTag(t, s, "osint:source-type=\"blog-post\"")
	wantErr(t, "CreateTag(name taken, other case)", s.Tags.CreateTag(ctx, &misp.Tag{Name: "TLP:AMBER", Colour: "#000000"}), misp.ErrConflict)

	for _, find := range []func() (*misp.Tag, error){
		func() (*misp.Tag, error) { return s.Tags.FindTagByID(ctx, int64(amber.ID)) },
		func() (*misp.Tag, error) { return s.Tags.FindTagByName(ctx, "TLP:Amber") },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find tag = %v", err)
		}
		if d := diff(amber, got); d != "" {
			t.Errorf("find tag (-want +got):\n%s", d)
		}
	}
	_, err := s.Tags.FindTagByID(ctx, 999)
	wantErr(t, "FindTagByID(999)", err, misp.ErrNotFound)
	_, err = s.Tags.FindTagByName(ctx, "tlp:red")
	wantErr(t, "FindTagByName(unknown)", err, misp.ErrNotFound)

	lists := []struct {
		f    misp.TagFilter
		want []string
	}{
		{misp.TagFilter{}, []string{other.Name, amber.Name, green.Name}},
		{misp.TagFilter{Names: []string{"TLP:%"}}, []string{amber.Name, green.Name}},
		{misp.TagFilter{Names: []string{"tlp:GREEN", "nothing"}}, []string{green.Name}},
		{misp.TagFilter{Limit: 1, Offset: 1}, []string{amber.Name}},
	}
	for _, l := range lists {
		tags, err := s.Tags.FindTags(ctx, l.f)
		if err != nil {
			t.Fatalf("FindTags(%+v) = %v", l.f, err)
		}
		var got []string
		for _, x := range tags {
			got = append(got, x.Name)
		}
		if d := diff(l.want, got); d != "" {
			t.Errorf("FindTags(%+v) (-want +got):\n%s", l.f, d)
		}
	}

	galaxy := `misp-galaxy:threat-actor="APT 28"`
	var noValue *int64
	upd, err := s.Tags.UpdateTag(ctx, int64(green.ID), misp.TagUpdate{Name: &galaxy, Colour: ptr("#123456"),
		HideTag: ptr(true), NumericalValue: &noValue, OrgID: ptr(int64(7))})
	if err != nil {
		t.Fatalf("UpdateTag() = %v", err)
	}
	want := *green
	want.Name, want.Colour, want.HideTag, want.IsGalaxy, want.OrgID = galaxy, "#123456", true, true, 7
	if d := diff(&want, upd); d != "" {
		t.Errorf("UpdateTag() (-want +got):\n%s", d)
	}
	if got, err := s.Tags.FindTagByID(ctx, int64(green.ID)); err != nil || diff(&want, got) != "" {
		t.Errorf("FindTagByID() after update = %+v, %v, want %+v", got, err, want)
	}
	value := ptr(int64(3))
	if upd, err := s.Tags.UpdateTag(ctx, int64(amber.ID), misp.TagUpdate{NumericalValue: &value}); err != nil ||
		upd.NumericalValue == nil || *upd.NumericalValue != 3 {
		t.Errorf("UpdateTag(numerical_value 3) = %+v, %v", upd, err)
	}
	_, err = s.Tags.UpdateTag(ctx, int64(amber.ID), misp.TagUpdate{Name: ptr("Misp-Galaxy:Threat-Actor=\"APT 28\"")})
	wantErr(t, "UpdateTag(name taken)", err, misp.ErrConflict)
	_, err = s.Tags.UpdateTag(ctx, int64(amber.ID), misp.TagUpdate{Colour: ptr("red")})
	wantErr(t, "UpdateTag(bad colour)", err, misp.ErrInvalid)
	_, err = s.Tags.UpdateTag(ctx, 999, misp.TagUpdate{})
	wantErr(t, "UpdateTag(999)", err, misp.ErrNotFound)

	// Deleting a tag removes its attachments.
	f := newFixture(t, s)
	e := newEvent("tagged", newAttr("ip-dst", "Network activity", "192.0.2.1"))
	mustCreateEvent(t, s, f.a, e)
	for _, attach := range []func() (bool, error){
		func() (bool, error) { return s.Tags.AttachEventTag(ctx, f.a, int64(e.ID), int64(amber.ID), false, nil) },
		func() (bool, error) {
			return s.Tags.AttachAttributeTag(ctx, f.a, int64(e.Attribute[0].ID), int64(amber.ID), true, nil)
		},
	} {
		if ok, err := attach(); !ok || err != nil {
			t.Fatalf("attach = %t, %v", ok, err)
		}
	}
	wantErr(t, "DeleteTag()", s.Tags.DeleteTag(ctx, int64(amber.ID)), nil)
	got := mustFindEvent(t, s, f.a, e.ID)
	if len(got.Tag) != 0 || len(got.Attribute[0].Tag) != 0 {
		t.Errorf("after DeleteTag, event tags %v, attribute tags %v, want none", tagNames(got.Tag), tagNames(got.Attribute[0].Tag))
	}
	wantErr(t, "DeleteTag(again)", s.Tags.DeleteTag(ctx, int64(amber.ID)), misp.ErrNotFound)
}

func testTagAttachments(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	global := mustCreateTag(t, s, "tlp:amber")
	local := mustCreateTag(t, s, "workflow:todo")
	e := newEvent("tag me", newAttr("domain", "Network activity", "example.com"))
	mustCreateEvent(t, s, f.a, e)
	attr := e.Attribute[0]
	publish := func() {
		t.Helper()
		if err := s.Events.SetPublished(ctx, f.a, int64(e.ID), true); err != nil {
			t.Fatalf("SetPublished() = %v", err)
		}
	}
	// check verifies the event's published flag and whether its timestamp
	// (and the attribute's) moved to the clock's current time.
	check := func(what string, wantPublished, wantBumped, wantAttrBumped bool) {
		t.Helper()
		got := mustFindEvent(t, s, f.a, e.ID)
		now := misp.Int(s.Clock.Unix())
		if bool(got.Published) != wantPublished || (got.Timestamp == now) != wantBumped {
			t.Errorf("%s: published %t, timestamp %d (now %d); want published %t, bumped %t",
				what, got.Published, got.Timestamp, now, wantPublished, wantBumped)
		}
		a := mustFindAttribute(t, s, f.a, attr.ID)
		if (a.Timestamp == now) != wantAttrBumped {
			t.Errorf("%s: attribute timestamp %d (now %d), want bumped %t", what, a.Timestamp, now, wantAttrBumped)
		}
	}
	rel := ptr("related-to")
	steps := []struct {
		name                     string
		do                       func() (bool, error)
		wantAdded                bool
		published, bumped, attrB bool
	}{
		{"attach local event tag", func() (bool, error) {
			return s.Tags.AttachEventTag(ctx, f.a, int64(e.ID), int64(local.ID), true, rel)
		}, true, true, false, false},
		{"attach global event tag", func() (bool, error) {
			return s.Tags.AttachEventTag(ctx, f.a, int64(e.ID), int64(global.ID), false, nil)
		}, true, false, true, false},
		{"re-attach global event tag", func() (bool, error) {
			return s.Tags.AttachEventTag(ctx, f.a, int64(e.ID), int64(global.ID), true, nil)
		}, false, true, false, false},
		{"detach local event tag", func() (bool, error) {
			return true, s.Tags.DetachEventTag(ctx, f.a, int64(e.ID), int64(local.ID))
		}, true, true, false, false},
		{"detach global event tag", func() (bool, error) {
			return true, s.Tags.DetachEventTag(ctx, f.a, int64(e.ID), int64(global.ID))
		}, true, false, true, false},
		{"attach local attribute tag", func() (bool, error) {
			return s.Tags.AttachAttributeTag(ctx, f.a, int64(attr.ID), int64(local.ID), true, nil)
		}, true, true, false, false},
		{"attach global attribute tag", func() (bool, error) {
			return s.Tags.AttachAttributeTag(ctx, f.a, int64(attr.ID), int64(global.ID), false, rel)
		}, true, false, true, true},
		{"re-attach global attribute tag", func() (bool, error) {
			return s.Tags.AttachAttributeTag(ctx, f.a, int64(attr.ID), int64(global.ID), false, nil)
		}, false, true, false, false},
		{"detach local attribute tag", func() (bool, error) {
			return true, s.Tags.DetachAttributeTag(ctx, f.a, int64(attr.ID), int64(local.ID))
		}, true, true, false, false},
		{"detach global attribute tag", func() (bool, error) {
			return true, s.Tags.DetachAttributeTag(ctx, f.a, int64(attr.ID), int64(global.ID))
		}, true, false, true, true},
	}
	for _, st := range steps {
		s.Clock.Advance(100)
		publish()
		s.Clock.Advance(100)
		added, err := st.do()
		if err != nil || added != st.wantAdded {
			t.Fatalf("%s = %t, %v, want %t", st.name, added, err, st.wantAdded)
		}
		check(st.name, st.published, st.bumped, st.attrB)
	}

	// Attachment fields and the tag list as returned in the event.
	if _, err := s.Tags.AttachEventTag(ctx, f.a, int64(e.ID), int64(local.ID), true, rel); err != nil {
		t.Fatal(err)
	}
	got := mustFindEvent(t, s, f.a, e.ID)
	wantTags := []*misp.AttachedTag{local.Attach(true, rel)}
	if d := diff(wantTags, got.Tag); d != "" {
		t.Errorf("event tags (-want +got):\n%s", d)
	}

	errs := []struct {
		name string
		err  func() error
	}{
		{"DetachEventTag(not attached)", func() error { return s.Tags.DetachEventTag(ctx, f.a, int64(e.ID), int64(global.ID)) }},
		{"DetachAttributeTag(not attached)", func() error {
			return s.Tags.DetachAttributeTag(ctx, f.a, int64(attr.ID), int64(global.ID))
		}},
		{"AttachEventTag(unknown tag)", func() error {
			_, err := s.Tags.AttachEventTag(ctx, f.a, int64(e.ID), 999, false, nil)
			return err
		}},
		{"AttachAttributeTag(unknown tag)", func() error {
			_, err := s.Tags.AttachAttributeTag(ctx, f.a, int64(attr.ID), 999, false, nil)
			return err
		}},
		{"AttachEventTag(unknown event)", func() error {
			_, err := s.Tags.AttachEventTag(ctx, f.a, 999, int64(global.ID), false, nil)
			return err
		}},
		{"AttachAttributeTag(unknown attribute)", func() error {
			_, err := s.Tags.AttachAttributeTag(ctx, f.a, 999, int64(global.ID), false, nil)
			return err
		}},
	}
	for _, c := range errs {
		wantErr(t, c.name, c.err(), misp.ErrNotFound)
	}
}
