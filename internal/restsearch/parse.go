package restsearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Error is a request MISP refuses, with the status and message MISP
// answers (or, where MISP answers 500 or returns everything, a 4xx of our
// own). The message is shown to clients as is, hence its capital letter
// and full stop.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// MISP's wording (AppController::restSearch, ::_harvestParameters,
// ::_jsonDecode; Event::restSearch).
const (
	msgEmptyPost   = "Either specify the search terms in the url, or POST a json with the filter parameters."
	msgEmptyGet    = "Restsearch queries using GET and no parameters are not allowed. If you have passed parameters via a JSON body, make sure you use POST requests."
	msgInvalidJSON = "Invalid JSON input. Make sure that the JSON input is a correctly formatted JSON string. This request has been blocked to avoid an unfiltered request."
	msgScope       = "RestSearch is not implemented (yet) for this scope."
	msgFormat      = "Invalid output format."
)

// Parse reads a restSearch request of scope "attributes" or "events" the
// way MISP 2.5.1 harvests one (AppController::_harvestParameters):
//
//   - body is read for POST only: a JSON object, optionally wrapped in
//     {"request": …}; keys outside the scope's parameter list (MISP's
//     RestSearchComponent::$paramArray, plus page and limit) are dropped
//     and null values count as absent;
//   - positional are the legacy ordered URL segments, mapped onto the
//     parameter list in order (returnFormat first); "", "0", "null" and
//     "false" segments are skipped, as MISP does;
//   - named are /key:value segments (and query parameters), key[] folded
//     into key: one value is a scalar, several a list.
//
// As in MISP, URL parameters override body keys of the same name (named
// over positional over body), ";" in URL values reads as ":", and a
// string value is trimmed and split into a list on "||" unless the "||"
// is at its start (quirk 8).
//
// now resolves time deltas ("7d") and is the reference of Unix-time date
// conversions (UTC). Errors are *Error.
func Parse(scope string, named url.Values, positional []string, method string, body []byte, now time.Time) (*Request, error) {
	params, ok := paramArray[scope]
	if !ok {
		return nil, &Error{Status: http.StatusNotFound, Message: msgScope}
	}
	data, err := harvest(params, named, positional, method, body)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 && strings.EqualFold(method, http.MethodGet) {
		return nil, &Error{Status: http.StatusBadRequest, Message: msgEmptyGet}
	}
	// Event::restSearchFilterMassage: "tag" stands in for an absent "tags".
	if v, ok := data["tag"]; ok {
		if _, ok := data["tags"]; !ok {
			data["tags"] = v
		}
		delete(data, "tag")
	}
	return build(scope, data, now.Unix())
}

// harvest collects the parameters of a request into one map of decoded
// JSON-like values (string, json.Number, bool, []any, map[string]any).
func harvest(params []string, named url.Values, positional []string, method string, body []byte) (map[string]any, error) {
	data := make(map[string]any)
	post := strings.EqualFold(method, http.MethodPost)
	emptyBody := true
	if post || strings.EqualFold(method, http.MethodPut) || strings.EqualFold(method, http.MethodDelete) {
		// CakePHP decodes JSON bodies of POST, PUT and DELETE, and MISP
		// refuses a malformed one before the action runs; only POST
		// bodies are harvested.
		obj, err := decodeBody(body)
		if err != nil {
			return nil, err
		}
		emptyBody = len(obj) == 0
		if post && !emptyBody {
			src := obj
			if w, ok := obj["request"]; ok && w != nil {
				m, ok := w.(map[string]any)
				if !ok {
					return nil, &Error{Status: http.StatusBadRequest, Message: `Invalid JSON input. The "request" member must be a JSON object.`}
				}
				src = m
			}
			for _, p := range params {
				if v, ok := src[p]; ok && v != nil {
					data[p] = v
				}
			}
		}
	}
	for i, s := range positional {
		if i >= len(params) {
			break
		}
		switch strings.ToLower(s) {
		case "", "0", "null", "false":
			continue
		}
		data[params[i]] = strings.ReplaceAll(s, ";", ":")
	}
	for _, p := range params {
		switch vs := named[p]; len(vs) {
		case 0:
		case 1:
			data[p] = strings.ReplaceAll(vs[0], ";", ":")
		default:
			l := make([]any, len(vs))
			for i, s := range vs {
				l[i] = strings.ReplaceAll(s, ";", ":")
			}
			data[p] = l
		}
	}
	// MISP answers an empty POST with 400 even when the URL carries
	// filters; we only do so when nothing was given at all.
	if post && emptyBody && len(data) == 0 {
		return nil, &Error{Status: http.StatusBadRequest, Message: msgEmptyPost}
	}
	for k, v := range data {
		s, ok := v.(string)
		if !ok {
			continue
		}
		s = trimPHP(s)
		if strings.Index(s, "||") > 0 {
			parts := strings.Split(s, "||")
			l := make([]any, len(parts))
			for i, p := range parts {
				l[i] = p
			}
			data[k] = l
		} else {
			data[k] = s
		}
	}
	return data, nil
}

// decodeBody decodes a JSON object body; an empty body, null, {} and []
// decode to an empty map, as PHP's (array) cast of them is empty.
func decodeBody(body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Status: http.StatusMethodNotAllowed, Message: msgInvalidJSON}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{Status: http.StatusMethodNotAllowed, Message: msgInvalidJSON}
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return x, nil
	case []any:
		if len(x) == 0 {
			return nil, nil
		}
	}
	// MISP would search with no filters at all (returning everything);
	// a body that is not an object is a mistake worth reporting.
	return nil, &Error{Status: http.StatusBadRequest, Message: "Invalid JSON input. The request body must be a JSON object of filter parameters."}
}

// trimPHP trims what PHP's trim() does.
func trimPHP(s string) string { return strings.Trim(s, " \t\n\r\x00\x0b") }
