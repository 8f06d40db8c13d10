package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

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
// It runs in two steps, so that its cost follows the number of related
// events rather than the number of correlations: the events sharing a
// value with id are read from the value index alone, then each is kept
// if one pair of visible attributes connects it to id, which usually the
// first pair looked at does. Both steps look only at the rows marked
// shared: most values are held by one event. The largest event of the
// benchmark shares values with most events of the instance.
func relatedEvents(ctx context.Context, tx *tx, actor *misp.Actor, id int64) ([]*misp.RelatedEvent, error) {
	var candidates []int64
	q := "SELECT DISTINCT c2.event_id FROM correlation_values c1 JOIN correlation_values c2 ON " +
		tx.d.sameValue("c2.value", "c1.value") + " WHERE c1.event_id = $1 AND c1.shared = TRUE AND c2.event_id <> $1 AND " +
		tx.notOverCorrelating("c1.value")
	err := tx.each(ctx, q, []any{id}, func(rows *sql.Rows) error {
		var eid int64
		err := rows.Scan(&eid)
		candidates = append(candidates, eid)
		return err
	})
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	slices.Sort(candidates)
	var out []*misp.RelatedEvent
	for _, chunk := range chunks(candidates, inChunk) {
		var a args
		q := `SELECT e2.id, e2.date, e2.threat_level_id, e2.info, e2.published, e2.uuid, e2.analysis,
			e2.timestamp, e2.distribution, e2.org_id, e2.orgc_id, o.name, o.uuid, oc.name, oc.uuid
			FROM events e2 JOIN organisations o ON o.id = e2.org_id JOIN organisations oc ON oc.id = e2.orgc_id
			WHERE e2.id IN (` + inList(&a, chunk) + ")"
		// The candidates share a value with id that is not
		// over-correlating: a site admin, who sees everything, sees them
		// all. Anybody else needs a pair of attributes it may see.
		if noActor(actor) || !actor.SiteAdmin() {
			q += " AND " + tx.eventVisible(&a, "e2", actor) +
				` AND EXISTS (SELECT 1 FROM correlation_values c3
				JOIN attributes a3 ON a3.id = c3.attribute_id
				JOIN correlation_values c4 ON ` + tx.d.sameValue("c4.value", "c3.value") + " AND c4.event_id = " + a.add(id) + `
				JOIN attributes a4 ON a4.id = c4.attribute_id
				JOIN events ex ON ex.id = c4.event_id
				WHERE c3.event_id = e2.id AND c3.shared = TRUE AND ` + tx.attributeVisible(&a, "e2", "a3", actor) + " AND " +
				tx.attributeVisible(&a, "ex", "a4", actor) + " AND " + tx.notOverCorrelating("c3.value") + ")"
		}
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			r := &misp.RelatedEvent{}
			e := &r.Event
			err := rows.Scan(&e.ID, &e.Date, &e.ThreatLevelID, &e.Info, scanBool(&e.Published), &e.UUID, &e.Analysis,
				&e.Timestamp, &e.Distribution, &e.OrgID, &e.OrgcID, &e.Org.Name, &e.Org.UUID, &e.Orgc.Name, &e.Orgc.UUID)
			e.Org.ID, e.Orgc.ID = e.OrgID, e.OrgcID
			out = append(out, r)
			return err
		})
		if err != nil {
			return nil, err
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

// pairsFrom is the FROM clause of the correlation pairs whose first side
// is the correlation_values row c4 (attribute a4 of event ex) and second
// side c3 (attribute a3 of event e2), both visible to actor, on a value
// that is not over-correlating; cond selects the c4 rows, of which only
// those marked shared can have a pair.
func (t *tx) pairsFrom(a *args, actor *misp.Actor, cond string) string {
	return ` FROM correlation_values c4
		JOIN attributes a4 ON a4.id = c4.attribute_id
		JOIN events ex ON ex.id = c4.event_id
		JOIN correlation_values c3 ON ` + t.d.sameValue("c3.value", "c4.value") + ` AND c3.event_id <> c4.event_id
		JOIN attributes a3 ON a3.id = c3.attribute_id
		JOIN events e2 ON e2.id = c3.event_id
		WHERE ` + cond + " AND c4.shared = TRUE AND " + t.notOverCorrelating("c4.value") + " AND " + t.attributeVisible(a, "ex", "a4", actor) +
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
		q := `SELECT DISTINCT c4.attribute_id, a3.id, a3.event_id, a3.object_id, a3.object_relation, a3.category,
			a3.type, a3.value1, a3.value2, a3.uuid, a3.timestamp, a3.distribution, a3.sharing_group_id, a3.to_ids,
			a3.comment, e2.uuid, e2.threat_level_id, e2.analysis, e2.info, e2.extends_uuid, e2.distribution,
			e2.sharing_group_id, e2.published, e2.date, e2.orgc_id, e2.org_id` +
			tx.pairsFrom(&a, actor, "c4.attribute_id IN ("+inList(&a, chunk)+")") + " ORDER BY c4.attribute_id, a3.id"
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			var from int64
			var v1, v2 string
			d := &misp.RelatedAttributeDetail{}
			r := &misp.RelatedAttribute{Detail: d}
			e := &d.Event
			err := rows.Scan(&from, &r.ID, &r.EventID, &d.ObjectID, scanNullString(&d.ObjectRelation), &d.Category,
				&d.Type, &v1, &v2, &d.UUID, &d.Timestamp, &d.Distribution, &d.SharingGroupID, scanBool(&d.ToIDS),
				&d.Comment, &e.UUID, &e.ThreatLevelID, &e.Analysis, &e.Info, &e.ExtendsUUID, &e.Distribution,
				&e.SharingGroupID, scanBool(&e.Published), &e.Date, &e.OrgcID, &e.OrgID)
			if err != nil {
				return err
			}
			d.Value = joinValue(v1, v2)
			e.ID = r.EventID
			r.Value, r.OrgID, r.Info = d.Value, e.OrgcID, e.Info
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
