package sqlite_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/razmena/razmena/internal/store/sqlite"
	"github.com/razmena/razmena/internal/store/storetest"
)

// BenchmarkEventIndexVisibility compares an events/index page for a
// normal user, a site admin and raw SQL at 100,000 events (see
// docs/benchmarks.md).
func BenchmarkEventIndexVisibility(b *testing.B) {
	ctx := b.Context()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	clock := storetest.NewClock()
	db.Now = clock.Now
	storetest.BenchEventIndexVisibility(b, storetest.NewStores(db, clock), db.SQL(), storetest.EventIndexBench{
		Placeholder: func(n int) string { return "?" + strconv.Itoa(n) },
	})
}
