// Package pgtest gives tests outside the store packages (the REST API and
// the program's end-to-end tests) a fresh, migrated PostgreSQL database.
//
// TEST_POSTGRES_DSN names a database whose role may CREATE DATABASE
// (scripts/test-postgres.sh prepares one). Without it Available reports
// false, and New skips the test — or fails it when TEST_POSTGRES_REQUIRED=1,
// as CI sets, so that PostgreSQL coverage cannot silently vanish.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/store/postgres"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

var seq atomic.Int64

// Available reports whether PostgreSQL tests can run, and fails tb when
// they are required but cannot.
func Available(tb testing.TB) bool {
	tb.Helper()
	if os.Getenv("TEST_POSTGRES_DSN") != "" {
		return true
	}
	if os.Getenv("TEST_POSTGRES_REQUIRED") == "1" {
		tb.Fatal("TEST_POSTGRES_REQUIRED=1 but TEST_POSTGRES_DSN is not set (see scripts/test-postgres.sh)")
	}
	return false
}

// Required reports whether CI demands the PostgreSQL runs.
func Required() bool { return os.Getenv("TEST_POSTGRES_REQUIRED") == "1" }

// NewDSN creates an empty database for tb, dropped when tb ends, and
// returns its URL. It skips tb when PostgreSQL is not available.
func NewDSN(tb testing.TB) string {
	tb.Helper()
	if !Available(tb) {
		tb.Skip("TEST_POSTGRES_DSN not set; skipping PostgreSQL run")
	}
	admin := os.Getenv("TEST_POSTGRES_DSN")
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("TEST_POSTGRES_DSN must be a postgres:// URL")
	}
	name := fmt.Sprintf("razmena_t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := connect(ctx, admin)
	if err != nil {
		tb.Fatalf("connect to TEST_POSTGRES_DSN: %v", err)
	}
	defer db.Close()
	// CREATE DATABASE takes no bind parameters; the name is generated above.
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := connect(ctx, admin)
		if err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer db.Close()
		// Plain DROP first: the test's connections are closed by now, and
		// PostgreSQL stops an autovacuum worker on the database by itself,
		// whereas WITH (FORCE) must be allowed to terminate it and fails
		// (42501) for a role that is not a superuser.
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err == nil {
			return
		}
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// connect opens a plain connection pool with the "pgx" driver, which
// package postgres registers.
func connect(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// New returns a migrated store on a fresh database, closed and dropped
// when tb ends.
func New(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	dsn := NewDSN(tb)
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("postgres.Open: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return db
}
