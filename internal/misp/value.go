package misp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizeValue processes an attribute value of type typ the way MISP does
// before storing it (spec §11.2–§11.4): it trims whitespace, refangs
// defanged network indicators, replaces 4-byte and invalid UTF-8 with '?',
// applies the type's normalisation (lower-casing hashes, compressing IPv6,
// stripping /32 and /128, …) and then validates the result.
//
// It returns the value to store, or an error matching ErrInvalid whose
// message is a MISP-style sentence suitable for a "value" field error.
// Unknown types are rejected. NormalizeValue is idempotent: an accepted
// value normalises to itself.
//
// Internationalised domain names (types domain and domain|ip) become
// punycode; non-ASCII hostname values are rejected.
func NormalizeValue(typ, value string) (string, error) {
	rule, ok := valueRules[typ]
	if !ok {
		return "", errUnknownType
	}
	v := strings.TrimFunc(value, isTrimmed)
	v = refang(v, rule.refang)
	v = replaceWideRunes(v)
	if err := checkNotBlank(v); err != nil {
		return "", err
	}
	if rule.normalize != nil {
		v = rule.normalize(v)
		if err := checkNotBlank(v); err != nil {
			return "", err
		}
	}
	if IsCompositeType(typ) && strings.Count(v, "|") != 1 {
		return "", errComposite
	}
	if rule.validate != nil {
		if err := rule.validate(v); err != nil {
			return "", err
		}
	}
	return v, nil
}

// CorrelatesType reports whether attributes of type typ take part in
// correlation. MISP never correlates a fixed list of types whose values are
// too generic to link events (ports, counters, comments, …); unknown types
// do not correlate either.
func CorrelatesType(typ string) bool {
	if _, ok := LookupType(typ); !ok {
		return false
	}
	switch typ {
	case "comment", "http-method", "aba-rtn", "gender", "counter", "integer",
		"float", "port", "nationality", "cortex", "boolean", "anonymised":
		return false
	}
	return true
}

// IsPrimaryOnlyCorrelation reports whether only the first half of a
// composite value of type typ correlates: for "ip|port" and "hostname|port"
// the port alone would link unrelated events.
func IsPrimaryOnlyCorrelation(typ string) bool {
	switch typ {
	case "ip-src|port", "ip-dst|port", "hostname|port":
		return true
	}
	return false
}

// valueError is a rejected attribute value. Unlike ordinary Go errors its
// message is a capitalised sentence: MISP returns it verbatim to API clients
// under the "value" field, and clients display it.
type valueError string

func (e valueError) Error() string { return string(e) }

// Is makes every value error match ErrInvalid.
func (e valueError) Is(target error) bool { return target == ErrInvalid }

// Messages shared by several rules. The composite and empty messages are
// MISP's own wording, which API clients may match.
const (
	errUnknownType  valueError = "Unknown attribute type."
	errComposite    valueError = "Composite type found but the value not in the composite (value1|value2) format."
	errEmpty        valueError = "Value cannot be empty."
	errControlOnly  valueError = "Value cannot consist only of control characters."
	errNewline      valueError = "Value cannot contain line breaks."
	errIP           valueError = "IP address has an invalid format."
	errPort         valueError = "Port numbers have to be integers between 1 and 65535."
	errNumeric      valueError = "The value has to be a number."
	errAlphanumeric valueError = "Invalid format. Only alphanumeric characters are allowed."
)

// isTrimmed reports whether NormalizeValue strips r from the ends of a
// value: Unicode white space and, as PHP's trim does, NUL.
func isTrimmed(r rune) bool { return unicode.IsSpace(r) || r == 0 }

// checkNotBlank rejects empty values and values made only of control or
// format characters (invisible, so as good as empty).
func checkNotBlank(v string) error {
	if v == "" {
		return errEmpty
	}
	for _, r := range v {
		if !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) {
			return nil
		}
	}
	return errControlOnly
}

// replaceWideRunes replaces every 4-byte UTF-8 character (emoji and other
// characters outside the Basic Multilingual Plane) and every invalid byte
// with '?'. MISP does the former because MySQL's "utf8" charset stores at
// most 3 bytes per character; invalid bytes could not be stored either.
func replaceWideRunes(v string) string {
	// replaced reports whether the encoding at the start of s is replaced,
	// and how long it is.
	replaced := func(s string) (bool, int) {
		r, size := utf8.DecodeRuneInString(s)
		return (r == utf8.RuneError && size == 1) || size == 4, size
	}
	i := 0
	for i < len(v) {
		bad, size := replaced(v[i:])
		if bad {
			break
		}
		i += size
	}
	if i == len(v) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	b.WriteString(v[:i])
	for i < len(v) {
		bad, size := replaced(v[i:])
		if bad {
			b.WriteByte('?')
		} else {
			b.WriteString(v[i : i+size])
		}
		i += size
	}
	return b.String()
}

// refangMode selects which defanging conventions are undone for a type.
type refangMode uint8

const (
	refangDot    refangMode = 1 << iota // [.] [dot] (dot) → .
	refangAt                            // [@] [at] → @
	refangScheme                        // hxxp… → http, [hxxp://] → http://, [:] → :
)

// refangPattern is one defanged spelling and what it stands for. Every
// pattern ends in ']' or ')' and no replacement contains either, which is
// what lets refang work in one pass.
type refangPattern struct {
	defanged, fanged string
	mode             refangMode
}

var refangPatterns = []refangPattern{
	{"[.]", ".", refangDot},
	{"[dot]", ".", refangDot},
	{"(dot)", ".", refangDot},
	{"[@]", "@", refangAt},
	{"[at]", "@", refangAt},
	{"[hxxp://]", "http://", refangScheme},
	{"[:]", ":", refangScheme},
}

// schemePrefixes are the defanged spellings of "http" MISP recognises at
// the start of a URL.
var schemePrefixes = []string{"hxxp", "hxtp", "htxp", "meow", "h[tt]p"}

// refang undoes defanging (spec §11.2 step 3), matching ASCII letters in
// patterns case-insensitively. Patterns are replaced as soon as their
// closing bracket is copied, so nested spellings such as "[[.]]" reduce
// fully in a single linear pass and the result contains no pattern: refang
// is idempotent without looping over the value.
func refang(v string, mode refangMode) string {
	if mode == 0 {
		return v
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		out = append(out, v[i])
		if v[i] != ']' && v[i] != ')' {
			continue
		}
		for _, p := range refangPatterns {
			if mode&p.mode != 0 && hasSuffixFold(out, p.defanged) {
				out = append(out[:len(out)-len(p.defanged)], p.fanged...)
				break
			}
		}
	}
	s := string(out)
	if mode&refangScheme != 0 {
		for _, p := range schemePrefixes {
			if len(s) >= len(p) && equalFoldASCII(s[:len(p)], p) {
				s = "http" + s[len(p):]
				break
			}
		}
	}
	return s
}

// hasSuffixFold reports whether b ends with suffix, ignoring ASCII case.
func hasSuffixFold(b []byte, suffix string) bool {
	return len(b) >= len(suffix) && equalFoldASCII(string(b[len(b)-len(suffix):]), suffix)
}

// equalFoldASCII is strings.EqualFold restricted to ASCII letters, so that
// non-ASCII look-alikes (the Kelvin sign folds to "k") never match.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if asciiLower(a[i]) != asciiLower(b[i]) {
			return false
		}
	}
	return true
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// valueRule is how NormalizeValue treats one attribute type: the defanging
// to undo, the normalisation, and the validation (nil: none).
type valueRule struct {
	refang    refangMode
	normalize func(string) string
	validate  func(string) error
}

var (
	// multiLine types accept any non-blank value (spec §11.4 last row).
	multiLine = valueRule{}
	// singleLine types accept any value without a line feed.
	singleLine = valueRule{validate: validateSingleLine}
)

// hashRule is a hex digest of n characters, stored lower-case.
func hashRule(n int) valueRule {
	return valueRule{normalize: strings.ToLower, validate: validateHex(n)}
}

// filenameHashRule is "filename|<hex digest of n characters>".
func filenameHashRule(n int) valueRule {
	return valueRule{normalize: lowerAfterPipe, validate: validateFilenameHex(n)}
}

// valueRules holds the rule for every attribute type in the matrix;
// TestValueRulesCoverEveryType keeps the two in step.
var valueRules = map[string]valueRule{
	// Hashes and fingerprints.
	"md5":                     hashRule(32),
	"sha1":                    hashRule(40),
	"sha224":                  hashRule(56),
	"sha256":                  hashRule(64),
	"sha384":                  hashRule(96),
	"sha512":                  hashRule(128),
	"sha512/224":              hashRule(56),
	"sha512/256":              hashRule(64),
	"sha3-224":                hashRule(56),
	"sha3-256":                hashRule(64),
	"sha3-384":                hashRule(96),
	"sha3-512":                hashRule(128),
	"imphash":                 hashRule(32),
	"pehash":                  hashRule(40),
	"authentihash":            hashRule(64),
	"ja3-fingerprint-md5":     hashRule(32),
	"jarm-fingerprint":        hashRule(62),
	"hassh-md5":               hashRule(32),
	"hasshserver-md5":         hashRule(32),
	"dom-hash":                hashRule(32),
	"git-commit-id":           {validate: validateHex(40)},
	"x509-fingerprint-md5":    {normalize: normalizeX509, validate: validateHex(32)},
	"x509-fingerprint-sha1":   {normalize: normalizeX509, validate: validateHex(40)},
	"x509-fingerprint-sha256": {normalize: normalizeX509, validate: validateHex(64)},
	"tlsh":                    {normalize: strings.ToLower, validate: validateTLSH},
	"telfhash":                {normalize: strings.ToLower, validate: validateTelfhash},
	"cdhash":                  {normalize: strings.ToLower, validate: validateCDHash},
	"vhash":                   {normalize: strings.ToLower, validate: validateSingleLine},
	"ssdeep":                  {validate: validateSSDeep},
	"impfuzzy":                {validate: validateImpfuzzy},

	// File name and hash pairs.
	"filename|md5":          filenameHashRule(32),
	"filename|sha1":         filenameHashRule(40),
	"filename|sha224":       filenameHashRule(56),
	"filename|sha256":       filenameHashRule(64),
	"filename|sha384":       filenameHashRule(96),
	"filename|sha512":       filenameHashRule(128),
	"filename|sha512/224":   filenameHashRule(56),
	"filename|sha512/256":   filenameHashRule(64),
	"filename|sha3-224":     filenameHashRule(56),
	"filename|sha3-256":     filenameHashRule(64),
	"filename|sha3-384":     filenameHashRule(96),
	"filename|sha3-512":     filenameHashRule(128),
	"filename|imphash":      filenameHashRule(32),
	"filename|pehash":       filenameHashRule(40),
	"filename|authentihash": filenameHashRule(64),
	"filename|tlsh":         {normalize: lowerAfterPipe, validate: validateFilenameAnd(validateTLSH)},
	"filename|vhash":        {normalize: lowerAfterPipe, validate: validateFilenameVhash},
	"filename|ssdeep":       {validate: validateFilenameAnd(validateSSDeep)},
	// MISP 2.5.1 has no validation rule for filename|impfuzzy and rejects
	// every value as of an unknown type; we apply the intended rule.
	"filename|impfuzzy": {validate: validateFilenameAnd(validateImpfuzzy)},

	// Network indicators.
	"ip-src":          {refang: refangDot, normalize: normalizeIP, validate: validateIPOrCIDR},
	"ip-dst":          {refang: refangDot, normalize: normalizeIP, validate: validateIPOrCIDR},
	"ip-src|port":     {normalize: normalizeIPPort, validate: validateIPPort},
	"ip-dst|port":     {normalize: normalizeIPPort, validate: validateIPPort},
	"port":            {validate: validatePort},
	"hostname":        {refang: refangDot, normalize: strings.ToLower, validate: validateHostname},
	"domain":          {refang: refangDot, normalize: normalizeDomain, validate: validateDomain},
	"hostname|port":   {normalize: normalizeHostnamePort, validate: validateHostnamePort},
	"domain|ip":       {refang: refangDot, normalize: normalizeDomainIP, validate: validateDomainIP},
	"url":             {refang: refangDot | refangScheme, validate: validateSingleLine},
	"link":            {refang: refangDot | refangScheme, validate: validateLink},
	"uri":             singleLine,
	"user-agent":      singleLine,
	"onion-address":   {normalize: strings.ToLower, validate: validateOnion},
	"mac-address":     {normalize: normalizeMAC, validate: validateMAC(6)},
	"mac-eui-64":      {normalize: normalizeMAC, validate: validateMAC(8)},
	"AS":              {normalize: normalizeAS, validate: validateAS},
	"http-method":     {normalize: strings.ToUpper, validate: validateHTTPMethod},
	"ssh-fingerprint": {validate: validateSSHFingerprint},
	"community-id":    multiLine,

	// E-mail addresses.
	"email":                  {refang: refangDot | refangAt, normalize: strings.ToLower, validate: validateEmail},
	"email-src":              {refang: refangDot | refangAt, normalize: strings.ToLower, validate: validateEmail},
	"email-dst":              {refang: refangDot | refangAt, normalize: strings.ToLower, validate: validateEmail},
	"target-email":           {normalize: strings.ToLower, validate: validateEmail},
	"whois-registrant-email": {normalize: strings.ToLower, validate: validateEmail},
	"eppn":                   {validate: validateEmail},
	"dns-soa-email":          {validate: validateEmail},
	"jabber-id":              {validate: validateEmail},

	// Vulnerabilities.
	"vulnerability": {normalize: normalizeVulnerability, validate: validateCVE},
	"weakness":      {normalize: normalizeVulnerability, validate: validateCWE},

	// Financial.
	"cc-number":              {normalize: digitsOnly, validate: validateNumeric},
	"bin":                    {normalize: digitsOnly, validate: validateNumeric},
	"bank-account-nr":        {validate: validateNumeric},
	"aba-rtn":                {validate: validateNumeric},
	"iban":                   {normalize: normalizeBankCode, validate: validateAlphanumeric},
	"bic":                    {normalize: normalizeBankCode, validate: validateAlphanumeric},
	"btc":                    {validate: validateAlphanumeric},
	"dash":                   {validate: validateAlphanumeric},
	"xmr":                    {validate: validateAlphanumeric},
	"phone-number":           {normalize: normalizePhone, validate: validateNumeric},
	"prtn":                   {normalize: normalizePhone, validate: validateNumeric},
	"whois-registrant-phone": {normalize: normalizePhone, validate: validateNumeric},

	// Scalars.
	"integer":       {validate: validateInteger},
	"float":         {validate: validateNumeric},
	"size-in-bytes": {validate: validateCount},
	"counter":       {validate: validateCount},
	"boolean":       {normalize: normalizeBoolean, validate: validateBoolean},
	"datetime":      {normalize: normalizeDatetime, validate: validateDatetime},
	"hex":           {normalize: strings.ToUpper, validate: validateHexDigits},
	"cortex":        {validate: validateJSON},

	// Windows.
	"windows-service-name":        {validate: validateServiceName},
	"windows-service-displayname": {validate: validateServiceName},
	"windows-scheduled-task":      singleLine,
	"regkey":                      singleLine,
	"regkey|value":                singleLine,
	"named pipe":                  singleLine,

	// Other single-line free text.
	"filename":                           singleLine,
	"pdb":                                singleLine,
	"target-user":                        singleLine,
	"target-machine":                     singleLine,
	"target-org":                         singleLine,
	"target-location":                    singleLine,
	"target-external":                    singleLine,
	"campaign-name":                      singleLine,
	"campaign-id":                        singleLine,
	"threat-actor":                       singleLine,
	"malware-type":                       singleLine,
	"email-subject":                      singleLine,
	"email-src-display-name":             singleLine,
	"email-dst-display-name":             singleLine,
	"email-reply-to":                     singleLine,
	"email-x-mailer":                     singleLine,
	"email-mime-boundary":                singleLine,
	"email-thread-index":                 singleLine,
	"email-message-id":                   singleLine,
	"whois-registrant-name":              singleLine,
	"whois-registrant-org":               singleLine,
	"whois-registrar":                    singleLine,
	"whois-creation-date":                singleLine,
	"github-username":                    singleLine,
	"github-repository":                  singleLine,
	"github-organisation":                singleLine,
	"twitter-id":                         singleLine,
	"dkim":                               singleLine,
	"dkim-signature":                     singleLine,
	"favicon-mmh3":                       singleLine,
	"chrome-extension-id":                singleLine,
	"mobile-application-id":              singleLine,
	"azure-application-id":               singleLine,
	"date-of-birth":                      singleLine,
	"place-of-birth":                     singleLine,
	"gender":                             singleLine,
	"nationality":                        singleLine,
	"passport-number":                    singleLine,
	"passport-country":                   singleLine,
	"passport-expiration":                singleLine,
	"redress-number":                     singleLine,
	"country-of-residence":               singleLine,
	"special-service-request":            singleLine,
	"frequent-flyer-number":              singleLine,
	"travel-details":                     singleLine,
	"payment-details":                    singleLine,
	"place-port-of-original-embarkation": singleLine,
	"place-port-of-clearance":            singleLine,
	"place-port-of-onward-foreign-destination": singleLine,
	"passenger-name-record-locator-number":     singleLine,
	"primary-residence":                        singleLine,
	"visa-number":                              singleLine,
	"issue-date-of-the-visa":                   singleLine,

	// Multi-line free text, accepted as-is.
	"anonymised":           {normalize: strings.ToLower},
	"mutex":                multiLine,
	"process-state":        multiLine,
	"snort":                multiLine,
	"bro":                  multiLine,
	"zeek":                 multiLine,
	"yara":                 multiLine,
	"sigma":                multiLine,
	"stix2-pattern":        multiLine,
	"gene":                 multiLine,
	"kusto-query":          multiLine,
	"pattern-in-file":      multiLine,
	"pattern-in-memory":    multiLine,
	"pattern-in-traffic":   multiLine,
	"filename-pattern":     multiLine,
	"pgp-public-key":       multiLine,
	"pgp-private-key":      multiLine,
	"mime-type":            multiLine,
	"cookie":               multiLine,
	"cpe":                  multiLine,
	"identity-card-number": multiLine,
	"first-name":           multiLine,
	"middle-name":          multiLine,
	"last-name":            multiLine,
	"full-name":            multiLine,
	"attachment":           multiLine,
	// The composite check is the only rule for malware-sample.
	"malware-sample":   multiLine,
	"email-attachment": multiLine,
	"email-body":       multiLine,
	"email-header":     multiLine,
	"comment":          multiLine,
	"text":             multiLine,
	"other":            multiLine,
}
