package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// MISP's authentication failure messages (misp-rest-api §1.1). Clients and
// MISP peers show them to people, so keep the wording.
const (
	MsgAuthFailed   = "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header."
	MsgDisabledUser = "Authentication failed. Your user account has been disabled."
	MsgIPNotAllowed = "It is not possible to use this Auth key from your IP address"
)

// Error is an authentication failure with the message MISP gives for it.
// It matches misp.ErrUnauthenticated.
type Error struct {
	Message string
	// KeyID is the key that was found but refused (0 when none matched).
	KeyID int64
}

func (e *Error) Error() string { return "authentication failed: " + e.Message }

// Is makes an Error match misp.ErrUnauthenticated.
func (e *Error) Is(target error) bool { return target == misp.ErrUnauthenticated }

// keyStore is what authentication needs from the store.
type keyStore interface {
	FindKeyHolder(ctx context.Context, hash []byte) (*misp.KeyHolder, error)
	TouchAuthKey(ctx context.Context, id int64, ip string, now int64) error
}

// Authenticator turns a request's API key into an Actor.
type Authenticator struct {
	store keyStore
	now   func() time.Time
}

// NewAuthenticator returns an Authenticator over store. now may be nil (time.Now).
func NewAuthenticator(store keyStore, now func() time.Time) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{store: store, now: now}
}

// Candidates extracts the API keys a request carries: X-MISP-AUTH, when
// present, overrides Authorization; either may hold several keys separated
// by commas; a "Basic …" value is left to HTTP basic auth and ignored.
func Candidates(h http.Header) []string {
	v := h.Get("X-MISP-AUTH")
	if v == "" {
		v = h.Get("Authorization")
	}
	v = strings.TrimSpace(v)
	if v == "" || strings.HasPrefix(v, "Basic") {
		return nil
	}
	var keys []string
	for _, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if ValidKeyFormat(k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// Authenticate checks each candidate key in turn and returns the actor for
// the first usable one, with the key that authenticated it. A key works
// only if it exists, has not expired, allows the client IP, and belongs to
// an enabled user whose role has perm_auth.
func (a *Authenticator) Authenticate(ctx context.Context, keys []string, ip netip.Addr) (*misp.Actor, *misp.AuthKey, error) {
	if len(keys) == 0 {
		return nil, nil, &Error{Message: MsgAuthFailed}
	}
	var last error = &Error{Message: MsgAuthFailed}
	for _, raw := range keys {
		actor, key, err := a.authenticateOne(ctx, raw, ip)
		if err == nil {
			return actor, key, nil
		}
		var ae *Error
		if !errors.As(err, &ae) {
			return nil, nil, err // store failure: not an authentication answer
		}
		last = err
	}
	return nil, nil, last
}

// authenticateOne checks one key.
//
// The key is looked up by its SHA-256 digest, through an index whose
// comparisons take time that depends on the data. That leaks nothing about
// stored keys: the timing can tell at most how many leading bytes of the
// presented key's digest equal a stored digest's, and since a digest
// reveals nothing about its key nor lets anyone steer a guess's digest
// toward a target (preimage resistance), that knowledge brings no guess
// closer to a key. The constant-time comparison after the lookup is
// defence in depth: a store that returned a row for a digest it should
// not (a collation or prefix-match bug) still cannot authenticate it.
func (a *Authenticator) authenticateOne(ctx context.Context, raw string, ip netip.Addr) (*misp.Actor, *misp.AuthKey, error) {
	digest := HashKey(raw)
	h, err := a.store.FindKeyHolder(ctx, digest)
	if errors.Is(err, misp.ErrNotFound) {
		return nil, nil, &Error{Message: MsgAuthFailed}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find auth key: %w", err)
	}
	key := h.Key
	if subtle.ConstantTimeCompare(key.Hash, digest) != 1 {
		return nil, nil, &Error{Message: MsgAuthFailed}
	}
	now := a.now().Unix()
	if key.Expired(now) {
		// MISP does not find expired advanced keys at all.
		return nil, nil, &Error{Message: MsgAuthFailed, KeyID: int64(key.ID)}
	}
	if !key.AllowsIP(ip) {
		return nil, nil, &Error{Message: MsgIPNotAllowed, KeyID: int64(key.ID)}
	}
	user := h.User
	if user == nil {
		return nil, nil, &Error{Message: MsgAuthFailed, KeyID: int64(key.ID)}
	}
	if user.Disabled {
		return nil, nil, &Error{Message: MsgDisabledUser, KeyID: int64(key.ID)}
	}
	role, org := h.Role, h.Org
	if role == nil {
		return nil, nil, fmt.Errorf("user %d: role %d does not exist", user.ID, user.RoleID)
	}
	if !role.Auth {
		return nil, nil, &Error{Message: MsgAuthFailed, KeyID: int64(key.ID)}
	}
	if org == nil {
		return nil, nil, fmt.Errorf("user %d: organisation %d does not exist", user.ID, user.OrgID)
	}
	ipText := ip.Unmap().String()
	// Record use at most once a minute per key, or at once from a new
	// address, so that reads do not each cost a write.
	if now-int64(key.LastUsed) >= 60 || !slices.Contains(key.UniqueIPs, ipText) {
		if err := a.store.TouchAuthKey(ctx, int64(key.ID), ipText, now); err != nil {
			return nil, nil, fmt.Errorf("record auth key use: %w", err)
		}
	}
	return misp.NewActor(user, role, org, int64(key.ID), bool(key.ReadOnly)), key, nil
}

// PublicMessage is the text sent to the client.
func (e *Error) PublicMessage() string { return e.Message }
