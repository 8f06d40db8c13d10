// Package sqlstore implements every misp store interface once, in
// dialect-neutral database/sql code shared by SQLite and PostgreSQL.
//
// Layout: the SQL of both dialects is nearly identical, so it lives here,
// written with PostgreSQL's $1, $2, … placeholders. A small Dialect value
// carries what differs: placeholder rebinding (SQLite gets ?1, ?2, …),
// driver error translation by error code, the transaction isolation and
// retry rule, and the embedded migrations. The dialect packages
// internal/store/sqlite and internal/store/postgres hold only that: the
// driver import, the connection setup, the migration files and the
// Dialect value; their Open functions return a *DB.
//
// Every public method runs in one transaction (see transact); its helpers
// take the context and a *tx, which wraps the *sql.Tx with the dialect and
// the fixed "now" read once from DB.Now. Event visibility is built in one
// place, visibility.go, and every read and write applies it in SQL.
//
// Schema conventions: booleans are BOOLEAN (PostgreSQL) or INTEGER 0/1
// (SQLite) and are written as TRUE/FALSE literals, which SQLite reads as
// 1/0; timestamps are Unix seconds; first_seen/last_seen are microseconds;
// attribute values are split into value1/value2 as misp.Attribute.Split
// does.
package sqlstore
