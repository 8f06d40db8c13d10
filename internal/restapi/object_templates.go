package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/objecttemplate"
)

// registerObjectTemplates adds the object templates endpoints (misp-rest-api
// §3.3, ObjectTemplatesController). Reads are open to every user, getRaw
// and delete need perm_object_template, update and activate are for site
// admins (ACLComponent).
func (a *API) registerObjectTemplates(mux *http.ServeMux) {
	a.route(mux, "GET", "/object_templates/index", a.objectTemplateIndex)
	a.route(mux, "GET", "/object_templates/view/{id}", a.objectTemplateView)
	a.route(mux, "GET", "/object_templates/getRaw/{id}", a.objectTemplateRaw)
	a.route(mux, "POST", "/object_templates/update", a.objectTemplateUpdate)
	a.route(mux, "POST", "/object_templates/activate", a.objectTemplateActivate)
	a.route(mux, "POST PUT DELETE", "/object_templates/delete/{id}", a.objectTemplateDelete)
}

// objectTemplateOrg is the "Organisation" MISP contains in templates:
// library templates are imported by no organisation (org_id 0), for which
// CakePHP renders every field null.
type objectTemplateOrg struct {
	ID   *misp.Int `json:"id"`
	Name *string   `json:"name"`
	UUID *string   `json:"uuid"`
}

// objectTemplateUser is the "User" objectTemplates/view shows site
// admins: null fields, as for the org.
type objectTemplateUser struct {
	ID    *misp.Int `json:"id"`
	Email *string   `json:"email"`
}

// objectTemplateIndexItem is one entry of objectTemplates/index.
type objectTemplateIndexItem struct {
	ObjectTemplate *misp.ObjectTemplate `json:"ObjectTemplate"`
	Organisation   objectTemplateOrg    `json:"Organisation"`
}

// objectTemplateIndex is GET /objectTemplates/index[/{all}]: a list of
// {"ObjectTemplate", "Organisation"} in id order, the active templates
// only unless a site admin passes a true positional parameter (MISP's
// index($all)). The named parameter searchall keeps templates whose uuid,
// name, meta-category or description contains it. Not paginated in REST.
func (a *API) objectTemplateIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	named := Named(r)
	f := misp.ObjectTemplateFilter{
		All: actor.SiteAdmin() && len(named[""]) > 0 && phpTruthy(named[""][0]),
	}
	if s := named["searchall"]; len(s) > 0 {
		f.Search = s[len(s)-1]
	}
	return a.writeObjectTemplateIndex(w, r, f)
}

func (a *API) writeObjectTemplateIndex(w http.ResponseWriter, r *http.Request, f misp.ObjectTemplateFilter) error {
	list, err := a.st.ObjectTemplates.FindObjectTemplates(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list object templates: %w", err)
	}
	out := make([]objectTemplateIndexItem, len(list))
	for i, t := range list {
		out[i] = objectTemplateIndexItem{ObjectTemplate: t}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// objectTemplateView is GET /objectTemplates/view/{id|uuid}: {"ObjectTemplate",
// "Organisation", "User" (site admins), "ObjectTemplateElement": […]}. A
// uuid names its highest version, active or not. 404 "Invalid object
// template id." for a path that is neither a number nor a uuid, "Invalid
// object template" for one not stored.
func (a *API) objectTemplateView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	id := strings.TrimSuffix(r.PathValue("id"), ".json")
	ref, ok := parseRef(id)
	if !ok {
		if _, err := strconv.ParseFloat(strings.TrimSpace(id), 64); err == nil {
			return exception(r, http.StatusNotFound, "Invalid object template")
		}
		return exception(r, http.StatusNotFound, "Invalid object template id.")
	}
	var (
		t   *misp.ObjectTemplate
		err error
	)
	if ref.UUID != "" {
		t, err = a.st.ObjectTemplates.FindObjectTemplateByUUID(r.Context(), ref.UUID, 0)
	} else {
		t, err = a.st.ObjectTemplates.FindObjectTemplateByID(r.Context(), ref.ID)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid object template")
	}
	if err != nil {
		return fmt.Errorf("view object template: %w", err)
	}
	out := struct {
		ObjectTemplate        *misp.ObjectTemplate          `json:"ObjectTemplate"`
		Organisation          objectTemplateOrg             `json:"Organisation"`
		User                  *objectTemplateUser           `json:"User,omitempty"`
		ObjectTemplateElement []*misp.ObjectTemplateElement `json:"ObjectTemplateElement"`
	}{ObjectTemplate: t, ObjectTemplateElement: t.Elements}
	if actor.SiteAdmin() {
		out.User = &objectTemplateUser{}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// objectTemplateRaw is GET /objectTemplates/getRaw/{uuid|name}
// (perm_object_template): the library's definition.json of the template,
// as imported. MISP reads the file on disk, which is the newest version
// imported; so is this. 404 "Template not found".
func (a *API) objectTemplateRaw(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.ObjectTemplate); err != nil {
		return err
	}
	key := strings.TrimSuffix(r.PathValue("id"), ".json")
	var (
		t   *misp.ObjectTemplate
		err error
	)
	if misp.IsUUID(key) {
		t, err = a.st.ObjectTemplates.FindObjectTemplateByUUID(r.Context(), key, 0)
	} else {
		t, err = a.st.ObjectTemplates.FindObjectTemplateByName(r.Context(), key)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Template not found")
	}
	if err != nil {
		return fmt.Errorf("find object template %q: %w", key, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, t.Raw)
	return nil
}

// objectTemplateUpdate is POST /objectTemplates/update (site admin): it
// imports the library in LibraryDir/objects (objecttemplate.ImportDir:
// newer versions and new templates are added, broken files skipped) and,
// as MISP redirects to the index afterwards, answers the index of active
// templates, which PyMISP's update_object_templates receives. What the
// import did (misp.LibraryResult: counts, the files not loaded and those
// absent) is recorded in the audit log, where MISP logs it, under MISP's
// message. MISP's type and force parameters are not supported.
func (a *API) objectTemplateUpdate(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	dir := filepath.Join(a.cfg.LibraryDir, "objects")
	res, err := objecttemplate.ImportDir(r.Context(), a.st.ObjectTemplates, dir)
	if err != nil && !errors.Is(err, objecttemplate.ErrNoTemplates) {
		return fmt.Errorf("update object templates: %w", err)
	}
	if err != nil {
		// MISP finds nothing to update in a missing or empty library.
		res.Errors = append(res.Errors, err.Error())
	}
	if err := a.auditLibraryUpdate(r, actor, res); err != nil {
		return err
	}
	return a.writeObjectTemplateIndex(w, r, misp.ObjectTemplateFilter{})
}

// auditLibraryUpdate records an object template update as MISP's update
// does in its log: model ObjectTemplate, action update, MISP's summary as
// the title and the counts, files not loaded and files absent as the
// change.
func (a *API) auditLibraryUpdate(r *http.Request, actor *misp.Actor, res misp.LibraryResult) error {
	if a.st.Audit == nil {
		return nil
	}
	changed := res.Added + res.Updated
	var title string
	switch {
	case changed == 0 && len(res.Errors) == 0:
		title = "All object templates are up to date already."
	case changed == 0:
		title = "Could not update any of the object templates"
	default:
		title = fmt.Sprintf("Successfully updated %d object templates.", changed)
		if len(res.Errors) > 0 {
			title += fmt.Sprintf(" However, could not update %d object templates.", len(res.Errors))
		}
	}
	change := fmt.Sprintf("%d added, %d updated, %d unchanged", res.Added, res.Updated, res.Unchanged)
	for _, e := range res.Errors {
		change += "\nnot loaded: " + e
	}
	for _, m := range res.Missing {
		change += "\nabsent: " + m
	}
	e := &misp.AuditEntry{
		UserID: actor.UserID(), OrgID: actor.OrgID(), Email: actor.User.Email,
		RequestID: httpserver.RequestID(r.Context()),
		Action:    "update", Model: "ObjectTemplate",
		Title: title, Description: "Object template library update", Change: change,
		Method: r.Method, Route: r.Pattern, Path: r.URL.Path, Status: http.StatusOK,
	}
	if actor.Org != nil {
		e.Org = actor.Org.Name
	}
	if ip := httpserver.ClientIP(r); ip.IsValid() {
		e.IP = ip.String()
	}
	if err := a.st.Audit.CreateAuditEntry(r.Context(), e); err != nil {
		return fmt.Errorf("record object template update: %w", err)
	}
	return nil
}

// activateAnswer is MISP's answer to objectTemplates/activate, always 200.
type activateAnswer struct {
	Saved   bool   `json:"saved"`
	Success string `json:"success,omitempty"`
	Errors  string `json:"errors,omitempty"`
}

// objectTemplateActivate is POST /objectTemplates/activate (site admin)
// with {"ObjectTemplate": {"data": id}} (also unwrapped): toggles the
// template version's active flag (activating one deactivates the other
// versions of its uuid). MISP answers 200 in every case: {"saved": true,
// "success": "Template activated."|"Template disabled."}, or "saved":
// false with "Template not found." for an id that is not a number and
// "Template's state could not be toggeled." for one not stored.
func (a *API) objectTemplateActivate(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		ObjectTemplate *struct {
			Data json.RawMessage `json:"data"`
		} `json:"ObjectTemplate"`
		Data json.RawMessage `json:"data"`
	}
	if !emptyBody(body) {
		if err := decodeJSON(r, body, &in); err != nil {
			return err
		}
	}
	raw := in.Data
	if in.ObjectTemplate != nil {
		raw = in.ObjectTemplate.Data
	}
	// PHP's is_numeric decides between the two failures.
	var v any
	if len(raw) > 0 && json.Unmarshal(raw, &v) != nil {
		v = nil
	}
	s := strings.TrimSpace(phpString(v))
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		httpserver.WriteJSON(w, r, http.StatusOK, activateAnswer{Errors: "Template not found."})
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		id = 0 // a fraction: no template has that id
	}
	active, err := a.st.ObjectTemplates.ToggleObjectTemplate(r.Context(), int64(id))
	if errors.Is(err, misp.ErrNotFound) {
		httpserver.WriteJSON(w, r, http.StatusOK, activateAnswer{Errors: "Template's state could not be toggeled."})
		return nil
	}
	if err != nil {
		return fmt.Errorf("activate object template %d: %w", id, err)
	}
	msg := "Template disabled."
	if active {
		msg = "Template activated."
	}
	httpserver.WriteJSON(w, r, http.StatusOK, activateAnswer{Saved: true, Success: msg})
	return nil
}

// objectTemplateDelete is POST|PUT|DELETE /objectTemplates/delete/{id}
// (perm_object_template): removes one template version and its elements.
// 404 "Invalid Object Template" for an id not stored; the answer is MISP's
// save-success for its admin_delete action.
func (a *API) objectTemplateDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.ObjectTemplate); err != nil {
		return err
	}
	raw := strings.TrimSuffix(r.PathValue("id"), ".json")
	id, ok := parseID(raw)
	if !ok {
		return exception(r, http.StatusNotFound, "Invalid Object Template")
	}
	err := a.st.ObjectTemplates.DeleteObjectTemplate(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid Object Template")
	}
	if err != nil {
		return fmt.Errorf("delete object template %d: %w", id, err)
	}
	writeSuccess(w, r, "ObjectTemplate deleted", "/admin/object_templates/delete/"+raw, raw)
	return nil
}
