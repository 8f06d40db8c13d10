package hashset

import (
	"strconv"
	"testing"
)

func TestAdd(t *testing.T) {
	s := New()
	const n = 10000 // several doublings
	for i := range n {
		if !s.Add(strconv.Itoa(i)) {
			t.Fatalf("Add(%d) = false on first add", i)
		}
	}
	for i := range n {
		if s.Add(strconv.Itoa(i)) {
			t.Fatalf("Add(%d) = true on second add", i)
		}
	}
	if s.Len() != n {
		t.Errorf("Len() = %d, want %d", s.Len(), n)
	}
	if !s.Add("") || s.Add("") {
		t.Error("the empty string is not added exactly once")
	}
}

func TestZeroHash(t *testing.T) {
	s := New()
	if !s.addHash(0) || s.addHash(0) {
		t.Error("hash 0 is not added exactly once")
	}
	if !s.addHash(1) || s.Len() != 2 {
		t.Errorf("after hashes 0 and 1: Len() = %d, want 2", s.Len())
	}
}

func TestLoad(t *testing.T) {
	s := New()
	for i := range 1000 {
		s.addHash(uint64(i+1) << 20) // same low bits: one long probe chain
	}
	if s.Len() != 1000 || s.n*4 > len(s.slots)*3 {
		t.Errorf("Len() = %d with %d slots, want 1000 within 3/4 load", s.Len(), len(s.slots))
	}
}
