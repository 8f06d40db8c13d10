// Package hashset is a set of strings that keeps only a 64-bit hash of
// each, for the formats that drop repeated values over a whole answer
// (text, rpz) without holding the values.
//
// Memory: one uint64 slot a value in an open-addressed table kept at most
// three quarters full, so between 10.7 and 21.3 bytes a distinct value,
// and up to 32 while the table doubles: 110–320 MB for ten million
// distinct values (a Go map[uint64]struct{} takes about 38).
//
// The hash is seeded per set, so two distinct values share a hash (the
// second is then taken for a repeat) with a chance of about n²/2⁶⁵ for n
// values — 3·10⁻⁶ for ten million — and not in a way that whoever submits
// the values can arrange.
package hashset

import "hash/maphash"

// Set is a set of string hashes. The zero value is not ready; use New.
type Set struct {
	seed  maphash.Seed
	slots []uint64 // 0 marks an empty slot; the hash 0 is kept in zero
	zero  bool
	n     int
}

// New returns an empty set with a fresh seed.
func New() *Set { return &Set{seed: maphash.MakeSeed()} }

// Len returns the number of values added.
func (s *Set) Len() int { return s.n }

// Add adds v and reports whether it was not in the set yet.
func (s *Set) Add(v string) bool { return s.addHash(maphash.String(s.seed, v)) }

func (s *Set) addHash(h uint64) bool {
	if h == 0 {
		if s.zero {
			return false
		}
		s.zero = true
		s.n++
		return true
	}
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	if !insert(s.slots, h) {
		return false
	}
	s.n++
	return true
}

// insert puts h into slots by linear probing; false if it was there.
func insert(slots []uint64, h uint64) bool {
	mask := uint64(len(slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch slots[i] {
		case 0:
			slots[i] = h
			return true
		case h:
			return false
		}
	}
}

func (s *Set) grow() {
	size := 2 * len(s.slots)
	if size == 0 {
		size = 64
	}
	slots := make([]uint64, size)
	for _, h := range s.slots {
		if h != 0 {
			insert(slots, h)
		}
	}
	s.slots = slots
}
