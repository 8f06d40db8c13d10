package main

import (
	"path/filepath"
	"testing"
)

// TestUnpublishedPrivateWiring checks that RAZMENA_UNPUBLISHED_PRIVATE
// reaches the store's visibility policy (the rule itself is tested by the
// store conformance suite and the REST leak matrix).
func TestUnpublishedPrivateWiring(t *testing.T) {
	for _, c := range []struct {
		env  string
		want bool
	}{{"", false}, {"true", true}, {"0", false}} {
		m, _ := startMain(t, filepath.Join(t.TempDir(), "razmena.db"), map[string]string{"RAZMENA_UNPUBLISHED_PRIVATE": c.env})
		if got := m.DB.Policy.UnpublishedPrivate; got != c.want {
			t.Errorf("RAZMENA_UNPUBLISHED_PRIVATE=%q: store policy UnpublishedPrivate = %v, want %v", c.env, got, c.want)
		}
		m.Close()
	}
}
