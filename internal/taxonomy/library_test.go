package taxonomy

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

const demoSrc = `{
	"namespace": "demo", "description": "Demo.", "version": 3, "exclusive": true, "highlighted": true,
	"predicates": [
		{"value": "level", "expanded": "Level", "exclusive": true},
		{"value": "flag", "colour": "#ff0000", "numerical_value": 7, "description": "A flag."},
		{"value": "odd", "colour": "red"}
	],
	"values": [
		{"predicate": "level", "entry": [{"value": "low", "numerical_value": 25}, {"value": "high", "expanded": "High", "colour": "#00ff00"}]}
	]
}`

func TestMISPConversion(t *testing.T) {
	tx := mustParse(t, demoSrc)
	m := tx.MISP()
	if err := m.Validate(); err != nil {
		t.Fatalf("MISP().Validate() = %v", err)
	}
	// The stored tags are the loader's tags, with the same colours.
	var got, want []string
	for _, tt := range m.Tags() {
		got = append(got, tt.Name+" "+tt.Expanded+" "+tt.TagColour)
	}
	for _, td := range tx.Tags() {
		colour := td.Colour
		if td.Name == "demo:odd" {
			colour = paletteFromString("demo", 4)[3] // "red" is not a tag colour
		}
		want = append(want, td.Name+" "+td.Expanded+" "+colour)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MISP().Tags() mismatch (-want +got):\n%s", diff)
	}
	if m.Version != 3 || !m.Exclusive || !m.Highlighted || m.Predicates[0].Expanded != "Level" || m.Predicates[1].Expanded != "" ||
		m.Predicates[2].Colour != "red" || *m.Predicates[0].Entries[0].NumericalValue != 25 {
		t.Errorf("MISP() = %+v", m)
	}
	back := FromMISP(m)
	back.Expanded, back.UUID, back.Refs, back.Type = tx.Expanded, tx.UUID, tx.Refs, tx.Type
	if diff := cmp.Diff(tx, back); diff != "" {
		t.Errorf("FromMISP(MISP()) mismatch (-want +got):\n%s", diff)
	}
	if err := back.Conflicts([]string{`demo:level="low"`, `demo:level="high"`}); !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("Conflicts on the converted taxonomy = %v, want a conflict", err)
	}
}

func TestMissing(t *testing.T) {
	tests := []struct {
		name     string
		required []string
		tags     []string
		want     []string
	}{
		{"none required", nil, []string{"tlp:red"}, nil},
		{"present", []string{"tlp", "PAP"}, []string{"tlp:red", `PAP:RED`}, nil},
		{"missing", []string{"tlp", "PAP"}, []string{"tlp:red", "pap:red", "PAP"}, []string{"PAP"}},
		{"not a machine tag", []string{"tlp"}, []string{"tlp:ex:chr", "tlp"}, []string{"tlp"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Missing(tc.required, tc.tags); !slices.Equal(got, tc.want) {
				t.Errorf("Missing(%q, %q) = %q, want %q", tc.required, tc.tags, got, tc.want)
			}
		})
	}
}

// fakeImporter records what ImportDir passes on.
type fakeImporter struct{ got []*misp.Taxonomy }

func (f *fakeImporter) ImportTaxonomies(_ context.Context, ts []*misp.Taxonomy) (misp.LibraryResult, error) {
	f.got = ts
	return misp.LibraryResult{Added: len(ts)}, nil
}

func TestImportDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "demo", "machinetag.json"), demoSrc)
	writeFile(t, filepath.Join(dir, "orgs", "machinetag.json"),
		`{"namespace": "orgs", "description": "d", "type": ["org"], "predicates": [{"value": "a"}]}`)
	writeFile(t, filepath.Join(dir, "broken", "machinetag.json"), `{"namespace": `)
	var f fakeImporter
	res, err := ImportDir(context.Background(), &f, dir)
	if err != nil {
		t.Fatalf("ImportDir: %v", err)
	}
	if res.Library != "taxonomies" || res.Added != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "broken") {
		t.Errorf("ImportDir = %+v, want demo added and broken reported", res)
	}
	if len(f.got) != 1 || f.got[0].Namespace != "demo" {
		t.Errorf("imported %v, want only demo (orgs is not for events)", f.got)
	}
}
