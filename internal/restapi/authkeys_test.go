package restapi

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/misp"
)

// addKey creates a key through the API and returns the AuthKey block and
// the raw key.
func (e *testEnv) addKey(t *testing.T, path, key string, body any) (obj, string) {
	t.Helper()
	m := e.callObj(t, "POST", path, key, body, http.StatusOK)
	k := dig(t, m, "AuthKey").(obj)
	raw, _ := k["authkey_raw"].(string)
	if !auth.ValidKeyFormat(raw) {
		t.Fatalf("POST %s: authkey_raw = %q, want a 40-character key", path, raw)
	}
	return k, raw
}

// keyID returns the id of the first stored key of u.
func (e *testEnv) keyID(t *testing.T, u *testUser) string {
	t.Helper()
	keys, err := e.DB.FindAuthKeys(context.Background(), misp.AuthKeyFilter{UserID: int64(u.User.ID)})
	if err != nil || len(keys) == 0 {
		t.Fatalf("FindAuthKeys(%s): %v, %d keys", u.User.Email, err, len(keys))
	}
	return idStr(keys[0].ID)
}

// TestAuthKeyLifecycle creates a key, uses it, is refused a write with a
// read-only key, revokes the key and checks it stops working at once.
func TestAuthKeyLifecycle(t *testing.T) {
	e := newTestEnv(t)
	k, raw := e.addKey(t, "/auth_keys/add/me", e.AUser.Key, map[string]any{})
	if k["authkey_start"] != raw[:4] || k["authkey_end"] != raw[36:] || k["user_id"] != idStr(e.AUser.User.ID) {
		t.Errorf("AuthKey = %v", k)
	}
	for _, hidden := range []string{"hash", "Hash", "authkey"} {
		if _, ok := k[hidden]; ok {
			t.Errorf("AuthKey shows %q: %v", hidden, k)
		}
	}
	id := k["id"].(string)

	if got := dig(t, e.callObj(t, "GET", "/users/view/me", raw, nil, http.StatusOK), "User", "id"); got != idStr(e.AUser.User.ID) {
		t.Errorf("the new key authenticates as user %v", got)
	}
	view := e.callObj(t, "GET", "/auth_keys/view/"+id, raw, nil, http.StatusOK)
	if _, ok := dig(t, view, "AuthKey").(obj)["authkey_raw"]; ok {
		t.Errorf("auth_keys/view shows the raw key")
	}
	if dig(t, view, "User", "email") != "user@a.example" {
		t.Errorf("auth_keys/view User = %v", view["User"])
	}

	_, ro := e.addKey(t, "/auth_keys/add", e.AUser.Key, map[string]any{"AuthKey": map[string]any{"read_only": 1, "comment": "reader"}})
	e.call(t, "GET", "/auth_keys/index", ro, nil, http.StatusOK)
	before := e.adminState(t)
	for _, rq := range []struct{ method, path string }{
		{"POST", "/auth_keys/add/me"},
		{"POST", "/auth_keys/edit/" + id},
		{"POST", "/auth_keys/delete/" + id},
	} {
		m := e.callObj(t, rq.method, rq.path, ro, map[string]any{"comment": "from a read-only key"}, http.StatusForbidden)
		if m["message"] != "You do not have permission to use this functionality." {
			t.Errorf("%s %s with a read-only key: %v", rq.method, rq.path, m)
		}
	}
	e.assertAdminUnchanged(t, before)

	m := e.callObj(t, "POST", "/auth_keys/delete/"+id, e.AUser.Key, nil, http.StatusOK)
	if m["saved"] != true || m["id"] != id {
		t.Errorf("delete answer %v", m)
	}
	m = e.callObj(t, "GET", "/users/view/me", raw, nil, http.StatusForbidden)
	if m["message"] != auth.MsgAuthFailed {
		t.Errorf("revoked key: %v, want %q", m, auth.MsgAuthFailed)
	}
	e.callObj(t, "GET", "/auth_keys/view/"+id, e.AUser.Key, nil, http.StatusNotFound)
}

// TestAuthKeyExpiration covers the expiration spellings and that an
// expired key is refused with MISP's generic message.
func TestAuthKeyExpiration(t *testing.T) {
	e := newTestEnv(t)
	in1h := testStart.Add(time.Hour).Unix()
	tests := []struct {
		name       string
		expiration any
		want       int64
	}{
		{"unix seconds", in1h, in1h},
		{"numeric string", fmt.Sprint(in1h), in1h},
		{"date", "2026-02-01", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).Unix()},
		{"date and time", "2026-02-01 12:30:00", time.Date(2026, 2, 1, 12, 30, 0, 0, time.UTC).Unix()},
		{"never", 0, 0},
		{"empty", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, _ := e.addKey(t, "/auth_keys/add", e.AUser.Key, map[string]any{"expiration": tt.expiration})
			if k["expiration"] != fmt.Sprint(tt.want) {
				t.Errorf("expiration %v stored as %v, want %d", tt.expiration, k["expiration"], tt.want)
			}
		})
	}

	_, raw := e.addKey(t, "/auth_keys/add", e.AUser.Key, map[string]any{"expiration": in1h})
	status, h, _ := e.do(t, "GET", "/users/view/me", raw, nil)
	if status != http.StatusOK || h.Get("X-Auth-Key-Expiration") == "" {
		t.Errorf("key valid for an hour: status %d, X-Auth-Key-Expiration %q", status, h.Get("X-Auth-Key-Expiration"))
	}
	e.Clock.Advance(2 * time.Hour)
	m := e.callObj(t, "GET", "/users/view/me", raw, nil, http.StatusForbidden)
	if m["message"] != auth.MsgAuthFailed {
		t.Errorf("expired key: %v, want %q", m, auth.MsgAuthFailed)
	}
}

// TestAuthKeyAllowedIPs checks that a key restricted to other addresses
// is refused with MISP's message, and one that allows the client works.
func TestAuthKeyAllowedIPs(t *testing.T) {
	e := newTestEnv(t)
	_, elsewhere := e.addKey(t, "/auth_keys/add", e.AUser.Key, map[string]any{"allowed_ips": []string{"10.0.0.0/8", "2001:db8::/32"}})
	m := e.callObj(t, "GET", "/users/view/me", elsewhere, nil, http.StatusForbidden)
	if m["message"] != auth.MsgIPNotAllowed {
		t.Errorf("key from a disallowed address: %v, want %q", m, auth.MsgIPNotAllowed)
	}
	k, local := e.addKey(t, "/auth_keys/add", e.AUser.Key, map[string]any{"allowed_ips": "10.1.2.3\n127.0.0.0/8, ::1"})
	if ips, _ := k["allowed_ips"].([]any); len(ips) != 3 {
		t.Errorf("allowed_ips = %v, want 3 entries", k["allowed_ips"])
	}
	e.callObj(t, "GET", "/users/view/me", local, nil, http.StatusOK)
}

// TestAuthKeyBadInput checks that invalid keys are refused and nothing is
// stored.
func TestAuthKeyBadInput(t *testing.T) {
	e := newTestEnv(t)
	id := e.keyID(t, e.AUser)
	before := e.adminState(t)
	tests := []struct {
		name, path string
		body       any
		status     int
		field      string
	}{
		{"bad allowed_ips", "/auth_keys/add", map[string]any{"allowed_ips": []string{"127.0.0.1", "not-an-ip"}}, http.StatusForbidden, "allowed_ips"},
		{"allowed_ips not strings", "/auth_keys/add", map[string]any{"allowed_ips": []int{1}}, http.StatusForbidden, "allowed_ips"},
		{"bad expiration", "/auth_keys/add", map[string]any{"expiration": "next tuesday"}, http.StatusForbidden, "expiration"},
		{"negative expiration", "/auth_keys/add", map[string]any{"expiration": -5}, http.StatusForbidden, "expiration"},
		{"malformed JSON", "/auth_keys/add", `{"comment": `, http.StatusMethodNotAllowed, ""},
		{"edit with bad allowed_ips", "/auth_keys/edit/" + id, map[string]any{"allowed_ips": "300.1.1.1"}, http.StatusForbidden, "allowed_ips"},
		{"edit with malformed JSON", "/auth_keys/edit/" + id, `[`, http.StatusMethodNotAllowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := e.callObj(t, "POST", tt.path, e.AUser.Key, tt.body, tt.status)
			if tt.field != "" {
				dig(t, m, "errors", tt.field)
			}
		})
	}
	e.assertAdminUnchanged(t, before)
}

// TestAuthKeyScope checks who sees and manages whose keys
// (AuthKeysController::__prepareConditions, __canCreateAuthKeyForUser).
func TestAuthKeyScope(t *testing.T) {
	e := newTestEnv(t)
	owners := func(key string) map[string]int {
		t.Helper()
		list, ok := e.call(t, "GET", "/authKeys/index", key, nil, http.StatusOK).([]any)
		if !ok {
			t.Fatalf("index is not a list")
		}
		n := map[string]int{}
		for i := range list {
			n[dig(t, list, i, "User", "email").(string)]++
		}
		return n
	}
	if got := owners(e.AUser.Key); len(got) != 1 || got["user@a.example"] != 1 {
		t.Errorf("user sees keys of %v, want only their own", got)
	}
	if got := owners(e.BOrgAdmin.Key); len(got) != 2 || got["user@b.example"] != 1 || got["orgadmin@b.example"] != 1 {
		t.Errorf("org admin of B sees keys of %v, want org B's users", got)
	}
	if got := owners(e.Admin.Key); len(got) != 6 || got["publisher@a.example"] != 2 {
		t.Errorf("site admin sees keys of %v, want everyone's", got)
	}
	if list := e.call(t, "GET", fmt.Sprintf("/auth_keys/index/%d", e.BUser.User.ID), e.AUser.Key, nil, http.StatusOK).([]any); len(list) != 0 {
		t.Errorf("user lists another user's keys: %v", list)
	}

	adminKey, bUserKey, aUserKey := e.keyID(t, e.Admin), e.keyID(t, e.BUser), e.keyID(t, e.AUser)
	before := e.adminState(t)
	for _, tt := range []struct {
		name, method, path, key string
		status                  int
	}{
		{"user views the admin's key", "GET", "/auth_keys/view/" + adminKey, e.AUser.Key, http.StatusNotFound},
		{"user adds a key for B's user", "POST", fmt.Sprintf("/auth_keys/add/%d", e.BUser.User.ID), e.AUser.Key, http.StatusMethodNotAllowed},
		{"org admin adds a key for A's user", "POST", fmt.Sprintf("/auth_keys/add/%d", e.AUser.User.ID), e.BOrgAdmin.Key, http.StatusMethodNotAllowed},
		{"org admin adds a key for the site admin", "POST", fmt.Sprintf("/auth_keys/add/%d", e.Admin.User.ID), e.BOrgAdmin.Key, http.StatusMethodNotAllowed},
		{"add for no such user", "POST", "/auth_keys/add/999", e.AUser.Key, http.StatusMethodNotAllowed},
		{"site admin adds for no such user", "POST", "/auth_keys/add/999", e.Admin.Key, http.StatusForbidden},
		{"org admin edits A's key", "POST", "/auth_keys/edit/" + aUserKey, e.BOrgAdmin.Key, http.StatusNotFound},
		{"org admin deletes A's key", "POST", "/auth_keys/delete/" + aUserKey, e.BOrgAdmin.Key, http.StatusNotFound},
		{"user deletes B's key", "DELETE", "/auth_keys/delete/" + bUserKey, e.AUser.Key, http.StatusNotFound},
		{"delete by GET", "GET", "/auth_keys/delete/" + aUserKey, e.AUser.Key, http.StatusMethodNotAllowed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.callObj(t, tt.method, tt.path, tt.key, map[string]any{"comment": "x"}, tt.status)
		})
	}
	e.assertAdminUnchanged(t, before)

	k, _ := e.addKey(t, fmt.Sprintf("/auth_keys/add/%d", e.BUser.User.ID), e.BOrgAdmin.Key, map[string]any{"comment": "for B's user"})
	if k["user_id"] != idStr(e.BUser.User.ID) {
		t.Errorf("org admin's key for B's user belongs to %v", k["user_id"])
	}
	k, _ = e.addKey(t, fmt.Sprintf("/auth_keys/add/%d", e.AUser.User.ID), e.Admin.Key, nil)
	if k["user_id"] != idStr(e.AUser.User.ID) {
		t.Errorf("site admin's key for A's user belongs to %v", k["user_id"])
	}
	e.callObj(t, "POST", "/auth_keys/delete/"+bUserKey, e.BOrgAdmin.Key, nil, http.StatusOK)
}

// TestAuthKeyEdit changes a key's settings; the raw key keeps working.
func TestAuthKeyEdit(t *testing.T) {
	e := newTestEnv(t)
	k, raw := e.addKey(t, "/auth_keys/add", e.AUser.Key, map[string]any{"comment": "ci"})
	m := e.callObj(t, "POST", "/auth_keys/edit/"+k["id"].(string), e.AUser.Key, map[string]any{"AuthKey": map[string]any{
		"comment": "ci runner", "allowed_ips": []string{"127.0.0.1"}, "expiration": "2027-01-01",
	}}, http.StatusOK)
	got := dig(t, m, "AuthKey").(obj)
	if got["comment"] != "ci runner" || got["uuid"] != k["uuid"] || got["authkey_start"] != k["authkey_start"] ||
		got["expiration"] != fmt.Sprint(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) {
		t.Errorf("edited key = %v", got)
	}
	if ips, _ := got["allowed_ips"].([]any); len(ips) != 1 {
		t.Errorf("allowed_ips = %v", got["allowed_ips"])
	}
	e.callObj(t, "GET", "/users/view/me", raw, nil, http.StatusOK)

	m = e.callObj(t, "POST", "/auth_keys/edit/"+got["id"].(string), e.AUser.Key, map[string]any{"read_only": true}, http.StatusOK)
	if dig(t, m, "AuthKey", "read_only") != true || dig(t, m, "AuthKey", "comment") != "ci runner" {
		t.Errorf("edited key = %v", m)
	}
	e.callObj(t, "POST", "/auth_keys/add", raw, nil, http.StatusForbidden)
}
