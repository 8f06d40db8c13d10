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
// the value once per length present (26 for IPv4, 51 for IPv6 in the
// library) and walks the lengths from the shortest, so each list reports
// its widest prefix that contains the value, as MISP's CidrTool does for
// IPv4. The reported prefix text is built from key and length on a hit.
type cidrIndex struct {
	v4Lens []int
	v4     []map[uint32]listRefs
	v6Lens []int
	v6     []map[uint128]listRefs
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

func prefix4(key uint32, bits int) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], key)
	return netip.PrefixFrom(netip.AddrFrom4(b), bits).String()
}

func prefix6(key uint128, bits int) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], key.hi)
	binary.BigEndian.PutUint64(b[8:], key.lo)
	return netip.PrefixFrom(netip.AddrFrom16(b), bits).String()
}

type cidrBuilder struct {
	v4 map[int]map[uint32]listRefs
	v6 map[int]map[uint128]listRefs
}

func newCIDRBuilder() *cidrBuilder {
	return &cidrBuilder{v4: make(map[int]map[uint32]listRefs), v6: make(map[int]map[uint128]listRefs)}
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
			m = make(map[uint32]listRefs)
			b.v4[bits] = m
		}
		addRef(m, addr4(p.Addr()), list)
		return
	}
	m := b.v6[bits]
	if m == nil {
		m = make(map[uint128]listRefs)
		b.v6[bits] = m
	}
	addRef(m, addr6(p.Addr()), list)
}

func (b *cidrBuilder) build() cidrIndex {
	var ix cidrIndex
	ix.v4Lens, ix.v4 = byLength(b.v4)
	ix.v6Lens, ix.v6 = byLength(b.v6)
	return ix
}

func byLength[K comparable](m map[int]map[K]listRefs) ([]int, []map[K]listRefs) {
	lens := make([]int, 0, len(m))
	for l := range m {
		lens = append(lens, l)
	}
	slices.Sort(lens)
	maps := make([]map[K]listRefs, len(lens))
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
		key := u.masked(l)
		if r, ok := ix.v6[i][key]; ok && r.wanted(st, mask) {
			r.addTo(st, mask, prefix6(key, l))
		}
	}
}

func (ix cidrIndex) match4(st *matchState, mask listSet, a uint32, bits int) {
	for i, l := range ix.v4Lens {
		if l > bits {
			break
		}
		key := mask4(a, l)
		if r, ok := ix.v4[i][key]; ok && r.wanted(st, mask) {
			r.addTo(st, mask, prefix4(key, l))
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
