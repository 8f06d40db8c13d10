package restsearch

import (
	"net/http"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// build turns harvested parameters into a Request. data holds only the
// scope's parameters ("tag" already folded into "tags").
func build(scope string, data map[string]any, now int64) (*Request, error) {
	r := &Request{Scope: scope, ReturnFormat: "json", Given: make(map[string]bool, len(data))}
	for _, name := range paramArray[scope] {
		v, ok := data[name]
		if !ok {
			continue
		}
		r.Given[name] = true
		if err := r.set(name, v, now); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// set reads one parameter into r.
func (r *Request) set(name string, v any, now int64) error {
	var err error
	switch name {
	case "returnFormat":
		s, ok := scalar(v)
		if !ok {
			return &Error{Status: http.StatusNotFound, Message: msgFormat}
		}
		switch s = strings.ToLower(strings.TrimSpace(s)); s {
		case "", "download":
			// AppController::restSearch: empty means json, and so does
			// "download".
			s = "json"
		case "bro":
			s = "zeek"
		}
		r.ReturnFormat = s

	case "value":
		r.Value = parseTerms(v)
		r.Value.mapTerms(compressIPv6)
	case "value1":
		r.Value1 = parseTerms(v)
	case "value2":
		r.Value2 = parseTerms(v)
	case "type":
		r.Type = parseTerms(v)
		addEmail(&r.Type)
	case "category":
		r.Category = parseTerms(v)
	case "object_relation":
		r.ObjectRelation = parseTerms(v)
	case "org":
		r.Org = parseTerms(v)
	case "tags":
		r.Tags = parseTerms(v)
	case "event_tags":
		r.EventTags = parseTerms(v)
	case "eventinfo":
		r.EventInfo = parseTerms(v)
	case "eventid":
		// Event::set_filter_eventid: "all" is no filter.
		if s, ok := v.(string); !ok || s != "all" {
			r.EventID = parseTerms(v)
		}
	case "uuid":
		r.UUID = parseTerms(v)
	case "sharinggroup":
		r.SharingGroup = parseTerms(v)
	case "searchall":
		r.Searchall = parseTerms(v)

	case "from":
		r.From, _ = dateValue(v)
	case "to":
		r.To, _ = dateValue(v)
	case "date":
		r.DateFrom, r.DateTo, err = dateRange(v, now)
	case "last":
		r.Last, err = timeRange(name, v, now)
	case "publish_timestamp":
		r.PublishTimestamp, err = timeRange(name, v, now)
	case "timestamp":
		r.Timestamp, err = timeRange(name, v, now)
	case "event_timestamp":
		r.EventTimestamp, err = timeRange(name, v, now)
	case "attribute_timestamp":
		r.AttributeTimestamp, err = timeRange(name, v, now)
	case "first_seen":
		r.FirstSeen, err = seenRange(name, v, now, false)
	case "last_seen":
		r.LastSeen, err = seenRange(name, v, now, true)

	case "published":
		// The restSearch filter loops skip a false value; in the events
		// scope Event::fetchEvent then still filters on it (published =
		// 0), in the attributes scope nothing does.
		if b, ok := v.(bool); ok && !b && r.Scope == "attributes" {
			break
		}
		r.Published = boolFilter(v, false)
	case "to_ids":
		// A false value is skipped in both scopes (fetchEvent only
		// filters on a non-empty to_ids or the integer 0).
		if b, ok := v.(bool); ok && !b {
			break
		}
		r.ToIDS = boolFilter(v, true)
	case "deleted":
		r.Deleted = deletedFilter(v)
	case "threat_level_id":
		for _, n := range intList(v) {
			r.ThreatLevels = append(r.ThreatLevels, misp.ThreatLevel(n))
		}
	case "distribution":
		for _, n := range intList(v) {
			r.Distributions = append(r.Distributions, misp.Distribution(n))
		}
	case "limit":
		r.Limit = positiveInt(v)
	case "page":
		r.Page = positiveInt(v)

	case "includeEventTags":
		r.IncludeEventTags = flag(v)
	case "includeContext":
		r.IncludeContext = flag(v)
	case "includeEventUuid":
		r.IncludeEventUUID = flag(v)
	case "withAttachments", "includeAttachments":
		// Event::restSearchFilterMassage turns withAttachments into
		// includeAttachments, which the events scope also takes itself.
		r.WithAttachments = r.WithAttachments || flag(v)
	case "metadata":
		r.Metadata = flag(v)
	case "headerless":
		r.Headerless = flag(v)
	case "includeCorrelations":
		r.IncludeCorrelations = flag(v)
	case "includeGranularCorrelations":
		r.IncludeGranularCorrelations = flag(v)
	case "includeEventCorrelations":
		r.IncludeEventCorrelations = flag(v)
	case "enforceWarninglist":
		r.EnforceWarninglist = flag(v)
	case "includeWarninglistHits":
		r.IncludeWarninglistHits = flag(v)
	case "excludeGalaxy":
		r.ExcludeGalaxy = flag(v)
	case "excludeLocalTags":
		r.ExcludeLocalTags = flag(v)
	case "includeAllTags":
		r.IncludeAllTags = flag(v)
	case "sgReferenceOnly":
		r.SGReferenceOnly = flag(v)
	case "requested_attributes":
		r.RequestedAttributes = stringList(v)

	default:
		if slices.Contains(rpzParams, name) {
			if s, ok := lastScalar(v); ok {
				if r.FormatParams == nil {
					r.FormatParams = make(map[string]string)
				}
				r.FormatParams[name] = s
			}
		}
	}
	return err
}
