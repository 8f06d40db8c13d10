package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerRoles adds the role endpoints (misp-rest-api §3.7). Roles are
// not secret: every authenticated user may list them (ACL "*"); only site
// admins manage them.
func (a *API) registerRoles(mux *http.ServeMux) {
	a.route(mux, "GET", "/roles", a.listRoles)
	a.route(mux, "GET", "/roles/index", a.listRoles)
	a.route(mux, "GET", "/roles/view/{id}", a.viewRole)
	a.route(mux, "GET POST", "/admin/roles/add", a.addRole)
	a.route(mux, "GET POST PUT", "/admin/roles/edit/{id}", a.editRole)
	a.route(mux, "POST DELETE", "/admin/roles/delete/{id}", a.deleteRole)
	a.route(mux, "POST", "/admin/roles/set_default/{id}", a.setDefaultRole)
}

// roleBlock is a role as MISP renders it: the stored flags plus the
// virtual permission level (a string, as MISP's SQL CASE yields it) and
// its name (Role::$virtualFields, Role::afterFind).
type roleBlock struct {
	*misp.Role
	Permission            string `json:"permission"`
	PermissionDescription string `json:"permission_description"`
	// Default is set by roles/index only (RolesController::index): whether
	// this is the role new users get.
	Default *bool `json:"default,omitempty"`
}

func newRoleBlock(r *misp.Role) roleBlock {
	level := r.Perms.Permission()
	return roleBlock{Role: r, Permission: strconv.Itoa(level), PermissionDescription: misp.PermissionDescription(level)}
}

// roleEntry is one element of roles/index: [{"Role":{…}}].
type roleEntry struct {
	Role roleBlock `json:"Role"`
}

// listRoles is GET /roles/index.
func (a *API) listRoles(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	roles, err := a.st.Roles.FindRoles(r.Context())
	if err != nil {
		return err
	}
	out := make([]roleEntry, 0, len(roles))
	for _, role := range roles {
		b := newRoleBlock(role)
		def := bool(role.DefaultRole)
		b.Default = &def
		out = append(out, roleEntry{Role: b})
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// viewRole is GET /roles/view/{id}: {"Role":{…}}, 404 "Invalid Role." when
// there is no such role (CRUDComponent::view).
func (a *API) viewRole(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	notFound := httpserver.NewException(r, http.StatusNotFound, "Invalid Role.")
	ref, ok := parseRef(r.PathValue("id"))
	if !ok || ref.ID == 0 {
		return notFound
	}
	role, err := a.st.Roles.FindRoleByID(r.Context(), ref.ID)
	if errors.Is(err, misp.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, roleEntry{Role: newRoleBlock(role)})
	return nil
}

// Messages of the role writes.
const (
	msgRoleNameTaken   = "A role with this name already exists."
	msgRoleInUse       = "It is not possible to delete role that is assigned to users."
	msgRoleIsDefault   = "The default role cannot be deleted. Make another role the default first."
	msgDefaultRequired = "One role must stay the default: make another role the default instead."
	msgBadPermission   = "Invalid permission level: use 0 to 3, or read_only, manage_own, manage_org or publish."
)

// roleFields lists the optional fields of the role API descriptions.
var roleFields = []string{"perm_delegate", "perm_sync", "perm_admin", "perm_audit", "perm_auth",
	"perm_site_admin", "perm_regexp_access", "perm_tagger", "perm_galaxy_editor", "perm_template",
	"perm_sharing_group", "perm_tag_editor", "default_role", "perm_sighting", "perm_analyst_data",
	"permission"}

// roleDescription is the sentence of MISP's role API descriptions about
// the permission level.
const roleDescription = "'permission' sets the data access permission (0 => read only, 1 => add/edit own, 2 => add/edit org, 3 => publish)"

// roleInput is an admin/roles/add or /edit body decoded over a role: the
// keys present replace the role's fields. The shallower fields shadow
// the ones a client may not set (encoding/json lets them win) and read
// the virtual permission level and the default flag.
type roleInput struct {
	*misp.Role
	ID          json.RawMessage `json:"id"`
	Created     json.RawMessage `json:"created"`
	Modified    json.RawMessage `json:"modified"`
	DefaultRole *misp.Bool      `json:"default_role"`
	Permission  json.RawMessage `json:"permission"`
}

// decodeRole decodes body over role and applies its permission level, if
// any, to the four flags it sets. It returns the body's default_role.
//
// Deviation (docs/api-coverage.md): MISP treats an absent (or unknown)
// permission as 0 and clears perm_add, perm_modify, perm_modify_org and
// perm_publish; Razmena keeps the flags the role has (on add: the perm_*
// flags of the body) and refuses an unknown level.
func decodeRole(r *http.Request, body []byte, fail string, role *misp.Role) (*misp.Bool, error) {
	in := roleInput{Role: role}
	if err := decodeModelBody(r, body, "Role", fail, &in); err != nil {
		return nil, err
	}
	raw := bytes.TrimSpace(in.Permission)
	if len(raw) == 0 || string(raw) == "null" {
		return in.DefaultRole, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	level, ok := misp.ParsePermission(s)
	if !ok {
		return nil, httpserver.NewSaveFailure(r, fail, map[string][]string{"permission": {msgBadPermission}})
	}
	role.Perms.SetPermission(level)
	return in.DefaultRole, nil
}

// roleSaveFailure turns a store error of a role save into MISP's answer.
func roleSaveFailure(r *http.Request, fail string, err error) error {
	if errors.Is(err, misp.ErrConflict) {
		return httpserver.NewSaveFailure(r, fail, map[string][]string{"name": {msgRoleNameTaken}})
	}
	return validationFailure(r, fail, err)
}

// findRoleParam returns the role named by the URL's id; 404 "Invalid
// Role." when there is none (CRUDComponent).
func (a *API) findRoleParam(r *http.Request) (*misp.Role, error) {
	notFound := httpserver.NewException(r, http.StatusNotFound, "Invalid Role.")
	ref, ok := parseRef(r.PathValue("id"))
	if !ok || ref.ID == 0 {
		return nil, notFound
	}
	role, err := a.st.Roles.FindRoleByID(r.Context(), ref.ID)
	if errors.Is(err, misp.ErrNotFound) {
		return nil, notFound
	}
	return role, err
}

// writeRole answers {"Role":{…}} for the stored role id.
func (a *API) writeRole(w http.ResponseWriter, r *http.Request, id int64) error {
	role, err := a.st.Roles.FindRoleByID(r.Context(), id)
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, roleEntry{Role: newRoleBlock(role)})
	return nil
}

// addRole is POST /admin/roles/add (site admin): {"Role":{name, perm_*,
// permission, …}} or the bare role. permission (0–3 or its name) sets
// perm_add, perm_modify, perm_modify_org and perm_publish; default_role
// true makes the new role the default one. Answers {"Role":{…}}; a
// missing or taken name is a 403 save failure.
func (a *API) addRole(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/admin/roles/add",
			"POST a Role object in JSON format to this API to create a new role. "+roleDescription,
			[]string{"name"}, roleFields)
		return nil
	}
	const fail = "Could not add role"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	role := &misp.Role{}
	def, err := decodeRole(r, body, fail, role)
	if err != nil {
		return err
	}
	if err := a.st.Roles.CreateRole(r.Context(), role); err != nil {
		return roleSaveFailure(r, fail, err)
	}
	if def != nil && bool(*def) {
		if err := a.st.Roles.SetDefaultRole(r.Context(), int64(role.ID)); err != nil {
			return err
		}
	}
	return a.writeRole(w, r, int64(role.ID))
}

// editRole is POST|PUT /admin/roles/edit/{id} (site admin): the fields
// present in the body change; permission, when present, sets the four
// flags it stands for (see decodeRole for the deviation when it is
// absent). default_role true makes the role the default one; false on the
// default role is refused, since one role must stay the default. The
// role's users get the new permissions with their next request. Answers
// {"Role":{…}}.
func (a *API) editRole(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	role, err := a.findRoleParam(r)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/admin/roles/edit",
			"POST a Role object in JSON format to this API to edit a role. "+roleDescription,
			[]string{"name"}, roleFields)
		return nil
	}
	const fail = "Could not edit role"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	wasDefault := bool(role.DefaultRole)
	def, err := decodeRole(r, body, fail, role)
	if err != nil {
		return err
	}
	if def != nil && !bool(*def) && wasDefault {
		return httpserver.NewSaveFailure(r, fail, map[string][]string{"default_role": {msgDefaultRequired}})
	}
	err = a.st.Roles.UpdateRole(r.Context(), role)
	if errors.Is(err, misp.ErrNotFound) {
		return httpserver.NewException(r, http.StatusNotFound, "Invalid Role.")
	}
	if err != nil {
		return roleSaveFailure(r, fail, err)
	}
	if def != nil && bool(*def) && !wasDefault {
		if err := a.st.Roles.SetDefaultRole(r.Context(), int64(role.ID)); err != nil {
			return err
		}
	}
	return a.writeRole(w, r, int64(role.ID))
}

// deleteRole is POST|DELETE /admin/roles/delete/{id} (site admin): "Role
// deleted."; a role that users still have, or the default role, is kept
// with a 403 save failure.
func (a *API) deleteRole(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	role, err := a.findRoleParam(r)
	if err != nil {
		return err
	}
	const fail = "Could not delete Role"
	err = a.st.Roles.DeleteRole(r.Context(), int64(role.ID))
	switch {
	case errors.Is(err, misp.ErrConflict) && bool(role.DefaultRole):
		return httpserver.NewSaveFailure(r, fail, msgRoleIsDefault)
	case errors.Is(err, misp.ErrConflict):
		return httpserver.NewSaveFailure(r, fail, msgRoleInUse)
	case errors.Is(err, misp.ErrNotFound):
		return httpserver.NewException(r, http.StatusNotFound, "Invalid Role.")
	case err != nil:
		return err
	}
	writeSaveSuccess(w, r, "Role deleted.", int64(role.ID))
	return nil
}

// setDefaultRole is POST /admin/roles/set_default/{id} (site admin):
// "Default role set."; the role new users get when none is chosen. An
// unknown role is MISP's 403 save failure "Invalid Role.". MISP also lets
// a call without an id unset the default; Razmena always keeps one.
func (a *API) setDefaultRole(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	const fail = "Could not set_default Role"
	ref, ok := parseRef(r.PathValue("id"))
	if !ok || ref.ID == 0 {
		return httpserver.NewSaveFailure(r, fail, "Invalid Role.")
	}
	err := a.st.Roles.SetDefaultRole(r.Context(), ref.ID)
	if errors.Is(err, misp.ErrNotFound) {
		return httpserver.NewSaveFailure(r, fail, "Invalid Role.")
	}
	if err != nil {
		return err
	}
	writeSaveSuccess(w, r, "Default role set.", ref.ID)
	return nil
}
