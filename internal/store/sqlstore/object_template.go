package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

var _ misp.ObjectTemplateStore = (*DB)(nil)

const objectTemplateCols = `ot.id, ot.user_id, ot.org_id, ot.uuid, ot.name, ot.meta_category,
	ot.description, ot.version, ot.requirements, ot.fixed, ot.active`

func scanObjectTemplate(s interface{ Scan(...any) error }, extra ...any) (*misp.ObjectTemplate, error) {
	t := &misp.ObjectTemplate{}
	var req string
	dest := append([]any{&t.ID, &t.UserID, &t.OrgID, &t.UUID, &t.Name, &t.MetaCategory,
		&t.Description, &t.Version, &req, scanBool(&t.Fixed), scanBool(&t.Active)}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(req), &t.Requirements); err != nil {
		return nil, fmt.Errorf("object template %d: %w", t.ID, err)
	}
	return t, nil
}

const objectTemplateElementCols = `id, object_template_id, object_relation, type, ui_priority,
	categories, sane_default, values_list, description, disable_correlation, multiple`

func scanObjectTemplateElement(s interface{ Scan(...any) error }) (*misp.ObjectTemplateElement, error) {
	e := &misp.ObjectTemplateElement{}
	err := s.Scan(&e.ID, &e.ObjectTemplateID, &e.ObjectRelation, &e.Type, &e.UIPriority,
		scanJSONList(&e.Categories), scanJSONList(&e.SaneDefault), scanJSONList(&e.ValuesList),
		&e.Description, scanNullBool(&e.DisableCorrelation), scanBool(&e.Multiple))
	return e, err
}

// FindObjectTemplates lists templates without their elements, in id
// order: the active ones, or all with f.All; f.Search matches uuid, name,
// meta-category and description case-insensitively.
func (db *DB) FindObjectTemplates(ctx context.Context, f misp.ObjectTemplateFilter) ([]*misp.ObjectTemplate, error) {
	var (
		a     args
		conds []string
	)
	if !f.All {
		conds = append(conds, "ot.active = TRUE")
	}
	if f.Search != "" {
		p := a.add("%" + strings.ToLower(f.Search) + "%")
		conds = append(conds, "(lower(ot.uuid) LIKE "+p+" OR lower(ot.name) LIKE "+p+
			" OR lower(ot.meta_category) LIKE "+p+" OR lower(ot.description) LIKE "+p+")")
	}
	q := "SELECT " + objectTemplateCols + " FROM object_templates ot"
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY ot.id"
	var out []*misp.ObjectTemplate
	err := db.read(ctx, func(tx *tx) error {
		out = []*misp.ObjectTemplate{}
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			t, err := scanObjectTemplate(rows)
			out = append(out, t)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find object templates: %w", err)
	}
	return out, nil
}

// FindObjectTemplateByID returns a template with its elements and raw
// definition. ErrNotFound.
func (db *DB) FindObjectTemplateByID(ctx context.Context, id int64) (*misp.ObjectTemplate, error) {
	t, err := db.findFullObjectTemplate(ctx, "ot.id = $1", []any{id})
	if err != nil {
		return nil, fmt.Errorf("find object template %d: %w", id, err)
	}
	return t, nil
}

// FindObjectTemplateByUUID returns the given version of a template, or
// its highest version when version is 0, active or not. ErrNotFound.
func (db *DB) FindObjectTemplateByUUID(ctx context.Context, uuid string, version int64) (*misp.ObjectTemplate, error) {
	where, a := "ot.uuid = $1", []any{misp.NormalizeUUID(uuid)}
	if version != 0 {
		where, a = where+" AND ot.version = $2", append(a, version)
	}
	t, err := db.findFullObjectTemplate(ctx, where, a)
	if err != nil {
		return nil, fmt.Errorf("find object template %s version %d: %w", uuid, version, err)
	}
	return t, nil
}

// FindObjectTemplateByName returns the highest version of the template
// named name (exactly). ErrNotFound.
func (db *DB) FindObjectTemplateByName(ctx context.Context, name string) (*misp.ObjectTemplate, error) {
	t, err := db.findFullObjectTemplate(ctx, "ot.name = $1", []any{name})
	if err != nil {
		return nil, fmt.Errorf("find object template %q: %w", name, err)
	}
	return t, nil
}

// findFullObjectTemplate reads the highest version matching where, with
// its raw definition and elements.
func (db *DB) findFullObjectTemplate(ctx context.Context, where string, a []any) (*misp.ObjectTemplate, error) {
	var t *misp.ObjectTemplate
	err := db.read(ctx, func(tx *tx) error {
		var raw string
		err := tx.one(ctx, "SELECT "+objectTemplateCols+", ot.raw FROM object_templates ot WHERE "+where+
			" ORDER BY ot.version DESC, ot.id DESC LIMIT 1", a, func(rows *sql.Rows) error {
			var err error
			t, err = scanObjectTemplate(rows, &raw)
			return err
		})
		if err != nil {
			return err
		}
		t.Raw = json.RawMessage(raw)
		t.Elements, err = findObjectTemplateElements(ctx, tx, int64(t.ID))
		return err
	})
	return t, err
}

func findObjectTemplateElements(ctx context.Context, tx *tx, id int64) ([]*misp.ObjectTemplateElement, error) {
	elements := []*misp.ObjectTemplateElement{}
	err := tx.each(ctx, "SELECT "+objectTemplateElementCols+
		" FROM object_template_elements WHERE object_template_id = $1 ORDER BY id", []any{id},
		func(rows *sql.Rows) error {
			e, err := scanObjectTemplateElement(rows)
			elements = append(elements, e)
			return err
		})
	return elements, err
}

// ToggleObjectTemplate switches a template version's active flag as
// MISP's ObjectTemplate::setActive does and reports whether it is now
// active. ErrNotFound.
func (db *DB) ToggleObjectTemplate(ctx context.Context, id int64) (bool, error) {
	var active bool
	err := db.write(ctx, func(tx *tx) error {
		var uuid string
		if err := tx.get(ctx, "SELECT uuid, active FROM object_templates WHERE id = $1",
			[]any{id}, &uuid, scanPlainBool(&active)); err != nil {
			return err
		}
		if active {
			active = false
			_, err := tx.exec(ctx, "UPDATE object_templates SET active = FALSE WHERE id = $1", id)
			return err
		}
		active = true
		return activateObjectTemplate(ctx, tx, id, uuid)
	})
	if err != nil {
		return false, fmt.Errorf("toggle object template %d: %w", id, err)
	}
	return active, nil
}

// activateObjectTemplate makes id the one active version of uuid.
func activateObjectTemplate(ctx context.Context, tx *tx, id int64, uuid string) error {
	_, err := tx.exec(ctx, `UPDATE object_templates SET active = (id = $1)
		WHERE uuid = $2 AND (id = $1 OR active = TRUE)`, id, uuid)
	return err
}

// DeleteObjectTemplate removes a template version and (by cascade) its
// elements. ErrNotFound.
func (db *DB) DeleteObjectTemplate(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		n, err := tx.execN(ctx, "DELETE FROM object_templates WHERE id = $1", id)
		if err == nil && n == 0 {
			err = misp.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete object template %d: %w", id, err)
	}
	return nil
}

// FindObjectRelationships lists the relationship types in library order.
func (db *DB) FindObjectRelationships(ctx context.Context) ([]*misp.ObjectRelationship, error) {
	var out []*misp.ObjectRelationship
	err := db.read(ctx, func(tx *tx) error {
		out = []*misp.ObjectRelationship{}
		return tx.each(ctx, "SELECT id, version, name, description, format FROM object_relationships ORDER BY id", nil,
			func(rows *sql.Rows) error {
				r := &misp.ObjectRelationship{}
				err := rows.Scan(&r.ID, &r.Version, &r.Name, &r.Description, scanJSONList(&r.Format))
				out = append(out, r)
				return err
			})
	})
	if err != nil {
		return nil, fmt.Errorf("find object relationships: %w", err)
	}
	return out, nil
}
