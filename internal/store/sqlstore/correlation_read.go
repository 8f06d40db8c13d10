package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// This file reads correlations: pairs of correlation_values rows of
// different events sharing a value that is not over-correlating. Both
// sides of a pair pass the visibility predicate of every other read
// (attributeVisible, with the attribute's event and object), so that a
// correlation tells the reader nothing about an attribute or event it may
// not see, not even that one exists (misp-access-control §13 #4): the
// attribute looked at must be visible, and so must the other one.

// notOverCorrelating is the condition that the value column col is not
// an over-correlating value.
func (t *tx) notOverCorrelating(col string) string {
	return "NOT EXISTS (SELECT 1 FROM over_correlating_values ov WHERE " + t.d.sameValue("ov.value", col) + ")"
}

// relatedEvents returns the RelatedEvent list of event id for actor: the
// events actor may see holding an attribute actor may see whose value an
// attribute of id that actor may see holds, latest date first.
//
// Its cost follows the number of related events rather than the number
// of correlations. First the events sharing a value with id are read
// from the value index alone, each with one attribute holding the value
// (its "witness"); then those actor may see. A site admin sees them all;
// anybody else keeps an event when its witness and an attribute of id
// holding the same value are visible — usually the case — or else when
// any other pair of their attributes is (visiblePairs). The largest event
// of the benchmark shares values with most events of the instance.
func relatedEvents(ctx context.Context, tx *tx, actor *misp.Actor, id, size int64) ([]*misp.RelatedEvent, error) {
	var candidates []candidate
	q := "SELECT c2.event_id, MIN(c2.attribute_id) FROM correlation_values c1 JOIN correlation_values c2 ON " +
		tx.d.sameValue("c2.value", "c1.value") + " WHERE c1.event_id = $1 AND c2.event_id <> $1 AND " +
		tx.notOverCorrelating("c1.value") + " GROUP BY c2.event_id"
	err := tx.each(ctx, q, []any{id}, func(rows *sql.Rows) error {
		var c candidate
		err := rows.Scan(&c.event, &c.witness)
		candidates = append(candidates, c)
		return err
	})
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	slices.SortFunc(candidates, func(x, y candidate) int { return cmp.Compare(x.event, y.event) })
	var out []*misp.RelatedEvent
	for _, chunk := range chunks(candidates, inChunk) {
		// The candidates actor may see, with what RelatedEvent shows.
		ids := make([]int64, len(chunk))
		for i, c := range chunk {
			ids[i] = c.event
		}
		var a args
		q := `SELECT e2.id, e2.date, e2.threat_level_id, e2.info, e2.published, e2.uuid, e2.analysis,
			e2.timestamp, e2.distribution, e2.org_id, e2.orgc_id, o.name, o.uuid, oc.name, oc.uuid, e2.attribute_count
			FROM events e2 JOIN organisations o ON o.id = e2.org_id JOIN organisations oc ON oc.id = e2.orgc_id
			WHERE e2.id IN (` + paddedList(&a, ids) + ") AND " + tx.eventVisible(&a, "e2", actor)
		visible := map[int64]*misp.RelatedEvent{}
		sizes := map[int64]int64{}
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			r := &misp.RelatedEvent{}
			e := &r.Event
			var n int64
			err := rows.Scan(&e.ID, &e.Date, &e.ThreatLevelID, &e.Info, scanBool(&e.Published), &e.UUID, &e.Analysis,
				&e.Timestamp, &e.Distribution, &e.OrgID, &e.OrgcID, &e.Org.Name, &e.Org.UUID, &e.Orgc.Name, &e.Orgc.UUID, &n)
			e.Org.ID, e.Orgc.ID = e.OrgID, e.OrgcID
			visible[int64(e.ID)] = r
			sizes[int64(e.ID)] = n
			return err
		})
		if err != nil {
			return nil, err
		}
		if noActor(actor) || !actor.SiteAdmin() {
			// Anybody but a site admin needs a pair of visible
			// attributes: the witness's, or another.
			var seen []candidate
			for _, c := range chunk {
				if visible[c.event] != nil {
					seen = append(seen, c)
				}
			}
			kept, err := visiblePairs(ctx, tx, actor, id, size, seen, sizes)
			if err != nil {
				return nil, err
			}
			for e := range visible {
				if !kept[e] {
					delete(visible, e)
				}
			}
		}
		for _, c := range chunk {
			if r := visible[c.event]; r != nil {
				out = append(out, r)
			}
		}
	}
	// MISP orders by date, latest first.
	slices.SortFunc(out, func(x, y *misp.RelatedEvent) int {
		if c := cmp.Compare(y.Event.Date, x.Event.Date); c != 0 {
			return c
		}
		return cmp.Compare(y.Event.ID, x.Event.ID)
	})
	return out, nil
}

// candidate is an event that shares a value with the event looked at,
// and one of its attributes holding such a value.
type candidate struct{ event, witness int64 }

// visiblePairs returns the events of candidates connected to event id
// (of size attributes; sizes has the candidates') by a pair of
// attributes actor may see: first through their witnesses, then, for the
// others, through any of their attributes: the values of a candidate no
// larger than id are looked up among id's, those of id among a larger
// candidate's. Each query is driven by one list of ids or values, so
// that its plan cannot start from the wrong side.
func visiblePairs(ctx context.Context, tx *tx, actor *misp.Actor, id, size int64, candidates []candidate, sizes map[int64]int64) (map[int64]bool, error) {
	kept := map[int64]bool{}
	if len(candidates) == 0 {
		return kept, nil
	}
	witnesses := make([]int64, len(candidates))
	for i, c := range candidates {
		witnesses[i] = c.witness
	}
	held, err := visibleValues(ctx, tx, actor, "c3.attribute_id", witnesses)
	if err != nil {
		return nil, err
	}
	if err := keepHolders(ctx, tx, actor, id, held, kept); err != nil {
		return nil, err
	}
	var smaller, larger []int64
	for _, c := range candidates {
		switch {
		case kept[c.event]:
		case sizes[c.event] <= size:
			smaller = append(smaller, c.event)
		default:
			larger = append(larger, c.event)
		}
	}
	if len(smaller) > 0 {
		held, err := visibleValues(ctx, tx, actor, "c3.event_id", smaller)
		if err != nil {
			return nil, err
		}
		if err := keepHolders(ctx, tx, actor, id, held, kept); err != nil {
			return nil, err
		}
	}
	if len(larger) > 0 {
		ours, err := visibleValues(ctx, tx, actor, "c3.event_id", []int64{id})
		if err != nil {
			return nil, err
		}
		values := make([]string, len(ours))
		for i, h := range ours {
			values[i] = h.value
		}
		for _, events := range chunks(larger, inChunk) {
			for _, vs := range chunks(values, inChunk) {
				var a args
				q := "SELECT DISTINCT c3.event_id FROM " + valueList(&a, vs) + ` CROSS JOIN correlation_values c3
					JOIN attributes a3 ON a3.id = c3.attribute_id JOIN events e2 ON e2.id = c3.event_id
					WHERE ` + tx.d.sameValue("c3.value", "v.column1") + " AND c3.event_id IN (" + paddedList(&a, events) + ") AND " +
					tx.attributeVisible(&a, "e2", "a3", actor)
				err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
					var e int64
					err := rows.Scan(&e)
					kept[e] = true
					return err
				})
				if err != nil {
					return nil, err
				}
			}
		}
	}
	return kept, nil
}

// heldValue is a value an event holds in an attribute the reader may see.
type heldValue struct {
	event int64
	value string
}

// visibleValues returns the values, not over-correlating, that the
// correlation_values rows whose column col is in ids hold in attributes
// actor may see.
func visibleValues(ctx context.Context, tx *tx, actor *misp.Actor, col string, ids []int64) ([]heldValue, error) {
	var out []heldValue
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		q := `SELECT DISTINCT c3.event_id, c3.value FROM correlation_values c3
			JOIN attributes a3 ON a3.id = c3.attribute_id JOIN events e2 ON e2.id = c3.event_id
			WHERE ` + col + " IN (" + paddedList(&a, chunk) + ") AND " + tx.attributeVisible(&a, "e2", "a3", actor) +
			" AND " + tx.notOverCorrelating("c3.value")
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			var h heldValue
			err := rows.Scan(&h.event, &h.value)
			out = append(out, h)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keepHolders marks in kept the events of held whose value event id
// holds in an attribute actor may see.
func keepHolders(ctx context.Context, tx *tx, actor *misp.Actor, id int64, held []heldValue, kept map[int64]bool) error {
	if len(held) == 0 {
		return nil
	}
	var values []string
	seen := map[string]bool{}
	for _, h := range held {
		if !kept[h.event] && !seen[h.value] {
			seen[h.value] = true
			values = append(values, h.value)
		}
	}
	ours := map[string]bool{}
	for _, chunk := range chunks(values, inChunk) {
		var a args
		q := "SELECT DISTINCT c4.value FROM " + valueList(&a, chunk) + ` CROSS JOIN correlation_values c4
			JOIN attributes a4 ON a4.id = c4.attribute_id JOIN events ex ON ex.id = c4.event_id
			WHERE ` + tx.d.sameValue("c4.value", "v.column1") + " AND c4.event_id = " + a.add(id) +
			" AND " + tx.attributeVisible(&a, "ex", "a4", actor)
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			var v string
			err := rows.Scan(&v)
			ours[v] = true
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, h := range held {
		if ours[h.value] {
			kept[h.event] = true
		}
	}
	return nil
}

// valueList is a table v of values (column v.column1) for a join that
// looks each up: "(VALUES …) AS v CROSS JOIN t" keeps SQLite from
// starting at t, and PostgreSQL, whose estimates of an event's rows are
// averages, from reading every row of a large event to test it against
// the list. The list is padded as paddedList does.
func valueList(a *args, values []string) string {
	var b strings.Builder
	b.WriteString("(VALUES ")
	for i, v := range padded(values) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(CAST(" + a.add(v) + " AS TEXT))")
	}
	b.WriteString(") AS v")
	return b.String()
}

// pairsFrom is the FROM clause of the correlation pairs whose first side
// is the correlation_values row c4 (attribute a4 of event ex) and second
// side c3 (attribute a3 of event e2), both visible to actor, on a value
// that is not over-correlating; cond selects the c4 rows (or pairs).
func (t *tx) pairsFrom(a *args, actor *misp.Actor, cond string) string {
	return ` FROM correlation_values c4
		JOIN attributes a4 ON a4.id = c4.attribute_id
		JOIN events ex ON ex.id = c4.event_id
		JOIN correlation_values c3 ON ` + t.d.sameValue("c3.value", "c4.value") + ` AND c3.event_id <> c4.event_id
		JOIN attributes a3 ON a3.id = c3.attribute_id
		JOIN events e2 ON e2.id = c3.event_id
		WHERE ` + cond + " AND " + t.notOverCorrelating("c4.value") + " AND " + t.attributeVisible(a, "ex", "a4", actor) +
		" AND " + t.attributeVisible(a, "e2", "a3", actor)
}

// loadEventCorrelations sets the RelatedAttribute list of the attributes
// of event id in byID (those a full view returns), with at most
// misp.MaxCorrelationsPerEvent entries in all: one per other attribute
// and value, ordered by event and attribute. Which entries a capped list
// keeps is up to the query plan, as in MISP.
func loadEventCorrelations(ctx context.Context, tx *tx, actor *misp.Actor, id int64, byID map[int64]*misp.Attribute) error {
	var a args
	q := "SELECT c4.attribute_id, c3.attribute_id, c3.event_id, c3.value, e2.orgc_id, e2.info" +
		tx.pairsFrom(&a, actor, "c4.event_id = "+a.add(id)) + " LIMIT " + a.add(misp.MaxCorrelationsPerEvent)
	var touched []*misp.Attribute
	err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
		var from int64
		r := &misp.RelatedAttribute{}
		if err := rows.Scan(&from, &r.ID, &r.EventID, &r.Value, &r.OrgID, &r.Info); err != nil {
			return err
		}
		if at := byID[from]; at != nil {
			if at.RelatedAttribute == nil {
				touched = append(touched, at)
			}
			at.RelatedAttribute = append(at.RelatedAttribute, r)
		}
		return nil
	})
	for _, at := range touched {
		sortRelated(at.RelatedAttribute)
	}
	return err
}

func sortRelated(list []*misp.RelatedAttribute) {
	slices.SortFunc(list, func(x, y *misp.RelatedAttribute) int {
		if c := cmp.Compare(x.EventID, y.EventID); c != 0 {
			return c
		}
		if c := cmp.Compare(x.ID, y.ID); c != 0 {
			return c
		}
		return cmp.Compare(x.Value, y.Value)
	})
}

// loadRelatedAttributes sets the RelatedAttribute list of attrs in full
// (RelatedAttribute.Detail), as attributes/restSearch's
// includeCorrelations lists them: each other attribute once, whatever
// values it shares, in id order (Correlation::getRelatedAttributes).
func loadRelatedAttributes(ctx context.Context, tx *tx, actor *misp.Actor, attrs []*misp.Attribute) error {
	byID := make(map[int64]*misp.Attribute, len(attrs))
	ids := make([]int64, 0, len(attrs))
	for _, at := range attrs {
		byID[int64(at.ID)] = at
		ids = append(ids, int64(at.ID))
	}
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		q := "SELECT DISTINCT c4.attribute_id, " + relatedDetailCols +
			tx.pairsFrom(&a, actor, "c4.attribute_id IN ("+inList(&a, chunk)+")") + " ORDER BY c4.attribute_id, a3.id"
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			var from int64
			r, err := scanRelatedDetail(rows, &from)
			if err != nil {
				return err
			}
			if at := byID[from]; at != nil {
				at.RelatedAttribute = append(at.RelatedAttribute, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// relatedDetailCols are the columns of a RelatedAttribute in full: the
// other attribute a3 and its event e2; scanRelatedDetail reads them.
const relatedDetailCols = `a3.id, a3.event_id, a3.object_id, a3.object_relation, a3.category,
	a3.type, a3.value1, a3.value2, a3.uuid, a3.timestamp, a3.distribution, a3.sharing_group_id, a3.to_ids,
	a3.comment, e2.uuid, e2.threat_level_id, e2.analysis, e2.info, e2.extends_uuid, e2.distribution,
	e2.sharing_group_id, e2.published, e2.date, e2.orgc_id, e2.org_id`

// scanRelatedDetail scans a row whose columns are lead, then
// relatedDetailCols.
func scanRelatedDetail(rows *sql.Rows, lead ...any) (*misp.RelatedAttribute, error) {
	var v1, v2 string
	d := &misp.RelatedAttributeDetail{}
	r := &misp.RelatedAttribute{Detail: d}
	e := &d.Event
	dest := append(lead, &r.ID, &r.EventID, &d.ObjectID, scanNullString(&d.ObjectRelation), &d.Category,
		&d.Type, &v1, &v2, &d.UUID, &d.Timestamp, &d.Distribution, &d.SharingGroupID, scanBool(&d.ToIDS),
		&d.Comment, &e.UUID, &e.ThreatLevelID, &e.Analysis, &e.Info, &e.ExtendsUUID, &e.Distribution,
		&e.SharingGroupID, scanBool(&e.Published), &e.Date, &e.OrgcID, &e.OrgID)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	d.Value = joinValue(v1, v2)
	e.ID = r.EventID
	r.Value, r.OrgID, r.Info = d.Value, e.OrgcID, e.Info
	return r, nil
}

// pairReads runs fn between the dialect's PairReads and PairReadsDone.
func (t *tx) pairReads(ctx context.Context, fn func() error) error {
	return t.around(ctx, t.d.PairReads, t.d.PairReadsDone, fn)
}

// around runs the statements before, then fn, then the statements after
// (a dialect's session settings for one part of a transaction).
func (t *tx) around(ctx context.Context, before, after []string, fn func() error) error {
	for _, q := range before {
		if _, err := t.exec(ctx, q); err != nil {
			return err
		}
	}
	if err := fn(); err != nil {
		return err
	}
	for _, q := range after {
		if _, err := t.exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// paddedList is inList with the list padded, by repeating its last id,
// to one of a few lengths: a statement per list length would have each
// view prepare its own, which costs more than running it (SQLite parses
// and plans every new statement; the visibility predicate is long).
func paddedList(a *args, ids []int64) string {
	return inList(a, padded(ids))
}
