package taxonomy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func intp(n int) *int { return &n }

func TestParse(t *testing.T) {
	const src = `{
		"namespace": "demo", "description": "Demo.", "expanded": "Demo taxonomy",
		"uuid": "u", "refs": ["https://example.org"], "type": "event", "exclusive": true,
		"predicates": [
			{"value": "level", "expanded": "Level", "exclusive": true},
			{"value": "flag", "colour": "#ff0000", "numerical_value": 7, "description": "A flag."}
		],
		"values": [
			{"predicate": "level", "entry": [{"value": "low", "numerical_value": 25}]},
			{"predicate": "level", "entry": [{"value": "high", "expanded": "High", "colour": "#00ff00"}]}
		]
	}`
	got, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Taxonomy{
		Namespace: "demo", Description: "Demo.", Expanded: "Demo taxonomy", Version: 1,
		Exclusive: true, UUID: "u", Refs: []string{"https://example.org"}, Type: []string{"event"},
		Predicates: []Predicate{
			{Value: "level", Expanded: "Level", Exclusive: true, Entries: []Entry{
				{Value: "low", NumericalValue: intp(25)},
				{Value: "high", Expanded: "High", Colour: "#00ff00"},
			}},
			{Value: "flag", Colour: "#ff0000", NumericalValue: intp(7), Description: "A flag."},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	if !got.AppliesToEvents() {
		t.Errorf("AppliesToEvents() = false, want true")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // a fragment of the error
	}{
		{"syntax", `{"namespace": `, "decode taxonomy"},
		{"no namespace", `{"description": "d", "predicates": [{"value": "a"}]}`, "namespace is required"},
		{"no description", `{"namespace": "n", "predicates": [{"value": "a"}]}`, "description is required"},
		{"no predicates", `{"namespace": "n", "description": "d"}`, "predicates are required"},
		{"predicate without value", `{"namespace": "n", "description": "d", "predicates": [{"expanded": "x"}]}`, "predicate 0 has no value"},
		{"undeclared predicate", `{"namespace": "n", "description": "d", "predicates": [{"value": "a"}],
			"values": [{"predicate": "b", "entry": [{"value": "x"}]}]}`, `undeclared predicate "b"`},
		{"entry without value", `{"namespace": "n", "description": "d", "predicates": [{"value": "a"}],
			"values": [{"predicate": "a", "entry": [{"expanded": "x"}]}]}`, "entry without value"},
		{"bad type", `{"namespace": "n", "description": "d", "predicates": [{"value": "a"}], "type": 3}`, "type must be"},
		{"bad numerical value", `{"namespace": "n", "description": "d", "predicates": [{"value": "a", "numerical_value": 1.5}]}`, "not an integer"},
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

func TestAppliesToEvents(t *testing.T) {
	tests := []struct {
		typ  []string
		want bool
	}{
		{nil, true},
		{[]string{"event"}, true},
		{[]string{"attribute", "event"}, true},
		{[]string{"org", "user"}, false},
	}
	for _, tt := range tests {
		tx := &Taxonomy{Type: tt.typ}
		if got := tx.AppliesToEvents(); got != tt.want {
			t.Errorf("AppliesToEvents() with type %v = %v, want %v", tt.typ, got, tt.want)
		}
	}
}
