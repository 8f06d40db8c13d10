package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/taxonomy"
)

// The taxonomy writes, all site admin only. MISP answers them with
// RestResponse's save-success (200) and save-fail (403) shapes; an unknown
// taxonomy is a save-fail naming the action, not a 404.

// taxonomyRef is the raw {id} of a write, as MISP echoes it in url and id.
func taxonomyRef(r *http.Request) string {
	return strings.TrimSuffix(strings.TrimSpace(r.PathValue("id")), ".json")
}

// taxonomyFail is RestResponse::saveFailResponse('Taxonomy', action, …).
func taxonomyFail(r *http.Request, action, ref, errs string) error {
	url := "/taxonomies/" + action
	if ref != "" {
		url += "/" + ref
	}
	return saveFail(r, "Could not "+action+" Taxonomy", url, errs, ref)
}

// taxonomySuccess is RestResponse::saveSuccessResponse('Taxonomy', action, …).
func taxonomySuccess(w http.ResponseWriter, r *http.Request, action, ref, msg string) error {
	url := "/taxonomies/" + action
	if ref != "" {
		url += "/" + ref
	}
	writeSuccess(w, r, msg, url, ref)
	return nil
}

// taxonomyEnable is POST /taxonomies/enable/{id}: "Taxonomy enabled".
// Enabling creates no tags (taxonomies/addTag does).
func (a *API) taxonomyEnable(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	on := true
	return a.updateTaxonomy(w, r, actor, "enable", "Taxonomy enabled", "Invalid taxonomy.", misp.TaxonomyUpdate{Enabled: &on})
}

// taxonomyDisable is POST /taxonomies/disable/{id}: "Taxonomy disabled";
// the taxonomy's tags are hidden, as MISP does.
func (a *API) taxonomyDisable(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	off := false
	return a.updateTaxonomy(w, r, actor, "disable", "Taxonomy disabled", "Invalid taxonomy.", misp.TaxonomyUpdate{Enabled: &off})
}

// taxonomyFlagInput is the body of toggleRequired and toggleHighlighted:
// {"Taxonomy": {"required": true}} (PyMISP's set_taxonomy_required), or
// the same unwrapped.
type taxonomyFlagInput struct {
	Taxonomy    *taxonomyFlagInput `json:"Taxonomy"`
	Required    *misp.Bool         `json:"required"`
	Highlighted *misp.Bool         `json:"highlighted"`
}

// taxonomyToggleRequired is POST /taxonomies/toggleRequired/{id}: sets
// required to the body's value; MISP's answer is "Taxonomy
// toggleRequireded". A body without the flag toggles it.
func (a *API) taxonomyToggleRequired(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.toggleTaxonomyFlag(w, r, actor, "toggleRequired",
		func(in *taxonomyFlagInput) *misp.Bool { return in.Required },
		func(t *misp.Taxonomy) bool { return bool(t.Required) },
		func(upd *misp.TaxonomyUpdate, v bool) { upd.Required = &v })
}

// taxonomyToggleHighlighted is toggleRequired for highlighted.
func (a *API) taxonomyToggleHighlighted(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.toggleTaxonomyFlag(w, r, actor, "toggleHighlighted",
		func(in *taxonomyFlagInput) *misp.Bool { return in.Highlighted },
		func(t *misp.Taxonomy) bool { return bool(t.Highlighted) },
		func(upd *misp.TaxonomyUpdate, v bool) { upd.Highlighted = &v })
}

func (a *API) toggleTaxonomyFlag(w http.ResponseWriter, r *http.Request, actor *misp.Actor, action string,
	given func(*taxonomyFlagInput) *misp.Bool, current func(*misp.Taxonomy) bool, set func(*misp.TaxonomyUpdate, bool)) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	ref := taxonomyRef(r)
	id, ok := parseID(ref)
	if !ok {
		return taxonomyFail(r, action, ref, "Invalid Taxonomy")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in taxonomyFlagInput
	if !emptyBody(body) {
		if err := decodeJSON(r, body, &in); err != nil {
			return err
		}
	}
	v := given(&in)
	if in.Taxonomy != nil && given(in.Taxonomy) != nil {
		v = given(in.Taxonomy)
	}
	var value bool
	if v != nil {
		value = bool(*v)
	} else {
		t, err := a.st.Taxonomies.FindTaxonomyByID(r.Context(), id)
		if errors.Is(err, misp.ErrNotFound) {
			return taxonomyFail(r, action, ref, "Invalid Taxonomy")
		}
		if err != nil {
			return fmt.Errorf("find taxonomy %d: %w", id, err)
		}
		value = !current(t)
	}
	var upd misp.TaxonomyUpdate
	set(&upd, value)
	return a.updateTaxonomy(w, r, actor, action, "Taxonomy "+action+"ed", "Invalid Taxonomy", upd)
}

// updateTaxonomy applies upd to the taxonomy {id} and answers MISP's
// save-success msg, or its save-fail with notFound for an unknown id.
func (a *API) updateTaxonomy(w http.ResponseWriter, r *http.Request, actor *misp.Actor, action, msg, notFound string, upd misp.TaxonomyUpdate) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	ref := taxonomyRef(r)
	id, ok := parseID(ref)
	if !ok {
		return taxonomyFail(r, action, ref, notFound)
	}
	_, err := a.st.Taxonomies.UpdateTaxonomy(r.Context(), id, upd)
	if errors.Is(err, misp.ErrNotFound) {
		return taxonomyFail(r, action, ref, notFound)
	}
	if err != nil {
		return fmt.Errorf("%s taxonomy %d: %w", action, id, err)
	}
	return taxonomySuccess(w, r, action, ref, msg)
}

// parseTaxonomyTagRequest reads the body of addTag and disableTag
// without an id in the URL: {"Taxonomy" or "Tag": {"taxonomy_id", "name"
// or "nameList"}}, the inner object possibly under "request"; nameList is
// a JSON-encoded list of names (the UI's form field), or a list. It
// returns the taxonomy reference and the names.
func parseTaxonomyTagRequest(r *http.Request) (ref string, names []string, err error) {
	body, err := readBody(r)
	if err != nil || emptyBody(body) {
		return "", nil, err
	}
	var m map[string]any
	if err := decodeJSON(r, body, &m); err != nil {
		return "", nil, err
	}
	for _, k := range []string{"Taxonomy", "Tag"} {
		if inner, ok := m[k].(map[string]any); ok {
			m = inner
			break
		}
	}
	if inner, ok := m["request"].(map[string]any); ok {
		m = inner
	}
	ref = phpString(m["taxonomy_id"])
	if list, ok := m["nameList"]; ok && list != nil {
		if s, ok := list.(string); ok {
			var decoded any
			if json.Unmarshal([]byte(s), &decoded) == nil {
				list = decoded
			}
		}
		names = phpStrings(list)
	} else if name, ok := m["name"]; ok && name != nil {
		names = phpStrings(name)
	}
	return ref, names, nil
}

// taxonomyAddTag is POST /taxonomies/addTag/{id|namespace}, or
// /taxonomies/addTag with the taxonomy and names in the body: creates (or
// shows again) the taxonomy's tags, all of them or the ones named
// (Taxonomy::addTags). "The tag(s) has been saved."
func (a *API) taxonomyAddTag(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.taxonomyTagWrite(w, r, actor, "addTag", "The tag(s) has been saved.",
		"The tag(s) could not be saved. Please, try again.", a.st.Taxonomies.EnableTaxonomyTags)
}

// taxonomyDisableTag is POST /taxonomies/disableTag/{id|namespace}, or
// /taxonomies/disableTag with a body as addTag's: hides the taxonomy's
// tags, all of them or the ones named. MISP answers a REST call with a
// redirect to the referring page; Razmena answers "The tag(s) has been
// hidden." as a save-success, and only hides tags the taxonomy defines.
func (a *API) taxonomyDisableTag(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	return a.taxonomyTagWrite(w, r, actor, "disableTag", "The tag(s) has been hidden.",
		"The tag(s) could not be hidden. Please, try again.", a.st.Taxonomies.DisableTaxonomyTags)
}

func (a *API) taxonomyTagWrite(w http.ResponseWriter, r *http.Request, actor *misp.Actor, action, msg, failed string,
	apply func(ctx context.Context, id int64, names []string) (int, error)) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	urlRef := taxonomyRef(r)
	ref := urlRef
	var names []string
	if ref == "" {
		var err error
		if ref, names, err = parseTaxonomyTagRequest(r); err != nil {
			return err
		}
	}
	id, err := a.taxonomyID(r, ref)
	if errors.Is(err, misp.ErrNotFound) {
		return taxonomyFail(r, action, urlRef, failed)
	}
	if err != nil {
		return err
	}
	if urlRef == "" && len(names) == 0 {
		// MISP would apply an empty list, which selects nothing.
		return taxonomySuccess(w, r, action, urlRef, msg)
	}
	if _, err := apply(r.Context(), id, names); errors.Is(err, misp.ErrNotFound) {
		return taxonomyFail(r, action, urlRef, failed)
	} else if err != nil {
		return fmt.Errorf("%s taxonomy %d: %w", action, id, err)
	}
	return taxonomySuccess(w, r, action, urlRef, msg)
}

// taxonomyID resolves a taxonomy id or namespace to its id; ErrNotFound.
func (a *API) taxonomyID(r *http.Request, ref string) (int64, error) {
	if id, ok := parseID(ref); ok {
		return id, nil
	}
	if ref == "" {
		return 0, misp.ErrNotFound
	}
	t, err := a.st.Taxonomies.FindTaxonomyByNamespace(r.Context(), ref)
	if err != nil {
		if errors.Is(err, misp.ErrNotFound) {
			return 0, err
		}
		return 0, fmt.Errorf("find taxonomy %q: %w", ref, err)
	}
	return int64(t.ID), nil
}

// taxonomyUpdate is POST /taxonomies/update: loads the library under
// LibraryDir/taxonomies and imports it (taxonomy.ImportDir). As in MISP
// the answer is a save-success whatever happened, its message counting
// the taxonomies installed or updated and the files that failed; a file
// that fails does not stop the others.
func (a *API) taxonomyUpdate(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	res, err := taxonomy.ImportDir(r.Context(), a.st.Taxonomies, filepath.Join(a.cfg.LibraryDir, "taxonomies"))
	if err != nil && !errors.Is(err, misp.ErrInvalid) {
		return fmt.Errorf("update taxonomies: %w", err)
	}
	if err != nil {
		// Nothing was stored: every loaded taxonomy failed with it.
		storedNothing(&res, err)
	}
	msg := updateMessage(res, "All taxonomy libraries are up to date already.",
		"Could not update any of the taxonomy libraries", "taxonomy libraries")
	return writeLibraryUpdate(w, r, "/taxonomies/update", msg, res)
}
