package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// ImportWarninglists stores a warninglist library in one transaction; see
// misp.WarninglistStore for the rules. Entries and types go in with
// multi-row INSERTs (bulkInsert), which is what makes the full library
// (about 530,000 entries) take seconds rather than minutes.
//
// As in MISP (Warninglist::__updateList), a replaced list keeps its id
// and enabled flag and gets its entries and types anew. MISP does not
// save a list's category on import; Razmena stores the file's.
func (db *DB) ImportWarninglists(ctx context.Context, lists []*misp.Warninglist) (misp.LibraryResult, error) {
	res := misp.LibraryResult{Library: "warninglists"}
	v := &misp.ValidationError{}
	seen := make(map[string]bool, len(lists))
	for _, w := range lists {
		if err := w.Validate(); err != nil {
			return res, fmt.Errorf("import warninglist %q: %w", w.Name, err)
		}
		if seen[w.Name] {
			v.Add("name", fmt.Sprintf("The name %q is given twice.", w.Name))
		}
		seen[w.Name] = true
	}
	if err := v.Err(); err != nil {
		return res, fmt.Errorf("import warninglists: %w", err)
	}
	err := db.write(ctx, func(tx *tx) error {
		var err error
		res, err = importWarninglists(ctx, tx, lists)
		return err
	})
	if err != nil {
		return misp.LibraryResult{Library: "warninglists"}, fmt.Errorf("import warninglists: %w", err)
	}
	return res, nil
}

// entryRowsPerStmt is the most entries one INSERT carries (fewer when the
// dialect's parameter limit says so).
const entryRowsPerStmt = 5000

func importWarninglists(ctx context.Context, tx *tx, lists []*misp.Warninglist) (misp.LibraryResult, error) {
	res := misp.LibraryResult{Library: "warninglists"}
	type stored struct {
		id      int64
		version int64
	}
	existing := make(map[string]stored)
	err := tx.each(ctx, "SELECT id, name, version FROM warninglists", nil, func(rows *sql.Rows) error {
		var s stored
		var name string
		err := rows.Scan(&s.id, &name, &s.version)
		existing[name] = s
		return err
	})
	if err != nil {
		return res, fmt.Errorf("read stored warninglists: %w", err)
	}
	ids := make(map[*misp.Warninglist]int64, len(lists))
	var written []*misp.Warninglist
	for _, w := range lists {
		cur, ok := existing[w.Name]
		switch {
		case !ok:
			var id int64
			err := tx.get(ctx, `INSERT INTO warninglists (name, type, description, version, enabled, is_default,
					category, entry_count)
				VALUES ($1, $2, $3, $4, FALSE, TRUE, $5, $6) RETURNING id`,
				[]any{w.Name, w.Type, w.Description, int64(w.Version), w.Category, len(w.Entries)}, &id)
			if errors.Is(err, misp.ErrConflict) {
				// A concurrent import stored the list: run again on a
				// snapshot that has it.
				return res, &retryError{err}
			}
			if err != nil {
				return res, fmt.Errorf("insert warninglist %q: %w", w.Name, err)
			}
			ids[w] = id
			w.ID = misp.Int(id)
			res.Added++
		case int64(w.Version) > cur.version:
			_, err := tx.exec(ctx, `UPDATE warninglists SET type = $1, description = $2, version = $3,
					category = $4, entry_count = $5
				WHERE id = $6`,
				w.Type, w.Description, int64(w.Version), w.Category, len(w.Entries), cur.id)
			if err != nil {
				return res, fmt.Errorf("update warninglist %q: %w", w.Name, err)
			}
			for _, table := range []string{"warninglist_entries", "warninglist_types"} {
				if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE warninglist_id = $1", cur.id); err != nil {
					return res, fmt.Errorf("update warninglist %q: %w", w.Name, err)
				}
			}
			ids[w] = cur.id
			w.ID = misp.Int(cur.id)
			res.Updated++
		default:
			w.ID = misp.Int(cur.id)
			res.Unchanged++
			continue
		}
		written = append(written, w)
	}
	if len(written) == 0 {
		return res, nil
	}
	if err := insertWarninglistEntries(ctx, tx, written, ids); err != nil {
		return res, err
	}
	if err := insertWarninglistTypes(ctx, tx, written, ids); err != nil {
		return res, err
	}
	return res, bumpWarninglistRevision(ctx, tx)
}

// insertWarninglistEntries inserts the entries of lists in file order.
func insertWarninglistEntries(ctx context.Context, tx *tx, lists []*misp.Warninglist, ids map[*misp.Warninglist]int64) error {
	perStmt := max(1, min(entryRowsPerStmt, tx.d.MaxParams/3))
	var (
		q    strings.Builder
		a    = make([]any, 0, 3*perStmt)
		rows int
	)
	flush := func() error {
		if rows == 0 {
			return nil
		}
		if _, err := tx.exec(ctx, q.String(), a...); err != nil {
			return fmt.Errorf("insert warninglist entries: %w", err)
		}
		q.Reset()
		a, rows = a[:0], 0
		return nil
	}
	for _, w := range lists {
		for i := range w.Entries {
			e := &w.Entries[i]
			if rows == 0 {
				q.WriteString("INSERT INTO warninglist_entries (warninglist_id, value, comment) VALUES ")
			} else {
				q.WriteString(", ")
			}
			if tx.d.QuestionPlaceholders {
				q.WriteString("(?, ?, ?)")
			} else {
				n := len(a)
				fmt.Fprintf(&q, "($%d, $%d, $%d)", n+1, n+2, n+3)
			}
			var comment any // NULL
			if e.Comment != nil {
				comment = *e.Comment
			}
			a = append(a, ids[w], e.Value, comment)
			if rows++; rows == perStmt {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// insertWarninglistTypes inserts the matching attribute types of lists.
func insertWarninglistTypes(ctx context.Context, tx *tx, lists []*misp.Warninglist, ids map[*misp.Warninglist]int64) error {
	type row struct {
		list int64
		typ  string
	}
	var rows []row
	for _, w := range lists {
		for _, t := range w.Types {
			rows = append(rows, row{ids[w], t.Type})
		}
	}
	err := bulkInsert(ctx, tx, "INSERT INTO warninglist_types (warninglist_id, type) VALUES ", 2, "", len(rows),
		func(i int, a []any) []any { return append(a, rows[i].list, rows[i].typ) }, "", nil)
	if err != nil {
		return fmt.Errorf("insert warninglist types: %w", err)
	}
	return nil
}
