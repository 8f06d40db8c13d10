package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// The taxonomy library: MISP's taxonomies, taxonomy_predicates and
// taxonomy_entries, plus the tag_name and tag_colour of every tag a
// taxonomy defines (migration 00006). Imports are in taxonomy_import.go,
// the tag operations in taxonomy_tag.go.

var _ misp.TaxonomyStore = (*DB)(nil)

const taxonomyCols = `x.id, x.namespace, x.description, x.version, x.enabled, x.exclusive,
	x.required, x.highlighted`

func scanTaxonomy(s interface{ Scan(...any) error }, extra ...any) (*misp.Taxonomy, error) {
	t := &misp.Taxonomy{}
	dest := append([]any{&t.ID, &t.Namespace, &t.Description, &t.Version, scanBool(&t.Enabled),
		scanBool(&t.Exclusive), scanBool(&t.Required), scanBool(&t.Highlighted)}, extra...)
	return t, s.Scan(dest...)
}

// definedTags is the machine tags of every taxonomy (taxonomy_id,
// tag_name): its entries and its predicates without entries. where, when
// not empty, restricts both halves (columns taxonomy_id and tag_name).
func definedTags(where string) string {
	if where != "" {
		where = " AND " + where
	}
	return `SELECT taxonomy_id, tag_name FROM taxonomy_predicates WHERE tag_name IS NOT NULL` + where +
		` UNION ALL SELECT taxonomy_id, tag_name FROM taxonomy_entries WHERE TRUE` + where
}

// FindTaxonomies lists the taxonomies ordered by id with the number of
// tags each defines and how many of those exist unhidden (MISP's
// TaxonomiesController::__tagCount).
func (db *DB) FindTaxonomies(ctx context.Context, f misp.TaxonomyFilter) ([]*misp.TaxonomyListItem, error) {
	var a args
	var where []string
	if v := strings.TrimSpace(f.Value); v != "" {
		p := a.add("%" + strings.ToLower(v) + "%")
		// MISP's TaxonomiesController::__search.
		where = append(where, `(lower(x.namespace) LIKE `+p+` OR lower(x.description) LIKE `+p+`
			OR x.id IN (SELECT p.taxonomy_id FROM taxonomy_predicates p
				WHERE lower(p.value) LIKE `+p+` OR lower(p.expanded) LIKE `+p+`)
			OR x.id IN (SELECT e.taxonomy_id FROM taxonomy_entries e
				WHERE lower(e.value) LIKE `+p+` OR lower(e.expanded) LIKE `+p+`))`)
	}
	if f.Enabled != nil {
		where = append(where, "x.enabled = "+a.add(*f.Enabled))
	}
	q := `WITH d AS (` + definedTags("") + `),
		c AS (SELECT d.taxonomy_id, COUNT(*) AS total, COUNT(t.id) AS present
			FROM d LEFT JOIN tags t ON lower(t.name) = lower(d.tag_name) AND t.hide_tag = FALSE
			GROUP BY d.taxonomy_id)
		SELECT ` + taxonomyCols + `, COALESCE(c.total, 0), COALESCE(c.present, 0)
		FROM taxonomies x LEFT JOIN c ON c.taxonomy_id = x.id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY x.id"
	var items []*misp.TaxonomyListItem
	err := db.read(ctx, func(tx *tx) error {
		items = nil
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			item := &misp.TaxonomyListItem{}
			var err error
			item.Taxonomy, err = scanTaxonomy(rows, &item.TotalCount, &item.CurrentCount)
			items = append(items, item)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find taxonomies: %w", err)
	}
	return items, nil
}

// FindTaxonomyByID returns a taxonomy with its predicates and entries.
// ErrNotFound.
func (db *DB) FindTaxonomyByID(ctx context.Context, id int64) (*misp.Taxonomy, error) {
	var t *misp.Taxonomy
	err := db.read(ctx, func(tx *tx) error {
		var err error
		t, err = findTaxonomy(ctx, tx, "x.id = $1", id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find taxonomy %d: %w", id, err)
	}
	return t, nil
}

// FindTaxonomyByNamespace returns a taxonomy by case-insensitive
// namespace. ErrNotFound.
func (db *DB) FindTaxonomyByNamespace(ctx context.Context, namespace string) (*misp.Taxonomy, error) {
	var t *misp.Taxonomy
	err := db.read(ctx, func(tx *tx) error {
		var err error
		t, err = findTaxonomy(ctx, tx, "lower(x.namespace) = lower($1)", strings.TrimSpace(namespace))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find taxonomy %q: %w", namespace, err)
	}
	return t, nil
}

// findTaxonomy reads the one taxonomy matching where (one argument) with
// its predicates and entries.
func findTaxonomy(ctx context.Context, tx *tx, where string, arg any) (*misp.Taxonomy, error) {
	var t *misp.Taxonomy
	err := tx.one(ctx, "SELECT "+taxonomyCols+" FROM taxonomies x WHERE "+where, []any{arg}, func(rows *sql.Rows) error {
		var err error
		t, err = scanTaxonomy(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := loadPredicates(ctx, tx, []*misp.Taxonomy{t}); err != nil {
		return nil, err
	}
	return t, nil
}

// FindTaxonomiesByNamespace returns the taxonomies of the given
// namespaces (case-insensitive), ordered by id; unknown ones are left out.
func (db *DB) FindTaxonomiesByNamespace(ctx context.Context, namespaces []string) ([]*misp.Taxonomy, error) {
	var ts []*misp.Taxonomy
	err := db.read(ctx, func(tx *tx) error {
		ts = nil
		for _, chunk := range chunks(namespaces, inChunk) {
			var a args
			err := tx.each(ctx, "SELECT "+taxonomyCols+" FROM taxonomies x WHERE lower(x.namespace) IN ("+lowerInList(&a, chunk)+")",
				a, func(rows *sql.Rows) error {
					t, err := scanTaxonomy(rows)
					ts = append(ts, t)
					return err
				})
			if err != nil {
				return err
			}
		}
		return loadPredicates(ctx, tx, ts)
	})
	if err != nil {
		return nil, fmt.Errorf("find taxonomies by namespace: %w", err)
	}
	sortByID(ts)
	return ts, nil
}

func sortByID(ts []*misp.Taxonomy) {
	slices.SortFunc(ts, func(a, b *misp.Taxonomy) int { return cmp.Compare(a.ID, b.ID) })
}

// loadPredicates fills the predicates and entries of ts, in file order
// (the order of their ids).
func loadPredicates(ctx context.Context, tx *tx, ts []*misp.Taxonomy) error {
	byID := make(map[int64]*misp.Taxonomy, len(ts))
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		t.Predicates = []*misp.TaxonomyPredicate{}
		byID[int64(t.ID)] = t
		ids = append(ids, int64(t.ID))
	}
	preds := make(map[int64]*misp.TaxonomyPredicate)
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		in := inList(&a, chunk)
		err := tx.each(ctx, `SELECT id, taxonomy_id, value, expanded, colour, description, exclusive,
				numerical_value, tag_colour
			FROM taxonomy_predicates WHERE taxonomy_id IN (`+in+`) ORDER BY id`, a, func(rows *sql.Rows) error {
			p := &misp.TaxonomyPredicate{}
			var taxID int64
			if err := rows.Scan(&p.ID, &taxID, &p.Value, &p.Expanded, &p.Colour, &p.Description,
				scanBool(&p.Exclusive), scanNullInt(&p.NumericalValue), &p.TagColour); err != nil {
				return err
			}
			t := byID[taxID]
			t.Predicates = append(t.Predicates, p)
			preds[int64(p.ID)] = p
			return nil
		})
		if err != nil {
			return fmt.Errorf("load taxonomy predicates: %w", err)
		}
		err = tx.each(ctx, `SELECT id, taxonomy_predicate_id, value, expanded, colour, description,
				numerical_value, tag_colour
			FROM taxonomy_entries WHERE taxonomy_id IN (`+in+`) ORDER BY id`, a, func(rows *sql.Rows) error {
			e := &misp.TaxonomyEntry{}
			var predID int64
			if err := rows.Scan(&e.ID, &predID, &e.Value, &e.Expanded, &e.Colour, &e.Description,
				scanNullInt(&e.NumericalValue), &e.TagColour); err != nil {
				return err
			}
			p := preds[predID]
			p.Entries = append(p.Entries, e)
			return nil
		})
		if err != nil {
			return fmt.Errorf("load taxonomy entries: %w", err)
		}
	}
	return nil
}

// FindTaxonomyTags returns the tags a taxonomy defines, each with its
// stored tag when one exists. ErrNotFound.
func (db *DB) FindTaxonomyTags(ctx context.Context, id int64) ([]*misp.TaxonomyTag, error) {
	var tags []*misp.TaxonomyTag
	err := db.read(ctx, func(tx *tx) error {
		t, err := findTaxonomy(ctx, tx, "x.id = $1", id)
		if err != nil {
			return err
		}
		tags, err = taxonomyTagsWithStored(ctx, tx, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find tags of taxonomy %d: %w", id, err)
	}
	return tags, nil
}

// taxonomyTagsWithStored returns t.Tags() with the stored tag of each.
func taxonomyTagsWithStored(ctx context.Context, tx *tx, t *misp.Taxonomy) ([]*misp.TaxonomyTag, error) {
	stored, err := storedTaxonomyTags(ctx, tx, int64(t.ID))
	if err != nil {
		return nil, err
	}
	tags := t.Tags()
	for _, tt := range tags {
		tt.Tag = stored[tt.Name]
	}
	return tags, nil
}

// storedTaxonomyTags returns the stored tags (matched case-insensitively)
// of the tags taxonomy id defines, keyed by the defined name.
func storedTaxonomyTags(ctx context.Context, tx *tx, id int64) (map[string]*misp.Tag, error) {
	stored := make(map[string]*misp.Tag)
	err := tx.each(ctx, `SELECT d.tag_name, `+tagCols+`
		FROM (`+definedTags("taxonomy_id = $1")+`) d JOIN tags t ON lower(t.name) = lower(d.tag_name)`,
		[]any{id}, func(rows *sql.Rows) error {
			var name string
			t := &misp.Tag{}
			err := rows.Scan(&name, &t.ID, &t.Name, &t.Colour, scanBool(&t.Exportable), &t.OrgID, &t.UserID,
				scanBool(&t.HideTag), scanNullInt(&t.NumericalValue), scanBool(&t.IsGalaxy),
				scanBool(&t.IsCustomGalaxy), scanBool(&t.LocalOnly))
			stored[name] = t
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("find stored tags of taxonomy %d: %w", id, err)
	}
	return stored, nil
}

// FindTaxonomyEntries looks tag names up among the tags the stored
// taxonomies define, case-insensitively; the result is keyed by the names
// as given. A name defined by several taxonomies resolves to the oldest.
func (db *DB) FindTaxonomyEntries(ctx context.Context, tagNames []string) (map[string]*misp.TaxonomyTag, error) {
	given := make(map[string][]string) // lower-case name → names as given
	var lowered []string
	for _, n := range tagNames {
		l := strings.ToLower(strings.TrimSpace(n))
		if _, ok := given[l]; !ok {
			lowered = append(lowered, l)
		}
		given[l] = append(given[l], n)
	}
	found := make(map[string]*misp.TaxonomyTag)
	add := func(tt *misp.TaxonomyTag) {
		for _, n := range given[strings.ToLower(tt.Name)] {
			if _, ok := found[n]; !ok {
				found[n] = tt
			}
		}
	}
	err := db.read(ctx, func(tx *tx) error {
		clear(found)
		for _, chunk := range chunks(lowered, inChunk) {
			var a args
			in := lowerInList(&a, chunk)
			err := tx.each(ctx, `SELECT x.id, x.namespace, p.value, p.expanded, p.colour, p.description,
					p.numerical_value, p.tag_colour
				FROM taxonomy_predicates p JOIN taxonomies x ON x.id = p.taxonomy_id
				WHERE lower(p.tag_name) IN (`+in+`) ORDER BY x.id, p.id`, a, func(rows *sql.Rows) error {
				t := &misp.Taxonomy{}
				p := &misp.TaxonomyPredicate{}
				if err := rows.Scan(&t.ID, &t.Namespace, &p.Value, &p.Expanded, &p.Colour, &p.Description,
					scanNullInt(&p.NumericalValue), &p.TagColour); err != nil {
					return err
				}
				t.Predicates = []*misp.TaxonomyPredicate{p}
				add(t.Tags()[0])
				return nil
			})
			if err != nil {
				return err
			}
			err = tx.each(ctx, `SELECT x.id, x.namespace, p.value, p.expanded, p.exclusive, e.value, e.expanded,
					e.colour, e.description, e.numerical_value, e.tag_colour
				FROM taxonomy_entries e JOIN taxonomy_predicates p ON p.id = e.taxonomy_predicate_id
					JOIN taxonomies x ON x.id = e.taxonomy_id
				WHERE lower(e.tag_name) IN (`+in+`) ORDER BY x.id, e.id`, a, func(rows *sql.Rows) error {
				t := &misp.Taxonomy{}
				p := &misp.TaxonomyPredicate{}
				e := &misp.TaxonomyEntry{}
				if err := rows.Scan(&t.ID, &t.Namespace, &p.Value, &p.Expanded, scanBool(&p.Exclusive), &e.Value,
					&e.Expanded, &e.Colour, &e.Description, scanNullInt(&e.NumericalValue), &e.TagColour); err != nil {
					return err
				}
				p.Entries = []*misp.TaxonomyEntry{e}
				t.Predicates = []*misp.TaxonomyPredicate{p}
				add(t.Tags()[0])
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find taxonomy entries: %w", err)
	}
	return found, nil
}

// RequiredTaxonomies returns the namespaces of the enabled, required
// taxonomies (Event::getRequiredTaxonomies), ordered by id.
func (db *DB) RequiredTaxonomies(ctx context.Context) ([]string, error) {
	var namespaces []string
	err := db.read(ctx, func(tx *tx) error {
		namespaces = nil
		return tx.each(ctx, "SELECT namespace FROM taxonomies WHERE required = $1 AND enabled = $1 ORDER BY id",
			[]any{true}, func(rows *sql.Rows) error {
				var ns string
				err := rows.Scan(&ns)
				namespaces = append(namespaces, ns)
				return err
			})
	})
	if err != nil {
		return nil, fmt.Errorf("find required taxonomies: %w", err)
	}
	return namespaces, nil
}

// UpdateTaxonomy applies upd; disabling hides the taxonomy's stored tags
// (TaxonomiesController::disable). ErrNotFound.
func (db *DB) UpdateTaxonomy(ctx context.Context, id int64, upd misp.TaxonomyUpdate) (*misp.Taxonomy, error) {
	var t *misp.Taxonomy
	err := db.write(ctx, func(tx *tx) error {
		err := tx.one(ctx, "SELECT "+taxonomyCols+" FROM taxonomies x WHERE x.id = $1", []any{id}, func(rows *sql.Rows) error {
			var err error
			t, err = scanTaxonomy(rows)
			return err
		})
		if err != nil {
			return err
		}
		setBoolIf(&t.Enabled, upd.Enabled)
		setBoolIf(&t.Required, upd.Required)
		setBoolIf(&t.Highlighted, upd.Highlighted)
		if _, err := tx.exec(ctx, "UPDATE taxonomies SET enabled = $1, required = $2, highlighted = $3 WHERE id = $4",
			bool(t.Enabled), bool(t.Required), bool(t.Highlighted), id); err != nil {
			return err
		}
		if upd.Enabled != nil && !*upd.Enabled {
			_, err := hideTaxonomyTags(ctx, tx, id, nil)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update taxonomy %d: %w", id, err)
	}
	return t, nil
}

// TagUsage counts, per tag, the visible events and not deleted visible
// attributes that carry it. MISP counts every attribute link, visible or
// not (AttributeTag::countForTags); Razmena does not reveal what the
// actor may not see.
func (db *DB) TagUsage(ctx context.Context, actor *misp.Actor, tagIDs []int64) (map[int64]misp.TagUsage, error) {
	usage := make(map[int64]misp.TagUsage)
	err := db.read(ctx, func(tx *tx) error {
		clear(usage)
		for _, chunk := range chunks(tagIDs, inChunk) {
			var a args
			in := inList(&a, chunk)
			q := `SELECT et.tag_id, COUNT(*) FROM event_tags et JOIN events e ON e.id = et.event_id
				WHERE et.tag_id IN (` + in + `) AND ` + tx.eventVisible(&a, "e", actor) + ` GROUP BY et.tag_id`
			err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
				var id int64
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				u := usage[id]
				u.Events = n
				usage[id] = u
				return nil
			})
			if err != nil {
				return err
			}
			a = nil
			in = inList(&a, chunk)
			q = `SELECT at.tag_id, COUNT(*) FROM attribute_tags at JOIN attributes x ON x.id = at.attribute_id
					JOIN events e ON e.id = x.event_id
				WHERE at.tag_id IN (` + in + `) AND x.deleted = FALSE AND ` + tx.attributeVisible(&a, "e", "x", actor) +
				` GROUP BY at.tag_id`
			err = tx.each(ctx, q, a, func(rows *sql.Rows) error {
				var id int64
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				u := usage[id]
				u.Attributes = n
				usage[id] = u
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count tag usage: %w", err)
	}
	return usage, nil
}
