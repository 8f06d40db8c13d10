package warninglist

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"

	"github.com/razmena/razmena/internal/library"
)

// Load reads every lists/<name>/list.json of a misp-warninglists checkout.
// dir is the checkout or its lists directory.
//
// A library is a set of files any of which may be absent or broken (see
// library.Report): a list directory without list.json is reported as
// Missing (the repository has no index of its lists, so a list whose
// whole directory is absent goes unnoticed). A file that cannot be read
// or parsed is reported as a FileError and the others still load. As in
// MISP, where the name is the key, a list whose name was already loaded
// from an earlier directory (in directory-name order) is reported, not
// loaded. Lists come back sorted by name, with ID 0 and Enabled false.
func Load(dir string) ([]*List, library.Report) {
	if fi, err := os.Stat(filepath.Join(dir, "lists")); err == nil && fi.IsDir() {
		dir = filepath.Join(dir, "lists")
	}
	var rep library.Report
	lists := library.ItemDirs[*List]{
		File:  "list.json",
		Item:  "warninglist",
		Parse: Parse,
		Key:   "list name",
		KeyOf: func(l *List) string { return l.Name },
	}.Load(dir, &rep)
	slices.SortFunc(lists, func(a, b *List) int { return cmp.Compare(a.Name, b.Name) })
	return lists, rep
}
