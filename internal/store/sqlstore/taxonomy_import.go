package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// ImportTaxonomies stores a taxonomy library in one transaction: new
// namespaces are added, newer versions replace the stored predicates and
// entries (keeping id, enabled and required), the rest is left unchanged.
// The tags already stored for an added or replaced taxonomy are brought
// in line with it, as MISP's Taxonomy::__updateTags does.
//
// MISP deletes a replaced taxonomy and inserts it anew, so its id changes
// and required is lost; Razmena keeps both.
func (db *DB) ImportTaxonomies(ctx context.Context, ts []*misp.Taxonomy) (misp.LibraryResult, error) {
	res := misp.LibraryResult{Library: "taxonomies"}
	v := &misp.ValidationError{}
	seen := make(map[string]bool, len(ts))
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return res, fmt.Errorf("import taxonomy %q: %w", t.Namespace, err)
		}
		ns := strings.ToLower(t.Namespace)
		if seen[ns] {
			v.Add("namespace", fmt.Sprintf("The namespace %q is given twice.", t.Namespace))
		}
		seen[ns] = true
	}
	if err := v.Err(); err != nil {
		return res, fmt.Errorf("import taxonomies: %w", err)
	}
	err := db.write(ctx, func(tx *tx) error {
		res = misp.LibraryResult{Library: "taxonomies"}
		type stored struct {
			id      int64
			version int64
		}
		existing := make(map[string]stored)
		err := tx.each(ctx, "SELECT id, namespace, version FROM taxonomies", nil, func(rows *sql.Rows) error {
			var s stored
			var ns string
			err := rows.Scan(&s.id, &ns, &s.version)
			existing[strings.ToLower(ns)] = s
			return err
		})
		if err != nil {
			return err
		}
		for _, t := range ts {
			cur, ok := existing[strings.ToLower(t.Namespace)]
			switch {
			case !ok:
				err = tx.get(ctx, `INSERT INTO taxonomies (namespace, description, version, enabled, exclusive,
						required, highlighted)
					VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
					[]any{t.Namespace, t.Description, int64(t.Version), false, bool(t.Exclusive), false, bool(t.Highlighted)},
					&t.ID)
				res.Added++
			case int64(t.Version) > cur.version:
				t.ID = misp.Int(cur.id)
				err = replaceTaxonomyRow(ctx, tx, t)
				res.Updated++
			default:
				t.ID = misp.Int(cur.id)
				res.Unchanged++
				continue
			}
			if err != nil {
				return fmt.Errorf("store taxonomy %s: %w", t.Namespace, err)
			}
			if err := insertPredicates(ctx, tx, t); err != nil {
				return fmt.Errorf("store taxonomy %s: %w", t.Namespace, err)
			}
			if err := alignStoredTags(ctx, tx, t); err != nil {
				return fmt.Errorf("store taxonomy %s: %w", t.Namespace, err)
			}
		}
		return nil
	})
	if err != nil {
		return misp.LibraryResult{Library: "taxonomies"}, fmt.Errorf("import taxonomies: %w", err)
	}
	return res, nil
}

// replaceTaxonomyRow updates the row of t from the file and removes its
// predicates and entries; enabled and required stay as they are.
func replaceTaxonomyRow(ctx context.Context, tx *tx, t *misp.Taxonomy) error {
	if _, err := tx.exec(ctx, `UPDATE taxonomies SET namespace = $1, description = $2, version = $3,
			exclusive = $4, highlighted = $5
		WHERE id = $6`,
		t.Namespace, t.Description, int64(t.Version), bool(t.Exclusive), bool(t.Highlighted), int64(t.ID)); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM taxonomy_entries WHERE taxonomy_id = $1", int64(t.ID)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "DELETE FROM taxonomy_predicates WHERE taxonomy_id = $1", int64(t.ID))
	return err
}

var taxonomyEntryCols = []string{"taxonomy_predicate_id", "taxonomy_id", "value", "expanded", "colour",
	"description", "numerical_value", "tag_name", "tag_colour"}

// insertPredicates stores the predicates and entries of t (whose ID is
// set) in file order, setting their IDs but the entries'.
func insertPredicates(ctx context.Context, tx *tx, t *misp.Taxonomy) error {
	var entries [][]any
	for _, p := range t.Predicates {
		var tagName any // NULL: the entries are the tags
		if len(p.Entries) == 0 {
			tagName = t.Namespace + ":" + p.Value
		}
		err := tx.get(ctx, `INSERT INTO taxonomy_predicates (taxonomy_id, value, expanded, colour, description,
				exclusive, numerical_value, tag_name, tag_colour)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			[]any{int64(t.ID), p.Value, p.Expanded, p.Colour, p.Description, bool(p.Exclusive),
				intPtrArg(p.NumericalValue), tagName, p.TagColour},
			&p.ID)
		if err != nil {
			return fmt.Errorf("insert predicate %q: %w", p.Value, err)
		}
		for _, e := range p.Entries {
			entries = append(entries, []any{int64(p.ID), int64(t.ID), e.Value, e.Expanded, e.Colour,
				e.Description, intPtrArg(e.NumericalValue), t.Namespace + ":" + p.Value + `="` + e.Value + `"`, e.TagColour})
		}
	}
	return tx.insertRows(ctx, "taxonomy_entries", taxonomyEntryCols, entries, "")
}

// alignStoredTags gives the stored tags of t's definitions the defined
// name (case), colour and, when defined, numerical value
// (Taxonomy::__updateTags). Hidden tags stay hidden.
func alignStoredTags(ctx context.Context, tx *tx, t *misp.Taxonomy) error {
	stored, err := storedTaxonomyTags(ctx, tx, int64(t.ID))
	if err != nil || len(stored) == 0 {
		return err
	}
	for _, def := range t.Tags() {
		tag := stored[def.Name]
		if tag == nil {
			continue
		}
		if _, err := updateTagFromDefinition(ctx, tx, tag, def, bool(tag.HideTag)); err != nil {
			return err
		}
	}
	return nil
}

// updateTagFromDefinition gives tag the name, colour and (when defined)
// numerical value of def, and the hidden flag hide, writing only when
// something changes; it reports whether it did.
func updateTagFromDefinition(ctx context.Context, tx *tx, tag *misp.Tag, def *misp.TaxonomyTag, hide bool) (bool, error) {
	colour := def.TagColour
	if colour == "" {
		colour = misp.TagColour(def.Name)
	}
	nv := tag.NumericalValue
	if def.NumericalValue != nil {
		nv = def.NumericalValue
	}
	if tag.Name == def.Name && tag.Colour == colour && bool(tag.HideTag) == hide && equalIntPtr(tag.NumericalValue, nv) {
		return false, nil
	}
	_, err := tx.exec(ctx, "UPDATE tags SET name = $1, colour = $2, hide_tag = $3, numerical_value = $4 WHERE id = $5",
		def.Name, colour, hide, intPtrArg(nv), int64(tag.ID))
	if err != nil {
		return false, fmt.Errorf("update tag %q: %w", def.Name, err)
	}
	tag.Name, tag.Colour, tag.HideTag, tag.NumericalValue = def.Name, colour, misp.Bool(hide), nv
	return true, nil
}

func equalIntPtr(a, b *misp.Int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
