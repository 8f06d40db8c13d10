package objecttemplate

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// FileError reports a definition.json that could not be loaded.
type FileError struct {
	Path string
	Err  error
}

func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e FileError) Unwrap() error { return e.Err }

// Load reads a misp-objects checkout rooted at dir: every
// objects/<name>/definition.json and relationships/definition.json.
//
// A library is a set of files any of which may be absent: a template
// directory without definition.json, or a missing relationships file, is
// skipped silently (as MISP does). A file that cannot be read or parsed is
// reported as a FileError and the others still load; so is a template
// whose UUID was already loaded from an earlier directory (in
// directory-name order). Templates come back sorted by name.
func Load(dir string) ([]*Template, []Relationship, []FileError) {
	templates, errs := loadTemplates(filepath.Join(dir, "objects"))
	path := filepath.Join(dir, "relationships", "definition.json")
	rels, err := parseFile(path, ParseRelationships)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, FileError{Path: path, Err: err})
	}
	return templates, rels, errs
}

func loadTemplates(dir string) ([]*Template, []FileError) {
	des, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, []FileError{{Path: dir, Err: err}}
	}
	var (
		templates []*Template
		errs      []FileError
		seen      = make(map[string]string) // uuid → path
	)
	for _, de := range des {
		if !de.IsDir() {
			continue
		}
		path := filepath.Join(dir, de.Name(), "definition.json")
		t, err := parseFile(path, Parse)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, FileError{Path: path, Err: err})
			continue
		}
		if prev, ok := seen[t.UUID]; ok {
			errs = append(errs, FileError{Path: path, Err: fmt.Errorf("duplicate template uuid %s, already loaded from %s", t.UUID, prev)})
			continue
		}
		seen[t.UUID] = path
		templates = append(templates, t)
	}
	slices.SortStableFunc(templates, func(a, b *Template) int { return cmp.Compare(a.Name, b.Name) })
	return templates, errs
}

func parseFile[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(f)
}
