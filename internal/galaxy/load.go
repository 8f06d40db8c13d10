package galaxy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/razmena/razmena/internal/library"
)

// ErrNoGalaxy reports a cluster collection whose galaxy type was not
// loaded; MISP skips such a collection.
var ErrNoGalaxy = errors.New("no galaxy of this type")

// Load reads a misp-galaxy checkout rooted at dir: every galaxies/*.json,
// then every clusters/*.json whose type names a loaded galaxy.
//
// A library is a set of files any of which may be absent or broken (see
// library.Report). A galaxy (galaxies/X.json) without its clusters
// (clusters/X.json, or a collection of its type in another file) is
// reported as Missing. A file that cannot be read or parsed is reported
// as a FileError and the others still load; so is a galaxy whose type or
// UUID was already loaded from an earlier file, and a cluster collection
// without its galaxy (ErrNoGalaxy). Galaxies come back in file-name
// order, clusters in file-name order and then in file order.
func Load(dir string) ([]*Galaxy, []*Cluster, library.Report) {
	var rep library.Report
	galaxies, paths := loadGalaxies(filepath.Join(dir, "galaxies"), &rep)
	types := make(map[string]bool, len(galaxies))
	for _, g := range galaxies {
		types[g.Type] = true
	}
	clustersDir := filepath.Join(dir, "clusters")
	clusters, loaded, err := loadClusters(clustersDir, types, &rep)
	if err != nil {
		rep.Fail(clustersDir, err)
		return galaxies, nil, rep
	}
	for i, g := range galaxies {
		path := filepath.Join(clustersDir, filepath.Base(paths[i]))
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !loaded[g.Type] {
			rep.Miss(fmt.Sprintf("clusters of galaxy %q", g.Type), path)
		}
	}
	return galaxies, clusters, rep
}

// loadGalaxies returns the galaxies of dir and the file each came from.
func loadGalaxies(dir string, rep *library.Report) ([]*Galaxy, []string) {
	var (
		galaxies []*Galaxy
		paths    []string
		byType   = make(library.Seen)
		byUUID   = make(library.Seen)
	)
	files, err := library.JSONFiles(dir)
	if err != nil {
		rep.Fail(dir, err)
		return nil, nil
	}
	for _, path := range files {
		g, err := library.ParseFile(path, ParseGalaxy)
		if err == nil {
			err = byType.Check("galaxy type", g.Type)
		}
		if err == nil {
			err = byUUID.Check("galaxy uuid", g.UUID)
		}
		if err != nil {
			rep.Fail(path, err)
			continue
		}
		byType[g.Type], byUUID[g.UUID] = path, path
		galaxies = append(galaxies, g)
		paths = append(paths, path)
	}
	return galaxies, paths
}

// loadClusters returns the clusters of dir's collections of the given
// galaxy types and which types it loaded a collection of; the error is
// dir's.
func loadClusters(dir string, types map[string]bool, rep *library.Report) ([]*Cluster, map[string]bool, error) {
	paths, err := library.JSONFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	var (
		clusters []*Cluster
		loaded   = make(map[string]bool)
	)
	for _, path := range paths {
		c, err := library.ParseFile(path, ParseCollection)
		if err == nil && !types[c.Type] {
			err = fmt.Errorf("cluster collection of type %q: %w", c.Type, ErrNoGalaxy)
		}
		if err != nil {
			rep.Fail(path, err)
			continue
		}
		loaded[c.Type] = true
		for i := range c.Clusters {
			clusters = append(clusters, &c.Clusters[i])
		}
	}
	return clusters, loaded, nil
}
