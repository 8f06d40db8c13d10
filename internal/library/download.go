package library

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DefaultSource is where Download fetches the libraries from: the main
// branch of each MISP repository on GitHub, as a gzipped tar archive.
// {repo} stands for the repository name (Kind.Repository).
const DefaultSource = "https://github.com/MISP/{repo}/archive/refs/heads/main.tar.gz"

// CheckSource validates a source URL template: http or https, a host, no
// credentials in the URL, and the {repo} placeholder.
func CheckSource(source string) error {
	if !strings.Contains(source, "{repo}") {
		return fmt.Errorf("library source %q: no {repo} placeholder", source)
	}
	u, err := url.Parse(strings.ReplaceAll(source, "{repo}", "misp-taxonomies"))
	if err != nil {
		return fmt.Errorf("library source: %w", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("library source %q: scheme must be https or http", source)
	case u.Host == "":
		return fmt.Errorf("library source %q: no host", source)
	case u.User != nil:
		return fmt.Errorf("library source %q: credentials in the URL are not accepted", source)
	}
	return nil
}

// Limits bound what one downloaded archive may unpack to.
type Limits struct {
	// MaxFile is the largest file, MaxTotal the sum of all files, in
	// bytes; MaxEntries the number of entries.
	MaxFile, MaxTotal int64
	MaxEntries        int
}

// DefaultLimits fit the MISP libraries with room to grow: the largest
// file (a top-domains warninglist) is tens of megabytes, the largest
// repository (misp-galaxy) a few hundred.
var DefaultLimits = Limits{MaxFile: 256 << 20, MaxTotal: 4 << 30, MaxEntries: 200_000}

// ErrArchive reports an archive that cannot be installed.
var ErrArchive = errors.New("bad library archive")

// Download fetches the archive of each kind from source (see
// DefaultSource) and installs it as dest/<Kind.Sub>. A library is
// replaced only once its new copy is completely unpacked and recognised;
// after a failure the previous copy is still in place. Archive entries
// are unpacked under their first path component stripped (the
// repository-branch directory GitHub puts everything in); entries
// leaving the archive's directory make the archive fail, links and
// special files are skipped.
func Download(ctx context.Context, client *http.Client, source, dest string, kinds []Kind, lim Limits) error {
	if err := CheckSource(source); err != nil {
		return err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	for _, k := range kinds {
		u := strings.ReplaceAll(source, "{repo}", k.Repository())
		if err := install(ctx, client, u, dest, k, lim); err != nil {
			return fmt.Errorf("download %s from %s: %w", k, u, err)
		}
	}
	return nil
}

// install downloads one archive into a temporary directory beside its
// final place and swaps it in.
func install(ctx context.Context, client *http.Client, u, dest string, k Kind, lim Limits) error {
	tmp, err := os.MkdirTemp(dest, ".download-"+k.Sub()+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone after a successful swap; the debris of a failed one
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", resp.Status)
	}
	root := filepath.Join(tmp, "root")
	if err := unpack(io.LimitReader(resp.Body, lim.MaxTotal), root, lim); err != nil {
		return err
	}
	if got, ok := detect(root); !ok || got != k {
		return fmt.Errorf("%w: not a %s library", ErrArchive, k)
	}
	final := filepath.Join(dest, k.Sub())
	old := filepath.Join(tmp, "old")
	if err := os.Rename(final, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(root, final); err != nil {
		// Put the previous copy back.
		if rerr := os.Rename(old, final); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

// unpack writes the gzipped tar archive r into dir within lim.
func unpack(r io.Reader, dir string, lim Limits) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrArchive, err)
	}
	defer gz.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	var total int64
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrArchive, err)
		}
		if n >= lim.MaxEntries {
			return fmt.Errorf("%w: more than %d entries", ErrArchive, lim.MaxEntries)
		}
		name, err := entryPath(h.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue // the top directory itself, or a global header
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if h.Size > lim.MaxFile {
				return fmt.Errorf("%w: %s is %d bytes, more than %d", ErrArchive, name, h.Size, lim.MaxFile)
			}
			if total += h.Size; total > lim.MaxTotal {
				return fmt.Errorf("%w: more than %d bytes unpacked", ErrArchive, lim.MaxTotal)
			}
			if err := writeFile(target, tr, h.Size); err != nil {
				return err
			}
		default:
			// Links, devices, pax headers: a library has none worth
			// following.
		}
	}
}

// entryPath returns an archive entry's path below its first component,
// "" for the first component itself; an absolute path or one leaving the
// archive is an error.
func entryPath(name string) (string, error) {
	if strings.HasPrefix(name, "/") || strings.Contains(name, `\`) {
		return "", fmt.Errorf("%w: entry %q", ErrArchive, name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: entry %q leaves the archive", ErrArchive, name)
		}
	}
	clean := path.Clean(name)
	_, rest, _ := strings.Cut(clean, "/")
	if rest == "." {
		rest = ""
	}
	return rest, nil
}

// writeFile writes exactly size bytes of r to a new file at p.
func writeFile(p string, r io.Reader, size int64) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, r, size); err != nil {
		f.Close()
		return fmt.Errorf("%w: %v", ErrArchive, err)
	}
	return f.Close()
}
