package galaxy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoGalaxy reports a cluster collection whose galaxy type was not
// loaded; MISP skips such a collection.
var ErrNoGalaxy = errors.New("no galaxy of this type")

// FileError reports a galaxy or cluster file that could not be loaded.
type FileError struct {
	Path string
	Err  error
}

func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e FileError) Unwrap() error { return e.Err }

// Load reads a misp-galaxy checkout rooted at dir: every galaxies/*.json,
// then every clusters/*.json whose type names a loaded galaxy.
//
// A library is a set of files any of which may be absent. A file that
// cannot be read or parsed is reported as a FileError and the others
// still load; so is a galaxy whose type or UUID was already loaded from an
// earlier file, and a cluster collection without its galaxy (ErrNoGalaxy).
// Galaxies come back in file-name order, clusters in file-name order and
// then in file order.
func Load(dir string) ([]*Galaxy, []*Cluster, []FileError) {
	galaxies, errs := loadGalaxies(filepath.Join(dir, "galaxies"))
	types := make(map[string]bool, len(galaxies))
	for _, g := range galaxies {
		types[g.Type] = true
	}
	clusters, cerrs := loadClusters(filepath.Join(dir, "clusters"), types)
	return galaxies, clusters, append(errs, cerrs...)
}

func loadGalaxies(dir string) ([]*Galaxy, []FileError) {
	paths, err := jsonFiles(dir)
	if err != nil {
		return nil, []FileError{{Path: dir, Err: err}}
	}
	var (
		galaxies []*Galaxy
		errs     []FileError
		byType   = make(map[string]string) // type → path
		byUUID   = make(map[string]string) // uuid → path
	)
	for _, path := range paths {
		g, err := parseFile(path, ParseGalaxy)
		if err != nil {
			errs = append(errs, FileError{Path: path, Err: err})
			continue
		}
		if prev, ok := byType[g.Type]; ok {
			errs = append(errs, FileError{Path: path, Err: fmt.Errorf("duplicate galaxy type %q, already loaded from %s", g.Type, prev)})
			continue
		}
		if prev, ok := byUUID[g.UUID]; ok {
			errs = append(errs, FileError{Path: path, Err: fmt.Errorf("duplicate galaxy uuid %s, already loaded from %s", g.UUID, prev)})
			continue
		}
		byType[g.Type], byUUID[g.UUID] = path, path
		galaxies = append(galaxies, g)
	}
	return galaxies, errs
}

func loadClusters(dir string, types map[string]bool) ([]*Cluster, []FileError) {
	paths, err := jsonFiles(dir)
	if err != nil {
		return nil, []FileError{{Path: dir, Err: err}}
	}
	var (
		clusters []*Cluster
		errs     []FileError
	)
	for _, path := range paths {
		c, err := parseFile(path, ParseCollection)
		if err != nil {
			errs = append(errs, FileError{Path: path, Err: err})
			continue
		}
		if !types[c.Type] {
			errs = append(errs, FileError{Path: path, Err: fmt.Errorf("cluster collection of type %q: %w", c.Type, ErrNoGalaxy)})
			continue
		}
		for i := range c.Clusters {
			clusters = append(clusters, &c.Clusters[i])
		}
	}
	return clusters, errs
}

// jsonFiles lists the *.json files of dir, sorted by name.
func jsonFiles(dir string) ([]string, error) {
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

func parseFile[T any](path string, parse func(io.Reader) (*T, error)) (*T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f)
}
