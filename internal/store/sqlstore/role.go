package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

const roleCols = `id, name, created, modified,
	perm_add, perm_modify, perm_modify_org, perm_publish, perm_delegate, perm_sync,
	perm_admin, perm_audit, perm_auth, perm_site_admin, perm_regexp_access, perm_tagger,
	perm_template, perm_sharing_group, perm_tag_editor, perm_sighting, perm_object_template,
	perm_publish_zmq, perm_publish_kafka, perm_decaying, perm_galaxy_editor, perm_warninglist,
	perm_view_feed_correlations, perm_analyst_data, perm_skip_otp,
	default_role, restricted_to_site_admin, memory_limit, max_execution_time,
	enforce_rate_limit, rate_limit_count`

func scanRole(s interface{ Scan(...any) error }) (*misp.Role, error) {
	r := &misp.Role{}
	p := &r.Perms
	err := s.Scan(&r.ID, &r.Name, &r.Created, &r.Modified,
		scanBool(&p.Add), scanBool(&p.Modify), scanBool(&p.ModifyOrg), scanBool(&p.Publish),
		scanBool(&p.Delegate), scanBool(&p.Sync), scanBool(&p.Admin), scanBool(&p.Audit),
		scanBool(&p.Auth), scanBool(&p.SiteAdmin), scanBool(&p.RegexpAccess), scanBool(&p.Tagger),
		scanBool(&p.Template), scanBool(&p.SharingGroup), scanBool(&p.TagEditor), scanBool(&p.Sighting),
		scanBool(&p.ObjectTemplate), scanBool(&p.PublishZMQ), scanBool(&p.PublishKafka),
		scanBool(&p.Decaying), scanBool(&p.GalaxyEditor), scanBool(&p.Warninglist),
		scanBool(&p.ViewFeedCorrelations), scanBool(&p.AnalystData), scanBool(&p.SkipOTP),
		scanBool(&r.DefaultRole), scanBool(&r.RestrictedToSiteAdmin), &r.MemoryLimit,
		&r.MaxExecutionTime, scanBool(&r.EnforceRateLimit), &r.RateLimitCount)
	return r, err
}

// FindRoleByID returns a role. ErrNotFound if there is none.
func (db *DB) FindRoleByID(ctx context.Context, id int64) (*misp.Role, error) {
	return db.findRole(ctx, "id = $1", id)
}

// FindDefaultRole returns the role flagged default_role. ErrNotFound if none is.
func (db *DB) FindDefaultRole(ctx context.Context) (*misp.Role, error) {
	return db.findRole(ctx, "default_role = TRUE ORDER BY id LIMIT 1")
}

func (db *DB) findRole(ctx context.Context, where string, a ...any) (*misp.Role, error) {
	var r *misp.Role
	err := db.read(ctx, func(tx *tx) error {
		var err error
		r, err = findRole(ctx, tx, where, a...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find role: %w", err)
	}
	return r, nil
}

func findRole(ctx context.Context, tx *tx, where string, a ...any) (*misp.Role, error) {
	var r *misp.Role
	err := tx.one(ctx, "SELECT "+roleCols+" FROM roles WHERE "+where, a, func(rows *sql.Rows) error {
		var err error
		r, err = scanRole(rows)
		return err
	})
	return r, err
}

// FindRoles returns every role, ordered by id.
func (db *DB) FindRoles(ctx context.Context) ([]*misp.Role, error) {
	var roles []*misp.Role
	err := db.read(ctx, func(tx *tx) error {
		return tx.each(ctx, "SELECT "+roleCols+" FROM roles ORDER BY id", nil, func(rows *sql.Rows) error {
			r, err := scanRole(rows)
			roles = append(roles, r)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find roles: %w", err)
	}
	return roles, nil
}

// roleValues returns the stored columns of r after id, created and
// default_role, in the order of roleWriteCols.
func roleValues(r *misp.Role) []any {
	p := &r.Perms
	return []any{r.Name, int64(r.Modified),
		bool(p.Add), bool(p.Modify), bool(p.ModifyOrg), bool(p.Publish), bool(p.Delegate),
		bool(p.Sync), bool(p.Admin), bool(p.Audit), bool(p.Auth), bool(p.SiteAdmin),
		bool(p.RegexpAccess), bool(p.Tagger), bool(p.Template), bool(p.SharingGroup),
		bool(p.TagEditor), bool(p.Sighting), bool(p.ObjectTemplate), bool(p.PublishZMQ),
		bool(p.PublishKafka), bool(p.Decaying), bool(p.GalaxyEditor), bool(p.Warninglist),
		bool(p.ViewFeedCorrelations), bool(p.AnalystData), bool(p.SkipOTP),
		bool(r.RestrictedToSiteAdmin), r.MemoryLimit, r.MaxExecutionTime,
		bool(r.EnforceRateLimit), int64(r.RateLimitCount)}
}

// roleWriteCols are the columns roleValues fills.
var roleWriteCols = []string{"name", "modified",
	"perm_add", "perm_modify", "perm_modify_org", "perm_publish", "perm_delegate",
	"perm_sync", "perm_admin", "perm_audit", "perm_auth", "perm_site_admin",
	"perm_regexp_access", "perm_tagger", "perm_template", "perm_sharing_group",
	"perm_tag_editor", "perm_sighting", "perm_object_template", "perm_publish_zmq",
	"perm_publish_kafka", "perm_decaying", "perm_galaxy_editor", "perm_warninglist",
	"perm_view_feed_correlations", "perm_analyst_data", "perm_skip_otp",
	"restricted_to_site_admin", "memory_limit", "max_execution_time",
	"enforce_rate_limit", "rate_limit_count"}

// checkRoleName returns ErrConflict if another role than id has name,
// compared case-insensitively (the unique index compares exactly).
func checkRoleName(ctx context.Context, tx *tx, name string, id int64) error {
	taken, err := tx.exists(ctx, "SELECT 1 FROM roles WHERE lower(name) = lower($1) AND id <> $2", name, id)
	if err != nil {
		return err
	}
	if taken {
		return fmt.Errorf("role name %q is taken: %w", name, misp.ErrConflict)
	}
	return nil
}

// CreateRole stores r, setting ID, Created and Modified; never as the
// default role. *ValidationError; ErrConflict if the name is taken.
func (db *DB) CreateRole(ctx context.Context, r *misp.Role) error {
	if err := r.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *tx) error {
		if err := checkRoleName(ctx, tx, r.Name, 0); err != nil {
			return err
		}
		r.Created = misp.DateTime(tx.unix())
		r.Modified = r.Created
		r.DefaultRole = false
		var a args
		vals := roleValues(r)
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = a.add(v)
		}
		q := "INSERT INTO roles (created, " + strings.Join(roleWriteCols, ", ") + ") VALUES (" +
			a.add(int64(r.Created)) + ", " + strings.Join(ph, ", ") + ") RETURNING id"
		return tx.get(ctx, q, a, &r.ID)
	})
	if err != nil {
		return fmt.Errorf("create role %q: %w", r.Name, err)
	}
	return nil
}

// UpdateRole saves r over the stored role r.ID, except created and
// default_role. ErrNotFound; *ValidationError; ErrConflict (name taken).
func (db *DB) UpdateRole(ctx context.Context, r *misp.Role) error {
	if err := r.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *tx) error {
		stored, err := findRole(ctx, tx, "id = $1", int64(r.ID))
		if err != nil {
			return err
		}
		if err := checkRoleName(ctx, tx, r.Name, int64(r.ID)); err != nil {
			return err
		}
		r.Created, r.DefaultRole = stored.Created, stored.DefaultRole
		r.Modified = misp.DateTime(tx.unix())
		var a args
		sets := make([]string, len(roleWriteCols))
		for i, v := range roleValues(r) {
			sets[i] = roleWriteCols[i] + " = " + a.add(v)
		}
		_, err = tx.exec(ctx, "UPDATE roles SET "+strings.Join(sets, ", ")+" WHERE id = "+a.add(int64(r.ID)), a...)
		return err
	})
	if err != nil {
		return fmt.Errorf("update role %d: %w", r.ID, err)
	}
	return nil
}

// DeleteRole removes a role. ErrNotFound; ErrConflict while users have it
// or while it is the default role.
func (db *DB) DeleteRole(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		r, err := findRole(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if r.DefaultRole {
			return fmt.Errorf("role is the default role: %w", misp.ErrConflict)
		}
		used, err := tx.exists(ctx, "SELECT 1 FROM users WHERE role_id = $1 LIMIT 1", id)
		if err != nil {
			return err
		}
		if used {
			return fmt.Errorf("role is assigned to users: %w", misp.ErrConflict)
		}
		_, err = tx.exec(ctx, "DELETE FROM roles WHERE id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete role %d: %w", id, err)
	}
	return nil
}

// SetDefaultRole makes role id the only default role. ErrNotFound.
func (db *DB) SetDefaultRole(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		if _, err := findRole(ctx, tx, "id = $1", id); err != nil {
			return err
		}
		// One statement, so that no reader ever sees zero or two defaults.
		_, err := tx.exec(ctx, "UPDATE roles SET default_role = (id = $1) WHERE default_role <> (id = $1)", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("set default role %d: %w", id, err)
	}
	return nil
}
