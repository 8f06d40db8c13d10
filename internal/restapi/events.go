package restapi

import "net/http"

func (a *API) registerEvents(mux *http.ServeMux) {}
