package restapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
)

// This file holds the MISP answer shapes shared by the event, attribute,
// object and tag handlers (misp-rest-api §1.6).

// exception is MISP's exception answer {"name","message","url"}.
func exception(r *http.Request, status int, msg string) error {
	return httpserver.NewException(r, status, msg)
}

// saveFail is RestResponse::saveFailResponse: 403 with name "Could not
// <action> <Model>", the request path (or url, when MISP's differs) and
// errs, a string or a {field: [messages]} map. id is added when not empty.
func saveFail(r *http.Request, name, url string, errs any, id string) error {
	if url == "" {
		url = r.URL.Path
	}
	body := httpserver.SaveFailure{Saved: false, Name: name, Message: name, URL: url, Errors: errs}
	if id != "" {
		body.ID = id
	}
	return &httpserver.Error{Status: http.StatusForbidden, Body: body}
}

// saveSuccessID is RestResponse::saveSuccessResponse with a MISP url that
// may differ from the request path; id is omitted when empty.
type saveSuccessID struct {
	Saved   bool   `json:"saved"`
	Success bool   `json:"success"`
	Name    string `json:"name"`
	Message string `json:"message"`
	URL     string `json:"url"`
	ID      string `json:"id,omitempty"`
}

func writeSuccess(w http.ResponseWriter, r *http.Request, msg, url, id string) {
	httpserver.WriteJSON(w, r, http.StatusOK, saveSuccessID{Saved: true, Success: true, Name: msg, Message: msg, URL: url, ID: id})
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// description is RestResponse::describe, MISP's answer to a REST GET on a
// write endpoint (quirk #10): the name carries the bare action URL, url
// the URL with its positional parameters ("/attributes/add/[event_id]").
type description struct {
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	MandatoryFields []string `json:"mandatory_fields,omitempty"`
	OptionalFields  []string `json:"optional_fields,omitempty"`
	URL             string   `json:"url"`
}

// describe answers a REST GET on action (e.g. "/events/add") with its API
// description; params are the positional parameter names.
func describe(w http.ResponseWriter, r *http.Request, action, desc string, mandatory, optional, params []string) error {
	url := action
	for _, p := range params {
		url += "/[" + p + "]"
	}
	httpserver.WriteJSON(w, r, http.StatusOK, description{
		Name: action + " API description", Description: desc,
		MandatoryFields: mandatory, OptionalFields: optional, URL: url,
	})
	return nil
}

// tagAnswer is the AJAX-style answer of the addTag/removeTag endpoints,
// always sent with HTTP 200 (quirk #5).
type tagAnswer struct {
	Saved        bool   `json:"saved"`
	Success      string `json:"success,omitempty"`
	Errors       string `json:"errors,omitempty"`
	CheckPublish *bool  `json:"check_publish,omitempty"`
}

func writeTagSuccess(w http.ResponseWriter, r *http.Request, msg string, checkPublish bool) error {
	httpserver.WriteJSON(w, r, http.StatusOK, tagAnswer{Saved: true, Success: msg, CheckPublish: &checkPublish})
	return nil
}

func writeTagFailure(w http.ResponseWriter, r *http.Request, msg string) error {
	httpserver.WriteJSON(w, r, http.StatusOK, tagAnswer{Saved: false, Errors: msg})
	return nil
}

// decodeFailure turns a mispjson decoding error into MISP's answer: a body
// that is not JSON is refused with 405 (AppController::_jsonDecode); JSON
// holding a value of the wrong shape fails like validation, with a 403
// save-fail naming the offending value. name is the save-fail name
// ("Could not add Event").
func decodeFailure(r *http.Request, name string, err error) error {
	var ie *mispjson.InputError
	if !errors.As(err, &ie) {
		return err
	}
	if ie.Path == "" {
		return invalidJSON(r, errors.New(ie.Reason))
	}
	return saveFail(r, name, "", map[string][]string{ie.Path: {ie.Reason}}, "")
}
