package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData is ../shared/misp-data from this package's directory.
const sharedData = "../../../shared/misp-data"

// smallLibraries copies a few files of each real library into a new
// libraries directory (taxonomies/, galaxy/, objects/, warninglists/).
func smallLibraries(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("no MISP libraries at %s: %v", sharedData, err)
	}
	dir := t.TempDir()
	for _, p := range []string{
		"taxonomies/tlp/machinetag.json", "taxonomies/PAP/machinetag.json", "taxonomies/srbcert/machinetag.json",
		"galaxy/galaxies/sector.json", "galaxy/clusters/sector.json",
		"objects/objects/domain-ip/definition.json", "objects/objects/url/definition.json",
		"objects/relationships/definition.json",
		"warninglists/lists/public-dns-v4/list.json", "warninglists/lists/rfc1918/list.json",
	} {
		b, err := os.ReadFile(filepath.Join(sharedData, p))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// repoTarball packs dir as GitHub packs a repository: everything under
// one top directory.
func repoTarball(t *testing.T, dir, top string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: top + "/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(b))}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLibrariesCommand(t *testing.T) { eachStore(t, testLibrariesCommand) }

func testLibrariesCommand(t *testing.T, database string) {
	libs := smallLibraries(t)
	env := map[string]string{"RAZMENA_DATABASE": database}
	runCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, stdio{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }})
		return out.String() + errOut.String(), err
	}
	want := []string{
		"taxonomies: 3 added, 0 updated, 0 unchanged",
		"galaxies: 1 added, 0 updated, 0 unchanged",
		"object templates: 2 added, 0 updated, 0 unchanged",
		"warninglists: 2 added, 0 updated, 0 unchanged",
	}
	out, err := runCmd("libraries", "import", libs)
	if err != nil || !strings.Contains(out, strings.Join(want, "\n")) {
		t.Fatalf("libraries import = %v\n%s\nwant:\n%s", err, out, strings.Join(want, "\n"))
	}
	// Loading the same files again changes nothing; one library alone is
	// recognised by its layout.
	out, err = runCmd("libraries", "import", filepath.Join(libs, "taxonomies"), filepath.Join(libs, "warninglists"))
	if err != nil || !strings.Contains(out, "taxonomies: 0 added, 0 updated, 3 unchanged\nwarninglists: 0 added, 0 updated, 2 unchanged") {
		t.Errorf("libraries import again = %v\n%s", err, out)
	}
	// A broken file is reported; the rest loads.
	if err := os.WriteFile(filepath.Join(libs, "warninglists", "lists", "rfc1918", "list.json"), []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd("libraries", "import", filepath.Join(libs, "warninglists"))
	if err != nil || !strings.Contains(out, "warninglists: 0 added, 0 updated, 1 unchanged, 1 file not loaded:") || !strings.Contains(out, "rfc1918") {
		t.Errorf("libraries import with a broken file = %v\n%s", err, out)
	}
	// An absent file the library lists is reported on a line of its own;
	// the rest loads.
	if err := os.Remove(filepath.Join(libs, "galaxy", "clusters", "sector.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(libs, "warninglists", "lists", "public-dns-v4", "list.json")); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd("libraries", "import", filepath.Join(libs, "galaxy"), filepath.Join(libs, "warninglists"))
	wantOut := "galaxies: 0 added, 0 updated, 1 unchanged, 1 file absent:\n" +
		"  absent: " + filepath.Join(libs, "galaxy", "clusters", "sector.json") + ` (clusters of galaxy "sector")` + "\n" +
		"warninglists: 0 added, 0 updated, 0 unchanged, 1 file not loaded, 1 file absent:\n" +
		"  not loaded: " + filepath.Join(libs, "warninglists", "lists", "rfc1918", "list.json") + ": "
	if err != nil || !strings.Contains(out, wantOut) ||
		!strings.Contains(out, "  absent: "+filepath.Join(libs, "warninglists", "lists", "public-dns-v4", "list.json")+` (warninglist "public-dns-v4")`+"\n") {
		t.Errorf("libraries import with absent files = %v\n%s\nwant it to hold:\n%s", err, out, wantOut)
	}
	if _, err := runCmd("libraries", "import", t.TempDir()); err == nil {
		t.Error("libraries import of a directory without libraries: want an error")
	}

	// update downloads each repository's archive and loads it.
	// The released tlp taxonomy is a newer version than the one loaded.
	release := smallLibraries(t)
	tlp := filepath.Join(release, "taxonomies", "tlp", "machinetag.json")
	var doc map[string]any
	b, err := os.ReadFile(tlp)
	if err == nil {
		err = json.Unmarshal(b, &doc)
	}
	if err != nil {
		t.Fatal(err)
	}
	doc["version"] = doc["version"].(float64) + 1
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tlp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	archives := map[string][]byte{}
	for repo, sub := range map[string]string{"misp-taxonomies": "taxonomies", "misp-galaxy": "galaxy", "misp-objects": "objects", "misp-warninglists": "warninglists"} {
		archives[repo] = repoTarball(t, filepath.Join(release, sub), repo+"-main")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := archives[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".tar.gz")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	dest := filepath.Join(t.TempDir(), "libraries")
	out, err = runCmd("libraries", "update", "-libraries", dest, "-source", srv.URL+"/{repo}.tar.gz", "-only", "warninglists,taxonomies")
	if want := "warninglists: 0 added, 0 updated, 2 unchanged\ntaxonomies: 0 added, 1 updated, 2 unchanged\n"; err != nil || !strings.HasSuffix(out, want) {
		t.Errorf("libraries update = %v\n%s\nwant it to end with:\n%s", err, out, want)
	}
	if _, err := os.Stat(filepath.Join(dest, "taxonomies", "tlp", "machinetag.json")); err != nil {
		t.Errorf("update did not install the taxonomies: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dest, "galaxy")); err == nil {
		t.Error("update -only warninglists,taxonomies installed the galaxies")
	}
	if _, err := runCmd("libraries", "update", "-libraries", dest, "-source", "ftp://example.org/{repo}"); err == nil {
		t.Error("update from an ftp URL: want an error")
	}
	if _, err := runCmd("libraries", "update", "-libraries", dest, "-only", "noticelists"); err == nil {
		t.Error("update of an unknown library: want an error")
	}
}

// TestLibrariesImportRealData imports all of ../shared/misp-data twice:
// the counts of the data's README (see docs/libraries.md), the two galaxy
// cluster files the README names as absent reported, and nothing changed
// the second time.
func TestLibrariesImportRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("imports every library twice")
	}
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("no MISP libraries at %s: %v", sharedData, err)
	}
	eachStore(t, testLibrariesImportRealData)
}

func testLibrariesImportRealData(t *testing.T, database string) {
	runCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, stdio{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
		return out.String() + errOut.String(), err
	}
	absent := "  absent: " + filepath.Join(sharedData, "galaxy", "clusters", "sigma-rules.json") + ` (clusters of galaxy "sigma-rules")` + "\n" +
		"  absent: " + filepath.Join(sharedData, "galaxy", "clusters", "ukhsa-culture-collections.json") + ` (clusters of galaxy "ukhsa-culture-collections")` + "\n"
	for _, want := range []string{
		"taxonomies: 182 added, 0 updated, 0 unchanged\n" +
			"galaxies: 131 added, 0 updated, 0 unchanged, 2 files absent:\n" + absent +
			"object templates: 424 added, 0 updated, 0 unchanged\n" +
			"warninglists: 136 added, 0 updated, 0 unchanged\n",
		"taxonomies: 0 added, 0 updated, 182 unchanged\n" +
			"galaxies: 0 added, 0 updated, 131 unchanged, 2 files absent:\n" + absent +
			"object templates: 0 added, 0 updated, 424 unchanged\n" +
			"warninglists: 0 added, 0 updated, 136 unchanged\n",
	} {
		out, err := runCmd("libraries", "-database", database, "import", sharedData)
		if err != nil || out != want {
			t.Fatalf("libraries import %s = %v\n%s\nwant:\n%s", sharedData, err, out, want)
		}
	}
}
