package warninglist

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fuzzIndex has a list of every type, with entries chosen to exercise the
// edge cases of each matcher.
func fuzzIndex() *Index {
	return NewIndex([]*List{
		newList(1, "string", TypeString, []string{"domain", "filename|md5"}, "google.com", "a|b", ""),
		newList(2, "substring", TypeSubstring, []string{"email-src", "domain|ip"}, "mail", "ma", "a", "ail.com", "|"),
		newList(3, "hostname", TypeHostname, []string{"url", "domain", "hostname|port"}, ".google.com", "com", "...", "a..b"),
		newList(4, "cidr", TypeCIDR, []string{"ip-dst", "ip-dst|port", "domain|ip"},
			"0.0.0.0/0", "10.0.0.0/8", "8.8.8.8", "::/0", "2001:db8::/32", "::ffff:0:0/96", "::1"),
		newList(5, "regex", TypeRegex, nil, `/^abuse@/i`, `/(a|b)+c/`, `/(?<=x)/`, `/55501/g`),
		newList(6, "all", TypeHostname, []string{"ALL"}, "example.org"),
	})
}

func FuzzCheck(f *testing.F) {
	for _, seed := range [][2]string{
		{"ip-dst", "8.8.8.8"}, {"ip-dst", "::ffff:10.0.0.1/120"}, {"ip-dst", "10.0.0.0/0"},
		{"ip-dst", "fe80::1%eth0"}, {"ip-dst|port", "2001:db8::1|53"}, {"domain|ip", "google.com|1.2.3.4"},
		{"url", "https://www.google.com//a"}, {"url", "//"}, {"domain", "..."}, {"domain", "a..b"},
		{"email-src", "Abuse@mail.com"}, {"malware-sample", "x|y|z"}, {"", ""}, {"|", "|"},
		{"hostname|port", "\xff.google.com|\x00"},
	} {
		f.Add(seed[0], seed[1])
	}
	ix := fuzzIndex()
	f.Fuzz(func(t *testing.T, typ, value string) {
		for _, hits := range [][]Hit{ix.Check(typ, value), ix.CheckValue(value)} {
			if hits != nil && len(hits) == 0 {
				t.Errorf("empty non-nil hits for (%q, %q)", typ, value)
			}
			if !slices.IsSortedFunc(hits, func(a, b Hit) int { return int(a.ListID - b.ListID) }) {
				t.Errorf("hits for (%q, %q) not sorted: %v", typ, value, hits)
			}
			for i, h := range hits {
				if h.Matched == "" {
					t.Errorf("hit %v for (%q, %q) has no match", h, typ, value)
				}
				if i > 0 && hits[i-1].ListID == h.ListID {
					t.Errorf("list %d hit twice for (%q, %q)", h.ListID, typ, value)
				}
			}
		}
	})
}

// FuzzParse checks that Parse never panics and that what it accepts
// survives a JSON round trip unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"name":"n","version":1,"description":"d","type":"cidr","list":["8.8.8.8","x","::/0"],"matching_attributes":["ip-dst"]}`,
		`{"name":"n","description":"d","type":["regex"],"list":["/a/i","/(a)\\1/","#b#g"]}`,
		`{"name":"n","description":"d","list":{"b":"c"},"category":"known"}`,
		`{"name":"n","description":"d","type":"hostname","list":[" .a.b. ",""]}`,
		`[]`, `{"name":`, `null`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		l, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", l, err)
		}
		again, err := Parse(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(%q))) = %v", in, err)
		}
		if len(again.Skipped) != 0 {
			t.Errorf("round trip skipped %v", again.Skipped)
		}
		if diff := cmp.Diff(l, again, cmpopts.IgnoreFields(List{}, "Skipped"), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip of %q mismatch (-first +second):\n%s", in, diff)
		}
		NewIndex([]*List{l}).CheckValue("8.8.8.8")
	})
}
