package freetext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Domains and host names. MISP calls a name of dot-separated labels whose
// last label is a known top-level domain a domain when it has two labels
// and a host name when it has more. It learns the top-level domains from
// the "TLDs as known by IANA" warninglist and, without it, falls back to
// every two-letter label plus twenty-two generic ones.
//
// We read the top-level domains from the ICANN section of the Public
// Suffix List compiled into golang.org/x/net/publicsuffix, a module the
// project already requires: it needs no network and no data file of ours,
// and it is kept current by upgrading the module. Compared with IANA's
// list in MISP's warninglist of 2026-08-20 it lacks only "web", delegated
// that summer (TestPublicSuffixListMatchesIANA). Options.TLDs replaces it,
// as MISP's setTLDs does.
//
// The same list tells registrable domains apart: "evil.co.uk" and
// "mup.gov.rs" are domains, not host names as MISP calls them.

var (
	domainTypes    = []string{"domain", "filename"}
	subdomainTypes = []string{"domain", "hostname", "url", "filename"}
	hostnameTypes  = []string{"hostname", "domain", "url", "filename"}
	fileLikeTLDs   = []string{"zip", "mov"}
	fileExtensions = []string{"exe", "dll", "scr", "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "rtf", "txt", "js", "vbs", "ps1", "bat", "cmd", "hta", "lnk", "iso", "img", "jar", "html", "htm", "jpg", "png", "zip", "rar", "7z", "gz", "tar"}
)

// isTLD reports whether label, in lower-case ASCII (punycode for an
// internationalised one), is a top-level domain.
func (st *state) isTLD(label string) bool {
	if known, ok := st.tldCache[label]; ok {
		return known
	}
	var known bool
	if st.p.tlds != nil {
		known = st.p.tlds[label]
	} else {
		// "x." because a few TLDs are only wildcard rules ("*.ck").
		_, known = publicsuffix.PublicSuffix("x." + label)
	}
	st.tldCache[label] = known
	return known
}

// hostTLD checks that h is dot-separated labels of letters, digits, marks
// and hyphens (MISP's /^([-\pL\pN]+\.)+[a-z0-9-]+$/iu) ending in a known
// top-level domain, and returns the number of labels. Unlike MISP it also
// takes a top-level domain in Unicode ("пример.срб").
func (st *state) hostTLD(h string) (labels int, ok bool) {
	dot := strings.LastIndexByte(h, '.')
	if dot <= 0 || dot == len(h)-1 {
		return 0, false
	}
	for label := range strings.SplitSeq(h[:dot], ".") {
		if !isNameLabel(label) {
			return 0, false
		}
		labels++
	}
	tld := h[dot+1:]
	if isASCII(tld) {
		for i := 0; i < len(tld); i++ {
			if !isAlnum(tld[i]) && tld[i] != '-' {
				return 0, false
			}
		}
		tld = strings.ToLower(tld)
	} else {
		if !isNameLabel(tld) {
			return 0, false
		}
		a, err := idna.Lookup.ToASCII(tld)
		if err != nil {
			return 0, false
		}
		tld = a
	}
	return labels + 1, st.isTLD(tld)
}

// isNameLabel reports whether s is a non-empty run of letters, digits,
// marks and hyphens.
func isNameLabel(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !isAlnum(c) && c != '-' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.In(r, unicode.L, unicode.N, unicode.M) {
			return false
		}
		i += size
	}
	return true
}

// resolveHost recognises a domain or host name, with comment carrying the
// port split off it.
func (st *state) resolveHost(h, comment string) (hit, bool) {
	n, ok := st.hostTLD(h)
	if !ok || looksLikeFile(h) {
		return hit{}, false
	}
	ascii := h
	if !isASCII(h) {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return hit{}, false
		}
		ascii = a
	}
	if n == 2 {
		return hit{types: domainTypes, value: h, comment: comment}, true
	}
	if suffix, icann := publicsuffix.PublicSuffix(strings.ToLower(ascii)); icann && n == strings.Count(suffix, ".")+2 {
		return hit{types: subdomainTypes, value: h, comment: comment}, true
	}
	// Internationalised host names are proposed in punycode: the
	// hostname type, unlike domain, does not convert them when saved.
	return hit{types: hostnameTypes, value: ascii, comment: comment}, true
}

// looksLikeFile reports whether h is a file name with a double extension
// whose last one is also a top-level domain, as in "invoice.pdf.zip":
// MISP, given the IANA list, proposes a host name.
func looksLikeFile(h string) bool {
	last := strings.LastIndexByte(h, '.')
	prev := strings.LastIndexByte(h[:last], '.')
	if prev < 0 || !containsFold(fileLikeTLDs, h[last+1:]) {
		return false
	}
	return containsFold(fileExtensions, h[prev+1:last])
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
