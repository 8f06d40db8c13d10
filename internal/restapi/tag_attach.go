package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// This file holds tags/attachTagToObject and tags/removeTagFromObject
// (PyMISP tag() and untag()) and the tag lookups shared with the
// addTag/removeTag endpoints of events and attributes.

// findTagTerm finds a tag by numeric id or by case-insensitive name.
// ErrNotFound if there is none.
func (a *API) findTagTerm(ctx context.Context, term string) (*misp.Tag, error) {
	term = strings.TrimSpace(term)
	if id, ok := parseID(term); ok {
		return a.st.Tags.FindTagByID(ctx, id)
	}
	if term == "" {
		return nil, misp.ErrNotFound
	}
	return a.st.Tags.FindTagByName(ctx, term)
}

// tagTarget is what tags/attachTagToObject names by uuid: an event, or an
// attribute with its event.
type tagTarget struct {
	event *misp.Event
	attr  *misp.Attribute // nil for an event
}

func (t *tagTarget) kind() string {
	if t.attr != nil {
		return "Attribute"
	}
	return "Event"
}

func (t *tagTarget) id() int64 {
	if t.attr != nil {
		return int64(t.attr.ID)
	}
	return int64(t.event.ID)
}

// tags returns the tags attached to the target.
func (t *tagTarget) tags() []*misp.AttachedTag {
	if t.attr != nil {
		return t.attr.Tag
	}
	return t.event.Tag
}

// findTagTarget finds the visible event or (non-deleted) attribute with
// that uuid (TagsController::__findObjectByUuid); 404 "Invalid Target."
// otherwise. The event is fetched with its tags and without elements.
func (a *API) findTagTarget(r *http.Request, actor *misp.Actor, uuid string) (*tagTarget, error) {
	ctx := r.Context()
	e, err := a.st.Events.FindEventByUUID(ctx, actor, uuid, misp.EventViewOptions{Metadata: true})
	if err == nil {
		return &tagTarget{event: e}, nil
	}
	if !errors.Is(err, misp.ErrNotFound) {
		return nil, fmt.Errorf("find event %s: %w", uuid, err)
	}
	attr, err := a.st.Attributes.FindAttributeByUUID(ctx, actor, uuid, false)
	if errors.Is(err, misp.ErrNotFound) {
		return nil, exception(r, http.StatusNotFound, "Invalid Target.")
	}
	if err != nil {
		return nil, fmt.Errorf("find attribute %s: %w", uuid, err)
	}
	e, err = a.st.Events.FindEventByID(ctx, actor, int64(attr.EventID), misp.EventViewOptions{Metadata: true})
	if errors.Is(err, misp.ErrNotFound) {
		return nil, exception(r, http.StatusNotFound, "Invalid Target.")
	}
	if err != nil {
		return nil, fmt.Errorf("find event %d: %w", attr.EventID, err)
	}
	return &tagTarget{event: e, attr: attr}, nil
}

// checkGlobalTagRight is the "modify" scope of __findObjectByUuid: only
// the creator organisation (or a site admin) changes global tags.
func (a *API) checkGlobalTagRight(r *http.Request, actor *misp.Actor, e *misp.Event) error {
	if actor.SiteAdmin() || int64(e.OrgcID) == actor.OrgID() {
		return nil
	}
	msg := "Cannot alter the tags of this data, only the organisation that has created the data (orgc) can modify global tags."
	if actor.OrgID() == a.cfg.HostOrgID {
		msg += " Please consider using local tags if you are in the host organisation of the instance."
	}
	return exception(r, http.StatusForbidden, msg)
}

// attachObjectInput is the body of tags/attachTagToObject and
// tags/removeTagFromObject.
type attachObjectInput struct {
	UUID             string          `json:"uuid"`
	Tag              json.RawMessage `json:"tag"`
	Local            misp.Bool       `json:"local"`
	RelationshipType string          `json:"relationship_type"`
}

func (a *API) readAttachInput(r *http.Request) (*attachObjectInput, []string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, nil, err
	}
	in := &attachObjectInput{}
	if !emptyBody(body) {
		if err := decodeJSON(r, body, in); err != nil {
			return nil, nil, err
		}
	}
	if in.UUID == "" {
		return nil, nil, exception(r, http.StatusMethodNotAllowed, "Invalid object uuid")
	}
	if !misp.IsUUID(strings.TrimSpace(in.UUID)) {
		return nil, nil, exception(r, http.StatusMethodNotAllowed, "Invalid UUID")
	}
	in.UUID = misp.NormalizeUUID(in.UUID)
	var v any
	if len(in.Tag) > 0 {
		if err := json.Unmarshal(in.Tag, &v); err != nil {
			return nil, nil, invalidJSON(r, err)
		}
	}
	var terms []string
	for _, t := range phpStrings(v) {
		if phpTruthy(strings.TrimSpace(t)) {
			terms = append(terms, strings.TrimSpace(t))
		}
	}
	if len(terms) == 0 {
		return nil, nil, exception(r, http.StatusMethodNotAllowed, "Invalid tag")
	}
	return in, terms, nil
}

// tagAttachToObject is POST /tags/attachTagToObject (perm_tagger):
// {"uuid": event or attribute uuid, "tag": name|id|[…], "local": bool,
// "relationship_type"?}. Local tags only for host-organisation users,
// global tags only by the creator organisation; an unknown tag name is
// created for tag editors; org/user-restricted and local-only tags are
// checked. Answers save-success, or a 403 save-fail when no tag could be
// attached.
func (a *API) tagAttachToObject(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Tagger); err != nil {
		return err
	}
	in, terms, err := a.readAttachInput(r)
	if err != nil {
		return err
	}
	local := bool(in.Local)
	var relType *string
	if rt := strings.TrimSpace(in.RelationshipType); rt != "" {
		relType = &rt
	}
	if local && actor.OrgID() != a.cfg.HostOrgID {
		return attachFailed(r, []string{"Local tags can only be added by users of the host organisation."})
	}
	target, err := a.findTagTarget(r, actor, in.UUID)
	if err != nil {
		return err
	}
	if !local {
		if err := a.checkGlobalTagRight(r, actor, target.event); err != nil {
			return err
		}
	}
	var fails, existing []string
	successes := 0
	msg := ""
	for _, term := range terms {
		tag, reason, err := a.tagForAttach(r.Context(), actor, term, local, true)
		if err != nil {
			return err
		}
		if reason != "" {
			fails = append(fails, reason)
			continue
		}
		added, err := a.attachToTarget(r.Context(), actor, target, tag, local, relType)
		if err != nil {
			return err
		}
		successes++
		switch {
		case !added:
			msg = fmt.Sprintf("%s already has the requested tag attached, no changes had to be made for tag %s.", target.kind(), tag.Name)
			existing = append(existing, tag.Name)
		case local:
			msg = fmt.Sprintf("Local tag %s(%d) successfully attached to %s(%d).", tag.Name, tag.ID, target.kind(), target.id())
		default:
			msg = fmt.Sprintf("Global tag %s(%d) successfully attached to %s(%d).", tag.Name, tag.ID, target.kind(), target.id())
		}
	}
	if successes == 0 {
		return attachFailed(r, fails)
	}
	if successes > 1 {
		msg = fmt.Sprintf("Successfully attached %d tags to %s (%d)", successes, target.kind(), target.id())
		if len(existing) > 0 {
			names, err := json.Marshal(existing)
			if err != nil {
				return err
			}
			msg += fmt.Sprintf(". %d already has the requested tag attached, no changes had to be made for tags %s.", target.id(), names)
		}
	}
	if len(fails) > 0 {
		msg += "\n" + attachFailedMessage(fails)
	}
	writeSuccess(w, r, msg, "/tags/attachTagToObject", "")
	return nil
}

func (a *API) attachToTarget(ctx context.Context, actor *misp.Actor, t *tagTarget, tag *misp.Tag, local bool, relType *string) (bool, error) {
	if t.attr != nil {
		added, err := a.st.Tags.AttachAttributeTag(ctx, actor, int64(t.attr.ID), int64(tag.ID), local, relType)
		if err != nil {
			return false, fmt.Errorf("attach tag %d to attribute %d: %w", tag.ID, t.attr.ID, err)
		}
		return added, nil
	}
	added, err := a.st.Tags.AttachEventTag(ctx, actor, int64(t.event.ID), int64(tag.ID), local, relType)
	if err != nil {
		return false, fmt.Errorf("attach tag %d to event %d: %w", tag.ID, t.event.ID, err)
	}
	return added, nil
}

// attachFailedMessage is MISP's "Failed to attach N tags. Reasons: {…}",
// the reasons as a JSON object keyed by position (JSON_FORCE_OBJECT).
func attachFailedMessage(fails []string) string {
	obj := make(map[string]string, len(fails))
	for i, f := range fails {
		obj[idString(int64(i))] = f
	}
	b, err := json.Marshal(obj)
	if err != nil {
		b = []byte("{}")
	}
	return fmt.Sprintf("Failed to attach %d tags. Reasons: %s", len(fails), b)
}

func attachFailed(r *http.Request, fails []string) error {
	return saveFail(r, "Could not attachTagToObject Tag", "/tags/attachTagToObject", attachFailedMessage(fails), "")
}

// tagForAttach resolves term (an id or a name) to a tag the actor may
// attach, creating an unknown name when create is set and the actor is a
// tag editor. A refusal is returned as MISP's reason text.
func (a *API) tagForAttach(ctx context.Context, actor *misp.Actor, term string, local, create bool) (*misp.Tag, string, error) {
	tag, err := a.findTagTerm(ctx, term)
	if errors.Is(err, misp.ErrNotFound) {
		if _, numeric := parseID(term); numeric || !create {
			return nil, "Invalid Tag.", nil
		}
		if !actor.Perms.TagEditor {
			return nil, "Tag not found and insufficient privileges to create it.", nil
		}
		tag, err = a.createTag(ctx, term)
		var ve *misp.ValidationError
		if errors.As(err, &ve) {
			b, jerr := json.Marshal(ve.Fields)
			if jerr != nil {
				return nil, "", jerr
			}
			return nil, "Unable to create tag. Reason: " + string(b), nil
		}
	}
	if err != nil {
		return nil, "", fmt.Errorf("find tag %q: %w", term, err)
	}
	if !actor.SiteAdmin() {
		if tag.OrgID != 0 && int64(tag.OrgID) != actor.OrgID() {
			return nil, "Invalid Tag. This tag can only be set by a fixed organisation.", nil
		}
		if tag.UserID != 0 && int64(tag.UserID) != actor.UserID() {
			return nil, "Invalid Tag. This tag can only be set by a fixed user.", nil
		}
	}
	if bool(tag.LocalOnly) && !local {
		return nil, "Invalid Tag. This tag can only be set as a local tag.", nil
	}
	return tag, "", nil
}

// createTag creates a tag with default colour (Tag::quickAdd), or returns
// the tag of that name created meanwhile.
func (a *API) createTag(ctx context.Context, name string) (*misp.Tag, error) {
	t := &misp.Tag{Name: name, Exportable: true}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	err := a.st.Tags.CreateTag(ctx, t)
	if errors.Is(err, misp.ErrConflict) {
		return a.st.Tags.FindTagByName(ctx, t.Name)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// tagRemoveFromObject is POST /tags/removeTagFromObject (perm_tagger):
// {"uuid","tag"}. A global tag may only be removed by the creator
// organisation; a local one by whoever may tag the event locally.
func (a *API) tagRemoveFromObject(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Tagger); err != nil {
		return err
	}
	in, terms, err := a.readAttachInput(r)
	if err != nil {
		return err
	}
	tag, err := a.findTagTerm(r.Context(), terms[0])
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusMethodNotAllowed, "Invalid Tag.")
	}
	if err != nil {
		return fmt.Errorf("find tag: %w", err)
	}
	target, err := a.findTagTarget(r, actor, in.UUID)
	if err != nil {
		return err
	}
	link := findAttached(target.tags(), int64(tag.ID))
	if link == nil {
		return exception(r, http.StatusNotFound, "Could not remove tag as it is not attached to the target "+target.kind())
	}
	local := bool(link.Local)
	if !local {
		if err := a.checkGlobalTagRight(r, actor, target.event); err != nil {
			return err
		}
	} else if !actor.CanTagEvent(target.event, true, a.cfg.HostOrgID) {
		return exception(r, http.StatusForbidden, "Insufficient privileges to remove local tags from events you do not own.")
	}
	if target.attr != nil {
		err = a.st.Tags.DetachAttributeTag(r.Context(), actor, int64(target.attr.ID), int64(tag.ID))
	} else {
		err = a.st.Tags.DetachEventTag(r.Context(), actor, int64(target.event.ID), int64(tag.ID))
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Could not remove tag as it is not attached to the target "+target.kind())
	}
	if err != nil {
		return fmt.Errorf("detach tag %d: %w", tag.ID, err)
	}
	scope := "Global"
	if local {
		scope = "Local"
	}
	msg := fmt.Sprintf("%s tag %s (%d) successfully removed from %s(%d).", scope, tag.Name, tag.ID, target.kind(), target.id())
	writeSuccess(w, r, msg, "/tags/removeTagFromObject", "")
	return nil
}

// findAttached returns the attachment of tag id in tags, or nil.
func findAttached(tags []*misp.AttachedTag, id int64) *misp.AttachedTag {
	for _, t := range tags {
		if int64(t.ID) == id {
			return t
		}
	}
	return nil
}
