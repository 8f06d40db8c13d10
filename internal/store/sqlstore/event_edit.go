package sqlstore

import (
	"context"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// EditEvent merges in into the stored event id (misp-core-format §1.2,
// Event::_edit) in one transaction and returns the fresh full event.
// ErrNotFound if the actor may not see it; ErrNotNewer if in.Timestamp is
// set and not newer than the stored timestamp.
func (db *DB) EditEvent(ctx context.Context, actor *misp.Actor, id int64, in *misp.Event, createTags bool) (*misp.Event, error) {
	var out *misp.Event
	err := db.write(ctx, func(tx *tx) error {
		if err := editEvent(ctx, tx, actor, id, in, createTags); err != nil {
			return err
		}
		var err error
		out, err = findFullEvent(ctx, tx, actor, "e.id", id, misp.EventViewOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("edit event %d: %w", id, err)
	}
	return out, nil
}

func editEvent(ctx context.Context, tx *tx, actor *misp.Actor, id int64, in *misp.Event, createTags bool) error {
	ev, err := visibleEvent(ctx, tx, actor, id)
	if err != nil {
		return err
	}
	if in.Timestamp != 0 && int64(in.Timestamp) <= ev.timestamp {
		return fmt.Errorf("event %d: %w", id, misp.ErrNotNewer)
	}
	ts := int64(in.Timestamp)
	if ts == 0 {
		ts = tx.unix()
	}
	pubTS := ev.publishTimestamp
	if in.Published {
		pubTS = tx.unix()
	}
	var uncorrelated bool
	if err := tx.get(ctx, "SELECT disable_correlation FROM events WHERE id = $1", []any{id}, scanPlainBool(&uncorrelated)); err != nil {
		return err
	}
	// Identity and ownership (uuid, org_id, orgc_id, user_id) are not
	// editable; every other field is replaced by the caller's merged copy.
	_, err = tx.exec(ctx, `UPDATE events SET date = $1, info = $2, threat_level_id = $3, analysis = $4,
			distribution = $5, sharing_group_id = $6, published = $7, publish_timestamp = $8,
			timestamp = $9, locked = $10, disable_correlation = $11, extends_uuid = $12,
			protected = $13, proposal_email_lock = $14
		WHERE id = $15`,
		in.Date, in.Info, int(in.ThreatLevelID), int(in.Analysis), int(in.Distribution),
		int64(in.SharingGroupID), bool(in.Published), pubTS, ts, bool(in.Locked),
		bool(in.DisableCorrelation), in.ExtendsUUID, boolPtrArg(in.Protected),
		bool(in.ProposalEmailLock), id)
	if err != nil {
		return err
	}

	tags := newTagResolver(createTags)
	if err := attachEventTags(ctx, tx, tags, id, in.Tag); err != nil {
		return err
	}
	w := &childWriter{tx: tx, eventID: id, tags: tags}
	if err := w.loadStoredChildren(ctx, in.Attribute, in.Object); err != nil {
		return err
	}
	for _, o := range in.Object {
		if err := w.mergeObject(ctx, o); err != nil {
			return err
		}
	}
	if err := w.mergeAttributes(ctx, 0, in.Attribute); err != nil {
		return err
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	// Turning correlation on or off for the event changes every
	// attribute's; otherwise only the children the edit wrote change.
	if uncorrelated != bool(in.DisableCorrelation) {
		err = tx.recorrelate(ctx, eventScope(id))
	} else {
		err = w.recorrelate(ctx)
	}
	if err != nil {
		return err
	}
	return recountAttributes(ctx, tx, id)
}
