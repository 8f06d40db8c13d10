package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Compile-time proof that *DB is a correlation store.
var _ misp.CorrelationStore = (*DB)(nil)

// rebuildBatch is how many attribute ids a rebuild transaction covers
// by default: large enough that the per-statement costs vanish, small
// enough that a batch holds no lock for long (a second or two; SQLite's
// writers queue behind it).
const rebuildBatch = 50000

// RebuildCorrelations recomputes the correlation values of every
// attribute, batch attribute ids per transaction, then the
// over-correlating values in one. See misp.CorrelationStore.
func (db *DB) RebuildCorrelations(ctx context.Context, batch int64, progress func(misp.CorrelationProgress)) (misp.CorrelationProgress, error) {
	if batch <= 0 {
		batch = rebuildBatch
	}
	var p misp.CorrelationProgress
	err := db.read(ctx, func(tx *tx) error {
		var lo, hi sql.NullInt64
		if err := tx.get(ctx, "SELECT MIN(id), MAX(id) FROM attributes", nil, &lo, &hi); err != nil {
			return err
		}
		p.MinID, p.MaxID = lo.Int64, hi.Int64
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("rebuild correlations: %w", err)
	}
	p.LastID = p.MinID - 1
	for lo := p.MinID; lo <= p.MaxID && p.MaxID > 0; lo += batch {
		hi := min(lo+batch, p.MaxID+1)
		var values, attrs int64
		err := db.write(ctx, func(tx *tx) error {
			return tx.around(ctx, tx.d.BulkWrite, tx.d.BulkWriteDone, func() error {
				var err error
				values, attrs, err = rebuildValues(ctx, tx, lo, hi)
				return err
			})
		})
		if err != nil {
			return p, fmt.Errorf("rebuild correlations of attributes %d to %d: %w", lo, hi-1, err)
		}
		p.Values += values
		p.Attributes += attrs
		p.LastID = hi - 1
		p.Batches++
		if progress != nil {
			progress(p)
		}
	}
	// Attributes created after MaxID was read were correlated by their
	// own writes; rows of attributes deleted since are gone with them.
	err = db.write(ctx, func(tx *tx) error { return tx.recountOverCorrelations(ctx) })
	if err != nil {
		return p, fmt.Errorf("rebuild correlations: %w", err)
	}
	return p, nil
}

// rebuildValues writes the correlation values of the attribute ids lo to
// hi-1 again, and returns how many values and attributes that is.
func rebuildValues(ctx context.Context, tx *tx, lo, hi int64) (values, attrs int64, err error) {
	s := idRangeScope(lo, hi)
	var a args
	if _, err := tx.exec(ctx, "DELETE FROM correlation_values WHERE "+s.members(&a, "correlation_values"), a...); err != nil {
		return 0, 0, err
	}
	if values, err = tx.insertCorrelationValues(ctx, s); err != nil {
		return 0, 0, err
	}
	if err := rebuildNetworks(ctx, tx, lo, hi); err != nil {
		return 0, 0, err
	}
	a = nil
	err = tx.get(ctx, "SELECT COUNT(DISTINCT attribute_id) FROM correlation_values WHERE "+s.members(&a, "correlation_values"), a, &attrs)
	return values, attrs, err
}

// CorrelationLimit returns the over-correlation cap. See misp.CorrelationStore.
func (db *DB) CorrelationLimit(ctx context.Context) (int, error) {
	var n int
	err := db.read(ctx, func(tx *tx) error {
		var err error
		n, err = readCorrelationLimit(ctx, tx)
		return err
	})
	return n, err
}

// SetCorrelationLimit stores the cap and recounts the over-correlating
// values. See misp.CorrelationStore.
func (db *DB) SetCorrelationLimit(ctx context.Context, n int) error {
	if n < 1 {
		return misp.Invalidf("correlation_limit", "The correlation limit must be at least 1.")
	}
	err := db.write(ctx, func(tx *tx) error {
		_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, misp.SettingCorrelationLimit, strconv.Itoa(n))
		if err != nil {
			return err
		}
		tx.limit = n
		return tx.recountOverCorrelations(ctx)
	})
	if err != nil {
		return fmt.Errorf("set correlation limit: %w", err)
	}
	return nil
}

// TopCorrelations returns the values making the most correlations. See
// misp.CorrelationStore. MISP counts its stored pairs into a Redis cache
// that correlations/generateTopCorrelations refreshes; here the count is
// made on each call from the values' holders: n holders spread over
// events make (n² − Σ holders per event²) / 2 pairs of different events.
func (db *DB) TopCorrelations(ctx context.Context, limit, page int) ([]*misp.TopCorrelation, error) {
	var out []*misp.TopCorrelation
	err := db.read(ctx, func(tx *tx) error {
		var a args
		q := `SELECT g.value, CAST((SUM(g.n) * SUM(g.n) - SUM(g.n * g.n)) / 2 AS BIGINT) AS pairs
			FROM (SELECT value, event_id, COUNT(*) AS n FROM correlation_values GROUP BY value, event_id) g
			WHERE ` + tx.notOverCorrelating("g.value") + `
			GROUP BY g.value HAVING COUNT(*) > 1 ORDER BY pairs DESC, g.value` + limitOffset(&a, limit, (max(page, 1)-1)*limit)
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			t := &misp.TopCorrelation{}
			err := rows.Scan(&t.Value, &t.Count)
			out = append(out, t)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("top correlations: %w", err)
	}
	return out, nil
}

// FindOverCorrelatingValues lists the over-correlating values. See
// misp.CorrelationStore.
func (db *DB) FindOverCorrelatingValues(ctx context.Context, limit, page int) ([]*misp.OverCorrelatingValue, error) {
	var out []*misp.OverCorrelatingValue
	err := db.read(ctx, func(tx *tx) error {
		var a args
		// The stored occurrence is the count when the value was listed:
		// count again, it is a list of few values.
		q := "SELECT ov.value, (SELECT COUNT(*) FROM correlation_values c WHERE " + tx.d.sameValue("c.value", "ov.value") +
			") AS n FROM over_correlating_values ov ORDER BY n DESC, ov.value" + limitOffset(&a, limit, (max(page, 1)-1)*limit)
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			v := &misp.OverCorrelatingValue{}
			err := rows.Scan(&v.Value, &v.Occurrence)
			out = append(out, v)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("over-correlating values: %w", err)
	}
	return out, nil
}

const exclusionCols = "id, value, from_json, comment"

// boundKind and boundPattern are an exclusion's kind and pattern bound as
// $1 and $2, typed for PostgreSQL, which cannot infer them inside
// length() and substr().
const (
	boundKind    = "CAST($1 AS INTEGER)"
	boundPattern = "CAST($2 AS TEXT)"
)

func scanExclusion(rows *sql.Rows) (*misp.CorrelationExclusion, error) {
	x := &misp.CorrelationExclusion{}
	err := rows.Scan(&x.ID, &x.Value, scanBool(&x.FromJSON), &x.Comment)
	return x, err
}

// FindCorrelationExclusions lists the exclusions by id. See
// misp.CorrelationStore.
func (db *DB) FindCorrelationExclusions(ctx context.Context, f misp.CorrelationExclusionFilter) ([]*misp.CorrelationExclusion, error) {
	out := []*misp.CorrelationExclusion{}
	err := db.read(ctx, func(tx *tx) error {
		var a args
		var where []string
		for _, c := range []struct{ col, v string }{{"value", f.Value}, {"comment", f.Comment}} {
			switch {
			case c.v == "":
			case strings.Contains(c.v, "%"):
				where = append(where, c.col+" LIKE "+a.add(c.v))
			default:
				where = append(where, c.col+" = "+a.add(c.v))
			}
		}
		if f.Quick != "" {
			p := a.add(likePattern(strings.ToLower(f.Quick)))
			where = append(where, "(lower(value) LIKE "+p+" ESCAPE '\\' OR lower(comment) LIKE "+p+" ESCAPE '\\')")
		}
		q := "SELECT " + exclusionCols + " FROM correlation_exclusions"
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		return tx.each(ctx, q+" ORDER BY id", a, func(rows *sql.Rows) error {
			x, err := scanExclusion(rows)
			out = append(out, x)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find correlation exclusions: %w", err)
	}
	return out, nil
}

// FindCorrelationExclusionByID returns an exclusion. ErrNotFound.
func (db *DB) FindCorrelationExclusionByID(ctx context.Context, id int64) (*misp.CorrelationExclusion, error) {
	var x *misp.CorrelationExclusion
	err := db.read(ctx, func(tx *tx) error {
		var err error
		x, err = findExclusion(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find correlation exclusion %d: %w", id, err)
	}
	return x, nil
}

func findExclusion(ctx context.Context, tx *tx, id int64) (*misp.CorrelationExclusion, error) {
	var x *misp.CorrelationExclusion
	err := tx.one(ctx, "SELECT "+exclusionCols+" FROM correlation_exclusions WHERE id = $1", []any{id}, func(rows *sql.Rows) error {
		var err error
		x, err = scanExclusion(rows)
		return err
	})
	return x, err
}

// CreateCorrelationExclusion adds an exclusion and recorrelates the
// attributes holding a value it matches. See misp.CorrelationStore.
func (db *DB) CreateCorrelationExclusion(ctx context.Context, x *misp.CorrelationExclusion) error {
	kind, pattern := misp.ParseExclusion(x.Value)
	err := db.write(ctx, func(tx *tx) error {
		err := tx.get(ctx, `INSERT INTO correlation_exclusions (value, kind, pattern, from_json, comment)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			[]any{x.Value, int(kind), pattern, bool(x.FromJSON), x.Comment}, &x.ID)
		if err != nil {
			return err
		}
		var ids []int64
		if kind == misp.ExclusionExact {
			ids, err = attributeIDs(ctx, tx, "SELECT DISTINCT attribute_id FROM correlation_values WHERE "+
				tx.d.sameValue("value", "CAST($1 AS TEXT)"), pattern)
		} else {
			ids, err = attributeIDs(ctx, tx, "SELECT DISTINCT attribute_id FROM correlation_values WHERE "+
				exclusionMatch("value", boundKind, boundPattern), int(kind), pattern)
		}
		if err != nil {
			return err
		}
		return tx.recorrelateAttributes(ctx, ids)
	})
	if err != nil {
		return fmt.Errorf("create correlation exclusion: %w", err)
	}
	return nil
}

// UpdateCorrelationExclusion changes an exclusion's comment. ErrNotFound.
func (db *DB) UpdateCorrelationExclusion(ctx context.Context, x *misp.CorrelationExclusion) error {
	err := db.write(ctx, func(tx *tx) error {
		n, err := tx.execN(ctx, "UPDATE correlation_exclusions SET comment = $1 WHERE id = $2", x.Comment, int64(x.ID))
		if err == nil && n == 0 {
			return misp.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("update correlation exclusion %d: %w", x.ID, err)
	}
	return nil
}

// DeleteCorrelationExclusion removes an exclusion and recorrelates the
// attributes holding a value it matched. See misp.CorrelationStore.
func (db *DB) DeleteCorrelationExclusion(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		x, err := findExclusion(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM correlation_exclusions WHERE id = $1", id); err != nil {
			return err
		}
		kind, pattern := misp.ParseExclusion(x.Value)
		var ids []int64
		if kind == misp.ExclusionExact {
			// The value indexes find the holders of one value.
			ids, err = attributeIDs(ctx, tx, "SELECT id FROM attributes WHERE value1 = $1 UNION SELECT id FROM attributes WHERE "+value2Is("value2", "$1", pattern), pattern)
		} else {
			// A pattern is matched against every value: a scan.
			ids, err = attributeIDs(ctx, tx, "SELECT id FROM attributes WHERE "+exclusionMatch("value1", boundKind, boundPattern)+
				" OR "+exclusionMatch("value2", boundKind, boundPattern), int(kind), pattern)
		}
		if err != nil {
			return err
		}
		return tx.recorrelateAttributes(ctx, ids)
	})
	if err != nil {
		return fmt.Errorf("delete correlation exclusion %d: %w", id, err)
	}
	return nil
}

// CleanCorrelationExclusions recorrelates the attributes holding a value
// an exclusion matches. See misp.CorrelationStore.
func (db *DB) CleanCorrelationExclusions(ctx context.Context) error {
	err := db.write(ctx, func(tx *tx) error {
		ids, err := attributeIDs(ctx, tx, "SELECT DISTINCT c.attribute_id FROM correlation_values c WHERE "+excluded("c.value"))
		if err != nil {
			return err
		}
		return tx.recorrelateAttributes(ctx, ids)
	})
	if err != nil {
		return fmt.Errorf("clean correlation exclusions: %w", err)
	}
	return nil
}

// attributeIDs returns the ids a query selects, in order.
func attributeIDs(ctx context.Context, tx *tx, q string, args ...any) ([]int64, error) {
	var ids []int64
	err := tx.each(ctx, q+" ORDER BY 1", args, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	return ids, err
}
