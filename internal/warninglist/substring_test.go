package warninglist

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSubstringAgainstNaive compares the automaton with a loop of
// strings.Contains (MISP's algorithm) over random entries and values on a
// small alphabet, where overlaps and fail links are frequent.
func TestSubstringAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(maxLen int) string {
		b := make([]byte, 1+rng.IntN(maxLen))
		for i := range b {
			b[i] = "abc"[rng.IntN(3)]
		}
		return string(b)
	}
	for round := range 200 {
		var lists []*List
		for id := range 1 + rng.IntN(4) {
			var entries []string
			for range 1 + rng.IntN(6) {
				entries = append(entries, word(5))
			}
			lists = append(lists, newList(int64(id+1), "l", TypeSubstring, nil, entries...))
		}
		ix := NewIndex(lists)
		for range 20 {
			v := word(12)
			var want []Hit
			for _, l := range lists {
				for _, e := range l.Entries {
					if strings.Contains(v, e) {
						h := hit(l.ID, l.Name, e)
						h.Value = v
						want = append(want, h)
						break
					}
				}
			}
			got := ix.Check("text", v)
			if len(got) != len(want) {
				t.Fatalf("round %d: Check(%q) = %v, want %v", round, v, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("round %d: Check(%q) = %v, want %v", round, v, got, want)
				}
			}
		}
	}
}
