package misp

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// NewUUID returns a random (version 4) UUID in lower case.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return formatUUID(b, 4)
}

// UUIDv5 returns the RFC 4122 version 5 (SHA-1, name-based) UUID of name
// in namespace, in lower case: STIX SCO identifiers, and the identifiers
// misp-stix derives.
func UUIDv5(namespace [16]byte, name string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	return formatUUID(b, 5)
}

// formatUUID sets the version and the RFC 4122 variant of b and writes it
// in the 8-4-4-4-12 form.
func formatUUID(b [16]byte, version byte) string {
	b[6] = (b[6] & 0x0f) | version<<4
	b[8] = (b[8] & 0x3f) | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// IsUUID reports whether s has the 8-4-4-4-12 hex form of a UUID (any case).
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

// NormalizeUUID lower-cases and trims a UUID (MISP lower-cases incoming
// UUIDs; we do it for every entity, see misp-core-format §0.3).
func NormalizeUUID(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
