package freetext

import (
	"bytes"
	"crypto/sha256"
	"strings"
)

var btcTypes = []string{"btc"}

// isBTC reports whether s is a Bitcoin address: a legacy P2PKH or P2SH
// address ("1…", "3…") or a SegWit address ("bc1…", testnet "tb1…").
// MISP matches the shape only, with a regular expression whose two
// alternatives are each anchored at one end, so that any string starting
// with "1" and 25 alphanumerics counts. We check the checksums, which keeps
// random tokens (and MD5 digests starting with "1") from being proposed.
func isBTC(s string) bool {
	if len(s) >= 26 && len(s) <= 35 && (s[0] == '1' || s[0] == '3') {
		return isBase58Address(s)
	}
	return isSegwitAddress(s)
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// isBase58Address decodes s as Base58Check and checks that it is a
// version byte (0 for "1…", 5 for "3…"), a 20-byte hash and a valid
// checksum.
func isBase58Address(s string) bool {
	// 35 base58 digits fit in 26 bytes; decode big-endian.
	var buf [26]byte
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base58Alphabet, s[i])
		if d < 0 {
			return false
		}
		carry := d
		for j := len(buf) - 1; j >= 0; j-- {
			carry += 58 * int(buf[j])
			buf[j] = byte(carry)
			carry >>= 8
		}
		if carry != 0 {
			return false
		}
	}
	// A decoded address is 25 bytes, so buf[0] must be zero, and the
	// version byte buf[1] is zero exactly when the text starts with '1'.
	if buf[0] != 0 {
		return false
	}
	addr := buf[1:]
	switch {
	case s[0] == '1' && addr[0] != 0, s[0] == '3' && addr[0] != 5:
		return false
	}
	first := sha256.Sum256(addr[:21])
	second := sha256.Sum256(first[:])
	return bytes.Equal(second[:4], addr[21:])
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// isSegwitAddress checks a bech32 (BIP 173) or bech32m (BIP 350) address
// with the human-readable part "bc" or "tb". The checksum constant is not
// tied to the witness version, so BIP 173's test vectors for versions 1–16,
// which MISP's tests use, still pass.
func isSegwitAddress(s string) bool {
	// MISP's pattern: "bc1" or "tb1" and 11–71 data characters.
	if len(s) < 14 || len(s) > 74 {
		return false
	}
	lower := strings.ToLower(s)
	if lower != s && strings.ToUpper(s) != s {
		return false // mixed case is invalid in bech32
	}
	hrp := lower[:2]
	if (hrp != "bc" && hrp != "tb") || lower[2] != '1' {
		return false
	}
	// Polymod over the expanded human-readable part and the data.
	chk := uint32(1)
	for i := 0; i < len(hrp); i++ {
		chk = bech32Polymod(chk, uint32(hrp[i]>>5))
	}
	chk = bech32Polymod(chk, 0)
	for i := 0; i < len(hrp); i++ {
		chk = bech32Polymod(chk, uint32(hrp[i]&31))
	}
	for i := 3; i < len(lower); i++ {
		d := strings.IndexByte(bech32Charset, lower[i])
		if d < 0 {
			return false
		}
		chk = bech32Polymod(chk, uint32(d))
	}
	return chk == 1 || chk == 0x2bc830a3
}

// bech32Polymod feeds the 5-bit value v into the BCH checksum chk.
func bech32Polymod(chk, v uint32) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	top := chk >> 25
	chk = (chk&0x1ffffff)<<5 ^ v
	for i := range gen {
		if (top>>i)&1 == 1 {
			chk ^= gen[i]
		}
	}
	return chk
}
