package warninglist

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *List
	}{
		{
			name: "full",
			in: `{"name":"n","version":3,"description":"d","type":"hostname","category":"known",
				"list":[" a.example ","","b.example"],"matching_attributes":["domain","hostname"]}`,
			want: &List{Name: "n", Version: 3, Description: "d", Type: TypeHostname, Category: CategoryKnown,
				Entries: []string{"a.example", "b.example"}, MatchingAttributes: []string{"domain", "hostname"}},
		},
		{
			name: "MISP defaults",
			in:   `{"name":"n","description":"d","list":["x"]}`,
			want: &List{Name: "n", Version: 1, Description: "d", Type: TypeString, Category: CategoryFalsePositive,
				Entries: []string{"x"}, MatchingAttributes: []string{AllTypes}},
		},
		{
			name: "type array, hyphenated category, empty matching attributes",
			in: `{"name":"n","version":2,"description":"d","type":["substring","string"],"category":"false-positive",
				"list":["x"],"matching_attributes":[]}`,
			want: &List{Name: "n", Version: 2, Description: "d", Type: TypeSubstring, Category: CategoryFalsePositive,
				Entries: []string{"x"}, MatchingAttributes: []string{AllTypes}},
		},
		{
			name: "list with comments",
			in:   `{"name":"n","version":1,"description":"d","type":"string","list":{"b":"second","a":""}}`,
			want: &List{Name: "n", Version: 1, Description: "d", Type: TypeString, Category: CategoryFalsePositive,
				Entries: []string{"a", "b"}, MatchingAttributes: []string{AllTypes}},
		},
		{
			name: "cidr entries canonicalised",
			in: `{"name":"n","version":1,"description":"d","type":"cidr",
				"list":["8.8.8.8"," 10.1.2.3/8 ","FE80::/10","2001:4de0:0110::/64","::1","::ffff:9270:3d68"],"matching_attributes":["ip-dst"]}`,
			want: &List{Name: "n", Version: 1, Description: "d", Type: TypeCIDR, Category: CategoryFalsePositive,
				Entries:            []string{"8.8.8.8/32", "10.0.0.0/8", "fe80::/10", "2001:4de0:110::/64", "::1/128", "::ffff:146.112.61.104/128"},
				MatchingAttributes: []string{"ip-dst"}},
		},
		{
			name: "empty list allowed",
			in:   `{"name":"n","version":1,"description":"d","type":"string","list":[]}`,
			want: &List{Name: "n", Version: 1, Description: "d", Type: TypeString, Category: CategoryFalsePositive,
				Entries: []string{}, MatchingAttributes: []string{AllTypes}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSkipped(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		wantEntries []string
		wantSkipped []string
	}{
		{
			name:        "cidr",
			in:          `{"name":"n","version":1,"description":"d","type":"cidr","list":["1.2.3.4","bogus","1.2.3.4/33","fe80::1%eth0","::/0"]}`,
			wantEntries: []string{"1.2.3.4/32", "::/0"},
			wantSkipped: []string{"bogus", "1.2.3.4/33", "fe80::1%eth0"},
		},
		{
			name:        "regex",
			in:          `{"name":"n","version":1,"description":"d","type":"regex","list":["/ok/i","/(a)\\1/","/x/e","abc","/open"]}`,
			wantEntries: []string{"/ok/i"},
			wantSkipped: []string{`/(a)\1/`, "/x/e", "abc", "/open"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Parse(strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.wantEntries, l.Entries); diff != "" {
				t.Errorf("Entries mismatch (-want +got):\n%s", diff)
			}
			var skipped []string
			for _, s := range l.Skipped {
				skipped = append(skipped, s.Value)
				if s.Err == nil {
					t.Errorf("skipped %q without a reason", s.Value)
				}
			}
			if diff := cmp.Diff(tc.wantSkipped, skipped); diff != "" {
				t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"not json", `{"name":`},
		{"trailing data", `{"name":"n","description":"d","list":[]} {}`},
		{"not an object", `[1,2]`},
		{"unknown type", `{"name":"n","description":"d","type":"fuzzy","list":[]}`},
		{"type number", `{"name":"n","description":"d","type":3,"list":[]}`},
		{"empty type array", `{"name":"n","description":"d","type":[],"list":[]}`},
		{"empty name", `{"name":" ","description":"d","list":[]}`},
		{"no description", `{"name":"n","list":[]}`},
		{"no list", `{"name":"n","description":"d"}`},
		{"list of numbers", `{"name":"n","description":"d","list":[1]}`},
		{"unknown category", `{"name":"n","description":"d","category":"nice","list":[]}`},
		{"version not a number", `{"name":"n","description":"d","version":"1","list":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Parse(strings.NewReader(tc.in))
			if !errors.Is(err, misp.ErrInvalid) {
				t.Errorf("Parse(%s) = %v, %v; want an error matching misp.ErrInvalid", tc.in, l, err)
			}
		})
	}
}

func TestParseRoundTrip(t *testing.T) {
	in := `{"name":"n","version":7,"description":"d","type":"cidr","category":"known",
		"list":["8.8.8.8","2001:DB8::/32","x"],"matching_attributes":["ip-dst"]}`
	first, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	b, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	second, err := Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("Parse(Marshal(l)): %v", err)
	}
	if diff := cmp.Diff(first, second, cmpopts.IgnoreFields(List{}, "Skipped")); diff != "" {
		t.Errorf("round trip mismatch (-first +second):\n%s", diff)
	}
}
