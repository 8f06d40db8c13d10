package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// eventIndexParams are the events/index filters (misp-rest-api §5). Each
// may also be given with a "search" prefix (searchorg, searchtag, …).
var eventIndexParams = []string{
	"all", "attribute", "published", "hasproposal", "eventid", "datefrom", "dateuntil",
	"timestamp", "publish_timestamp", "publishtimestamp", "org", "sharinggroup", "eventinfo",
	"tag", "tags", "email", "distribution", "analysis", "threatlevel", "value", "minimal",
	"page", "limit", "sort", "direction", "desc",
}

// eventIndex is GET|POST /events/index and GET /events: a JSON array of
// bare events (no attributes) with X-Result-Count, or the compact form
// with minimal. Without limit every matching event is returned. Filters
// (misp-rest-api §5; EventsController::__setIndexFilterConditions) come
// as named parameters or body keys, each also with a "search" prefix;
// "|" separates terms, and "!" negates one where MISP allows it:
//
//   - all: MISP's quick filter, case-insensitive substring of the event's
//     info or uuid, its creator organisation's name, an event tag's name,
//     or a visible live attribute's value1, value2, comment or tag name;
//     each value is one term ("|" is not a separator here).
//   - attribute: a visible live attribute's value1 or value2 contains a
//     term (case-insensitive); "!" terms leave out events with one.
//   - value: a visible live attribute's value equals it.
//   - eventid: ids and uuids ("!" excludes); ids and uuids are ANDed, as
//     in MISP.
//   - org: creator organisation by id, name or uuid ("!" excludes); a
//     name or uuid that names no organisation matches nothing.
//   - eventinfo: substring of info ("|" any, "!" none).
//   - tag, tags: event tags by name or id; "a|b" any, "a&b" (a single
//     string) all, "!" none; tag and tags are ANDed; a list naming no
//     existing tag, or an "&" term naming none, matches nothing.
//   - distribution, analysis, threatlevel, sharinggroup: exact values
//     ("!" excludes).
//   - email: site admins, substring of the creator's e-mail ("!"
//     excludes); anybody else only their own address (their own events),
//     any other value matches nothing.
//   - hasproposal: Razmena has no proposals yet: 1 matches nothing, 0
//     every event.
//   - published, datefrom, dateuntil, timestamp, publish_timestamp (a
//     value or [from, to]; Unix time or a delta such as "7d"), minimal,
//     page, limit, sort, direction.
//
// Deviations from MISP: attribute terms that are all negated and match
// nothing leave every event (MISP: none), and positive attribute terms
// matching nothing next to negated ones that match give nothing (MISP
// drops the positive terms); an "&" tag naming no tag matches nothing
// (MISP ignores it); all, attribute and eventinfo take % and _ literally;
// an attribute tag counts for all only on a visible live attribute (MISP
// checks neither); non-numeric ids and levels match nothing (MySQL would
// cast them to 0).
func (a *API) eventIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	all := make([]string, 0, 2*len(eventIndexParams))
	for _, p := range eventIndexParams {
		all = append(all, p, "search"+p)
	}
	raw, err := harvestParams(r, all)
	if err != nil {
		return err
	}
	params := map[string][]string{}
	for k, v := range raw {
		params[strings.TrimPrefix(k, "search")] = v
	}
	f, minimal, empty, err := a.eventFilter(r.Context(), actor, params)
	if err != nil {
		return err
	}
	var events []*misp.Event
	var total int64
	if !empty {
		events, total, err = a.st.Events.FindEvents(r.Context(), actor, f)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
	}
	if !minimal {
		if err := a.indexSharingGroups(r.Context(), actor, events); err != nil {
			return err
		}
	}
	out := make([]any, 0, len(events))
	for _, e := range events {
		if minimal {
			out = append(out, mispjson.EventIndexMinimal(e))
			continue
		}
		e.Tag = exportableTags(e.Tag)
		out = append(out, mispjson.EventIndexItem(e))
	}
	w.Header().Set("X-Result-Count", strconv.FormatInt(total, 10))
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// eventFilter maps the index parameters to a misp.EventFilter. empty
// reports a filter known to match nothing, which MISP answers without
// asking the database (its $nothing).
func (a *API) eventFilter(ctx context.Context, actor *misp.Actor, p map[string][]string) (f misp.EventFilter, minimal, empty bool, err error) {
	last := func(k string) string {
		if vs := p[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[len(vs)-1])
		}
		return ""
	}
	if v := last("published"); v != "" && v != "2" && !(slices.Contains(p["published"], "0") && slices.Contains(p["published"], "1")) {
		b, perr := misp.ParseBool(v)
		if perr == nil {
			f.Published = &b
		}
	}
	if v := last("hasproposal"); v != "" && v != "2" {
		has := phpTruthy(v)
		f.HasProposal = &has
	}
	for _, term := range splitTerms(p["eventid"]) {
		neg, term := negated(term)
		id, isID := parseID(term)
		switch {
		case term == "":
		case misp.IsUUID(term) && neg:
			f.NotUUIDs = append(f.NotUUIDs, misp.NormalizeUUID(term))
		case misp.IsUUID(term):
			f.UUIDs = append(f.UUIDs, misp.NormalizeUUID(term))
		case neg && isID:
			f.NotIDs = append(f.NotIDs, id)
		case neg:
		case isID:
			f.IDs = append(f.IDs, id)
		default:
			f.IDs = append(f.IDs, -1) // names no event
		}
	}
	f.DateFrom, f.DateUntil = last("datefrom"), last("dateuntil")
	now := a.now()
	f.MinTimestamp, f.MaxTimestamp = timeRange(p["timestamp"], now)
	pub := p["publish_timestamp"]
	if len(pub) == 0 {
		pub = p["publishtimestamp"]
	}
	f.MinPublishTS, _ = timeRange(pub, now)
	f.Info, f.NotInfo = textTerms(p["eventinfo"])
	f.Attribute, f.NotAttribute = textTerms(p["attribute"])
	f.Value = last("value")
	if vs := p["all"]; len(vs) > 1 || len(vs) == 1 && phpTruthy(vs[0]) {
		for _, v := range vs {
			if v != "" {
				f.Quick = append(f.Quick, v)
			}
		}
	}
	nothing, err := a.orgFilter(ctx, &f, splitTerms(p["org"]))
	if err != nil {
		return f, false, false, err
	}
	empty = empty || nothing
	for _, k := range []string{"tag", "tags"} {
		nothing, err := a.tagFilter(ctx, &f, p[k])
		if err != nil {
			return f, false, false, err
		}
		empty = empty || nothing
	}
	empty = emailFilter(&f, actor, p["email"]) || empty
	var pos, neg []int64
	pos, neg = intTerms(p["distribution"])
	f.Distributions, f.NotDistributions = levels[misp.Distribution](pos), levels[misp.Distribution](neg)
	pos, neg = intTerms(p["analysis"])
	f.Analyses, f.NotAnalyses = levels[misp.Analysis](pos), levels[misp.Analysis](neg)
	pos, neg = intTerms(p["threatlevel"])
	f.ThreatLevels, f.NotThreatLevels = levels[misp.ThreatLevel](pos), levels[misp.ThreatLevel](neg)
	f.SharingGroupIDs, f.NotSharingGroupIDs = intTerms(p["sharinggroup"])
	// The mere presence of minimal restricts to events with attributes;
	// a truthy value also selects the compact output.
	if _, ok := p["minimal"]; ok {
		f.Minimal = true
		minimal = namedTruthy(p["minimal"])
	}
	if n, perr := strconv.Atoi(last("limit")); perr == nil && n > 0 {
		f.Limit = n
		if pg, perr := strconv.Atoi(last("page")); perr == nil && pg > 0 {
			f.Page = pg
		}
	}
	f.Sort = last("sort")
	switch strings.ToLower(last("direction")) {
	case "desc":
		f.Desc = true
	case "":
		f.Desc = namedTruthy(p["desc"])
	}
	return f, minimal, empty, nil
}

// orgFilter adds the org terms to f: creator organisations by id, uuid
// or name. As in MISP, a positive name or uuid that names no
// organisation makes the whole index empty (nothing), a negated one is
// ignored.
func (a *API) orgFilter(ctx context.Context, f *misp.EventFilter, terms []string) (nothing bool, err error) {
	for _, term := range terms {
		neg, term := negated(term)
		if term == "" {
			continue
		}
		id, found, err := a.orgTerm(ctx, term)
		if err != nil {
			return false, err
		}
		switch {
		case neg && found:
			f.NotOrgcIDs = append(f.NotOrgcIDs, id)
		case neg:
		case found:
			f.OrgcIDs = append(f.OrgcIDs, id)
		default:
			nothing = true
		}
	}
	return nothing, nil
}

// tagFilter adds one tag or tags parameter to f (MISP handles the two
// separately, so they are ANDed): "|" terms are alternatives, a single
// string "a&b" requires every tag, "!" excludes. Terms are tag names
// (exact, case-insensitive) or ids; positive terms naming no tag are
// dropped, and nothing reports that none was left, or that an "&" term
// named no tag.
func (a *API) tagFilter(ctx context.Context, f *misp.EventFilter, vs []string) (nothing bool, err error) {
	if len(vs) == 0 || len(vs) == 1 && !phpTruthy(strings.TrimSpace(vs[0])) {
		return false, nil
	}
	terms := splitTerms(vs)
	and := false
	if len(terms) == 1 && strings.Contains(terms[0], "&") {
		terms = splitTerms(strings.Split(terms[0], "&"))
		and = len(terms) > 1
	}
	var include []int64
	wanted := false
	for _, term := range terms {
		neg, name := negated(term)
		if name == "" {
			continue
		}
		wanted = wanted || !neg
		t, err := a.findTagTerm(ctx, name)
		switch {
		case errors.Is(err, misp.ErrNotFound):
			if and && !neg {
				return true, nil
			}
			continue
		case err != nil:
			return false, fmt.Errorf("find tag %q: %w", name, err)
		case neg:
			f.NotTagIDs = append(f.NotTagIDs, int64(t.ID))
		case and:
			f.TagSets = append(f.TagSets, []int64{int64(t.ID)})
		default:
			include = append(include, int64(t.ID))
		}
	}
	if len(include) > 0 {
		f.TagSets = append(f.TagSets, include)
	}
	return wanted && len(include) == 0 && !and, nil
}

// emailFilter adds the email parameter to f. Site admins search creators'
// e-mail addresses by substring ("!" excludes); anybody else may only
// name their own address, which selects the events they created, and
// gets nothing for any other value (EventsController, searchemail).
func emailFilter(f *misp.EventFilter, actor *misp.Actor, vs []string) (nothing bool) {
	if len(vs) == 0 || strings.TrimSpace(strings.Join(vs, "")) == "" {
		return false
	}
	if actor == nil || actor.User == nil || !actor.SiteAdmin() {
		if len(vs) == 1 && actor != nil && actor.User != nil && strings.EqualFold(strings.TrimSpace(vs[0]), actor.User.Email) {
			f.CreatedByActor = true
			return false
		}
		return true
	}
	f.CreatorEmails, f.NotCreatorEmails = textTerms(vs)
	return false
}

// textTerms splits substring filter values into terms and negated terms.
func textTerms(vs []string) (pos, neg []string) {
	for _, term := range splitTerms(vs) {
		not, term := negated(term)
		switch {
		case term == "":
		case not:
			neg = append(neg, term)
		default:
			pos = append(pos, term)
		}
	}
	return pos, neg
}

// intTerms splits exact-value filter values into numbers and negated
// numbers. A positive term that is not a number matches nothing (-1), a
// negated one excludes nothing.
func intTerms(vs []string) (pos, neg []int64) {
	for _, term := range splitTerms(vs) {
		not, term := negated(term)
		n, err := strconv.ParseInt(term, 10, 64)
		switch {
		case err == nil && not:
			neg = append(neg, n)
		case err == nil:
			pos = append(pos, n)
		case !not && term != "":
			pos = append(pos, -1)
		}
	}
	return pos, neg
}

func levels[T ~int](vs []int64) []T {
	var out []T
	for _, v := range vs {
		out = append(out, T(v))
	}
	return out
}

// negated strips a leading "!" from term and reports whether it had one.
func negated(term string) (bool, string) {
	if rest, ok := strings.CutPrefix(term, "!"); ok {
		return true, strings.TrimSpace(rest)
	}
	return false, term
}

// orgTerm resolves an org filter term (id, uuid or name).
func (a *API) orgTerm(ctx context.Context, term string) (int64, bool, error) {
	var o *misp.Organisation
	var err error
	switch {
	case misp.IsUUID(term):
		o, err = a.st.Orgs.FindOrgByUUID(ctx, misp.NormalizeUUID(term))
	default:
		if id, ok := parseID(term); ok {
			return id, true, nil
		}
		o, err = a.st.Orgs.FindOrgByName(ctx, term)
	}
	if errors.Is(err, misp.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("find organisation %q: %w", term, err)
	}
	return int64(o.ID), true, nil
}

// splitTerms splits index filter values on "|" (MISP's index separator)
// and drops empty terms.
func splitTerms(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, t := range strings.Split(v, "|") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// timeRange reads a timestamp filter: one value (a lower bound) or two (a
// range, swapped if reversed; 0 for an open end). Values are Unix seconds
// or deltas such as "7d", "12h", "30m", "20s" (before now). Unparsable
// values are ignored.
func timeRange(vs []string, now time.Time) (from, until int64) {
	var ts []int64
	for _, v := range vs {
		if t, ok := parseTimeValue(v, now); ok {
			ts = append(ts, t)
		}
	}
	switch len(ts) {
	case 0:
		return 0, 0
	case 1:
		return ts[0], 0
	}
	from, until = ts[0], ts[1]
	if until != 0 && from > until {
		from, until = until, from
	}
	return from, until
}

func parseTimeValue(v string, now time.Time) (int64, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, true
	}
	if len(v) > 1 {
		if n, err := strconv.ParseInt(v[:len(v)-1], 10, 64); err == nil {
			unit := map[byte]int64{'d': 86400, 'h': 3600, 'm': 60, 's': 1}[v[len(v)-1]]
			if unit != 0 {
				return now.Unix() - n*unit, true
			}
		}
	}
	for _, layout := range []string{time.RFC3339, time.DateTime, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}
