package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// Named returns MISP's named parameters of a request: the "/key:value"
// path segments after the route's fixed part (";" in a value reads as ":",
// "key[]:v" appends to a list), merged with the URL query string.
// Positional segments (no colon) are returned under the empty key.
func Named(r *http.Request) url.Values {
	out := url.Values{}
	for k, vs := range r.URL.Query() {
		out[strings.TrimSuffix(k, "[]")] = append(out[strings.TrimSuffix(k, "[]")], vs...)
	}
	rest := r.PathValue("named")
	if rest == "" {
		return out
	}
	for _, seg := range strings.Split(rest, "/") {
		if seg == "" {
			continue
		}
		seg = strings.TrimSuffix(seg, ".json")
		k, v, ok := strings.Cut(seg, ":")
		if !ok {
			out[""] = append(out[""], seg)
			continue
		}
		k = strings.TrimSuffix(k, "[]")
		out[k] = append(out[k], strings.ReplaceAll(v, ";", ":"))
	}
	return out
}

// namedBool reads a boolean named parameter; def when absent or unparsable.
func namedBool(v url.Values, key string, def bool) bool {
	s, ok := v[key]
	if !ok || len(s) == 0 {
		return def
	}
	b, err := misp.ParseBool(s[len(s)-1])
	if err != nil {
		return def
	}
	return b
}

// ref is an {id} path parameter: a numeric id or a UUID.
type ref struct {
	ID   int64
	UUID string
}

// parseRef parses an id-or-uuid path value ("12", "12.json", a UUID).
func parseRef(s string) (ref, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".json")
	if misp.IsUUID(s) {
		return ref{UUID: misp.NormalizeUUID(s)}, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return ref{}, false
	}
	return ref{ID: id}, true
}

// readBody reads the (already size-limited) request body.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, httpserver.NewException(r, http.StatusBadRequest, "Could not read the request body.")
	}
	return b, nil
}

// emptyBody reports whether a body holds no JSON value worth decoding.
func emptyBody(b []byte) bool {
	s := strings.TrimSpace(string(b))
	return s == "" || s == "[]" || s == "{}" || s == "null"
}

// invalidJSON is MISP's answer to a body that is not valid JSON
// (AppController::_jsonDecode): 405.
func invalidJSON(r *http.Request, err error) error {
	msg := "Invalid JSON input. Make sure that the JSON input is a correctly formatted JSON string. This request has been blocked to avoid an unpredictable import."
	if err != nil {
		msg += " " + err.Error()
	}
	return &httpserver.Error{Status: http.StatusMethodNotAllowed, Body: httpserver.Exception{Name: msg, Message: msg, URL: r.URL.Path}, Err: err}
}

// decodeJSON decodes a JSON body into v, answering MISP's 405 on bad JSON.
func decodeJSON(r *http.Request, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return invalidJSON(r, fmt.Errorf("%w", err))
	}
	return nil
}

// saveSuccess is MISP's RestResponse::saveSuccessResponse body.
type saveSuccess struct {
	Saved   bool   `json:"saved"`
	Success bool   `json:"success"`
	Name    string `json:"name"`
	Message string `json:"message"`
	URL     string `json:"url"`
	ID      string `json:"id"`
}

func writeSaveSuccess(w http.ResponseWriter, r *http.Request, msg string, id int64) {
	httpserver.WriteJSON(w, r, http.StatusOK, saveSuccess{Saved: true, Success: true, Name: msg, Message: msg, URL: r.URL.Path, ID: strconv.FormatInt(id, 10)})
}

// apiDescription is what MISP answers to a REST GET on a write endpoint.
type apiDescription struct {
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	MandatoryFields []string `json:"mandatory_fields"`
	OptionalFields  []string `json:"optional_fields"`
	URL             string   `json:"url"`
}

func writeAPIDescription(w http.ResponseWriter, r *http.Request, url, desc string, mandatory, optional []string) {
	if mandatory == nil {
		mandatory = []string{}
	}
	if optional == nil {
		optional = []string{}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, apiDescription{Name: url + " API description", Description: desc, MandatoryFields: mandatory, OptionalFields: optional, URL: url})
}
