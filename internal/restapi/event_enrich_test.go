package restapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEventViewGalaxies checks the Galaxy lists of event views: clusters
// attached by event and attribute tags, grouped by galaxy, with meta and
// the attachment's fields; excludeGalaxy; the events/add answer and
// events/restSearch; and that a cluster the reader may not see is not
// shown, though its tag is.
func TestEventViewGalaxies(t *testing.T) {
	e := newGalaxyEnv(t)
	apt28, apt29 := e.clusterID(t, "APT28"), e.clusterID(t, "APT29")
	mimikatz := dig(t, e.callObj(t, "POST", "/galaxy_clusters/restSearch", e.AUser.Key,
		obj{"tag_name": `misp-galaxy:tool="Mimikatz"`}, http.StatusOK), "response", 0, "GalaxyCluster", "id").(string)
	event := dig(t, e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "galaxies", "distribution": 3,
		"Attribute": []any{obj{"type": "ip-dst", "value": "203.0.113.99"}}}}, http.StatusOK), "Event", "id").(string)
	attr := dig(t, e.callObj(t, "GET", "/events/view/"+event, e.AUser.Key, nil, http.StatusOK), "Event", "Attribute", 0, "id").(string)
	for _, c := range []string{apt28, apt29} {
		e.callObj(t, "POST", "/galaxies/attachCluster/"+event+"/event/local:0", e.AUser.Key, obj{"Galaxy": obj{"target_id": c}}, http.StatusOK)
	}
	e.callObj(t, "POST", "/galaxies/attachCluster/"+attr+"/attribute/local:1", e.AUser.Key, obj{"Galaxy": obj{"target_id": mimikatz}}, http.StatusOK)

	view := e.callObj(t, "GET", "/events/view/"+event, e.AUser.Key, nil, http.StatusOK)
	tagID := func(name string) any {
		for _, tg := range dig(t, view, "Event", "Tag").([]any) {
			if tg.(obj)["name"] == name {
				return tg.(obj)["id"]
			}
		}
		for _, tg := range dig(t, view, "Event", "Attribute", 0, "Tag").([]any) {
			if tg.(obj)["name"] == name {
				return tg.(obj)["id"]
			}
		}
		t.Fatalf("no tag %s", name)
		return nil
	}
	galaxies := dig(t, view, "Event", "Galaxy").([]any)
	if len(galaxies) != 1 {
		t.Fatalf("Event.Galaxy = %v, want the threat-actor galaxy", galaxies)
	}
	g := galaxies[0].(obj)
	if g["uuid"] != testActorGalaxyUUID || g["name"] != "Threat Actor" || g["type"] != "threat-actor" {
		t.Errorf("Event.Galaxy[0] = %v", g)
	}
	clusters := g["GalaxyCluster"].([]any)
	if len(clusters) != 2 {
		t.Fatalf("GalaxyCluster = %v, want APT28 and APT29", clusters)
	}
	c := clusters[0].(obj)
	want := obj{"uuid": testAPT28UUID, "value": "APT28", "tag_name": `misp-galaxy:threat-actor="APT28"`,
		"meta":   obj{"country": []any{"RU"}, "synonyms": []any{"Fancy Bear", "Sednit"}},
		"tag_id": tagID(`misp-galaxy:threat-actor="APT28"`), "local": false, "relationship_type": false,
		"galaxy_id": g["id"], "default": true, "distribution": "3"}
	for k, v := range want {
		if d := cmp.Diff(v, c[k]); d != "" {
			t.Errorf("APT28 cluster %s (-want +got):\n%s", k, d)
		}
	}
	for _, k := range []string{"Galaxy", "GalaxyElement"} {
		if _, ok := c[k]; ok {
			t.Errorf("cluster has %s: %v", k, c)
		}
	}
	// The full cluster, as MISP's fetchEvent attaches it: its relations
	// and organisations (the generic MISP one for a library cluster).
	wantRelation := []any{obj{"id": dig(t, c, "GalaxyClusterRelation", 0, "id"), "galaxy_cluster_id": apt28,
		"referenced_galaxy_cluster_id": apt29, "referenced_galaxy_cluster_uuid": testAPT29UUID,
		"referenced_galaxy_cluster_type": "similar", "galaxy_cluster_uuid": testAPT28UUID,
		"distribution": "3", "sharing_group_id": nil, "default": true}}
	if d := cmp.Diff(wantRelation, c["GalaxyClusterRelation"]); d != "" {
		t.Errorf("APT28 cluster GalaxyClusterRelation (-want +got):\n%s", d)
	}
	for _, k := range []string{"Org", "Orgc"} {
		if dig(t, c, k, "name") != "MISP" || dig(t, c, k, "id") != "0" {
			t.Errorf("APT28 cluster %s = %v, want the generic MISP organisation", k, c[k])
		}
	}
	if clusters[1].(obj)["value"] != "APT29" {
		t.Errorf("second cluster = %v", clusters[1])
	}
	ag := dig(t, view, "Event", "Attribute", 0, "Galaxy").([]any)
	if len(ag) != 1 || ag[0].(obj)["type"] != "tool" || dig(t, ag[0], "GalaxyCluster", 0, "value") != "Mimikatz" ||
		dig(t, ag[0], "GalaxyCluster", 0, "local") != true {
		t.Errorf("Attribute.Galaxy = %v, want the local Mimikatz cluster", ag)
	}
	// Mimikatz has no elements: MISP leaves an attribute's empty meta the
	// PHP array it is, and relations an empty list.
	if d := cmp.Diff(obj{"meta": []any{}, "GalaxyClusterRelation": []any{}}, obj{"meta": dig(t, ag[0], "GalaxyCluster", 0, "meta"),
		"GalaxyClusterRelation": dig(t, ag[0], "GalaxyCluster", 0, "GalaxyClusterRelation")}); d != "" {
		t.Errorf("Mimikatz on the attribute (-want +got):\n%s", d)
	}

	// excludeGalaxy leaves the lists empty, and every attribute still
	// has one, as in MISP.
	view = e.callObj(t, "GET", "/events/view/"+event+"/excludeGalaxy:1", e.AUser.Key, nil, http.StatusOK)
	if got := dig(t, view, "Event", "Galaxy"); len(got.([]any)) != 0 {
		t.Errorf("excludeGalaxy: Galaxy = %v", got)
	}
	if got, ok := dig(t, view, "Event", "Attribute", 0).(obj)["Galaxy"].([]any); !ok || len(got) != 0 {
		t.Errorf("excludeGalaxy: attribute Galaxy = %v, want []", got)
	}
	// attributes/restSearch has no Galaxy (MISP: only with includeGalaxy).
	found := e.callObj(t, "POST", "/attributes/restSearch", e.AUser.Key, obj{"returnFormat": "json", "eventid": event}, http.StatusOK)
	if _, ok := dig(t, found, "response", "Attribute", 0).(obj)["Galaxy"]; ok {
		t.Errorf("attributes/restSearch: attribute has Galaxy")
	}

	// events/restSearch shows them too, unless excludeGalaxy.
	for _, exclude := range []bool{false, true} {
		out := e.callObj(t, "POST", "/events/restSearch", e.AUser.Key, obj{"returnFormat": "json", "eventid": event, "excludeGalaxy": exclude}, http.StatusOK)
		n := len(dig(t, out, "response", 0, "Event", "Galaxy").([]any))
		if (n == 1) == exclude {
			t.Errorf("events/restSearch excludeGalaxy=%v: %d galaxies", exclude, n)
		}
	}

	// The events/add answer shows the clusters its tags attach.
	added := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "tagged on add",
		"Tag": []any{obj{"name": `misp-galaxy:tool="Mimikatz"`}}}}, http.StatusOK)
	if got := dig(t, added, "Event", "Galaxy", 0, "GalaxyCluster", 0, "value"); got != "Mimikatz" {
		t.Errorf("events/add answer Galaxy = %v", dig(t, added, "Event", "Galaxy"))
	}

	// APT29 becomes org A's own cluster: org B's user sees the event and
	// its tag, not the cluster.
	if _, err := e.DB.SQL().ExecContext(context.Background(),
		"UPDATE galaxy_clusters SET distribution = 0, org_id = $1, orgc_id = $1, is_default = FALSE WHERE value = 'APT29'",
		int64(e.OrgA.ID)); err != nil {
		t.Fatal(err)
	}
	values := func(u *testUser) []string {
		t.Helper()
		var out []string
		v := e.callObj(t, "GET", "/events/view/"+event, u.Key, nil, http.StatusOK)
		for _, g := range dig(t, v, "Event", "Galaxy").([]any) {
			for _, c := range g.(obj)["GalaxyCluster"].([]any) {
				out = append(out, c.(obj)["value"].(string))
			}
		}
		return out
	}
	if d := cmp.Diff([]string{"APT28", "APT29"}, values(e.AUser)); d != "" {
		t.Errorf("org A's clusters (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"APT28"}, values(e.BUser)); d != "" {
		t.Errorf("org B's clusters (-want +got):\n%s", d)
	}
	out := e.callObj(t, "POST", "/events/restSearch", e.BUser.Key, obj{"returnFormat": "json", "eventid": event}, http.StatusOK)
	if got := dig(t, out, "response", 0, "Event", "Galaxy", 0, "GalaxyCluster").([]any); len(got) != 1 {
		t.Errorf("org B's events/restSearch clusters = %v, want APT28 only", got)
	}
	// APT28's relation to APT29 is shared with everybody (distribution
	// 3): org B sees it, but not which cluster it names, which org B may
	// not see; org A sees APT29's id and APT29's organisations.
	target := func(u *testUser) any {
		t.Helper()
		v := e.callObj(t, "GET", "/events/view/"+event, u.Key, nil, http.StatusOK)
		return dig(t, v, "Event", "Galaxy", 0, "GalaxyCluster", 0, "GalaxyClusterRelation", 0, "referenced_galaxy_cluster_id")
	}
	if got := target(e.AUser); got != apt29 {
		t.Errorf("org A's APT28 relation names %v, want APT29 (%s)", got, apt29)
	}
	if got := target(e.BUser); got != "0" {
		t.Errorf("org B's APT28 relation names %v, want 0", got)
	}
	v := e.callObj(t, "GET", "/events/view/"+event, e.AUser.Key, nil, http.StatusOK)
	if got := dig(t, v, "Event", "Galaxy", 0, "GalaxyCluster", 1, "Orgc", "uuid"); got != e.OrgA.UUID {
		t.Errorf("org A's APT29 Orgc uuid = %v, want %s", got, e.OrgA.UUID)
	}
}

// TestEventViewWarnings checks that event views flag the to_ids
// attributes whose value is on an enabled warninglist, as MISP's REST
// view does, unless includeWarninglistHits:0; and that restSearch does it
// with includeWarninglistHits.
func TestEventViewWarnings(t *testing.T) {
	e := newTestEnv(t)
	e.withDNSWarninglist(t)
	event := dig(t, e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "warnings",
		"Attribute": []any{
			obj{"type": "ip-dst", "value": "8.8.8.8", "to_ids": true},
			obj{"type": "ip-src", "value": "8.8.8.8", "to_ids": false, "comment": "not checked"},
			obj{"type": "ip-dst", "value": "203.0.113.5", "to_ids": true},
		}}}, http.StatusOK), "Event", "id").(string)
	warnings := func(attrs []any) map[string]any {
		out := map[string]any{}
		for _, a := range attrs {
			a := a.(obj)
			if w, ok := a["warnings"]; ok {
				out[a["value"].(string)+"/"+a["comment"].(string)] = w
			}
		}
		return out
	}
	view := e.callObj(t, "GET", "/events/view/"+event, e.AUser.Key, nil, http.StatusOK)
	got := warnings(dig(t, view, "Event", "Attribute").([]any))
	hit := []any{obj{"match": "8.8.8.8/32", "value": "8.8.8.8", "warninglist_id": got["8.8.8.8/"].([]any)[0].(obj)["warninglist_id"],
		"warninglist_name": "Public DNS resolvers", "warninglist_category": "false_positive"}}
	if d := cmp.Diff(map[string]any{"8.8.8.8/": hit}, got); d != "" {
		t.Errorf("events/view warnings (-want +got):\n%s", d)
	}
	view = e.callObj(t, "GET", "/events/view/"+event+"/includeWarninglistHits:0", e.AUser.Key, nil, http.StatusOK)
	if got := warnings(dig(t, view, "Event", "Attribute").([]any)); len(got) != 0 {
		t.Errorf("includeWarninglistHits:0: warnings %v", got)
	}
	for _, include := range []bool{false, true} {
		want := map[string]any{}
		if include {
			want["8.8.8.8/"] = hit
		}
		out := e.callObj(t, "POST", "/events/restSearch", e.AUser.Key, obj{"returnFormat": "json", "includeWarninglistHits": include}, http.StatusOK)
		if d := cmp.Diff(want, warnings(dig(t, out, "response", 0, "Event", "Attribute").([]any))); d != "" {
			t.Errorf("events/restSearch includeWarninglistHits=%v (-want +got):\n%s", include, d)
		}
		out = e.callObj(t, "POST", "/attributes/restSearch", e.AUser.Key, obj{"returnFormat": "json", "includeWarninglistHits": include}, http.StatusOK)
		if d := cmp.Diff(want, warnings(dig(t, out, "response", "Attribute").([]any))); d != "" {
			t.Errorf("attributes/restSearch includeWarninglistHits=%v (-want +got):\n%s", include, d)
		}
	}
}
