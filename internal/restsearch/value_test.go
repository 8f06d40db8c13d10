package restsearch

import (
	"net/url"

	"github.com/razmena/razmena/internal/misp"
)

// valueCases cover booleans, flags, numbers, lists and format
// parameters.
var valueCases = []parseCase{
	// Booleans.
	{
		name:  "published and to_ids true",
		body:  `{"published":1,"to_ids":"true"}`,
		given: "published to_ids",
		want:  func(r *Request) { r.Published, r.ToIDS = ptr(true), ptr(true) },
	},
	{
		name:  "published and to_ids false",
		body:  `{"published":"0","to_ids":"exclude"}`,
		given: "published to_ids",
		want:  func(r *Request) { r.Published, r.ToIDS = ptr(false), ptr(false) },
	},
	{
		name:  "both values mean both",
		body:  `{"published":[true,false],"to_ids":[0,1]}`,
		given: "published to_ids",
	},
	{
		name:  "one-element lists",
		body:  `{"published":["1"],"to_ids":[false]}`,
		given: "published to_ids",
		want:  func(r *Request) { r.Published, r.ToIDS = ptr(true), ptr(false) },
	},
	{
		name:  "false in the events scope",
		body:  `{"published":false,"to_ids":false}`,
		given: "published to_ids",
		want:  func(r *Request) { r.Published = ptr(false) },
	},
	{
		name:  "false in the attributes scope",
		scope: "attributes",
		body:  `{"published":false,"to_ids":false}`,
		given: "published to_ids",
	},
	{
		name:  "non-boolean filters ignored",
		body:  `{"published":"maybe","to_ids":2}`,
		given: "published to_ids",
	},
	{name: "deleted 0", body: `{"deleted":0}`, given: "deleted"},
	{name: "deleted false", body: `{"deleted":false}`, given: "deleted"},
	{
		name:  "deleted 1",
		body:  `{"deleted":1}`,
		given: "deleted",
		want:  func(r *Request) { r.Deleted = misp.DeletedOnly },
	},
	{
		name:  "deleted only",
		named: url.Values{"deleted": {"only"}},
		given: "deleted",
		want:  func(r *Request) { r.Deleted = misp.DeletedOnly },
	},
	{
		name:  "deleted true",
		body:  `{"deleted":true}`,
		given: "deleted",
		want:  func(r *Request) { r.Deleted = misp.DeletedOnly },
	},
	{
		name:  "deleted both",
		body:  `{"deleted":[0,1]}`,
		given: "deleted",
		want:  func(r *Request) { r.Deleted = misp.DeletedInclude },
	},
	{
		name:  "deleted both as strings",
		named: url.Values{"deleted": {"0", "1"}},
		given: "deleted",
		want:  func(r *Request) { r.Deleted = misp.DeletedInclude },
	},
	{
		name:  "attribute flags",
		scope: "attributes",
		body:  `{"includeEventTags":1,"includeContext":"1","includeEventUuid":true,"withAttachments":"yes","headerless":1,"includeCorrelations":1,"enforceWarninglist":1,"includeWarninglistHits":1,"includeAllTags":1}`,
		given: "includeEventTags includeContext includeEventUuid withAttachments headerless includeCorrelations enforceWarninglist includeWarninglistHits includeAllTags",
		want: func(r *Request) {
			r.IncludeEventTags, r.IncludeContext, r.IncludeEventUUID, r.WithAttachments = true, true, true, true
			r.Headerless, r.IncludeCorrelations, r.EnforceWarninglist = true, true, true
			r.IncludeWarninglistHits, r.IncludeAllTags = true, true
		},
	},
	{
		name:  "event flags",
		body:  `{"metadata":1,"excludeLocalTags":"1","sgReferenceOnly":true,"includeAttachments":1,"includeContext":1,"headerless":"true","excludeGalaxy":1,"includeWarninglistHits":1}`,
		given: "metadata excludeLocalTags sgReferenceOnly includeAttachments includeContext headerless excludeGalaxy includeWarninglistHits",
		want: func(r *Request) {
			r.Metadata, r.ExcludeLocalTags, r.SGReferenceOnly, r.WithAttachments = true, true, true, true
			r.IncludeContext, r.Headerless, r.ExcludeGalaxy, r.IncludeWarninglistHits = true, true, true, true
		},
	},
	{
		name:  "false flags",
		scope: "attributes",
		body:  `{"includeEventTags":0,"includeContext":"0","includeEventUuid":false,"withAttachments":"false","headerless":"","includeAllTags":[]}`,
		given: "includeEventTags includeContext includeEventUuid withAttachments headerless includeAllTags",
	},
	{
		name:  "withAttachments 0 and includeAttachments 1",
		body:  `{"withAttachments":0,"includeAttachments":1}`,
		given: "withAttachments includeAttachments",
		want:  func(r *Request) { r.WithAttachments = true },
	},

	// Numbers, lists and format parameters.
	{
		name:  "threat levels and distributions",
		body:  `{"threat_level_id":[1,"2","high",3.0,2.5],"distribution":"0||4"}`,
		given: "threat_level_id distribution",
		want: func(r *Request) {
			r.ThreatLevels = []misp.ThreatLevel{misp.ThreatLevelHigh, misp.ThreatLevelMedium, misp.ThreatLevelLow}
			r.Distributions = []misp.Distribution{misp.DistributionOrgOnly, misp.DistributionSharingGrp}
		},
	},
	{
		name:  "limit and page",
		body:  `{"limit":"50","page":2.0}`,
		given: "limit page",
		want:  func(r *Request) { r.Limit, r.Page = 50, 2 },
	},
	{
		name:  "bad limit and page ignored",
		scope: "attributes",
		named: url.Values{"limit": {"-1"}, "page": {"abc"}},
		given: "limit page",
	},
	{
		name:  "zero and fractional limit ignored",
		body:  `{"limit":0,"page":1.5}`,
		given: "limit page",
	},
	{
		name:  "requested_attributes list",
		scope: "attributes",
		body:  `{"returnFormat":"csv","requested_attributes":["value"," type ",""],"headerless":1}`,
		given: "returnFormat requested_attributes headerless",
		want: func(r *Request) {
			r.ReturnFormat = "csv"
			r.RequestedAttributes = []string{"value", "type"}
			r.Headerless = true
		},
	},
	{
		name:  "requested_attributes string",
		named: url.Values{"requested_attributes": {"uuid,value||type"}},
		given: "requested_attributes",
		want:  func(r *Request) { r.RequestedAttributes = []string{"uuid,value", "type"} },
	},
	{
		name:  "rpz parameters",
		body:  `{"returnFormat":"rpz","policy":"walled-garden","walled_garden":"wg.example","ns":["ns1.example","ns2.example"],"email":"root.example","serial":2024010101,"refresh":"2h","retry":"30m","expiry":"30d","minimum_ttl":"1h","ttl":300,"comment":"x"}`,
		given: "returnFormat policy walled_garden ns email serial refresh retry expiry minimum_ttl ttl",
		want: func(r *Request) {
			r.ReturnFormat = "rpz"
			r.FormatParams = map[string]string{
				"policy": "walled-garden", "walled_garden": "wg.example", "ns": "ns2.example",
				"email": "root.example", "serial": "2024010101", "refresh": "2h", "retry": "30m",
				"expiry": "30d", "minimum_ttl": "1h", "ttl": "300",
			}
		},
	},
	{
		name:  "accepted parameters without a field are given",
		body:  `{"order":"timestamp desc","includeProposals":1,"org.sector":"finance"}`,
		given: "order org.sector",
	},
}
