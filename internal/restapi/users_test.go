package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/misp"
)

// adminState dumps what the admin endpoints can change — organisations,
// users and auth keys (without their usage data, which every request may
// touch) — for "the request changed nothing" assertions.
func (e *testEnv) adminState(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	orgs, err := e.DB.FindOrgs(ctx, misp.OrgFilter{Scope: "all"})
	if err != nil {
		t.Fatalf("FindOrgs: %v", err)
	}
	users, err := e.DB.FindUsers(ctx, misp.UserFilter{})
	if err != nil {
		t.Fatalf("FindUsers: %v", err)
	}
	keys, err := e.DB.FindAuthKeys(ctx, misp.AuthKeyFilter{})
	if err != nil {
		t.Fatalf("FindAuthKeys: %v", err)
	}
	var lines []string
	for _, o := range orgs {
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, "org "+string(b))
	}
	for _, u := range users {
		b, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("user %s hash=%q", b, u.PasswordHash))
	}
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("key %d %s user=%d %s…%s exp=%d ro=%v ips=%v comment=%q",
			k.ID, k.UUID, k.UserID, k.AuthkeyStart, k.AuthkeyEnd, k.Expiration, k.ReadOnly, k.AllowedIPs, k.Comment))
	}
	return strings.Join(lines, "\n")
}

// assertAdminUnchanged fails the test if the admin state differs from before.
func (e *testEnv) assertAdminUnchanged(t *testing.T, before string) {
	t.Helper()
	if diff := cmp.Diff(before, e.adminState(t)); diff != "" {
		t.Errorf("admin state changed (-before +after):\n%s", diff)
	}
}

// idStr renders an id as MISP does on the wire.
func idStr(id misp.Int) string { return fmt.Sprint(int64(id)) }

// userPath formats a path with a user's id.
func userPath(format string, u *testUser) string { return fmt.Sprintf(format, u.User.ID) }

// TestUsersViewOthers checks users/view/{id}: own id, or any id for a
// site admin; 404 otherwise.
func TestUsersViewOthers(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name   string
		key    string
		path   string
		status int
	}{
		{"own id", e.AUser.Key, userPath("/users/view/%d", e.AUser), http.StatusOK},
		{"other user", e.AUser.Key, userPath("/users/view/%d", e.BUser), http.StatusNotFound},
		{"org admin, other org", e.BOrgAdmin.Key, userPath("/users/view/%d", e.AUser), http.StatusNotFound},
		{"site admin", e.Admin.Key, userPath("/users/view/%d", e.BUser), http.StatusOK},
		{"site admin, no such user", e.Admin.Key, "/users/view/999", http.StatusNotFound},
		{"garbage id", e.AUser.Key, "/users/view/x", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := e.callObj(t, "GET", tt.path, tt.key, nil, tt.status)
			if tt.status == http.StatusOK {
				if _, ok := m["Role"]; !ok {
					t.Errorf("no Role in %v", m)
				}
			}
		})
	}
}

// TestAdminUsersRefusedToNonAdmins checks that users without perm_admin,
// and read-only keys, get MISP's 403 on every admin user endpoint.
func TestAdminUsersRefusedToNonAdmins(t *testing.T) {
	e := newTestEnv(t)
	before := e.adminState(t)
	reqs := []struct{ method, path string }{
		{"GET", "/admin/users"},
		{"GET", "/admin/users/index"},
		{"GET", userPath("/admin/users/view/%d", e.AUser)},
		{"POST", "/admin/users/add"},
		{"POST", userPath("/admin/users/edit/%d", e.AUser)},
		{"POST", userPath("/admin/users/delete/%d", e.AUser)},
	}
	for _, key := range []struct{ name, key string }{
		{"user", e.AUser.Key}, {"publisher", e.APublisher.Key}, {"read-only key", e.PublisherRO},
	} {
		for _, rq := range reqs {
			t.Run(key.name+" "+rq.method+" "+rq.path, func(t *testing.T) {
				m := e.callObj(t, rq.method, rq.path, key.key, map[string]any{"email": "x@a.example", "disabled": true}, http.StatusForbidden)
				if m["message"] != "You do not have permission to use this functionality." {
					t.Errorf("answer %v, want MISP's ACL message", m)
				}
			})
		}
	}
	e.assertAdminUnchanged(t, before)
}

// TestOrgAdminConfinedToOwnOrg checks misp-access-control §8.3 and §9 for
// the org admin of B: only B's users, no site admins, no escalation.
func TestOrgAdminConfinedToOwnOrg(t *testing.T) {
	e := newTestEnv(t)
	key := e.BOrgAdmin.Key

	t.Run("index lists only org B", func(t *testing.T) {
		list, ok := e.call(t, "GET", "/admin/users/index", key, nil, http.StatusOK).([]any)
		if !ok || len(list) != 2 {
			t.Fatalf("index = %v, want the 2 users of org B", list)
		}
		for i := range list {
			if got := dig(t, list, i, "User", "org_id"); got != idStr(e.OrgB.ID) {
				t.Errorf("index[%d] org_id = %v, want %s", i, got, idStr(e.OrgB.ID))
			}
			for _, k := range []string{"id", "name", "perm_auth", "perm_site_admin", "perm_admin"} {
				dig(t, list, i, "Role", k)
			}
			dig(t, list, i, "Organisation", "name")
		}
	})

	before := e.adminState(t)
	refused := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"view A's user", "GET", userPath("/admin/users/view/%d", e.AUser), nil, http.StatusNotFound},
		{"edit A's user", "POST", userPath("/admin/users/edit/%d", e.AUser), map[string]any{"disabled": true}, http.StatusNotFound},
		{"delete A's user", "POST", userPath("/admin/users/delete/%d", e.AUser), nil, http.StatusNotFound},
		{"delete the site admin", "DELETE", userPath("/admin/users/delete/%d", e.Admin), nil, http.StatusNotFound},
		{"create a site admin", "POST", "/admin/users/add", map[string]any{"email": "evil@b.example", "role_id": misp.RoleAdmin}, http.StatusForbidden},
		{"create a sync user", "POST", "/admin/users/add", map[string]any{"User": map[string]any{"email": "sync@b.example", "role_id": "5"}}, http.StatusForbidden},
		{"escalate B's user to site admin", "POST", userPath("/admin/users/edit/%d", e.BUser), map[string]any{"role_id": misp.RoleAdmin}, http.StatusForbidden},
		{"escalate self to site admin", "PUT", userPath("/admin/users/edit/%d", e.BOrgAdmin), map[string]any{"User": map[string]any{"role_id": 1}}, http.StatusForbidden},
		{"escalate to sync user", "POST", userPath("/admin/users/edit/%d", e.BUser), map[string]any{"role_id": misp.RoleSyncUser}, http.StatusForbidden},
		{"non-existent role", "POST", userPath("/admin/users/edit/%d", e.BUser), map[string]any{"role_id": 99}, http.StatusForbidden},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			m := e.callObj(t, tt.method, tt.path, key, tt.body, tt.status)
			if tt.status == http.StatusForbidden && m["saved"] != false {
				t.Errorf("answer %v, want a save failure", m)
			}
		})
	}
	e.assertAdminUnchanged(t, before)

	t.Run("new users land in org B", func(t *testing.T) {
		m := e.callObj(t, "POST", "/admin/users/add", key, map[string]any{"email": "new@b.example", "org_id": e.OrgA.ID}, http.StatusOK)
		if got := dig(t, m, "User", "org_id"); got != idStr(e.OrgB.ID) {
			t.Errorf("org_id = %v, want org B (%s)", got, idStr(e.OrgB.ID))
		}
		if got := dig(t, m, "User", "role_id"); got != "3" {
			t.Errorf("role_id = %v, want the default role 3", got)
		}
	})
	t.Run("org_id of an edit is ignored", func(t *testing.T) {
		m := e.callObj(t, "POST", userPath("/admin/users/edit/%d", e.BUser), key,
			map[string]any{"org_id": e.OrgA.ID, "autoalert": true}, http.StatusOK)
		if got := dig(t, m, "User", "org_id"); got != idStr(e.OrgB.ID) {
			t.Errorf("org_id = %v, want org B", got)
		}
		if got := dig(t, m, "User", "autoalert"); got != true {
			t.Errorf("autoalert = %v, want true", got)
		}
	})
	t.Run("may make a user org admin", func(t *testing.T) {
		m := e.callObj(t, "POST", userPath("/admin/users/edit/%d", e.BUser), key, map[string]any{"role_id": misp.RoleOrgAdmin}, http.StatusOK)
		if got := dig(t, m, "User", "role_id"); got != "2" {
			t.Errorf("role_id = %v, want 2", got)
		}
	})
}

// TestAddUser covers admin/users/add by a site admin.
func TestAddUser(t *testing.T) {
	e := newTestEnv(t)
	key := e.Admin.Key

	t.Run("GET describes the API", func(t *testing.T) {
		m := e.callObj(t, "GET", "/admin/users/add", key, nil, http.StatusOK)
		if m["description"] == "" || m["mandatory_fields"] == nil {
			t.Errorf("API description = %v", m)
		}
	})

	m := e.callObj(t, "POST", "/admin/users/add", key, map[string]any{"User": map[string]any{
		"email": " New.User@B.example ", "org_id": e.OrgB.ID, "role_id": misp.RolePublisher, "password": "Correct-horse-9",
	}}, http.StatusOK)
	u := dig(t, m, "User").(obj)
	if u["email"] != "new.user@b.example" || u["org_id"] != idStr(e.OrgB.ID) || u["role_id"] != "4" {
		t.Errorf("User = %v", u)
	}
	if u["password"] != "******" {
		t.Errorf("password = %v, want ******", u["password"])
	}
	if _, ok := u["server_id"]; !ok {
		t.Errorf("add answer lacks server_id: %v", u)
	}
	raw, _ := u["authkey"].(string)
	if !auth.ValidKeyFormat(raw) {
		t.Fatalf("authkey = %q, want a fresh 40-character key", raw)
	}
	me := e.callObj(t, "GET", "/users/view/me", raw, nil, http.StatusOK)
	if got := dig(t, me, "User", "email"); got != "new.user@b.example" {
		t.Errorf("the new key authenticates as %v", got)
	}
	stored, err := e.DB.FindUserByEmail(context.Background(), "new.user@b.example")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(stored.PasswordHash, "Correct-horse-9") {
		t.Errorf("stored password hash does not match the password sent")
	}
	if int64(stored.InviterID) != int64(e.Admin.User.ID) {
		t.Errorf("invited_by = %d, want %d", stored.InviterID, e.Admin.User.ID)
	}

	t.Run("defaults: own org, default role, generated password", func(t *testing.T) {
		m := e.callObj(t, "POST", "/admin/users/add", key, map[string]any{"email": "bare@a.example"}, http.StatusOK)
		if dig(t, m, "User", "org_id") != idStr(e.OrgA.ID) || dig(t, m, "User", "role_id") != "3" {
			t.Errorf("User = %v", m["User"])
		}
		u, err := e.DB.FindUserByEmail(context.Background(), "bare@a.example")
		if err != nil {
			t.Fatal(err)
		}
		if u.PasswordHash == "" {
			t.Errorf("no password hash stored")
		}
	})

	before := e.adminState(t)
	bad := []struct {
		name   string
		body   any
		status int
		check  func(t *testing.T, m obj)
	}{
		{"missing email", map[string]any{"User": map[string]any{"role_id": 3}}, http.StatusForbidden, func(t *testing.T, m obj) {
			if got := dig(t, m, "errors", "email"); got != "Mandatory field not set." {
				t.Errorf("errors.email = %v", got)
			}
			if m["saved"] != false || m["name"] != "Could not add User" {
				t.Errorf("answer %v", m)
			}
		}},
		{"malformed JSON", `{"User": {"email": "x@a.example"`, http.StatusMethodNotAllowed, nil},
		{"duplicate email", map[string]any{"email": "USER@a.example"}, http.StatusForbidden, func(t *testing.T, m obj) {
			dig(t, m, "errors", "email")
		}},
		{"invalid email", map[string]any{"email": "not an address"}, http.StatusForbidden, nil},
		{"weak password", map[string]any{"email": "weak@a.example", "password": "short"}, http.StatusForbidden, func(t *testing.T, m obj) {
			dig(t, m, "errors", "password")
		}},
		{"unknown organisation", map[string]any{"email": "x@a.example", "org_id": 99}, http.StatusForbidden, nil},
		{"unknown role", map[string]any{"email": "x@a.example", "role_id": 99}, http.StatusMethodNotAllowed, nil},
		{"wrong type", map[string]any{"email": []string{"x@a.example"}}, http.StatusForbidden, nil},
		{"a list", `[1,2]`, http.StatusForbidden, nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			m := e.callObj(t, "POST", "/admin/users/add", key, tt.body, tt.status)
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
	e.assertAdminUnchanged(t, before)
}

// TestEditUser covers admin/users/edit by a site admin, and that a
// disabled user's keys stop working with MISP's message.
func TestEditUser(t *testing.T) {
	e := newTestEnv(t)
	key := e.Admin.Key
	path := userPath("/admin/users/edit/%d", e.BUser)

	m := e.callObj(t, "POST", path, key, map[string]any{"User": map[string]any{
		"email": "renamed@b.example", "role_id": misp.RolePublisher, "nids_sid": 4000001, "password": "Another-good-pw-1",
	}}, http.StatusOK)
	u := dig(t, m, "User").(obj)
	if u["email"] != "renamed@b.example" || u["role_id"] != "4" || u["nids_sid"] != "4000001" || u["password"] != "******" {
		t.Errorf("User = %v", u)
	}
	stored, err := e.DB.FindUserByID(context.Background(), int64(e.BUser.User.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(stored.PasswordHash, "Another-good-pw-1") {
		t.Errorf("password not changed")
	}

	before := e.adminState(t)
	for _, tt := range []struct {
		name   string
		path   string
		body   any
		status int
	}{
		{"email taken", path, map[string]any{"email": "admin@a.example"}, http.StatusForbidden},
		{"bad email", path, map[string]any{"email": "nope"}, http.StatusForbidden},
		{"unknown role", path, map[string]any{"role_id": 99}, http.StatusForbidden},
		{"unknown org", path, map[string]any{"org_id": 99}, http.StatusForbidden},
		{"malformed JSON", path, "{", http.StatusMethodNotAllowed},
		{"no such user", "/admin/users/edit/999", map[string]any{"disabled": true}, http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.call(t, "POST", tt.path, key, tt.body, tt.status)
		})
	}
	e.assertAdminUnchanged(t, before)

	t.Run("disabled user is refused", func(t *testing.T) {
		e.callObj(t, "POST", path, key, map[string]any{"disabled": true}, http.StatusOK)
		m := e.callObj(t, "GET", "/users/view/me", e.BUser.Key, nil, http.StatusForbidden)
		if m["message"] != auth.MsgDisabledUser {
			t.Errorf("answer %v, want %q", m, auth.MsgDisabledUser)
		}
		e.callObj(t, "POST", path, key, map[string]any{"disabled": 0}, http.StatusOK)
		e.callObj(t, "GET", "/users/view/me", e.BUser.Key, nil, http.StatusOK)
	})
}

// TestDeleteUser covers admin/users/delete: the keys of a deleted user
// stop working, and nobody can delete themselves.
func TestDeleteUser(t *testing.T) {
	e := newTestEnv(t)
	before := e.adminState(t)
	e.callObj(t, "POST", userPath("/admin/users/delete/%d", e.Admin), e.Admin.Key, nil, http.StatusForbidden)
	e.callObj(t, "POST", userPath("/admin/users/delete/%d", e.BOrgAdmin), e.BOrgAdmin.Key, nil, http.StatusForbidden)
	e.callObj(t, "GET", userPath("/admin/users/delete/%d", e.BUser), e.Admin.Key, nil, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/admin/users/delete/999", e.Admin.Key, nil, http.StatusNotFound)
	e.assertAdminUnchanged(t, before)

	m := e.callObj(t, "POST", userPath("/admin/users/delete/%d", e.BUser), e.BOrgAdmin.Key, nil, http.StatusOK)
	if m["saved"] != true || m["id"] != idStr(e.BUser.User.ID) {
		t.Errorf("answer %v, want a save success", m)
	}
	got := e.callObj(t, "GET", "/users/view/me", e.BUser.Key, nil, http.StatusForbidden)
	if got["message"] != auth.MsgAuthFailed {
		t.Errorf("deleted user's key: %v, want %q", got, auth.MsgAuthFailed)
	}
	e.callObj(t, "DELETE", userPath("/admin/users/delete/%d", e.AUser), e.Admin.Key, nil, http.StatusOK)
	e.callObj(t, "GET", userPath("/admin/users/view/%d", e.AUser), e.Admin.Key, nil, http.StatusNotFound)
}

// TestListUsersFilters covers the site admin's index and its named filters.
func TestListUsersFilters(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name string
		path string
		want []string
	}{
		{"all", "/admin/users", []string{"admin@a.example", "user@a.example", "publisher@a.example", "readonly@a.example", "user@b.example", "orgadmin@b.example"}},
		{"value (PyMISP search)", "/admin/users/index/value:publisher", []string{"publisher@a.example"}},
		{"value matches the org name", "/admin/users/index/value:orgname-b", []string{"user@b.example", "orgadmin@b.example"}},
		{"searchorg (PyMISP organisation)", fmt.Sprintf("/admin/users/index/searchorg:%d", e.OrgB.ID), []string{"user@b.example", "orgadmin@b.example"}},
		{"searchorg by uuid", "/admin/users/index/searchorg:" + e.OrgB.UUID, []string{"user@b.example", "orgadmin@b.example"}},
		{"searchemail with OR and NOT", "/admin/users/index/searchemail:user|!orgadmin", []string{"user@a.example", "user@b.example"}},
		{"searchrole", "/admin/users/index/searchrole:6", []string{"readonly@a.example"}},
		{"query string", "/admin/users/index?searchemail=readonly", []string{"readonly@a.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, ok := e.call(t, "GET", tt.path, e.Admin.Key, nil, http.StatusOK).([]any)
			if !ok {
				t.Fatalf("answer is not a list")
			}
			got := []string{}
			for i := range list {
				got = append(got, dig(t, list, i, "User", "email").(string))
				if _, ok := dig(t, list, i, "User").(obj)["password_hash"]; ok {
					t.Errorf("index leaks the password hash")
				}
			}
			if tt.want == nil {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET %s emails (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}
