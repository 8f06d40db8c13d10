package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/razmena/razmena/internal/misp"
)

const eventCols = `e.id, e.uuid, e.org_id, e.orgc_id, e.user_id, e.date, e.info, e.threat_level_id,
	e.analysis, e.distribution, e.sharing_group_id, e.published, e.publish_timestamp, e.timestamp,
	e.sighting_timestamp, e.attribute_count, e.proposal_email_lock, e.locked,
	e.disable_correlation, e.extends_uuid, e.protected,
	o.name, o.uuid, o.local, oc.name, oc.uuid, oc.local`

const eventFrom = `events e
	JOIN organisations o ON o.id = e.org_id
	JOIN organisations oc ON oc.id = e.orgc_id`

func scanEvent(s interface{ Scan(...any) error }, extra ...any) (*misp.Event, error) {
	e := &misp.Event{Org: &misp.OrgRef{}, Orgc: &misp.OrgRef{}}
	dest := []any{&e.ID, &e.UUID, &e.OrgID, &e.OrgcID, &e.UserID, &e.Date, &e.Info, &e.ThreatLevelID,
		&e.Analysis, &e.Distribution, &e.SharingGroupID, scanBool(&e.Published), &e.PublishTimestamp,
		&e.Timestamp, &e.SightingTimestamp, &e.AttributeCount, scanBool(&e.ProposalEmailLock),
		scanBool(&e.Locked), scanBool(&e.DisableCorrelation), &e.ExtendsUUID, scanNullBool(&e.Protected),
		&e.Org.Name, &e.Org.UUID, scanBool(&e.Org.Local), &e.Orgc.Name, &e.Orgc.UUID, scanBool(&e.Orgc.Local)}
	err := s.Scan(append(dest, extra...)...)
	e.Org.ID, e.Orgc.ID = e.OrgID, e.OrgcID
	return e, err
}

const attributeCols = `a.id, a.uuid, a.event_id, a.object_id, a.object_relation, a.category, a.type,
	a.value1, a.value2, a.to_ids, a.timestamp, a.distribution, a.sharing_group_id, a.comment,
	a.deleted, a.disable_correlation, a.first_seen, a.last_seen, a.data`

// attributeRow reads rows of attributeCols. It scans every column into
// an interface value of its own, which database/sql fills without
// reflection (it fills the named misp types by reflection: a third of a
// 20,000-attribute page's Go time), and converts them itself. A row is
// reused for every row of a query.
type attributeRow struct {
	vals [19]any
	dest [19]any
}

func newAttributeRow() *attributeRow {
	r := &attributeRow{}
	for i := range r.vals {
		r.dest[i] = &r.vals[i]
	}
	return r
}

// scan reads the current row of s as a new attribute.
func (r *attributeRow) scan(s interface{ Scan(...any) error }) (*misp.Attribute, error) {
	if err := s.Scan(r.dest[:]...); err != nil {
		return nil, err
	}
	c := columns{vals: r.vals[:]}
	a := &misp.Attribute{
		ID: misp.Int(c.int(0)), UUID: c.string(1), EventID: misp.Int(c.int(2)), ObjectID: misp.Int(c.int(3)),
		ObjectRelation: c.nullString(4), Category: c.string(5), Type: c.string(6),
		ToIDS: misp.Bool(c.bool(9)), Timestamp: misp.Int(c.int(10)), Distribution: misp.Distribution(c.int(11)),
		SharingGroupID: misp.Int(c.int(12)), Comment: c.string(13), Deleted: misp.Bool(c.bool(14)),
		DisableCorrelation: misp.Bool(c.bool(15)), FirstSeen: c.nullMicro(16), LastSeen: c.nullMicro(17),
		Data: c.string(18),
	}
	a.Value = joinValue(c.string(7), c.string(8))
	clear(r.vals[:]) // hold no row's strings once it is read
	return a, c.err
}

const objectCols = `ob.id, ob.uuid, ob.event_id, ob.name, ob.meta_category, ob.description,
	ob.template_uuid, ob.template_version, ob.timestamp, ob.distribution, ob.sharing_group_id,
	ob.comment, ob.deleted, ob.first_seen, ob.last_seen`

func scanObject(s interface{ Scan(...any) error }) (*misp.Object, error) {
	o := &misp.Object{Attribute: []*misp.Attribute{}, ObjectReference: []*misp.ObjectReference{}}
	err := s.Scan(&o.ID, &o.UUID, &o.EventID, &o.Name, &o.MetaCategory, &o.Description,
		&o.TemplateUUID, &o.TemplateVersion, &o.Timestamp, &o.Distribution, &o.SharingGroupID,
		&o.Comment, scanBool(&o.Deleted), scanNullMicro(&o.FirstSeen), scanNullMicro(&o.LastSeen))
	return o, err
}

// referenceCols needs the source object joined as ob.
const referenceCols = `r.id, r.uuid, r.timestamp, r.object_id, r.event_id, r.referenced_uuid,
	r.referenced_id, r.referenced_type, r.relationship_type, r.comment, r.deleted, ob.uuid`

func scanReference(s interface{ Scan(...any) error }) (*misp.ObjectReference, error) {
	r := &misp.ObjectReference{}
	err := s.Scan(&r.ID, &r.UUID, &r.Timestamp, &r.ObjectID, &r.EventID, &r.ReferencedUUID,
		&r.ReferencedID, &r.ReferencedType, &r.RelationshipType, &r.Comment, scanBool(&r.Deleted),
		&r.ObjectUUID)
	return r, err
}

// FindEventByID returns a full event. ErrNotFound.
func (db *DB) FindEventByID(ctx context.Context, actor *misp.Actor, id int64, opts misp.EventViewOptions) (*misp.Event, error) {
	var e *misp.Event
	err := db.read(ctx, func(tx *tx) error {
		var err error
		e, err = findFullEvent(ctx, tx, actor, "e.id", id, opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find event %d: %w", id, err)
	}
	return e, nil
}

// FindEventByUUID returns a full event. ErrNotFound.
func (db *DB) FindEventByUUID(ctx context.Context, actor *misp.Actor, uuid string, opts misp.EventViewOptions) (*misp.Event, error) {
	var e *misp.Event
	err := db.read(ctx, func(tx *tx) error {
		var err error
		e, err = findFullEvent(ctx, tx, actor, "e.uuid", misp.NormalizeUUID(uuid), opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find event %s: %w", uuid, err)
	}
	return e, nil
}

// eventBatch is LoadEvents' default batch: as many attributes as a
// stream chunk (streamChunk), a few megabytes of rows.
const eventBatch = streamChunk

// LoadEvents feeds fn the full events of ids, a batch per read
// transaction. See misp.EventSearchStore.
func (db *DB) LoadEvents(ctx context.Context, actor *misp.Actor, ids []int64, opts misp.EventViewOptions, batch int, fn func(*misp.Event) error) error {
	if len(ids) == 0 {
		return nil
	}
	if batch <= 0 {
		batch = eventBatch
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The sizes of the events, visible or not: they only cut the batches.
	sizes := make(map[int64]int, len(ids))
	err := db.read(ctx, func(tx *tx) error {
		var a args
		return tx.each(ctx, "SELECT id, attribute_count FROM events WHERE "+tx.inIDs(&a, "id", ids), a, func(rows *sql.Rows) error {
			var id int64
			var n int
			err := rows.Scan(&id, &n)
			sizes[id] = n
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("load events: %w", err)
	}
	for len(ids) > 0 {
		n, size := 1, sizes[ids[0]]
		for n < len(ids) && size+sizes[ids[n]] <= batch {
			size += sizes[ids[n]]
			n++
		}
		var events []*misp.Event
		err := db.read(ctx, func(tx *tx) error {
			var a args
			var err error
			events, err = findFullEvents(ctx, tx, actor, tx.inIDs(&a, "e.id", ids[:n]), a, opts)
			return err
		})
		if err != nil {
			return fmt.Errorf("load events %d-%d: %w", ids[0], ids[n-1], err)
		}
		for _, e := range events {
			if err := fn(e); err != nil {
				return err
			}
		}
		ids = ids[n:]
	}
	return nil
}

// findFullEvent loads the event whose column col equals val with its
// tags and, unless opts.Metadata, its attributes, objects, references and
// attribute tags: one query per kind of child, however large the event.
func findFullEvent(ctx context.Context, tx *tx, actor *misp.Actor, col string, val any, opts misp.EventViewOptions) (*misp.Event, error) {
	var a args
	events, err := findFullEvents(ctx, tx, actor, col+" = "+a.add(val), a, opts)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, misp.ErrNotFound
	}
	return events[0], nil
}

// findFullEvents loads, as findFullEvent loads one, the events that
// actor may see among those whose events row e meets cond (its
// arguments in a), in id order: one query per kind of row for all of
// them, and per event only its correlations.
func findFullEvents(ctx context.Context, tx *tx, actor *misp.Actor, cond string, a args, opts misp.EventViewOptions) ([]*misp.Event, error) {
	q := "SELECT " + eventCols + " FROM " + eventFrom + " WHERE " + cond + " AND " +
		tx.eventVisible(&a, "e", actor) + " ORDER BY e.id"
	var events []*misp.Event
	byEvent := make(map[int64]*misp.Event)
	err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
		e, err := scanEvent(rows)
		if err == nil {
			events = append(events, e)
			byEvent[int64(e.ID)] = e
		}
		return err
	})
	if err != nil || len(events) == 0 {
		return nil, err
	}
	ids := make([]int64, len(events))
	// inEvents is "col is one of the events' ids". One event's statements
	// are the ones it always had, with an equality: with an IN list of
	// one id SQLite planned the largest event's view, as the org user,
	// at 8.7 s against 2.1 s. byEventFirst orders the children of several
	// events by event first, so that the planners read them through their
	// event_id indexes instead of walking a whole table in id order.
	inEvents := func(a *args, col string) string {
		if len(ids) == 1 {
			return col + " = " + a.add(ids[0])
		}
		return tx.inIDs(a, col, ids)
	}
	byEventFirst := func(col string) string {
		if len(ids) == 1 {
			return ""
		}
		return col + ", "
	}
	var creators []int64
	for i, e := range events {
		ids[i] = int64(e.ID)
		if creatorEmailVisible(actor, e) {
			creators = append(creators, int64(e.UserID))
		}
	}
	if len(creators) > 0 {
		a = nil
		emails := make(map[int64]string, len(creators))
		err := tx.each(ctx, "SELECT id, email FROM users WHERE "+tx.inIDs(&a, "id", creators), a, func(rows *sql.Rows) error {
			var id int64
			var email string
			err := rows.Scan(&id, &email)
			emails[id] = email
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if creatorEmailVisible(actor, e) {
				e.EventCreatorEmail = emails[int64(e.UserID)]
			}
		}
	}

	a = nil
	q = "SELECT " + tagCols + `, et.event_id, et.local, et.relationship_type
		FROM event_tags et JOIN tags t ON t.id = et.tag_id JOIN events e ON e.id = et.event_id
		WHERE ` + inEvents(&a, "et.event_id") + " AND " + tx.eventVisible(&a, "e", actor)
	if opts.ExcludeLocalTags {
		q += " AND et.local = FALSE"
	}
	err = tx.each(ctx, q+" ORDER BY et.id", a, func(rows *sql.Rows) error {
		owner, t, err := scanAttachedTag(rows)
		if e := byEvent[owner]; e != nil {
			e.Tag = append(e.Tag, t)
		}
		return err
	})
	if err == nil && opts.EventCorrelations {
		err = tx.pairReads(ctx, func() error {
			for _, e := range events {
				var err error
				id := int64(e.ID)
				if e.RelatedEvent, err = relatedEvents(ctx, tx, actor, id, int64(e.AttributeCount)); err != nil {
					return err
				}
				if e.RelatedEvent, err = addNetworkEvents(ctx, tx, actor, id, e.RelatedEvent); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil || opts.Metadata {
		return events, err
	}

	a = nil
	q = "SELECT " + objectCols + " FROM objects ob JOIN events e ON e.id = ob.event_id WHERE " +
		inEvents(&a, "ob.event_id") + " AND " + tx.objectVisible(&a, "e", "ob", actor) +
		" AND " + elementDeleted(&a, "e", "ob.deleted", opts.Deleted, actor) + " ORDER BY " + byEventFirst("ob.event_id") + "ob.id"
	objects := make(map[int64]*misp.Object)
	for _, e := range events {
		e.Object = []*misp.Object{}
		e.Attribute = []*misp.Attribute{}
	}
	err = tx.each(ctx, q, a, func(rows *sql.Rows) error {
		o, err := scanObject(rows)
		if e := byEvent[int64(o.EventID)]; err == nil && e != nil {
			objects[int64(o.ID)] = o
			e.Object = append(e.Object, o)
		}
		return err
	})
	if err != nil {
		return nil, err
	}

	a = nil
	attrWhere := inEvents(&a, "a.event_id") + " AND " + tx.attributeVisible(&a, "e", "a", actor) +
		" AND " + elementDeleted(&a, "e", "a.deleted", opts.Deleted, actor)
	attrs, err := queryAttributes(ctx, tx, attrWhere, byEventFirst("a.event_id"), "", a)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*misp.Attribute, len(attrs))
	for _, at := range attrs {
		e := byEvent[int64(at.EventID)]
		switch {
		case e == nil:
			continue
		case at.ObjectID == 0:
			e.Attribute = append(e.Attribute, at)
		case objects[int64(at.ObjectID)] != nil:
			o := objects[int64(at.ObjectID)]
			o.Attribute = append(o.Attribute, at)
		default:
			// The object is visible but not returned (deleted):
			// its attributes are only reachable through it.
			continue
		}
		byID[int64(at.ID)] = at
	}
	// MISP's JSON converter drops objects left without attributes, so an
	// object whose attributes are all hidden (or deleted) does not show.
	for _, e := range events {
		shown := e.Object[:0]
		for _, o := range e.Object {
			if len(o.Attribute) > 0 {
				shown = append(shown, o)
			} else {
				delete(objects, int64(o.ID))
			}
		}
		e.Object = shown
	}

	a = nil
	q = "SELECT " + referenceCols + ` FROM object_references r
		JOIN objects ob ON ob.id = r.object_id JOIN events e ON e.id = r.event_id
		WHERE ` + inEvents(&a, "r.event_id") + " AND " + tx.objectVisible(&a, "e", "ob", actor) +
		" AND " + tx.referenceTargetVisible(&a, "e", "r", actor) +
		" AND " + elementDeleted(&a, "e", "r.deleted", opts.Deleted, actor) + " ORDER BY " + byEventFirst("r.event_id") + "r.id"
	err = tx.each(ctx, q, a, func(rows *sql.Rows) error {
		r, err := scanReference(rows)
		if o := objects[int64(r.ObjectID)]; o != nil {
			o.ObjectReference = append(o.ObjectReference, r)
		}
		return err
	})
	if err != nil {
		return nil, err
	}

	// Tags of the returned attributes only: the same attribute predicate
	// selects the tag rows, so hidden attributes' tags are never read. The
	// subquery joins its own events row (ev): referring to the outer e
	// would make it correlated, re-run for every tag row (quadratic in the
	// event's size).
	a = nil
	where := inEvents(&a, "at.event_id") + " AND at.attribute_id IN (SELECT a.id FROM attributes a " +
		"JOIN events ev ON ev.id = a.event_id WHERE " + inEvents(&a, "a.event_id") + " AND " +
		tx.attributeVisible(&a, "ev", "a", actor) + " AND " + elementDeleted(&a, "ev", "a.deleted", opts.Deleted, actor) + ")"
	if opts.ExcludeLocalTags {
		where += " AND at.local = FALSE"
	}
	if err := loadAttributeTags(ctx, tx, where, a, byID); err != nil {
		return nil, err
	}
	if opts.GranularCorrelations {
		// Each event's own attributes: the CIDR correlations fill what
		// room misp.MaxCorrelationsPerEvent leaves in the event, which the
		// attributes of the other events of a batch must not take.
		perEvent := make(map[int64]map[int64]*misp.Attribute, len(events))
		for id, at := range byID {
			m := perEvent[int64(at.EventID)]
			if m == nil {
				m = make(map[int64]*misp.Attribute)
				perEvent[int64(at.EventID)] = m
			}
			m[id] = at
		}
		err := tx.pairReads(ctx, func() error {
			for _, e := range events {
				id := int64(e.ID)
				if err := loadEventCorrelations(ctx, tx, actor, id, perEvent[id]); err != nil {
					return err
				}
				if err := loadEventNetworkCorrelations(ctx, tx, actor, id, perEvent[id]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return events, nil
}

// queryAttributes returns the attributes matching where (attributes a
// joined with events e), ordered by order (columns with a trailing
// comma, or "") and then id, followed by tail (LIMIT …).
func queryAttributes(ctx context.Context, tx *tx, where, order, tail string, a args) ([]*misp.Attribute, error) {
	var attrs []*misp.Attribute
	q := "SELECT " + attributeCols + " FROM attributes a JOIN events e ON e.id = a.event_id WHERE " + where + " ORDER BY " + order + "a.id" + tail
	row := newAttributeRow()
	err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
		at, err := row.scan(rows)
		attrs = append(attrs, at)
		return err
	})
	return attrs, err
}

// loadAttributeTags appends the tags matching where (attribute_tags at
// joined with tags t and events e) to the attributes in byID.
func loadAttributeTags(ctx context.Context, tx *tx, where string, a args, byID map[int64]*misp.Attribute) error {
	q := "SELECT " + tagCols + `, at.attribute_id, at.local, at.relationship_type
		FROM attribute_tags at JOIN tags t ON t.id = at.tag_id JOIN events e ON e.id = at.event_id
		WHERE ` + where + " ORDER BY at.id"
	return tx.each(ctx, q, a, func(rows *sql.Rows) error {
		attrID, t, err := scanAttachedTag(rows)
		if at := byID[attrID]; at != nil {
			at.Tag = append(at.Tag, t)
		}
		return err
	})
}

// loadTagsOfAttributes loads the tags of the given attributes in one
// statement: a range scan when they are dense in their id range, their
// ids bound as one list otherwise.
func loadTagsOfAttributes(ctx context.Context, tx *tx, attrs []*misp.Attribute) error {
	if len(attrs) == 0 {
		return nil
	}
	byID := make(map[int64]*misp.Attribute, len(attrs))
	ids := make([]int64, 0, len(attrs))
	for _, at := range attrs {
		byID[int64(at.ID)] = at
		ids = append(ids, int64(at.ID))
	}
	if len(ids) > inChunk {
		// A large set dense in its id range (a page of a type and time
		// search, an export page) takes one range scan of attribute_tags'
		// attribute_id index instead of a statement per 500 ids; byID
		// drops the tags of attributes in the range but not in the set.
		lo, hi := slices.Min(ids), slices.Max(ids)
		if hi-lo < denseRange*int64(len(ids)) {
			var a args
			where := "at.attribute_id >= " + a.add(lo) + " AND at.attribute_id <= " + a.add(hi)
			return loadAttributeTags(ctx, tx, where, a, byID)
		}
	}
	var a args
	return loadAttributeTags(ctx, tx, tx.inIDs(&a, "at.attribute_id", ids), a, byID)
}

// denseRange is how many ids per attribute the id range of a set may
// span for loadTagsOfAttributes to read its tags by range: at most that
// many times the tag links it needs.
const denseRange = 4
