package freetext

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicSuffixListMatchesIANA compares our top-level domains with
// MISP's "TLDs as known by IANA" warninglist in the project's shared
// MISP data, when it is there: every TLD MISP knows should be ours, but
// for a few delegated after golang.org/x/net last updated its list.
func TestPublicSuffixListMatchesIANA(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "misp-data", "warninglists", "lists", "tlds", "list.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		List []string `json:"list"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.List) < 1000 {
		t.Fatalf("%s lists %d TLDs, want over 1000", path, len(list.List))
	}
	st := &state{p: defaultParser, tldCache: map[string]bool{}}
	var missing []string
	for _, tld := range list.List {
		if !st.isTLD(strings.ToLower(tld)) {
			missing = append(missing, tld)
		}
	}
	t.Logf("%d of %d IANA TLDs missing from the Public Suffix List: %v", len(missing), len(list.List), missing)
	if len(missing) > 10 {
		t.Errorf("%d IANA TLDs unknown: %v; upgrade golang.org/x/net", len(missing), missing)
	}
	for _, notTLD := range []string{"exe", "dll", "pdf", "txt", "local", "internal", "localhost", "test", "example", "invalid"} {
		if st.isTLD(notTLD) {
			t.Errorf("isTLD(%q) = true, want false", notTLD)
		}
	}
}
