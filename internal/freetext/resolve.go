package freetext

import "strings"

// hit is a recognised value: the types to offer, the default type, and a
// comment for the proposal.
type hit struct {
	types []string
	// def is the default type when it is not types[0]: MISP lists
	// "email" first and selects "email-src".
	def     string
	value   string
	comment string
}

func (h hit) defaultType() string {
	if h.def != "" {
		return h.def
	}
	return h.types[0]
}

// resolve finds the type of one trimmed candidate, trying the rules in
// MISP's order (__resolveType): an address as written, hashes, then on the
// refanged text an e-mail address, an address with or without a port, a
// domain or host name, a URL, a file name or registry key, then on the
// text as written a CVE id, a phone number, an AS number and a Bitcoin
// address.
func (st *state) resolve(raw string) (hit, bool) {
	if hasPrefixFold(raw, "mailto:") {
		// MISP proposes "mailto:x@example.com" as a file name.
		raw = raw[len("mailto:"):]
	}
	if isIP(raw) {
		return hit{types: ipTypes, value: raw}, true
	}
	if h, ok := resolveHash(raw); ok {
		return h, true
	}

	r := strings.TrimRight(refang(raw), ".")
	if r == "" {
		return hit{}, false
	}
	if strings.Contains(r, "@") && isEmail(r) {
		return hit{types: emailTypes, def: "email-src", value: r}, true
	}
	host, port, hasPort := splitPort(r)
	if hasPort && !validPort(port) {
		// MISP proposes "1.2.3.4|99999", which cannot be saved; we
		// read the text as if it had no port, which it then fails.
		host, port, hasPort = r, "", false
	}
	comment := ""
	if hasPort {
		comment = "On port " + port
	}
	if h, ok := resolveIP(r, host, port, hasPort); ok {
		return h, true
	}
	if isCIDRShaped(host) {
		// "127.0.0.1/99": MISP proposes it as a CIDR block.
		return hit{}, false
	}
	if strings.Contains(host, ".") {
		// MISP keeps the domain and moves the port to the comment.
		if h, ok := st.resolveHost(host, comment); ok {
			return h, true
		}
	}
	if h, ok := st.resolveURL(r); ok {
		return h, true
	}
	if strings.Contains(host, ".") && isFilename(raw) {
		return hit{types: filenameTypes, value: raw}, true
	}
	if strings.Contains(raw, `\`) {
		if h, ok := resolveBackslash(raw); ok {
			return h, true
		}
	}

	if h, ok := resolveCVE(raw); ok {
		return h, true
	}
	if h, ok := resolvePhone(raw); ok {
		return h, true
	}
	if h, ok := resolveAS(raw); ok {
		return h, true
	}
	if isBTC(raw) {
		return hit{types: btcTypes, value: raw}, true
	}
	return hit{}, false
}

// mayHoldIndicator is a cheap first test that lets most words of running
// text through without resolving them: every rule needs a digit, one of
// ".@:/\|[({" or, for Bitcoin addresses and hashes, 26 characters.
func mayHoldIndicator(s string) bool {
	if len(s) >= 26 {
		return true
	}
	for i := 0; i < len(s); i++ {
		if telling[s[i]] {
			return true
		}
	}
	return false
}

// telling marks the bytes that mayHoldIndicator looks for.
var telling = func() (t [256]bool) {
	for _, c := range "0123456789.@:/\\|[({" {
		t[c] = true
	}
	return t
}()
