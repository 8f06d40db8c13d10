package restapi

import "net/http"

func (a *API) registerUsers(mux *http.ServeMux) {}
