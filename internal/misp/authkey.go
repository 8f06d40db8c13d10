package misp

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
)

// AuthKey is a MISP "advanced authkey": only the first and last four
// characters and a hash of the key are stored; the key itself is shown once.
type AuthKey struct {
	ID           Int      `json:"id"`
	UUID         string   `json:"uuid"`
	AuthkeyStart string   `json:"authkey_start"`
	AuthkeyEnd   string   `json:"authkey_end"`
	Created      Int      `json:"created"`
	Expiration   Int      `json:"expiration"` // Unix seconds; 0 = never
	ReadOnly     Bool     `json:"read_only"`
	UserID       Int      `json:"user_id"`
	Comment      string   `json:"comment"`
	AllowedIPs   []string `json:"allowed_ips"`
	UniqueIPs    []string `json:"unique_ips"`
	LastUsed     Int      `json:"last_used"`

	Hash []byte `json:"-"`
}

// Expired reports whether the key has expired at Unix time now.
func (k *AuthKey) Expired(now int64) bool {
	return k.Expiration != 0 && int64(k.Expiration) <= now
}

// AllowsIP reports whether the key may be used from ip. An empty list allows
// every address.
func (k *AuthKey) AllowsIP(ip netip.Addr) bool {
	if len(k.AllowedIPs) == 0 {
		return true
	}
	ip = ip.Unmap()
	for _, s := range k.AllowedIPs {
		if p, err := ParsePrefixOrAddr(s); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

// ParsePrefixOrAddr parses "10.0.0.0/8" or a bare address (as a host prefix).
func ParsePrefixOrAddr(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Validate checks the client-settable fields.
func (k *AuthKey) Validate() error {
	v := &ValidationError{}
	for _, s := range k.AllowedIPs {
		if _, err := ParsePrefixOrAddr(s); err != nil {
			v.Add("allowed_ips", "Invalid IP address or CIDR: "+truncate(s, 60))
		}
	}
	if k.Expiration < 0 {
		v.Add("expiration", "Expiration must be in the future.")
	}
	if k.AllowedIPs == nil {
		k.AllowedIPs = []string{}
	}
	if k.UniqueIPs == nil {
		k.UniqueIPs = []string{}
	}
	return v.Err()
}

// Secret is a credential (API key, password) whose log form is redacted.
type Secret string

// LogValue redacts the secret in structured logs.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// String redacts the secret when formatted.
func (Secret) String() string { return "[redacted]" }

// AuthKeyFilter selects auth keys.
type AuthKeyFilter struct {
	UserID int64 // 0 = all users
	OrgID  int64 // 0 = all organisations
}

// AuthKeyStore persists auth keys.
// KeyHolder is an API key and whom it authenticates.
type KeyHolder struct {
	Key  *AuthKey
	User *User
	Role *Role
	Org  *Organisation
}

type AuthKeyStore interface {
	// CreateAuthKey stores k (Hash, AuthkeyStart and AuthkeyEnd set by the
	// caller), setting ID, UUID and Created. ErrInvalid if the user does not exist.
	CreateAuthKey(ctx context.Context, k *AuthKey) error
	// FindAuthKeyByID returns a key. ErrNotFound.
	FindAuthKeyByID(ctx context.Context, id int64) (*AuthKey, error)
	// FindAuthKeyByHash returns the key with that hash. ErrNotFound.
	FindAuthKeyByHash(ctx context.Context, hash []byte) (*AuthKey, error)
	// FindKeyHolder returns the key with that hash together with its user,
	// the user's role and organisation, read in one transaction (one
	// round trip per request instead of four). ErrNotFound if no key has
	// the hash; User, Role or Org is nil when that row does not exist.
	FindKeyHolder(ctx context.Context, hash []byte) (*KeyHolder, error)
	// FindAuthKeys lists keys ordered by id.
	FindAuthKeys(ctx context.Context, f AuthKeyFilter) ([]*AuthKey, error)
	// UpdateAuthKey saves the client-editable fields of k: comment,
	// read_only, allowed_ips and expiration. The hash, user and usage data
	// never change. ErrNotFound.
	UpdateAuthKey(ctx context.Context, k *AuthKey) error
	// TouchAuthKey records a use of the key at Unix time now from ip
	// (last_used, unique_ips). ErrNotFound.
	TouchAuthKey(ctx context.Context, id int64, ip string, now int64) error
	// DeleteAuthKey removes (revokes) a key. ErrNotFound.
	DeleteAuthKey(ctx context.Context, id int64) error
}
