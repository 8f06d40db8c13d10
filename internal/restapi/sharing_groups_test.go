package restapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// sgEnv is the test environment with the users the sharing-group tests
// need besides those of testEnv: an org admin of A (perm_sharing_group),
// a user of a third organisation C, and a sync user of B.
type sgEnv struct {
	*testEnv
	OrgC      *misp.Organisation
	AOrgAdmin *testUser // org A, role 2 (Org Admin, perm_sharing_group)
	CUser     *testUser // org C, role 3 (User)
	BSync     *testUser // org B, role 5 (Sync user)
}

func newSGEnv(t *testing.T) *sgEnv {
	t.Helper()
	e := &sgEnv{testEnv: newTestEnv(t)}
	e.OrgC = e.mustOrg(t, "ORGNAME-C", "33333333-3333-4333-8333-333333333333")
	e.AOrgAdmin = e.mustUser(t, "orgadmin@a.example", e.OrgA, misp.RoleOrgAdmin, 60)
	e.CUser = e.mustUser(t, "user@c.example", e.OrgC, misp.RoleUser, 61)
	e.BSync = e.mustUser(t, "sync@b.example", e.OrgB, misp.RoleSyncUser, 62)
	return e
}

// sgOrg is a SharingGroupOrg entry as PyMISP sends it.
func sgOrg(o *misp.Organisation, extend bool) obj {
	return obj{"extend": extend, "Organisation": obj{"uuid": o.UUID, "name": o.Name}}
}

// addSG creates a sharing group as key and returns its id.
func (e *sgEnv) addSG(t *testing.T, key string, sg obj) string {
	t.Helper()
	out := e.callObj(t, "POST", "/sharing_groups/add", key, obj{"SharingGroup": sg}, http.StatusOK)
	return dig(t, out, "SharingGroup", "id").(string)
}

// sgIndexNames returns the names of the groups the index lists for key.
func (e *sgEnv) sgIndexNames(t *testing.T, path, key string) []string {
	t.Helper()
	out := e.callObj(t, "GET", path, key, nil, http.StatusOK)
	var names []string
	for _, item := range dig(t, out, "response").([]any) {
		names = append(names, dig(t, item, "SharingGroup", "name").(string))
	}
	return names
}

// memberUUIDs returns the organisation uuids of a view answer's SharingGroupOrg.
func memberUUIDs(t *testing.T, view obj) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, m := range dig(t, view, "SharingGroupOrg").([]any) {
		out[dig(t, m, "Organisation", "uuid").(string)] = dig(t, m, "extend").(bool)
	}
	return out
}

func wantMessage(t *testing.T, out obj, key, want string) {
	t.Helper()
	if out[key] != want {
		t.Errorf("%s = %v, want %q (answer %v)", key, out[key], want, out)
	}
}

func TestSharingGroupGolden(t *testing.T) {
	e := newSGEnv(t)
	e.addSG(t, e.AOrgAdmin.Key, obj{"name": "Golden group", "releasability": "Testing", "description": "for the golden files",
		"uuid": "5a5a5a5a-0000-4000-8000-000000000001", "SharingGroupOrg": []any{sgOrg(e.OrgA, true), sgOrg(e.OrgB, false)}})
	_, _, b := e.do(t, "GET", "/sharing_groups/view/5a5a5a5a-0000-4000-8000-000000000001", e.AOrgAdmin.Key, nil)
	compareGolden(t, "sharing_group_view", b)
	_, _, b = e.do(t, "GET", "/sharingGroups/index", e.AOrgAdmin.Key, nil)
	compareGolden(t, "sharing_group_index", b)
}

func TestSharingGroupLifecycle(t *testing.T) {
	e := newSGEnv(t)
	// PyMISP's add_sharing_group sends the bare group.
	out := e.callObj(t, "POST", "/sharingGroups/add", e.AOrgAdmin.Key, obj{"name": "Testcases SG", "releasability": "Testing",
		"SharingGroupOrg": []any{sgOrg(e.OrgA, true)}}, http.StatusOK)
	id := dig(t, out, "SharingGroup", "id").(string)
	uuid := dig(t, out, "SharingGroup", "uuid").(string)
	for key, want := range map[string]any{"name": "Testcases SG", "releasability": "Testing", "org_id": idStr(e.OrgA.ID),
		"organisation_uuid": e.OrgA.UUID, "local": false, "active": true, "roaming": false, "sync_user_id": idStr(e.AOrgAdmin.User.ID)} {
		if got := dig(t, out, "SharingGroup", key); got != want {
			t.Errorf("SharingGroup.%s = %v, want %v", key, got, want)
		}
	}
	if dig(t, out, "Organisation", "uuid") != e.OrgA.UUID {
		t.Errorf("Organisation = %v, want org A", out["Organisation"])
	}
	// Without servers and not roaming, this instance is listed.
	server := dig(t, out, "SharingGroupServer", 0).(obj)
	if server["server_id"] != "0" || server["all_orgs"] != false ||
		dig(t, server, "Server", "name") != "Local instance" || dig(t, server, "Server", "url") != testBaseURL || dig(t, server, "Server", "id") != "0" {
		t.Errorf("SharingGroupServer[0] = %v, want this instance without all_orgs", server)
	}

	// View by id and uuid, HEAD; other organisations get 405 / 404.
	for _, ref := range []string{id, uuid} {
		view := e.callObj(t, "GET", "/sharing_groups/view/"+ref, e.AUser.Key, nil, http.StatusOK)
		if dig(t, view, "SharingGroup", "id") != id {
			t.Errorf("view %s: id %v, want %s", ref, dig(t, view, "SharingGroup", "id"), id)
		}
	}
	if status, _, _ := e.do(t, "HEAD", "/sharing_groups/view/"+id, e.AUser.Key, nil); status != http.StatusOK {
		t.Errorf("HEAD view (member) = %d, want 200", status)
	}
	for _, ref := range []string{id, "9999", misp.NewUUID(), "nonsense"} {
		if status, _, _ := e.do(t, "HEAD", "/sharing_groups/view/"+ref, e.BUser.Key, nil); status != http.StatusNotFound {
			t.Errorf("HEAD view %s (outsider) = %d, want 404", ref, status)
		}
		out := e.callObj(t, "GET", "/sharing_groups/view/"+ref, e.BUser.Key, nil, http.StatusMethodNotAllowed)
		wantMessage(t, out, "message", "Sharing group doesn't exist or you do not have permission to access it.")
	}

	// The index: members only; editable and deletable per role.
	out = e.callObj(t, "GET", "/sharing_groups", e.AUser.Key, nil, http.StatusOK)
	item := dig(t, out, "response", 0).(obj)
	if item["editable"] != false || item["deletable"] != false || dig(t, item, "SharingGroup", "org_count") != "1" {
		t.Errorf("index item for a plain user = %v", item)
	}
	out = e.callObj(t, "GET", "/sharing_groups/index", e.AOrgAdmin.Key, nil, http.StatusOK)
	if item := dig(t, out, "response", 0).(obj); item["editable"] != true || item["deletable"] != true {
		t.Errorf("index item for the owner's org admin: editable %v deletable %v, want true true", item["editable"], item["deletable"])
	}
	if names := e.sgIndexNames(t, "/sharing_groups/index", e.BUser.Key); len(names) != 0 {
		t.Errorf("index for org B = %v, want nothing", names)
	}

	// Members through PyMISP's bodies and through the URL.
	out = e.callObj(t, "POST", "/sharingGroups/addOrg", e.AOrgAdmin.Key, obj{"sg_id": id, "org_id": idStr(e.OrgB.ID), "extend": false}, http.StatusOK)
	wantMessage(t, out, "message", "Organisation added to the sharing group.")
	e.callObj(t, "GET", "/sharing_groups/view/"+id, e.BUser.Key, nil, http.StatusOK)
	out = e.callObj(t, "POST", "/sharing_groups/addOrg/"+uuid+"/"+e.OrgB.UUID+"/1", e.AOrgAdmin.Key, nil, http.StatusForbidden)
	wantMessage(t, out, "errors", "Organisation is already in the sharing group.")
	out = e.callObj(t, "POST", "/sharingGroups/addOrg", e.AOrgAdmin.Key, obj{"sg_id": id, "org_id": "no such org"}, http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "Invalid organisation.")
	out = e.callObj(t, "POST", "/sharingGroups/removeOrg", e.AOrgAdmin.Key, obj{"sg_uuid": uuid, "org_name": e.OrgB.Name}, http.StatusOK)
	wantMessage(t, out, "message", "Organisation removed from the sharing group.")
	out = e.callObj(t, "POST", "/sharingGroups/removeOrg/"+id+"/"+idStr(e.OrgB.ID), e.AOrgAdmin.Key, nil, http.StatusForbidden)
	wantMessage(t, out, "errors", "Organisation is not in the sharing group.")
	e.callObj(t, "GET", "/sharing_groups/view/"+id, e.BUser.Key, nil, http.StatusMethodNotAllowed)

	out = e.callObj(t, "POST", "/sharingGroups/addServer", e.AOrgAdmin.Key, obj{"sg_id": id, "server_id": 0, "all_orgs": true}, http.StatusForbidden)
	wantMessage(t, out, "errors", "Server is already in the sharing group.")
	out = e.callObj(t, "POST", "/sharingGroups/removeServer", e.AOrgAdmin.Key, obj{"sg_id": id, "server_id": 0}, http.StatusOK)
	wantMessage(t, out, "message", "Server removed from the sharing group.")
	out = e.callObj(t, "POST", "/sharingGroups/removeServer/"+id+"/0", e.AOrgAdmin.Key, nil, http.StatusForbidden)
	wantMessage(t, out, "errors", "Server is not in the sharing group.")
	out = e.callObj(t, "POST", "/sharingGroups/addServer", e.AOrgAdmin.Key, obj{"sg_id": id, "server_url": testBaseURL, "all": 1}, http.StatusOK)
	wantMessage(t, out, "message", "Server added to the sharing group.")
	out = e.callObj(t, "POST", "/sharingGroups/addServer", e.AOrgAdmin.Key, obj{"sg_id": id, "server_id": 5}, http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "Invalid Server.")
	// all_orgs on this instance: every local organisation now sees it.
	e.callObj(t, "GET", "/sharing_groups/view/"+id, e.CUser.Key, nil, http.StatusOK)
	out = e.callObj(t, "POST", "/sharingGroups/addOrg", e.AOrgAdmin.Key, obj{"org_id": idStr(e.OrgB.ID)}, http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "No valid sharing group ID provided.")

	// Edit: fields present change; a body not newer changes nothing.
	out = e.callObj(t, "POST", "/sharing_groups/edit/"+id, e.AOrgAdmin.Key, obj{"SharingGroup": obj{"description": "edited",
		"active": false, "SharingGroupOrg": []any{sgOrg(e.OrgC, false)}}}, http.StatusOK)
	if dig(t, out, "SharingGroup", "description") != "edited" || dig(t, out, "SharingGroup", "active") != false ||
		dig(t, out, "SharingGroup", "name") != "Testcases SG" {
		t.Errorf("after edit: %v", out["SharingGroup"])
	}
	if d := memberUUIDs(t, out); len(d) != 2 || !d[e.OrgA.UUID] || d[e.OrgC.UUID] {
		t.Errorf("members after edit = %v, want A (extend) and C", d)
	}
	out = e.callObj(t, "POST", "/sharing_groups/edit/"+uuid, e.AOrgAdmin.Key, obj{"name": "too old", "modified": "2001-01-01 00:00:00"}, http.StatusOK)
	wantMessage(t, out["SharingGroup"].(obj), "name", "Testcases SG")
	if names := e.sgIndexNames(t, "/sharing_groups/index", e.AUser.Key); len(names) != 0 {
		t.Errorf("index of active groups = %v, want none", names)
	}
	if names := e.sgIndexNames(t, "/sharing_groups/index/true", e.AUser.Key); len(names) != 1 {
		t.Errorf("index of inactive groups = %v, want the group", names)
	}

	// Delete: perm_sharing_group and owner.
	out = e.callObj(t, "POST", "/sharingGroups/delete/"+id, e.AUser.Key, nil, http.StatusForbidden)
	wantMessage(t, out, "message", "You do not have permission to use this functionality.")
	out = e.callObj(t, "POST", "/sharingGroups/delete/"+id, e.AOrgAdmin.Key, nil, http.StatusOK)
	wantMessage(t, out, "message", "SharingGroup deleted")
	wantMessage(t, out, "url", "/sharing_groups/delete/"+id)
	e.callObj(t, "GET", "/sharing_groups/view/"+id, e.Admin.Key, nil, http.StatusMethodNotAllowed)
	e.callObj(t, "DELETE", "/sharing_groups/delete/"+id, e.AOrgAdmin.Key, nil, http.StatusMethodNotAllowed)
}

func TestSharingGroupAddRules(t *testing.T) {
	e := newSGEnv(t)
	remote := "44444444-4444-4444-8444-444444444444"
	tests := []struct {
		name   string
		key    string
		sg     obj
		status int
	}{
		{"no perm_sharing_group", e.AUser.Key, obj{"name": "x", "SharingGroupOrg": []any{sgOrg(e.OrgA, true)}}, http.StatusForbidden},
		{"own org missing", e.AOrgAdmin.Key, obj{"name": "x", "SharingGroupOrg": []any{sgOrg(e.OrgB, true)}}, http.StatusForbidden},
		{"own org without extend", e.AOrgAdmin.Key, obj{"name": "x", "SharingGroupOrg": []any{sgOrg(e.OrgA, false)}}, http.StatusForbidden},
		{"only a remote server", e.AOrgAdmin.Key, obj{"name": "x", "SharingGroupOrg": []any{sgOrg(e.OrgA, true)},
			"SharingGroupServer": []any{obj{"all_orgs": true, "Server": obj{"url": "https://peer.example"}}}}, http.StatusForbidden},
		{"no name", e.AOrgAdmin.Key, obj{"releasability": "x", "SharingGroupOrg": []any{sgOrg(e.OrgA, true)}}, http.StatusForbidden},
		{"own org by org_id", e.AOrgAdmin.Key, obj{"name": "by id", "SharingGroupOrg": []any{obj{"org_id": idStr(e.OrgA.ID), "extend": 1}}}, http.StatusOK},
		{"this instance by URL", e.AOrgAdmin.Key, obj{"name": "with server", "SharingGroupOrg": []any{sgOrg(e.OrgA, true)},
			"SharingGroupServer": []any{obj{"all_orgs": true, "Server": obj{"url": testBaseURL + "/"}},
				obj{"Server": obj{"url": "https://peer.example"}}}}, http.StatusOK},
		{"site admin, nobody listed", e.Admin.Key, obj{"name": "admin's", "roaming": true}, http.StatusOK},
		{"unknown organisation", e.BOrgAdmin.Key, obj{"name": "with a remote org", "SharingGroupOrg": []any{sgOrg(e.OrgB, true),
			obj{"extend": false, "Organisation": obj{"uuid": remote, "name": "Remote Org"}}}}, http.StatusOK},
		{"name taken", e.BOrgAdmin.Key, obj{"name": "BY ID", "SharingGroupOrg": []any{sgOrg(e.OrgB, true)}}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := e.callObj(t, "POST", "/sharing_groups/add", tt.key, obj{"SharingGroup": tt.sg}, tt.status)
			if tt.status != http.StatusOK {
				if tt.key != e.AUser.Key && out["saved"] != false {
					t.Errorf("answer %v, want a save failure", out)
				}
				return
			}
			switch tt.name {
			case "this instance by URL":
				servers := dig(t, out, "SharingGroupServer").([]any)
				if len(servers) != 1 || dig(t, servers[0], "server_id") != "0" || dig(t, servers[0], "all_orgs") != true {
					t.Errorf("servers = %v, want only this instance with all_orgs", servers)
				}
			case "site admin, nobody listed":
				if len(dig(t, out, "SharingGroupServer").([]any)) != 0 || len(dig(t, out, "SharingGroupOrg").([]any)) != 0 {
					t.Errorf("a roaming group without members got members: %v", out)
				}
			case "unknown organisation":
				o, err := e.DB.FindOrgByUUID(context.Background(), remote)
				if err != nil || o.Local || o.Name != "Remote Org" {
					t.Errorf("captured organisation = %+v, %v; want a non-local Remote Org", o, err)
				}
				if m := memberUUIDs(t, out); len(m) != 2 || !m[e.OrgB.UUID] {
					t.Errorf("members = %v", m)
				}
			case "name taken":
				wantMessage(t, out["SharingGroup"].(obj), "name", "BY ID_2")
			}
		})
	}
	if out := e.callObj(t, "GET", "/sharing_groups/add", e.AOrgAdmin.Key, nil, http.StatusOK); out["name"] != "/sharing_groups/add API description" {
		t.Errorf("GET add = %v, want the API description", out)
	}

	// An existing uuid: updated for who may extend the group, refused
	// for others.
	uuid := misp.NewUUID()
	e.addSG(t, e.AOrgAdmin.Key, obj{"name": "existing", "uuid": uuid, "SharingGroupOrg": []any{sgOrg(e.OrgA, true), sgOrg(e.OrgB, false)}})
	out := e.callObj(t, "POST", "/sharing_groups/add", e.BOrgAdmin.Key, obj{"name": "taken over", "uuid": uuid,
		"SharingGroupOrg": []any{sgOrg(e.OrgB, true)}}, http.StatusForbidden)
	wantMessage(t, out, "errors", "Could not save sharing group.")
	out = e.callObj(t, "POST", "/sharing_groups/add", e.AOrgAdmin.Key, obj{"name": "existing, renamed", "uuid": uuid}, http.StatusOK)
	wantMessage(t, out["SharingGroup"].(obj), "name", "existing, renamed")
}

// TestSharingGroupCrossOrg checks that org B never sees the members of a
// group of A it cannot view and cannot change A's groups, and what the
// extend flag grants (misp-access-control §8.2, §12 #8).
func TestSharingGroupCrossOrg(t *testing.T) {
	e := newSGEnv(t)
	private := e.addSG(t, e.AOrgAdmin.Key, obj{"name": "A private", "SharingGroupOrg": []any{sgOrg(e.OrgA, true)}})
	withB := e.addSG(t, e.AOrgAdmin.Key, obj{"name": "A with B", "SharingGroupOrg": []any{sgOrg(e.OrgA, true), sgOrg(e.OrgB, false)}})
	ev := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "shared with A private",
		"distribution": 4, "sharing_group_id": private}}, http.StatusOK)
	evID := dig(t, ev, "Event", "id").(string)

	// Outside the group: no view, no index entry, no event, no writes.
	e.callObj(t, "GET", "/sharing_groups/view/"+private, e.BOrgAdmin.Key, nil, http.StatusMethodNotAllowed)
	if names := e.sgIndexNames(t, "/sharing_groups", e.BOrgAdmin.Key); len(names) != 1 || names[0] != "A with B" {
		t.Errorf("index for B = %v, want only the group B is in", names)
	}
	e.callObj(t, "GET", "/events/view/"+evID, e.BOrgAdmin.Key, nil, http.StatusNotFound)
	out := e.callObj(t, "POST", "/sharing_groups/edit/"+private, e.BOrgAdmin.Key, obj{"name": "hijacked"}, http.StatusNotFound)
	wantMessage(t, out, "message", "Invalid sharing group.")
	e.callObj(t, "POST", "/sharing_groups/delete/"+private, e.BOrgAdmin.Key, nil, http.StatusMethodNotAllowed)
	out = e.callObj(t, "POST", "/sharing_groups/addOrg", e.BOrgAdmin.Key, obj{"sg_id": private, "org_id": idStr(e.OrgB.ID)}, http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "Invalid sharing group or no editing rights.")
	e.callObj(t, "POST", "/sharing_groups/addServer", e.BOrgAdmin.Key, obj{"sg_id": private, "server_id": 0, "all_orgs": 1}, http.StatusMethodNotAllowed)
	// The group may not be named in B's data either.
	out = e.callObj(t, "POST", "/events/add", e.BOrgAdmin.Key, obj{"Event": obj{"info": "x", "distribution": 4, "sharing_group_id": private}},
		http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "Invalid Sharing Group or not authorised.")

	// A member without extend may view, not change.
	view := e.callObj(t, "GET", "/sharing_groups/view/"+withB, e.BOrgAdmin.Key, nil, http.StatusOK)
	if m := memberUUIDs(t, view); len(m) != 2 {
		t.Errorf("members seen by B = %v", m)
	}
	out = e.callObj(t, "POST", "/sharing_groups/edit/"+withB, e.BOrgAdmin.Key, obj{"name": "hijacked"}, http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "Action not allowed.")
	e.callObj(t, "POST", "/sharing_groups/addOrg", e.BOrgAdmin.Key, obj{"sg_id": withB, "org_id": idStr(e.OrgC.ID)}, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/sharing_groups/removeOrg", e.BOrgAdmin.Key, obj{"sg_id": withB, "org_id": idStr(e.OrgA.ID)}, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/sharing_groups/delete/"+withB, e.BOrgAdmin.Key, nil, http.StatusMethodNotAllowed)

	// With extend, B may add members and edit, but not delete A's group.
	e.callObj(t, "POST", "/sharing_groups/addOrg/"+withB+"/"+idStr(e.OrgB.ID), e.AOrgAdmin.Key, nil, http.StatusForbidden)
	e.callObj(t, "POST", "/sharing_groups/removeOrg/"+withB+"/"+idStr(e.OrgB.ID), e.AOrgAdmin.Key, nil, http.StatusOK)
	e.callObj(t, "POST", "/sharing_groups/addOrg/"+withB+"/"+idStr(e.OrgB.ID)+"/1", e.AOrgAdmin.Key, nil, http.StatusOK)
	out = e.callObj(t, "GET", "/sharing_groups/index", e.BOrgAdmin.Key, nil, http.StatusOK)
	if item := dig(t, out, "response", 0).(obj); item["editable"] != true || item["deletable"] != false {
		t.Errorf("B's index item with extend: editable %v deletable %v, want true false", item["editable"], item["deletable"])
	}
	e.callObj(t, "POST", "/sharing_groups/addOrg", e.BOrgAdmin.Key, obj{"sg_id": withB, "org_id": idStr(e.OrgC.ID)}, http.StatusOK)
	e.callObj(t, "GET", "/sharing_groups/view/"+withB, e.CUser.Key, nil, http.StatusOK)
	out = e.callObj(t, "POST", "/sharing_groups/edit/"+withB, e.BOrgAdmin.Key, obj{"releasability": "by B"}, http.StatusOK)
	wantMessage(t, out["SharingGroup"].(obj), "releasability", "by B")
	e.callObj(t, "POST", "/sharing_groups/delete/"+withB, e.BOrgAdmin.Key, nil, http.StatusMethodNotAllowed)
	// B's user without perm_sharing_group is stopped by the ACL.
	e.callObj(t, "POST", "/sharing_groups/edit/"+withB, e.BUser.Key, obj{"name": "x"}, http.StatusForbidden)
}

// TestSharingGroupEdgeCases are the sharing-group cases of issue 3 over
// HTTP: the owner organisation is not a member by ownership, an inactive
// group keeps its data visible but takes no new data, and this instance
// with all_orgs shares with every local organisation.
func TestSharingGroupEdgeCases(t *testing.T) {
	e := newSGEnv(t)
	ctx := context.Background()

	t.Run("owner not a member", func(t *testing.T) {
		// The site admin creates a group owned by A whose only member is B.
		id := e.addSG(t, e.Admin.Key, obj{"name": "Owned by A for B", "SharingGroupOrg": []any{sgOrg(e.OrgB, true)}})
		out := e.callObj(t, "GET", "/sharing_groups/view/"+id, e.AUser.Key, nil, http.StatusOK)
		wantMessage(t, out["SharingGroup"].(obj), "org_id", idStr(e.OrgA.ID))
		for _, n := range e.sgIndexNames(t, "/sharing_groups", e.AUser.Key) {
			if n == "Owned by A for B" {
				t.Errorf("the index of A lists a group A only owns")
			}
		}
		// B shares an event with the group: A does not see it.
		ev := e.callObj(t, "POST", "/events/add", e.BUser.Key, obj{"Event": obj{"info": "B for the group", "distribution": 4,
			"sharing_group_id": id}}, http.StatusOK)
		evID := dig(t, ev, "Event", "id").(string)
		e.callObj(t, "GET", "/events/view/"+evID, e.AUser.Key, nil, http.StatusNotFound)
		e.callObj(t, "GET", "/events/view/"+evID, e.BUser.Key, nil, http.StatusOK)
		// A may not file data under it…
		e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "A for the group", "distribution": 4,
			"sharing_group_id": id}}, http.StatusMethodNotAllowed)
		// …but an event of A that uses it stays visible to A by ownership.
		sgID, _ := parseID(id)
		own := &misp.Event{Info: "A's own", Date: "2026-01-01", ThreatLevelID: misp.ThreatLevelLow,
			Distribution: misp.DistributionSharingGrp, SharingGroupID: misp.Int(sgID)}
		if err := e.DB.CreateEvent(ctx, e.AUser.Actor(), own, false); err != nil {
			t.Fatal(err)
		}
		view := e.callObj(t, "GET", "/events/view/"+idStr(own.ID), e.AUser.Key, nil, http.StatusOK)
		// A may view the group (it owns it), so the event names it.
		wantMessage(t, dig(t, view, "Event", "SharingGroup").(obj), "name", "Owned by A for B")
		e.callObj(t, "GET", "/events/view/"+idStr(own.ID), e.BUser.Key, nil, http.StatusOK)
		e.callObj(t, "GET", "/events/view/"+idStr(own.ID), e.CUser.Key, nil, http.StatusNotFound)
	})

	t.Run("inactive group", func(t *testing.T) {
		id := e.addSG(t, e.AOrgAdmin.Key, obj{"name": "Soon inactive", "SharingGroupOrg": []any{sgOrg(e.OrgA, true), sgOrg(e.OrgB, false)}})
		ev := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "before deactivation", "distribution": 4,
			"sharing_group_id": id, "Attribute": []any{obj{"type": "domain", "value": "inactive.example", "distribution": 4, "sharing_group_id": id}}}},
			http.StatusOK)
		evID := dig(t, ev, "Event", "id").(string)
		attrID := dig(t, ev, "Event", "Attribute", 0, "id").(string)
		e.callObj(t, "POST", "/sharing_groups/edit/"+id, e.AOrgAdmin.Key, obj{"active": false}, http.StatusOK)

		// Existing data stays visible to the members.
		e.callObj(t, "GET", "/events/view/"+evID, e.BUser.Key, nil, http.StatusOK)
		e.callObj(t, "GET", "/attributes/view/"+attrID, e.BUser.Key, nil, http.StatusOK)
		e.callObj(t, "GET", "/events/view/"+evID, e.CUser.Key, nil, http.StatusNotFound)
		// …and may still be edited without changing the group.
		e.callObj(t, "POST", "/attributes/edit/"+attrID, e.AUser.Key, obj{"comment": "still here"}, http.StatusOK)
		e.callObj(t, "POST", "/events/edit/"+evID, e.AUser.Key, obj{"info": "after deactivation"}, http.StatusOK)

		// No new data takes the group.
		out := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "x", "distribution": 4, "sharing_group_id": id}},
			http.StatusMethodNotAllowed)
		wantMessage(t, out, "message", "Invalid Sharing Group or not authorised.")
		out = e.callObj(t, "POST", "/attributes/add/"+evID, e.AUser.Key, obj{"type": "domain", "value": "new.example", "distribution": 4,
			"sharing_group_id": id}, http.StatusForbidden)
		wantMessage(t, out, "message", "Invalid Sharing Group or not authorised.")
		ev = e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "children downgraded",
			"Attribute": []any{obj{"type": "domain", "value": "child.example", "distribution": 4, "sharing_group_id": id}}}}, http.StatusOK)
		if d, sg := dig(t, ev, "Event", "Attribute", 0, "distribution"), dig(t, ev, "Event", "Attribute", 0, "sharing_group_id"); d != "0" || sg != "0" {
			t.Errorf("child of a new event with an inactive group: distribution %v sharing group %v, want 0 0", d, sg)
		}
	})

	t.Run("all_orgs server entry", func(t *testing.T) {
		id := e.addSG(t, e.AOrgAdmin.Key, obj{"name": "Everybody here", "SharingGroupOrg": []any{sgOrg(e.OrgA, true)}})
		ev := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "for all local orgs", "distribution": 4,
			"sharing_group_id": id}}, http.StatusOK)
		evID := dig(t, ev, "Event", "id").(string)
		e.callObj(t, "GET", "/events/view/"+evID, e.CUser.Key, nil, http.StatusNotFound)
		e.callObj(t, "POST", "/sharing_groups/removeServer", e.AOrgAdmin.Key, obj{"sg_id": id, "server_id": 0}, http.StatusOK)
		e.callObj(t, "POST", "/sharing_groups/addServer", e.AOrgAdmin.Key, obj{"sg_id": id, "server_id": 0, "all_orgs": true}, http.StatusOK)
		for _, u := range []*testUser{e.BUser, e.CUser, e.BSync} {
			e.callObj(t, "GET", "/events/view/"+evID, u.Key, nil, http.StatusOK)
			e.callObj(t, "GET", "/sharing_groups/view/"+id, u.Key, nil, http.StatusOK)
		}
		// Every local organisation may now also use the group.
		e.callObj(t, "POST", "/events/add", e.CUser.Key, obj{"Event": obj{"info": "C joins in", "distribution": 4, "sharing_group_id": id}},
			http.StatusOK)
	})
}

// TestSharingGroupInData checks distribution 4 on every write path and
// the SharingGroup blocks of the event views.
func TestSharingGroupInData(t *testing.T) {
	e := newSGEnv(t)
	id := e.addSG(t, e.AOrgAdmin.Key, obj{"name": "A and B", "uuid": "5a5a5a5a-0000-4000-8000-000000000002",
		"SharingGroupOrg": []any{sgOrg(e.OrgA, true), sgOrg(e.OrgB, false)}})
	other := e.addSG(t, e.BOrgAdmin.Key, obj{"name": "B alone", "SharingGroupOrg": []any{sgOrg(e.OrgB, true)}})

	ev := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "group event", "distribution": 4,
		"sharing_group_id": id,
		"Attribute": []any{
			obj{"type": "domain", "value": "in.example", "distribution": 4, "sharing_group_id": id},
			obj{"type": "domain", "value": "out.example", "distribution": 4, "sharing_group_id": other},
		},
		"Object": []any{obj{"name": "domain-ip", "meta-category": "network", "distribution": 4, "sharing_group_id": id,
			"Attribute": []any{obj{"type": "domain", "object_relation": "domain", "value": "obj.example"}}}},
	}}, http.StatusOK)
	evID := dig(t, ev, "Event", "id").(string)
	sg := dig(t, ev, "Event", "SharingGroup").(obj)
	if sg["id"] != id || sg["name"] != "A and B" || len(dig(t, sg, "SharingGroupOrg").([]any)) != 2 ||
		dig(t, sg, "SharingGroupServer", 0, "Server", "url") != testBaseURL {
		t.Errorf("Event.SharingGroup = %v", sg)
	}
	attrs := dig(t, ev, "Event", "Attribute").([]any)
	for _, at := range attrs {
		at := at.(obj)
		switch at["value"] {
		case "in.example":
			if dig(t, at, "SharingGroup", "uuid") != "5a5a5a5a-0000-4000-8000-000000000002" {
				t.Errorf("attribute in the group without its SharingGroup: %v", at)
			}
		case "out.example":
			// Org A may not use B's group: saved with distribution 0.
			if at["distribution"] != "0" || at["sharing_group_id"] != "0" || at["SharingGroup"] != nil {
				t.Errorf("attribute with an unusable group: %v", at)
			}
		}
	}
	if dig(t, ev, "Event", "Object", 0, "SharingGroup", "id") != id {
		t.Errorf("object without its SharingGroup: %v", dig(t, ev, "Event", "Object", 0))
	}
	// The index names the group; C sees neither.
	out := e.call(t, "GET", "/events/index", e.BUser.Key, nil, http.StatusOK).([]any)
	if len(out) != 1 || dig(t, out[0], "SharingGroup", "name") != "A and B" || dig(t, out[0], "SharingGroup", "uuid") == nil {
		t.Errorf("index for B = %v", out)
	}
	if out := e.call(t, "GET", "/events/index", e.CUser.Key, nil, http.StatusOK).([]any); len(out) != 0 {
		t.Errorf("index for C = %v, want nothing", out)
	}
	// B, a member, sees the group's block with its members.
	view := e.callObj(t, "GET", "/events/view/"+evID, e.BUser.Key, nil, http.StatusOK)
	if len(dig(t, view, "Event", "SharingGroup", "SharingGroupOrg").([]any)) != 2 {
		t.Errorf("B's view of the event's group: %v", dig(t, view, "Event", "SharingGroup"))
	}

	// The write paths refuse a group the actor may not use.
	out2 := e.callObj(t, "POST", "/attributes/add/"+evID, e.AUser.Key, obj{"type": "domain", "value": "x.example",
		"distribution": 4, "sharing_group_id": other}, http.StatusForbidden)
	wantMessage(t, out2, "message", "Invalid Sharing Group or not authorised.")
	added := e.callObj(t, "POST", "/attributes/add/"+evID, e.AUser.Key, obj{"type": "domain", "value": "ok.example",
		"distribution": 4, "sharing_group_id": id}, http.StatusOK)
	addedID := dig(t, added, "Attribute", "id").(string)
	out2 = e.callObj(t, "POST", "/attributes/edit/"+addedID, e.AUser.Key, obj{"sharing_group_id": other}, http.StatusForbidden)
	wantMessage(t, out2, "message", "Invalid Sharing Group or not authorised.")
	out2 = e.callObj(t, "POST", "/objects/add/"+evID, e.AOrgAdmin.Key, obj{"Object": obj{"name": "domain-ip", "meta-category": "network",
		"Attribute": []any{obj{"type": "domain", "object_relation": "domain", "value": "o.example", "distribution": 4, "sharing_group_id": other}}}},
		http.StatusForbidden)
	wantMessage(t, out2, "message", "Invalid Sharing Group or not authorised.")
	objID := dig(t, ev, "Event", "Object", 0, "id").(string)
	out2 = e.callObj(t, "POST", "/objects/edit/"+objID, e.AUser.Key, obj{"Object": obj{"sharing_group_id": other}}, http.StatusForbidden)
	wantMessage(t, out2, "message", "Invalid Sharing Group or not authorised.")

	// events/edit: a new group for the event must be usable; children
	// with an unusable one are left out.
	out2 = e.callObj(t, "POST", "/events/edit/"+evID, e.AUser.Key, obj{"sharing_group_id": other}, http.StatusForbidden)
	wantMessage(t, out2, "errors", "Event could not be saved: Invalid sharing group or you don't have access to that sharing group.")
	edited := e.callObj(t, "POST", "/events/edit/"+evID, e.AUser.Key, obj{"Attribute": []any{
		obj{"type": "domain", "value": "dropped.example", "distribution": 4, "sharing_group_id": other},
		obj{"type": "domain", "value": "kept.example", "distribution": 4, "sharing_group_id": id},
	}}, http.StatusOK)
	values := map[any]bool{}
	for _, at := range dig(t, edited, "Event", "Attribute").([]any) {
		values[at.(obj)["value"]] = true
	}
	if values["dropped.example"] || !values["kept.example"] {
		t.Errorf("attributes after the edit = %v, want kept.example and not dropped.example", values)
	}

	// A group in use cannot be deleted.
	out2 = e.callObj(t, "POST", "/sharing_groups/delete/"+id, e.AOrgAdmin.Key, nil, http.StatusForbidden)
	wantMessage(t, out2, "errors", "The sharing group could not be deleted.")
	e.callObj(t, "GET", "/sharing_groups/view/"+id, e.AUser.Key, nil, http.StatusOK)
}

// TestSharingGroupSyncCapture checks that a sync user's nested
// SharingGroup objects are captured (misp-sync-and-feeds §7) and that
// other users' are ignored.
func TestSharingGroupSyncCapture(t *testing.T) {
	e := newSGEnv(t)
	ctx := context.Background()
	sgUUID := "5a5a5a5a-0000-4000-8000-000000000003"
	remote := obj{"uuid": "55555555-5555-4555-8555-555555555555", "name": "Far Away Org"}
	pushed := func(info string, sg obj) obj {
		return obj{"Event": obj{"info": info, "distribution": 4, "sharing_group_id": 77, "SharingGroup": sg,
			"Orgc":      remote,
			"Attribute": []any{obj{"type": "domain", "value": info + ".example", "distribution": 4, "sharing_group_id": 77, "SharingGroup": sg}}}}
	}
	group := obj{"uuid": sgUUID, "name": "Pushed group", "releasability": "peers", "modified": "2026-01-01 00:00:00",
		"Organisation":    remote,
		"SharingGroupOrg": []any{obj{"extend": true, "Organisation": remote}, sgOrg(e.OrgB, false)},
		"SharingGroupServer": []any{obj{"all_orgs": false, "Server": obj{"url": testBaseURL, "name": "us"}},
			obj{"all_orgs": true, "Server": obj{"url": "https://far.example"}}},
	}
	ev := e.callObj(t, "POST", "/events/add", e.BSync.Key, pushed("first", group), http.StatusOK)
	sg := dig(t, ev, "Event", "SharingGroup").(obj)
	if sg["uuid"] != sgUUID || sg["local"] != false || sg["sync_user_id"] != idStr(e.BSync.User.ID) ||
		dig(t, sg, "Organisation", "uuid") != remote["uuid"] {
		t.Errorf("captured group = %v", sg)
	}
	if dig(t, ev, "Event", "Attribute", 0, "SharingGroup", "uuid") != sgUUID {
		t.Errorf("attribute's group = %v", dig(t, ev, "Event", "Attribute", 0))
	}
	if o, err := e.DB.FindOrgByUUID(ctx, remote["uuid"].(string)); err != nil || o.Local {
		t.Errorf("remote organisation = %+v, %v; want a captured non-local one", o, err)
	}
	e.callObj(t, "GET", "/events/view/"+dig(t, ev, "Event", "id").(string), e.BUser.Key, nil, http.StatusOK)
	e.callObj(t, "GET", "/events/view/"+dig(t, ev, "Event", "id").(string), e.AUser.Key, nil, http.StatusNotFound)

	// A newer copy of the group updates it and adds members.
	group["modified"], group["releasability"] = "2026-02-01 00:00:00", "peers and C"
	group["SharingGroupOrg"] = append(group["SharingGroupOrg"].([]any), sgOrg(e.OrgC, false))
	ev = e.callObj(t, "POST", "/events/add", e.BSync.Key, pushed("second", group), http.StatusOK)
	sg = dig(t, ev, "Event", "SharingGroup").(obj)
	if sg["releasability"] != "peers and C" || len(memberUUIDs(t, sg)) != 3 {
		t.Errorf("updated group = %v", sg)
	}

	// A group of A that B is in without extend: used as it is, not
	// rewritten by the push.
	aGroup := e.addSG(t, e.AOrgAdmin.Key, obj{"name": "A's group", "uuid": "5a5a5a5a-0000-4000-8000-000000000004",
		"SharingGroupOrg": []any{sgOrg(e.OrgA, true), sgOrg(e.OrgB, false)}})
	rewrite := obj{"uuid": "5a5a5a5a-0000-4000-8000-000000000004", "name": "rewritten by B", "modified": "2030-01-01 00:00:00",
		"SharingGroupOrg": []any{obj{"extend": true, "Organisation": remote}}}
	ev = e.callObj(t, "POST", "/events/add", e.BSync.Key, pushed("into-a-group", rewrite), http.StatusOK)
	if dig(t, ev, "Event", "sharing_group_id") != aGroup {
		t.Errorf("event pushed into A's group: sharing_group_id %v, want %s", dig(t, ev, "Event", "sharing_group_id"), aGroup)
	}
	view := e.callObj(t, "GET", "/sharing_groups/view/"+aGroup, e.AOrgAdmin.Key, nil, http.StatusOK)
	if dig(t, view, "SharingGroup", "name") != "A's group" || len(memberUUIDs(t, view)) != 2 {
		t.Errorf("A's group after B's push = %v", view)
	}

	// A group the sync user's organisation is not in: distribution 0.
	stranger := obj{"uuid": misp.NewUUID(), "name": "Not for B", "Organisation": remote,
		"SharingGroupOrg": []any{obj{"extend": true, "Organisation": remote}}}
	ev = e.callObj(t, "POST", "/events/add", e.BSync.Key, pushed("third", stranger), http.StatusOK)
	if d := dig(t, ev, "Event", "distribution"); d != "0" || dig(t, ev, "Event", "Attribute", 0, "distribution") != "0" {
		t.Errorf("event with an uncapturable group: distribution %v, attribute %v; want 0 0", d, dig(t, ev, "Event", "Attribute", 0, "distribution"))
	}
	// On an edit, such a group refuses the edit.
	evID := dig(t, ev, "Event", "id").(string)
	out := e.callObj(t, "POST", "/events/edit/"+evID, e.BSync.Key, obj{"Event": obj{"distribution": 4, "SharingGroup": stranger}}, http.StatusForbidden)
	wantMessage(t, out, "errors", "Event could not be saved: User not authorised to create the associated sharing group.")

	// Other users' nested groups are ignored: sharing_group_id counts.
	out = e.callObj(t, "POST", "/events/add", e.BOrgAdmin.Key, obj{"Event": obj{"info": "not a sync user", "distribution": 4,
		"SharingGroup": obj{"uuid": misp.NewUUID(), "name": "sneaky", "SharingGroupOrg": []any{sgOrg(e.OrgB, true)}}}}, http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "Invalid Sharing Group or not authorised.")
}
