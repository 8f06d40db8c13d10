package restapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerRoles adds the read-only role endpoints (misp-rest-api §3.7).
// Roles are not secret: every authenticated user may list them (ACL "*").
func (a *API) registerRoles(mux *http.ServeMux) {
	a.route(mux, "GET", "/roles", a.listRoles)
	a.route(mux, "GET", "/roles/index", a.listRoles)
	a.route(mux, "GET", "/roles/view/{id}", a.viewRole)
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
