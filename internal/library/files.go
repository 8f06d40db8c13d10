package library

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// A library is a set of files, any of which may be broken or absent: the
// loader packages read what is there, and report in a Report the files
// they could not load (FileError) and the files the library itself says
// it has but that are not there (Missing). Neither stops the others from
// loading. What follows is the reading they share; what a file holds and
// how items are keyed is each loader's.

// FileError reports a library file that could not be loaded.
type FileError struct {
	Path string
	Err  error
}

// Error returns the path and what went wrong with it.
func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error, so that errors.Is sees
// fs.ErrNotExist or misp.ErrInvalid through a FileError.
func (e FileError) Unwrap() error { return e.Err }

// Missing reports a file that the library says it has but that is
// absent: an item's directory without its file, a taxonomy listed in
// MANIFEST.json without its directory, a galaxy without its clusters.
// That is not an error: the rest of the library loads.
type Missing struct {
	// Item names what the file holds: `taxonomy "tlp"`,
	// `clusters of galaxy "sigma-rules"`.
	Item string
	// Path is where the file should be.
	Path string
}

// String returns the path and, in parentheses, the item.
func (m Missing) String() string { return m.Path + " (" + m.Item + ")" }

// Report is what a loader could not load from a library.
type Report struct {
	Errors  []FileError
	Missing []Missing
}

// Fail records that the file at path could not be loaded because of err.
func (r *Report) Fail(path string, err error) {
	r.Errors = append(r.Errors, FileError{Path: path, Err: err})
}

// Miss records that the file at path, holding item, is absent.
func (r *Report) Miss(item, path string) {
	r.Missing = append(r.Missing, Missing{Item: item, Path: path})
}

// AddTo lists r in res: each file error in Errors ("path: cause"), each
// absent file in Missing ("path (item)").
func (r Report) AddTo(res *misp.LibraryResult) {
	for _, fe := range r.Errors {
		res.Errors = append(res.Errors, fe.Error())
	}
	for _, m := range r.Missing {
		res.Missing = append(res.Missing, m.String())
	}
}

// ParseFile opens the file at path and parses it with parse.
func ParseFile[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(f)
}

// JSONFiles lists the *.json files of dir, sorted by name.
func JSONFiles(dir string) ([]string, error) {
	des, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, de := range des {
		if !de.IsDir() && strings.HasSuffix(de.Name(), ".json") {
			paths = append(paths, filepath.Join(dir, de.Name()))
		}
	}
	return paths, nil
}

// Seen remembers the file each key (a namespace, a name, a UUID) was
// loaded from, so that an item keyed as an earlier one is refused: MISP
// keys each library's items and would overwrite the first with the
// second.
type Seen map[string]string

// Check returns an error if key was loaded already; what names the key
// ("list name") in the error.
func (s Seen) Check(what, key string) error {
	if prev, ok := s[key]; ok {
		return fmt.Errorf("duplicate %s %q, already loaded from %s", what, key, prev)
	}
	return nil
}

// Add records key as loaded from path, or returns Check's error.
func (s Seen) Add(what, key, path string) error {
	if err := s.Check(what, key); err != nil {
		return err
	}
	s[key] = path
	return nil
}

// ItemDirs is the layout of a library that keeps each item in a
// directory of its own, under one file name: taxonomies'
// <namespace>/machinetag.json, warninglists' lists/<name>/list.json,
// object templates' objects/<name>/definition.json.
type ItemDirs[T any] struct {
	// File is the name of an item's file in its directory.
	File string
	// Item is what an item is called in a Missing entry ("warninglist").
	Item string
	// Skip lists the directories that hold no item.
	Skip []string
	// Parse reads an item from its file.
	Parse func(io.Reader) (T, error)
	// Key names what identifies an item ("list name") and KeyOf returns
	// it: an item whose key was loaded from an earlier directory is
	// refused.
	Key   string
	KeyOf func(T) string
}

// Load reads File in every directory of dir but those in Skip, in
// directory-name order, and returns the items parsed. A directory without
// File is reported in rep as Missing; a file that cannot be read or
// parsed, or whose item's key was loaded already, as a FileError, and so
// is a dir that cannot be read.
func (l ItemDirs[T]) Load(dir string, rep *Report) []T {
	des, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		rep.Fail(dir, err)
		return nil
	}
	var (
		items []T
		seen  = make(Seen)
	)
	for _, de := range des {
		if !de.IsDir() || slices.Contains(l.Skip, de.Name()) {
			continue
		}
		path := filepath.Join(dir, de.Name(), l.File)
		item, err := ParseFile(path, l.Parse)
		if errors.Is(err, fs.ErrNotExist) {
			rep.Miss(fmt.Sprintf("%s %q", l.Item, de.Name()), path)
			continue
		}
		if err == nil {
			err = seen.Add(l.Key, l.KeyOf(item), path)
		}
		if err != nil {
			rep.Fail(path, err)
			continue
		}
		items = append(items, item)
	}
	return items
}
