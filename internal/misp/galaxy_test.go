package misp

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGalaxyClusterJSON(t *testing.T) {
	c := &GalaxyCluster{ID: 7, UUID: "u", Type: "threat-actor", Value: "APT28", Authors: []string{"a"}, Version: 3,
		Distribution: DistributionAll, Default: true}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	const row = `{"id":"7","uuid":"u","collection_uuid":"","type":"threat-actor","value":"APT28","tag_name":"",` +
		`"description":"","galaxy_id":"0","source":"","authors":["a"],"version":"3","distribution":"3",` +
		`"sharing_group_id":null,"org_id":"0","orgc_id":"0","default":true,"locked":false,"extends_uuid":"",` +
		`"extends_version":"0","published":false,"deleted":false`
	if d := cmp.Diff(row+`}`, string(b)); d != "" {
		t.Errorf("cluster without related data (-want +got):\n%s", d)
	}
	// Loaded but empty lists are shown, as MISP shows contained models.
	c.GalaxyElement = []*GalaxyElement{}
	c.GalaxyClusterRelation = []*GalaxyClusterRelation{}
	b, err = json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(row+`,"GalaxyElement":[],"GalaxyClusterRelation":[]}`, string(b)); d != "" {
		t.Errorf("cluster with empty lists (-want +got):\n%s", d)
	}
}

func TestGalaxyJSON(t *testing.T) {
	g := &Galaxy{ID: 1, UUID: "g", Name: "Tool", Type: "tool", Version: 2, Namespace: "misp", Enabled: true}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"1","uuid":"g","name":"Tool","type":"tool","description":"","version":"2","icon":"",` +
		`"namespace":"misp","enabled":true,"local_only":false}`
	if d := cmp.Diff(want, string(b)); d != "" {
		t.Errorf("galaxy without kill chain (-want +got):\n%s", d)
	}
}

func TestGalaxyClusterMeta(t *testing.T) {
	c := &GalaxyCluster{GalaxyElement: []*GalaxyElement{
		{Key: "synonyms", Value: "Fancy Bear"}, {Key: "country", Value: "RU"}, {Key: "synonyms", Value: "Sednit"},
	}}
	if d := cmp.Diff(map[string][]string{"synonyms": {"Fancy Bear", "Sednit"}, "country": {"RU"}}, c.Meta()); d != "" {
		t.Errorf("Meta() (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"Fancy Bear", "Sednit"}, c.Synonyms()); d != "" {
		t.Errorf("Synonyms() (-want +got):\n%s", d)
	}
}
