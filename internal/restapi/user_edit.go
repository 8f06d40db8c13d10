package restapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// userInput holds the user fields admin/users/add and /edit read; nil
// means absent. Other keys (id, dates, authkey, the blocks PyMISP sends
// back from a view) are ignored, as MISP's field lists ignore them.
type userInput struct {
	Email         *string    `json:"email"`
	OrgID         *misp.Int  `json:"org_id"`
	RoleID        *misp.Int  `json:"role_id"`
	Password      *string    `json:"password"`
	Disabled      *misp.Bool `json:"disabled"`
	Autoalert     *misp.Bool `json:"autoalert"`
	Contactalert  *misp.Bool `json:"contactalert"`
	ChangePw      *misp.Bool `json:"change_pw"`
	TermsAccepted *misp.Bool `json:"termsaccepted"`
	GPGKey        *string    `json:"gpgkey"`
	CertifPublic  *string    `json:"certif_public"`
	NidsSID       *misp.Int  `json:"nids_sid"`
	ServerID      *misp.Int  `json:"server_id"`
}

// userFields lists the optional fields of the user API descriptions.
var userFields = []string{"password", "nids_sid", "server_id", "gpgkey", "certif_public",
	"autoalert", "contactalert", "disabled", "change_pw", "termsaccepted"}

// Messages MISP gives for refused user writes.
const (
	msgRoleNotAssignable = "You are not authorised to assign that role to a user."
	msgEmailTaken        = "An account with this email address already exists."
)

// orgAdminMayAssign reports whether an org admin may give role to a user
// whose current role is currentRoleID (UsersController::admin_add,
// admin_edit): never a role with perm_site_admin, perm_sync or
// perm_regexp_access, unless it is the user's current one, and never a
// restricted_to_site_admin role, not even the current one.
func orgAdminMayAssign(role *misp.Role, currentRoleID int64) bool {
	if role.RestrictedToSiteAdmin {
		return false
	}
	privileged := role.SiteAdmin || role.Sync || role.RegexpAccess
	return !bool(privileged) || int64(role.ID) == currentRoleID
}

// emailInDomains applies an organisation's restricted_to_domain list to
// an e-mail address: it must end in "@domain" or ".domain". An empty list
// allows any address.
func emailInDomains(email string, domains []string) bool {
	if len(domains) == 0 {
		return true
	}
	for _, d := range domains {
		d = strings.ToLower(d)
		if len(email) > len(d) && strings.HasSuffix(email, d) {
			if c := email[len(email)-len(d)-1]; c == '@' || c == '.' {
				return true
			}
		}
	}
	return false
}

// domainFailure is the refusal of an e-mail outside org's domains.
func domainFailure(r *http.Request, name string, org *misp.Organisation) error {
	return httpserver.NewSaveFailure(r, name, map[string][]string{"email": {
		"Invalid e-mail domain. Your user is restricted to creating users for the following domain(s): " +
			strings.Join(org.RestrictedToDomain, ", "),
	}})
}

// passwordHash checks a client-chosen password against the password
// policy and hashes it.
func passwordHash(r *http.Request, name, password string) (string, error) {
	if err := auth.ValidatePassword(password); err != nil {
		return "", validationFailure(r, name, err)
	}
	h, err := auth.HashPassword(password)
	if err != nil {
		return "", validationFailure(r, name, err)
	}
	return h, nil
}

// addUser is POST /admin/users/add (perm_admin): {"User":{email,
// role_id, org_id, password, …}} or the bare user. role_id defaults to
// the default role; org admins always create users in their own
// organisation and may not assign privileged roles. Without a password a
// random one is set. A fresh auth key is created and its raw value shown
// once, in "authkey" (MISP with advanced auth keys).
//
// Deviation: MISP answers a role an org admin may not assign with a
// generic 500; Razmena answers 403 save failure {"role_id": […]}, which
// PyMISP reports like any other refusal instead of raising a server
// error.
func (a *API) addUser(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, isAdmin(actor)); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/admin/users/add",
			"POST a User object in JSON format to this API to create a new user.",
			[]string{"email", "org_id", "role_id"}, userFields)
		return nil
	}
	const fail = "Could not add User"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeModelBody(r, body, "User", fail, &in); err != nil {
		return err
	}
	ctx := r.Context()
	var role *misp.Role
	if in.RoleID == nil || *in.RoleID == 0 {
		role, err = a.st.Roles.FindDefaultRole(ctx)
		if errors.Is(err, misp.ErrNotFound) {
			return httpserver.NewSaveFailure(r, fail, map[string]string{"role_id": "Mandatory field not set."})
		}
		if err != nil {
			return err
		}
	}
	if in.Email == nil || strings.TrimSpace(*in.Email) == "" {
		return httpserver.NewSaveFailure(r, fail, map[string]string{"email": "Mandatory field not set."})
	}
	if role == nil {
		role, err = a.st.Roles.FindRoleByID(ctx, int64(*in.RoleID))
		if errors.Is(err, misp.ErrNotFound) {
			return httpserver.NewException(r, http.StatusMethodNotAllowed, "Invalid role")
		}
		if err != nil {
			return err
		}
	}
	orgID := actor.OrgID()
	if actor.SiteAdmin() && in.OrgID != nil && *in.OrgID != 0 {
		orgID = int64(*in.OrgID)
	}
	if !actor.SiteAdmin() && !orgAdminMayAssign(role, 0) {
		return httpserver.NewSaveFailure(r, fail, map[string][]string{"role_id": {msgRoleNotAssignable}})
	}
	org, err := a.st.Orgs.FindOrgByID(ctx, orgID)
	if errors.Is(err, misp.ErrNotFound) {
		return httpserver.NewSaveFailure(r, fail, []string{"Invalid organisation"})
	}
	if err != nil {
		return err
	}
	u := &misp.User{
		Email:     *in.Email,
		OrgID:     org.ID,
		RoleID:    role.ID,
		InviterID: misp.Int(actor.UserID()),
		ChangePw:  true,
	}
	if err := u.Validate(); err != nil {
		return validationFailure(r, fail, err)
	}
	if !actor.SiteAdmin() && !emailInDomains(u.Email, org.RestrictedToDomain) {
		return domainFailure(r, fail, org)
	}
	password := auth.GeneratePassword()
	if in.Password != nil && *in.Password != "" {
		password = *in.Password
	}
	if u.PasswordHash, err = passwordHash(r, fail, password); err != nil {
		return err
	}
	copyIfSet(&u.Disabled, in.Disabled)
	copyIfSet(&u.Autoalert, in.Autoalert)
	copyIfSet(&u.Contactalert, in.Contactalert)
	copyIfSet(&u.ChangePw, in.ChangePw)
	copyIfSet(&u.TermsAccepted, in.TermsAccepted)
	copyIfSet(&u.GPGKey, in.GPGKey)
	copyIfSet(&u.CertifPublic, in.CertifPublic)
	copyIfSet(&u.NidsSID, in.NidsSID)
	if role.Sync { // only sync users are bound to a server
		copyIfSet(&u.ServerID, in.ServerID)
	}
	if err := a.st.Users.CreateUser(ctx, u); err != nil {
		if errors.Is(err, misp.ErrConflict) {
			return httpserver.NewSaveFailure(r, fail, map[string][]string{"email": {msgEmailTaken}})
		}
		return validationFailure(r, fail, err)
	}
	raw := auth.GenerateKey()
	k := &misp.AuthKey{UserID: u.ID}
	if err := auth.NewAuthKey(k, raw); err != nil {
		return err
	}
	if err := a.st.AuthKeys.CreateAuthKey(ctx, k); err != nil {
		return err
	}
	out := editedUser(u)
	out.Authkey = raw
	httpserver.WriteJSON(w, r, http.StatusOK, struct {
		User userBlock `json:"User"`
	}{out})
	return nil
}

// editUser is POST|PUT /admin/users/edit/{id} (perm_admin): the fields
// present in the body change. Org admins edit the users of their own
// organisation but never site admins, cannot move users to another
// organisation (org_id is ignored, as in MISP) and cannot assign
// privileged roles (see orgAdminMayAssign). Answers {"User":{…}}.
//
// Deviation: a refused role is a 403 save failure, not MISP's 500.
func (a *API) editUser(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, isAdmin(actor)); err != nil {
		return err
	}
	target, _, err := a.findManagedUser(r, actor, r.PathValue("id"), true)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/admin/users/edit",
			"POST a User object in JSON format to this API to edit a user.",
			nil, append([]string{"email", "org_id", "role_id"}, userFields...))
		return nil
	}
	const fail = "Could not edit User"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeModelBody(r, body, "User", fail, &in); err != nil {
		return err
	}
	ctx := r.Context()
	upd := misp.UserUpdate{GPGKey: in.GPGKey}
	next := *target // the user as it will be, for validation
	if in.Email != nil {
		next.Email = *in.Email
	}
	if in.RoleID != nil {
		role, err := a.st.Roles.FindRoleByID(ctx, int64(*in.RoleID))
		switch {
		case errors.Is(err, misp.ErrNotFound) && actor.SiteAdmin():
			return httpserver.NewSaveFailure(r, fail, map[string][]string{"role_id": {"Invalid role."}})
		case errors.Is(err, misp.ErrNotFound):
			return httpserver.NewSaveFailure(r, fail, map[string][]string{"role_id": {msgRoleNotAssignable}})
		case err != nil:
			return err
		}
		if !actor.SiteAdmin() && !orgAdminMayAssign(role, int64(target.RoleID)) {
			return httpserver.NewSaveFailure(r, fail, map[string][]string{"role_id": {msgRoleNotAssignable}})
		}
		id := int64(role.ID)
		upd.RoleID = &id
		next.RoleID = role.ID
	}
	if actor.SiteAdmin() && in.OrgID != nil && *in.OrgID != target.OrgID {
		if _, err := a.st.Orgs.FindOrgByID(ctx, int64(*in.OrgID)); errors.Is(err, misp.ErrNotFound) {
			return httpserver.NewSaveFailure(r, fail, map[string][]string{"org_id": {"Invalid organisation."}})
		} else if err != nil {
			return err
		}
		id := int64(*in.OrgID)
		upd.OrgID = &id
		next.OrgID = *in.OrgID
	}
	if err := next.Validate(); err != nil {
		return validationFailure(r, fail, err)
	}
	if next.Email != target.Email {
		upd.Email = &next.Email
	}
	if !actor.SiteAdmin() {
		org, err := a.st.Orgs.FindOrgByID(ctx, int64(target.OrgID))
		if err != nil {
			return err
		}
		if !emailInDomains(next.Email, org.RestrictedToDomain) {
			return domainFailure(r, fail, org)
		}
	}
	if in.Password != nil && *in.Password != "" {
		h, err := passwordHash(r, fail, *in.Password)
		if err != nil {
			return err
		}
		upd.PasswordHash = &h
	}
	upd.Disabled = boolPtr(in.Disabled)
	upd.Autoalert = boolPtr(in.Autoalert)
	upd.Contactalert = boolPtr(in.Contactalert)
	upd.ChangePw = boolPtr(in.ChangePw)
	upd.TermsAccepted = boolPtr(in.TermsAccepted)
	if in.NidsSID != nil {
		n := int64(*in.NidsSID)
		upd.NidsSID = &n
	}
	u, err := a.st.Users.UpdateUser(ctx, int64(target.ID), upd)
	switch {
	case errors.Is(err, misp.ErrConflict):
		return httpserver.NewSaveFailure(r, fail, map[string][]string{"email": {msgEmailTaken}})
	case errors.Is(err, misp.ErrNotFound):
		return httpserver.NewException(r, http.StatusNotFound, "Invalid user")
	case err != nil:
		return validationFailure(r, fail, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, struct {
		User userBlock `json:"User"`
	}{editedUser(u)})
	return nil
}

// boolPtr converts an optional wire boolean to a store update field.
func boolPtr(b *misp.Bool) *bool {
	if b == nil {
		return nil
	}
	v := bool(*b)
	return &v
}
