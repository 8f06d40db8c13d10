package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testStart is the fixed time the test clock starts at.
var testStart = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// testBaseURL is the instance's configured external URL.
const testBaseURL = "https://misp.example.org"

// maxTestBody is the request body limit of the test stack (1 MiB).
const maxTestBody = 1 << 20

// testClock is a settable clock shared by the store, the authenticator
// and the API.
type testClock struct{ unix atomic.Int64 }

func (c *testClock) Now() time.Time { return time.Unix(c.unix.Load(), 0).UTC() }

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// testUser is a fixture user with its API key.
type testUser struct {
	User *misp.User
	Role *misp.Role
	Org  *misp.Organisation
	Key  string
}

// Actor returns the actor the user's key authenticates as.
func (u *testUser) Actor() *misp.Actor { return misp.NewActor(u.User, u.Role, u.Org, 0, false) }

// testEnv is the full REST stack over a real SQLite store in a temporary
// directory, with two organisations and users of the default roles.
type testEnv struct {
	DB    *sqlstore.DB
	Clock *testClock
	API   *API
	Srv   *httptest.Server

	OrgA, OrgB *misp.Organisation

	Admin       *testUser // site admin, org A, role 1
	AUser       *testUser // org A, role 3 (User)
	APublisher  *testUser // org A, role 4 (Publisher)
	AReadOnly   *testUser // org A, role 6 (Read Only)
	BUser       *testUser // org B, role 3 (User)
	BOrgAdmin   *testUser // org B, role 2 (Org Admin)
	PublisherRO string    // a read-only key of APublisher
}

// newTestEnv builds the environment; everything is closed at the end of
// the test.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	db := openEnvStore(t)
	clock := &testClock{}
	clock.unix.Store(testStart.Unix())
	db.Now = clock.Now
	e := &testEnv{DB: db, Clock: clock}
	e.OrgA = e.mustOrg(t, "ORGNAME-A", "11111111-1111-4111-8111-111111111111")
	e.OrgB = e.mustOrg(t, "ORGNAME-B", "22222222-2222-4222-8222-222222222222")
	e.Admin = e.mustUser(t, "admin@a.example", e.OrgA, misp.RoleAdmin, 1)
	e.AUser = e.mustUser(t, "user@a.example", e.OrgA, misp.RoleUser, 2)
	e.APublisher = e.mustUser(t, "publisher@a.example", e.OrgA, misp.RolePublisher, 3)
	e.AReadOnly = e.mustUser(t, "readonly@a.example", e.OrgA, misp.RoleReadOnly, 4)
	e.BUser = e.mustUser(t, "user@b.example", e.OrgB, misp.RoleUser, 5)
	e.BOrgAdmin = e.mustUser(t, "orgadmin@b.example", e.OrgB, misp.RoleOrgAdmin, 6)
	e.PublisherRO = e.mustKey(t, e.APublisher.User, 7, true)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	throttle := auth.NewThrottle(auth.ThrottleConfig{Limit: auth.DefaultFailLimit, Window: auth.DefaultFailWindow, Now: clock.Now})
	ad := &httpserver.Adapter{Log: log, Auth: auth.NewAuthenticator(db, clock.Now), Keys: auth.Candidates,
		Throttle: throttle, Audit: db}
	e.API = New(Stores{
		Events: db, Attributes: db, Objects: db, Tags: db,
		Orgs: db, Users: db, Roles: db, AuthKeys: db, Audit: db, SharingGroups: db, Search: db,
		Taxonomies: db, Galaxies: db, ObjectTemplates: db, Warninglists: db, Correlations: db,
	}, ad, Config{
		BaseURL:      testBaseURL,
		Version:      "2.5.1",
		InstanceUUID: "99999999-9999-4999-8999-999999999999",
		HostOrgID:    int64(e.OrgA.ID),
		Now:          clock.Now,
	})
	mux := http.NewServeMux()
	e.API.Register(mux)
	e.Srv = httptest.NewServer(httpserver.Logging(log, httpserver.LimitBody(maxTestBody, mux)))
	t.Cleanup(e.Srv.Close)
	return e
}

func (e *testEnv) mustOrg(t *testing.T, name, uuid string) *misp.Organisation {
	t.Helper()
	o := &misp.Organisation{Name: name, UUID: uuid, Local: true}
	if err := e.DB.CreateOrg(context.Background(), o); err != nil {
		t.Fatalf("CreateOrg(%s): %v", name, err)
	}
	return o
}

func (e *testEnv) mustUser(t *testing.T, email string, org *misp.Organisation, roleID int64, keyNo int) *testUser {
	t.Helper()
	ctx := context.Background()
	u := &misp.User{Email: email, OrgID: org.ID, RoleID: misp.Int(roleID), TermsAccepted: true}
	if err := e.DB.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	role, err := e.DB.FindRoleByID(ctx, roleID)
	if err != nil {
		t.Fatalf("FindRoleByID(%d): %v", roleID, err)
	}
	return &testUser{User: u, Role: role, Org: org, Key: e.mustKey(t, u, keyNo, false)}
}

// mustKey creates a deterministic API key for u: 36 letters then keyNo.
func (e *testEnv) mustKey(t *testing.T, u *misp.User, keyNo int, readOnly bool) string {
	t.Helper()
	raw := fmt.Sprintf("%s%04d", strings.Repeat(string(rune('a'+keyNo%26)), 36), keyNo)
	k := &misp.AuthKey{UserID: u.ID, ReadOnly: misp.Bool(readOnly), Comment: "test key"}
	if err := auth.NewAuthKey(k, raw); err != nil {
		t.Fatalf("NewAuthKey: %v", err)
	}
	if err := e.DB.CreateAuthKey(context.Background(), k); err != nil {
		t.Fatalf("CreateAuthKey: %v", err)
	}
	return raw
}

// do sends a request to the test server as PyMISP does (compact JSON) and
// returns the status, headers and body. body is sent as is when it is a
// string or []byte, as JSON otherwise, and not at all when nil. An empty
// key sends no Authorization header. Redirects are not followed.
func (e *testEnv) do(t *testing.T, method, path, key string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal request body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.Srv.URL+path, rd)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PyMISP 2.5.1 - Python 3.12")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

// doJSON is do, decoding the answer into out (when not nil). It fails the
// test if the answer is not JSON.
func (e *testEnv) doJSON(t *testing.T, method, path, key string, body, out any) int {
	t.Helper()
	status, _, b := e.do(t, method, path, key, body)
	if out != nil && method != http.MethodHead {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: answer is not JSON (%v): %s", method, path, err, b)
		}
	}
	return status
}

// obj is a decoded JSON object.
type obj = map[string]any

// call is doJSON into a generic value, checking the status.
func (e *testEnv) call(t *testing.T, method, path, key string, body any, wantStatus int) any {
	t.Helper()
	var out any
	status, _, b := e.do(t, method, path, key, body)
	if status != wantStatus {
		t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, status, wantStatus, b)
	}
	if len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON (%v): %s", method, path, err, b)
		}
	}
	return out
}

// callObj is call for an answer that is a JSON object.
func (e *testEnv) callObj(t *testing.T, method, path, key string, body any, wantStatus int) obj {
	t.Helper()
	out := e.call(t, method, path, key, body, wantStatus)
	m, ok := out.(obj)
	if !ok {
		t.Fatalf("%s %s: answer is %T, want an object: %v", method, path, out, out)
	}
	return m
}

// dig walks a decoded JSON value: string keys index objects, ints index
// lists. It fails the test when the path does not exist.
func dig(t *testing.T, v any, keys ...any) any {
	t.Helper()
	cur := v
	for i, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := cur.(obj)
			if !ok {
				t.Fatalf("path %v: element %d is %T, not an object", keys[:i+1], i, cur)
			}
			if cur, ok = m[k]; !ok {
				t.Fatalf("path %v: no key %q in %v", keys[:i+1], k, m)
			}
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("path %v: element %d is not a list of more than %d: %v", keys[:i+1], i, k, cur)
			}
			cur = l[k]
		}
	}
	return cur
}

// compareGolden compares got, a JSON answer, with testdata/<name>.golden
// (indented), or rewrites the file with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("golden %s: answer is not JSON (%v): %s", name, err, got)
	}
	buf.WriteByte('\n')
	file := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", file, diff)
	}
}

// snapshot dumps everything the data-plane endpoints can change — every
// event in full (deleted elements included) and every tag — as seen by a
// site admin, for "the request changed nothing" assertions.
func (e *testEnv) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	actor := e.Admin.Actor()
	events, _, err := e.DB.FindEvents(ctx, actor, misp.EventFilter{})
	if err != nil {
		t.Fatalf("FindEvents: %v", err)
	}
	var full []*misp.Event
	for _, ev := range events {
		f, err := e.DB.FindEventByID(ctx, actor, int64(ev.ID), misp.EventViewOptions{Deleted: misp.DeletedInclude})
		if err != nil {
			t.Fatalf("FindEventByID(%d): %v", ev.ID, err)
		}
		full = append(full, f)
	}
	tags, err := e.DB.FindTags(ctx, misp.TagFilter{})
	if err != nil {
		t.Fatalf("FindTags: %v", err)
	}
	b, err := json.MarshalIndent(struct {
		Events []*misp.Event
		Tags   []*misp.Tag
	}{full, tags}, "", " ")
	if err != nil {
		t.Fatalf("marshal snapshot: %v", err)
	}
	return string(b)
}

// assertUnchanged fails the test if the state differs from before.
func (e *testEnv) assertUnchanged(t *testing.T, before string) {
	t.Helper()
	if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
		t.Errorf("state changed (-before +after):\n%s", diff)
	}
}
