package restapi

import (
	"net/http"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerServer adds the instance endpoints PyMISP calls on connect
// (misp-rest-api §2): getVersion, the deprecated getPyMISPVersion, and
// the attribute type matrix (describeTypes, which lives in MISP's
// attributes controller).
func (a *API) registerServer(mux *http.ServeMux) {
	a.route(mux, "GET", "/servers/getVersion", a.getVersion)
	a.route(mux, "GET", "/servers/getPyMISPVersion", a.getPyMISPVersion)
	a.route(mux, "GET", "/servers/getPyMISPVersion.json", a.getPyMISPVersion)
	a.route(mux, "GET", "/attributes/describeTypes", a.describeTypes)
	a.route(mux, "GET", "/attributes/describeTypes.json", a.describeTypes)
}

// version is the servers/getVersion answer (ServersController::getVersion).
type version struct {
	Version                  string `json:"version"`
	PyMISPRecommendedVersion string `json:"pymisp_recommended_version"`
	PermSync                 bool   `json:"perm_sync"`
	PermSighting             bool   `json:"perm_sighting"`
	PermGalaxyEditor         bool   `json:"perm_galaxy_editor"`
	PermAnalystData          bool   `json:"perm_analyst_data"`
	UUID                     string `json:"uuid"`
	// RequestEncoding lists the Content-Encodings of request bodies the
	// server decodes. MISP also lists "br"; Razmena decodes gzip only
	// (httpserver.LimitBody), so advertising br would make peers send
	// bodies it refuses.
	RequestEncoding []string `json:"request_encoding"`
	// FilterSightings tells peers that sightings/filterSightingUuidsForPush exists.
	FilterSightings bool `json:"filter_sightings"`
}

// getVersion is GET /servers/getVersion (perm_auth). The perm_* flags are
// those in force for the request, so a read-only key reports them cleared,
// as MISP does; sync peers use them to decide what they may push. The
// instance UUID is only revealed to sync users.
func (a *API) getVersion(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Auth); err != nil {
		return err
	}
	uuid := "-"
	if actor.Perms.Sync {
		uuid = a.cfg.InstanceUUID
	}
	httpserver.WriteJSON(w, r, http.StatusOK, version{
		Version:                  a.cfg.Version,
		PyMISPRecommendedVersion: a.cfg.Version,
		PermSync:                 bool(actor.Perms.Sync),
		PermSighting:             bool(actor.Perms.Sighting),
		PermGalaxyEditor:         bool(actor.Perms.GalaxyEditor),
		PermAnalystData:          bool(actor.Perms.AnalystData),
		UUID:                     uuid,
		RequestEncoding:          []string{"gzip"},
		FilterSightings:          true,
	})
	return nil
}

// getPyMISPVersion is the deprecated GET /servers/getPyMISPVersion.json
// ({"version":…}), which PyMISP only calls when getVersion lacks
// pymisp_recommended_version.
func (a *API) getPyMISPVersion(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	httpserver.WriteJSON(w, r, http.StatusOK, struct {
		Version string `json:"version"`
	}{a.cfg.Version})
	return nil
}

// typeDefault is one sane_defaults entry of describeTypes. to_ids is a
// number (0/1), as MISP and PyMISP's bundled describeTypes.json have it.
type typeDefault struct {
	DefaultCategory string `json:"default_category"`
	ToIDS           int    `json:"to_ids"`
}

// typeMatrix is the "result" of attributes/describeTypes.
type typeMatrix struct {
	SaneDefaults         map[string]typeDefault `json:"sane_defaults"`
	Types                []string               `json:"types"`
	Categories           []string               `json:"categories"`
	CategoryTypeMappings map[string][]string    `json:"category_type_mappings"`
}

// describeTypes is GET /attributes/describeTypes[.json] (ACL "*"):
// {"result":{sane_defaults, types, categories, category_type_mappings}}
// from the attribute type matrix. Types are sorted by name (MISP lists
// them in source order, which no client relies on); categories keep
// MISP's order. Maps are encoded with sorted keys, so the answer is
// deterministic.
func (a *API) describeTypes(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	m := typeMatrix{
		SaneDefaults:         map[string]typeDefault{},
		Types:                misp.TypeNames(),
		Categories:           misp.Categories(),
		CategoryTypeMappings: map[string][]string{},
	}
	for _, name := range m.Types {
		t, _ := misp.LookupType(name)
		d := typeDefault{DefaultCategory: t.DefaultCategory}
		if t.ToIDS {
			d.ToIDS = 1
		}
		m.SaneDefaults[name] = d
	}
	for _, c := range m.Categories {
		m.CategoryTypeMappings[c] = misp.CategoryTypes(c)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, struct {
		Result typeMatrix `json:"result"`
	}{m})
	return nil
}
