package galaxy

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/library"
)

const libraryDir = "../../../shared/misp-data/galaxy"

func TestLoadLibrary(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("galaxy library not available: %v", err)
	}
	galaxies, clusters, rep := Load(libraryDir)
	for _, e := range rep.Errors {
		t.Errorf("Load: %v", e)
	}
	// 131 galaxy files; 129 cluster files (sigma-rules.json and
	// ukhsa-culture-collections.json are absent from this copy, and
	// reported), holding 46,025 clusters.
	wantMissing := []library.Missing{
		{Item: `clusters of galaxy "sigma-rules"`, Path: filepath.Join(libraryDir, "clusters", "sigma-rules.json")},
		{Item: `clusters of galaxy "ukhsa-culture-collections"`, Path: filepath.Join(libraryDir, "clusters", "ukhsa-culture-collections.json")},
	}
	if d := cmp.Diff(wantMissing, rep.Missing); d != "" {
		t.Errorf("Load missing (-want +got):\n%s", d)
	}
	if len(galaxies) != 131 {
		t.Errorf("Load returned %d galaxies, want 131", len(galaxies))
	}
	if len(clusters) != 46025 {
		t.Errorf("Load returned %d clusters, want 46025", len(clusters))
	}

	byType := make(map[string]*Galaxy)
	for _, g := range galaxies {
		byType[g.Type] = g
	}
	ap := byType["mitre-attack-pattern"]
	if ap == nil || ap.Namespace != "mitre-attack" || len(ap.KillChainOrder["attack-Windows"]) == 0 {
		t.Errorf("mitre-attack-pattern galaxy = %+v, want namespace mitre-attack with an attack-Windows kill chain", ap)
	}
	for _, typ := range []string{"threat-actor", "mitre-intrusion-set", "mitre-malware", "mitre-tool", "mitre-course-of-action", "sigma-rules"} {
		if byType[typ] == nil {
			t.Errorf("galaxy %s missing", typ)
		}
	}

	byTag := make(map[string]*Cluster)
	perType := make(map[string]int)
	for _, c := range clusters {
		byTag[c.TagName] = c
		perType[c.Type]++
		if byType[c.Type] == nil {
			t.Fatalf("cluster %s has no galaxy", c.TagName)
		}
	}
	apt28 := byTag[`misp-galaxy:threat-actor="APT28"`]
	if apt28 == nil {
		t.Fatal(`misp-galaxy:threat-actor="APT28" missing`)
	}
	if apt28.UUID != "5b4ee3ea-eee3-4c8e-8323-85ae32658754" || !slices.Contains(apt28.Synonyms, "Fancy Bear") || !slices.Contains(apt28.Synonyms, "Sednit") {
		t.Errorf("APT28 = uuid %s synonyms %q, want Fancy Bear and Sednit", apt28.UUID, apt28.Synonyms)
	}
	if got := apt28.Meta()["country"]; !slices.Equal(got, []string{"RU"}) {
		t.Errorf("APT28 country = %q, want [RU]", got)
	}
	if len(apt28.Related) == 0 || apt28.Related[0].DestUUID == "" || apt28.Source != "MISP Project" || len(apt28.Authors) == 0 {
		t.Errorf("APT28 related %+v, source %q, authors %q", apt28.Related, apt28.Source, apt28.Authors)
	}
	phishing := byTag[`misp-galaxy:mitre-attack-pattern="Phishing - T1566"`]
	if phishing == nil || !slices.Contains(phishing.Meta()["external_id"], "T1566") {
		t.Errorf("Phishing - T1566 = %+v, want external_id T1566", phishing)
	}
	if perType["sigma-rules"] != 0 {
		t.Errorf("sigma-rules has %d clusters, want 0 (its file is absent)", perType["sigma-rules"])
	}
	revoked := 0
	for _, c := range clusters {
		if c.Revoked {
			revoked++
		}
	}
	if revoked != 210 {
		t.Errorf("%d revoked clusters, want 210", revoked)
	}
}

func TestLoadBrokenFiles(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("galaxy library not available: %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"galaxies/threat-actor.json", "clusters/threat-actor.json", "galaxies/sector.json", "clusters/sector.json"} {
		copyFile(t, filepath.Join(libraryDir, f), filepath.Join(dir, f))
	}
	writeFile(t, filepath.Join(dir, "galaxies", "broken.json"), `{"uuid": "x", "type": `)
	writeFile(t, filepath.Join(dir, "galaxies", "twin.json"), `{"uuid": "y", "type": "threat-actor"}`)
	writeFile(t, filepath.Join(dir, "galaxies", "notes.txt"), `not a galaxy`)
	writeFile(t, filepath.Join(dir, "clusters", "broken.json"), `{"type": "sector", "values": [{"value": "x"`)
	writeFile(t, filepath.Join(dir, "clusters", "orphan.json"), `{"type": "no-such-galaxy", "values": [{"uuid": "o", "value": "o"}]}`)

	galaxies, clusters, rep := Load(dir)
	errs := rep.Errors
	var types []string
	for _, g := range galaxies {
		types = append(types, g.Type)
	}
	if want := []string{"sector", "threat-actor"}; !slices.Equal(types, want) {
		t.Errorf("galaxy types = %q, want %q", types, want)
	}
	perType := make(map[string]int)
	for _, c := range clusters {
		perType[c.Type]++
	}
	if perType["threat-actor"] < 500 || perType["sector"] < 10 || len(perType) != 2 {
		t.Errorf("clusters per type = %v, want threat-actor and sector only", perType)
	}
	var got []string
	for _, e := range errs {
		got = append(got, filepath.Base(filepath.Dir(e.Path))+"/"+filepath.Base(e.Path))
	}
	want := []string{"galaxies/broken.json", "galaxies/twin.json", "clusters/broken.json", "clusters/orphan.json"}
	if !slices.Equal(got, want) {
		t.Fatalf("errors in %q, want %q (%v)", got, want, errs)
	}
	if !errors.Is(errs[3], ErrNoGalaxy) {
		t.Errorf("orphan collection error = %v, want ErrNoGalaxy", errs[3])
	}
	if len(rep.Missing) != 0 {
		t.Errorf("Load missing = %v, want none (every galaxy has its clusters)", rep.Missing)
	}
}

// TestLoadMissingClusters removes a galaxy's clusters file from a copy of
// the library: it is reported missing, and everything else loads. A
// galaxy whose clusters come from a file of another name, or whose
// clusters file is broken, is not missing.
func TestLoadMissingClusters(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("galaxy library not available: %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{
		"galaxies/threat-actor.json", // clusters/threat-actor.json removed
		"galaxies/sector.json", "clusters/sector.json",
		"galaxies/tool.json", "clusters/tool.json",
		"galaxies/country.json", // its clusters under another name
	} {
		copyFile(t, filepath.Join(libraryDir, f), filepath.Join(dir, f))
	}
	copyFile(t, filepath.Join(libraryDir, "clusters", "country.json"), filepath.Join(dir, "clusters", "countries.json"))
	writeFile(t, filepath.Join(dir, "galaxies", "broken-clusters.json"), `{"uuid": "b", "type": "broken-clusters", "name": "B", "description": "d", "version": 1}`)
	writeFile(t, filepath.Join(dir, "clusters", "broken-clusters.json"), `{"type": "broken-clusters", "values": [`)

	galaxies, clusters, rep := Load(dir)
	var types []string
	for _, g := range galaxies {
		types = append(types, g.Type)
	}
	if want := []string{"broken-clusters", "country", "sector", "threat-actor", "tool"}; !slices.Equal(types, want) {
		t.Errorf("galaxy types = %q, want %q", types, want)
	}
	perType := make(map[string]int)
	for _, c := range clusters {
		perType[c.Type]++
	}
	if perType["sector"] < 10 || perType["tool"] < 10 || perType["country"] < 100 || perType["threat-actor"] != 0 {
		t.Errorf("clusters per type = %v, want sector, tool and country, no threat-actor", perType)
	}
	want := []library.Missing{{Item: `clusters of galaxy "threat-actor"`, Path: filepath.Join(dir, "clusters", "threat-actor.json")}}
	if d := cmp.Diff(want, rep.Missing); d != "" {
		t.Errorf("Load missing (-want +got):\n%s", d)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Path != filepath.Join(dir, "clusters", "broken-clusters.json") {
		t.Errorf("Load errors = %v, want clusters/broken-clusters.json's", rep.Errors)
	}
}

func TestLoadMissingDirs(t *testing.T) {
	galaxies, clusters, rep := Load(t.TempDir())
	if len(galaxies) != 0 || len(clusters) != 0 || len(rep.Errors) != 2 || !errors.Is(rep.Errors[0], os.ErrNotExist) || len(rep.Missing) != 0 {
		t.Errorf("Load(empty) = %v, %v, %+v, want two not-exist errors", galaxies, clusters, rep)
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
