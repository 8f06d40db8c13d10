package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// noPermission is the text PyMISP looks for to retry an attribute write
// as a proposal (misp-rest-api §1.6, quirk #14). Keep it exact.
const noPermission = "You do not have permission to do that."

func (a *API) registerAttributes(mux *http.ServeMux) {
	a.route(mux, "GET", "/attributes/index", a.attributeIndex)
	a.route(mux, "GET", "/attributes", a.attributeIndex)
	a.route(mux, "GET", "/attributes/view/{id}", a.attributeView)
	a.route(mux, "GET", "/attributes/{id}", a.attributeView)
	a.route(mux, "GET POST", "/attributes/add", a.attributeAdd)
	a.route(mux, "GET POST", "/attributes/add/{event}", a.attributeAdd)
	a.route(mux, "POST", "/attributes", a.attributeAdd)
	a.route(mux, "GET POST PUT", "/attributes/edit/{id}", a.attributeEdit)
	a.route(mux, "POST PUT", "/attributes/{id}", a.attributeEdit)
	a.route(mux, "POST DELETE", "/attributes/delete/{id}", a.attributeDelete)
	a.route(mux, "POST DELETE", "/attributes/delete/{id}/{hard}", a.attributeDelete)
	a.route(mux, "DELETE", "/attributes/{id}", a.attributeDelete)
	a.route(mux, "GET POST", "/attributes/restore/{id}", a.attributeRestore)
	a.route(mux, "POST", "/attributes/addTag", a.attributeAddTag)
	a.route(mux, "POST", "/attributes/addTag/{id}/{tag}", a.attributeAddTag)
	a.route(mux, "POST", "/attributes/removeTag", a.attributeRemoveTag)
	a.route(mux, "POST", "/attributes/removeTag/{id}/{tag}", a.attributeRemoveTag)
}

// findAttribute fetches the attribute named by ref with the store's
// visibility; deleted ones only when deleted is set. ErrNotFound.
func (a *API) findAttribute(ctx context.Context, actor *misp.Actor, r ref, deleted bool) (*misp.Attribute, error) {
	if r.UUID != "" {
		return a.st.Attributes.FindAttributeByUUID(ctx, actor, r.UUID, deleted)
	}
	return a.st.Attributes.FindAttributeByID(ctx, actor, r.ID, deleted)
}

// attributeIndex is GET /attributes/index: a bare list of the attributes
// the actor may see, paginated by the named parameters limit (default 60)
// and page. As in MISP's REST index, tags are not included.
func (a *API) attributeIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	named := Named(r)
	f := misp.AttributeFilter{Limit: 60, Page: 1}
	if n, err := strconv.Atoi(named.Get("limit")); err == nil && n > 0 {
		f.Limit = n
	}
	if n, err := strconv.Atoi(named.Get("page")); err == nil && n > 0 {
		f.Page = n
	}
	attrs, err := a.st.Attributes.FindAttributes(r.Context(), actor, f)
	if err != nil {
		return fmt.Errorf("list attributes: %w", err)
	}
	for _, at := range attrs {
		at.Tag = nil
	}
	if attrs == nil {
		attrs = []*misp.Attribute{}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, attrs)
	return nil
}

// attributeView is GET|HEAD /attributes/view/{id|uuid}: {"Attribute":
// {…, "Tag": […]}}. A missing or invisible (or deleted) attribute is 405
// "Invalid attribute" (quirk #6); HEAD answers 404 without a body.
func (a *API) attributeView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	ref, ok := parseRef(r.PathValue("id"))
	var at *misp.Attribute
	err := misp.ErrNotFound
	if ok {
		at, err = a.findAttribute(r.Context(), actor, ref, false)
	}
	if errors.Is(err, misp.ErrNotFound) {
		if r.Method == http.MethodHead {
			return exception(r, http.StatusNotFound, "Invalid attribute")
		}
		return exception(r, http.StatusMethodNotAllowed, "Invalid attribute")
	}
	if err != nil {
		return fmt.Errorf("view attribute: %w", err)
	}
	at.Tag = exportableTags(at.Tag)
	httpserver.WriteJSON(w, r, http.StatusOK, mispjson.AttributeView(at))
	return nil
}

// attributeEdit is POST|PUT /attributes/edit/{id|uuid} (perm_add + may
// modify the event): fields absent from the body keep their stored
// values; tags in the body are attached (or detached with "deleted":
// true; AttributeTag::handleAttributeTags) in the same transaction as the
// attribute, unknown ones created for tag editors. 404 "Invalid attribute" for a missing, invisible or deleted
// attribute; 403 "You do not have permission to do that." (PyMISP then
// proposes the change); a timestamp not newer than the stored one is 405;
// a new distribution-4 group the actor may not use is 403 "Invalid Sharing
// Group or not authorised."; validation errors a 403 save-fail.
func (a *API) attributeEdit(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/attributes/edit",
			"POST a MISP Attribute JSON to this API to update an Attribute. If the timestamp is set, it has to be newer than the existing Attribute.",
			nil, []string{"value", "type", "category", "to_ids", "uuid", "distribution", "sharing_group_id", "timestamp", "comment", "date", "encrypt", "first_seen", "last_seen"},
			[]string{"attribute_id"})
	}
	const failName = "Could not edit Attribute"
	ctx := r.Context()
	ref, ok := parseRef(r.PathValue("id"))
	stored, err := (*misp.Attribute)(nil), misp.ErrNotFound
	if ok {
		stored, err = a.findAttribute(ctx, actor, ref, false)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if err != nil {
		return fmt.Errorf("find attribute: %w", err)
	}
	e, err := a.eventMeta(ctx, actor, int64(stored.EventID))
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if err != nil {
		return fmt.Errorf("find event %d: %w", stored.EventID, err)
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, noPermission)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	in, err := mispjson.MergeAttribute(stored, body)
	if err != nil {
		return decodeFailure(r, failName, err)
	}
	at := in.Attribute
	if in.Has("timestamp") {
		if at.Timestamp <= stored.Timestamp {
			return exception(r, http.StatusMethodNotAllowed, "Attribute could not be saved: Attribute in the request not newer than the local copy.")
		}
	} else {
		at.Timestamp = 0 // the store sets "now"
	}
	if at.Distribution == misp.DistributionSharingGrp &&
		!sameSharingGroup(stored.Distribution, stored.SharingGroupID, at.Distribution, at.SharingGroupID) {
		usable, err := a.usableSharingGroup(ctx, actor, at.SharingGroupID)
		if err != nil {
			return err
		}
		if !usable {
			return exception(r, http.StatusForbidden, sgUnusable)
		}
	}
	// What an edit never changes.
	at.ID, at.UUID, at.EventID, at.ObjectID, at.ObjectRelation = stored.ID, stored.UUID, stored.EventID, stored.ObjectID, stored.ObjectRelation
	b := a.newTreeBuilder(actor, sgDrop)
	if at.Tag, err = b.usableTags(ctx, at.Tag); err != nil {
		return err
	}
	if err := at.Validate(); err != nil {
		var ve *misp.ValidationError
		if errors.As(err, &ve) {
			return saveFail(r, failName, "/attributes/edit", ve.Fields, "")
		}
		return err
	}
	err = a.st.Attributes.UpdateAttribute(ctx, actor, at, bool(actor.Perms.TagEditor))
	var ve *misp.ValidationError
	switch {
	case errors.Is(err, misp.ErrNotNewer):
		return exception(r, http.StatusMethodNotAllowed, "Attribute could not be saved: Attribute in the request not newer than the local copy.")
	case errors.Is(err, misp.ErrNotFound):
		return exception(r, http.StatusNotFound, "Invalid attribute")
	case errors.As(err, &ve):
		return saveFail(r, failName, "/attributes/edit", ve.Fields, "")
	case err != nil:
		return fmt.Errorf("update attribute %d: %w", stored.ID, err)
	}
	saved, err := a.st.Attributes.FindAttributeByID(ctx, actor, int64(stored.ID), true)
	if err != nil {
		return fmt.Errorf("read back attribute %d: %w", stored.ID, err)
	}
	saved.Tag = exportableTags(saved.Tag)
	httpserver.WriteJSON(w, r, http.StatusOK, mispjson.AttributeView(saved))
	return nil
}

// attributeDelete is POST|DELETE /attributes/delete/{id|uuid}[/1]
// (perm_add), also with named hard:1 or body {"hard": 1}: a soft delete by
// default. 404 "Invalid attribute" for a missing, invisible, or (soft
// delete) already deleted attribute; 403 "You do not have permission to do
// that." unless the actor's organisation created the event (or, for a
// locked event, is a sync user of its owner), as MispAttribute::
// deleteAttribute rules — perm_modify is not consulted.
func (a *API) attributeDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	ctx := r.Context()
	hard := phpTruthy(r.PathValue("hard"))
	if v, ok := Named(r)["hard"]; ok {
		hard = namedTruthy(v)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if !emptyBody(body) {
		var in map[string]any
		if err := decodeJSON(r, body, &in); err != nil {
			return err
		}
		if v, ok := in["hard"]; ok {
			hard = namedTruthy(filterValues(v))
		}
	}
	ref, ok := parseRef(r.PathValue("id"))
	at, err := (*misp.Attribute)(nil), misp.ErrNotFound
	if ok {
		at, err = a.findAttribute(ctx, actor, ref, hard)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if err != nil {
		return fmt.Errorf("find attribute: %w", err)
	}
	e, err := a.eventMeta(ctx, actor, int64(at.EventID))
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if err != nil {
		return fmt.Errorf("find event %d: %w", at.EventID, err)
	}
	if !canDeleteAttribute(actor, e) {
		return exception(r, http.StatusForbidden, noPermission)
	}
	err = a.st.Attributes.DeleteAttribute(ctx, actor, int64(at.ID), hard)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if err != nil {
		return fmt.Errorf("delete attribute %d: %w", at.ID, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, map[string]string{"message": "Attribute deleted."})
	return nil
}

// canDeleteAttribute is the rule of MispAttribute::deleteAttribute.
func canDeleteAttribute(actor *misp.Actor, e *misp.Event) bool {
	switch {
	case actor.SiteAdmin():
		return true
	case bool(e.Locked):
		return int64(e.OrgID) == actor.OrgID() && bool(actor.Perms.Sync)
	}
	return int64(e.OrgcID) == actor.OrgID()
}

// attributeRestore is POST /attributes/restore/{id} (perm_add + may
// modify; numeric id only): undeletes a soft-deleted attribute and
// redirects (302) to <BaseURL>/attributes/view/{id}, as MISP does; clients that
// follow it get {"Attribute": …}. Unknown, invisible or not modifiable:
// 405 "Invalid Attribute".
func (a *API) attributeRestore(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	ctx := r.Context()
	id, ok := parseID(r.PathValue("id"))
	at, err := (*misp.Attribute)(nil), misp.ErrNotFound
	if ok {
		at, err = a.st.Attributes.FindAttributeByID(ctx, actor, id, true)
	}
	if err != nil && !errors.Is(err, misp.ErrNotFound) {
		return fmt.Errorf("find attribute %d: %w", id, err)
	}
	var e *misp.Event
	if err == nil {
		e, err = a.eventMeta(ctx, actor, int64(at.EventID))
		if err != nil && !errors.Is(err, misp.ErrNotFound) {
			return fmt.Errorf("find event %d: %w", at.EventID, err)
		}
	}
	if err != nil || !actor.CanModifyEvent(e) {
		return exception(r, http.StatusMethodNotAllowed, "Invalid Attribute")
	}
	if err := a.st.Attributes.RestoreAttribute(ctx, actor, id); err != nil {
		if errors.Is(err, misp.ErrNotFound) {
			return exception(r, http.StatusNotFound, "Could not restore the attribute")
		}
		return fmt.Errorf("restore attribute %d: %w", id, err)
	}
	// Like MISP, redirect to the instance's configured URL (a client
	// behind a path prefix needs it); relative when none is configured.
	http.Redirect(w, r, a.cfg.BaseURL+"/attributes/view/"+idString(id), http.StatusFound)
	return nil
}
