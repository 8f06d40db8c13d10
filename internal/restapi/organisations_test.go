package restapi

import (
	"net/http"
	"net/url"
	"testing"
)

// orgNames returns the organisation names of an organisations/index answer.
func orgNames(t *testing.T, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("answer %v is not a list", v)
	}
	names := []string{}
	for i := range list {
		names = append(names, dig(t, list, i, "Organisation", "name").(string))
	}
	return names
}

// TestListOrgs covers organisations/index: scopes, search, user counts and
// created_by visibility.
func TestListOrgs(t *testing.T) {
	e := newTestEnv(t)
	e.callObj(t, "POST", "/admin/organisations/add", e.Admin.Key,
		map[string]any{"name": "Remote CERT", "local": false, "sector": "Government"}, http.StatusOK)

	tests := []struct {
		name string
		path string
		want []string
	}{
		{"default scope is local", "/organisations", []string{"ORGNAME-A", "ORGNAME-B"}},
		{"index", "/organisations/index", []string{"ORGNAME-A", "ORGNAME-B"}},
		{"external", "/organisations/index/scope:external", []string{"Remote CERT"}},
		{"all", "/organisations/index/scope:all", []string{"ORGNAME-A", "ORGNAME-B", "Remote CERT"}},
		{"searchall (PyMISP)", "/organisations/index/scope:all/searchall:govern", []string{"Remote CERT"}},
		{"searchall by uuid", "/organisations/index/searchall:22222222", []string{"ORGNAME-B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := orgNames(t, e.call(t, "GET", tt.path, e.AUser.Key, nil, http.StatusOK))
			if len(got) != len(tt.want) {
				t.Fatalf("GET %s = %v, want %v", tt.path, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("GET %s = %v, want %v", tt.path, got, tt.want)
				}
			}
		})
	}

	list := e.call(t, "GET", "/organisations/index", e.AUser.Key, nil, http.StatusOK)
	a := dig(t, list, 0, "Organisation").(obj)
	if a["user_count"] != "4" {
		t.Errorf("ORGNAME-A user_count = %v, want \"4\"", a["user_count"])
	}
	if _, ok := a["created_by"]; ok {
		t.Errorf("a plain user sees created_by: %v", a)
	}
	list = e.call(t, "GET", "/organisations/index", e.Admin.Key, nil, http.StatusOK)
	if got := dig(t, list, 0, "Organisation", "created_by_email"); got != "Unknown" {
		t.Errorf("created_by_email for a fixture org = %v, want Unknown", got)
	}
}

// TestViewOrg covers organisations/view by id, UUID and name, and HEAD.
func TestViewOrg(t *testing.T) {
	e := newTestEnv(t)
	for _, ref := range []string{idStr(e.OrgB.ID), e.OrgB.UUID, "ORGNAME-B", idStr(e.OrgB.ID) + ".json"} {
		t.Run(ref, func(t *testing.T) {
			m := e.callObj(t, "GET", "/organisations/view/"+url.PathEscape(ref), e.AUser.Key, nil, http.StatusOK)
			if dig(t, m, "Organisation", "name") != "ORGNAME-B" || dig(t, m, "Organisation", "user_count") != "2" {
				t.Errorf("view %s = %v", ref, m)
			}
			if _, ok := dig(t, m, "Organisation").(obj)["created_by"]; ok {
				t.Errorf("a user of another org sees created_by")
			}
		})
	}
	m := e.callObj(t, "GET", "/organisations/view/"+idStr(e.OrgB.ID), e.BOrgAdmin.Key, nil, http.StatusOK)
	dig(t, m, "Organisation", "created_by")

	t.Run("name with a space, as PyMISP writes it", func(t *testing.T) {
		e.callObj(t, "POST", "/admin/organisations/add", e.Admin.Key, map[string]any{"name": "Blue Team"}, http.StatusOK)
		m := e.callObj(t, "GET", "/organisations/view/Blue+Team", e.AUser.Key, nil, http.StatusOK)
		if dig(t, m, "Organisation", "name") != "Blue Team" {
			t.Errorf("view Blue+Team = %v", m)
		}
	})

	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/organisations/view/" + idStr(e.OrgA.ID), http.StatusOK},
		{"/organisations/view/" + e.OrgA.UUID, http.StatusOK},
		{"/organisations/view/999", http.StatusNotFound},
		{"/organisations/view/No+such+org", http.StatusNotFound},
	} {
		status, _, b := e.do(t, "HEAD", tt.path, e.AUser.Key, nil)
		if status != tt.status || len(b) != 0 {
			t.Errorf("HEAD %s = %d %q, want %d and no body", tt.path, status, b, tt.status)
		}
	}
	e.callObj(t, "GET", "/organisations/view/999", e.AUser.Key, nil, http.StatusNotFound)
}

// TestOrgWritesNeedSiteAdmin checks that only site admins add, edit and
// delete organisations.
func TestOrgWritesNeedSiteAdmin(t *testing.T) {
	e := newTestEnv(t)
	before := e.adminState(t)
	for _, key := range []struct{ name, key string }{
		{"user", e.AUser.Key}, {"org admin", e.BOrgAdmin.Key}, {"read-only key", e.PublisherRO},
	} {
		for _, rq := range []struct{ method, path string }{
			{"POST", "/admin/organisations/add"},
			{"POST", "/admin/organisations/edit/" + idStr(e.OrgB.ID)},
			{"POST", "/admin/organisations/delete/" + idStr(e.OrgB.ID)},
			{"DELETE", "/admin/organisations/delete/" + idStr(e.OrgB.ID)},
		} {
			t.Run(key.name+" "+rq.method+" "+rq.path, func(t *testing.T) {
				e.callObj(t, rq.method, rq.path, key.key, map[string]any{"name": "Hijacked"}, http.StatusForbidden)
			})
		}
	}
	e.assertAdminUnchanged(t, before)
}

// TestAddEditDeleteOrg covers the site admin's organisation writes and
// that refused ones change nothing.
func TestAddEditDeleteOrg(t *testing.T) {
	e := newTestEnv(t)
	key := e.Admin.Key

	m := e.callObj(t, "POST", "/admin/organisations/add", key, map[string]any{"Organisation": map[string]any{
		"name": "  CIRCL ", "uuid": "55F6EA5E-2C60-40E5-B2F1-4B9B2A1C0A01", "nationality": "Luxembourg",
		"restricted_to_domain": "circl.lu\r\n\r\nexample.lu", "type": "CSIRT",
	}}, http.StatusOK)
	o := dig(t, m, "Organisation").(obj)
	if o["name"] != "CIRCL" || o["uuid"] != "55f6ea5e-2c60-40e5-b2f1-4b9b2a1c0a01" || o["local"] != true {
		t.Errorf("added %v", o)
	}
	if got, _ := o["restricted_to_domain"].([]any); len(got) != 2 || got[1] != "example.lu" {
		t.Errorf("restricted_to_domain = %v", o["restricted_to_domain"])
	}
	if o["created_by"] != idStr(e.Admin.User.ID) {
		t.Errorf("created_by = %v, want the admin", o["created_by"])
	}
	id := o["id"].(string)

	before := e.adminState(t)
	for _, tt := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"duplicate name", "POST", "/admin/organisations/add", map[string]any{"name": "circl"}, http.StatusForbidden},
		{"duplicate uuid", "POST", "/admin/organisations/add", map[string]any{"name": "Other", "uuid": "55f6ea5e-2c60-40e5-b2f1-4b9b2a1c0a01"}, http.StatusForbidden},
		{"missing name", "POST", "/admin/organisations/add", map[string]any{"sector": "x"}, http.StatusForbidden},
		{"bad uuid", "POST", "/admin/organisations/add", map[string]any{"name": "X", "uuid": "nope"}, http.StatusForbidden},
		{"malformed JSON", "POST", "/admin/organisations/add", `{"name":`, http.StatusMethodNotAllowed},
		{"rename to a taken name", "POST", "/admin/organisations/edit/" + id, map[string]any{"name": "ORGNAME-A"}, http.StatusForbidden},
		{"blank name", "POST", "/admin/organisations/edit/" + id, map[string]any{"name": " "}, http.StatusForbidden},
		{"change the uuid", "POST", "/admin/organisations/edit/" + id, map[string]any{"uuid": "66f6ea5e-2c60-40e5-b2f1-4b9b2a1c0a01"}, http.StatusForbidden},
		{"edit unknown org", "POST", "/admin/organisations/edit/999", map[string]any{"sector": "x"}, http.StatusNotFound},
		{"delete an org with users", "POST", "/admin/organisations/delete/" + idStr(e.OrgB.ID), nil, http.StatusForbidden},
		{"delete by GET", "GET", "/admin/organisations/delete/" + id, nil, http.StatusMethodNotAllowed},
		{"delete unknown org", "POST", "/admin/organisations/delete/999", nil, http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := e.callObj(t, tt.method, tt.path, key, tt.body, tt.status)
			if tt.status == http.StatusForbidden && m["saved"] != false {
				t.Errorf("answer %v, want a save failure", m)
			}
		})
	}
	e.assertAdminUnchanged(t, before)

	m = e.callObj(t, "PUT", "/admin/organisations/edit/55f6ea5e-2c60-40e5-b2f1-4b9b2a1c0a01", key,
		map[string]any{"sector": "Security", "uuid": "55f6ea5e-2c60-40e5-b2f1-4b9b2a1c0a01", "name": "CIRCL.lu"}, http.StatusOK)
	if dig(t, m, "Organisation", "sector") != "Security" || dig(t, m, "Organisation", "name") != "CIRCL.lu" ||
		dig(t, m, "Organisation", "nationality") != "Luxembourg" {
		t.Errorf("edited %v", m)
	}

	m = e.callObj(t, "POST", "/admin/organisations/delete/"+id, key, nil, http.StatusOK)
	if m["saved"] != true || m["id"] != id {
		t.Errorf("delete answer %v", m)
	}
	e.callObj(t, "GET", "/organisations/view/"+id, key, nil, http.StatusNotFound)
}
