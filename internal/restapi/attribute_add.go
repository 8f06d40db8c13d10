package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// attributeAdd is POST /attributes/add/{event id|uuid} (perm_add + may
// modify the event), and POST /attributes with the event in the body's
// event_id. The body is one attribute, a list of them, or one attribute
// whose value is a list (one attribute per value). Each attribute is
// validated and stored on its own, as in MISP: some may fail while others
// are saved.
//
// Answers: one attribute requested → {"Attribute": {…, value1, value2},
// "AttributeTag": […]}; several → {"Attribute": […], "errors":
// {"attribute_<n>": {…}}}; none saved → 403 save-fail with the field
// errors (of the attribute, or per attribute_<n>). 404 "Invalid event" for
// a missing or invisible event, 403 "You do not have permission to do
// that." when it may not be modified (PyMISP then proposes the attribute);
// 403 "Invalid Sharing Group or not authorised." for an attribute with
// distribution 4 whose group the actor may not use (sharing_group_use.go).
//
// Deviation: MISP answers the single shape whenever exactly one attribute
// was saved, even out of several; Razmena answers the list shape for any
// request of several attributes, which is what PyMISP expects for a list.
// breakOnDuplicate:0 (update an existing equal attribute) is not supported:
// a duplicate fails as with the default.
func (a *API) attributeAdd(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/attributes/add", "POST a MISP Attribute JSON to this API to create an Attribute.",
			[]string{"value", "type"}, []string{"category", "to_ids", "uuid", "distribution", "sharing_group_id", "timestamp", "comment", "data", "encrypt", "first_seen", "last_seen"},
			[]string{"event_id"})
	}
	const failName = "Could not add Attribute"
	ctx := r.Context()
	body, err := readBody(r)
	if err != nil {
		return err
	}
	target := r.PathValue("event")
	if target == "" {
		target = bodyEventID(body)
	}
	if target == "" {
		return exception(r, http.StatusMethodNotAllowed, "No event ID set.")
	}
	ref, ok := parseRef(target)
	e, err := (*misp.Event)(nil), misp.ErrNotFound
	if ok {
		e, err = a.findEvent(ctx, actor, ref, misp.EventViewOptions{Metadata: true})
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid event")
	}
	if err != nil {
		return fmt.Errorf("find event: %w", err)
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, noPermission)
	}
	inputs, multi, err := mispjson.DecodeAttributes(body)
	if err != nil {
		return decodeFailure(r, failName, err)
	}
	b := a.newTreeBuilder(actor, sgDowngrade)
	for _, in := range inputs {
		if in.Attribute.Distribution != misp.DistributionSharingGrp {
			continue
		}
		usable, err := b.sgs.usable(ctx, int64(in.Attribute.SharingGroupID))
		if err != nil {
			return err
		}
		if !usable {
			return exception(r, http.StatusForbidden, sgUnusable)
		}
	}
	failed := map[int]*misp.ValidationError{}
	var saved []*misp.Attribute
	for i, in := range inputs {
		at := in.Attribute
		newAttributeDefaults(in)
		at.ObjectID, at.ObjectRelation = 0, nil
		if at.Tag, err = b.usableTags(ctx, at.Tag); err != nil {
			return err
		}
		err := at.Validate()
		if err == nil {
			err = a.st.Attributes.CreateAttribute(ctx, actor, int64(e.ID), at, bool(actor.Perms.TagEditor))
		}
		var ve *misp.ValidationError
		switch {
		case errors.As(err, &ve):
			failed[i] = ve
		case errors.Is(err, misp.ErrConflict):
			failed[i] = misp.Invalidf("uuid", "The UUID provided is not unique")
		case err != nil:
			return fmt.Errorf("add attribute to event %d: %w", e.ID, err)
		default:
			saved = append(saved, at)
		}
	}
	if len(saved) == 0 {
		if !multi {
			return saveFail(r, failName, "/attributes/add", failed[0].Fields, "")
		}
		errs := make(map[string]map[string][]string, len(failed))
		for i, ve := range failed {
			errs["attribute_"+strconv.Itoa(i)] = ve.Fields
		}
		return saveFail(r, failName, "/attributes/add", errs, "")
	}
	for _, at := range saved {
		at.Tag = exportableTags(at.Tag)
	}
	if !multi {
		httpserver.WriteJSON(w, r, http.StatusOK, mispjson.AttributeAddView(saved[0]))
		return nil
	}
	httpserver.WriteJSON(w, r, http.StatusOK, mispjson.AttributesAddView(saved, failed))
	return nil
}

// bodyEventID reads the event of a POST /attributes body: event_id of the
// attribute (or of its first element).
func bodyEventID(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	for i := 0; i < 4; i++ {
		switch x := v.(type) {
		case []any:
			if len(x) == 0 {
				return ""
			}
			v = x[0]
		case map[string]any:
			if inner, ok := x["Attribute"]; ok {
				v = inner
				continue
			}
			if id, ok := x["event_id"]; ok {
				return phpString(id)
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}
