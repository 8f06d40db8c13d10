package library

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

type item struct {
	Name string `json:"name"`
}

func parseItem(r io.Reader) (*item, error) {
	var it item
	if err := json.NewDecoder(r).Decode(&it); err != nil {
		return nil, err
	}
	return &it, nil
}

var itemDirs = ItemDirs[*item]{
	File:  "item.json",
	Item:  "item",
	Skip:  []string{"tools"},
	Parse: parseItem,
	Key:   "item name",
	KeyOf: func(it *item) string { return it.Name },
}

func TestItemDirsLoad(t *testing.T) {
	dir := t.TempDir()
	mkfiles(t, dir, map[string]string{
		"a/item.json":      `{"name": "A"}`,
		"b/item.json":      `{"name": "B"}`,
		"broken/item.json": `{"name": `,
		"c/item.json":      `{"name": "A"}`, // A again: refused
		"empty/README.md":  "no item.json",
		"tools/item.json":  `not an item`,
		"README.md":        "not a directory",
	})
	var rep Report
	got := itemDirs.Load(dir, &rep)
	var names []string
	for _, it := range got {
		names = append(names, it.Name)
	}
	if d := cmp.Diff([]string{"A", "B"}, names); d != "" {
		t.Errorf("Load names (-want +got):\n%s", d)
	}
	var failed []string
	for _, fe := range rep.Errors {
		failed = append(failed, fe.Path)
		if fe.Err == nil || !errors.Is(fe, fe.Err) {
			t.Errorf("FileError %v does not unwrap to its cause", fe)
		}
	}
	if d := cmp.Diff([]string{filepath.Join(dir, "broken", "item.json"), filepath.Join(dir, "c", "item.json")}, failed); d != "" {
		t.Errorf("Load errors (-want +got):\n%s", d)
	}
	want := []Missing{{Item: `item "empty"`, Path: filepath.Join(dir, "empty", "item.json")}}
	if d := cmp.Diff(want, rep.Missing); d != "" {
		t.Errorf("Load missing (-want +got):\n%s", d)
	}

	// A directory that cannot be read is the one error.
	rep = Report{}
	if got := itemDirs.Load(filepath.Join(dir, "nope"), &rep); len(got) != 0 || len(rep.Errors) != 1 ||
		!errors.Is(rep.Errors[0], fs.ErrNotExist) || len(rep.Missing) != 0 {
		t.Errorf("Load(missing dir) = %v, %+v; want one not-exist error", got, rep)
	}
}

func TestReportAddTo(t *testing.T) {
	rep := Report{
		Errors:  []FileError{{Path: "/lib/lists/x/list.json", Err: errors.New("bad json")}},
		Missing: []Missing{{Item: `clusters of galaxy "sigma-rules"`, Path: "/lib/clusters/sigma-rules.json"}},
	}
	res := misp.LibraryResult{Library: "galaxies", Added: 1, Errors: []string{"earlier"}}
	rep.AddTo(&res)
	want := misp.LibraryResult{Library: "galaxies", Added: 1,
		Errors:  []string{"earlier", "/lib/lists/x/list.json: bad json"},
		Missing: []string{`/lib/clusters/sigma-rules.json (clusters of galaxy "sigma-rules")`}}
	if d := cmp.Diff(want, res); d != "" {
		t.Errorf("AddTo (-want +got):\n%s", d)
	}
}

func TestJSONFiles(t *testing.T) {
	dir := t.TempDir()
	mkfiles(t, dir, map[string]string{"b.json": "{}", "a.json": "{}", "notes.txt": "x", "sub.json/x": "dir"})
	got, err := JSONFiles(dir)
	if d := cmp.Diff([]string{filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")}, got); err != nil || d != "" {
		t.Errorf("JSONFiles = %v (-want +got):\n%s", err, d)
	}
	if _, err := JSONFiles(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("JSONFiles(missing) = %v, want not-exist", err)
	}
}
