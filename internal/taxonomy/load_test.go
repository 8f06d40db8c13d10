package taxonomy

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/library"
)

const libraryDir = "../../../shared/misp-data/taxonomies"

func loadLibrary(t *testing.T) map[string]*Taxonomy {
	t.Helper()
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("taxonomy library not available: %v", err)
	}
	taxonomies, rep := Load(libraryDir)
	for _, e := range rep.Errors {
		t.Errorf("Load: %v", e)
	}
	// Every taxonomy of MANIFEST.json is there.
	for _, m := range rep.Missing {
		t.Errorf("Load: missing %v", m)
	}
	byNS := make(map[string]*Taxonomy, len(taxonomies))
	for _, tx := range taxonomies {
		byNS[tx.Namespace] = tx
	}
	return byNS
}

func tagNames(tx *Taxonomy) []string {
	var names []string
	for _, td := range tx.Tags() {
		names = append(names, td.Name)
	}
	return names
}

func TestLoadLibrary(t *testing.T) {
	byNS := loadLibrary(t)
	// The checkout's README counts 190 entries in the top directory; 7 of
	// them are not taxonomies (LICENSE.md, MANIFEST.json, README.md,
	// schema.json, schema_mapping.json, summary.md and mapping/), leaving
	// the 183 listed in MANIFEST.json.
	if len(byNS) != 183 {
		t.Errorf("Load returned %d taxonomies, want 183", len(byNS))
	}

	tlp := byNS["tlp"]
	if tlp == nil || !tlp.Exclusive {
		t.Fatalf("tlp = %+v, want an exclusive taxonomy", tlp)
	}
	names := tagNames(tlp)
	for _, want := range []string{"tlp:red", "tlp:amber", "tlp:amber+strict", "tlp:green", "tlp:clear", "tlp:white"} {
		if !slices.Contains(names, want) {
			t.Errorf("tlp tags %q lack %q", names, want)
		}
	}
	if red := tlp.Tags()[0]; red.Name != "tlp:red" || red.Colour != "#FF2B2B" {
		t.Errorf("first tlp tag = %+v, want tlp:red coloured #FF2B2B", red)
	}
	if err := tlp.Conflicts([]string{"tlp:red", "tlp:green"}); err == nil {
		t.Errorf("tlp.Conflicts(red, green) = nil, want a conflict")
	}

	srb := byNS["srbcert"]
	if srb == nil {
		t.Fatal("srbcert taxonomy missing")
	}
	p, ok := srb.Predicate("incident-type")
	if !ok {
		t.Fatal("srbcert has no incident-type predicate")
	}
	var values []string
	for _, e := range p.Entries {
		values = append(values, e.Value)
	}
	for _, want := range []string{"phishing", "ransomware", "ddos", "brute-force"} {
		if !slices.Contains(values, want) {
			t.Errorf("srbcert:incident-type values %q lack %q", values, want)
		}
	}
	level, ok := srb.Predicate("incident-criticality-level")
	if !ok || len(level.Entries) == 0 || level.Entries[0].NumericalValue == nil {
		t.Fatalf("srbcert incident-criticality-level = %+v, want entries with numerical values", level)
	}
	if !slices.Contains(tagNames(srb), `srbcert:incident-type="phishing"`) {
		t.Errorf("srbcert tags lack srbcert:incident-type=\"phishing\"")
	}

	if pap := byNS["PAP"]; pap == nil || !pap.Exclusive || !slices.Contains(tagNames(pap), "PAP:RED") {
		t.Errorf("PAP = %+v, want an exclusive taxonomy with PAP:RED", pap)
	}
	nis2 := byNS["nis2"]
	if nis2 == nil {
		t.Fatal("nis2 taxonomy missing")
	}
	if sev, ok := nis2.Predicate("impact-severity"); !ok || !sev.Exclusive {
		t.Errorf("nis2 impact-severity = %+v, want an exclusive predicate", sev)
	}
	if _, ok := byNS["eu-nis-sector-and-subsectors"]; !ok {
		t.Errorf("eu-nis-sector-and-subsectors taxonomy missing")
	}

	// MISP's update skips taxonomies not meant for events.
	var notEvents []string
	for ns, tx := range byNS {
		if !tx.AppliesToEvents() {
			notEvents = append(notEvents, ns)
		}
	}
	if !slices.Equal(notEvents, []string{"analyst-assessment"}) {
		t.Errorf("taxonomies not for events = %q, want [analyst-assessment]", notEvents)
	}
}

func TestLoadLibraryTagsAreWellFormed(t *testing.T) {
	byNS := loadLibrary(t)
	total := 0
	for ns, tx := range byNS {
		seen := make(map[string]bool)
		for _, td := range tx.Tags() {
			total++
			if td.Colour == "" || td.Expanded == "" {
				t.Errorf("%s: tag %+v lacks a colour or expanded text", ns, td)
			}
			if seen[td.Name] {
				t.Errorf("%s: tag %q listed twice", ns, td.Name)
			}
			seen[td.Name] = true
		}
	}
	if total < 10000 {
		t.Errorf("library defines %d tags, want over 10000", total)
	}
}

func TestLoadBrokenFile(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("taxonomy library not available: %v", err)
	}
	dir := t.TempDir()
	for _, ns := range []string{"tlp", "PAP", "srbcert"} {
		copyFile(t, filepath.Join(libraryDir, ns, "machinetag.json"), filepath.Join(dir, ns, "machinetag.json"))
	}
	writeFile(t, filepath.Join(dir, "broken", "machinetag.json"), `{"namespace": "broken", "predicates": [`)
	writeFile(t, filepath.Join(dir, "undeclared", "machinetag.json"),
		`{"namespace": "undeclared", "description": "d", "predicates": [{"value": "a"}], "values": [{"predicate": "b", "entry": [{"value": "x"}]}]}`)
	writeFile(t, filepath.Join(dir, "zz-dup", "machinetag.json"), `{"namespace": "tlp", "description": "d", "predicates": [{"value": "x"}]}`)
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil { // no machinetag.json: missing
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "mapping", "machinetag.json"), `not json`) // not a taxonomy folder
	writeFile(t, filepath.Join(dir, "README.md"), "# taxonomies")

	taxonomies, rep := Load(dir)
	var got []string
	for _, tx := range taxonomies {
		got = append(got, tx.Namespace)
	}
	if want := []string{"PAP", "srbcert", "tlp"}; !slices.Equal(got, want) {
		t.Errorf("Load namespaces = %q, want %q", got, want)
	}
	var paths []string
	for _, e := range rep.Errors {
		paths = append(paths, filepath.Base(filepath.Dir(e.Path)))
		if e.Err == nil || !errors.Is(e, e.Err) {
			t.Errorf("FileError %v does not unwrap to its cause", e)
		}
	}
	if want := []string{"broken", "undeclared", "zz-dup"}; !slices.Equal(paths, want) {
		t.Errorf("Load errors in %q, want %q (errors: %v)", paths, want, rep.Errors)
	}
	wantMissing := []library.Missing{{Item: `taxonomy "empty"`, Path: filepath.Join(dir, "empty", "machinetag.json")}}
	if d := cmp.Diff(wantMissing, rep.Missing); d != "" {
		t.Errorf("Load missing (-want +got):\n%s", d)
	}
}

// TestLoadManifest removes taxonomies that MANIFEST.json lists from a
// copy of the library: each is reported missing, once, and the others
// load.
func TestLoadManifest(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("taxonomy library not available: %v", err)
	}
	dir := t.TempDir()
	for _, ns := range []string{"tlp", "PAP", "srbcert"} {
		copyFile(t, filepath.Join(libraryDir, ns, "machinetag.json"), filepath.Join(dir, ns, "machinetag.json"))
	}
	// nis2 is listed but absent altogether; DML's directory is there
	// without its machinetag.json.
	writeFile(t, filepath.Join(dir, "MANIFEST.json"), `{"path": "machinetag.json", "taxonomies": [
		{"name": "DML", "version": 1}, {"name": "PAP", "version": 3}, {"name": "nis2", "version": 2},
		{"name": "srbcert", "version": 3}, {"name": "tlp", "version": 10}]}`)
	writeFile(t, filepath.Join(dir, "DML", "README.md"), "not a taxonomy")

	taxonomies, rep := Load(dir)
	var got []string
	for _, tx := range taxonomies {
		got = append(got, tx.Namespace)
	}
	if want := []string{"PAP", "srbcert", "tlp"}; !slices.Equal(got, want) {
		t.Errorf("Load namespaces = %q, want %q", got, want)
	}
	if len(rep.Errors) != 0 {
		t.Errorf("Load errors = %v, want none", rep.Errors)
	}
	want := []library.Missing{
		{Item: `taxonomy "DML"`, Path: filepath.Join(dir, "DML", "machinetag.json")},
		{Item: `taxonomy "nis2"`, Path: filepath.Join(dir, "nis2", "machinetag.json")},
	}
	if d := cmp.Diff(want, rep.Missing); d != "" {
		t.Errorf("Load missing (-want +got):\n%s", d)
	}

	// A manifest that cannot be parsed, or names a path rather than a
	// directory, is a broken file; the taxonomies still load.
	for _, manifest := range []string{`{"taxonomies": [`, `{"taxonomies": [{"name": "../tlp"}]}`} {
		writeFile(t, filepath.Join(dir, "MANIFEST.json"), manifest)
		taxonomies, rep := Load(dir)
		if len(taxonomies) != 3 || len(rep.Errors) != 1 || rep.Errors[0].Path != filepath.Join(dir, "MANIFEST.json") {
			t.Errorf("Load with MANIFEST.json %s = %d taxonomies, errors %v; want 3 and the manifest's error", manifest, len(taxonomies), rep.Errors)
		}
	}
}

func TestLoadMissingDir(t *testing.T) {
	taxonomies, rep := Load(filepath.Join(t.TempDir(), "nope"))
	if len(taxonomies) != 0 || len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], os.ErrNotExist) || len(rep.Missing) != 0 {
		t.Errorf("Load(missing) = %v, %+v, want one not-exist error", taxonomies, rep)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
