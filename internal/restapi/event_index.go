package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
// with minimal. Without limit every matching event is returned.
//
// Supported filters: published, eventid (ids and uuids; "!" terms are
// ignored), datefrom, dateuntil, timestamp and publish_timestamp (a value
// or [from, to]; Unix time or a delta such as "7d"), org (creator org by
// id, name or uuid), eventinfo (substring), tag/tags (names or ids, "!"
// to exclude; an OR list naming no existing tag matches nothing),
// distribution, analysis, threatlevel, value (exact attribute value),
// minimal, page, limit, sort, direction. Not supported yet, and ignored:
// all, attribute, hasproposal, sharinggroup, email, and "!" negation of
// eventid, org, distribution, analysis and threatlevel.
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
	f, minimal, empty, err := a.eventFilter(r.Context(), params)
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
// reports a filter known to match nothing (a tag list naming no tag).
func (a *API) eventFilter(ctx context.Context, p map[string][]string) (f misp.EventFilter, minimal, empty bool, err error) {
	last := func(k string) string {
		if vs := p[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[len(vs)-1])
		}
		return ""
	}
	if v := last("published"); v != "" && v != "2" {
		b, perr := misp.ParseBool(v)
		if perr == nil {
			f.Published = &b
		}
	}
	for _, term := range splitTerms(p["eventid"]) {
		switch {
		case strings.HasPrefix(term, "!"):
		case misp.IsUUID(term):
			f.UUIDs = append(f.UUIDs, misp.NormalizeUUID(term))
		default:
			if id, ok := parseID(term); ok {
				f.IDs = append(f.IDs, id)
			}
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
	f.Info = last("eventinfo")
	f.Value = last("value")
	for _, term := range splitTerms(p["org"]) {
		if strings.HasPrefix(term, "!") {
			continue
		}
		id, found, ferr := a.orgTerm(ctx, term)
		if ferr != nil {
			return f, false, false, ferr
		}
		if !found {
			id = -1 // matches no event
		}
		f.OrgcIDs = append(f.OrgcIDs, id)
	}
	tagTerms := append(splitTerms(p["tag"]), splitTerms(p["tags"])...)
	wantTags := false
	for _, term := range tagTerms {
		neg := strings.HasPrefix(term, "!")
		name := strings.TrimPrefix(term, "!")
		if !neg {
			wantTags = true
		}
		t, terr := a.findTagTerm(ctx, name)
		if errors.Is(terr, misp.ErrNotFound) {
			continue
		}
		if terr != nil {
			return f, false, false, fmt.Errorf("find tag %q: %w", name, terr)
		}
		if neg {
			f.NotTagIDs = append(f.NotTagIDs, int64(t.ID))
		} else {
			f.TagIDs = append(f.TagIDs, int64(t.ID))
		}
	}
	if wantTags && len(f.TagIDs) == 0 {
		empty = true
	}
	for _, term := range splitTerms(p["distribution"]) {
		if n, perr := strconv.Atoi(term); perr == nil {
			f.Distributions = append(f.Distributions, misp.Distribution(n))
		}
	}
	for _, term := range splitTerms(p["analysis"]) {
		if n, perr := strconv.Atoi(term); perr == nil {
			f.Analyses = append(f.Analyses, misp.Analysis(n))
		}
	}
	for _, term := range splitTerms(p["threatlevel"]) {
		if n, perr := strconv.Atoi(term); perr == nil {
			f.ThreatLevels = append(f.ThreatLevels, misp.ThreatLevel(n))
		}
	}
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
