package warninglist

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// cidrIndex holds the prefixes of the cidr lists in one hash map per
// prefix length and family, keyed by the masked address. A lookup masks
// the value once per length present (a few dozen at most) and walks the
// lengths from the shortest, so each list reports its widest prefix that
// contains the value, as MISP's CidrTool does for IPv4.
type cidrIndex struct {
	v4Lens []int
	v4     []map[uint32]*cidrEntry
	v6Lens []int
	v6     []map[uint128]*cidrEntry
}

type cidrEntry struct {
	prefix string // canonical form, reported as Matched
	lists  []int32
}

type uint128 struct{ hi, lo uint64 }

func (u uint128) masked(bits int) uint128 {
	if bits <= 64 {
		return uint128{hi: u.hi & (^uint64(0) << (64 - bits))}
	}
	return uint128{hi: u.hi, lo: u.lo & (^uint64(0) << (128 - bits))}
}

func mask4(a uint32, bits int) uint32 { return a & (^uint32(0) << (32 - bits)) }

func addr4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func addr6(a netip.Addr) uint128 {
	b := a.As16()
	return uint128{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

type cidrBuilder struct {
	v4 map[int]map[uint32]*cidrEntry
	v6 map[int]map[uint128]*cidrEntry
}

func newCIDRBuilder() *cidrBuilder {
	return &cidrBuilder{v4: make(map[int]map[uint32]*cidrEntry), v6: make(map[int]map[uint128]*cidrEntry)}
}

func (b *cidrBuilder) add(entry string, list int32) {
	p, err := parseEntryPrefix(entry)
	if err != nil {
		return
	}
	bits := p.Bits()
	if p.Addr().Is4() {
		m := b.v4[bits]
		if m == nil {
			m = make(map[uint32]*cidrEntry)
			b.v4[bits] = m
		}
		addEntry(m, addr4(p.Addr()), p, list)
		return
	}
	m := b.v6[bits]
	if m == nil {
		m = make(map[uint128]*cidrEntry)
		b.v6[bits] = m
	}
	addEntry(m, addr6(p.Addr()), p, list)
}

func addEntry[K comparable](m map[K]*cidrEntry, key K, p netip.Prefix, list int32) {
	e := m[key]
	if e == nil {
		e = &cidrEntry{prefix: p.String()}
		m[key] = e
	}
	e.lists = appendList(e.lists, list)
}

func (b *cidrBuilder) build() cidrIndex {
	var ix cidrIndex
	ix.v4Lens, ix.v4 = byLength(b.v4)
	ix.v6Lens, ix.v6 = byLength(b.v6)
	return ix
}

func byLength[K comparable](m map[int]map[K]*cidrEntry) ([]int, []map[K]*cidrEntry) {
	lens := make([]int, 0, len(m))
	for l := range m {
		lens = append(lens, l)
	}
	slices.Sort(lens)
	maps := make([]map[K]*cidrEntry, len(lens))
	for i, l := range lens {
		maps[i] = m[l]
	}
	return lens, maps
}

// match checks v as an IP address or a CIDR. A CIDR value matches a list
// entry only if the entry contains the whole range (MISP's rule: the
// entry's prefix length must not exceed the value's). An IPv4-mapped IPv6
// value is checked both as IPv6 and as the IPv4 address it maps.
func (ix cidrIndex) match(st *matchState, mask listSet, v string) {
	a, bits, ok := parseValuePrefix(v)
	if !ok {
		return
	}
	if a.Is4() {
		ix.match4(st, mask, addr4(a), bits)
		return
	}
	if a.Is4In6() && bits >= 96 {
		ix.match4(st, mask, addr4(a.Unmap()), bits-96)
	}
	u := addr6(a)
	for i, l := range ix.v6Lens {
		if l > bits {
			break
		}
		if e := ix.v6[i][u.masked(l)]; e != nil {
			for _, list := range e.lists {
				st.add(mask, list, e.prefix)
			}
		}
	}
}

func (ix cidrIndex) match4(st *matchState, mask listSet, a uint32, bits int) {
	for i, l := range ix.v4Lens {
		if l > bits {
			break
		}
		if e := ix.v4[i][mask4(a, l)]; e != nil {
			for _, list := range e.lists {
				st.add(mask, list, e.prefix)
			}
		}
	}
}

// parseValuePrefix reads an attribute value as an address (its full
// length) or address/length. Anything else, zones included (PHP's
// filter_var refuses them), is not an IP value.
func parseValuePrefix(v string) (netip.Addr, int, bool) {
	s, length, hasLen := strings.Cut(v, "/")
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, 0, false
	}
	if !hasLen {
		return a, a.BitLen(), true
	}
	if length == "" || len(length) > 3 || strings.TrimLeft(length, "0123456789") != "" {
		return netip.Addr{}, 0, false
	}
	bits, err := strconv.Atoi(length)
	if err != nil || bits > a.BitLen() {
		return netip.Addr{}, 0, false
	}
	return a, bits, true
}
