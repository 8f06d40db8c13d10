-- MISP's warninglist library (issue 6): warninglists, their entries and
-- their matching attribute types, as MISP's warninglists,
-- warninglist_entries and warninglist_types tables. Beyond MISP's columns:
-- warninglists.entry_count, kept by the import, so that the index does
-- not count a few hundred thousand entries per call (MISP's
-- warninglist_entry_count is a COUNT subquery); MISP's "default" column
-- is is_default ("default" is a reserved word). warninglist_revision is a
-- single row whose revision every change that can alter matching
-- advances, in the same transaction: the matcher of each server process
-- reads it per request to know when to reload the enabled lists.
-- Kept column-for-column identical to postgres/migrations/00009_warninglists.sql.

-- +goose Up
CREATE TABLE warninglists (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    type        TEXT    NOT NULL DEFAULT 'string',
    description TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    enabled     INTEGER NOT NULL DEFAULT 0,
    is_default  INTEGER NOT NULL DEFAULT 1,
    category    TEXT    NOT NULL DEFAULT 'false_positive',
    entry_count INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX warninglists_name_idx ON warninglists (name);

-- Entries are read per list in file order: (warninglist_id, id). They
-- have no foreign key: on PostgreSQL its per-row check took 9 of the 14
-- seconds of importing the library's 530,000 entries (docs/warninglists.md);
-- the store deletes a list's entries itself, and MISP has no key either.
CREATE TABLE warninglist_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    warninglist_id INTEGER NOT NULL,
    value          TEXT    NOT NULL,
    comment        TEXT
);
CREATE INDEX warninglist_entries_warninglist_id_idx ON warninglist_entries (warninglist_id, id);

CREATE TABLE warninglist_types (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    warninglist_id INTEGER NOT NULL REFERENCES warninglists (id) ON DELETE CASCADE,
    type           TEXT    NOT NULL
);
CREATE INDEX warninglist_types_warninglist_id_idx ON warninglist_types (warninglist_id, id);

CREATE TABLE warninglist_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO warninglist_revision (id, revision) VALUES (1, 0);

-- +goose Down
DROP TABLE warninglist_revision;
DROP TABLE warninglist_types;
DROP TABLE warninglist_entries;
DROP TABLE warninglists;
