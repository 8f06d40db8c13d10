-- The correlation engine (issue 6, docs/correlation.md). Kept in step
-- with postgres/, which indexes values by their md5 instead: a value may
-- be up to 64 KiB, more than a PostgreSQL B-tree entry holds.
--
-- correlation_values lists, for each attribute that correlates, the
-- values it correlates on (value1, and value2 unless the type correlates
-- on its first half only): one row per value. Two attributes of different
-- events correlate when they share a row's value; the pairs are never
-- stored, so a value held by n attributes costs n rows, not n². The
-- primary key leads with value and carries event_id, so that the events
-- holding a value are read from the index alone. Rows follow their
-- attribute and event (ON DELETE CASCADE); the store keeps them in step
-- with every write in the write's own transaction.
--
-- correlation_exclusions are the admin-managed values and patterns that
-- never correlate (kind: 0 exact, 1 prefix "x%", 2 suffix "%x", 3
-- substring "%x%"; pattern is the value without its wildcards).
--
-- over_correlating_values are the values held by more attributes than
-- the correlation limit (setting correlation_limit, default 100), with
-- their number of holders when they were listed; they correlate nothing.

-- +goose Up
CREATE TABLE correlation_values (
    value        TEXT    NOT NULL,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    attribute_id INTEGER NOT NULL REFERENCES attributes (id) ON DELETE CASCADE,
    PRIMARY KEY (value, event_id, attribute_id)
);
CREATE INDEX correlation_values_attribute_id_idx ON correlation_values (attribute_id);
-- (event_id, value): an event's values in value order, from the index
-- alone, so that looking each up in the primary key walks it in order
-- (RelatedEvent of the largest benchmark event: 0.65 s to 0.35 s).
-- PostgreSQL cannot hold the value in a B-tree entry.
CREATE INDEX correlation_values_event_id_idx ON correlation_values (event_id, value);

CREATE TABLE correlation_exclusions (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    value     TEXT    NOT NULL UNIQUE,
    kind      INTEGER NOT NULL,
    pattern   TEXT    NOT NULL,
    from_json INTEGER NOT NULL DEFAULT 0,
    comment   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX correlation_exclusions_kind_idx ON correlation_exclusions (kind);

CREATE TABLE over_correlating_values (
    value      TEXT    NOT NULL PRIMARY KEY,
    occurrence INTEGER NOT NULL
);
CREATE INDEX over_correlating_values_occurrence_idx ON over_correlating_values (occurrence);

-- +goose Down
DROP TABLE over_correlating_values;
DROP TABLE correlation_exclusions;
DROP TABLE correlation_values;
