-- An index on attributes.timestamp, as MISP's schema has (and
-- postgres/00012): a restSearch for the attributes changed in the last
-- day read the whole table without it. The planner is not left to use it:
-- after ANALYZE it read every time window, wide ones too, by scanning
-- events. The store reads a window through it only when the window holds
-- few attributes, and hides it otherwise (Dialect.TimestampIndex,
-- docs/benchmarks.md).

-- +goose Up
CREATE INDEX attributes_timestamp_idx ON attributes (timestamp);

-- +goose Down
DROP INDEX attributes_timestamp_idx;
