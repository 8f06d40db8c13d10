package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// maxAttempts bounds the runs of a transaction that keeps failing on
// serialization conflicts; retryBackoff is the first pause between runs,
// doubled (with jitter) after each failure.
const (
	maxAttempts  = 10
	retryBackoff = 2 * time.Millisecond
)

// tx is one store transaction: the database transaction, the dialect,
// the fixed time every timestamp of the transaction is taken from, and
// the visibility policy its predicates apply.
type tx struct {
	tx     *sql.Tx
	d      *Dialect
	now    time.Time
	policy Policy
	// cache holds the database's prepared statements (nil: none) and
	// stmts their handles bound to this transaction.
	cache *stmtCache
	stmts map[*sql.Stmt]*sql.Stmt
	// ctx is the transaction's context, for reads made while a query is
	// assembled (authorisedGroups).
	ctx context.Context
	// groups caches authorisedGroups by organisation.
	groups map[int64][]int64
	// err is the first failure of such a read: the transaction fails
	// with it even if fn ignores it.
	err error
	// limit caches the correlation limit (corrLimit); 0 until read.
	limit int
	// advanced caches whether CIDR correlation is on (networksOn): 0
	// until read, 1 on, -1 off.
	advanced int8
}

// fail records a failure that must fail the transaction.
func (t *tx) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

// unix is the transaction time in Unix seconds.
func (t *tx) unix() int64 { return t.now.Unix() }

// read runs fn in a read-only transaction.
func (db *DB) read(ctx context.Context, fn func(*tx) error) error {
	return db.transact(ctx, db.db, &sql.TxOptions{ReadOnly: true, Isolation: db.dialect.Isolation}, fn)
}

// write runs fn in a read-write transaction.
func (db *DB) write(ctx context.Context, fn func(*tx) error) error {
	return db.transact(ctx, db.db, &sql.TxOptions{Isolation: db.dialect.Isolation}, fn)
}

// writeUnchecked runs fn in a read-write transaction on a connection of
// its own, set up by the dialect's UncheckedWrite statements. It is for
// a transaction that writes only rows derived, within it, from the rows
// their references point to. The connection is closed afterwards, never
// handed back to the pool: statements that set it back could run while
// a cancelled transaction is still being rolled back on it (database/sql
// rolls back asynchronously), where SQLite ignores PRAGMA foreign_keys.
func (db *DB) writeUnchecked(ctx context.Context, fn func(*tx) error) error {
	if len(db.dialect.UncheckedWrite) == 0 {
		return db.write(ctx, fn)
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return db.dialect.translate(err)
	}
	defer func() {
		// Raw waits for the connection to be free; ErrBadConn makes
		// the pool close it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
	}()
	for _, q := range db.dialect.UncheckedWrite {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return db.dialect.translate(err)
		}
	}
	return db.transact(ctx, conn, &sql.TxOptions{Isolation: db.dialect.Isolation}, fn)
}

// beginner is what a transaction is begun on: the pool, or one
// connection of it.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// transact runs fn in a transaction, committing if it returns nil. A
// transaction that fails on a serialization conflict (PostgreSQL 40001,
// 40P01) is run again from the start, with a fresh clock reading, after a
// short randomised pause, up to maxAttempts times.
func (db *DB) transact(ctx context.Context, on beginner, opts *sql.TxOptions, fn func(*tx) error) error {
	pause := retryBackoff
	for attempt := 1; ; attempt++ {
		err := db.runTx(ctx, on, opts, fn)
		if err == nil || attempt == maxAttempts || !db.retryable(err) {
			return err
		}
		timer := time.NewTimer(pause/2 + rand.N(pause))
		select {
		case <-ctx.Done():
			timer.Stop()
			return err
		case <-timer.C:
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// retryError marks a failure that a new run of the transaction, with a
// fresh snapshot, can get past (see tagResolver.resolve).
type retryError struct{ err error }

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

func (db *DB) retryable(err error) bool {
	var re *retryError
	if errors.As(err, &re) {
		return true
	}
	return db.dialect.Retryable != nil && db.dialect.Retryable(err)
}

func (db *DB) runTx(ctx context.Context, on beginner, opts *sql.TxOptions, fn func(*tx) error) (err error) {
	sqlTx, err := on.BeginTx(ctx, opts)
	if err != nil {
		return db.dialect.translate(err)
	}
	t := &tx{tx: sqlTx, d: db.dialect, now: db.Now().UTC(), policy: db.Policy, cache: db.stmts, ctx: ctx}
	defer func() {
		if err != nil {
			// The error of fn is what matters; a failed rollback leaves
			// nothing behind either.
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	if err := sqlTx.Commit(); err != nil {
		return db.dialect.translate(err)
	}
	return nil
}

// translate maps a driver error to the misp error kinds: sql.ErrNoRows
// becomes ErrNotFound; unique and foreign-key violations, identified by
// the dialect from their codes, become ErrConflict and ErrInvalid. The
// driver error stays in the chain for Retryable and for logs.
func (d *Dialect) translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return misp.ErrNotFound
	}
	if d.ErrorKind != nil {
		if kind := d.ErrorKind(err); kind != nil {
			return fmt.Errorf("%w: %w", kind, err)
		}
	}
	return err
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = t.d.rebind(query)
	s, err := t.stmt(ctx, query, len(args))
	if err != nil {
		return nil, t.d.translate(err)
	}
	var res sql.Result
	if s != nil {
		res, err = s.ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, query, args...)
	}
	return res, t.d.translate(err)
}

// execN runs a statement and returns the number of affected rows.
func (t *tx) execN(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, t.d.translate(err)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = t.d.rebind(query)
	s, err := t.stmt(ctx, query, len(args))
	if err != nil {
		return nil, t.d.translate(err)
	}
	var rows *sql.Rows
	if s != nil {
		rows, err = s.QueryContext(ctx, args...)
	} else {
		rows, err = t.tx.QueryContext(ctx, query, args...)
	}
	return rows, t.d.translate(err)
}

// get runs a query that returns one row and scans it into dest;
// misp.ErrNotFound if there is no row.
func (t *tx) get(ctx context.Context, query string, args []any, dest ...any) error {
	query = t.d.rebind(query)
	s, err := t.stmt(ctx, query, len(args))
	if err != nil {
		return t.d.translate(err)
	}
	var row *sql.Row
	if s != nil {
		row = s.QueryRowContext(ctx, args...)
	} else {
		row = t.tx.QueryRowContext(ctx, query, args...)
	}
	return t.d.translate(row.Scan(dest...))
}

// each runs a query and calls fn for every row.
func (t *tx) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return t.d.translate(rows.Err())
}

// exists reports whether a query returns a row.
func (t *tx) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := t.get(ctx, query, args, &one)
	if errors.Is(err, misp.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// args collects bind arguments while a query is assembled; add returns the
// placeholder of the value it appends.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// inList adds every value and returns "$3, $4, $5" for an IN (…) list.
func inList[T any](a *args, vs []T) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.add(v))
	}
	return b.String()
}

// chunks splits ids into slices of at most n, for IN lists that must stay
// below the dialect's parameter limit.
func chunks[T any](ids []T, n int) [][]T {
	var out [][]T
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// inIDs is "col is one of ids", the whole list bound as one parameter
// (Dialect.InIDs).
func (t *tx) inIDs(a *args, col string, ids []int64) string {
	return t.d.InIDs(col, a.add(t.d.IDsArg(ids)))
}

// JSONIDs encodes ids as a JSON array, the list parameter of SQLite's
// json_each (Dialect.IDsArg).
func JSONIDs(ids []int64) any {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// inChunk is the number of ids per IN list.
const inChunk = 500

// insertReturningIDs inserts rows (each a value per column, uuid among
// the columns) into table with multi-row INSERTs that stay below the
// dialect's parameter limit, and calls setID with each row's index and
// new id. Rows are matched to ids by uuid, since RETURNING order is not
// guaranteed.
func (t *tx) insertReturningIDs(ctx context.Context, table string, cols []string, rows [][]any, setID func(i int, id int64)) error {
	uuidCol := -1
	for i, c := range cols {
		if c == "uuid" {
			uuidCol = i
		}
	}
	if uuidCol < 0 {
		return fmt.Errorf("insert into %s: no uuid column", table)
	}
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	if len(rows) == 0 {
		return nil
	}
	if t.d.RowInserts {
		var a args
		q := head + "(" + inList(&a, rows[0]) + ")"
		for i, row := range rows {
			res, err := t.exec(ctx, q, row...)
			if err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			setID(i, id)
		}
		return nil
	}
	return t.multiRowInserts(head, cols, rows, func(start int, batch [][]any, q string, a args) error {
		index := make(map[string]int, len(batch))
		for i, row := range batch {
			index[row[uuidCol].(string)] = start + i
		}
		err := t.each(ctx, q+" RETURNING id, uuid", a, func(r *sql.Rows) error {
			var id int64
			var uuid string
			if err := r.Scan(&id, &uuid); err != nil {
				return err
			}
			setID(index[uuid], id)
			return nil
		})
		if err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		return nil
	})
}

// multiRowInserts splits rows into multi-row INSERT statements (head
// followed by the value lists) below the dialect's parameter limit and
// calls run for each with the index of its first row.
func (t *tx) multiRowInserts(head string, cols []string, rows [][]any, run func(start int, batch [][]any, q string, a args) error) error {
	perStmt := max(1, min(500, t.d.MaxParams/len(cols)))
	for start := 0; start < len(rows); start += perStmt {
		batch := rows[start:min(start+perStmt, len(rows))]
		var q strings.Builder
		q.WriteString(head)
		a := make(args, 0, len(batch)*len(cols))
		for i, row := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			q.WriteString(inList(&a, row))
			q.WriteString(")")
		}
		if err := run(start, batch, q.String(), a); err != nil {
			return err
		}
	}
	return nil
}

// insertRows inserts rows into table, tail (e.g. an ON CONFLICT clause)
// following each statement's values: one prepared single-row INSERT per
// row on dialects with RowInserts, multi-row INSERTs elsewhere.
func (t *tx) insertRows(ctx context.Context, table string, cols []string, rows [][]any, tail string) error {
	if len(rows) == 0 {
		return nil
	}
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	if t.d.RowInserts {
		var a args
		q := head + "(" + inList(&a, rows[0]) + ") " + tail
		for _, row := range rows {
			if _, err := t.exec(ctx, q, row...); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
		}
		return nil
	}
	return t.multiRowInserts(head, cols, rows, func(_ int, _ [][]any, q string, a args) error {
		if _, err := t.exec(ctx, q+" "+tail, a...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		return nil
	})
}

// one runs a query that returns at most one row and scans it with fn;
// misp.ErrNotFound if there is no row.
func (t *tx) one(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	found := false
	err := t.each(ctx, query, args, func(r *sql.Rows) error {
		found = true
		return fn(r)
	})
	if err == nil && !found {
		return misp.ErrNotFound
	}
	return err
}
