package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/stiximport"
)

// This file serves the event imports: POST /events/upload_stix[/2] (a
// STIX 2 bundle, as PyMISP's upload_stix sends it) and POST
// /events/add_misp_export (a MISP JSON export of one or more events).
// Both create events through addEvent, the events/add path: the same
// validation, sharing-group checks and one transaction per event.

// stixUploadFail is MISP's save-fail name for upload_stix
// (RestResponse::saveFailResponse('Events', 'upload_stix', …)).
const stixUploadFail = "Could not upload_stix Event"

// eventUploadSTIX is POST /events/upload_stix[/{version}] (perm_modify):
// the body is the raw STIX bundle (PyMISP upload_stix posts the file as
// is). Version "2", "2.0" or "2.1" imports a STIX 2 bundle into one event
// and answers it as events/view does ({"Event": …}); version 1 (the
// default, as in MISP) is STIX 1 XML, which Razmena does not import (400).
// Named parameters as MISP: distribution (0-4, default 0),
// sharing_group_id (required with distribution 4, must be usable),
// publish (honoured with perm_publish); galaxies_as_tags and debugging
// are accepted and ignored (galaxies are always tags, see stiximport).
//
// A body that is not a convertible bundle, or whose event fails
// validation, answers MISP's 403 save-fail and stores nothing. Content
// left out of the event (invalid attributes, unconverted objects) is
// logged and counted in the X-Razmena-Import-Warnings header.
func (a *API) eventUploadSTIX(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Modify); err != nil {
		return err
	}
	named := Named(r)
	version := "1"
	if pos := named[""]; len(pos) > 0 {
		version = pos[0]
	}
	switch version {
	case "2", "2.0", "2.1":
	case "1", "1.1", "1.2":
		return exception(r, http.StatusBadRequest, "STIX 1 is not supported: Razmena imports STIX 2 JSON bundles only (POST /events/upload_stix/2).")
	default:
		return exception(r, http.StatusBadRequest, "Invalid STIX version.")
	}
	opts := stiximport.Options{Now: a.now()}
	if v := lastNamed(named, "distribution"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < int(misp.DistributionOrgOnly) || d > int(misp.DistributionSharingGrp) {
			return exception(r, http.StatusBadRequest, "Wrong distribution level")
		}
		opts.Distribution = misp.Distribution(d)
	}
	if opts.Distribution == misp.DistributionSharingGrp {
		v := lastNamed(named, "sharing_group_id")
		if v == "" {
			return exception(r, http.StatusBadRequest, `The sharing group id is needed when the distribution is set to 4 ("Sharing group").`)
		}
		id, err := strconv.ParseInt(v, 10, 64)
		ok := err == nil && id > 0
		if ok {
			if ok, err = a.usableSharingGroup(r.Context(), actor, misp.Int(id)); err != nil {
				return err
			}
		}
		if !ok {
			return exception(r, http.StatusBadRequest, "Please select a valid sharing group id.")
		}
		opts.SharingGroupID = id
	}
	if actor.Org != nil {
		ref := actor.Org.Ref()
		opts.Orgc = &ref
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	e, warnings, err := stiximport.Convert(body, opts)
	var se *stiximport.Error
	if errors.As(err, &se) {
		return saveFail(r, stixUploadFail, "/events/upload_stix", se.Msg, "")
	}
	if err != nil {
		return fmt.Errorf("convert STIX bundle: %w", err)
	}
	e.Published = misp.Bool(namedBool(named, "publish", false))
	id, err := a.addEvent(r, actor, stixEventInput(e), addOptions{
		failName: stixUploadFail, url: "/events/upload_stix", takeOwnership: true,
	})
	var ce *misp.ConflictError
	if errors.As(err, &ce) && ce.What == "event" {
		return saveFail(r, stixUploadFail, "/events/upload_stix", "Event with the same UUID already exists.", "")
	}
	if err != nil {
		return err
	}
	if len(warnings) > 0 {
		w.Header().Set("X-Razmena-Import-Warnings", strconv.Itoa(len(warnings)))
		for i, wn := range warnings {
			if i == 20 {
				a.log.Info("stix import: more warnings", slog.Int("more", len(warnings)-i), slog.Int64("event_id", id))
				break
			}
			a.log.Info("stix import: content left out", slog.Int64("event_id", id),
				slog.String("stix_id", wn.Object), slog.String("reason", wn.Message))
		}
	}
	return a.writeEvent(w, r, actor, id)
}

func lastNamed(named map[string][]string, key string) string {
	if vs := named[key]; len(vs) > 0 {
		return strings.TrimSpace(vs[len(vs)-1])
	}
	return ""
}

// stixEventInput wraps a converted event for addEvent: every field the
// converter set counts as given, so that no events/add default replaces
// it.
func stixEventInput(e *misp.Event) *mispjson.EventInput {
	in := &mispjson.EventInput{Event: e, Fields: mispjson.Fields{
		"uuid": true, "info": true, "date": true, "distribution": true, "sharing_group_id": true,
		"threat_level_id": true, "analysis": true, "published": true, "Tag": true,
	}}
	attrFields := func() mispjson.Fields {
		return mispjson.Fields{"type": true, "category": true, "value": true, "to_ids": true, "uuid": true,
			"distribution": true, "comment": true, "first_seen": true, "last_seen": true}
	}
	for _, at := range e.Attribute {
		in.Attributes = append(in.Attributes, &mispjson.AttributeInput{Attribute: at, Fields: attrFields()})
	}
	for _, o := range e.Object {
		oi := &mispjson.ObjectInput{Object: o, Fields: mispjson.Fields{"name": true, "meta-category": true,
			"uuid": true, "distribution": true, "template_uuid": true, "template_version": true, "comment": true}}
		for _, at := range o.Attribute {
			f := attrFields()
			f["object_relation"] = true
			oi.Attributes = append(oi.Attributes, &mispjson.AttributeInput{Attribute: at, Fields: f})
		}
		in.Objects = append(in.Objects, oi)
	}
	return in
}

// exportResult is the outcome of one event of a MISP export file, the
// row MISP's add_misp_export_result page shows.
type exportResult struct {
	Info string `json:"info"`
	// Result is "OK" (created), "Exists" (an event with its uuid is
	// stored) or "Failed".
	Result  string `json:"result"`
	ID      string `json:"id"`
	Message string `json:"message"`
	// ValidationIssues are the save-fail errors of a failed event.
	ValidationIssues any `json:"validationIssues,omitempty"`
}

// exportFileName is the multipart file field of MISP's import form.
const exportFileName = "data[Event][submittedfile]"

// eventAddMISPExport is POST /events/add_misp_export (perm_modify):
// imports a MISP JSON export — {"Event": …}, {"response": [{"Event": …},
// …]} as restSearch writes it, a list of events, or a bare event — each
// event created as events/add creates it. The file comes as MISP's REST
// form sends it, {"Event": {"filecontent": "<file>", "takeownership": 1,
// "publish": 0}} (or the same keys unwrapped), as the multipart upload of
// MISP's web form (data[Event][submittedfile], data[Event][takeownership],
// data[Event][publish]), or as the raw export itself with takeownership
// and publish as named parameters.
//
// As Event::addMISPExportFile: every event is locked and published only
// if publish is set (and the actor has perm_publish); with takeownership
// the actor's organisation is the creator, otherwise a creator named in
// the file is kept for site admins and sync users and refused for others
// ("Event cannot be created as you are not a member of the creator
// organisation."). MISP honours takeownership only when
// MISP.take_ownership_xml_import is set; Razmena always does, since it
// only narrows what the file claims.
//
// MISP renders an HTML table even for REST; Razmena answers its rows as
// JSON, one exportResult per event, with 200. A file that is not a MISP
// JSON export, or holds an event that does not decode, is 400 and nothing
// is stored; each event is then stored (or not) in its own transaction.
func (a *API) eventAddMISPExport(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Modify); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	file, opts, err := exportFile(r, body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(file)) == 0 {
		return exception(r, http.StatusMethodNotAllowed, "No file uploaded.")
	}
	if bytes.TrimSpace(file)[0] == '<' {
		return exception(r, http.StatusBadRequest, "MISP XML files are not supported: upload a MISP JSON export.")
	}
	raws, err := exportEvents(file)
	if err != nil {
		return exception(r, http.StatusBadRequest, "This is not a valid MISP JSON file. "+err.Error())
	}
	inputs := make([]*mispjson.EventInput, len(raws))
	for i, raw := range raws {
		in, err := mispjson.DecodeEvent(raw)
		if err != nil {
			return exception(r, http.StatusBadRequest, fmt.Sprintf("This is not a valid MISP JSON file. Event %d: %v", i, err))
		}
		in.Event.Locked = true
		in.Event.Published = misp.Bool(opts.publish)
		in.Fields["published"] = true
		inputs[i] = in
	}
	results := make([]exportResult, 0, len(inputs))
	for _, in := range inputs {
		res := exportResult{Info: in.Event.Info, ID: "0"}
		id, err := a.addEvent(r, actor, in, addOptions{
			failName: "Could not add Event", url: "/events/add_misp_export",
			takeOwnership: opts.takeOwnership, strictOrgc: true,
		})
		var ce *misp.ConflictError
		var he *httpserver.Error
		switch {
		case err == nil:
			res.Result, res.ID, res.Message = "OK", idString(id), "Event created."
		case errors.As(err, &ce) && ce.What == "event":
			res.Result, res.Message = "Exists", "Event with this UUID already exists."
			// The existing event's id only for those who may see it.
			if _, ferr := a.eventMeta(r.Context(), actor, ce.ID); ferr == nil {
				res.ID = idString(ce.ID)
			} else if !errors.Is(ferr, misp.ErrNotFound) {
				return fmt.Errorf("import MISP export: look up event %d: %w", ce.ID, ferr)
			}
		case errors.As(err, &he) && he.Status < http.StatusInternalServerError:
			res.Result = "Failed"
			switch b := he.Body.(type) {
			case httpserver.SaveFailure:
				res.Message, res.ValidationIssues = b.Message, b.Errors
			case httpserver.Exception:
				res.Message = b.Message
			default:
				res.Message = http.StatusText(he.Status)
			}
		default:
			return fmt.Errorf("import MISP export: %w", err)
		}
		results = append(results, res)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, results)
	return nil
}

// exportOptions are add_misp_export's takeownership and publish.
type exportOptions struct {
	takeOwnership, publish bool
}

// exportFile extracts the export file and the options from the request:
// a multipart form, a JSON body with "filecontent", or the raw export.
func exportFile(r *http.Request, body []byte) ([]byte, exportOptions, error) {
	named := Named(r)
	opts := exportOptions{
		takeOwnership: namedBool(named, "takeownership", false),
		publish:       namedBool(named, "publish", false),
	}
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
		return multipartExport(r, body, params["boundary"], opts)
	}
	if emptyBody(body) {
		return nil, opts, nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		// Not a JSON object: a list, or not JSON at all (exportEvents says).
		return body, opts, nil
	}
	form := top
	if ev, ok := top["Event"]; ok {
		var inner map[string]json.RawMessage
		if json.Unmarshal(ev, &inner) == nil && inner["filecontent"] != nil {
			form = inner
		}
	}
	fc, ok := form["filecontent"]
	if !ok {
		return body, opts, nil
	}
	var content string
	if err := json.Unmarshal(fc, &content); err != nil {
		return nil, opts, exception(r, http.StatusBadRequest, "filecontent must be the file as a string.")
	}
	opts.takeOwnership = formBool(form["takeownership"], opts.takeOwnership)
	opts.publish = formBool(form["publish"], opts.publish)
	return []byte(content), opts, nil
}

// formBool reads a MISP form flag (1, "1", true); def when absent.
func formBool(raw json.RawMessage, def bool) bool {
	if raw == nil {
		return def
	}
	var b misp.Bool
	if json.Unmarshal(raw, &b) != nil {
		return def
	}
	return bool(b)
}

// multipartExport reads MISP's import form.
func multipartExport(r *http.Request, body []byte, boundary string, opts exportOptions) ([]byte, exportOptions, error) {
	if boundary == "" {
		return nil, opts, exception(r, http.StatusBadRequest, "Malformed multipart body.")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var file []byte
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, opts, exception(r, http.StatusBadRequest, "Malformed multipart body.")
		}
		v, err := io.ReadAll(p)
		if err != nil {
			return nil, opts, exception(r, http.StatusBadRequest, "Malformed multipart body.")
		}
		switch name := p.FormName(); {
		case name == exportFileName || (file == nil && p.FileName() != ""):
			file = v
		case name == "data[Event][takeownership]":
			b, _ := misp.ParseBool(string(v))
			opts.takeOwnership = b
		case name == "data[Event][publish]":
			b, _ := misp.ParseBool(string(v))
			opts.publish = b
		}
	}
	return file, opts, nil
}

// exportEvents splits a MISP JSON export into its events, each as JSON
// DecodeEvent reads ({"Event": …} or bare): {"response": [{"Event": …},
// …]} (restSearch), {"response": {"Event": …}}, {"Event": …} or {"Event":
// [ … ]}, a list of either form, or a bare event (Event::addMISPExportFile
// accepts the same).
func exportEvents(file []byte) ([]json.RawMessage, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(file))
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("data after the JSON value")
	}
	var top json.RawMessage = bytes.TrimSpace(file)
	var list []json.RawMessage
	var obj map[string]json.RawMessage
	if json.Unmarshal(top, &obj) == nil {
		if resp, ok := obj["response"]; ok {
			top = resp
		}
	}
	if json.Unmarshal(top, &list) != nil {
		if json.Unmarshal(top, &obj) != nil {
			return nil, errors.New("expected an object or a list of events")
		}
		ev, ok := obj["Event"]
		if ok && json.Unmarshal(ev, &list) == nil {
			// {"Event": [ … ]}: several bare events.
		} else {
			list = []json.RawMessage{top}
		}
	}
	if len(list) == 0 {
		return nil, errors.New("no event in the file")
	}
	for i, item := range list {
		var m map[string]json.RawMessage
		if json.Unmarshal(item, &m) != nil {
			return nil, fmt.Errorf("element %d is not an event object", i)
		}
		if _, wrapped := m["Event"]; !wrapped {
			if _, ok := m["info"]; !ok {
				return nil, fmt.Errorf("element %d is not a MISP event (no Event or info)", i)
			}
		}
	}
	return list, nil
}
