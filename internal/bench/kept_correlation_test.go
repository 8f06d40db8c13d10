package bench

import (
	"context"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// BenchmarkKeptRebuild measures the correlation rebuilds on a community
// kept by `razmena bench -keep` (RAZMENA_BENCH_DB, as BenchmarkKeptPages;
// skipped without it):
//
//   - fresh: RebuildCorrelationsFresh, `razmena correlate -rebuild -fresh`;
//   - batched: RebuildCorrelations, `razmena correlate -rebuild`, the
//     online form, run after fresh so that it finds a full table;
//   - raw: the baseline, plain SQL that builds the same table again from
//     the rows the rebuild computed — a copy of correlation_values in key
//     order and its three indexes — without reading the rules: what
//     storing the rows costs the database, whatever computes them.
//
// Each leaves correlation_values as it was. Per iteration, seconds.
//
//	RAZMENA_BENCH_DB=/tmp/b/bench.db go test -run '^$' -bench KeptRebuild -benchtime 1x -timeout 2h ./internal/bench
func BenchmarkKeptRebuild(b *testing.B) {
	ctx := context.Background()
	r := keptRun(b)
	db, pg := r.db, r.cfg.Store == "postgres"
	// seconds times fn, then runs cleanup (untimed) when not nil.
	seconds := func(b *testing.B, what string, fn, cleanup func() error) {
		b.Helper()
		for range b.N {
			start := time.Now()
			if err := fn(); err != nil {
				b.Fatalf("%s: %v", what, err)
			}
			took := time.Since(start)
			b.ReportMetric(took.Seconds(), "s/rebuild")
			b.Logf("%s: %s", what, took.Round(100*time.Millisecond))
			if cleanup != nil {
				if err := cleanup(); err != nil {
					b.Fatalf("%s: %v", what, err)
				}
			}
		}
	}
	b.Run("fresh", func(b *testing.B) {
		seconds(b, "RebuildCorrelationsFresh", func() error {
			p, err := db.RebuildCorrelationsFresh(ctx, nil)
			b.Logf("%d correlation values of %d attributes", p.Values, p.Attributes)
			return err
		}, nil)
	})
	b.Run("batched", func(b *testing.B) {
		seconds(b, "RebuildCorrelations", func() error {
			_, err := db.RebuildCorrelations(ctx, 0, nil)
			return err
		}, nil)
	})
	b.Run("raw", func(b *testing.B) {
		stmts := []string{
			"DROP TABLE IF EXISTS raw_correlation_values",
			"CREATE TABLE raw_correlation_values (value TEXT NOT NULL, event_id INTEGER NOT NULL, attribute_id INTEGER NOT NULL)",
			"INSERT INTO raw_correlation_values SELECT value, event_id, attribute_id FROM correlation_values ORDER BY value, event_id, attribute_id",
			"CREATE UNIQUE INDEX raw_correlation_values_key ON raw_correlation_values (value, event_id, attribute_id)",
			"CREATE INDEX raw_correlation_values_attribute ON raw_correlation_values (attribute_id)",
			"CREATE INDEX raw_correlation_values_event ON raw_correlation_values (event_id, value)",
		}
		if pg {
			// PostgreSQL's own key and event index (migration 00010).
			stmts[2] = "INSERT INTO raw_correlation_values SELECT value, event_id, attribute_id FROM correlation_values"
			stmts[3] = "CREATE UNIQUE INDEX raw_correlation_values_key ON raw_correlation_values (md5(value), event_id, attribute_id)"
			stmts[5] = "CREATE INDEX raw_correlation_values_event ON raw_correlation_values (event_id)"
		}
		seconds(b, "raw SQL", func() error {
			tx, err := db.SQL().BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if pg {
				if _, err := tx.ExecContext(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
					return err
				}
			} else if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
				return err
			}
			for _, q := range stmts {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return tx.Commit()
		}, func() error {
			_, err := db.SQL().ExecContext(ctx, "DROP TABLE raw_correlation_values")
			return err
		})
	})
}

// BenchmarkKeptEventView measures the full view of the largest event of a
// kept community, with its RelatedEvent (correlations) as events/view
// computes them, for the org user and the site admin, against the raw
// SELECT of its attributes and objects — the harness's "largest event
// view" without a new community.
//
//	RAZMENA_BENCH_DB=/tmp/b/bench.db go test -run '^$' -bench KeptEventView -benchtime 3x ./internal/bench
func BenchmarkKeptEventView(b *testing.B) {
	ctx := context.Background()
	r := keptRun(b)
	var id int64
	err := r.db.SQL().QueryRowContext(ctx,
		"SELECT event_id FROM attributes GROUP BY event_id ORDER BY COUNT(*) DESC, event_id LIMIT 1").Scan(&id)
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range r.users() {
		b.Run(u.name, func(b *testing.B) {
			for range b.N {
				start := time.Now()
				e, err := r.db.FindEventByID(ctx, u.actor, id, misp.EventViewOptions{EventCorrelations: true})
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				b.ReportMetric(float64(took.Milliseconds()), "ms/view")
				b.Logf("event %d as %s: %d attributes, %d related events, %s", id, u.name, len(e.Attribute),
					len(e.RelatedEvent), took.Round(time.Millisecond))
			}
		})
	}
	b.Run("raw", func(b *testing.B) {
		for range b.N {
			start := time.Now()
			if _, err := r.rawQuery(ctx, "SELECT "+rawAttrCols+" FROM attributes a WHERE a.event_id = ? AND a.deleted = FALSE ORDER BY a.id", id); err != nil {
				b.Fatal(err)
			}
			if _, err := r.rawQuery(ctx, "SELECT * FROM objects WHERE event_id = ? ORDER BY id", id); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/view")
		}
	})
}
