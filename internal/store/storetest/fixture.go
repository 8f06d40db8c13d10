package storetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

// fixture is the cast most tests need: organisations A and B owning data,
// C hosting the site admin, and an actor for each role of interest.
type fixture struct {
	s                *Stores
	orgA, orgB, orgC *misp.Organisation
	userA, userA2    *misp.User
	a, a2            *misp.Actor // users of org A (role User)
	b                *misp.Actor // user of org B (role User)
	syncB            *misp.Actor // sync user of org B
	admin            *misp.Actor // site admin of org C
}

func newFixture(t *testing.T, s *Stores) *fixture {
	t.Helper()
	f := &fixture{s: s}
	f.orgA = mustCreateOrg(t, s, "Org A", true)
	f.orgB = mustCreateOrg(t, s, "Org B", true)
	f.orgC = mustCreateOrg(t, s, "Org C", true)
	f.userA = mustCreateUser(t, s, f.orgA, misp.RoleUser, "alice@a.test")
	f.userA2 = mustCreateUser(t, s, f.orgA, misp.RoleUser, "anna@a.test")
	f.a = mustActor(t, s, f.userA, f.orgA)
	f.a2 = mustActor(t, s, f.userA2, f.orgA)
	f.b = mustActor(t, s, mustCreateUser(t, s, f.orgB, misp.RoleUser, "bob@b.test"), f.orgB)
	f.syncB = mustActor(t, s, mustCreateUser(t, s, f.orgB, misp.RoleSyncUser, "sync@b.test"), f.orgB)
	f.admin = mustActor(t, s, mustCreateUser(t, s, f.orgC, misp.RoleAdmin, "root@c.test"), f.orgC)
	return f
}

func mustCreateOrg(t *testing.T, s *Stores, name string, local bool) *misp.Organisation {
	t.Helper()
	o := &misp.Organisation{Name: name, Local: misp.Bool(local)}
	if err := s.Orgs.CreateOrg(t.Context(), o); err != nil {
		t.Fatalf("CreateOrg(%q) = %v", name, err)
	}
	return o
}

func mustCreateUser(t *testing.T, s *Stores, org *misp.Organisation, roleID int64, email string) *misp.User {
	t.Helper()
	u := &misp.User{Email: email, OrgID: org.ID, RoleID: misp.Int(roleID), PasswordHash: "x"}
	if err := s.Users.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%q) = %v", email, err)
	}
	return u
}

func mustActor(t *testing.T, s *Stores, u *misp.User, org *misp.Organisation) *misp.Actor {
	t.Helper()
	r, err := s.Roles.FindRoleByID(t.Context(), int64(u.RoleID))
	if err != nil {
		t.Fatalf("FindRoleByID(%d) = %v", u.RoleID, err)
	}
	return misp.NewActor(u, r, org, 0, false)
}

// newEvent returns a minimal valid event with the given attributes.
func newEvent(info string, attrs ...*misp.Attribute) *misp.Event {
	return &misp.Event{
		Info:          info,
		Date:          "2026-02-28",
		ThreatLevelID: misp.ThreatLevelUndefined,
		Analysis:      misp.AnalysisInitial,
		Distribution:  misp.DistributionOrgOnly,
		Attribute:     attrs,
	}
}

// newAttr returns a standalone attribute inheriting the event's distribution.
func newAttr(typ, category, value string) *misp.Attribute {
	return &misp.Attribute{Type: typ, Category: category, Value: value, Distribution: misp.DistributionInheritEvnt}
}

// newObjectAttr returns an object attribute with the given relation.
func newObjectAttr(relation, typ, category, value string) *misp.Attribute {
	a := newAttr(typ, category, value)
	a.ObjectRelation = &relation
	return a
}

// newObject returns a file object with the given attributes.
func newObject(attrs ...*misp.Attribute) *misp.Object {
	return &misp.Object{Name: "file", MetaCategory: "file", TemplateUUID: "688c46fb-5edb-40a3-8273-1af7923e2215",
		TemplateVersion: 22, Distribution: misp.DistributionInheritEvnt, Attribute: attrs}
}

func mustCreateEvent(t *testing.T, s *Stores, actor *misp.Actor, e *misp.Event) *misp.Event {
	t.Helper()
	if err := s.Events.CreateEvent(t.Context(), actor, e, true); err != nil {
		t.Fatalf("CreateEvent(%q) = %v", e.Info, err)
	}
	return e
}

func mustFindEvent(t *testing.T, s *Stores, actor *misp.Actor, id misp.Int) *misp.Event {
	t.Helper()
	e, err := s.Events.FindEventByID(t.Context(), actor, int64(id), misp.EventViewOptions{})
	if err != nil {
		t.Fatalf("FindEventByID(%d) = %v", id, err)
	}
	return e
}

func mustFindAttribute(t *testing.T, s *Stores, actor *misp.Actor, id misp.Int) *misp.Attribute {
	t.Helper()
	a, err := s.Attributes.FindAttributeByID(t.Context(), actor, int64(id), true)
	if err != nil {
		t.Fatalf("FindAttributeByID(%d) = %v", id, err)
	}
	return a
}

func mustCreateTag(t *testing.T, s *Stores, name string) *misp.Tag {
	t.Helper()
	tag := &misp.Tag{Name: name, Exportable: true}
	if err := tag.Validate(); err != nil {
		t.Fatalf("Validate(%q) = %v", name, err)
	}
	if err := s.Tags.CreateTag(t.Context(), tag); err != nil {
		t.Fatalf("CreateTag(%q) = %v", name, err)
	}
	return tag
}

// wantErr fails unless errors.Is(err, want); want nil means no error.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s = %v, want no error", what, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}

// diff compares want and got, treating nil and empty slices alike.
func diff(want, got any, opts ...cmp.Option) string {
	return cmp.Diff(want, got, append(opts, cmpopts.EquateEmpty())...)
}

// names returns the infos of events, in order.
func infos(events []*misp.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Info
	}
	return out
}

// tagNames returns the names of attached tags, in order.
func tagNames(tags []*misp.AttachedTag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.Name
	}
	return out
}

func ptr[T any](v T) *T { return &v }
