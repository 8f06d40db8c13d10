package restapi

import "net/http"

// registerObjectTemplates adds the object templates endpoints (misp-rest-api §3.3–3.4).
func (a *API) registerObjectTemplates(mux *http.ServeMux) {
}
