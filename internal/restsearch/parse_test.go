package restsearch

import (
	"errors"
	"net/url"
	"slices"
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
var parseCases = slices.Concat(harvestCases, termCases, timeCases, valueCases, comboCases)

// harvestCases: where parameters come from, quirk 8, returnFormat.
var harvestCases = []parseCase{
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
}

// comboCases combine parameters as clients send them.
var comboCases = []parseCase{
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
