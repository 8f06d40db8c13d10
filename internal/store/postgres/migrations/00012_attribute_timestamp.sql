-- An index on attributes.timestamp, as MISP's schema has: a restSearch
-- for the attributes changed in the last day (timestamp "1d", the pull
-- of a SIEM that asks for what is new) read the whole table without it.
-- At 1 M attributes: 265 ms by a parallel sequential scan, 3 ms through
-- the index; the planner still walks attributes_pkey for a wide time
-- range (docs/benchmarks.md). sqlite/00012 adds the same index, which
-- there the store, not the planner, decides to use.

-- +goose Up
CREATE INDEX attributes_timestamp_idx ON attributes (timestamp);

-- +goose Down
DROP INDEX attributes_timestamp_idx;
