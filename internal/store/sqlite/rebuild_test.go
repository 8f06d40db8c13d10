package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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
