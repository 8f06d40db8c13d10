package warninglist

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// compilePHPRegex converts a PHP (PCRE) pattern such as `/^abuse@/i` to a Go
// regexp.
//
// The first character is the delimiter (any non-alphanumeric, non-backslash
// character; "(", "[", "{" and "<" close with their mirror). Modifiers: i,
// m, s and U map to Go flags; A anchors at the start; u, D, S and n need
// nothing in Go; g is not a PHP modifier (PHP rejects the pattern) but the
// misp-warninglists phone_numbers list uses it JavaScript-style, so it is
// accepted and ignored. x and anything else are refused, as are PCRE
// features RE2 lacks (backreferences, lookaround, possessive quantifiers):
// Go's compiler reports those.
func compilePHPRegex(s string) (*regexp.Regexp, error) {
	pattern, mods, err := splitPHPRegex(s)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", s, err)
	}
	var flags strings.Builder
	anchored := false
	for _, m := range mods {
		switch m {
		case 'i', 'm', 's', 'U':
			if !strings.ContainsRune(flags.String(), m) {
				flags.WriteRune(m)
			}
		case 'A':
			anchored = true
		case 'u', 'D', 'S', 'n', 'g', ' ', '\n', '\r':
		default:
			return nil, fmt.Errorf("regex %q: unsupported modifier %q", s, m)
		}
	}
	if anchored {
		pattern = `\A(?:` + pattern + `)`
	}
	if flags.Len() > 0 {
		pattern = "(?" + flags.String() + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", s, err)
	}
	return re, nil
}

// splitPHPRegex separates a delimited PHP pattern into its body and its
// modifiers. Like PCRE it ends the body at the first unescaped closing
// delimiter (counting nesting for bracket delimiters).
func splitPHPRegex(s string) (pattern, mods string, err error) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	if s == "" {
		return "", "", errors.New("empty pattern")
	}
	open := s[0]
	if open == '\\' || isAlnum(open) {
		return "", "", errors.New("delimiter must not be alphanumeric or backslash")
	}
	closing := open
	switch open {
	case '(':
		closing = ')'
	case '[':
		closing = ']'
	case '{':
		closing = '}'
	case '<':
		closing = '>'
	}
	depth := 0
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == closing && depth == 0:
			return s[1:i], s[i+1:], nil
		case c == closing:
			depth--
		case c == open && open != closing:
			depth++
		}
	}
	return "", "", fmt.Errorf("no ending delimiter %q", closing)
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
