-- Attribute searches by type page in id order (keyset: id > last, ORDER BY
-- id LIMIT n). With (type, id), one type's index range is already in page
-- order, so PostgreSQL can stop after n matches instead of sorting every
-- attribute of the type; on SQLite, whose (type) index ends in the rowid,
-- nothing changes. It replaces the (type) index, whose prefix it covers.
-- Kept identical in sqlite/ and postgres/.

-- +goose Up
CREATE INDEX attributes_type_id_idx ON attributes (type, id);
DROP INDEX attributes_type_idx;

-- +goose Down
CREATE INDEX attributes_type_idx ON attributes (type);
DROP INDEX attributes_type_id_idx;
