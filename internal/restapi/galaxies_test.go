package restapi

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testActorGalaxyUUID = "11111111-aaaa-4aaa-8aaa-000000000001"
	testToolGalaxyUUID  = "11111111-aaaa-4aaa-8aaa-000000000002"
	testAPT28UUID       = "22222222-bbbb-4bbb-8bbb-000000000028"
	testAPT29UUID       = "22222222-bbbb-4bbb-8bbb-000000000029"
)

// writeGalaxyLibrary writes a small misp-galaxy library as dir/galaxy and
// returns dir, the value of Config.LibraryDir.
func writeGalaxyLibrary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]any{
		"galaxies/threat-actor.json": obj{"uuid": testActorGalaxyUUID, "name": "Threat Actor", "type": "threat-actor",
			"description": "Threat actors are characteristics of malicious actors.", "version": 3, "icon": "user-secret"},
		"galaxies/tool.json": obj{"uuid": testToolGalaxyUUID, "name": "Tool", "type": "tool",
			"description": "Tools used by actors.", "version": 1, "icon": "optin-monster", "namespace": "misp",
			"kill_chain_order": obj{"tool": []string{"stage-1", "stage-2"}}},
		"clusters/threat-actor.json": obj{"uuid": "33333333-cccc-4ccc-8ccc-000000000001", "name": "Threat Actor",
			"type": "threat-actor", "source": "MISP Project", "authors": []string{"Alexandre Dulaunoy"}, "version": 7,
			"values": []any{
				obj{"uuid": testAPT28UUID, "value": "APT28", "description": "Sofacy.",
					"meta":    obj{"country": "RU", "synonyms": []string{"Fancy Bear", "Sednit"}},
					"related": []any{obj{"dest-uuid": testAPT29UUID, "type": "similar"}}},
				obj{"uuid": testAPT29UUID, "value": "APT29", "description": "Cozy.",
					"meta": obj{"synonyms": []string{"Cozy Bear"}}},
			}},
		"clusters/tool.json": obj{"uuid": "33333333-cccc-4ccc-8ccc-000000000002", "name": "Tool", "type": "tool",
			"source": "MISP Project", "authors": []string{"MISP"}, "version": 2,
			"values": []any{obj{"uuid": "22222222-bbbb-4bbb-8bbb-000000000100", "value": "Mimikatz", "description": "Credential dumper."}}},
	}
	for name, v := range files {
		path := filepath.Join(dir, "galaxy", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newGalaxyEnv is a test environment whose galaxy library is imported.
func newGalaxyEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	e.API.cfg.LibraryDir = writeGalaxyLibrary(t)
	out := e.callObj(t, "POST", "/galaxies/update", e.Admin.Key, nil, http.StatusOK)
	want := obj{"saved": true, "success": true, "name": "Galaxies updated.", "message": "Galaxies updated.",
		"url": "/galaxies/update", "result": obj{"library": "galaxies", "added": 2.0, "updated": 0.0, "unchanged": 0.0}}
	if d := cmp.Diff(want, out); d != "" {
		t.Fatalf("galaxies/update (-want +got):\n%s", d)
	}
	return e
}

// galaxyIDByName returns the id of the galaxy called name.
func (e *testEnv) galaxyIDByName(t *testing.T, name string) string {
	t.Helper()
	for _, g := range e.call(t, "GET", "/galaxies/index", e.AUser.Key, nil, http.StatusOK).([]any) {
		if dig(t, g, "Galaxy", "name") == name {
			return dig(t, g, "Galaxy", "id").(string)
		}
	}
	t.Fatalf("no galaxy %q", name)
	return ""
}

func TestGalaxyUpdate(t *testing.T) {
	e := newGalaxyEnv(t)
	// Importing again changes nothing.
	out := e.callObj(t, "POST", "/galaxies/update", e.Admin.Key, nil, http.StatusOK)
	if d := cmp.Diff(obj{"library": "galaxies", "added": 0.0, "updated": 0.0, "unchanged": 2.0}, out["result"]); d != "" {
		t.Errorf("second update (-want +got):\n%s", d)
	}
	for _, u := range []*testUser{e.AUser, e.BOrgAdmin, e.APublisher} {
		e.call(t, "POST", "/galaxies/update", u.Key, nil, http.StatusForbidden)
	}
	e.call(t, "GET", "/galaxies/update", e.Admin.Key, nil, http.StatusMethodNotAllowed)

	// A library directory without galaxies: MISP's answer, the reason listed.
	e.API.cfg.LibraryDir = t.TempDir()
	out = e.callObj(t, "POST", "/galaxies/update", e.Admin.Key, nil, http.StatusOK)
	if out["name"] != "Galaxies updated." || len(dig(t, out, "result", "errors").([]any)) == 0 {
		t.Errorf("update without a library = %v, want success with errors", out)
	}
}

func TestGalaxyIndexAndView(t *testing.T) {
	e := newGalaxyEnv(t)
	all := e.call(t, "GET", "/galaxies/index", e.BUser.Key, nil, http.StatusOK).([]any)
	if len(all) != 2 {
		t.Fatalf("galaxies/index = %v, want 2 galaxies", all)
	}
	actor := dig(t, all, 0, "Galaxy").(obj)
	wantActor := obj{"id": actor["id"], "uuid": testActorGalaxyUUID, "name": "Threat Actor", "type": "threat-actor",
		"description": "Threat actors are characteristics of malicious actors.", "version": "3", "icon": "user-secret",
		"namespace": "misp", "enabled": true, "local_only": false}
	if d := cmp.Diff(wantActor, actor); d != "" {
		t.Errorf("galaxy (-want +got):\n%s", d)
	}
	if d := cmp.Diff(obj{"tool": []any{"stage-1", "stage-2"}}, dig(t, all, 1, "Galaxy", "kill_chain_order")); d != "" {
		t.Errorf("kill_chain_order (-want +got):\n%s", d)
	}

	searches := []struct {
		method, path string
		body         any
		want         []string
	}{
		{"POST", "/galaxies", obj{"value": "threat-actor"}, []string{"Threat Actor"}}, // PyMISP search_galaxy
		{"POST", "/galaxies/index", obj{"value": "TOOLS USED"}, []string{"Tool"}},
		{"GET", "/galaxies/index/value:stage-2", nil, []string{"Tool"}},
		{"POST", "/galaxies/index", obj{"value": testToolGalaxyUUID}, []string{"Tool"}},
		{"POST", "/galaxies/index", obj{"enabled": 0}, nil},
		{"POST", "/galaxies/index", obj{"value": "nothing like it"}, nil},
	}
	for _, s := range searches {
		var got []string
		for _, g := range e.call(t, s.method, s.path, e.AUser.Key, s.body, http.StatusOK).([]any) {
			got = append(got, dig(t, g, "Galaxy", "name").(string))
		}
		if d := cmp.Diff(s.want, got); d != "" {
			t.Errorf("%s %s %v (-want +got):\n%s", s.method, s.path, s.body, d)
		}
	}

	for _, ref := range []string{actor["id"].(string), testActorGalaxyUUID, actor["id"].(string) + ".json"} {
		view := e.callObj(t, "GET", "/galaxies/view/"+ref, e.BUser.Key, nil, http.StatusOK)
		if d := cmp.Diff(wantActor, view["Galaxy"]); d != "" {
			t.Errorf("galaxies/view/%s Galaxy (-want +got):\n%s", ref, d)
		}
		clusters := view["GalaxyCluster"].([]any)
		if len(clusters) != 2 || dig(t, clusters, 0, "value") != "APT28" || dig(t, clusters, 0, "distribution") != "3" ||
			dig(t, clusters, 0, "default") != true || len(dig(t, clusters, 0, "GalaxyElement").([]any)) != 3 {
			t.Errorf("galaxies/view/%s clusters = %v", ref, clusters)
		}
		if _, ok := clusters[0].(obj)["Galaxy"]; ok {
			t.Errorf("galaxies/view/%s: a cluster carries its Galaxy, MISP's does not", ref)
		}
	}
	for _, ref := range []string{"9999", testAPT28UUID, "abc"} {
		out := e.callObj(t, "GET", "/galaxies/view/"+ref, e.AUser.Key, nil, http.StatusNotFound)
		if out["message"] != "Invalid Galaxy." || out["url"] != "/galaxies/view/"+ref {
			t.Errorf("galaxies/view/%s = %v, want MISP's 404", ref, out)
		}
	}
	e.call(t, "GET", "/galaxies/index", "", nil, http.StatusForbidden)
}

func TestGalaxyClusterIndex(t *testing.T) {
	e := newGalaxyEnv(t)
	actorID := e.galaxyIDByName(t, "Threat Actor")
	tests := []struct {
		path string
		body any
		want []string
	}{
		{"/galaxy_clusters/index/" + actorID, obj{"context": "all"}, []string{"APT28", "APT29"}},
		{"/galaxy_clusters/index/" + testActorGalaxyUUID, nil, []string{"APT28", "APT29"}},
		{"/galaxy_clusters/index/" + actorID, obj{"context": "all", "searchall": "Fancy Bear"}, []string{"APT28"}},
		{"/galaxy_clusters/index/" + actorID, obj{"searchall": "cozy"}, []string{"APT29"}},
		{"/galaxy_clusters/index/" + actorID, obj{"searchall": testAPT28UUID}, []string{"APT28"}},
		{"/galaxy_clusters/index/" + actorID + "/searchall:sofacy", nil, []string{"APT28"}},
		{"/galaxy_clusters/index/" + actorID, obj{"context": "default"}, []string{"APT28", "APT29"}},
		{"/galaxy_clusters/index/" + actorID, obj{"context": "custom"}, nil},
		{"/galaxy_clusters/index/" + actorID, obj{"context": "deleted"}, nil},
		{"/galaxy_clusters/index/" + actorID, obj{"context": "org"}, nil},
		{"/galaxy_clusters/index/" + actorID, obj{"searchall": "Mimikatz"}, nil},
	}
	for _, tc := range tests {
		var got []string
		for _, c := range e.call(t, "POST", tc.path, e.BUser.Key, tc.body, http.StatusOK).([]any) {
			got = append(got, dig(t, c, "GalaxyCluster", "value").(string))
			if _, ok := c.(obj)["GalaxyCluster"].(obj)["GalaxyElement"]; ok {
				t.Errorf("%s: index entry with elements, MISP's REST index has none", tc.path)
			}
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("POST %s %v (-want +got):\n%s", tc.path, tc.body, d)
		}
	}
	first := e.call(t, "GET", "/galaxy_clusters/index/"+actorID, e.AUser.Key, nil, http.StatusOK).([]any)[0]
	want := obj{"id": dig(t, first, "GalaxyCluster", "id"), "uuid": testAPT28UUID,
		"collection_uuid": "33333333-cccc-4ccc-8ccc-000000000001", "type": "threat-actor", "value": "APT28",
		"tag_name": `misp-galaxy:threat-actor="APT28"`, "description": "Sofacy.", "galaxy_id": actorID,
		"source": "MISP Project", "authors": []any{"Alexandre Dulaunoy"}, "version": "7", "distribution": "3",
		"sharing_group_id": nil, "org_id": "0", "orgc_id": "0", "default": true, "locked": false,
		"extends_uuid": "", "extends_version": "0", "published": false, "deleted": false}
	if d := cmp.Diff(want, dig(t, first, "GalaxyCluster")); d != "" {
		t.Errorf("cluster row (-want +got):\n%s", d)
	}
	for _, ref := range []string{"9999", testAPT28UUID, "x"} {
		out := e.callObj(t, "POST", "/galaxy_clusters/index/"+ref, e.AUser.Key, nil, http.StatusNotFound)
		if out["message"] != "Invalid Galaxy." {
			t.Errorf("galaxy_clusters/index/%s = %v", ref, out)
		}
	}
	// The camelCase controller works too.
	if got := e.call(t, "POST", "/galaxyClusters/index/"+actorID, e.AUser.Key, nil, http.StatusOK).([]any); len(got) != 2 {
		t.Errorf("galaxyClusters/index = %v", got)
	}
}

func TestGalaxyClusterView(t *testing.T) {
	e := newGalaxyEnv(t)
	id := e.clusterID(t, "APT28")
	apt29 := e.clusterID(t, "APT29")
	for _, ref := range []string{id, testAPT28UUID} {
		c := e.callObj(t, "GET", "/galaxy_clusters/view/"+ref, e.BUser.Key, nil, http.StatusOK)["GalaxyCluster"].(obj)
		if c["value"] != "APT28" || dig(t, c, "Galaxy", "uuid") != testActorGalaxyUUID {
			t.Errorf("galaxy_clusters/view/%s = %v", ref, c)
		}
		var elements []string
		for _, el := range c["GalaxyElement"].([]any) {
			elements = append(elements, dig(t, el, "key").(string)+"="+dig(t, el, "value").(string))
			if dig(t, el, "galaxy_cluster_id") != id {
				t.Errorf("element %v of cluster %s", el, id)
			}
		}
		if d := cmp.Diff([]string{"country=RU", "synonyms=Fancy Bear", "synonyms=Sednit"}, elements); d != "" {
			t.Errorf("elements (-want +got):\n%s", d)
		}
		rel := dig(t, c, "GalaxyClusterRelation", 0).(obj)
		if rel["referenced_galaxy_cluster_uuid"] != testAPT29UUID || rel["referenced_galaxy_cluster_id"] != apt29 ||
			rel["referenced_galaxy_cluster_type"] != "similar" || rel["galaxy_cluster_uuid"] != testAPT28UUID {
			t.Errorf("relation = %v", rel)
		}
		for _, k := range []string{"Org", "Orgc"} {
			if dig(t, c, k, "name") != "MISP" || dig(t, c, k, "id") != "0" {
				t.Errorf("%s = %v, want MISP's generic organisation", k, c[k])
			}
		}
		if _, ok := c["tag_id"]; ok {
			t.Errorf("tag_id = %v before the tag exists", c["tag_id"])
		}
	}
	for _, ref := range []string{"9999", testActorGalaxyUUID, "zzz"} {
		out := e.callObj(t, "GET", "/galaxy_clusters/view/"+ref, e.AUser.Key, nil, http.StatusNotFound)
		if out["message"] != "Invalid galaxy cluster" {
			t.Errorf("galaxy_clusters/view/%s = %v", ref, out)
		}
	}
}

// clusterID returns the id of the threat-actor cluster with that value.
func (e *testEnv) clusterID(t *testing.T, value string) string {
	t.Helper()
	out := e.callObj(t, "POST", "/galaxy_clusters/restSearch", e.AUser.Key,
		obj{"tag_name": `misp-galaxy:threat-actor="` + value + `"`, "minimal": 0}, http.StatusOK)
	return dig(t, out, "response", 0, "GalaxyCluster", "id").(string)
}

func TestGalaxyClusterRestSearch(t *testing.T) {
	e := newGalaxyEnv(t)
	actorID := e.galaxyIDByName(t, "Threat Actor")
	values := func(body any) []string {
		t.Helper()
		var got []string
		out := e.callObj(t, "POST", "/galaxy_clusters/restSearch", e.BUser.Key, body, http.StatusOK)
		for _, c := range out["response"].([]any) {
			got = append(got, dig(t, c, "GalaxyCluster", "value").(string))
		}
		return got
	}
	tests := []struct {
		body any
		want []string
	}{
		{obj{"galaxy_id": actorID}, []string{"APT28", "APT29"}},
		{obj{"galaxy_uuid": testToolGalaxyUUID}, []string{"Mimikatz"}},
		{obj{"uuid": []string{testAPT29UUID}}, []string{"APT29"}},
		{obj{"tag_name": `MISP-GALAXY:THREAT-ACTOR="APT28"`}, []string{"APT28"}},
		{obj{"version": 2}, []string{"Mimikatz"}},
		{obj{"distribution": 3, "org_id": 0, "orgc_id": "0"}, []string{"APT28", "APT29", "Mimikatz"}},
		{obj{"custom": 1}, nil},
		{obj{"custom": 0, "limit": 1, "page": 2}, []string{"APT29"}},
		{obj{"org_id": e.OrgA.UUID}, nil},
		{obj{"id": "abc"}, nil},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, values(tc.body)); d != "" {
			t.Errorf("restSearch %v (-want +got):\n%s", tc.body, d)
		}
	}
	full := e.callObj(t, "POST", "/galaxy_clusters/restSearch", e.BUser.Key, obj{"uuid": testAPT28UUID}, http.StatusOK)
	c := dig(t, full, "response", 0, "GalaxyCluster").(obj)
	for _, k := range []string{"Galaxy", "GalaxyElement", "GalaxyClusterRelation", "Org", "Orgc"} {
		if _, ok := c[k]; !ok {
			t.Errorf("full restSearch cluster without %s: %v", k, c)
		}
	}
	minimal := e.callObj(t, "POST", "/galaxy_clusters/restSearch", e.BUser.Key, obj{"uuid": testAPT28UUID, "minimal": 1}, http.StatusOK)
	if d := cmp.Diff(obj{"response": []any{obj{"GalaxyCluster": obj{"uuid": testAPT28UUID, "version": "7"}}}}, minimal); d != "" {
		t.Errorf("minimal restSearch (-want +got):\n%s", d)
	}
	e.call(t, "GET", "/galaxy_clusters/restSearch", e.BUser.Key, nil, http.StatusBadRequest)
	if got := e.callObj(t, "POST", "/galaxy_clusters/restSearch", e.BUser.Key, nil, http.StatusOK)["response"].([]any); len(got) != 3 {
		t.Errorf("restSearch without filters = %d clusters, want 3", len(got))
	}
}

func TestGalaxyAttachCluster(t *testing.T) {
	e := newGalaxyEnv(t)
	apt28 := e.clusterID(t, "APT28")
	eventID := e.mustEvent(t, e.AUser, "galaxy target")
	attrID := dig(t, e.callObj(t, "GET", "/events/view/"+eventID, e.AUser.Key, nil, http.StatusOK), "Event", "Attribute", 0, "id").(string)
	body := obj{"Galaxy": obj{"target_id": apt28}}
	shared := dig(t, e.callObj(t, "POST", "/events/add", e.AUser.Key,
		obj{"Event": obj{"info": "shared", "distribution": 3}}, http.StatusOK), "Event", "id").(string)

	out := e.callObj(t, "POST", "/galaxies/attachCluster/"+eventID+"/event/local:0", e.AUser.Key, body, http.StatusOK)
	if d := cmp.Diff(obj{"saved": true, "success": "Cluster attached.", "check_publish": true}, out); d != "" {
		t.Errorf("attachCluster (-want +got):\n%s", d)
	}
	out = e.callObj(t, "POST", "/galaxies/attachCluster/"+eventID+"/event/local:0", e.AUser.Key, obj{"Galaxy": obj{"target_id": json.Number(apt28)}}, http.StatusOK)
	if out["success"] != "Cluster already attached." {
		t.Errorf("second attachCluster = %v", out)
	}
	ev := e.callObj(t, "GET", "/events/view/"+eventID, e.AUser.Key, nil, http.StatusOK)
	tag := dig(t, ev, "Event", "Tag", 0).(obj)
	if tag["name"] != `misp-galaxy:threat-actor="APT28"` || tag["colour"] != "#0088cc" || tag["is_galaxy"] != true || tag["local"] != false {
		t.Errorf("attached tag = %v", tag)
	}
	// The cluster view now names its tag.
	view := e.callObj(t, "GET", "/galaxy_clusters/view/"+apt28, e.AUser.Key, nil, http.StatusOK)
	if dig(t, view, "GalaxyCluster", "tag_id") != tag["id"] {
		t.Errorf("cluster tag_id = %v, want %v", dig(t, view, "GalaxyCluster", "tag_id"), tag["id"])
	}

	out = e.callObj(t, "POST", "/galaxies/attachCluster/"+attrID+"/attribute/local:1", e.Admin.Key, body, http.StatusOK)
	if out["success"] != "Cluster attached." {
		t.Errorf("attachCluster to attribute = %v", out)
	}
	attr := e.callObj(t, "GET", "/attributes/view/"+attrID, e.AUser.Key, nil, http.StatusOK)
	if dig(t, attr, "Attribute", "Tag", 0, "name") != tag["name"] || dig(t, attr, "Attribute", "Tag", 0, "local") != true {
		t.Errorf("attribute tags = %v", dig(t, attr, "Attribute", "Tag"))
	}

	failures := []struct {
		name, path, key string
		body            any
		status          int
		message         string
	}{
		{"other org", "/galaxies/attachCluster/" + shared + "/event/local:0", e.BUser.Key, body, http.StatusForbidden,
			"No permission to attach this cluster to given target."},
		{"other org, local", "/galaxies/attachCluster/" + shared + "/event/local:1", e.BUser.Key, body, http.StatusForbidden,
			"No permission to attach this cluster to given target."},
		{"invisible event", "/galaxies/attachCluster/" + eventID + "/event/local:0", e.BUser.Key, body, http.StatusNotFound,
			"Invalid event."},
		{"read only", "/galaxies/attachCluster/" + eventID + "/event/local:0", e.AReadOnly.Key, body, http.StatusForbidden,
			"You do not have permission to use this functionality."},
		{"unknown event", "/galaxies/attachCluster/9999/event/local:0", e.AUser.Key, body, http.StatusNotFound, "Invalid event."},
		{"unknown attribute", "/galaxies/attachCluster/9999/attribute/local:0", e.AUser.Key, body, http.StatusNotFound, "Invalid attribute."},
		{"tag collection", "/galaxies/attachCluster/1/tag_collection/local:0", e.AUser.Key, body, http.StatusNotFound, "Invalid tag_collection."},
		{"unknown cluster", "/galaxies/attachCluster/" + eventID + "/event/local:0", e.AUser.Key,
			obj{"Galaxy": obj{"target_id": 9999}}, http.StatusNotFound, "Invalid Galaxy cluster"},
		{"no cluster", "/galaxies/attachCluster/" + eventID + "/event/local:0", e.AUser.Key, nil, http.StatusNotFound, "Invalid Galaxy cluster"},
	}
	for _, f := range failures {
		out := e.callObj(t, "POST", f.path, f.key, f.body, f.status)
		if out["message"] != f.message {
			t.Errorf("%s: %v, want message %q", f.name, out, f.message)
		}
	}
}

// TestGalaxyPyMISPFlow follows PyMISP: search_galaxy("threat-actor"),
// search_galaxy_clusters(galaxy, searchall="Fancy Bear"),
// get_galaxy_cluster, attach_galaxy_cluster — on the real threat-actor
// galaxy when the library is present, else on the test library.
func TestGalaxyPyMISPFlow(t *testing.T) {
	e := newTestEnv(t)
	e.API.cfg.LibraryDir = writeGalaxyLibrary(t)
	const real = "../../../shared/misp-data/galaxy"
	if _, err := os.Stat(filepath.Join(real, "clusters", "threat-actor.json")); err == nil {
		dir := t.TempDir()
		for _, f := range []string{"galaxies/threat-actor.json", "clusters/threat-actor.json"} {
			b, err := os.ReadFile(filepath.Join(real, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, "galaxy", filepath.Dir(f)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "galaxy", f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		e.API.cfg.LibraryDir = dir
	}
	e.call(t, "POST", "/galaxies/update", e.Admin.Key, nil, http.StatusOK)

	found := e.call(t, "POST", "/galaxies", e.AUser.Key, obj{"value": "threat-actor"}, http.StatusOK).([]any)
	var galaxyID string
	for _, g := range found {
		if dig(t, g, "Galaxy", "type") == "threat-actor" {
			galaxyID = dig(t, g, "Galaxy", "id").(string)
		}
	}
	if galaxyID == "" {
		t.Fatalf("search_galaxy(threat-actor) = %v", found)
	}
	clusters := e.call(t, "POST", "/galaxy_clusters/index/"+galaxyID, e.AUser.Key,
		obj{"context": "all", "searchall": "Fancy Bear"}, http.StatusOK).([]any)
	if len(clusters) != 1 || dig(t, clusters, 0, "GalaxyCluster", "value") != "APT28" {
		t.Fatalf("search_galaxy_clusters(Fancy Bear) = %v", clusters)
	}
	id := dig(t, clusters, 0, "GalaxyCluster", "id").(string)
	cluster := e.callObj(t, "GET", "/galaxy_clusters/view/"+id, e.AUser.Key, nil, http.StatusOK)
	var synonyms []string
	for _, el := range dig(t, cluster, "GalaxyCluster", "GalaxyElement").([]any) {
		if dig(t, el, "key") == "synonyms" {
			synonyms = append(synonyms, dig(t, el, "value").(string))
		}
	}
	if !strings.Contains(strings.Join(synonyms, "|"), "Fancy Bear") {
		t.Errorf("APT28 synonyms = %v", synonyms)
	}
	eventID := e.mustEvent(t, e.AUser, "pymisp flow")
	out := e.callObj(t, "POST", "/galaxies/attachCluster/"+eventID+"/event/local:0", e.AUser.Key,
		obj{"Galaxy": obj{"target_id": id}}, http.StatusOK)
	if out["success"] != "Cluster attached." {
		t.Errorf("attach_galaxy_cluster = %v", out)
	}
}
