package sqlstore

import (
	"database/sql"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
)

// Dialect describes what differs between the SQL databases the store runs on.
type Dialect struct {
	// Name identifies the dialect in error messages ("sqlite", "postgres").
	Name string
	// QuestionPlaceholders rewrites the $N placeholders the store's queries
	// are written with into ?N (SQLite).
	QuestionPlaceholders bool
	// ErrorKind classifies a driver error by its code: misp.ErrConflict for
	// a unique violation, misp.ErrInvalid for a foreign-key violation, nil
	// for anything else.
	ErrorKind func(err error) error
	// Retryable reports whether a transaction failed on a transient
	// conflict (serialization failure, deadlock) and may be run again.
	Retryable func(err error) bool
	// Isolation is the isolation level of every transaction: reads see one
	// snapshot across the queries of a full event fetch, and writes that
	// lose a race fail with a Retryable error instead of losing an update.
	Isolation sql.IsolationLevel
	// MaxParams is the largest number of bind parameters one statement may
	// carry; batched inserts stay below it.
	MaxParams int
	// Optimize are the statements, run in order on one connection, that
	// refresh the query planner's statistics (DB.Optimize).
	Optimize []string
	// StatementCache is the number of prepared statements the store keeps
	// (0: none, for drivers that cache them themselves).
	StatementCache int
	// RowInserts makes batched inserts run one prepared single-row INSERT
	// per row and read the id from LastInsertId, instead of multi-row
	// INSERT … RETURNING: SQLite parses a long statement, and binds each
	// of its numbered parameters, in time quadratic in their number.
	RowInserts bool
	// KeysetPage are statements run in a transaction before it reads a
	// keyset page (ORDER BY id with a LIMIT, AttributeSearch.Limit): for
	// a planner that, not knowing the page stops early, would read every
	// row after the cursor to hash-join and sort it (docs/benchmarks.md).
	KeysetPage []string
	// BulkWrite are statements run at the start of a transaction that
	// writes in bulk (a correlation rebuild batch), BulkWriteDone at its
	// end: SQLite's default page cache of 2 MB makes each batch re-read
	// the pages of the value index it inserts into at random (88 s for a
	// rebuild at 1 M attributes, 31 s with 256 MB; docs/benchmarks.md).
	BulkWrite, BulkWriteDone []string
	// UncheckedWrite are statements run on a connection, outside any
	// transaction, before a transaction that writes only rows it derives
	// from the rows their references point to (the fresh correlation
	// rebuild, whose rows come from a join of attributes and events); the
	// connection is closed after it (DB.writeUnchecked). SQLite checks
	// each foreign key of an inserted row by a lookup in its parent
	// table, at random in attributes for rows inserted in value order:
	// 164 s against 15 s for 10 M rows in the native sqlite3 shell
	// (docs/benchmarks.md). PRAGMA foreign_keys cannot change inside a
	// transaction.
	UncheckedWrite []string
	// PairReads are statements run in a read transaction before it reads
	// correlation pairs, PairReadsDone after: PostgreSQL's planner, whose
	// estimates of a join on md5(value) are far off, sorts the whole of
	// correlation_values for a merge join instead of looking an event's
	// values up (the RelatedEvent of a 10,000-attribute event: 527 ms
	// against 212 ms with nested loops).
	PairReads, PairReadsDone []string
	// ShareLock is appended to a write's read of the CIDR correlation
	// setting (" FOR SHARE" on PostgreSQL), and LockSettings are run first
	// in the transaction that switches it, before its snapshot is taken:
	// a switch waits for the writes that read the setting, and a write
	// that reads it after a switch it did not see fails with a Retryable
	// error; see networksOn. SQLite runs one write at a time.
	ShareLock    string
	LockSettings []string
	// InIDs is the condition "column col holds one of the ids bound as
	// the one parameter p", and IDsArg encodes the ids as that parameter
	// (tx.inIDs): an array for PostgreSQL's "= ANY", a JSON array for
	// SQLite's json_each. A list of any length is one statement, where
	// IN lists of 500 placeholders were a statement each: forty of them
	// for the tags of a sparse 20,000-attribute page, 300 ms on
	// PostgreSQL (docs/benchmarks.md).
	InIDs  func(col, p string) string
	IDsArg func(ids []int64) any
	// TimestampIndex names the index of attributes.timestamp when the
	// store, not the planner, chooses how a search reads a time window
	// (tx.timestampAccess; SQLite, whose planner, once ANALYZE had seen
	// that index, read every time window by scanning events, 5-10x slower
	// than walking the table; docs/benchmarks.md). "": the planner
	// chooses (PostgreSQL).
	TimestampIndex string
	// ScanWorkers is how many connections read a stream's walk of the
	// attributes at once (scanWindows; 0 or 1: chunk after chunk). On
	// SQLite two read a 20,000-attribute page's scan, the critical path
	// of its pipeline, in 0.6-0.7 of the time; PostgreSQL plans each
	// window's statement anew (8 ms for the visibility predicate) and
	// read the same page in twice the time (docs/benchmarks.md).
	ScanWorkers int
	// ValueKey is the function the correlation tables index values by
	// ("md5" on PostgreSQL, whose B-tree entries cannot hold a 64 KiB
	// value), "" for the value itself; see sameValue.
	ValueKey string

	// Goose is the goose dialect of the migrations.
	Goose goose.Dialect
	// Migrations holds the numbered NNNNN_name.sql migration files at its root.
	Migrations fs.FS
	// MigrateOptions are extra goose provider options (e.g. a session locker).
	MigrateOptions []goose.ProviderOption
}

// rebind rewrites $N placeholders for the dialect. The store's queries never
// contain a '$' inside a string literal, so a plain scan is enough.
func (d *Dialect) rebind(query string) string {
	if !d.QuestionPlaceholders || !strings.Contains(query, "$") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query))
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c == '$' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
			b.WriteByte('?')
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// sameValue is the condition that the value columns a and b are equal,
// written so that an index on the dialect's ValueKey serves it: the keys
// are compared first, then the values themselves.
func (d *Dialect) sameValue(a, b string) string {
	if d.ValueKey == "" {
		return a + " = " + b
	}
	return d.ValueKey + "(" + a + ") = " + d.ValueKey + "(" + b + ") AND " + a + " = " + b
}
