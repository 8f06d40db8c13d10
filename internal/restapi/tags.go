package restapi

import "net/http"

func (a *API) registerTags(mux *http.ServeMux) {}
