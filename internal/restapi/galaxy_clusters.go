package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

func (a *API) registerGalaxyClusters(mux *http.ServeMux) {
	a.route(mux, "GET", "/galaxy_clusters/view/{id}", a.galaxyClusterView)
	a.route(mux, "GET POST", "/galaxy_clusters/index/{galaxy}", a.galaxyClusterIndex)
	a.route(mux, "GET POST", "/galaxy_clusters/restSearch", a.galaxyClusterRestSearch)
}

// genericOrg is Organisation::GENERIC_MISP_ORGANISATION, what MISP shows
// as the Org and Orgc of a default cluster (organisation 0).
var genericOrg = json.RawMessage(`{"id":"0","name":"MISP","date_created":"","date_modified":"",` +
	`"description":"Automatically generated MISP organisation","type":"","nationality":"Not specified",` +
	`"sector":"","created_by":"0","uuid":"0","contacts":"","local":true,"restricted_to_domain":[],"landingpage":null}`)

// fullCluster is a cluster as GalaxyCluster::fetchGalaxyClusters returns
// it with everything contained: the row, Galaxy, GalaxyElement,
// GalaxyClusterRelation, then Org and Orgc. TagID is the id of the
// cluster's tag when one exists (galaxy_clusters/view only).
type fullCluster struct {
	*misp.GalaxyCluster
	Org   any    `json:"Org"`
	Orgc  any    `json:"Orgc"`
	TagID string `json:"tag_id,omitempty"`
}

// orgCache looks organisations up once per request.
type orgCache struct {
	a    *API
	orgs map[int64]any
}

// org returns the organisation block of id: the generic MISP
// organisation for 0, an empty object for one that no longer exists.
func (c *orgCache) org(ctx context.Context, id misp.Int) (any, error) {
	if id == 0 {
		return genericOrg, nil
	}
	if o, ok := c.orgs[int64(id)]; ok {
		return o, nil
	}
	var out any = struct{}{}
	o, err := c.a.st.Orgs.FindOrgByID(ctx, int64(id))
	switch {
	case err == nil:
		out = o
	case !errors.Is(err, misp.ErrNotFound):
		return nil, fmt.Errorf("find organisation %d: %w", id, err)
	}
	if c.orgs == nil {
		c.orgs = map[int64]any{}
	}
	c.orgs[int64(id)] = out
	return out, nil
}

func (c *orgCache) full(ctx context.Context, cl *misp.GalaxyCluster) (*fullCluster, error) {
	org, err := c.org(ctx, cl.OrgID)
	if err != nil {
		return nil, err
	}
	orgc, err := c.org(ctx, cl.OrgcID)
	if err != nil {
		return nil, err
	}
	return &fullCluster{GalaxyCluster: cl, Org: org, Orgc: orgc}, nil
}

// galaxyClusterView is GET /galaxy_clusters/view/{id|uuid}: {"GalaxyCluster":
// {…, "Galaxy", "GalaxyElement", "GalaxyClusterRelation", "Org", "Orgc",
// "tag_id"}} for a cluster the actor may see; 404 "Invalid galaxy cluster"
// otherwise. A UUID names the cluster of lowest id that has it. MISP's
// tag_count (events carrying the tag) and the relations' Tag lists are not
// given.
func (a *API) galaxyClusterView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	ctx := r.Context()
	ref, ok := parseRef(r.PathValue("id"))
	if !ok {
		return exception(r, http.StatusNotFound, "Invalid galaxy cluster")
	}
	var cl *misp.GalaxyCluster
	var err error
	if ref.UUID != "" {
		cl, err = a.st.Galaxies.FindGalaxyClusterByUUID(ctx, actor, ref.UUID)
	} else {
		cl, err = a.st.Galaxies.FindGalaxyClusterByID(ctx, actor, ref.ID)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid galaxy cluster")
	}
	if err != nil {
		return fmt.Errorf("find galaxy cluster %s: %w", r.PathValue("id"), err)
	}
	orgs := &orgCache{a: a}
	out, err := orgs.full(ctx, cl)
	if err != nil {
		return err
	}
	tag, err := a.st.Tags.FindTagByName(ctx, cl.TagName)
	switch {
	case err == nil:
		out.TagID = idString(int64(tag.ID))
	case !errors.Is(err, misp.ErrNotFound):
		return fmt.Errorf("find tag %q: %w", cl.TagName, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, struct {
		GalaxyCluster *fullCluster `json:"GalaxyCluster"`
	}{out})
	return nil
}

// clusterEntry is a cluster wrapped as MISP lists them.
type clusterEntry struct {
	GalaxyCluster any `json:"GalaxyCluster"`
}

// galaxyClusterIndex is GET|POST /galaxy_clusters/index/{galaxy id|uuid}
// (PyMISP search_galaxy_clusters): the clusters of the galaxy that the
// actor may see, as [{"GalaxyCluster": row}] without elements, as MISP's
// REST index. Parameters: context (all — the default, deleted clusters
// included —, default, custom, org, orgc, deleted; any context but the
// default leaves deleted clusters out unless it is "deleted") and
// searchall (a substring of the value, description or a synonym, or the
// uuid). Unknown galaxy: 404 "Invalid Galaxy.".
func (a *API) galaxyClusterIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	g, err := a.findGalaxyRef(r, r.PathValue("galaxy"))
	if err != nil {
		return err
	}
	params, err := harvestParams(r, []string{"context", "searchall"})
	if err != nil {
		return err
	}
	f := misp.GalaxyClusterFilter{GalaxyIDs: []int64{int64(g.ID)}}
	if v := params["context"]; len(v) > 0 && v[len(v)-1] != "" {
		yes, no := true, false
		f.Deleted = &no
		switch v[len(v)-1] {
		case "default":
			f.Default = &yes
		case "custom":
			f.Default = &no
		case "orgc":
			f.OrgcIDs = []int64{actor.OrgID()}
		case "org":
			f.OrgIDs = []int64{actor.OrgID()}
		case "deleted":
			f.Deleted = &yes
		}
	}
	if v := params["searchall"]; len(v) > 0 {
		f.Search = strings.Join(v, "")
	}
	clusters, err := a.st.Galaxies.FindGalaxyClusters(r.Context(), actor, f)
	if err != nil {
		return fmt.Errorf("list clusters of galaxy %d: %w", g.ID, err)
	}
	out := make([]clusterEntry, len(clusters))
	for i, c := range clusters {
		out[i] = clusterEntry{GalaxyCluster: c}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// clusterSearchParams are the parameters galaxy_clusters/restSearch
// harvests (RestSearchComponent::$paramArray['GalaxyCluster']).
var clusterSearchParams = []string{"page", "limit", "id", "uuid", "galaxy_id", "galaxy_uuid", "version",
	"distribution", "org_id", "orgc_id", "tag_name", "custom", "sgReferenceOnly", "minimal", "list", "first",
	"count", "order"}

// clusterSearchPage is how many clusters restSearch reads at a time when
// no limit is given: the answer is written as it is read.
const clusterSearchPage = 1000

// galaxyClusterRestSearch is POST /galaxy_clusters/restSearch: {"response":
// [{"GalaxyCluster": …}]}, each cluster with its Galaxy, elements,
// relations and organisations, or only {uuid, version} with minimal.
// Filters (GalaxyCluster::buildFilterConditions): id, uuid, galaxy_id,
// galaxy_uuid, version, distribution, org_id and orgc_id (ids or uuids),
// tag_name and custom; page and limit. Without a limit every matching
// cluster is written, page by page. sgReferenceOnly, list, first, count
// and order are accepted and ignored.
func (a *API) galaxyClusterRestSearch(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	ctx := r.Context()
	params, err := harvestParams(r, clusterSearchParams)
	if err != nil {
		return err
	}
	if len(params) == 0 && r.Method == http.MethodGet {
		return exception(r, http.StatusBadRequest, "Restsearch queries using GET and no parameters are not allowed. "+
			"If you have passed parameters via a JSON body, make sure you use POST requests.")
	}
	f, err := a.clusterSearchFilter(ctx, params)
	if err != nil {
		return err
	}
	minimal := namedTruthy(params["minimal"])
	f.Full = !minimal
	paged := f.Limit > 0
	if !paged {
		f.Limit = clusterSearchPage
	}

	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if _, err := w.Write([]byte(`{"response": [`)); err != nil {
		return nil // the client went away
	}
	orgs := &orgCache{a: a}
	first := true
	for {
		clusters, err := a.st.Galaxies.FindGalaxyClusters(ctx, actor, f)
		if err != nil {
			// The answer has begun: log and cut it short.
			a.log.ErrorContext(ctx, "galaxy cluster restSearch", "request_id", httpserver.RequestID(ctx), "error", err.Error())
			return nil
		}
		for _, c := range clusters {
			var v any
			if minimal {
				v = struct {
					UUID    string   `json:"uuid"`
					Version misp.Int `json:"version"`
				}{c.UUID, c.Version}
			} else if v, err = orgs.full(ctx, c); err != nil {
				a.log.ErrorContext(ctx, "galaxy cluster restSearch", "request_id", httpserver.RequestID(ctx), "error", err.Error())
				return nil
			}
			if !first {
				if _, err := w.Write([]byte(",")); err != nil {
					return nil
				}
			}
			first = false
			if err := enc.Encode(clusterEntry{GalaxyCluster: v}); err != nil {
				return nil
			}
		}
		if paged || len(clusters) < f.Limit {
			break
		}
		f.AfterID = int64(clusters[len(clusters)-1].ID)
	}
	_, _ = w.Write([]byte("]}\n")) // nothing to do if the client went away
	return nil
}

// clusterSearchFilter turns restSearch parameters into a filter. Values
// that are not numbers, and unknown organisation uuids, match nothing.
func (a *API) clusterSearchFilter(ctx context.Context, p map[string][]string) (misp.GalaxyClusterFilter, error) {
	var f misp.GalaxyClusterFilter
	ints := func(key string) []int64 {
		var out []int64
		for _, v := range p[key] {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				n = -1 // MySQL compares a non-number as 0; no cluster has id -1
			}
			out = append(out, n)
		}
		return out
	}
	f.IDs = ints("id")
	f.UUIDs = p["uuid"]
	f.GalaxyIDs = ints("galaxy_id")
	f.GalaxyUUIDs = p["galaxy_uuid"]
	f.Versions = ints("version")
	for _, d := range ints("distribution") {
		f.Distributions = append(f.Distributions, misp.Distribution(d))
	}
	f.TagNames = p["tag_name"]
	for _, key := range []string{"org_id", "orgc_id"} {
		var ids []int64
		for _, v := range p[key] {
			v = strings.TrimSpace(v)
			if misp.IsUUID(v) {
				o, err := a.st.Orgs.FindOrgByUUID(ctx, v)
				switch {
				case err == nil:
					ids = append(ids, int64(o.ID))
				case errors.Is(err, misp.ErrNotFound):
					ids = append(ids, -1)
				default:
					return f, fmt.Errorf("find organisation %s: %w", v, err)
				}
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				n = -1
			}
			ids = append(ids, n)
		}
		if key == "org_id" {
			f.OrgIDs = ids
		} else {
			f.OrgcIDs = ids
		}
	}
	if v, set := p["custom"]; set {
		def := !namedTruthy(v)
		f.Default = &def
	}
	limit := ints("limit")
	if len(limit) > 0 && limit[len(limit)-1] > 0 {
		f.Limit = int(limit[len(limit)-1])
		page := int64(1)
		if pg := ints("page"); len(pg) > 0 && pg[len(pg)-1] > 0 {
			page = pg[len(pg)-1]
		}
		f.Offset = int(page-1) * f.Limit
	}
	return f, nil
}
