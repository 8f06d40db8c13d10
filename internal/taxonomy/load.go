package taxonomy

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// FileError reports a machinetag.json that could not be loaded.
type FileError struct {
	Path string
	Err  error
}

func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e FileError) Unwrap() error { return e.Err }

// Load reads every <namespace>/machinetag.json of a misp-taxonomies
// checkout rooted at dir, skipping MISP's non-taxonomy folders "tools" and
// "mapping".
//
// A library is a set of files any of which may be absent: a directory
// without machinetag.json is skipped silently. A file that cannot be read
// or parsed is reported as a FileError and the others still load. A
// namespace already loaded from an earlier directory (in directory-name
// order) is reported, not loaded. Taxonomies come back sorted by
// namespace.
func Load(dir string) ([]*Taxonomy, []FileError) {
	des, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, []FileError{{Path: dir, Err: err}}
	}
	var (
		taxonomies []*Taxonomy
		errs       []FileError
		seen       = make(map[string]string) // namespace → path
	)
	for _, de := range des {
		if !de.IsDir() || de.Name() == "tools" || de.Name() == "mapping" {
			continue
		}
		path := filepath.Join(dir, de.Name(), "machinetag.json")
		t, err := loadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, FileError{Path: path, Err: err})
			continue
		}
		if prev, ok := seen[t.Namespace]; ok {
			errs = append(errs, FileError{Path: path, Err: fmt.Errorf("duplicate namespace %q, already loaded from %s", t.Namespace, prev)})
			continue
		}
		seen[t.Namespace] = path
		taxonomies = append(taxonomies, t)
	}
	slices.SortFunc(taxonomies, func(a, b *Taxonomy) int { return cmp.Compare(a.Namespace, b.Namespace) })
	return taxonomies, errs
}

func loadFile(path string) (*Taxonomy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}
