package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// The tests of this file check the distribution rules of
// misp-access-control §2–§4 (decisions in docs/access-control.md) on each
// store method; internal/restapi's leak matrix checks the same rules
// exhaustively through the API.

// distFixture adds to the fixture a user of C and the sharing groups the
// distribution tests share:
//
//	ac      members A and C (owner A)
//	all     this instance with all_orgs, member C (owner C)
//	bOwned  owned by B, member C only: B is not a member
//	off     inactive, members A and B
//	remote  owner A, a remote server with all_orgs, no member organisation
type distFixture struct {
	*fixture
	c                          *misp.Actor // user of org C (role User)
	ac, all, bOwned, off, remo *misp.SharingGroup
}

func newDistFixture(t *testing.T, s *Stores) *distFixture {
	t.Helper()
	f := &distFixture{fixture: newFixture(t, s)}
	f.c = mustActor(t, s, mustCreateUser(t, s, f.orgC, misp.RoleUser, "carol@c.test"), f.orgC)
	f.ac = mustCreateSharingGroup(t, s, newSharingGroup("A and C", f.orgA, f.orgA, f.orgC))
	f.all = newSharingGroup("everyone here", f.orgC, f.orgC)
	f.all.SharingGroupServer = []*misp.SharingGroupServer{{ServerID: misp.LocalServerID, AllOrgs: true}}
	mustCreateSharingGroup(t, s, f.all)
	f.bOwned = mustCreateSharingGroup(t, s, newSharingGroup("owned by B", f.orgB, f.orgC))
	f.off = newSharingGroup("inactive A and B", f.orgA, f.orgA, f.orgB)
	f.off.Active = false
	mustCreateSharingGroup(t, s, f.off)
	f.remo = newSharingGroup("remote all orgs", f.orgA)
	f.remo.SharingGroupServer = []*misp.SharingGroupServer{{ServerID: 7, AllOrgs: true}}
	mustCreateSharingGroup(t, s, f.remo)
	return f
}

// sgDist returns distribution 4 with group g.
func sgDist(g *misp.SharingGroup) (misp.Distribution, misp.Int) {
	return misp.DistributionSharingGrp, g.ID
}

// eventVisibleTo reports whether e is visible to actor, failing the test
// unless FindEventByID, FindEventByUUID and FindEvents agree.
func eventVisibleTo(t *testing.T, s *Stores, e *misp.Event, actor *misp.Actor) bool {
	t.Helper()
	ctx := t.Context()
	_, errID := s.Events.FindEventByID(ctx, actor, int64(e.ID), misp.EventViewOptions{})
	_, errUUID := s.Events.FindEventByUUID(ctx, actor, e.UUID, misp.EventViewOptions{Metadata: true})
	list, total, err := s.Events.FindEvents(ctx, actor, misp.EventFilter{IDs: []int64{int64(e.ID)}})
	if err != nil {
		t.Fatalf("FindEvents() = %v", err)
	}
	for _, err := range []error{errID, errUUID} {
		if err != nil && !errors.Is(err, misp.ErrNotFound) {
			t.Fatalf("FindEvent(%q) = %v", e.Info, err)
		}
	}
	byID, byUUID, inList := errID == nil, errUUID == nil, len(list) == 1 && total == 1
	if byID != byUUID || byID != inList {
		t.Errorf("event %q: by id %v, by uuid %v, in index %v (total %d): the paths disagree", e.Info, byID, byUUID, inList, total)
	}
	return byID
}

// testDistributionEvents checks EventVisible (§3) and SGIDS (§2) for each
// event distribution and kind of sharing group.
func testDistributionEvents(t *testing.T, s *Stores) {
	f := newDistFixture(t, s)
	type who struct{ a, b, syncB, c, admin bool }
	cases := []struct {
		name string
		dist misp.Distribution
		sgID misp.Int
		want who // the owner (A) always sees its events
	}{
		{"0 org only", misp.DistributionOrgOnly, 0, who{admin: true}},
		{"1 community", misp.DistributionCommunity, 0, who{b: true, syncB: true, c: true, admin: true}},
		{"2 connected", misp.DistributionConnected, 0, who{b: true, syncB: true, c: true, admin: true}},
		{"3 all", misp.DistributionAll, 0, who{b: true, syncB: true, c: true, admin: true}},
		{"4 members A and C", misp.DistributionSharingGrp, f.ac.ID, who{c: true, admin: true}},
		{"4 local all_orgs", misp.DistributionSharingGrp, f.all.ID, who{b: true, syncB: true, c: true, admin: true}},
		{"4 owner B not a member", misp.DistributionSharingGrp, f.bOwned.ID, who{c: true, admin: true}},
		{"4 inactive group still grants", misp.DistributionSharingGrp, f.off.ID, who{b: true, syncB: true, admin: true}},
		{"4 remote all_orgs grants nothing here", misp.DistributionSharingGrp, f.remo.ID, who{admin: true}},
	}
	for _, c := range cases {
		e := newEvent("dist "+c.name, newAttr("domain", "Network activity", "x.test"))
		e.Distribution, e.SharingGroupID = c.dist, c.sgID
		mustCreateEvent(t, s, f.a, e)
		got := who{
			a: eventVisibleTo(t, s, e, f.a2), b: eventVisibleTo(t, s, e, f.b), syncB: eventVisibleTo(t, s, e, f.syncB),
			c: eventVisibleTo(t, s, e, f.c), admin: eventVisibleTo(t, s, e, f.admin),
		}
		c.want.a = true
		if got != c.want {
			t.Errorf("event %q visible to %+v, want %+v", c.name, got, c.want)
		}
	}

	// An event is the owner's (org_id) to see, not the creator's (orgc_id).
	pushed := newEvent("pushed by B, created by C")
	pushed.OrgcID = f.orgC.ID
	mustCreateEvent(t, s, f.syncB, pushed)
	if pushed.OrgID != f.orgB.ID || pushed.OrgcID != f.orgC.ID {
		t.Fatalf("pushed event org %d, orgc %d; want B, C", pushed.OrgID, pushed.OrgcID)
	}
	if !eventVisibleTo(t, s, pushed, f.b) || eventVisibleTo(t, s, pushed, f.c) {
		t.Error("distribution-0 event owned by B and created by C: want visible to B only")
	}
	checkTotals(t, s, f.a2, f.b, f.syncB, f.c, f.admin)
}

// checkTotals checks that, for each actor, the total of a paged
// FindEvents (counted by visibility branch, unfiltered, or in one pass,
// filtered) equals the number of events the unpaged list returns.
func checkTotals(t *testing.T, s *Stores, actors ...*misp.Actor) {
	t.Helper()
	ctx := t.Context()
	for _, actor := range actors {
		for _, f := range []misp.EventFilter{{}, {MinTimestamp: 1}} {
			all, _, err := s.Events.FindEvents(ctx, actor, f)
			if err != nil {
				t.Fatalf("FindEvents() = %v", err)
			}
			f.Limit = 1
			_, total, err := s.Events.FindEvents(ctx, actor, f)
			if err != nil || total != int64(len(all)) {
				t.Errorf("user %s: FindEvents(%+v) total = %d, %v; want %d, the number of events listed", actor.User.Email, f, total, err, len(all))
			}
		}
	}
}

// testDistributionElements checks element visibility (§4.1, §4.2 and
// the dist-4 decision) on every attribute and object read path.
func testDistributionElements(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newDistFixture(t, s)
	attr := func(v string, d misp.Distribution, g *misp.SharingGroup) *misp.Attribute {
		a := newAttr("domain", "Network activity", v)
		a.Distribution = d
		if g != nil {
			a.Distribution, a.SharingGroupID = sgDist(g)
		}
		return a
	}
	oattr := func(v string, d misp.Distribution) *misp.Attribute {
		a := newObjectAttr("domain", "domain", "Network activity", v)
		a.Distribution = d
		return a
	}
	e := newEvent("elements", attr("d0.test", misp.DistributionOrgOnly, nil), attr("d1.test", misp.DistributionCommunity, nil),
		attr("d3.test", misp.DistributionAll, nil), attr("d5.test", misp.DistributionInheritEvnt, nil),
		attr("ac.test", 0, f.ac), attr("all.test", 0, f.all), attr("bowned.test", 0, f.bOwned),
		attr("off.test", 0, f.off), attr("remote.test", 0, f.remo))
	e.Distribution = misp.DistributionAll
	hidingObj := newObject(oattr("in-hidden-object.test", misp.DistributionAll))
	hidingObj.Distribution, hidingObj.SharingGroupID = sgDist(f.ac)
	orgObj := newObject(oattr("in-org-object.test", misp.DistributionInheritEvnt))
	orgObj.Distribution = misp.DistributionOrgOnly
	openObj := newObject(oattr("open-in-open.test", misp.DistributionInheritEvnt), oattr("d0-in-open.test", misp.DistributionOrgOnly))
	e.Object = []*misp.Object{hidingObj, orgObj, openObj}
	mustCreateEvent(t, s, f.a, e)

	all := []string{"d0.test", "d1.test", "d3.test", "d5.test", "ac.test", "all.test", "bowned.test", "off.test", "remote.test",
		"in-hidden-object.test", "in-org-object.test", "open-in-open.test", "d0-in-open.test"}
	shared := []string{"d1.test", "d3.test", "d5.test", "all.test", "open-in-open.test"}
	for _, c := range []struct {
		name  string
		actor *misp.Actor
		want  []string
	}{
		// The owner sees its distribution-0 elements, but not those of
		// groups it is not a member of (bOwned, remote): §13 #15.
		{"owner A", f.a2, append(slices.Clone(shared), "d0.test", "ac.test", "off.test", "in-hidden-object.test",
			"in-org-object.test", "d0-in-open.test")},
		{"B", f.b, append(slices.Clone(shared), "off.test")},
		{"sync user of B", f.syncB, append(slices.Clone(shared), "off.test")},
		{"C", f.c, append(slices.Clone(shared), "ac.test", "bowned.test", "in-hidden-object.test")},
		{"site admin", f.admin, all},
	} {
		slices.Sort(c.want)
		// A full event, the attribute index, and each attribute by id
		// and by uuid must agree.
		ev, err := s.Events.FindEventByID(ctx, c.actor, int64(e.ID), misp.EventViewOptions{})
		if err != nil {
			t.Fatalf("%s: FindEventByID() = %v", c.name, err)
		}
		var inEvent []string
		for _, a := range ev.Attribute {
			inEvent = append(inEvent, a.Value)
		}
		for _, o := range ev.Object {
			for _, a := range o.Attribute {
				inEvent = append(inEvent, a.Value)
			}
		}
		slices.Sort(inEvent)
		if d := diff(c.want, inEvent); d != "" {
			t.Errorf("%s: FindEventByID() attributes (-want +got):\n%s", c.name, d)
		}
		list, err := s.Attributes.FindAttributes(ctx, c.actor, misp.AttributeFilter{EventID: int64(e.ID)})
		if err != nil {
			t.Fatalf("%s: FindAttributes() = %v", c.name, err)
		}
		var listed []string
		for _, a := range list {
			listed = append(listed, a.Value)
		}
		slices.Sort(listed)
		if d := diff(c.want, listed); d != "" {
			t.Errorf("%s: FindAttributes() (-want +got):\n%s", c.name, d)
		}
		admin, err := s.Attributes.FindAttributes(ctx, f.admin, misp.AttributeFilter{EventID: int64(e.ID)})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range admin {
			visible := slices.Contains(c.want, a.Value)
			_, err := s.Attributes.FindAttributeByID(ctx, c.actor, int64(a.ID), false)
			_, errU := s.Attributes.FindAttributeByUUID(ctx, c.actor, a.UUID, true)
			for _, err := range []error{err, errU} {
				if visible {
					wantErr(t, c.name+": FindAttribute("+a.Value+")", err, nil)
				} else {
					wantErr(t, c.name+": FindAttribute("+a.Value+")", err, misp.ErrNotFound)
				}
			}
			found, _, err := s.Events.FindEvents(ctx, c.actor, misp.EventFilter{Value: a.Value})
			if err != nil || (len(found) == 1) != visible {
				t.Errorf("%s: FindEvents(value %s) = %d events, %v; want found %v", c.name, a.Value, len(found), err, visible)
			}
		}
	}

	// Objects: the owner sees its distribution-0 object; the A+C object
	// is hidden from B; an object whose attributes are all hidden is
	// dropped from the full event but still found by id.
	for _, c := range []struct {
		name    string
		actor   *misp.Actor
		obj     *misp.Object
		visible bool
	}{
		{"B, A+C object", f.b, hidingObj, false},
		{"C, A+C object", f.c, hidingObj, true},
		{"B, org-only object", f.b, orgObj, false},
		{"owner, org-only object", f.a2, orgObj, true},
	} {
		_, err := s.Objects.FindObjectByID(ctx, c.actor, int64(c.obj.ID), false)
		_, errU := s.Objects.FindObjectByUUID(ctx, c.actor, c.obj.UUID, false)
		for _, err := range []error{err, errU} {
			if c.visible {
				wantErr(t, c.name+": FindObject", err, nil)
			} else {
				wantErr(t, c.name+": FindObject", err, misp.ErrNotFound)
			}
		}
	}
	o, err := s.Objects.FindObjectByID(ctx, f.b, int64(openObj.ID), false)
	if err != nil || len(o.Attribute) != 1 || o.Attribute[0].Value != "open-in-open.test" {
		t.Errorf("B: FindObjectByID(open object) = %+v, %v; want only its shared attribute", o, err)
	}
}

// testDistributionReferences checks that references to hidden targets are
// dropped (§13 #7) and objects left without attributes leave the event.
func testDistributionReferences(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newDistFixture(t, s)
	secret := newAttr("domain", "Network activity", "secret.test")
	secret.Distribution = misp.DistributionOrgOnly
	open := newAttr("domain", "Network activity", "open.test")
	hidden := newObject(newObjectAttr("domain", "domain", "Network activity", "only-org.test"))
	hidden.Attribute[0].Distribution = misp.DistributionOrgOnly
	holder := newObject(newObjectAttr("domain", "domain", "Network activity", "holder.test"))
	e := newEvent("references", secret, open)
	e.Distribution = misp.DistributionAll
	e.Object = []*misp.Object{hidden, holder}
	mustCreateEvent(t, s, f.a, e)
	toSecret := &misp.ObjectReference{ObjectID: holder.ID, ReferencedUUID: secret.UUID, RelationshipType: "hides"}
	toOpen := &misp.ObjectReference{ObjectID: holder.ID, ReferencedUUID: open.UUID, RelationshipType: "shows"}
	for _, r := range []*misp.ObjectReference{toSecret, toOpen} {
		if err := s.Objects.CreateObjectReference(ctx, f.a, r); err != nil {
			t.Fatalf("CreateObjectReference() = %v", err)
		}
	}
	refUUIDs := func(o *misp.Object) []string {
		var out []string
		for _, r := range o.ObjectReference {
			out = append(out, r.UUID)
		}
		return out
	}
	for _, c := range []struct {
		name    string
		actor   *misp.Actor
		refs    []string
		objects int
	}{
		{"owner", f.a2, []string{toSecret.UUID, toOpen.UUID}, 2},
		{"B", f.b, []string{toOpen.UUID}, 1},
	} {
		ev := mustFindEvent(t, s, c.actor, e.ID)
		if len(ev.Object) != c.objects {
			t.Errorf("%s: event has %d objects, want %d (objects without visible attributes are dropped)", c.name, len(ev.Object), c.objects)
		}
		for _, o := range ev.Object {
			if o.ID == holder.ID {
				if d := diff(c.refs, refUUIDs(o)); d != "" {
					t.Errorf("%s: references in the event (-want +got):\n%s", c.name, d)
				}
			}
		}
		o, err := s.Objects.FindObjectByID(ctx, c.actor, int64(holder.ID), false)
		if err != nil {
			t.Fatalf("%s: FindObjectByID() = %v", c.name, err)
		}
		if d := diff(c.refs, refUUIDs(o)); d != "" {
			t.Errorf("%s: references of the object (-want +got):\n%s", c.name, d)
		}
	}
	_, err := s.Objects.FindObjectReferenceByID(ctx, f.b, int64(toSecret.ID))
	wantErr(t, "B: FindObjectReferenceByID(to a hidden attribute)", err, misp.ErrNotFound)
	_, err = s.Objects.FindObjectReferenceByUUID(ctx, f.b, toSecret.UUID)
	wantErr(t, "B: FindObjectReferenceByUUID(to a hidden attribute)", err, misp.ErrNotFound)
	_, err = s.Objects.FindObjectReferenceByID(ctx, f.b, int64(toOpen.ID))
	wantErr(t, "B: FindObjectReferenceByID(to a shared attribute)", err, nil)
}

// testDistributionCreatorEmail checks event_creator_email (§4.5): site
// admins and perm_audit users of the creator organisation, whoever owns
// the event; a role without perm_audit does not get it.
func testDistributionCreatorEmail(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newDistFixture(t, s)
	e := newEvent("created by C, stored by B")
	e.Distribution, e.OrgcID = misp.DistributionAll, f.orgC.ID
	mustCreateEvent(t, s, f.syncB, e)
	noAudit := *f.c
	noAudit.Perms.Audit = false
	for _, c := range []struct {
		name  string
		actor *misp.Actor
		want  bool
	}{
		{"creator org", f.c, true},
		{"creator org without perm_audit", &noAudit, false},
		{"owner org", f.b, false},
		{"owner's sync user", f.syncB, false},
		{"other org", f.a, false},
		{"site admin", f.admin, true},
	} {
		ev, err := s.Events.FindEventByID(ctx, c.actor, int64(e.ID), misp.EventViewOptions{})
		if err != nil {
			t.Fatalf("%s: FindEventByID() = %v", c.name, err)
		}
		if got := ev.EventCreatorEmail == "sync@b.test"; got != c.want || (!c.want && ev.EventCreatorEmail != "") {
			t.Errorf("%s: event_creator_email = %q, want shown %v", c.name, ev.EventCreatorEmail, c.want)
		}
		list, _, err := s.Events.FindEvents(ctx, c.actor, misp.EventFilter{IDs: []int64{int64(e.ID)}})
		if err != nil || len(list) != 1 || list[0].EventCreatorEmail != "" {
			t.Errorf("%s: FindEvents() = %v, %v; want the event without event_creator_email", c.name, list, err)
		}
	}
}

// testDistributionUnpublishedPrivate checks MISP.unpublishedprivate: an
// unpublished event (and so its attributes) is the owner's only.
func testDistributionUnpublishedPrivate(t *testing.T, s *Stores) {
	if s.SetUnpublishedPrivate == nil {
		t.Skip("the store has no unpublishedprivate switch")
	}
	ctx := t.Context()
	f := newDistFixture(t, s)
	draft := newEvent("draft", newAttr("domain", "Network activity", "draft.test"))
	draft.Distribution = misp.DistributionAll
	mustCreateEvent(t, s, f.a, draft)
	shared := newEvent("published to the group", newAttr("domain", "Network activity", "group.test"))
	shared.Distribution, shared.SharingGroupID, shared.Published = misp.DistributionSharingGrp, f.ac.ID, true
	mustCreateEvent(t, s, f.a, shared)
	for _, private := range []bool{false, true} {
		s.SetUnpublishedPrivate(private)
		checkTotals(t, s, f.a2, f.b, f.c, f.admin)
		for _, c := range []struct {
			name  string
			actor *misp.Actor
			e     *misp.Event
			want  bool
		}{
			{"owner, draft", f.a2, draft, true},
			{"B, draft", f.b, draft, !private},
			{"site admin, draft", f.admin, draft, true},
			{"C, published to its group", f.c, shared, true},
			{"B, published to a group without B", f.b, shared, false},
		} {
			if got := eventVisibleTo(t, s, c.e, c.actor); got != c.want {
				t.Errorf("unpublishedprivate=%v: %s visible %v, want %v", private, c.name, got, c.want)
			}
			attrs, err := s.Attributes.FindAttributes(ctx, c.actor, misp.AttributeFilter{EventID: int64(c.e.ID)})
			if err != nil || (len(attrs) == 1) != c.want {
				t.Errorf("unpublishedprivate=%v: %s: FindAttributes() = %d, %v; want visible %v", private, c.name, len(attrs), err, c.want)
			}
		}
	}
	s.SetUnpublishedPrivate(false)
}
