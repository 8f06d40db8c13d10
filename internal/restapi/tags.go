package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

func (a *API) registerTags(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/tags/index", a.tagIndex)
	a.route(mux, "GET", "/tags", a.tagIndex)
	a.route(mux, "GET", "/tags/view/{id}", a.tagView)
	a.route(mux, "GET POST", "/tags/search", a.tagSearch)
	a.route(mux, "GET POST", "/tags/add", a.tagAdd)
	a.route(mux, "GET POST PUT", "/tags/edit/{id}", a.tagEdit)
	a.route(mux, "POST DELETE", "/tags/delete/{id}", a.tagDelete)
	a.route(mux, "POST", "/tags/attachTagToObject", a.tagAttachToObject)
	a.route(mux, "POST", "/tags/removeTagFromObject", a.tagRemoveFromObject)
}

// tagIndexItem is a tags/index entry. MISP adds the number of events and
// attributes carrying the tag (count, attribute_count); the store has no
// cheap way to count visible attachments, so Razmena leaves them out
// rather than send wrong numbers. Favourite tags are not implemented, so
// favourite is always false.
type tagIndexItem struct {
	*misp.Tag
	Favourite bool `json:"favourite"`
}

// tagIndex is GET /tags/index: {"Tag":[…]}, filtered by the named (or
// body) parameters searchall (substring of the name), name, filter and
// search (exact name, case-insensitive) and favouritesOnly. As in MISP,
// the list is not paginated in REST and not filtered by org restrictions
// (misp-access-control §5): restrictions limit attaching, not seeing.
func (a *API) tagIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	params, err := harvestParams(r, []string{"favouritesOnly", "filter", "searchall", "name", "search", "exclude_statistics"})
	if err != nil {
		return err
	}
	items := []tagIndexItem{}
	if namedTruthy(params["favouritesOnly"]) {
		// No favourites exist, so the list is empty, as in MISP for a user
		// without favourites.
		httpserver.WriteJSON(w, r, http.StatusOK, map[string]any{"Tag": items})
		return nil
	}
	var exact []string
	for _, k := range []string{"name", "filter", "search"} {
		exact = append(exact, params[k]...)
	}
	f := misp.TagFilter{}
	var contains []string
	for _, s := range params["searchall"] {
		if s != "" {
			contains = append(contains, strings.ToLower(s))
		}
	}
	switch {
	case len(exact) > 0:
		for _, n := range exact {
			// An exact name must not be read as a LIKE pattern.
			if n != "" && !strings.Contains(n, "%") {
				f.Names = append(f.Names, n)
			}
		}
		if len(f.Names) == 0 {
			httpserver.WriteJSON(w, r, http.StatusOK, map[string]any{"Tag": items})
			return nil
		}
	case len(contains) > 0:
		f.Names = []string{"%" + contains[0] + "%"}
	}
	tags, err := a.st.Tags.FindTags(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list tags: %w", err)
	}
	for _, t := range tags {
		if !containsAll(strings.ToLower(t.Name), contains) {
			continue
		}
		items = append(items, tagIndexItem{Tag: t})
	}
	httpserver.WriteJSON(w, r, http.StatusOK, map[string]any{"Tag": items})
	return nil
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// tagView is GET /tags/view/{id}: the bare tag (MISP does not wrap it).
// Unknown → 405 "Invalid Tag". MISP adds count and attribute_count; see
// tagIndexItem for why they are left out.
func (a *API) tagView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		return exception(r, http.StatusMethodNotAllowed, "Invalid Tag")
	}
	t, err := a.st.Tags.FindTagByID(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusMethodNotAllowed, "Invalid Tag")
	}
	if err != nil {
		return fmt.Errorf("find tag %d: %w", id, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, t)
	return nil
}

// tagAdd is POST /tags/add (perm_tag_editor). A tag with the same name
// is returned as it is (200, nothing created); a validation failure is
// MISP's 405 "Could not add the Tag. [field]: msg".
func (a *API) tagAdd(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.TagEditor); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/tags/add", "POST a Tag object in JSON format to this API to create a new tag.",
			[]string{"name"}, []string{"colour", "exportable", "hide_tag", "org_id", "user_id"}, nil)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	t, err := mispjson.DecodeTag(body)
	if err != nil {
		return tagDecodeFailure(r, err)
	}
	var given tagEditInput
	if err := mispjson.DecodeWrapped(body, "Tag", &given); err != nil {
		return tagDecodeFailure(r, err)
	}
	if given.Exportable == nil {
		t.Exportable = true // the column default in MISP
	}
	t.ID = 0
	if existing, err := a.st.Tags.FindTagByName(r.Context(), strings.TrimSpace(t.Name)); err == nil {
		httpserver.WriteJSON(w, r, http.StatusOK, map[string]any{"Tag": existing})
		return nil
	} else if !errors.Is(err, misp.ErrNotFound) {
		return fmt.Errorf("find tag: %w", err)
	}
	if err := t.Validate(); err != nil {
		return tagValidationFailure(r, err)
	}
	if err := a.st.Tags.CreateTag(r.Context(), t); errors.Is(err, misp.ErrConflict) {
		existing, ferr := a.st.Tags.FindTagByName(r.Context(), t.Name)
		if ferr != nil {
			return fmt.Errorf("find tag: %w", ferr)
		}
		t = existing
	} else if err != nil {
		return fmt.Errorf("create tag: %w", err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, map[string]any{"Tag": t})
	return nil
}

// tagEditInput is a tags/edit body: nil fields are absent.
type tagEditInput struct {
	Name           *string    `json:"name"`
	Colour         *string    `json:"colour"`
	Exportable     *misp.Bool `json:"exportable"`
	OrgID          *misp.Int  `json:"org_id"`
	UserID         *misp.Int  `json:"user_id"`
	HideTag        *misp.Bool `json:"hide_tag"`
	NumericalValue *misp.Int  `json:"numerical_value"`
	LocalOnly      *misp.Bool `json:"local_only"`
}

// tagEdit is POST /tags/edit/{id} (site admin): the fields present in the
// body replace the stored ones; answers {"Tag": …}.
func (a *API) tagEdit(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/tags/edit", "POST or PUT a Tag object in JSON format to this API to create a edit an existing tag.",
			nil, []string{"name", "colour", "exportable", "hide_tag", "org_id", "user_id"}, []string{"tag_id"})
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		return exception(r, http.StatusNotFound, "Invalid tag")
	}
	stored, err := a.st.Tags.FindTagByID(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid tag")
	}
	if err != nil {
		return fmt.Errorf("find tag %d: %w", id, err)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in tagEditInput
	if err := mispjson.DecodeWrapped(body, "Tag", &in); err != nil {
		return tagDecodeFailure(r, err)
	}
	merged := *stored
	upd := misp.TagUpdate{}
	if in.Name != nil {
		merged.Name = *in.Name
	}
	if in.Colour != nil {
		merged.Colour = *in.Colour
		if merged.Colour == "" {
			merged.Colour = misp.TagColour(strings.TrimSpace(merged.Name))
		}
	}
	if err := merged.Validate(); err != nil {
		return tagValidationFailure(r, err)
	}
	if in.Name != nil {
		upd.Name = &merged.Name
	}
	if in.Colour != nil {
		upd.Colour = &merged.Colour
	}
	upd.Exportable = optBool(in.Exportable)
	upd.HideTag = optBool(in.HideTag)
	upd.LocalOnly = optBool(in.LocalOnly)
	upd.OrgID = optInt(in.OrgID)
	upd.UserID = optInt(in.UserID)
	if in.NumericalValue != nil {
		nv := optInt(in.NumericalValue)
		upd.NumericalValue = &nv
	}
	t, err := a.st.Tags.UpdateTag(r.Context(), id, upd)
	switch {
	case errors.Is(err, misp.ErrConflict):
		return exception(r, http.StatusMethodNotAllowed, "Could not add the Tag. [name]: A similar name already exists for a tag.")
	case errors.Is(err, misp.ErrNotFound):
		return exception(r, http.StatusNotFound, "Invalid tag")
	case err != nil:
		return fmt.Errorf("update tag %d: %w", id, err)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, map[string]any{"Tag": t})
	return nil
}

func optBool(b *misp.Bool) *bool {
	if b == nil {
		return nil
	}
	v := bool(*b)
	return &v
}

func optInt(i *misp.Int) *int64 {
	if i == nil {
		return nil
	}
	v := int64(*i)
	return &v
}

// tagDeleted is MISP's answer to tags/delete.
type tagDeleted struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	URL     string `json:"url"`
}

// tagDelete is POST /tags/delete/{id} (site admin): removes the tag and
// every attachment of it.
func (a *API) tagDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		return exception(r, http.StatusNotFound, "Invalid tag")
	}
	err := a.st.Tags.DeleteTag(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid tag")
	}
	if err != nil {
		return fmt.Errorf("delete tag %d: %w", id, err)
	}
	msg := "Tag deleted."
	httpserver.WriteJSON(w, r, http.StatusOK, tagDeleted{Name: msg, Message: msg, URL: a.cfg.BaseURL + "/tags/delete/" + idString(id)})
	return nil
}

// tagValidationFailure is the 405 MISP gives tags/add and tags/edit for an
// invalid tag: "Could not add the Tag. [field]: message" for each field.
func tagValidationFailure(r *http.Request, err error) error {
	var ve *misp.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var b strings.Builder
	for _, k := range sortedKeys(ve.Fields) {
		fmt.Fprintf(&b, "[%s]: %s", k, ve.Fields[k][0])
	}
	return exception(r, http.StatusMethodNotAllowed, "Could not add the Tag. "+b.String())
}

// tagDecodeFailure answers a tags/add or tags/edit body that cannot be
// decoded: 405 for a body that is not JSON, else MISP's tag validation 405.
func tagDecodeFailure(r *http.Request, err error) error {
	var ie *mispjson.InputError
	if errors.As(err, &ie) && ie.Path != "" {
		return exception(r, http.StatusMethodNotAllowed, "Could not add the Tag. ["+ie.Path+"]: "+ie.Reason)
	}
	return decodeFailure(r, "Could not add Tag", err)
}

// parseID parses a positive numeric id ("12" or "12.json").
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(s), ".json"), 10, 64)
	return id, err == nil && id > 0
}

// phpTruthy is PHP's truthiness of a string: anything but "" and "0".
func phpTruthy(s string) bool { return s != "" && s != "0" }

// phpString renders a decoded JSON scalar the way PHP casts it to a
// string: true "1", false and null "", numbers as written.
func phpString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "1"
		}
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// phpStrings is phpString for a scalar or each element of a list.
func phpStrings(v any) []string {
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, e := range list {
			out = append(out, phpString(e))
		}
		return out
	}
	return []string{phpString(v)}
}
