package taxonomy

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/razmena/razmena/internal/library"
)

// Load reads every <namespace>/machinetag.json of a misp-taxonomies
// checkout rooted at dir, skipping MISP's non-taxonomy folders "tools" and
// "mapping".
//
// A library is a set of files any of which may be absent or broken (see
// library.Report). A namespace directory without machinetag.json, and a
// taxonomy listed in the checkout's MANIFEST.json whose directory is
// absent, are reported as Missing. A file that cannot be read or parsed
// is reported as a FileError and the others still load; so is a
// namespace already loaded from an earlier directory (in directory-name
// order). Taxonomies come back sorted by namespace.
func Load(dir string) ([]*Taxonomy, library.Report) {
	var rep library.Report
	taxonomies := library.ItemDirs[*Taxonomy]{
		File:  "machinetag.json",
		Item:  "taxonomy",
		Skip:  []string{"tools", "mapping"},
		Parse: Parse,
		Key:   "namespace",
		KeyOf: func(t *Taxonomy) string { return t.Namespace },
	}.Load(dir, &rep)
	checkManifest(dir, &rep)
	slices.SortFunc(rep.Missing, func(a, b library.Missing) int { return cmp.Compare(a.Path, b.Path) })
	slices.SortFunc(taxonomies, func(a, b *Taxonomy) int { return cmp.Compare(a.Namespace, b.Namespace) })
	return taxonomies, rep
}

// manifest is the part of misp-taxonomies' MANIFEST.json that lists the
// taxonomies the repository holds, by namespace directory.
type manifest struct {
	Taxonomies []struct {
		Name string `json:"name"`
	} `json:"taxonomies"`
}

// checkManifest reports in rep the taxonomies dir's MANIFEST.json lists
// but that have no directory (a directory without its machinetag.json
// is reported by the walk). A checkout without MANIFEST.json has no list
// to check; one that cannot be read or parsed is a FileError.
func checkManifest(dir string, rep *library.Report) {
	path := filepath.Join(dir, "MANIFEST.json")
	m, err := library.ParseFile(path, func(r io.Reader) (*manifest, error) {
		var m manifest
		if err := json.NewDecoder(r).Decode(&m); err != nil {
			return nil, err
		}
		return &m, nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		rep.Fail(path, err)
		return
	}
	for _, t := range m.Taxonomies {
		// The name is a directory of dir: never a path leading elsewhere.
		if !filepath.IsLocal(t.Name) || filepath.Base(t.Name) != t.Name || t.Name == "." {
			rep.Fail(path, fmt.Errorf("taxonomy name %q is not a directory name", t.Name))
			continue
		}
		sub := filepath.Join(dir, t.Name)
		if _, err := os.Stat(sub); errors.Is(err, fs.ErrNotExist) {
			rep.Miss(fmt.Sprintf("taxonomy %q", t.Name), filepath.Join(sub, "machinetag.json"))
		}
	}
}
