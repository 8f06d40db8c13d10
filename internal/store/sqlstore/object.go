package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// objectRef is the part of a stored object the write paths need.
type objectRef struct {
	id, eventID, timestamp int64
	uuid                   string
	deleted                bool
}

// visibleObject loads object id if actor may see it (soft-deleted ones
// only where the actor may see deleted elements); ErrNotFound otherwise.
func visibleObject(ctx context.Context, tx *tx, actor *misp.Actor, id int64) (objectRef, error) {
	var a args
	q := `SELECT ob.id, ob.event_id, ob.timestamp, ob.uuid, ob.deleted
		FROM objects ob JOIN events e ON e.id = ob.event_id
		WHERE ob.id = ` + a.add(id) + " AND " + tx.objectVisible(&a, "e", "ob", actor) +
		" AND " + elementDeleted(&a, "e", "ob.deleted", misp.DeletedInclude, actor)
	var r objectRef
	err := tx.get(ctx, q, a, &r.id, &r.eventID, &r.timestamp, &r.uuid, scanPlainBool(&r.deleted))
	if err != nil {
		return r, fmt.Errorf("object %d: %w", id, err)
	}
	return r, nil
}

// CreateObject adds a validated object with its attributes and references
// to an event in one transaction, unpublishing the event. References
// whose target is not in the event are skipped.
func (db *DB) CreateObject(ctx context.Context, actor *misp.Actor, eventID int64, o *misp.Object, createTags bool) error {
	err := db.write(ctx, func(tx *tx) error {
		if _, err := visibleEvent(ctx, tx, actor, eventID); err != nil {
			return err
		}
		w := &childWriter{tx: tx, eventID: eventID, tags: newTagResolver(createTags)}
		if err := w.insertObjects(ctx, []*misp.Object{o}); err != nil {
			return err
		}
		for _, a := range o.Attribute {
			a.ObjectID = o.ID
		}
		w.newAttrs = o.Attribute
		w.queueReferences(o)
		if err := w.flush(ctx); err != nil {
			return err
		}
		if _, err := tx.correlate(ctx, objectScope(int64(o.ID))); err != nil {
			return err
		}
		if err := touchEvent(ctx, tx, eventID); err != nil {
			return err
		}
		var live int64
		for _, a := range o.Attribute {
			live += liveDelta(true, bool(a.Deleted))
		}
		return addAttributeCount(ctx, tx, eventID, live)
	})
	if err != nil {
		return fmt.Errorf("create object in event %d: %w", eventID, err)
	}
	return nil
}

// FindObjectByID returns an object with its visible attributes (with their
// tags) and references. Deleted objects, attributes and references are
// returned only when deleted is true and the actor may see them.
func (db *DB) FindObjectByID(ctx context.Context, actor *misp.Actor, id int64, deleted bool) (*misp.Object, error) {
	var o *misp.Object
	err := db.read(ctx, func(tx *tx) error {
		var err error
		o, err = findObject(ctx, tx, actor, "ob.id", id, deleted)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find object %d: %w", id, err)
	}
	return o, nil
}

// FindObjectByUUID is FindObjectByID by UUID.
func (db *DB) FindObjectByUUID(ctx context.Context, actor *misp.Actor, uuid string, deleted bool) (*misp.Object, error) {
	var o *misp.Object
	err := db.read(ctx, func(tx *tx) error {
		var err error
		o, err = findObject(ctx, tx, actor, "ob.uuid", misp.NormalizeUUID(uuid), deleted)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find object %s: %w", uuid, err)
	}
	return o, nil
}

func findObject(ctx context.Context, tx *tx, actor *misp.Actor, col string, val any, deleted bool) (*misp.Object, error) {
	f := misp.DeletedExclude
	if deleted {
		f = misp.DeletedInclude
	}
	var a args
	q := "SELECT " + objectCols + " FROM objects ob JOIN events e ON e.id = ob.event_id WHERE " + col + " = " +
		a.add(val) + " AND " + tx.objectVisible(&a, "e", "ob", actor) + " AND " + elementDeleted(&a, "e", "ob.deleted", f, actor)
	var o *misp.Object
	err := tx.one(ctx, q, a, func(rows *sql.Rows) error {
		var err error
		o, err = scanObject(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	id := int64(o.ID)

	a = nil
	attrs, err := queryAttributes(ctx, tx, "a.object_id = "+a.add(id)+" AND "+tx.attributeVisible(&a, "e", "a", actor)+
		" AND "+elementDeleted(&a, "e", "a.deleted", f, actor), "", "", a)
	if err != nil {
		return nil, err
	}
	o.Attribute = append(o.Attribute, attrs...)
	if err := loadTagsOfAttributes(ctx, tx, attrs); err != nil {
		return nil, err
	}

	a = nil
	q = "SELECT " + referenceCols + ` FROM object_references r
		JOIN objects ob ON ob.id = r.object_id JOIN events e ON e.id = r.event_id
		WHERE r.object_id = ` + a.add(id) + " AND " + tx.objectVisible(&a, "e", "ob", actor) +
		" AND " + tx.referenceTargetVisible(&a, "e", "r", actor) +
		" AND " + elementDeleted(&a, "e", "r.deleted", f, actor) + " ORDER BY r.id"
	err = tx.each(ctx, q, a, func(rows *sql.Rows) error {
		r, err := scanReference(rows)
		o.ObjectReference = append(o.ObjectReference, r)
		return err
	})
	return o, err
}

// UpdateObject merges o into the stored object o.ID: the object's fields
// are replaced, its attributes and references merged by UUID with the
// newer-timestamp rule (new ones added), and the event unpublished.
// ErrNotNewer if o.Timestamp is set and not newer than the stored one.
func (db *DB) UpdateObject(ctx context.Context, actor *misp.Actor, o *misp.Object, createTags bool) (*misp.Object, error) {
	var out *misp.Object
	err := db.write(ctx, func(tx *tx) error {
		ref, err := visibleObject(ctx, tx, actor, int64(o.ID))
		if err != nil {
			return err
		}
		if o.Timestamp != 0 && int64(o.Timestamp) <= ref.timestamp {
			return misp.ErrNotNewer
		}
		o.UUID, o.EventID = ref.uuid, misp.Int(ref.eventID)
		if o.Timestamp == 0 {
			o.Timestamp = misp.Int(tx.unix())
		}
		if err := updateObjectRow(ctx, tx, o); err != nil {
			return err
		}
		if bool(o.Deleted) && !ref.deleted {
			if err := markReferencesDeleted(ctx, tx, misp.ReferencedObject, ref.id); err != nil {
				return err
			}
		}
		w := &childWriter{tx: tx, eventID: ref.eventID, tags: newTagResolver(createTags)}
		if err := w.loadStoredChildren(ctx, nil, []*misp.Object{o}); err != nil {
			return err
		}
		if err := w.mergeAttributes(ctx, ref.id, o.Attribute); err != nil {
			return err
		}
		for _, r := range o.ObjectReference {
			if err := w.mergeReference(ctx, o, r); err != nil {
				return err
			}
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		if err := tx.recorrelate(ctx, objectScope(ref.id)); err != nil {
			return err
		}
		if err := touchEvent(ctx, tx, ref.eventID); err != nil {
			return err
		}
		if err := recountAttributes(ctx, tx, ref.eventID); err != nil {
			return err
		}
		out, err = findObject(ctx, tx, actor, "ob.id", ref.id, bool(o.Deleted))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update object %d: %w", o.ID, err)
	}
	return out, nil
}

// DeleteObject soft-deletes an object with its attributes (references to
// either marked deleted) or hard-deletes them with their tags and
// references, unpublishing the event.
func (db *DB) DeleteObject(ctx context.Context, actor *misp.Actor, id int64, hard bool) error {
	err := db.write(ctx, func(tx *tx) error {
		ref, err := visibleObject(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		var live int64
		err = tx.get(ctx, "SELECT COUNT(*) FROM attributes WHERE object_id = $1 AND deleted = FALSE", []any{id}, &live)
		if err != nil {
			return err
		}
		if err := tx.uncorrelate(ctx, objectScope(id)); err != nil {
			return err
		}
		if hard {
			err = deleteObjectHard(ctx, tx, id)
		} else {
			err = deleteObjectSoft(ctx, tx, id)
		}
		if err != nil {
			return err
		}
		if err := touchEvent(ctx, tx, ref.eventID); err != nil {
			return err
		}
		return addAttributeCount(ctx, tx, ref.eventID, -live)
	})
	if err != nil {
		return fmt.Errorf("delete object %d: %w", id, err)
	}
	return nil
}

func deleteObjectHard(ctx context.Context, tx *tx, id int64) error {
	// The object's own references go with it (ON DELETE CASCADE); the
	// ones pointing at it or at its attributes are removed here.
	_, err := tx.exec(ctx, `DELETE FROM object_references
		WHERE (referenced_type = $1 AND referenced_id = $2)
			OR (referenced_type = $3 AND referenced_id IN (SELECT id FROM attributes WHERE object_id = $2))`,
		misp.ReferencedObject, id, misp.ReferencedAttribute)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM attributes WHERE object_id = $1", id); err != nil {
		return err
	}
	_, err = tx.exec(ctx, "DELETE FROM objects WHERE id = $1", id)
	return err
}

func deleteObjectSoft(ctx context.Context, tx *tx, id int64) error {
	now := tx.unix()
	if _, err := tx.exec(ctx, "UPDATE objects SET deleted = TRUE, timestamp = $1 WHERE id = $2", now, id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE object_references SET deleted = TRUE, timestamp = $1
		WHERE deleted = FALSE AND ((referenced_type = $2 AND referenced_id = $3)
			OR (referenced_type = $4 AND referenced_id IN (SELECT id FROM attributes WHERE object_id = $3)))`,
		now, misp.ReferencedObject, id, misp.ReferencedAttribute)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE attributes SET deleted = TRUE, timestamp = $1 WHERE object_id = $2 AND deleted = FALSE", now, id)
	return err
}

// CreateObjectReference adds a reference from r.ObjectID to an attribute
// or object of the same event, always with a new UUID, unpublishing the
// event. ErrNotFound if the source object is not visible; ErrInvalid if
// the target is not in the event.
func (db *DB) CreateObjectReference(ctx context.Context, actor *misp.Actor, r *misp.ObjectReference) error {
	err := db.write(ctx, func(tx *tx) error {
		src, err := visibleObject(ctx, tx, actor, int64(r.ObjectID))
		if err != nil {
			return err
		}
		w := &childWriter{tx: tx, eventID: src.eventID}
		ok, err := w.resolveReference(ctx, r)
		if err != nil {
			return err
		}
		if !ok {
			return misp.Invalidf("referenced_uuid", "The referenced element is not part of the event.")
		}
		r.UUID = misp.NewUUID()
		r.ObjectUUID = src.uuid
		w.newRefs = []*misp.ObjectReference{r}
		if err := w.flush(ctx); err != nil {
			return err
		}
		return touchEvent(ctx, tx, src.eventID)
	})
	if err != nil {
		return fmt.Errorf("create reference from object %d: %w", r.ObjectID, err)
	}
	return nil
}

// visibleReference loads the reference whose col (r.id or r.uuid) is val
// if actor may see it, its source object and its target; ErrNotFound
// otherwise.
func visibleReference(ctx context.Context, tx *tx, actor *misp.Actor, col string, val any) (*misp.ObjectReference, error) {
	var a args
	q := "SELECT " + referenceCols + ` FROM object_references r
		JOIN objects ob ON ob.id = r.object_id JOIN events e ON e.id = r.event_id
		WHERE ` + col + " = " + a.add(val) + " AND " + tx.objectVisible(&a, "e", "ob", actor) +
		" AND " + tx.referenceTargetVisible(&a, "e", "r", actor) +
		" AND " + elementDeleted(&a, "e", "r.deleted", misp.DeletedInclude, actor)
	var r *misp.ObjectReference
	err := tx.one(ctx, q, a, func(rows *sql.Rows) error {
		var err error
		r, err = scanReference(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reference %v: %w", val, err)
	}
	return r, nil
}

// FindObjectReferenceByID returns a reference. ErrNotFound.
func (db *DB) FindObjectReferenceByID(ctx context.Context, actor *misp.Actor, id int64) (*misp.ObjectReference, error) {
	return db.findReference(ctx, actor, "r.id", id)
}

// FindObjectReferenceByUUID is FindObjectReferenceByID by UUID.
func (db *DB) FindObjectReferenceByUUID(ctx context.Context, actor *misp.Actor, uuid string) (*misp.ObjectReference, error) {
	return db.findReference(ctx, actor, "r.uuid", misp.NormalizeUUID(uuid))
}

func (db *DB) findReference(ctx context.Context, actor *misp.Actor, col string, val any) (*misp.ObjectReference, error) {
	var r *misp.ObjectReference
	err := db.read(ctx, func(tx *tx) error {
		var err error
		r, err = visibleReference(ctx, tx, actor, col, val)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find %w", err)
	}
	return r, nil
}

// DeleteObjectReference soft-deletes (deleted=true, timestamp=now) or
// hard-deletes a reference, unpublishing the event.
func (db *DB) DeleteObjectReference(ctx context.Context, actor *misp.Actor, id int64, hard bool) error {
	err := db.write(ctx, func(tx *tx) error {
		r, err := visibleReference(ctx, tx, actor, "r.id", id)
		if err != nil {
			return err
		}
		if hard {
			_, err = tx.exec(ctx, "DELETE FROM object_references WHERE id = $1", id)
		} else {
			_, err = tx.exec(ctx, "UPDATE object_references SET deleted = TRUE, timestamp = $1 WHERE id = $2", tx.unix(), id)
		}
		if err != nil {
			return err
		}
		return touchEvent(ctx, tx, int64(r.EventID))
	})
	if err != nil {
		return fmt.Errorf("delete reference %d: %w", id, err)
	}
	return nil
}
