package freetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Splitting text into candidate values (MISP's parseFreetext): a value ends
// at white space, a comma, a semicolon, '<' or '>', and at control
// characters. Every double-quoted run on a line is a candidate as well, so
// that `="1.2.3.4"` (a spreadsheet cell) and "C:\Program Files\x.exe" are
// found whole.

// span is a candidate's position in a line.
type span struct {
	start, end int
	// quoted marks the inside of a pair of double quotes.
	quoted bool
	// wide marks spans with non-ASCII bytes, which may hold format
	// characters to remove.
	wide bool
}

// asciiSeparator marks the ASCII bytes that end a candidate: MISP's
// separators plus every control character, which MISP turns into spaces.
var asciiSeparator = func() (t [utf8.RuneSelf]bool) {
	for c := 0; c < ' '; c++ {
		t[c] = true
	}
	for _, c := range " ,;<>\x7f" {
		t[c] = true
	}
	return t
}()

// isSeparator reports whether r ends a candidate. Invalid UTF-8, which
// decodes as utf8.RuneError, separates too: MISP's parser fails on such
// input and finds nothing at all.
func isSeparator(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiSeparator[r]
	}
	return unicode.IsSpace(r) || r == utf8.RuneError ||
		unicode.In(r, unicode.Cc, unicode.Co, unicode.Cs)
}

// lines calls fn with each line of text, without its line break.
func lines(text string, fn func(string)) {
	for text != "" {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			fn(text)
			return
		}
		fn(text[:i])
		text = text[i+1:]
	}
}

// appendSpans appends to spans the words of line and the insides of its
// quoted runs, ordered by where they start.
func appendSpans(spans []span, line string) []span {
	first := len(spans)
	start, wide := -1, false
	for i := 0; i < len(line); {
		c := line[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(line[i:])
		}
		if isSeparator(r) {
			if start >= 0 {
				spans = append(spans, span{start: start, end: i, wide: wide})
				start = -1
			}
		} else if start < 0 {
			start, wide = i, c >= utf8.RuneSelf
		} else if c >= utf8.RuneSelf {
			wide = true
		}
		i += size
	}
	if start >= 0 {
		spans = append(spans, span{start: start, end: len(line), wide: wide})
	}
	return mergeQuoted(spans, first, line)
}

// mergeQuoted adds the insides of the line's quoted runs to the words in
// spans[first:], keeping them ordered by start. A quoted run starts after
// its quote, so it sorts after the word that holds the quote.
func mergeQuoted(spans []span, first int, line string) []span {
	if strings.IndexByte(line, '"') < 0 {
		return spans
	}
	words := len(spans)
	for i := 0; ; {
		open := strings.IndexByte(line[i:], '"')
		if open < 0 {
			break
		}
		open += i
		closing := strings.IndexByte(line[open+1:], '"')
		if closing < 0 {
			break
		}
		closing += open + 1
		if closing > open+1 {
			spans = append(spans, span{start: open + 1, end: closing, quoted: true, wide: !isASCII(line[open+1 : closing])})
		}
		i = closing + 1
	}
	if len(spans) == words {
		return spans
	}
	// Both runs are sorted; merge them in place through a small copy.
	quoted := append([]span(nil), spans[words:]...)
	merged := append([]span(nil), spans[first:words]...)
	spans = spans[:first]
	w := 0
	for _, q := range quoted {
		for w < len(merged) && merged[w].start <= q.start {
			spans = append(spans, merged[w])
			w++
		}
		spans = append(spans, q)
	}
	return append(spans, merged[w:]...)
}

// spanText returns the text of s in line with format characters (zero-width
// spaces, soft hyphens, byte-order marks) removed: they are invisible, and
// defangers insert them into domains. A quoted run holding control
// characters or invalid UTF-8 is dropped ("", false); MISP would have
// turned those into spaces before it looked for quotes.
func spanText(line string, s span) (string, bool) {
	text := line[s.start:s.end]
	if !s.wide {
		if s.quoted {
			for i := 0; i < len(text); i++ {
				if text[i] < ' ' || text[i] == 0x7f {
					return "", false
				}
			}
		}
		return text, true
	}
	format := false
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Cf, r):
			format = true
		case s.quoted && r != ' ' && (r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Co, unicode.Cs)):
			return "", false
		}
	}
	if !format {
		return text, true
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, text), true
}

// trimSet holds what MISP trims from both ends of a candidate ('".,() and
// white space) and what we trim too: backquotes and asterisks (Markdown
// code and bold, and "*.example.com"), '!', '?', the ellipsis and
// typographic quotation marks, including the Serbian „…“ and »…«.
const trimSet = "'\".,()`*!?\u2026\u201c\u201d\u201e\u2018\u2019\u201a\u00ab\u00bb\u2039\u203a"

func isTrimmed(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiTrimmed[r]
	}
	return strings.ContainsRune(trimSet, r) || unicode.IsSpace(r)
}

var asciiTrimmed = func() (t [utf8.RuneSelf]bool) {
	for _, r := range trimSet + " \t\n\v\f\r" {
		if r < utf8.RuneSelf {
			t[r] = true
		}
	}
	return t
}()

// trim strips trimSet from both ends of s and then, if the whole of what
// is left is wrapped in square brackets (an e-mail header's
// "[192.0.2.1]"), the brackets, and trims again. Unlike MISP it keeps a
// closing parenthesis that closes one in s, as in
// "https://en.wikipedia.org/wiki/Foo_(bar)", and drops a colon ending a
// sentence ("contacted 192.0.2.1:") unless it ends an IPv6 "::".
func trim(s string) string {
	s = trimBalanced(s)
	if len(s) >= 2 && s[len(s)-1] == ':' && s[len(s)-2] != ':' {
		s = trimBalanced(s[:len(s)-1])
	}
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && !strings.ContainsAny(s[1:len(s)-1], "[]") {
		s = trimBalanced(s[1 : len(s)-1])
	}
	return s
}

func trimBalanced(s string) string {
	s = strings.TrimLeftFunc(s, isTrimmed)
	opened, closed := -1, -1 // counted at the first ')'
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		if !isTrimmed(r) {
			break
		}
		switch r {
		case ')':
			if opened < 0 {
				opened, closed = strings.Count(s, "("), strings.Count(s, ")")
			}
			if opened >= closed {
				return s
			}
			closed--
		case '(':
			if opened > 0 {
				opened--
			}
		}
		s = s[:len(s)-size]
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
