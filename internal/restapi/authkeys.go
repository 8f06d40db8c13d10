package restapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerAuthKeys adds the auth key endpoints (misp-rest-api §3.7,
// misp-access-control §8.3; AuthKeysController). All need perm_auth;
// creating, editing and deleting keys is refused with a read-only key
// (ACL not_read_only_authkey). Users see and manage their own keys, org
// admins those of their organisation's users, site admins every key.
func (a *API) registerAuthKeys(mux *http.ServeMux) {
	a.route(mux, "GET", "/auth_keys", a.listAuthKeys)
	a.route(mux, "GET", "/auth_keys/index", a.listAuthKeys)
	a.route(mux, "GET", "/auth_keys/view/{id}", a.viewAuthKey)
	a.route(mux, "GET POST", "/auth_keys/add", a.addAuthKey)
	a.route(mux, "GET POST PUT", "/auth_keys/edit/{id}", a.editAuthKey)
	a.route(mux, "GET POST DELETE", "/auth_keys/delete/{id}", a.deleteAuthKey)
}

// authKeyBlock is a key as MISP renders it: never the hash; the raw key
// only in the answer to its creation.
type authKeyBlock struct {
	*misp.AuthKey
	AuthkeyRaw string `json:"authkey_raw,omitempty"`
}

// authKeyUser is the User block MISP contains in key listings: {id, email}.
type authKeyUser struct {
	ID    misp.Int `json:"id"`
	Email string   `json:"email"`
}

// authKeyEntry is {"AuthKey":{…},"User":{id,email}}.
type authKeyEntry struct {
	AuthKey authKeyBlock `json:"AuthKey"`
	User    *authKeyUser `json:"User,omitempty"`
}

// msgKeyNotAllowed is MISP's 405 for a key of a user the caller may not
// manage (AuthKeysController::add, edit, delete).
const msgKeyNotAllowed = "Invalid user or insufficient privileges to interact with an authkey for the given user."

// keyWriteAllowed is the ACL of the key writes: perm_auth and not a
// read-only key.
func keyWriteAllowed(actor *misp.Actor) misp.Bool {
	return actor.Perms.Auth && !misp.Bool(actor.ReadOnlyKey)
}

// keyScope is the filter of the keys the actor may see
// (AuthKeysController::__prepareConditions).
func keyScope(actor *misp.Actor) misp.AuthKeyFilter {
	switch {
	case actor.SiteAdmin():
		return misp.AuthKeyFilter{}
	case bool(actor.Perms.Admin):
		return misp.AuthKeyFilter{OrgID: actor.OrgID()}
	}
	return misp.AuthKeyFilter{UserID: actor.UserID()}
}

// mayManageKeysOf reports whether the actor may create, edit and delete
// the keys of user u (AuthKeysController::__canCreateAuthKeyForUser): site
// admins anyone's; org admins their own and those of enabled, API-enabled
// users of their organisation who are neither site admins nor other org
// admins; everyone else only their own.
//
// MISP does not check the organisation for org admins (so an org admin
// could create a key for another organisation's user); Razmena does.
func (a *API) mayManageKeysOf(ctx context.Context, actor *misp.Actor, u *misp.User) (bool, error) {
	switch {
	case actor.SiteAdmin():
		return true, nil
	case int64(u.ID) == actor.UserID():
		return true, nil
	case !bool(actor.Perms.Admin) || bool(u.Disabled) || int64(u.OrgID) != actor.OrgID():
		return false, nil
	}
	role, err := a.st.Roles.FindRoleByID(ctx, int64(u.RoleID))
	if err != nil {
		return false, err
	}
	return bool(!role.SiteAdmin && !role.Admin && role.Auth), nil
}

// findScopedKey returns key s if the actor may see it, with its user;
// otherwise MISP's 404 "Invalid AuthKey.", for missing and hidden keys
// alike.
func (a *API) findScopedKey(r *http.Request, actor *misp.Actor, s string) (*misp.AuthKey, *misp.User, error) {
	notFound := httpserver.NewException(r, http.StatusNotFound, "Invalid AuthKey.")
	ref, ok := parseRef(s)
	if !ok || ref.ID == 0 {
		return nil, nil, notFound
	}
	k, err := a.st.AuthKeys.FindAuthKeyByID(r.Context(), ref.ID)
	if errors.Is(err, misp.ErrNotFound) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := a.st.Users.FindUserByID(r.Context(), int64(k.UserID))
	if errors.Is(err, misp.ErrNotFound) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, err
	}
	scope := keyScope(actor)
	if (scope.UserID != 0 && scope.UserID != int64(u.ID)) || (scope.OrgID != 0 && scope.OrgID != int64(u.OrgID)) {
		return nil, nil, notFound
	}
	return k, u, nil
}

// findManagedKey is findScopedKey for a write: the actor must also be
// allowed to manage the owner's keys (405 otherwise).
func (a *API) findManagedKey(r *http.Request, actor *misp.Actor, s string) (*misp.AuthKey, *misp.User, error) {
	k, u, err := a.findScopedKey(r, actor, s)
	if err != nil {
		return nil, nil, err
	}
	ok, err := a.mayManageKeysOf(r.Context(), actor, u)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, httpserver.NewException(r, http.StatusMethodNotAllowed, msgKeyNotAllowed)
	}
	return k, u, nil
}

// listAuthKeys is GET /auth_keys[/index][/{user_id}] (perm_auth):
// [{"AuthKey":{…},"User":{id,email}}] of the keys in the actor's scope,
// optionally of one user.
func (a *API) listAuthKeys(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Auth); err != nil {
		return err
	}
	f := keyScope(actor)
	if pos := Named(r)[""]; len(pos) > 0 {
		ref, ok := parseRef(pos[0])
		if !ok || ref.ID == 0 || (f.UserID != 0 && f.UserID != ref.ID) {
			httpserver.WriteJSON(w, r, http.StatusOK, []authKeyEntry{})
			return nil
		}
		f.UserID = ref.ID
	}
	keys, err := a.st.AuthKeys.FindAuthKeys(r.Context(), f)
	if err != nil {
		return err
	}
	users := map[int64]*authKeyUser{}
	out := make([]authKeyEntry, 0, len(keys))
	for _, k := range keys {
		ku, ok := users[int64(k.UserID)]
		if !ok {
			u, err := a.st.Users.FindUserByID(r.Context(), int64(k.UserID))
			if err != nil {
				return err
			}
			ku = &authKeyUser{ID: u.ID, Email: u.Email}
			users[int64(k.UserID)] = ku
		}
		out = append(out, authKeyEntry{AuthKey: authKeyBlock{AuthKey: k}, User: ku})
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// viewAuthKey is GET /auth_keys/view/{id} (perm_auth):
// {"AuthKey":{…},"User":{id,email}}.
func (a *API) viewAuthKey(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Auth); err != nil {
		return err
	}
	k, u, err := a.findScopedKey(r, actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, authKeyEntry{
		AuthKey: authKeyBlock{AuthKey: k},
		User:    &authKeyUser{ID: u.ID, Email: u.Email},
	})
	return nil
}

// addAuthKey is POST /auth_keys/add[/{user_id|me}] (perm_auth, not with
// a read-only key): {"comment","read_only","allowed_ips","expiration"},
// bare or wrapped in "AuthKey". The key is always generated by the
// server (MISP ignores a client-chosen "authkey" too) and its raw value
// is answered once, in "authkey_raw":
// {"AuthKey":{…,"authkey_raw":"<40 characters>"}}.
func (a *API) addAuthKey(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, keyWriteAllowed(actor)); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/auth_keys/add",
			"POST an AuthKey object in JSON format to this API to create a new auth key for the given user (yourself by default). The key is shown once, in authkey_raw.",
			nil, []string{"comment", "read_only", "allowed_ips", "expiration"})
		return nil
	}
	const fail = "Could not add AuthKey"
	ctx := r.Context()
	owner := actor.User
	if pos := Named(r)[""]; len(pos) > 0 && pos[0] != "me" {
		denied := httpserver.NewException(r, http.StatusMethodNotAllowed, msgKeyNotAllowed)
		ref, ok := parseRef(pos[0])
		if !ok || ref.ID == 0 {
			return denied
		}
		u, err := a.st.Users.FindUserByID(ctx, ref.ID)
		if errors.Is(err, misp.ErrNotFound) && actor.SiteAdmin() {
			// MISP lets the site admin through and fails AuthKey validation.
			return httpserver.NewSaveFailure(r, fail, map[string][]string{"user_id": {"User doesn't exists"}})
		}
		if errors.Is(err, misp.ErrNotFound) {
			return denied
		}
		if err != nil {
			return err
		}
		owner = u
	}
	if ok, err := a.mayManageKeysOf(ctx, actor, owner); err != nil {
		return err
	} else if !ok {
		return httpserver.NewException(r, http.StatusMethodNotAllowed, msgKeyNotAllowed)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in authKeyInput
	if err := decodeModelBody(r, body, "AuthKey", fail, &in); err != nil {
		return err
	}
	k := &misp.AuthKey{UserID: owner.ID}
	if err := in.apply(k); err != nil {
		return validationFailure(r, fail, err)
	}
	raw := auth.GenerateKey()
	if err := auth.NewAuthKey(k, raw); err != nil {
		return err
	}
	if err := a.st.AuthKeys.CreateAuthKey(ctx, k); err != nil {
		return validationFailure(r, fail, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, authKeyEntry{AuthKey: authKeyBlock{AuthKey: k, AuthkeyRaw: raw}})
	return nil
}

// editAuthKey is POST|PUT /auth_keys/edit/{id} (perm_auth, not with a
// read-only key): the fields comment, read_only, allowed_ips and
// expiration present in the body change. Answers {"AuthKey":{…}}.
func (a *API) editAuthKey(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, keyWriteAllowed(actor)); err != nil {
		return err
	}
	k, _, err := a.findManagedKey(r, actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/auth_keys/edit",
			"POST an AuthKey object in JSON format to this API to edit an auth key.",
			nil, []string{"comment", "read_only", "allowed_ips", "expiration"})
		return nil
	}
	const fail = "Could not edit AuthKey"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in authKeyInput
	if err := decodeModelBody(r, body, "AuthKey", fail, &in); err != nil {
		return err
	}
	if err := in.apply(k); err != nil {
		return validationFailure(r, fail, err)
	}
	ctx := r.Context()
	err = a.st.AuthKeys.UpdateAuthKey(ctx, k)
	if errors.Is(err, misp.ErrNotFound) {
		return httpserver.NewException(r, http.StatusNotFound, "Invalid AuthKey.")
	}
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, authKeyEntry{AuthKey: authKeyBlock{AuthKey: k}})
	return nil
}

// deleteAuthKey is POST|DELETE /auth_keys/delete/{id} (perm_auth, not
// with a read-only key). The key stops working at once: every request
// looks its key up in the store.
func (a *API) deleteAuthKey(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, keyWriteAllowed(actor)); err != nil {
		return err
	}
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		return httpserver.NewException(r, http.StatusMethodNotAllowed, "Action not allowed, post or delete request expected.")
	}
	k, _, err := a.findManagedKey(r, actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	err = a.st.AuthKeys.DeleteAuthKey(r.Context(), int64(k.ID))
	if errors.Is(err, misp.ErrNotFound) {
		return httpserver.NewException(r, http.StatusNotFound, "Invalid AuthKey.")
	}
	if err != nil {
		return err
	}
	writeSaveSuccess(w, r, "AuthKey deleted.", int64(k.ID))
	return nil
}
