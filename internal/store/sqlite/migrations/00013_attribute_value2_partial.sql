-- The value2 index leaves out the empty value2 of every attribute whose
-- type is not composite (94 % of the benchmark community's attributes),
-- as postgres/00013 does, where the full hash index made every insert of
-- an empty value2 walk one ever-growing bucket. Here it only makes the
-- index smaller; searches match a non-empty value2 with value2 <> '' as
-- well, so that the planner can use it (sqlstore.value2Is).

-- +goose Up
DROP INDEX attributes_value2_idx;
CREATE INDEX attributes_value2_idx ON attributes (value2) WHERE value2 <> '';

-- +goose Down
DROP INDEX attributes_value2_idx;
CREATE INDEX attributes_value2_idx ON attributes (value2);
