package warninglist

// listSet is a set of list numbers (positions in Index.lists).
type listSet []uint64

func newListSet(n int) listSet { return make(listSet, (n+63)/64) }

func (s listSet) add(i int) { s[i/64] |= 1 << (i % 64) }

func (s listSet) has(i int) bool { return i/64 < len(s) && s[i/64]&(1<<(i%64)) != 0 }

func (s listSet) intersects(t listSet) bool {
	for i := range min(len(s), len(t)) {
		if s[i]&t[i] != 0 {
			return true
		}
	}
	return false
}

func (s listSet) union(t listSet) listSet {
	u := make(listSet, max(len(s), len(t)))
	copy(u, s)
	for i, w := range t {
		u[i] |= w
	}
	return u
}

// listRefs is the lists holding one entry: nearly always a single list,
// kept inline so that the index maps need no slice per entry.
type listRefs struct {
	first int32
	more  []int32
}

// with returns r plus list. Entries are indexed list by list, so a list
// already in r is its last one.
func (r listRefs) with(list int32) listRefs {
	last := r.first
	if n := len(r.more); n > 0 {
		last = r.more[n-1]
	}
	if last != list {
		r.more = append(r.more, list)
	}
	return r
}

// wanted reports whether a hit on r would add a list to st.
func (r listRefs) wanted(st *matchState, mask listSet) bool {
	if mask.has(int(r.first)) && !st.has(r.first) {
		return true
	}
	for _, l := range r.more {
		if mask.has(int(l)) && !st.has(l) {
			return true
		}
	}
	return false
}

// addTo records a hit with matched for each list of r.
func (r listRefs) addTo(st *matchState, mask listSet, matched string) {
	st.add(mask, r.first, matched)
	for _, l := range r.more {
		st.add(mask, l, matched)
	}
}

// addRef records list as holding key in m.
func addRef[K comparable](m map[K]listRefs, key K, list int32) {
	if r, ok := m[key]; ok {
		m[key] = r.with(list)
		return
	}
	m[key] = listRefs{first: list}
}
