// Package sqlite opens a Razmena store on an SQLite database file, with
// the pure-Go modernc.org/sqlite driver. The SQL itself is shared with
// PostgreSQL in package sqlstore; this package holds the driver, the
// connection settings, the SQLite migrations and the error-code mapping.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeoutMS is how long a connection waits for another's write lock.
const busyTimeoutMS = 10000

// Open opens (creating if needed) the SQLite database at path, a file
// path — never ":memory:", which would give each pooled connection its own
// database. Connections use WAL journaling, enforce foreign keys, wait on
// locks for busy_timeout and begin write transactions IMMEDIATE so that
// concurrent writers queue instead of failing on lock upgrades. Call
// Migrate before use.
// maxIdleConns is the number of idle connections kept open with their
// prepared statements.
const maxIdleConns = 16

func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if path == "" || strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		return nil, fmt.Errorf("open sqlite: %q is not a plain file path", path)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Prepared statements live on their connection: keep idle connections
	// (database/sql's default keeps two) so that they are not re-parsed.
	db.SetMaxIdleConns(maxIdleConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close() // the ping error is the one worth reporting
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return sqlstore.New(db, sqlstore.Dialect{
		Name:                 "sqlite",
		QuestionPlaceholders: true,
		ErrorKind:            errorKind,
		Retryable:            retryable,
		MaxParams:            32766, // SQLITE_MAX_VARIABLE_NUMBER
		StatementCache:       512,
		// A full ANALYZE: sampled statistics (analysis_limit, which PRAGMA
		// optimize also applies) put a fixed number of rows behind each
		// attribute type whatever the table's size — 1,000 at 100,000
		// attributes, where there are 7,750 — and the planner then sorted
		// whole types for a page instead of walking the table in id order.
		// Its cost at scale is in docs/benchmarks.md.
		Optimize:   []string{"PRAGMA analysis_limit = 0", "ANALYZE"},
		RowInserts: true,
		// A connection's page cache grows to 256 MB for a bulk write,
		// and back to SQLite's default of 2 MB after it.
		BulkWrite:     []string{"PRAGMA cache_size = -262144"},
		BulkWriteDone: []string{"PRAGMA cache_size = -2000"},
		// The fresh correlation rebuild's rows are a join of attributes
		// and events in its own transaction: their keys hold by
		// construction.
		UncheckedWrite: []string{"PRAGMA foreign_keys = OFF"},
		TimestampIndex: "attributes_timestamp_idx",
		ScanWorkers:    min(2, runtime.GOMAXPROCS(0)),
		InIDs:          func(col, p string) string { return col + " IN (SELECT value FROM json_each(" + p + "))" },
		IDsArg:         sqlstore.JSONIDs,
		Goose:          goose.DialectSQLite3,
		Migrations:     sub,
	}), nil
}

// errorKind maps SQLite's extended constraint codes to misp error kinds.
func errorKind(err error) error {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return misp.ErrConflict
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return misp.ErrInvalid
	}
	return nil
}

// retryable reports a lock that busy_timeout could not wait out.
func retryable(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
