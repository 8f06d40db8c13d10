package auth

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestGenerateKey(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		k := GenerateKey()
		if !ValidKeyFormat(k) {
			t.Fatalf("GenerateKey() = %q, not a valid key", k)
		}
		if seen[k] {
			t.Fatalf("GenerateKey() repeated %q", k)
		}
		seen[k] = true
	}
}

func TestCandidates(t *testing.T) {
	a := strings.Repeat("a", 40)
	b := strings.Repeat("B", 40)
	tests := []struct {
		name string
		h    map[string]string
		want []string
	}{
		{"authorization", map[string]string{"Authorization": a}, []string{a}},
		{"x-misp-auth overrides", map[string]string{"Authorization": a, "X-MISP-AUTH": b}, []string{b}},
		{"several keys", map[string]string{"Authorization": a + ", " + b}, []string{a, b}},
		{"basic ignored", map[string]string{"Authorization": "Basic " + a}, nil},
		{"malformed dropped", map[string]string{"Authorization": "short," + a + "!," + b}, []string{b}},
		{"none", map[string]string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.h {
				h.Set(k, v)
			}
			if diff := cmp.Diff(tt.want, Candidates(h)); diff != "" {
				t.Errorf("Candidates(%v) (-want +got):\n%s", tt.h, diff)
			}
		})
	}
}

func TestPasswords(t *testing.T) {
	h, err := HashPassword("Correct horse 1")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "Correct horse 1") || CheckPassword(h, "correct horse 1") {
		t.Error("CheckPassword does not distinguish the password")
	}
	if strings.Contains(h, "Correct") {
		t.Error("hash contains the password")
	}
	for _, bad := range []string{"short1A", "alllowercase123", "ALLUPPERCASE123", "NoDigitsOrSymbols"} {
		if err := ValidatePassword(bad); !errors.Is(err, misp.ErrInvalid) {
			t.Errorf("ValidatePassword(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := ValidatePassword(GeneratePassword()); err != nil {
		t.Errorf("generated password rejected: %v", err)
	}
}

// fakeStore is an in-memory keyStore for exercising the decision logic;
// the real store is covered end to end in restapi and cmd/razmena.
type fakeStore struct {
	keys    map[string]*misp.AuthKey // by hex of hash
	users   map[int64]*misp.User
	roles   map[int64]*misp.Role
	touched int
	// lenient returns its one key for any digest, as a store with a
	// prefix-matching or collation bug might.
	lenient bool
}

func (f *fakeStore) FindKeyHolder(_ context.Context, h []byte) (*misp.KeyHolder, error) {
	k, ok := f.keys[string(h)]
	if f.lenient {
		for _, k = range f.keys {
			ok = true
		}
	}
	if !ok {
		return nil, misp.ErrNotFound
	}
	holder := &misp.KeyHolder{Key: k, User: f.users[int64(k.UserID)]}
	if holder.User != nil {
		holder.Role = f.roles[int64(holder.User.RoleID)]
		holder.Org = &misp.Organisation{ID: holder.User.OrgID, Name: "org"}
	}
	return holder, nil
}
func (f *fakeStore) TouchAuthKey(_ context.Context, id int64, ip string, now int64) error {
	f.touched++
	for _, k := range f.keys {
		if int64(k.ID) == id {
			k.LastUsed = misp.Int(now)
			k.UniqueIPs = append(k.UniqueIPs, ip)
		}
	}
	return nil
}
func TestAuthenticate(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	raw := map[string]string{}
	st := &fakeStore{keys: map[string]*misp.AuthKey{}, users: map[int64]*misp.User{
		1: {ID: 1, OrgID: 1, RoleID: 3},
		2: {ID: 2, OrgID: 1, RoleID: 3, Disabled: true},
		3: {ID: 3, OrgID: 1, RoleID: 99},
	}, roles: map[int64]*misp.Role{
		3:  {ID: 3, Perms: misp.Perms{Auth: true, Add: true, Audit: true}},
		99: {ID: 99, Perms: misp.Perms{Add: true}}, // no perm_auth
	}}
	add := func(name string, k misp.AuthKey) {
		key := GenerateKey()
		raw[name] = key
		k.ID = misp.Int(len(st.keys) + 1)
		if err := NewAuthKey(&k, key); err != nil {
			t.Fatal(err)
		}
		st.keys[string(k.Hash)] = &k
	}
	add("good", misp.AuthKey{UserID: 1})
	add("readonly", misp.AuthKey{UserID: 1, ReadOnly: true})
	add("expired", misp.AuthKey{UserID: 1, Expiration: misp.Int(now.Unix() - 1)})
	add("future", misp.AuthKey{UserID: 1, Expiration: misp.Int(now.Unix() + 3600)})
	add("ip", misp.AuthKey{UserID: 1, AllowedIPs: []string{"10.0.0.0/8"}})
	add("disabled", misp.AuthKey{UserID: 2})
	add("noauth", misp.AuthKey{UserID: 3})
	a := NewAuthenticator(st, func() time.Time { return now })
	loopback := netip.MustParseAddr("127.0.0.1")

	tests := []struct {
		name    string
		keys    []string
		ip      netip.Addr
		wantMsg string // "" = success
	}{
		{"good", []string{raw["good"]}, loopback, ""},
		{"future expiry", []string{raw["future"]}, loopback, ""},
		{"allowed ip", []string{raw["ip"]}, netip.MustParseAddr("10.1.2.3"), ""},
		{"first bad second good", []string{GenerateKey(), raw["good"]}, loopback, ""},
		{"unknown", []string{GenerateKey()}, loopback, MsgAuthFailed},
		{"no key", nil, loopback, MsgAuthFailed},
		{"expired", []string{raw["expired"]}, loopback, MsgAuthFailed},
		{"ip not allowed", []string{raw["ip"]}, loopback, MsgIPNotAllowed},
		{"disabled user", []string{raw["disabled"]}, loopback, MsgDisabledUser},
		{"role without perm_auth", []string{raw["noauth"]}, loopback, MsgAuthFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			actor, _, err := a.Authenticate(context.Background(), tt.keys, tt.ip)
			if tt.wantMsg == "" {
				if err != nil || actor == nil {
					t.Fatalf("Authenticate = %v, %v; want an actor", actor, err)
				}
				return
			}
			var ae *Error
			if !errors.As(err, &ae) || ae.Message != tt.wantMsg || !errors.Is(err, misp.ErrUnauthenticated) {
				t.Fatalf("Authenticate error = %v, want %q", err, tt.wantMsg)
			}
		})
	}

	actor, _, err := a.Authenticate(context.Background(), []string{raw["readonly"]}, loopback)
	if err != nil {
		t.Fatal(err)
	}
	if actor.Perms.Add || !actor.Perms.Auth || !actor.Perms.Audit || !actor.Role.Add {
		t.Errorf("read-only key perms = %+v (role %+v): want only auth and audit, role unreduced", actor.Perms, actor.Role.Perms)
	}
	before := st.touched
	for i := 0; i < 5; i++ {
		if _, _, err := a.Authenticate(context.Background(), []string{raw["good"]}, loopback); err != nil {
			t.Fatal(err)
		}
	}
	if st.touched-before > 1 {
		t.Errorf("5 requests within a minute touched the key %d times, want at most 1", st.touched-before)
	}
}

func TestAuthenticateComparesDigest(t *testing.T) {
	st := &fakeStore{lenient: true, keys: map[string]*misp.AuthKey{}, users: map[int64]*misp.User{
		1: {ID: 1, OrgID: 1, RoleID: 3},
	}, roles: map[int64]*misp.Role{3: {ID: 3, Perms: misp.Perms{Auth: true}}}}
	k := misp.AuthKey{ID: 1, UserID: 1}
	good := GenerateKey()
	if err := NewAuthKey(&k, good); err != nil {
		t.Fatal(err)
	}
	st.keys[string(k.Hash)] = &k
	a := NewAuthenticator(st, nil)
	ip := netip.MustParseAddr("127.0.0.1")
	if _, _, err := a.Authenticate(context.Background(), []string{good}, ip); err != nil {
		t.Fatalf("Authenticate(right key) = %v", err)
	}
	if _, _, err := a.Authenticate(context.Background(), []string{GenerateKey()}, ip); !errors.Is(err, misp.ErrUnauthenticated) {
		t.Errorf("Authenticate(wrong key, store returns a row) = %v, want ErrUnauthenticated", err)
	}
}
