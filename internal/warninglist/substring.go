package warninglist

import "slices"

// substringIndex finds the entries of substring lists contained in a
// value with one Aho-Corasick automaton per list: one pass over the value
// per applicable list, instead of one strings.Contains per entry
// (disposable-email alone has 8,201 entries, ~100 µs per value as a loop).
// Per list rather than one shared automaton because the lists apply to
// different types: a domain value then walks the two small lists' automata,
// which stay in cache, not the 76,000 nodes of disposable-email.
// Matching is case-sensitive, like MISP's str_contains.
type substringIndex struct {
	automata []automaton
}

// automaton is an Aho-Corasick automaton over one list's entries.
type automaton struct {
	list     int32
	rootNext [256]int32 // dense transitions of the root
	start    []int32    // node i's edges are edgeByte/edgeTo[start[i]:start[i+1]], sorted by byte
	edgeByte []byte
	edgeTo   []int32
	fail     []int32
	out      []int32 // position in entries of the entry ending at the node, or -1
	dict     []int32 // nearest node on the fail chain with an entry, or -1
	entries  []string
}

type edge struct {
	b  byte
	to int32
}

type substringBuilder struct {
	lists   []int32
	entries [][]string
}

func newSubstringBuilder() *substringBuilder { return &substringBuilder{} }

func (b *substringBuilder) add(entry string, list int32) {
	if n := len(b.lists); n == 0 || b.lists[n-1] != list {
		b.lists = append(b.lists, list)
		b.entries = append(b.entries, nil)
	}
	i := len(b.entries) - 1
	b.entries[i] = append(b.entries[i], entry)
}

func (b *substringBuilder) build() substringIndex {
	ix := substringIndex{automata: make([]automaton, len(b.lists))}
	for i, list := range b.lists {
		ix.automata[i] = buildAutomaton(list, b.entries[i])
	}
	return ix
}

func buildAutomaton(list int32, entries []string) automaton {
	// The trie, with per-node edge lists while building.
	children := [][]edge{nil}
	out := []int32{-1}
	for pos, p := range entries {
		node := int32(0)
		for i := 0; i < len(p); i++ {
			next := int32(-1)
			for _, e := range children[node] {
				if e.b == p[i] {
					next = e.to
					break
				}
			}
			if next < 0 {
				next = int32(len(children))
				children = append(children, nil)
				out = append(out, -1)
				children[node] = append(children[node], edge{b: p[i], to: next})
			}
			node = next
		}
		if out[node] < 0 { // a duplicate entry: the earlier position wins
			out[node] = int32(pos)
		}
	}

	n := len(children)
	a := automaton{
		list:    list,
		start:   make([]int32, n+1),
		fail:    make([]int32, n),
		out:     out,
		dict:    make([]int32, n),
		entries: entries,
	}
	for i, es := range children {
		slices.SortFunc(es, func(x, y edge) int { return int(x.b) - int(y.b) })
		a.start[i] = int32(len(a.edgeByte))
		for _, e := range es {
			a.edgeByte = append(a.edgeByte, e.b)
			a.edgeTo = append(a.edgeTo, e.to)
		}
	}
	a.start[n] = int32(len(a.edgeByte))
	for _, e := range children[0] {
		a.rootNext[e.b] = e.to
	}

	// Fail and dictionary links, breadth first so that a node's fail
	// target (always shallower) is done before the node.
	a.dict[0] = -1
	queue := make([]int32, 0, n)
	for _, e := range children[0] {
		a.dict[e.to] = -1
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range children[u] {
			v := e.to
			f := a.step(a.fail[u], e.b)
			a.fail[v] = f
			if a.out[f] >= 0 {
				a.dict[v] = f
			} else {
				a.dict[v] = a.dict[f]
			}
			queue = append(queue, v)
		}
	}
	return a
}

// step is the automaton's transition from node s on byte c.
func (a *automaton) step(s int32, c byte) int32 {
	for s != 0 {
		for i := a.start[s]; i < a.start[s+1]; i++ {
			if b := a.edgeByte[i]; b == c {
				return a.edgeTo[i]
			} else if b > c {
				break
			}
		}
		s = a.fail[s]
	}
	return a.rootNext[c]
}

// first returns the position of the first entry (in list order) that v
// contains, or -1.
func (a *automaton) first(v string) int32 {
	best := int32(-1)
	s := int32(0)
	for i := 0; i < len(v); i++ {
		s = a.step(s, v[i])
		t := s
		if a.out[t] < 0 {
			t = a.dict[t]
		}
		for ; t > 0; t = a.dict[t] {
			if p := a.out[t]; best < 0 || p < best {
				best = p
			}
		}
		if best == 0 {
			break // no entry comes earlier
		}
	}
	return best
}

// match reports, for each substring list in mask, the first of its entries
// (in list order) that v contains.
func (ix *substringIndex) match(st *matchState, mask listSet, v string) {
	for i := range ix.automata {
		a := &ix.automata[i]
		if !mask.has(int(a.list)) || st.has(a.list) {
			continue
		}
		if pos := a.first(v); pos >= 0 {
			st.add(mask, a.list, a.entries[pos])
		}
	}
}
