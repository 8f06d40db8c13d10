package library

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entry is one archive member; link makes it a symbolic link to target.
type entry struct {
	name, body string
	dir        bool
	link       string
}

// archive builds a gzipped tar of entries.
func archive(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		switch {
		case e.dir:
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		case e.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// repoArchive is a GitHub-style archive of kind's minimal checkout, with
// version written into one file to tell copies apart.
func repoArchive(t *testing.T, k Kind, version string) []byte {
	top := k.Repository() + "-main/"
	entries := []entry{{name: top, dir: true}}
	for p, body := range checkouts[k] {
		entries = append(entries, entry{name: top + p, body: body})
	}
	entries = append(entries, entry{name: top + "VERSION", body: version},
		entry{name: top + "link", link: "/etc/passwd"})
	return archive(t, entries)
}

// server serves archives by repository name ("/<repo>.tar.gz").
func server(t *testing.T, archives map[string][]byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := archives[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".tar.gz")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func readVersion(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDownload(t *testing.T) {
	archives := map[string][]byte{}
	for _, k := range Kinds {
		archives[k.Repository()] = repoArchive(t, k, "1")
	}
	srv := server(t, archives)
	source := srv.URL + "/{repo}.tar.gz"
	dest := t.TempDir()
	if err := Download(t.Context(), srv.Client(), source, dest, Kinds, DefaultLimits); err != nil {
		t.Fatalf("Download() = %v", err)
	}
	found, err := Find(dest)
	if err != nil || len(found) != 4 {
		t.Fatalf("Find(downloaded) = %v, %v; want the four libraries", found, err)
	}
	for _, k := range Kinds {
		if v := readVersion(t, filepath.Join(dest, k.Sub())); v != "1" {
			t.Errorf("%s VERSION = %q", k, v)
		}
		if _, err := os.Lstat(filepath.Join(dest, k.Sub(), "link")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: the symbolic link was unpacked (%v)", k, err)
		}
	}

	// A new release replaces the copy; a failing one leaves it.
	archives[Taxonomies.Repository()] = repoArchive(t, Taxonomies, "2")
	if err := Download(t.Context(), srv.Client(), source, dest, []Kind{Taxonomies}, DefaultLimits); err != nil {
		t.Fatalf("Download(new release) = %v", err)
	}
	if v := readVersion(t, filepath.Join(dest, "taxonomies")); v != "2" {
		t.Errorf("taxonomies VERSION after update = %q, want 2", v)
	}
	bad := map[string][]byte{
		"not gzip":           []byte("<html>not found</html>"),
		"wrong library":      repoArchive(t, Warninglists, "3"),
		"leaves the archive": archive(t, []entry{{name: "top/", dir: true}, {name: "top/tlp/machinetag.json", body: "{}"}, {name: "top/../../evil", body: "x"}}),
		"absolute":           archive(t, []entry{{name: "/etc/evil", body: "x"}}),
		"file too large":     archive(t, []entry{{name: "top/tlp/machinetag.json", body: strings.Repeat("x", 2048)}}),
		"truncated":          repoArchive(t, Taxonomies, "4")[:40],
	}
	lim := DefaultLimits
	lim.MaxFile = 1024
	for name, b := range bad {
		archives[Taxonomies.Repository()] = b
		if err := Download(t.Context(), srv.Client(), source, dest, []Kind{Taxonomies}, lim); err == nil {
			t.Errorf("Download(%s) = nil, want an error", name)
		}
		if v := readVersion(t, filepath.Join(dest, "taxonomies")); v != "2" {
			t.Errorf("after Download(%s) taxonomies VERSION = %q, want the previous copy's 2", name, v)
		}
		if _, err := os.Stat(filepath.Join(dest, "..", "evil")); err == nil {
			t.Fatalf("Download(%s) wrote outside its directory", name)
		}
	}
	delete(archives, Taxonomies.Repository())
	if err := Download(t.Context(), srv.Client(), source, dest, []Kind{Taxonomies}, DefaultLimits); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("Download(missing archive) = %v, want a 404 error", err)
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".download-") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

func TestCheckSource(t *testing.T) {
	for _, ok := range []string{DefaultSource, "http://127.0.0.1:8080/{repo}.tar.gz"} {
		if err := CheckSource(ok); err != nil {
			t.Errorf("CheckSource(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{
		"https://github.com/MISP/misp-taxonomies.tar.gz", // no {repo}
		"file:///etc/{repo}",
		"ftp://example.org/{repo}.tar.gz",
		"https://user:secret@example.org/{repo}.tar.gz",
		"https:///{repo}",
		"://bad/{repo}",
	} {
		if err := CheckSource(bad); err == nil {
			t.Errorf("CheckSource(%q) = nil, want an error", bad)
		}
	}
}
