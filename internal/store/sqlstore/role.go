package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

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
		return tx.one(ctx, "SELECT "+roleCols+" FROM roles WHERE "+where, a, func(rows *sql.Rows) error {
			var err error
			r, err = scanRole(rows)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find role: %w", err)
	}
	return r, nil
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
