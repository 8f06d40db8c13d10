package restapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/restsearch"
)

// resolveSearch turns a parsed restSearch request into a store search:
// org names and uuids and tag names become ids. empty reports a request
// known to match nothing (an OR list of orgs or tags naming none that
// exists, an AND tag that does not exist, AND terms that contradict).
func (a *API) resolveSearch(ctx context.Context, req *restsearch.Request) (s misp.AttributeSearch, empty bool, err error) {
	if req.Scope == export.ScopeEvents && !req.Searchall.Empty() {
		return a.resolveSearchall(ctx, req)
	}
	var ok bool
	if s.Values, ok = stringTerms(req.Value, compressIPv6); !ok {
		return s, true, nil
	}
	// value1 and value2 (attributes scope) are matched as given: MISP
	// compresses IPv6 terms of value only.
	if s.Value1, ok = stringTerms(req.Value1, nil); !ok {
		return s, true, nil
	}
	if s.Value2, ok = stringTerms(req.Value2, nil); !ok {
		return s, true, nil
	}
	types := req.Type
	for _, t := range types.OR {
		// Asking for email-src or email-dst also asks for email (§4.2).
		if t == "email-src" || t == "email-dst" {
			types.OR = append(types.OR, "email")
			break
		}
	}
	if s.Types, ok = stringTerms(types, nil); !ok {
		return s, true, nil
	}
	if s.Categories, ok = stringTerms(req.Category, nil); !ok {
		return s, true, nil
	}
	if s.ObjectRelations, ok = stringTerms(req.ObjectRelation, nil); !ok {
		return s, true, nil
	}
	if s.EventInfo, ok = stringTerms(req.EventInfo, nil); !ok {
		return s, true, nil
	}
	for _, t := range append(req.UUID.OR, req.UUID.AND...) {
		if misp.IsUUID(t) {
			s.UUIDs = append(s.UUIDs, misp.NormalizeUUID(t))
		}
	}
	if !req.UUID.Empty() && len(s.UUIDs) == 0 {
		return s, true, nil
	}
	if empty = eventTerms(req.EventID, &s); empty {
		return s, true, nil
	}
	if empty, err = a.orgTerms(ctx, req.Org, &s); empty || err != nil {
		return s, empty, err
	}
	if s.Tags, empty, err = a.tagTerms(ctx, req.Tags); empty || err != nil {
		return s, empty, err
	}
	// event_tags (events scope) is tags counted on the event only
	// (MispAttribute::set_filter_tags with the event_tags key).
	if s.EventTags, empty, err = a.tagTerms(ctx, req.EventTags); empty || err != nil {
		return s, empty, err
	}
	for _, t := range append(req.SharingGroup.OR, req.SharingGroup.AND...) {
		if id, ok := parseID(t); ok {
			s.SharingGroupIDs = append(s.SharingGroupIDs, id)
		}
	}
	if !req.SharingGroup.Empty() && len(s.SharingGroupIDs) == 0 {
		return s, true, nil
	}
	s.DateFrom, s.DateTo = later(req.From, req.DateFrom), earlier(req.To, req.DateTo)
	s.PublishTimestamp = intersect(req.Last, req.PublishTimestamp)
	s.EventTimestamp = req.EventTimestamp
	attrTS := req.AttributeTimestamp
	if req.Scope == export.ScopeEvents {
		s.EventTimestamp = intersect(s.EventTimestamp, req.Timestamp)
	} else {
		attrTS = intersect(attrTS, req.Timestamp)
	}
	s.MinTimestamp, s.MaxTimestamp = attrTS.Min, attrTS.Max
	s.FirstSeen, s.LastSeen = req.FirstSeen, req.LastSeen
	s.Published, s.ToIDS, s.Deleted = req.Published, req.ToIDS, req.Deleted
	s.ThreatLevels, s.Distributions = req.ThreatLevels, req.Distributions
	s.WithData = req.WithAttachments
	page(req, &s)
	return s, false, nil
}

// page sets the limit and offset of req's page.
func page(req *restsearch.Request, s *misp.AttributeSearch) {
	if req.Limit > 0 {
		s.Limit = req.Limit
		if req.Page > 1 {
			s.Offset = (req.Page - 1) * req.Limit
		}
	}
}

// resolveSearchall resolves an events-scope searchall request. In MISP
// searchall (or value, when both are given) becomes a LIKE pattern that
// replaces every selection filter (Event::filterEventIds' wildcard
// branch); what Event::fetchEvent applies to the events it then loads
// still holds: published, from, to, last, to_ids, deleted, distribution,
// and tags at the event level (OR terms, or else NOT terms).
func (a *API) resolveSearchall(ctx context.Context, req *restsearch.Request) (s misp.AttributeSearch, empty bool, err error) {
	s.Searchall = slices.Concat(req.Value.OR, req.Value.AND)
	if len(s.Searchall) == 0 {
		s.Searchall = slices.Concat(req.Searchall.OR, req.Searchall.AND)
	}
	if len(s.Searchall) == 0 {
		// Only "!" terms: MISP searches for the "!" literally.
		for _, t := range req.Searchall.NOT {
			s.Searchall = append(s.Searchall, "!"+t)
		}
	}
	tags := restsearch.Terms{OR: req.Tags.OR}
	if len(tags.OR) == 0 {
		tags.NOT = req.Tags.NOT
	}
	if s.EventTags, empty, err = a.tagTerms(ctx, tags); empty || err != nil {
		return s, empty, err
	}
	s.DateFrom, s.DateTo = req.From, req.To
	s.PublishTimestamp = req.Last
	s.Published, s.ToIDS, s.Deleted = req.Published, req.ToIDS, req.Deleted
	s.Distributions = req.Distributions
	s.WithData = req.WithAttachments
	page(req, &s)
	return s, false, nil
}

// stringTerms maps OR and NOT terms to a StringFilter, applying norm to
// each. AND terms of one column must all be the same term (a value equals
// at most one); ok is false when they contradict and nothing can match.
func stringTerms(t restsearch.Terms, norm func(string) string) (f misp.StringFilter, ok bool) {
	if norm == nil {
		norm = func(s string) string { return s }
	}
	for _, v := range t.OR {
		f.Any = append(f.Any, norm(v))
	}
	for _, v := range t.NOT {
		f.None = append(f.None, norm(v))
	}
	if len(t.AND) > 0 {
		first := norm(t.AND[0])
		for _, v := range t.AND[1:] {
			if !strings.EqualFold(norm(v), first) {
				return f, false
			}
		}
		if len(f.Any) > 0 && !containsFold(f.Any, first) {
			return f, false
		}
		f.Any = []string{first}
	}
	return f, true
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// compressIPv6 writes an IPv6 term in its compressed form, as MISP stores
// such values; other terms are unchanged.
func compressIPv6(v string) string {
	if strings.Contains(v, ":") && !strings.Contains(v, "%") {
		if n, err := misp.NormalizeValue("ip-dst", v); err == nil {
			return n
		}
	}
	return v
}

// eventTerms maps the eventid terms (ids or uuids) into s; true when an
// OR list names no usable id.
func eventTerms(t restsearch.Terms, s *misp.AttributeSearch) bool {
	for _, v := range append(t.OR, t.AND...) {
		if misp.IsUUID(v) {
			s.EventUUIDs = append(s.EventUUIDs, misp.NormalizeUUID(v))
		} else if id, ok := parseID(v); ok {
			s.EventIDs = append(s.EventIDs, id)
		}
	}
	for _, v := range t.NOT {
		if misp.IsUUID(v) {
			s.NotEventUUIDs = append(s.NotEventUUIDs, misp.NormalizeUUID(v))
		} else if id, ok := parseID(v); ok {
			s.NotEventIDs = append(s.NotEventIDs, id)
		}
	}
	return len(t.OR)+len(t.AND) > 0 && len(s.EventIDs)+len(s.EventUUIDs) == 0
}

// orgTerms resolves the creator-org terms (ids, names, uuids) into s; an
// OR list naming no existing organisation matches nothing.
func (a *API) orgTerms(ctx context.Context, t restsearch.Terms, s *misp.AttributeSearch) (bool, error) {
	for _, v := range append(t.OR, t.AND...) {
		id, found, err := a.orgTerm(ctx, v)
		if err != nil {
			return false, err
		}
		if found {
			s.OrgcIDs = append(s.OrgcIDs, id)
		}
	}
	if len(t.OR)+len(t.AND) > 0 && len(s.OrgcIDs) == 0 {
		return true, nil
	}
	for _, v := range t.NOT {
		id, found, err := a.orgTerm(ctx, v)
		if err != nil {
			return false, err
		}
		if found {
			s.NotOrgcIDs = append(s.NotOrgcIDs, id)
		}
	}
	return false, nil
}

// tagTerms resolves tag terms (names, LIKE patterns with %, or ids) to
// ids (misp-rest-api §4.3): an OR list naming no tag, or an AND term
// naming none, matches nothing; NOT terms naming none are ignored.
func (a *API) tagTerms(ctx context.Context, t restsearch.Terms) (f misp.TagSearch, empty bool, err error) {
	for _, v := range t.OR {
		ids, err := a.tagIDs(ctx, v)
		if err != nil {
			return f, false, err
		}
		f.Any = append(f.Any, ids...)
	}
	if len(t.OR) > 0 && len(f.Any) == 0 {
		return f, true, nil
	}
	for _, v := range t.AND {
		ids, err := a.tagIDs(ctx, v)
		if err != nil {
			return f, false, err
		}
		if len(ids) == 0 {
			return f, true, nil
		}
		f.All = append(f.All, ids)
	}
	for _, v := range t.NOT {
		ids, err := a.tagIDs(ctx, v)
		if err != nil {
			return f, false, err
		}
		f.None = append(f.None, ids...)
	}
	return f, false, nil
}

// tagIDs returns the ids of the tags a term names: an id, a name
// (case-insensitive), or a LIKE pattern.
func (a *API) tagIDs(ctx context.Context, term string) ([]int64, error) {
	if id, ok := parseID(term); ok {
		t, err := a.st.Tags.FindTagByID(ctx, id)
		if errors.Is(err, misp.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("find tag %d: %w", id, err)
		}
		return []int64{int64(t.ID)}, nil
	}
	tags, err := a.st.Tags.FindTags(ctx, misp.TagFilter{Names: []string{term}})
	if err != nil {
		return nil, fmt.Errorf("find tags %q: %w", term, err)
	}
	ids := make([]int64, len(tags))
	for i, t := range tags {
		ids[i] = int64(t.ID)
	}
	return ids, nil
}

// intersect is the range both r and q allow.
func intersect(r, q misp.Range) misp.Range {
	out := r
	if q.Min != 0 && (out.Min == 0 || q.Min > out.Min) {
		out.Min = q.Min
	}
	if q.Max != 0 && (out.Max == 0 || q.Max < out.Max) {
		out.Max = q.Max
	}
	return out
}

// later and earlier pick the tighter of two YYYY-MM-DD bounds ("" open).
func later(x, y string) string {
	if x == "" || y > x {
		return y
	}
	return x
}

func earlier(x, y string) string {
	if x == "" || (y != "" && y < x) {
		return y
	}
	return x
}
