package restsearch

import (
	"net/url"

	"github.com/razmena/razmena/internal/misp"
)

// timeCases cover time deltas, Unix times, dates and ranges, resolved
// against the fixed now.
var timeCases = []parseCase{
	{
		name:  "deltas",
		body:  `{"last":"7d","publish_timestamp":"12h","timestamp":"30m","event_timestamp":"20S"}`,
		given: "last publish_timestamp timestamp event_timestamp",
		want: func(r *Request) {
			r.Last = misp.Range{Min: nowU - 7*day}
			r.PublishTimestamp = misp.Range{Min: nowU - 12*3600}
			r.Timestamp = misp.Range{Min: nowU - 30*60}
			r.EventTimestamp = misp.Range{Min: nowU - 20}
		},
	},
	{
		name:  "fractional and negative deltas",
		body:  `{"last":"1.5d","timestamp":"-1h","event_timestamp":" 2 d "}`,
		given: "last timestamp event_timestamp",
		want: func(r *Request) {
			r.Last = misp.Range{Min: nowU - 3*day/2}
			r.Timestamp = misp.Range{Min: nowU + 3600}
			r.EventTimestamp = misp.Range{Min: nowU - 2*day}
		},
	},
	{
		name:  "weeks and garbage match nothing",
		body:  `{"last":"1w","timestamp":"soon","publish_timestamp":"","event_timestamp":"xd"}`,
		given: "last timestamp publish_timestamp event_timestamp",
		want: func(r *Request) {
			r.Last = misp.Range{Min: nowU + 1}
			r.Timestamp = misp.Range{Min: nowU + 1}
			r.PublishTimestamp = misp.Range{Min: nowU + 1}
			r.EventTimestamp = misp.Range{Min: nowU + 1}
		},
	},
	{
		name:  "Unix times, numbers and strings",
		body:  `{"last":1700000000,"timestamp":"1700000000.9","publish_timestamp":1.7e9,"event_timestamp":"0"}`,
		given: "last timestamp publish_timestamp event_timestamp",
		want: func(r *Request) {
			r.Last = misp.Range{Min: 1700000000}
			r.Timestamp = misp.Range{Min: 1700000000}
			r.PublishTimestamp = misp.Range{Min: 1700000000}
		},
	},
	{
		name:  "dates and date-times",
		body:  `{"last":"2024-01-01","timestamp":"2024-01-01T10:00:00Z","publish_timestamp":"2024-01-01 10:00:00","event_timestamp":"2024-01-01T12:00:00+02:00"}`,
		given: "last timestamp publish_timestamp event_timestamp",
		want: func(r *Request) {
			r.Last = misp.Range{Min: 1704067200}
			r.Timestamp = misp.Range{Min: 1704067200 + 36000}
			r.PublishTimestamp = misp.Range{Min: 1704067200 + 36000}
			r.EventTimestamp = misp.Range{Min: 1704067200 + 36000}
		},
	},
	{
		name:  "numeric zone offsets",
		body:  `{"last":"2024-01-01T12:00:00+0200","timestamp":"2024-01-01 12:00:00.5 +0200"}`,
		given: "last timestamp",
		want: func(r *Request) {
			r.Last = misp.Range{Min: 1704067200 + 36000}
			r.Timestamp = misp.Range{Min: 1704067200 + 36000}
		},
	},
	{
		name:  "relative words",
		body:  `{"last":"today","timestamp":"yesterday","publish_timestamp":"now"}`,
		given: "last timestamp publish_timestamp",
		want: func(r *Request) {
			r.Last = misp.Range{Min: nowU - day/2}
			r.Timestamp = misp.Range{Min: nowU - day/2 - day}
			r.PublishTimestamp = misp.Range{Min: nowU}
		},
	},
	{
		name:  "ranges",
		body:  `{"timestamp":["30d","7d"],"publish_timestamp":["7d","30d"],"last":[0,"1d"],"event_timestamp":["1d"]}`,
		given: "timestamp publish_timestamp last event_timestamp",
		want: func(r *Request) {
			r.Timestamp = misp.Range{Min: nowU - 30*day, Max: nowU - 7*day}
			r.PublishTimestamp = misp.Range{Min: nowU - 30*day, Max: nowU - 7*day}
			r.Last = misp.Range{Max: nowU - day}
			r.EventTimestamp = misp.Range{Min: nowU - day}
		},
	},
	{
		name:  "false and empty time lists are absent",
		body:  `{"timestamp":false,"last":[]}`,
		given: "timestamp last",
	},
	{
		name:  "attribute timestamps",
		scope: "attributes",
		body:  `{"timestamp":"1d","attribute_timestamp":["2d","1d"],"event_timestamp":"3d"}`,
		given: "timestamp attribute_timestamp event_timestamp",
		want: func(r *Request) {
			r.Timestamp = misp.Range{Min: nowU - day}
			r.AttributeTimestamp = misp.Range{Min: nowU - 2*day, Max: nowU - day}
			r.EventTimestamp = misp.Range{Min: nowU - 3*day}
		},
	},
	{
		name:  "first_seen and last_seen single",
		scope: "attributes",
		body:  `{"first_seen":1700000000,"last_seen":"1d"}`,
		given: "first_seen last_seen",
		want: func(r *Request) {
			r.FirstSeen = misp.Range{Min: 1700000000 * 1e6}
			r.LastSeen = misp.Range{Max: (nowU - day) * 1e6}
		},
	},
	{
		name:  "first_seen and last_seen ranges",
		scope: "attributes",
		body:  `{"first_seen":["1d","2d"],"last_seen":["2024-01-01","2024-01-02","ignored"]}`,
		given: "first_seen last_seen",
		want: func(r *Request) {
			r.FirstSeen = misp.Range{Min: (nowU - 2*day) * 1e6, Max: (nowU - day) * 1e6}
			r.LastSeen = misp.Range{Min: 1704067200 * 1e6, Max: (1704067200 + day) * 1e6}
		},
	},
	{
		name:  "huge times saturate",
		scope: "attributes",
		body:  `{"first_seen":"1e300","timestamp":"99999999999999999999","last":"-99999999999999999999d"}`,
		given: "first_seen timestamp last",
		want: func(r *Request) {
			r.FirstSeen = misp.Range{Min: 1<<63 - 1}
			r.Timestamp = misp.Range{Min: 1<<63 - 1}
			r.Last = misp.Range{Min: 1<<63 - 1}
		},
	},
	{
		name:  "null and true in a range are invalid times",
		body:  `{"timestamp":[null,true]}`,
		given: "timestamp",
		want:  func(r *Request) { r.Timestamp = misp.Range{Min: nowU + 1, Max: nowU + 1} },
	},
	{
		name:  "extreme seen range saturates",
		scope: "attributes",
		body:  `{"first_seen":["1e300","-1e300"]}`,
		given: "first_seen",
		want:  func(r *Request) { r.FirstSeen = misp.Range{Min: -1 << 63, Max: 1<<63 - 1} },
	},
	{
		name:  "extreme dates are clamped",
		body:  `{"date":["-1e300","1e300"],"from":-99999999999999}`,
		given: "date from",
		want:  func(r *Request) { r.DateFrom, r.DateTo, r.From = "0001-01-01", "9999-12-31", "0001-01-01" },
	},
	{
		name:  "date",
		body:  `{"date":"7d"}`,
		given: "date",
		want:  func(r *Request) { r.DateFrom = "2024-06-08" },
	},
	{
		name:  "date range",
		body:  `{"date":["7d","30d"]}`,
		given: "date",
		want:  func(r *Request) { r.DateFrom, r.DateTo = "2024-05-16", "2024-06-08" },
	},
	{
		name:  "from and to",
		body:  `{"from":"2024-01-01","to":1704153599.9}`,
		given: "from to",
		want:  func(r *Request) { r.From, r.To = "2024-01-01", "2024-01-01" },
	},
	{
		name:  "from and to as strings",
		scope: "attributes",
		named: url.Values{"from": {"1704067200"}, "to": {"2024-02-03 10:00:00"}},
		given: "from to",
		want:  func(r *Request) { r.From, r.To = "2024-01-01", "2024-02-03" },
	},
	{
		name:  "bad from and to ignored",
		body:  `{"from":"7d","to":["2024-01-01","2024-02-01"]}`,
		given: "from to",
	},
}
