package restapi

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/razmena/razmena/internal/store/postgres/pgtest"
	"github.com/razmena/razmena/internal/store/sqlite"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// testStore names the store the end-to-end tests run on in this pass:
// TestMain runs every test of the package once on SQLite and again on
// PostgreSQL when TEST_POSTGRES_DSN is set (required in CI).
var testStore = "sqlite"

func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 {
		os.Exit(code)
	}
	switch {
	case os.Getenv("TEST_POSTGRES_DSN") != "":
		fmt.Println("=== the same tests on PostgreSQL")
		testStore = "postgres"
		code = m.Run()
	case pgtest.Required():
		fmt.Fprintln(os.Stderr, "TEST_POSTGRES_REQUIRED=1 but TEST_POSTGRES_DSN is not set")
		code = 1
	}
	os.Exit(code)
}

// openEnvStore returns a migrated, empty store of the current pass's kind.
func openEnvStore(t *testing.T) *sqlstore.DB {
	t.Helper()
	if testStore == "postgres" {
		return pgtest.New(t)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "razmena.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}
