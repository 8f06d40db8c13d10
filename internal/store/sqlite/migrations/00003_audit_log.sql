-- Audit log (MISP's logs table; misp-rest-api §3.7 admin/logs/index,
-- misp-access-control §8.3). Kept column-for-column identical to
-- postgres/migrations/00003_audit_log.sql.
-- Append-only. No foreign keys: an entry outlives the user, organisation
-- or object it names, and failed authentications name no user (0).
-- org and email are the names at the time, as MISP stores them; org_id and
-- user_id scope what organisation admins and users may read.
-- method, route, path, status and request_id describe the HTTP request;
-- the free-text columns (title, description, change) never hold a secret.

-- +goose Up
CREATE TABLE audit_logs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL DEFAULT 0,
    org_id      INTEGER NOT NULL DEFAULT 0,
    org         TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    ip          TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    model       TEXT    NOT NULL DEFAULT '',
    model_id    INTEGER NOT NULL DEFAULT 0,
    title       TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    change      TEXT    NOT NULL DEFAULT '',
    method      TEXT    NOT NULL DEFAULT '',
    route       TEXT    NOT NULL DEFAULT '',
    path        TEXT    NOT NULL DEFAULT '',
    status      INTEGER NOT NULL DEFAULT 0
);
-- Reads are newest first, scoped to an organisation (org admins) or a
-- user (other auditors); created serves time ranges and retention purges.
CREATE INDEX audit_logs_org_id_idx ON audit_logs (org_id, id);
CREATE INDEX audit_logs_user_id_idx ON audit_logs (user_id, id);
CREATE INDEX audit_logs_created_idx ON audit_logs (created);
CREATE INDEX audit_logs_model_idx ON audit_logs (model, model_id);
