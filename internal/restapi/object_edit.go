package restapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// objectEdit is POST|PUT /objects/edit/{id|uuid} (perm_add + may modify
// the event): the object's fields absent from the body keep their stored
// values; its attributes are matched to the stored ones by uuid, or, for
// an attribute without uuid, by object_relation when exactly one stored
// attribute has that relation (MispObject::deltaMerge); unmatched ones are
// added. "deleted": true soft-deletes the object. Answers {"Object": {…}}.
// 404 "Invalid object." for a missing, invisible or deleted object, 403
// "Insufficient permissions to edit this object." when it may not be
// modified; a timestamp not newer than the stored one, or validation
// errors, are a 403 save-fail.
func (a *API) objectEdit(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	const failName = "Could not edit Object"
	ctx := r.Context()
	ref, ok := parseRef(r.PathValue("id"))
	stored, err := (*misp.Object)(nil), misp.ErrNotFound
	if ok {
		stored, err = a.findObject(ctx, actor, ref, false)
	}
	var e *misp.Event
	if err == nil {
		e, err = a.eventMeta(ctx, actor, int64(stored.EventID))
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid object.")
	}
	if err != nil {
		return fmt.Errorf("find object: %w", err)
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, "Insufficient permissions to edit this object.")
	}
	id := idString(int64(stored.ID))
	body, err := readBody(r)
	if err != nil {
		return err
	}
	in, err := mispjson.MergeObject(stored, body)
	if err != nil {
		return decodeFailure(r, failName, err)
	}
	o := in.Object
	if in.Has("timestamp") {
		if o.Timestamp <= stored.Timestamp {
			return saveFail(r, failName, "", "Object could not be saved: Object in the request not newer than the local copy.", id)
		}
	} else {
		o.Timestamp = 0 // the store sets "now"
	}
	if o.Distribution == misp.DistributionSharingGrp &&
		!sameSharingGroup(stored.Distribution, stored.SharingGroupID, o.Distribution, o.SharingGroupID) {
		usable, err := a.usableSharingGroup(ctx, actor, o.SharingGroupID)
		if err != nil {
			return err
		}
		if !usable {
			return exception(r, http.StatusForbidden, sgUnusable)
		}
	}
	o.ID, o.UUID, o.EventID = stored.ID, stored.UUID, stored.EventID
	matchByRelation(in.Attributes, stored.Attribute)

	b := a.newTreeBuilder(actor, sgDrop)
	if o.Attribute, err = b.attributes(ctx, "Object.Attribute", in.Attributes, stored.Attribute, true); err != nil {
		return err
	}
	if err := b.errs.add("Object", validateObject(o, stored.Attribute)); err != nil {
		return err
	}
	for j, ref := range o.ObjectReference {
		prepareReference(ref)
		if err := b.errs.add(fmt.Sprintf("Object.ObjectReference[%d]", j), ref.Validate()); err != nil {
			return err
		}
	}
	if len(b.errs) > 0 {
		return saveFail(r, failName, "", b.errs, id)
	}
	deleting := o.Deleted && !stored.Deleted
	o.Deleted = stored.Deleted
	_, err = a.st.Objects.UpdateObject(ctx, actor, o, bool(actor.Perms.TagEditor))
	var ve *misp.ValidationError
	switch {
	case errors.Is(err, misp.ErrNotNewer):
		return saveFail(r, failName, "", "Object could not be saved: Object in the request not newer than the local copy.", id)
	case errors.Is(err, misp.ErrNotFound):
		return exception(r, http.StatusNotFound, "Invalid object.")
	case errors.As(err, &ve):
		return saveFail(r, failName, "", map[string]any{"Object": ve.Fields}, id)
	case err != nil:
		return fmt.Errorf("edit object %d: %w", stored.ID, err)
	}
	if deleting {
		// MISP saves the object, then deletes it when asked to.
		if err := a.st.Objects.DeleteObject(ctx, actor, int64(stored.ID), false); err != nil {
			return fmt.Errorf("delete object %d: %w", stored.ID, err)
		}
	}
	return a.writeObject(w, r, actor, int64(stored.ID), false)
}

// matchByRelation gives an incoming attribute without uuid the uuid of
// the stored attribute with the same object_relation, when exactly one
// live stored attribute has it.
func matchByRelation(in []*mispjson.AttributeInput, stored []*misp.Attribute) {
	count := map[string]int{}
	uuid := map[string]string{}
	for _, s := range stored {
		if s.ObjectRelation == nil || s.Deleted {
			continue
		}
		count[*s.ObjectRelation]++
		uuid[*s.ObjectRelation] = s.UUID
	}
	for _, ai := range in {
		at := ai.Attribute
		if at.UUID != "" || at.ObjectRelation == nil || count[*at.ObjectRelation] != 1 {
			continue
		}
		at.UUID = uuid[*at.ObjectRelation]
	}
}
