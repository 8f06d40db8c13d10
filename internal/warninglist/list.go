package warninglist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// List types, the values of a list.json "type" field.
const (
	TypeString    = "string"
	TypeSubstring = "substring"
	TypeHostname  = "hostname"
	TypeCIDR      = "cidr"
	TypeRegex     = "regex"
)

// List categories, as MISP stores them in the warninglists table.
const (
	CategoryFalsePositive = "false_positive"
	CategoryKnown         = "known"
)

// AllTypes is the matching-attributes entry that makes a list apply to
// every attribute type. MISP stores it for lists that name no type.
const AllTypes = "ALL"

// List is one warninglist: the content of a list.json plus the state MISP
// keeps beside it (ID, Enabled). Its JSON encoding is a list.json.
type List struct {
	ID                 int64    `json:"-"`
	Name               string   `json:"name"`
	Version            int      `json:"version"`
	Description        string   `json:"description"`
	Type               string   `json:"type"`
	Category           string   `json:"category,omitempty"`
	Entries            []string `json:"list"`
	MatchingAttributes []string `json:"matching_attributes"`
	Enabled            bool     `json:"-"`

	// Skipped holds the entries Parse left out of Entries because they
	// cannot be matched: a cidr entry that is not an IP address or prefix,
	// a regex entry that does not convert to a Go regexp.
	Skipped []SkippedEntry `json:"-"`
}

// SkippedEntry is a list entry that Parse could not use, and why.
type SkippedEntry struct {
	Value string
	Err   error
}

// rawList is list.json as MISP reads it: type may be missing or an array,
// version may be missing, list may be an array or a value→comment object.
type rawList struct {
	Name               string          `json:"name"`
	Version            *int            `json:"version"`
	Description        string          `json:"description"`
	Type               json.RawMessage `json:"type"`
	Category           string          `json:"category"`
	List               json.RawMessage `json:"list"`
	MatchingAttributes []string        `json:"matching_attributes"`
}

// Parse decodes and checks one list.json.
//
// It applies MISP's import defaults: a missing version is 1, a missing type
// is "string", an array type keeps its first element, no matching
// attributes means "ALL", no category means "false_positive". Entries are
// trimmed and empty ones dropped; a list whose "list" is an object (MISP's
// value→comment form) keeps the values, sorted, and drops the comments.
// Cidr entries are rewritten in canonical prefix form ("8.8.8.8" becomes
// "8.8.8.8/32", host bits are cleared). Cidr and regex entries that cannot
// be used are moved to Skipped rather than failing the list, as MISP keeps
// such a list and its bad entries never match.
//
// Errors other than read errors wrap misp.ErrInvalid.
func Parse(r io.Reader) (*List, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read warninglist: %w", err)
	}
	var raw rawList
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("decode warninglist: %v: %w", err, misp.ErrInvalid)
	}
	verr := &misp.ValidationError{}
	l := &List{
		Name:               raw.Name,
		Version:            1,
		Description:        raw.Description,
		MatchingAttributes: raw.MatchingAttributes,
	}
	if raw.Version != nil {
		l.Version = *raw.Version
	}
	if strings.TrimSpace(l.Name) == "" {
		verr.Add("name", "must not be empty")
	}
	if strings.TrimSpace(l.Description) == "" {
		verr.Add("description", "must not be empty")
	}
	typ, err := decodeType(raw.Type)
	if err != nil {
		verr.Add("type", err.Error())
	}
	l.Type = typ
	switch raw.Category {
	case "", CategoryFalsePositive, "false-positive":
		l.Category = CategoryFalsePositive
	case CategoryKnown:
		l.Category = CategoryKnown
	default:
		verr.Add("category", fmt.Sprintf("unknown category %q", raw.Category))
	}
	entries, err := decodeEntries(raw.List)
	if err != nil {
		verr.Add("list", err.Error())
	}
	if err := verr.Err(); err != nil {
		return nil, fmt.Errorf("warninglist %q: %w", l.Name, err)
	}
	l.MatchingAttributes = slices.DeleteFunc(l.MatchingAttributes, func(s string) bool { return s == "" })
	if len(l.MatchingAttributes) == 0 {
		l.MatchingAttributes = []string{AllTypes}
	}
	l.Entries, l.Skipped = cleanEntries(l.Type, entries)
	return l, nil
}

// decodeType reads the "type" field, which MISP accepts missing (meaning
// "string") or as an array (meaning its first element).
func decodeType(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return TypeString, nil
	}
	var typ string
	if raw[0] == '[' {
		var types []string
		if err := json.Unmarshal(raw, &types); err != nil || len(types) == 0 {
			return "", fmt.Errorf("must be a string or a non-empty array of strings")
		}
		typ = types[0]
	} else if err := json.Unmarshal(raw, &typ); err != nil {
		return "", fmt.Errorf("must be a string or a non-empty array of strings")
	}
	if _, ok := kindOf(typ); !ok {
		return "", fmt.Errorf("unknown type %q", typ)
	}
	return typ, nil
}

// decodeEntries reads the "list" field: an array of strings or an object
// whose keys are the values (and whose values are comments, dropped).
func decodeEntries(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, fmt.Errorf("must be present")
	}
	if raw[0] == '{' {
		var commented map[string]string
		if err := json.Unmarshal(raw, &commented); err != nil {
			return nil, fmt.Errorf("must be an array of strings or an object of strings")
		}
		keys := make([]string, 0, len(commented))
		for k := range commented {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys, nil
	}
	var entries []string
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("must be an array of strings or an object of strings")
	}
	return entries, nil
}

// cleanEntries trims the entries, drops empty ones, canonicalises cidr
// entries and sets aside the cidr and regex entries that cannot match.
func cleanEntries(typ string, in []string) (entries []string, skipped []SkippedEntry) {
	entries = make([]string, 0, len(in))
	for _, e := range in {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		switch typ {
		case TypeCIDR:
			p, err := parseEntryPrefix(e)
			if err != nil {
				skipped = append(skipped, SkippedEntry{Value: e, Err: err})
				continue
			}
			e = p.String()
		case TypeRegex:
			if _, err := compilePHPRegex(e); err != nil {
				skipped = append(skipped, SkippedEntry{Value: e, Err: err})
				continue
			}
		}
		entries = append(entries, e)
	}
	return entries, skipped
}

// parseEntryPrefix reads a cidr list entry: an address (a /32 or /128) or
// a prefix, returned with its host bits cleared. MISP's CidrTool accepts
// the same forms; zones are refused as they are in PHP's inet_pton.
func parseEntryPrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("not an IP address or CIDR: %w", err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("not an IP address or CIDR: %w", err)
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("not an IP address or CIDR: zone %q not allowed", a.Zone())
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
