package stix2

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/razmena/razmena/internal/misp"
)

// scoNamespace is the namespace of deterministic SCO identifiers (STIX
// 2.1 §2.9). The specification reserves it for SCOs.
var scoNamespace = [16]byte{0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7}

// razmenaNamespace (f8d6e3a4-5c2b-4e1f-9a7d-3b6c0e2d1f48) names the
// identifiers we derive ourselves: the bundle, SCOs without ID
// contributing properties, and SDOs whose MISP uuid is not a valid STIX
// identifier. §2.9 forbids scoNamespace for anything but SCOs.
var razmenaNamespace = [16]byte{0xf8, 0xd6, 0xe3, 0xa4, 0x5c, 0x2b, 0x4e, 0x1f, 0x9a, 0x7d, 0x3b, 0x6c, 0x0e, 0x2d, 0x1f, 0x48}

// uuid5 returns the RFC 4122 version 5 UUID of name in namespace.
func uuid5(namespace [16]byte, name string) string { return misp.UUIDv5(namespace, name) }

// stixUUID matches the UUID part the STIX schemas accept in identifiers:
// versions 1 to 5, RFC 4122 variant.
var stixUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// sdoID returns typ--uuid for an object that takes a MISP uuid, as
// misp-stix does (indicator--<attribute uuid>, report--<event uuid>). A
// uuid the schemas would reject (MISP accepts any RFC 4122 layout) is
// replaced by a version 5 UUID derived from it, so the identifier stays
// stable across exports.
func sdoID(typ, mispUUID string) string {
	u := strings.ToLower(mispUUID)
	if !stixUUID.MatchString(u) {
		u = uuid5(razmenaNamespace, typ+"|"+mispUUID)
	}
	return typ + "--" + u
}

// idContributing lists the ID contributing properties of each SCO type
// we emit (STIX 2.1 §6, "ID Contributing Properties" of each object).
var idContributing = map[string][]string{
	"artifact":             {"hashes", "payload_bin"},
	"autonomous-system":    {"number"},
	"directory":            {"path"},
	"domain-name":          {"value"},
	"email-addr":           {"value"},
	"email-message":        {"from_ref", "subject", "body"},
	"file":                 {"hashes", "name", "extensions", "parent_directory_ref"},
	"ipv4-addr":            {"value"},
	"ipv6-addr":            {"value"},
	"mac-addr":             {"value"},
	"mutex":                {"name"},
	"network-traffic":      {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"},
	"url":                  {"value"},
	"user-account":         {"account_type", "user_id", "account_login"},
	"windows-registry-key": {"key", "values"},
	"x509-certificate":     {"hashes", "serial_number"},
}

// scoID returns the deterministic identifier of an SCO of type typ with
// properties props: a version 5 UUID in scoNamespace of the canonical
// JSON (RFC 8785) of its ID contributing properties. Of a hashes
// property only one hash counts, chosen as §2.9 says: MD5, then SHA-1,
// SHA-256, SHA-512, then (our choice where the specification leaves it
// open) the first key in sorted order. When no contributing property is
// present §2.9 asks for a version 4 UUID; to keep answers reproducible we
// derive one from fallback, a name unique to the object (the MISP uuid of
// its attribute or object), in our own namespace.
func scoID(typ string, props object, fallback string) string {
	var contrib object
	for _, name := range idContributing[typ] {
		v, ok := props.get(name)
		if !ok {
			continue
		}
		if name == "hashes" {
			v = oneHash(v.(map[string]string))
		}
		contrib = append(contrib, prop{name, v})
	}
	if len(contrib) == 0 {
		return typ + "--" + uuid5(razmenaNamespace, typ+"|"+fallback)
	}
	var b strings.Builder
	canonical(&b, contrib)
	return typ + "--" + uuid5(scoNamespace, b.String())
}

// oneHash returns the single hash of hashes that contributes to an
// identifier.
func oneHash(hashes map[string]string) map[string]string {
	for _, k := range []string{"MD5", "SHA-1", "SHA-256", "SHA-512"} {
		if v, ok := hashes[k]; ok {
			return map[string]string{k: v}
		}
	}
	keys := make([]string, 0, len(hashes))
	for k := range hashes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return hashes
	}
	return map[string]string{keys[0]: hashes[keys[0]]}
}

// canonical writes v as RFC 8785 canonical JSON: object members sorted
// by the UTF-16 code units of their names, no insignificant whitespace,
// strings with only the mandatory escapes, numbers as ECMAScript prints
// them.
func canonical(b *strings.Builder, v any) { encode(b, v, true) }

// encode writes v as compact JSON, members of an object in the order they
// were set or, when sorted, in RFC 8785 order (maps are always sorted).
// v holds strings, integers, floats, booleans, and lists and objects of
// those: what the writer builds, and what encoding/json decodes. Strings get only the escapes RFC 8785 mandates, so that what
// the bundle says is byte for byte what the identifiers were computed
// from.
func encode(b *strings.Builder, v any, sorted bool) {
	switch v := v.(type) {
	case string:
		canonicalString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(es6Number(v))
	case []string:
		encodeArray(b, v, func(s string) { canonicalString(b, s) })
	case []object:
		encodeArray(b, v, func(x object) { encode(b, x, sorted) })
	case []any:
		encodeArray(b, v, func(x any) { encode(b, x, sorted) })
	case map[string]any:
		o := make(object, 0, len(v))
		for k, x := range v {
			o = append(o, prop{k, x})
		}
		encode(b, o, true)
	case map[string]string:
		// Hashes and header fields: always in sorted order.
		o := make(object, 0, len(v))
		for k, x := range v {
			o = append(o, prop{k, x})
		}
		encode(b, o, true)
	case object:
		if sorted {
			v = slices.Clone(v)
			slices.SortFunc(v, func(x, y prop) int { return compareUTF16(x.name, y.name) })
		}
		b.WriteByte('{')
		for i, p := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			canonicalString(b, p.name)
			b.WriteByte(':')
			encode(b, p.value, sorted)
		}
		b.WriteByte('}')
	default:
		panic(fmt.Sprintf("stix2: JSON of %T", v))
	}
}

func compareUTF16(x, y string) int {
	return slices.Compare(utf16.Encode([]rune(x)), utf16.Encode([]rune(y)))
}

// canonicalString writes s as an RFC 8785 string: '"' and '\' escaped,
// control characters as \b \t \n \f \r or \u00xx, everything else as is.
// s is valid UTF-8 (the writer cleans values first).
func canonicalString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0 // of the bytes not written yet, which need no escape
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		start = i + 1
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// es6Number formats f as ECMAScript's Number.prototype.toString does,
// which RFC 8785 requires.
func es6Number(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		panic("stix2: canonical JSON of a non-finite number")
	}
	if f == 0 {
		return "0"
	}
	abs := math.Abs(f)
	if abs >= 1e21 || abs < 1e-6 {
		// Exponent form: shortest digits, "e+21", "e-7".
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		n, err := strconv.Atoi(exp)
		if err != nil {
			panic(err)
		}
		sign := "+"
		if n < 0 {
			sign, n = "-", -n
		}
		return mant + "e" + sign + strconv.Itoa(n)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// encodeArray writes a JSON array of vs, each written by elem.
func encodeArray[T any](b *strings.Builder, vs []T, elem func(T)) {
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		elem(v)
	}
	b.WriteByte(']')
}
