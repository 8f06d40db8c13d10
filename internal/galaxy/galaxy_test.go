package galaxy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseGalaxy(t *testing.T) {
	const src = `{"uuid": "g1", "name": "Attack Pattern", "type": "mitre-attack-pattern", "description": "d",
		"version": 15, "icon": "map", "namespace": "mitre-attack",
		"kill_chain_order": {"attack-PRE": ["reconnaissance", "resource-development"]}}`
	got, err := ParseGalaxy(strings.NewReader(src))
	if err != nil {
		t.Fatalf("ParseGalaxy: %v", err)
	}
	want := &Galaxy{
		UUID: "g1", Name: "Attack Pattern", Type: "mitre-attack-pattern", Description: "d",
		Version: 15, Icon: "map", Namespace: "mitre-attack",
		KillChainOrder: map[string][]string{"attack-PRE": {"reconnaissance", "resource-development"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseGalaxy mismatch (-want +got):\n%s", diff)
	}
}

func TestParseGalaxyDefaultsAndErrors(t *testing.T) {
	g, err := ParseGalaxy(strings.NewReader(`{"uuid": "g", "type": "t", "version": "2"}`))
	if err != nil {
		t.Fatalf("ParseGalaxy: %v", err)
	}
	if g.Namespace != "misp" || g.Version != 2 || g.KillChainOrder != nil {
		t.Errorf("ParseGalaxy defaults = %+v, want namespace misp, version 2", g)
	}
	for _, src := range []string{`{"type": "t"}`, `{"uuid": "g"}`, `{"uuid": `, `[]`} {
		if _, err := ParseGalaxy(strings.NewReader(src)); err == nil {
			t.Errorf("ParseGalaxy(%s) = nil error, want one", src)
		}
	}
}
