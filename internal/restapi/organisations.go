package restapi

import "net/http"

func (a *API) registerOrganisations(mux *http.ServeMux) {}
