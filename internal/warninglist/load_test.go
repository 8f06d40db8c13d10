package warninglist

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

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
		got, errs := Load(dir)
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
	}
}

func TestLoadMissingDir(t *testing.T) {
	lists, errs := Load(filepath.Join(t.TempDir(), "nope"))
	if len(lists) != 0 || len(errs) != 1 || !errors.Is(errs[0], fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, %v; want no lists and one fs.ErrNotExist", lists, errs)
	}
}
