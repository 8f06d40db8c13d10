package warninglist

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/library"
	"github.com/razmena/razmena/internal/misp"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	lists := filepath.Join(root, "lists")
	writeFile(t, filepath.Join(lists, "zz", "list.json"), `{"name":"A list","version":1,"description":"d","type":"string","list":["x"]}`)
	writeFile(t, filepath.Join(lists, "aa", "list.json"), `{"name":"B list","version":1,"description":"d","type":"cidr","list":["10.0.0.0/8"]}`)
	writeFile(t, filepath.Join(lists, "broken", "list.json"), `{"name":`)
	writeFile(t, filepath.Join(lists, "dup", "list.json"), `{"name":"B list","version":2,"description":"d","type":"string","list":[]}`)
	writeFile(t, filepath.Join(lists, "README.md"), "not a list")
	if err := os.MkdirAll(filepath.Join(lists, "absent"), 0o755); err != nil {
		t.Fatal(err)
	}

	for _, dir := range []string{root, lists} {
		got, rep := Load(dir)
		errs := rep.Errors
		var names []string
		for _, l := range got {
			names = append(names, l.Name)
		}
		if diff := cmp.Diff([]string{"A list", "B list"}, names); diff != "" {
			t.Errorf("Load(%s) names mismatch (-want +got):\n%s", dir, diff)
		}
		var paths []string
		for _, e := range errs {
			rel, err := filepath.Rel(lists, e.Path)
			if err != nil {
				t.Fatal(err)
			}
			paths = append(paths, rel)
		}
		want := []string{filepath.Join("broken", "list.json"), filepath.Join("dup", "list.json")}
		if diff := cmp.Diff(want, paths); diff != "" {
			t.Errorf("Load(%s) errors mismatch (-want +got):\n%s", dir, diff)
		}
		if len(errs) > 0 && !errors.Is(errs[0], misp.ErrInvalid) {
			t.Errorf("broken file error %v does not match misp.ErrInvalid", errs[0])
		}
		// A list directory without its list.json is missing.
		wantMissing := []library.Missing{{Item: `warninglist "absent"`, Path: filepath.Join(lists, "absent", "list.json")}}
		if diff := cmp.Diff(wantMissing, rep.Missing); diff != "" {
			t.Errorf("Load(%s) missing (-want +got):\n%s", dir, diff)
		}
	}
}

// TestLoadMissingList removes a list.json from a copy of real lists: the
// list is reported missing and the others load.
func TestLoadMissingList(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("warninglists library not available: %v", err)
	}
	root := t.TempDir()
	for _, name := range []string{"public-dns-v4", "rfc1918", "tranco10k"} {
		b, err := os.ReadFile(filepath.Join(libraryDir, "lists", name, "list.json"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, "lists", name, "list.json"), string(b))
	}
	if err := os.Remove(filepath.Join(root, "lists", "rfc1918", "list.json")); err != nil {
		t.Fatal(err)
	}

	got, rep := Load(root)
	var names []string
	for _, l := range got {
		names = append(names, l.Name)
	}
	if diff := cmp.Diff([]string{"List of known IPv4 public DNS resolvers", "Top 10K most-used sites from Tranco"}, names); diff != "" {
		t.Errorf("Load names mismatch (-want +got):\n%s", diff)
	}
	if len(rep.Errors) != 0 {
		t.Errorf("Load errors = %v, want none", rep.Errors)
	}
	want := []library.Missing{{Item: `warninglist "rfc1918"`, Path: filepath.Join(root, "lists", "rfc1918", "list.json")}}
	if diff := cmp.Diff(want, rep.Missing); diff != "" {
		t.Errorf("Load missing (-want +got):\n%s", diff)
	}
}

func TestLoadMissingDir(t *testing.T) {
	lists, rep := Load(filepath.Join(t.TempDir(), "nope"))
	if len(lists) != 0 || len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], fs.ErrNotExist) || len(rep.Missing) != 0 {
		t.Errorf("Load(missing) = %v, %+v; want no lists and one fs.ErrNotExist", lists, rep)
	}
}
