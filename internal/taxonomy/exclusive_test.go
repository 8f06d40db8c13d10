package taxonomy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func mustParse(t *testing.T, src string) *Taxonomy {
	t.Helper()
	tx, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tx
}

// Shapes of real taxonomies: tlp (exclusive, no values), trust (exclusive,
// values under several predicates) and nis2 (exclusive predicates only).
const (
	tlpSrc = `{"namespace": "tlp", "description": "d", "exclusive": true, "predicates": [
		{"value": "red"}, {"value": "amber"}, {"value": "green"}, {"value": "white"}, {"value": "clear"}, {"value": "ex:chr"}]}`
	trustSrc = `{"namespace": "trust", "description": "d", "exclusive": true,
		"predicates": [{"value": "trust"}, {"value": "frequency"}],
		"values": [{"predicate": "trust", "entry": [{"value": "none"}, {"value": "partial"}]},
		           {"predicate": "frequency", "entry": [{"value": "low"}, {"value": "high"}]}]}`
	nis2Src = `{"namespace": "nis2", "description": "d",
		"predicates": [{"value": "impact-severity", "exclusive": true}, {"value": "impact-sectors-impacted"}],
		"values": [{"predicate": "impact-severity", "entry": [{"value": "red"}, {"value": "green"}]},
		           {"predicate": "impact-sectors-impacted", "entry": [{"value": "energy"}, {"value": "health"}]}]}`
)

func TestConflicts(t *testing.T) {
	tlp, trust, nis2 := mustParse(t, tlpSrc), mustParse(t, trustSrc), mustParse(t, nis2Src)
	tests := []struct {
		name string
		tx   *Taxonomy
		tags []string
		want []Conflict // nil: no error
	}{
		{"one tlp", tlp, []string{"tlp:red", "malware", "PAP:RED"}, nil},
		{"two tlp", tlp, []string{"tlp:red", "other", "tlp:amber"},
			[]Conflict{{Namespace: "tlp", Tags: []string{"tlp:red", "tlp:amber"}}}},
		{"three tlp", tlp, []string{"tlp:red", "tlp:amber", "tlp:green"},
			[]Conflict{{Namespace: "tlp", Tags: []string{"tlp:red", "tlp:amber", "tlp:green"}}}},
		{"white and clear", tlp, []string{"tlp:white", "tlp:clear"}, nil},
		{"white, clear and red", tlp, []string{"tlp:white", "tlp:clear", "tlp:red"},
			[]Conflict{{Namespace: "tlp", Tags: []string{"tlp:white", "tlp:clear", "tlp:red"}}}},
		{"case-insensitive grouping", tlp, []string{"tlp:red", "TLP:AMBER"},
			[]Conflict{{Namespace: "tlp", Tags: []string{"tlp:red", "TLP:AMBER"}}}},
		{"unknown value of exclusive taxonomy", tlp, []string{"tlp:red", "tlp:purple"},
			[]Conflict{{Namespace: "tlp", Tags: []string{"tlp:red", "tlp:purple"}}}},
		{"predicate with colon is no machine tag", tlp, []string{"tlp:red", "tlp:ex:chr"}, nil},
		{"exclusive taxonomy, one value per predicate", trust,
			[]string{`trust:trust="none"`, `trust:frequency="low"`}, nil},
		{"exclusive taxonomy, two values of a predicate", trust,
			[]string{`trust:trust="none"`, `trust:frequency="low"`, `trust:trust="partial"`},
			[]Conflict{{Namespace: "trust", Tags: []string{`trust:trust="none"`, `trust:trust="partial"`}}}},
		{"exclusive predicate", nis2,
			[]string{`nis2:impact-severity="red"`, `nis2:impact-severity="green"`},
			[]Conflict{{Namespace: "nis2", Predicate: "impact-severity", Tags: []string{`nis2:impact-severity="red"`, `nis2:impact-severity="green"`}}}},
		{"non-exclusive predicate", nis2,
			[]string{`nis2:impact-sectors-impacted="energy"`, `nis2:impact-sectors-impacted="health"`, `nis2:impact-severity="red"`}, nil},
		{"two groups", nis2,
			[]string{`nis2:impact-severity="red"`, `nis2:impact-severity="green"`, `tlp:red`, `nis2:impact-severity="red"`},
			[]Conflict{{Namespace: "nis2", Predicate: "impact-severity", Tags: []string{`nis2:impact-severity="red"`, `nis2:impact-severity="green"`, `nis2:impact-severity="red"`}}}},
		{"other namespace ignored", nis2, []string{"tlp:red", "tlp:amber"}, nil},
		{"empty", tlp, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tx.Conflicts(tt.tags)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Conflicts(%q) = %v, want nil", tt.tags, err)
				}
				return
			}
			var ce *ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("Conflicts(%q) = %v, want a *ConflictError", tt.tags, err)
			}
			if !errors.Is(err, misp.ErrInvalid) {
				t.Errorf("Conflicts(%q) does not match misp.ErrInvalid", tt.tags)
			}
			if diff := cmp.Diff(tt.want, ce.Conflicts); diff != "" {
				t.Errorf("Conflicts(%q) mismatch (-want +got):\n%s", tt.tags, diff)
			}
		})
	}
}

func TestConflictErrorMessage(t *testing.T) {
	err := &ConflictError{Conflicts: []Conflict{
		{Namespace: "tlp", Tags: []string{"tlp:red", "tlp:amber"}},
		{Namespace: "nis2", Predicate: "impact-severity", Tags: []string{"a", "b"}},
	}}
	want := "exclusive tags conflict: taxonomy tlp is exclusive (tlp:red, tlp:amber); predicate impact-severity of taxonomy nis2 is exclusive (a, b)"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestAllowsTag(t *testing.T) {
	tlp, trust, nis2 := mustParse(t, tlpSrc), mustParse(t, trustSrc), mustParse(t, nis2Src)
	tests := []struct {
		name     string
		tx       *Taxonomy
		existing []string
		tag      string
		want     bool
	}{
		{"first tlp", tlp, []string{"malware"}, "tlp:red", true},
		{"second tlp", tlp, []string{"tlp:red"}, "tlp:amber", false},
		{"same tag again", tlp, []string{"tlp:red"}, "tlp:red", true},
		{"white next to clear", tlp, []string{"tlp:clear"}, "tlp:white", true},
		{"clear next to white", tlp, []string{"tlp:white"}, "tlp:clear", true},
		{"clear next to red", tlp, []string{"tlp:red"}, "tlp:clear", false},
		{"other namespace", tlp, []string{"tlp:red"}, "PAP:RED", true},
		{"trust other predicate", trust, []string{`trust:trust="none"`}, `trust:frequency="low"`, true},
		{"trust same predicate", trust, []string{`trust:trust="none"`}, `trust:trust="partial"`, false},
		{"exclusive predicate", nis2, []string{`nis2:impact-severity="red"`}, `nis2:impact-severity="green"`, false},
		{"exclusive predicate, other case", nis2, []string{`nis2:impact-severity="red"`}, `NIS2:Impact-Severity="green"`, false},
		{"non-exclusive predicate", nis2, []string{`nis2:impact-sectors-impacted="energy"`}, `nis2:impact-sectors-impacted="health"`, true},
		{"not a machine tag", tlp, []string{"tlp:red"}, "tlp:ex:chr", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tx.AllowsTag(tt.existing, tt.tag); got != tt.want {
				t.Errorf("AllowsTag(%q, %q) = %v, want %v", tt.existing, tt.tag, got, tt.want)
			}
		})
	}
}
