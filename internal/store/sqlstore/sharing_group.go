package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

var _ misp.SharingGroupStore = (*DB)(nil)

// sgCols are the sharing_groups columns of alias g, then the owner
// organisation's name, uuid and local flag (alias og, LEFT JOINed).
const sgCols = `g.id, g.uuid, g.name, g.description, g.releasability, g.local, g.active, g.roaming,
	g.org_id, g.organisation_uuid, g.sync_user_id, g.created, g.modified, og.name, og.uuid, og.local`

const sgFrom = " FROM sharing_groups g LEFT JOIN organisations og ON og.id = g.org_id"

func scanSharingGroup(s interface{ Scan(...any) error }, extra ...any) (*misp.SharingGroup, error) {
	g := &misp.SharingGroup{SharingGroupOrg: []*misp.SharingGroupOrg{}, SharingGroupServer: []*misp.SharingGroupServer{}}
	var created, modified int64
	var ownerName, ownerUUID sql.NullString
	var ownerLocal misp.Bool
	dest := []any{&g.ID, &g.UUID, &g.Name, &g.Description, &g.Releasability, scanBool(&g.Local),
		scanBool(&g.Active), scanBool(&g.Roaming), &g.OrgID, &g.OrganisationUUID, &g.SyncUserID,
		&created, &modified, &ownerName, &ownerUUID, scanBool(&ownerLocal)}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	g.Created, g.Modified = misp.DateTime(created), misp.DateTime(modified)
	if ownerName.Valid {
		g.Organisation = &misp.OrgRef{ID: g.OrgID, Name: ownerName.String, UUID: ownerUUID.String, Local: ownerLocal}
	}
	return g, nil
}

// sgViewable returns the predicate under which the sharing_groups row g
// may be viewed by actor (SharingGroup::checkIfAuthorised): site admins,
// the owner organisation, members, and every organisation when this
// instance (server 0) is listed with all_orgs.
func (t *tx) sgViewable(a *args, g string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	return "(" + g + ".org_id = " + a.add(actor.OrgID()) + " OR " + t.groupIn(a, g+".id", actor) + ")"
}

// sgAuthorised returns the predicate under which data shared with the
// sharing_groups row g is visible to actor (SharingGroup::authorizedIds,
// misp-access-control §2): site admins, members, and every organisation
// when this instance is listed with all_orgs — not the owner by ownership
// alone, and whatever the active flag.
func (t *tx) sgAuthorised(a *args, g string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	return t.groupIn(a, g+".id", actor)
}

// CreateSharingGroup stores g with its member organisations and servers.
func (db *DB) CreateSharingGroup(ctx context.Context, g *misp.SharingGroup) error {
	err := db.write(ctx, func(tx *tx) error {
		if g.UUID == "" {
			g.UUID = misp.NewUUID()
		}
		g.UUID = misp.NormalizeUUID(g.UUID)
		g.Created = misp.DateTime(tx.unix())
		g.Modified = g.Created
		err := tx.get(ctx, `INSERT INTO sharing_groups (uuid, name, description, releasability, org_id,
				organisation_uuid, sync_user_id, active, local, roaming, created, modified)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			[]any{g.UUID, g.Name, g.Description, g.Releasability, int64(g.OrgID), g.OrganisationUUID,
				int64(g.SyncUserID), bool(g.Active), bool(g.Local), bool(g.Roaming), int64(g.Created), int64(g.Modified)},
			&g.ID)
		if err != nil {
			return err
		}
		for _, m := range g.SharingGroupOrg {
			m.SharingGroupID = g.ID
			err := tx.get(ctx, `INSERT INTO sharing_group_orgs (sharing_group_id, org_id, extend)
				VALUES ($1, $2, $3) RETURNING id`, []any{int64(g.ID), int64(m.OrgID), bool(m.Extend)}, &m.ID)
			if err != nil {
				return fmt.Errorf("member organisation %d: %w", m.OrgID, err)
			}
		}
		for _, s := range g.SharingGroupServer {
			s.SharingGroupID = g.ID
			err := tx.get(ctx, `INSERT INTO sharing_group_servers (sharing_group_id, server_id, all_orgs)
				VALUES ($1, $2, $3) RETURNING id`, []any{int64(g.ID), int64(s.ServerID), bool(s.AllOrgs)}, &s.ID)
			if err != nil {
				return fmt.Errorf("member server %d: %w", s.ServerID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create sharing group %q: %w", g.Name, err)
	}
	return nil
}

// FindSharingGroupByID returns a group the actor may view, with members.
func (db *DB) FindSharingGroupByID(ctx context.Context, actor *misp.Actor, id int64) (*misp.SharingGroup, error) {
	g, err := db.findViewableSharingGroup(ctx, actor, "g.id", id)
	if err != nil {
		return nil, fmt.Errorf("find sharing group %d: %w", id, err)
	}
	return g, nil
}

// FindSharingGroupByUUID returns a group the actor may view, with members.
func (db *DB) FindSharingGroupByUUID(ctx context.Context, actor *misp.Actor, uuid string) (*misp.SharingGroup, error) {
	g, err := db.findViewableSharingGroup(ctx, actor, "g.uuid", misp.NormalizeUUID(uuid))
	if err != nil {
		return nil, fmt.Errorf("find sharing group %s: %w", uuid, err)
	}
	return g, nil
}

func (db *DB) findViewableSharingGroup(ctx context.Context, actor *misp.Actor, col string, key any) (*misp.SharingGroup, error) {
	var g *misp.SharingGroup
	err := db.read(ctx, func(tx *tx) error {
		a := args{key}
		q := "SELECT " + sgCols + sgFrom + " WHERE " + col + " = $1 AND " + tx.sgViewable(&a, "g", actor)
		err := tx.one(ctx, q, a, func(rows *sql.Rows) error {
			var err error
			g, err = scanSharingGroup(rows)
			return err
		})
		if err != nil {
			return err
		}
		return loadSharingGroupMembers(ctx, tx, []*misp.SharingGroup{g})
	})
	return g, err
}

// FindSharingGroups lists the groups whose data the actor may see.
func (db *DB) FindSharingGroups(ctx context.Context, actor *misp.Actor, f misp.SharingGroupFilter) ([]*misp.SharingGroup, int64, error) {
	var groups []*misp.SharingGroup
	var total int64
	err := db.read(ctx, func(tx *tx) error {
		var a args
		where := tx.sgAuthorised(&a, "g", actor)
		if f.Active != nil {
			where += " AND g.active = " + a.add(*f.Active)
		}
		countArgs := append(args(nil), a...)
		q := "SELECT " + sgCols + ", COUNT(*) OVER ()" + sgFrom + " WHERE " + where +
			" ORDER BY lower(g.name), g.id" + limitOffset(&a, f.Limit, f.Offset)
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			g, err := scanSharingGroup(rows, &total)
			if err != nil {
				return err
			}
			groups = append(groups, g)
			return nil
		})
		if err != nil {
			return err
		}
		if len(groups) == 0 && f.Offset > 0 {
			// A page past the end has no row to carry the total.
			return tx.get(ctx, "SELECT COUNT(*)"+sgFrom+" WHERE "+where, countArgs, &total)
		}
		return loadSharingGroupMembers(ctx, tx, groups)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("find sharing groups: %w", err)
	}
	return groups, total, nil
}

// loadSharingGroupMembers fills the member organisations (with their
// Organisation) and servers of groups.
func loadSharingGroupMembers(ctx context.Context, tx *tx, groups []*misp.SharingGroup) error {
	if len(groups) == 0 {
		return nil
	}
	byID := make(map[misp.Int]*misp.SharingGroup, len(groups))
	ids := make([]int64, 0, len(groups))
	for _, g := range groups {
		byID[g.ID] = g
		ids = append(ids, int64(g.ID))
	}
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		in := inList(&a, chunk)
		err := tx.each(ctx, `SELECT m.id, m.sharing_group_id, m.org_id, m.extend, o.name, o.uuid, o.local
			FROM sharing_group_orgs m JOIN organisations o ON o.id = m.org_id
			WHERE m.sharing_group_id IN (`+in+`) ORDER BY m.id`, a, func(rows *sql.Rows) error {
			m := &misp.SharingGroupOrg{Organisation: &misp.OrgRef{}}
			if err := rows.Scan(&m.ID, &m.SharingGroupID, &m.OrgID, scanBool(&m.Extend),
				&m.Organisation.Name, &m.Organisation.UUID, scanBool(&m.Organisation.Local)); err != nil {
				return err
			}
			m.Organisation.ID = m.OrgID
			g := byID[m.SharingGroupID]
			g.SharingGroupOrg = append(g.SharingGroupOrg, m)
			return nil
		})
		if err != nil {
			return fmt.Errorf("sharing group organisations: %w", err)
		}
		err = tx.each(ctx, `SELECT s.id, s.sharing_group_id, s.server_id, s.all_orgs
			FROM sharing_group_servers s WHERE s.sharing_group_id IN (`+in+`) ORDER BY s.id`, a, func(rows *sql.Rows) error {
			s := &misp.SharingGroupServer{}
			if err := rows.Scan(&s.ID, &s.SharingGroupID, &s.ServerID, scanBool(&s.AllOrgs)); err != nil {
				return err
			}
			g := byID[s.SharingGroupID]
			g.SharingGroupServer = append(g.SharingGroupServer, s)
			return nil
		})
		if err != nil {
			return fmt.Errorf("sharing group servers: %w", err)
		}
	}
	return nil
}

// UpdateSharingGroup replaces the group's own fields and adds or updates
// the member organisations and servers listed in g, in one transaction.
func (db *DB) UpdateSharingGroup(ctx context.Context, g *misp.SharingGroup) error {
	err := db.write(ctx, func(tx *tx) error {
		g.Modified = misp.DateTime(tx.unix())
		n, err := tx.execN(ctx, `UPDATE sharing_groups SET name = $1, description = $2, releasability = $3,
				active = $4, roaming = $5, local = $6, modified = $7 WHERE id = $8`,
			g.Name, g.Description, g.Releasability, bool(g.Active), bool(g.Roaming), bool(g.Local), int64(g.Modified), int64(g.ID))
		if err == nil && n == 0 {
			err = misp.ErrNotFound
		}
		if err != nil {
			return err
		}
		for _, m := range g.SharingGroupOrg {
			if err := upsertSharingGroupOrg(ctx, tx, int64(g.ID), int64(m.OrgID), bool(m.Extend)); err != nil {
				return err
			}
		}
		for _, sv := range g.SharingGroupServer {
			if err := upsertSharingGroupServer(ctx, tx, int64(g.ID), int64(sv.ServerID), bool(sv.AllOrgs)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update sharing group %d: %w", g.ID, err)
	}
	return nil
}

// DeleteSharingGroup removes a group unless data uses it.
func (db *DB) DeleteSharingGroup(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		if ok, err := tx.exists(ctx, "SELECT 1 FROM sharing_groups WHERE id = $1", id); err != nil || !ok {
			if err == nil {
				err = misp.ErrNotFound
			}
			return err
		}
		// SharingGroup::beforeDelete. Data keeps sharing_group_id without a
		// foreign key (0 means none), so the check is explicit.
		used, err := tx.exists(ctx, `SELECT 1 FROM events WHERE sharing_group_id = $1
			UNION ALL SELECT 1 FROM attributes WHERE sharing_group_id = $1
			UNION ALL SELECT 1 FROM objects WHERE sharing_group_id = $1 LIMIT 1`, id)
		if err != nil {
			return err
		}
		if used {
			return fmt.Errorf("sharing group is in use: %w", misp.ErrConflict)
		}
		_, err = tx.exec(ctx, "DELETE FROM sharing_groups WHERE id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete sharing group %d: %w", id, err)
	}
	return nil
}

// AddSharingGroupOrg adds or updates a member organisation.
func (db *DB) AddSharingGroupOrg(ctx context.Context, sgID, orgID int64, extend bool) error {
	err := db.write(ctx, func(tx *tx) error {
		if err := touchSharingGroup(ctx, tx, sgID); err != nil {
			return err
		}
		return upsertSharingGroupOrg(ctx, tx, sgID, orgID, extend)
	})
	if err != nil {
		return fmt.Errorf("add organisation %d to sharing group %d: %w", orgID, sgID, err)
	}
	return nil
}

// RemoveSharingGroupOrg removes a member organisation.
func (db *DB) RemoveSharingGroupOrg(ctx context.Context, sgID, orgID int64) error {
	err := db.removeSharingGroupMember(ctx, "DELETE FROM sharing_group_orgs WHERE sharing_group_id = $1 AND org_id = $2", sgID, orgID)
	if err != nil {
		return fmt.Errorf("remove organisation %d from sharing group %d: %w", orgID, sgID, err)
	}
	return nil
}

// AddSharingGroupServer adds or updates a member server.
func (db *DB) AddSharingGroupServer(ctx context.Context, sgID, serverID int64, allOrgs bool) error {
	err := db.write(ctx, func(tx *tx) error {
		if err := touchSharingGroup(ctx, tx, sgID); err != nil {
			return err
		}
		return upsertSharingGroupServer(ctx, tx, sgID, serverID, allOrgs)
	})
	if err != nil {
		return fmt.Errorf("add server %d to sharing group %d: %w", serverID, sgID, err)
	}
	return nil
}

// RemoveSharingGroupServer removes a member server.
func (db *DB) RemoveSharingGroupServer(ctx context.Context, sgID, serverID int64) error {
	err := db.removeSharingGroupMember(ctx, "DELETE FROM sharing_group_servers WHERE sharing_group_id = $1 AND server_id = $2", sgID, serverID)
	if err != nil {
		return fmt.Errorf("remove server %d from sharing group %d: %w", serverID, sgID, err)
	}
	return nil
}

// removeSharingGroupMember runs del, a constant DELETE of one member row
// bound to the group and member ids, and touches the group.
// ErrNotFound if there was no such member.
func (db *DB) removeSharingGroupMember(ctx context.Context, del string, sgID, memberID int64) error {
	return db.write(ctx, func(tx *tx) error {
		n, err := tx.execN(ctx, del, sgID, memberID)
		if err == nil && n == 0 {
			err = misp.ErrNotFound
		}
		if err != nil {
			return err
		}
		return touchSharingGroup(ctx, tx, sgID)
	})
}

// upsertSharingGroupOrg adds organisation orgID to group sgID, or sets
// its extend flag. ErrInvalid if the organisation does not exist.
func upsertSharingGroupOrg(ctx context.Context, tx *tx, sgID, orgID int64, extend bool) error {
	if ok, err := tx.exists(ctx, "SELECT 1 FROM organisations WHERE id = $1", orgID); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("organisation %d does not exist: %w", orgID, misp.ErrInvalid)
		}
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO sharing_group_orgs (sharing_group_id, org_id, extend) VALUES ($1, $2, $3)
		ON CONFLICT (sharing_group_id, org_id) DO UPDATE SET extend = excluded.extend`, sgID, orgID, extend)
	return err
}

// upsertSharingGroupServer adds server serverID (0 = this instance) to
// group sgID, or sets its all_orgs flag.
func upsertSharingGroupServer(ctx context.Context, tx *tx, sgID, serverID int64, allOrgs bool) error {
	_, err := tx.exec(ctx, `INSERT INTO sharing_group_servers (sharing_group_id, server_id, all_orgs) VALUES ($1, $2, $3)
		ON CONFLICT (sharing_group_id, server_id) DO UPDATE SET all_orgs = excluded.all_orgs`, sgID, serverID, allOrgs)
	return err
}

// touchSharingGroup sets the modified time of group id, so that a member
// change counts as a newer version of the group when it is synchronised.
// ErrNotFound if there is no such group.
func touchSharingGroup(ctx context.Context, tx *tx, id int64) error {
	n, err := tx.execN(ctx, "UPDATE sharing_groups SET modified = $1 WHERE id = $2", tx.unix(), id)
	if err == nil && n == 0 {
		err = misp.ErrNotFound
	}
	return err
}
