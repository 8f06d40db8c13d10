package galaxy

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestClusterMISP(t *testing.T) {
	c := &Cluster{UUID: "c1", Value: "APT28", Description: "d", Type: "threat-actor", Version: 7,
		CollectionUUID: "coll", Source: "MISP Project",
		Elements: []Element{{"synonyms", "Fancy Bear"}, {"country", "RU"}},
		Related:  []Relation{{DestUUID: "c2", Type: "similar", Tags: []string{"t"}}},
		Revoked:  true, TagName: `misp-galaxy:threat-actor="APT28"`}
	want := &misp.GalaxyCluster{UUID: "c1", CollectionUUID: "coll", Type: "threat-actor", Value: "APT28",
		TagName: `misp-galaxy:threat-actor="APT28"`, Description: "d", Source: "MISP Project", Authors: []string{},
		Version: 7, Distribution: misp.DistributionAll, Default: true,
		GalaxyElement: []*misp.GalaxyElement{{Key: "synonyms", Value: "Fancy Bear"}, {Key: "country", Value: "RU"}},
		GalaxyClusterRelation: []*misp.GalaxyClusterRelation{{GalaxyClusterUUID: "c1", ReferencedGalaxyClusterUUID: "c2",
			ReferencedGalaxyClusterType: "similar", Distribution: misp.DistributionAll, Default: true, Tags: []string{"t"}}},
	}
	if d := cmp.Diff(want, c.MISP()); d != "" {
		t.Errorf("MISP() (-want +got):\n%s", d)
	}
}

func TestGalaxyMISP(t *testing.T) {
	g := &Galaxy{UUID: "g", Name: "Tool", Type: "tool", Description: "d", Version: 3, Icon: "i", Namespace: "misp",
		KillChainOrder: map[string][]string{"k": {"a"}}}
	want := &misp.Galaxy{UUID: "g", Name: "Tool", Type: "tool", Description: "d", Version: 3, Icon: "i",
		Namespace: "misp", Enabled: true, KillChainOrder: map[string][]string{"k": {"a"}}}
	if d := cmp.Diff(want, g.MISP()); d != "" {
		t.Errorf("MISP() (-want +got):\n%s", d)
	}
}
