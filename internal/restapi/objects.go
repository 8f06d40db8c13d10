package restapi

import "net/http"

func (a *API) registerObjects(mux *http.ServeMux) {}
