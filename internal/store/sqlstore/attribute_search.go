package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

var _ misp.AttributeSearchStore = (*DB)(nil)

// SearchAttributes returns the visible live attributes matching s, by id.
// See misp.AttributeSearchStore.
func (db *DB) SearchAttributes(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch) ([]*misp.Attribute, error) {
	var attrs []*misp.Attribute
	err := db.read(ctx, func(tx *tx) error {
		var a args
		where := []string{"a.deleted = FALSE"}
		if s.Value != "" {
			// value1 and value2 each have an index; the composite form
			// matches both halves.
			v := a.add(s.Value)
			cond := "a.value1 = " + v + " OR a.value2 = " + v
			if i := strings.IndexByte(s.Value, '|'); i >= 0 {
				cond += " OR (a.value1 = " + a.add(s.Value[:i]) + " AND a.value2 = " + a.add(s.Value[i+1:]) + ")"
			}
			where = append(where, "("+cond+")")
		}
		if len(s.Types) > 0 {
			where = append(where, "a.type IN ("+inList(&a, s.Types)+")")
		}
		if s.MinTimestamp > 0 {
			where = append(where, "a.timestamp >= "+a.add(s.MinTimestamp))
		}
		if s.MaxTimestamp > 0 {
			where = append(where, "a.timestamp <= "+a.add(s.MaxTimestamp))
		}
		if s.AfterID > 0 {
			where = append(where, "a.id > "+a.add(s.AfterID))
		}
		where = append(where, tx.attributeVisible(&a, "e", "a", actor))
		tail := ""
		if s.Limit > 0 {
			tail = " LIMIT " + a.add(s.Limit)
		}
		var err error
		if attrs, err = queryAttributes(ctx, tx, strings.Join(where, " AND "), tail, a); err != nil || s.NoTags {
			return err
		}
		return loadTagsOfAttributes(ctx, tx, attrs)
	})
	if err != nil {
		return nil, fmt.Errorf("search attributes: %w", err)
	}
	return attrs, nil
}
