package restapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// referenceAdd is POST /object_references/add[/{object id|uuid}]
// (perm_add + may modify the event): the body is the bare reference
// (PyMISP) or {"ObjectReference": {…}}; without a URL id the source object
// is the body's object_uuid. The reference always gets a new uuid.
// Answers {"ObjectReference": {…, "object_uuid"}}. A missing, invisible,
// deleted or not modifiable source object is 404 "Invalid object."; a
// target that is not in the event, or invalid fields, a 403 save-fail.
func (a *API) referenceAdd(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/object_references/add", "This API is not accessible via GET requests.", nil, nil, nil)
	}
	const failName = "Could not add ObjectReference"
	ctx := r.Context()
	body, err := readBody(r)
	if err != nil {
		return err
	}
	ref := &misp.ObjectReference{}
	if !emptyBody(body) {
		if ref, err = mispjson.DecodeObjectReference(body); err != nil {
			return decodeFailure(r, failName, err)
		}
	}
	source := strings.TrimSuffix(r.PathValue("object"), ".json")
	if source == "" {
		source = ref.ObjectUUID
	}
	if source == "" {
		return exception(r, http.StatusNotFound, "No object defined.")
	}
	objRef, ok := parseRef(source)
	o, err := (*misp.Object)(nil), misp.ErrNotFound
	if ok {
		o, err = a.findObject(ctx, actor, objRef, false)
	}
	var e *misp.Event
	if err == nil {
		e, err = a.eventMeta(ctx, actor, int64(o.EventID))
	}
	if errors.Is(err, misp.ErrNotFound) || (err == nil && !actor.CanModifyEvent(e)) {
		return exception(r, http.StatusNotFound, "Invalid object.")
	}
	if err != nil {
		return fmt.Errorf("find object %s: %w", source, err)
	}
	ref.ID, ref.UUID, ref.EventID, ref.Timestamp, ref.Deleted = 0, "", 0, 0, false
	ref.ObjectID, ref.ObjectUUID, ref.SourceUUID = o.ID, o.UUID, ""
	if strings.TrimSpace(ref.ReferencedUUID) != "" {
		ref.ReferencedID = 0
	}
	var ve *misp.ValidationError
	if err := ref.Validate(); errors.As(err, &ve) {
		return saveFail(r, failName, "/object_references/add", ve.Fields, "")
	} else if err != nil {
		return err
	}
	err = a.st.Objects.CreateObjectReference(ctx, actor, ref)
	switch {
	case errors.As(err, &ve):
		return saveFail(r, failName, "/object_references/add", ve.Fields, "")
	case errors.Is(err, misp.ErrInvalid):
		return saveFail(r, failName, "/object_references/add", map[string][]string{
			"referenced_uuid": {"The referenced element is not in the event."},
		}, "")
	case errors.Is(err, misp.ErrNotFound):
		return exception(r, http.StatusNotFound, "Invalid object.")
	case err != nil:
		return fmt.Errorf("add reference to object %d: %w", o.ID, err)
	}
	ref.ObjectUUID = o.UUID
	httpserver.WriteJSON(w, r, http.StatusOK, map[string]any{"ObjectReference": ref})
	return nil
}

// referenceDelete is POST /object_references/delete/{id|uuid}[/{hard}]
// (perm_add + may modify the event; PyMISP passes hard as "/true"): soft
// delete by default. 404 "Invalid object reference." for an unknown or
// invisible reference, 403 with the same text when it may not be
// modified. The answer names the reference by numeric id, as MISP's does.
func (a *API) referenceDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	ctx := r.Context()
	hard, err := misp.ParseBool(strings.TrimSuffix(r.PathValue("hard"), ".json"))
	if err != nil {
		hard = phpTruthy(r.PathValue("hard"))
	}
	target, ok := parseRef(r.PathValue("id"))
	ref, err := (*misp.ObjectReference)(nil), misp.ErrNotFound
	switch {
	case ok && target.UUID != "":
		ref, err = a.st.Objects.FindObjectReferenceByUUID(ctx, actor, target.UUID)
	case ok:
		ref, err = a.st.Objects.FindObjectReferenceByID(ctx, actor, target.ID)
	}
	var e *misp.Event
	if err == nil {
		e, err = a.eventMeta(ctx, actor, int64(ref.EventID))
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid object reference.")
	}
	if err != nil {
		return fmt.Errorf("find object reference %s: %w", r.PathValue("id"), err)
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, "Invalid object reference.")
	}
	id := int64(ref.ID)
	err = a.st.Objects.DeleteObjectReference(ctx, actor, id, hard)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid object reference.")
	}
	if err != nil {
		return fmt.Errorf("delete object reference %d: %w", id, err)
	}
	writeSuccess(w, r, "ObjectReference deleted", "/object_references/delete/"+idString(id), idString(id))
	return nil
}
