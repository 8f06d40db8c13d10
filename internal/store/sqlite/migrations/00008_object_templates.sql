-- Object templates library (issue 6; MISP's object_templates,
-- object_template_elements and object_relationships tables). Kept
-- column-for-column identical to postgres/migrations/00008_object_templates.sql.
-- Every imported version of a template is a row of its own, as in MISP:
-- objects name the template version they were made with. raw is the
-- library's definition.json as imported (objectTemplates/getRaw).
-- requirements is the JSON MISP stores ({"required": […], "requiredOneOf":
-- […]} or []); categories, sane_default, values_list and format are JSON
-- lists. disable_correlation is NULL when the library does not say.

-- +goose Up
CREATE TABLE object_templates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL DEFAULT 0,
    org_id        INTEGER NOT NULL DEFAULT 0,
    uuid          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    meta_category TEXT    NOT NULL DEFAULT '',
    description   TEXT    NOT NULL DEFAULT '',
    version       INTEGER NOT NULL,
    requirements  TEXT    NOT NULL DEFAULT '[]',
    fixed         INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 0,
    raw           TEXT    NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX object_templates_uuid_version_idx ON object_templates (uuid, version);
CREATE INDEX object_templates_name_idx ON object_templates (name);

CREATE TABLE object_template_elements (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    object_template_id  INTEGER NOT NULL REFERENCES object_templates (id) ON DELETE CASCADE,
    object_relation     TEXT    NOT NULL,
    type                TEXT    NOT NULL,
    ui_priority         INTEGER NOT NULL DEFAULT 0,
    categories          TEXT    NOT NULL DEFAULT '[]',
    sane_default        TEXT    NOT NULL DEFAULT '[]',
    values_list         TEXT    NOT NULL DEFAULT '[]',
    description         TEXT    NOT NULL DEFAULT '',
    disable_correlation INTEGER,
    multiple            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX object_template_elements_template_idx ON object_template_elements (object_template_id);

CREATE TABLE object_relationships (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    version     INTEGER NOT NULL,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    format      TEXT    NOT NULL DEFAULT '[]'
);

-- +goose Down
DROP TABLE object_relationships;
DROP TABLE object_template_elements;
DROP TABLE object_templates;
