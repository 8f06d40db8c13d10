package postgres_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

// TestSchemaAfterFreshRebuild checks that RebuildCorrelationsFresh, which
// drops and creates the secondary indexes of correlation_values, leaves
// the schema as the migrations made it.
func TestSchemaAfterFreshRebuild(t *testing.T) {
	db := freshDB(t)
	if _, err := db.RebuildCorrelationsFresh(t.Context(), nil); err != nil {
		t.Fatalf("RebuildCorrelationsFresh() = %v", err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "schema.golden.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), dumpSchema(t.Context(), t, db.SQL())); d != "" {
		t.Errorf("schema after a fresh rebuild (-migrations +rebuilt):\n%s", d)
	}
}

// TestCancelledFreshRebuild checks that a fresh rebuild cancelled after
// its insert, while correlation_values has neither its secondary
// indexes nor its foreign keys, leaves the schema as it was.
func TestCancelledFreshRebuild(t *testing.T) {
	db := freshDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if _, err := db.RebuildCorrelationsFresh(ctx, func(misp.CorrelationProgress) { cancel() }); !errors.Is(err, context.Canceled) {
		t.Fatalf("RebuildCorrelationsFresh(cancelled after its first step) = %v, want context.Canceled", err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "schema.golden.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), dumpSchema(t.Context(), t, db.SQL())); d != "" {
		t.Errorf("schema after a cancelled fresh rebuild (-migrations +rolled back):\n%s", d)
	}
}
