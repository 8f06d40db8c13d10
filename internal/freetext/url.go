package freetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	urlTypes  = []string{"url"}
	linkTypes = []string{"link"}
)

// defaultVendorDomains are MISP's fallback for the warninglist "List of
// known domains used by automated malware analysis services & security
// vendors": a URL on one of them is a link to an analysis, not an
// indicator.
var defaultVendorDomains = []string{"virustotal.com", "hybrid-analysis.com"}

// resolveURL recognises a URL in refanged text r, as MISP does with PHP's
// FILTER_VALIDATE_URL: "scheme://host…" with any scheme, or a name with a
// slash that becomes a URL when "http://" is put before it
// ("github.com/MISP/MISP"). It differs from MISP in that
//   - the port stays in the value (MISP moves it to the comment and
//     leaves "http://example.com" of "http://example.com:8080");
//   - a URL without a scheme needs an address or a name with a known
//     top-level domain before its slash, so "TCP/IP", "1.5/2.0" and
//     "C:/x.exe" are not URLs;
//   - host names and paths may be in Unicode, and host names may hold
//     '_' as real ones do;
//   - URLs need no dot: "http://[2001:db8::1]/x" is one.
//
// A URL on a security vendor's site is a link; MISP wants https for that,
// we take http too.
func (st *state) resolveURL(r string) (hit, bool) {
	scheme, rest := "", r
	if i := strings.Index(r, "://"); i > 0 && isScheme(r[:i]) {
		scheme, rest = strings.ToLower(r[:i]), r[i+3:]
	} else if !strings.Contains(r, "/") {
		return hit{}, false
	}
	auth := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		auth = rest[:end]
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	host, ok := urlHost(auth)
	switch {
	case !ok:
		return hit{}, false
	case host == "":
		if scheme != "file" {
			return hit{}, false
		}
	case isIP(host):
	case scheme == "":
		if _, known := st.hostTLD(host); !known {
			return hit{}, false
		}
	case !isHostName(host):
		return hit{}, false
	}
	if (scheme == "http" || scheme == "https") && st.isVendor(host) {
		return hit{types: linkTypes, value: r}, true
	}
	return hit{types: urlTypes, value: r}, true
}

// isScheme reports whether s is an URL scheme: a letter, then letters,
// digits, '+', '-' and '.'.
func isScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// urlHost returns the host of an URL authority without userinfo:
// "host", "host:port" or "[address]:port".
func urlHost(auth string) (string, bool) {
	host, port := auth, ""
	if strings.HasPrefix(auth, "[") {
		end := strings.IndexByte(auth, ']')
		if end < 0 {
			return "", false
		}
		host, port = auth[1:end], auth[end+1:]
		if !isIP(host) {
			return "", false
		}
		if port != "" {
			if port[0] != ':' {
				return "", false
			}
			port = port[1:]
		}
	} else if i := strings.LastIndexByte(auth, ':'); i >= 0 {
		host, port = auth[:i], auth[i+1:]
	}
	if port != "" && (!isDigits(port) || !validPort(port)) {
		return "", false
	}
	return host, true
}

// isHostName reports whether h is dot-separated labels of letters, digits,
// marks, '-' and '_', with an optional final dot.
func isHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return false
		}
		for _, r := range label {
			if r < utf8.RuneSelf {
				if !isAlnum(byte(r)) && r != '-' && r != '_' {
					return false
				}
			} else if !unicode.In(r, unicode.L, unicode.N, unicode.M) {
				return false
			}
		}
	}
	return true
}

// isVendor reports whether host is, or is under, a security vendor's
// domain.
func (st *state) isVendor(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range st.p.vendors {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
