package setup

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/postgres/pgtest"
	"github.com/razmena/razmena/internal/store/sqlite"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

func eachStore(t *testing.T, f func(t *testing.T, db *sqlstore.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		f(t, db)
	})
	t.Run("postgres", func(t *testing.T) { f(t, pgtest.New(t)) })
}

func TestEnsure(t *testing.T) {
	eachStore(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		opt := Options{HostOrgName: "CERT Host", AdminEmail: "admin@cert.example"}
		first, err := Ensure(ctx, db, opt)
		if err != nil {
			t.Fatalf("Ensure() = %v", err)
		}
		if !first.FirstStart || !first.KeyGenerated || !first.PasswordGenerated || !misp.IsUUID(first.UUID) {
			t.Fatalf("first Ensure() = %+v, want generated credentials and an instance uuid", first)
		}
		admin, err := db.FindUserByEmail(ctx, "admin@cert.example")
		if err != nil {
			t.Fatal(err)
		}
		if admin.RoleID != misp.RoleAdmin || int64(admin.OrgID) != first.HostOrgID {
			t.Errorf("admin = role %d org %d, want site admin of the host org %d", admin.RoleID, admin.OrgID, first.HostOrgID)
		}
		if !auth.CheckPassword(admin.PasswordHash, string(first.AdminPassword)) {
			t.Error("stored password hash does not match the printed password")
		}
		if _, err := db.FindAuthKeyByHash(ctx, auth.HashKey(string(first.AdminKey))); err != nil {
			t.Errorf("printed key not stored: %v", err)
		}

		again, err := Ensure(ctx, db, opt)
		if err != nil {
			t.Fatalf("second Ensure() = %v", err)
		}
		if again.FirstStart || again.AdminKey != "" || again.UUID != first.UUID || again.HostOrgID != first.HostOrgID {
			t.Errorf("second Ensure() = %+v, want the same instance and no new credentials", again)
		}
		keys, err := db.FindAuthKeys(ctx, misp.AuthKeyFilter{UserID: int64(admin.ID)})
		if err != nil || len(keys) != 1 {
			t.Errorf("admin keys after two starts = %d (%v), want 1", len(keys), err)
		}
	})
}

func TestEnsureGivenCredentials(t *testing.T) {
	eachStore(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		key := strings.Repeat("Zz9", 13) + "y"
		inst, err := Ensure(ctx, db, Options{HostOrgName: "Host", AdminEmail: "root@host.example", AdminKey: key, AdminPassword: "Given password 123"})
		if err != nil {
			t.Fatalf("Ensure() = %v", err)
		}
		if inst.KeyGenerated || inst.PasswordGenerated {
			t.Errorf("Ensure() = %+v, want the given credentials used", inst)
		}
		k, err := db.FindAuthKeyByHash(ctx, auth.HashKey(key))
		if err != nil || k.AuthkeyStart != key[:4] {
			t.Errorf("given key not stored: %v %+v", err, k)
		}
	})
}

func TestEnsureRejectsWeakPassword(t *testing.T) {
	eachStore(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, err := Ensure(ctx, db, Options{HostOrgName: "Host", AdminEmail: "root@host.example", AdminPassword: "short"})
		if !errors.Is(err, misp.ErrInvalid) {
			t.Fatalf("Ensure(weak password) = %v, want ErrInvalid", err)
		}
		// Nothing half-done blocks a corrected retry.
		inst, err := Ensure(ctx, db, Options{HostOrgName: "Host", AdminEmail: "root@host.example"})
		if err != nil || !inst.FirstStart {
			t.Fatalf("retry after a failed first start = %+v, %v", inst, err)
		}
	})
}

// An interrupted first start (host org and admin created, key not) is
// completed by the next start instead of failing on what exists.
func TestEnsureResumes(t *testing.T) {
	eachStore(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		org := &misp.Organisation{Name: "Host", Local: true}
		if err := db.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		u := &misp.User{Email: "root@host.example", OrgID: org.ID, RoleID: misp.RoleAdmin}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		inst, err := Ensure(ctx, db, Options{HostOrgName: "Host", AdminEmail: "root@host.example"})
		if err != nil {
			t.Fatalf("Ensure() after an interrupted start = %v", err)
		}
		if inst.HostOrgID != int64(org.ID) || inst.AdminKey == "" {
			t.Errorf("Ensure() = %+v, want the existing org reused and a key issued", inst)
		}
	})
}
