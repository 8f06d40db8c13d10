package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/razmena/razmena/internal/misp"
)

var (
	_ misp.AttributeSearchStore = (*DB)(nil)
	_ misp.EventSearchStore     = (*DB)(nil)
)

// streamChunk is the default number of attributes a stream reads per
// transaction: large enough that per-chunk costs (a transaction, the
// event and object rows, a tag range scan) vanish, small enough that a
// chunk's memory stays a few megabytes.
const streamChunk = 5000

// SearchAttributes returns the visible attributes matching s, by id.
// See misp.AttributeSearchStore.
func (db *DB) SearchAttributes(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch) ([]*misp.Attribute, error) {
	var attrs []*misp.Attribute
	err := db.read(ctx, func(tx *tx) error {
		var err error
		attrs, err = searchChunk(ctx, tx, actor, s, new(timestampPlan), 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search attributes: %w", err)
	}
	return attrs, nil
}

// searchChunk reads one page of SearchAttributes in tx, of the
// attributes up to id before unless that is 0.
func searchChunk(ctx context.Context, tx *tx, actor *misp.Actor, s misp.AttributeSearch, plan *timestampPlan, before int64) ([]*misp.Attribute, error) {
	from, tcol, err := tx.timestampAccess(ctx, s, plan)
	if err != nil {
		return nil, err
	}
	var a args
	where := tx.searchWhere(&a, actor, s, tcol)
	if s.AfterID > 0 || s.Limit > 0 {
		// A page's first chunk too is bounded below (id > 0): with the
		// rowid range in view SQLite walks the table in id order and
		// stops at the limit, where otherwise, after a full ANALYZE, it
		// read a type search through attributes_type_id_idx and sorted
		// every row of its types (1.8 s for a first page at 1 M
		// attributes against 0.14 s; docs/benchmarks.md).
		where = append(where, "a.id > "+a.add(s.AfterID))
	}
	if before > 0 {
		where = append(where, "a.id <= "+a.add(before))
	}
	tail := limitOffset(&a, s.Limit, s.Offset)
	cols := attributeCols
	if !s.WithData {
		cols = strings.Replace(cols, "a.data", "''", 1)
	}
	if s.Limit > 0 {
		for _, stmt := range tx.d.KeysetPage {
			if _, err := tx.tx.ExecContext(ctx, stmt); err != nil {
				return nil, tx.d.translate(err)
			}
		}
	}
	var attrs []*misp.Attribute
	q := "SELECT " + cols + " FROM " + from + " JOIN events e ON e.id = a.event_id WHERE " +
		strings.Join(where, " AND ") + " ORDER BY a.id" + tail
	row := newAttributeRow()
	err = tx.each(ctx, q, a, func(rows *sql.Rows) error {
		at, err := row.scan(rows)
		attrs = append(attrs, at)
		return err
	})
	if err != nil || s.NoTags {
		return attrs, err
	}
	return attrs, loadTagsOfAttributes(ctx, tx, attrs)
}

// CountAttributes counts what SearchAttributes would return. With a
// limit the count stops at Offset+Limit rows, so that counting a page
// costs what reading it does.
func (db *DB) CountAttributes(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch) (int64, error) {
	var n int64
	err := db.read(ctx, func(tx *tx) error {
		from, tcol, err := tx.timestampAccess(ctx, s, new(timestampPlan))
		if err != nil {
			return err
		}
		var a args
		where := tx.searchWhere(&a, actor, s, tcol)
		if s.AfterID > 0 {
			where = append(where, "a.id > "+a.add(s.AfterID))
		}
		return tx.get(ctx, boundedCount("SELECT 1 FROM "+from+" JOIN events e ON e.id = a.event_id WHERE "+
			strings.Join(where, " AND "), &a, s), a, &n)
	})
	if err != nil {
		return 0, fmt.Errorf("count attributes: %w", err)
	}
	return n, nil
}

// boundedCount counts the rows of q: all of them without a limit, at
// most Offset+Limit otherwise, less the Offset.
func boundedCount(q string, a *args, s misp.AttributeSearch) string {
	off := a.add(s.Offset)
	if s.Limit > 0 {
		q += " LIMIT " + a.add(s.Offset+s.Limit)
	}
	return "SELECT CASE WHEN COUNT(*) > " + off + " THEN COUNT(*) - " + off + " ELSE 0 END FROM (" + q + ") c"
}

// StreamAttributes feeds fn the search results chunk by chunk. See
// misp.AttributeSearchStore.
//
// The stream is a pipeline of three goroutines, so that a request uses
// both of a small server's cores: one reads the attributes of chunk k+1
// while a second reads the tags, events and objects of chunk k (in a
// read transaction of its own) and the caller's writes chunk k-1. Every
// transaction ends before what it read is handed on: a slow client holds
// no snapshot and no connection.
func (db *DB) StreamAttributes(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch, o misp.StreamOptions, fn func(misp.AttributeHit) error) error {
	chunk := o.Chunk
	if chunk <= 0 {
		chunk = streamChunk
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	attrs := make(chan []*misp.Attribute, 1)
	hits := make(chan []misp.AttributeHit, 1)
	var scanErr, contextErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(attrs)
		scanErr = db.scanChunks(ctx, actor, s, chunk, attrs)
	}()
	go func() {
		defer wg.Done()
		defer close(hits)
		contextErr = db.contextChunks(ctx, actor, s.NoTags, o, attrs, hits)
	}()
	var fnErr error
	for hs := range hits {
		for _, h := range hs {
			if fnErr == nil {
				fnErr = fn(h)
			}
		}
		if fnErr != nil {
			cancel() // the stages stop at their next send or query
		}
	}
	wg.Wait()
	switch {
	case fnErr != nil:
		return fnErr
	case scanErr != nil:
		return fmt.Errorf("stream attributes: %w", scanErr)
	case contextErr != nil:
		return fmt.Errorf("stream attributes: %w", contextErr)
	}
	return nil
}

// scanChunks is the first stage of StreamAttributes: it reads the
// attributes of s, without tags, chunk attributes per read transaction,
// and sends each chunk to out.
func (db *DB) scanChunks(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch, chunk int, out chan<- []*misp.Attribute) error {
	remaining := s.Limit
	s.NoTags = true
	var plan timestampPlan // decided by the first chunk, kept by the others
	if db.scanWorkers() > 1 && walksInIDOrder(s) {
		// The plan and the largest id first: a window read through the
		// time index is no walk, and a walk of two chunks' worth of ids
		// or fewer gains nothing from more connections.
		var top int64
		err := db.read(ctx, func(tx *tx) error {
			if _, _, err := tx.timestampAccess(ctx, s, &plan); err != nil {
				return err
			}
			return tx.get(ctx, "SELECT COALESCE(MAX(id), 0) FROM attributes", nil, &top)
		})
		if err != nil {
			return err
		}
		if plan != planIndex && top-s.AfterID > 2*int64(chunk) {
			return db.scanWindows(ctx, actor, s, chunk, plan, top, out)
		}
	}
	for {
		page := s
		page.Limit = chunk
		if remaining > 0 && remaining < chunk {
			page.Limit = remaining
		}
		var attrs []*misp.Attribute
		err := db.read(ctx, func(tx *tx) error {
			var err error
			attrs, err = searchChunk(ctx, tx, actor, page, &plan, 0)
			return err
		})
		if err != nil {
			return err
		}
		if len(attrs) > 0 {
			select {
			case out <- attrs:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if len(attrs) < page.Limit {
			return nil
		}
		if remaining > 0 {
			if remaining -= len(attrs); remaining == 0 {
				return nil
			}
		}
		s.AfterID = int64(attrs[len(attrs)-1].ID)
		s.Offset = 0
	}
}

// contextChunks is the second stage of StreamAttributes: for each chunk
// from in it reads, in a read transaction of its own, the attributes'
// tags (unless noTags), their correlations (o.Correlations) and their
// events and objects, and sends the hits to out.
func (db *DB) contextChunks(ctx context.Context, actor *misp.Actor, noTags bool, o misp.StreamOptions, in <-chan []*misp.Attribute, out chan<- []misp.AttributeHit) error {
	for attrs := range in {
		var hits []misp.AttributeHit
		err := db.read(ctx, func(tx *tx) error {
			if !noTags {
				if err := loadTagsOfAttributes(ctx, tx, attrs); err != nil {
					return err
				}
			}
			if o.Correlations {
				err := tx.pairReads(ctx, func() error {
					if err := loadRelatedAttributes(ctx, tx, actor, attrs); err != nil {
						return err
					}
					return loadRelatedNetworkAttributes(ctx, tx, actor, attrs)
				})
				if err != nil {
					return err
				}
			}
			var err error
			hits, err = hitContext(ctx, tx, actor, attrs, o.EventTags)
			return err
		})
		if err != nil {
			return err
		}
		select {
		case out <- hits:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// hitContext loads the events (with Org and Orgc, and their tags when
// eventTags) and objects of a chunk of attributes, one query each. It
// reads them in a later transaction than the attributes, so it checks
// again that actor may see them: an attribute whose event or object has
// been deleted or hidden from actor since is left out.
func hitContext(ctx context.Context, tx *tx, actor *misp.Actor, attrs []*misp.Attribute, eventTags bool) ([]misp.AttributeHit, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	events := map[int64]*misp.Event{}
	objects := map[int64]*misp.Object{}
	var eventIDs, objectIDs []int64
	for _, at := range attrs {
		if id := int64(at.EventID); events[id] == nil {
			events[id] = &misp.Event{}
			eventIDs = append(eventIDs, id)
		}
		if id := int64(at.ObjectID); id != 0 && objects[id] == nil {
			objects[id] = &misp.Object{}
			objectIDs = append(objectIDs, id)
		}
	}
	clear(events)
	clear(objects)
	var list []*misp.Event
	var a args
	q := "SELECT " + eventCols + " FROM " + eventFrom + " WHERE " + tx.inIDs(&a, "e.id", eventIDs) + " AND " +
		tx.eventVisible(&a, "e", actor)
	err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
		e, err := scanEvent(rows)
		if err == nil {
			e.Attribute, e.Object = nil, nil
			events[int64(e.ID)] = e
			list = append(list, e)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if eventTags {
		if err := loadEventTags(ctx, tx, list); err != nil {
			return nil, err
		}
	}
	if len(objectIDs) > 0 {
		var a args
		q := "SELECT " + objectCols + " FROM objects ob JOIN events e ON e.id = ob.event_id WHERE " +
			tx.inIDs(&a, "ob.id", objectIDs) + " AND " + tx.objectVisible(&a, "e", "ob", actor)
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			o, err := scanObject(rows)
			if err == nil {
				o.Attribute, o.ObjectReference = nil, nil
				objects[int64(o.ID)] = o
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	hits := make([]misp.AttributeHit, 0, len(attrs))
	for _, at := range attrs {
		h := misp.AttributeHit{Attribute: at, Event: events[int64(at.EventID)]}
		if at.ObjectID != 0 {
			h.Object = objects[int64(at.ObjectID)]
			if h.Object == nil {
				continue
			}
		}
		if h.Event != nil {
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// SearchEventIDs returns the ids of the visible events matching s. See
// misp.EventSearchStore.
func (db *DB) SearchEventIDs(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch) ([]int64, error) {
	var ids []int64
	err := db.read(ctx, func(tx *tx) error {
		var a args
		where := tx.eventSearchWhere(&a, actor, s)
		if s.AfterID > 0 {
			where = append(where, "e.id > "+a.add(s.AfterID))
		}
		q := "SELECT e.id FROM events e WHERE " + strings.Join(where, " AND ") + " ORDER BY e.id" +
			limitOffset(&a, s.Limit, s.Offset)
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			var id int64
			ids = append(ids, id)
			return rows.Scan(&ids[len(ids)-1])
		})
	})
	if err != nil {
		return nil, fmt.Errorf("search events: %w", err)
	}
	return ids, nil
}

// CountEvents counts what SearchEventIDs would return, bounded as
// CountAttributes is.
func (db *DB) CountEvents(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch) (int64, error) {
	var n int64
	err := db.read(ctx, func(tx *tx) error {
		var a args
		where := tx.eventSearchWhere(&a, actor, s)
		if s.AfterID > 0 {
			where = append(where, "e.id > "+a.add(s.AfterID))
		}
		return tx.get(ctx, boundedCount("SELECT 1 FROM events e WHERE "+strings.Join(where, " AND "), &a, s), a, &n)
	})
	if err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}

// eventSearchWhere is the condition on the events row e of
// SearchEventIDs: the event filters of s, distributions and sharing
// groups included; a tag filter term is met by a tag on the event or on a
// visible attribute of it, a uuid by the event's or a visible
// attribute's; and when s has other attribute filters, a visible
// attribute must match them all.
func (t *tx) eventSearchWhere(a *args, actor *misp.Actor, s misp.AttributeSearch) []string {
	where := append([]string{t.eventVisible(a, "e", actor)}, eventSearchFilters(a, s)...)
	// visibleAttr is "a visible attribute of e meets cond".
	visibleAttr := func(cond string) string {
		return "EXISTS (SELECT 1 FROM attributes a WHERE a.event_id = e.id AND " + t.attributeVisible(a, "e", "a", actor) +
			" AND " + elementDeleted(a, "e", "a.deleted", s.Deleted, actor) + " AND " + cond + ")"
	}
	eventTagged := func(ids []int64) string {
		return "EXISTS (SELECT 1 FROM event_tags se WHERE se.event_id = e.id AND se.tag_id IN (" + inList(a, ids) + "))"
	}
	attrTagged := func(ids []int64) string {
		return visibleAttr("EXISTS (SELECT 1 FROM attribute_tags st WHERE st.attribute_id = a.id AND st.tag_id IN (" + inList(a, ids) + "))")
	}
	if len(s.Tags.Any) > 0 {
		where = append(where, "("+eventTagged(s.Tags.Any)+" OR "+attrTagged(s.Tags.Any)+")")
	}
	for _, set := range s.Tags.All {
		where = append(where, "("+eventTagged(set)+" OR "+attrTagged(set)+")")
	}
	if len(s.Tags.None) > 0 {
		// Attributes carrying a NOT tag are the caller's to strip from
		// the events returned (§4.3).
		where = append(where, "NOT "+eventTagged(s.Tags.None))
	}
	if len(s.UUIDs) > 0 {
		where = append(where, "(e.uuid IN ("+inList(a, s.UUIDs)+") OR "+visibleAttr("a.uuid IN ("+inList(a, s.UUIDs)+")")+")")
	}
	// Distributions and SharingGroupIDs select by the event's own
	// distribution and group here (misp.EventSearchStore).
	if len(s.Distributions) > 0 {
		where = append(where, "e.distribution IN ("+inList(a, toInts(s.Distributions))+")")
	}
	if len(s.SharingGroupIDs) > 0 {
		where = append(where, "(e.distribution = 4 AND e.sharing_group_id IN ("+inList(a, s.SharingGroupIDs)+"))")
	}
	if len(s.Searchall) > 0 {
		var ors []string
		for _, p := range s.Searchall {
			q := a.add(strings.ToLower(p))
			ors = append(ors, "lower(e.info) LIKE "+q, tagNamed("event_tags", "event_id", "e.id", q),
				visibleAttr(attrSearchall(q)))
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	rest := s
	rest.Tags, rest.UUIDs, rest.Distributions, rest.SharingGroupIDs = misp.TagSearch{}, nil, nil, nil
	if hasAttributeFilters(rest) {
		// Inside an event, its attributes are found by event_id, never
		// through the time index.
		where = append(where, visibleAttr(strings.Join(append([]string{"TRUE"}, attributeSearchFilters(a, rest, t.timestampWalk())...), " AND ")))
	}
	return where
}

// hasAttributeFilters reports whether s filters on attribute fields
// (asking for deleted attributes only is one: events without any are
// left out).
func hasAttributeFilters(s misp.AttributeSearch) bool {
	return s.Value != "" || !s.Values.Empty() || !s.Value1.Empty() || !s.Value2.Empty() || !s.Types.Empty() || !s.Categories.Empty() ||
		!s.ObjectRelations.Empty() || len(s.UUIDs) > 0 || !s.Tags.Empty() || s.MinTimestamp > 0 ||
		s.MaxTimestamp > 0 || s.FirstSeen != (misp.Range{}) || s.LastSeen != (misp.Range{}) ||
		s.ToIDS != nil || len(s.Distributions) > 0 || len(s.SharingGroupIDs) > 0 || s.Deleted == misp.DeletedOnly
}

// searchWhere is the condition on attributes a joined with events e of
// SearchAttributes: visibility, deletion, and every filter of s, its time
// window on the column expression tcol (timestampAccess).
func (t *tx) searchWhere(a *args, actor *misp.Actor, s misp.AttributeSearch, tcol string) []string {
	where := []string{elementDeleted(a, "e", "a.deleted", s.Deleted, actor), t.attributeScanVisible(a, "e", "a", actor)}
	where = append(where, attributeSearchFilters(a, s, tcol)...)
	where = append(where, eventSearchFilters(a, s)...)
	if len(s.Searchall) > 0 {
		var ors []string
		for _, p := range s.Searchall {
			q := a.add(strings.ToLower(p))
			ors = append(ors, "lower(e.info) LIKE "+q, tagNamed("event_tags", "event_id", "a.event_id", q), attrSearchall(q))
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	return where
}

// NarrowWindow is the most attributes a search's time window may hold
// for a scan to read it through the dialect's time index
// (Dialect.TimestampIndex) rather than walk the table in id order; 0
// walks every window. A variable for the tests of both plans.
var NarrowWindow = 20000

// timestampPlan is how a scan reads a search's time window on a dialect
// whose plan for it the store chooses: not yet decided, through the time
// index, or by walking the table in id order.
type timestampPlan int

const (
	planUndecided timestampPlan = iota
	planIndex
	planWalk
)

// timestampAccess returns the FROM clause (attributes a) of a scan for s
// and the column expression its time window is written on. Where the
// dialect names no time index, the planner chooses. Otherwise a window
// with a lower bound that holds fewer than NarrowWindow attributes (a
// count through the index, stopped at NarrowWindow) is read through the
// index, and anything else walks the table with the time terms hidden from
// the planner (+a.timestamp). The decision is made once per *plan: the
// chunks of a stream share it.
func (t *tx) timestampAccess(ctx context.Context, s misp.AttributeSearch, plan *timestampPlan) (from, tcol string, err error) {
	idx := t.d.TimestampIndex
	if idx == "" || s.MinTimestamp <= 0 {
		return "attributes a", t.timestampWalk(), nil
	}
	if *plan == planUndecided {
		var a args
		q := "SELECT COUNT(*) FROM (SELECT 1 FROM attributes INDEXED BY " + idx + " WHERE timestamp >= " + a.add(s.MinTimestamp)
		if s.MaxTimestamp > 0 {
			q += " AND timestamp <= " + a.add(s.MaxTimestamp)
		}
		var n int64
		if err := t.get(ctx, q+" LIMIT "+a.add(NarrowWindow)+") w", a, &n); err != nil {
			return "", "", err
		}
		*plan = planWalk
		if n < int64(NarrowWindow) {
			*plan = planIndex
		}
	}
	if *plan == planIndex {
		return "attributes a INDEXED BY " + idx, "a.timestamp", nil
	}
	return "attributes a", t.timestampWalk(), nil
}

// timestampWalk is the column expression of time terms that must not
// steer the planner to the time index: where the store chooses the plan
// (Dialect.TimestampIndex), +a.timestamp, which has the column's value
// but no index.
func (t *tx) timestampWalk() string {
	if t.d.TimestampIndex != "" {
		return "+a.timestamp"
	}
	return "a.timestamp"
}

// attrSearchall is "attribute a matches the searchall pattern bound as
// q" by its values, comment or own tags.
func attrSearchall(q string) string {
	return "(lower(a.value1) LIKE " + q + " OR lower(a.value2) LIKE " + q + " OR lower(a.comment) LIKE " + q +
		" OR " + tagNamed("attribute_tags", "attribute_id", "a.id", q) + ")"
}

// tagNamed is "a tag whose name is LIKE the pattern bound as q is
// attached through table (event_tags or attribute_tags) to the row whose
// id is ref".
func tagNamed(table, col, ref, q string) string {
	return "EXISTS (SELECT 1 FROM " + table + " tt JOIN tags tn ON tn.id = tt.tag_id WHERE tt." + col + " = " + ref +
		" AND lower(tn.name) LIKE " + q + ")"
}

// eventSearchFilters are the filters of s on the events row e.
func eventSearchFilters(a *args, s misp.AttributeSearch) []string {
	var w []string
	add := func(cond string) { w = append(w, cond) }
	if c := stringFilter(a, "e.info", s.EventInfo, true); c != "" {
		add(c)
	}
	switch {
	case len(s.EventIDs) > 0 && len(s.EventUUIDs) > 0:
		add("(e.id IN (" + inList(a, s.EventIDs) + ") OR e.uuid IN (" + inList(a, s.EventUUIDs) + "))")
	case len(s.EventIDs) > 0:
		add("e.id IN (" + inList(a, s.EventIDs) + ")")
	case len(s.EventUUIDs) > 0:
		add("e.uuid IN (" + inList(a, s.EventUUIDs) + ")")
	}
	if len(s.NotEventIDs) > 0 {
		add("e.id NOT IN (" + inList(a, s.NotEventIDs) + ")")
	}
	if len(s.NotEventUUIDs) > 0 {
		add("e.uuid NOT IN (" + inList(a, s.NotEventUUIDs) + ")")
	}
	if len(s.OrgcIDs) > 0 {
		add("e.orgc_id IN (" + inList(a, s.OrgcIDs) + ")")
	}
	if len(s.NotOrgcIDs) > 0 {
		add("e.orgc_id NOT IN (" + inList(a, s.NotOrgcIDs) + ")")
	}
	if s.DateFrom != "" {
		add("e.date >= " + a.add(s.DateFrom))
	}
	if s.DateTo != "" {
		add("e.date <= " + a.add(s.DateTo))
	}
	w = append(w, rangeFilter(a, "e.timestamp", s.EventTimestamp)...)
	w = append(w, rangeFilter(a, "e.publish_timestamp", s.PublishTimestamp)...)
	if s.Published != nil {
		add("e.published = " + a.add(*s.Published))
	}
	if len(s.ThreatLevels) > 0 {
		add("e.threat_level_id IN (" + inList(a, toInts(s.ThreatLevels)) + ")")
	}
	eventTagged := func(ids []int64) string {
		return "EXISTS (SELECT 1 FROM event_tags et WHERE et.event_id = e.id AND et.tag_id IN (" + inList(a, ids) + "))"
	}
	if len(s.EventTags.Any) > 0 {
		add(eventTagged(s.EventTags.Any))
	}
	for _, set := range s.EventTags.All {
		add(eventTagged(set))
	}
	if len(s.EventTags.None) > 0 {
		add("NOT " + eventTagged(s.EventTags.None))
	}
	return w
}

// attributeSearchFilters are the filters of s on the attributes row a of
// the events row e. Tags count on the attribute or on its event, and a
// uuid may be the attribute's or the event's (misp-rest-api §4.2, §4.3).
func attributeSearchFilters(a *args, s misp.AttributeSearch, tcol string) []string {
	var w []string
	add := func(cond string) { w = append(w, cond) }
	if s.Value != "" {
		// value1 and value2 each have an index; the composite form
		// matches both halves.
		add("(" + exactValue(a, s.Value) + ")")
	}
	if len(s.Values.Any) > 0 {
		ors := make([]string, len(s.Values.Any))
		for i, v := range s.Values.Any {
			ors[i] = valueTerm(a, v)
		}
		add("(" + strings.Join(ors, " OR ") + ")")
	}
	for _, v := range s.Values.None {
		add("NOT (" + valueTerm(a, v) + ")")
	}
	for _, f := range []struct {
		col string
		f   misp.StringFilter
	}{{"a.type", s.Types}, {"a.category", s.Categories}, {"a.object_relation", s.ObjectRelations},
		{"a.value1", s.Value1}, {"a.value2", s.Value2}} {
		if c := stringFilter(a, f.col, f.f, false); c != "" {
			add(c)
		}
	}
	if len(s.UUIDs) > 0 {
		list := inList(a, s.UUIDs)
		add("(a.uuid IN (" + list + ") OR e.uuid IN (" + list + "))")
	}
	if len(s.Tags.Any) > 0 {
		add(tagged(a, s.Tags.Any))
	}
	for _, set := range s.Tags.All {
		add(tagged(a, set))
	}
	if len(s.Tags.None) > 0 {
		add("NOT " + tagged(a, s.Tags.None))
	}
	if s.MinTimestamp > 0 {
		add(tcol + " >= " + a.add(s.MinTimestamp))
	}
	if s.MaxTimestamp > 0 {
		add(tcol + " <= " + a.add(s.MaxTimestamp))
	}
	w = append(w, rangeFilter(a, "a.first_seen", s.FirstSeen)...)
	w = append(w, rangeFilter(a, "a.last_seen", s.LastSeen)...)
	if s.ToIDS != nil {
		add("a.to_ids = " + a.add(*s.ToIDS))
	}
	if len(s.Distributions) > 0 {
		add("a.distribution IN (" + inList(a, toInts(s.Distributions)) + ")")
	}
	if len(s.SharingGroupIDs) > 0 {
		list := inList(a, s.SharingGroupIDs)
		add("((e.distribution = 4 AND e.sharing_group_id IN (" + list + ")) OR (a.distribution = 4 AND a.sharing_group_id IN (" + list + ")))")
	}
	return w
}

// exactValue matches attributes a whose value1, value2 or composite value
// is v.
func exactValue(a *args, v string) string {
	p := a.add(v)
	cond := "a.value1 = " + p + " OR " + value2Is("a.value2", p, v)
	if i := strings.IndexByte(v, '|'); i >= 0 {
		cond += " OR (a.value1 = " + a.add(v[:i]) + " AND a.value2 = " + a.add(v[i+1:]) + ")"
	}
	return cond
}

// value2Is is "column col, an attributes.value2, equals v", v bound as
// p, written so that the value2 index serves it. The index leaves out
// the empty value2 of every attribute whose type is not composite
// (migration 00013: on PostgreSQL, where it is a hash index, each
// insert of an empty value2 walked the one bucket holding them all); a
// planner uses a partial index only for a query whose terms imply its
// condition, so a non-empty v is matched with "col is not empty" too.
func value2Is(col, p, v string) string {
	if v == "" {
		return col + " = " + p
	}
	return "(" + col + " = " + p + " AND " + col + " <> '')"
}

// valueTerm is one value term: exact, or a LIKE pattern when it holds
// "%" (matched against value1 and value2, case-insensitively).
func valueTerm(a *args, v string) string {
	if !strings.Contains(v, "%") {
		return "(" + exactValue(a, v) + ")"
	}
	p := a.add(strings.ToLower(v))
	return "(lower(a.value1) LIKE " + p + " OR lower(a.value2) LIKE " + p + ")"
}

// stringFilter is f on column col: exact terms, or LIKE patterns for
// terms with "%" (all terms when like), case-insensitively for patterns.
// "" when f is empty.
func stringFilter(a *args, col string, f misp.StringFilter, like bool) string {
	term := func(v string) string {
		if like || strings.Contains(v, "%") {
			return "lower(" + col + ") LIKE " + a.add(strings.ToLower(v))
		}
		if col == "a.value2" {
			return value2Is(col, a.add(v), v)
		}
		return col + " = " + a.add(v)
	}
	var w []string
	if len(f.Any) > 0 {
		ors := make([]string, len(f.Any))
		for i, v := range f.Any {
			ors[i] = term(v)
		}
		w = append(w, "("+strings.Join(ors, " OR ")+")")
	}
	for _, v := range f.None {
		// A NULL column (object_relation of a standalone attribute)
		// matches no term, so NOT keeps it.
		w = append(w, "("+col+" IS NULL OR NOT ("+term(v)+"))")
	}
	return strings.Join(w, " AND ")
}

// tagged is "attribute a or its event carries one of the tags ids".
func tagged(a *args, ids []int64) string {
	list := inList(a, ids)
	return "(EXISTS (SELECT 1 FROM attribute_tags st WHERE st.attribute_id = a.id AND st.tag_id IN (" + list +
		")) OR EXISTS (SELECT 1 FROM event_tags se WHERE se.event_id = a.event_id AND se.tag_id IN (" + list + ")))"
}

// rangeFilter bounds col by r (0 leaves an end open).
func rangeFilter(a *args, col string, r misp.Range) []string {
	var w []string
	if r.Min != 0 {
		w = append(w, col+" >= "+a.add(r.Min))
	}
	if r.Max != 0 {
		w = append(w, col+" <= "+a.add(r.Max))
	}
	return w
}
