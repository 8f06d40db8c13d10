package storetest

import "testing"

// testGalaxies checks the galaxy library store.
func testGalaxies(t *testing.T, s *Stores) {
	t.Skip("not built yet")
}
