package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// eventSorts maps EventFilter.Sort to a column; anything else sorts by id.
var eventSorts = map[string]string{
	"id":                "e.id",
	"uuid":              "e.uuid",
	"timestamp":         "e.timestamp",
	"date":              "e.date",
	"info":              "e.info",
	"publish_timestamp": "e.publish_timestamp",
	"published":         "e.published",
	"attribute_count":   "e.attribute_count",
	"threat_level_id":   "e.threat_level_id",
	"analysis":          "e.analysis",
	"distribution":      "e.distribution",
	"org_id":            "e.org_id",
	"orgc_id":           "e.orgc_id",
}

// FindEvents lists the events visible to actor that match f, with Org,
// Orgc and Tag (no attributes or objects), and the number of matching
// events regardless of paging.
func (db *DB) FindEvents(ctx context.Context, actor *misp.Actor, f misp.EventFilter) ([]*misp.Event, int64, error) {
	var events []*misp.Event
	var total int64
	err := db.read(ctx, func(tx *tx) error {
		var err error
		events, total, err = findEvents(ctx, tx, actor, f)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("find events: %w", err)
	}
	return events, total, nil
}

func findEvents(ctx context.Context, tx *tx, actor *misp.Actor, f misp.EventFilter) ([]*misp.Event, int64, error) {
	var a args
	filters := eventFilters(tx, &a, actor, f)
	where := strings.Join(append([]string{tx.eventVisible(&a, "e", actor)}, filters...), " AND ")
	order, ok := eventSorts[f.Sort]
	if !ok {
		order = "e.id"
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	pageArgs := append(args(nil), a...)
	q := "SELECT " + eventCols + " FROM " + eventFrom + " WHERE " + where +
		" ORDER BY " + order + dir + ", e.id" + dir
	offset := 0
	if f.Limit > 0 && f.Page > 1 {
		offset = (f.Page - 1) * f.Limit
	}
	q += limitOffset(&pageArgs, f.Limit, offset)

	var events []*misp.Event
	err := tx.each(ctx, q, pageArgs, func(rows *sql.Rows) error {
		e, err := scanEvent(rows)
		events = append(events, e)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	// The total comes from a separate COUNT, not COUNT(*) OVER (): a
	// window count makes the database read every matching row before it
	// can return the first, so a 60-event page sorted by an indexed column
	// cost a scan of the whole table (docs/benchmarks.md). A page that is
	// not full, or unpaged, tells the total without counting.
	total := int64(offset + len(events))
	if f.Limit > 0 && len(events) == f.Limit || len(events) == 0 && offset > 0 {
		if total, err = countEvents(ctx, tx, actor, where, a, len(filters) > 0); err != nil {
			return nil, 0, err
		}
	}
	return events, total, loadEventTags(ctx, tx, events)
}

// countEvents returns the number of events matching where, visibility
// and filters, whose arguments are a. Unfiltered, it adds up the counts of
// the visibility branches, each an index range that is counted without
// reading the table, instead of testing every event; filtered, the
// filters' own indexes bound the work and one pass beats three.
func countEvents(ctx context.Context, tx *tx, actor *misp.Actor, where string, a args, filtered bool) (int64, error) {
	q := "SELECT COUNT(*) FROM events e WHERE " + where
	if !filtered {
		a = nil
		branches := tx.eventVisibleBranches(&a, "e", actor)
		for i, b := range branches {
			branches[i] = "(SELECT COUNT(*) FROM events e WHERE " + b + ")"
		}
		q = "SELECT " + strings.Join(branches, " + ")
	}
	var n int64
	err := tx.get(ctx, q, a, &n)
	return n, err
}

// eventFilters returns the conditions of the event index for every
// filter of f, all in SQL; visibility is the caller's to add.
func eventFilters(tx *tx, a *args, actor *misp.Actor, f misp.EventFilter) []string {
	var conds []string
	add := func(c string) { conds = append(conds, c) }
	if len(f.IDs) > 0 {
		add("e.id IN (" + inList(a, f.IDs) + ")")
	}
	if len(f.UUIDs) > 0 {
		uuids := make([]string, len(f.UUIDs))
		for i, u := range f.UUIDs {
			uuids[i] = misp.NormalizeUUID(u)
		}
		add("e.uuid IN (" + inList(a, uuids) + ")")
	}
	if f.Published != nil {
		add("e.published = " + a.add(*f.Published))
	}
	if f.Info != "" {
		add("lower(e.info) LIKE " + a.add(likePattern(f.Info)) + ` ESCAPE '\'`)
	}
	if len(f.OrgcIDs) > 0 {
		add("e.orgc_id IN (" + inList(a, f.OrgcIDs) + ")")
	}
	if len(f.TagIDs) > 0 {
		add("EXISTS (SELECT 1 FROM event_tags et WHERE et.event_id = e.id AND et.tag_id IN (" + inList(a, f.TagIDs) + "))")
	}
	if len(f.NotTagIDs) > 0 {
		add("NOT EXISTS (SELECT 1 FROM event_tags et WHERE et.event_id = e.id AND et.tag_id IN (" + inList(a, f.NotTagIDs) + "))")
	}
	if f.MinTimestamp != 0 {
		add("e.timestamp >= " + a.add(f.MinTimestamp))
	}
	if f.MaxTimestamp != 0 {
		add("e.timestamp <= " + a.add(f.MaxTimestamp))
	}
	if f.MinPublishTS != 0 {
		add("e.publish_timestamp >= " + a.add(f.MinPublishTS))
	}
	if f.DateFrom != "" {
		add("e.date >= " + a.add(f.DateFrom))
	}
	if f.DateUntil != "" {
		add("e.date <= " + a.add(f.DateUntil))
	}
	if len(f.Distributions) > 0 {
		add("e.distribution IN (" + inList(a, toInts(f.Distributions)) + ")")
	}
	if len(f.ThreatLevels) > 0 {
		add("e.threat_level_id IN (" + inList(a, toInts(f.ThreatLevels)) + ")")
	}
	if len(f.Analyses) > 0 {
		add("e.analysis IN (" + inList(a, toInts(f.Analyses)) + ")")
	}
	if f.Value != "" {
		// Either half of a composite value matches (misp-core-format §2),
		// as does the whole "left|right".
		v := a.add(f.Value)
		match := "a.value1 = " + v + " OR a.value2 = " + v
		if l, r, ok := strings.Cut(f.Value, "|"); ok {
			match += " OR (a.value1 = " + a.add(l) + " AND a.value2 = " + a.add(r) + ")"
		}
		// An uncorrelated IN, with its own events row (ev) for the
		// attribute's visibility: SQLite runs a correlated EXISTS once
		// per event (a scan of the table), but looks an IN list up
		// through the value indexes once.
		add("e.id IN (SELECT a.event_id FROM attributes a JOIN events ev ON ev.id = a.event_id WHERE a.deleted = FALSE AND (" +
			match + ") AND " + tx.attributeVisible(a, "ev", "a", actor) + ")")
	}
	if f.Minimal {
		add("e.attribute_count > 0")
	}
	return conds
}

// loadEventTags attaches their tags to a page of events, in chunks.
func loadEventTags(ctx context.Context, tx *tx, events []*misp.Event) error {
	byID := make(map[int64]*misp.Event, len(events))
	ids := make([]int64, 0, len(events))
	for _, e := range events {
		byID[int64(e.ID)] = e
		ids = append(ids, int64(e.ID))
	}
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		q := "SELECT " + tagCols + `, et.event_id, et.local, et.relationship_type
			FROM event_tags et JOIN tags t ON t.id = et.tag_id
			WHERE et.event_id IN (` + inList(&a, chunk) + ") ORDER BY et.id"
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			eventID, t, err := scanAttachedTag(rows)
			if e := byID[eventID]; e != nil {
				e.Tag = append(e.Tag, t)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func toInts[T ~int](vs []T) []int {
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = int(v)
	}
	return out
}
