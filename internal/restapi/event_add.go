package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

var eventFieldsOptional = []string{"threat_level_id", "analysis", "distribution", "sharing_group_id", "uuid",
	"published", "timestamp", "date", "Attribute", "Object", "Shadow_Attribute", "EventTag"}

// eventAdd is POST /events/add and POST /events (perm_add): creates an
// event with its attributes, objects, references and tags
// (misp-core-format §1.1) through addEvent and answers the full event.
func (a *API) eventAdd(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/events/add",
			"POST a MISP Event JSON to this API to create an Event. Contained objects can also be included (such as attributes, objects, tags, etc).",
			[]string{"info"}, eventFieldsOptional, nil)
	}
	const failName = "Could not add Event"
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if emptyBody(body) {
		return exception(r, http.StatusMethodNotAllowed, "No valid event data received.")
	}
	in, err := mispjson.DecodeEvent(body)
	if err != nil {
		return decodeFailure(r, failName, err)
	}
	id, err := a.addEvent(r, actor, in, addOptions{failName: failName, url: "/events/add"})
	var ce *misp.ConflictError
	if errors.As(err, &ce) && ce.What == "event" {
		// The existing event's id goes out only to those who may see it;
		// MISP gives it to anyone who knows the uuid. A peer pushing an
		// update sees its own earlier push, so sync is unaffected.
		if _, ferr := a.st.Events.FindEventByID(r.Context(), actor, ce.ID, misp.EventViewOptions{Metadata: true}); errors.Is(ferr, misp.ErrNotFound) {
			return saveFail(r, failName, "/events/add", map[string]any{"Event": map[string][]string{
				"uuid": {"An event with this UUID already exists."},
			}}, "")
		} else if ferr != nil {
			return fmt.Errorf("add event: look up the existing event: %w", ferr)
		}
		// The sync protocol relies on this answer (quirk #2).
		return &httpserver.Error{
			Status: http.StatusNotFound,
			Header: http.Header{"Location": {a.cfg.BaseURL + "/events/" + strconv.FormatInt(ce.ID, 10)}},
			Body: httpserver.Exception{
				Name:    "Event already exists, if you would like to edit it, use the url in the location header.",
				Message: "Event already exists, if you would like to edit it, use the url in the location header.",
				URL:     r.URL.Path,
			},
		}
	}
	if err != nil {
		return err
	}
	return a.writeEvent(w, r, actor, id)
}

// addOptions vary the events/add path for the import endpoints
// (event_upload.go), which create events from a file the same way.
type addOptions struct {
	// failName and url name the endpoint in save-fail answers.
	failName, url string
	// takeOwnership makes the actor's organisation the creator whatever
	// the input names (add_misp_export's takeownership).
	takeOwnership bool
	// strictOrgc refuses, for an actor without perm_sync or site admin,
	// an input naming another creator organisation, as Event::_add does;
	// otherwise (events/add over REST) the creator is silently replaced
	// by the actor's organisation, as EventsController::add does.
	strictOrgc bool
}

// addEvent validates and stores one decoded incoming event as events/add
// does and returns its id. Defaults for absent keys: distribution 0
// (MISP's REST default when MISP.default_event_distribution is unset),
// threat_level_id 4, analysis 0, date today; attributes and objects
// distribution 5, attribute category and to_ids from the type. The whole
// tree is validated before anything is stored: any invalid element fails
// with a 403 save-fail whose errors name the element ("Event.Attribute[3]"),
// and nothing is stored. (MISP would store the event and drop the invalid
// children; refusing the whole request is safer for a client that cannot
// see what was dropped.) Distribution 4 follows sharing_group_use.go: the
// event's group must be usable (else 405), children with an unusable one
// are saved with distribution 0.
//
// Client faults are *httpserver.Error answers; an event whose uuid is
// already stored is the store's *misp.ConflictError (What "event"), for
// the caller to answer.
func (a *API) addEvent(r *http.Request, actor *misp.Actor, in *mispjson.EventInput, o addOptions) (int64, error) {
	ctx := r.Context()
	e := in.Event
	if e.Published && len(e.Attribute) == 0 && len(e.Object) == 0 {
		return 0, saveFail(r, o.failName, o.url, map[string]string{
			"Event": "Received a published event that was empty. Event add process blocked.",
		}, "")
	}
	if !in.Has("threat_level_id") {
		e.ThreatLevelID = misp.ThreatLevelUndefined
	}
	if !in.Has("distribution") {
		e.Distribution = misp.DistributionOrgOnly
	}
	if !in.Has("analysis") {
		e.Analysis = misp.AnalysisInitial
	}
	b := a.newTreeBuilder(actor, sgDowngrade)
	usable, err := b.eventSharingGroup(ctx, in, nil)
	if err != nil {
		return 0, err
	}
	if !usable {
		if in.SharingGroup == nil || !actor.Perms.Sync {
			return 0, exception(r, http.StatusMethodNotAllowed, sgUnusable)
		}
		// A sync user's nested group that cannot be captured: the event
		// is saved with distribution 0 (Event::captureSGForElement).
		e.Distribution, e.SharingGroupID = misp.DistributionOrgOnly, 0
	}
	if e.Published && !actor.Perms.Publish {
		e.Published = false
	}
	// What the server sets, whatever the body says.
	e.ID, e.OrgID, e.AttributeCount, e.PublishTimestamp, e.Org = 0, 0, 0, 0, nil
	orgcPrivileged := (actor.SiteAdmin() || bool(actor.Perms.Sync)) && !o.takeOwnership
	if !orgcPrivileged {
		if o.strictOrgc && !o.takeOwnership && foreignOrgc(actor, in) {
			return 0, exception(r, http.StatusMethodNotAllowed, "Event cannot be created as you are not a member of the creator organisation.")
		}
		// REST users without perm_sync create events for their own
		// organisation only (EventsController::add).
		e.OrgcID, e.Orgc = misp.Int(actor.OrgID()), nil
	}

	if err := b.errs.add("Event", e.Validate(a.now())); err != nil {
		return 0, err
	}
	tags, err := b.usableTags(ctx, e.Tag)
	if err != nil {
		return 0, err
	}
	e.Tag = tags
	if e.Attribute, err = b.attributes(ctx, "Event.Attribute", in.Attributes, nil, false); err != nil {
		return 0, err
	}
	if e.Object, err = b.objects(ctx, "Event.Object", in.Objects, nil); err != nil {
		return 0, err
	}
	if len(b.errs) > 0 {
		return 0, saveFail(r, o.failName, o.url, b.errs, "")
	}
	if orgcPrivileged {
		if err := a.captureOrgc(ctx, actor, in); err != nil {
			return 0, err
		}
	}

	err = a.st.Events.CreateEvent(ctx, actor, e, bool(actor.Perms.TagEditor))
	var ce *misp.ConflictError
	var ve *misp.ValidationError
	switch {
	case errors.As(err, &ce) && ce.What == "event":
		return 0, err
	case errors.As(err, &ve):
		return 0, saveFail(r, o.failName, o.url, map[string]any{"Event": ve.Fields}, "")
	case errors.Is(err, misp.ErrConflict):
		if errors.As(err, &ce) {
			if path := conflictPath(in, ce); path != "" {
				// An attribute or object uuid stored elsewhere, in the
				// words of MISP's isUnique validation of the uuid.
				return 0, saveFail(r, o.failName, o.url, treeErrors{
					path: {"uuid": {"The UUID provided is not unique"}},
				}, "")
			}
		}
		// Two children sharing a uuid, or a reference uuid stored elsewhere.
		return 0, saveFail(r, o.failName, o.url, map[string]any{"Event": map[string][]string{
			"uuid": {"An attribute, object or object reference of the event has a UUID that is not unique."},
		}}, "")
	case err != nil:
		return 0, fmt.Errorf("add event: %w", err)
	}
	return int64(e.ID), nil
}

// foreignOrgc reports whether an incoming event names a creator
// organisation other than the actor's (Event::_add compares the Orgc uuid
// and orgc_id with the user's).
func foreignOrgc(actor *misp.Actor, in *mispjson.EventInput) bool {
	if in.OrgcUUID != "" {
		return actor.Org == nil || misp.NormalizeUUID(in.OrgcUUID) != misp.NormalizeUUID(actor.Org.UUID)
	}
	if in.OrgcName != "" {
		return actor.Org == nil || !strings.EqualFold(in.OrgcName, actor.Org.Name)
	}
	return in.Has("orgc_id") && in.Event.OrgcID != 0 && int64(in.Event.OrgcID) != actor.OrgID()
}

// conflictPath names the element of an incoming event that a
// *misp.ConflictError of CreateEvent is about, as treeErrors does
// ("Event.Attribute[2]", "Event.Object[0]", "Event.Object[0].Attribute[1]"),
// or "" if no attribute or object of the request has its uuid.
func conflictPath(in *mispjson.EventInput, ce *misp.ConflictError) string {
	uuid := misp.NormalizeUUID(ce.UUID)
	if uuid == "" {
		return ""
	}
	same := func(u string) bool { return misp.NormalizeUUID(u) == uuid }
	attrPath := func(path string, list []*mispjson.AttributeInput) string {
		for i, ai := range list {
			if same(ai.Attribute.UUID) {
				return fmt.Sprintf("%s[%d]", path, i)
			}
		}
		return ""
	}
	switch ce.What {
	case "attribute":
		if p := attrPath("Event.Attribute", in.Attributes); p != "" {
			return p
		}
		for i, oi := range in.Objects {
			if p := attrPath(fmt.Sprintf("Event.Object[%d].Attribute", i), oi.Attributes); p != "" {
				return p
			}
		}
	case "object":
		for i, oi := range in.Objects {
			if same(oi.Object.UUID) {
				return fmt.Sprintf("Event.Object[%d]", i)
			}
		}
	}
	return ""
}

// writeEvent answers with the stored event id as events/view shows it,
// honouring the named parameter metadata (events/add and events/edit).
func (a *API) writeEvent(w http.ResponseWriter, r *http.Request, actor *misp.Actor, id int64) error {
	opts := misp.EventViewOptions{Metadata: namedBool(Named(r), "metadata", false)}
	e, err := a.st.Events.FindEventByID(r.Context(), actor, id, opts)
	if err != nil {
		return fmt.Errorf("read back event %d: %w", id, err)
	}
	if err := a.attachSharingGroups(r.Context(), actor, e); err != nil {
		return err
	}
	hideNonExportable(e)
	// Galaxy as MISP's fetchEvent defaults: clusters, no warnings.
	if err := a.enricher(actor, true, false).enrich(r.Context(), e); err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, mispjson.EventView(e))
	return nil
}

// captureOrgc resolves the creator organisation a site admin or sync user
// named (Organisation::captureOrg): by uuid when one is given, else by
// name, else by orgc_id; an unknown organisation is created as a
// non-local one. Without any, the actor's organisation is the creator.
func (a *API) captureOrgc(ctx context.Context, actor *misp.Actor, in *mispjson.EventInput) error {
	e := in.Event
	var o *misp.Organisation
	var err error
	switch {
	case in.OrgcUUID != "":
		o, err = a.st.Orgs.FindOrgByUUID(ctx, misp.NormalizeUUID(in.OrgcUUID))
	case in.OrgcName != "":
		o, err = a.st.Orgs.FindOrgByName(ctx, in.OrgcName)
	case e.OrgcID != 0:
		o, err = a.st.Orgs.FindOrgByID(ctx, int64(e.OrgcID))
		if errors.Is(err, misp.ErrNotFound) {
			o, err = actor.Org, nil
		}
	default:
		o = actor.Org
	}
	if errors.Is(err, misp.ErrNotFound) {
		o, err = a.createRemoteOrg(ctx, in.OrgcName, in.OrgcUUID)
	}
	if err != nil {
		return fmt.Errorf("capture creator organisation: %w", err)
	}
	e.OrgcID = o.ID
	ref := o.Ref()
	e.Orgc = &ref
	return nil
}

// createRemoteOrg creates an organisation known only from shared data
// (local=false). A name already taken gets a numeric suffix, as MISP
// appends one.
func (a *API) createRemoteOrg(ctx context.Context, name, uuid string) (*misp.Organisation, error) {
	if name == "" {
		name = uuid
	}
	base := name
	for i := 0; ; i++ {
		o := &misp.Organisation{Name: name, UUID: uuid}
		if err := o.Validate(); err != nil {
			return nil, err
		}
		err := a.st.Orgs.CreateOrg(ctx, o)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, misp.ErrConflict) || i >= 9 {
			return nil, err
		}
		if uuid != "" {
			// The uuid may have been taken meanwhile.
			if existing, ferr := a.st.Orgs.FindOrgByUUID(ctx, misp.NormalizeUUID(uuid)); ferr == nil {
				return existing, nil
			}
		}
		name = fmt.Sprintf("%s_%d", base, i+1)
	}
}
