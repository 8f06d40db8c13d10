package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// TestSchemaAfterFreshRebuild checks that RebuildCorrelationsFresh, which
// drops and creates the secondary indexes of correlation_values, leaves
// the schema as the migrations made it.
func TestSchemaAfterFreshRebuild(t *testing.T) {
	db := openDB(t)
	if _, err := db.RebuildCorrelationsFresh(t.Context(), nil); err != nil {
		t.Fatalf("RebuildCorrelationsFresh() = %v", err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "schema.golden.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), dumpSchema(t.Context(), t, db)); d != "" {
		t.Errorf("schema after a fresh rebuild (-migrations +rebuilt):\n%s", d)
	}
}

// TestFreshRebuildLeavesForeignKeysOn checks that the fresh rebuild,
// which runs with foreign keys off on a connection of its own, leaves a
// pool whose every connection checks them, whether the rebuild ends or
// is cancelled between its steps (a cancelled transaction is rolled back
// asynchronously, which once let the connection back into the pool with
// its foreign keys off).
func TestFreshRebuildLeavesForeignKeysOn(t *testing.T) {
	db := openDB(t)
	if _, err := db.RebuildCorrelationsFresh(t.Context(), nil); err != nil {
		t.Fatalf("RebuildCorrelationsFresh() = %v", err)
	}
	checkForeignKeys(t, db)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if _, err := db.RebuildCorrelationsFresh(ctx, func(misp.CorrelationProgress) { cancel() }); !errors.Is(err, context.Canceled) {
		t.Fatalf("RebuildCorrelationsFresh(cancelled after its first step) = %v, want context.Canceled", err)
	}
	checkForeignKeys(t, db)
	want, err := os.ReadFile(filepath.Join("testdata", "schema.golden.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), dumpSchema(t.Context(), t, db)); d != "" {
		t.Errorf("schema after a cancelled fresh rebuild (-migrations +rolled back):\n%s", d)
	}
}

// checkForeignKeys holds more connections of db's pool at once than it
// keeps idle, so that every pooled connection is among them, and checks
// that each enforces foreign keys.
func checkForeignKeys(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := t.Context()
	for i := range 20 {
		conn, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var on int
		if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
			t.Fatal(err)
		}
		if on != 1 {
			t.Errorf("connection %d: PRAGMA foreign_keys = %d after a fresh rebuild, want 1", i, on)
		}
	}
}
