package restapi

import "net/http"

// registerTaxonomies adds the taxonomies endpoints (misp-rest-api §3.3–3.4).
func (a *API) registerTaxonomies(mux *http.ServeMux) {
}
