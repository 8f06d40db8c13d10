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
// filter of f, all in SQL; visibility is the caller's to add. A filter
// that looks at attributes sees only the live attributes the actor may
// see (attributeVisible): a hidden one must neither make an event match
// nor make it drop out, or the filter would reveal it.
func eventFilters(tx *tx, a *args, actor *misp.Actor, f misp.EventFilter) []string {
	var conds []string
	add := func(c string) { conds = append(conds, c) }
	in := func(col string, vs []int64, not bool) {
		switch {
		case len(vs) == 0:
		case not:
			add(col + " NOT IN (" + inList(a, vs) + ")")
		default:
			add(col + " IN (" + inList(a, vs) + ")")
		}
	}
	in("e.id", f.IDs, false)
	in("e.id", f.NotIDs, true)
	if uuids := normalizeUUIDs(f.UUIDs); len(uuids) > 0 {
		add("e.uuid IN (" + inList(a, uuids) + ")")
	}
	if uuids := normalizeUUIDs(f.NotUUIDs); len(uuids) > 0 {
		add("e.uuid NOT IN (" + inList(a, uuids) + ")")
	}
	if f.Published != nil {
		add("e.published = " + a.add(*f.Published))
	}
	if len(f.Info) > 0 {
		add(anyContains(a, []string{"e.info"}, f.Info))
	}
	for _, term := range f.NotInfo {
		add("NOT (" + contains("e.info", a.add(containsPattern(term))) + ")")
	}
	in("e.orgc_id", f.OrgcIDs, false)
	in("e.orgc_id", f.NotOrgcIDs, true)
	for _, set := range f.TagSets {
		if len(set) == 0 {
			add("FALSE")
			continue
		}
		add("EXISTS (SELECT 1 FROM event_tags et WHERE et.event_id = e.id AND et.tag_id IN (" + inList(a, set) + "))")
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
	in("e.distribution", toInt64s(f.Distributions), false)
	in("e.distribution", toInt64s(f.NotDistributions), true)
	in("e.threat_level_id", toInt64s(f.ThreatLevels), false)
	in("e.threat_level_id", toInt64s(f.NotThreatLevels), true)
	in("e.analysis", toInt64s(f.Analyses), false)
	in("e.analysis", toInt64s(f.NotAnalyses), true)
	in("e.sharing_group_id", f.SharingGroupIDs, false)
	in("e.sharing_group_id", f.NotSharingGroupIDs, true)
	if f.Value != "" {
		// Either half of a composite value matches (misp-core-format §2),
		// as does the whole "left|right".
		v := a.add(f.Value)
		match := "a.value1 = " + v + " OR " + value2Is("a.value2", v, f.Value)
		if l, r, ok := strings.Cut(f.Value, "|"); ok {
			match += " OR (a.value1 = " + a.add(l) + " AND a.value2 = " + a.add(r) + ")"
		}
		add("e.id IN (" + attributeEvents(tx, a, actor, match) + ")")
	}
	if len(f.Attribute) > 0 {
		add("e.id IN (" + attributeEvents(tx, a, actor, anyContains(a, []string{"a.value1", "a.value2"}, f.Attribute)) + ")")
	}
	if len(f.NotAttribute) > 0 {
		add("e.id NOT IN (" + attributeEvents(tx, a, actor, anyContains(a, []string{"a.value1", "a.value2"}, f.NotAttribute)) + ")")
	}
	if len(f.Quick) > 0 {
		add(quickFilter(tx, a, actor, f.Quick))
	}
	if f.HasProposal != nil && *f.HasProposal {
		// Razmena stores no proposals (shadow attributes) yet, so no
		// event has one; hasproposal=0 matches every event.
		add("FALSE")
	}
	if f.CreatedByActor {
		if noActor(actor) {
			add("FALSE")
		} else {
			add("e.user_id = " + a.add(actor.UserID()))
		}
	}
	for _, emails := range []struct {
		terms []string
		op    string
	}{{f.CreatorEmails, " IN "}, {f.NotCreatorEmails, " NOT IN "}} {
		switch {
		case len(emails.terms) == 0:
		case noActor(actor) || !actor.SiteAdmin():
			// Only site admins may search by other users' addresses
			// (MISP's email filter, misp-rest-api §5).
			add("FALSE")
		default:
			add("e.user_id" + emails.op + "(SELECT u.id FROM users u WHERE " + anyContains(a, []string{"u.email"}, emails.terms) + ")")
		}
	}
	if f.Minimal {
		add("e.attribute_count > 0")
	}
	return conds
}

// attributeEvents returns a subquery selecting the events that hold a
// live attribute (the attributes row a) matching cond that actor may see.
// It is an uncorrelated IN list, with its own events row (ev) for the
// attribute's visibility: SQLite runs a correlated EXISTS once per event
// (a scan of the table), but evaluates an IN list once, through the
// value indexes where cond can use them.
func attributeEvents(tx *tx, a *args, actor *misp.Actor, cond string) string {
	return "SELECT a.event_id FROM attributes a JOIN events ev ON ev.id = a.event_id WHERE a.deleted = FALSE AND (" +
		cond + ") AND " + tx.attributeVisible(a, "ev", "a", actor)
}

// quickFilter is MISP's quick filter ("all", EventsController::__quickFilter):
// an event matches a term when its info or uuid contains it, or the name
// of its creator organisation or of one of its event tags does, or it
// holds a live attribute the actor may see whose value1, value2, comment
// or the name of one of whose tags does. MISP matches attribute tags
// without looking at the attribute; here a hidden attribute's tags count
// no more than its value.
func quickFilter(tx *tx, a *args, actor *misp.Actor, terms []string) string {
	var ors, attrs []string
	for _, term := range terms {
		p := a.add(containsPattern(term))
		tagIDs := "SELECT t.id FROM tags t WHERE " + contains("t.name", p)
		ors = append(ors, contains("e.info", p), contains("e.uuid", p),
			"e.orgc_id IN (SELECT o.id FROM organisations o WHERE "+contains("o.name", p)+")",
			"e.id IN (SELECT et.event_id FROM event_tags et WHERE et.tag_id IN ("+tagIDs+"))")
		attrs = append(attrs, contains("a.value1", p), contains("a.value2", p), contains("a.comment", p),
			"a.id IN (SELECT atg.attribute_id FROM attribute_tags atg WHERE atg.tag_id IN ("+tagIDs+"))")
	}
	ors = append(ors, "e.id IN ("+attributeEvents(tx, a, actor, strings.Join(attrs, " OR "))+")")
	return "(" + strings.Join(ors, " OR ") + ")"
}

// anyContains returns the condition that one of cols contains one of
// terms, case-insensitively.
func anyContains(a *args, cols, terms []string) string {
	var ors []string
	for _, term := range terms {
		p := a.add(containsPattern(term))
		for _, col := range cols {
			ors = append(ors, contains(col, p))
		}
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// contains returns the condition that col contains the pattern bound as
// p (see containsPattern), case-insensitively. Both sides are lowered by
// the database, so that a non-ASCII letter SQLite's lower() leaves
// alone still matches itself.
func contains(col, p string) string {
	return "lower(" + col + ") LIKE lower(CAST(" + p + ` AS TEXT)) ESCAPE '\'`
}

// containsPattern is the LIKE pattern of a substring search for s, with
// %, _ and the escape character taken literally.
func containsPattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

func normalizeUUIDs(vs []string) []string {
	out := make([]string, len(vs))
	for i, u := range vs {
		out[i] = misp.NormalizeUUID(u)
	}
	return out
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

func toInt64s[T ~int](vs []T) []int64 {
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = int64(v)
	}
	return out
}
