package stix2

import (
	"encoding/base64"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// This file turns MISP values into STIX property values, and says no
// where the STIX schemas would reject the result: the attribute then
// becomes an x-misp-attribute, as misp-stix does with a hash it cannot
// check.

// clean makes s valid UTF-8. JSON encoders replace invalid bytes anyway;
// doing it first keeps SCO identifiers equal to what the bundle says.
func clean(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// stamp formats a MISP timestamp (seconds) as STIX wants timestamps:
// RFC 3339, UTC, milliseconds.
func stamp(unix int64) string { return stampTime(time.Unix(unix, 0)) }

func stampTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// microStamp formats first_seen/last_seen, truncated to milliseconds.
func microStamp(m misp.MicroTime) string { return stampTime(m.Time().Truncate(time.Millisecond)) }

// ipv4Value is the ipv4-addr value the schema accepts: dotted quad
// without leading zeros, optionally a CIDR length.
var ipv4Value = regexp.MustCompile(`^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])(/(3[0-2]|[1-2][0-9]|[0-9]))?$`)

// addressType returns the SCO type of an IP address or CIDR value:
// ipv4-addr or ipv6-addr. It says no to anything else, to IPv6 with a zone
// and to IPv6 written with an embedded IPv4 part, which the ipv6-addr
// schema's pattern cannot match.
func addressType(v string) (string, bool) {
	if ipv4Value.MatchString(v) {
		return "ipv4-addr", true
	}
	if strings.ContainsAny(v, ".%") || !strings.Contains(v, ":") {
		return "", false
	}
	if _, err := netip.ParsePrefix(v); err == nil {
		return "ipv6-addr", true
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return "ipv6-addr", true
	}
	return "", false
}

// hashKind is a MISP hash type in STIX.
type hashKind struct {
	key   string         // the hashes key
	value *regexp.Regexp // what the hashes-type schema accepts; nil: any
}

var (
	hex32  = regexp.MustCompile(`^[a-fA-F0-9]{32}$`)
	hex40  = regexp.MustCompile(`^[a-fA-F0-9]{40}$`)
	hex56  = regexp.MustCompile(`^[a-fA-F0-9]{56}$`)
	hex64  = regexp.MustCompile(`^[a-fA-F0-9]{64}$`)
	hex96  = regexp.MustCompile(`^[a-fA-F0-9]{96}$`)
	hex128 = regexp.MustCompile(`^[a-fA-F0-9]{128}$`)
	anyHex = regexp.MustCompile(`^[a-fA-F0-9]+$`)
	ssdeep = regexp.MustCompile(`^[a-zA-Z0-9/+:.]{1,128}$`)
	tlsh   = regexp.MustCompile(`^[a-zA-Z0-9]{70}$`)
	token  = regexp.MustCompile(`^[^\s]+$`)
)

// hashKinds maps MISP hash types to STIX hashes keys: the
// hashing-algorithm-ov names where STIX has one, misp-stix's upper-case
// names otherwise (custom keys must match ^[a-zA-Z0-9_-]{3,250}$, so
// sha512/224 and sha512/256 have none and stay custom attributes).
var hashKinds = map[string]hashKind{
	"md5":          {"MD5", hex32},
	"sha1":         {"SHA-1", hex40},
	"sha224":       {"SHA-224", hex56},
	"sha256":       {"SHA-256", hex64},
	"sha384":       {"SHA-384", hex96},
	"sha512":       {"SHA-512", hex128},
	"sha3-224":     {"SHA3-224", hex56},
	"sha3-256":     {"SHA3-256", hex64},
	"sha3-384":     {"SHA3-384", hex96},
	"sha3-512":     {"SHA3-512", hex128},
	"ssdeep":       {"SSDEEP", ssdeep},
	"tlsh":         {"TLSH", tlsh},
	"imphash":      {"IMPHASH", hex32},
	"authentihash": {"AUTHENTIHASH", hex64},
	"cdhash":       {"CDHASH", anyHex},
	"impfuzzy":     {"IMPFUZZY", token},
	"pehash":       {"PEHASH", anyHex},
	"telfhash":     {"TELFHASH", token},
	"vhash":        {"VHASH", token},
}

// hashValue returns the hashes key and value of a MISP hash.
func hashValue(mispType, v string) (string, string, bool) {
	k, ok := hashKinds[mispType]
	if !ok || !k.value.MatchString(v) {
		return "", "", false
	}
	return k.key, v, true
}

// port parses a port number.
func port(v string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil && n >= 0 && n <= 65535
}

// size parses a size in bytes.
func size(v string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil && n >= 0
}

// asNumber parses an AS attribute: "AS64500" or "64500" (misp-stix keeps
// the digits).
func asNumber(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	if len(v) > 2 && strings.EqualFold(v[:2], "as") {
		v = v[2:]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0 && n <= 1<<32-1
}

var macValue = regexp.MustCompile(`^([0-9a-f]{2}:){5}[0-9a-f]{2}$`)

// mac returns a MAC address as mac-addr wants it: lower case, colons.
func mac(v string) (string, bool) {
	v = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(v), "-", ":"))
	return v, macValue.MatchString(v)
}

// hives are the abbreviated registry hive names; STIX wants them spelt
// out.
var hives = map[string]string{
	"HKLM": "HKEY_LOCAL_MACHINE",
	"HKCU": "HKEY_CURRENT_USER",
	"HKCR": "HKEY_CLASSES_ROOT",
	"HKU":  "HKEY_USERS",
	"HKCC": "HKEY_CURRENT_CONFIG",
}

// abbreviatedHive is the windows-registry-key schema's test for an
// abbreviated hive. It is unanchored after its first branch and so also
// rejects keys that merely contain "HKCU" or "hku"; a key it rejects
// after expansion stays a custom attribute.
var abbreviatedHive = regexp.MustCompile(`^HKLM|HKCC|HKCR|HKCU|HKU|hklm|hkcc|hkcr|hkcu|hku`)

// regKey returns a registry key with its hive spelt out.
func regKey(v string) (string, bool) {
	v = strings.TrimSpace(v)
	hive, rest, _ := strings.Cut(v, `\`)
	if full, ok := hives[strings.ToUpper(hive)]; ok {
		v = full
		if rest != "" {
			v += `\` + rest
		}
	}
	return v, v != "" && !abbreviatedHive.MatchString(v)
}

var cveID = regexp.MustCompile(`^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$`)

// cve returns a vulnerability value as a CVE id, when it is one.
func cve(v string) (string, bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	return v, cveID.MatchString(v)
}

// payload returns base64 attachment data as artifact payload_bin, when it
// is valid base64.
func payload(data string) (string, bool) {
	if data == "" {
		return "", false
	}
	_, err := base64.StdEncoding.DecodeString(data)
	return data, err == nil
}

// propName returns a MISP object relation as a custom property name
// (x_misp_<relation>), valid under the schemas' custom property rule.
func propName(relation string) string {
	var b strings.Builder
	b.WriteString("x_misp_")
	for _, r := range strings.ToLower(relation) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
