package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/razmena/razmena/internal/galaxy"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerGalaxies adds the galaxies endpoints (misp-rest-api §3.4).
// Reads are open to every user (default clusters have distribution 3);
// updating the library is for site admins, attaching a cluster for
// taggers, as in MISP's ACL.
func (a *API) registerGalaxies(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/galaxies/index", a.galaxyIndex)
	// PyMISP's search_galaxy posts {"value": …} to /galaxies.
	a.route(mux, "GET POST", "/galaxies", a.galaxyIndex)
	a.route(mux, "GET", "/galaxies/view/{id}", a.galaxyView)
	a.route(mux, "GET POST", "/galaxies/update", a.galaxyUpdate)
	a.route(mux, "POST", "/galaxies/attachCluster/{target}/{type}", a.galaxyAttachCluster)
	a.registerGalaxyClusters(mux)
}

// galaxyEntry is a galaxies/index entry.
type galaxyEntry struct {
	Galaxy *misp.Galaxy `json:"Galaxy"`
}

// galaxyIndex is GET|POST /galaxies/index (and /galaxies): every galaxy
// as [{"Galaxy":…}], not paginated, filtered by "value" (a substring of
// the name, namespace, description, kill chain order or uuid, and —
// Razmena's addition — of the type) and "enabled".
func (a *API) galaxyIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	params, err := harvestParams(r, []string{"value", "enabled"})
	if err != nil {
		return err
	}
	var f misp.GalaxyFilter
	if v := params["value"]; len(v) > 0 {
		f.Search = strings.Join(v, "")
	}
	if v, ok := params["enabled"]; ok {
		enabled := namedTruthy(v)
		f.Enabled = &enabled
	}
	galaxies, err := a.st.Galaxies.FindGalaxies(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list galaxies: %w", err)
	}
	out := make([]galaxyEntry, len(galaxies))
	for i, g := range galaxies {
		out[i] = galaxyEntry{Galaxy: g}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// findGalaxyRef finds the galaxy of an id-or-uuid path value; 404
// "Invalid Galaxy." when there is none (ToolboxComponent::findIdByUuid).
func (a *API) findGalaxyRef(r *http.Request, s string) (*misp.Galaxy, error) {
	ref, ok := parseRef(s)
	if !ok {
		return nil, exception(r, http.StatusNotFound, "Invalid Galaxy.")
	}
	var g *misp.Galaxy
	var err error
	if ref.UUID != "" {
		g, err = a.st.Galaxies.FindGalaxyByUUID(r.Context(), ref.UUID)
	} else {
		g, err = a.st.Galaxies.FindGalaxyByID(r.Context(), ref.ID)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return nil, exception(r, http.StatusNotFound, "Invalid Galaxy.")
	}
	if err != nil {
		return nil, fmt.Errorf("find galaxy %s: %w", s, err)
	}
	return g, nil
}

// galaxyView is GET /galaxies/view/{id|uuid}: {"Galaxy":…,"GalaxyCluster":
// […]}, every cluster of the galaxy with its GalaxyElement list, as MISP's
// REST view contains them (the ATT&CK pattern galaxies answer a few
// megabytes). Unlike MISP, which does not filter the contained clusters,
// only clusters the actor may see are listed.
func (a *API) galaxyView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	g, err := a.findGalaxyRef(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	clusters, err := a.st.Galaxies.FindGalaxyClusters(r.Context(), actor,
		misp.GalaxyClusterFilter{GalaxyIDs: []int64{int64(g.ID)}, Elements: true})
	if err != nil {
		return fmt.Errorf("clusters of galaxy %d: %w", g.ID, err)
	}
	if clusters == nil {
		clusters = []*misp.GalaxyCluster{}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, struct {
		Galaxy        *misp.Galaxy          `json:"Galaxy"`
		GalaxyCluster []*misp.GalaxyCluster `json:"GalaxyCluster"`
	}{g, clusters})
	return nil
}

// galaxyUpdate is POST /galaxies/update (site admin): imports the library
// under LibraryDir/galaxy (galaxy.ImportDir: new galaxies and clusters
// added, newer versions replacing older ones, files that cannot be loaded
// skipped and listed). As in MISP the answer is "Galaxies updated."
// whatever the import found, a library without galaxies included. MISP's
// force parameter is not supported.
func (a *API) galaxyUpdate(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	if r.Method != http.MethodPost {
		return exception(r, http.StatusMethodNotAllowed, "This action is only accessible via POST requests.")
	}
	res, err := galaxy.ImportDir(r.Context(), a.st.Galaxies, filepath.Join(a.cfg.LibraryDir, "galaxy"))
	if err != nil && !errors.Is(err, galaxy.ErrNoGalaxies) {
		return fmt.Errorf("update galaxies: %w", err)
	}
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	return writeLibraryUpdate(w, r, "/galaxies/update", "Galaxies updated.", res)
}

// attachClusterAnswer is what galaxies/attachCluster answers.
type attachClusterAnswer struct {
	Saved        bool   `json:"saved"`
	Success      string `json:"success"`
	CheckPublish bool   `json:"check_publish"`
}

// galaxyAttachCluster is POST /galaxies/attachCluster/{target_id}/{event|
// attribute}/local:{0|1} with {"Galaxy":{"target_id": cluster id}}
// (perm_tagger; PyMISP attach_galaxy_cluster). As Galaxy::attachCluster,
// it attaches the cluster's tag — created with MISP's galaxy colour when
// missing — through the tag store, so a global attachment unpublishes the
// event as any tag does. Tag collections are not supported.
func (a *API) galaxyAttachCluster(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Tagger); err != nil {
		return err
	}
	ctx := r.Context()
	targetType := r.PathValue("type")
	local := namedBool(Named(r), "local", false)
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		Galaxy struct {
			TargetID json.RawMessage `json:"target_id"`
		} `json:"Galaxy"`
	}
	if !emptyBody(body) {
		if err := decodeJSON(r, body, &in); err != nil {
			return err
		}
	}
	target, err := a.clusterTarget(ctx, actor, targetType, r.PathValue("target"))
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid "+targetType+".")
	}
	if err != nil {
		return err
	}
	if !actor.CanTagEvent(target.event, local, a.cfg.HostOrgID) {
		return exception(r, http.StatusForbidden, "No permission to attach this cluster to given target.")
	}
	var raw any
	if len(in.Galaxy.TargetID) > 0 {
		if err := json.Unmarshal(in.Galaxy.TargetID, &raw); err != nil {
			return invalidJSON(r, err)
		}
	}
	clusterID, ok := parseID(phpString(raw))
	var cluster *misp.GalaxyCluster
	if ok {
		cluster, err = a.st.Galaxies.FindGalaxyClusterByID(ctx, actor, clusterID)
	}
	if !ok || errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid Galaxy cluster")
	}
	if err != nil {
		return fmt.Errorf("find galaxy cluster %d: %w", clusterID, err)
	}
	localOnly := cluster.Galaxy != nil && bool(cluster.Galaxy.LocalOnly)
	if localOnly && !local {
		return exception(r, http.StatusMethodNotAllowed, "This Cluster can only be attached in a local scope")
	}
	tag, err := a.clusterTag(ctx, cluster.TagName, localOnly)
	if err != nil {
		return err
	}
	added, err := a.attachToTarget(ctx, actor, target, tag, local, nil)
	if err != nil {
		return err
	}
	msg := "Cluster attached."
	if !added {
		msg = "Cluster already attached."
	}
	httpserver.WriteJSON(w, r, http.StatusOK, attachClusterAnswer{Saved: true, Success: msg, CheckPublish: true})
	return nil
}

// clusterTarget finds the visible event or (non-deleted) attribute, by id
// or uuid, that a cluster is attached to. ErrNotFound otherwise.
func (a *API) clusterTarget(ctx context.Context, actor *misp.Actor, targetType, id string) (*tagTarget, error) {
	ref, ok := parseRef(id)
	if !ok {
		return nil, misp.ErrNotFound
	}
	switch targetType {
	case "event":
		e, err := a.findEvent(ctx, actor, ref, misp.EventViewOptions{Metadata: true})
		if err != nil {
			return nil, notFoundOr(err, "find event "+id)
		}
		return &tagTarget{event: e}, nil
	case "attribute":
		attr, err := a.findAttribute(ctx, actor, ref, false)
		if err != nil {
			return nil, notFoundOr(err, "find attribute "+id)
		}
		e, err := a.eventMeta(ctx, actor, int64(attr.EventID))
		if err != nil {
			return nil, notFoundOr(err, "find event of attribute "+id)
		}
		return &tagTarget{event: e, attr: attr}, nil
	}
	return nil, misp.ErrNotFound // tag collections do not exist (yet)
}

// notFoundOr passes ErrNotFound through and wraps anything else.
func notFoundOr(err error, what string) error {
	if errors.Is(err, misp.ErrNotFound) {
		return misp.ErrNotFound
	}
	return fmt.Errorf("%s: %w", what, err)
}

// clusterTag returns the tag of a cluster, creating it as Tag::captureTag
// does for Galaxy::attachCluster: MISP's galaxy colour, exportable, local
// only if the galaxy is.
func (a *API) clusterTag(ctx context.Context, name string, localOnly bool) (*misp.Tag, error) {
	tag, err := a.st.Tags.FindTagByName(ctx, name)
	if err == nil {
		return tag, nil
	}
	if !errors.Is(err, misp.ErrNotFound) {
		return nil, fmt.Errorf("find tag %q: %w", name, err)
	}
	tag = &misp.Tag{Name: name, Colour: "#0088cc", Exportable: true, LocalOnly: misp.Bool(localOnly)}
	if err := tag.Validate(); err != nil {
		return nil, fmt.Errorf("cluster tag %q: %w", name, err)
	}
	err = a.st.Tags.CreateTag(ctx, tag)
	if errors.Is(err, misp.ErrConflict) {
		return a.st.Tags.FindTagByName(ctx, name)
	}
	if err != nil {
		return nil, fmt.Errorf("create tag %q: %w", name, err)
	}
	return tag, nil
}
