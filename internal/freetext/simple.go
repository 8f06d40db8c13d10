package freetext

import (
	"regexp"
	"strings"
)

var (
	cveTypes   = []string{"vulnerability"}
	phoneTypes = []string{"phone-number", "prtn", "whois-registrant-phone"}
	asTypes    = []string{"AS"}
)

// resolveCVE recognises a CVE id in either case and returns it upper-cased,
// as MISP does. Unlike MISP it also takes the en dashes that word
// processors put in "CVE–2021–44228".
func resolveCVE(raw string) (hit, bool) {
	if !hasPrefixFold(raw, "cve") {
		return hit{}, false
	}
	v := strings.ToUpper(strings.ReplaceAll(raw, "\u2013", "-"))
	if !reCVE.MatchString(v) {
		return hit{}, false
	}
	return hit{types: cveTypes, value: v}, true
}

var reCVE = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,9}$`)

// MISP's phone number pattern: an optional '+', an optional country code
// with an optional "(0)", then digits, '/' and '-' ending in a digit.
var rePhone = regexp.MustCompile(`^\+?([0-9]{1,3}(\(0\))?)?[0-9/-]{5,}[0-9]$`)

// reNotPhone matches what rePhone also matches but is no phone number.
// MISP excludes ISO dates only; we also exclude day-first dates and
// ranges ("2019-2021", "8000-8080"), which advisories are full of, at the
// price of local numbers written "555-1234".
var reNotPhone = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}-[0-9]{1,2}-[0-9]{2,4}|[0-9]{1,5}-[0-9]{1,5})$`)

// resolvePhone recognises a phone number. Like MISP, it looks only at
// values that start with '+' or hold a hyphen, so plain numbers are not
// phone numbers.
func resolvePhone(raw string) (hit, bool) {
	if raw[0] != '+' && strings.IndexByte(raw, '-') <= 0 {
		return hit{}, false
	}
	if reNotPhone.MatchString(raw) || !rePhone.MatchString(raw) {
		return hit{}, false
	}
	return hit{types: phoneTypes, value: raw}, true
}

// resolveAS recognises an autonomous system number "AS<digits>" in either
// case and returns it upper-cased, as MISP does.
func resolveAS(raw string) (hit, bool) {
	if len(raw) < 3 || !hasPrefixFold(raw, "as") || !isDigits(raw[2:]) {
		return hit{}, false
	}
	return hit{types: asTypes, value: "AS" + raw[2:]}, true
}
