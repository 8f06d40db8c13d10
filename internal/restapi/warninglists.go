package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/warninglist"
)

// registerWarninglists adds the warninglists endpoints (misp-rest-api
// §3.4; docs/warninglists.md): reads and checkValue for every
// authenticated user, toggling for perm_warninglist (or a site admin),
// updating the library for site admins, as MISP's ACL has them.
// checkValue goes through the API's Matcher, which freetext import
// shares.
func (a *API) registerWarninglists(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/warninglists/index", a.warninglistIndex)
	// Without a.route's /{named...} twin, which would answer every
	// request under /warninglists/.
	mux.Handle("GET /warninglists", a.ad.Authed(a.warninglistIndex))
	mux.Handle("POST /warninglists", a.ad.Authed(a.warninglistIndex))
	a.route(mux, "GET", "/warninglists/view/{id}", a.warninglistView)
	a.route(mux, "GET POST", "/warninglists/checkValue", func(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
		return a.warninglistCheckValue(w, r, actor, a.warnings)
	})
	a.route(mux, "GET POST", "/warninglists/toggleEnable", a.warninglistToggleEnable)
	a.route(mux, "POST", "/warninglists/enableWarninglist/{id}", a.warninglistEnable)
	a.route(mux, "POST", "/warninglists/enableWarninglist/{id}/{enable}", a.warninglistEnable)
	a.route(mux, "GET POST", "/warninglists/update", a.warninglistUpdate)
}

// warninglistIndexRow is one warninglists/index entry: the row, the
// number of entries (a string, as MISP's COUNT subquery gives it) and
// the matching attribute types joined by ", ".
type warninglistIndexRow struct {
	*misp.Warninglist
	EntryCount      misp.Int `json:"warninglist_entry_count"`
	ValidAttributes string   `json:"valid_attributes"`
}

type warninglistIndexEntry struct {
	Warninglist warninglistIndexRow `json:"Warninglist"`
}

// warninglistIndex is GET|POST /warninglists/index (and /warninglists):
// {"Warninglists": [{"Warninglist": {…}}]}, newest first, not paginated,
// filtered by value (a substring of the name or description, or the
// type) and enabled, given as named parameters or in a JSON body.
func (a *API) warninglistIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	params, err := harvestParams(r, []string{"value", "enabled"})
	if err != nil {
		return err
	}
	var f misp.WarninglistFilter
	if v := params["value"]; len(v) > 0 {
		f.Value = strings.TrimSpace(v[len(v)-1])
	}
	if v := params["enabled"]; len(v) > 0 {
		enabled, err := misp.ParseBool(v[len(v)-1])
		if err != nil {
			// MySQL compares a non-numeric string with the flag as 0.
			enabled = false
		}
		f.Enabled = &enabled
	}
	lists, err := a.st.Warninglists.FindWarninglists(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list warninglists: %w", err)
	}
	out := struct {
		Warninglists []warninglistIndexEntry `json:"Warninglists"`
	}{Warninglists: make([]warninglistIndexEntry, len(lists))}
	for i, l := range lists {
		out.Warninglists[i].Warninglist = warninglistIndexRow{Warninglist: l,
			EntryCount: misp.Int(l.EntryCount), ValidAttributes: strings.Join(l.MatchingAttributes(), ", ")}
		l.Types = nil // shown as valid_attributes only
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// warninglistView is GET /warninglists/view/{id}: {"Warninglist": {…,
// "WarninglistEntry": […], "WarninglistType": […]}}. A non-numeric id is
// 404 "Invalid ID.", an unknown one 404 "Warninglist not found.".
func (a *API) warninglistView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	ref := strings.TrimSuffix(strings.TrimSpace(r.PathValue("id")), ".json")
	if _, err := strconv.ParseFloat(ref, 64); err != nil {
		return exception(r, http.StatusNotFound, "Invalid ID.")
	}
	id, ok := parseID(ref)
	if !ok {
		return exception(r, http.StatusNotFound, "Warninglist not found.")
	}
	l, err := a.st.Warninglists.FindWarninglistByID(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Warninglist not found.")
	}
	if err != nil {
		return fmt.Errorf("view warninglist %d: %w", id, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, struct {
		Warninglist *misp.Warninglist `json:"Warninglist"`
	}{l})
	return nil
}

// warninglistHit is one hit of warninglists/checkValue.
type warninglistHit struct {
	ID      misp.Int `json:"id"`
	Name    string   `json:"name"`
	Matched string   `json:"matched"`
}

// checkValueHits is checkValue's answer: the checked values with hits,
// in the order given, each with its hits in list id order. MISP builds it
// as a PHP array, so a value given twice has its hits twice, and no hits
// at all is the empty list [].
type checkValueHits struct {
	values []string
	hits   map[string][]warninglistHit
}

func (h *checkValueHits) add(value string, hits []warninglistHit) {
	if _, ok := h.hits[value]; !ok {
		h.values = append(h.values, value)
	}
	h.hits[value] = append(h.hits[value], hits...)
}

// MarshalJSON writes the values in order, without escaping HTML.
func (h *checkValueHits) MarshalJSON() ([]byte, error) {
	if len(h.values) == 0 {
		return []byte("[]"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, v := range h.values {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := enc.Encode(h.hits[v]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// warninglistCheckValue is POST /warninglists/checkValue: checks each
// value, trimmed, against every enabled list whatever its types (MISP's
// checkValue), through the Matcher's index. The body is a JSON list of
// values (PyMISP's values_in_warninglist), a single value, an object whose
// values are checked, or any of these under "Warninglist" or "[]". An
// empty body is 404 "No valid data received." (MISP); a value that is a
// list or an object is 400. GET describes the endpoint.
func (a *API) warninglistCheckValue(w http.ResponseWriter, r *http.Request, actor *misp.Actor, m *warninglist.Matcher) error {
	if r.Method != http.MethodPost {
		return describe(w, r, "/warninglists/checkValue",
			"POST a JSON list with value(s) to check against the warninglists to get a JSON dictionary as a response with any hits, if there are any (with the key being the passed value triggering a warning).",
			[]string{"[]"}, nil, nil)
	}
	values, err := checkValueInput(r)
	if err != nil {
		return err
	}
	ix, err := m.Index(r.Context())
	if err != nil {
		return fmt.Errorf("check values: %w", err)
	}
	out := &checkValueHits{hits: make(map[string][]warninglistHit)}
	for _, v := range values {
		v = strings.Trim(v, " \t\n\r\x00\x0b")
		hits := ix.CheckValue(v)
		if len(hits) == 0 {
			continue
		}
		found := make([]warninglistHit, len(hits))
		for i, h := range hits {
			found[i] = warninglistHit{ID: misp.Int(h.ListID), Name: h.Name, Matched: h.Matched}
		}
		out.add(v, found)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// checkValueInput reads the values of a checkValue body the way MISP's
// controller unwraps request->data: "Warninglist" first, then "[]", then
// a list's elements, an object's values in document order, or a single
// value.
func checkValueInput(r *http.Request) ([]string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var data any
	if !emptyBody(body) {
		if err := decodeJSON(r, body, &data); err != nil {
			return nil, err
		}
	}
	if phpEmpty(data) {
		return nil, exception(r, http.StatusNotFound, "No valid data received.")
	}
	raw := json.RawMessage(bytes.TrimSpace(body))
	for _, key := range []string{"Warninglist", "[]"} {
		if members, ok := objectMembers(raw); ok {
			for _, mb := range members {
				if mb.key == key {
					raw = mb.value
				}
			}
		}
	}
	var elems []json.RawMessage
	if members, ok := objectMembers(raw); ok {
		for _, mb := range members {
			elems = append(elems, mb.value)
		}
	} else if err := json.Unmarshal(raw, &elems); err != nil {
		elems = []json.RawMessage{raw} // a single value
	}
	values := make([]string, 0, len(elems))
	for _, e := range elems {
		var v any
		if err := json.Unmarshal(e, &v); err != nil {
			return nil, invalidJSON(r, err)
		}
		switch v.(type) {
		case []any, map[string]any:
			return nil, exception(r, http.StatusBadRequest, "Invalid input: every value to check must be a string or a number.")
		}
		values = append(values, phpString(v))
	}
	return values, nil
}

// phpEmpty is PHP's empty() of a decoded JSON value.
func phpEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == "" || x == "0"
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// jsonMember is one member of a JSON object.
type jsonMember struct {
	key   string
	value json.RawMessage
}

// objectMembers returns the members of raw in document order, and false
// when raw is not a JSON object.
func objectMembers(raw json.RawMessage) ([]jsonMember, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	var out []jsonMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, jsonMember{key, v})
	}
	return out, true
}
