package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/razmena/razmena/internal/bench"
	"github.com/razmena/razmena/internal/config"
	"github.com/razmena/razmena/internal/setup"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// runBench is `razmena bench`: the benchmark harness of issue 4 against
// the server's real handler stack, on 127.0.0.1 only.
func runBench(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.stderr)
	store := fs.String("store", "sqlite", "store to measure: sqlite or postgres")
	database := fs.String("database", "", "SQLite: path of a new database file (default: a temporary directory); PostgreSQL: URL of a database whose role may CREATE DATABASE (default: $TEST_POSTGRES_DSN)")
	attrs := fs.Int("attributes", 100000, "attributes in the synthetic community")
	seed := fs.Uint64("seed", 1, "seed of the synthetic community")
	clients := fs.Int("clients", 4, "concurrent ingest clients")
	lookups := fs.Int("lookups", 200, "exact-value lookups per user")
	readers := fs.Int("readers", 4, "HTTP readers of the mixed load")
	mixed := fs.Duration("mixed", 20*time.Second, "duration of the mixed load")
	timeout := fs.Duration("timeout", 6*time.Hour, "bound of the whole run")
	out := fs.String("out", "", "markdown file to append the result table to (e.g. docs/benchmarks.md)")
	jsonOut := fs.String("json", "", "file to write the JSON report to")
	keep := fs.Bool("keep", false, "keep the databases after the run (SQLite: with -database; PostgreSQL: razmena_bench_PID_main and _raw)")
	cpuProfile := fs.String("cpuprofile", "", "file to write a CPU profile of the whole run to (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *store == "postgres" && *database == "" {
		*database = io.getenv("TEST_POSTGRES_DSN")
		if *database == "" {
			return fmt.Errorf("bench: -database or TEST_POSTGRES_DSN must name a PostgreSQL database")
		}
	}
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.MaxBodyBytes = 1 << 30 // the largest event of a 10 M run is ~300 MB of JSON
	cfg.AuthFailLimit = 1 << 20
	rep, err := bench.Run(ctx, bench.Config{
		Store: *store, Database: *database, Attributes: *attrs, Seed: *seed, Clients: *clients,
		Lookups: *lookups, Readers: *readers, MixedDuration: *mixed, Timeout: *timeout, Keep: *keep,
		Log: io.stderr,
		Handler: func(db *sqlstore.DB, inst *setup.Instance) http.Handler {
			m := &Main{Config: cfg, DB: db, Instance: inst,
				Log: slog.New(slog.NewTextHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelError}))}
			return m.Handler()
		},
	})
	if err != nil {
		return err
	}
	if err := rep.Markdown(io.stdout); err != nil {
		return err
	}
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if err := rep.Markdown(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
	}
	return nil
}

// discard is an io.Writer that drops everything: the server's access log
// would otherwise cost as much as the requests it measures.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

var _ io.Writer = discard{}
