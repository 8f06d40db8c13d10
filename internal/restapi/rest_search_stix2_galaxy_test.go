package restapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/export/stix2/stix2test"
)

// testMimikatzUUID is the tool cluster of writeGalaxyLibrary.
const testMimikatzUUID = "22222222-bbbb-4bbb-8bbb-000000000100"

// stixObjects is a decoded stix2 answer, its objects by identifier.
type stixObjects map[string]obj

// searchSTIX posts a stix2 restSearch and returns the bundle, validated
// against the STIX 2.1 schemas with every reference resolved.
func (e *testEnv) searchSTIX(t *testing.T, scope, key string, body obj) stixObjects {
	t.Helper()
	body["returnFormat"] = "stix2"
	status, _, b := e.do(t, http.MethodPost, "/"+scope+"/restSearch", key, body)
	if status != http.StatusOK {
		t.Fatalf("%s/restSearch stix2: status %d: %s", scope, status, b)
	}
	stix2test.Validate(t, b)
	stix2test.ValidateRefs(t, b)
	var out struct {
		Objects []obj `json:"objects"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("stix2 answer: %v\n%s", err, b)
	}
	m := stixObjects{}
	for _, o := range out.Objects {
		m[o["id"].(string)] = o
	}
	return m
}

// relationship returns the type of the relationship from source to
// target, "" when there is none.
func (b stixObjects) relationship(source, target string) string {
	for _, o := range b {
		if o["type"] == "relationship" && o["source_ref"] == source && o["target_ref"] == target {
			return o["relationship_type"].(string)
		}
	}
	return ""
}

// TestRestSearchSTIX2Galaxies: the galaxy clusters of an event's and an
// attribute's misp-galaxy tags come out of restSearch stix2 as
// misp-stix's SDOs in both scopes, not with excludeGalaxy, not to a
// reader who may not see the cluster; and the bundle uploads back as an
// event carrying the cluster tags.
func TestRestSearchSTIX2Galaxies(t *testing.T) {
	e := newGalaxyEnv(t)
	apt28, apt29 := e.clusterID(t, "APT28"), e.clusterID(t, "APT29")
	mimikatz := dig(t, e.callObj(t, "POST", "/galaxy_clusters/restSearch", e.AUser.Key,
		obj{"tag_name": `misp-galaxy:tool="Mimikatz"`}, http.StatusOK), "response", 0, "GalaxyCluster", "id").(string)
	added := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "galaxies in STIX", "distribution": 3,
		"published": true, "Attribute": []any{obj{"type": "ip-dst", "value": "203.0.113.99", "to_ids": true}}}}, http.StatusOK)
	event := dig(t, added, "Event", "id").(string)
	eventUUID := dig(t, added, "Event", "uuid").(string)
	view := e.callObj(t, "GET", "/events/view/"+event, e.AUser.Key, nil, http.StatusOK)
	attr := dig(t, view, "Event", "Attribute", 0, "id").(string)
	attrUUID := dig(t, view, "Event", "Attribute", 0, "uuid").(string)
	for _, c := range []string{apt28, apt29} {
		e.callObj(t, "POST", "/galaxies/attachCluster/"+event+"/event/local:0", e.AUser.Key, obj{"Galaxy": obj{"target_id": c}}, http.StatusOK)
	}
	// APT28 also on the attribute: one SDO, referred to twice.
	for _, c := range []string{mimikatz, apt28} {
		e.callObj(t, "POST", "/galaxies/attachCluster/"+attr+"/attribute/local:0", e.AUser.Key, obj{"Galaxy": obj{"target_id": c}}, http.StatusOK)
	}

	indicator := "indicator--" + attrUUID
	actor28, actor29, tool := "threat-actor--"+testAPT28UUID, "threat-actor--"+testAPT29UUID, "tool--"+testMimikatzUUID
	t.Run("events", func(t *testing.T) {
		b := e.searchSTIX(t, "events", e.AUser.Key, obj{"eventid": event})
		report := b["grouping--"+eventUUID] // not published
		if report == nil {
			t.Fatalf("no grouping--%s in %v", eventUUID, b)
		}
		refs := report["object_refs"].([]any)
		for _, id := range []string{actor28, actor29, tool} {
			if b[id] == nil || !slices.Contains(refs, any(id)) {
				t.Errorf("%s: in bundle %v, in report object_refs %v", id, b[id] != nil, slices.Contains(refs, any(id)))
			}
		}
		ta := b[actor28]
		if ta["name"] != "APT28" || ta["description"] != "Sofacy." || !slices.Equal(ta["aliases"].([]any), []any{"Fancy Bear", "Sednit"}) ||
			!slices.Contains(ta["labels"].([]any), any(`misp-galaxy:threat-actor="APT28"`)) {
			t.Errorf("APT28 = %v", ta)
		}
		for _, target := range []string{actor28, tool} {
			if got := b.relationship(indicator, target); got != "indicates" {
				t.Errorf("relationship %s → %s = %q, want indicates", indicator, target, got)
			}
		}
		if got := b.relationship(indicator, actor29); got != "" {
			t.Errorf("relationship to APT29, which is on the event only: %q", got)
		}
	})
	t.Run("attributes", func(t *testing.T) {
		b := e.searchSTIX(t, "attributes", e.AUser.Key, obj{"eventid": event})
		for _, id := range []string{actor28, actor29, tool} {
			if b[id] == nil {
				t.Errorf("no %s", id)
			}
		}
		if got := b.relationship(indicator, tool); got != "indicates" {
			t.Errorf("relationship %s → %s = %q, want indicates", indicator, tool, got)
		}
	})
	// excludeGalaxy is an events-scope parameter; MISP's attributes
	// scope drops it, and its STIX export asks for the galaxies anyway.
	t.Run("excludeGalaxy", func(t *testing.T) {
		for _, scope := range []string{"events", "attributes"} {
			b := e.searchSTIX(t, scope, e.AUser.Key, obj{"eventid": event, "excludeGalaxy": 1})
			for _, id := range []string{actor28, actor29, tool} {
				if got, want := b[id] != nil, scope == "attributes"; got != want {
					t.Errorf("%s excludeGalaxy: %s in the bundle = %v, want %v", scope, id, got, want)
				}
			}
		}
	})
	t.Run("upload", func(t *testing.T) {
		status, _, bundle := e.do(t, http.MethodPost, "/events/restSearch", e.AUser.Key, obj{"returnFormat": "stix2", "eventid": event})
		if status != http.StatusOK {
			t.Fatalf("restSearch stix2: status %d", status)
		}
		e.call(t, "POST", "/events/delete/"+event, e.AUser.Key, nil, http.StatusOK)
		out := e.callObj(t, "POST", "/events/upload_stix/2", e.BUser.Key, bundle, http.StatusOK)
		var tags []string
		for _, tg := range dig(t, out, "Event", "Tag").([]any) {
			tags = append(tags, tg.(obj)["name"].(string))
		}
		for _, want := range []string{`misp-galaxy:threat-actor="APT28"`, `misp-galaxy:threat-actor="APT29"`, `misp-galaxy:tool="Mimikatz"`} {
			if !slices.Contains(tags, want) {
				t.Errorf("uploaded event tags %q lack %s", tags, want)
			}
		}
		// The uploaded event shows the clusters of those tags again.
		var values []string
		for _, g := range dig(t, out, "Event", "Galaxy").([]any) {
			for _, c := range g.(obj)["GalaxyCluster"].([]any) {
				values = append(values, c.(obj)["value"].(string))
			}
		}
		slices.Sort(values)
		if !slices.Equal(values, []string{"APT28", "APT29", "Mimikatz"}) {
			t.Errorf("uploaded event clusters %v", values)
		}
	})
}

// TestRestSearchSTIX2HiddenCluster: a cluster the reader may not see is
// in no stix2 answer, though its tag is on an event the reader sees.
func TestRestSearchSTIX2HiddenCluster(t *testing.T) {
	e := newGalaxyEnv(t)
	apt28, apt29 := e.clusterID(t, "APT28"), e.clusterID(t, "APT29")
	event := dig(t, e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "hidden cluster", "distribution": 3,
		"published": true, "Attribute": []any{obj{"type": "ip-dst", "value": "203.0.113.98", "to_ids": true}}}}, http.StatusOK), "Event", "id").(string)
	attr := dig(t, e.callObj(t, "GET", "/events/view/"+event, e.AUser.Key, nil, http.StatusOK), "Event", "Attribute", 0, "id").(string)
	for _, c := range []string{apt28, apt29} {
		e.callObj(t, "POST", "/galaxies/attachCluster/"+event+"/event/local:0", e.AUser.Key, obj{"Galaxy": obj{"target_id": c}}, http.StatusOK)
		e.callObj(t, "POST", "/galaxies/attachCluster/"+attr+"/attribute/local:0", e.AUser.Key, obj{"Galaxy": obj{"target_id": c}}, http.StatusOK)
	}
	// APT29 becomes org A's own cluster.
	if _, err := e.DB.SQL().ExecContext(context.Background(),
		"UPDATE galaxy_clusters SET distribution = 0, org_id = $1, orgc_id = $1, is_default = FALSE WHERE value = 'APT29'",
		int64(e.OrgA.ID)); err != nil {
		t.Fatal(err)
	}
	for _, scope := range []string{"events", "attributes"} {
		for _, u := range []*testUser{e.AUser, e.BUser} {
			b := e.searchSTIX(t, scope, u.Key, obj{"eventid": event})
			if b["threat-actor--"+testAPT28UUID] == nil {
				t.Errorf("%s as %s: no APT28", scope, u.User.Email)
			}
			if got, want := b["threat-actor--"+testAPT29UUID] != nil, u == e.AUser; got != want {
				t.Errorf("%s as %s: APT29 in the bundle = %v, want %v", scope, u.User.Email, got, want)
			}
		}
	}
}
