package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"github.com/razmena/razmena/internal/misp"
)

// This file reads CIDR correlations (correlation_cidr.go) while the
// setting is on: pairs of a correlation_networks row and a
// correlation_addresses row of different events, the address inside the
// network. The rule on visibility is that of correlation_read.go: both
// attributes pass attributeVisible, with their events and objects.
//
// A network correlates with nothing when its value is over-correlating,
// or when more attributes than the correlation limit hold an address
// inside it (MISP counts the addresses found with the value's holders and
// blocks the value past the limit): a /8 does not link an event to every
// other. The count is a bounded look at the address index (the row
// limit+1), made when read.

// networkPair is a CIDR correlation of the attribute from, in the scope
// read, with attribute to of event toEvent (another event): to's value1,
// and its event's creator organisation and info.
type networkPair struct {
	from, to, toEvent int64
	value, info       string
	orgc              int64
}

// networkPairs returns the CIDR correlations of the attributes whose
// network or address rows the condition scope selects (given the rows'
// alias), both sides visible to actor; none while the setting is off.
func networkPairs(ctx context.Context, tx *tx, actor *misp.Actor, scope func(a *args, alias string) string) ([]networkPair, error) {
	if on, err := readAdvanced(ctx, tx, ""); err != nil || !on || noActor(actor) {
		return nil, err
	}
	limit, err := tx.corrLimit(ctx)
	if err != nil {
		return nil, err
	}
	// The scope's networks: the addresses inside them, in one statement.
	var out []networkPair
	var a args
	q := `SELECT n4.attribute_id, c3.attribute_id, c3.event_id, a3.value1, e2.info, e2.orgc_id
		FROM correlation_networks n4
		JOIN attributes a4 ON a4.id = n4.attribute_id JOIN events ex ON ex.id = n4.event_id
		JOIN correlation_addresses c3 ON c3.family = n4.family AND c3.addr >= n4.lo AND c3.addr <= n4.hi AND c3.event_id <> n4.event_id
		JOIN attributes a3 ON a3.id = c3.attribute_id JOIN events e2 ON e2.id = c3.event_id
		WHERE ` + scope(&a, "n4") + " AND " + tx.networkCorrelates(&a, "n4", "a4", limit) +
		" AND " + tx.attributeVisible(&a, "ex", "a4", actor) + " AND " + tx.attributeVisible(&a, "e2", "a3", actor)
	err = tx.each(ctx, q, a, func(rows *sql.Rows) error {
		var p networkPair
		err := rows.Scan(&p.from, &p.to, &p.toEvent, &p.value, &p.info, &p.orgc)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	more, err := addressPairs(ctx, tx, actor, scope, limit)
	return append(out, more...), err
}

// networkCorrelates is the condition that the correlation_networks row n
// of the attributes row x correlates: its value is not over-correlating,
// and at most limit attributes hold an address inside it.
func (t *tx) networkCorrelates(a *args, n, x string, limit int) string {
	return t.notOverCorrelating(x+".value1") + " AND (SELECT ca.attribute_id FROM correlation_addresses ca WHERE ca.family = " +
		n + ".family AND ca.addr >= " + n + ".lo AND ca.addr <= " + n + ".hi LIMIT 1 OFFSET " + a.add(limit) + ") IS NULL"
}

// heldAddress is an address row of the scope.
type heldAddress struct {
	attr, event int64
	family      int
	addr        []byte
}

// addressPairs returns the CIDR correlations of the scope's addresses:
// the networks of other events holding them. A network holding an
// address is, for its prefix length, the address masked to it, so the
// networks are looked up by (family, bits, lo) for each prefix length in
// use, of which there are few.
func addressPairs(ctx context.Context, tx *tx, actor *misp.Actor, scope func(a *args, alias string) string, limit int) ([]networkPair, error) {
	var held []heldAddress
	families := map[int]bool{}
	var a args
	q := `SELECT c4.attribute_id, c4.event_id, c4.family, c4.addr FROM correlation_addresses c4
		JOIN attributes a4 ON a4.id = c4.attribute_id JOIN events ex ON ex.id = c4.event_id
		WHERE ` + scope(&a, "c4") + " AND " + tx.attributeVisible(&a, "ex", "a4", actor)
	err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
		var h heldAddress
		err := rows.Scan(&h.attr, &h.event, &h.family, &h.addr)
		held = append(held, h)
		families[h.family] = true
		return err
	})
	if err != nil || len(held) == 0 {
		return nil, err
	}
	var out []networkPair
	for _, fam := range []int{4, 6} {
		if !families[fam] {
			continue
		}
		prefixes, err := prefixLengths(ctx, tx, fam)
		if err != nil {
			return nil, err
		}
		for _, bits := range prefixes {
			// The scope's addresses by their network of this length.
			byNet := map[string][]heldAddress{}
			var nets [][]byte
			for _, h := range held {
				if h.family != fam {
					continue
				}
				k := string(maskAddr(h.addr, bits))
				if byNet[k] == nil {
					nets = append(nets, []byte(k))
				}
				byNet[k] = append(byNet[k], h)
			}
			for _, chunk := range chunks(nets, inChunk) {
				var a args
				q := `SELECT n3.attribute_id, n3.event_id, n3.lo, a3.value1, e2.info, e2.orgc_id FROM correlation_networks n3
					JOIN attributes a3 ON a3.id = n3.attribute_id JOIN events e2 ON e2.id = n3.event_id
					WHERE n3.family = ` + a.add(fam) + " AND n3.bits = " + a.add(bits) + " AND n3.lo IN (" + inList(&a, padded(chunk)) + ") AND " +
					tx.networkCorrelates(&a, "n3", "a3", limit) + " AND " + tx.attributeVisible(&a, "e2", "a3", actor)
				err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
					var p networkPair
					var lo []byte
					if err := rows.Scan(&p.to, &p.toEvent, &lo, &p.value, &p.info, &p.orgc); err != nil {
						return err
					}
					for _, h := range byNet[string(lo)] {
						if h.event != p.toEvent {
							p.from = h.attr
							out = append(out, p)
						}
					}
					return nil
				})
				if err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// prefixLengths returns the prefix lengths of the networks of family
// fam, smallest first: one index lookup per length (a loose index scan).
func prefixLengths(ctx context.Context, tx *tx, fam int) ([]int, error) {
	var out []int
	q := `WITH RECURSIVE b (bits) AS (
			SELECT MIN(bits) FROM correlation_networks WHERE family = $1
			UNION ALL
			SELECT (SELECT MIN(n.bits) FROM correlation_networks n WHERE n.family = $1 AND n.bits > b.bits) FROM b WHERE b.bits IS NOT NULL)
		SELECT bits FROM b WHERE bits IS NOT NULL`
	err := tx.each(ctx, q, []any{fam}, func(rows *sql.Rows) error {
		var n int
		err := rows.Scan(&n)
		out = append(out, n)
		return err
	})
	return out, err
}

// eventNetworks is the scope of event id's rows.
func eventNetworks(id int64) func(a *args, alias string) string {
	return func(a *args, alias string) string { return alias + ".event_id = " + a.add(id) }
}

// addNetworkEvents adds to list, the RelatedEvent list of event id for
// actor, the events that a CIDR correlation connects to it and that are
// not there yet, and orders the whole as relatedEvents does.
func addNetworkEvents(ctx context.Context, tx *tx, actor *misp.Actor, id int64, list []*misp.RelatedEvent) ([]*misp.RelatedEvent, error) {
	pairs, err := networkPairs(ctx, tx, actor, eventNetworks(id))
	if err != nil || len(pairs) == 0 {
		return list, err
	}
	have := map[int64]bool{}
	for _, r := range list {
		have[int64(r.Event.ID)] = true
	}
	var ids []int64
	for _, p := range pairs {
		if !have[p.toEvent] {
			have[p.toEvent] = true
			ids = append(ids, p.toEvent)
		}
	}
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		q := `SELECT e2.id, e2.date, e2.threat_level_id, e2.info, e2.published, e2.uuid, e2.analysis,
			e2.timestamp, e2.distribution, e2.org_id, e2.orgc_id, o.name, o.uuid, oc.name, oc.uuid
			FROM events e2 JOIN organisations o ON o.id = e2.org_id JOIN organisations oc ON oc.id = e2.orgc_id
			WHERE e2.id IN (` + paddedList(&a, chunk) + ") AND " + tx.eventVisible(&a, "e2", actor)
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			r := &misp.RelatedEvent{}
			e := &r.Event
			err := rows.Scan(&e.ID, &e.Date, &e.ThreatLevelID, &e.Info, scanBool(&e.Published), &e.UUID, &e.Analysis,
				&e.Timestamp, &e.Distribution, &e.OrgID, &e.OrgcID, &e.Org.Name, &e.Org.UUID, &e.Orgc.Name, &e.Orgc.UUID)
			e.Org.ID, e.Orgc.ID = e.OrgID, e.OrgcID
			list = append(list, r)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	// MISP orders by date, latest first (relatedEvents).
	slices.SortFunc(list, func(x, y *misp.RelatedEvent) int {
		if c := cmp.Compare(y.Event.Date, x.Event.Date); c != 0 {
			return c
		}
		return cmp.Compare(y.Event.ID, x.Event.ID)
	})
	return list, nil
}

// loadEventNetworkCorrelations adds the CIDR correlations of the
// attributes of event id in byID to their RelatedAttribute lists, within
// the misp.MaxCorrelationsPerEvent entries loadEventCorrelations leaves:
// the value is the other attribute's (the address a network holds, the
// network holding an address).
func loadEventNetworkCorrelations(ctx context.Context, tx *tx, actor *misp.Actor, id int64, byID map[int64]*misp.Attribute) error {
	pairs, err := networkPairs(ctx, tx, actor, eventNetworks(id))
	if err != nil || len(pairs) == 0 {
		return err
	}
	room := misp.MaxCorrelationsPerEvent
	for _, at := range byID {
		room -= len(at.RelatedAttribute)
	}
	touched := map[*misp.Attribute]bool{}
	for _, p := range pairs {
		at := byID[p.from]
		if at == nil {
			continue
		}
		if room <= 0 {
			break
		}
		room--
		at.RelatedAttribute = append(at.RelatedAttribute, &misp.RelatedAttribute{
			ID: misp.Int(p.to), EventID: misp.Int(p.toEvent), Value: p.value, OrgID: misp.Int(p.orgc), Info: p.info})
		touched[at] = true
	}
	for at := range touched {
		sortRelated(at.RelatedAttribute)
	}
	return nil
}

// loadRelatedNetworkAttributes adds the CIDR correlations of attrs to
// their RelatedAttribute lists in full, as loadRelatedAttributes lists
// the others, keeping each list in id order.
func loadRelatedNetworkAttributes(ctx context.Context, tx *tx, actor *misp.Actor, attrs []*misp.Attribute) error {
	byID := make(map[int64]*misp.Attribute, len(attrs))
	ids := make([]int64, 0, len(attrs))
	for _, at := range attrs {
		byID[int64(at.ID)] = at
		ids = append(ids, int64(at.ID))
	}
	var pairs []networkPair
	for _, chunk := range chunks(ids, inChunk) {
		more, err := networkPairs(ctx, tx, actor, func(a *args, alias string) string {
			return alias + ".attribute_id IN (" + paddedList(a, chunk) + ")"
		})
		if err != nil {
			return err
		}
		pairs = append(pairs, more...)
	}
	if len(pairs) == 0 {
		return nil
	}
	others := map[int64]bool{}
	var list []int64
	for _, p := range pairs {
		if !others[p.to] {
			others[p.to] = true
			list = append(list, p.to)
		}
	}
	details := map[int64]*misp.RelatedAttribute{}
	for _, chunk := range chunks(list, inChunk) {
		var a args
		q := "SELECT " + relatedDetailCols + " FROM attributes a3 JOIN events e2 ON e2.id = a3.event_id WHERE a3.id IN (" +
			paddedList(&a, chunk) + ")"
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			r, err := scanRelatedDetail(rows)
			if err != nil {
				return err
			}
			details[int64(r.ID)] = r
			return nil
		})
		if err != nil {
			return err
		}
	}
	touched := map[*misp.Attribute]bool{}
	for _, p := range pairs {
		at, r := byID[p.from], details[p.to]
		if at == nil || r == nil {
			continue
		}
		// Each other attribute comes once: an attribute has one value1,
		// so a pair of attributes makes one pair of rows.
		c := *r
		at.RelatedAttribute = append(at.RelatedAttribute, &c)
		touched[at] = true
	}
	for at := range touched {
		slices.SortStableFunc(at.RelatedAttribute, func(x, y *misp.RelatedAttribute) int { return cmp.Compare(x.ID, y.ID) })
	}
	return nil
}

// padded is vs padded as paddedList pads an id list, so that the lists
// of a few lengths share prepared statements.
func padded[T any](vs []T) []T {
	n := 8
	for n < len(vs) {
		n *= 2
	}
	n = min(n, max(inChunk, len(vs)))
	out := make([]T, n)
	copy(out, vs)
	for i := len(vs); i < n; i++ {
		out[i] = vs[len(vs)-1]
	}
	return out
}
