package postgres_test

import (
	"strconv"
	"testing"

	"github.com/razmena/razmena/internal/store/postgres/pgtest"
	"github.com/razmena/razmena/internal/store/storetest"
)

// BenchmarkEventIndexVisibility compares an events/index page for a
// normal user, a site admin and raw SQL at 100,000 events (see
// docs/benchmarks.md).
func BenchmarkEventIndexVisibility(b *testing.B) {
	db := pgtest.New(b)
	clock := storetest.NewClock()
	db.Now = clock.Now
	storetest.BenchEventIndexVisibility(b, storetest.NewStores(db, clock), db.SQL(), storetest.EventIndexBench{
		Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
		Analyze:     "VACUUM ANALYZE events, event_tags, organisations, sharing_group_orgs, sharing_group_servers",
	})
}
