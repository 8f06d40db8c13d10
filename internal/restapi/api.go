// Package restapi serves the MISP REST API as PyMISP and MISP peers call it
// (shared/spec/misp-rest-api.md): MISP's URL conventions (CakePHP
// controller/action paths in snake_case and camelCase, named parameters
// /key:value, .json suffixes), envelopes, wire types and error shapes.
//
// A handler parses and authorises the request, calls the stores, and
// renders MISP JSON; SQL lives in the stores and wire shapes in
// internal/format/mispjson.
package restapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/warninglist"
)

// Stores are the store aggregates the API uses.
type Stores struct {
	Events     misp.EventStore
	Attributes misp.AttributeStore
	Objects    misp.ObjectStore
	Tags       misp.TagStore
	Orgs       misp.OrgStore
	Users      misp.UserStore
	Roles      misp.RoleStore
	AuthKeys   misp.AuthKeyStore
	Audit      misp.AuditStore
	// SharingGroups is the sharing-group store.
	SharingGroups misp.SharingGroupStore
	// Search serves restSearch.
	Search SearchStore
	// The knowledge libraries (issue 6).
	Taxonomies      misp.TaxonomyStore
	Galaxies        misp.GalaxyStore
	ObjectTemplates misp.ObjectTemplateStore
	Warninglists    misp.WarninglistStore
	// Correlations administers the correlation engine (issue 6).
	Correlations misp.CorrelationStore
}

// SearchStore finds attributes and events for restSearch.
type SearchStore interface {
	misp.AttributeSearchStore
	misp.EventSearchStore
}

// Config is what the API needs to know about the instance.
type Config struct {
	// BaseURL is the instance's external URL (MISP.baseurl), without a
	// trailing slash; used in Location headers.
	BaseURL string
	// Version is the MISP version Razmena reports compatibility with.
	Version string
	// InstanceUUID identifies this instance to sync peers.
	InstanceUUID string
	// HostOrgID is the host organisation (MISP.host_org_id).
	HostOrgID int64
	// LibraryDir is the directory of the MISP knowledge libraries the
	// */update endpoints load from (config.Config.Libraries).
	LibraryDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// API is the MISP REST API.
type API struct {
	st  Stores
	ad  *httpserver.Adapter
	log *slog.Logger
	cfg Config
	// cursors remembers where recent restSearch pages ended.
	cursors *pageCursors
	// warnings matches values against the enabled warninglists.
	warnings *warninglist.Matcher
}

// New returns the API over stores, using adapter to authenticate requests
// and render errors.
func New(st Stores, ad *httpserver.Adapter, cfg Config) *API {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &API{st: st, ad: ad, log: ad.Log, cfg: cfg, cursors: newPageCursors(maxPageCursors),
		warnings: warninglist.NewMatcher(st.Warninglists)}
}

// Register adds every API route to mux.
func (a *API) Register(mux *http.ServeMux) {
	a.registerServer(mux)
	a.registerEvents(mux)
	a.registerAttributes(mux)
	a.registerObjects(mux)
	a.registerTags(mux)
	a.registerOrganisations(mux)
	a.registerUsers(mux)
	a.registerRoles(mux)
	a.registerAuthKeys(mux)
	a.registerLogs(mux)
	a.registerTaxonomies(mux)
	a.registerGalaxies(mux)
	a.registerObjectTemplates(mux)
	a.registerWarninglists(mux)
	a.registerFreetext(mux)
	a.registerSharingGroups(mux)
	a.registerRestSearch(mux)
	a.registerCorrelations(mux)
}

func (a *API) now() time.Time { return a.cfg.Now() }

// route registers h for each method and each path, and for each path also
// with a trailing "/{named...}" for MISP named parameters (see Named). A
// path segment "{id}" also accepts "12.json" (see parseRef). Paths whose
// controller has a snake_case form are given in that form and registered
// in camelCase too (sharing_groups → sharingGroups).
func (a *API) route(mux *http.ServeMux, methods string, path string, h httpserver.ActorHandlerFunc) {
	handler := a.ad.Authed(h)
	for _, p := range aliases(path) {
		for _, m := range strings.Fields(methods) {
			mux.Handle(m+" "+p, handler)
			if !strings.HasSuffix(p, "...}") {
				mux.Handle(m+" "+strings.TrimRight(p, "/")+"/{named...}", handler)
			}
		}
	}
}

// aliases returns path and its camelCase-controller twin when the
// controller (the first segment after an optional /admin) has an underscore.
func aliases(path string) []string {
	segs := strings.Split(path, "/")
	i := 1
	if len(segs) > 2 && segs[1] == "admin" {
		i = 2
	}
	if i >= len(segs) || !strings.Contains(segs[i], "_") {
		return []string{path}
	}
	camel := make([]string, len(segs))
	copy(camel, segs)
	parts := strings.Split(segs[i], "_")
	for j := 1; j < len(parts); j++ {
		if parts[j] != "" {
			parts[j] = strings.ToUpper(parts[j][:1]) + parts[j][1:]
		}
	}
	camel[i] = strings.Join(parts, "")
	return []string{path, strings.Join(camel, "/")}
}

// requirePerm refuses the request unless ok, with MISP's ACL message.
func requirePerm(r *http.Request, ok misp.Bool) error {
	if ok {
		return nil
	}
	return httpserver.NewException(r, http.StatusForbidden, "You do not have permission to use this functionality.")
}

// settingReader is the one store method the API needs for instance settings.
type settingReader interface {
	Setting(ctx context.Context, key string) (string, error)
}
