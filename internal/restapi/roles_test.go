package restapi

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// TestRoles covers roles/index and roles/view: every user may read them,
// with the virtual permission level MISP computes.
func TestRoles(t *testing.T) {
	e := newTestEnv(t)
	want := []struct{ name, permission, description string }{
		{"admin", "3", "publish"},
		{"Org Admin", "3", "publish"},
		{"User", "2", "manage_org"},
		{"Publisher", "3", "publish"},
		{"Sync user", "3", "publish"},
		{"Read Only", "0", "read_only"},
	}
	for _, path := range []string{"/roles", "/roles/index", "/roles/index.json"} {
		t.Run(path, func(t *testing.T) {
			list, ok := e.call(t, "GET", path, e.AReadOnly.Key, nil, http.StatusOK).([]any)
			if !ok || len(list) != len(want) {
				t.Fatalf("GET %s = %v, want %d roles", path, list, len(want))
			}
			for i, w := range want {
				r := dig(t, list, i, "Role").(obj)
				if r["name"] != w.name || r["permission"] != w.permission || r["permission_description"] != w.description {
					t.Errorf("role %d = %v/%v/%v, want %+v", i, r["name"], r["permission"], r["permission_description"], w)
				}
				if _, ok := r["perm_full"]; ok {
					t.Errorf("role %d has perm_full", i)
				}
			}
			if dig(t, list, 2, "Role", "default") != true {
				t.Errorf("role User is not marked default")
			}
		})
	}

	m := e.callObj(t, "GET", "/roles/view/6", e.AUser.Key, nil, http.StatusOK)
	if dig(t, m, "Role", "name") != "Read Only" || dig(t, m, "Role", "perm_auth") != true {
		t.Errorf("roles/view/6 = %v", m)
	}
	m = e.callObj(t, "GET", "/roles/view/99", e.AUser.Key, nil, http.StatusNotFound)
	if m["message"] != "Invalid Role." {
		t.Errorf("roles/view/99 = %v", m)
	}
	e.callObj(t, "GET", "/roles/view/x", e.AUser.Key, nil, http.StatusNotFound)
}

// TestRoleManagement covers admin/roles/add, edit, delete and set_default
// by a site admin: MISP's shapes, the permission level, validation, and
// that a role's new flags apply to its users' next request.
func TestRoleManagement(t *testing.T) {
	e := newTestEnv(t)
	key := e.Admin.Key
	flags := func(t *testing.T, role obj, want map[string]bool) {
		t.Helper()
		for k, v := range want {
			if role[k] != v {
				t.Errorf("%s = %v, want %v in %v", k, role[k], v, role)
			}
		}
	}

	m := e.callObj(t, "GET", "/admin/roles/add", key, nil, http.StatusOK)
	if m["mandatory_fields"] == nil || m["url"] != "/admin/roles/add" {
		t.Errorf("GET admin/roles/add = %v, want the API description", m)
	}

	var analystID string
	t.Run("add", func(t *testing.T) {
		m := e.callObj(t, "POST", "/admin/roles/add", key, obj{"Role": obj{
			"name": "Analyst", "permission": "manage_own", "perm_tagger": 1, "perm_sighting": "1",
			"id": 1, "default_role": false, "perm_site_admin": false,
		}}, http.StatusOK)
		role := dig(t, m, "Role").(obj)
		analystID, _ = role["id"].(string)
		if analystID == "" || analystID == "1" || role["name"] != "Analyst" {
			t.Fatalf("added role = %v", role)
		}
		if role["permission"] != "1" || role["permission_description"] != "manage_own" {
			t.Errorf("permission = %v/%v, want 1/manage_own", role["permission"], role["permission_description"])
		}
		flags(t, role, map[string]bool{"perm_add": true, "perm_modify": true, "perm_modify_org": false,
			"perm_publish": false, "perm_tagger": true, "perm_sighting": true, "perm_site_admin": false, "default_role": false})

		for _, tt := range []struct {
			name       string
			permission any
			level      string
		}{
			{"number", 2, "2"},
			{"numeric string", "3", "3"},
			{"name", "publish", "3"},
			{"read_only", "read_only", "0"},
		} {
			t.Run("permission as "+tt.name, func(t *testing.T) {
				body := obj{"name": "Level " + tt.name, "permission": tt.permission, "perm_add": true}
				role := dig(t, e.callObj(t, "POST", "/admin/roles/add", key, body, http.StatusOK), "Role").(obj)
				if role["permission"] != tt.level {
					t.Errorf("permission = %v, want %s", role["permission"], tt.level)
				}
			})
		}
		t.Run("without permission the perm flags of the body apply", func(t *testing.T) {
			role := dig(t, e.callObj(t, "POST", "/admin/roles/add", key,
				obj{"name": "Flags only", "perm_add": true, "perm_modify_org": true}, http.StatusOK), "Role").(obj)
			flags(t, role, map[string]bool{"perm_add": true, "perm_modify": false, "perm_modify_org": true, "perm_publish": false})
		})
	})

	t.Run("add refused", func(t *testing.T) {
		before := roleState(t, e)
		tests := []struct {
			name  string
			body  any
			field string
		}{
			{"no name", obj{"Role": obj{"perm_add": true}}, "name"},
			{"blank name", obj{"name": "  "}, "name"},
			{"taken name", obj{"name": "publisher"}, "name"},
			{"unknown permission", obj{"name": "X", "permission": "superuser"}, "permission"},
			{"permission out of range", obj{"name": "X", "permission": 4}, "permission"},
			{"bad memory limit", obj{"name": "X", "memory_limit": "lots"}, "memory_limit"},
			{"bad flag", obj{"name": "X", "perm_add": "maybe"}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := e.callObj(t, "POST", "/admin/roles/add", key, tt.body, http.StatusForbidden)
				if m["saved"] != false || m["name"] != "Could not add role" {
					t.Errorf("answer %v, want MISP's save failure", m)
				}
				if tt.field != "" {
					dig(t, m, "errors", tt.field)
				}
			})
		}
		if after := roleState(t, e); after != before {
			t.Errorf("refused adds changed the roles:\n%s\nwant:\n%s", after, before)
		}
	})

	t.Run("edit", func(t *testing.T) {
		path := "/admin/roles/edit/" + analystID
		// No permission: the four flags stay (Razmena's deviation from MISP,
		// which would clear them).
		role := dig(t, e.callObj(t, "POST", path, key, obj{"Role": obj{"name": "Senior analyst", "perm_audit": true}}, http.StatusOK), "Role").(obj)
		if role["name"] != "Senior analyst" || role["permission"] != "1" {
			t.Errorf("edited role = %v, want the new name and permission 1 kept", role)
		}
		flags(t, role, map[string]bool{"perm_add": true, "perm_modify": true, "perm_audit": true, "perm_tagger": true})
		role = dig(t, e.callObj(t, "PUT", path, key, obj{"permission": 0, "created": "1999-01-01 00:00:00", "id": 1}, http.StatusOK), "Role").(obj)
		flags(t, role, map[string]bool{"perm_add": false, "perm_modify": false, "perm_tagger": true})
		if role["id"] != analystID {
			t.Errorf("edit changed the id: %v", role)
		}
		v := dig(t, e.callObj(t, "GET", "/roles/view/"+analystID, key, nil, http.StatusOK), "Role").(obj)
		if v["permission"] != "0" || v["created"] == "1999-01-01 00:00:00" {
			t.Errorf("roles/view after edits = %v", v)
		}

		e.callObj(t, "POST", "/admin/roles/edit/99", key, obj{"name": "x"}, http.StatusNotFound)
		m := e.callObj(t, "POST", path, key, obj{"name": "Org Admin"}, http.StatusForbidden)
		dig(t, m, "errors", "name")
		m = e.callObj(t, "POST", "/admin/roles/edit/3", key, obj{"default_role": false}, http.StatusForbidden)
		dig(t, m, "errors", "default_role")
	})

	t.Run("flag changes apply to the next request", func(t *testing.T) {
		ev := e.mustEvent(t, e.AUser, "tag me")
		tag := e.callObj(t, "POST", "/tags/add", e.Admin.Key, obj{"name": "role-test"}, http.StatusOK)
		tagID := dig(t, tag, "Tag", "id").(string)
		path := "/events/addTag/" + ev + "/" + tagID
		e.callObj(t, "POST", "/admin/roles/edit/3", key, obj{"perm_tagger": false}, http.StatusOK)
		m := e.callObj(t, "POST", path, e.AUser.Key, nil, http.StatusForbidden)
		if m["message"] != "You do not have permission to use this functionality." {
			t.Errorf("addTag without perm_tagger = %v", m)
		}
		e.callObj(t, "POST", "/admin/roles/edit/3", key, obj{"perm_tagger": true}, http.StatusOK)
		m = e.callObj(t, "POST", path, e.AUser.Key, nil, http.StatusOK)
		if m["saved"] != true {
			t.Errorf("addTag with perm_tagger again = %v", m)
		}
	})

	t.Run("set_default", func(t *testing.T) {
		m := e.callObj(t, "POST", "/admin/roles/set_default/"+analystID, key, nil, http.StatusOK)
		if m["saved"] != true || m["message"] != "Default role set." || m["id"] != analystID {
			t.Errorf("set_default = %v", m)
		}
		list := e.call(t, "GET", "/roles/index", e.AUser.Key, nil, http.StatusOK).([]any)
		var defaults []any
		for i := range list {
			if dig(t, list, i, "Role", "default") == true {
				defaults = append(defaults, dig(t, list, i, "Role", "id"))
			}
		}
		if len(defaults) != 1 || defaults[0] != analystID {
			t.Errorf("default roles = %v, want [%s]", defaults, analystID)
		}
		u := e.callObj(t, "POST", "/admin/users/add", key, obj{"email": "new@a.example"}, http.StatusOK)
		if got := dig(t, u, "User", "role_id"); got != analystID {
			t.Errorf("new user's role = %v, want the default %s", got, analystID)
		}
		for _, id := range []string{"99", "x"} {
			m := e.callObj(t, "POST", "/admin/roles/set_default/"+id, key, nil, http.StatusForbidden)
			if m["saved"] != false || m["errors"] != "Invalid Role." {
				t.Errorf("set_default/%s = %v", id, m)
			}
		}
		// default_role on an edit does the same.
		e.callObj(t, "POST", "/admin/roles/edit/3", key, obj{"default_role": true}, http.StatusOK)
		if dig(t, e.callObj(t, "GET", "/roles/view/3", key, nil, http.StatusOK), "Role", "default_role") != true {
			t.Errorf("edit with default_role did not make role 3 the default")
		}
	})

	t.Run("delete", func(t *testing.T) {
		m := e.callObj(t, "POST", "/admin/roles/delete/4", key, nil, http.StatusForbidden)
		if m["saved"] != false || m["name"] != "Could not delete Role" || m["errors"] != msgRoleInUse {
			t.Errorf("delete of a role in use = %v", m)
		}
		e.callObj(t, "POST", "/admin/roles/delete/99", key, nil, http.StatusNotFound)
		unused := dig(t, e.callObj(t, "POST", "/admin/roles/add", key, obj{"name": "Unused"}, http.StatusOK), "Role", "id").(string)
		e.callObj(t, "POST", "/admin/roles/set_default/"+unused, key, nil, http.StatusOK)
		before := roleState(t, e)
		m = e.callObj(t, "DELETE", "/admin/roles/delete/"+unused, key, nil, http.StatusForbidden)
		if m["errors"] != msgRoleIsDefault {
			t.Errorf("delete of the default role = %v, want %q", m, msgRoleIsDefault)
		}
		if after := roleState(t, e); after != before {
			t.Errorf("refused deletes changed the roles:\n%s\nwant:\n%s", after, before)
		}
		e.callObj(t, "POST", "/admin/roles/set_default/3", key, nil, http.StatusOK)
		m = e.callObj(t, "DELETE", "/admin/roles/delete/"+unused, key, nil, http.StatusOK)
		if m["saved"] != true || m["message"] != "Role deleted." || m["id"] != unused {
			t.Errorf("delete = %v", m)
		}
		e.callObj(t, "GET", "/roles/view/"+unused, key, nil, http.StatusNotFound)
	})
}

// mustEvent creates an event with one attribute as u and returns its id.
func (e *testEnv) mustEvent(t *testing.T, u *testUser, info string) string {
	t.Helper()
	out := e.callObj(t, "POST", "/events/add", u.Key, obj{"Event": obj{"info": info,
		"Attribute": []any{obj{"type": "ip-dst", "value": "203.0.113.99"}}}}, http.StatusOK)
	return dig(t, out, "Event", "id").(string)
}

// roleState dumps every role, for "nothing changed" assertions.
func roleState(t *testing.T, e *testEnv) string {
	t.Helper()
	roles, err := e.DB.FindRoles(context.Background())
	if err != nil {
		t.Fatalf("FindRoles: %v", err)
	}
	b, err := json.Marshal(roles)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
