package postgres_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/postgres"
	"github.com/razmena/razmena/internal/store/sqlstore"
	"github.com/razmena/razmena/internal/store/storetest"
)

// The tests need a PostgreSQL server: TEST_POSTGRES_DSN is a URL of a
// database whose role may CREATE DATABASE (scripts/test-postgres.sh sets
// one up). Without it the tests are skipped, unless TEST_POSTGRES_REQUIRED=1.
// The conformance suite runs in one database per package run, emptied
// before each test; tests that need a pristine schema get their own.

var update = flag.Bool("update", false, "rewrite testdata/schema.golden.sql")

var (
	dbSeq      atomic.Int64
	sharedOnce sync.Once
	sharedDSN  string
	sharedErr  error
	created    sync.Map // database name → admin DSN, dropped by TestMain
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	created.Range(func(name, admin any) bool {
		if err := dropDatabase(admin.(string), name.(string)); err != nil {
			fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", name, err)
		}
		return true
	})
	os.Exit(code)
}

// adminDSN returns TEST_POSTGRES_DSN or skips (fails when required).
func adminDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatal("TEST_POSTGRES_REQUIRED=1 but TEST_POSTGRES_DSN is not set (see scripts/test-postgres.sh)")
		}
		t.Skip("TEST_POSTGRES_DSN not set; skipping PostgreSQL tests")
	}
	return dsn
}

// createDatabase creates an empty database and returns its DSN.
func createDatabase(admin string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("TEST_POSTGRES_DSN must be a postgres:// URL: %q", admin)
	}
	name := fmt.Sprintf("razmena_store_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	// CREATE DATABASE takes no bind parameters; the name is generated above.
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	created.Store(name, admin)
	u.Path = "/" + name
	return u.String(), nil
}

func dropDatabase(admin, name string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	return err
}

// openDB opens and migrates the database at dsn.
func openDB(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	ctx := t.Context()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	return db
}

// freshDB returns a store on a database of its own.
func freshDB(t *testing.T) *sqlstore.DB {
	t.Helper()
	dsn, err := createDatabase(adminDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return openDB(t, dsn)
}

// dataTables are emptied between conformance tests; roles keep their seed.
const dataTables = `organisations, users, auth_keys, tags, events, attributes, objects,
	object_references, event_tags, attribute_tags, settings, audit_logs,
	sharing_groups, sharing_group_orgs, sharing_group_servers,
	correlation_exclusions, over_correlating_values`

func openTestStore(t *testing.T) *storetest.Stores {
	t.Helper()
	admin := adminDSN(t)
	sharedOnce.Do(func() { sharedDSN, sharedErr = createDatabase(admin) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	db := openDB(t, sharedDSN)
	if _, err := db.SQL().ExecContext(t.Context(), "TRUNCATE "+dataTables+" RESTART IDENTITY CASCADE"); err != nil {
		t.Fatalf("truncate: %v", err)
	}
	// The settings the migrations seed: a switch of CIDR correlation
	// relies on its row existing (migration 00011).
	if _, err := db.SQL().ExecContext(t.Context(), "INSERT INTO settings (key, value) VALUES ($1, 'false')",
		misp.SettingAdvancedCorrelations); err != nil {
		t.Fatalf("seed settings: %v", err)
	}
	clock := storetest.NewClock()
	db.Now = clock.Now
	s := storetest.NewStores(db, clock)
	s.SetUnpublishedPrivate = func(on bool) { db.Policy.UnpublishedPrivate = on }
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, openTestStore) }

// TestConformanceScanWorkers runs the streams of the conformance suite
// again with streams read in id windows by three connections at once
// (sqlstore.ScanWorkers): PostgreSQL reads them chunk after chunk
// (Dialect.ScanWorkers), which TestConformance checks, but the windows
// must answer alike on every store.
func TestConformanceScanWorkers(t *testing.T) {
	defer func(n int) { sqlstore.ScanWorkers = n }(sqlstore.ScanWorkers)
	sqlstore.ScanWorkers = 3
	storetest.RunStreams(t, openTestStore)
}

func TestMigrateTwice(t *testing.T) {
	db := freshDB(t)
	if err := db.Migrate(t.Context()); err != nil {
		t.Errorf("second Migrate() = %v", err)
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Errorf("Ping() = %v", err)
	}
}

// TestRoleIDsContinue checks that the identity moved past the seeded roles.
func TestRoleIDsContinue(t *testing.T) {
	db := freshDB(t)
	var id int64
	if err := db.SQL().QueryRowContext(t.Context(), "INSERT INTO roles (name) VALUES ('custom') RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id != 7 {
		t.Errorf("new role id = %d, want 7", id)
	}
}

// TestSchemaGolden dumps the migrated schema so that schema changes show
// up in review; go test -update rewrites the golden file.
func TestSchemaGolden(t *testing.T) {
	db := freshDB(t)
	got := dumpSchema(t.Context(), t, db.SQL())
	golden := filepath.Join("testdata", "schema.golden.sql")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("schema differs from %s (-want +got), run go test -update:\n%s", golden, d)
	}
}

func dumpSchema(ctx context.Context, t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("-- Code generated by TestSchemaGolden (go test -update). DO NOT EDIT.\n")
	query := func(q string, fn func(*sql.Rows) error) {
		t.Helper()
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	table := ""
	query(`SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), is_identity
		FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
		ORDER BY table_name, ordinal_position`, func(r *sql.Rows) error {
		var tbl, col, typ, nullable, def, identity string
		if err := r.Scan(&tbl, &col, &typ, &nullable, &def, &identity); err != nil {
			return err
		}
		if tbl != table {
			if table != "" {
				b.WriteString("\n);\n")
			}
			b.WriteString("\nCREATE TABLE " + tbl + " (\n")
			table = tbl
		} else {
			b.WriteString(",\n")
		}
		b.WriteString("    " + col + " " + typ)
		if nullable == "NO" {
			b.WriteString(" NOT NULL")
		}
		if def != "" {
			b.WriteString(" DEFAULT " + def)
		}
		if identity == "YES" {
			b.WriteString(" GENERATED BY DEFAULT AS IDENTITY")
		}
		return nil
	})
	b.WriteString("\n);\n\n")
	query(`SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
		FROM pg_constraint
		WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'schema_migrations'
		ORDER BY 1, 2`, func(r *sql.Rows) error {
		var tbl, name, def string
		if err := r.Scan(&tbl, &name, &def); err != nil {
			return err
		}
		b.WriteString("ALTER TABLE " + tbl + " ADD CONSTRAINT " + name + " " + def + ";\n")
		return nil
	})
	b.WriteString("\n")
	query(`SELECT indexdef FROM pg_indexes
		WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
		ORDER BY tablename, indexname`, func(r *sql.Rows) error {
		var def string
		if err := r.Scan(&def); err != nil {
			return err
		}
		b.WriteString(def + ";\n")
		return nil
	})
	return b.String()
}

// TestCustomPlans checks that a keyset page is planned for its own
// parameters at every execution: pgx prepares each statement it runs,
// and after five executions PostgreSQL's default (plan_cache_mode =
// auto) may switch to a generic plan, which estimated a page's time
// window at 387 rows where it held 331,897 and read the whole window
// through the time index (990 ms against 42 ms at 1 M attributes;
// docs/benchmarks.md).
func TestCustomPlans(t *testing.T) {
	db := freshDB(t)
	ctx := t.Context()
	// One connection, so that every page runs, and is counted, on the
	// session pg_prepared_statements shows.
	db.SQL().SetMaxOpenConns(1)
	actor := misp.NewActor(&misp.User{ID: 1, OrgID: 1}, &misp.Role{Perms: misp.Perms{}}, &misp.Organisation{ID: 1}, 0, false)
	for i := range 10 {
		s := misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"ip-dst"}}, MinTimestamp: 1, MaxTimestamp: int64(1e9 + i), Limit: 100}
		if _, err := db.SearchAttributes(ctx, actor, s); err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int64
	err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0)
		FROM pg_prepared_statements WHERE statement LIKE '%FROM attributes a JOIN events e%ORDER BY a.id LIMIT%'
		AND statement NOT LIKE '%pg_prepared_statements%'`).Scan(&generic, &custom)
	if err != nil {
		t.Fatal(err)
	}
	if generic != 0 || custom < 10 {
		t.Errorf("ten pages: %d generic and %d custom plans, want 0 and at least 10", generic, custom)
	}
}
