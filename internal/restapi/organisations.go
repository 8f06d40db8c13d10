package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerOrganisations adds the organisation endpoints (misp-rest-api
// §3.7, misp-access-control §8.1): every user may list and view
// organisations; adding, editing and deleting them is for site admins.
func (a *API) registerOrganisations(mux *http.ServeMux) {
	a.route(mux, "GET", "/organisations", a.listOrgs)
	a.route(mux, "GET", "/organisations/index", a.listOrgs)
	// GET patterns also match HEAD, which PyMISP's organisation_exists
	// sends; WriteJSON leaves the body out.
	a.route(mux, "GET", "/organisations/view/{id}", a.viewOrg)
	a.route(mux, "GET POST", "/admin/organisations/add", a.addOrg)
	a.route(mux, "GET POST PUT", "/admin/organisations/edit/{id}", a.editOrg)
	a.route(mux, "GET POST DELETE", "/admin/organisations/delete/{id}", a.deleteOrg)
}

// orgBlock is an organisation as organisations/index and /view render it.
// created_by is only shown to site admins and to admins of that
// organisation, who also get created_by_email.
type orgBlock struct {
	*misp.Organisation
	// CreatedBy shadows misp.Organisation's created_by so that it can be
	// left out.
	CreatedBy      *misp.Int `json:"created_by,omitempty"`
	CreatedByEmail string    `json:"created_by_email,omitempty"`
}

// orgEntry wraps an organisation in its model: {"Organisation":{…}}.
type orgEntry struct {
	Organisation any `json:"Organisation"`
}

// orgNotFound is MISP's answer for an unknown (or invisible) organisation.
func orgNotFound(r *http.Request) error {
	return httpserver.NewException(r, http.StatusNotFound, "Invalid organisation")
}

// listOrgs is GET /organisations/index[/scope:local|external|all]
// [/searchall:term]: [{"Organisation":{…,"user_count"}}], ordered by name.
func (a *API) listOrgs(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	named := Named(r)
	scope := named.Get("scope")
	if scope != "all" && scope != "external" {
		scope = "local"
	}
	orgs, err := a.st.Orgs.FindOrgs(r.Context(), misp.OrgFilter{Scope: scope})
	if err != nil {
		return err
	}
	term := ""
	for _, k := range []string{"searchall", "all", "quickFilter"} {
		if v := named.Get(k); v != "" {
			term = strings.ToLower(v)
			break
		}
	}
	emails := map[int64]string{}
	out := make([]orgEntry, 0, len(orgs))
	for _, o := range orgs {
		if term != "" && !orgMatches(o, term) {
			continue
		}
		b := orgBlock{Organisation: o}
		if actor.SiteAdmin() {
			cb := o.CreatedBy
			b.CreatedBy = &cb
			email, ok := emails[int64(cb)]
			if !ok {
				email, err = a.userEmail(r, int64(cb))
				if err != nil {
					return err
				}
				emails[int64(cb)] = email
			}
			b.CreatedByEmail = email
		}
		out = append(out, orgEntry{Organisation: b})
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// orgMatches is MISP's index "searchall": a case-insensitive substring of
// any of the descriptive fields.
func orgMatches(o *misp.Organisation, term string) bool {
	fields := []string{o.Name, o.Description, o.Nationality, o.Sector, o.Type, o.Contacts, o.UUID,
		strings.Join(o.RestrictedToDomain, "\n")}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), term) {
			return true
		}
	}
	return false
}

// userEmail returns the e-mail of user id, or "Unknown" when there is none
// (OrganisationsController::index).
func (a *API) userEmail(r *http.Request, id int64) (string, error) {
	u, err := a.st.Users.FindUserByID(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return "Unknown", nil
	}
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// findOrg resolves an organisation path parameter: an id, a UUID, or (if
// byName) a name, in which "+" stands for a space, as CakePHP's urldecode
// reads it (PyMISP writes spaces in paths as "+").
func (a *API) findOrg(r *http.Request, s string, byName bool) (*misp.Organisation, error) {
	var o *misp.Organisation
	var err error
	ref, ok := parseRef(s)
	switch {
	case ok && ref.UUID != "":
		o, err = a.st.Orgs.FindOrgByUUID(r.Context(), ref.UUID)
	case ok:
		o, err = a.st.Orgs.FindOrgByID(r.Context(), ref.ID)
	case byName && strings.TrimSpace(s) != "":
		o, err = a.st.Orgs.FindOrgByName(r.Context(), strings.ReplaceAll(s, "+", " "))
	default:
		return nil, orgNotFound(r)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return nil, orgNotFound(r)
	}
	return o, err
}

// viewOrg is GET|HEAD /organisations/view/{id|uuid|name}:
// {"Organisation":{…,"user_count"}}, 404 when there is none.
func (a *API) viewOrg(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	o, err := a.findOrg(r, r.PathValue("id"), true)
	if err != nil {
		return err
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if o.UserCount == nil {
		users, err := a.st.Users.FindUsers(r.Context(), misp.UserFilter{OrgID: int64(o.ID)})
		if err != nil {
			return err
		}
		n := misp.Int(len(users))
		o.UserCount = &n
	}
	b := orgBlock{Organisation: o}
	if actor.SiteAdmin() || (bool(actor.Perms.Admin) && actor.OrgID() == int64(o.ID)) {
		cb := o.CreatedBy
		b.CreatedBy = &cb
		if u, err := a.st.Users.FindUserByID(r.Context(), int64(cb)); err == nil {
			b.CreatedByEmail = u.Email
		} else if !errors.Is(err, misp.ErrNotFound) {
			return err
		}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, orgEntry{Organisation: b})
	return nil
}

// orgInput holds the organisation fields a client may send; nil means
// absent.
type orgInput struct {
	Name               *string     `json:"name"`
	UUID               *string     `json:"uuid"`
	Local              *misp.Bool  `json:"local"`
	Description        *string     `json:"description"`
	Type               *string     `json:"type"`
	Nationality        *string     `json:"nationality"`
	Sector             *string     `json:"sector"`
	Contacts           *string     `json:"contacts"`
	LandingPage        *string     `json:"landingpage"`
	RestrictedToDomain *domainList `json:"restricted_to_domain"`
}

// domainList is restricted_to_domain as MISP accepts it: a list, or a
// string of one domain per line (Organisation::beforeValidate). Blank
// entries are dropped.
type domainList []string

// UnmarshalJSON accepts a list of strings, a newline-separated string or null.
func (d *domainList) UnmarshalJSON(b []byte) error {
	var items []string
	var s *string
	if err := json.Unmarshal(b, &s); err == nil {
		if s != nil {
			items = strings.Split(strings.ReplaceAll(*s, "\r", ""), "\n")
		}
	} else if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("restricted_to_domain: expected a list of domains or a string")
	}
	out := []string{}
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	*d = out
	return nil
}

// Messages of Organisation::$validate for taken names and UUIDs.
const (
	msgOrgNameTaken = "An organisation with this name already exists."
	msgOrgUUIDTaken = "An organisation with this UUID already exists."
)

// addOrg is POST /admin/organisations/add (site admin): the organisation,
// bare or wrapped, with a mandatory name; local defaults to true. Answers
// {"Organisation":{…}}; a missing or taken name or UUID is a 403 save
// failure and stores nothing.
func (a *API) addOrg(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/admin/organisations/add",
			"POST an Organisation object in JSON format to this API to create a new organsiation.",
			[]string{"name"}, []string{"description", "type", "nationality", "sector", "uuid", "contacts", "local"})
		return nil
	}
	const fail = "Could not add Organisation"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in orgInput
	if err := decodeModelBody(r, body, "Organisation", fail, &in); err != nil {
		return err
	}
	o := &misp.Organisation{Local: true, CreatedBy: misp.Int(actor.UserID())}
	copyIfSet(&o.Name, in.Name)
	copyIfSet(&o.UUID, in.UUID)
	copyIfSet(&o.Description, in.Description)
	copyIfSet(&o.Type, in.Type)
	copyIfSet(&o.Nationality, in.Nationality)
	copyIfSet(&o.Sector, in.Sector)
	copyIfSet(&o.Contacts, in.Contacts)
	copyIfSet(&o.LandingPage, in.LandingPage)
	if in.Local != nil {
		o.Local = *in.Local
	}
	if in.RestrictedToDomain != nil {
		o.RestrictedToDomain = *in.RestrictedToDomain
	}
	if err := o.Validate(); err != nil {
		return validationFailure(r, fail, err)
	}
	ve := &misp.ValidationError{}
	if _, err := a.st.Orgs.FindOrgByName(r.Context(), o.Name); err == nil {
		ve.Add("name", msgOrgNameTaken)
	} else if !errors.Is(err, misp.ErrNotFound) {
		return err
	}
	if o.UUID != "" {
		if _, err := a.st.Orgs.FindOrgByUUID(r.Context(), o.UUID); err == nil {
			ve.Add("uuid", msgOrgUUIDTaken)
		} else if !errors.Is(err, misp.ErrNotFound) {
			return err
		}
	}
	if !ve.Empty() {
		return httpserver.NewSaveFailure(r, fail, ve.Fields)
	}
	if err := a.st.Orgs.CreateOrg(r.Context(), o); err != nil {
		if errors.Is(err, misp.ErrConflict) { // lost a race with another add
			return httpserver.NewSaveFailure(r, fail, map[string][]string{"name": {msgOrgNameTaken}})
		}
		return validationFailure(r, fail, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, orgEntry{Organisation: o})
	return nil
}

// editOrg is POST|PUT /admin/organisations/edit/{id|uuid} (site admin).
// Only the fields present in the body change (MISP's changeFields plus
// landingpage).
//
// Deviation: MISP lets a site admin change an organisation's UUID here;
// Razmena refuses a different UUID (403 save failure), because the UUID
// is the organisation's identity across instances. Sending the current
// UUID, as PyMISP's update_organisation does, is fine.
func (a *API) editOrg(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	o, err := a.findOrg(r, r.PathValue("id"), false)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		writeAPIDescription(w, r, "/admin/organisations/edit",
			"POST an Organisation object in JSON format to this API to create a new organsiation.",
			[]string{"name"}, []string{"description", "type", "nationality", "sector", "uuid", "contacts", "local"})
		return nil
	}
	const fail = "Could not edit Organisation"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in orgInput
	if err := decodeModelBody(r, body, "Organisation", fail, &in); err != nil {
		return err
	}
	ve := &misp.ValidationError{}
	upd := misp.OrgUpdate{
		Description: in.Description, Type: in.Type, Nationality: in.Nationality,
		Sector: in.Sector, Contacts: in.Contacts, LandingPage: in.LandingPage,
	}
	if in.Name != nil {
		check := misp.Organisation{Name: *in.Name}
		if err := check.Validate(); err != nil {
			return validationFailure(r, fail, err)
		}
		if other, err := a.st.Orgs.FindOrgByName(r.Context(), check.Name); err == nil && other.ID != o.ID {
			ve.Add("name", msgOrgNameTaken)
		} else if err != nil && !errors.Is(err, misp.ErrNotFound) {
			return err
		}
		upd.Name = &check.Name
	}
	if in.UUID != nil && strings.TrimSpace(*in.UUID) != "" && misp.NormalizeUUID(*in.UUID) != o.UUID {
		ve.Add("uuid", "The UUID of an organisation cannot be changed.")
	}
	if !ve.Empty() {
		return httpserver.NewSaveFailure(r, fail, ve.Fields)
	}
	if in.Local != nil {
		local := bool(*in.Local)
		upd.Local = &local
	}
	if in.RestrictedToDomain != nil {
		d := []string(*in.RestrictedToDomain)
		upd.RestrictedToDomain = &d
	}
	o, err = a.st.Orgs.UpdateOrg(r.Context(), int64(o.ID), upd)
	if errors.Is(err, misp.ErrConflict) {
		return httpserver.NewSaveFailure(r, fail, map[string][]string{"name": {msgOrgNameTaken}})
	}
	if errors.Is(err, misp.ErrNotFound) {
		return orgNotFound(r)
	}
	if err != nil {
		return validationFailure(r, fail, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, orgEntry{Organisation: o})
	return nil
}

// deleteOrg is POST|DELETE /admin/organisations/delete/{id|uuid} (site
// admin). An organisation that still has users, or owns or created
// events, is kept: 403 save failure (MISP's beforeDelete refusal, which it
// reports with an empty error list; Razmena says why).
func (a *API) deleteOrg(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		return httpserver.NewException(r, http.StatusMethodNotAllowed, "Action not allowed, post or delete request expected.")
	}
	o, err := a.findOrg(r, r.PathValue("id"), false)
	if err != nil {
		return err
	}
	err = a.st.Orgs.DeleteOrg(r.Context(), int64(o.ID))
	if errors.Is(err, misp.ErrConflict) {
		return httpserver.NewSaveFailure(r, "Could not delete Organisation",
			"The organisation still has users or events. Move or delete them first.")
	}
	if errors.Is(err, misp.ErrNotFound) {
		return orgNotFound(r)
	}
	if err != nil {
		return err
	}
	writeSaveSuccess(w, r, "Organisation deleted", int64(o.ID))
	return nil
}

// copyIfSet copies *src into *dst when src is set.
func copyIfSet[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
