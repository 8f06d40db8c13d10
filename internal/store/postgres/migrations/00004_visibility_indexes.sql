-- Indexes for the visibility predicate (internal/store/sqlstore/visibility.go).
-- Kept identical in sqlite/ and postgres/.
--
-- events/index counts the events a user may see branch by branch (own
-- organisation; distributions 1-3 of other organisations; distribution 4
-- of an authorised sharing group). With (distribution, sharing_group_id)
-- leading and org_id, published included, the second and third branches
-- are index-range counts that never read the table; the first uses
-- events_org_id_idx. See docs/benchmarks.md.

-- +goose Up
CREATE INDEX events_visibility_idx ON events (distribution, sharing_group_id, org_id, published);
