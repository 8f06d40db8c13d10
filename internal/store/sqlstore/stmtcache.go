package sqlstore

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the most recently used prepared statements of a
// database, by query text. SQLite parses every statement it is given,
// and the store's visibility predicates make its queries long: parsing
// cost more than running them (profile of `razmena bench`, issue 4).
// PostgreSQL's driver caches prepared statements per connection itself,
// so its dialect leaves this off.
//
// database/sql prepares a cached *sql.Stmt lazily on each pooled
// connection it runs on and, through Tx.StmtContext, reuses that
// connection's preparation inside a transaction.
type stmtCache struct {
	db  *sql.DB
	max int

	mu    sync.Mutex
	order *list.List // of *cachedStmt, most recently used first
	byQ   map[string]*list.Element
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
}

// stmtCacheMaxArgs bounds the arguments of a cached statement: queries
// with long IN lists come in as many texts as list lengths, would churn
// the cache, and spend their time elsewhere than in parsing.
const stmtCacheMaxArgs = 64

func newStmtCache(db *sql.DB, max int) *stmtCache {
	if max <= 0 {
		return nil
	}
	return &stmtCache{db: db, max: max, order: list.New(), byQ: make(map[string]*list.Element)}
}

// get returns the prepared statement of query (already rebound for the
// dialect), preparing it on first use; nil, nil when the cache is off or
// the query is not worth caching.
func (c *stmtCache) get(ctx context.Context, query string, nargs int) (*sql.Stmt, error) {
	if c == nil || nargs > stmtCacheMaxArgs {
		return nil, nil
	}
	c.mu.Lock()
	if e, ok := c.byQ[query]; ok {
		c.order.MoveToFront(e)
		s := e.Value.(*cachedStmt).stmt
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()

	// Preparing outside the lock lets other queries go on; two goroutines
	// preparing the same text keep the first and close the second.
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byQ[query]; ok {
		_ = s.Close() // an unused duplicate; nothing depends on it
		c.order.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt, nil
	}
	c.byQ[query] = c.order.PushFront(&cachedStmt{query: query, stmt: s})
	for c.order.Len() > c.max {
		old := c.order.Remove(c.order.Back()).(*cachedStmt)
		delete(c.byQ, old.query)
		// Transactions still using the statement keep it open: database/sql
		// closes it for good when the last of them ends.
		_ = old.stmt.Close()
	}
	return s, nil
}

// close closes every cached statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.order.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*cachedStmt).stmt.Close()
	}
	c.order.Init()
	clear(c.byQ)
}

// stmt returns the transaction's handle of the cached statement for
// query, nil when the query is not cached.
func (t *tx) stmt(ctx context.Context, query string, nargs int) (*sql.Stmt, error) {
	s, err := t.cache.get(ctx, query, nargs)
	if s == nil || err != nil {
		return nil, err
	}
	if ts, ok := t.stmts[s]; ok {
		return ts, nil
	}
	ts := t.tx.StmtContext(ctx, s)
	if t.stmts == nil {
		t.stmts = make(map[*sql.Stmt]*sql.Stmt)
	}
	t.stmts[s] = ts
	return ts, nil
}
