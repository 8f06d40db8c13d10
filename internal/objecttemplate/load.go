package objecttemplate

import (
	"cmp"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/razmena/razmena/internal/library"
)

// Load reads a misp-objects checkout rooted at dir: every
// objects/<name>/definition.json and relationships/definition.json.
//
// A library is a set of files any of which may be absent or broken (see
// library.Report): a template directory without definition.json, or a
// missing relationships file, is reported as Missing and the rest loads
// (MISP skips them silently). A file that cannot be read or parsed is
// reported as a FileError and the others still load; so is a template
// whose UUID was already loaded from an earlier directory (in
// directory-name order). Templates come back sorted by name.
func Load(dir string) ([]*Template, []Relationship, library.Report) {
	var rep library.Report
	templates := library.ItemDirs[*Template]{
		File:  "definition.json",
		Item:  "object template",
		Parse: Parse,
		Key:   "template uuid",
		KeyOf: func(t *Template) string { return t.UUID },
	}.Load(filepath.Join(dir, "objects"), &rep)
	slices.SortStableFunc(templates, func(a, b *Template) int { return cmp.Compare(a.Name, b.Name) })

	path := filepath.Join(dir, "relationships", "definition.json")
	rels, err := library.ParseFile(path, ParseRelationships)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rep.Miss("object relationships", path)
	case err != nil:
		rep.Fail(path, err)
	}
	return templates, rels, rep
}
