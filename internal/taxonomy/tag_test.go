package taxonomy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestParseTag(t *testing.T) {
	tests := []struct {
		name   string
		tag    string
		want   MachineTag
		wantOK bool
	}{
		{"double", "tlp:red", MachineTag{"tlp", "red", ""}, true},
		{"triple", `srbcert:incident-type="phishing"`, MachineTag{"srbcert", "incident-type", "phishing"}, true},
		{"value with spaces and colon", `misp:tool="MISP: the platform"`, MachineTag{"misp", "tool", "MISP: the platform"}, true},
		{"value with equals", `ns:p="a=b"`, MachineTag{"ns", "p", "a=b"}, true},
		{"upper case", "PAP:RED", MachineTag{"PAP", "RED", ""}, true},
		{"spaces kept", "my ns:my pred", MachineTag{"my ns", "my pred", ""}, true},
		{"unquoted value", "ns:p=v", MachineTag{}, false},
		{"empty quoted value", `ns:p=""`, MachineTag{}, false},
		{"unterminated quote", `ns:p="v`, MachineTag{}, false},
		{"quote in value", `ns:p="a"b"`, MachineTag{}, false},
		{"predicate with colon", "tlp:ex:chr", MachineTag{}, false},
		{"veris style", `veris:action:hacking:variety="Brute force"`, MachineTag{}, false},
		{"no predicate", "tlp:", MachineTag{}, false},
		{"no namespace", ":red", MachineTag{}, false},
		{"plain tag", "malware", MachineTag{}, false},
		{"galaxy tag", `misp-galaxy:threat-actor="APT28"`, MachineTag{"misp-galaxy", "threat-actor", "APT28"}, true},
		{"empty", "", MachineTag{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseTag(tt.tag)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseTag(%q) = %+v, %v, want %+v, %v", tt.tag, got, ok, tt.want, tt.wantOK)
			}
			if ok && got.String() != tt.tag {
				t.Errorf("ParseTag(%q).String() = %q", tt.tag, got.String())
			}
		})
	}
}

func TestTags(t *testing.T) {
	const src = `{
		"namespace": "srbcert", "description": "d",
		"predicates": [
			{"value": "incident-type", "expanded": "Incident type"},
			{"value": "solo", "colour": "#123456", "numerical_value": 3, "description": "Alone."},
			{"value": "plain"}
		],
		"values": [{"predicate": "incident-type", "entry": [
			{"value": "virus", "description": "A virus.", "numerical_value": 10},
			{"value": "worm", "expanded": "Worm", "colour": "#abcdef"}
		]}]
	}`
	tx, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	// Palette colours for namespace "srbcert" (hue 0.57) in 4 steps:
	// V = 0.4 gives green 0.4·0.58·255 = 59 (0x3b), blue 102 (0x66).
	want := []TagDef{
		{Name: `srbcert:incident-type="virus"`, Expanded: "Incident type: virus", Description: "A virus.", Colour: "#003b66", NumericalValue: intp(10)},
		{Name: `srbcert:incident-type="worm"`, Expanded: "Incident type: Worm", Colour: "#abcdef"},
		{Name: "srbcert:solo", Expanded: "solo", Description: "Alone.", Colour: "#123456", NumericalValue: intp(3)},
		{Name: "srbcert:plain", Expanded: "plain", Colour: "#0094ff"},
	}
	if diff := cmp.Diff(want, tx.Tags()); diff != "" {
		t.Errorf("Tags() mismatch (-want +got):\n%s", diff)
	}
}

func TestPalette(t *testing.T) {
	// Values worked out by hand from ColourPaletteTool: "srbcert" sums to
	// 757, hue 0.57, sector 3 (red 0, green V·0.58, blue V).
	got := paletteFromString("srbcert", 40)
	if got[0] != "#002138" || got[39] != "#0094ff" {
		t.Errorf("paletteFromString(srbcert, 40) = %s … %s, want #002138 … #0094ff", got[0], got[39])
	}
	if got := paletteFromString("x", 0); got != nil {
		t.Errorf("paletteFromString(x, 0) = %v, want nil", got)
	}
}

func TestPHPRound(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0.5, 1}, {1.4999, 1}, {2.5, 3}, {127.49999999999999, 128}, {127.4999, 127}, {254.99999999999997, 255},
	}
	for _, tt := range tests {
		if got := phpRound(tt.in); got != tt.want {
			t.Errorf("phpRound(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestForTag(t *testing.T) {
	low := &misp.TaxonomyEntry{ID: 1, Value: "low"}
	high := &misp.TaxonomyEntry{ID: 2, Value: "High"}
	level := &misp.TaxonomyPredicate{ID: 1, Value: "level", Entries: []*misp.TaxonomyEntry{low, high}}
	flag := &misp.TaxonomyPredicate{ID: 2, Value: "flag"}
	demo := &misp.Taxonomy{ID: 1, Namespace: "demo", Predicates: []*misp.TaxonomyPredicate{level, flag}}
	other := &misp.Taxonomy{ID: 2, Namespace: "other", Predicates: []*misp.TaxonomyPredicate{{ID: 3, Value: "x"}}}
	stored := []*misp.Taxonomy{demo, other}
	tests := []struct {
		name        string
		tag         string
		wantTax     *misp.Taxonomy
		wantPred    misp.Int
		wantEntries []*misp.TaxonomyEntry
		wantOK      bool
	}{
		{"entry", `demo:level="high"`, demo, 1, []*misp.TaxonomyEntry{high}, true},
		{"any case", `DEMO:Level="LOW"`, demo, 1, []*misp.TaxonomyEntry{low}, true},
		{"unknown entry", `demo:level="medium"`, demo, 1, []*misp.TaxonomyEntry{}, true},
		{"predicate tag of a predicate with entries", "demo:level", demo, 1, nil, true},
		{"predicate without entries", "demo:flag", demo, 2, nil, true},
		{"value on a predicate without entries", `demo:flag="on"`, demo, 2, []*misp.TaxonomyEntry{}, true},
		{"other taxonomy", "other:x", other, 3, nil, true},
		{"unknown predicate", "demo:nope", nil, 0, nil, false},
		{"unknown namespace", "tlp:red", nil, 0, nil, false},
		{"not a machine tag", "Phishing", nil, 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tax, p, ok := ForTag(stored, tt.tag)
			if ok != tt.wantOK || tax != tt.wantTax {
				t.Fatalf("ForTag(%q) = %v, _, %v, want %v, _, %v", tt.tag, tax, ok, tt.wantTax, tt.wantOK)
			}
			if !ok {
				return
			}
			if p.ID != tt.wantPred {
				t.Errorf("ForTag(%q) predicate %d, want %d", tt.tag, p.ID, tt.wantPred)
			}
			if (p.Entries == nil) != (tt.wantEntries == nil) {
				t.Errorf("ForTag(%q) entries nil = %v, want %v", tt.tag, p.Entries == nil, tt.wantEntries == nil)
			}
			if d := cmp.Diff(tt.wantEntries, p.Entries); d != "" {
				t.Errorf("ForTag(%q) entries (-want +got):\n%s", tt.tag, d)
			}
		})
	}
	// The stored predicate keeps its entries.
	if len(level.Entries) != 2 {
		t.Errorf("ForTag changed the stored predicate: %v", level.Entries)
	}
}
