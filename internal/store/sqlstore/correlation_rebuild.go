package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// RebuildCorrelationsFresh recomputes every correlation value from
// scratch in one transaction: it empties correlation_values without its
// secondary indexes (emptyCorrelationValues), inserts every value in key order, builds the
// indexes again (one sort each instead of an index insertion per row),
// rebuilds the CIDR tables, and recounts the over-correlating values.
// It is RebuildCorrelations for maintenance: several times faster at
// millions of attributes, but other writes wait for it (SQLite has one
// writer; PostgreSQL's TRUNCATE locks the table, readers of correlations
// included). progress, when not nil, is called after each step; its
// Batches counts the steps.
func (db *DB) RebuildCorrelationsFresh(ctx context.Context, progress func(misp.CorrelationProgress)) (misp.CorrelationProgress, error) {
	var p misp.CorrelationProgress
	step := func() {
		p.Batches++
		if progress != nil {
			progress(p)
		}
	}
	err := db.writeUnchecked(ctx, func(tx *tx) error {
		p = misp.CorrelationProgress{}
		var lo, hi sql.NullInt64
		if err := tx.get(ctx, "SELECT MIN(id), MAX(id) FROM attributes", nil, &lo, &hi); err != nil {
			return err
		}
		p.MinID, p.MaxID = lo.Int64, hi.Int64
		p.LastID = p.MinID - 1
		return tx.around(ctx, tx.d.BulkWrite, tx.d.BulkWriteDone, func() error { return tx.freshValues(ctx, &p, step) })
	})
	if err != nil {
		return p, fmt.Errorf("rebuild correlations: %w", err)
	}
	step()
	return p, nil
}

// freshValues is the body of RebuildCorrelationsFresh: it rebuilds the
// correlation values of the attribute ids of p (MinID to MaxID), setting
// p's counts and calling step after the insert and after the indexes.
func (t *tx) freshValues(ctx context.Context, p *misp.CorrelationProgress, step func()) error {
	indexes, err := t.secondaryIndexes(ctx, "correlation_values")
	if err != nil {
		return err
	}
	keys, err := t.foreignKeys(ctx, "correlation_values")
	if err != nil {
		return err
	}
	if err := t.emptyCorrelationValues(ctx, indexes, keys); err != nil {
		return err
	}
	var a args
	all := idRangeScope(p.MinID, p.MaxID+1)
	sel := t.correlationValuesSelect(&a, all)
	if t.d.Name != "postgres" {
		// In key order, SQLite appends to the primary key's index
		// instead of inserting at random; PostgreSQL's key is an
		// index built after the rows.
		sel = "SELECT v.value, v.event_id, v.attribute_id FROM (" + sel + ") v ORDER BY v.value, v.event_id, v.attribute_id"
	}
	q := "INSERT INTO correlation_values (value, event_id, attribute_id) " + sel
	if p.Values, err = t.execN(ctx, q, a...); err != nil {
		return fmt.Errorf("correlate: %w", err)
	}
	p.LastID = p.MaxID
	step()
	for _, k := range keys {
		if err := t.ddl(ctx, k.create); err != nil {
			return fmt.Errorf("restore foreign key %s: %w", k.name, err)
		}
	}
	for _, ix := range indexes {
		if err := t.ddl(ctx, ix.create); err != nil {
			return fmt.Errorf("rebuild index %s: %w", ix.name, err)
		}
	}
	if err := t.get(ctx, "SELECT COUNT(DISTINCT attribute_id) FROM correlation_values", nil, &p.Attributes); err != nil {
		return err
	}
	step()
	if err := rebuildNetworks(ctx, t, p.MinID, p.MaxID+1); err != nil {
		return err
	}
	return t.recountOverCorrelations(ctx)
}

// emptyCorrelationValues leaves correlation_values empty and without
// its secondary indexes and, on PostgreSQL, its foreign keys (keys):
// PostgreSQL truncates it and drops them. SQLite drops the table and
// creates it again from its own statement: a DELETE of every row (no
// truncation with foreign keys) and the drop of full indexes took
// longer than the rest of a rebuild at a million attributes; its
// foreign keys are off for the rebuild instead (DB.writeUnchecked).
func (t *tx) emptyCorrelationValues(ctx context.Context, indexes []index, keys []index) error {
	if t.d.Name == "postgres" {
		// The index builds sort in memory up to this, rather than in
		// 64 MB runs on disk (the default).
		if err := t.ddl(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
			return err
		}
		if err := t.ddl(ctx, "TRUNCATE correlation_values"); err != nil {
			return err
		}
		for _, ix := range indexes {
			if err := t.ddl(ctx, "DROP INDEX "+ix.name); err != nil {
				return err
			}
		}
		for _, k := range keys {
			if err := t.ddl(ctx, "ALTER TABLE correlation_values DROP CONSTRAINT "+k.name); err != nil {
				return err
			}
		}
		return nil
	}
	var create string
	if err := t.get(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'correlation_values'", nil, &create); err != nil {
		return err
	}
	if err := t.ddl(ctx, "DROP TABLE correlation_values"); err != nil {
		return err
	}
	return t.ddl(ctx, create)
}

// ddl runs a schema statement in the transaction, past the statement
// cache: the cache prepares on another connection, where SQLite checks
// a CREATE INDEX against the schema as it is outside the transaction.
func (t *tx) ddl(ctx context.Context, q string) error {
	_, err := t.tx.ExecContext(ctx, q)
	return t.d.translate(err)
}

// index is a schema object of a table that a rebuild drops and creates
// again — a secondary index, or on PostgreSQL a foreign key — with the
// statement that creates it.
type index struct{ name, create string }

// secondaryIndexes returns the indexes of table that a rebuild may drop
// and create again, read from the catalog so that they are the
// migrations' own: SQLite's declared indexes (not the primary key's),
// PostgreSQL's indexes that back no constraint.
func (t *tx) secondaryIndexes(ctx context.Context, table string) ([]index, error) {
	q := "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL ORDER BY name"
	if t.d.Name == "postgres" {
		q = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
			WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY i.relname`
	}
	var out []index
	err := t.each(ctx, q, []any{table}, func(rows *sql.Rows) error {
		var ix index
		err := rows.Scan(&ix.name, &ix.create)
		out = append(out, ix)
		return err
	})
	return out, err
}

// foreignKeys returns, on PostgreSQL, the foreign keys of table, each
// with the statement that adds it again, read from the catalog. Each
// key checks every inserted row by a trigger that looks its parent up
// (the fresh rebuild at 1 M attributes: 24–28 s with the keys in
// place, 11–14 s without); added after the rows, a key checks them all
// in one join. On SQLite, which cannot drop a foreign key, it returns
// none: the rebuild turns the checks off instead (DB.writeUnchecked).
func (t *tx) foreignKeys(ctx context.Context, table string) ([]index, error) {
	if t.d.Name != "postgres" {
		return nil, nil
	}
	q := `SELECT conname, 'ALTER TABLE ' || quote_ident($1) || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE contype = 'f'
		AND conrelid = (SELECT oid FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace)
		ORDER BY conname`
	var out []index
	err := t.each(ctx, q, []any{table}, func(rows *sql.Rows) error {
		var k index
		err := rows.Scan(&k.name, &k.create)
		out = append(out, k)
		return err
	})
	return out, err
}
