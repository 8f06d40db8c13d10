package warninglist

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
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

// requiredLiterals returns literals at least one of which is contained in
// every match of re (case-sensitive), or nil if none is known. Index tries
// them with strings.Contains before running the regexp: the 33
// phone_numbers regexes each need a digit run such as "55501" or one of
// "19900", "26191", … that most values lack, and the regexp costs 10 to
// 100 times more than the test.
func requiredLiterals(re *regexp.Regexp) []string {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	return literalsIn(tree)
}

// maxLiterals bounds the alternatives kept for one regexp.
const maxLiterals = 16

func literalsIn(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture, syntax.OpPlus:
		return literalsIn(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literalsIn(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits := literalsIn(sub)
			if lits == nil {
				return nil
			}
			all = append(all, lits...)
		}
		if len(all) > maxLiterals {
			return nil
		}
		return all
	case syntax.OpConcat:
		// Any one part of a concatenation is required; adjacent literal
		// parts join into one longer literal.
		var best []string
		run := ""
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 {
				run += string(sub.Rune)
				continue
			}
			if run != "" {
				best = betterLiterals(best, []string{run})
				run = ""
			}
			best = betterLiterals(best, literalsIn(sub))
		}
		if run != "" {
			best = betterLiterals(best, []string{run})
		}
		return best
	}
	return nil
}

// betterLiterals picks the more selective alternative set: the one whose
// shortest literal is longer, then the smaller one.
func betterLiterals(a, b []string) []string {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	ma, mb := shortest(a), shortest(b)
	if mb > ma || mb == ma && len(b) < len(a) {
		return b
	}
	return a
}

func shortest(lits []string) int {
	n := len(lits[0])
	for _, l := range lits[1:] {
		n = min(n, len(l))
	}
	return n
}
