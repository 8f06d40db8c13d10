package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// This file keeps the CIDR correlation rows (migration 00011,
// docs/correlation.md) while the setting enable_advanced_correlations is
// on (MISP.enable_advanced_correlations): a correlation_networks row for
// each correlating ip-src or ip-dst attribute whose value1 is a network,
// a correlation_addresses row for each correlating ip-src, ip-dst,
// ip-src|port or ip-dst|port attribute whose value1 is an address. The
// rules are those of correlation_values for value1 (correlatesSQL, not
// excluded), so an attribute has these rows exactly when value1
// correlates; the same write hooks keep both (uncorrelate, correlate,
// rebuildValues).
//
// A network correlates with the addresses of other events inside it;
// two networks, or two addresses, never do through these rows (equal
// values correlate through correlation_values). The pairs are found when
// read (correlation_cidr_read.go).
//
// The setting is read once per write transaction (networksOn). On
// PostgreSQL a write reads it FOR SHARE, and the switch locks the
// settings table before its snapshot: the switch waits for every write
// that has read the setting, and so sees its attributes, and a write that
// reads the setting after a switch its snapshot missed fails with a
// serialization error and runs again (Dialect.ShareLock). Without this,
// a write seeing "off" could commit attributes that a concurrent switch
// to "on" did not see either, leaving them without rows.

// networkTypes are the types whose value1 is read as an address or a
// network: those of MISP's cidrCorrelation. Only ip-src and ip-dst hold
// networks (MISP's CIDR list; an ip|port value must be an address).
var networkTypes = []string{"ip-src", "ip-dst", "ip-src|port", "ip-dst|port"}

// ipValue is an attribute's value1 read as an address (bits < 0) or a
// network of prefix length bits: the family (4 or 6) and the first and
// last address, big-endian.
type ipValue struct {
	family, bits int
	lo, hi       []byte
}

// parseIPValue reads the value1 v of an attribute of type typ (one of
// networkTypes). A network's host bits are cleared, as MISP's
// __ipv4InCidr and __ipv6InCidr mask them. An IPv4-mapped IPv6 address is
// IPv6, as filter_var reads it.
func parseIPValue(typ, v string) (ipValue, bool) {
	if strings.Contains(v, "/") {
		if typ != "ip-src" && typ != "ip-dst" {
			return ipValue{}, false
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return ipValue{}, false
		}
		p = p.Masked()
		lo := addrBytes(p.Addr())
		m := prefixMask(len(lo), p.Bits())
		hi := make([]byte, len(lo))
		for i := range lo {
			hi[i] = lo[i] | ^m[i]
		}
		return ipValue{family: family(p.Addr()), bits: p.Bits(), lo: lo, hi: hi}, true
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return ipValue{}, false
	}
	b := addrBytes(a)
	return ipValue{family: family(a), bits: -1, lo: b, hi: b}, true
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

func addrBytes(a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return b[:]
	}
	b := a.As16()
	return b[:]
}

// prefixMask is the netmask of a prefix of bits bits, n bytes long.
func prefixMask(n, bits int) []byte {
	m := make([]byte, n)
	for i := range m {
		switch {
		case bits >= 8:
			m[i] = 0xff
			bits -= 8
		case bits > 0:
			m[i] = byte(0xff << (8 - bits))
			bits = 0
		}
	}
	return m
}

// maskAddr is the address b with all but its first bits bits cleared.
func maskAddr(b []byte, bits int) []byte {
	m := prefixMask(len(b), bits)
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[i] & m[i]
	}
	return out
}

// readAdvanced reads the CIDR correlation setting, with lock appended to
// the query (a write's Dialect.ShareLock, "" for a read). No row, or a
// value strconv.ParseBool rejects, is off.
func readAdvanced(ctx context.Context, t *tx, lock string) (bool, error) {
	var s string
	err := t.get(ctx, "SELECT value FROM settings WHERE key = $1"+lock, []any{misp.SettingAdvancedCorrelations}, &s)
	if errors.Is(err, misp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read advanced correlations setting: %w", err)
	}
	on, err := strconv.ParseBool(s)
	return on && err == nil, nil
}

// networksOn reports, in a write transaction, whether CIDR correlation
// is on, read once per transaction (see the top of this file).
func (t *tx) networksOn(ctx context.Context) (bool, error) {
	if t.advanced != 0 {
		return t.advanced > 0, nil
	}
	on, err := readAdvanced(ctx, t, t.d.ShareLock)
	if err != nil {
		return false, err
	}
	t.advanced = -1
	if on {
		t.advanced = 1
	}
	return on, nil
}

// unnetwork removes the network and address rows of the attributes of s.
func (t *tx) unnetwork(ctx context.Context, s corrScope) error {
	if on, err := t.networksOn(ctx); err != nil || !on {
		return err
	}
	for _, table := range []string{"correlation_networks", "correlation_addresses"} {
		var a args
		if _, err := t.exec(ctx, "DELETE FROM "+table+" WHERE "+s.members(&a, table), a...); err != nil {
			return fmt.Errorf("uncorrelate networks: %w", err)
		}
	}
	return nil
}

// network writes the network and address rows of the attributes of s,
// which must have none. The values are parsed here: SQLite has no
// address functions.
func (t *tx) network(ctx context.Context, s corrScope) error {
	if on, err := t.networksOn(ctx); err != nil || !on {
		return err
	}
	var a args
	// Attributes first, as correlationValuesSelect.
	q := "SELECT a.id, a.event_id, a.type, a.value1 FROM attributes a CROSS JOIN events e WHERE e.id = a.event_id AND " + s.attrs(&a) +
		" AND a.type IN (" + inList(&a, networkTypes) + ") AND " + correlatesSQL(&a) + " AND NOT " + excluded("a.value1")
	var nets, addrs [][]any
	err := t.each(ctx, q, a, func(rows *sql.Rows) error {
		var id, event int64
		var typ, v string
		if err := rows.Scan(&id, &event, &typ, &v); err != nil {
			return err
		}
		ip, ok := parseIPValue(typ, v)
		switch {
		case !ok:
		case ip.bits >= 0:
			nets = append(nets, []any{id, event, ip.family, ip.bits, ip.lo, ip.hi})
		default:
			addrs = append(addrs, []any{id, event, ip.family, ip.lo})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("correlate networks: %w", err)
	}
	if err := t.insertRows(ctx, "correlation_networks", []string{"attribute_id", "event_id", "family", "bits", "lo", "hi"}, nets, ""); err != nil {
		return fmt.Errorf("correlate networks: %w", err)
	}
	if err := t.insertRows(ctx, "correlation_addresses", []string{"attribute_id", "event_id", "family", "addr"}, addrs, ""); err != nil {
		return fmt.Errorf("correlate networks: %w", err)
	}
	return nil
}

// renetwork writes the network and address rows of the attributes of s
// again.
func (t *tx) renetwork(ctx context.Context, s corrScope) error {
	if err := t.unnetwork(ctx, s); err != nil {
		return err
	}
	return t.network(ctx, s)
}

// rebuildNetworks writes the network and address rows of the attribute
// ids lo to hi-1 again (a batch of RebuildCorrelations).
func rebuildNetworks(ctx context.Context, tx *tx, lo, hi int64) error {
	return tx.renetwork(ctx, idRangeScope(lo, hi))
}

// everyAttribute is the scope of every attribute.
var everyAttribute = corrScope{
	attrs:   func(*args) string { return "TRUE" },
	members: func(*args, string) string { return "TRUE" },
}

// AdvancedCorrelations reports whether CIDR correlation is on. See
// misp.CorrelationStore.
func (db *DB) AdvancedCorrelations(ctx context.Context) (bool, error) {
	var on bool
	err := db.read(ctx, func(tx *tx) error {
		var err error
		on, err = readAdvanced(ctx, tx, "")
		return err
	})
	return on, err
}

// SetAdvancedCorrelations stores the setting and computes (on) or drops
// (off) every network and address row, in one transaction. See
// misp.CorrelationStore and the top of this file.
func (db *DB) SetAdvancedCorrelations(ctx context.Context, on bool) error {
	err := db.write(ctx, func(tx *tx) error {
		for _, q := range tx.d.LockSettings {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, misp.SettingAdvancedCorrelations, strconv.FormatBool(on))
		if err != nil {
			return err
		}
		for _, table := range []string{"correlation_networks", "correlation_addresses"} {
			if _, err := tx.exec(ctx, "DELETE FROM "+table); err != nil {
				return err
			}
		}
		tx.advanced = -1
		if !on {
			return nil
		}
		tx.advanced = 1
		return tx.network(ctx, everyAttribute)
	})
	if err != nil {
		return fmt.Errorf("set advanced correlations: %w", err)
	}
	return nil
}
