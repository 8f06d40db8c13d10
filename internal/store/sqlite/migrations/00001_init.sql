-- Initial schema: MISP core data (roles, organisations, users, auth keys,
-- tags, events, attributes, objects, references, tag links) and settings.
-- Kept column-for-column identical to postgres/migrations/00001_init.sql;
-- booleans are INTEGER 0/1 here, timestamps are Unix seconds, first_seen /
-- last_seen are microseconds. Ids use AUTOINCREMENT so that a hard-deleted
-- id is never handed out again (as with PostgreSQL identity columns).

-- +goose Up
CREATE TABLE roles (
    id                          INTEGER PRIMARY KEY AUTOINCREMENT,
    name                        TEXT    NOT NULL UNIQUE,
    created                     INTEGER NOT NULL DEFAULT 0,
    modified                    INTEGER NOT NULL DEFAULT 0,
    perm_add                    INTEGER NOT NULL DEFAULT 0,
    perm_modify                 INTEGER NOT NULL DEFAULT 0,
    perm_modify_org             INTEGER NOT NULL DEFAULT 0,
    perm_publish                INTEGER NOT NULL DEFAULT 0,
    perm_delegate               INTEGER NOT NULL DEFAULT 0,
    perm_sync                   INTEGER NOT NULL DEFAULT 0,
    perm_admin                  INTEGER NOT NULL DEFAULT 0,
    perm_audit                  INTEGER NOT NULL DEFAULT 0,
    perm_auth                   INTEGER NOT NULL DEFAULT 0,
    perm_site_admin             INTEGER NOT NULL DEFAULT 0,
    perm_regexp_access          INTEGER NOT NULL DEFAULT 0,
    perm_tagger                 INTEGER NOT NULL DEFAULT 0,
    perm_template               INTEGER NOT NULL DEFAULT 0,
    perm_sharing_group          INTEGER NOT NULL DEFAULT 0,
    perm_tag_editor             INTEGER NOT NULL DEFAULT 0,
    perm_sighting               INTEGER NOT NULL DEFAULT 0,
    perm_object_template        INTEGER NOT NULL DEFAULT 0,
    perm_publish_zmq            INTEGER NOT NULL DEFAULT 0,
    perm_publish_kafka          INTEGER NOT NULL DEFAULT 0,
    perm_decaying               INTEGER NOT NULL DEFAULT 0,
    perm_galaxy_editor          INTEGER NOT NULL DEFAULT 0,
    perm_warninglist            INTEGER NOT NULL DEFAULT 0,
    perm_view_feed_correlations INTEGER NOT NULL DEFAULT 0,
    perm_analyst_data           INTEGER NOT NULL DEFAULT 0,
    perm_skip_otp               INTEGER NOT NULL DEFAULT 0,
    default_role                INTEGER NOT NULL DEFAULT 0,
    restricted_to_site_admin    INTEGER NOT NULL DEFAULT 0,
    memory_limit                TEXT    NOT NULL DEFAULT '',
    max_execution_time          TEXT    NOT NULL DEFAULT '',
    enforce_rate_limit          INTEGER NOT NULL DEFAULT 0,
    rate_limit_count            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE organisations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT    NOT NULL,
    date_created         INTEGER NOT NULL DEFAULT 0,
    date_modified        INTEGER NOT NULL DEFAULT 0,
    description          TEXT    NOT NULL DEFAULT '',
    type                 TEXT    NOT NULL DEFAULT '',
    nationality          TEXT    NOT NULL DEFAULT '',
    sector               TEXT    NOT NULL DEFAULT '',
    created_by           INTEGER NOT NULL DEFAULT 0,
    uuid                 TEXT    NOT NULL UNIQUE,
    contacts             TEXT    NOT NULL DEFAULT '',
    local                INTEGER NOT NULL DEFAULT 0,
    restricted_to_domain TEXT    NOT NULL DEFAULT '[]',
    landingpage          TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX organisations_lower_name_idx ON organisations (lower(name));

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organisations (id),
    role_id        INTEGER NOT NULL REFERENCES roles (id),
    server_id      INTEGER NOT NULL DEFAULT 0,
    email          TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL DEFAULT '',
    autoalert      INTEGER NOT NULL DEFAULT 0,
    invited_by     INTEGER NOT NULL DEFAULT 0,
    gpgkey         TEXT    NOT NULL DEFAULT '',
    certif_public  TEXT    NOT NULL DEFAULT '',
    nids_sid       INTEGER NOT NULL DEFAULT 0,
    termsaccepted  INTEGER NOT NULL DEFAULT 0,
    newsread       INTEGER NOT NULL DEFAULT 0,
    change_pw      INTEGER NOT NULL DEFAULT 0,
    contactalert   INTEGER NOT NULL DEFAULT 0,
    disabled       INTEGER NOT NULL DEFAULT 0,
    expiration     INTEGER,
    current_login  INTEGER NOT NULL DEFAULT 0,
    last_login     INTEGER NOT NULL DEFAULT 0,
    force_logout   INTEGER NOT NULL DEFAULT 0,
    date_created   INTEGER NOT NULL DEFAULT 0,
    date_modified  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_lower_email_idx ON users (lower(email));
CREATE INDEX users_org_id_idx ON users (org_id);
CREATE INDEX users_role_id_idx ON users (role_id);

CREATE TABLE auth_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid          TEXT    NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash          BLOB    NOT NULL UNIQUE,
    authkey_start TEXT    NOT NULL DEFAULT '',
    authkey_end   TEXT    NOT NULL DEFAULT '',
    created       INTEGER NOT NULL DEFAULT 0,
    expiration    INTEGER NOT NULL DEFAULT 0,
    read_only     INTEGER NOT NULL DEFAULT 0,
    comment       TEXT    NOT NULL DEFAULT '',
    allowed_ips   TEXT    NOT NULL DEFAULT '[]',
    unique_ips    TEXT    NOT NULL DEFAULT '[]',
    last_used     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX auth_keys_user_id_idx ON auth_keys (user_id);

-- org_id and user_id are 0 for an unrestricted tag, hence no foreign key.
CREATE TABLE tags (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    colour           TEXT    NOT NULL DEFAULT '',
    exportable       INTEGER NOT NULL DEFAULT 1,
    org_id           INTEGER NOT NULL DEFAULT 0,
    user_id          INTEGER NOT NULL DEFAULT 0,
    hide_tag         INTEGER NOT NULL DEFAULT 0,
    numerical_value  INTEGER,
    is_galaxy        INTEGER NOT NULL DEFAULT 0,
    is_custom_galaxy INTEGER NOT NULL DEFAULT 0,
    local_only       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tags_lower_name_idx ON tags (lower(name));

-- user_id is the creating user; events outlive their creator, so no foreign key.
CREATE TABLE events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                TEXT    NOT NULL UNIQUE,
    org_id              INTEGER NOT NULL REFERENCES organisations (id),
    orgc_id             INTEGER NOT NULL REFERENCES organisations (id),
    user_id             INTEGER NOT NULL DEFAULT 0,
    date                TEXT    NOT NULL,
    info                TEXT    NOT NULL,
    threat_level_id     INTEGER NOT NULL DEFAULT 4,
    analysis            INTEGER NOT NULL DEFAULT 0,
    distribution        INTEGER NOT NULL DEFAULT 0,
    sharing_group_id    INTEGER NOT NULL DEFAULT 0,
    published           INTEGER NOT NULL DEFAULT 0,
    publish_timestamp   INTEGER NOT NULL DEFAULT 0,
    timestamp           INTEGER NOT NULL DEFAULT 0,
    sighting_timestamp  INTEGER NOT NULL DEFAULT 0,
    attribute_count     INTEGER NOT NULL DEFAULT 0,
    proposal_email_lock INTEGER NOT NULL DEFAULT 0,
    locked              INTEGER NOT NULL DEFAULT 0,
    disable_correlation INTEGER NOT NULL DEFAULT 0,
    extends_uuid        TEXT    NOT NULL DEFAULT '',
    protected           INTEGER
);
CREATE INDEX events_org_id_idx ON events (org_id);
CREATE INDEX events_orgc_id_idx ON events (orgc_id);
CREATE INDEX events_timestamp_idx ON events (timestamp);
CREATE INDEX events_publish_timestamp_idx ON events (publish_timestamp);
CREATE INDEX events_date_idx ON events (date);

CREATE TABLE objects (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             TEXT    NOT NULL UNIQUE,
    event_id         INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    meta_category    TEXT    NOT NULL DEFAULT '',
    description      TEXT    NOT NULL DEFAULT '',
    template_uuid    TEXT    NOT NULL DEFAULT '',
    template_version INTEGER NOT NULL DEFAULT 0,
    timestamp        INTEGER NOT NULL DEFAULT 0,
    distribution     INTEGER NOT NULL DEFAULT 5,
    sharing_group_id INTEGER NOT NULL DEFAULT 0,
    comment          TEXT    NOT NULL DEFAULT '',
    deleted          INTEGER NOT NULL DEFAULT 0,
    first_seen       INTEGER,
    last_seen        INTEGER
);
CREATE INDEX objects_event_id_idx ON objects (event_id);

-- object_id is 0 for a standalone attribute (MISP's convention), so it has
-- no foreign key; object deletes remove their attributes explicitly.
CREATE TABLE attributes (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                TEXT    NOT NULL UNIQUE,
    event_id            INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    object_id           INTEGER NOT NULL DEFAULT 0,
    object_relation     TEXT,
    category            TEXT    NOT NULL,
    type                TEXT    NOT NULL,
    value1              TEXT    NOT NULL,
    value2              TEXT    NOT NULL DEFAULT '',
    to_ids              INTEGER NOT NULL DEFAULT 0,
    timestamp           INTEGER NOT NULL DEFAULT 0,
    distribution        INTEGER NOT NULL DEFAULT 5,
    sharing_group_id    INTEGER NOT NULL DEFAULT 0,
    comment             TEXT    NOT NULL DEFAULT '',
    deleted             INTEGER NOT NULL DEFAULT 0,
    disable_correlation INTEGER NOT NULL DEFAULT 0,
    first_seen          INTEGER,
    last_seen           INTEGER,
    data                TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX attributes_event_id_idx ON attributes (event_id);
CREATE INDEX attributes_object_id_idx ON attributes (object_id);
CREATE INDEX attributes_type_idx ON attributes (type);
CREATE INDEX attributes_value1_idx ON attributes (value1);
CREATE INDEX attributes_value2_idx ON attributes (value2);

CREATE TABLE object_references (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid              TEXT    NOT NULL UNIQUE,
    event_id          INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    object_id         INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    referenced_uuid   TEXT    NOT NULL,
    referenced_id     INTEGER NOT NULL,
    referenced_type   INTEGER NOT NULL,
    relationship_type TEXT    NOT NULL DEFAULT '',
    comment           TEXT    NOT NULL DEFAULT '',
    timestamp         INTEGER NOT NULL DEFAULT 0,
    deleted           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX object_references_event_id_idx ON object_references (event_id);
CREATE INDEX object_references_object_id_idx ON object_references (object_id);
CREATE INDEX object_references_referenced_idx ON object_references (referenced_id, referenced_type);

CREATE TABLE event_tags (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id          INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tag_id            INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    local             INTEGER NOT NULL DEFAULT 0,
    relationship_type TEXT,
    UNIQUE (event_id, tag_id)
);
CREATE INDEX event_tags_tag_id_idx ON event_tags (tag_id);

-- event_id is denormalised so that a full event fetch loads every
-- attribute tag of the event with one indexed query.
CREATE TABLE attribute_tags (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    attribute_id      INTEGER NOT NULL REFERENCES attributes (id) ON DELETE CASCADE,
    event_id          INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tag_id            INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    local             INTEGER NOT NULL DEFAULT 0,
    relationship_type TEXT,
    UNIQUE (attribute_id, tag_id)
);
CREATE INDEX attribute_tags_event_id_idx ON attribute_tags (event_id);
CREATE INDEX attribute_tags_tag_id_idx ON attribute_tags (tag_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- MISP's default roles (INSTALL/MYSQL.sql; misp-access-control §9.2).
INSERT INTO roles (id, name, created, modified,
    perm_add, perm_modify, perm_modify_org, perm_publish, perm_publish_zmq, perm_publish_kafka,
    perm_sync, perm_admin, perm_audit, perm_auth, perm_regexp_access, perm_tagger,
    perm_site_admin, perm_template, perm_sharing_group, perm_tag_editor, perm_delegate,
    perm_sighting, perm_object_template, perm_decaying, perm_galaxy_editor, perm_warninglist,
    perm_view_feed_correlations, perm_analyst_data, perm_skip_otp, default_role)
VALUES
    (1, 'admin',      unixepoch(), unixepoch(), 1,1,1,1,1,1, 1,1,1,1,1,1, 1,1,1,1,1, 1,1,1,1,1, 1,1,0, 0),
    (2, 'Org Admin',  unixepoch(), unixepoch(), 1,1,1,1,1,1, 0,1,1,1,0,1, 0,1,1,1,1, 1,0,1,1,0, 0,1,0, 0),
    (3, 'User',       unixepoch(), unixepoch(), 1,1,1,0,0,0, 0,0,1,1,0,1, 0,0,0,0,0, 1,0,1,1,0, 0,1,0, 1),
    (4, 'Publisher',  unixepoch(), unixepoch(), 1,1,1,1,1,1, 0,0,1,1,0,1, 0,0,0,0,1, 1,0,1,1,0, 0,1,0, 0),
    (5, 'Sync user',  unixepoch(), unixepoch(), 1,1,1,1,1,1, 1,0,1,1,0,1, 0,0,1,1,1, 1,0,1,1,0, 0,1,0, 0),
    (6, 'Read Only',  unixepoch(), unixepoch(), 0,0,0,0,0,0, 0,0,1,1,0,0, 0,0,0,0,0, 0,0,0,0,0, 0,0,0, 0);
