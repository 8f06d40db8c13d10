package restapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// authKeyInput holds the client-settable fields of an auth key; nil (or
// an empty RawMessage) means absent. allowed_ips and expiration come in
// several spellings, so they are parsed by apply.
type authKeyInput struct {
	Comment    *string         `json:"comment"`
	ReadOnly   *misp.Bool      `json:"read_only"`
	AllowedIPs json.RawMessage `json:"allowed_ips"`
	Expiration json.RawMessage `json:"expiration"`
}

// msgBadExpiration is AuthKey::beforeValidate's message for an expiration
// it cannot read.
const msgBadExpiration = "Expiration must be in YYYY-MM-DD format."

// apply validates the fields present in in and sets them on k. It
// changes nothing and returns a *misp.ValidationError when any is bad.
func (in *authKeyInput) apply(k *misp.AuthKey) error {
	ve := &misp.ValidationError{}
	next := *k
	if in.Comment != nil {
		next.Comment = *in.Comment
	}
	if in.ReadOnly != nil {
		next.ReadOnly = *in.ReadOnly
	}
	if len(in.AllowedIPs) > 0 {
		ips, bad := parseAllowedIPs(in.AllowedIPs)
		for _, msg := range bad {
			ve.Add("allowed_ips", msg)
		}
		next.AllowedIPs = ips
	}
	if len(in.Expiration) > 0 {
		exp, ok := parseExpiration(in.Expiration)
		if !ok {
			ve.Add("expiration", msgBadExpiration)
		}
		next.Expiration = misp.Int(exp)
	}
	if !ve.Empty() {
		return ve
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*k = next
	return nil
}

// parseAllowedIPs reads allowed_ips as AuthKey::beforeValidate does: a
// list of addresses or CIDR ranges, or one string of them separated by
// newlines or commas; null or a blank string allow every address. It
// returns the trimmed entries and a message per invalid one.
func parseAllowedIPs(raw json.RawMessage) ([]string, []string) {
	var items []string
	var s string
	switch {
	case bytes.Equal(bytes.TrimSpace(raw), []byte("null")):
		return []string{}, nil
	case json.Unmarshal(raw, &s) == nil:
		if s = strings.TrimSpace(s); s == "" {
			return []string{}, nil
		}
		items = strings.FieldsFunc(s, func(c rune) bool { return c == '\n' || c == ',' })
	default:
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return nil, []string{"Allowed IPs must be array"}
		}
		for _, it := range list {
			var v string
			if json.Unmarshal(it, &v) != nil {
				return nil, []string{"Allowed IPs must be array"}
			}
			items = append(items, v)
		}
	}
	ips := make([]string, 0, len(items))
	var bad []string
	for _, it := range items {
		it = strings.TrimSpace(it)
		if _, err := misp.ParsePrefixOrAddr(it); err != nil {
			bad = append(bad, truncateText(it, 60)+" is not valid IP range")
			continue
		}
		ips = append(ips, it)
	}
	return ips, bad
}

// parseExpiration reads an expiration as AuthKey::beforeValidate does:
// empty, null or 0 for a key that never expires, Unix seconds (a number or
// a numeric string), or a date "YYYY-MM-DD" (midnight UTC; MISP uses
// strtotime in the server's time zone) or date and time.
func parseExpiration(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	var s string
	switch {
	case bytes.Equal(raw, []byte("null")), bytes.Equal(raw, []byte("false")):
		return 0, true
	case json.Unmarshal(raw, &s) == nil:
	default:
		s = string(raw) // a JSON number
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, n >= 0
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return int64(f), f >= 0
	}
	for _, layout := range []string{time.DateOnly, time.DateTime, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

// truncateText shortens s to at most n bytes for an error message.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
