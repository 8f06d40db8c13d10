package restapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/export/stix2/stix2test"
	"github.com/razmena/razmena/internal/misp"
)

// searchWorld is a small community for restSearch tests: org A's
// published community event with visible and hidden attributes, org A's
// org-only event, and org B's unpublished event. Every value is unique,
// so that the presence of a value in any format's answer names the
// attribute it came from.
type searchWorld struct {
	shared, private, draft *misp.Event
	// visibleToB and hiddenFromB are the values org B may and may not
	// receive, among the to_ids attributes of published events.
	visibleToB, hiddenFromB []string
}

func newSearchWorld(t *testing.T, env *testEnv) *searchWorld {
	t.Helper()
	ctx := context.Background()
	attr := func(typ, value string, dist misp.Distribution) *misp.Attribute {
		a := &misp.Attribute{Type: typ, Value: value, Distribution: dist}
		a.ApplyDefaults(false)
		a.ToIDS = true
		return a
	}
	w := &searchWorld{}
	w.shared = &misp.Event{Info: "Shared phishing wave", Distribution: misp.DistributionCommunity, Date: "2026-01-10",
		ThreatLevelID: 1, Analysis: 2, Attribute: []*misp.Attribute{
			attr("ip-dst", "198.51.100.11", misp.DistributionInheritEvnt),
			attr("domain", "visible-one.example.com", misp.DistributionInheritEvnt),
			attr("md5", "0123456789abcdef0123456789abcdef", misp.DistributionInheritEvnt),
			attr("url", "http://visible-two.example.com/x", misp.DistributionInheritEvnt),
			// Org A only: B must never see these, in any format.
			attr("ip-dst", "198.51.100.66", misp.DistributionOrgOnly),
			attr("domain", "hidden-one.example.net", misp.DistributionOrgOnly),
			attr("md5", "fedcba9876543210fedcba9876543210", misp.DistributionOrgOnly),
		}}
	w.private = &misp.Event{Info: "Private incident", Distribution: misp.DistributionOrgOnly, Date: "2026-01-11",
		ThreatLevelID: 2, Analysis: 1, Attribute: []*misp.Attribute{
			attr("ip-dst", "198.51.100.99", misp.DistributionInheritEvnt),
			attr("hostname", "hidden-two.example.net", misp.DistributionInheritEvnt),
			attr("sha256", "aaaabbbbccccddddeeeeffff00001111aaaabbbbccccddddeeeeffff00001111", misp.DistributionInheritEvnt),
		}}
	for _, e := range []*misp.Event{w.shared, w.private} {
		if err := env.DB.CreateEvent(ctx, env.AUser.Actor(), e, true); err != nil {
			t.Fatalf("CreateEvent(%s): %v", e.Info, err)
		}
		if err := env.DB.SetPublished(ctx, env.Admin.Actor(), int64(e.ID), true); err != nil {
			t.Fatalf("SetPublished(%s): %v", e.Info, err)
		}
	}
	w.draft = &misp.Event{Info: "B draft", Distribution: misp.DistributionCommunity, Date: "2026-01-12",
		ThreatLevelID: 3, Analysis: 0, Attribute: []*misp.Attribute{attr("ip-src", "203.0.113.5", misp.DistributionInheritEvnt)}}
	if err := env.DB.CreateEvent(ctx, env.BUser.Actor(), w.draft, true); err != nil {
		t.Fatalf("CreateEvent(draft): %v", err)
	}
	w.visibleToB = []string{"198.51.100.11", "visible-one.example.com", "0123456789abcdef0123456789abcdef", "visible-two.example.com"}
	w.hiddenFromB = []string{"198.51.100.66", "hidden-one.example.net", "fedcba9876543210fedcba9876543210",
		"198.51.100.99", "hidden-two.example.net", "aaaabbbbccccddddeeeeffff00001111", "Private incident"}
	return w
}

// searchValues returns the values of an attributes/restSearch JSON answer.
func searchValues(t *testing.T, body obj) []string {
	t.Helper()
	var out []string
	for _, a := range dig(t, body, "response", "Attribute").([]any) {
		out = append(out, a.(obj)["value"].(string))
	}
	slices.Sort(out)
	return out
}

func TestRestSearchAttributes(t *testing.T) {
	env := newTestEnv(t)
	w := newSearchWorld(t, env)
	k := env.BUser.Key
	tests := []struct {
		name string
		path string
		body any
		want []string
	}{
		{"value", "/attributes/restSearch", obj{"value": "198.51.100.11"}, []string{"198.51.100.11"}},
		{"hidden value", "/attributes/restSearch", obj{"value": []string{"198.51.100.66", "198.51.100.99"}}, nil},
		{"wrapped request, LIKE", "/attributes/restSearch", obj{"request": obj{"value": "%.example.com%"}},
			[]string{"http://visible-two.example.com/x", "visible-one.example.com"}},
		{"type and NOT value", "/attributes/restSearch", obj{"type": "ip-dst", "value": "!198.51.100.11"}, nil},
		{"types OR", "/attributes/restSearch", obj{"type": obj{"OR": []string{"md5", "ip-src"}}},
			[]string{"0123456789abcdef0123456789abcdef", "203.0.113.5"}},
		{"org by name", "/attributes/restSearch", obj{"org": "ORGNAME-B"}, []string{"203.0.113.5"}},
		{"unknown org", "/attributes/restSearch", obj{"org": "no such org"}, nil},
		{"published", "/attributes/restSearch", obj{"published": 0}, []string{"203.0.113.5"}},
		{"eventid", "/attributes/restSearch", obj{"eventid": w.private.ID, "type": "ip-dst"}, nil},
		{"named parameters", "/attributes/restSearch/type:domain", nil, []string{"visible-one.example.com"}},
		{"limit and page", "/attributes/restSearch", obj{"type": []string{"ip-dst", "domain", "md5", "url"}, "limit": 2, "page": 2},
			[]string{"0123456789abcdef0123456789abcdef", "http://visible-two.example.com/x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPost
			if tc.body == nil {
				method = http.MethodGet
			}
			body := env.callObj(t, method, tc.path, k, tc.body, http.StatusOK)
			if d := diffStrings(tc.want, searchValues(t, body)); d != "" {
				t.Errorf("values (-want +got):\n%s", d)
			}
		})
	}

	t.Run("result count and event summary", func(t *testing.T) {
		status, h, b := env.do(t, http.MethodPost, "/attributes/restSearch", k, obj{"eventid": w.shared.ID})
		if status != http.StatusOK || h.Get("X-Result-Count") != "4" || h.Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, X-Result-Count %q, Content-Type %q; want 200, 4 visible attributes, JSON", status, h.Get("X-Result-Count"), h.Get("Content-Type"))
		}
		if !strings.Contains(string(b), `"Event":{"org_id":"`+itoa(env.OrgA.ID)+`"`) {
			t.Errorf("attributes lack their Event summary: %s", b)
		}
	})
}

func TestRestSearchEvents(t *testing.T) {
	env := newTestEnv(t)
	w := newSearchWorld(t, env)
	body := env.callObj(t, http.MethodPost, "/events/restSearch", env.BUser.Key, obj{"value": "198.51.100.11"}, http.StatusOK)
	resp := dig(t, body, "response").([]any)
	if len(resp) != 1 || dig(t, resp[0], "Event", "uuid") != w.shared.UUID {
		t.Fatalf("events = %v, want only the shared event", resp)
	}
	// The whole event comes back, without what B may not see.
	if n := len(dig(t, resp[0], "Event", "Attribute").([]any)); n != 4 {
		t.Errorf("shared event has %d attributes for B, want its 4 visible ones", n)
	}
	body = env.callObj(t, http.MethodPost, "/events/restSearch", env.AUser.Key, obj{"published": 1, "to_ids": 1, "type": "ip-dst"}, http.StatusOK)
	if n := len(dig(t, body, "response").([]any)); n != 2 {
		t.Errorf("A's published events with an ip-dst: %d, want 2", n)
	}
	body = env.callObj(t, http.MethodPost, "/events/restSearch", env.BUser.Key, obj{"eventid": w.private.UUID}, http.StatusOK)
	if n := len(dig(t, body, "response").([]any)); n != 0 {
		t.Errorf("B asking for A's private event by uuid: %d events, want 0", n)
	}
	body = env.callObj(t, http.MethodPost, "/events/restSearch", env.BUser.Key, obj{"metadata": 1, "limit": 1, "page": 2}, http.StatusOK)
	resp = dig(t, body, "response").([]any)
	if len(resp) != 1 || dig(t, resp[0], "Event", "uuid") != w.draft.UUID || len(dig(t, resp[0], "Event", "Attribute").([]any)) != 0 {
		t.Errorf("page 2 of 1 with metadata = %v; want B's draft without attributes", resp)
	}
}

func TestRestSearchErrors(t *testing.T) {
	env := newTestEnv(t)
	k := env.AUser.Key
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		message            string
	}{
		{"empty POST", "POST", "/attributes/restSearch", nil, 400, "Either specify the search terms in the url"},
		{"GET without parameters", "GET", "/events/restSearch", nil, 400, "Restsearch queries using GET and no parameters are not allowed"},
		{"unknown format", "POST", "/attributes/restSearch", obj{"returnFormat": "nope", "value": "x"}, 404, "Invalid output format."},
		{"malformed JSON", "POST", "/events/restSearch", `{"value": `, 405, "Invalid JSON input"},
		{"no key", "POST", "/events/restSearch", obj{"value": "x"}, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := k
			if tc.name == "no key" {
				key = ""
			}
			status, _, b := env.do(t, tc.method, tc.path, key, tc.body)
			if status != tc.status || !strings.Contains(string(b), tc.message) {
				t.Errorf("status %d, body %s; want %d with %q", status, b, tc.status, tc.message)
			}
		})
	}
}

// TestRestSearchFormatsLeak is the leak row of every return format in
// both scopes: org B's answers contain every value B may see (for the
// formats that export its type) and none that it may not, and the result
// count is B's.
func TestRestSearchFormatsLeak(t *testing.T) {
	env := newTestEnv(t)
	w := newSearchWorld(t, env)
	// Which of B's visible values each format exports (restrictive ones
	// add published and to_ids: B's own draft is left out).
	nidsVisible := []string{"198.51.100.11", "visible-one.example.com", "visible-two.example.com"}
	exported := map[string][]string{
		"json":     w.visibleToB,
		"csv":      w.visibleToB,
		"text":     w.visibleToB,
		"hashes":   {"0123456789abcdef0123456789abcdef"},
		"rpz":      {"visible-one.example.com", "11.100.51.198"}, // rpz-ip order; urls are not exported
		"suricata": nidsVisible,                                  // NIDS rules have no md5 rule
		"snort":    nidsVisible,
		"zeek":     w.visibleToB,
		"openioc":  w.visibleToB,
		"stix2":    w.visibleToB,
		"xml":      w.visibleToB,
	}
	for name := range formats {
		if _, ok := exported[name]; !ok {
			t.Errorf("format %s has no leak row", name)
		}
	}
	for name, want := range exported {
		for _, scope := range []string{"attributes", "events"} {
			t.Run(name+"/"+scope, func(t *testing.T) {
				status, h, b := env.do(t, http.MethodPost, "/"+scope+"/restSearch", env.BUser.Key,
					obj{"returnFormat": name, "published": 1, "to_ids": 1})
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, b)
				}
				body := string(b)
				for _, v := range w.hiddenFromB {
					if strings.Contains(body, v) || strings.Contains(body, reverseIP(v)) {
						t.Errorf("B's %s answer contains %q, which B may not see:\n%s", name, v, body)
					}
				}
				for _, v := range want {
					if !strings.Contains(body, v) {
						t.Errorf("B's %s answer lacks %q:\n%s", name, v, body)
					}
				}
				wantCount := "4"
				if scope == "events" {
					wantCount = "1"
				}
				if got := h.Get("X-Result-Count"); got != wantCount {
					t.Errorf("X-Result-Count = %q, want %s", got, wantCount)
				}
			})
		}
	}
}

// reverseIP is an IPv4 address in rpz-ip order (1.2.3.4 → 4.3.2.1), or
// the value itself.
func reverseIP(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) != 4 {
		return v
	}
	slices.Reverse(parts)
	return strings.Join(parts, ".")
}

func diffStrings(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return "- " + strings.Join(want, ", ") + "\n+ " + strings.Join(got, ", ")
}

func itoa(i misp.Int) string { return strconv.FormatInt(int64(i), 10) }

// TestRestSearchSTIX2Validates checks that stix2 answers served through
// the API, in both scopes and for two readers, validate against the
// OASIS STIX 2.1 schemas and resolve every reference.
func TestRestSearchSTIX2Validates(t *testing.T) {
	env := newTestEnv(t)
	newSearchWorld(t, env)
	for _, u := range []*testUser{env.Admin, env.BUser} {
		for _, scope := range []string{"attributes", "events"} {
			status, _, b := env.do(t, http.MethodPost, "/"+scope+"/restSearch", u.Key, obj{"returnFormat": "stix2", "published": []int{0, 1}})
			if status != http.StatusOK {
				t.Fatalf("%s as %s: %d %s", scope, u.User.Email, status, b)
			}
			stix2test.Validate(t, b)
			stix2test.ValidateRefs(t, b)
		}
	}
}

// TestRestSearchResultCount checks X-Result-Count on both paths: answers
// held back and counted as written, and answers larger than the buffer,
// counted by the store before they stream through — with and without a
// page, in both scopes, for a reader who may not see everything.
func TestRestSearchResultCount(t *testing.T) {
	env := newTestEnv(t)
	newSearchWorld(t, env)
	defer func(n int) { answerBuffer = n }(answerBuffer)
	for _, buffer := range []int{16 << 20, 10} {
		answerBuffer = buffer
		for _, tc := range []struct {
			scope string
			body  obj
			want  string
		}{
			{"attributes", obj{"returnFormat": "json", "published": []int{0, 1}}, "5"},
			{"attributes", obj{"returnFormat": "csv", "limit": 2, "page": 2}, "2"},
			{"attributes", obj{"returnFormat": "csv", "limit": 4, "page": 2}, "1"},
			{"attributes", obj{"returnFormat": "text", "limit": 4, "page": 3}, "0"},
			{"events", obj{"returnFormat": "json", "published": []int{0, 1}}, "2"},
			{"events", obj{"returnFormat": "json", "limit": 1, "page": 2}, "1"},
		} {
			status, h, b := env.do(t, http.MethodPost, "/"+tc.scope+"/restSearch", env.BUser.Key, tc.body)
			if got := h.Get("X-Result-Count"); status != http.StatusOK || got != tc.want {
				t.Errorf("buffer %d, %s %v: status %d, X-Result-Count %q; want 200, %s (%s)", buffer, tc.scope, tc.body, status, got, tc.want, b)
			}
			// A held answer is sent whole, with its length.
			if got := h.Get("Content-Length"); buffer > len(b) && got != strconv.Itoa(len(b)) {
				t.Errorf("buffer %d, %s %v: Content-Length %q for %d bytes", buffer, tc.scope, tc.body, got, len(b))
			}
		}
	}
}

// TestRestSearchPageCursors checks that a page following a full page of
// the same search starts where that page ended (keyset), not after
// offset rows: deleting an attribute of page 1 does not shift page 2, as
// it would with OFFSET. Another reader's identical search does not use
// the first reader's cursors.
func TestRestSearchPageCursors(t *testing.T) {
	env := newTestEnv(t)
	w := newSearchWorld(t, env)
	page := func(key string, n int) []string {
		body := env.callObj(t, http.MethodPost, "/attributes/restSearch", key,
			obj{"eventid": w.shared.ID, "limit": 2, "page": n}, http.StatusOK)
		return searchValues(t, body)
	}
	first := page(env.AUser.Key, 1)
	if len(first) != 2 {
		t.Fatalf("page 1 = %v, want 2 attributes", first)
	}
	// A's first-page attribute with the lowest id goes away.
	if err := env.DB.DeleteAttribute(context.Background(), env.AUser.Actor(), int64(w.shared.Attribute[0].ID), true); err != nil {
		t.Fatal(err)
	}
	second := page(env.AUser.Key, 2)
	// With OFFSET 2 the third remaining attribute would come first; with
	// the cursor, page 2 is the third and fourth attributes as stored.
	want := []string{w.shared.Attribute[2].Value, w.shared.Attribute[3].Value}
	slices.Sort(want)
	if d := diffStrings(want, second); d != "" {
		t.Errorf("page 2 after a deletion on page 1 (-want +got):\n%s", d)
	}
	// The admin never read page 1: page 2 is OFFSET 2 of what is left.
	adminSecond := page(env.Admin.Key, 2)
	want = []string{w.shared.Attribute[3].Value, w.shared.Attribute[4].Value}
	slices.Sort(want)
	if d := diffStrings(want, adminSecond); d != "" {
		t.Errorf("admin's page 2 (-want +got):\n%s", d)
	}
}

// TestHeldWriter checks that an answer held in blocks comes out whole and
// in order, with X-Result-Count from the writer when it fits and from
// count when it overflows.
func TestHeldWriter(t *testing.T) {
	var want bytes.Buffer
	var parts [][]byte
	for i := range 3000 {
		p := bytes.Repeat([]byte{byte('a' + i%26)}, 1+i%700) // ~1 MB, across many blocks
		parts = append(parts, p)
		want.Write(p)
	}
	for _, limit := range []int{16 << 20, want.Len() / 2, 0} {
		rec := httptest.NewRecorder()
		h := &heldWriter{w: rec, limit: limit, count: func() (int64, error) { return 42, nil }}
		for _, p := range parts {
			if _, err := h.Write(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := h.finish(7); err != nil {
			t.Fatal(err)
		}
		wantCount := "7"
		if limit < want.Len() {
			wantCount = "42"
		}
		if !bytes.Equal(rec.Body.Bytes(), want.Bytes()) || rec.Header().Get("X-Result-Count") != wantCount {
			t.Errorf("limit %d: %d bytes (equal %v), X-Result-Count %q; want the %d bytes written, %s",
				limit, rec.Body.Len(), bytes.Equal(rec.Body.Bytes(), want.Bytes()), rec.Header().Get("X-Result-Count"), want.Len(), wantCount)
		}
	}
}
