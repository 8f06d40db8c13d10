package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

func (a *API) registerObjects(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/objects/add/{event}", a.objectAdd)
	a.route(mux, "GET POST", "/objects/add/{event}/{template}", a.objectAdd)
	a.route(mux, "GET", "/objects/view/{id}", a.objectView)
	a.route(mux, "POST PUT", "/objects/edit/{id}", a.objectEdit)
	a.route(mux, "POST DELETE", "/objects/delete/{id}", a.objectDelete)
	a.route(mux, "POST DELETE", "/objects/delete/{id}/{hard}", a.objectDelete)
	a.route(mux, "GET POST", "/object_references/add", a.referenceAdd)
	a.route(mux, "GET POST", "/object_references/add/{object}", a.referenceAdd)
	a.route(mux, "POST PUT DELETE", "/object_references/delete/{id}", a.referenceDelete)
	a.route(mux, "POST PUT DELETE", "/object_references/delete/{id}/{hard}", a.referenceDelete)
}

// findObject fetches the object named by ref with the store's visibility;
// deleted ones only when deleted is set. ErrNotFound.
func (a *API) findObject(ctx context.Context, actor *misp.Actor, r ref, deleted bool) (*misp.Object, error) {
	if r.UUID != "" {
		return a.st.Objects.FindObjectByUUID(ctx, actor, r.UUID, deleted)
	}
	return a.st.Objects.FindObjectByID(ctx, actor, r.ID, deleted)
}

// objectAdd is POST /objects/add/{event}[/{template}] (perm_add, and
// perm_modify as ObjectsController checks; may modify the event): creates
// an object with its attributes (and references) and answers {"Object":
// {…, "Attribute": […]}}. A template named in the URL (id or uuid, and
// version) must exist (404 "Invalid template."); it, or the stored
// template of the body's template_uuid and template_version, is checked
// for conformity as MISP's checkTemplateConformity does (403 save-fail)
// and fills the object's name, meta-category, description and template
// version.
func (a *API) objectAdd(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	if !actor.Perms.Modify {
		return exception(r, http.StatusForbidden, "You don't have permissions to create objects.")
	}
	tmpl, err := a.objectAddTemplate(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	ref, ok := parseRef(r.PathValue("event"))
	e, err := (*misp.Event)(nil), misp.ErrNotFound
	if ok {
		e, err = a.findEvent(ctx, actor, ref, misp.EventViewOptions{Metadata: true})
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid event.")
	}
	if err != nil {
		return fmt.Errorf("find event: %w", err)
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, noPermission)
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/objects/add", "This API is not accessible via GET requests.", nil, nil, nil)
	}
	// MISP names the object controller in lower case here, and puts the
	// event and template ids in url and id ("12/" without a template).
	const failName = "Could not add object"
	failID := idString(int64(e.ID)) + "/" + tmpl.ID
	if err := tmpl.check(r, failID); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	in, err := mispjson.DecodeObject(body)
	if err != nil {
		return decodeFailure(r, failName, err)
	}
	o := in.Object
	if len(o.Attribute) == 0 {
		return saveFail(r, failName, "/objects/add/"+failID, "Could not save the object as no attributes were set.", failID)
	}
	newObjectDefaults(in)
	b := a.newTreeBuilder(actor, sgDowngrade)
	sgs := []misp.Int{}
	if o.Distribution == misp.DistributionSharingGrp {
		sgs = append(sgs, o.SharingGroupID)
	}
	for _, ai := range in.Attributes {
		if ai.Attribute.Distribution == misp.DistributionSharingGrp {
			sgs = append(sgs, ai.Attribute.SharingGroupID)
		}
	}
	for _, id := range sgs {
		usable, err := b.sgs.usable(ctx, int64(id))
		if err != nil {
			return err
		}
		if !usable {
			return exception(r, http.StatusForbidden, sgUnusable)
		}
	}
	if o.Attribute, err = b.attributes(ctx, "Attribute", in.Attributes, nil, true); err != nil {
		return err
	}
	if msg := attributeFailure(in.Attributes, b.errs); msg != "" {
		return saveFail(r, failName, "/objects/add/"+failID, msg, failID)
	}
	if err := a.applyObjectTemplate(r, tmpl, o); err != nil {
		return err
	}
	if err := b.errs.add("Object", o.Validate()); err != nil {
		return err
	}
	for j, ref := range o.ObjectReference {
		prepareReference(ref)
		if err := b.errs.add(fmt.Sprintf("ObjectReference[%d]", j), ref.Validate()); err != nil {
			return err
		}
	}
	if len(b.errs) > 0 {
		return saveFail(r, failName, "/objects/add/"+failID, objectFailure(b.errs), failID)
	}
	err = a.st.Objects.CreateObject(ctx, actor, int64(e.ID), o, bool(actor.Perms.TagEditor))
	var ve *misp.ValidationError
	switch {
	case errors.As(err, &ve):
		return saveFail(r, failName, "/objects/add/"+failID, objectFailure(treeErrors{"Object": ve.Fields}), failID)
	case errors.Is(err, misp.ErrConflict):
		return saveFail(r, failName, "/objects/add/"+failID, "Object could not be saved.\nuuid: The UUID provided is not unique", failID)
	case err != nil:
		return fmt.Errorf("add object to event %d: %w", e.ID, err)
	}
	return a.writeObject(w, r, actor, int64(o.ID), false)
}

// attributeFailure is MISP's objects/add error for the first attribute
// that failed validation: "Could not save object as at least one attribute
// has failed validation (<relation>). {…}".
func attributeFailure(in []*mispjson.AttributeInput, errs treeErrors) string {
	for i, ai := range in {
		fields, ok := errs[fmt.Sprintf("Attribute[%d]", i)]
		if !ok {
			continue
		}
		rel := "No object_relation"
		if ai.Attribute.ObjectRelation != nil {
			rel = *ai.Attribute.ObjectRelation
		}
		b, err := json.Marshal(fields)
		if err != nil {
			b = []byte("{}")
		}
		return fmt.Sprintf("Could not save object as at least one attribute has failed validation (%s). %s", rel, b)
	}
	return ""
}

// objectFailure is MISP's "Object could not be saved." followed by one
// "field: messages" line per invalid field.
func objectFailure(errs treeErrors) string {
	var b strings.Builder
	b.WriteString("Object could not be saved.")
	for _, path := range sortedKeys(errs) {
		for _, field := range sortedKeys(errs[path]) {
			name := field
			if path != "Object" {
				name = path + "." + field
			}
			fmt.Fprintf(&b, "\n%s: %s", name, strings.Join(errs[path][field], ", "))
		}
	}
	return b.String()
}

// writeObject answers {"Object": {…}} for the stored object id; with
// withEvent, the object carries the summary of its event as objects/view
// shows it.
func (a *API) writeObject(w http.ResponseWriter, r *http.Request, actor *misp.Actor, id int64, withEvent bool) error {
	o, err := a.st.Objects.FindObjectByID(r.Context(), actor, id, true)
	if err != nil {
		return fmt.Errorf("read back object %d: %w", id, err)
	}
	for _, at := range o.Attribute {
		at.Tag = exportableTags(at.Tag)
	}
	view := mispjson.ObjectView(o)
	if !withEvent {
		httpserver.WriteJSON(w, r, http.StatusOK, view)
		return nil
	}
	e, err := a.eventMeta(r.Context(), actor, int64(o.EventID))
	if err != nil {
		return fmt.Errorf("find event %d: %w", o.EventID, err)
	}
	out, err := withEventSummary(view, e)
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// withEventSummary adds "Event": {id, info, org_id, orgc_id} as the last
// key of the "Object" of an ObjectView, as objects/view answers.
// mispjson's view has no such field, so it is spliced into the encoded
// view, which keeps MISP's key order.
func withEventSummary(view any, e *misp.Event) (json.RawMessage, error) {
	raw, err := json.Marshal(view)
	if err != nil {
		return nil, err
	}
	summary, err := json.Marshal(struct {
		ID     misp.Int `json:"id"`
		Info   string   `json:"info"`
		OrgID  misp.Int `json:"org_id"`
		OrgcID misp.Int `json:"orgc_id"`
	}{e.ID, e.Info, e.OrgID, e.OrgcID})
	if err != nil {
		return nil, err
	}
	// raw is {"Object":{…}}: insert before the two closing braces.
	if !bytes.HasSuffix(raw, []byte("}}")) {
		return nil, fmt.Errorf("unexpected object view encoding")
	}
	out := append([]byte(nil), raw[:len(raw)-2]...)
	out = append(out, `,"Event":`...)
	out = append(out, summary...)
	return append(out, "}}"...), nil
}

// objectView is GET|HEAD /objects/view/{id|uuid}: {"Object": {…,
// "Attribute": […], "Event": {id, info, org_id, orgc_id}}}; 404 "Invalid
// object." for a missing, invisible or deleted object.
func (a *API) objectView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	ref, ok := parseRef(r.PathValue("id"))
	o, err := (*misp.Object)(nil), misp.ErrNotFound
	if ok {
		o, err = a.findObject(r.Context(), actor, ref, false)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid object.")
	}
	if err != nil {
		return fmt.Errorf("view object: %w", err)
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return a.writeObject(w, r, actor, int64(o.ID), true)
}

// objectDelete is POST|DELETE /objects/delete/{id|uuid}[/1] (perm_add and
// perm_modify; may modify the event), also {"hard": 1}: soft delete by
// default (its attributes too). Answers save-success "Object deleted"
// whose id is the event's.
func (a *API) objectDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	if !actor.Perms.Modify {
		return exception(r, http.StatusForbidden, "You don't have permissions to delete objects.")
	}
	ctx := r.Context()
	hard := phpTruthy(r.PathValue("hard"))
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if !emptyBody(body) {
		var in map[string]any
		if err := decodeJSON(r, body, &in); err != nil {
			return err
		}
		if v, ok := in["hard"]; ok && namedTruthy(filterValues(v)) {
			hard = true
		}
	}
	ref, ok := parseRef(r.PathValue("id"))
	o, err := (*misp.Object)(nil), misp.ErrNotFound
	if ok {
		o, err = a.findObject(ctx, actor, ref, true)
	}
	var e *misp.Event
	if err == nil {
		e, err = a.eventMeta(ctx, actor, int64(o.EventID))
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid object.")
	}
	if err != nil {
		return fmt.Errorf("find object: %w", err)
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, noPermission)
	}
	err = a.st.Objects.DeleteObject(ctx, actor, int64(o.ID), hard)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid object.")
	}
	if err != nil {
		return fmt.Errorf("delete object %d: %w", o.ID, err)
	}
	eventID := idString(int64(e.ID))
	writeSuccess(w, r, "Object deleted", "/objects/delete/"+eventID, eventID)
	return nil
}
