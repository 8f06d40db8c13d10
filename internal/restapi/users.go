package restapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerUsers adds the user endpoints (misp-rest-api §3.7,
// misp-access-control §8.3): users/view for oneself, and the admin/users
// endpoints for site admins (every user) and org admins (perm_admin; the
// users of their own organisation, never site admins).
func (a *API) registerUsers(mux *http.ServeMux) {
	a.route(mux, "GET", "/users/view/{id}", a.viewUser)
	a.route(mux, "GET", "/admin/users", a.listUsers)
	a.route(mux, "GET", "/admin/users/index", a.listUsers)
	a.route(mux, "GET", "/admin/users/view/{id}", a.adminViewUser)
	a.route(mux, "GET POST", "/admin/users/add", a.addUser)
	a.route(mux, "GET POST PUT", "/admin/users/edit/{id}", a.editUser)
	a.route(mux, "GET POST DELETE", "/admin/users/delete/{id}", a.deleteUser)
}

// isAdmin reports whether the actor may use the admin/users endpoints
// (perm_admin; site admins pass every ACL rule). A read-only key clears
// both flags.
func isAdmin(actor *misp.Actor) misp.Bool {
	return actor.Perms.Admin || actor.Perms.SiteAdmin
}

// viewUser is GET /users/view/{id|me}: the caller's own account (any id
// for site admins) with its role, settings and organisation; 404 for
// anyone else's. The role is the stored one, not the one a read-only key
// reduces (AppController: users/view/me reports the role unreduced).
func (a *API) viewUser(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	notFound := httpserver.NewException(r, http.StatusNotFound, "Invalid user or not authorised.")
	s := strings.TrimSuffix(r.PathValue("id"), ".json")
	id := actor.UserID()
	if s != "me" {
		ref, ok := parseRef(s)
		if !ok || ref.ID == 0 {
			return notFound
		}
		id = ref.ID
	}
	if id == actor.UserID() {
		httpserver.WriteJSON(w, r, http.StatusOK, newUserView(actor.User, actor.Role, actor.Org))
		return nil
	}
	if !actor.SiteAdmin() {
		return notFound
	}
	return a.writeUserView(w, r, id)
}

// writeUserView renders user id with its role and organisation.
func (a *API) writeUserView(w http.ResponseWriter, r *http.Request, id int64) error {
	u, err := a.st.Users.FindUserByID(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return httpserver.NewException(r, http.StatusNotFound, "Invalid user")
	}
	if err != nil {
		return err
	}
	role, err := a.st.Roles.FindRoleByID(r.Context(), int64(u.RoleID))
	if err != nil {
		return err
	}
	org, err := a.st.Orgs.FindOrgByID(r.Context(), int64(u.OrgID))
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, newUserView(u, role, org))
	return nil
}

// findManagedUser returns user id if the actor may manage it
// (UsersController::__adminFetchConditions): site admins any user; org
// admins the users of their organisation, and for edits (forEdit) not
// site admins. Anything else is MISP's 404 "Invalid user", so that
// existence does not leak. It also returns the user's role.
func (a *API) findManagedUser(r *http.Request, actor *misp.Actor, s string, forEdit bool) (*misp.User, *misp.Role, error) {
	notFound := httpserver.NewException(r, http.StatusNotFound, "Invalid user")
	ref, ok := parseRef(s)
	if !ok || ref.ID == 0 {
		return nil, nil, notFound
	}
	u, err := a.st.Users.FindUserByID(r.Context(), ref.ID)
	if errors.Is(err, misp.ErrNotFound) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, err
	}
	role, err := a.st.Roles.FindRoleByID(r.Context(), int64(u.RoleID))
	if err != nil {
		return nil, nil, err
	}
	if !actor.SiteAdmin() && (int64(u.OrgID) != actor.OrgID() || (forEdit && bool(role.SiteAdmin))) {
		return nil, nil, notFound
	}
	return u, role, nil
}

// userIndexRole is the Role block of admin/users/index, restricted to the
// fields MISP contains there.
type userIndexRole struct {
	ID            misp.Int  `json:"id"`
	Name          string    `json:"name"`
	PermAuth      misp.Bool `json:"perm_auth"`
	PermSiteAdmin misp.Bool `json:"perm_site_admin"`
	PermAdmin     misp.Bool `json:"perm_admin"`
}

// userIndexOrg is the Organisation block of admin/users/index.
type userIndexOrg struct {
	ID   misp.Int `json:"id"`
	Name string   `json:"name"`
}

// userIndexEntry is one element of admin/users/index.
type userIndexEntry struct {
	User         *misp.User    `json:"User"`
	Role         userIndexRole `json:"Role"`
	Organisation userIndexOrg  `json:"Organisation"`
}

// listUsers is GET /admin/users[/index] (perm_admin):
// [{"User":…,"Role":{id,name,perm_auth,perm_site_admin,perm_admin},
// "Organisation":{id,name}}], ordered by id; org admins only see their
// organisation. Named filters as in UsersController::admin_index:
// value/searchall (e-mail, organisation or role name), searchemail,
// searchrole, searchorg (site admins), searchdisabled, searchautoalert,
// searchcontactalert, searchtermsaccepted; "a|b" ORs terms and "!a"
// excludes.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, isAdmin(actor)); err != nil {
		return err
	}
	ctx := r.Context()
	f := misp.UserFilter{}
	if !actor.SiteAdmin() {
		f.OrgID = actor.OrgID()
	}
	users, err := a.st.Users.FindUsers(ctx, f)
	if err != nil {
		return err
	}
	roles, err := a.st.Roles.FindRoles(ctx)
	if err != nil {
		return err
	}
	roleByID := make(map[int64]*misp.Role, len(roles))
	for _, role := range roles {
		roleByID[int64(role.ID)] = role
	}
	orgByID := map[int64]*misp.Organisation{}
	match, err := a.userMatcher(r, actor)
	if err != nil {
		return err
	}
	out := []userIndexEntry{}
	for _, u := range users {
		org, ok := orgByID[int64(u.OrgID)]
		if !ok {
			if org, err = a.st.Orgs.FindOrgByID(ctx, int64(u.OrgID)); err != nil {
				return err
			}
			orgByID[int64(u.OrgID)] = org
		}
		role := roleByID[int64(u.RoleID)]
		if role == nil {
			role = &misp.Role{ID: u.RoleID}
		}
		if !match(u, role, org) {
			continue
		}
		out = append(out, userIndexEntry{
			User:         u,
			Role:         userIndexRole{ID: role.ID, Name: role.Name, PermAuth: role.Auth, PermSiteAdmin: role.SiteAdmin, PermAdmin: role.Admin},
			Organisation: userIndexOrg{ID: org.ID, Name: org.Name},
		})
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// userMatcher builds the admin/users/index filter from the named
// parameters.
func (a *API) userMatcher(r *http.Request, actor *misp.Actor) (func(*misp.User, *misp.Role, *misp.Organisation) bool, error) {
	named := Named(r)
	var tests []func(*misp.User, *misp.Role, *misp.Organisation) bool
	text := func(key string, field func(*misp.User, *misp.Role, *misp.Organisation) []string, exact bool) {
		v := named.Get(key)
		if v == "" {
			return
		}
		var some, none []string
		for _, p := range strings.Split(v, "|") {
			if p = strings.ToLower(strings.TrimSpace(p)); strings.HasPrefix(p, "!") {
				none = append(none, p[1:])
			} else if p != "" {
				some = append(some, p)
			}
		}
		hit := func(vals []string, term string) bool {
			for _, s := range vals {
				s = strings.ToLower(s)
				if (exact && s == term) || (!exact && strings.Contains(s, term)) {
					return true
				}
			}
			return false
		}
		tests = append(tests, func(u *misp.User, role *misp.Role, o *misp.Organisation) bool {
			vals := field(u, role, o)
			for _, t := range none {
				if hit(vals, t) {
					return false
				}
			}
			if len(some) == 0 {
				return true
			}
			for _, t := range some {
				if hit(vals, t) {
					return true
				}
			}
			return false
		})
	}
	all := named.Get("value")
	if all == "" {
		all = named.Get("searchall")
	}
	if all != "" {
		named.Set("searchall", all)
		text("searchall", func(u *misp.User, role *misp.Role, o *misp.Organisation) []string {
			return []string{u.Email, o.Name, role.Name}
		}, false)
	}
	text("searchemail", func(u *misp.User, _ *misp.Role, _ *misp.Organisation) []string { return []string{u.Email} }, false)
	text("searchrole", func(u *misp.User, _ *misp.Role, _ *misp.Organisation) []string {
		return []string{strconv.FormatInt(int64(u.RoleID), 10)}
	}, true)
	if actor.SiteAdmin() {
		// PyMISP's users(organisation=…) sends an id or a UUID.
		text("searchorg", func(u *misp.User, _ *misp.Role, o *misp.Organisation) []string {
			return []string{strconv.FormatInt(int64(u.OrgID), 10), o.UUID}
		}, true)
	}
	for _, key := range []string{"disabled", "autoalert", "contactalert", "termsaccepted"} {
		v := named.Get("search" + key)
		if v == "" {
			continue
		}
		want, err := misp.ParseBool(v)
		if err != nil {
			return nil, httpserver.NewException(r, http.StatusBadRequest, "Invalid value for search"+key+".")
		}
		tests = append(tests, func(u *misp.User, _ *misp.Role, _ *misp.Organisation) bool {
			return userFlag(u, key) == want
		})
	}
	return func(u *misp.User, role *misp.Role, o *misp.Organisation) bool {
		for _, t := range tests {
			if !t(u, role, o) {
				return false
			}
		}
		return true
	}, nil
}

// userFlag returns one of the boolean columns admin/users/index filters on.
func userFlag(u *misp.User, key string) bool {
	switch key {
	case "disabled":
		return bool(u.Disabled)
	case "autoalert":
		return bool(u.Autoalert)
	case "contactalert":
		return bool(u.Contactalert)
	}
	return bool(u.TermsAccepted)
}

// adminViewUser is GET /admin/users/view/{id} (perm_admin): the users/view
// answer for a user the actor manages. Org admins may view the site
// admins of their organisation but not edit them.
func (a *API) adminViewUser(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, isAdmin(actor)); err != nil {
		return err
	}
	u, role, err := a.findManagedUser(r, actor, r.PathValue("id"), false)
	if err != nil {
		return err
	}
	org, err := a.st.Orgs.FindOrgByID(r.Context(), int64(u.OrgID))
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, newUserView(u, role, org))
	return nil
}

// deleteUser is POST|DELETE /admin/users/delete/{id} (perm_admin): org
// admins may delete the users of their organisation except site admins.
// The user's auth keys go with it, so they stop working at once.
//
// Deviation: MISP lets an admin delete their own account; Razmena refuses
// (403 save failure), so that an instance cannot lose its last admin by
// accident.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, isAdmin(actor)); err != nil {
		return err
	}
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		return httpserver.NewException(r, http.StatusMethodNotAllowed, "Action not allowed, post or delete request expected.")
	}
	u, _, err := a.findManagedUser(r, actor, r.PathValue("id"), true)
	if err != nil {
		return err
	}
	if int64(u.ID) == actor.UserID() {
		return httpserver.NewSaveFailure(r, "Could not delete User", "You cannot delete your own account.")
	}
	err = a.st.Users.DeleteUser(r.Context(), int64(u.ID))
	if errors.Is(err, misp.ErrNotFound) {
		return httpserver.NewException(r, http.StatusNotFound, "Invalid user")
	}
	if err != nil {
		return err
	}
	writeSaveSuccess(w, r, "User deleted.", int64(u.ID))
	return nil
}
