package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	_ "modernc.org/sqlite"
)

// openCacheTestDB opens a bare SQLite database with a statement cache of
// size max and one table of ten rows.
func openCacheTestDB(t *testing.T, max int) *DB {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "cache.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db := New(raw, Dialect{Name: "sqlite", QuestionPlaceholders: true, MaxParams: 32766, StatementCache: max, RowInserts: true})
	t.Cleanup(func() { db.Close() })
	ctx := t.Context()
	if _, err := raw.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	err = db.write(ctx, func(tx *tx) error {
		rows := make([][]any, 10)
		for i := range rows {
			rows[i] = []any{fmt.Sprintf("u%d", i), i * i}
		}
		return tx.insertReturningIDs(ctx, "t", []string{"uuid", "n"}, rows, func(i int, id int64) {
			if id != int64(i+1) {
				t.Errorf("row %d got id %d, want %d", i, id, i+1)
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// cacheQuery is one of several distinct statement texts, so that a small
// cache evicts while transactions still hold the evicted statements.
func cacheQuery(ctx context.Context, tx *tx, shape, id int) (int, error) {
	var n int
	q := fmt.Sprintf("SELECT n + %d - %d FROM t WHERE id = $1", shape, shape)
	err := tx.get(ctx, q, []any{id}, &n)
	return n, err
}

func TestStmtCacheEvictsUnderUse(t *testing.T) {
	db := openCacheTestDB(t, 2)
	ctx := t.Context()
	err := db.read(ctx, func(tx *tx) error {
		// Five shapes through a cache of two: each later shape evicts an
		// earlier one this transaction has already bound; running the
		// evicted ones again must still answer correctly.
		for round := 0; round < 3; round++ {
			for shape := 0; shape < 5; shape++ {
				id := 1 + (shape+round)%10
				n, err := cacheQuery(ctx, tx, shape, id)
				if err != nil {
					return err
				}
				if want := (id - 1) * (id - 1); n != want {
					return fmt.Errorf("shape %d id %d: got %d, want %d", shape, id, n, want)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.stmts.order.Len(); got != 2 {
		t.Errorf("cache holds %d statements, want 2", got)
	}
}

func TestStmtCacheConcurrent(t *testing.T) {
	db := openCacheTestDB(t, 3)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				shape, id := (g+i)%7, 1+(g*i)%10
				err := db.read(ctx, func(tx *tx) error {
					n, err := cacheQuery(ctx, tx, shape, id)
					if err == nil && n != (id-1)*(id-1) {
						err = fmt.Errorf("shape %d id %d: got %d", shape, id, n)
					}
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestStmtCacheSkipsLongArgumentLists(t *testing.T) {
	db := openCacheTestDB(t, 8)
	ctx := t.Context()
	before := db.stmts.order.Len()
	ids := make([]int, stmtCacheMaxArgs+1)
	for i := range ids {
		ids[i] = 1 + i%10
	}
	err := db.read(ctx, func(tx *tx) error {
		var a args
		q := "SELECT COUNT(*) FROM t WHERE id IN (" + inList(&a, ids) + ")"
		var n int
		if err := tx.get(ctx, q, a, &n); err != nil {
			return err
		}
		if n != 10 {
			return fmt.Errorf("got %d rows, want 10", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.stmts.order.Len(); got != before {
		t.Errorf("cache holds %d statements after a %d-argument query, want %d", got, len(ids), before)
	}
}
