package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// tagRequest is the body form of the addTag/removeTag endpoints of events
// and attributes, after MISP's RequestRearrangeTool: {"event"|"attribute":
// id, "tag": id|name|"[1,2]"}, also spelt event_id/attribute_id/id and
// tag_id, possibly inside "request" and the model wrapper.
type tagRequest struct {
	target string // event or attribute id/uuid
	tag    string
}

// readTagRequest reads the URL values and, when absent, the body of an
// addTag/removeTag request. targetKey is "event" or "attribute", model
// "Event" or "Attribute".
func readTagRequest(r *http.Request, targetKey, model string) (tagRequest, error) {
	tr := tagRequest{target: r.PathValue("id"), tag: r.PathValue("tag")}
	body, err := readBody(r)
	if err != nil {
		return tr, err
	}
	if emptyBody(body) {
		return tr, nil
	}
	var m map[string]any
	if err := decodeJSON(r, body, &m); err != nil {
		return tr, err
	}
	for _, wrapper := range []string{"request", model} {
		if inner, ok := m[wrapper].(map[string]any); ok {
			m = inner
		}
	}
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := m[k]; ok && v != nil {
				if s, isStr := v.(string); isStr {
					return s
				}
				if list, isList := v.([]any); isList {
					b, err := json.Marshal(list)
					if err == nil {
						return string(b)
					}
				}
				return phpString(v)
			}
		}
		return ""
	}
	if tr.target == "" {
		tr.target = pick(targetKey, targetKey+"_id", "id")
	}
	if tr.tag == "" {
		tr.tag = pick("tag", "tag_id")
	}
	return tr, nil
}

var collectionRE = regexp.MustCompile(`(?i)^collection_[0-9]+$`)

// tagTerms splits an addTag tag parameter: a tag id or name, or a JSON
// list of them ("[1,2]"). ok is false for a tag collection, which Razmena
// does not have yet.
func tagTerms(s string) (terms []string, ok bool) {
	s = strings.TrimSpace(s)
	if collectionRE.MatchString(s) {
		return nil, false
	}
	var list []any
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &list) == nil {
		for _, v := range list {
			t := strings.TrimSpace(phpString(v))
			if collectionRE.MatchString(t) {
				return nil, false
			}
			terms = append(terms, t)
		}
		return terms, true
	}
	return []string{s}, true
}

// tagForUser is Tag::lookupTagIdForUser and the createConditions lookup
// of addTag: the tag with that id or name if the actor may attach it.
func (a *API) tagForUser(ctx context.Context, actor *misp.Actor, term string) (*misp.Tag, error) {
	t, err := a.findTagTerm(ctx, term)
	if err != nil {
		return nil, err
	}
	if !actor.CanUseTag(t) {
		return nil, misp.ErrNotFound
	}
	return t, nil
}

// eventAddTag is POST /events/addTag/{id}/{tag}[/local:1] or the body form
// {"event": id, "tag": …} (perm_tagger). The answer is always HTTP 200
// (quirk #5): {"saved":true,"success":"Tag added.","check_publish":true}
// or {"saved":false,"errors":…}. Visibility is checked first, so a missing
// and an invisible event give the same "Invalid event." (access-control
// §13 #6).
func (a *API) eventAddTag(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Tagger); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/events/addTag", "Add a tag or a tag collection to an event.", []string{"event", "tag"}, nil, nil)
	}
	req, err := readTagRequest(r, "event", "Event")
	if err != nil {
		return err
	}
	ctx := r.Context()
	e, ok, err := a.tagEvent(ctx, actor, req.target)
	if err != nil {
		return err
	}
	if !ok {
		return writeTagFailure(w, r, "Invalid event.")
	}
	local := namedBool(Named(r), "local", false)
	if !actor.CanTagEvent(e, local, a.cfg.HostOrgID) {
		return writeTagFailure(w, r, "You don't have permission to do that.")
	}
	terms, ok := tagTerms(req.tag)
	if !ok {
		return writeTagFailure(w, r, "Invalid Tag Collection.")
	}
	if len(terms) == 1 {
		if _, numeric := parseID(terms[0]); !numeric {
			t, err := a.tagForUser(ctx, actor, terms[0])
			if errors.Is(err, misp.ErrNotFound) {
				return writeTagFailure(w, r, "Invalid Tag.")
			}
			if err != nil {
				return fmt.Errorf("find tag: %w", err)
			}
			terms = []string{idString(int64(t.ID))}
		}
	}
	if len(terms) == 0 || terms[0] == "" {
		return writeTagFailure(w, r, "Nothing to add.")
	}
	var fails []string
	success := 0
	for _, term := range terms {
		t, err := a.tagForUser(ctx, actor, term)
		if errors.Is(err, misp.ErrNotFound) {
			fails = append(fails, "Tag not found.")
			continue
		}
		if err != nil {
			return fmt.Errorf("find tag: %w", err)
		}
		if findAttached(e.Tag, int64(t.ID)) == nil {
			refused, err := a.taxonomyRefuses(ctx, t.Name, e.Tag, local)
			if err != nil {
				return err
			}
			if refused {
				fails = append(fails, exclusivityFail)
				continue
			}
		}
		if bool(t.LocalOnly) && !local {
			fails = append(fails, "Invalid Tag. This tag can only be set as a local tag.")
			continue
		}
		added, err := a.st.Tags.AttachEventTag(ctx, actor, int64(e.ID), int64(t.ID), local, nil)
		if err != nil {
			return fmt.Errorf("attach tag %d to event %d: %w", t.ID, e.ID, err)
		}
		if !added {
			fails = append(fails, "Tag is already attached to this event.")
			continue
		}
		e.Tag = append(e.Tag, &misp.AttachedTag{ID: t.ID, Name: t.Name, Local: misp.Bool(local)})
		success++
	}
	switch {
	case success > 0 && len(fails) == 0:
		msg := "Tag added."
		if success > 1 {
			msg = "Tags added."
		}
		return writeTagSuccess(w, r, msg, true)
	case success > 0:
		msg := "Tag added"
		if success > 1 {
			msg = fmt.Sprintf("%d tags added", success)
		}
		msg += fmt.Sprintf(", but %d could not be added: %s", len(fails), strings.Join(fails, ", "))
		return writeTagSuccess(w, r, msg, true)
	}
	return writeTagFailure(w, r, strings.Join(fails, ", "))
}

// tagEvent finds the event of an addTag/removeTag request, visible to the
// actor; ok is false when it is missing or invisible.
func (a *API) tagEvent(ctx context.Context, actor *misp.Actor, target string) (*misp.Event, bool, error) {
	ref, ok := parseRef(target)
	if !ok {
		return nil, false, nil
	}
	e, err := a.findEvent(ctx, actor, ref, misp.EventViewOptions{Metadata: true})
	if errors.Is(err, misp.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find event %s: %w", target, err)
	}
	return e, true, nil
}

// eventRemoveTag is POST /events/removeTag/{id}/{tag_id} or the body form
// (perm_tagger), answered like eventAddTag.
func (a *API) eventRemoveTag(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Tagger); err != nil {
		return err
	}
	req, err := readTagRequest(r, "event", "Event")
	if err != nil {
		return err
	}
	ctx := r.Context()
	if strings.TrimSpace(req.tag) == "" {
		return writeTagFailure(w, r, "Invalid Tag.")
	}
	t, err := a.findTagTerm(ctx, req.tag)
	if errors.Is(err, misp.ErrNotFound) {
		return writeTagFailure(w, r, "Invalid Tag.")
	}
	if err != nil {
		return fmt.Errorf("find tag: %w", err)
	}
	e, ok, err := a.tagEvent(ctx, actor, req.target)
	if err != nil {
		return err
	}
	if !ok {
		return writeTagFailure(w, r, "Invalid event.")
	}
	link := findAttached(e.Tag, int64(t.ID))
	if link == nil {
		return writeTagFailure(w, r, "Invalid event - tag combination.")
	}
	if !actor.CanTagEvent(e, bool(link.Local), a.cfg.HostOrgID) {
		return writeTagFailure(w, r, "You don't have permission to do that.")
	}
	err = a.st.Tags.DetachEventTag(ctx, actor, int64(e.ID), int64(t.ID))
	if errors.Is(err, misp.ErrNotFound) {
		return writeTagFailure(w, r, "Invalid event - tag combination.")
	}
	if err != nil {
		return fmt.Errorf("detach tag %d from event %d: %w", t.ID, e.ID, err)
	}
	return writeTagSuccess(w, r, "Tag removed.", !bool(link.Local))
}
