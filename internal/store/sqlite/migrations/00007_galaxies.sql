-- Galaxy library (issue 6; misp-core-format §5): galaxies, their
-- clusters, the clusters' key/value elements and their relations to other
-- clusters. Kept column-for-column identical to
-- postgres/migrations/00007_galaxies.sql.
-- A cluster is identified by (galaxy_id, uuid): the library repeats about
-- a thousand cluster UUIDs across the legacy and enterprise ATT&CK
-- galaxies. MISP's "default" column is is_default here (a keyword in SQL).
-- kill_chain_order and authors hold JSON; a relation's tags are a JSON
-- list of tag names.
-- No foreign keys: an import writes some 46,000 clusters and 330,000
-- elements and relations in one transaction, and PostgreSQL's per-row
-- foreign-key checks made those inserts four times slower. The store
-- deletes a cluster's elements and relations itself, in the transaction
-- that replaces the cluster; galaxies are never deleted. Elements and
-- relations have no AUTOINCREMENT: they are only reached through their
-- cluster.

-- +goose Up
CREATE TABLE galaxies (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL DEFAULT '',
    type             TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    version          INTEGER NOT NULL DEFAULT 0,
    icon             TEXT    NOT NULL DEFAULT '',
    namespace        TEXT    NOT NULL DEFAULT 'misp',
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    local_only       BOOLEAN NOT NULL DEFAULT FALSE,
    kill_chain_order TEXT
);
CREATE INDEX galaxies_type_idx ON galaxies (type);

CREATE TABLE galaxy_clusters (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             TEXT    NOT NULL,
    collection_uuid  TEXT    NOT NULL DEFAULT '',
    type             TEXT    NOT NULL,
    value            TEXT    NOT NULL,
    tag_name         TEXT    NOT NULL DEFAULT '',
    description      TEXT    NOT NULL DEFAULT '',
    galaxy_id        INTEGER NOT NULL,
    source           TEXT    NOT NULL DEFAULT '',
    authors          TEXT    NOT NULL DEFAULT '[]',
    version          INTEGER NOT NULL DEFAULT 0,
    distribution     INTEGER NOT NULL DEFAULT 0,
    sharing_group_id INTEGER,
    org_id           INTEGER NOT NULL DEFAULT 0,
    orgc_id          INTEGER NOT NULL DEFAULT 0,
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    locked           BOOLEAN NOT NULL DEFAULT FALSE,
    extends_uuid     TEXT    NOT NULL DEFAULT '',
    extends_version  INTEGER NOT NULL DEFAULT 0,
    published        BOOLEAN NOT NULL DEFAULT FALSE,
    deleted          BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (galaxy_id, uuid)
);
CREATE INDEX galaxy_clusters_uuid_idx ON galaxy_clusters (uuid);
-- Events name clusters by tag (FindClustersByTagNames), case-insensitively
-- as MISP's collation compares them.
CREATE INDEX galaxy_clusters_tag_name_idx ON galaxy_clusters (lower(tag_name));

CREATE TABLE galaxy_elements (
    id                INTEGER PRIMARY KEY,
    galaxy_cluster_id INTEGER NOT NULL,
    key               TEXT    NOT NULL DEFAULT '',
    value             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX galaxy_elements_cluster_idx ON galaxy_elements (galaxy_cluster_id);

CREATE TABLE galaxy_cluster_relations (
    id                             INTEGER PRIMARY KEY,
    galaxy_cluster_id              INTEGER NOT NULL,
    galaxy_cluster_uuid            TEXT    NOT NULL,
    referenced_galaxy_cluster_uuid TEXT    NOT NULL,
    referenced_galaxy_cluster_type TEXT    NOT NULL DEFAULT '',
    distribution                   INTEGER NOT NULL DEFAULT 0,
    sharing_group_id               INTEGER,
    is_default                     BOOLEAN NOT NULL DEFAULT FALSE,
    tags                           TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX galaxy_cluster_relations_cluster_idx ON galaxy_cluster_relations (galaxy_cluster_id);
CREATE INDEX galaxy_cluster_relations_referenced_idx ON galaxy_cluster_relations (referenced_galaxy_cluster_uuid);

