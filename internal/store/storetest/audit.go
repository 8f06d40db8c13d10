package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

// testAudit covers the audit log: entries round-trip, are read newest
// first, filtered as MISP's admin/logs/index filters, and scoped to what
// the reader may see (misp-access-control §8.3).
func testAudit(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	bAdminUser := mustCreateUser(t, s, f.orgB, misp.RoleOrgAdmin, "boss@b.test")
	bAdmin := mustActor(t, s, bAdminUser, f.orgB)
	bAdminRO := misp.NewActor(bAdminUser, bAdmin.Role, f.orgB, 0, true)

	entry := func(actor *misp.Actor, action, model string, modelID int64, ip string) *misp.AuditEntry {
		e := &misp.AuditEntry{Action: action, Model: model, ModelID: modelID, IP: ip,
			Org: misp.AuditSystem, Email: misp.AuditSystem, Method: "POST", Status: 403,
			Title: "Failed authentication using API key (abcd************************************)",
			Route: "POST /events/add", Path: "/events/add", RequestID: "req-" + action}
		if actor != nil {
			e.UserID, e.OrgID = actor.UserID(), actor.OrgID()
			e.Org, e.Email = actor.Org.Name, actor.User.Email
			e.Title = "POST /events/edit/" + ip
			e.Description = "200 OK"
			e.Change = "HTTP method: POST\nTarget: /events/edit/1"
			e.Status = 200
		}
		return e
	}
	// Ids 1…7, one second apart.
	entries := []*misp.AuditEntry{
		entry(f.a, "add", "Event", 0, "192.0.2.1"),
		entry(f.a2, "edit", "Event", 7, "192.0.2.2"),
		entry(nil, misp.AuditAuthFail, "User", 0, "198.51.100.9"),
		entry(f.b, "delete", "Attribute", 7, "203.0.113.1"),
		entry(bAdmin, "add", "User", 12, "203.0.113.2"),
		entry(nil, misp.AuditAuthThrottle, "User", 0, "198.51.100.9"),
		entry(f.admin, "edit", "Organisation", 2, "192.0.2.100"),
	}
	for i, e := range entries {
		if i > 0 {
			s.Clock.Advance(1)
		}
		want := *e
		if err := s.Audit.CreateAuditEntry(ctx, e); err != nil {
			t.Fatalf("CreateAuditEntry(%s) = %v", e.Action, err)
		}
		if e.ID == 0 || e.Created != s.Clock.Unix() {
			t.Errorf("CreateAuditEntry set ID %d, Created %d; want an id and %d", e.ID, e.Created, s.Clock.Unix())
		}
		want.ID, want.Created = e.ID, e.Created
		got, err := s.Audit.FindAuditEntries(ctx, f.admin, misp.AuditFilter{IDs: []int64{e.ID}})
		if err != nil || len(got) != 1 {
			t.Fatalf("FindAuditEntries(id %d) = %d entries, %v; want 1", e.ID, len(got), err)
		}
		if d := cmp.Diff(&want, got[0]); d != "" {
			t.Errorf("entry %d round trip (-want +got):\n%s", e.ID, d)
		}
	}
	id := func(i int) int64 { return entries[i].ID }

	if err := s.Audit.CreateAuditEntry(ctx, &misp.AuditEntry{Title: "no action"}); !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("CreateAuditEntry(no action) = %v, want ErrInvalid", err)
	}
	if _, err := s.Audit.FindAuditEntries(ctx, nil, misp.AuditFilter{}); !errors.Is(err, misp.ErrUnauthenticated) {
		t.Errorf("FindAuditEntries(nil actor) = %v, want ErrUnauthenticated", err)
	}

	ids := func(t *testing.T, actor *misp.Actor, flt misp.AuditFilter) []int64 {
		t.Helper()
		got, err := s.Audit.FindAuditEntries(ctx, actor, flt)
		if err != nil {
			t.Fatalf("FindAuditEntries(%+v) = %v", flt, err)
		}
		out := []int64{}
		for _, e := range got {
			out = append(out, e.ID)
		}
		return out
	}
	all := []int64{id(6), id(5), id(4), id(3), id(2), id(1), id(0)}

	t.Run("Scope", func(t *testing.T) {
		tests := []struct {
			name  string
			actor *misp.Actor
			want  []int64
		}{
			{"site admin reads everything", f.admin, all},
			{"user of A reads only their own", f.a, []int64{id(0)}},
			{"other user of A reads only their own", f.a2, []int64{id(1)}},
			{"user of B reads only their own", f.b, []int64{id(3)}},
			{"org admin of B reads B's entries", bAdmin, []int64{id(4), id(3)}},
			{"org admin with a read-only key reads only their own", bAdminRO, []int64{id(4)}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := ids(t, tc.actor, misp.AuditFilter{}); !slices.Equal(got, tc.want) {
					t.Errorf("FindAuditEntries(%s) = %v, want %v", tc.actor.User.Email, got, tc.want)
				}
			})
		}
	})

	t.Run("Filters", func(t *testing.T) {
		start := entries[0].Created
		tests := []struct {
			name string
			f    misp.AuditFilter
			want []int64
		}{
			{"ids", misp.AuditFilter{IDs: []int64{id(1), id(4)}}, []int64{id(4), id(1)}},
			{"user ids", misp.AuditFilter{UserIDs: []int64{f.a.UserID(), 0}}, []int64{id(5), id(2), id(0)}},
			{"model ids", misp.AuditFilter{ModelIDs: []int64{7}}, []int64{id(3), id(1)}},
			{"model, any case", misp.AuditFilter{Models: []string{"event"}}, []int64{id(1), id(0)}},
			{"models or'ed", misp.AuditFilter{Models: []string{"Event", "Organisation"}}, []int64{id(6), id(1), id(0)}},
			{"action", misp.AuditFilter{Actions: []string{misp.AuditAuthFail}}, []int64{id(2)}},
			{"action prefix", misp.AuditFilter{Actions: []string{"auth%"}}, []int64{id(5), id(2)}},
			{"email suffix", misp.AuditFilter{Emails: []string{"%@A.TEST"}}, []int64{id(1), id(0)}},
			{"org", misp.AuditFilter{Orgs: []string{"Org B"}}, []int64{id(4), id(3)}},
			{"ip", misp.AuditFilter{IPs: []string{"198.51.100.9"}}, []int64{id(5), id(2)}},
			{"title", misp.AuditFilter{Titles: []string{"Failed authentication%"}}, []int64{id(5), id(2)}},
			{"description", misp.AuditFilter{Descriptions: []string{"200 ok"}}, []int64{id(6), id(4), id(3), id(1), id(0)}},
			{"change", misp.AuditFilter{Changes: []string{"%Target: /events/edit/1"}}, []int64{id(6), id(4), id(3), id(1), id(0)}},
			{"exact does not match a substring", misp.AuditFilter{Titles: []string{"POST"}}, []int64{}},
			{"created from", misp.AuditFilter{CreatedFrom: start + 5}, []int64{id(6), id(5)}},
			{"created range", misp.AuditFilter{CreatedFrom: start + 1, CreatedUntil: start + 2}, []int64{id(2), id(1)}},
			{"fields combine", misp.AuditFilter{Models: []string{"User"}, Actions: []string{"add"}}, []int64{id(4)}},
			{"limit", misp.AuditFilter{Limit: 2}, []int64{id(6), id(5)}},
			{"limit and offset", misp.AuditFilter{Limit: 2, Offset: 2}, []int64{id(4), id(3)}},
			{"offset alone", misp.AuditFilter{Offset: 5}, []int64{id(1), id(0)}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := ids(t, f.admin, tc.f); !slices.Equal(got, tc.want) {
					t.Errorf("FindAuditEntries(%+v) = %v, want %v", tc.f, got, tc.want)
				}
			})
		}
	})

	t.Run("FiltersStayInScope", func(t *testing.T) {
		// Asking for another organisation's entries by id, user or org
		// name finds nothing.
		flts := []misp.AuditFilter{
			{IDs: []int64{id(0), id(1), id(2), id(6)}},
			{UserIDs: []int64{f.a.UserID(), 0, f.admin.UserID()}},
			{Orgs: []string{"Org A", misp.AuditSystem, "Org C"}},
			{Actions: []string{misp.AuditAuthFail, misp.AuditAuthThrottle}},
		}
		for _, flt := range flts {
			if got := ids(t, bAdmin, flt); len(got) != 0 {
				t.Errorf("FindAuditEntries(org admin of B, %+v) = %v, want none", flt, got)
			}
		}
	})
}
