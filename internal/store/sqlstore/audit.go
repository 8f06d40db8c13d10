package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

var _ misp.AuditStore = (*DB)(nil)

const auditCols = `l.id, l.created, l.user_id, l.org_id, l.org, l.email, l.ip, l.request_id,
	l.action, l.model, l.model_id, l.title, l.description, l.change, l.method, l.route, l.path, l.status`

func scanAuditEntry(s interface{ Scan(...any) error }) (*misp.AuditEntry, error) {
	e := &misp.AuditEntry{}
	err := s.Scan(&e.ID, &e.Created, &e.UserID, &e.OrgID, &e.Org, &e.Email, &e.IP, &e.RequestID,
		&e.Action, &e.Model, &e.ModelID, &e.Title, &e.Description, &e.Change, &e.Method, &e.Route,
		&e.Path, &e.Status)
	return e, err
}

// CreateAuditEntry appends e, setting ID and Created. See misp.AuditStore.
func (db *DB) CreateAuditEntry(ctx context.Context, e *misp.AuditEntry) error {
	if e.Action == "" {
		return fmt.Errorf("create audit entry: %w", misp.Invalidf("action", "An audit entry needs an action."))
	}
	err := db.write(ctx, func(tx *tx) error {
		e.Created = tx.unix()
		return tx.get(ctx, `INSERT INTO audit_logs (created, user_id, org_id, org, email, ip,
				request_id, action, model, model_id, title, description, change, method, route, path, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
			[]any{e.Created, e.UserID, e.OrgID, e.Org, e.Email, e.IP, e.RequestID, e.Action, e.Model,
				e.ModelID, e.Title, e.Description, e.Change, e.Method, e.Route, e.Path, e.Status},
			&e.ID)
	})
	if err != nil {
		return fmt.Errorf("create audit entry: %w", err)
	}
	return nil
}

// FindAuditEntries returns the entries matching f that actor may read,
// newest first. See misp.AuditStore.
func (db *DB) FindAuditEntries(ctx context.Context, actor *misp.Actor, f misp.AuditFilter) ([]*misp.AuditEntry, error) {
	if actor == nil || actor.User == nil {
		return nil, fmt.Errorf("find audit entries: %w", misp.ErrUnauthenticated)
	}
	var a args
	where := []string{auditVisible(&a, actor)}
	where = appendIn(where, &a, "l.id", f.IDs)
	where = appendIn(where, &a, "l.user_id", f.UserIDs)
	where = appendIn(where, &a, "l.model_id", f.ModelIDs)
	for _, c := range []struct {
		col   string
		terms []string
	}{
		{"l.model", f.Models}, {"l.action", f.Actions}, {"l.email", f.Emails}, {"l.org", f.Orgs},
		{"l.ip", f.IPs}, {"l.title", f.Titles}, {"l.description", f.Descriptions}, {"l.change", f.Changes},
	} {
		if len(c.terms) > 0 {
			where = append(where, textMatch(&a, c.col, c.terms))
		}
	}
	if f.CreatedFrom != 0 {
		where = append(where, "l.created >= "+a.add(f.CreatedFrom))
	}
	if f.CreatedUntil != 0 {
		where = append(where, "l.created <= "+a.add(f.CreatedUntil))
	}
	q := "SELECT " + auditCols + " FROM audit_logs l WHERE " + strings.Join(where, " AND ") + " ORDER BY l.id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + a.add(f.Limit)
	}
	if f.Offset > 0 {
		if f.Limit <= 0 {
			// OFFSET needs a LIMIT in SQLite; PostgreSQL's ALL and
			// SQLite's -1 differ, a bound no table reaches does not.
			q += " LIMIT " + a.add(int64(1)<<62)
		}
		q += " OFFSET " + a.add(f.Offset)
	}
	var out []*misp.AuditEntry
	err := db.read(ctx, func(tx *tx) error {
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			e, err := scanAuditEntry(rows)
			out = append(out, e)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find audit entries: %w", err)
	}
	return out, nil
}

// auditVisible is the predicate of the audit entries (alias l) the actor
// may read (misp-access-control §8.3): every entry for a site admin, the
// entries of their organisation for an organisation admin, their own for
// anyone else. MISP matches organisation admins on the organisation name
// stored in the entry; the id does not change when an organisation is
// renamed, so a rename neither hides old entries nor hands them to a new
// organisation of the old name.
func auditVisible(a *args, actor *misp.Actor) string {
	switch {
	case actor.SiteAdmin():
		return "TRUE"
	case bool(actor.Perms.Admin):
		return "l.org_id = " + a.add(actor.OrgID())
	}
	return "l.user_id = " + a.add(actor.UserID())
}

// appendIn adds "col IN (…)" to where when ids is not empty.
func appendIn(where []string, a *args, col string, ids []int64) []string {
	if len(ids) == 0 {
		return where
	}
	return append(where, col+" IN ("+inList(a, ids)+")")
}

// textMatch is MISP's generic_add_filter for one text column: the terms
// are alternatives; a term starting or ending with "%" is a LIKE pattern,
// any other must match exactly. Both compare case-insensitively, as
// MISP's MySQL collation does.
func textMatch(a *args, col string, terms []string) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		op := " = "
		if strings.HasPrefix(t, "%") || strings.HasSuffix(t, "%") {
			op = " LIKE "
		}
		parts = append(parts, "lower("+col+")"+op+"lower("+a.add(t)+")")
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
