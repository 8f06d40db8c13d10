package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/razmena/razmena/internal/misp"
)

// tagAttribute finds the (non-deleted) attribute of an addTag/removeTag
// request with its event, both visible to the actor; 404 "Invalid
// attribute" otherwise. MISP's removeTag skips the visibility check;
// Razmena does not.
func (a *API) tagAttribute(ctx context.Context, r *http.Request, actor *misp.Actor, target string) (*misp.Attribute, *misp.Event, error) {
	ref, ok := parseRef(target)
	at, err := (*misp.Attribute)(nil), misp.ErrNotFound
	if ok {
		at, err = a.findAttribute(ctx, actor, ref, false)
	}
	var e *misp.Event
	if err == nil {
		e, err = a.eventMeta(ctx, actor, int64(at.EventID))
	}
	if errors.Is(err, misp.ErrNotFound) {
		return nil, nil, exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find attribute %s: %w", target, err)
	}
	return at, e, nil
}

// attributeAddTag is POST /attributes/addTag/{id|uuid}/{tag}[/local:1] or
// the body form {"attribute": id, "tag": …} (perm_tagger). A missing or
// invisible attribute is 404 "Invalid attribute"; other outcomes are
// HTTP 200 with {"saved": …} (quirk #5), failures counted as in MISP.
// The bulk form (attribute "selected" with attribute_ids) is not
// supported.
func (a *API) attributeAddTag(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Tagger); err != nil {
		return err
	}
	req, err := readTagRequest(r, "attribute", "Attribute")
	if err != nil {
		return err
	}
	ctx := r.Context()
	if req.target == "" {
		return exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if req.tag == "" {
		return exception(r, http.StatusNotFound, "Invalid tag")
	}
	local := namedBool(Named(r), "local", false)
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
	at, e, err := a.tagAttribute(ctx, r, actor, req.target)
	if err != nil {
		return err
	}
	success, fails := 0, 0
	if !actor.CanTagEvent(e, local, a.cfg.HostOrgID) {
		fails++
	} else {
		for _, term := range terms {
			t, err := a.tagForUser(ctx, actor, term)
			if errors.Is(err, misp.ErrNotFound) {
				fails++
				continue
			}
			if err != nil {
				return fmt.Errorf("find tag: %w", err)
			}
			if bool(t.LocalOnly) && !local {
				fails++
				continue
			}
			if findAttached(at.Tag, int64(t.ID)) == nil {
				refused, err := a.taxonomyRefuses(ctx, t.Name, at.Tag, local)
				if err != nil {
					return err
				}
				if refused {
					fails++
					continue
				}
			}
			added, err := a.st.Tags.AttachAttributeTag(ctx, actor, int64(at.ID), int64(t.ID), local, nil)
			if err != nil {
				return fmt.Errorf("attach tag %d to attribute %d: %w", t.ID, at.ID, err)
			}
			if !added {
				fails++
				continue
			}
			at.Tag = append(at.Tag, &misp.AttachedTag{ID: t.ID, Name: t.Name, Local: misp.Bool(local)})
			success++
		}
	}
	if fails == 0 {
		msg := "Tag added."
		if success != 1 {
			msg = fmt.Sprintf("%d tags added", success)
		}
		return writeTagSuccess(w, r, msg, true)
	}
	msg := "Tag could not be added."
	if fails > 1 {
		msg = fmt.Sprintf("%d tags could not be added.", fails)
	}
	switch {
	case success == 1:
		msg += " However, 1 tag was added."
	case success > 1:
		msg += fmt.Sprintf(" However, %d tags were added.", success)
	}
	return writeTagFailure(w, r, msg)
}

// attributeRemoveTag is POST /attributes/removeTag/{id}/{tag_id} or the
// body form (perm_tagger).
func (a *API) attributeRemoveTag(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Tagger); err != nil {
		return err
	}
	req, err := readTagRequest(r, "attribute", "Attribute")
	if err != nil {
		return err
	}
	ctx := r.Context()
	if req.target == "" {
		return exception(r, http.StatusNotFound, "Invalid attribute")
	}
	if req.tag == "" {
		return exception(r, http.StatusNotFound, "Invalid tag")
	}
	at, e, err := a.tagAttribute(ctx, r, actor, req.target)
	if err != nil {
		return err
	}
	t, err := a.findTagTerm(ctx, req.tag)
	if errors.Is(err, misp.ErrNotFound) {
		return writeTagFailure(w, r, "Invalid Tag.")
	}
	if err != nil {
		return fmt.Errorf("find tag: %w", err)
	}
	link := findAttached(at.Tag, int64(t.ID))
	local := link != nil && bool(link.Local)
	if !actor.CanTagEvent(e, local, a.cfg.HostOrgID) {
		return writeTagFailure(w, r, noPermission)
	}
	if link == nil {
		return writeTagFailure(w, r, "Invalid attribute - tag combination.")
	}
	err = a.st.Tags.DetachAttributeTag(ctx, actor, int64(at.ID), int64(t.ID))
	if errors.Is(err, misp.ErrNotFound) {
		return writeTagFailure(w, r, "Invalid attribute - tag combination.")
	}
	if err != nil {
		return fmt.Errorf("detach tag %d from attribute %d: %w", t.ID, at.ID, err)
	}
	return writeTagSuccess(w, r, "Tag removed.", !local)
}
