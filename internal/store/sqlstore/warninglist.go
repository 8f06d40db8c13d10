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

// The warninglist library: MISP's warninglists, warninglist_entries and
// warninglist_types, plus the entry count of each list and the revision
// row that matchers poll (migration 00009). Imports are in
// warninglist_import.go.

var _ misp.WarninglistStore = (*DB)(nil)

const warninglistCols = `w.id, w.name, w.type, w.description, w.version, w.enabled, w.is_default,
	w.category, w.entry_count`

func scanWarninglist(s interface{ Scan(...any) error }) (*misp.Warninglist, error) {
	w := &misp.Warninglist{}
	return w, s.Scan(&w.ID, &w.Name, &w.Type, &w.Description, &w.Version, scanBool(&w.Enabled),
		scanBool(&w.Default), &w.Category, &w.EntryCount)
}

// FindWarninglists lists the warninglists newest first, as MISP's index
// does, with their types and entry counts. The value filter is MISP's
// (WarninglistsController::index): name or description LIKE %value%,
// or type equal to value, all lower-cased; like MISP it does not escape
// the LIKE wildcards of value.
func (db *DB) FindWarninglists(ctx context.Context, f misp.WarninglistFilter) ([]*misp.Warninglist, error) {
	var a args
	var where []string
	if f.Value != "" {
		v := strings.ToLower(f.Value)
		like := a.add("%" + v + "%")
		where = append(where, `(lower(w.name) LIKE `+like+` ESCAPE '\' OR lower(w.description) LIKE `+like+
			` ESCAPE '\' OR lower(w.type) = `+a.add(v)+`)`)
	}
	if f.Enabled != nil {
		where = append(where, "w.enabled = "+a.add(*f.Enabled))
	}
	q := "SELECT " + warninglistCols + " FROM warninglists w"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY w.id DESC"
	var lists []*misp.Warninglist
	err := db.read(ctx, func(tx *tx) error {
		lists = nil
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			w, err := scanWarninglist(rows)
			lists = append(lists, w)
			return err
		})
		if err != nil || len(lists) == 0 {
			return err
		}
		return attachWarninglistTypes(ctx, tx, lists)
	})
	if err != nil {
		return nil, fmt.Errorf("find warninglists: %w", err)
	}
	return lists, nil
}

// attachWarninglistTypes sets the Types of lists (never nil afterwards).
// The types of every list are read: a few hundred rows.
func attachWarninglistTypes(ctx context.Context, tx *tx, lists []*misp.Warninglist) error {
	byID := make(map[int64]*misp.Warninglist, len(lists))
	for _, w := range lists {
		w.Types = []misp.WarninglistType{}
		byID[int64(w.ID)] = w
	}
	return tx.each(ctx, "SELECT id, type, warninglist_id FROM warninglist_types ORDER BY warninglist_id, id", nil,
		func(rows *sql.Rows) error {
			var t misp.WarninglistType
			if err := rows.Scan(&t.ID, &t.Type, &t.WarninglistID); err != nil {
				return err
			}
			if w := byID[int64(t.WarninglistID)]; w != nil {
				w.Types = append(w.Types, t)
			}
			return nil
		})
}

// FindWarninglistByID returns a warninglist with its entries and types.
// ErrNotFound.
func (db *DB) FindWarninglistByID(ctx context.Context, id int64) (*misp.Warninglist, error) {
	var w *misp.Warninglist
	err := db.read(ctx, func(tx *tx) error {
		err := tx.one(ctx, "SELECT "+warninglistCols+" FROM warninglists w WHERE w.id = $1", []any{id},
			func(rows *sql.Rows) error {
				var err error
				w, err = scanWarninglist(rows)
				return err
			})
		if err != nil {
			return err
		}
		w.Entries = make([]misp.WarninglistEntry, 0, w.EntryCount)
		err = tx.each(ctx, "SELECT id, value, comment FROM warninglist_entries WHERE warninglist_id = $1 ORDER BY id",
			[]any{id}, func(rows *sql.Rows) error {
				e := misp.WarninglistEntry{WarninglistID: w.ID}
				var comment sql.NullString
				if err := rows.Scan(&e.ID, &e.Value, &comment); err != nil {
					return err
				}
				if comment.Valid {
					e.Comment = &comment.String
				}
				w.Entries = append(w.Entries, e)
				return nil
			})
		if err != nil {
			return err
		}
		return readWarninglistTypes(ctx, tx, w)
	})
	if err != nil {
		return nil, fmt.Errorf("find warninglist %d: %w", id, err)
	}
	return w, nil
}

// readWarninglistTypes sets the Types of one list.
func readWarninglistTypes(ctx context.Context, tx *tx, w *misp.Warninglist) error {
	w.Types = []misp.WarninglistType{}
	return tx.each(ctx, "SELECT id, type, warninglist_id FROM warninglist_types WHERE warninglist_id = $1 ORDER BY id",
		[]any{int64(w.ID)}, func(rows *sql.Rows) error {
			var t misp.WarninglistType
			err := rows.Scan(&t.ID, &t.Type, &t.WarninglistID)
			w.Types = append(w.Types, t)
			return err
		})
}

// ToggleWarninglists sets or flips the enabled flag of the selected
// lists and advances the revision when a flag changed. Names are
// matched as MISP's toggleEnable does: lower(name) LIKE lower(pattern).
func (db *DB) ToggleWarninglists(ctx context.Context, sel misp.WarninglistSelection, enabled *bool) ([]*misp.Warninglist, error) {
	var lists []*misp.Warninglist
	err := db.write(ctx, func(tx *tx) error {
		var err error
		lists, err = selectWarninglists(ctx, tx, sel)
		if err != nil {
			return err
		}
		if len(lists) == 0 {
			return misp.ErrNotFound
		}
		var on, off []int64
		for _, w := range lists {
			want := !bool(w.Enabled)
			if enabled != nil {
				want = *enabled
			}
			if want == bool(w.Enabled) {
				continue
			}
			w.Enabled = misp.Bool(want)
			if want {
				on = append(on, int64(w.ID))
			} else {
				off = append(off, int64(w.ID))
			}
		}
		for _, set := range []struct {
			ids []int64
			on  bool
		}{{on, true}, {off, false}} {
			for _, chunk := range chunks(set.ids, inChunk) {
				a := args{set.on}
				if _, err := tx.exec(ctx, "UPDATE warninglists SET enabled = $1 WHERE id IN ("+inList(&a, chunk)+")", a...); err != nil {
					return err
				}
			}
		}
		if len(on)+len(off) > 0 {
			return bumpWarninglistRevision(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("toggle warninglists: %w", err)
	}
	return lists, nil
}

// selectWarninglists reads the rows (no entries, no types) selected by
// id or name pattern, ordered by id.
func selectWarninglists(ctx context.Context, tx *tx, sel misp.WarninglistSelection) ([]*misp.Warninglist, error) {
	seen := make(map[int64]bool)
	var lists []*misp.Warninglist
	scan := func(rows *sql.Rows) error {
		w, err := scanWarninglist(rows)
		if err != nil {
			return err
		}
		if !seen[int64(w.ID)] {
			seen[int64(w.ID)] = true
			lists = append(lists, w)
		}
		return nil
	}
	for _, chunk := range chunks(sel.IDs, inChunk) {
		var a args
		q := "SELECT " + warninglistCols + " FROM warninglists w WHERE w.id IN (" + inList(&a, chunk) + ")"
		if err := tx.each(ctx, q, a, scan); err != nil {
			return nil, err
		}
	}
	for _, chunk := range chunks(sel.Names, inChunk) {
		var a args
		var or []string
		for _, name := range chunk {
			or = append(or, "lower(w.name) LIKE "+a.add(strings.ToLower(name))+` ESCAPE '\'`)
		}
		q := "SELECT " + warninglistCols + " FROM warninglists w WHERE " + strings.Join(or, " OR ")
		if err := tx.each(ctx, q, a, scan); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(lists, func(a, b *misp.Warninglist) int { return cmp.Compare(a.ID, b.ID) })
	return lists, nil
}

// WarninglistRevision reads the revision row. A database without the
// row (never the case after the migration) is at revision 0.
func (db *DB) WarninglistRevision(ctx context.Context) (int64, error) {
	var rev int64
	err := db.read(ctx, func(tx *tx) error {
		return tx.get(ctx, "SELECT COALESCE(MAX(revision), 0) FROM warninglist_revision", nil, &rev)
	})
	if err != nil {
		return 0, fmt.Errorf("read warninglist revision: %w", err)
	}
	return rev, nil
}

// bumpWarninglistRevision advances the revision in tx. The upsert makes
// the row if it is missing; on PostgreSQL the row lock orders concurrent
// writers, and repeatable read makes the later one retry.
func bumpWarninglistRevision(ctx context.Context, tx *tx) error {
	_, err := tx.exec(ctx, `INSERT INTO warninglist_revision (id, revision) VALUES (1, 1)
		ON CONFLICT (id) DO UPDATE SET revision = warninglist_revision.revision + 1`)
	if err != nil {
		return fmt.Errorf("advance warninglist revision: %w", err)
	}
	return nil
}

// EnabledWarninglists reads the enabled lists with their entry values
// and types, and the revision, in one read transaction (one snapshot).
// Entries are read list by list along the (warninglist_id, id) index.
func (db *DB) EnabledWarninglists(ctx context.Context) ([]*misp.Warninglist, int64, error) {
	var lists []*misp.Warninglist
	var rev int64
	err := db.read(ctx, func(tx *tx) error {
		lists = nil
		if err := tx.get(ctx, "SELECT COALESCE(MAX(revision), 0) FROM warninglist_revision", nil, &rev); err != nil {
			return err
		}
		err := tx.each(ctx, "SELECT "+warninglistCols+" FROM warninglists w WHERE w.enabled = TRUE ORDER BY w.id", nil,
			func(rows *sql.Rows) error {
				w, err := scanWarninglist(rows)
				lists = append(lists, w)
				return err
			})
		if err != nil || len(lists) == 0 {
			return err
		}
		if err := attachWarninglistTypes(ctx, tx, lists); err != nil {
			return err
		}
		for _, w := range lists {
			w.Entries = make([]misp.WarninglistEntry, 0, w.EntryCount)
			err := tx.each(ctx, "SELECT value FROM warninglist_entries WHERE warninglist_id = $1 ORDER BY id",
				[]any{int64(w.ID)}, func(rows *sql.Rows) error {
					var v string
					err := rows.Scan(&v)
					w.Entries = append(w.Entries, misp.WarninglistEntry{Value: v})
					return err
				})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read enabled warninglists: %w", err)
	}
	return lists, rev, nil
}
