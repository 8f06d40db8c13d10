package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// EnableTaxonomyTags creates or unhides the tags of taxonomy id — all of
// them, or those named exactly in names — as Taxonomy::addTags does:
// a missing tag is created exportable with the definition's colour and
// numerical value; an existing one (case-insensitive) is unhidden and
// given the definition's name, colour and numerical value. A definition
// that is not a valid tag name (over 255 characters) is skipped, as
// MISP's failed save is. It returns the number of tags created or
// changed. ErrNotFound.
func (db *DB) EnableTaxonomyTags(ctx context.Context, id int64, names []string) (int, error) {
	var n int
	err := db.write(ctx, func(tx *tx) error {
		n = 0
		t, err := findTaxonomy(ctx, tx, "x.id = $1", id)
		if err != nil {
			return err
		}
		stored, err := storedTaxonomyTags(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, def := range t.Tags() {
			if len(names) > 0 && !slices.Contains(names, def.Name) {
				continue
			}
			if tag := stored[def.Name]; tag != nil {
				changed, err := updateTagFromDefinition(ctx, tx, tag, def, false)
				if err != nil {
					return err
				}
				if changed {
					n++
				}
				continue
			}
			tag := &misp.Tag{Name: def.Name, Colour: def.TagColour, Exportable: true, NumericalValue: def.NumericalValue}
			if tag.Validate() != nil {
				continue
			}
			if err := insertTag(ctx, tx, tag); err != nil {
				if errors.Is(err, misp.ErrConflict) {
					// Created by a concurrent transaction after our
					// snapshot: a new run finds it.
					return &retryError{err}
				}
				return fmt.Errorf("create tag %q: %w", def.Name, err)
			}
			stored[def.Name] = tag
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enable tags of taxonomy %d: %w", id, err)
	}
	return n, nil
}

// DisableTaxonomyTags hides the stored tags of taxonomy id — all of
// them, or those named in names (case-insensitive) — and returns how many
// it hid. ErrNotFound.
func (db *DB) DisableTaxonomyTags(ctx context.Context, id int64, names []string) (int, error) {
	var n int
	err := db.write(ctx, func(tx *tx) error {
		if ok, err := tx.exists(ctx, "SELECT 1 FROM taxonomies WHERE id = $1", id); err != nil || !ok {
			if err == nil {
				err = misp.ErrNotFound
			}
			return err
		}
		var err error
		n, err = hideTaxonomyTags(ctx, tx, id, names)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("disable tags of taxonomy %d: %w", id, err)
	}
	return n, nil
}

// hideTaxonomyTags sets hide_tag on the visible stored tags that taxonomy
// id defines, restricted to names (case-insensitive) when not empty.
func hideTaxonomyTags(ctx context.Context, tx *tx, id int64, names []string) (int, error) {
	base := `UPDATE tags SET hide_tag = TRUE WHERE hide_tag = FALSE
		AND lower(name) IN (SELECT lower(d.tag_name) FROM (` + definedTags("taxonomy_id = $1") + `) d)`
	if len(names) == 0 {
		n, err := tx.execN(ctx, base, id)
		return int(n), err
	}
	total := 0
	for _, chunk := range chunks(names, inChunk) {
		a := args{id}
		n, err := tx.execN(ctx, base+" AND lower(name) IN ("+lowerInList(&a, chunk)+")", a...)
		if err != nil {
			return 0, err
		}
		total += int(n)
	}
	return total, nil
}

// lowerInList is inList for a case-insensitive match: "lower($2), …",
// trimmed values, lowered by the database as the column it meets.
func lowerInList(a *args, vs []string) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("lower(" + a.add(strings.TrimSpace(v)) + ")")
	}
	return b.String()
}
