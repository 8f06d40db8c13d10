package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// newSharingGroup returns a sharing group owned by owner with the given
// member organisations (extend false) and no servers.
func newSharingGroup(name string, owner *misp.Organisation, members ...*misp.Organisation) *misp.SharingGroup {
	g := &misp.SharingGroup{Name: name, Releasability: "testing", Active: true, Local: true,
		OrgID: owner.ID, OrganisationUUID: owner.UUID}
	for _, m := range members {
		g.SharingGroupOrg = append(g.SharingGroupOrg, &misp.SharingGroupOrg{OrgID: m.ID})
	}
	return g
}

func mustCreateSharingGroup(t *testing.T, s *Stores, g *misp.SharingGroup) *misp.SharingGroup {
	t.Helper()
	if err := s.SharingGroups.CreateSharingGroup(t.Context(), g); err != nil {
		t.Fatalf("CreateSharingGroup(%q) = %v", g.Name, err)
	}
	return g
}

func mustFindSharingGroup(t *testing.T, s *Stores, actor *misp.Actor, id misp.Int) *misp.SharingGroup {
	t.Helper()
	g, err := s.SharingGroups.FindSharingGroupByID(t.Context(), actor, int64(id))
	if err != nil {
		t.Fatalf("FindSharingGroupByID(%d) = %v", id, err)
	}
	return g
}

// sgNames returns the names of groups, in order.
func sgNames(groups []*misp.SharingGroup) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Name
	}
	return out
}

// memberOrgs returns the member organisation ids of g with their extend flags.
func memberOrgs(g *misp.SharingGroup) map[misp.Int]bool {
	out := map[misp.Int]bool{}
	for _, m := range g.SharingGroupOrg {
		out[m.OrgID] = bool(m.Extend)
	}
	return out
}

func testSharingGroups(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	g := newSharingGroup("Alpha Group", f.orgA, f.orgA)
	g.SharingGroupOrg[0].Extend = true
	g.Description, g.SyncUserID = "first", f.userA.ID
	g.SharingGroupServer = []*misp.SharingGroupServer{{ServerID: misp.LocalServerID}}
	mustCreateSharingGroup(t, s, g)
	if g.ID == 0 || !misp.IsUUID(g.UUID) || g.SharingGroupOrg[0].ID == 0 || g.SharingGroupServer[0].ID == 0 {
		t.Fatalf("CreateSharingGroup left ids or uuid unset: %+v", g)
	}
	if int64(g.Created) != s.Clock.Unix() || g.Modified != g.Created {
		t.Errorf("created, modified = %d, %d, want %d", g.Created, g.Modified, s.Clock.Unix())
	}

	want := &misp.SharingGroup{
		ID: g.ID, UUID: g.UUID, Name: "Alpha Group", Description: "first", Releasability: "testing",
		Local: true, Active: true, OrgID: f.orgA.ID, OrganisationUUID: f.orgA.UUID, SyncUserID: f.userA.ID,
		Created: g.Created, Modified: g.Created,
		Organisation: &misp.OrgRef{ID: f.orgA.ID, Name: f.orgA.Name, UUID: f.orgA.UUID, Local: true},
		SharingGroupOrg: []*misp.SharingGroupOrg{{ID: g.SharingGroupOrg[0].ID, SharingGroupID: g.ID, OrgID: f.orgA.ID, Extend: true,
			Organisation: &misp.OrgRef{ID: f.orgA.ID, Name: f.orgA.Name, UUID: f.orgA.UUID, Local: true}}},
		SharingGroupServer: []*misp.SharingGroupServer{{ID: g.SharingGroupServer[0].ID, SharingGroupID: g.ID, ServerID: 0}},
	}
	for _, actor := range []*misp.Actor{f.a, f.admin} {
		got, err := s.SharingGroups.FindSharingGroupByID(ctx, actor, int64(g.ID))
		if err != nil {
			t.Fatalf("FindSharingGroupByID(%d) = %v", g.ID, err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("FindSharingGroupByID(%d) as %s (-want +got):\n%s", g.ID, actor.User.Email, d)
		}
		got, err = s.SharingGroups.FindSharingGroupByUUID(ctx, actor, strings.ToUpper(g.UUID))
		if err != nil {
			t.Fatalf("FindSharingGroupByUUID(%s) = %v", g.UUID, err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("FindSharingGroupByUUID(%s) (-want +got):\n%s", g.UUID, d)
		}
	}
	// Org B is neither owner nor member: the group does not exist for it.
	for _, actor := range []*misp.Actor{f.b, f.syncB, nil} {
		_, err := s.SharingGroups.FindSharingGroupByID(ctx, actor, int64(g.ID))
		wantErr(t, "FindSharingGroupByID(other org)", err, misp.ErrNotFound)
		_, err = s.SharingGroups.FindSharingGroupByUUID(ctx, actor, g.UUID)
		wantErr(t, "FindSharingGroupByUUID(other org)", err, misp.ErrNotFound)
	}
	_, err := s.SharingGroups.FindSharingGroupByID(ctx, f.admin, int64(g.ID)+100)
	wantErr(t, "FindSharingGroupByID(missing)", err, misp.ErrNotFound)

	// Create errors.
	for _, tc := range []struct {
		name string
		g    *misp.SharingGroup
		want error
	}{
		{"name taken, other case", newSharingGroup("ALPHA group", f.orgA), misp.ErrConflict},
		{"uuid taken", func() *misp.SharingGroup {
			c := newSharingGroup("Other", f.orgA)
			c.UUID = strings.ToUpper(g.UUID)
			return c
		}(), misp.ErrConflict},
		{"unknown member", func() *misp.SharingGroup {
			c := newSharingGroup("Ghost member", f.orgA)
			c.SharingGroupOrg = []*misp.SharingGroupOrg{{OrgID: 9999}}
			return c
		}(), misp.ErrInvalid},
		{"unknown owner", newSharingGroup("Ghost owner", &misp.Organisation{ID: 9999}), misp.ErrInvalid},
	} {
		err := s.SharingGroups.CreateSharingGroup(ctx, tc.g)
		wantErr(t, "CreateSharingGroup("+tc.name+")", err, tc.want)
	}
	if _, err := s.SharingGroups.FindSharingGroupByUUID(ctx, f.admin, "Ghost member"); !errors.Is(err, misp.ErrNotFound) {
		t.Errorf("a failed create left something behind: %v", err)
	}

	// Update replaces the own fields only.
	s.Clock.Advance(10)
	upd := *mustFindSharingGroup(t, s, f.admin, g.ID)
	upd.Name, upd.Description, upd.Releasability, upd.Active, upd.Roaming, upd.Local = "Alpha Renamed", "second", "none", false, true, false
	upd.OrgID, upd.UUID, upd.SharingGroupOrg = f.orgB.ID, misp.NewUUID(), nil
	if err := s.SharingGroups.UpdateSharingGroup(ctx, &upd); err != nil {
		t.Fatalf("UpdateSharingGroup() = %v", err)
	}
	got := mustFindSharingGroup(t, s, f.a, g.ID)
	want.Name, want.Description, want.Releasability, want.Active, want.Roaming, want.Local = "Alpha Renamed", "second", "none", false, true, false
	want.Modified = misp.DateTime(s.Clock.Unix())
	if d := diff(want, got); d != "" {
		t.Errorf("after UpdateSharingGroup (-want +got):\n%s", d)
	}
	other := mustCreateSharingGroup(t, s, newSharingGroup("Beta", f.orgA, f.orgA))
	other.Name = "alpha renamed"
	wantErr(t, "UpdateSharingGroup(name taken)", s.SharingGroups.UpdateSharingGroup(ctx, other), misp.ErrConflict)
	missing := newSharingGroup("Nobody", f.orgA)
	missing.ID = 9999
	wantErr(t, "UpdateSharingGroup(missing)", s.SharingGroups.UpdateSharingGroup(ctx, missing), misp.ErrNotFound)

	// Fields and listed members change together or not at all: a member
	// organisation that does not exist fails the whole update.
	s.Clock.Advance(10)
	bad := *mustFindSharingGroup(t, s, f.admin, g.ID)
	bad.Name = "Half written"
	bad.SharingGroupOrg = []*misp.SharingGroupOrg{{OrgID: f.orgB.ID, Extend: true}, {OrgID: 99999}}
	wantErr(t, "UpdateSharingGroup(unknown member)", s.SharingGroups.UpdateSharingGroup(ctx, &bad), misp.ErrInvalid)
	if d := diff(want, mustFindSharingGroup(t, s, f.a, g.ID)); d != "" {
		t.Errorf("a failed UpdateSharingGroup changed the group (-want +got):\n%s", d)
	}

	// The index lists the authorised groups by name, filtered and paged.
	mustCreateSharingGroup(t, s, newSharingGroup("charlie", f.orgA, f.orgA))
	mustCreateSharingGroup(t, s, newSharingGroup("Delta of B", f.orgB, f.orgB))
	active, inactive := true, false
	for _, tc := range []struct {
		name      string
		actor     *misp.Actor
		f         misp.SharingGroupFilter
		want      []string
		wantTotal int64
	}{
		{"user of A", f.a, misp.SharingGroupFilter{}, []string{"Alpha Renamed", "Beta", "charlie"}, 3},
		{"active only", f.a, misp.SharingGroupFilter{Active: &active}, []string{"Beta", "charlie"}, 2},
		{"inactive only", f.a, misp.SharingGroupFilter{Active: &inactive}, []string{"Alpha Renamed"}, 1},
		{"page", f.a, misp.SharingGroupFilter{Limit: 1, Offset: 1}, []string{"Beta"}, 3},
		{"past the end", f.a, misp.SharingGroupFilter{Limit: 2, Offset: 4}, nil, 3},
		{"user of B", f.b, misp.SharingGroupFilter{}, []string{"Delta of B"}, 1},
		{"site admin", f.admin, misp.SharingGroupFilter{}, []string{"Alpha Renamed", "Beta", "charlie", "Delta of B"}, 4},
		{"nobody", nil, misp.SharingGroupFilter{}, nil, 0},
	} {
		groups, total, err := s.SharingGroups.FindSharingGroups(ctx, tc.actor, tc.f)
		if err != nil {
			t.Fatalf("FindSharingGroups(%s) = %v", tc.name, err)
		}
		if d := diff(tc.want, sgNames(groups)); d != "" || total != tc.wantTotal {
			t.Errorf("FindSharingGroups(%s) = %v, total %d; want total %d, (-want +got):\n%s", tc.name, sgNames(groups), total, tc.wantTotal, d)
		}
	}
	groups, _, err := s.SharingGroups.FindSharingGroups(ctx, f.a, misp.SharingGroupFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 || len(groups[0].SharingGroupOrg) != 1 || groups[0].Organisation == nil {
		t.Errorf("FindSharingGroups did not load members and owner: %+v", groups)
	}
}

func testSharingGroupMembers(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	c := mustActor(t, s, mustCreateUser(t, s, f.orgC, misp.RoleUser, "carol@c.test"), f.orgC)
	g := mustCreateSharingGroup(t, s, newSharingGroup("Members", f.orgA, f.orgA))

	s.Clock.Advance(5)
	if err := s.SharingGroups.AddSharingGroupOrg(ctx, int64(g.ID), int64(f.orgB.ID), false); err != nil {
		t.Fatalf("AddSharingGroupOrg(B) = %v", err)
	}
	got := mustFindSharingGroup(t, s, f.b, g.ID)
	if d := diff(map[misp.Int]bool{f.orgA.ID: false, f.orgB.ID: false}, memberOrgs(got)); d != "" {
		t.Errorf("members after adding B (-want +got):\n%s", d)
	}
	if int64(got.Modified) != s.Clock.Unix() {
		t.Errorf("modified = %d after a member change, want %d", got.Modified, s.Clock.Unix())
	}
	// Adding again updates the extend flag.
	if err := s.SharingGroups.AddSharingGroupOrg(ctx, int64(g.ID), int64(f.orgB.ID), true); err != nil {
		t.Fatalf("AddSharingGroupOrg(B, extend) = %v", err)
	}
	if d := diff(map[misp.Int]bool{f.orgA.ID: false, f.orgB.ID: true}, memberOrgs(mustFindSharingGroup(t, s, f.b, g.ID))); d != "" {
		t.Errorf("members after setting extend (-want +got):\n%s", d)
	}
	wantErr(t, "AddSharingGroupOrg(unknown org)", s.SharingGroups.AddSharingGroupOrg(ctx, int64(g.ID), 9999, false), misp.ErrInvalid)
	wantErr(t, "AddSharingGroupOrg(unknown group)", s.SharingGroups.AddSharingGroupOrg(ctx, 9999, int64(f.orgB.ID), false), misp.ErrNotFound)

	if err := s.SharingGroups.RemoveSharingGroupOrg(ctx, int64(g.ID), int64(f.orgB.ID)); err != nil {
		t.Fatalf("RemoveSharingGroupOrg(B) = %v", err)
	}
	_, err := s.SharingGroups.FindSharingGroupByID(ctx, f.b, int64(g.ID))
	wantErr(t, "FindSharingGroupByID(B) after removal", err, misp.ErrNotFound)
	wantErr(t, "RemoveSharingGroupOrg(B) again", s.SharingGroups.RemoveSharingGroupOrg(ctx, int64(g.ID), int64(f.orgB.ID)), misp.ErrNotFound)

	// This instance with all_orgs makes every local organisation a member;
	// another server with all_orgs grants nothing here.
	if err := s.SharingGroups.AddSharingGroupServer(ctx, int64(g.ID), 7, true); err != nil {
		t.Fatalf("AddSharingGroupServer(7) = %v", err)
	}
	_, err = s.SharingGroups.FindSharingGroupByID(ctx, c, int64(g.ID))
	wantErr(t, "FindSharingGroupByID(C), remote all_orgs", err, misp.ErrNotFound)
	if err := s.SharingGroups.AddSharingGroupServer(ctx, int64(g.ID), misp.LocalServerID, true); err != nil {
		t.Fatalf("AddSharingGroupServer(0) = %v", err)
	}
	got = mustFindSharingGroup(t, s, c, g.ID)
	if len(got.SharingGroupServer) != 2 || got.SharingGroupServer[1].ServerID != 0 || !got.SharingGroupServer[1].AllOrgs {
		t.Errorf("servers = %+v, want 7 and 0 with all_orgs", got.SharingGroupServer)
	}
	groups, _, err := s.SharingGroups.FindSharingGroups(ctx, c, misp.SharingGroupFilter{})
	if err != nil || len(groups) != 1 {
		t.Errorf("FindSharingGroups(C) with local all_orgs = %v, %v; want the group", sgNames(groups), err)
	}
	if err := s.SharingGroups.AddSharingGroupServer(ctx, int64(g.ID), misp.LocalServerID, false); err != nil {
		t.Fatalf("AddSharingGroupServer(0, not all_orgs) = %v", err)
	}
	_, err = s.SharingGroups.FindSharingGroupByID(ctx, c, int64(g.ID))
	wantErr(t, "FindSharingGroupByID(C) without all_orgs", err, misp.ErrNotFound)
	wantErr(t, "AddSharingGroupServer(unknown group)", s.SharingGroups.AddSharingGroupServer(ctx, 9999, 0, false), misp.ErrNotFound)

	if err := s.SharingGroups.RemoveSharingGroupServer(ctx, int64(g.ID), misp.LocalServerID); err != nil {
		t.Fatalf("RemoveSharingGroupServer(0) = %v", err)
	}
	wantErr(t, "RemoveSharingGroupServer(0) again", s.SharingGroups.RemoveSharingGroupServer(ctx, int64(g.ID), misp.LocalServerID), misp.ErrNotFound)
	if got := mustFindSharingGroup(t, s, f.a, g.ID); len(got.SharingGroupServer) != 1 || got.SharingGroupServer[0].ServerID != 7 {
		t.Errorf("servers after removing 0 = %+v, want only 7", got.SharingGroupServer)
	}
}

func testSharingGroupDelete(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	unused := newSharingGroup("Unused", f.orgA, f.orgA, f.orgB)
	unused.SharingGroupServer = []*misp.SharingGroupServer{{ServerID: 0, AllOrgs: true}}
	mustCreateSharingGroup(t, s, unused)
	if err := s.SharingGroups.DeleteSharingGroup(ctx, int64(unused.ID)); err != nil {
		t.Fatalf("DeleteSharingGroup(unused) = %v", err)
	}
	_, err := s.SharingGroups.FindSharingGroupByID(ctx, f.admin, int64(unused.ID))
	wantErr(t, "FindSharingGroupByID(deleted)", err, misp.ErrNotFound)
	wantErr(t, "DeleteSharingGroup(deleted)", s.SharingGroups.DeleteSharingGroup(ctx, int64(unused.ID)), misp.ErrNotFound)
	// The name is free again, and no member row of the old group remains
	// to grant anything.
	again := mustCreateSharingGroup(t, s, newSharingGroup("Unused", f.orgA, f.orgA))
	_, err = s.SharingGroups.FindSharingGroupByID(ctx, f.b, int64(again.ID))
	wantErr(t, "FindSharingGroupByID(B) on the new group", err, misp.ErrNotFound)

	// A group used by an event, an attribute or an object stays.
	for _, user := range []string{"event", "attribute", "object"} {
		t.Run(user, func(t *testing.T) {
			g := mustCreateSharingGroup(t, s, newSharingGroup("Used by "+user, f.orgA, f.orgA))
			attr := newAttr("ip-dst", "Network activity", "192.0.2.1")
			o := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))
			e := newEvent("uses a group", attr)
			e.Object = []*misp.Object{o}
			switch user {
			case "event":
				e.Distribution, e.SharingGroupID = misp.DistributionSharingGrp, g.ID
			case "attribute":
				attr.Distribution, attr.SharingGroupID = misp.DistributionSharingGrp, g.ID
			case "object":
				o.Distribution, o.SharingGroupID = misp.DistributionSharingGrp, g.ID
			}
			mustCreateEvent(t, s, f.a, e)
			wantErr(t, "DeleteSharingGroup(in use)", s.SharingGroups.DeleteSharingGroup(ctx, int64(g.ID)), misp.ErrConflict)
			mustFindSharingGroup(t, s, f.a, g.ID)
			if err := s.Events.DeleteEvent(ctx, f.a, int64(e.ID)); err != nil {
				t.Fatal(err)
			}
			if err := s.SharingGroups.DeleteSharingGroup(ctx, int64(g.ID)); err != nil {
				t.Errorf("DeleteSharingGroup(no longer used) = %v", err)
			}
		})
	}
}

// testSharingGroupVisibility checks the sharing-group edge cases of
// misp-access-control §2 and §13 #2, #10 through the event store: data
// shared with a group reaches its member organisations (and every
// organisation when this instance is listed with all_orgs), not its owner
// by ownership alone, whatever the active flag.
func testSharingGroupVisibility(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	c := mustActor(t, s, mustCreateUser(t, s, f.orgC, misp.RoleUser, "carol@c.test"), f.orgC)
	sees := func(actor *misp.Actor, e *misp.Event) bool {
		t.Helper()
		_, err := s.Events.FindEventByID(ctx, actor, int64(e.ID), misp.EventViewOptions{})
		if err != nil && !errors.Is(err, misp.ErrNotFound) {
			t.Fatalf("FindEventByID(%d) = %v", e.ID, err)
		}
		events, _, ierr := s.Events.FindEvents(ctx, actor, misp.EventFilter{IDs: []int64{int64(e.ID)}})
		if ierr != nil {
			t.Fatalf("FindEvents(%d) = %v", e.ID, ierr)
		}
		if (err == nil) != (len(events) == 1) {
			t.Errorf("event %q: FindEventByID and FindEvents disagree for %s", e.Info, actor.User.Email)
		}
		return err == nil
	}
	shared := func(info string, owner *misp.Actor, g *misp.SharingGroup) *misp.Event {
		t.Helper()
		e := newEvent(info)
		e.Distribution, e.SharingGroupID = misp.DistributionSharingGrp, g.ID
		return mustCreateEvent(t, s, owner, e)
	}
	check := func(name string, e *misp.Event, want map[*misp.Actor]bool) {
		t.Helper()
		for actor, w := range want {
			if got := sees(actor, e); got != w {
				t.Errorf("%s: %s sees %q = %t, want %t", name, actor.User.Email, e.Info, got, w)
			}
		}
	}

	t.Run("owner not a member", func(t *testing.T) {
		// A owns the group but only B is in it: A's users do not see B's
		// data through the group, though they may still view the group
		// itself; A's own event in it stays visible to A by ownership.
		g := mustCreateSharingGroup(t, s, newSharingGroup("Owned by A, B only", f.orgA, f.orgB))
		ofB := shared("B shares with the group", f.b, g)
		ofA := shared("A shares with the group", f.a, g)
		check("B's event", ofB, map[*misp.Actor]bool{f.a: false, f.b: true, c: false, f.admin: true})
		check("A's event", ofA, map[*misp.Actor]bool{f.a: true, f.b: true, c: false})
		mustFindSharingGroup(t, s, f.a, g.ID)
		groups, _, err := s.SharingGroups.FindSharingGroups(ctx, f.a, misp.SharingGroupFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, sg := range groups {
			if sg.ID == g.ID {
				t.Errorf("FindSharingGroups(A) lists a group A owns but is not a member of")
			}
		}
	})

	t.Run("inactive group", func(t *testing.T) {
		g := mustCreateSharingGroup(t, s, newSharingGroup("Goes inactive", f.orgA, f.orgA, f.orgB))
		e := shared("shared before deactivation", f.a, g)
		g.Active = false
		if err := s.SharingGroups.UpdateSharingGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		check("after deactivation", e, map[*misp.Actor]bool{f.a: true, f.b: true, c: false})
		got := mustFindSharingGroup(t, s, f.b, g.ID)
		if bool(got.Active) || got.Usable(f.b) || !got.Authorised(f.b) {
			t.Errorf("inactive group: active %t, usable %t, authorised %t; want false, false, true", got.Active, got.Usable(f.b), got.Authorised(f.b))
		}
	})

	t.Run("all_orgs server entry", func(t *testing.T) {
		g := mustCreateSharingGroup(t, s, newSharingGroup("Whole instance", f.orgA, f.orgA))
		e := shared("for every local org", f.a, g)
		check("without the instance", e, map[*misp.Actor]bool{f.b: false, c: false})
		if err := s.SharingGroups.AddSharingGroupServer(ctx, int64(g.ID), misp.LocalServerID, true); err != nil {
			t.Fatal(err)
		}
		check("instance with all_orgs", e, map[*misp.Actor]bool{f.a: true, f.b: true, f.syncB: true, c: true})
		if err := s.SharingGroups.AddSharingGroupServer(ctx, int64(g.ID), misp.LocalServerID, false); err != nil {
			t.Fatal(err)
		}
		check("instance without all_orgs", e, map[*misp.Actor]bool{f.a: true, f.b: false, c: false})
	})

	t.Run("element in a group", func(t *testing.T) {
		// An attribute shared with A and B inside an event everybody sees.
		g := mustCreateSharingGroup(t, s, newSharingGroup("A and B", f.orgA, f.orgA, f.orgB))
		attr := newAttr("ip-dst", "Network activity", "198.51.100.4")
		attr.Distribution, attr.SharingGroupID = misp.DistributionSharingGrp, g.ID
		e := newEvent("community event", attr)
		e.Distribution = misp.DistributionCommunity
		mustCreateEvent(t, s, f.a, e)
		for actor, want := range map[*misp.Actor]bool{f.a: true, f.b: true, c: false} {
			_, err := s.Attributes.FindAttributeByID(ctx, actor, int64(attr.ID), false)
			if got := err == nil; got != want {
				t.Errorf("%s sees the group's attribute = %t (%v), want %t", actor.User.Email, got, err, want)
			}
		}
	})
}
