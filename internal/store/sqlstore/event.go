package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// eventRef is the part of a stored event the write paths need.
type eventRef struct {
	id               int64
	orgID            int64
	timestamp        int64
	publishTimestamp int64
	published        bool
}

// visibleEvent loads the event id if actor may see it; ErrNotFound otherwise.
func visibleEvent(ctx context.Context, tx *tx, actor *misp.Actor, id int64) (eventRef, error) {
	var a args
	q := "SELECT e.id, e.org_id, e.timestamp, e.publish_timestamp, e.published FROM events e WHERE e.id = " +
		a.add(id) + " AND " + tx.eventVisible(&a, "e", actor)
	var r eventRef
	err := tx.get(ctx, q, a, &r.id, &r.orgID, &r.timestamp, &r.publishTimestamp, scanPlainBool(&r.published))
	if err != nil {
		return r, fmt.Errorf("event %d: %w", id, err)
	}
	return r, nil
}

// touchEvent records a modification of the event: unpublished, timestamp
// now (Event::unpublishEvent).
func touchEvent(ctx context.Context, tx *tx, eventID int64) error {
	_, err := tx.exec(ctx, "UPDATE events SET published = FALSE, timestamp = $1 WHERE id = $2", tx.unix(), eventID)
	return err
}

// addAttributeCount adjusts events.attribute_count by delta, for writes of
// single elements whose effect on the count is known (a recount would
// visit every attribute of the event).
func addAttributeCount(ctx context.Context, tx *tx, eventID, delta int64) error {
	if delta == 0 {
		return nil
	}
	_, err := tx.exec(ctx, "UPDATE events SET attribute_count = attribute_count + $1 WHERE id = $2", delta, eventID)
	return err
}

// recountAttributes refreshes events.attribute_count: the non-deleted
// attributes of the event, object attributes included.
func recountAttributes(ctx context.Context, tx *tx, eventID int64) error {
	_, err := tx.exec(ctx, `UPDATE events SET attribute_count =
		(SELECT COUNT(*) FROM attributes a WHERE a.event_id = $1 AND a.deleted = FALSE) WHERE id = $1`, eventID)
	return err
}

// CreateEvent stores e with all its attributes, objects, references and
// tags in one transaction (misp-core-format §1.1). See misp.EventStore.
func (db *DB) CreateEvent(ctx context.Context, actor *misp.Actor, e *misp.Event, createTags bool) error {
	err := db.write(ctx, func(tx *tx) error { return createEvent(ctx, tx, actor, e, createTags) })
	if err != nil {
		return fmt.Errorf("create event %s: %w", e.UUID, err)
	}
	return nil
}

func createEvent(ctx context.Context, tx *tx, actor *misp.Actor, e *misp.Event, createTags bool) error {
	if actor == nil || actor.User == nil {
		return misp.ErrUnauthenticated
	}
	if e.UUID == "" {
		e.UUID = misp.NewUUID()
	}
	e.UUID = misp.NormalizeUUID(e.UUID)
	var existing int64
	err := tx.get(ctx, "SELECT id FROM events WHERE uuid = $1", []any{e.UUID}, &existing)
	if err == nil {
		return &misp.ConflictError{What: "event", ID: existing, UUID: e.UUID}
	}
	if !errors.Is(err, misp.ErrNotFound) {
		return err
	}

	now := misp.Int(tx.unix())
	e.OrgID = misp.Int(actor.OrgID())
	if e.OrgcID == 0 || !(actor.SiteAdmin() || bool(actor.Perms.Sync)) {
		e.OrgcID = misp.Int(actor.OrgID())
	}
	e.UserID = misp.Int(actor.UserID())
	if e.Timestamp == 0 {
		e.Timestamp = now
	}
	e.PublishTimestamp = 0
	if e.Published {
		e.PublishTimestamp = now
	}
	e.Attribute = dropDuplicateAttributes(e.Attribute)
	attrs := append([]*misp.Attribute(nil), e.Attribute...)
	for _, o := range e.Object {
		attrs = append(attrs, o.Attribute...)
	}
	e.AttributeCount = 0
	for _, a := range attrs {
		if !a.Deleted {
			e.AttributeCount++
		}
	}
	// A child UUID stored elsewhere would fail its multi-row INSERT with
	// a unique violation that cannot say which row; looking the UUIDs up
	// first lets the caller name the element.
	tags := newTagResolver(createTags)
	w := &childWriter{tx: tx, tags: tags}
	if err := w.loadStoredChildren(ctx, e.Attribute, e.Object); err != nil {
		return err
	}
	if err := w.storedConflict(e.Attribute, e.Object); err != nil {
		return err
	}

	err = tx.get(ctx, `INSERT INTO events (uuid, org_id, orgc_id, user_id, date, info, threat_level_id,
			analysis, distribution, sharing_group_id, published, publish_timestamp, timestamp,
			sighting_timestamp, attribute_count, proposal_email_lock, locked, disable_correlation,
			extends_uuid, protected)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		RETURNING id`,
		[]any{e.UUID, int64(e.OrgID), int64(e.OrgcID), int64(e.UserID), e.Date, e.Info,
			int(e.ThreatLevelID), int(e.Analysis), int(e.Distribution), int64(e.SharingGroupID),
			bool(e.Published), int64(e.PublishTimestamp), int64(e.Timestamp), int64(e.SightingTimestamp),
			int64(e.AttributeCount), bool(e.ProposalEmailLock), bool(e.Locked),
			bool(e.DisableCorrelation), e.ExtendsUUID, boolPtrArg(e.Protected)},
		&e.ID)
	if err != nil {
		return err
	}
	eventID := int64(e.ID)
	if err := attachEventTags(ctx, tx, tags, eventID, e.Tag); err != nil {
		return err
	}
	w.eventID = eventID
	if err := w.insertObjects(ctx, e.Object); err != nil {
		return err
	}
	for _, o := range e.Object {
		w.queueReferences(o)
	}
	w.newAttrs = append(w.newAttrs, e.Attribute...)
	for _, o := range e.Object {
		for _, a := range o.Attribute {
			a.ObjectID = o.ID
		}
		w.newAttrs = append(w.newAttrs, o.Attribute...)
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	_, err = tx.correlate(ctx, eventScope(eventID))
	return err
}

// dropDuplicateAttributes removes standalone attributes that repeat the
// (type, category, value) of an earlier non-deleted one, compared
// case-insensitively; deleted attributes are always kept (Event::_add).
func dropDuplicateAttributes(attrs []*misp.Attribute) []*misp.Attribute {
	seen := make(map[string]bool, len(attrs))
	out := attrs[:0:0]
	for _, a := range attrs {
		if !a.Deleted {
			k := attributeKey(a.Type, a.Category, a.Value)
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, a)
	}
	return out
}

// attributeKey is the case-insensitive uniqueness key of a standalone attribute.
func attributeKey(typ, category, value string) string {
	return typ + "\x00" + strings.ToLower(category) + "\x00" + strings.ToLower(value)
}

// attachEventTags attaches the tags of an incoming event (creating them
// when the resolver may); entries marked deleted are detached instead.
// Neither touches the event: the callers set its timestamp themselves.
func attachEventTags(ctx context.Context, tx *tx, tags *tagResolver, eventID int64, list []*misp.AttachedTag) error {
	for _, at := range list {
		t, err := tags.resolve(ctx, tx, at)
		if err != nil {
			return err
		}
		if t == nil {
			continue
		}
		if at.Deleted {
			if _, err := tx.exec(ctx, "DELETE FROM event_tags WHERE event_id = $1 AND tag_id = $2", eventID, int64(t.ID)); err != nil {
				return err
			}
			continue
		}
		if _, err := attachEventTag(ctx, tx, eventID, int64(t.ID), bool(at.Local), at.RelationshipType); err != nil {
			return err
		}
		fillAttached(at, t)
	}
	return nil
}

// DeleteEvent hard-deletes an event and everything in it. ErrNotFound.
func (db *DB) DeleteEvent(ctx context.Context, actor *misp.Actor, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		if _, err := visibleEvent(ctx, tx, actor, id); err != nil {
			return err
		}
		if err := tx.uncorrelate(ctx, eventScope(id)); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "DELETE FROM events WHERE id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete event %d: %w", id, err)
	}
	return nil
}

// SetPublished publishes (publish_timestamp = now) or unpublishes an event.
// ErrNotFound if the actor may not see it.
func (db *DB) SetPublished(ctx context.Context, actor *misp.Actor, id int64, published bool) error {
	err := db.write(ctx, func(tx *tx) error {
		if _, err := visibleEvent(ctx, tx, actor, id); err != nil {
			return err
		}
		var err error
		if published {
			_, err = tx.exec(ctx, "UPDATE events SET published = TRUE, publish_timestamp = $1 WHERE id = $2", tx.unix(), id)
		} else {
			_, err = tx.exec(ctx, "UPDATE events SET published = FALSE WHERE id = $1", id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set event %d published=%t: %w", id, published, err)
	}
	return nil
}
