-- MISP's taxonomy library (issue 6): taxonomies, their predicates and the
-- predicates' entries, as MISP's taxonomies, taxonomy_predicates and
-- taxonomy_entries tables. Text is stored as the machinetag.json gives it
-- ('' when absent), so an export reproduces the file. Beyond MISP's
-- columns: tag_name, the machine tag an entry (or a predicate without
-- entries) defines, indexed by lower(tag_name) for lookups by tag and
-- joins with tags; tag_colour, the colour MISP gives that tag (its own
-- or the palette colour computed at import); and taxonomy_id on entries.
-- Kept column-for-column identical to postgres/migrations/00006_taxonomies.sql.

-- +goose Up
CREATE TABLE taxonomies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace   TEXT    NOT NULL,
    description TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    enabled     INTEGER NOT NULL DEFAULT 0,
    exclusive   INTEGER NOT NULL DEFAULT 0,
    required    INTEGER NOT NULL DEFAULT 0,
    highlighted INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX taxonomies_lower_namespace_idx ON taxonomies (lower(namespace));

-- tag_name is NULL for a predicate with entries (its entries are the tags).
CREATE TABLE taxonomy_predicates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    taxonomy_id     INTEGER NOT NULL REFERENCES taxonomies (id) ON DELETE CASCADE,
    value           TEXT    NOT NULL,
    expanded        TEXT    NOT NULL DEFAULT '',
    colour          TEXT    NOT NULL DEFAULT '',
    description     TEXT    NOT NULL DEFAULT '',
    exclusive       INTEGER NOT NULL DEFAULT 0,
    numerical_value INTEGER,
    tag_name        TEXT,
    tag_colour      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX taxonomy_predicates_taxonomy_id_idx ON taxonomy_predicates (taxonomy_id);
CREATE INDEX taxonomy_predicates_lower_tag_name_idx ON taxonomy_predicates (lower(tag_name));

CREATE TABLE taxonomy_entries (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    taxonomy_predicate_id INTEGER NOT NULL REFERENCES taxonomy_predicates (id) ON DELETE CASCADE,
    taxonomy_id           INTEGER NOT NULL REFERENCES taxonomies (id) ON DELETE CASCADE,
    value                 TEXT    NOT NULL,
    expanded              TEXT    NOT NULL DEFAULT '',
    colour                TEXT    NOT NULL DEFAULT '',
    description           TEXT    NOT NULL DEFAULT '',
    numerical_value       INTEGER,
    tag_name              TEXT    NOT NULL,
    tag_colour            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX taxonomy_entries_predicate_id_idx ON taxonomy_entries (taxonomy_predicate_id);
CREATE INDEX taxonomy_entries_taxonomy_id_idx ON taxonomy_entries (taxonomy_id);
CREATE INDEX taxonomy_entries_lower_tag_name_idx ON taxonomy_entries (lower(tag_name));

-- +goose Down
DROP TABLE taxonomy_entries;
DROP TABLE taxonomy_predicates;
DROP TABLE taxonomies;
