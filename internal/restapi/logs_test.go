package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/auth"
)

// logRow is the Log block of an admin/logs/index answer.
type logRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Created     string `json:"created"`
	Model       string `json:"model"`
	ModelID     string `json:"model_id"`
	Action      string `json:"action"`
	UserID      string `json:"user_id"`
	Change      string `json:"change"`
	Email       string `json:"email"`
	Org         string `json:"org"`
	Description string `json:"description"`
	IP          string `json:"ip"`
}

// logs reads admin/logs/index as key: GET with the named parameters in
// path when filter is nil, POST with filter as the JSON body otherwise.
func (e *testEnv) logs(t *testing.T, key, path string, filter any) []logRow {
	t.Helper()
	method := http.MethodGet
	if filter != nil {
		method = http.MethodPost
	}
	if path == "" {
		path = "/admin/logs/index"
	}
	var out []struct {
		Log logRow `json:"Log"`
	}
	if status := e.doJSON(t, method, path, key, filter, &out); status != http.StatusOK {
		t.Fatalf("%s %s: status %d", method, path, status)
	}
	rows := make([]logRow, len(out))
	for i, o := range out {
		rows[i] = o.Log
	}
	return rows
}

// titles lists the titles of rows.
func titles(rows []logRow) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Title)
	}
	return out
}

func TestLogsRecordWrites(t *testing.T) {
	e := newTestEnv(t)
	e.call(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "audited"}}, http.StatusOK)
	e.Clock.Advance(time.Minute)
	e.call(t, "POST", "/events/publish/1", e.AUser.Key, nil, http.StatusForbidden) // User may not publish
	e.call(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK)            // reads are not recorded

	status, _, body := e.do(t, "GET", "/admin/logs/index", e.Admin.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("GET /admin/logs/index: %d %s", status, body)
	}
	// MISP's shape: a list of {"Log":{…}} with exactly these keys, ids as strings.
	var raw []map[string]map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("answer is not a list of Log objects: %v: %s", err, body)
	}
	wantKeys := []string{"action", "change", "created", "description", "email", "id", "ip", "model", "model_id", "org", "title", "user_id"}
	for _, r := range raw {
		var keys []string
		for k := range r["Log"] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) || len(r) != 1 {
			t.Errorf("entry %v: keys %v, want {\"Log\": %v}", r, keys, wantKeys)
		}
	}

	rows := e.logs(t, e.Admin.Key, "", nil)
	if len(rows) != 2 {
		t.Fatalf("entries %v, want the publish refusal and the add, newest first", titles(rows))
	}
	uid := fmt.Sprint(e.AUser.User.ID)
	want := []logRow{{
		ID: rows[0].ID, Title: "POST /events/publish/1", Created: "2026-01-15 10:01:00", Model: "Event", ModelID: "1",
		Action: "publish", UserID: uid, Email: "user@a.example", Org: "ORGNAME-A", Description: "403 Forbidden", IP: "127.0.0.1",
	}, {
		ID: rows[1].ID, Title: "POST /events/add", Created: "2026-01-15 10:00:00", Model: "Event", ModelID: "0",
		Action: "add", UserID: uid, Email: "user@a.example", Org: "ORGNAME-A", Description: "200 OK", IP: "127.0.0.1",
	}}
	for i := range want {
		got := rows[i]
		if !strings.HasPrefix(got.Change, "HTTP method: POST\nTarget: "+want[i].Title[len("POST "):]+"\nRoute: POST ") {
			t.Errorf("entry %d change = %q", i, got.Change)
		}
		got.Change = ""
		if got != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got, want[i])
		}
	}
}

// logScopeEnv has one write by each of several users of both
// organisations and a failed authentication.
func logScopeEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	for _, u := range []*testUser{e.AUser, e.APublisher, e.BUser, e.BOrgAdmin, e.Admin} {
		e.call(t, "POST", "/events/add", u.Key, obj{"Event": obj{"info": "by " + u.User.Email}}, http.StatusOK)
	}
	e.call(t, "GET", "/events/index", strings.Repeat("x", 40), nil, http.StatusForbidden)
	return e
}

func TestLogsScope(t *testing.T) {
	e := logScopeEnv(t)
	add := func(u *testUser) string { return "POST /events/add by " + u.User.Email }
	fail := "Failed authentication using API key (xxxx************************************) by SYSTEM"
	tests := []struct {
		name string
		key  string
		want []string
	}{
		{"site admin reads everything", e.Admin.Key, []string{fail, add(e.Admin), add(e.BOrgAdmin), add(e.BUser), add(e.APublisher), add(e.AUser)}},
		{"org admin of B reads B's entries", e.BOrgAdmin.Key, []string{add(e.BOrgAdmin), add(e.BUser)}},
		{"user of B reads their own", e.BUser.Key, []string{add(e.BUser)}},
		{"user of A reads their own", e.AUser.Key, []string{add(e.AUser)}},
		{"read-only user reads their own", e.AReadOnly.Key, []string{}},
		{"read-only key reads its user's", e.PublisherRO, []string{add(e.APublisher)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := []string{}
			for _, r := range e.logs(t, tc.key, "", nil) {
				got = append(got, r.Title+" by "+r.Email)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("entries\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// TestLogsCrossOrgLeak checks that B's admin and users never read A's
// entries or the system's, even when asking for them by id, user, e-mail,
// organisation or action, by GET or POST, on either path.
func TestLogsCrossOrgLeak(t *testing.T) {
	e := logScopeEnv(t)
	var aIDs []string
	for _, r := range e.logs(t, e.Admin.Key, "", nil) {
		if r.Org != "ORGNAME-B" {
			aIDs = append(aIDs, r.ID)
		}
	}
	if len(aIDs) != 4 {
		t.Fatalf("fixture: %d entries not of B, want 4", len(aIDs))
	}
	probes := []any{
		obj{"id": aIDs},
		obj{"user_id": []any{e.AUser.User.ID, e.Admin.User.ID, 0}},
		obj{"email": []string{"%@a.example", "SYSTEM"}},
		obj{"org": []string{"ORGNAME-A", "SYSTEM", "%"}},
		obj{"action": "auth_fail"},
		obj{"model": "Event", "limit": 100, "page": 1},
	}
	for _, key := range []string{e.BOrgAdmin.Key, e.BUser.Key} {
		for _, path := range []string{"/admin/logs/index", "/admin/audit_logs/index", "/admin/auditLogs/index"} {
			for _, p := range probes {
				for _, r := range e.logs(t, key, path, p) {
					if r.Org != "ORGNAME-B" {
						t.Errorf("POST %s %v read %+v", path, p, r)
					}
				}
			}
			for _, named := range []string{"/org:ORGNAME-A", "/email:user@a.example", "/id:" + aIDs[0], "/action:auth_fail"} {
				for _, r := range e.logs(t, key, path+named, nil) {
					if r.Org != "ORGNAME-B" {
						t.Errorf("GET %s%s read %+v", path, named, r)
					}
				}
			}
		}
	}
}

func TestLogsFilters(t *testing.T) {
	e := newTestEnv(t)
	// One write a minute: A's user, B's user, A's publisher.
	e.call(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "one"}}, http.StatusOK)
	e.Clock.Advance(time.Minute)
	e.call(t, "POST", "/events/add", e.BUser.Key, obj{"Event": obj{"info": "two"}}, http.StatusOK)
	e.Clock.Advance(time.Minute)
	e.call(t, "POST", "/events/delete/1", e.APublisher.Key, nil, http.StatusOK)
	e.Clock.Advance(time.Minute)
	all := e.logs(t, e.Admin.Key, "", nil)
	if len(all) != 3 {
		t.Fatalf("entries %q, want 3", titles(all))
	}
	del, two, one := all[0], all[1], all[2]
	start := testStart.Unix()
	tests := []struct {
		name   string
		path   string
		filter any
		want   []logRow
	}{
		{"model and action", "", obj{"model": "Event", "action": "add"}, []logRow{two, one}},
		{"action named", "/admin/logs/index/action:delete", nil, []logRow{del}},
		{"user id", "", obj{"user_id": e.BUser.User.ID}, []logRow{two}},
		{"e-mail pattern", "", obj{"email": "%@a.example"}, []logRow{del, one}},
		{"or'ed e-mails", "", obj{"email": "user@a.example||user@b.example"}, []logRow{two, one}},
		{"org", "", obj{"org": "orgname-b"}, []logRow{two}},
		{"ip", "", obj{"ip": "127.0.0.1"}, []logRow{del, two, one}},
		{"other ip", "", obj{"ip": "192.0.2.1"}, nil},
		{"id", "", obj{"id": []string{one.ID, del.ID}}, []logRow{del, one}},
		{"model id", "", obj{"model_id": 1}, []logRow{del}},
		{"non-numeric id", "", obj{"id": "abc"}, nil},
		{"title", "", obj{"title": "POST /events/delete%"}, []logRow{del}},
		{"description", "", obj{"description": "200 OK"}, []logRow{del, two, one}},
		{"created from", "", obj{"created": start + 60}, []logRow{del, two}},
		{"created range", "", obj{"created": []int64{start + 60, start}}, []logRow{two, one}},
		{"created delta", "", obj{"created": "90s"}, []logRow{del}},
		{"created date time", "", obj{"created": "2026-01-15 10:02:00"}, []logRow{del}},
		{"limit", "", obj{"model": "Event", "limit": 2}, []logRow{del, two}},
		{"page", "", obj{"model": "Event", "limit": 2, "page": 2}, []logRow{one}},
		{"named limit and page", "/admin/logs/index/model:Event/limit:1/page:3", nil, []logRow{one}},
		{"unknown filter ignored", "", obj{"value": "x", "model": "Event", "action": "add"}, []logRow{two, one}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := e.logs(t, e.Admin.Key, tc.path, tc.filter)
			// The POST searches themselves are recorded; only the three
			// fixture writes are of interest.
			got = slices.DeleteFunc(got, func(r logRow) bool { return r.Action == "index" })
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s %v = %q, want %q", tc.path, tc.filter, titles(got), titles(tc.want))
			}
		})
	}
}

func TestLogsNeedPermAudit(t *testing.T) {
	e := newTestEnv(t)
	if _, err := e.DB.SQL().Exec("UPDATE roles SET perm_audit = FALSE WHERE id = 6"); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "POST"} {
		out := e.callObj(t, method, "/admin/logs/index", e.AReadOnly.Key, nil, http.StatusForbidden)
		if out["message"] != "You do not have permission to use this functionality." {
			t.Errorf("%s without perm_audit: %v", method, out)
		}
	}
	e.call(t, "GET", "/admin/logs/index", "", nil, http.StatusForbidden)
}

// doFrom is do from another loopback address (Linux routes all of
// 127.0.0.0/8 to lo), for throttling by client address.
func (e *testEnv) doFrom(t *testing.T, localIP, method, path, key string) int {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(context.Background(), method, e.Srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", key)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s from %s: %v", method, path, localIP, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestAuthThrottle is the brute-force check of issue #3: N failed keys
// from one address are answered 403, the next attempt 429 even with a
// valid key, other addresses are unaffected, the window's end lifts it,
// and all of it is in the audit log.
func TestAuthThrottle(t *testing.T) {
	e := newTestEnv(t)
	const n = auth.DefaultFailLimit
	guess := func(i int) string { return fmt.Sprintf("brut%036d", i) }
	for i := 1; i < n; i++ {
		if status := e.doFrom(t, "127.0.0.1", "GET", "/events/index", guess(i)); status != http.StatusForbidden {
			t.Fatalf("failure %d = %d, want 403", i, status)
		}
	}
	e.Clock.Advance(time.Minute)
	if status := e.doFrom(t, "127.0.0.1", "GET", "/events/index", guess(n)); status != http.StatusForbidden {
		t.Fatalf("failure %d (the limit) = %d, want 403", n, status)
	}
	if status := e.doFrom(t, "127.0.0.1", "GET", "/events/index", guess(n+1)); status != http.StatusTooManyRequests {
		t.Errorf("attempt %d = %d, want 429", n+1, status)
	}
	status, hdr, body := e.do(t, "GET", "/servers/getVersion", e.AUser.Key, nil)
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") != "240" || !strings.Contains(string(body), `"message":"Rate limit exceeded."`) {
		t.Errorf("valid key from the throttled address = %d, Retry-After %q, %s; want 429, 240 (the rest of the window), MISP's rate-limit body", status, hdr.Get("Retry-After"), body)
	}
	if status := e.doFrom(t, "127.0.0.2", "GET", "/servers/getVersion", e.AUser.Key); status != http.StatusOK {
		t.Errorf("valid key from another address = %d, want 200", status)
	}
	if status := e.doFrom(t, "127.0.0.2", "GET", "/events/index", guess(0)); status != http.StatusForbidden {
		t.Errorf("another wrong key from another address = %d, want 403", status)
	}
	e.Clock.Advance(auth.DefaultFailWindow - time.Minute)
	if status := e.doFrom(t, "127.0.0.1", "GET", "/servers/getVersion", e.AUser.Key); status != http.StatusOK {
		t.Errorf("valid key after the window = %d, want 200", status)
	}

	var fails, throttles int
	for _, r := range e.logs(t, e.Admin.Key, "", nil) {
		switch r.Action {
		case "auth_fail":
			fails++
			if r.IP != "127.0.0.1" && r.IP != "127.0.0.2" || r.Org != "SYSTEM" || r.UserID != "0" {
				t.Errorf("failure entry %+v", r)
			}
			if !strings.HasPrefix(r.Title, "Failed authentication using API key (brut****") {
				t.Errorf("failure title %q, want the key's first four characters only", r.Title)
			}
		case "auth_throttle":
			throttles++
			if !strings.Contains(r.Title, "address 127.0.0.1") || !strings.Contains(r.Title, "refused until 2026-01-15 10:05:00 UTC") {
				t.Errorf("throttle entry %+v", r)
			}
		}
		for i := 0; i <= n+1; i++ {
			if strings.Contains(r.Title+r.Change+r.Description, guess(i)[4:]) {
				t.Errorf("entry %+v contains a key beyond its first four characters", r)
			}
		}
	}
	if fails != n+1 || throttles != 1 {
		t.Errorf("audit log: %d auth_fail, %d auth_throttle; want %d and 1", fails, throttles, n+1)
	}
}
