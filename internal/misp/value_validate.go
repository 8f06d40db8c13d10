package misp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Type-specific validation (spec §11.4) of an already normalised value.
// Composite values reach these functions with exactly one '|'.
//
// The regular expressions spell out both letter cases instead of using
// (?i): Go folds case per Unicode, so (?i)[a-z] would also accept the
// Kelvin sign and the long s.

const checkSuffix = ` Please double check the value or select type "other".`

// validateHex returns a validator for a hex digest of exactly n characters.
func validateHex(n int) func(string) error {
	return func(v string) error {
		if len(v) != n || !isHexString(v) {
			return hexLengthError(fmt.Sprint(n))
		}
		return nil
	}
}

func hexLengthError(expected string) error {
	return valueError("Checksum has an invalid length or format (expected: " + expected +
		" hexadecimal characters)." + checkSuffix)
}

// validateFilenameHex returns a validator for "filename|<hex of n chars>":
// a non-empty single-line file name and the digest.
func validateFilenameHex(n int) func(string) error {
	hash := validateHex(n)
	return func(v string) error {
		name, digest, _ := strings.Cut(v, "|")
		if name == "" || strings.Contains(name, "\n") {
			return errFilename
		}
		if hash(digest) != nil {
			return hexLengthError("filename|" + fmt.Sprint(n))
		}
		return nil
	}
}

const errFilename valueError = "Invalid file name. It has to be a single line of text followed by |." + checkSuffix

// validateFilenameAnd returns a validator for "filename|<hash>": a
// single-line file name and a hash accepted by right.
func validateFilenameAnd(right func(string) error) func(string) error {
	return func(v string) error {
		name, hash, _ := strings.Cut(v, "|")
		if strings.Contains(name, "\n") {
			return errFilename
		}
		return right(hash)
	}
}

// validateFilenameVhash accepts "name|vhash", both non-empty single lines.
func validateFilenameVhash(v string) error {
	name, hash, _ := strings.Cut(v, "|")
	if name == "" || hash == "" || strings.Contains(v, "\n") {
		return valueError("Invalid format. Expected: filename|vhash.")
	}
	return nil
}

var reTLSH = regexp.MustCompile(`^t?[0-9a-fA-F]{36,}$`)

// validateTLSH accepts an optional "t" (of the "T1" version prefix) and
// more than 35 hex digits.
func validateTLSH(v string) error {
	if !reTLSH.MatchString(v) {
		return valueError("Checksum has an invalid length or format (expected: at least 35 hexadecimal characters, optionally starting with t1 instead of hexadecimal characters)." + checkSuffix)
	}
	return nil
}

// validateTelfhash checks only the length, as MISP does.
func validateTelfhash(v string) error {
	if len(v) != 70 && len(v) != 72 {
		return valueError("Checksum has an invalid length or format (expected: 70 or 72 characters)." + checkSuffix)
	}
	return nil
}

var reCDHash = regexp.MustCompile(`^[0-9a-fA-F]{40,}$`)

func validateCDHash(v string) error {
	if !reCDHash.MatchString(v) {
		return hexLengthError("at least 40")
	}
	return nil
}

var reSSDeep = regexp.MustCompile(`^[0-9]+:[0-9a-zA-Z/+]*:[0-9a-zA-Z/+]*$`)

func validateSSDeep(v string) error {
	if !reSSDeep.MatchString(v) {
		return valueError("Invalid SSDeep hash. The format has to be blocksize:hash:hash." + checkSuffix)
	}
	return nil
}

// validateImpfuzzy accepts "<non-negative integer>:<hash>:<hash>".
func validateImpfuzzy(v string) error {
	n, _, _ := strings.Cut(v, ":")
	if strings.Count(v, ":") != 2 || !isDigits(n) {
		return valueError("Invalid impfuzzy format. The format has to be imports:hash:hash." + checkSuffix)
	}
	return nil
}

// validateSingleLine rejects line feeds in free-text types.
func validateSingleLine(v string) error {
	if strings.Contains(v, "\n") {
		return errNewline
	}
	return nil
}

// parseIP parses a plain address as filter_var(FILTER_VALIDATE_IP) would:
// no zone, no prefix.
func parseIP(v string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(v)
	return a, err == nil && a.Zone() == ""
}

// validateIPOrCIDR accepts an address or a CIDR block.
func validateIPOrCIDR(v string) error {
	if strings.Contains(v, "/") {
		if _, err := netip.ParsePrefix(v); err != nil {
			return valueError("IP address has an invalid format. Please double check the value or the CIDR notation.")
		}
		return nil
	}
	if _, ok := parseIP(v); !ok {
		return errIP
	}
	return nil
}

func validateIPPort(v string) error {
	ip, port, _ := strings.Cut(v, "|")
	if _, ok := parseIP(ip); !ok {
		return errIP
	}
	return validatePort(port)
}

// validatePort accepts the decimal numbers 1–65535.
func validatePort(v string) error {
	if !isDigits(v) {
		return errPort
	}
	n, err := strconv.ParseUint(v, 10, 16)
	if err != nil || n == 0 {
		return errPort
	}
	return nil
}

var reHostname = regexp.MustCompile(`^[A-Za-z0-9._-]+\.[A-Za-z0-9-]{2,}$`)

func validateHostname(v string) error {
	if !reHostname.MatchString(v) {
		return valueError("Hostname has an invalid format." + checkSuffix)
	}
	return nil
}

func validateDomain(v string) error {
	if !reHostname.MatchString(v) {
		return valueError("Domain name has an invalid format." + checkSuffix)
	}
	return nil
}

func validateHostnamePort(v string) error {
	host, port, _ := strings.Cut(v, "|")
	if err := validateHostname(host); err != nil {
		return err
	}
	return validatePort(port)
}

func validateDomainIP(v string) error {
	domain, ip, _ := strings.Cut(v, "|")
	if err := validateDomain(domain); err != nil {
		return err
	}
	if _, ok := parseIP(ip); !ok {
		return errIP
	}
	return nil
}

// reEmail is MISP's deliberately loose address check: a first character,
// then no whitespace up to an '@', then something with a dot, on one line.
// The whitespace class is PCRE's \s, which unlike Go's includes \v.
var reEmail = regexp.MustCompile(`^[^\n][^\t\n\v\f\r ]*@[^\n]*\.[^\n]*$`)

func validateEmail(v string) error {
	if !reEmail.MatchString(v) {
		return valueError("Email address has an invalid format." + checkSuffix)
	}
	return nil
}

// reOnion is the rule MISP intends (v2 and v3 addresses); MISP 2.5.1's
// pattern has a typo that rejects every v3 address.
var reOnion = regexp.MustCompile(`^([a-z2-7]{16}|[a-z2-7]{56})\.onion$`)

func validateOnion(v string) error {
	if !reOnion.MatchString(v) {
		return valueError("Onion address has an invalid format." + checkSuffix)
	}
	return nil
}

var reMACOctets = regexp.MustCompile(`^[0-9a-fA-F]{2}(:?[0-9a-fA-F]{2})*$`)

// validateMAC returns a validator for n hex octets with optional ':'.
func validateMAC(n int) func(string) error {
	return func(v string) error {
		if !reMACOctets.MatchString(v) || len(strings.ReplaceAll(v, ":", "")) != 2*n {
			return valueError(fmt.Sprintf("MAC address has an invalid format (expected: %d hexadecimal octets).", n))
		}
		return nil
	}
}

var (
	reCVE = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	reCWE = regexp.MustCompile(`^CWE-[0-9]+$`)
)

func validateCVE(v string) error {
	if !reCVE.MatchString(v) {
		return valueError("Invalid format. Expected: CVE-xxxx-xxxx...")
	}
	return nil
}

func validateCWE(v string) error {
	if !reCWE.MatchString(v) {
		return valueError("Invalid format. Expected: CWE-x...")
	}
	return nil
}

// httpMethods are the HTTP/1.1 and WebDAV request methods MISP knows.
var httpMethods = []string{
	"OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
	"VERSION-CONTROL", "REPORT", "CHECKOUT", "CHECKIN", "UNCHECKOUT",
	"MKWORKSPACE", "UPDATE", "LABEL", "MERGE", "BASELINE-CONTROL",
	"MKACTIVITY", "ORDERPATCH", "ACL", "PATCH", "SEARCH",
}

// validateHTTPMethod accepts a value that contains a known method; MISP's
// pattern is unanchored.
func validateHTTPMethod(v string) error {
	for _, m := range httpMethods {
		if strings.Contains(v, m) {
			return nil
		}
	}
	return valueError("Unknown HTTP method.")
}

// validateServiceName follows Windows' rules for service names: at most 256
// characters and no slashes.
func validateServiceName(v string) error {
	if utf8.RuneCountInString(v) > 256 || strings.ContainsAny(v, `/\`) {
		return valueError("Invalid format. Only values shorter than 256 characters that don't include any forward or backward slashes are allowed.")
	}
	return nil
}

// validateLink accepts an absolute URL: a scheme and something after it,
// with no whitespace or control characters anywhere.
func validateLink(v string) error {
	errLink := valueError("Link has to be a valid URL.")
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return errLink
		}
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "" && u.Path == "") {
		return errLink
	}
	return nil
}

func validateHexDigits(v string) error {
	if !isHexString(v) {
		return valueError("Value has to be a hexadecimal value.")
	}
	return nil
}

var (
	reSSHMD5     = regexp.MustCompile(`^(MD5:)?([0-9a-fA-F]{32}|[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){15})$`)
	reSSHSHA256  = regexp.MustCompile(`^SHA256:([A-Za-z0-9+/]{43})=?$`)
	errSSHFinger = valueError("SSH fingerprint has an invalid format. Expected: SHA256:<base64> or [MD5:]<32 hexadecimal characters>.")
)

// validateSSHFingerprint accepts OpenSSH's "SHA256:<unpadded base64 of 32
// bytes>" and the older MD5 form, with or without colons and prefix.
func validateSSHFingerprint(v string) error {
	if reSSHMD5.MatchString(v) {
		return nil
	}
	m := reSSHSHA256.FindStringSubmatch(v)
	if m == nil {
		return errSSHFinger
	}
	// 43 characters carry 258 bits; the decoder rejects stray low bits.
	if b, err := base64.RawStdEncoding.Strict().DecodeString(m[1]); err != nil || len(b) != 32 {
		return errSSHFinger
	}
	return nil
}

func validateDatetime(v string) error {
	if _, ok := parseDatetime(v); !ok {
		return valueError("Datetime has to be in the ISO 8601 format.")
	}
	return nil
}

// validateCount accepts non-negative decimal integers.
func validateCount(v string) error {
	if !isDigits(v) {
		return valueError("The value has to be a whole number greater or equal 0.")
	}
	return nil
}

// validateInteger accepts what strconv parses as a decimal int64. MISP
// 2.5.1's check rejects every value (is_int on a string); PyMISP accepts any
// integer, which is the intent.
func validateInteger(v string) error {
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return valueError("The value has to be an integer value.")
	}
	return nil
}

// reNumeric mirrors PHP's is_numeric on a trimmed string: optional sign,
// decimal digits with an optional fraction, optional exponent.
var reNumeric = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func validateNumeric(v string) error {
	if !reNumeric.MatchString(v) {
		return errNumeric
	}
	return nil
}

func validateAlphanumeric(v string) error {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return errAlphanumeric
		}
	}
	return nil
}

// validateAS accepts AS numbers 0–4294967295 (32-bit, RFC 6793).
func validateAS(v string) error {
	if !isDigits(v) {
		return errAS
	}
	if _, err := strconv.ParseUint(v, 10, 32); err != nil {
		return errAS
	}
	return nil
}

const errAS valueError = "AS number has to be an integer between 0 and 4294967295."

func validateBoolean(v string) error {
	if v != "0" && v != "1" {
		return valueError("Boolean value has to be 0 or 1.")
	}
	return nil
}

func validateJSON(v string) error {
	if !json.Valid([]byte(v)) {
		return valueError("The value has to be valid JSON.")
	}
	return nil
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isHexString reports whether s is a non-empty run of ASCII hex digits.
func isHexString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}
