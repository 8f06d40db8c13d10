package restapi

import "net/http"

func (a *API) registerServer(mux *http.ServeMux) {}
