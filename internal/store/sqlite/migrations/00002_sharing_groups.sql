-- Sharing groups (misp-core-format §10, misp-access-control §2, §8.2).
-- Kept column-for-column identical to postgres/migrations/00002_sharing_groups.sql.
-- sharing_group_servers.server_id 0 is this instance; other ids will name
-- rows of the servers table of the sync issue (no foreign key until then).
-- events/attributes/objects.sharing_group_id stay without a foreign key:
-- 0 means "no sharing group"; the store refuses to delete a group in use.

-- +goose Up
CREATE TABLE sharing_groups (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid              TEXT    NOT NULL UNIQUE,
    name              TEXT    NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    releasability     TEXT    NOT NULL DEFAULT '',
    org_id            INTEGER  NOT NULL REFERENCES organisations (id),
    organisation_uuid TEXT    NOT NULL DEFAULT '',
    sync_user_id      INTEGER  NOT NULL DEFAULT 0,
    active            INTEGER NOT NULL DEFAULT 1,
    local             INTEGER NOT NULL DEFAULT 1,
    roaming           INTEGER NOT NULL DEFAULT 0,
    created           INTEGER  NOT NULL DEFAULT 0,
    modified          INTEGER  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX sharing_groups_name_idx ON sharing_groups (lower(name));
CREATE INDEX sharing_groups_org_id_idx ON sharing_groups (org_id);

CREATE TABLE sharing_group_orgs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    sharing_group_id INTEGER  NOT NULL REFERENCES sharing_groups (id) ON DELETE CASCADE,
    org_id           INTEGER  NOT NULL REFERENCES organisations (id),
    extend           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sharing_group_id, org_id)
);
-- The visibility predicate asks "is org X a member of group G": (org_id, sharing_group_id).
CREATE INDEX sharing_group_orgs_org_idx ON sharing_group_orgs (org_id, sharing_group_id);

CREATE TABLE sharing_group_servers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    sharing_group_id INTEGER  NOT NULL REFERENCES sharing_groups (id) ON DELETE CASCADE,
    server_id        INTEGER  NOT NULL DEFAULT 0,
    all_orgs         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sharing_group_id, server_id)
);
CREATE INDEX sharing_group_servers_server_idx ON sharing_group_servers (server_id, all_orgs, sharing_group_id);

CREATE INDEX events_sharing_group_id_idx ON events (sharing_group_id) WHERE sharing_group_id <> 0;
