package warninglist

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestMISPConversion(t *testing.T) {
	l, err := Parse(strings.NewReader(`{"name": "n", "version": 4, "description": "d", "type": "cidr",
		"category": "known", "matching_attributes": ["ip-src", "ip-dst"], "list": [" 8.8.8.8 ", "10.1.2.3/8", "nope"]}`))
	if err != nil {
		t.Fatal(err)
	}
	l.ID, l.Enabled = 7, true
	w := l.MISP()
	want := &misp.Warninglist{ID: 7, Name: "n", Type: "cidr", Description: "d", Version: 4, Enabled: true, Default: true,
		Category: "known", EntryCount: 2,
		Entries: []misp.WarninglistEntry{{Value: "8.8.8.8/32"}, {Value: "10.0.0.0/8"}},
		Types:   []misp.WarninglistType{{Type: "ip-src"}, {Type: "ip-dst"}}}
	if d := cmp.Diff(want, w); d != "" {
		t.Errorf("MISP() (-want +got):\n%s", d)
	}
	back := FromMISP(w)
	if d := cmp.Diff(l, back, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Skipped" }, cmp.Ignore())); d != "" {
		t.Errorf("FromMISP(MISP()) (-want +got):\n%s", d)
	}
	w.Types = nil
	if got := FromMISP(w).MatchingAttributes; !cmp.Equal(got, []string{AllTypes}) {
		t.Errorf("FromMISP without types: matching attributes %v, want ALL", got)
	}
}

// recordingImporter keeps what ImportDir gives it.
type recordingImporter struct {
	got []*misp.Warninglist
	err error
}

func (r *recordingImporter) ImportWarninglists(_ context.Context, lists []*misp.Warninglist) (misp.LibraryResult, error) {
	r.got = lists
	return misp.LibraryResult{Library: "warninglists", Added: len(lists)}, r.err
}

func TestImportDir(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "lists", "a", "list.json"), `{"name":"A","description":"d","type":"string","list":["x"]}`)
	writeFile(t, filepath.Join(root, "lists", "broken", "list.json"), `{"name":`)
	imp := &recordingImporter{}
	res, err := ImportDir(t.Context(), imp, root)
	if err != nil {
		t.Fatalf("ImportDir() = %v", err)
	}
	if res.Library != "warninglists" || res.Added != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "broken") {
		t.Errorf("ImportDir() = %+v", res)
	}
	if len(imp.got) != 1 || imp.got[0].Name != "A" || imp.got[0].Version != 1 || !bool(imp.got[0].Default) {
		t.Errorf("imported %+v", imp.got)
	}

	imp.err = misp.ErrInvalid
	if _, err := ImportDir(t.Context(), imp, root); !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("ImportDir() with a failing store = %v, want its error", err)
	}
	imp.err = nil
	res, err = ImportDir(t.Context(), imp, filepath.Join(root, "absent"))
	if err != nil || len(res.Errors) != 1 {
		t.Errorf("ImportDir(absent) = %+v, %v; want the directory reported", res, err)
	}
}
