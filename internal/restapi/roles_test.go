package restapi

import (
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
