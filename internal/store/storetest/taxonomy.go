package storetest

import "testing"

// testTaxonomies checks the taxonomy library store.
func testTaxonomies(t *testing.T, s *Stores) {
	t.Skip("not built yet")
}
