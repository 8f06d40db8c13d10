package restapi

import "net/http"

// registerGalaxies adds the galaxies endpoints (misp-rest-api §3.3–3.4).
func (a *API) registerGalaxies(mux *http.ServeMux) {
}
