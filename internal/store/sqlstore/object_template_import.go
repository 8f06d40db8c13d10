package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// ImportObjectTemplates stores a library of object templates and
// relationships in one transaction, as MISP's ObjectTemplate::update and
// ObjectRelationship::update do: a template whose version is newer than
// every stored version of its uuid (or whose uuid is new) is added as a
// row of its own, with its elements, and becomes the only active version
// of its uuid; older versions are kept for the objects made with them.
// Other templates are left unchanged. Relationships older than the
// newest version given are deleted and names not stored yet added. It
// sets the ID, Fixed and Active of the templates it adds. ErrInvalid if
// a template or relationship is invalid; nothing is stored then.
func (db *DB) ImportObjectTemplates(ctx context.Context, templates []*misp.ObjectTemplate, relationships []*misp.ObjectRelationship) (misp.LibraryResult, error) {
	const library = "object templates"
	for _, t := range templates {
		if err := t.Validate(); err != nil {
			return misp.LibraryResult{Library: library}, fmt.Errorf("import object template %q: %w", t.Name, err)
		}
	}
	for _, r := range relationships {
		if err := r.Validate(); err != nil {
			return misp.LibraryResult{Library: library}, fmt.Errorf("import object relationship %q: %w", r.Name, err)
		}
	}
	var res misp.LibraryResult
	err := db.write(ctx, func(tx *tx) error {
		res = misp.LibraryResult{Library: library}
		stored, err := objectTemplateVersions(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range templates {
			cur, ok := stored[t.UUID]
			switch {
			case !ok:
				res.Added++
			case int64(t.Version) > cur:
				res.Updated++
			default:
				res.Unchanged++
				continue
			}
			if err := insertObjectTemplate(ctx, tx, t); err != nil {
				if errors.Is(err, misp.ErrConflict) {
					// A concurrent import stored this version after our
					// snapshot was taken: a new run finds it unchanged.
					return &retryError{err}
				}
				return fmt.Errorf("object template %q version %d: %w", t.Name, t.Version, err)
			}
			stored[t.UUID] = int64(t.Version)
		}
		return importObjectRelationships(ctx, tx, relationships)
	})
	if err != nil {
		return misp.LibraryResult{Library: library}, fmt.Errorf("import object templates: %w", err)
	}
	return res, nil
}

// objectTemplateVersions returns the highest stored version of each uuid.
func objectTemplateVersions(ctx context.Context, tx *tx) (map[string]int64, error) {
	versions := make(map[string]int64)
	err := tx.each(ctx, "SELECT uuid, MAX(version) FROM object_templates GROUP BY uuid", nil, func(rows *sql.Rows) error {
		var uuid string
		var v int64
		if err := rows.Scan(&uuid, &v); err != nil {
			return err
		}
		versions[uuid] = v
		return nil
	})
	return versions, err
}

var objectTemplateElementInsertCols = []string{"object_template_id", "object_relation", "type", "ui_priority",
	"categories", "sane_default", "values_list", "description", "disable_correlation", "multiple"}

// insertObjectTemplate adds t (validated) as a fixed library template, its
// elements, and makes it the active version of its uuid.
func insertObjectTemplate(ctx context.Context, tx *tx, t *misp.ObjectTemplate) error {
	req, err := t.Requirements.MarshalJSON()
	if err != nil {
		return err
	}
	raw := string(t.Raw)
	if len(t.Raw) == 0 {
		raw = "{}"
	}
	err = tx.get(ctx, `INSERT INTO object_templates (user_id, org_id, uuid, name, meta_category,
			description, version, requirements, fixed, active, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, FALSE, $9) RETURNING id`,
		[]any{int64(t.UserID), int64(t.OrgID), t.UUID, t.Name, t.MetaCategory, t.Description,
			int64(t.Version), string(req), raw},
		&t.ID)
	if err != nil {
		return err
	}
	t.Fixed, t.Active = true, true
	if err := activateObjectTemplate(ctx, tx, int64(t.ID), t.UUID); err != nil {
		return err
	}
	rows := make([][]any, len(t.Elements))
	for i, e := range t.Elements {
		e.ObjectTemplateID = t.ID
		rows[i] = []any{int64(t.ID), e.ObjectRelation, e.Type, int64(e.UIPriority),
			jsonList(e.Categories), jsonList(e.SaneDefault), jsonList(e.ValuesList), e.Description,
			boolPtrArg(e.DisableCorrelation), bool(e.Multiple)}
	}
	return tx.insertRows(ctx, "object_template_elements", objectTemplateElementInsertCols, rows, "")
}

// importObjectRelationships replaces the relationship types as MISP's
// ObjectRelationship::update does: those of a version older than the
// library's are deleted, and names not stored yet are added.
func importObjectRelationships(ctx context.Context, tx *tx, rels []*misp.ObjectRelationship) error {
	if len(rels) == 0 {
		return nil
	}
	var version misp.Int
	for _, r := range rels {
		version = max(version, r.Version)
	}
	if _, err := tx.exec(ctx, "DELETE FROM object_relationships WHERE version < $1", int64(version)); err != nil {
		return fmt.Errorf("delete old object relationships: %w", err)
	}
	rows := make([][]any, len(rels))
	for i, r := range rels {
		rows[i] = []any{int64(r.Version), r.Name, r.Description, jsonList(r.Format)}
	}
	return tx.insertRows(ctx, "object_relationships", []string{"version", "name", "description", "format"},
		rows, "ON CONFLICT (name) DO NOTHING")
}
