package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/warninglist"
)

// The warninglist writes. toggleEnable answers as MISP's controller
// does, with HTTP 200 and {"saved": false, "errors": …} for a request it
// cannot serve; enableWarninglist and update answer as theirs.

// canToggleWarninglists is MISP's ACL for toggleEnable and
// enableWarninglist: perm_warninglist, which a site admin passes anyway.
func canToggleWarninglists(r *http.Request, actor *misp.Actor) error {
	return requirePerm(r, actor.Perms.Warninglist || actor.Perms.SiteAdmin)
}

// toggleAnswer is toggleEnable's answer.
type toggleAnswer struct {
	Saved   bool   `json:"saved"`
	Success string `json:"success,omitempty"`
	Errors  string `json:"errors,omitempty"`
}

func writeToggleFailure(w http.ResponseWriter, r *http.Request, msg string) error {
	httpserver.WriteJSON(w, r, http.StatusOK, toggleAnswer{Errors: msg})
	return nil
}

// toggleInput is the body of toggleEnable: {"id": id|[ids], "name":
// name|[names], "enabled": bool} (PyMISP's toggle_warninglist), or the
// UI's {"Warninglist": {"data": id|[ids]}}.
type toggleInput struct {
	Warninglist *struct {
		Data json.RawMessage `json:"data"`
	} `json:"Warninglist"`
	ID      json.RawMessage `json:"id"`
	Name    json.RawMessage `json:"name"`
	Enabled json.RawMessage `json:"enabled"`
}

// warninglistToggleEnable is POST /warninglists/toggleEnable: sets the
// enabled flag of the lists selected by id or, when no id is given, by
// name (case-insensitive LIKE patterns such as "%dns resolv%"), or flips
// each one's flag when enabled is absent. The answer counts the lists:
// {"saved": true, "success": "3 warninglist(s) enabled"} ("disabled";
// without enabled, the new state of a single list or "toggled"). A value
// of the wrong shape (an object where an id, a name or a flag belongs) is
// 400; a body that is not JSON, MISP's 405.
func (a *API) warninglistToggleEnable(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := canToggleWarninglists(r, actor); err != nil {
		return err
	}
	if r.Method != http.MethodPost {
		return writeToggleFailure(w, r, "This function only accepts POST requests.")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in toggleInput
	if !emptyBody(body) {
		var probe any
		if err := decodeJSON(r, body, &probe); err != nil {
			return err
		}
		if _, ok := probe.(map[string]any); !ok {
			return exception(r, http.StatusBadRequest, "Invalid input: POST a JSON object with id, name and enabled.")
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return exception(r, http.StatusBadRequest, "Invalid input: POST a JSON object with id, name and enabled.")
		}
	}
	bad := exception(r, http.StatusBadRequest, "Invalid input: id and name must be values or lists of values, enabled a boolean.")
	var sel misp.WarninglistSelection
	ids := in.ID
	if in.Warninglist != nil && len(in.Warninglist.Data) > 0 {
		ids = in.Warninglist.Data
	}
	idValues, ok := scalarList(ids)
	if !ok {
		return bad
	}
	if len(idValues) > 0 {
		for _, v := range idValues {
			if id, ok := parseID(v); ok {
				sel.IDs = append(sel.IDs, id)
			}
		}
		if len(sel.IDs) == 0 {
			return writeToggleFailure(w, r, "Warninglist(s) not found.")
		}
	} else {
		names, ok := scalarList(in.Name)
		if !ok {
			return bad
		}
		sel.Names = names
		if len(sel.Names) == 0 {
			return writeToggleFailure(w, r, "Warninglist not found.")
		}
	}
	var enabled *bool
	if len(in.Enabled) > 0 && string(in.Enabled) != "null" {
		var v any
		if err := json.Unmarshal(in.Enabled, &v); err != nil {
			return bad
		}
		switch v.(type) {
		case []any, map[string]any:
			return bad
		}
		on := phpTruthy(phpString(v))
		enabled = &on
	}
	lists, err := a.st.Warninglists.ToggleWarninglists(r.Context(), sel, enabled)
	if errors.Is(err, misp.ErrNotFound) {
		if len(sel.IDs) == 0 {
			// MISP found no id for the names.
			return writeToggleFailure(w, r, "Warninglist not found.")
		}
		return writeToggleFailure(w, r, "Warninglist(s) not found.")
	}
	if err != nil {
		return fmt.Errorf("toggle warninglists: %w", err)
	}
	var state string
	switch {
	case enabled != nil && *enabled:
		state = "enabled"
	case enabled != nil:
		state = "disabled"
	case len(lists) > 1:
		state = "toggled"
	case bool(lists[0].Enabled):
		state = "enabled"
	default:
		state = "disabled"
	}
	httpserver.WriteJSON(w, r, http.StatusOK, toggleAnswer{Saved: true, Success: strconv.Itoa(len(lists)) + " warninglist(s) " + state})
	return nil
}

// scalarList reads an id or name field as MISP takes it: PHP's empty()
// values give none, a scalar one, a list its elements. An object, or a
// list holding lists or objects, is refused. A JSON-encoded list in a
// string (the UI's form data) is decoded.
func scalarList(raw json.RawMessage) ([]string, bool) {
	if len(raw) == 0 {
		return nil, true
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	if s, ok := v.(string); ok && strings.HasPrefix(strings.TrimSpace(s), "[") {
		var decoded []any
		if json.Unmarshal([]byte(s), &decoded) == nil {
			v = decoded
		}
	}
	if phpEmpty(v) {
		return nil, true
	}
	switch x := v.(type) {
	case map[string]any:
		return nil, false
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case []any, map[string]any:
				return nil, false
			}
			out = append(out, phpString(e))
		}
		return out, true
	}
	return []string{phpString(v)}, true
}

// warninglistEnable is POST /warninglists/enableWarninglist/{id}[/{enable}],
// MISP's UI action: sets the flag (enable "1" and the like; absent or
// "0" disables) and redirects to the list's view, as MISP does. An unknown
// id is 404 "Invalid Warninglist.".
func (a *API) warninglistEnable(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := canToggleWarninglists(r, actor); err != nil {
		return err
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		return exception(r, http.StatusNotFound, "Invalid Warninglist.")
	}
	on := phpTruthy(strings.TrimSuffix(r.PathValue("enable"), ".json"))
	_, err := a.st.Warninglists.ToggleWarninglists(r.Context(), misp.WarninglistSelection{IDs: []int64{id}}, &on)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid Warninglist.")
	}
	if err != nil {
		return fmt.Errorf("enable warninglist %d: %w", id, err)
	}
	http.Redirect(w, r, a.cfg.BaseURL+"/warninglists/view/"+strconv.FormatInt(id, 10), http.StatusFound)
	return nil
}

// warninglistUpdate is POST /warninglists/update: loads the library under
// LibraryDir/warninglists and imports it (warninglist.ImportDir). As in
// MISP the answer is a save-success whatever happened, its message
// counting the lists installed or updated and the files that failed; a
// file that fails does not stop the others. GET is MISP's 405.
func (a *API) warninglistUpdate(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	if r.Method != http.MethodPost {
		return exception(r, http.StatusMethodNotAllowed, "This action is only accessible via POST requests.")
	}
	res, err := warninglist.ImportDir(r.Context(), a.st.Warninglists, filepath.Join(a.cfg.LibraryDir, "warninglists"))
	if err != nil && !errors.Is(err, misp.ErrInvalid) {
		return fmt.Errorf("update warninglists: %w", err)
	}
	if err != nil {
		// Nothing was stored: the library holds an invalid list or a
		// name twice.
		storedNothing(&res, err)
	}
	msg := updateMessage(res, "All warninglists are up to date already.",
		"Could not update any of the warning lists", "warninglists")
	return writeLibraryUpdate(w, r, "/warninglists/update", msg, res)
}
