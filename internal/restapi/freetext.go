package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/freetext"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerFreetext adds the freetext import (MISP's
// EventsController::freeTextImport) and Razmena's parse-only helper.
func (a *API) registerFreetext(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/events/freeTextImport/{id}", a.freetextImport)
	a.route(mux, "POST", "/freetext/parse", a.freetextParse)
}

// freetextRequest is the body of events/freeTextImport: PyMISP's
// freetext() sends {"value", "adhereToWarninglists", "distribution",
// "returnMetaAttributes"}; MISP also reads them under "Attribute", and a
// body without "value" as the value itself.
type freetextRequest struct {
	Value          string
	Adhere         string // "", "1" (skip values on a warninglist) or "soft" (keep them, to_ids off)
	Distribution   *misp.Distribution
	SharingGroupID misp.Int
	MetaOnly       bool
}

// readFreetextRequest decodes the body of a freetext request.
func readFreetextRequest(r *http.Request) (freetextRequest, error) {
	var req freetextRequest
	body, err := readBody(r)
	if err != nil {
		return req, err
	}
	if emptyBody(body) {
		return req, exception(r, http.StatusBadRequest, "No text to import: send {\"value\": \"…\"}.")
	}
	var text string
	if json.Unmarshal(body, &text) == nil {
		req.Value = text
		return req, nil
	}
	var fields map[string]json.RawMessage
	if err := decodeJSON(r, body, &fields); err != nil {
		return req, err
	}
	if inner, ok := fields["Attribute"]; ok && bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		fields = nil
		if err := decodeJSON(r, inner, &fields); err != nil {
			return req, err
		}
	}
	raw, ok := fields["value"]
	if !ok || json.Unmarshal(raw, &req.Value) != nil {
		return req, exception(r, http.StatusBadRequest, "value must be the text to import, as a JSON string.")
	}
	if v, ok := fields["adhereToWarninglists"]; ok {
		if req.Adhere, ok = adhereMode(phpString(rawValue(v))); !ok {
			return req, exception(r, http.StatusBadRequest, "adhereToWarninglists must be false, true or \"soft\".")
		}
	}
	if v, ok := fields["distribution"]; ok && string(v) != "null" {
		n, err := strconv.Atoi(phpString(rawValue(v)))
		if err != nil || n < 0 || n > 5 {
			return req, exception(r, http.StatusBadRequest, "distribution must be 0 to 5.")
		}
		d := misp.Distribution(n)
		req.Distribution = &d
	}
	if v, ok := fields["sharing_group_id"]; ok {
		id, _ := parseID(phpString(rawValue(v)))
		req.SharingGroupID = misp.Int(id)
	}
	if v, ok := fields["returnMetaAttributes"]; ok {
		req.MetaOnly = phpTruthy(phpString(rawValue(v)))
	}
	return req, nil
}

// rawValue decodes a JSON value for phpString; undecodable is nil.
func rawValue(raw json.RawMessage) any {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

// adhereMode reads adhereToWarninglists: off, "1" or "soft".
func adhereMode(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "", "0", "false":
		return "", true
	case "1", "true":
		return "1", true
	case "soft":
		return "soft", true
	}
	return "", false
}

// freetextProposal is one parse result as MISP's freetext REST answer has
// it, with the warninglists its value is on (Razmena adds "warnings" when
// there are any, in the shape of warninglists/checkValue).
type freetextProposal struct {
	freetext.Proposal
	Warnings []warninglistHit
}

func (p freetextProposal) MarshalJSON() ([]byte, error) {
	b, err := p.Proposal.MarshalJSON()
	if err != nil || len(p.Warnings) == 0 {
		return b, err
	}
	w, err := json.Marshal(p.Warnings)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	return append(append(append(b, `,"warnings":`...), w...), '}'), nil
}

// proposals parses text and checks each proposal against the enabled
// warninglists.
func (a *API) proposals(r *http.Request, text string) ([]freetextProposal, error) {
	ix, err := a.warnings.Index(r.Context())
	if err != nil {
		return nil, fmt.Errorf("warninglists: %w", err)
	}
	parsed := freetext.Parse(text)
	out := make([]freetextProposal, len(parsed))
	for i, p := range parsed {
		out[i].Proposal = p
		for _, h := range ix.Check(p.DefaultType, p.Value) {
			out[i].Warnings = append(out[i].Warnings, warninglistHit{ID: misp.Int(h.ListID), Name: h.Name, Matched: h.Matched})
		}
	}
	return out, nil
}

// freetextParse is POST /freetext/parse (Razmena): the proposals of
// freeTextImport's returnMetaAttributes for a text, without an event.
func (a *API) freetextParse(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	req, err := readFreetextRequest(r)
	if err != nil {
		return err
	}
	out, err := a.proposals(r, req.Value)
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// freetextImport is POST /events/freeTextImport/{id}[/{adhereToWarninglists}
// [/{returnMetaAttributes}]] (perm_add; the event must be visible):
// extracts typed attributes from a pasted text (internal/freetext). With
// returnMetaAttributes it answers the proposals; otherwise it adds each
// as an attribute of the event with its default type, category and
// to_ids, the given distribution (default: inherit the event's) and
// answers the attributes created ([{"Attribute": …}]). Values already in
// the event, or that fail validation, are skipped, as MISP skips them.
// adhereToWarninglists true leaves out values on an enabled warninglist,
// "soft" adds them with to_ids off. The user must be allowed to modify
// the event: MISP would file proposals instead, which Razmena does not
// have yet (403).
func (a *API) freetextImport(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Add); err != nil {
		return err
	}
	ctx := r.Context()
	ref, ok := parseRef(strings.TrimSuffix(r.PathValue("id"), ".json"))
	e, err := (*misp.Event)(nil), misp.ErrNotFound
	if ok {
		e, err = a.findEvent(ctx, actor, ref, misp.EventViewOptions{Metadata: true})
	}
	if errors.Is(err, misp.ErrNotFound) {
		return exception(r, http.StatusNotFound, "Invalid event.")
	}
	if err != nil {
		return fmt.Errorf("find event: %w", err)
	}
	if r.Method == http.MethodGet {
		return describe(w, r, "/events/freeTextImport", "POST a text to extract attributes from it and add them to the event.",
			[]string{"value"}, []string{"adhereToWarninglists", "distribution", "sharing_group_id", "returnMetaAttributes"}, nil)
	}
	req, err := readFreetextRequest(r)
	if err != nil {
		return err
	}
	// Positional /{adhereToWarninglists}/{returnMetaAttributes}, as
	// MISP's action arguments.
	if pos := Named(r)[""]; len(pos) > 0 {
		if mode, ok := adhereMode(pos[0]); ok && mode != "" {
			req.Adhere = mode
		}
		if len(pos) > 1 && phpTruthy(pos[1]) {
			req.MetaOnly = true
		}
	}
	proposals, err := a.proposals(r, req.Value)
	if err != nil {
		return err
	}
	if req.MetaOnly {
		httpserver.WriteJSON(w, r, http.StatusOK, proposals)
		return nil
	}
	if !actor.CanModifyEvent(e) {
		return exception(r, http.StatusForbidden, noPermission)
	}
	dist := misp.DistributionInheritEvnt
	if req.Distribution != nil {
		dist = *req.Distribution
	}
	if dist == misp.DistributionSharingGrp {
		usable, err := a.newTreeBuilder(actor, sgDowngrade).sgs.usable(ctx, int64(req.SharingGroupID))
		if err != nil {
			return err
		}
		if !usable {
			return exception(r, http.StatusForbidden, sgUnusable)
		}
	}
	saved := []any{}
	for _, p := range proposals {
		toIDS := p.ToIDS
		if len(p.Warnings) > 0 {
			if req.Adhere == "1" {
				continue
			}
			if req.Adhere == "soft" {
				toIDS = false
			}
		}
		for _, typ := range freetextTypes(p.DefaultType) {
			at := &misp.Attribute{Type: typ, Category: p.Category, Value: p.Value, ToIDS: misp.Bool(toIDS),
				Comment: p.Comment, Distribution: dist}
			if dist == misp.DistributionSharingGrp {
				at.SharingGroupID = req.SharingGroupID
			}
			if info, ok := misp.LookupType(typ); ok && !misp.CategoryAllows(at.Category, typ) {
				at.Category = info.DefaultCategory
			}
			err := at.Validate()
			if err == nil {
				err = a.st.Attributes.CreateAttribute(ctx, actor, int64(e.ID), at, false)
			}
			var ve *misp.ValidationError
			switch {
			case errors.As(err, &ve), errors.Is(err, misp.ErrConflict):
				continue // a duplicate or an invalid value: skipped, as MISP does
			case err != nil:
				return fmt.Errorf("add attribute to event %d: %w", e.ID, err)
			}
			at.Tag = exportableTags(at.Tag)
			saved = append(saved, mispjson.AttributeAddView(at))
		}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, saved)
	return nil
}

// freetextTypes are the attribute types a proposal of type typ becomes:
// MISP's two pseudo-types make one attribute of each side.
func freetextTypes(typ string) []string {
	switch typ {
	case "ip-src/ip-dst":
		return []string{"ip-src", "ip-dst"}
	case "ip-src|port/ip-dst|port":
		return []string{"ip-src|port", "ip-dst|port"}
	}
	return []string{typ}
}
