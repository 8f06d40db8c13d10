package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/razmena/razmena/internal/misp"
)

// This file writes the children of an event — attributes, objects,
// references and attribute tags — for CreateEvent, EditEvent,
// CreateObject, UpdateObject, CreateAttribute and UpdateAttribute. New attributes and references are
// queued and written in batches by flush, so that importing an event with
// 100k attributes costs a few hundred statements, not 100k.

var attributeInsertCols = []string{"uuid", "event_id", "object_id", "object_relation", "category",
	"type", "value1", "value2", "to_ids", "timestamp", "distribution", "sharing_group_id", "comment",
	"deleted", "disable_correlation", "first_seen", "last_seen", "data"}

var objectInsertCols = []string{"uuid", "event_id", "name", "meta_category", "description",
	"template_uuid", "template_version", "timestamp", "distribution", "sharing_group_id", "comment",
	"deleted", "first_seen", "last_seen"}

var referenceInsertCols = []string{"uuid", "event_id", "object_id", "referenced_uuid",
	"referenced_id", "referenced_type", "relationship_type", "comment", "timestamp", "deleted"}

// refTarget is the id and type (misp.ReferencedAttribute/Object) of a reference target.
type refTarget struct {
	id  int64
	typ int
}

// storedElem is what the merge needs of a stored attribute, object or reference.
type storedElem struct {
	id, eventID, objectID, timestamp int64
	deleted                          bool
}

// childWriter writes children into one event within a transaction.
type childWriter struct {
	tx       *tx
	eventID  int64
	tags     *tagResolver
	newAttrs []*misp.Attribute                // queued for flush
	newRefs  []*misp.ObjectReference          // queued for flush, ObjectID set
	known    map[string]refTarget             // elements written by this writer, by uuid
	dupKeys  map[string]bool                  // keys of stored standalone attributes, loaded on demand
	stored   map[string]map[string]storedElem // table → uuid → stored row
	// changed are the attributes and objects the writer inserted or
	// updated, whose correlation values recorrelate brings up to date.
	changedAttrs, changedObjects []int64
}

func (w *childWriter) now() misp.Int { return misp.Int(w.tx.unix()) }

func (w *childWriter) remember(uuid string, id int64, typ int) {
	if w.known == nil {
		w.known = make(map[string]refTarget)
	}
	w.known[uuid] = refTarget{id: id, typ: typ}
}

// insertObjects inserts new objects (not their attributes or references),
// filling uuid, timestamp, event_id and id.
func (w *childWriter) insertObjects(ctx context.Context, objs []*misp.Object) error {
	if len(objs) == 0 {
		return nil
	}
	rows := make([][]any, len(objs))
	for i, o := range objs {
		if o.UUID == "" {
			o.UUID = misp.NewUUID()
		}
		o.UUID = misp.NormalizeUUID(o.UUID)
		if o.Timestamp == 0 {
			o.Timestamp = w.now()
		}
		o.EventID = misp.Int(w.eventID)
		rows[i] = []any{o.UUID, w.eventID, o.Name, o.MetaCategory, o.Description, o.TemplateUUID,
			int64(o.TemplateVersion), int64(o.Timestamp), int(o.Distribution), int64(o.SharingGroupID),
			o.Comment, bool(o.Deleted), microArg(o.FirstSeen), microArg(o.LastSeen)}
	}
	err := w.tx.insertReturningIDs(ctx, "objects", objectInsertCols, rows, func(i int, id int64) {
		objs[i].ID = misp.Int(id)
	})
	if err != nil {
		return err
	}
	for _, o := range objs {
		w.remember(o.UUID, int64(o.ID), misp.ReferencedObject)
	}
	return nil
}

// queueReferences queues the references of object o as new ones.
func (w *childWriter) queueReferences(o *misp.Object) {
	for _, r := range o.ObjectReference {
		r.ObjectID = o.ID
		r.ObjectUUID = o.UUID
		w.newRefs = append(w.newRefs, r)
	}
}

// flush inserts the queued attributes with their tags, then the queued
// references, skipping references whose target is not in the event.
func (w *childWriter) flush(ctx context.Context) error {
	attrs := w.newAttrs
	w.newAttrs = nil
	if len(attrs) > 0 {
		rows := make([][]any, len(attrs))
		for i, a := range attrs {
			if a.UUID == "" {
				a.UUID = misp.NewUUID()
			}
			a.UUID = misp.NormalizeUUID(a.UUID)
			if a.Timestamp == 0 {
				a.Timestamp = w.now()
			}
			a.EventID = misp.Int(w.eventID)
			if a.ObjectID == 0 {
				a.ObjectRelation = nil
			}
			v1, v2 := a.Split()
			rows[i] = []any{a.UUID, w.eventID, int64(a.ObjectID), stringArg(a.ObjectRelation),
				a.Category, a.Type, v1, v2, bool(a.ToIDS), int64(a.Timestamp), int(a.Distribution),
				int64(a.SharingGroupID), a.Comment, bool(a.Deleted), bool(a.DisableCorrelation),
				microArg(a.FirstSeen), microArg(a.LastSeen), a.Data}
		}
		err := w.tx.insertReturningIDs(ctx, "attributes", attributeInsertCols, rows, func(i int, id int64) {
			attrs[i].ID = misp.Int(id)
		})
		if err != nil {
			return err
		}
		for _, a := range attrs {
			w.remember(a.UUID, int64(a.ID), misp.ReferencedAttribute)
			w.changedAttrs = append(w.changedAttrs, int64(a.ID))
		}
		if err := w.tagNewAttributes(ctx, attrs); err != nil {
			return err
		}
	}

	refs := w.newRefs
	w.newRefs = nil
	var rows [][]any
	var kept []*misp.ObjectReference
	for _, r := range refs {
		ok, err := w.resolveReference(ctx, r)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if r.UUID == "" {
			r.UUID = misp.NewUUID()
		}
		r.UUID = misp.NormalizeUUID(r.UUID)
		if r.Timestamp == 0 {
			r.Timestamp = w.now()
		}
		r.EventID = misp.Int(w.eventID)
		rows = append(rows, []any{r.UUID, w.eventID, int64(r.ObjectID), r.ReferencedUUID,
			int64(r.ReferencedID), int(r.ReferencedType), r.RelationshipType, r.Comment,
			int64(r.Timestamp), bool(r.Deleted)})
		kept = append(kept, r)
	}
	return w.tx.insertReturningIDs(ctx, "object_references", referenceInsertCols, rows, func(i int, id int64) {
		kept[i].ID = misp.Int(id)
	})
}

// resolveReference finds the target of r among the event's attributes,
// then its objects (by referenced_uuid, else by referenced_id and
// referenced_type), and fills r's referenced_* fields. It reports false if
// the target is not in the event.
func (w *childWriter) resolveReference(ctx context.Context, r *misp.ObjectReference) (bool, error) {
	if r.ReferencedUUID != "" {
		u := misp.NormalizeUUID(r.ReferencedUUID)
		t, ok := w.known[u]
		if !ok {
			for _, table := range []struct {
				name string
				typ  int
			}{{"attributes", misp.ReferencedAttribute}, {"objects", misp.ReferencedObject}} {
				var id int64
				err := w.tx.get(ctx, "SELECT id FROM "+table.name+" WHERE event_id = $1 AND uuid = $2",
					[]any{w.eventID, u}, &id)
				if errors.Is(err, misp.ErrNotFound) {
					continue
				}
				if err != nil {
					return false, err
				}
				t, ok = refTarget{id: id, typ: table.typ}, true
				break
			}
		}
		if !ok {
			return false, nil
		}
		r.ReferencedUUID, r.ReferencedID, r.ReferencedType = u, misp.Int(t.id), misp.Int(t.typ)
		return true, nil
	}
	if r.ReferencedID == 0 {
		return false, nil
	}
	table := "attributes"
	switch r.ReferencedType {
	case misp.ReferencedAttribute:
	case misp.ReferencedObject:
		table = "objects"
	default:
		return false, nil
	}
	var u string
	err := w.tx.get(ctx, "SELECT uuid FROM "+table+" WHERE event_id = $1 AND id = $2",
		[]any{w.eventID, int64(r.ReferencedID)}, &u)
	if errors.Is(err, misp.ErrNotFound) {
		return false, nil
	}
	r.ReferencedUUID = u
	return err == nil, err
}

// tagAttribute attaches the tags listed on a written attribute and
// detaches those marked deleted, without touching timestamps.
func (w *childWriter) tagAttribute(ctx context.Context, a *misp.Attribute) error {
	ref := attrRef{id: int64(a.ID), eventID: w.eventID}
	for _, at := range a.Tag {
		t, err := w.tags.resolve(ctx, w.tx, at)
		if err != nil {
			return err
		}
		if t == nil {
			continue
		}
		if at.Deleted {
			_, err := w.tx.exec(ctx, "DELETE FROM attribute_tags WHERE attribute_id = $1 AND tag_id = $2", ref.id, int64(t.ID))
			if err != nil {
				return err
			}
			continue
		}
		if _, err := attachAttributeTag(ctx, w.tx, ref, int64(t.ID), bool(at.Local), at.RelationshipType); err != nil {
			return err
		}
		fillAttached(at, t)
	}
	return nil
}

// tagNewAttributes attaches the tags listed on just-inserted attributes
// with batched INSERTs (one statement per tag link cost a round trip per
// tagged attribute on PostgreSQL). The outcome is tagAttribute's: the
// first listing of a tag wins, and one marked deleted cancels an earlier
// listing of the same tag, as detaching it right after would.
func (w *childWriter) tagNewAttributes(ctx context.Context, attrs []*misp.Attribute) error {
	type link struct{ attr, tag int64 }
	var rows [][]any
	at := make(map[link]int)
	for _, a := range attrs {
		for _, listed := range a.Tag {
			t, err := w.tags.resolve(ctx, w.tx, listed)
			if err != nil {
				return err
			}
			if t == nil {
				continue
			}
			k := link{int64(a.ID), int64(t.ID)}
			if listed.Deleted {
				if i, ok := at[k]; ok {
					rows[i] = nil
					delete(at, k)
				}
				continue
			}
			if _, ok := at[k]; !ok {
				at[k] = len(rows)
				rows = append(rows, []any{k.attr, w.eventID, k.tag, bool(listed.Local), stringArg(listed.RelationshipType)})
			}
			fillAttached(listed, t)
		}
	}
	kept := rows[:0]
	for _, r := range rows {
		if r != nil {
			kept = append(kept, r)
		}
	}
	return w.tx.insertRows(ctx, "attribute_tags", []string{"attribute_id", "event_id", "tag_id", "local", "relationship_type"},
		kept, "ON CONFLICT (attribute_id, tag_id) DO NOTHING")
}

// loadStored loads the rows of table (attributes, objects or
// object_references) whose uuid is in uuids, in chunks.
func (w *childWriter) loadStored(ctx context.Context, table string, uuids []string) error {
	if w.stored == nil {
		w.stored = make(map[string]map[string]storedElem)
	}
	m := w.stored[table]
	if m == nil {
		m = make(map[string]storedElem)
		w.stored[table] = m
	}
	objectCol := "object_id"
	if table == "objects" {
		objectCol = "0"
	}
	for _, chunk := range chunks(uuids, inChunk) {
		var a args
		q := "SELECT uuid, id, event_id, " + objectCol + ", timestamp, deleted FROM " + table +
			" WHERE uuid IN (" + inList(&a, chunk) + ")"
		err := w.tx.each(ctx, q, a, func(rows *sql.Rows) error {
			var u string
			var s storedElem
			if err := rows.Scan(&u, &s.id, &s.eventID, &s.objectID, &s.timestamp, scanPlainBool(&s.deleted)); err != nil {
				return err
			}
			m[u] = s
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// loadStoredChildren loads the stored copies of the incoming attributes,
// objects and references named by uuid.
func (w *childWriter) loadStoredChildren(ctx context.Context, attrs []*misp.Attribute, objs []*misp.Object) error {
	var au, ou, ru []string
	addAttrs := func(list []*misp.Attribute) {
		for _, a := range list {
			a.UUID = misp.NormalizeUUID(a.UUID)
			if a.UUID != "" {
				au = append(au, a.UUID)
			}
		}
	}
	addAttrs(attrs)
	for _, o := range objs {
		o.UUID = misp.NormalizeUUID(o.UUID)
		if o.UUID != "" {
			ou = append(ou, o.UUID)
		}
		addAttrs(o.Attribute)
		for _, r := range o.ObjectReference {
			r.UUID = misp.NormalizeUUID(r.UUID)
			if r.UUID != "" {
				ru = append(ru, r.UUID)
			}
		}
	}
	for _, l := range []struct {
		table string
		uuids []string
	}{{"attributes", au}, {"objects", ou}, {"object_references", ru}} {
		if err := w.loadStored(ctx, l.table, l.uuids); err != nil {
			return err
		}
	}
	return nil
}

// storedConflict returns a *misp.ConflictError for the first incoming
// attribute or object, in document order, whose UUID is stored already
// (in any event), for CreateEvent. loadStoredChildren must have run.
// References are left to the INSERT: one whose target is not in the
// event is dropped, not written, so its UUID cannot clash.
func (w *childWriter) storedConflict(attrs []*misp.Attribute, objs []*misp.Object) error {
	attrConflict := func(list []*misp.Attribute) error {
		for _, a := range list {
			if s, ok := w.stored["attributes"][a.UUID]; ok && a.UUID != "" {
				return &misp.ConflictError{What: "attribute", ID: s.id, UUID: a.UUID}
			}
		}
		return nil
	}
	if err := attrConflict(attrs); err != nil {
		return err
	}
	for _, o := range objs {
		if s, ok := w.stored["objects"][o.UUID]; ok && o.UUID != "" {
			return &misp.ConflictError{What: "object", ID: s.id, UUID: o.UUID}
		}
		if err := attrConflict(o.Attribute); err != nil {
			return err
		}
	}
	return nil
}

// mergeObject applies an incoming object to the event (Event::_edit →
// MispObject::editObject): an object of another event is ignored, a
// stored one is updated only if the incoming timestamp is unset or newer
// (and only then are its attributes and references merged), a new one is
// created. loadStoredChildren must have run.
func (w *childWriter) mergeObject(ctx context.Context, o *misp.Object) error {
	s, exists := w.stored["objects"][o.UUID]
	switch {
	case exists && s.eventID != w.eventID:
		return nil
	case exists && o.Timestamp != 0 && int64(o.Timestamp) <= s.timestamp:
		return nil
	case exists:
		o.ID, o.EventID = misp.Int(s.id), misp.Int(w.eventID)
		if o.Timestamp == 0 {
			o.Timestamp = w.now()
		}
		if err := updateObjectRow(ctx, w.tx, o); err != nil {
			return err
		}
		// Deleting or restoring the object changes whether its
		// attributes correlate.
		w.changedObjects = append(w.changedObjects, s.id)
		if bool(o.Deleted) && !s.deleted {
			if err := markReferencesDeleted(ctx, w.tx, misp.ReferencedObject, s.id); err != nil {
				return err
			}
		}
	default:
		if err := w.insertObjects(ctx, []*misp.Object{o}); err != nil {
			return err
		}
	}
	if err := w.mergeAttributes(ctx, int64(o.ID), o.Attribute); err != nil {
		return err
	}
	for _, r := range o.ObjectReference {
		if err := w.mergeReference(ctx, o, r); err != nil {
			return err
		}
	}
	return nil
}

// mergeAttributes applies incoming attributes of object objectID (0 =
// standalone): an attribute of another event or object is ignored, a
// stored one is updated only if the incoming timestamp is unset or newer,
// a new one is queued unless it duplicates a standalone attribute.
func (w *childWriter) mergeAttributes(ctx context.Context, objectID int64, attrs []*misp.Attribute) error {
	for _, a := range attrs {
		if s, ok := w.stored["attributes"][a.UUID]; ok && a.UUID != "" {
			if s.eventID != w.eventID || s.objectID != objectID {
				continue
			}
			if a.Timestamp != 0 && int64(a.Timestamp) <= s.timestamp {
				continue
			}
			a.ID, a.EventID, a.ObjectID = misp.Int(s.id), misp.Int(w.eventID), misp.Int(objectID)
			if a.Timestamp == 0 {
				a.Timestamp = w.now()
			}
			if err := updateAttributeRow(ctx, w.tx, a, s.deleted); err != nil {
				return err
			}
			w.changedAttrs = append(w.changedAttrs, s.id)
			if err := w.tagAttribute(ctx, a); err != nil {
				return err
			}
			continue
		}
		if objectID == 0 && !a.Deleted {
			dup, err := w.duplicate(ctx, a)
			if err != nil {
				return err
			}
			if dup {
				continue
			}
		}
		a.ObjectID = misp.Int(objectID)
		w.newAttrs = append(w.newAttrs, a)
	}
	return nil
}

// duplicate reports whether a new standalone attribute repeats a stored
// or already queued non-deleted standalone attribute of the event, and
// records it otherwise.
func (w *childWriter) duplicate(ctx context.Context, a *misp.Attribute) (bool, error) {
	if w.dupKeys == nil {
		w.dupKeys = make(map[string]bool)
		err := w.tx.each(ctx, `SELECT type, category, value1, value2 FROM attributes
			WHERE event_id = $1 AND object_id = 0 AND deleted = FALSE`, []any{w.eventID},
			func(rows *sql.Rows) error {
				var typ, cat, v1, v2 string
				if err := rows.Scan(&typ, &cat, &v1, &v2); err != nil {
					return err
				}
				w.dupKeys[attributeKey(typ, cat, joinValue(v1, v2))] = true
				return nil
			})
		if err != nil {
			return false, err
		}
	}
	k := attributeKey(a.Type, a.Category, a.Value)
	if w.dupKeys[k] {
		return true, nil
	}
	w.dupKeys[k] = true
	return false, nil
}

// mergeReference applies an incoming reference of object o: a stored one
// of this object gets its updatable fields (timestamp, relationship_type,
// comment, deleted) if newer; a new one is queued.
func (w *childWriter) mergeReference(ctx context.Context, o *misp.Object, r *misp.ObjectReference) error {
	if s, ok := w.stored["object_references"][r.UUID]; ok && r.UUID != "" {
		if s.eventID != w.eventID || s.objectID != int64(o.ID) {
			return nil
		}
		if r.Timestamp != 0 && int64(r.Timestamp) <= s.timestamp {
			return nil
		}
		if r.Timestamp == 0 {
			r.Timestamp = w.now()
		}
		r.ID, r.EventID, r.ObjectID, r.ObjectUUID = misp.Int(s.id), misp.Int(w.eventID), o.ID, o.UUID
		_, err := w.tx.exec(ctx, `UPDATE object_references SET timestamp = $1, relationship_type = $2,
			comment = $3, deleted = $4 WHERE id = $5`,
			int64(r.Timestamp), r.RelationshipType, r.Comment, bool(r.Deleted), s.id)
		return err
	}
	r.ObjectID, r.ObjectUUID = o.ID, o.UUID
	w.newRefs = append(w.newRefs, r)
	return nil
}

// updateAttributeRow replaces the stored attribute a.ID with a. An empty
// Data keeps the stored attachment. Turning an attribute deleted marks
// the references to it deleted.
func updateAttributeRow(ctx context.Context, tx *tx, a *misp.Attribute, wasDeleted bool) error {
	if a.ObjectID == 0 {
		a.ObjectRelation = nil
	}
	v1, v2 := a.Split()
	_, err := tx.exec(ctx, `UPDATE attributes SET object_relation = $1, category = $2, type = $3,
			value1 = $4, value2 = $5, to_ids = $6, timestamp = $7, distribution = $8,
			sharing_group_id = $9, comment = $10, deleted = $11, disable_correlation = $12,
			first_seen = $13, last_seen = $14,
			data = CASE WHEN CAST($15 AS TEXT) = '' THEN data ELSE CAST($15 AS TEXT) END
		WHERE id = $16`,
		stringArg(a.ObjectRelation), a.Category, a.Type, v1, v2, bool(a.ToIDS), int64(a.Timestamp),
		int(a.Distribution), int64(a.SharingGroupID), a.Comment, bool(a.Deleted),
		bool(a.DisableCorrelation), microArg(a.FirstSeen), microArg(a.LastSeen), a.Data, int64(a.ID))
	if err != nil || !bool(a.Deleted) || wasDeleted {
		return err
	}
	return markReferencesDeleted(ctx, tx, misp.ReferencedAttribute, int64(a.ID))
}

// updateObjectRow replaces the stored object o.ID's own fields with o's.
func updateObjectRow(ctx context.Context, tx *tx, o *misp.Object) error {
	_, err := tx.exec(ctx, `UPDATE objects SET name = $1, meta_category = $2, description = $3,
			template_uuid = $4, template_version = $5, timestamp = $6, distribution = $7,
			sharing_group_id = $8, comment = $9, deleted = $10, first_seen = $11, last_seen = $12
		WHERE id = $13`,
		o.Name, o.MetaCategory, o.Description, o.TemplateUUID, int64(o.TemplateVersion),
		int64(o.Timestamp), int(o.Distribution), int64(o.SharingGroupID), o.Comment, bool(o.Deleted),
		microArg(o.FirstSeen), microArg(o.LastSeen), int64(o.ID))
	return err
}

// markReferencesDeleted soft-deletes the references pointing at an
// attribute or object.
func markReferencesDeleted(ctx context.Context, tx *tx, refType int, id int64) error {
	_, err := tx.exec(ctx, `UPDATE object_references SET deleted = TRUE, timestamp = $1
		WHERE referenced_type = $2 AND referenced_id = $3 AND deleted = FALSE`, tx.unix(), refType, id)
	return err
}

// joinValue rebuilds an attribute value from value1 and value2 as MISP
// does: value1|value2, or value1 when value2 is empty.
func joinValue(v1, v2 string) string {
	if v2 == "" {
		return v1
	}
	return v1 + "|" + v2
}

// recorrelate brings the correlation values of the attributes and
// objects the writer changed up to date.
func (w *childWriter) recorrelate(ctx context.Context) error {
	if err := w.tx.recorrelateAttributes(ctx, w.changedAttrs); err != nil {
		return err
	}
	for _, id := range w.changedObjects {
		if err := w.tx.recorrelate(ctx, objectScope(id)); err != nil {
			return err
		}
	}
	return nil
}
