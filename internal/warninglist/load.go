package warninglist

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// FileError reports a list.json that could not be loaded.
type FileError struct {
	Path string
	Err  error
}

// Error returns the path and what went wrong with it.
func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error, so that errors.Is sees
// fs.ErrNotExist or misp.ErrInvalid through a FileError.
func (e FileError) Unwrap() error { return e.Err }

// Load reads every lists/<name>/list.json of a misp-warninglists checkout.
// dir is the checkout or its lists directory.
//
// A library is a set of files any of which may be absent: a list directory
// without list.json is skipped silently. A file that cannot be read or
// parsed is reported as a FileError and the others still load. As in MISP,
// where the name is the key, a list whose name was already loaded from an
// earlier directory (in directory-name order) is reported, not loaded.
// Lists come back sorted by name, with ID 0 and Enabled false.
func Load(dir string) ([]*List, []FileError) {
	if fi, err := os.Stat(filepath.Join(dir, "lists")); err == nil && fi.IsDir() {
		dir = filepath.Join(dir, "lists")
	}
	des, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, []FileError{{Path: dir, Err: err}}
	}
	var (
		lists []*List
		errs  []FileError
		seen  = make(map[string]string) // name → path
	)
	for _, de := range des {
		if !de.IsDir() {
			continue
		}
		path := filepath.Join(dir, de.Name(), "list.json")
		l, err := loadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, FileError{Path: path, Err: err})
			continue
		}
		if prev, ok := seen[l.Name]; ok {
			errs = append(errs, FileError{Path: path, Err: fmt.Errorf("duplicate list name %q, already loaded from %s", l.Name, prev)})
			continue
		}
		seen[l.Name] = path
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b *List) int { return cmp.Compare(a.Name, b.Name) })
	return lists, errs
}

func loadFile(path string) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}
