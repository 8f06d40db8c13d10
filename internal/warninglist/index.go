package warninglist

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// Hit is one list that a value matched. Matched is what MISP reports as
// the match: the entry for cidr (canonical prefix), substring and regex
// lists, the listed parent domain for hostname lists, the value itself for
// string lists. Value is the value checked, or the part of a composite
// value that matched (MISP's warning "value"); Category is the list's.
type Hit struct {
	ListID   int64
	Name     string
	Category string
	Matched  string
	Value    string
}

// Index answers which lists a value is on. It indexes every list given to
// NewIndex, whatever their Enabled field says: the caller passes the lists
// it wants checked (MISP checks the enabled ones). An Index is immutable
// and safe for concurrent use.
type Index struct {
	lists []indexedList // sorted by ID then name; a list's number is its position

	typeMask map[string]listSet // attribute type → lists applying to it, "ALL" lists included
	allMask  listSet            // lists applying to every type ("ALL")
	anyMask  listSet            // every list, for CheckValue
	kindMask [numKinds]listSet  // list type → lists of that type

	strings   map[string]listRefs
	hostnames hostnameIndex
	cidrs     cidrIndex
	subs      substringIndex
	regexes   []regexEntry
}

type indexedList struct {
	id       int64
	name     string
	category string
}

type kind int

const (
	kindString kind = iota
	kindSubstring
	kindHostname
	kindCIDR
	kindRegex
	numKinds
)

func kindOf(typ string) (kind, bool) {
	switch typ {
	case TypeString:
		return kindString, true
	case TypeSubstring:
		return kindSubstring, true
	case TypeHostname:
		return kindHostname, true
	case TypeCIDR:
		return kindCIDR, true
	case TypeRegex:
		return kindRegex, true
	}
	return 0, false
}

type regexEntry struct {
	list  int32
	entry string
	re    *regexp.Regexp
	lits  []string // every match contains one of them; nil: unknown
}

// NewIndex builds an index over lists (nil elements and lists of an unknown
// type are ignored). Entries that Parse would have skipped are ignored.
func NewIndex(lists []*List) *Index {
	sorted := make([]*List, 0, len(lists))
	for _, l := range lists {
		if l == nil {
			continue
		}
		if _, ok := kindOf(l.Type); ok {
			sorted = append(sorted, l)
		}
	}
	slices.SortStableFunc(sorted, func(a, b *List) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Name, b.Name))
	})

	var size [numKinds]int // entries per kind, to size the maps once
	for _, l := range sorted {
		k, _ := kindOf(l.Type)
		size[k] += len(l.Entries)
	}
	n := len(sorted)
	ix := &Index{
		lists:    make([]indexedList, n),
		typeMask: make(map[string]listSet),
		allMask:  newListSet(n),
		anyMask:  newListSet(n),
		strings:  make(map[string]listRefs, size[kindString]),
	}
	for k := range ix.kindMask {
		ix.kindMask[k] = newListSet(n)
	}
	hb := newHostnameBuilder(size[kindHostname])
	cb := newCIDRBuilder()
	sb := newSubstringBuilder()
	for i, l := range sorted {
		num := int32(i)
		ix.lists[i] = indexedList{id: l.ID, name: l.Name, category: l.Category}
		ix.anyMask.add(i)
		k, _ := kindOf(l.Type)
		ix.kindMask[k].add(i)
		ix.addTypes(i, l.MatchingAttributes)
		for _, e := range l.Entries {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			switch k {
			case kindString:
				addRef(ix.strings, e, num)
			case kindHostname:
				hb.add(e, num)
			case kindCIDR:
				cb.add(e, num)
			case kindSubstring:
				sb.add(e, num)
			case kindRegex:
				if re, err := compilePHPRegex(e); err == nil {
					ix.regexes = append(ix.regexes, regexEntry{list: num, entry: e, re: re, lits: requiredLiterals(re)})
				}
			}
		}
	}
	for t, m := range ix.typeMask {
		ix.typeMask[t] = m.union(ix.allMask)
	}
	ix.hostnames = hb.build()
	ix.cidrs = cb.build()
	ix.subs = sb.build()
	return ix
}

// addTypes records which attribute types list i applies to. MISP stores
// "ALL" for a list without matching attributes.
func (ix *Index) addTypes(i int, types []string) {
	if len(types) == 0 {
		ix.allMask.add(i)
		return
	}
	for _, t := range types {
		if t == AllTypes {
			ix.allMask.add(i)
			continue
		}
		m, ok := ix.typeMask[t]
		if !ok {
			m = newListSet(len(ix.lists))
			ix.typeMask[t] = m
		}
		m.add(i)
	}
}

// Check returns the lists that flag an attribute of type typ with this
// value: lists whose matching attributes contain typ or "ALL". A composite
// type (one containing "|", and malware-sample) has its value split at the
// first "|" and the parts checked in order; each list reports the first
// part it matched. Whether the attribute should be checked at all (MISP
// checks only to_ids attributes unless MISP.warning_for_all is set) is the
// caller's decision. Hits are sorted by list ID then name; nil means none.
func (ix *Index) Check(typ, value string) []Hit {
	mask, ok := ix.typeMask[typ]
	if !ok {
		mask = ix.allMask
	}
	var st matchState
	if typ == "malware-sample" || strings.Contains(typ, "|") {
		first, second, found := strings.Cut(value, "|")
		st.part = first
		ix.match(&st, mask, first)
		if found {
			st.part = second
			ix.match(&st, mask, second)
		}
	} else {
		st.part = value
		ix.match(&st, mask, value)
	}
	return ix.hits(st)
}

// CheckValue returns the lists that value is on, whatever their matching
// attributes, as MISP's warninglists/checkValue does: the value is trimmed
// and checked whole, never split as a composite.
func (ix *Index) CheckValue(value string) []Hit {
	var st matchState
	st.part = strings.Trim(value, " \t\n\r\x00\x0b")
	ix.match(&st, ix.anyMask, st.part)
	return ix.hits(st)
}

// matchState collects the hits of one Check: at most one per list, the
// first found. part is the value (or composite part) being matched.
type matchState struct {
	found []found
	part  string
}

type found struct {
	list    int32
	matched string
	value   string
}

func (st *matchState) has(list int32) bool {
	for _, f := range st.found {
		if f.list == list {
			return true
		}
	}
	return false
}

// add records a hit of list unless the list is outside mask or already hit.
func (st *matchState) add(mask listSet, list int32, matched string) {
	if mask.has(int(list)) && !st.has(list) {
		st.found = append(st.found, found{list: list, matched: matched, value: st.part})
	}
}

func (ix *Index) match(st *matchState, mask listSet, v string) {
	if mask.intersects(ix.kindMask[kindString]) {
		if r, ok := ix.strings[v]; ok {
			r.addTo(st, mask, v)
		}
	}
	if mask.intersects(ix.kindMask[kindHostname]) {
		ix.hostnames.match(st, mask, v)
	}
	if mask.intersects(ix.kindMask[kindCIDR]) {
		ix.cidrs.match(st, mask, v)
	}
	if mask.intersects(ix.kindMask[kindSubstring]) {
		ix.subs.match(st, mask, v)
	}
	if mask.intersects(ix.kindMask[kindRegex]) {
		for _, r := range ix.regexes {
			if mask.has(int(r.list)) && !st.has(r.list) &&
				mayMatch(v, r.lits) && r.re.MatchString(v) {
				st.add(mask, r.list, r.entry)
			}
		}
	}
}

func (ix *Index) hits(st matchState) []Hit {
	if len(st.found) == 0 {
		return nil
	}
	slices.SortFunc(st.found, func(a, b found) int { return cmp.Compare(a.list, b.list) })
	hits := make([]Hit, len(st.found))
	for i, f := range st.found {
		l := ix.lists[f.list]
		hits[i] = Hit{ListID: l.id, Name: l.name, Category: l.category, Matched: f.matched, Value: f.value}
	}
	return hits
}

// mayMatch reports whether v contains one of lits, or lits is nil.
func mayMatch(v string, lits []string) bool {
	if lits == nil {
		return true
	}
	for _, l := range lits {
		if strings.Contains(v, l) {
			return true
		}
	}
	return false
}
