package restapi

import "net/http"

func (a *API) registerAuthKeys(mux *http.ServeMux) {}
