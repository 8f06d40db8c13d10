package restapi

import "net/http"

func (a *API) registerAttributes(mux *http.ServeMux) {}
