package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/config"
	"github.com/razmena/razmena/internal/galaxy"
	"github.com/razmena/razmena/internal/library"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/objecttemplate"
	"github.com/razmena/razmena/internal/store/sqlstore"
	"github.com/razmena/razmena/internal/taxonomy"
	"github.com/razmena/razmena/internal/warninglist"
)

const librariesUsage = `Usage: razmena libraries [-database DB] <command> [flags]

  import DIR...
        load the MISP knowledge libraries in each DIR: a checkout of
        misp-taxonomies, misp-galaxy, misp-objects or misp-warninglists,
        or a directory holding them as taxonomies/, galaxy/, objects/ and
        warninglists/ (e.g. ../shared/misp-data)
  update [-libraries DIR] [-source URL] [-only LIST]
        download the current release of each library into DIR (default
        -libraries of the server, env RAZMENA_LIBRARIES), then load it;
        -source is a URL with {repo} for the repository name (default the
        MISP project's repositories on GitHub); -only is a comma-separated
        list of taxonomies, galaxy, objects, warninglists

Importing is versioned and idempotent: an item is replaced only by a newer
version of itself, and loading the same files twice changes nothing. A
broken file is reported and everything else is loaded.
`

func runLibraries(ctx context.Context, args []string, io stdio) error {
	cfg := config.Default()
	if err := cfg.Env(io.getenv); err != nil {
		return err
	}
	fs := flag.NewFlagSet("libraries", flag.ContinueOnError)
	fs.SetOutput(io.stderr)
	fs.Usage = func() { fmt.Fprint(io.stderr, librariesUsage) }
	fs.StringVar(&cfg.Database, "database", cfg.Database, "SQLite file, or postgres:// URL (env RAZMENA_DATABASE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprint(io.stderr, librariesUsage)
		return errors.New("libraries: want a command")
	}
	var dirs []string
	switch rest[0] {
	case "import":
		dirs = rest[1:]
		if len(dirs) == 0 {
			fmt.Fprint(io.stderr, librariesUsage)
			return errors.New("libraries import: want a directory")
		}
	case "update":
		sub := flag.NewFlagSet("libraries update", flag.ContinueOnError)
		sub.SetOutput(io.stderr)
		sub.StringVar(&cfg.Libraries, "libraries", cfg.Libraries, "directory to download the libraries into (env RAZMENA_LIBRARIES)")
		source := sub.String("source", library.DefaultSource, "URL of each library's .tar.gz archive, {repo} standing for the repository name")
		only := sub.String("only", "", "comma-separated libraries to update (default all)")
		if err := sub.Parse(rest[1:]); err != nil {
			return err
		}
		kinds, err := parseKinds(*only)
		if err != nil {
			return err
		}
		if err := library.CheckSource(*source); err != nil {
			return err
		}
		fmt.Fprintf(io.stdout, "downloading %d libraries into %s\n", len(kinds), cfg.Libraries)
		client := &http.Client{Timeout: 10 * time.Minute}
		if err := library.Download(ctx, client, *source, cfg.Libraries, kinds, library.DefaultLimits); err != nil {
			return err
		}
		for _, k := range kinds {
			dirs = append(dirs, filepath.Join(cfg.Libraries, k.Sub()))
		}
	default:
		fmt.Fprint(io.stderr, librariesUsage)
		return fmt.Errorf("libraries: unknown command %q", rest[0])
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	results, err := library.Import(ctx, importers(db), dirs...)
	for _, r := range results {
		printLibraryResult(io, r)
	}
	return err
}

// parseKinds reads the -only list; empty is every library.
func parseKinds(list string) ([]library.Kind, error) {
	if list == "" {
		return library.Kinds, nil
	}
	var kinds []library.Kind
	for _, s := range strings.Split(list, ",") {
		k, ok := library.ParseKind(strings.TrimSpace(s))
		if !ok {
			return nil, fmt.Errorf("libraries update: unknown library %q (want taxonomies, galaxy, objects or warninglists)", s)
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}

// importers are the loaders of each library into db.
func importers(db *sqlstore.DB) map[library.Kind]library.Importer {
	return map[library.Kind]library.Importer{
		library.Taxonomies: func(ctx context.Context, dir string) (misp.LibraryResult, error) {
			return taxonomy.ImportDir(ctx, db, dir)
		},
		library.Galaxies: func(ctx context.Context, dir string) (misp.LibraryResult, error) {
			return galaxy.ImportDir(ctx, db, dir)
		},
		library.ObjectTemplates: func(ctx context.Context, dir string) (misp.LibraryResult, error) {
			return objecttemplate.ImportDir(ctx, db, dir)
		},
		library.Warninglists: func(ctx context.Context, dir string) (misp.LibraryResult, error) {
			return warninglist.ImportDir(ctx, db, dir)
		},
	}
}

// printLibraryResult prints what an import changed, then a line per file
// that could not be loaded and per file absent.
func printLibraryResult(io stdio, r misp.LibraryResult) {
	fmt.Fprintf(io.stdout, "%s: %d added, %d updated, %d unchanged", r.Library, r.Added, r.Updated, r.Unchanged)
	var notes []string
	if n := len(r.Errors); n > 0 {
		notes = append(notes, files(n)+" not loaded")
	}
	if n := len(r.Missing); n > 0 {
		notes = append(notes, files(n)+" absent")
	}
	if len(notes) > 0 {
		fmt.Fprintf(io.stdout, ", %s:", strings.Join(notes, ", "))
	}
	fmt.Fprintln(io.stdout)
	for _, e := range r.Errors {
		fmt.Fprintf(io.stdout, "  not loaded: %s\n", e)
	}
	for _, m := range r.Missing {
		fmt.Fprintf(io.stdout, "  absent: %s\n", m)
	}
}

// files counts n files in words.
func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}
