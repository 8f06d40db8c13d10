package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

const tagCols = `t.id, t.name, t.colour, t.exportable, t.org_id, t.user_id, t.hide_tag,
	t.numerical_value, t.is_galaxy, t.is_custom_galaxy, t.local_only`

func scanTag(s interface{ Scan(...any) error }) (*misp.Tag, error) {
	t := &misp.Tag{}
	err := s.Scan(&t.ID, &t.Name, &t.Colour, scanBool(&t.Exportable), &t.OrgID, &t.UserID,
		scanBool(&t.HideTag), scanNullInt(&t.NumericalValue), scanBool(&t.IsGalaxy),
		scanBool(&t.IsCustomGalaxy), scanBool(&t.LocalOnly))
	return t, err
}

// scanAttachedTag scans tagCols followed by the link's owner id, local and
// relationship_type.
func scanAttachedTag(s interface{ Scan(...any) error }) (owner int64, _ *misp.AttachedTag, _ error) {
	t := &misp.AttachedTag{}
	var orgID int64
	err := s.Scan(&t.ID, &t.Name, &t.Colour, scanBool(&t.Exportable), &orgID, &t.UserID,
		scanBool(&t.HideTag), scanNullInt(&t.NumericalValue), scanBool(&t.IsGalaxy),
		scanBool(&t.IsCustomGalaxy), scanBool(&t.LocalOnly),
		&owner, scanBool(&t.Local), scanNullString(&t.RelationshipType))
	return owner, t, err
}

// CreateTag stores t (validated by the caller), setting ID.
// ErrConflict if a tag with that name (case-insensitive) exists.
func (db *DB) CreateTag(ctx context.Context, t *misp.Tag) error {
	err := db.write(ctx, func(tx *tx) error { return insertTag(ctx, tx, t) })
	if err != nil {
		return fmt.Errorf("create tag %q: %w", t.Name, err)
	}
	return nil
}

func insertTag(ctx context.Context, tx *tx, t *misp.Tag) error {
	return tx.get(ctx, `INSERT INTO tags (name, colour, exportable, org_id, user_id, hide_tag,
			numerical_value, is_galaxy, is_custom_galaxy, local_only)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		[]any{t.Name, t.Colour, bool(t.Exportable), int64(t.OrgID), int64(t.UserID), bool(t.HideTag),
			intPtrArg(t.NumericalValue), bool(t.IsGalaxy), bool(t.IsCustomGalaxy), bool(t.LocalOnly)},
		&t.ID)
}

// FindTagByID returns a tag. ErrNotFound.
func (db *DB) FindTagByID(ctx context.Context, id int64) (*misp.Tag, error) {
	var t *misp.Tag
	err := db.read(ctx, func(tx *tx) error {
		var err error
		t, err = findTag(ctx, tx, "t.id = $1", id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find tag %d: %w", id, err)
	}
	return t, nil
}

// FindTagByName returns a tag by case-insensitive name. ErrNotFound.
func (db *DB) FindTagByName(ctx context.Context, name string) (*misp.Tag, error) {
	var t *misp.Tag
	err := db.read(ctx, func(tx *tx) error {
		var err error
		t, err = findTagByName(ctx, tx, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find tag %q: %w", name, err)
	}
	return t, nil
}

func findTagByName(ctx context.Context, tx *tx, name string) (*misp.Tag, error) {
	return findTag(ctx, tx, "lower(t.name) = lower($1)", strings.TrimSpace(name))
}

func findTag(ctx context.Context, tx *tx, where string, arg any) (*misp.Tag, error) {
	var t *misp.Tag
	err := tx.one(ctx, "SELECT "+tagCols+" FROM tags t WHERE "+where, []any{arg}, func(rows *sql.Rows) error {
		var err error
		t, err = scanTag(rows)
		return err
	})
	return t, err
}

// FindTags lists tags ordered by name.
func (db *DB) FindTags(ctx context.Context, f misp.TagFilter) ([]*misp.Tag, error) {
	var a args
	q := "SELECT " + tagCols + " FROM tags t"
	if len(f.Names) > 0 {
		var ors []string
		for _, n := range f.Names {
			if strings.Contains(n, "%") {
				ors = append(ors, "lower(t.name) LIKE lower("+a.add(n)+")")
			} else {
				ors = append(ors, "lower(t.name) = lower("+a.add(strings.TrimSpace(n))+")")
			}
		}
		q += " WHERE " + strings.Join(ors, " OR ")
	}
	q += " ORDER BY lower(t.name), t.id" + limitOffset(&a, f.Limit, f.Offset)
	var tags []*misp.Tag
	err := db.read(ctx, func(tx *tx) error {
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			t, err := scanTag(rows)
			tags = append(tags, t)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find tags: %w", err)
	}
	return tags, nil
}

// UpdateTag applies upd, recomputing the galaxy flags from the name.
// ErrNotFound, ErrConflict (name taken), ErrInvalid (bad name or colour).
func (db *DB) UpdateTag(ctx context.Context, id int64, upd misp.TagUpdate) (*misp.Tag, error) {
	var t *misp.Tag
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if t, err = findTag(ctx, tx, "t.id = $1", id); err != nil {
			return err
		}
		setIf(&t.Name, upd.Name)
		setIf(&t.Colour, upd.Colour)
		setBoolIf(&t.Exportable, upd.Exportable)
		setIntIf(&t.OrgID, upd.OrgID)
		setIntIf(&t.UserID, upd.UserID)
		setBoolIf(&t.HideTag, upd.HideTag)
		setBoolIf(&t.LocalOnly, upd.LocalOnly)
		if upd.NumericalValue != nil {
			t.NumericalValue = nil
			if *upd.NumericalValue != nil {
				v := misp.Int(**upd.NumericalValue)
				t.NumericalValue = &v
			}
		}
		if err := t.Validate(); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE tags SET name = $1, colour = $2, exportable = $3, org_id = $4,
				user_id = $5, hide_tag = $6, numerical_value = $7, is_galaxy = $8,
				is_custom_galaxy = $9, local_only = $10
			WHERE id = $11`,
			t.Name, t.Colour, bool(t.Exportable), int64(t.OrgID), int64(t.UserID), bool(t.HideTag),
			intPtrArg(t.NumericalValue), bool(t.IsGalaxy), bool(t.IsCustomGalaxy), bool(t.LocalOnly), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update tag %d: %w", id, err)
	}
	return t, nil
}

// DeleteTag removes a tag and (by cascade) every attachment of it. ErrNotFound.
func (db *DB) DeleteTag(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		n, err := tx.execN(ctx, "DELETE FROM tags WHERE id = $1", id)
		if err == nil && n == 0 {
			err = misp.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete tag %d: %w", id, err)
	}
	return nil
}

// AttachEventTag links a tag to an event visible to actor; a global link
// unpublishes the event and bumps its timestamp. Reports false if the tag
// was already attached. ErrNotFound if the event is not visible or the
// tag does not exist.
func (db *DB) AttachEventTag(ctx context.Context, actor *misp.Actor, eventID, tagID int64, local bool, relationshipType *string) (bool, error) {
	var added bool
	err := db.write(ctx, func(tx *tx) error {
		if _, err := visibleEvent(ctx, tx, actor, eventID); err != nil {
			return err
		}
		if _, err := findTag(ctx, tx, "t.id = $1", tagID); err != nil {
			return err
		}
		var err error
		if added, err = attachEventTag(ctx, tx, eventID, tagID, local, relationshipType); err != nil || !added || local {
			return err
		}
		return touchEvent(ctx, tx, eventID)
	})
	if err != nil {
		return false, fmt.Errorf("attach tag %d to event %d: %w", tagID, eventID, err)
	}
	return added, nil
}

// DetachEventTag removes the link; ErrNotFound if there was none or the
// event is not visible. Removing a global link unpublishes the event.
func (db *DB) DetachEventTag(ctx context.Context, actor *misp.Actor, eventID, tagID int64) error {
	err := db.write(ctx, func(tx *tx) error {
		if _, err := visibleEvent(ctx, tx, actor, eventID); err != nil {
			return err
		}
		return detachEventTag(ctx, tx, eventID, tagID)
	})
	if err != nil {
		return fmt.Errorf("detach tag %d from event %d: %w", tagID, eventID, err)
	}
	return nil
}

func attachEventTag(ctx context.Context, tx *tx, eventID, tagID int64, local bool, rel *string) (bool, error) {
	n, err := tx.execN(ctx, `INSERT INTO event_tags (event_id, tag_id, local, relationship_type)
		VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, tag_id) DO NOTHING`,
		eventID, tagID, local, stringArg(rel))
	return n > 0, err
}

func detachEventTag(ctx context.Context, tx *tx, eventID, tagID int64) error {
	var local bool
	err := tx.get(ctx, "DELETE FROM event_tags WHERE event_id = $1 AND tag_id = $2 RETURNING local",
		[]any{eventID, tagID}, scanPlainBool(&local))
	if err != nil || local {
		return err
	}
	return touchEvent(ctx, tx, eventID)
}

// AttachAttributeTag links a tag to an attribute visible to actor; a
// global link bumps the attribute and unpublishes its event.
func (db *DB) AttachAttributeTag(ctx context.Context, actor *misp.Actor, attributeID, tagID int64, local bool, relationshipType *string) (bool, error) {
	var added bool
	err := db.write(ctx, func(tx *tx) error {
		ref, err := visibleAttribute(ctx, tx, actor, attributeID)
		if err != nil {
			return err
		}
		if _, err := findTag(ctx, tx, "t.id = $1", tagID); err != nil {
			return err
		}
		if added, err = attachAttributeTag(ctx, tx, ref, tagID, local, relationshipType); err != nil || !added || local {
			return err
		}
		return touchAttribute(ctx, tx, ref)
	})
	if err != nil {
		return false, fmt.Errorf("attach tag %d to attribute %d: %w", tagID, attributeID, err)
	}
	return added, nil
}

// DetachAttributeTag removes the link; ErrNotFound if there was none or
// the attribute is not visible.
func (db *DB) DetachAttributeTag(ctx context.Context, actor *misp.Actor, attributeID, tagID int64) error {
	err := db.write(ctx, func(tx *tx) error {
		ref, err := visibleAttribute(ctx, tx, actor, attributeID)
		if err != nil {
			return err
		}
		return detachAttributeTag(ctx, tx, ref, tagID)
	})
	if err != nil {
		return fmt.Errorf("detach tag %d from attribute %d: %w", tagID, attributeID, err)
	}
	return nil
}

func attachAttributeTag(ctx context.Context, tx *tx, ref attrRef, tagID int64, local bool, rel *string) (bool, error) {
	n, err := tx.execN(ctx, `INSERT INTO attribute_tags (attribute_id, event_id, tag_id, local, relationship_type)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (attribute_id, tag_id) DO NOTHING`,
		ref.id, ref.eventID, tagID, local, stringArg(rel))
	return n > 0, err
}

func detachAttributeTag(ctx context.Context, tx *tx, ref attrRef, tagID int64) error {
	var local bool
	err := tx.get(ctx, "DELETE FROM attribute_tags WHERE attribute_id = $1 AND tag_id = $2 RETURNING local",
		[]any{ref.id, tagID}, scanPlainBool(&local))
	if err != nil || local {
		return err
	}
	return touchAttribute(ctx, tx, ref)
}

// tagResolver finds the tags named in an incoming event by name
// (case-insensitively), creating unknown ones when create is set, with a
// cache so a large import looks each name up once.
type tagResolver struct {
	create bool
	cache  map[string]*misp.Tag // lower-case name → tag, nil = skipped
}

func newTagResolver(create bool) *tagResolver {
	return &tagResolver{create: create, cache: make(map[string]*misp.Tag)}
}

// resolve returns the tag for an attached tag, or nil if it is unknown
// and may not be created. An unknown tag listed as deleted is never
// created: there is nothing to detach.
func (r *tagResolver) resolve(ctx context.Context, tx *tx, at *misp.AttachedTag) (*misp.Tag, error) {
	name := strings.TrimSpace(at.Name)
	key := strings.ToLower(name)
	if t, ok := r.cache[key]; ok {
		return t, nil
	}
	t, err := findTagByName(ctx, tx, name)
	switch {
	case err == nil:
	case !errors.Is(err, misp.ErrNotFound):
		return nil, err
	case bool(at.Deleted):
		// Not cached: a later entry of the same name may create it.
		return nil, nil
	case !r.create || name == "":
		t = nil
	default:
		t = &misp.Tag{Name: name, Colour: at.Colour, Exportable: true, HideTag: at.HideTag,
			NumericalValue: at.NumericalValue, LocalOnly: at.LocalOnly}
		if err := t.Validate(); err != nil {
			// A bad colour is not worth refusing the tag for.
			t.Colour = ""
			if err := t.Validate(); err != nil {
				return nil, err
			}
		}
		if err := insertTag(ctx, tx, t); err != nil {
			if errors.Is(err, misp.ErrConflict) {
				// A concurrent transaction created the tag after our
				// snapshot was taken: a new run will find it.
				return nil, &retryError{err}
			}
			return nil, err
		}
	}
	r.cache[key] = t
	return t, nil
}

// fill copies the stored tag into the attached tag, keeping the link fields.
func fillAttached(at *misp.AttachedTag, t *misp.Tag) {
	*at = *t.Attach(bool(at.Local), at.RelationshipType)
}

// scanPlainBool scans a boolean column into a bool.
func scanPlainBool(p *bool) sql.Scanner { return plainBoolScanner{p} }

type plainBoolScanner struct{ p *bool }

func (s plainBoolScanner) Scan(src any) error {
	b, err := asBool(src)
	*s.p = b
	return err
}
