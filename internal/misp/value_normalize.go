package misp

import (
	"golang.org/x/net/idna"

	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Type-specific normalisation (spec §11.3). A normaliser rewrites values it
// understands and returns anything else unchanged for the validator to
// reject; it must map its own output to itself.

// lowerAfterPipe lower-cases the hash of "filename|hash"; the file name
// keeps its case.
func lowerAfterPipe(v string) string {
	i := strings.IndexByte(v, '|')
	if i < 0 {
		return v
	}
	return v[:i] + strings.ToLower(v[i:])
}

// normalizeX509 turns "AB:CD:…" into "abcd…".
func normalizeX509(v string) string {
	return strings.ToLower(strings.ReplaceAll(v, ":", ""))
}

// normalizeIP canonicalises an address or CIDR block: IPv6 compressed and
// lower-case, and a /32 (IPv4) or /128 (IPv6) prefix dropped since it names a
// single address. Host bits of a wider prefix are kept, as in MISP.
func normalizeIP(v string) string {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return v
		}
		if p.Bits() == p.Addr().BitLen() {
			return p.Addr().String()
		}
		return p.String()
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return v
	}
	return a.String()
}

// normalizeDomain lower-cases a domain, strips leading and trailing dots
// and, as MISP does, converts an internationalised domain name to its
// punycode (xn--) form. A name IDNA rejects is left as it is, and
// validation then rejects it.
func normalizeDomain(v string) string {
	v = strings.Trim(strings.ToLower(v), ".")
	if isASCII(v) {
		return v
	}
	if a, err := idna.Lookup.ToASCII(v); err == nil {
		return a
	}
	return v
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// normalizeDomainIP normalises both halves of "domain|ip".
func normalizeDomainIP(v string) string {
	v = strings.ToLower(v)
	i := strings.IndexByte(v, '|')
	if i < 0 {
		return v
	}
	return normalizeDomain(v[:i]) + "|" + normalizeIP(v[i+1:])
}

// normalizeHostnamePort lower-cases and accepts "host:port" for
// "host|port".
func normalizeHostnamePort(v string) string {
	return strings.ReplaceAll(strings.ToLower(v), ":", "|")
}

// normalizeIPPort rewrites the spellings of an address and port that MISP
// accepts — "ip|port", "ipv4:port", "[ipv6]:port", "ipv6.port",
// "ipv6 port N", "ipv6pN", "ipv6#N" and "ipv6:port" (last colon) — as
// "ip|port" with a canonical address.
func normalizeIPPort(v string) string {
	ip, port, ok := splitIPPort(v)
	if !ok {
		return v
	}
	return normalizeIP(ip) + "|" + port
}

func splitIPPort(v string) (ip, port string, ok bool) {
	if i := strings.IndexByte(v, '|'); i >= 0 {
		return v[:i], v[i+1:], true
	}
	if strings.HasPrefix(v, "[") {
		if i := strings.Index(v, "]:"); i > 0 {
			return v[1:i], v[i+2:], true
		}
		return "", "", false
	}
	if strings.Count(v, ":") == 1 {
		i := strings.IndexByte(v, ':')
		if a, err := netip.ParseAddr(v[:i]); err == nil && a.Is4() {
			return v[:i], v[i+1:], true
		}
		return "", "", false
	}
	// The remaining spellings put a separator between an IPv6 address and
	// the port. Only the last separator can work: cutting at an earlier one
	// would leave the last inside the port. As in MISP, "2001:db8::1:22"
	// reads as address 2001:db8::1, port 22.
	for _, sep := range []string{" port ", "p", "#", ".", ":"} {
		i := strings.LastIndex(v, sep)
		if i > 0 && isDigits(v[i+len(sep):]) && isIPv6(v[:i]) {
			return v[:i], v[i+len(sep):], true
		}
	}
	return "", "", false
}

// isIPv6 reports whether s is an IPv6 address (not IPv4, not a prefix).
func isIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6()
}

var macSeparators = strings.NewReplacer(".", "", ":", "", "-", "", " ", "")

// normalizeMAC lower-cases a MAC address, drops the usual separators and
// regroups the digits as "aa:bb:…".
func normalizeMAC(v string) string {
	v = macSeparators.Replace(strings.ToLower(v))
	if len(v)%2 != 0 || !isHexString(v) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(v[i : i+2])
	}
	return b.String()
}

// normalizeVulnerability upper-cases a CVE or CWE id and replaces en dashes,
// which word processors put in "CVE–2021–44228", with hyphens.
func normalizeVulnerability(v string) string {
	return strings.ToUpper(strings.ReplaceAll(v, "\u2013", "-"))
}

// digitsOnly keeps the ASCII digits of a card number or BIN.
func digitsOnly(v string) string {
	return keepBytes(v, func(c byte) bool { return '0' <= c && c <= '9' })
}

// normalizeBankCode upper-cases an IBAN or BIC and drops everything but
// ASCII letters and digits (spaces between groups, mostly).
func normalizeBankCode(v string) string {
	return keepBytes(strings.ToUpper(v), func(c byte) bool {
		return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z'
	})
}

// normalizePhone reduces a phone number to an optional '+' and digits:
// "(0)" trunk prefixes are dropped and a leading international "00" becomes
// '+'. The "00" rule runs last so that the result is stable.
func normalizePhone(v string) string {
	v = strings.ReplaceAll(v, "(0)", "")
	v = keepBytes(v, func(c byte) bool { return '0' <= c && c <= '9' || c == '+' })
	if strings.HasPrefix(v, "00") {
		v = "+" + v[2:]
	}
	return v
}

// keepBytes returns the ASCII bytes of v for which keep is true.
func keepBytes(v string, keep func(byte) bool) string {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if keep(v[i]) {
			b = append(b, v[i])
		}
	}
	return string(b)
}

// normalizeBoolean maps PHP-style truthiness to "1" or "0": "false", ""
// and "0" are false, anything else is true.
func normalizeBoolean(v string) string {
	if strings.EqualFold(v, "false") || v == "0" {
		return "0"
	}
	return "1"
}

// datetimeLayout is how MISP stores datetime values: UTC, microseconds.
const datetimeLayout = "2006-01-02T15:04:05.000000-0700"

// datetimeInputs are the layouts normalizeDatetime understands, tried in
// order; values without a zone are UTC. Go's parser also accepts fractional
// seconds after a seconds field that the layout does not mention.
var datetimeInputs = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05Z07",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC822Z,
	time.RFC822,
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
}

// parseDatetime parses the datetime spellings above and "@<unix seconds>".
// Years outside 0000–9999 after conversion to UTC are rejected because the
// stored form could not be parsed back.
func parseDatetime(v string) (time.Time, bool) {
	var t time.Time
	if rest, ok := strings.CutPrefix(v, "@"); ok {
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		t = time.Unix(n, 0)
	} else {
		parsed := false
		for _, layout := range datetimeInputs {
			p, err := time.ParseInLocation(layout, v, time.UTC)
			if err != nil {
				continue
			}
			// Go reads an unknown zone abbreviation ("EST") as UTC;
			// only trust the ones that really are.
			if name, _ := p.Zone(); strings.Contains(layout, "MST") && name != "UTC" && name != "GMT" {
				continue
			}
			t, parsed = p, true
			break
		}
		if !parsed {
			return time.Time{}, false
		}
	}
	t = t.UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// normalizeDatetime re-emits a parseable date/time in MISP's stored form.
func normalizeDatetime(v string) string {
	t, ok := parseDatetime(v)
	if !ok {
		return v
	}
	return t.Truncate(time.Microsecond).Format(datetimeLayout)
}

// normalizeAS strips an "AS" prefix and converts asdot notation ("1.10",
// RFC 5396) to the plain number 65546.
func normalizeAS(v string) string {
	if len(v) >= 2 && equalFoldASCII(v[:2], "as") {
		v = v[2:]
	}
	hi, lo, ok := strings.Cut(v, ".")
	if !ok || !isDigits(hi) || !isDigits(lo) {
		return v
	}
	h, err1 := strconv.ParseUint(hi, 10, 16)
	l, err2 := strconv.ParseUint(lo, 10, 16)
	if err1 != nil || err2 != nil {
		return v
	}
	return strconv.FormatUint(h<<16|l, 10)
}
