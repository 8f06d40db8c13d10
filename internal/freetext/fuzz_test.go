package freetext

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

// FuzzParse checks that Parse never panics, that every proposal can be
// saved as proposed (misp.NormalizeValue accepts it for its default type)
// with a default type that MISP knows, that no normalised value is
// proposed twice, and that the JSON form reads back the same.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		"1.2.3.4:80 [2001:db8::1]:443 10.0.0.0/8 evil[.]com hxxps[:]//x[.]org/a",
		"a@b.co x(at)y(dot)rs file.exe|9e107d9d372bb6826bd81d3542a419d6",
		`{"a": ["1.2.3.4", {"b": "http:\/\/evil.com\/x"}]}`,
		"CVE-2021-44228 AS13335 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
		"\"C:\\Program Files\\x.exe\" HKLM\\Software\\Run пример.срб",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ps := Parse(text)
		seen := map[string]bool{}
		for _, p := range ps {
			if _, ok := misp.LookupType(p.Type); !ok || p.Type != p.DefaultType {
				t.Fatalf("Parse(%q): proposal %+v has type %q", text, p, p.Type)
			}
			norm, err := misp.NormalizeValue(p.Type, p.Value)
			if err != nil {
				t.Fatalf("Parse(%q): NormalizeValue(%q, %q): %v", text, p.Type, p.Value, err)
			}
			if seen[norm] {
				t.Fatalf("Parse(%q): %q proposed twice", text, norm)
			}
			seen[norm] = true
		}
		b, err := json.Marshal(ps)
		if err != nil {
			t.Fatalf("json.Marshal(Parse(%q)): %v", text, err)
		}
		var back []Proposal
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", b, err)
		}
		if len(back) != len(ps) {
			t.Fatalf("JSON round trip of Parse(%q): %d proposals, want %d", text, len(back), len(ps))
		}
		for i := range ps {
			if !proposalsEqual(back[i], ps[i]) {
				t.Fatalf("JSON round trip of Parse(%q): %+v, want %+v", text, back[i], ps[i])
			}
		}
	})
}

func proposalsEqual(a, b Proposal) bool {
	return cmp.Equal(a, b, cmpopts.EquateEmpty())
}
