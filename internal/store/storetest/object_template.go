package storetest

import "testing"

// testObjectTemplates checks the object template library store.
func testObjectTemplates(t *testing.T, s *Stores) {
	t.Skip("not built yet")
}
