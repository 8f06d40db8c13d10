package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// The sharing-group endpoints (misp-rest-api §3.8, misp-access-control
// §8.2). Who may do what is decided by the predicates of misp.SharingGroup:
// the index lists the groups whose data the reader may see (Authorised),
// view and every lookup by id or uuid take the groups it may view
// (CanView, in the store's SQL), edits and member changes need CanExtend,
// delete CanDelete. A group the reader may not view answers exactly as a
// missing one.
//
// Security.hide_organisations_in_sharing_groups is not configurable yet:
// member lists are always shown to those who may view the group (MISP's
// default).

func (a *API) registerSharingGroups(mux *http.ServeMux) {
	a.route(mux, "GET", "/sharing_groups", a.sharingGroupIndex)
	a.route(mux, "GET", "/sharing_groups/index", a.sharingGroupIndex)
	// HEAD is served by the GET pattern.
	a.route(mux, "GET", "/sharing_groups/view/{id}", a.sharingGroupView)
	a.route(mux, "GET POST", "/sharing_groups/add", a.sharingGroupAdd)
	a.route(mux, "GET POST PUT", "/sharing_groups/edit/{id}", a.sharingGroupEdit)
	a.route(mux, "POST DELETE", "/sharing_groups/delete/{id}", a.sharingGroupDelete)
	a.route(mux, "POST", "/sharing_groups/addOrg", a.sharingGroupAddOrg)
	a.route(mux, "POST", "/sharing_groups/removeOrg", a.sharingGroupRemoveOrg)
	a.route(mux, "POST", "/sharing_groups/addServer", a.sharingGroupAddServer)
	a.route(mux, "POST", "/sharing_groups/removeServer", a.sharingGroupRemoveServer)
}

// localInstanceName is how the sharing-group endpoints name this
// instance's server entry (server 0).
const localInstanceName = "Local instance"

// findSharingGroup fetches the group s names (an id or a uuid) as actor
// may view it; ErrNotFound for anything else.
func (a *API) findSharingGroup(ctx context.Context, actor *misp.Actor, s string) (*misp.SharingGroup, error) {
	ref, ok := parseRef(s)
	switch {
	case !ok:
		return nil, misp.ErrNotFound
	case ref.UUID != "":
		return a.st.SharingGroups.FindSharingGroupByUUID(ctx, actor, ref.UUID)
	}
	return a.st.SharingGroups.FindSharingGroupByID(ctx, actor, ref.ID)
}

// nameLocalServer describes this instance's server entries of g (server
// 0) with the configured base URL, named name.
func (a *API) nameLocalServer(g *misp.SharingGroup, name string) {
	for _, s := range g.SharingGroupServer {
		if s.ServerID == misp.LocalServerID {
			s.Server = &misp.ServerRef{ID: 0, Name: name, URL: a.cfg.BaseURL}
		}
	}
}

// writeSharingGroup answers with g as sharing_groups/view shows it.
func (a *API) writeSharingGroup(w http.ResponseWriter, r *http.Request, g *misp.SharingGroup) {
	a.nameLocalServer(g, localInstanceName)
	httpserver.WriteJSON(w, r, http.StatusOK, mispjson.SharingGroupView(g))
}

// sharingGroupIndex is GET /sharing_groups[/index][/true]: {"response":
// […]} with the groups whose data the actor may see (for a site admin,
// all), active ones — or, with the positional "true", only inactive ones —
// ordered by name and paginated like MISP's UI: 60 a page, named
// parameters limit (at most 9999) and page. editable is CanExtend and
// deletable CanDelete.
func (a *API) sharingGroupIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	named := Named(r)
	active := true
	for _, p := range named[""] {
		if p == "true" {
			active = false
		}
	}
	limit, page := 60, 1
	if n, err := strconv.Atoi(named.Get("limit")); err == nil && n > 0 {
		limit = min(n, 9999)
	}
	if n, err := strconv.Atoi(named.Get("page")); err == nil && n > 0 {
		page = n
	}
	groups, _, err := a.st.SharingGroups.FindSharingGroups(r.Context(), actor,
		misp.SharingGroupFilter{Active: &active, Limit: limit, Offset: (page - 1) * limit})
	if err != nil {
		return fmt.Errorf("list sharing groups: %w", err)
	}
	items := make([]mispjson.SharingGroupIndexItem, len(groups))
	for i, g := range groups {
		a.nameLocalServer(g, localInstanceName)
		items[i] = mispjson.SharingGroupIndexItem{Group: g, Editable: g.CanExtend(actor), Deletable: g.CanDelete(actor)}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, mispjson.SharingGroupIndex(items))
	return nil
}

// sharingGroupView is GET|HEAD /sharing_groups/view/{id|uuid}. A group the
// actor may not view (SharingGroup::checkIfAuthorised), or a missing one,
// is 405 (quirk #6); HEAD answers 200 or 404 without a body, which
// PyMISP's sharing_group_exists reads.
func (a *API) sharingGroupView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	g, err := a.findSharingGroup(r.Context(), actor, r.PathValue("id"))
	if errors.Is(err, misp.ErrNotFound) {
		if r.Method == http.MethodHead {
			return exception(r, http.StatusNotFound, "Invalid sharing group.")
		}
		return exception(r, http.StatusMethodNotAllowed, "Sharing group doesn't exist or you do not have permission to access it.")
	}
	if err != nil {
		return fmt.Errorf("view sharing group: %w", err)
	}
	a.writeSharingGroup(w, r, g)
	return nil
}

// sharingGroupDelete is POST|DELETE /sharing_groups/delete/{id|uuid}
// (perm_sharing_group; the owner organisation or a site admin, else 405
// "Action not allowed."). A group still used by an event, attribute or
// object is refused with a 403 save failure.
func (a *API) sharingGroupDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SharingGroup); err != nil {
		return err
	}
	id := r.PathValue("id")
	g, err := a.findSharingGroup(r.Context(), actor, id)
	if err != nil && !errors.Is(err, misp.ErrNotFound) {
		return fmt.Errorf("find sharing group: %w", err)
	}
	if err != nil || !g.CanDelete(actor) {
		return exception(r, http.StatusMethodNotAllowed, "Action not allowed.")
	}
	err = a.st.SharingGroups.DeleteSharingGroup(r.Context(), int64(g.ID))
	switch {
	case errors.Is(err, misp.ErrConflict), errors.Is(err, misp.ErrNotFound):
		return saveFail(r, "Could not delete SharingGroup", "/sharing_groups/delete/"+id, "The sharing group could not be deleted.", id)
	case err != nil:
		return fmt.Errorf("delete sharing group %d: %w", g.ID, err)
	}
	writeSuccess(w, r, "SharingGroup deleted", "/sharing_groups/delete/"+id, id)
	return nil
}
