package restsearch

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

// now is the fixed request time of the tests: 2024-06-15T12:00:00Z.
var now = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

const (
	nowU = 1718452800 // now.Unix()
	day  = 86400
)

type parseCase struct {
	name   string
	scope  string // "events" when empty
	method string // "POST" when empty
	named  url.Values
	pos    []string
	body   string
	// given lists the names Request.Given must hold, space-separated.
	given string
	// want sets the fields expected beyond Scope, ReturnFormat "json"
	// and Given.
	want func(r *Request)
}

func (c parseCase) args() (scope, method string) {
	scope, method = c.scope, c.method
	if scope == "" {
		scope = "events"
	}
	if method == "" {
		method = "POST"
	}
	return scope, method
}

func (c parseCase) wantRequest() *Request {
	scope, _ := c.args()
	r := &Request{Scope: scope, ReturnFormat: "json", Given: map[string]bool{}}
	for _, g := range strings.Fields(c.given) {
		r.Given[g] = true
	}
	if c.want != nil {
		c.want(r)
	}
	return r
}

func or(s ...string) Terms  { return Terms{OR: s} }
func not(s ...string) Terms { return Terms{NOT: s} }
func ptr(b bool) *bool      { return &b }

// parseCases are the table of TestParse and the seeds of FuzzParse.
var parseCases = []parseCase{
	// Where parameters come from.
	{
		name:  "body value",
		body:  `{"value":"8.8.8.8"}`,
		given: "value",
		want:  func(r *Request) { r.Value = or("8.8.8.8") },
	},
	{
		name:  "request wrapper",
		body:  `{"request":{"value":"8.8.8.8","returnFormat":"csv"}}`,
		given: "value returnFormat",
		want:  func(r *Request) { r.Value = or("8.8.8.8"); r.ReturnFormat = "csv" },
	},
	{
		name:  "null request wrapper reads the top level",
		body:  `{"request":null,"value":"x"}`,
		given: "value",
		want:  func(r *Request) { r.Value = or("x") },
	},
	{
		name:  "wrapper hides top-level keys",
		body:  `{"request":{"type":"md5"},"value":"x"}`,
		given: "type",
		want:  func(r *Request) { r.Type = or("md5") },
	},
	{
		name:  "unknown and misspelt keys dropped",
		body:  `{"value":"x","quickFilter":"q","comment":"c","include_event_uuid":1,"returnformat":"csv","foo":{"a":1}}`,
		given: "value",
		want:  func(r *Request) { r.Value = or("x") },
	},
	{
		name:  "attributes scope drops events-only keys",
		scope: "attributes",
		body:  `{"value":"x","searchall":"y","event_tags":"t","tag":"t","date":"7d","distribution":1,"metadata":1,"sgReferenceOnly":1,"excludeLocalTags":1}`,
		given: "value",
		want:  func(r *Request) { r.Value = or("x") },
	},
	{
		name:  "events scope drops attributes-only keys",
		body:  `{"value1":"x","value2":"y","first_seen":"1d","last_seen":"1d","attribute_timestamp":"1d","includeEventUuid":1,"includeEventTags":1,"includeCorrelations":1}`,
		given: "",
	},
	{
		name:  "null values are absent",
		body:  `{"value":"x","type":null,"published":null,"limit":null,"page":null}`,
		given: "value",
		want:  func(r *Request) { r.Value = or("x") },
	},
	{
		name:  "named parameters",
		named: url.Values{"returnFormat": {"CSV"}, "tags": {"tlp;white"}, "to_ids": {"1"}},
		given: "returnFormat tags to_ids",
		want: func(r *Request) {
			r.ReturnFormat = "csv"
			r.Tags = or("tlp:white")
			r.ToIDS = ptr(true)
		},
	},
	{
		name:  "named parameters override the body",
		named: url.Values{"value": {"url"}},
		body:  `{"value":"body","type":"md5"}`,
		given: "value type",
		want:  func(r *Request) { r.Value = or("url"); r.Type = or("md5") },
	},
	{
		name:  "named list",
		named: url.Values{"tags": {"a", "!b;c"}},
		given: "tags",
		want:  func(r *Request) { r.Tags = Terms{OR: []string{"a"}, NOT: []string{"b:c"}} },
	},
	{
		name:  "named key outside the list dropped",
		named: url.Values{"value": {"x"}, "quickFilter": {"y"}, "searchall": {"z"}},
		scope: "attributes",
		given: "value",
		want:  func(r *Request) { r.Value = or("x") },
	},
	{
		name:   "positional events",
		method: "GET",
		pos:    []string{"csv", "1.2.3.4", "ip-src", "Network activity", "CIRCL", "tlp;white", "%evil%", "2024-01-01", "2024-02-01", "5d", "12"},
		given:  "returnFormat value type category org tags searchall from to last eventid",
		want: func(r *Request) {
			r.ReturnFormat = "csv"
			r.Value = or("1.2.3.4")
			r.Type = or("ip-src")
			r.Category = or("Network activity")
			r.Org = or("CIRCL")
			r.Tags = or("tlp:white")
			r.Searchall = or("%evil%")
			r.From, r.To = "2024-01-01", "2024-02-01"
			r.Last = misp.Range{Min: nowU - 5*day}
			r.EventID = or("12")
		},
	},
	{
		name:   "positional attributes",
		scope:  "attributes",
		method: "GET",
		pos:    []string{"json", "v", "v1", "v2", "md5"},
		given:  "returnFormat value value1 value2 type",
		want: func(r *Request) {
			r.Value, r.Value1, r.Value2, r.Type = or("v"), or("v1"), or("v2"), or("md5")
		},
	},
	{
		name:   "positional null-ish segments skipped",
		method: "GET",
		pos:    []string{"null", "0", "false", "", "NULL", "tlp:red"},
		given:  "tags",
		want:   func(r *Request) { r.Tags = or("tlp:red") },
	},
	{
		name:   "positional segments past the list ignored",
		method: "GET",
		pos:    append(append([]string{"json"}, make([]string, 200)...), "x"),
		given:  "returnFormat",
	},
	{
		name:  "positional overridden by named",
		pos:   []string{"json", "pos"},
		named: url.Values{"value": {"named"}},
		given: "returnFormat value",
		want:  func(r *Request) { r.Value = or("named") },
	},
	{
		name:   "GET with named parameters",
		method: "GET",
		named:  url.Values{"value": {"x"}},
		given:  "value",
		want:   func(r *Request) { r.Value = or("x") },
	},
	{
		name:   "GET ignores the body",
		method: "GET",
		named:  url.Values{"value": {"x"}},
		body:   `{"type":"md5"}`,
		given:  "value",
		want:   func(r *Request) { r.Value = or("x") },
	},
	{
		name:   "PUT without parameters searches everything",
		method: "PUT",
		body:   `{"value":"x"}`,
	},
	{
		name:  "POST without body but with URL parameters",
		named: url.Values{"value": {"x"}},
		given: "value",
		want:  func(r *Request) { r.Value = or("x") },
	},
	{
		name: "POST with an empty wrapper searches everything",
		body: `{"request":{}}`,
	},
	{
		name: "POST with only unknown keys searches everything",
		body: `{"quickFilter":"x"}`,
	},

	// Quirk 8: "||" splits top-level strings.
	{
		name:  "|| splits a body string",
		body:  `{"value":" a||b ","tags":"||c","type":"x||"}`,
		given: "value tags type",
		want: func(r *Request) {
			r.Value = or("a", "b")
			r.Tags = or("||c")
			r.Type = or("x")
		},
	},
	{
		name:  "|| splits a named value",
		named: url.Values{"eventid": {"1||2||!3"}},
		given: "eventid",
		want:  func(r *Request) { r.EventID = Terms{OR: []string{"1", "2"}, NOT: []string{"3"}} },
	},
	{
		name:  "|| does not split list elements",
		body:  `{"value":["a||b"]}`,
		given: "value",
		want:  func(r *Request) { r.Value = or("a||b") },
	},
	{
		name:  "|| splits a time range",
		body:  `{"timestamp":"7d||1d"}`,
		given: "timestamp",
		want:  func(r *Request) { r.Timestamp = misp.Range{Min: nowU - 7*day, Max: nowU - day} },
	},

	// returnFormat.
	{name: "returnFormat download", named: url.Values{"returnFormat": {"download"}}, given: "returnFormat"},
	{name: "returnFormat empty", body: `{"returnFormat":""}`, given: "returnFormat"},
	{
		name:  "returnFormat bro",
		body:  `{"returnFormat":"Bro"}`,
		given: "returnFormat",
		want:  func(r *Request) { r.ReturnFormat = "zeek" },
	},
	{
		name:  "returnFormat not validated",
		body:  `{"returnFormat":" STIX2 "}`,
		given: "returnFormat",
		want:  func(r *Request) { r.ReturnFormat = "stix2" },
	},

	// Terms.
	{
		name:  "string with && and !",
		body:  `{"tags":"tlp:white && !tlp:red&&&&!"}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = Terms{OR: []string{"tlp:white"}, NOT: []string{"tlp:red"}} },
	},
	{
		name:  "list with negations",
		body:  `{"type":["md5"," !sha1 ","", "!", "sha256"]}`,
		given: "type",
		want:  func(r *Request) { r.Type = Terms{OR: []string{"md5", "sha256"}, NOT: []string{"sha1"}} },
	},
	{
		name:  "list elements are not split on &&",
		body:  `{"category":["a&&!b"]}`,
		given: "category",
		want:  func(r *Request) { r.Category = or("a&&!b") },
	},
	{
		name:  "operator object",
		body:  `{"tags":{"OR":["a","b"],"AND":"c","NOT":["d","!e",""],"XOR":["f"]}}`,
		given: "tags",
		want: func(r *Request) {
			r.Tags = Terms{OR: []string{"a", "b"}, AND: []string{"c"}, NOT: []string{"d", "!e"}}
		},
	},
	{
		name:  "operator object with AND only",
		body:  `{"request":{"tags":{"AND":["tlp:green","osint"]},"returnFormat":"json"}}`,
		given: "tags returnFormat",
		want:  func(r *Request) { r.Tags = Terms{AND: []string{"tlp:green", "osint"}} },
	},
	{
		name:  "operator keys are case-sensitive",
		body:  `{"tags":{"or":"a","not":"!b","and":["c"]}}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = Terms{OR: []string{"a"}, NOT: []string{"b"}} },
	},
	{
		name:  "null operators are absent",
		body:  `{"tags":{"OR":null,"x":"y"}}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = or("y") },
	},
	{
		name:  "numbers and booleans as terms",
		body:  `{"eventid":[5, 1e3, 2.5, true, false, null, ["nested"], {"o":1}],"org":7,"uuid":true,"sharinggroup":false}`,
		given: "eventid org uuid sharinggroup",
		want: func(r *Request) {
			r.EventID = or("5", "1000", "2.5", "1")
			r.Org = or("7")
			r.UUID = or("1")
		},
	},
	{
		name:  "scalar zero sets no filter, a listed zero does",
		body:  `{"value":"0","type":0,"category":["0"],"org":[0]}`,
		given: "value type category org",
		want:  func(r *Request) { r.Category = or("0"); r.Org = or("0") },
	},
	{
		name:  "eventid all",
		body:  `{"eventid":"all"}`,
		given: "eventid",
	},
	{
		name:  "eventid AND",
		body:  `{"eventid":{"AND":["1","2"]}}`,
		given: "eventid",
		want:  func(r *Request) { r.EventID = Terms{AND: []string{"1", "2"}} },
	},
	{
		name:  "value IPv6 compressed",
		body:  `{"value":["2001:0DB8:0000:0000:0000:0000:0000:0001","!2001:db8:0:0:1:0:0:1","0:0:0:0:0:0:102:304","0:0:0:0:0:ffff:102:304","::0:1","2001:db8::%","fe80:0::1%eth0","2001:db8::/32","1.2.3.4","%evil%"]}`,
		given: "value",
		want: func(r *Request) {
			r.Value = Terms{
				OR:  []string{"2001:db8::1", "::1.2.3.4", "::ffff:1.2.3.4", "::0:1", "2001:db8::%", "fe80:0::1%eth0", "2001:db8::/32", "1.2.3.4", "%evil%"},
				NOT: []string{"2001:db8::1:0:0:1"},
			}
		},
	},
	{
		name:  "value IPv6 in operator object",
		body:  `{"value":{"NOT":"2001:db8:0:0:0:0:0:2"}}`,
		given: "value",
		want:  func(r *Request) { r.Value = not("2001:db8::2") },
	},
	{
		name:  "value1 not compressed",
		scope: "attributes",
		body:  `{"value1":"2001:0db8::1"}`,
		given: "value1",
		want:  func(r *Request) { r.Value1 = or("2001:0db8::1") },
	},
	{
		name:  "type email-src adds email",
		body:  `{"type":"email-src&&!email-dst"}`,
		given: "type",
		want: func(r *Request) {
			r.Type = Terms{OR: []string{"email-src", "email"}, NOT: []string{"email-dst", "email"}}
		},
	},
	{
		name:  "type email-dst with email already",
		body:  `{"type":["email-dst","email"]}`,
		given: "type",
		want:  func(r *Request) { r.Type = or("email-dst", "email") },
	},
	{
		name:  "tag alias",
		body:  `{"tag":"tlp:amber"}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = or("tlp:amber") },
	},
	{
		name:  "tags beat tag",
		body:  `{"tag":"tlp:amber","tags":"tlp:green"}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = or("tlp:green") },
	},
	{
		name:  "events-scope terms",
		body:  `{"event_tags":"!tlp:red","searchall":"%apt%","eventinfo":"%phish%","object_relation":"ip","sharinggroup":["1","!2"],"uuid":"5d7f1a23-0000-4000-8000-000000000001"}`,
		given: "event_tags searchall eventinfo object_relation sharinggroup uuid",
		want: func(r *Request) {
			r.EventTags = not("tlp:red")
			r.Searchall = or("%apt%")
			r.EventInfo = or("%phish%")
			r.ObjectRelation = or("ip")
			r.SharingGroup = Terms{OR: []string{"1"}, NOT: []string{"2"}}
			r.UUID = or("5d7f1a23-0000-4000-8000-000000000001")
		},
	},

	// Times.
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
		body:  `{"metadata":1,"excludeLocalTags":"1","sgReferenceOnly":true,"includeAttachments":1,"includeContext":1,"headerless":"true"}`,
		given: "metadata excludeLocalTags sgReferenceOnly includeAttachments includeContext headerless",
		want: func(r *Request) {
			r.Metadata, r.ExcludeLocalTags, r.SGReferenceOnly, r.WithAttachments = true, true, true, true
			r.IncludeContext, r.Headerless = true, true
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

	// Combinations.
	{
		name:  "PyMISP search body",
		scope: "attributes",
		body: `{"returnFormat":"json","page":null,"limit":null,"value":"8.8.8.8","type":null,"category":null,"org":null,"tags":null,"event_tags":null,` +
			`"quickFilter":null,"from":null,"to":null,"eventid":null,"withAttachments":0,"metadata":0,"uuid":null,"published":null,` +
			`"enforceWarninglist":0,"deleted":null,"includeEventUuid":0,"includeEventTags":0,"sgReferenceOnly":0,"eventinfo":null,` +
			`"searchall":null,"requested_attributes":null,"includeContext":0,"headerless":0,"includeSightings":0,"includeDecayScore":0,` +
			`"includeCorrelations":0,"object_name":null,"excludeDecayed":0,"sharinggroup":null,"to_ids":"1"}`,
		given: "returnFormat value withAttachments enforceWarninglist includeEventUuid includeEventTags includeContext headerless includeSightings includeDecayScore includeCorrelations excludeDecayed to_ids",
		want: func(r *Request) {
			r.Value = or("8.8.8.8")
			r.ToIDS = ptr(true)
		},
	},
	{
		name:  "PyMISP complex tag query with time range",
		body:  `{"returnFormat":"json","tags":{"OR":["tlp:white"],"NOT":["tlp:red"],"AND":["osint"]},"publish_timestamp":["1717243200","1718452800.25"],"published":true,"metadata":1,"limit":10,"page":3}`,
		given: "returnFormat tags publish_timestamp published metadata limit page",
		want: func(r *Request) {
			r.Tags = Terms{OR: []string{"tlp:white"}, AND: []string{"osint"}, NOT: []string{"tlp:red"}}
			r.PublishTimestamp = misp.Range{Min: 1717243200, Max: 1718452800}
			r.Published = ptr(true)
			r.Metadata = true
			r.Limit, r.Page = 10, 3
		},
	},
	{
		name:   "URL-only csv export",
		scope:  "attributes",
		method: "GET",
		pos:    []string{"csv"},
		named:  url.Values{"tags": {"tlp;green"}, "last": {"1d"}, "to_ids": {"1"}, "requested_attributes": {"value", "type"}},
		given:  "returnFormat tags last to_ids requested_attributes",
		want: func(r *Request) {
			r.ReturnFormat = "csv"
			r.Tags = or("tlp:green")
			r.Last = misp.Range{Min: nowU - day}
			r.ToIDS = ptr(true)
			r.RequestedAttributes = []string{"value", "type"}
		},
	},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			scope, method := c.args()
			got, err := Parse(scope, c.named, c.pos, method, []byte(c.body), now)
			if err != nil {
				t.Fatalf("Parse(%q, %v, %q, %s, %s) error: %v", scope, c.named, c.pos, method, c.body, err)
			}
			if diff := cmp.Diff(c.wantRequest(), got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse(%q, %v, %q, %s, %s) mismatch (-want +got):\n%s", scope, c.named, c.pos, method, c.body, diff)
			}
		})
	}
}

type errorCase struct {
	name   string
	scope  string
	method string
	named  url.Values
	pos    []string
	body   string
	status int
	msg    string
}

var errorCases = []errorCase{
	{name: "POST without anything", status: 400, msg: msgEmptyPost},
	{name: "POST whitespace", body: " \n", status: 400, msg: msgEmptyPost},
	{name: "POST empty object", body: `{}`, status: 400, msg: msgEmptyPost},
	{name: "POST null", body: `null`, status: 400, msg: msgEmptyPost},
	{name: "POST empty list", body: `[]`, status: 400, msg: msgEmptyPost},
	{name: "POST with only unknown URL parameters", named: url.Values{"foo": {"1"}}, status: 400, msg: msgEmptyPost},
	{name: "POST with skipped positional segments", pos: []string{"null", "0"}, status: 400, msg: msgEmptyPost},
	{name: "GET without anything", method: "GET", status: 400, msg: msgEmptyGet},
	{name: "GET with only a body", method: "GET", body: `{"value":"x"}`, status: 400, msg: msgEmptyGet},
	{name: "GET lower-case", method: "get", named: url.Values{"quickFilter": {"x"}}, status: 400, msg: msgEmptyGet},
	{name: "malformed JSON", body: `{"value":`, status: 405, msg: msgInvalidJSON},
	{name: "trailing data", body: `{"value":"x"} {}`, status: 405, msg: msgInvalidJSON},
	{name: "malformed JSON with URL parameters", body: `{`, named: url.Values{"value": {"x"}}, status: 405, msg: msgInvalidJSON},
	{name: "malformed JSON on PUT", method: "PUT", body: `nope`, status: 405, msg: msgInvalidJSON},
	{name: "body is a string", body: `"value"`, status: 400, msg: "Invalid JSON input. The request body must be a JSON object of filter parameters."},
	{name: "body is a list", body: `[{"value":"x"}]`, status: 400, msg: "Invalid JSON input. The request body must be a JSON object of filter parameters."},
	{name: "wrapper is a list", body: `{"request":[1]}`, status: 400, msg: `Invalid JSON input. The "request" member must be a JSON object.`},
	{name: "unknown scope", scope: "objects", body: `{"value":"x"}`, status: 404, msg: msgScope},
	{name: "returnFormat list", body: `{"returnFormat":["json","csv"]}`, status: 404, msg: msgFormat},
	{name: "returnFormat split by ||", named: url.Values{"returnFormat": {"json||csv"}}, status: 404, msg: msgFormat},
	{name: "three-element range", body: `{"timestamp":["3d","2d","1d"]}`, status: 400, msg: "Invalid date specification for timestamp, must be string or array with two elements."},
	{name: "object as time", body: `{"last":{"OR":"1d"}}`, status: 400, msg: "Invalid date specification for last, must be string or array with two elements."},
	{name: "nested list in a range", body: `{"date":[["1d"],"2d"]}`, status: 400, msg: "Invalid date specification for date, must be string or array with two elements."},
}

func TestParseErrors(t *testing.T) {
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			scope, method := parseCase{scope: c.scope, method: c.method}.args()
			got, err := Parse(scope, c.named, c.pos, method, []byte(c.body), now)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q, %v, %q, %s, %s) = %+v, %v; want *Error", scope, c.named, c.pos, method, c.body, got, err)
			}
			if e.Status != c.status || e.Message != c.msg {
				t.Errorf("Parse(%q, %v, %q, %s, %s) error = %d %q, want %d %q", scope, c.named, c.pos, method, c.body, e.Status, e.Message, c.status, c.msg)
			}
			if got != nil {
				t.Errorf("Parse(%q, %v, %q, %s, %s) = %+v with an error, want nil", scope, c.named, c.pos, method, c.body, got)
			}
		})
	}
}
