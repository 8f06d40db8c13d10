package freetext

import "strings"

// emailTypes are MISP's proposals for an e-mail address; it selects
// email-src, the sender.
var emailTypes = []string{"email", "email-src", "email-dst", "target-email", "whois-registrant-email"}

// isEmail follows PHP's FILTER_VALIDATE_EMAIL, which MISP uses, for the
// addresses found in running text: a dot-atom local part of at most 64
// characters, '@', and a domain of at least two labels of letters, digits
// and inner hyphens whose last label starts with a letter. Quoted local
// parts and address literals ("user@[192.0.2.1]"), which PHP also accepts,
// are not recognised.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || len(s) > 254 || len(local) > 64 || !isDotAtom(local) {
		return false
	}
	if len(domain) > 253 {
		return false
	}
	labels := 0
	for label := range strings.SplitSeq(domain, ".") {
		if !isDNSLabel(label) {
			return false
		}
		labels++
	}
	last := domain[strings.LastIndexByte(domain, '.')+1:]
	return labels >= 2 && isLetter(last[0])
}

// isDotAtom reports whether s is atext runs joined by single dots
// (RFC 5322).
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && !strings.ContainsRune("!#$%&'*+/=?^_`{|}~-", rune(c)) {
			return false
		}
	}
	return true
}

// isDNSLabel reports whether s is 1–63 ASCII letters, digits and hyphens,
// not starting or ending with a hyphen.
func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}
