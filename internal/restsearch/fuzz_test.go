package restsearch

import (
	"errors"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

// segments writes positional and named parameters as the tail of a
// restSearch URL path: "csv/1.2.3.4/tags:tlp;white".
func segments(named url.Values, positional []string) string {
	parts := slices.Clone(positional)
	keys := make([]string, 0, len(named))
	for k := range named {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range named[k] {
			parts = append(parts, k+":"+v)
		}
	}
	return strings.Join(parts, "/")
}

// splitSegments reads a URL path tail the way CakePHP does: a segment
// with a ":" past its first byte is a named parameter (key[] folded into
// key), others are positional.
func splitSegments(tail string) (url.Values, []string) {
	named := url.Values{}
	var positional []string
	if tail == "" {
		return named, nil
	}
	for _, s := range strings.Split(tail, "/") {
		if i := strings.IndexByte(s, ':'); i > 0 {
			named.Add(strings.TrimSuffix(s[:i], "[]"), s[i+1:])
		} else {
			positional = append(positional, s)
		}
	}
	return named, positional
}

func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		scope, method := c.args()
		f.Add(scope == "attributes", method, []byte(c.body), segments(c.named, c.pos))
	}
	for _, c := range errorCases {
		scope, method := parseCase{scope: c.scope, method: c.method}.args()
		f.Add(scope == "attributes", method, []byte(c.body), segments(c.named, c.pos))
	}
	f.Fuzz(func(t *testing.T, attributes bool, method string, body []byte, tail string) {
		scope := "events"
		if attributes {
			scope = "attributes"
		}
		named, positional := splitSegments(tail)
		r, err := Parse(scope, named, positional, method, body, now)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 || e.Message == "" {
				t.Fatalf("Parse error = %#v, want *Error with a 4xx status and a message", err)
			}
			if r != nil {
				t.Fatalf("Parse = %+v with error %v, want nil", r, err)
			}
			return
		}
		checkRequest(t, scope, r)
		again, err := Parse(scope, named, positional, method, body, now)
		if err != nil {
			t.Fatalf("second Parse error: %v", err)
		}
		if diff := cmp.Diff(r, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Parse is not deterministic (-first +second):\n%s", diff)
		}
	})
}

// checkRequest asserts what holds for every parsed request.
func checkRequest(t *testing.T, scope string, r *Request) {
	t.Helper()
	if r.Scope != scope {
		t.Errorf("Scope = %q, want %q", r.Scope, scope)
	}
	if r.ReturnFormat == "" || r.ReturnFormat == "download" || r.ReturnFormat == "bro" {
		t.Errorf("ReturnFormat = %q", r.ReturnFormat)
	}
	if r.Given == nil || r.Given["tag"] {
		t.Errorf("Given = %v", r.Given)
	}
	for g := range r.Given {
		if !slices.Contains(paramArray[scope], g) {
			t.Errorf("Given holds %q, not a %s parameter", g, scope)
		}
	}
	for name, terms := range map[string]Terms{
		"Value": r.Value, "Value1": r.Value1, "Value2": r.Value2, "Type": r.Type,
		"Category": r.Category, "ObjectRelation": r.ObjectRelation, "Org": r.Org,
		"Tags": r.Tags, "EventTags": r.EventTags, "EventInfo": r.EventInfo,
		"EventID": r.EventID, "UUID": r.UUID, "SharingGroup": r.SharingGroup,
		"Searchall": r.Searchall,
	} {
		for _, l := range [][]string{terms.OR, terms.AND, terms.NOT} {
			for _, s := range l {
				if s == "" || strings.TrimSpace(s) != s {
					t.Errorf("%s has term %q: empty or untrimmed", name, s)
				}
			}
		}
	}
	for name, rg := range map[string]misp.Range{
		"Last": r.Last, "PublishTimestamp": r.PublishTimestamp, "Timestamp": r.Timestamp,
		"EventTimestamp": r.EventTimestamp, "AttributeTimestamp": r.AttributeTimestamp,
		"FirstSeen": r.FirstSeen, "LastSeen": r.LastSeen,
	} {
		if rg.Min != 0 && rg.Max != 0 && rg.Min > rg.Max {
			t.Errorf("%s = %+v: reversed", name, rg)
		}
	}
	for name, d := range map[string]string{"From": r.From, "To": r.To, "DateFrom": r.DateFrom, "DateTo": r.DateTo} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			t.Errorf("%s = %q: not a date", name, d)
		}
	}
	if r.DateFrom != "" && r.DateTo != "" && r.DateFrom > r.DateTo {
		t.Errorf("DateFrom %q after DateTo %q", r.DateFrom, r.DateTo)
	}
	if r.Limit < 0 || r.Page < 0 {
		t.Errorf("Limit, Page = %d, %d", r.Limit, r.Page)
	}
	for _, s := range r.RequestedAttributes {
		if s == "" {
			t.Errorf("RequestedAttributes holds an empty name")
		}
	}
}
