package galaxy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCollection(t *testing.T) {
	const src = `{
		"uuid": "coll-uuid", "name": "Threat Actor", "type": "threat-actor", "category": "actor",
		"description": "d", "source": "MISP Project", "authors": ["A", "B"], "version": 7,
		"values": [
			{"uuid": "c1", "value": "APT28", "description": "Sofacy.",
			 "meta": {"synonyms": ["Fancy Bear", "Sednit"], "country": "RU", "refs": []},
			 "related": [{"dest-uuid": "c2", "type": "similar", "tags": ["estimative-language:likelihood-probability=\"likely\""]}]},
			{"uuid": "c2", "value": "Own version", "version": 9, "revoked": true}
		]
	}`
	c, err := ParseCollection(strings.NewReader(src))
	if err != nil {
		t.Fatalf("ParseCollection: %v", err)
	}
	want := []Cluster{
		{
			UUID: "c1", Value: "APT28", Description: "Sofacy.", Type: "threat-actor", Version: 7,
			CollectionUUID: "coll-uuid", Source: "MISP Project", Authors: []string{"A", "B"},
			Synonyms: []string{"Fancy Bear", "Sednit"},
			Elements: []Element{{"synonyms", "Fancy Bear"}, {"synonyms", "Sednit"}, {"country", "RU"}},
			Related:  []Relation{{DestUUID: "c2", Type: "similar", Tags: []string{`estimative-language:likelihood-probability="likely"`}}},
			TagName:  `misp-galaxy:threat-actor="APT28"`,
		},
		{
			UUID: "c2", Value: "Own version", Type: "threat-actor", Version: 9,
			CollectionUUID: "coll-uuid", Source: "MISP Project", Authors: []string{"A", "B"},
			Revoked: true, TagName: `misp-galaxy:threat-actor="Own version"`,
		},
	}
	if diff := cmp.Diff(want, c.Clusters); diff != "" {
		t.Errorf("clusters mismatch (-want +got):\n%s", diff)
	}
	if c.Category != "actor" || c.Name != "Threat Actor" || c.Version != 7 {
		t.Errorf("collection = %+v", c)
	}
	wantMeta := map[string][]string{"synonyms": {"Fancy Bear", "Sednit"}, "country": {"RU"}}
	if diff := cmp.Diff(wantMeta, c.Clusters[0].Meta()); diff != "" {
		t.Errorf("Meta() mismatch (-want +got):\n%s", diff)
	}
}

func TestClusterVersion(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want int
	}{
		{"own", `{"type": "t", "version": 3, "values": [{"value": "v", "version": 5}]}`, 5},
		{"collection", `{"type": "t", "version": 3, "values": [{"value": "v"}]}`, 3},
		{"none", `{"type": "t", "values": [{"value": "v"}]}`, 1},
		{"zero", `{"type": "t", "version": 0, "values": [{"value": "v", "version": 0}]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCollection(strings.NewReader(tt.src))
			if err != nil {
				t.Fatalf("ParseCollection: %v", err)
			}
			if got := c.Clusters[0].Version; got != tt.want {
				t.Errorf("version = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestFlattenMeta(t *testing.T) {
	tests := []struct {
		name string
		meta string
		want []Element
	}{
		{"absent", ``, nil},
		{"null", `null`, nil},
		{"empty", `{}`, nil},
		{"file order", `{"z": "1", "a": ["x", "y"], "m": "2"}`,
			[]Element{{"z", "1"}, {"a", "x"}, {"a", "y"}, {"m", "2"}}},
		{"php scalars", `{"t": true, "f": false, "n": null, "i": 42, "w": 5.0, "d": 1.5, "neg": -3}`,
			[]Element{{"t", "1"}, {"f", ""}, {"n", ""}, {"i", "42"}, {"w", "5"}, {"d", "1.5"}, {"neg", "-3"}}},
		{"scalars in a list", `{"l": ["a", 2, true, null]}`,
			[]Element{{"l", "a"}, {"l", "2"}, {"l", "1"}, {"l", ""}}},
		{"nested values skipped", `{"l": ["a", ["b"], {"c": "d"}, "e"], "k": "v"}`,
			[]Element{{"l", "a"}, {"l", "e"}, {"k", "v"}}},
		{"object value", `{"o": {"x": "1", "y": ["2"], "z": "3"}}`,
			[]Element{{"o", "1"}, {"o", "3"}}},
		{"empty list", `{"refs": []}`, nil},
		{"escapes", `{"s": "a\"b\u00e9"}`, []Element{{"s", `a"bé`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := flattenMeta([]byte(tt.meta))
			if err != nil {
				t.Fatalf("flattenMeta(%s): %v", tt.meta, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("flattenMeta(%s) mismatch (-want +got):\n%s", tt.meta, diff)
			}
		})
	}
}

func TestParseCollectionErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"syntax", `{"type": "t", "values": [`, "decode cluster collection"},
		{"no type", `{"values": []}`, "type is required"},
		{"no values", `{"type": "t"}`, "values are required"},
		{"meta not an object", `{"type": "t", "values": [{"value": "v", "meta": ["x"]}]}`, "meta must be an object"},
		{"wrong field type", `{"type": "t", "values": [{"value": 3}]}`, "decode cluster collection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCollection(strings.NewReader(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseCollection() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
