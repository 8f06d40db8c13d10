// Package auth authenticates API requests (MISP advanced auth keys) and
// hashes credentials. Keys are 40 random alphanumeric characters, as MISP's;
// only a SHA-256 digest and the first and last four characters are stored.
//
// Why SHA-256 and not bcrypt (which MISP uses): a key carries about 238 bits
// of entropy, so a fast hash loses nothing against offline guessing, while
// bcrypt would cost ~50 ms of CPU on every API request. Passwords, which are
// low-entropy, are hashed with bcrypt.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/razmena/razmena/internal/misp"
)

// KeyLength is the length of an API key.
const KeyLength = 40

const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// GenerateKey returns a new random API key.
func GenerateKey() string {
	return randomString(KeyLength)
}

// GeneratePassword returns a random password that satisfies MISP's default
// complexity rule (upper, lower, digit, 16+ characters).
func GeneratePassword() string {
	for {
		p := randomString(20)
		var up, low, dig bool
		for _, c := range p {
			switch {
			case 'A' <= c && c <= 'Z':
				up = true
			case 'a' <= c && c <= 'z':
				low = true
			case '0' <= c && c <= '9':
				dig = true
			}
		}
		if up && low && dig {
			return p
		}
	}
}

func randomString(n int) string {
	// Rejection sampling keeps the distribution uniform over the alphabet.
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			if int(b) < 256-256%len(keyAlphabet) {
				out = append(out, keyAlphabet[int(b)%len(keyAlphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// ValidKeyFormat reports whether s looks like an API key: exactly 40
// characters of [a-zA-Z0-9].
func ValidKeyFormat(s string) bool {
	if len(s) != KeyLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')) {
			return false
		}
	}
	return true
}

// HashKey returns the stored digest of an API key.
func HashKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// NewAuthKey fills the stored fields of k (hash, start, end) for the raw key.
func NewAuthKey(k *misp.AuthKey, raw string) error {
	if !ValidKeyFormat(raw) {
		return misp.Invalidf("authkey", "An auth key must be %d characters of a-z, A-Z and 0-9.", KeyLength)
	}
	k.Hash = HashKey(raw)
	k.AuthkeyStart = raw[:4]
	k.AuthkeyEnd = raw[len(raw)-4:]
	return nil
}

// HashPassword returns a bcrypt hash of a password.
func HashPassword(password string) (string, error) {
	if len(password) > 72 {
		return "", misp.Invalidf("password", "The password is too long (max 72 bytes).")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches a bcrypt hash.
func CheckPassword(hash, password string) bool {
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	return err == nil
}

// ValidatePassword applies MISP's default password policy: at least 12
// characters with an upper-case letter, a lower-case letter and a digit or
// special character.
func ValidatePassword(p string) error {
	if len(p) < 12 {
		return misp.Invalidf("password", "The password must be at least 12 characters long.")
	}
	var up, low, other bool
	for _, c := range p {
		switch {
		case 'A' <= c && c <= 'Z':
			up = true
		case 'a' <= c && c <= 'z':
			low = true
		default:
			other = true
		}
	}
	if !up || !low || !other {
		return misp.Invalidf("password", "The password must contain an upper-case letter, a lower-case letter and a digit or special character.")
	}
	return nil
}
