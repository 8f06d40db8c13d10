package sqlstore

import (
	"context"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// attrRef is the part of a stored attribute the write paths need.
type attrRef struct {
	id, eventID, objectID, timestamp int64
	uuid                             string
	deleted                          bool
}

// visibleAttribute loads attribute id if actor may see it (soft-deleted
// ones only where the actor may see deleted elements); ErrNotFound otherwise.
func visibleAttribute(ctx context.Context, tx *tx, actor *misp.Actor, id int64) (attrRef, error) {
	var a args
	q := `SELECT a.id, a.event_id, a.object_id, a.timestamp, a.uuid, a.deleted
		FROM attributes a JOIN events e ON e.id = a.event_id
		WHERE a.id = ` + a.add(id) + " AND " + tx.attributeVisible(&a, "e", "a", actor) +
		" AND " + elementDeleted(&a, "e", "a.deleted", misp.DeletedInclude, actor)
	var r attrRef
	err := tx.get(ctx, q, a, &r.id, &r.eventID, &r.objectID, &r.timestamp, &r.uuid, scanPlainBool(&r.deleted))
	if err != nil {
		return r, fmt.Errorf("attribute %d: %w", id, err)
	}
	return r, nil
}

// touchAttribute records a modification of an attribute: its timestamp
// and its event's are bumped, and the event is unpublished.
func touchAttribute(ctx context.Context, tx *tx, ref attrRef) error {
	if _, err := tx.exec(ctx, "UPDATE attributes SET timestamp = $1 WHERE id = $2", tx.unix(), ref.id); err != nil {
		return err
	}
	return touchEvent(ctx, tx, ref.eventID)
}

// similarAttributeExists reports whether the event has a non-deleted
// standalone attribute with a's type, category and value (compared
// case-insensitively), other than the attribute exceptID.
func similarAttributeExists(ctx context.Context, tx *tx, eventID, exceptID int64, a *misp.Attribute) (bool, error) {
	v1, v2 := a.Split()
	return tx.exists(ctx, `SELECT 1 FROM attributes
		WHERE event_id = $1 AND object_id = 0 AND deleted = FALSE AND id <> $2 AND type = $3
			AND lower(category) = lower($4) AND lower(value1) = lower($5) AND lower(value2) = lower($6)`,
		eventID, exceptID, a.Type, a.Category, v1, v2)
}

// liveDelta is the change of attribute_count when an attribute goes from
// wasDeleted to isDeleted (a new attribute counts as wasDeleted).
func liveDelta(wasDeleted, isDeleted bool) int64 {
	switch {
	case wasDeleted && !isDeleted:
		return 1
	case !wasDeleted && isDeleted:
		return -1
	}
	return 0
}

func errSimilarAttribute() error {
	return misp.Invalidf("value", "A similar attribute already exists for this event.")
}

// CreateAttribute adds a validated attribute to an event (standalone, or
// in attr.ObjectID's object), unpublishing the event. See misp.AttributeStore.
func (db *DB) CreateAttribute(ctx context.Context, actor *misp.Actor, eventID int64, attr *misp.Attribute, createTags bool) error {
	err := db.write(ctx, func(tx *tx) error {
		if _, err := visibleEvent(ctx, tx, actor, eventID); err != nil {
			return err
		}
		if attr.ObjectID != 0 {
			ok, err := tx.exists(ctx, "SELECT 1 FROM objects WHERE id = $1 AND event_id = $2", int64(attr.ObjectID), eventID)
			if err != nil {
				return err
			}
			if !ok {
				return misp.Invalidf("object_id", "The object is not part of the event.")
			}
		} else if !attr.Deleted {
			dup, err := similarAttributeExists(ctx, tx, eventID, 0, attr)
			if err != nil {
				return err
			}
			if dup {
				return errSimilarAttribute()
			}
		}
		w := &childWriter{tx: tx, eventID: eventID, tags: newTagResolver(createTags)}
		w.newAttrs = []*misp.Attribute{attr}
		if err := w.flush(ctx); err != nil {
			return err
		}
		if _, err := tx.correlate(ctx, attributeScope(int64(attr.ID))); err != nil {
			return err
		}
		if err := touchEvent(ctx, tx, eventID); err != nil {
			return err
		}
		return addAttributeCount(ctx, tx, eventID, liveDelta(true, bool(attr.Deleted)))
	})
	if err != nil {
		return fmt.Errorf("create attribute in event %d: %w", eventID, err)
	}
	return nil
}

// FindAttributeByID returns an attribute with its tags. Deleted attributes
// are returned only when deleted is true and the actor may see them.
func (db *DB) FindAttributeByID(ctx context.Context, actor *misp.Actor, id int64, deleted bool) (*misp.Attribute, error) {
	a, err := db.findAttribute(ctx, actor, "a.id", id, deleted)
	if err != nil {
		return nil, fmt.Errorf("find attribute %d: %w", id, err)
	}
	return a, nil
}

// FindAttributeByUUID is FindAttributeByID by UUID.
func (db *DB) FindAttributeByUUID(ctx context.Context, actor *misp.Actor, uuid string, deleted bool) (*misp.Attribute, error) {
	a, err := db.findAttribute(ctx, actor, "a.uuid", misp.NormalizeUUID(uuid), deleted)
	if err != nil {
		return nil, fmt.Errorf("find attribute %s: %w", uuid, err)
	}
	return a, nil
}

func (db *DB) findAttribute(ctx context.Context, actor *misp.Actor, col string, val any, deleted bool) (*misp.Attribute, error) {
	f := misp.DeletedExclude
	if deleted {
		f = misp.DeletedInclude
	}
	var attr *misp.Attribute
	err := db.read(ctx, func(tx *tx) error {
		var a args
		where := col + " = " + a.add(val) + " AND " + tx.attributeVisible(&a, "e", "a", actor) +
			" AND " + elementDeleted(&a, "e", "a.deleted", f, actor)
		attrs, err := queryAttributes(ctx, tx, where, "", "", a)
		if err != nil {
			return err
		}
		if len(attrs) == 0 {
			return misp.ErrNotFound
		}
		attr = attrs[0]
		return loadTagsOfAttributes(ctx, tx, attrs)
	})
	return attr, err
}

// FindAttributes lists the attributes visible to actor, ordered by id.
func (db *DB) FindAttributes(ctx context.Context, actor *misp.Actor, f misp.AttributeFilter) ([]*misp.Attribute, error) {
	var attrs []*misp.Attribute
	err := db.read(ctx, func(tx *tx) error {
		var a args
		where := tx.attributeVisible(&a, "e", "a", actor) + " AND " + elementDeleted(&a, "e", "a.deleted", f.Deleted, actor)
		if f.EventID != 0 {
			where += " AND a.event_id = " + a.add(f.EventID)
		}
		offset := 0
		if f.Limit > 0 && f.Page > 1 {
			offset = (f.Page - 1) * f.Limit
		}
		var err error
		if attrs, err = queryAttributes(ctx, tx, where, "", limitOffset(&a, f.Limit, offset), a); err != nil {
			return err
		}
		return loadTagsOfAttributes(ctx, tx, attrs)
	})
	if err != nil {
		return nil, fmt.Errorf("find attributes: %w", err)
	}
	return attrs, nil
}

// UpdateAttribute replaces the stored attribute attr.ID with attr (merged
// and validated by the caller) and merges the tags of attr.Tag into its
// tags, unpublishing the event. See misp.AttributeStore.
func (db *DB) UpdateAttribute(ctx context.Context, actor *misp.Actor, attr *misp.Attribute, createTags bool) error {
	err := db.write(ctx, func(tx *tx) error {
		ref, err := visibleAttribute(ctx, tx, actor, int64(attr.ID))
		if err != nil {
			return err
		}
		if attr.Timestamp != 0 && int64(attr.Timestamp) <= ref.timestamp {
			return misp.ErrNotNewer
		}
		if ref.objectID == 0 && !attr.Deleted {
			dup, err := similarAttributeExists(ctx, tx, ref.eventID, ref.id, attr)
			if err != nil {
				return err
			}
			if dup {
				return errSimilarAttribute()
			}
		}
		attr.UUID, attr.EventID, attr.ObjectID = ref.uuid, misp.Int(ref.eventID), misp.Int(ref.objectID)
		if attr.Timestamp == 0 {
			attr.Timestamp = misp.Int(tx.unix())
		}
		if err := updateAttributeRow(ctx, tx, attr, ref.deleted); err != nil {
			return err
		}
		if err := tx.recorrelate(ctx, attributeScope(ref.id)); err != nil {
			return err
		}
		w := &childWriter{tx: tx, eventID: ref.eventID, tags: newTagResolver(createTags)}
		if err := w.tagAttribute(ctx, attr); err != nil {
			return err
		}
		if err := touchEvent(ctx, tx, ref.eventID); err != nil {
			return err
		}
		return addAttributeCount(ctx, tx, ref.eventID, liveDelta(ref.deleted, bool(attr.Deleted)))
	})
	if err != nil {
		return fmt.Errorf("update attribute %d: %w", attr.ID, err)
	}
	return nil
}

// DeleteAttribute soft-deletes (deleted=true, timestamp=now; references
// to it marked deleted) or hard-deletes (row, tags and references to it
// removed) an attribute, unpublishing the event.
func (db *DB) DeleteAttribute(ctx context.Context, actor *misp.Actor, id int64, hard bool) error {
	err := db.write(ctx, func(tx *tx) error {
		ref, err := visibleAttribute(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		// A deleted attribute correlates with nothing: its values go
		// before the row does.
		if err := tx.uncorrelate(ctx, attributeScope(id)); err != nil {
			return err
		}
		if hard {
			_, err = tx.exec(ctx, "DELETE FROM object_references WHERE referenced_type = $1 AND referenced_id = $2",
				misp.ReferencedAttribute, id)
			if err == nil {
				_, err = tx.exec(ctx, "DELETE FROM attributes WHERE id = $1", id)
			}
		} else {
			_, err = tx.exec(ctx, "UPDATE attributes SET deleted = TRUE, timestamp = $1 WHERE id = $2", tx.unix(), id)
			if err == nil {
				err = markReferencesDeleted(ctx, tx, misp.ReferencedAttribute, id)
			}
		}
		if err != nil {
			return err
		}
		if err := touchEvent(ctx, tx, ref.eventID); err != nil {
			return err
		}
		return addAttributeCount(ctx, tx, ref.eventID, liveDelta(ref.deleted, true))
	})
	if err != nil {
		return fmt.Errorf("delete attribute %d: %w", id, err)
	}
	return nil
}

// RestoreAttribute undeletes a soft-deleted attribute (timestamp = now),
// unpublishing the event. Restoring a live attribute changes nothing.
func (db *DB) RestoreAttribute(ctx context.Context, actor *misp.Actor, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		ref, err := visibleAttribute(ctx, tx, actor, id)
		if err != nil || !ref.deleted {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE attributes SET deleted = FALSE, timestamp = $1 WHERE id = $2", tx.unix(), id)
		if err != nil {
			return err
		}
		if err := tx.recorrelate(ctx, attributeScope(id)); err != nil {
			return err
		}
		if err := touchEvent(ctx, tx, ref.eventID); err != nil {
			return err
		}
		return addAttributeCount(ctx, tx, ref.eventID, 1)
	})
	if err != nil {
		return fmt.Errorf("restore attribute %d: %w", id, err)
	}
	return nil
}
