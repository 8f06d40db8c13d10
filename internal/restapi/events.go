package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

func (a *API) registerEvents(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/events/index", a.eventIndex)
	a.route(mux, "GET", "/events", a.eventIndex)
	// HEAD is served by the GET patterns.
	a.route(mux, "GET POST", "/events/view/{id}", a.eventView)
	a.route(mux, "GET", "/events/{id}", a.eventView)
	a.route(mux, "GET POST", "/events/add", a.eventAdd)
	a.route(mux, "POST", "/events", a.eventAdd)
	a.route(mux, "GET POST PUT", "/events/edit/{id}", a.eventEdit)
	a.route(mux, "POST PUT", "/events/{id}", a.eventEdit)
	a.route(mux, "POST DELETE", "/events/delete", a.eventDelete)
	a.route(mux, "POST DELETE", "/events/delete/{id}", a.eventDelete)
	a.route(mux, "DELETE", "/events/{id}", a.eventDelete)
	a.route(mux, "POST PUT", "/events/publish/{id}", a.eventPublish)
	a.route(mux, "POST PUT", "/events/unpublish/{id}", a.eventUnpublish)
	a.route(mux, "GET POST", "/events/addTag", a.eventAddTag)
	a.route(mux, "GET POST", "/events/addTag/{id}/{tag}", a.eventAddTag)
	a.route(mux, "POST", "/events/removeTag", a.eventRemoveTag)
	a.route(mux, "POST", "/events/removeTag/{id}/{tag}", a.eventRemoveTag)
	a.route(mux, "POST", "/events/upload_stix", a.eventUploadSTIX)
	a.route(mux, "POST", "/events/add_misp_export", a.eventAddMISPExport)
}

// findEvent fetches the event named by ref, applying the store's
// visibility: ErrNotFound for a missing or invisible event.
func (a *API) findEvent(ctx context.Context, actor *misp.Actor, r ref, opts misp.EventViewOptions) (*misp.Event, error) {
	if r.UUID != "" {
		return a.st.Events.FindEventByUUID(ctx, actor, r.UUID, opts)
	}
	return a.st.Events.FindEventByID(ctx, actor, r.ID, opts)
}

// eventMeta fetches the event id without its attributes and objects, for
// permission checks; ErrNotFound for a missing or invisible event.
func (a *API) eventMeta(ctx context.Context, actor *misp.Actor, id int64) (*misp.Event, error) {
	return a.st.Events.FindEventByID(ctx, actor, id, misp.EventViewOptions{Metadata: true})
}

// eventView is GET|POST|HEAD /events/view/{id|uuid}: {"Event": {…}}.
// A missing or invisible event, or an id that is neither numeric nor a
// UUID, is 404 "Invalid event" (HEAD: 404 without a body). Named
// parameters: deleted (1, [0,1] or "only"), excludeLocalTags, metadata,
// includeAllTags, includeEventCorrelations, includeGranularCorrelations,
// excludeGalaxy, includeWarninglistHits (default on);
// PyMISP's POST body {"deleted": …} is read too.
func (a *API) eventView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	id, ok := parseRef(r.PathValue("id"))
	if !ok {
		return exception(r, http.StatusNotFound, "Invalid event")
	}
	named := Named(r)
	opts := misp.EventViewOptions{
		Deleted:          deletedFilter(named["deleted"]),
		ExcludeLocalTags: namedBool(named, "excludeLocalTags", false),
		Metadata:         namedBool(named, "metadata", false),
		// Correlations (docs/correlation.md): RelatedEvent unless
		// includeEventCorrelations:0, RelatedAttribute with
		// includeGranularCorrelations:1, as MISP's REST view.
		EventCorrelations:    r.Method != http.MethodHead && namedBool(named, "includeEventCorrelations", true),
		GranularCorrelations: r.Method != http.MethodHead && namedBool(named, "includeGranularCorrelations", false),
	}
	if r.Method == http.MethodPost {
		body, err := readBody(r)
		if err != nil {
			return err
		}
		if !emptyBody(body) {
			var in struct {
				Deleted any `json:"deleted"`
			}
			if err := decodeJSON(r, body, &in); err != nil {
				return err
			}
			if in.Deleted != nil {
				opts.Deleted = deletedFilter(filterValues(in.Deleted))
			}
		}
	}
	e, err := a.findEvent(r.Context(), actor, id, opts)
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid event")
	}
	if err != nil {
		return fmt.Errorf("view event: %w", err)
	}
	if err := a.attachSharingGroups(r.Context(), actor, e); err != nil {
		return err
	}
	if !namedBool(named, "includeAllTags", false) {
		hideNonExportable(e)
	}
	// Galaxy unless excludeGalaxy; warnings unless
	// includeWarninglistHits:0, as MISP's REST view. A HEAD answer has
	// no body to show them in, as it has no correlations.
	head := r.Method == http.MethodHead
	en := a.enricher(actor, !head && !namedBool(named, "excludeGalaxy", false),
		!head && namedBool(named, "includeWarninglistHits", true))
	if err := en.enrich(r.Context(), e); err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, mispjson.EventView(e))
	return nil
}

// deletedFilter reads MISP's deleted parameter: "1" (deleted and live),
// [0,1] (both), "only" (only deleted), anything else live only.
func deletedFilter(vs []string) misp.DeletedFilter {
	f := misp.DeletedExclude
	for _, v := range vs {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "only":
			return misp.DeletedOnly
		case "1", "true":
			f = misp.DeletedInclude
		}
	}
	return f
}

// hideNonExportable drops non-exportable tags from an event and its
// attributes, as MISP's REST views do unless includeAllTags is set
// (quirk #12). Local tags stay.
func hideNonExportable(e *misp.Event) {
	e.Tag = exportableTags(e.Tag)
	for _, at := range e.Attribute {
		at.Tag = exportableTags(at.Tag)
	}
	for _, o := range e.Object {
		for _, at := range o.Attribute {
			at.Tag = exportableTags(at.Tag)
		}
	}
}

func exportableTags(tags []*misp.AttachedTag) []*misp.AttachedTag {
	for i, t := range tags {
		if t.Exportable {
			continue
		}
		// Copy the exportable ones; tags itself may be shared (an event's
		// tags by every hit of a restSearch chunk).
		out := make([]*misp.AttachedTag, i, len(tags)-1)
		copy(out, tags)
		for _, t := range tags[i+1:] {
			if t.Exportable {
				out = append(out, t)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	if len(tags) == 0 {
		return nil
	}
	// All exportable, the common case: no copy.
	return tags
}

// eventDelete is POST|DELETE /events/delete/{id|uuid} (perm_add + may
// modify), or bulk with {"id": [ids…]}. Events are hard-deleted. Unknown,
// invisible and forbidden events all give 403 "Event was not deleted.".
func (a *API) eventDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	urlID := strings.TrimSuffix(r.PathValue("id"), ".json")
	ids := []string{urlID}
	if urlID == "" {
		var err error
		if ids, err = bulkIDs(r); err != nil {
			return err
		}
	}
	var done, failed int
	for _, s := range ids {
		ok, err := a.deleteOneEvent(r.Context(), actor, s)
		if err != nil {
			return err
		}
		if ok {
			done++
		} else {
			failed++
		}
	}
	var msg string
	if len(ids) == 1 {
		msg = "Event was not deleted."
		if done > 0 {
			msg = "Event deleted."
		}
	} else {
		if done == 1 {
			msg = "1 event deleted."
		} else if done > 1 {
			msg = fmt.Sprintf("%d events deleted.", done)
		}
		if failed > 0 {
			msg += fmt.Sprintf("%d event(s) could not be deleted due to insufficient privileges or the event not being found.", failed)
		}
	}
	if done == 0 {
		return saveFail(r, "Could not delete Event", "/events/delete", msg, "")
	}
	url := "/events/delete"
	if urlID != "" {
		url += "/" + urlID
	}
	writeSuccess(w, r, msg, url, urlID)
	return nil
}

// bulkIDs reads the ids of a bulk events/delete body: {"id": …} or
// {"Event": {"id": …}}, where id is a list, one id, or a JSON list in a
// string. No ids: 404 "Invalid input.".
func bulkIDs(r *http.Request) ([]string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var in map[string]any
	if !emptyBody(body) {
		if err := decodeJSON(r, body, &in); err != nil {
			return nil, err
		}
	}
	if ev, ok := in["Event"].(map[string]any); ok {
		in = ev
	}
	var ids []string
	switch v := in["id"].(type) {
	case []any:
		ids = phpStrings(v)
	case string:
		var list []any
		if decodeJSON(r, []byte(v), &list) == nil {
			ids = phpStrings(list)
		} else {
			ids = []string{v}
		}
	case nil:
	default:
		ids = []string{phpString(v)}
	}
	if len(ids) == 0 {
		return nil, exception(r, http.StatusNotFound, "Invalid input.")
	}
	return ids, nil
}

// deleteOneEvent deletes the event named by s if the actor may; false
// when it is unknown, invisible or not modifiable.
func (a *API) deleteOneEvent(ctx context.Context, actor *misp.Actor, s string) (bool, error) {
	id, ok := parseRef(s)
	if !ok {
		return false, nil
	}
	e, err := a.findEvent(ctx, actor, id, misp.EventViewOptions{Metadata: true})
	if errors.Is(err, misp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find event %s: %w", s, err)
	}
	if !actor.CanModifyEvent(e) {
		return false, nil
	}
	err = a.st.Events.DeleteEvent(ctx, actor, int64(e.ID))
	if errors.Is(err, misp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete event %d: %w", e.ID, err)
	}
	return true, nil
}

// eventPublish is POST /events/publish/{id|uuid} (perm_publish): 404
// "Invalid event." for a missing or invisible event, 405 unless the
// actor may publish it (creator org). Publishing runs no background job
// and sends no alert: "Event published without alerts".
func (a *API) eventPublish(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Publish); err != nil {
		return err
	}
	e, err := a.publishTarget(r, actor)
	if err != nil {
		return err
	}
	if !actor.CanPublishEvent(e) {
		return exception(r, http.StatusMethodNotAllowed, "You do not have the permission to do that.")
	}
	if err := a.checkRequiredTaxonomies(r.Context(), r, e); err != nil {
		return err
	}
	if err := a.st.Events.SetPublished(r.Context(), actor, int64(e.ID), true); err != nil {
		if errors.Is(err, misp.ErrNotFound) {
			return exception(r, http.StatusNotFound, "Invalid event.")
		}
		return fmt.Errorf("publish event %d: %w", e.ID, err)
	}
	writeSuccess(w, r, "Event published without alerts", "/events/publish/"+idString(int64(e.ID)), idString(int64(e.ID)))
	return nil
}

// eventUnpublish is POST /events/unpublish/{id|uuid} (perm_modify + may
// modify): "Event unpublished.". MISP looks the event up without a
// visibility check; Razmena answers 404 "Invalid event." for a missing or
// invisible event before the 403 for one that is visible but not
// modifiable, so that existence does not leak.
func (a *API) eventUnpublish(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Modify); err != nil {
		return err
	}
	e, err := a.publishTarget(r, actor)
	if err != nil {
		return err
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, "You do not have the permission to do that.")
	}
	if err := a.st.Events.SetPublished(r.Context(), actor, int64(e.ID), false); err != nil {
		if errors.Is(err, misp.ErrNotFound) {
			return exception(r, http.StatusNotFound, "Invalid event.")
		}
		return fmt.Errorf("unpublish event %d: %w", e.ID, err)
	}
	writeSuccess(w, r, "Event unpublished.", "/events/unpublish/"+idString(int64(e.ID)), idString(int64(e.ID)))
	return nil
}

// publishTarget finds the event of a publish/unpublish URL; 404 "Invalid
// event." when it is missing or invisible (MISP skips the visibility check
// on publish; not leaking existence is the safer reading of the spec).
func (a *API) publishTarget(r *http.Request, actor *misp.Actor) (*misp.Event, error) {
	id, ok := parseRef(r.PathValue("id"))
	if !ok {
		return nil, exception(r, http.StatusNotFound, "Invalid event.")
	}
	e, err := a.findEvent(r.Context(), actor, id, misp.EventViewOptions{Metadata: true})
	if errors.Is(err, misp.ErrNotFound) {
		return nil, exception(r, http.StatusNotFound, "Invalid event.")
	}
	if err != nil {
		return nil, fmt.Errorf("find event: %w", err)
	}
	return e, nil
}
