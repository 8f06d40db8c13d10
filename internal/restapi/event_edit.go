package restapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// notNewerEvent is MISP's error text for an edit whose timestamp is not
// newer than the stored event's (quirk #4).
const notNewerEvent = "Event could not be saved: Event in the request not newer than the local copy."

// eventEdit is POST|PUT /events/edit/{id|uuid} and PUT|POST /events/{id}
// (perm_add + may modify; sync users may also edit events of their
// organisation or locked events): merges the body into the stored event
// (misp-core-format §1.2) and answers the full event.
//
// 404 "Invalid event" for a missing or invisible event; 403 "You are not
// authorised to do that." when it may not be modified. A body uuid must
// name the event of the URL (MISP would edit the event the body names,
// access-control §13 #12). A timestamp not newer than the stored one is a
// 403 save-fail. Absent fields keep their stored values, except published,
// which becomes false unless the body says true (quirk #3); children are
// merged by uuid, their absent fields kept too. Distribution 4 follows
// sharing_group_use.go: a new group for the event must be usable (else a
// 403 save failure, as Event::_edit answers), children whose new group is
// not usable are left out.
func (a *API) eventEdit(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/events/edit",
			"POST a MISP Event JSON to this API to update an Event. Contained objects can also be included (such as attributes, objects, tags, etc). If the timestamp is set, it has to be newer than the existing Attribute.",
			nil, append([]string{"info"}, eventFieldsOptional...), []string{"event_id"})
	}
	const failName = "Could not edit Event"
	ref, ok := parseRef(r.PathValue("id"))
	if !ok {
		return exception(r, http.StatusNotFound, "Invalid event")
	}
	stored, err := a.findEvent(r.Context(), actor, ref, misp.EventViewOptions{Deleted: misp.DeletedInclude})
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid event")
	}
	if err != nil {
		return fmt.Errorf("find event: %w", err)
	}
	if !a.canEditEvent(actor, stored) {
		return exception(r, http.StatusForbidden, "You are not authorised to do that.")
	}
	id := idString(int64(stored.ID))
	body, err := readBody(r)
	if err != nil {
		return err
	}
	in, err := mispjson.MergeEvent(stored, body)
	if err != nil {
		return decodeFailure(r, failName, err)
	}
	e := in.Event
	if in.Has("uuid") && misp.NormalizeUUID(e.UUID) != stored.UUID {
		return saveFail(r, failName, "", map[string]any{"Event": map[string][]string{
			"uuid": {"The uuid in the request does not name the event being edited."},
		}}, id)
	}
	if in.Has("timestamp") {
		if e.Timestamp <= stored.Timestamp {
			return saveFail(r, failName, "", notNewerEvent, id)
		}
	} else {
		e.Timestamp = 0 // the store sets "now"
	}
	b := a.newTreeBuilder(actor, sgDrop)
	usable, err := b.eventSharingGroup(r.Context(), in, stored)
	if err != nil {
		return err
	}
	if !usable {
		msg := "Event could not be saved: Invalid sharing group or you don't have access to that sharing group."
		if in.SharingGroup != nil && actor.Perms.Sync {
			msg = "Event could not be saved: User not authorised to create the associated sharing group."
		}
		return saveFail(r, failName, "", msg, id)
	}
	if e.Published && !actor.Perms.Publish {
		e.Published = false
	}
	// What an edit never changes.
	e.ID, e.UUID, e.OrgID, e.OrgcID, e.UserID = stored.ID, stored.UUID, stored.OrgID, stored.OrgcID, stored.UserID
	e.Org, e.Orgc, e.Locked = stored.Org, stored.Orgc, stored.Locked
	e.AttributeCount, e.PublishTimestamp, e.SightingTimestamp = stored.AttributeCount, stored.PublishTimestamp, stored.SightingTimestamp

	if err := b.errs.add("Event", e.Validate(a.now())); err != nil {
		return err
	}
	if e.Tag, err = b.usableTags(r.Context(), e.Tag); err != nil {
		return err
	}
	if e.Attribute, err = b.attributes(r.Context(), "Event.Attribute", in.Attributes, stored.Attribute, false); err != nil {
		return err
	}
	if e.Object, err = b.objects(r.Context(), "Event.Object", in.Objects, stored.Object); err != nil {
		return err
	}
	if len(b.errs) > 0 {
		return saveFail(r, failName, "", b.errs, id)
	}

	_, err = a.st.Events.EditEvent(r.Context(), actor, int64(stored.ID), e, bool(actor.Perms.TagEditor))
	var ve *misp.ValidationError
	switch {
	case errors.Is(err, misp.ErrNotNewer):
		return saveFail(r, failName, "", notNewerEvent, id)
	case errors.Is(err, misp.ErrNotFound):
		return exception(r, http.StatusNotFound, "Invalid event")
	case errors.As(err, &ve):
		return saveFail(r, failName, "", map[string]any{"Event": ve.Fields}, id)
	case errors.Is(err, misp.ErrConflict):
		return saveFail(r, failName, "", map[string]any{"Event": map[string][]string{
			"uuid": {"An attribute, object or object reference of the event has a UUID that is not unique."},
		}}, id)
	case err != nil:
		return fmt.Errorf("edit event %d: %w", stored.ID, err)
	}
	return a.writeEvent(w, r, actor, int64(stored.ID))
}

// canEditEvent is EventsController::edit with Event::_edit: whoever may
// modify the event, or a sync user for an event of its organisation or a
// locked (synchronised) event.
func (a *API) canEditEvent(actor *misp.Actor, e *misp.Event) bool {
	if actor.CanModifyEvent(e) {
		return true
	}
	return bool(actor.Perms.Sync) && (int64(e.OrgcID) == actor.OrgID() || bool(e.Locked))
}
