package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// testRoleWrites covers CreateRole, UpdateRole, DeleteRole and
// SetDefaultRole: validation, case-insensitive name uniqueness, the
// fields an update never changes, and the exactly-one-default invariant.
//
// Roles keep their seed between tests on a shared database (the
// PostgreSQL run empties only the data tables), so the test changes no
// seeded role, and removes the roles it creates and restores the default
// when it ends.
func testRoleWrites(t *testing.T, s *Stores) {
	ctx := t.Context()
	var created []int64
	t.Cleanup(func() {
		ctx := context.Background()
		if err := s.Roles.SetDefaultRole(ctx, misp.RoleUser); err != nil {
			t.Errorf("restore the default role: %v", err)
		}
		for _, id := range created {
			if err := s.Roles.DeleteRole(ctx, id); err != nil && !errors.Is(err, misp.ErrNotFound) {
				t.Errorf("remove role %d: %v", id, err)
			}
		}
	})
	create := func(r *misp.Role) error {
		err := s.Roles.CreateRole(ctx, r)
		if err == nil {
			created = append(created, int64(r.ID))
		}
		return err
	}
	seeded, err := s.Roles.FindRoles(ctx)
	if err != nil {
		t.Fatalf("FindRoles() = %v", err)
	}
	analyst := &misp.Role{
		Name:           "Analyst",
		Perms:          misp.Perms{Add: true, Modify: true, Auth: true, Tagger: true, Sighting: true},
		MemoryLimit:    "2048M",
		RateLimitCount: 10,
		// Ignored: only SetDefaultRole makes a role the default.
		DefaultRole: true,
	}
	if err := create(analyst); err != nil {
		t.Fatalf("CreateRole(Analyst) = %v", err)
	}
	if analyst.ID <= misp.RoleReadOnly {
		t.Errorf("CreateRole(Analyst) id = %d, want above the seeded roles", analyst.ID)
	}
	if int64(analyst.Created) != s.Clock.Unix() || analyst.Modified != analyst.Created {
		t.Errorf("CreateRole(Analyst) created/modified = %d/%d, want %d", analyst.Created, analyst.Modified, s.Clock.Unix())
	}
	if analyst.DefaultRole {
		t.Errorf("CreateRole(Analyst) made it the default role")
	}
	got, err := s.Roles.FindRoleByID(ctx, int64(analyst.ID))
	if err != nil {
		t.Fatalf("FindRoleByID(%d) = %v", analyst.ID, err)
	}
	if d := diff(analyst, got); d != "" {
		t.Errorf("FindRoleByID(%d) (-want +got):\n%s", analyst.ID, d)
	}
	wantDefault(t, s, misp.RoleUser)

	t.Run("create refused", func(t *testing.T) {
		tests := []struct {
			name string
			role *misp.Role
			want error
		}{
			{"no name", &misp.Role{Name: "  "}, misp.ErrInvalid},
			{"bad memory limit", &misp.Role{Name: "X", MemoryLimit: "lots"}, misp.ErrInvalid},
			{"unit on execution time", &misp.Role{Name: "X", MaxExecutionTime: "30M"}, misp.ErrInvalid},
			{"negative rate limit", &misp.Role{Name: "X", RateLimitCount: -1}, misp.ErrInvalid},
			{"seeded name", &misp.Role{Name: "Publisher"}, misp.ErrConflict},
			{"name in another case", &misp.Role{Name: "ANALYST"}, misp.ErrConflict},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := create(tt.role)
				wantErr(t, "CreateRole("+tt.role.Name+")", err, tt.want)
				var ve *misp.ValidationError
				if tt.want == misp.ErrInvalid && !errors.As(err, &ve) {
					t.Errorf("CreateRole(%q) = %v, want a *ValidationError", tt.role.Name, err)
				}
			})
		}
		roles, err := s.Roles.FindRoles(ctx)
		if err != nil || len(roles) != len(seeded)+1 {
			t.Errorf("FindRoles() = %d roles, %v; want the %d seeded and Analyst", len(roles), err, len(seeded))
		}
	})

	t.Run("update", func(t *testing.T) {
		s.Clock.Advance(60)
		upd := *got
		upd.Name = "Senior analyst"
		upd.Perms.SetPermission(misp.PermissionPublish)
		upd.Perms.Sighting = false
		upd.Created = 1        // never changes
		upd.DefaultRole = true // never changes here
		if err := s.Roles.UpdateRole(ctx, &upd); err != nil {
			t.Fatalf("UpdateRole = %v", err)
		}
		after, err := s.Roles.FindRoleByID(ctx, int64(analyst.ID))
		if err != nil {
			t.Fatalf("FindRoleByID(%d) = %v", analyst.ID, err)
		}
		want := *got
		want.Name = "Senior analyst"
		want.Perms = upd.Perms
		want.Modified = misp.DateTime(s.Clock.Unix())
		if d := diff(&want, after); d != "" {
			t.Errorf("role after UpdateRole (-want +got):\n%s", d)
		}
		if after.Perms.Permission() != misp.PermissionPublish || after.Sighting {
			t.Errorf("perms after UpdateRole = %+v", after.Perms)
		}
		if d := diff(after, &upd); d != "" {
			t.Errorf("UpdateRole did not report the stored role back (-stored +reported):\n%s", d)
		}
		wantDefault(t, s, misp.RoleUser)

		// Renaming a role to its own name in another case is not a conflict.
		upd.Name = "SENIOR ANALYST"
		wantErr(t, "UpdateRole(own name, other case)", s.Roles.UpdateRole(ctx, &upd), nil)
		upd.Name = "user"
		wantErr(t, "UpdateRole(name of role User)", s.Roles.UpdateRole(ctx, &upd), misp.ErrConflict)
		upd.Name = ""
		wantErr(t, "UpdateRole(no name)", s.Roles.UpdateRole(ctx, &upd), misp.ErrInvalid)
		missing := upd
		missing.ID, missing.Name = 99, "Ghost"
		wantErr(t, "UpdateRole(99)", s.Roles.UpdateRole(ctx, &missing), misp.ErrNotFound)
	})

	t.Run("set default", func(t *testing.T) {
		if err := s.Roles.SetDefaultRole(ctx, int64(analyst.ID)); err != nil {
			t.Fatalf("SetDefaultRole(%d) = %v", analyst.ID, err)
		}
		wantDefault(t, s, int64(analyst.ID))
		// Setting it again changes nothing.
		if err := s.Roles.SetDefaultRole(ctx, int64(analyst.ID)); err != nil {
			t.Fatalf("SetDefaultRole(%d) again = %v", analyst.ID, err)
		}
		wantDefault(t, s, int64(analyst.ID))
		wantErr(t, "SetDefaultRole(99)", s.Roles.SetDefaultRole(ctx, 99), misp.ErrNotFound)
		wantDefault(t, s, int64(analyst.ID))
	})

	t.Run("delete", func(t *testing.T) {
		org := mustCreateOrg(t, s, "Org A", true)
		mustCreateUser(t, s, org, misp.RolePublisher, "pub@a.test")
		spare := &misp.Role{Name: "Spare"}
		if err := create(spare); err != nil {
			t.Fatalf("CreateRole(Spare) = %v", err)
		}
		wantErr(t, "DeleteRole(default role)", s.Roles.DeleteRole(ctx, int64(analyst.ID)), misp.ErrConflict)
		wantErr(t, "DeleteRole(role with users)", s.Roles.DeleteRole(ctx, misp.RolePublisher), misp.ErrConflict)
		wantErr(t, "DeleteRole(99)", s.Roles.DeleteRole(ctx, 99), misp.ErrNotFound)
		if err := s.Roles.DeleteRole(ctx, int64(spare.ID)); err != nil {
			t.Fatalf("DeleteRole(Spare) = %v", err)
		}
		_, err := s.Roles.FindRoleByID(ctx, int64(spare.ID))
		wantErr(t, "FindRoleByID(deleted)", err, misp.ErrNotFound)
		for _, id := range []int64{misp.RolePublisher, int64(analyst.ID)} {
			if _, err := s.Roles.FindRoleByID(ctx, id); err != nil {
				t.Errorf("FindRoleByID(%d) after a refused delete = %v", id, err)
			}
		}
		// The name of a deleted role is free again.
		wantErr(t, "CreateRole(Spare again)", create(&misp.Role{Name: "Spare"}), nil)
		wantDefault(t, s, int64(analyst.ID))
	})
}

// wantDefault checks that role id, and no other, is the default role.
func wantDefault(t *testing.T, s *Stores, id int64) {
	t.Helper()
	def, err := s.Roles.FindDefaultRole(t.Context())
	if err != nil || int64(def.ID) != id {
		t.Errorf("FindDefaultRole() = %v, %v; want role %d", def, err, id)
	}
	roles, err := s.Roles.FindRoles(t.Context())
	if err != nil {
		t.Fatalf("FindRoles() = %v", err)
	}
	var defaults []int64
	for _, r := range roles {
		if r.DefaultRole {
			defaults = append(defaults, int64(r.ID))
		}
	}
	if len(defaults) != 1 || defaults[0] != id {
		t.Errorf("default roles = %v, want exactly [%d]", defaults, id)
	}
}
