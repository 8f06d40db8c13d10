package objecttemplate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func boolp(b bool) *bool { return &b }

func TestParse(t *testing.T) {
	const src = `{
		"name": "c2-list", "uuid": "u1", "meta-category": "network", "description": "d",
		"required": ["threat"], "requiredOneOf": ["c2-ip", "c2-ipport"],
		"attributes": {
			"threat": {"misp-attribute": "text", "ui-priority": 1, "description": "Threat.", "to_ids": false},
			"c2-ip": {"misp-attribute": "ip-src", "multiple": true, "categories": ["Network activity"], "disable_correlation": false},
			"state": {"misp-attribute": "text", "values_list": ["on", "off"], "sane_default": ["on"], "recommended": true, "disable_correlation": true}
		}
	}`
	got, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Template{
		UUID: "u1", Name: "c2-list", MetaCategory: "network", Description: "d", Version: 1,
		Required: []string{"threat"}, RequiredOneOf: []string{"c2-ip", "c2-ipport"},
		Elements: []Element{
			{ObjectRelation: "threat", Type: "text", UIPriority: 1, Description: "Threat.", ToIDS: boolp(false)},
			{ObjectRelation: "c2-ip", Type: "ip-src", Multiple: true, Categories: []string{"Network activity"}, DisableCorrelation: boolp(false)},
			{ObjectRelation: "state", Type: "text", ValuesList: []string{"on", "off"}, SaneDefault: []string{"on"}, Recommended: true, DisableCorrelation: boolp(true)},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Template{}, "Raw")); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(src)); err != nil {
		t.Fatal(err)
	}
	if string(got.Raw) != compact.String() {
		t.Errorf("Raw = %s, want the compacted source %s", got.Raw, compact.Bytes())
	}
	if e, ok := got.Element("c2-ip"); !ok || e.Type != "ip-src" {
		t.Errorf("Element(c2-ip) = %+v, %v", e, ok)
	}
	if _, ok := got.Element("nope"); ok {
		t.Errorf("Element(nope) found")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"syntax", `{"name": "x", `, "decode object template"},
		{"no uuid", `{"name": "x", "attributes": {}}`, "uuid is required"},
		{"no name", `{"uuid": "u", "attributes": {}}`, "name is required"},
		{"no attributes", `{"uuid": "u", "name": "x"}`, "attributes must be an object"},
		{"attributes list", `{"uuid": "u", "name": "x", "attributes": []}`, "attributes must be an object"},
		{"no type", `{"uuid": "u", "name": "x", "attributes": {"a": {"ui-priority": 1}}}`, "attribute a has no misp-attribute"},
		{"bad element", `{"uuid": "u", "name": "x", "attributes": {"a": {"misp-attribute": 3}}}`, "attribute a:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseRelationships(t *testing.T) {
	const src = `{"name": "relationships", "version": 3, "values": [
		{"name": "derived-from", "description": "d", "format": ["misp", "stix-2.0"]},
		{"name": "", "description": "nameless"},
		{"name": "uses", "description": "u", "format": ["misp"], "opposite": "used-by"},
		{"name": "uses", "description": "again"}
	]}`
	got, err := ParseRelationships(strings.NewReader(src))
	if err != nil {
		t.Fatalf("ParseRelationships: %v", err)
	}
	want := []Relationship{
		{Name: "derived-from", Description: "d", Format: []string{"misp", "stix-2.0"}, Version: 3},
		{Name: "uses", Description: "u", Format: []string{"misp"}, Opposite: "used-by", Version: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseRelationships mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{`{"values": `, `{}`} {
		if _, err := ParseRelationships(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseRelationships(%s) = nil error", bad)
		}
	}
}
