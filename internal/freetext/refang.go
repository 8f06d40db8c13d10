package freetext

import "strings"

// Refanging: advisories "defang" indicators so that nobody clicks them. We
// undo MISP's conventions and a few more that CERTs use; misp.NormalizeValue
// refangs only stored values of some types, so parsing needs its own pass.

// refangs are the bracketed spellings we undo, lower case; letters match
// either case. MISP knows [.] [dot] (dot) [@] [at] [:] [hxxp://] and any
// single character in square brackets.
var refangs = []struct{ defanged, fanged string }{
	{"[.]", "."}, {"(.)", "."}, {"{.}", "."},
	{"[dot]", "."}, {"(dot)", "."}, {"{dot}", "."},
	{"[@]", "@"}, {"(@)", "@"}, {"{@}", "@"},
	{"[at]", "@"}, {"(at)", "@"}, {"{at}", "@"},
	{"[:]", ":"}, {"[/]", "/"}, {"[://]", "://"},
	{"[hxxp://]", "http://"},
}

// defangedSchemes are the spellings of http (and ftp) that refangScheme
// rewrites at the start of a value. MISP rewrites all but fxp.
var defangedSchemes = []struct{ defanged, fanged string }{
	{"hxxp", "http"}, {"hxtp", "http"}, {"htxp", "http"},
	{"h[tt]p", "http"}, {"meow", "http"}, {"fxp", "ftp"},
}

// refang undoes defanging in s.
func refang(s string) string {
	s = refangScheme(s)
	if strings.IndexAny(s, "[({\\") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c == '[' || c == '(' || c == '{' {
			if from, to, ok := matchRefang(s[i:]); ok {
				b.WriteString(to)
				i += len(from)
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	s = b.String()
	if escapedDotsOnly(s) {
		s = strings.ReplaceAll(s, `\.`, ".")
	}
	return s
}

func matchRefang(s string) (from, to string, ok bool) {
	for _, r := range refangs {
		if hasPrefixFold(s, r.defanged) {
			return r.defanged, r.fanged, true
		}
	}
	return "", "", false
}

// refangScheme rewrites a defanged scheme such as "hxxps://" or
// "hXXp[:]//". Unlike MISP, which rewrites these prefixes whatever
// follows them ("meowing.com" becomes "httping.com"), it wants an
// optional "s" and then ':' or '[' after the prefix.
func refangScheme(s string) string {
	for _, d := range defangedSchemes {
		if !hasPrefixFold(s, d.defanged) {
			continue
		}
		rest := s[len(d.defanged):]
		if len(rest) > 0 && (rest[0] == 's' || rest[0] == 'S') {
			rest = rest[1:]
		}
		if len(rest) > 0 && (rest[0] == ':' || rest[0] == '[') {
			return d.fanged + s[len(d.defanged):]
		}
		return s
	}
	return s
}

// escapedDotsOnly reports whether s contains `\.` and every backslash in
// it escapes a dot, as in a domain copied from a regular expression
// ("evil\.com"). Paths such as `..\..\x.exe` keep their backslashes.
func escapedDotsOnly(s string) bool {
	found := false
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if i+1 == len(s) || s[i+1] != '.' {
			return false
		}
		found = true
	}
	return found
}

// hasPrefixFold reports whether s starts with prefix, ignoring the case of
// ASCII letters.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != lowerASCII(prefix[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
