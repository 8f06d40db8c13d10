package nids

import (
	"strconv"
	"strings"
)

// illegal is NidsExport::replaceIllegalChars, a strtr: each character a
// rule cannot hold in content or msg becomes its hex form. "0x" is
// replaced too, and replacements are not scanned again.
var illegal = strings.NewReplacer(
	"|", "|7c|",
	`"`, "|22|",
	";", "|3b|",
	":", "|3a|",
	`\`, "|5c|",
	"0x", "|30 78|",
)

func escape(v string) string { return illegal.Replace(v) }

// dnsRaw is NidsExport::dnsNameToRawFormat: each label preceded by its
// length in hex, "|00|" at the end, and "|01|" in front of a hostname.
// Lengths count bytes of the already escaped name, as in MISP.
func dnsRaw(name string, hostname bool) string {
	var b strings.Builder
	if hostname {
		b.WriteString("|01|")
	}
	for _, label := range strings.Split(name, ".") {
		n := strconv.FormatInt(int64(len(label)), 16)
		if len(n) == 1 {
			n = "0" + n
		}
		b.WriteString("|" + n + "|" + label)
	}
	b.WriteString("|00|")
	return b.String()
}

// pregQuote is PHP's preg_quote without a delimiter (so "/" stays).
func pregQuote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '.', '\\', '+', '*', '?', '[', '^', ']', '$', '(', ')', '{', '}', '=', '!', '<', '>', '|', ':', '-', '#':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\000`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
