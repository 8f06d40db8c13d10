package xmlfmt

import (
	"strings"
	"unicode/utf8"
)

// xmlChar reports whether XML 1.0 allows r in a document (its Char
// production, up to U+FFFD: what MISP's __sanitizeField keeps).
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD)
}

// eventText is a value of the events scope as MISP's XMLConverterTool
// writes it (__sanitizeField): each run of characters outside
// [\t\n\r\x20-\uD7FF\uE000-\uFFFD] becomes one space (so characters
// beyond U+FFFF, emoji among them, are lost), then &, <, >, " and ' are
// escaped. A carriage return stays raw, which an XML parser reads as a
// line feed, as it reads MISP's answer.
func eventText(b *strings.Builder, s string) {
	replaceRuns(b, s, xmlChar, func(r rune) {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteRune(r)
		}
	})
}

// attributeText is a value of the attributes scope as MISP's
// Xml::fromArray writes it (a DOM text node saved by libxml2 in UTF-8):
// &, < and > escaped, a carriage return as &#13;, quotes and every other
// character as they are. Where libxml2 would write a character XML 1.0
// forbids (a control character other than tab, line feed and carriage
// return, U+FFFE, U+FFFF) and so an ill-formed answer, each run of them
// becomes one space, as in the events scope.
func attributeText(b *strings.Builder, s string) {
	replaceRuns(b, s, func(r rune) bool { return xmlChar(r) || r > 0xFFFF }, func(r rune) {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			b.WriteString("&#13;")
		default:
			b.WriteRune(r)
		}
	})
}

// replaceRuns writes each rune of s that allowed accepts with write, and
// one space for each run of the others.
func replaceRuns(b *strings.Builder, s string, allowed func(rune) bool, write func(rune)) {
	inRun := false
	for _, r := range s {
		if !allowed(r) {
			if !inRun {
				b.WriteByte(' ')
			}
			inRun = true
			continue
		}
		inRun = false
		write(r)
	}
}

// elementName makes a JSON key an XML element name. MISP uses its keys
// as they are; the keys of its own fields are valid names, but a galaxy
// cluster's meta keys come from galaxy data. Every character other than
// an ASCII letter, digit, '_', '-' or '.' becomes '_' (':' too, which
// would be read as a namespace prefix), and a name that does not start
// with a letter or '_' gets a leading '_'.
func elementName(k string) string {
	ok := k != ""
	for i := 0; ok && i < len(k); i++ {
		ok = nameByte(k[i], i == 0)
	}
	if ok {
		return k
	}
	var b strings.Builder
	if k == "" || !nameByte(k[0], true) && nameByte(k[0], false) {
		b.WriteByte('_')
	}
	for _, r := range k {
		if r < utf8.RuneSelf && nameByte(byte(r), false) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func nameByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9', c == '-', c == '.':
		return !first
	}
	return false
}
