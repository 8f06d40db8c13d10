// Package postgres opens a Razmena store on PostgreSQL through pgx's
// database/sql driver. The SQL itself is shared with SQLite in package
// sqlstore; this package holds the driver, the PostgreSQL migrations, the
// error-code mapping and the retry rule for serialization failures.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// maxIdleConns is the number of idle connections kept open, with their
// prepared statements, between requests.
const maxIdleConns = 16

// SQLSTATE codes the store reacts to.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// Open connects to the PostgreSQL database named by dsn (a URL or
// key=value connection string). Transactions run at REPEATABLE READ;
// writes are retried on serialization failures. Call Migrate before use;
// concurrent Migrate calls are serialised with an advisory lock.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// JIT compilation pays off for long analytical queries, not for the
	// store's short ones: at millions of attributes a page or export
	// query's estimated cost passes jit_above_cost and each execution
	// would spend tens to hundreds of milliseconds compiling. A DSN that
	// sets jit keeps its own choice.
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	db := stdlib.OpenDB(*cfg)
	// database/sql keeps two idle connections by default: under more
	// concurrent requests than that, every request beyond them opened a
	// new PostgreSQL backend (a process fork) and lost pgx's per-connection
	// statement cache with it.
	db.SetMaxIdleConns(maxIdleConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close() // the ping error is the one worth reporting
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return sqlstore.New(db, sqlstore.Dialect{
		Name:      "postgres",
		ErrorKind: errorKind,
		Retryable: retryable,
		Isolation: sql.LevelRepeatableRead,
		MaxParams: 65535,
		// Autovacuum analyses changed tables on its own; an explicit
		// ANALYZE (sampled, seconds at millions of rows) serves bulk loads
		// that want plans right away.
		Optimize: []string{"ANALYZE"},
		// A keyset page stops after LIMIT rows of attributes_pkey, but the
		// planner costs each events_pkey lookup of a nested loop as a
		// random read and prefers a hash join of every attribute after
		// the cursor, sorted: a 5,000-attribute export chunk read the
		// rest of the table (95 ms at 150,000 attributes and growing, 29
		// ms with the nested loop; docs/benchmarks.md).
		//
		// plan_cache_mode: pgx prepares every statement and keeps it per
		// connection, and after five executions PostgreSQL may switch a
		// prepared statement to a generic plan, costed without its
		// parameters. For a keyset page that guess is ruinous: the time
		// window, estimated at 387 rows where it held 331,897, was read
		// whole through the time index and sorted (990 ms against 42 ms
		// for the same page at 1 M attributes; docs/benchmarks.md). Only
		// the pages are planned for their own parameters: planning every
		// statement so cost the per-event queries of an events export
		// twice its time.
		KeysetPage: []string{"SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off",
			"SET LOCAL plan_cache_mode = force_custom_plan"},
		InIDs:  func(col, p string) string { return col + " = ANY(" + p + ")" },
		IDsArg: func(ids []int64) any { return ids },
		// The correlation tables index values by md5 (migration 00010).
		ValueKey: "md5",
		// plan_cache_mode: each pair read is planned for its own
		// parameters; a generic plan, estimating an event's rows from
		// the average, reads all of the largest event's rows for each
		// chunk of its values (3 s each; its events/view took minutes).
		PairReads: []string{"SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off",
			"SET LOCAL plan_cache_mode = force_custom_plan"},
		PairReadsDone: []string{"SET LOCAL enable_hashjoin = on", "SET LOCAL enable_mergejoin = on",
			"SET LOCAL plan_cache_mode = DEFAULT"},
		// LOCK TABLE takes no snapshot: the switch's snapshot, taken by
		// its next statement, holds every write that read the setting
		// (migration 00011).
		ShareLock:      " FOR SHARE",
		LockSettings:   []string{"LOCK TABLE settings IN EXCLUSIVE MODE"},
		Goose:          goose.DialectPostgres,
		Migrations:     sub,
		MigrateOptions: []goose.ProviderOption{goose.WithSessionLocker(locker)},
	}), nil
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// errorKind maps SQLSTATE codes to misp error kinds.
func errorKind(err error) error {
	switch pgCode(err) {
	case codeUniqueViolation:
		return misp.ErrConflict
	case codeForeignKeyViolation:
		return misp.ErrInvalid
	}
	return nil
}

// retryable reports a transaction that lost a serialization race.
func retryable(err error) bool {
	switch pgCode(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}
