-- The value2 index leaves out the empty value2 of every attribute whose
-- type is not composite: 94 % of the attributes of the benchmark
-- community. A hash index keeps equal keys in one bucket, and an insert
-- walks that bucket's whole chain of overflow pages for free space: at
-- 1 M attributes, a thousand inserts of an empty value2 read 2.3 M
-- buffers (648 ms) against 19,000 (69 ms) with this index, and the cost
-- grows with the table (the 10 M ingest of docs/benchmarks.md slowed
-- from 2,300 to 314 attributes/s). Searches match a non-empty value2
-- with value2 <> '' as well, so that the planner can use it
-- (sqlstore.value2Is). sqlite/00013 does the same, to stay in step.

-- +goose Up
DROP INDEX attributes_value2_idx;
CREATE INDEX attributes_value2_idx ON attributes USING hash (value2) WHERE value2 <> '';

-- +goose Down
DROP INDEX attributes_value2_idx;
CREATE INDEX attributes_value2_idx ON attributes USING hash (value2);
