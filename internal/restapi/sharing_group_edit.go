package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// This file creates and updates sharing groups from what a request says
// of them: the bodies of sharing_groups/add and /edit, and the nested
// SharingGroup objects MISP peers push with their events
// (SharingGroup::captureSG, misp-sync-and-feeds §7).

// sgFailName is the save-failure name of sharing_groups/add and /edit:
// MISP answers both as the add action.
const sgFailName = "Could not add SharingGroup"

// sgSaveFail is the 403 save failure of sharing_groups/add and /edit.
func sgSaveFail(r *http.Request, errs any) error {
	return saveFail(r, sgFailName, "/sharing_groups/add", errs, "")
}

const sgNotSaved = "Could not save sharing group."

// sharingGroupAdd is POST /sharing_groups/add (perm_sharing_group):
// creates a group from {"SharingGroup": {name, releasability,
// description, uuid?, active?, roaming?, SharingGroupOrg: [{extend,
// Organisation: {uuid, name}} or {extend, org_id}], SharingGroupServer:
// [{all_orgs, Server: {url}} or {all_orgs, server_id}]}} and answers it as
// sharing_groups/view does.
//
// As MISP's captureSG: a user who is not a site admin must list its own
// organisation (by uuid, or org_id) with extend — a sync user merely
// listed, or this instance with all_orgs — and, if servers are listed,
// this instance (server_id 0 or the base URL); otherwise 403 "Could not
// save sharing group.". The group is stored with local false,
// sync_user_id the creating user, the user's organisation as owner (a
// sync user's: the group's Organisation), active unless the body says
// otherwise. Organisations unknown by uuid (or name) are created as
// non-local ones; servers other than this instance are dropped, as no
// other server exists yet. Without servers and not roaming, this instance
// is added (all_orgs false). A name already taken gets a numeric suffix,
// as MISP appends a random one.
//
// Deviation: a uuid that names an existing group updates it when the
// actor may extend it (as sharing_groups/edit does) and is refused
// otherwise; MISP would answer the existing group unchanged.
func (a *API) sharingGroupAdd(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SharingGroup); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/sharing_groups/add", "POST a Sharing Group object in JSON format to this API to add a Sharing Group.",
			[]string{"name", "releasability"}, []string{"description", "uuid", "organisation_uuid", "active", "created", "modified", "roaming", "Server", "Organisation"}, nil)
	}
	ctx := r.Context()
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if emptyBody(body) {
		return sgSaveFail(r, sgNotSaved)
	}
	in, err := mispjson.DecodeSharingGroup(body)
	if err != nil {
		return decodeFailure(r, sgFailName, err)
	}
	if u := in.Group.UUID; u != "" {
		existing, err := a.st.SharingGroups.FindSharingGroupByUUID(ctx, actor, u)
		switch {
		case err == nil:
			if !existing.CanExtend(actor) {
				return sgSaveFail(r, sgNotSaved)
			}
			return a.applySharingGroupEdit(w, r, actor, existing, in)
		case !errors.Is(err, misp.ErrNotFound):
			return fmt.Errorf("find sharing group: %w", err)
		}
	}
	if !a.mayCreateSharingGroup(actor, in) {
		return sgSaveFail(r, sgNotSaved)
	}
	g, err := a.newSharingGroup(ctx, actor, in)
	if err != nil {
		return sgWriteFailure(r, err)
	}
	if len(in.Servers) == 0 && !g.Roaming {
		g.SharingGroupServer = append(g.SharingGroupServer, &misp.SharingGroupServer{ServerID: misp.LocalServerID})
	}
	if err := a.createSharingGroup(ctx, g); err != nil {
		return sgWriteFailure(r, err)
	}
	return a.writeStoredSharingGroup(w, r, actor, g)
}

// sharingGroupEdit is POST|PUT /sharing_groups/edit/{id|uuid}
// (perm_sharing_group, and SharingGroup::checkIfAuthorisedExtend: a site
// admin, or the owner organisation, a member with extend, or the sync user
// that created it — else 405 "Action not allowed."), with the body of
// sharing_groups/add. The fields present (name, releasability,
// description, roaming, active) replace the stored ones; listed
// organisations and servers are added, or have their extend / all_orgs
// updated; nothing is removed (use removeOrg, removeServer). A body whose
// modified is not newer than the stored one changes nothing. A missing
// group, or one the actor may not view, is 404 "Invalid sharing group.".
//
// Deviation: MISP 2.5.1 applies REST edits only for site admins and sync
// users (a bug in SharingGroup::captureSGExisting, misp-access-control
// §8.2) and never changes active; Razmena applies the documented rule and
// takes active too.
func (a *API) sharingGroupEdit(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SharingGroup); err != nil {
		return err
	}
	g, err := a.findSharingGroup(r.Context(), actor, r.PathValue("id"))
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid sharing group.")
	}
	if err != nil {
		return fmt.Errorf("find sharing group: %w", err)
	}
	if !g.CanExtend(actor) {
		return exception(r, http.StatusMethodNotAllowed, "Action not allowed.")
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/sharing_groups/edit", "POST a Sharing Group object in JSON format to this API to edit a Sharing Group.",
			nil, []string{"name", "releasability", "description", "active", "roaming", "SharingGroupOrg", "SharingGroupServer"}, []string{"sharing_group_id"})
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if emptyBody(body) {
		return sgSaveFail(r, sgNotSaved)
	}
	in, err := mispjson.DecodeSharingGroup(body)
	if err != nil {
		return decodeFailure(r, sgFailName, err)
	}
	return a.applySharingGroupEdit(w, r, actor, g, in)
}

// applySharingGroupEdit updates g from in, with active, and answers it.
func (a *API) applySharingGroupEdit(w http.ResponseWriter, r *http.Request, actor *misp.Actor, g *misp.SharingGroup, in *mispjson.SharingGroupInput) error {
	if err := a.updateSharingGroup(r.Context(), g, in, true); err != nil {
		return sgWriteFailure(r, err)
	}
	return a.writeStoredSharingGroup(w, r, actor, g)
}

// sgWriteFailure maps the error of a sharing-group write: invalid input
// and a taken name are save failures listing the fields, anything else is
// an internal error.
func sgWriteFailure(r *http.Request, err error) error {
	var ve *misp.ValidationError
	switch {
	case errors.As(err, &ve):
		return sgSaveFail(r, ve.Fields)
	case errors.Is(err, misp.ErrConflict):
		return sgSaveFail(r, map[string][]string{"name": {"A sharing group with this name already exists."}})
	case errors.Is(err, misp.ErrInvalid):
		return sgSaveFail(r, sgNotSaved)
	}
	return fmt.Errorf("save sharing group: %w", err)
}

// writeStoredSharingGroup answers with the stored state of g.
func (a *API) writeStoredSharingGroup(w http.ResponseWriter, r *http.Request, actor *misp.Actor, g *misp.SharingGroup) error {
	stored, err := a.st.SharingGroups.FindSharingGroupByID(r.Context(), actor, int64(g.ID))
	if err != nil {
		return fmt.Errorf("read back sharing group %d: %w", g.ID, err)
	}
	a.writeSharingGroup(w, r, stored)
	return nil
}

// mayCreateSharingGroup is SharingGroup::checkIfAuthorisedToSave for a
// group that does not exist yet.
func (a *API) mayCreateSharingGroup(actor *misp.Actor, in *mispjson.SharingGroupInput) bool {
	if actor.SiteAdmin() {
		return true
	}
	if !actor.Perms.SharingGroup {
		return false
	}
	sync := bool(actor.Perms.Sync)
	orgOK := false
	for _, o := range in.Orgs {
		if a.namesActorOrg(actor, o) && (o.Extend || sync) {
			orgOK = true
		}
	}
	serverOK := len(in.Servers) == 0
	for _, s := range in.Servers {
		if a.isLocalServer(s) {
			serverOK = true
			if sync && s.AllOrgs {
				orgOK = true
			}
		}
	}
	return orgOK && serverOK
}

// namesActorOrg reports whether an organisation entry names the actor's
// organisation: by uuid, as MISP compares, or by org_id when it has none.
func (a *API) namesActorOrg(actor *misp.Actor, o *mispjson.SharingGroupOrgInput) bool {
	if o.UUID != "" {
		return actor.Org != nil && misp.NormalizeUUID(o.UUID) == misp.NormalizeUUID(actor.Org.UUID)
	}
	return o.Name == "" && o.OrgID == actor.OrgID()
}

// isLocalServer reports whether a server entry names this instance: by
// URL, as MISP's captureServer matches (the configured base URL), or by
// server_id 0 when it has no URL.
func (a *API) isLocalServer(s *mispjson.SharingGroupServerInput) bool {
	if s.URL != "" {
		return strings.EqualFold(strings.TrimRight(strings.TrimSpace(s.URL), "/"), a.cfg.BaseURL)
	}
	return s.HasServerID && s.ServerID == misp.LocalServerID
}

// newSharingGroup builds a new group from in for actor (not yet stored):
// own fields with MISP's defaults, owner, members. Unknown organisations
// are created.
func (a *API) newSharingGroup(ctx context.Context, actor *misp.Actor, in *mispjson.SharingGroupInput) (*misp.SharingGroup, error) {
	src := in.Group
	g := &misp.SharingGroup{
		UUID: src.UUID, Name: src.Name, Description: src.Description, Releasability: src.Releasability,
		Active: true, Roaming: src.Roaming, Local: false, SyncUserID: misp.Int(actor.UserID()),
	}
	if in.Has("active") {
		g.Active = src.Active
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	orgs, err := a.resolveSharingGroupOrgs(ctx, in.Orgs)
	if err != nil {
		return nil, err
	}
	g.SharingGroupOrg = orgs
	g.SharingGroupServer = a.resolveSharingGroupServers(in.Servers)
	owner, err := a.sharingGroupOwner(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	g.OrgID, g.OrganisationUUID = owner.ID, owner.UUID
	return g, nil
}

// sharingGroupOwner is the owner organisation of a group in created by
// actor: its own organisation, except for a sync user, whose groups
// belong to the organisation the group names (its Organisation block, or
// the member whose uuid is organisation_uuid;
// SharingGroup::__retrieveOrgIdFromCapturedSG).
func (a *API) sharingGroupOwner(ctx context.Context, actor *misp.Actor, in *mispjson.SharingGroupInput) (*misp.Organisation, error) {
	own := func() (*misp.Organisation, error) {
		if actor.Org != nil {
			return actor.Org, nil
		}
		return a.st.Orgs.FindOrgByID(ctx, actor.OrgID())
	}
	if !actor.Perms.Sync {
		return own()
	}
	if o := in.Owner; o != nil && (o.UUID != "" || o.Name != "") {
		return a.captureOrg(ctx, o.UUID, o.Name)
	}
	if u := misp.NormalizeUUID(in.Group.OrganisationUUID); u != "" {
		for _, o := range in.Orgs {
			if misp.NormalizeUUID(o.UUID) == u {
				return a.captureOrg(ctx, o.UUID, o.Name)
			}
		}
	}
	return own()
}

// captureOrg is Organisation::captureOrg: the organisation with this uuid
// (when given, with no fallback to the name) or else this name, created
// as a non-local organisation when unknown.
func (a *API) captureOrg(ctx context.Context, uuid, name string) (*misp.Organisation, error) {
	var o *misp.Organisation
	var err error
	if uuid != "" {
		if !misp.IsUUID(uuid) {
			return nil, misp.Invalidf("SharingGroupOrg", "Invalid organisation uuid %q.", uuid)
		}
		o, err = a.st.Orgs.FindOrgByUUID(ctx, misp.NormalizeUUID(uuid))
	} else {
		o, err = a.st.Orgs.FindOrgByName(ctx, name)
	}
	if errors.Is(err, misp.ErrNotFound) {
		o, err = a.createRemoteOrg(ctx, strings.TrimSpace(name), misp.NormalizeUUID(uuid))
	}
	if err != nil {
		return nil, fmt.Errorf("capture organisation %s%s: %w", uuid, name, err)
	}
	return o, nil
}

// resolveSharingGroupOrgs turns organisation entries into members: by
// uuid or name as captureOrg does, or by org_id, which must exist. An
// organisation listed twice is a member once, extending if any entry says
// so.
func (a *API) resolveSharingGroupOrgs(ctx context.Context, in []*mispjson.SharingGroupOrgInput) ([]*misp.SharingGroupOrg, error) {
	var out []*misp.SharingGroupOrg
	seen := map[misp.Int]*misp.SharingGroupOrg{}
	for _, e := range in {
		var o *misp.Organisation
		var err error
		switch {
		case e.UUID != "" || strings.TrimSpace(e.Name) != "":
			o, err = a.captureOrg(ctx, e.UUID, e.Name)
		case e.OrgID > 0:
			o, err = a.st.Orgs.FindOrgByID(ctx, e.OrgID)
			if errors.Is(err, misp.ErrNotFound) {
				err = misp.Invalidf("SharingGroupOrg", "Invalid organisation %d.", e.OrgID)
			}
		default:
			err = misp.Invalidf("SharingGroupOrg", "An organisation needs a uuid, a name or an org_id.")
		}
		if err != nil {
			return nil, err
		}
		if m, ok := seen[o.ID]; ok {
			m.Extend = m.Extend || misp.Bool(e.Extend)
			continue
		}
		m := &misp.SharingGroupOrg{OrgID: o.ID, Extend: misp.Bool(e.Extend)}
		seen[o.ID] = m
		out = append(out, m)
	}
	return out, nil
}

// resolveSharingGroupServers turns server entries into members: this
// instance becomes server 0; other servers are dropped, as MISP's
// captureServer drops unknown ones (no other server exists yet).
func (a *API) resolveSharingGroupServers(in []*mispjson.SharingGroupServerInput) []*misp.SharingGroupServer {
	var local *misp.SharingGroupServer
	for _, s := range in {
		if !a.isLocalServer(s) {
			continue
		}
		if local == nil {
			local = &misp.SharingGroupServer{ServerID: misp.LocalServerID}
		}
		local.AllOrgs = local.AllOrgs || misp.Bool(s.AllOrgs)
	}
	if local == nil {
		return nil
	}
	return []*misp.SharingGroupServer{local}
}

// createSharingGroup stores g, appending "_2", "_3", … to a name that is
// taken (MISP appends a random number).
func (a *API) createSharingGroup(ctx context.Context, g *misp.SharingGroup) error {
	base := g.Name
	for i := 1; ; i++ {
		err := a.st.SharingGroups.CreateSharingGroup(ctx, g)
		if err == nil || !errors.Is(err, misp.ErrConflict) || i >= 10 {
			return err
		}
		g.Name = fmt.Sprintf("%s_%d", base, i+1)
	}
}

// updateSharingGroup applies in to the stored group g: the own fields
// present (active only when withActive), then the listed members. A body
// whose modified is not newer than the stored one changes nothing. g is
// updated in place.
func (a *API) updateSharingGroup(ctx context.Context, g *misp.SharingGroup, in *mispjson.SharingGroupInput, withActive bool) error {
	if in.Has("modified") && in.Group.Modified != 0 && in.Group.Modified <= g.Modified {
		return nil
	}
	src := in.Group
	if in.Has("name") {
		g.Name = src.Name
	}
	if in.Has("releasability") {
		g.Releasability = src.Releasability
	}
	if in.Has("description") {
		g.Description = src.Description
	}
	if in.Has("roaming") {
		g.Roaming = src.Roaming
	}
	if withActive && in.Has("active") {
		g.Active = src.Active
	}
	if err := g.Validate(); err != nil {
		return err
	}
	orgs, err := a.resolveSharingGroupOrgs(ctx, in.Orgs)
	if err != nil {
		return err
	}
	// The group's fields and the listed members change together or not at
	// all; members not listed are kept.
	g.SharingGroupOrg = orgs
	g.SharingGroupServer = a.resolveSharingGroupServers(in.Servers)
	return a.st.SharingGroups.UpdateSharingGroup(ctx, g)
}

// captureSharingGroup is SharingGroup::captureSG for the SharingGroup
// object a sync user nests in an event, attribute or object: the local id
// of the group, or 0 when it may not be used (the caller then saves the
// element with distribution 0 or drops it).
//
//   - A group the sync user may view (CanView) is used; its own fields and
//     members are updated from in when the incoming modified is newer (or
//     absent) and the group was not created on this instance (local false)
//     and the user may extend it (CanExtend: typically the sync user that
//     captured it), or the user is a site admin. Members are added, never
//     removed.
//   - An unknown uuid is created when mayCreateSharingGroup allows it
//     (perm_sharing_group; the sync user's organisation listed, or this
//     instance listed with all_orgs; this instance among the servers if
//     any are listed), owned by the organisation the group names.
//   - Then, if the user's organisation is not a member and this instance
//     is not listed with all_orgs, it is added as a member without extend
//     (SharingGroup::captureCreatorOrg).
//
// Deviations: MISP lets a sync user capture an existing group it may not
// view (and then joins its organisation to it), and update any non-local
// group it captures; Razmena refuses the first and requires CanExtend for
// the second, so that pushing data cannot enrol an organisation in, or
// rewrite, someone else's group.
func (a *API) captureSharingGroup(ctx context.Context, actor *misp.Actor, in *mispjson.SharingGroupInput) (int64, error) {
	uuid := misp.NormalizeUUID(in.Group.UUID)
	if !misp.IsUUID(uuid) {
		return 0, nil
	}
	g, err := a.st.SharingGroups.FindSharingGroupByUUID(ctx, actor, uuid)
	switch {
	case err == nil:
		if (bool(actor.Perms.Sync) && !bool(g.Local) && g.CanExtend(actor)) || actor.SiteAdmin() {
			if err := a.updateSharingGroup(ctx, g, in, false); err != nil {
				return 0, captureFailure(err)
			}
		}
	case errors.Is(err, misp.ErrNotFound):
		if !a.mayCreateSharingGroup(actor, in) {
			return 0, nil
		}
		g, err = a.newSharingGroup(ctx, actor, in)
		if err == nil {
			err = a.createSharingGroup(ctx, g)
		}
		if err != nil {
			return 0, captureFailure(err)
		}
	default:
		return 0, fmt.Errorf("capture sharing group %s: %w", uuid, err)
	}
	g, err = a.st.SharingGroups.FindSharingGroupByID(ctx, actor, int64(g.ID))
	if errors.Is(err, misp.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read back sharing group %s: %w", uuid, err)
	}
	if !g.HasOrg(actor.OrgID()) && !g.LocalAllOrgs() {
		if err := a.st.SharingGroups.AddSharingGroupOrg(ctx, int64(g.ID), actor.OrgID(), false); err != nil {
			return 0, fmt.Errorf("add the capturing organisation to sharing group %s: %w", uuid, err)
		}
	}
	return int64(g.ID), nil
}

// captureFailure turns an error of a capture into "not captured" (0, nil)
// when it is about the input (an invalid or conflicting group), and keeps
// it otherwise.
func captureFailure(err error) error {
	if errors.Is(err, misp.ErrInvalid) || errors.Is(err, misp.ErrConflict) {
		return nil
	}
	return err
}
