package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// The raw baseline writes the rows the API stored — events, objects,
// attributes and their tag links, with the same ids, values and defaults
// — into a fresh, migrated database with the same schema and indexes:
// SQLite with prepared INSERTs in transactions of rawBatch attributes,
// PostgreSQL with COPY (pgx CopyFrom) per table and batch. It is the
// floor the API path is measured against: no parsing, validation,
// visibility checks, duplicate detection or per-event transactions.

// rawBatch is the number of attributes per transaction or COPY round.
const rawBatch = 50000

// rawTable is one table's rows of a batch.
type rawTable struct {
	name string
	cols []string
	rows [][]any
}

// rawRows holds a batch of rows, table by table, in insert order.
type rawRows struct {
	events, objects, attributes, eventTags, attributeTags rawTable
}

func newRawRows() *rawRows {
	return &rawRows{
		events: rawTable{name: "events", cols: []string{"id", "uuid", "org_id", "orgc_id", "date", "info",
			"threat_level_id", "analysis", "distribution", "sharing_group_id", "published", "publish_timestamp",
			"timestamp", "attribute_count"}},
		objects: rawTable{name: "objects", cols: []string{"id", "uuid", "event_id", "name", "meta_category",
			"template_uuid", "template_version", "timestamp", "distribution", "sharing_group_id"}},
		attributes: rawTable{name: "attributes", cols: []string{"id", "uuid", "event_id", "object_id",
			"object_relation", "category", "type", "value1", "value2", "to_ids", "timestamp", "distribution",
			"sharing_group_id"}},
		eventTags:     rawTable{name: "event_tags", cols: []string{"event_id", "tag_id", "local"}},
		attributeTags: rawTable{name: "attribute_tags", cols: []string{"attribute_id", "event_id", "tag_id", "local"}},
	}
}

func (rr *rawRows) tables() []*rawTable {
	return []*rawTable{&rr.events, &rr.objects, &rr.attributes, &rr.eventTags, &rr.attributeTags}
}

// rawLoad inserts the community into db with plain SQL and records the rate.
func (r *run) rawLoad(ctx context.Context, db *sqlstore.DB) error {
	if err := r.copyReferenceRows(ctx, db.SQL()); err != nil {
		return err
	}
	var eventID, objectID, attrID int64
	sgID := func(dist, i int) int64 {
		if dist != 4 {
			return 0
		}
		return r.sgIDs[i]
	}
	start := time.Now()
	rows := newRawRows()
	n := 0
	for i := range r.c.events {
		e := r.c.event(i)
		eventID++
		org := r.orgIDs[e.plan.org]
		rows.events.rows = append(rows.events.rows, []any{eventID, e.uuid, org, org, e.date, e.info,
			int64(1 + e.plan.index%4), int64(e.plan.index % 3), int64(e.plan.distribution),
			sgID(e.plan.distribution, e.plan.sgIndex), true, e.timestamp, e.timestamp, int64(e.plan.size)})
		for _, t := range e.tags {
			rows.eventTags.rows = append(rows.eventTags.rows, []any{eventID, r.tagIDs[tagNames[t]], false})
		}
		attr := func(a *genAttr, obj int64) {
			attrID++
			t, _ := misp.LookupType(a.typ)
			m := &misp.Attribute{Type: a.typ, Value: a.value}
			v1, v2 := m.Split()
			var rel any
			if a.relation != "" {
				rel = a.relation
			}
			rows.attributes.rows = append(rows.attributes.rows, []any{attrID, a.uuid, eventID, obj, rel,
				t.DefaultCategory, a.typ, v1, v2, a.toIDS, a.timestamp, int64(a.distribution), sgID(a.distribution, a.sgIndex)})
			if a.tag >= 0 {
				rows.attributeTags.rows = append(rows.attributeTags.rows, []any{attrID, eventID, r.tagIDs[tagNames[a.tag]], false})
			}
		}
		for _, a := range e.attrs {
			attr(a, 0)
		}
		for _, o := range e.objects {
			objectID++
			rows.objects.rows = append(rows.objects.rows, []any{objectID, o.uuid, eventID, o.name,
				map[string]string{"file": "file", "domain-ip": "network"}[o.name], o.template, int64(1), e.timestamp, int64(5), int64(0)})
			for _, a := range o.attrs {
				attr(a, objectID)
			}
		}
		n += e.plan.size
		if n >= rawBatch || i == len(r.c.events)-1 {
			if err := r.flushRaw(ctx, db.SQL(), rows); err != nil {
				return err
			}
			rows, n = newRawRows(), 0
		}
	}
	d := time.Since(start)
	r.rep.Ingest.Raw = Rate{Seconds: d.Seconds(), Attributes: r.c.total, PerSecond: float64(r.c.total) / d.Seconds()}
	r.rep.Ingest.Ratio = r.rep.Ingest.API.PerSecond / r.rep.Ingest.Raw.PerSecond
	return nil
}

// copyReferenceRows copies the organisations and tags of the loaded
// database, ids included, so that foreign keys hold.
func (r *run) copyReferenceRows(ctx context.Context, raw *sql.DB) error {
	src := r.db.SQL()
	copyTable := func(table, cols string, n int) error {
		rows, err := src.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			vals := make([]any, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			q := "INSERT INTO " + table + " (" + cols + ") VALUES (" + r.placeholders(n, 0) + ")"
			if _, err := raw.ExecContext(ctx, q, vals...); err != nil {
				return fmt.Errorf("copy %s: %w", table, err)
			}
		}
		return rows.Err()
	}
	if err := copyTable("organisations", "id, name, uuid", 3); err != nil {
		return err
	}
	return copyTable("tags", "id, name", 2)
}

// placeholders returns n bind placeholders starting after the first
// `from`, in the dialect's syntax.
func (r *run) placeholders(n, from int) string {
	ph := make([]string, n)
	for i := range ph {
		if r.cfg.Store == "postgres" {
			ph[i] = "$" + strconv.Itoa(from+i+1)
		} else {
			ph[i] = "?"
		}
	}
	return strings.Join(ph, ", ")
}

// flushRaw writes a batch.
func (r *run) flushRaw(ctx context.Context, db *sql.DB, rows *rawRows) error {
	if r.cfg.Store == "postgres" {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			for _, t := range rows.tables() {
				if len(t.rows) == 0 {
					continue
				}
				if _, err := pc.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
					return fmt.Errorf("copy into %s: %w", t.name, err)
				}
			}
			return nil
		})
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit
	for _, t := range rows.tables() {
		stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+t.name+" ("+strings.Join(t.cols, ", ")+") VALUES ("+r.placeholders(len(t.cols), 0)+")")
		if err != nil {
			return err
		}
		for _, row := range t.rows {
			if _, err := stmt.ExecContext(ctx, row...); err != nil {
				stmt.Close()
				return fmt.Errorf("insert into %s: %w", t.name, err)
			}
		}
		stmt.Close()
	}
	return tx.Commit()
}

// createPostgresDatabase creates database name on the server of
// adminDSN and returns its URL and a function dropping it. The name is
// generated by the caller (CREATE DATABASE takes no bind parameters).
func createPostgresDatabase(ctx context.Context, adminDSN, name string) (string, func(), error) {
	u, err := url.Parse(adminDSN)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("bench: --database must be a postgres:// URL")
	}
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench: drop stale database %s: %w", name, err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench: create database %s: %w", name, err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") // best effort
		admin.Close()
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
