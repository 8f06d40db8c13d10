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
