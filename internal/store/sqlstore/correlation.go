package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/razmena/razmena/internal/misp"
)

// This file keeps the correlation tables (migration 00010,
// docs/correlation.md) in step with the attributes, inside the
// transaction of every write that changes what correlates:
//
//   - correlation_values holds one row per value an attribute correlates
//     on: value1, and value2 unless the type correlates on its first half
//     only, for a live attribute of a correlating type, without
//     disable_correlation on it or on its event, outside a deleted
//     object, and not excluded (correlation_exclusions);
//   - over_correlating_values holds the values with more rows than the
//     correlation limit, with their number of rows when they were listed
//     (FindOverCorrelatingValues counts them again).
//
// A write changes only its own attributes' rows, and the list of
// over-correlating values when a value crosses the limit: no row is
// derived from several attributes' (a count, a "shared" mark), as
// concurrent writes of one popular value would then update the same row,
// which PostgreSQL's repeatable-read transactions report as conflicts to
// retry — four ingest clients exhausted their retries on a 2,500-attribute
// event at 100,000 attributes.
//
// A write names the attributes it changed (a corrScope); uncorrelate
// removes their rows, correlate writes them again from the rules, in SQL
// (INSERT … SELECT), and both adjust the over-correlating values of the
// values they touch; both keep the CIDR rows too (correlation_cidr.go).
// Nothing else is derived: correlations are the pairs of rows sharing a
// value, found when they are read (correlation_read.go).

// corrScope names the attributes a write changed: a condition on the
// attributes row a, and the same condition on correlation_values rows
// (members, given the table's name or alias).
type corrScope struct {
	attrs   func(a *args) string
	members func(a *args, c string) string
}

// eventScope is every attribute of event id.
func eventScope(id int64) corrScope {
	return corrScope{
		attrs:   func(a *args) string { return "a.event_id = " + a.add(id) },
		members: func(a *args, c string) string { return c + ".event_id = " + a.add(id) },
	}
}

// attributeScope is the attributes ids (at most inChunk of them).
func attributeScope(ids ...int64) corrScope {
	return corrScope{
		attrs:   func(a *args) string { return "a.id IN (" + inList(a, ids) + ")" },
		members: func(a *args, c string) string { return c + ".attribute_id IN (" + inList(a, ids) + ")" },
	}
}

// objectScope is the attributes of object id.
func objectScope(id int64) corrScope {
	return corrScope{
		attrs: func(a *args) string { return "a.object_id = " + a.add(id) },
		members: func(a *args, c string) string {
			return c + ".attribute_id IN (SELECT id FROM attributes WHERE object_id = " + a.add(id) + ")"
		},
	}
}

// idRangeScope is the attributes with lo <= id < hi.
func idRangeScope(lo, hi int64) corrScope {
	return corrScope{
		attrs: func(a *args) string { return "a.id >= " + a.add(lo) + " AND a.id < " + a.add(hi) },
		members: func(a *args, c string) string {
			return c + ".attribute_id >= " + a.add(lo) + " AND " + c + ".attribute_id < " + a.add(hi)
		},
	}
}

// correlationTypes are the type lists the rules bind: the types that
// never correlate, and those that correlate on value1 only. Both come
// from the type matrix (misp.CorrelatesType, misp.IsPrimaryOnlyCorrelation).
var correlationTypes = sync.OnceValues(func() (nonCorrelating, primaryOnly []string) {
	for _, t := range misp.TypeNames() {
		if !misp.CorrelatesType(t) {
			nonCorrelating = append(nonCorrelating, t)
		}
		if misp.IsCompositeType(t) && misp.IsPrimaryOnlyCorrelation(t) {
			primaryOnly = append(primaryOnly, t)
		}
	}
	return nonCorrelating, primaryOnly
})

// exclusionMatch is the condition that the value column col matches the
// exclusion whose kind and pattern are the expressions kind and pattern
// (misp.ParseExclusion): case-sensitive, "%" and "_" literal, so neither
// LIKE (case-insensitive on SQLite) nor instr/strpos (one per dialect).
func exclusionMatch(col, kind, pattern string) string {
	return "((" + kind + " = 0 AND " + col + " = " + pattern + ")" +
		" OR (" + kind + " = 1 AND substr(" + col + ", 1, length(" + pattern + ")) = " + pattern + ")" +
		" OR (" + kind + " = 2 AND length(" + col + ") >= length(" + pattern + ") AND substr(" + col +
		", length(" + col + ") - length(" + pattern + ") + 1) = " + pattern + ")" +
		" OR (" + kind + " = 3 AND (" + pattern + " = '' OR replace(" + col + ", " + pattern + ", '') <> " + col + ")))"
}

// excluded is the condition that an exclusion keeps the value column col
// from correlating: an exact one, found by its unique index, or a
// pattern, of which there are few.
func excluded(col string) string {
	return "(EXISTS (SELECT 1 FROM correlation_exclusions xe WHERE xe.value = " + col + " AND xe.kind = 0)" +
		" OR EXISTS (SELECT 1 FROM correlation_exclusions xp WHERE xp.kind > 0 AND " +
		exclusionMatch(col, "xp.kind", "xp.pattern") + "))"
}

// correlatesSQL is the rule set on the attributes row a of the events
// row e: a live attribute of a correlating type, without
// disable_correlation on it or its event, and outside a deleted object.
// MISP does not look at the object; Razmena does, as an object's
// attributes are reachable only through it.
func correlatesSQL(a *args) string {
	nonCorrelating, _ := correlationTypes()
	return "a.deleted = FALSE AND a.disable_correlation = FALSE AND e.disable_correlation = FALSE" +
		" AND a.type NOT IN (" + inList(a, nonCorrelating) + ")" +
		" AND (a.object_id = 0 OR EXISTS (SELECT 1 FROM objects ob WHERE ob.id = a.object_id AND ob.deleted = FALSE))"
}

// corrLimit returns the over-correlation cap, read once per transaction.
func (t *tx) corrLimit(ctx context.Context) (int, error) {
	if t.limit > 0 {
		return t.limit, nil
	}
	n, err := readCorrelationLimit(ctx, t)
	if err != nil {
		return 0, err
	}
	t.limit = n
	return n, nil
}

func readCorrelationLimit(ctx context.Context, t *tx) (int, error) {
	var s string
	err := t.get(ctx, "SELECT value FROM settings WHERE key = $1", []any{misp.SettingCorrelationLimit}, &s)
	if errors.Is(err, misp.ErrNotFound) {
		return misp.DefaultCorrelationLimit, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read correlation limit: %w", err)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return misp.DefaultCorrelationLimit, nil
	}
	return n, nil
}

// recorrelate brings the correlation values of the attributes of s in
// line with their current state.
func (t *tx) recorrelate(ctx context.Context, s corrScope) error {
	if err := t.uncorrelate(ctx, s); err != nil {
		return err
	}
	_, err := t.correlate(ctx, s)
	return err
}

// uncorrelate removes the correlation values of the attributes of s,
// and delists the over-correlating values they held that no longer pass
// the limit. A hard delete calls it before deleting: the rows would
// cascade, but the list would not follow.
func (t *tx) uncorrelate(ctx context.Context, s corrScope) error {
	if err := t.unnetwork(ctx, s); err != nil {
		return err
	}
	var a args
	var over []string
	q := "SELECT DISTINCT c.value FROM correlation_values c WHERE " + s.members(&a, "c") +
		" AND NOT " + t.notOverCorrelating("c.value")
	err := t.each(ctx, q, a, func(rows *sql.Rows) error {
		var v string
		err := rows.Scan(&v)
		over = append(over, v)
		return err
	})
	if err != nil {
		return fmt.Errorf("uncorrelate: %w", err)
	}
	a = nil
	if _, err := t.exec(ctx, "DELETE FROM correlation_values WHERE "+s.members(&a, "correlation_values"), a...); err != nil {
		return fmt.Errorf("uncorrelate: %w", err)
	}
	return t.delist(ctx, over)
}

// delist removes from the over-correlating values those of values that
// no longer pass the limit.
func (t *tx) delist(ctx context.Context, values []string) error {
	if len(values) == 0 {
		return nil
	}
	limit, err := t.corrLimit(ctx)
	if err != nil {
		return err
	}
	for _, chunk := range chunks(values, inChunk) {
		var a args
		q := "DELETE FROM over_correlating_values WHERE value IN (" + inList(&a, chunk) +
			") AND (SELECT c3.attribute_id FROM correlation_values c3 WHERE " + t.d.sameValue("c3.value", "over_correlating_values.value") +
			" LIMIT 1 OFFSET " + a.add(limit) + ") IS NULL"
		if _, err := t.exec(ctx, q, a...); err != nil {
			return fmt.Errorf("uncorrelate: %w", err)
		}
	}
	return nil
}

// correlate writes the correlation values of the attributes of s, which
// must have none, and lists the values that now pass the limit, with
// their number of holders. It returns the number of values written.
// Listed values are left alone (see the top of this file).
func (t *tx) correlate(ctx context.Context, s corrScope) (int64, error) {
	if err := t.network(ctx, s); err != nil {
		return 0, err
	}
	n, err := t.insertCorrelationValues(ctx, s)
	if err != nil || n == 0 {
		return n, err
	}
	limit, err := t.corrLimit(ctx)
	if err != nil {
		return n, err
	}
	// A value joins the list when its row number limit+1 exists: the
	// count stops there, unless the value passes the limit and its count
	// is wanted. ON CONFLICT: a concurrent write listed it first.
	var a args
	q := "INSERT INTO over_correlating_values (value, occurrence) SELECT n.value, (SELECT COUNT(*) FROM correlation_values c2 WHERE " +
		t.d.sameValue("c2.value", "n.value") + ") FROM (SELECT DISTINCT c.value FROM correlation_values c WHERE " + s.members(&a, "c") +
		") n WHERE NOT EXISTS (SELECT 1 FROM over_correlating_values ov WHERE " + t.d.sameValue("ov.value", "n.value") +
		") AND (SELECT c3.attribute_id FROM correlation_values c3 WHERE " + t.d.sameValue("c3.value", "n.value") +
		" LIMIT 1 OFFSET " + a.add(limit) + ") IS NOT NULL ON CONFLICT DO NOTHING"
	if _, err := t.exec(ctx, q, a...); err != nil {
		return n, fmt.Errorf("correlate: %w", err)
	}
	return n, nil
}

// insertCorrelationValues writes the correlation values of the
// attributes of s from the rules, and returns how many.
func (t *tx) insertCorrelationValues(ctx context.Context, s corrScope) (int64, error) {
	var a args
	q := "INSERT INTO correlation_values (value, event_id, attribute_id) " + t.correlationValuesSelect(&a, s)
	n, err := t.execN(ctx, q, a...)
	if err != nil {
		return 0, fmt.Errorf("correlate: %w", err)
	}
	return n, nil
}

// correlationValuesSelect is the SELECT of the correlation values
// (value, event_id, attribute_id) of the attributes of s, from the rules.
func (t *tx) correlationValuesSelect(a *args, s corrScope) string {
	_, primaryOnly := correlationTypes()
	// Attributes first (CROSS JOIN fixes SQLite's order): a rebuild's
	// range is read in rowid order, not event by event through the
	// event_id index at random (the planner's choice, 10× slower at 10 M).
	from := " FROM attributes a CROSS JOIN events e WHERE e.id = a.event_id AND "
	return "SELECT a.value1 AS value, a.event_id, a.id AS attribute_id" + from + s.attrs(a) + " AND " + correlatesSQL(a) +
		" AND NOT " + excluded("a.value1") +
		" UNION ALL SELECT a.value2, a.event_id, a.id" + from + s.attrs(a) + " AND " + correlatesSQL(a) +
		" AND a.value2 <> '' AND a.value2 <> a.value1 AND a.type NOT IN (" + inList(a, primaryOnly) + ") AND NOT " + excluded("a.value2")
}

// recorrelateAttributes recorrelates the attributes ids, inChunk at a time.
func (t *tx) recorrelateAttributes(ctx context.Context, ids []int64) error {
	for _, chunk := range chunks(ids, inChunk) {
		if err := t.recorrelate(ctx, attributeScope(chunk...)); err != nil {
			return err
		}
	}
	return nil
}

// recountOverCorrelations rebuilds the list of over-correlating values
// from the correlation values.
func (t *tx) recountOverCorrelations(ctx context.Context) error {
	limit, err := t.corrLimit(ctx)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "DELETE FROM over_correlating_values"); err != nil {
		return fmt.Errorf("recount over-correlating values: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO over_correlating_values (value, occurrence)
		SELECT value, COUNT(*) FROM correlation_values GROUP BY value HAVING COUNT(*) > $1`, limit)
	if err != nil {
		return fmt.Errorf("recount over-correlating values: %w", err)
	}
	return nil
}
