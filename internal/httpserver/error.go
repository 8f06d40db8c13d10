// Package httpserver holds the HTTP plumbing shared by the REST API and the
// web UI: handler adapters, the error-kind → status table with MISP-shaped
// error bodies, and middleware (request id, access log, recover, body
// limits, API-key authentication). It imports no handlers.
package httpserver

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/razmena/razmena/internal/misp"
)

// Error is an error with an explicit status and JSON body, for the MISP
// answers whose shape or status differs from the default table (for
// example 405 "Invalid attribute", or 404 with a Location header).
type Error struct {
	Status int
	Body   any
	Header http.Header
	// Err is the underlying cause, logged but never sent.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return http.StatusText(e.Status)
}

func (e *Error) Unwrap() error { return e.Err }

// Exception is MISP's exception body: {"name","message","url"}.
type Exception struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	URL     string `json:"url"`
}

// SaveFailure is MISP's RestResponse::saveFailResponse body.
type SaveFailure struct {
	Saved   bool   `json:"saved"`
	Name    string `json:"name"`
	Message string `json:"message"`
	URL     string `json:"url"`
	Errors  any    `json:"errors"`
	ID      any    `json:"id,omitempty"`
}

// NewException returns an Error with MISP's exception shape.
func NewException(r *http.Request, status int, msg string) *Error {
	return &Error{Status: status, Body: Exception{Name: msg, Message: msg, URL: r.URL.Path}}
}

// NewSaveFailure returns MISP's 403 save-fail answer: name is the action
// ("Could not add Event"), errs a string or a {field: [messages]} map.
func NewSaveFailure(r *http.Request, name string, errs any) *Error {
	return &Error{Status: http.StatusForbidden, Body: SaveFailure{Name: name, Message: name, URL: r.URL.Path, Errors: errs}}
}

// statusOf is the single error-kind → status table.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, misp.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, misp.ErrUnauthenticated):
		// MISP answers failed authentication with 403, and PyMISP expects it.
		return http.StatusForbidden
	case errors.Is(err, misp.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, misp.ErrInvalid), errors.Is(err, misp.ErrNotNewer):
		// MISP answers validation failures with 403 (quirk #1).
		return http.StatusForbidden
	case errors.Is(err, misp.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// writeError renders err as JSON. 5xx answers carry a generic message and
// the request id; the cause is logged.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var he *Error
	if errors.As(err, &he) {
		for k, vs := range he.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if he.Status >= 500 {
			logError(r, log, err)
		}
		WriteJSON(w, r, he.Status, he.Body)
		return
	}
	status := statusOf(err)
	var body any
	var ve *misp.ValidationError
	switch {
	case status >= 500:
		logError(r, log, err)
		msg := "An internal error has occurred. Request id: " + RequestID(r.Context())
		body = Exception{Name: msg, Message: msg, URL: r.URL.Path}
	case errors.As(err, &ve):
		body = SaveFailure{Name: "Could not save", Message: "Could not save", URL: r.URL.Path, Errors: ve.Fields}
	case status == http.StatusRequestEntityTooLarge:
		msg := "The request body is too large."
		body = Exception{Name: msg, Message: msg, URL: r.URL.Path}
	default:
		msg := publicMessage(err, status)
		body = Exception{Name: msg, Message: msg, URL: r.URL.Path}
	}
	WriteJSON(w, r, status, body)
}

// PublicMessager is implemented by errors whose text is meant for the client
// (auth.Error carries MISP's authentication messages).
type PublicMessager interface {
	PublicMessage() string
}

// publicMessage is the text sent for a 4xx error. Internal error text is
// never sent: only messages the error chain marks as public, or the status text.
func publicMessage(err error, status int) string {
	var pm PublicMessager
	if errors.As(err, &pm) {
		return pm.PublicMessage()
	}
	switch {
	case errors.Is(err, misp.ErrNotFound):
		return "Invalid target."
	case errors.Is(err, misp.ErrConflict):
		return "The item already exists."
	case errors.Is(err, misp.ErrNotNewer):
		return "The item in the request is not newer than the local copy."
	}
	return http.StatusText(status)
}

func logError(r *http.Request, log *slog.Logger, err error) {
	log.LogAttrs(r.Context(), slog.LevelError, "request failed",
		slog.String("request_id", RequestID(r.Context())),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("error", err.Error()))
}

// WriteJSON writes v as JSON with status. Output is compact for MISP and
// PyMISP clients and indented otherwise, as MISP does; HTML characters are
// not escaped (MISP does not escape them either).
func WriteJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if Pretty(r) {
		enc.SetIndent("", "    ")
	}
	_ = enc.Encode(v) // the client went away; nothing more to do
}

// Pretty reports whether JSON for r should be indented: not for automated
// clients (User-Agent starting with PyMISP or MISP).
func Pretty(r *http.Request) bool {
	ua := r.Header.Get("User-Agent")
	return !(len(ua) >= 4 && (ua[:4] == "MISP" || (len(ua) >= 6 && ua[:6] == "PyMISP")))
}
