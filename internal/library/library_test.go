package library

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// mkfiles creates the files (path → content) under dir.
func mkfiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkouts are minimal trees of the four repositories.
var checkouts = map[Kind]map[string]string{
	Taxonomies:      {"tlp/machinetag.json": `{"namespace":"tlp"}`, "README.md": "x"},
	Galaxies:        {"galaxies/threat-actor.json": "{}", "clusters/threat-actor.json": "{}"},
	ObjectTemplates: {"objects/file/definition.json": "{}", "relationships/definition.json": "{}"},
	Warninglists:    {"lists/public-dns/list.json": "{}"},
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	for k, files := range checkouts {
		mkfiles(t, filepath.Join(root, "libs", k.Sub()), files)
		mkfiles(t, filepath.Join(root, "repos", k.Repository()), files)
		mkfiles(t, filepath.Join(root, "single", k.Sub()), files)
	}
	mkfiles(t, filepath.Join(root, "empty"), map[string]string{"README.md": "nothing here"})
	// A directory named after one kind holding another is not taken.
	mkfiles(t, filepath.Join(root, "mixed", "taxonomies"), checkouts[Warninglists])

	for _, dir := range []string{"libs", "repos"} {
		found, err := Find(filepath.Join(root, dir))
		if err != nil {
			t.Fatalf("Find(%s) = %v", dir, err)
		}
		var kinds []Kind
		for _, f := range found {
			kinds = append(kinds, f.Kind)
			if base := filepath.Base(f.Dir); base != f.Kind.Sub() && base != f.Kind.Repository() {
				t.Errorf("Find(%s): %s in %s", dir, f.Kind, f.Dir)
			}
		}
		if !slices.Equal(kinds, Kinds) {
			t.Errorf("Find(%s) kinds = %v, want %v", dir, kinds, Kinds)
		}
	}
	for _, k := range Kinds {
		dir := filepath.Join(root, "single", k.Sub())
		found, err := Find(dir)
		if err != nil || len(found) != 1 || found[0].Kind != k || found[0].Dir != dir {
			t.Errorf("Find(checkout of %s) = %v, %v", k, found, err)
		}
	}
	for _, dir := range []string{"empty", "mixed"} {
		if _, err := Find(filepath.Join(root, dir)); !errors.Is(err, ErrNoLibrary) {
			t.Errorf("Find(%s) = %v, want ErrNoLibrary", dir, err)
		}
	}
	if _, err := Find(filepath.Join(root, "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Find(absent) = %v, want a not-exist error", err)
	}
}

func TestImport(t *testing.T) {
	root := t.TempDir()
	for k, files := range checkouts {
		mkfiles(t, filepath.Join(root, k.Sub()), files)
	}
	var order []Kind
	importers := map[Kind]Importer{}
	for _, k := range Kinds {
		importers[k] = func(_ context.Context, dir string) (misp.LibraryResult, error) {
			if filepath.Base(dir) != k.Sub() {
				t.Errorf("importer of %s given %s", k, dir)
			}
			order = append(order, k)
			return misp.LibraryResult{Added: len(order)}, nil
		}
	}
	results, err := Import(t.Context(), importers, root)
	if err != nil {
		t.Fatalf("Import() = %v", err)
	}
	if !slices.Equal(order, Kinds) || len(results) != 4 {
		t.Fatalf("Import() ran %v with %d results, want %v", order, len(results), Kinds)
	}
	for i, r := range results {
		if r.Library != string(Kinds[i]) || r.Added != i+1 {
			t.Errorf("result %d = %+v", i, r)
		}
	}

	// A failing importer stops the run; what was done is returned.
	boom := errors.New("boom")
	importers[ObjectTemplates] = func(context.Context, string) (misp.LibraryResult, error) { return misp.LibraryResult{}, boom }
	order = nil
	results, err = Import(t.Context(), importers, root)
	if !errors.Is(err, boom) || len(results) != 2 {
		t.Errorf("Import() with a failing importer = %d results, %v; want 2 and the error", len(results), err)
	}
	delete(importers, ObjectTemplates)
	if _, err := Import(t.Context(), importers, root); err == nil {
		t.Error("Import() without an importer for a found library = nil, want an error")
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range Kinds {
		for _, s := range []string{string(k), k.Sub(), k.Repository()} {
			if got, ok := ParseKind(s); !ok || got != k {
				t.Errorf("ParseKind(%q) = %q, %v", s, got, ok)
			}
		}
	}
	if _, ok := ParseKind("noticelists"); ok {
		t.Error("ParseKind(noticelists) = ok")
	}
}
