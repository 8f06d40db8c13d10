// Package library finds, downloads and imports MISP's knowledge
// libraries: taxonomies, galaxies, object templates and warninglists
// (issue 6). Each library is a directory laid out as its MISP repository
// (misp-taxonomies, misp-galaxy, misp-objects, misp-warninglists); a
// libraries directory holds one of each, named taxonomies/, galaxy/,
// objects/ and warninglists/ (the layout `razmena libraries update`
// writes and ../shared/misp-data has).
//
// The package knows where libraries are and how to fetch them, and holds
// what the loader packages (taxonomy, galaxy, objecttemplate,
// warninglist) share to read a library's files and report the broken and
// absent ones (Report, ItemDirs); what a library contains and how it is
// stored is the business of the loaders, reached through an Importer per
// kind.
package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/razmena/razmena/internal/misp"
)

// Kind is one of the four libraries.
type Kind string

// The libraries, in the order they are imported.
const (
	Taxonomies      Kind = "taxonomies"
	Galaxies        Kind = "galaxies"
	ObjectTemplates Kind = "object templates"
	Warninglists    Kind = "warninglists"
)

// Kinds lists every library in import order.
var Kinds = []Kind{Taxonomies, Galaxies, ObjectTemplates, Warninglists}

// Sub is the name of kind's directory in a libraries directory.
func (k Kind) Sub() string {
	switch k {
	case Taxonomies:
		return "taxonomies"
	case Galaxies:
		return "galaxy"
	case ObjectTemplates:
		return "objects"
	case Warninglists:
		return "warninglists"
	}
	return ""
}

// Repository is the name of kind's MISP repository.
func (k Kind) Repository() string {
	switch k {
	case Taxonomies:
		return "misp-taxonomies"
	case Galaxies:
		return "misp-galaxy"
	case ObjectTemplates:
		return "misp-objects"
	case Warninglists:
		return "misp-warninglists"
	}
	return ""
}

// ParseKind returns the kind named s: its Kind string, Sub or Repository.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if s == string(k) || s == k.Sub() || s == k.Repository() {
			return k, true
		}
	}
	return "", false
}

// Found is a library directory.
type Found struct {
	Kind Kind
	Dir  string
}

// ErrNoLibrary reports a directory that holds no library.
var ErrNoLibrary = errors.New("no MISP library found")

// Find returns the libraries in dir: dir itself when it is the checkout
// of one library, otherwise its subdirectories named after a kind (Sub)
// or its repository that are libraries of that kind. ErrNoLibrary when
// there is none.
func Find(dir string) ([]Found, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	if k, ok := detect(dir); ok {
		return []Found{{k, dir}}, nil
	}
	var found []Found
	for _, k := range Kinds {
		for _, name := range []string{k.Sub(), k.Repository()} {
			sub := filepath.Join(dir, name)
			if got, ok := detect(sub); ok && got == k {
				found = append(found, Found{k, sub})
				break
			}
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("%s: %w (want a taxonomies, galaxy, objects or warninglists directory laid out as its MISP repository, or a directory holding them)", dir, ErrNoLibrary)
	}
	return found, nil
}

// detect tells which library the checkout dir is, by the files each
// repository has at its root.
func detect(dir string) (Kind, bool) {
	switch {
	case isDir(filepath.Join(dir, "galaxies")) && isDir(filepath.Join(dir, "clusters")):
		return Galaxies, true
	case isDir(filepath.Join(dir, "objects")) && isDir(filepath.Join(dir, "relationships")):
		return ObjectTemplates, true
	case isDir(filepath.Join(dir, "lists")):
		return Warninglists, true
	}
	// A taxonomies checkout is a directory of namespaces, each with its
	// machinetag.json.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if e.IsDir() && isFile(filepath.Join(dir, e.Name(), "machinetag.json")) {
			return Taxonomies, true
		}
	}
	return "", false
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// Importer loads the library of one kind from its directory into the
// store. A broken file is reported in the result's Errors, not as an
// error: the error is for what stops the whole import.
type Importer func(ctx context.Context, dir string) (misp.LibraryResult, error)

// Import imports every library found in dirs (see Find) with the
// importer of its kind, in the order of Kinds within each directory, and
// returns what each import changed. It stops at the first error; the
// results of the imports done before it are returned with it.
func Import(ctx context.Context, importers map[Kind]Importer, dirs ...string) ([]misp.LibraryResult, error) {
	var all []Found
	for _, d := range dirs {
		found, err := Find(d)
		if err != nil {
			return nil, err
		}
		all = append(all, found...)
	}
	var results []misp.LibraryResult
	for _, f := range all {
		imp := importers[f.Kind]
		if imp == nil {
			return results, fmt.Errorf("%s: no importer for %s", f.Dir, f.Kind)
		}
		r, err := imp(ctx, f.Dir)
		if err != nil {
			return results, fmt.Errorf("import %s from %s: %w", f.Kind, f.Dir, err)
		}
		if r.Library == "" {
			r.Library = string(f.Kind)
		}
		results = append(results, r)
	}
	return results, nil
}
