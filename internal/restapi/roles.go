package restapi

import "net/http"

func (a *API) registerRoles(mux *http.ServeMux) {}
