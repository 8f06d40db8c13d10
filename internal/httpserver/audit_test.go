package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/misp"
)

// memAudit is an in-memory AuditLog; fail makes writes fail.
type memAudit struct {
	mu      sync.Mutex
	entries []*misp.AuditEntry
	fail    bool
}

func (m *memAudit) CreateAuditEntry(_ context.Context, e *misp.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("disk full")
	}
	m.entries = append(m.entries, e)
	return nil
}

func (m *memAudit) take() []*misp.AuditEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.entries
	m.entries = nil
	return out
}

// authErr is a failed authentication with MISP's message.
type authErr struct{ msg string }

func (e authErr) Error() string         { return "authentication failed: " + e.msg }
func (e authErr) Is(target error) bool  { return target == misp.ErrUnauthenticated }
func (e authErr) PublicMessage() string { return e.msg }

// keyAuth authenticates one key as the user of org "Org A".
type keyAuth struct{ key string }

func (k keyAuth) Authenticate(_ context.Context, keys []string, _ netip.Addr) (*misp.Actor, *misp.AuthKey, error) {
	for _, c := range keys {
		if c == k.key {
			u := &misp.User{ID: 7, OrgID: 3, Email: "alice@a.test"}
			return misp.NewActor(u, &misp.Role{}, &misp.Organisation{ID: 3, Name: "Org A"}, 1, false), nil, nil
		}
	}
	return nil, nil, authErr{msg: "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header."}
}

type testStack struct {
	audit *memAudit
	clock *fakeClock
	logs  *bytes.Buffer
	h     http.Handler
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const goodKey = "GOODgoodgoodgoodgoodgoodgoodgoodgoodgood"

func newTestStack(t *testing.T, limit int) *testStack {
	t.Helper()
	s := &testStack{audit: &memAudit{}, clock: &fakeClock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewJSONHandler(s.logs, nil))
	ad := &Adapter{
		Log:      log,
		Auth:     keyAuth{key: goodKey},
		Keys:     auth.Candidates,
		Throttle: auth.NewThrottle(auth.ThrottleConfig{Limit: limit, Window: 5 * time.Minute, Now: s.clock.Now}),
		Audit:    s.audit,
	}
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, r *http.Request, _ *misp.Actor) error {
		WriteJSON(w, r, http.StatusOK, map[string]string{"ok": "yes"})
		return nil
	}
	mux.Handle("POST /events/edit/{id}", ad.Authed(ok))
	mux.Handle("POST /events/edit/{id}/{named...}", ad.Authed(ok))
	mux.Handle("GET /events/view/{id}", ad.Authed(ok))
	mux.Handle("DELETE /attributes/{id}", ad.Authed(func(http.ResponseWriter, *http.Request, *misp.Actor) error {
		return misp.ErrNotFound
	}))
	mux.Handle("POST /admin/users/add", ad.Authed(func(http.ResponseWriter, *http.Request, *misp.Actor) error {
		panic("boom")
	}))
	s.h = Logging(log, mux)
	return s
}

// do sends a request from ip with an Authorization header of key (none if
// empty) and returns the recorded answer.
func (s *testStack) do(method, path, ip, key string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(`{"password":"Secret123456!"}`))
	r.RemoteAddr = ip + ":41000"
	r.Header.Set("X-Request-Id", "req-1")
	if key != "" {
		r.Header.Set("Authorization", key)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func TestAuditRequests(t *testing.T) {
	s := newTestStack(t, 10)
	change := func(method, path, route string, status string) string {
		return "HTTP method: " + method + "\nTarget: " + path + "\nRoute: " + route + "\nStatus: " + status + "\nRequest id: req-1"
	}
	tests := []struct {
		name, method, path string
		wantStatus         int
		want               []*misp.AuditEntry
	}{
		{"write", "POST", "/events/edit/12", 200, []*misp.AuditEntry{{
			UserID: 7, OrgID: 3, Org: "Org A", Email: "alice@a.test", IP: "192.0.2.1", RequestID: "req-1",
			Action: "edit", Model: "Event", ModelID: 12, Title: "POST /events/edit/12", Description: "200 OK",
			Change: change("POST", "/events/edit/12", "POST /events/edit/{id}", "200"),
			Method: "POST", Route: "POST /events/edit/{id}", Path: "/events/edit/12", Status: 200,
		}}},
		{"read is not recorded", "GET", "/events/view/12", 200, nil},
		{"failed write", "DELETE", "/attributes/5", 404, []*misp.AuditEntry{{
			UserID: 7, OrgID: 3, Org: "Org A", Email: "alice@a.test", IP: "192.0.2.1", RequestID: "req-1",
			Action: "delete", Model: "Attribute", ModelID: 5, Title: "DELETE /attributes/5", Description: "404 Not Found",
			Change: change("DELETE", "/attributes/5", "DELETE /attributes/{id}", "404"),
			Method: "DELETE", Route: "DELETE /attributes/{id}", Path: "/attributes/5", Status: 404,
		}}},
		{"panic", "POST", "/admin/users/add", 500, []*misp.AuditEntry{{
			UserID: 7, OrgID: 3, Org: "Org A", Email: "alice@a.test", IP: "192.0.2.1", RequestID: "req-1",
			Action: "add", Model: "User", Title: "POST /admin/users/add", Description: "500 Internal Server Error",
			Change: change("POST", "/admin/users/add", "POST /admin/users/add", "500"),
			Method: "POST", Route: "POST /admin/users/add", Path: "/admin/users/add", Status: 500,
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := s.do(tc.method, tc.path, "192.0.2.1", goodKey)
			if w.Code != tc.wantStatus {
				t.Fatalf("%s %s = %d, want %d: %s", tc.method, tc.path, w.Code, tc.wantStatus, w.Body)
			}
			if d := cmp.Diff(tc.want, s.audit.take(), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("audit entries (-want +got):\n%s", d)
			}
		})
	}
}

func TestAuditAuthFailure(t *testing.T) {
	s := newTestStack(t, 10)
	bad := "abcdEFGHijklMNOPqrstUVWXyz0123456789abcd"
	w := s.do("GET", "/events/view/1", "192.0.2.7", bad)
	if w.Code != http.StatusForbidden {
		t.Fatalf("bad key = %d, want 403", w.Code)
	}
	got := s.audit.take()
	want := []*misp.AuditEntry{{
		Org: "SYSTEM", Email: "SYSTEM", IP: "192.0.2.7", RequestID: "req-1", Action: "auth_fail", Model: "User",
		Title:       "Failed authentication using API key (abcd************************************)",
		Description: "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.",
		Change:      "HTTP method: GET\nTarget: /events/view/1\nRoute: GET /events/view/{id}\nStatus: 403\nRequest id: req-1",
		Method:      "GET", Route: "GET /events/view/{id}", Path: "/events/view/1", Status: 403,
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("audit entries (-want +got):\n%s", d)
	}

	for _, tc := range []struct{ header, title string }{
		{"", "Failed authentication: no API key given."},
		{"tooshort", "Failed authentication using an API key of incorrect length."},
	} {
		s.do("POST", "/events/edit/1", "192.0.2.7", tc.header)
		got := s.audit.take()
		if len(got) != 1 || got[0].Title != tc.title || got[0].Action != misp.AuditAuthFail {
			t.Errorf("Authorization %q: entries %+v, want one auth_fail titled %q", tc.header, got, tc.title)
		}
	}
}

// TestAuditNoSecrets checks that neither the key nor the body reaches an
// entry, whatever the outcome.
func TestAuditNoSecrets(t *testing.T) {
	s := newTestStack(t, 10)
	bad := "zyxwVUTSrqpoNMLKjihgFEDCba9876543210zyxw"
	s.do("POST", "/events/edit/1", "192.0.2.7", bad)
	s.do("POST", "/events/edit/1", "192.0.2.7", goodKey)
	s.do("POST", "/events/edit/1/apikey:"+goodKey, "192.0.2.7", goodKey)
	entries := s.audit.take()
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3", len(entries))
	}
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{bad[4:], goodKey[4:], "Secret123456", "password"} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("audit entries contain %q: %s", secret, b)
		}
	}
}

func TestAuditWriteFailure(t *testing.T) {
	s := newTestStack(t, 10)
	s.audit.fail = true
	w := s.do("POST", "/events/edit/12", "192.0.2.1", goodKey)
	if w.Code != http.StatusOK {
		t.Errorf("request with a failing audit log = %d, want 200", w.Code)
	}
	if !strings.Contains(s.logs.String(), `"msg":"audit log write failed"`) || !strings.Contains(s.logs.String(), `"request_id":"req-1"`) {
		t.Errorf("audit failure not logged: %s", s.logs)
	}
}

func TestThrottle(t *testing.T) {
	const limit = 3
	s := newTestStack(t, limit)
	bad := "abcdEFGHijklMNOPqrstUVWXyz0123456789abcd"
	for i := 1; i <= limit; i++ {
		if w := s.do("GET", "/events/view/1", "192.0.2.9", bad); w.Code != http.StatusForbidden {
			t.Fatalf("failure %d = %d, want 403", i, w.Code)
		}
	}
	entries := s.audit.take()
	var throttled []string
	for _, e := range entries {
		if e.Action == misp.AuditAuthThrottle {
			throttled = append(throttled, e.Title)
		}
	}
	if len(entries) != limit+2 || len(throttled) != 2 {
		t.Fatalf("entries %d (throttle: %q), want %d failures and 2 throttle entries (address, key)", len(entries), throttled, limit)
	}
	w := s.do("GET", "/events/view/1", "192.0.2.9", goodKey)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "300" {
		t.Errorf("valid key from a throttled address = %d, Retry-After %q; want 429, 300", w.Code, w.Header().Get("Retry-After"))
	}
	var body Exception
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Message != "Rate limit exceeded." || body.Name != body.Message {
		t.Errorf("429 body = %s, want MISP's rate-limit exception", w.Body)
	}
	if w := s.do("GET", "/events/view/1", "192.0.2.10", bad); w.Code != http.StatusTooManyRequests {
		t.Errorf("throttled key from another address = %d, want 429", w.Code)
	}
	if w := s.do("GET", "/events/view/1", "192.0.2.10", goodKey); w.Code != http.StatusOK {
		t.Errorf("valid key from another address = %d, want 200", w.Code)
	}
	if got := s.audit.take(); len(got) != 0 {
		t.Errorf("refused requests wrote %d entries, want none (the throttle entry says it)", len(got))
	}
	s.clock.Advance(5 * time.Minute)
	if w := s.do("GET", "/events/view/1", "192.0.2.9", goodKey); w.Code != http.StatusOK {
		t.Errorf("after the window = %d, want 200", w.Code)
	}
}

func TestRouteModelAction(t *testing.T) {
	tests := []struct {
		method, pattern, model, action string
	}{
		{"POST", "POST /events/add", "Event", "add"},
		{"POST", "POST /events/edit/{id}/{named...}", "Event", "edit"},
		{"POST", "POST /events", "Event", "add"},
		{"PUT", "PUT /events/{id}", "Event", "edit"},
		{"DELETE", "DELETE /attributes/{id}", "Attribute", "delete"},
		{"POST", "POST /admin/users/edit/{id}", "User", "edit"},
		{"POST", "POST /objects/add/{event}", "MispObject", "add"},
		{"POST", "POST /object_references/add", "ObjectReference", "add"},
		{"POST", "POST /sharingGroups/addOrg/{id}/{org}", "SharingGroup", "addOrg"},
		{"POST", "POST /sharing_groups/add", "SharingGroup", "add"},
		{"POST", "POST /auth_keys/add", "AuthKey", "add"},
		{"POST", "POST /admin/organisations/delete/{id}", "Organisation", "delete"},
		{"POST", "POST /taxonomies/enable/{id}", "Taxonomy", "enable"},
		{"POST", "POST /admin/logs/index", "Log", "index"},
	}
	for _, tc := range tests {
		model, action := routeModelAction(tc.method, tc.pattern)
		if model != tc.model || action != tc.action {
			t.Errorf("routeModelAction(%q) = %q, %q; want %q, %q", tc.pattern, model, action, tc.model, tc.action)
		}
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/events/index":                   "/events/index",
		"/events/index/apikey:abcd1234/x": "/events/index/apikey:[redacted]/x",
		"/events/index/APIKEY:abcd1234":   "/events/index/APIKEY:[redacted]",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%q) = %q, want %q", in, got, want)
		}
	}
}
