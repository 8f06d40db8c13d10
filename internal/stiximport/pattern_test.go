package stiximport

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePattern(t *testing.T) {
	tests := []struct {
		name     string
		pattern  string
		want     []string // objType:key op values
		ops      string   // operator of the first observation
		combined bool
	}{
		{name: "ipv4", pattern: "[ipv4-addr:value = '198.51.100.1']",
			want: []string{"ipv4-addr:value = 198.51.100.1"}},
		{name: "spaces and CIDR", pattern: "[ ipv4-addr:value = '10.0.0.0/8' ]",
			want: []string{"ipv4-addr:value = 10.0.0.0/8"}},
		{name: "quoted hash name", pattern: "[file:hashes.'SHA-256' = 'ab']",
			want: []string{"file:hashes.SHA-256 = ab"}},
		{name: "AND", pattern: "[file:name = 'a.exe' AND file:hashes.MD5 = 'cd']", ops: "AND",
			want: []string{"file:name = a.exe", "file:hashes.MD5 = cd"}},
		{name: "OR across types", pattern: "[domain-name:value = 'x.example' OR ipv4-addr:value = '192.0.2.1']", ops: "OR",
			want: []string{"domain-name:value = x.example", "ipv4-addr:value = 192.0.2.1"}},
		{name: "mixed with parentheses", pattern: "[(url:value = 'a' OR url:value = 'b') AND url:value = 'c']", ops: "MIXED",
			want: []string{"url:value = a", "url:value = b", "url:value = c"}},
		{name: "refs and list index", pattern: "[network-traffic:dst_ref.value = '192.0.2.9' AND network-traffic:dst_port = 443]", ops: "AND",
			want: []string{"network-traffic:dst_ref.value = 192.0.2.9", "network-traffic:dst_port = 443"}},
		{name: "star index", pattern: "[email-message:to_refs[*].value = 'a@example.org']",
			want: []string{"email-message:to_refs.value = a@example.org"}},
		{name: "IN", pattern: "[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]",
			want: []string{"ipv4-addr:value IN 192.0.2.1|192.0.2.2"}},
		{name: "escapes", pattern: `[file:name = 'it\'s \\ here']`,
			want: []string{`file:name = it's \ here`}},
		{name: "NOT", pattern: "[file:name NOT = 'x']", want: []string{"file:name NOT = x"}},
		{name: "MATCHES", pattern: "[email-message:subject MATCHES '^Hi']", want: []string{"email-message:subject MATCHES ^Hi"}},
		{name: "typed literals", pattern: "[artifact:payload_bin = b'aGk=' AND file:created = t'2020-01-01T00:00:00Z']", ops: "AND",
			want: []string{"artifact:payload_bin = aGk=", "file:created = 2020-01-01T00:00:00Z"}},
		{name: "FOLLOWEDBY", pattern: "[url:value = 'a'] FOLLOWEDBY [url:value = 'b']", combined: true,
			want: []string{"url:value = a", "url:value = b"}},
		{name: "observation AND", pattern: "([url:value = 'a'] AND [url:value = 'b'])", combined: true,
			want: []string{"url:value = a", "url:value = b"}},
		{name: "qualifier", pattern: "[url:value = 'a'] WITHIN 300 SECONDS", combined: true,
			want: []string{"url:value = a"}},
		{name: "START STOP", pattern: "[url:value = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", combined: true,
			want: []string{"url:value = a"}},
		{name: "EXISTS", pattern: "[EXISTS windows-registry-key:values]", want: []string{"windows-registry-key:values EXISTS "}},
		{name: "custom type", pattern: "[x-acme-widget:serial = 'x1']", want: []string{"x-acme-widget:serial = x1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePattern(tc.pattern)
			if err != nil {
				t.Fatalf("parsePattern(%q) = %v", tc.pattern, err)
			}
			var got []string
			for _, c := range p.comparisons() {
				op := c.op
				if c.negate {
					op = "NOT " + op
				}
				got = append(got, c.String()+" "+op+" "+strings.Join(c.values, "|"))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parsePattern(%q) comparisons (-want +got):\n%s", tc.pattern, diff)
			}
			if p.combined != tc.combined {
				t.Errorf("parsePattern(%q).combined = %v, want %v", tc.pattern, p.combined, tc.combined)
			}
			if tc.ops != "" && p.observations[0].ops != tc.ops {
				t.Errorf("parsePattern(%q) operator = %q, want %q", tc.pattern, p.observations[0].ops, tc.ops)
			}
		})
	}
}

func TestParsePatternErrors(t *testing.T) {
	bad := []string{
		"",
		"ipv4-addr:value = '1.2.3.4'",
		"[ipv4-addr:value = '1.2.3.4'",
		"[ipv4-addr:value = '1.2.3.4]",
		"[ipv4-addr = '1.2.3.4']",
		"[ipv4-addr:value '1.2.3.4']",
		"[ipv4-addr:value = ]",
		"[ipv4-addr:value = '1' AND]",
		"[ipv4-addr:value IN ('1',)]",
		"[file:hashes.'' = 'x']",
		"[url:value = 'a'] WITHIN SECONDS",
		"[url:value = 'a'] extra",
		`[file:name = 'bad \x escape']`,
		"[a:b = 'x' ] ]",
		strings.Repeat("(", 200) + "[a:b = 'x']" + strings.Repeat(")", 200),
		"[" + strings.Repeat("(", 200) + "a:b = 'x'" + strings.Repeat(")", 200) + "]",
		"[a:b = '" + strings.Repeat("x", maxPatternLen) + "']",
		"[a:b = '\xff']",
	}
	for _, s := range bad {
		if _, err := parsePattern(s); !errors.Is(err, errPattern) {
			t.Errorf("parsePattern(%.60q) = %v, want a pattern error", s, err)
		}
	}
}
