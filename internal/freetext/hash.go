package freetext

import (
	"strconv"
	"strings"
)

// hashKinds are the types MISP offers for a hex digest of one length: alone
// and after "filename|". The first is the default.
type hashKinds struct {
	single, composite []string
}

// hexHashTypes is MISP's table (ComplexTypeTool::HEX_HASH_TYPES).
var hexHashTypes = map[int]hashKinds{
	32:  {[]string{"md5", "imphash", "x509-fingerprint-md5", "ja3-fingerprint-md5"}, []string{"filename|md5", "filename|imphash"}},
	40:  {[]string{"sha1", "pehash", "x509-fingerprint-sha1", "cdhash"}, []string{"filename|sha1", "filename|pehash"}},
	56:  {[]string{"sha224", "sha512/224"}, []string{"filename|sha224", "filename|sha512/224"}},
	64:  {[]string{"sha256", "authentihash", "sha512/256", "x509-fingerprint-sha256"}, []string{"filename|sha256", "filename|authentihash", "filename|sha512/256"}},
	96:  {[]string{"sha384"}, []string{"filename|sha384"}},
	128: {[]string{"sha512"}, []string{"filename|sha512"}},
}

// hashLabels are the algorithm names that may label a digest, as in
// "SHA256:<hex>", with the length they imply. ("md5=<hex>" is split at
// its '=' before it gets here.)
var hashLabels = []struct {
	name string
	size int
}{
	{"md5", 32}, {"sha1", 40}, {"sha224", 56}, {"sha256", 64}, {"sha384", 96}, {"sha512", 128},
	{"sha-1", 40}, {"sha-224", 56}, {"sha-256", 64}, {"sha-384", 96}, {"sha-512", 128},
}

// resolveHash recognises "filename|<hex digest>", "filename|<ssdeep>", a
// hex digest, an ssdeep hash and, unlike MISP, a labelled digest. Values
// keep their case, as in MISP; normalisation lower-cases them when they
// are saved.
func resolveHash(raw string) (hit, bool) {
	if name, hash, ok := strings.Cut(raw, "|"); ok && !strings.Contains(hash, "|") && isFilename(name) {
		if kinds, ok := hexHashTypes[len(hash)]; ok && isHexString(hash) {
			return hit{types: kinds.composite, value: raw}, true
		}
		if isSSDeep(hash) {
			return hit{types: []string{"filename|ssdeep"}, value: raw}, true
		}
	}
	if kinds, ok := hexHashTypes[len(raw)]; ok && isHexString(raw) {
		types := kinds.single
		if isBTC(raw) {
			types = append(append([]string(nil), types...), "btc")
		}
		return hit{types: types, value: raw}, true
	}
	if isSSDeep(raw) {
		return hit{types: []string{"ssdeep"}, value: raw}, true
	}
	return labelledHash(raw)
}

// labelledHash recognises "<algorithm>:<hex>", proposing the named
// algorithm first. MISP finds nothing in these.
func labelledHash(raw string) (hit, bool) {
	for _, l := range hashLabels {
		if len(raw) != len(l.name)+1+l.size || !hasPrefixFold(raw, l.name) {
			continue
		}
		if raw[len(l.name)] != ':' {
			continue
		}
		digest := raw[len(l.name)+1:]
		if !isHexString(digest) {
			continue
		}
		name := strings.ReplaceAll(strings.ToLower(l.name), "-", "")
		types := []string{name}
		for _, t := range hexHashTypes[l.size].single {
			if t != name {
				types = append(types, t)
			}
		}
		return hit{types: types, value: digest}, true
	}
	return hit{}, false
}

// isSSDeep reports whether s is blocksize:hash:hash with base64 hashes.
// MISP excludes "hh:mm:ss" times; we also require the block size to be
// 3·2ⁿ, as every ssdeep block size is, and exclude all-digit hashes, so
// that "2024:10:21" and "192:168:1" are not ssdeep hashes.
func isSSDeep(s string) bool {
	size, rest, ok := strings.Cut(s, ":")
	if !ok {
		return false
	}
	h1, h2, ok := strings.Cut(rest, ":")
	if !ok || !isDigits(size) || !isBase64Run(h1) || !isBase64Run(h2) {
		return false
	}
	if isDigits(h1) && isDigits(h2) {
		return false
	}
	n, err := strconv.ParseUint(size, 10, 64)
	if err != nil || n < 3 || n%3 != 0 {
		return false
	}
	n /= 3
	return n&(n-1) == 0
}

// isBase64Run reports whether s is a non-empty run of [0-9A-Za-z/+].
func isBase64Run(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '/' && c != '+' {
			return false
		}
	}
	return true
}

// isHexString reports whether s is a non-empty run of hex digits.
func isHexString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
