// Package setup prepares an instance on its first start: the instance
// UUID, the host organisation and the first site admin with a password and
// an API key. It is idempotent and resumable: each step finds what an
// interrupted earlier run created before creating anything.
package setup

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/misp"
)

// settingAdminDone marks a completed first start; the other keys are misp's.
const settingAdminDone = "bootstrap_complete"

// Store is what setup needs: organisations, users, keys and settings.
type Store interface {
	CreateOrg(ctx context.Context, o *misp.Organisation) error
	FindOrgByID(ctx context.Context, id int64) (*misp.Organisation, error)
	FindOrgByName(ctx context.Context, name string) (*misp.Organisation, error)
	CreateUser(ctx context.Context, u *misp.User) error
	FindUserByEmail(ctx context.Context, email string) (*misp.User, error)
	CreateAuthKey(ctx context.Context, k *misp.AuthKey) error
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Options say what to create on first start.
type Options struct {
	HostOrgName   string
	AdminEmail    string
	AdminKey      string // empty: generate
	AdminPassword string // empty: generate
}

// Instance is what an instance knows about itself.
type Instance struct {
	UUID      string
	HostOrgID int64
	// FirstStart is true when this call created the admin account; then
	// AdminKey and AdminPassword hold the credentials, to be shown once.
	FirstStart    bool
	AdminEmail    string
	AdminKey      misp.Secret
	AdminPassword misp.Secret
	// Generated reports which credentials were generated (and so must be
	// printed) rather than given.
	KeyGenerated, PasswordGenerated bool
}

// Ensure makes sure the instance is set up and returns its identity.
func Ensure(ctx context.Context, st Store, opt Options) (*Instance, error) {
	inst := &Instance{}
	id, err := ensureSetting(ctx, st, misp.SettingInstanceUUID, misp.NewUUID)
	if err != nil {
		return nil, err
	}
	inst.UUID = id

	if done, err := st.Setting(ctx, settingAdminDone); err == nil && done == "1" {
		hostID, err := hostOrgID(ctx, st)
		if err != nil {
			return nil, err
		}
		inst.HostOrgID = hostID
		return inst, nil
	} else if err != nil && !errors.Is(err, misp.ErrNotFound) {
		return nil, fmt.Errorf("read setting: %w", err)
	}

	org, err := st.FindOrgByName(ctx, opt.HostOrgName)
	if errors.Is(err, misp.ErrNotFound) {
		org = &misp.Organisation{Name: opt.HostOrgName, Local: true, Description: "Host organisation of this Razmena instance"}
		if err := org.Validate(); err != nil {
			return nil, fmt.Errorf("host organisation: %w", err)
		}
		err = st.CreateOrg(ctx, org)
	}
	if err != nil {
		return nil, fmt.Errorf("host organisation: %w", err)
	}
	inst.HostOrgID = int64(org.ID)
	if err := st.SetSetting(ctx, misp.SettingHostOrgID, strconv.FormatInt(int64(org.ID), 10)); err != nil {
		return nil, fmt.Errorf("store host organisation id: %w", err)
	}

	if err := ensureAdmin(ctx, st, opt, inst); err != nil {
		return nil, err
	}
	if err := st.SetSetting(ctx, settingAdminDone, "1"); err != nil {
		return nil, fmt.Errorf("mark setup complete: %w", err)
	}
	return inst, nil
}

func ensureAdmin(ctx context.Context, st Store, opt Options, inst *Instance) error {
	inst.AdminEmail = opt.AdminEmail
	admin, err := st.FindUserByEmail(ctx, opt.AdminEmail)
	if err != nil && !errors.Is(err, misp.ErrNotFound) {
		return fmt.Errorf("find admin: %w", err)
	}
	if admin == nil {
		password := opt.AdminPassword
		if password == "" {
			password = auth.GeneratePassword()
			inst.PasswordGenerated = true
		} else if err := auth.ValidatePassword(password); err != nil {
			return fmt.Errorf("RAZMENA_ADMIN_PASSWORD: %w", err)
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		admin = &misp.User{Email: opt.AdminEmail, OrgID: misp.Int(inst.HostOrgID), RoleID: misp.RoleAdmin, PasswordHash: hash, TermsAccepted: true}
		if err := admin.Validate(); err != nil {
			return fmt.Errorf("admin user: %w", err)
		}
		if err := st.CreateUser(ctx, admin); err != nil {
			return fmt.Errorf("create admin user: %w", err)
		}
		inst.AdminPassword = misp.Secret(password)
	}
	key := opt.AdminKey
	if key == "" {
		key = auth.GenerateKey()
		inst.KeyGenerated = true
	}
	k := &misp.AuthKey{UserID: admin.ID, Comment: "Created on first start"}
	if err := auth.NewAuthKey(k, key); err != nil {
		return fmt.Errorf("RAZMENA_ADMIN_KEY: %w", err)
	}
	if err := k.Validate(); err != nil {
		return err
	}
	if err := st.CreateAuthKey(ctx, k); err != nil {
		if errors.Is(err, misp.ErrConflict) && !inst.KeyGenerated {
			// The given key is already registered (an interrupted start).
			inst.FirstStart = true
			return nil
		}
		return fmt.Errorf("create admin key: %w", err)
	}
	inst.FirstStart = true
	inst.AdminKey = misp.Secret(key)
	return nil
}

func ensureSetting(ctx context.Context, st Store, key string, gen func() string) (string, error) {
	v, err := st.Setting(ctx, key)
	if err == nil && v != "" {
		return v, nil
	}
	if err != nil && !errors.Is(err, misp.ErrNotFound) {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	v = gen()
	if err := st.SetSetting(ctx, key, v); err != nil {
		return "", fmt.Errorf("store setting %s: %w", key, err)
	}
	return v, nil
}

func hostOrgID(ctx context.Context, st Store) (int64, error) {
	v, err := st.Setting(ctx, misp.SettingHostOrgID)
	if err != nil {
		return 0, fmt.Errorf("read host organisation id: %w", err)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("host organisation id %q: %w", v, err)
	}
	if _, err := st.FindOrgByID(ctx, id); err != nil {
		return 0, fmt.Errorf("host organisation %d: %w", id, err)
	}
	return id, nil
}
