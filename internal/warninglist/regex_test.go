package warninglist

import (
	"slices"
	"testing"
)

func TestCompilePHPRegex(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		match   []string
		noMatch []string
	}{
		{"plain", `/abc/`, []string{"xabcx"}, []string{"ABC"}},
		{"i", `/abc/i`, []string{"xABCx"}, []string{"ab"}},
		{"other delimiter", `#a/b#i`, []string{"A/B"}, []string{"ab"}},
		{"bracket delimiter", `(a(b)c)`, []string{"abc"}, []string{"ac"}},
		{"brace delimiter", `{a{2}}`, []string{"aa"}, []string{"a"}},
		{"escaped delimiter", `/a\/b/`, []string{"a/b"}, []string{"ab"}},
		{"escaped at sign", `/a\@b/`, []string{"a@b"}, nil},
		{"A anchors", `/b/A`, []string{"bc"}, []string{"ab"}},
		{"s", `/a.b/s`, []string{"a\nb"}, nil},
		{"no s", `/a.b/`, nil, []string{"a\nb"}},
		{"m", `/^b$/m`, []string{"a\nb\nc"}, nil},
		{"U makes lazy", `/^a+?$/U`, []string{"aaa"}, nil},
		{"u D S ignored", `/é/uDS`, []string{"café"}, nil},
		{"g tolerated", `/555/g`, []string{"x555"}, nil},
		{"leading space", ` /a/`, []string{"a"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			re, err := compilePHPRegex(tc.pattern)
			if err != nil {
				t.Fatalf("compilePHPRegex(%q): %v", tc.pattern, err)
			}
			for _, s := range tc.match {
				if !re.MatchString(s) {
					t.Errorf("%q (Go %q) does not match %q", tc.pattern, re, s)
				}
			}
			for _, s := range tc.noMatch {
				if re.MatchString(s) {
					t.Errorf("%q (Go %q) matches %q", tc.pattern, re, s)
				}
			}
		})
	}
}

func TestCompilePHPRegexErrors(t *testing.T) {
	for _, p := range []string{
		``, `   `, `abc`, `\abc\`, `/abc`, `/abc\/`, `(abc`, `/a/x`, `/a/e`, `/a/b/i`,
		`/(a)\1/`, `/(?=a)/`, `/a++/`, `/[/`,
	} {
		if re, err := compilePHPRegex(p); err == nil {
			t.Errorf("compilePHPRegex(%q) = %q, want an error", p, re)
		}
	}
}

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`/abc/`, []string{"abc"}},
		{`/abc/i`, nil},
		{`/((?:\+|00)1)?55501([0-9]{2})/g`, []string{"55501"}},
		{`/((?:\+|00)33?|0?)(19900|26191|35301)([0-9]{4})/g`, []string{"19900", "26191", "35301"}},
		{`/x(ab)+y/`, []string{"ab"}},
		{`/x(ab)*y/`, []string{"x"}},
		{`/a|b*/`, nil},
		{`/^.*$/`, nil},
	}
	for _, tc := range tests {
		re, err := compilePHPRegex(tc.pattern)
		if err != nil {
			t.Fatalf("compilePHPRegex(%q): %v", tc.pattern, err)
		}
		if got := requiredLiterals(re); !slices.Equal(got, tc.want) {
			t.Errorf("requiredLiterals(%q) = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}
