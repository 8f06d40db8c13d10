package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

const orgCols = `o.id, o.name, o.date_created, o.date_modified, o.description, o.type,
	o.nationality, o.sector, o.created_by, o.uuid, o.contacts, o.local,
	o.restricted_to_domain, o.landingpage`

func scanOrg(s interface{ Scan(...any) error }, extra ...any) (*misp.Organisation, error) {
	o := &misp.Organisation{}
	dest := []any{&o.ID, &o.Name, &o.DateCreated, &o.DateModified, &o.Description, &o.Type,
		&o.Nationality, &o.Sector, &o.CreatedBy, &o.UUID, &o.Contacts, scanBool(&o.Local),
		scanJSONList(&o.RestrictedToDomain), &o.LandingPage}
	return o, s.Scan(append(dest, extra...)...)
}

// CreateOrg stores o, setting ID, UUID (if empty) and dates.
// ErrConflict if the name or UUID is taken.
func (db *DB) CreateOrg(ctx context.Context, o *misp.Organisation) error {
	err := db.write(ctx, func(tx *tx) error {
		if o.UUID == "" {
			o.UUID = misp.NewUUID()
		}
		o.UUID = misp.NormalizeUUID(o.UUID)
		if o.RestrictedToDomain == nil {
			o.RestrictedToDomain = []string{}
		}
		o.DateCreated = misp.DateTime(tx.unix())
		o.DateModified = o.DateCreated
		return tx.get(ctx, `INSERT INTO organisations (name, date_created, date_modified, description,
				type, nationality, sector, created_by, uuid, contacts, local, restricted_to_domain, landingpage)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			[]any{o.Name, int64(o.DateCreated), int64(o.DateModified), o.Description, o.Type,
				o.Nationality, o.Sector, int64(o.CreatedBy), o.UUID, o.Contacts, bool(o.Local),
				jsonList(o.RestrictedToDomain), o.LandingPage},
			&o.ID)
	})
	if err != nil {
		return fmt.Errorf("create organisation %q: %w", o.Name, err)
	}
	return nil
}

// FindOrgByID returns an organisation. ErrNotFound if there is none.
func (db *DB) FindOrgByID(ctx context.Context, id int64) (*misp.Organisation, error) {
	return db.findOrg(ctx, "o.id = $1", id)
}

// FindOrgByUUID returns an organisation. ErrNotFound if there is none.
func (db *DB) FindOrgByUUID(ctx context.Context, uuid string) (*misp.Organisation, error) {
	return db.findOrg(ctx, "o.uuid = $1", misp.NormalizeUUID(uuid))
}

// FindOrgByName returns an organisation by case-insensitive name. ErrNotFound if there is none.
func (db *DB) FindOrgByName(ctx context.Context, name string) (*misp.Organisation, error) {
	return db.findOrg(ctx, "lower(o.name) = lower($1)", strings.TrimSpace(name))
}

func (db *DB) findOrg(ctx context.Context, where string, arg any) (*misp.Organisation, error) {
	var o *misp.Organisation
	err := db.read(ctx, func(tx *tx) error {
		var err error
		o, err = findOrg(ctx, tx, where, arg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find organisation %v: %w", arg, err)
	}
	return o, nil
}

func findOrg(ctx context.Context, tx *tx, where string, arg any) (*misp.Organisation, error) {
	var o *misp.Organisation
	err := tx.one(ctx, "SELECT "+orgCols+" FROM organisations o WHERE "+where, []any{arg}, func(rows *sql.Rows) error {
		var err error
		o, err = scanOrg(rows)
		return err
	})
	return o, err
}

// FindOrgs lists organisations with their user counts, ordered by name.
func (db *DB) FindOrgs(ctx context.Context, f misp.OrgFilter) ([]*misp.Organisation, error) {
	var a args
	var where []string
	switch f.Scope {
	case "all":
	case "external":
		where = append(where, "o.local = FALSE")
	default:
		where = append(where, "o.local = TRUE")
	}
	if f.Search != "" {
		where = append(where, "lower(o.name) LIKE "+a.add(likePattern(f.Search))+" ESCAPE '\\'")
	}
	q := "SELECT " + orgCols + ", (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) FROM organisations o"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY lower(o.name), o.id" + limitOffset(&a, f.Limit, f.Offset)
	var orgs []*misp.Organisation
	err := db.read(ctx, func(tx *tx) error {
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			var n int64
			o, err := scanOrg(rows, &n)
			c := misp.Int(n)
			o.UserCount = &c
			orgs = append(orgs, o)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find organisations: %w", err)
	}
	return orgs, nil
}

// UpdateOrg applies upd. ErrNotFound, ErrConflict (name taken).
func (db *DB) UpdateOrg(ctx context.Context, id int64, upd misp.OrgUpdate) (*misp.Organisation, error) {
	var o *misp.Organisation
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if o, err = findOrg(ctx, tx, "o.id = $1", id); err != nil {
			return err
		}
		setIf(&o.Name, upd.Name)
		setIf(&o.Description, upd.Description)
		setIf(&o.Type, upd.Type)
		setIf(&o.Nationality, upd.Nationality)
		setIf(&o.Sector, upd.Sector)
		setIf(&o.Contacts, upd.Contacts)
		setIf(&o.LandingPage, upd.LandingPage)
		if upd.Local != nil {
			o.Local = misp.Bool(*upd.Local)
		}
		if upd.RestrictedToDomain != nil {
			o.RestrictedToDomain = *upd.RestrictedToDomain
		}
		o.DateModified = misp.DateTime(tx.unix())
		_, err = tx.exec(ctx, `UPDATE organisations SET name = $1, date_modified = $2, description = $3,
				type = $4, nationality = $5, sector = $6, contacts = $7, local = $8,
				restricted_to_domain = $9, landingpage = $10
			WHERE id = $11`,
			o.Name, int64(o.DateModified), o.Description, o.Type, o.Nationality, o.Sector,
			o.Contacts, bool(o.Local), jsonList(o.RestrictedToDomain), o.LandingPage, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update organisation %d: %w", id, err)
	}
	return o, nil
}

// DeleteOrg removes an organisation. ErrNotFound; ErrConflict while it
// still has users or owns or created events.
func (db *DB) DeleteOrg(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		if _, err := findOrg(ctx, tx, "o.id = $1", id); err != nil {
			return err
		}
		used, err := tx.exists(ctx, `SELECT 1 FROM users WHERE org_id = $1
			UNION ALL SELECT 1 FROM events WHERE org_id = $1 OR orgc_id = $1 LIMIT 1`, id)
		if err != nil {
			return err
		}
		if used {
			return fmt.Errorf("organisation has users or events: %w", misp.ErrConflict)
		}
		_, err = tx.exec(ctx, "DELETE FROM organisations WHERE id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete organisation %d: %w", id, err)
	}
	return nil
}

// setIf copies *src into *dst when src is set.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// likePattern returns a case-insensitive LIKE pattern for a substring
// match, escaping the pattern characters of s with a backslash.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// limitOffset returns a LIMIT/OFFSET clause; limit 0 means no limit.
func limitOffset(a *args, limit, offset int) string {
	if limit <= 0 {
		return ""
	}
	s := " LIMIT " + a.add(limit)
	if offset > 0 {
		s += " OFFSET " + a.add(offset)
	}
	return s
}
