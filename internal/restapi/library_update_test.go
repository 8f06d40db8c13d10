package restapi

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

// TestLibraryUpdateMissing removes from each library a file it lists: the
// */update answers name it in result.missing, load everything else and
// count it as no failure.
func TestLibraryUpdateMissing(t *testing.T) {
	e := newTestEnv(t)

	// A galaxy without its clusters file.
	e.API.cfg.LibraryDir = writeGalaxyLibrary(t)
	clusters := filepath.Join(e.API.cfg.LibraryDir, "galaxy", "clusters", "tool.json")
	if err := os.Remove(clusters); err != nil {
		t.Fatal(err)
	}
	out := e.callObj(t, "POST", "/galaxies/update", e.Admin.Key, nil, http.StatusOK)
	want := obj{"saved": true, "success": true, "name": "Galaxies updated.", "message": "Galaxies updated.",
		"url": "/galaxies/update", "result": obj{"library": "galaxies", "added": 2.0, "updated": 0.0, "unchanged": 0.0,
			"missing": []any{clusters + ` (clusters of galaxy "tool")`}}}
	if d := cmp.Diff(want, out); d != "" {
		t.Errorf("galaxies/update without clusters/tool.json (-want +got):\n%s", d)
	}

	// A taxonomy of MANIFEST.json without its directory.
	e.withTaxonomyLibrary(t, map[string]string{"demo": taxonomyFixture["demo"], "marking": taxonomyFixture["marking"]})
	writeTestFile(t, filepath.Join(e.API.cfg.LibraryDir, "taxonomies", "MANIFEST.json"),
		[]byte(`{"taxonomies": [{"name": "demo"}, {"name": "marking"}, {"name": "nis2"}]}`))
	out = e.callObj(t, "POST", "/taxonomies/update", e.Admin.Key, nil, http.StatusOK)
	want = obj{"saved": true, "success": true, "name": "Successfully updated 2 taxonomy libraries.",
		"message": "Successfully updated 2 taxonomy libraries.", "url": "/taxonomies/update",
		"result": obj{"library": "taxonomies", "added": 2.0, "updated": 0.0, "unchanged": 0.0,
			"missing": []any{filepath.Join(e.API.cfg.LibraryDir, "taxonomies", "nis2", "machinetag.json") + ` (taxonomy "nis2")`}}}
	if d := cmp.Diff(want, out); d != "" {
		t.Errorf("taxonomies/update without nis2 (-want +got):\n%s", d)
	}

	// A list directory without its list.json.
	e.withWarninglistLibrary(t, map[string]string{"hosts": warninglistFixture["hosts"]})
	gone := filepath.Join(e.API.cfg.LibraryDir, "warninglists", "lists", "gone")
	if err := os.MkdirAll(gone, 0o755); err != nil {
		t.Fatal(err)
	}
	out = e.callObj(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	want = obj{"saved": true, "success": true, "name": "Successfully updated 1 warninglists.",
		"message": "Successfully updated 1 warninglists.", "url": "/warninglists/update",
		"result": obj{"library": "warninglists", "added": 1.0, "updated": 0.0, "unchanged": 0.0,
			"missing": []any{filepath.Join(gone, "list.json") + ` (warninglist "gone")`}}}
	if d := cmp.Diff(want, out); d != "" {
		t.Errorf("warninglists/update without gone/list.json (-want +got):\n%s", d)
	}

	// Object templates answer the index; the audit entry lists the absent
	// relationships file.
	src := filepath.Join(objectLibraryDir, "objects", "objects", "url", "definition.json")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("no object template library: %v", err)
	}
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "objects", "objects", "url", "definition.json"), b)
	e.API.cfg.LibraryDir = dir
	if n := len(templateNames(t, e.call(t, "POST", "/objectTemplates/update", e.Admin.Key, nil, http.StatusOK))); n != 1 {
		t.Errorf("objectTemplates/update answered %d templates, want 1", n)
	}
	entries, err := e.DB.FindAuditEntries(context.Background(), e.Admin.Actor(),
		misp.AuditFilter{Models: []string{"ObjectTemplate"}, Actions: []string{"update"}, Descriptions: []string{"Object template library update"}})
	if err != nil {
		t.Fatal(err)
	}
	wantChange := "1 added, 0 updated, 0 unchanged\nabsent: " +
		filepath.Join(dir, "objects", "relationships", "definition.json") + " (object relationships)"
	if len(entries) != 1 || entries[0].Change != wantChange || strings.Contains(entries[0].Title, "could not") {
		for _, a := range entries {
			t.Logf("audit entry %q: %q", a.Title, a.Change)
		}
		t.Errorf("audit entries: want one with the change %q", wantChange)
	}
}
