package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/razmena/razmena/internal/misp"
)

// DB is the SQL implementation of every misp store interface.
type DB struct {
	db      *sql.DB
	dialect *Dialect
	stmts   *stmtCache
	// Now is the clock every timestamp written by the store comes from.
	// Tests replace it; it must not be changed while the DB is in use.
	Now func() time.Time
	// Policy is the instance's visibility configuration; like Now, it is
	// set before the DB is used.
	Policy Policy
}

// Compile-time proof that *DB fulfils every store contract.
var (
	_ misp.RoleStore      = (*DB)(nil)
	_ misp.OrgStore       = (*DB)(nil)
	_ misp.UserStore      = (*DB)(nil)
	_ misp.AuthKeyStore   = (*DB)(nil)
	_ misp.TagStore       = (*DB)(nil)
	_ misp.EventStore     = (*DB)(nil)
	_ misp.AttributeStore = (*DB)(nil)
	_ misp.ObjectStore    = (*DB)(nil)
	_ misp.SettingStore   = (*DB)(nil)
)

// New wraps an open database handle of the given dialect. The dialect
// packages call it from their Open functions.
func New(db *sql.DB, d Dialect) *DB {
	return &DB{db: db, dialect: &d, stmts: newStmtCache(db, d.StatementCache), Now: time.Now}
}

// SQL returns the underlying handle, for schema dumps and test fixtures.
func (db *DB) SQL() *sql.DB { return db.db }

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.db.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect.Name, err)
	}
	return nil
}

// Migrate applies the pending forward migrations, each in its own
// transaction, recording them in the schema_migrations table.
func (db *DB) Migrate(ctx context.Context) error {
	opts := append([]goose.ProviderOption{
		goose.WithTableName("schema_migrations"),
		goose.WithDisableGlobalRegistry(true),
	}, db.dialect.MigrateOptions...)
	p, err := goose.NewProvider(db.dialect.Goose, db.db, db.dialect.Migrations, opts...)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.dialect.Name, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.dialect.Name, err)
	}
	return nil
}

// Optimize refreshes the query planner's statistics. Plans depend on
// them: without statistics SQLite answers a multi-type, id-ordered page
// of 20,000 attributes by reading and sorting every attribute of those
// types (164 ms at 100,000 attributes, growing with the table), with
// them by walking the table in id order (65 ms); see docs/benchmarks.md.
// The server runs it at start and then periodically; bulk loads should
// run it when they finish.
func (db *DB) Optimize(ctx context.Context) error {
	if len(db.dialect.Optimize) == 0 {
		return nil
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("optimize %s: %w", db.dialect.Name, err)
	}
	defer conn.Close()
	for _, q := range db.dialect.Optimize {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("optimize %s: %s: %w", db.dialect.Name, q, err)
		}
	}
	return nil
}
