package storetest

import "testing"

// testWarninglists checks the warninglist library store.
func testWarninglists(t *testing.T, s *Stores) {
	t.Skip("not built yet")
}
