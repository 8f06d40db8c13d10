package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// The quick member edits of a sharing group: POST /sharing_groups/addOrg,
// /removeOrg, /addServer and /removeServer, with the group, the member and
// the flag either positional (/addOrg/{sg}/{org}/{extend}) or in a JSON
// body as PyMISP sends them ({"sg_id", "org_id", "extend"}, {"sg_id",
// "server_id", "all_orgs"}). All need perm_sharing_group and the right to
// extend the group (CanExtend); a group the actor may not view or extend
// is 405 "Invalid sharing group or no editing rights.".

// memberRequest is what a quick member edit names.
type memberRequest struct {
	sg, member string
	flag       bool
}

// parseMemberRequest reads the positional parameters, then the body keys
// (sg_id|sg_uuid|id|uuid, one of memberKeys, and one of flagKeys), which
// take precedence as in SharingGroupsController. As PHP's empty() skips
// them, "0" and "" values name nothing — except for servers, where 0 is
// this instance (allowZero).
func parseMemberRequest(r *http.Request, memberKeys, flagKeys []string, allowZero bool) (memberRequest, error) {
	var req memberRequest
	pos := Named(r)[""]
	if len(pos) > 0 {
		req.sg = pos[0]
	}
	if len(pos) > 1 {
		req.member = pos[1]
	}
	if len(pos) > 2 {
		req.flag = phpTruthy(pos[2])
	}
	body, err := readBody(r)
	if err != nil {
		return req, err
	}
	if emptyBody(body) {
		return req, nil
	}
	var in map[string]any
	if err := decodeJSON(r, body, &in); err != nil {
		return req, err
	}
	first := func(keys []string, zeroOK bool) string {
		for _, k := range keys {
			if v, ok := in[k]; ok {
				s := strings.TrimSpace(phpString(v))
				if s != "" && (s != "0" || zeroOK) {
					return s
				}
			}
		}
		return ""
	}
	if req.sg == "" {
		req.sg = first([]string{"sg_id", "sg_uuid", "id", "uuid"}, false)
	}
	if req.member == "" {
		req.member = first(memberKeys, allowZero)
	}
	for _, k := range flagKeys {
		if v, ok := in[k]; ok {
			req.flag = phpTruthy(phpString(v))
		}
	}
	return req, nil
}

// extendableSharingGroup resolves the group of a quick member edit.
func (a *API) extendableSharingGroup(r *http.Request, actor *misp.Actor, s string) (*misp.SharingGroup, error) {
	if s == "" {
		return nil, exception(r, http.StatusMethodNotAllowed, "No valid sharing group ID provided.")
	}
	g, err := a.findSharingGroup(r.Context(), actor, s)
	if err != nil && !errors.Is(err, misp.ErrNotFound) {
		return nil, fmt.Errorf("find sharing group: %w", err)
	}
	if err != nil || !g.CanExtend(actor) {
		return nil, exception(r, http.StatusMethodNotAllowed, "Invalid sharing group or no editing rights.")
	}
	return g, nil
}

// memberOrg resolves an organisation parameter as Organisation::fetchOrg
// does: a uuid, an id, or else a name ("+" standing for a space in a
// path). 405 "Invalid organisation." when there is none.
func (a *API) memberOrg(ctx context.Context, r *http.Request, s string) (*misp.Organisation, error) {
	var o *misp.Organisation
	err := misp.ErrNotFound
	if ref, ok := parseRef(s); ok {
		if ref.UUID != "" {
			o, err = a.st.Orgs.FindOrgByUUID(ctx, ref.UUID)
		} else {
			o, err = a.st.Orgs.FindOrgByID(ctx, ref.ID)
		}
	} else if name := strings.TrimSpace(strings.ReplaceAll(s, "+", " ")); name != "" {
		o, err = a.st.Orgs.FindOrgByName(ctx, name)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return nil, exception(r, http.StatusMethodNotAllowed, "Invalid organisation.")
	}
	if err != nil {
		return nil, fmt.Errorf("find organisation: %w", err)
	}
	return o, nil
}

// memberServer resolves a server parameter: 0, or this instance's base
// URL, is this instance; no other server exists yet, so anything else is
// 405 "Invalid Server.".
//
// Deviation: MISP's fetchServer takes 0 for "no server" and answers 405,
// so its quick edits cannot add this instance; Razmena takes 0 for this
// instance, as everywhere else in sharing groups.
func (a *API) memberServer(r *http.Request, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "0" || (s != "" && strings.EqualFold(strings.TrimRight(s, "/"), a.cfg.BaseURL)) {
		return misp.LocalServerID, nil
	}
	return 0, exception(r, http.StatusMethodNotAllowed, "Invalid Server.")
}

// sharingGroupAddOrg is POST /sharing_groups/addOrg: adds an organisation
// (extend as asked). Already a member → 403 save failure.
func (a *API) sharingGroupAddOrg(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.editOrgMember(w, r, actor, true)
}

// sharingGroupRemoveOrg is POST /sharing_groups/removeOrg: removes a
// member organisation. Not a member → 403 save failure.
func (a *API) sharingGroupRemoveOrg(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.editOrgMember(w, r, actor, false)
}

func (a *API) editOrgMember(w http.ResponseWriter, r *http.Request, actor *misp.Actor, add bool) error {
	if err := requirePerm(r, actor.Perms.SharingGroup); err != nil {
		return err
	}
	req, err := parseMemberRequest(r, []string{"org_id", "org_uuid", "org_name"}, []string{"extend"}, false)
	if err != nil {
		return err
	}
	g, err := a.extendableSharingGroup(r, actor, req.sg)
	if err != nil {
		return err
	}
	o, err := a.memberOrg(r.Context(), r, req.member)
	if err != nil {
		return err
	}
	ctx := r.Context()
	member := g.HasOrg(int64(o.ID))
	switch {
	case add && member:
		return saveFail(r, "Could not add Organisation to SharingGroup", "/sharing_groups/addOrg", "Organisation is already in the sharing group.", "")
	case add:
		err = a.st.SharingGroups.AddSharingGroupOrg(ctx, int64(g.ID), int64(o.ID), req.flag)
	case !member:
		return saveFail(r, "Could not remove Organisation from SharingGroup", "/sharing_groups/removeOrg", "Organisation is not in the sharing group.", "")
	default:
		err = a.st.SharingGroups.RemoveSharingGroupOrg(ctx, int64(g.ID), int64(o.ID))
	}
	if err != nil {
		return fmt.Errorf("change organisation %d of sharing group %d: %w", o.ID, g.ID, err)
	}
	if add {
		writeSuccess(w, r, "Organisation added to the sharing group.", "/sharing_groups/addOrg", "")
	} else {
		writeSuccess(w, r, "Organisation removed from the sharing group.", "/sharing_groups/removeOrg", "")
	}
	return nil
}

// sharingGroupAddServer is POST /sharing_groups/addServer: lists a server
// (all_orgs as asked; body keys all_orgs or all). Already listed → 403
// save failure.
func (a *API) sharingGroupAddServer(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.editServerMember(w, r, actor, true)
}

// sharingGroupRemoveServer is POST /sharing_groups/removeServer: removes
// the group's entry for the server. (MISP 2.5.1 deletes the entry whose
// row id equals the server id, a bug; this removes the server's entry.)
// Not listed → 403 save failure.
func (a *API) sharingGroupRemoveServer(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.editServerMember(w, r, actor, false)
}

func (a *API) editServerMember(w http.ResponseWriter, r *http.Request, actor *misp.Actor, add bool) error {
	if err := requirePerm(r, actor.Perms.SharingGroup); err != nil {
		return err
	}
	req, err := parseMemberRequest(r, []string{"server_id", "server_url", "server_baseurl", "server_name"}, []string{"all", "all_orgs"}, true)
	if err != nil {
		return err
	}
	g, err := a.extendableSharingGroup(r, actor, req.sg)
	if err != nil {
		return err
	}
	serverID, err := a.memberServer(r, req.member)
	if err != nil {
		return err
	}
	listed := false
	for _, s := range g.SharingGroupServer {
		listed = listed || int64(s.ServerID) == serverID
	}
	ctx := r.Context()
	switch {
	case add && listed:
		return saveFail(r, "Could not add Server to SharingGroup", "/sharing_groups/addServer", "Server is already in the sharing group.", "")
	case add:
		err = a.st.SharingGroups.AddSharingGroupServer(ctx, int64(g.ID), serverID, req.flag)
	case !listed:
		return saveFail(r, "Could not remove Server from SharingGroup", "/sharing_groups/removeServer", "Server is not in the sharing group.", "")
	default:
		err = a.st.SharingGroups.RemoveSharingGroupServer(ctx, int64(g.ID), serverID)
	}
	if err != nil {
		return fmt.Errorf("change server %d of sharing group %d: %w", serverID, g.ID, err)
	}
	if add {
		writeSuccess(w, r, "Server added to the sharing group.", "/sharing_groups/addServer", "")
	} else {
		writeSuccess(w, r, "Server removed from the sharing group.", "/sharing_groups/removeServer", "")
	}
	return nil
}
