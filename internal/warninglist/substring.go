package warninglist

import "slices"

// substringIndex finds every substring-list entry contained in a value in
// one pass over the value: an Aho-Corasick automaton over the entries of
// all substring lists (misp-warninglists has about 8,400, nearly all in
// disposable-email, so a loop of strings.Contains would cost ~100 µs per
// value). Matching is case-sensitive, like MISP's str_contains.
type substringIndex struct {
	rootNext [256]int32 // dense transitions of the root
	start    []int32    // node i's edges are edgeByte/edgeTo[start[i]:start[i+1]], sorted by byte
	edgeByte []byte
	edgeTo   []int32
	fail     []int32
	out      []int32 // pattern ending at the node, or -1
	dict     []int32 // nearest node on the fail chain with a pattern, or -1

	patterns []string
	refs     [][]subRef // pattern → the lists holding it
}

// subRef places a pattern in a list: MISP reports the first entry (in list
// order) that a value contains, so the position is kept.
type subRef struct {
	list int32
	pos  int32
}

type edge struct {
	b  byte
	to int32
}

type substringBuilder struct {
	ids      map[string]int32
	patterns []string
	refs     [][]subRef
}

func newSubstringBuilder() *substringBuilder {
	return &substringBuilder{ids: make(map[string]int32)}
}

func (b *substringBuilder) add(entry string, list, pos int32) {
	id, ok := b.ids[entry]
	if !ok {
		id = int32(len(b.patterns))
		b.ids[entry] = id
		b.patterns = append(b.patterns, entry)
		b.refs = append(b.refs, nil)
	}
	rs := b.refs[id]
	if len(rs) > 0 && rs[len(rs)-1].list == list {
		return // a duplicate entry: the earlier position wins
	}
	b.refs[id] = append(rs, subRef{list: list, pos: pos})
}

func (b *substringBuilder) build() substringIndex {
	// The trie, with per-node edge lists while building.
	children := [][]edge{nil}
	out := []int32{-1}
	for id, p := range b.patterns {
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
		out[node] = int32(id)
	}

	n := len(children)
	ix := substringIndex{
		start:    make([]int32, n+1),
		fail:     make([]int32, n),
		out:      out,
		dict:     make([]int32, n),
		patterns: b.patterns,
		refs:     b.refs,
	}
	for i, es := range children {
		slices.SortFunc(es, func(a, b edge) int { return int(a.b) - int(b.b) })
		ix.start[i] = int32(len(ix.edgeByte))
		for _, e := range es {
			ix.edgeByte = append(ix.edgeByte, e.b)
			ix.edgeTo = append(ix.edgeTo, e.to)
		}
	}
	ix.start[n] = int32(len(ix.edgeByte))
	for _, e := range children[0] {
		ix.rootNext[e.b] = e.to
	}

	// Fail and dictionary links, breadth first so that a node's fail
	// target (always shallower) is done before the node.
	ix.dict[0] = -1
	queue := make([]int32, 0, n)
	for _, e := range children[0] {
		ix.fail[e.to] = 0
		ix.dict[e.to] = -1
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range children[u] {
			v := e.to
			ix.fail[v] = ix.step(ix.fail[u], e.b)
			f := ix.fail[v]
			if ix.out[f] >= 0 {
				ix.dict[v] = f
			} else {
				ix.dict[v] = ix.dict[f]
			}
			queue = append(queue, v)
		}
	}
	return ix
}

// step is the automaton's transition from node s on byte c.
func (ix *substringIndex) step(s int32, c byte) int32 {
	for s != 0 {
		for i := ix.start[s]; i < ix.start[s+1]; i++ {
			if b := ix.edgeByte[i]; b == c {
				return ix.edgeTo[i]
			} else if b > c {
				break
			}
		}
		s = ix.fail[s]
	}
	return ix.rootNext[c]
}

// match reports, for each substring list in mask, the first of its entries
// (in list order) that v contains.
func (ix *substringIndex) match(st *matchState, mask listSet, v string) {
	if len(ix.patterns) == 0 {
		return
	}
	type best struct {
		list, pos, pattern int32
	}
	var buf [4]best
	bests := buf[:0]
	s := int32(0)
	for i := 0; i < len(v); i++ {
		s = ix.step(s, v[i])
		t := s
		if ix.out[t] < 0 {
			t = ix.dict[t]
		}
		for ; t > 0; t = ix.dict[t] {
			p := ix.out[t]
		refs:
			for _, r := range ix.refs[p] {
				if !mask.has(int(r.list)) {
					continue
				}
				for j := range bests {
					if bests[j].list == r.list {
						if r.pos < bests[j].pos {
							bests[j] = best{list: r.list, pos: r.pos, pattern: p}
						}
						continue refs
					}
				}
				bests = append(bests, best{list: r.list, pos: r.pos, pattern: p})
			}
		}
	}
	for _, b := range bests {
		st.add(mask, b.list, ix.patterns[b.pattern])
	}
}
