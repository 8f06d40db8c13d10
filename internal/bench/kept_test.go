package bench

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/setup"
	"github.com/razmena/razmena/internal/store/postgres"
	"github.com/razmena/razmena/internal/store/sqlite"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// BenchmarkKeptPages measures the 20,000-attribute pages of the harness
// (the store's, for the org user and the site admin, and restSearch's
// over HTTP, each with its raw keyset SELECT in the same run) again on a
// community kept by `razmena bench -keep`, without loading one: a quick
// way to re-measure the read paths after a change. RAZMENA_BENCH_DB names
// the kept database (a SQLite file, or the postgres:// URL of the
// razmena_bench_PID_main database); skipped without it. Each iteration
// walks every page once; the figures of the last are reported and logged.
//
//	RAZMENA_BENCH_DB=/tmp/b/bench.db go test -run '^$' -bench KeptPages -benchtime 3x ./internal/bench
func BenchmarkKeptPages(b *testing.B) {
	r := keptServed(b, (*run).pages)
	for i, p := range r.rep.Pages {
		b.Logf("%s: first %.0f ms (raw %.0f; first read %.0f ms), median of %d %.0f ms (raw %.0f), deep page %d %.0f ms (raw %.0f)",
			p.User, p.FirstMS, p.RawFirstMS, p.FirstColdMS, p.FullPages, p.MedianMS, p.RawMedianMS, p.DeepPage, p.DeepMS, p.RawDeepMS)
		unit := []string{"org-store", "admin-store", "http"}[min(i, 2)]
		b.ReportMetric(p.MedianMS, unit+"-median-ms")
		b.ReportMetric(p.RawMedianMS, unit+"-raw-median-ms")
	}
}

// BenchmarkKeptFirstPage reads the first 20,000-attribute page of the
// harness's walk (attributes/restSearch over HTTP, as the org user) 15
// times with the store's number of scan connections and 15 times with
// the other choice (1 where the dialect uses more, 2 where it uses one:
// sqlstore.ScanWorkers), interleaved five at a time, each against the
// page's raw SELECT, and logs both medians and the process's very first
// read. It is the measurement behind the scan windows' figures in
// docs/benchmarks.md.
//
//	RAZMENA_BENCH_DB=/tmp/b/bench.db go test -run '^$' -bench KeptFirstPage -benchtime 1x ./internal/bench
func BenchmarkKeptFirstPage(b *testing.B) {
	ctx := context.Background()
	r := keptServer(b)
	min, max, err := r.pageWindow(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer func(n int) { sqlstore.ScanWorkers = n }(sqlstore.ScanWorkers)
	other := 1
	if r.cfg.Store == "postgres" {
		other = 2
	}
	body := map[string]any{"returnFormat": "json", "type": pageTypes, "timestamp": []int64{min, max}, "limit": pageSize, "page": 1}
	var first time.Duration
	ds := map[int][][]time.Duration{} // by ScanWorkers (0: the dialect's): the page's, the raw SELECT's
	b.ResetTimer()
	for range b.N {
		for range 3 {
			for _, workers := range []int{0, other} {
				sqlstore.ScanWorkers = workers
				for range 5 {
					t := time.Now()
					n, err := r.restSearch(ctx, r.userKey, "/attributes/restSearch", body,
						func(rd io.Reader) error { _, err := io.Copy(io.Discard, rd); return err })
					if err != nil || n != pageSize {
						b.Fatalf("first page: %d attributes, %v", n, err)
					}
					d := time.Since(t)
					if first == 0 {
						first = d
					}
					t = time.Now()
					if _, err := r.rawPage(ctx, pageTypes, min, max, 0); err != nil {
						b.Fatal(err)
					}
					if ds[workers] == nil {
						ds[workers] = make([][]time.Duration, 2)
					}
					ds[workers][0] = append(ds[workers][0], d)
					ds[workers][1] = append(ds[workers][1], time.Since(t))
				}
			}
		}
	}
	b.StopTimer()
	b.Logf("first page over HTTP, %s: the store's scan connections median %.0f ms (raw %.0f), ScanWorkers %d median %.0f ms (raw %.0f); the process's first read %.0f ms",
		r.cfg.Store, ms(median(ds[0][0])), ms(median(ds[0][1])), other, ms(median(ds[other][0])), ms(median(ds[other][1])), ms(first))
}

// BenchmarkKeptExports measures the harness's full exports over HTTP
// (attributes json and csv and events json as the org user, attributes
// json as the site admin, each with its MB/s and the peak RSS of the
// process, against the raw SELECT-and-encode baseline) again on a kept
// community, as BenchmarkKeptPages does the pages.
//
//	RAZMENA_BENCH_DB=/tmp/b/bench.db go test -run '^$' -bench KeptExports -benchtime 1x ./internal/bench
func BenchmarkKeptExports(b *testing.B) {
	r := keptServed(b, (*run).export)
	for _, x := range r.rep.Exports {
		b.Logf("%s/restSearch %s, %s: %d results, %.0f MB in %.1f s, %.1f MB/s (raw %.1f), peak RSS %.0f MB (%.0f before)",
			x.Scope, x.Format, x.User, x.Results, float64(x.Bytes)/1e6, x.Seconds, x.MBPerSecond, x.RawMBPerSecond, x.PeakRSSMB, x.RSSBeforeMB)
	}
}

// BenchmarkKeptWindows measures a SIEM's incremental pull on a kept
// community: attributes/restSearch over HTTP, as the org user, for the
// attributes changed in the last day and in the last week of the
// community's time range (timestamp ≥ its newest attribute's less a day
// or a week), each against the raw SELECT of the same window in id order.
//
//	RAZMENA_BENCH_DB=/tmp/b/bench.db go test -run '^$' -bench KeptWindows -benchtime 5x ./internal/bench
func BenchmarkKeptWindows(b *testing.B) {
	ctx := context.Background()
	r := keptServer(b)
	var newest int64
	if err := r.db.SQL().QueryRowContext(ctx, "SELECT MAX(timestamp) FROM attributes").Scan(&newest); err != nil {
		b.Fatal(err)
	}
	windows := []struct {
		name string
		span int64
	}{{"last day", 86400}, {"last week", 7 * 86400}}
	ds := make([][2][]time.Duration, len(windows))
	rows := make([]int64, len(windows))
	b.ResetTimer()
	for range b.N {
		for i, w := range windows {
			from := newest - w.span
			t := time.Now()
			n, err := r.restSearch(ctx, r.userKey, "/attributes/restSearch", map[string]any{"returnFormat": "json", "timestamp": from},
				func(rd io.Reader) error { _, err := io.Copy(io.Discard, rd); return err })
			if err != nil {
				b.Fatal(err)
			}
			ds[i][0] = append(ds[i][0], time.Since(t))
			t = time.Now()
			if _, err := r.rawQuery(ctx, "SELECT "+rawAttrCols+" FROM attributes a WHERE a.timestamp >= ? AND a.deleted = FALSE ORDER BY a.id", from); err != nil {
				b.Fatal(err)
			}
			ds[i][1] = append(ds[i][1], time.Since(t))
			rows[i] = n
		}
	}
	b.StopTimer()
	for i, w := range windows {
		b.Logf("%s: %d attributes, median %.1f ms over HTTP (raw %.1f ms)", w.name, rows[i], ms(median(ds[i][0])), ms(median(ds[i][1])))
	}
}

// keptServed runs step b.N times on the kept community, served over
// HTTP on a loopback port, each time into a new report, and returns the
// run holding the last report.
func keptServed(b *testing.B, step func(*run, context.Context) error) *run {
	ctx := context.Background()
	r := keptServer(b)
	b.ResetTimer()
	for range b.N {
		r.rep = &Report{}
		if err := step(r, ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	return r
}

// keptServer is keptRun with the community served over HTTP on a
// loopback port (r.url) until the benchmark ends.
func keptServer(b *testing.B) *run {
	r := keptRun(b)
	srv := httptest.NewServer(testHandler(r.db, r.inst))
	b.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// keptRun opens the kept bench database RAZMENA_BENCH_DB (skipping the
// benchmark without it) as a run with its admin and org user, closed
// when the benchmark ends.
func keptRun(b *testing.B) *run {
	dsn := os.Getenv("RAZMENA_BENCH_DB")
	if dsn == "" {
		b.Skip("RAZMENA_BENCH_DB names no kept bench database")
	}
	ctx := context.Background()
	store := "sqlite"
	var db *sqlstore.DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		store = "postgres"
		db, err = postgres.Open(ctx, dsn)
	} else {
		db, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	inst, err := setup.Ensure(ctx, db, setup.Options{HostOrgName: "Bench host", AdminEmail: "admin@bench.test"})
	if err != nil {
		b.Fatal(err)
	}
	r := &run{cfg: Config{Store: store}, log: io.Discard, db: db, inst: inst}
	if r.admin, err = r.actor(ctx, "admin@bench.test"); err != nil {
		b.Fatal(err)
	}
	if r.user, err = r.actor(ctx, "analyst@bench.test"); err != nil {
		b.Fatalf("not a kept bench database: %v", err)
	}
	if r.userKey, err = r.newKey(ctx, r.user.User.ID); err != nil {
		b.Fatal(err)
	}
	if r.adminKey, err = r.newKey(ctx, r.admin.User.ID); err != nil {
		b.Fatal(err)
	}
	if r.rawPool, err = rawPlanPool(store, dsn); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(r.closeRaw)
	return r
}
