package restsearch

import (
	"encoding/json"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// scalar returns the PHP strval of a scalar: numbers as decimal strings,
// true as "1", false as "". Lists, objects and null are not scalars.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return numberString(x), true
	case bool:
		if x {
			return "1", true
		}
		return "", true
	}
	return "", false
}

// numberString is a JSON number as decimal text: integers without
// exponent or fraction ("1e3" and "1000.0" read as "1000"), other numbers
// as written.
func numberString(n json.Number) string {
	if i, err := n.Int64(); err == nil {
		return strconv.FormatInt(i, 10)
	}
	if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return n.String()
}

// parseTerms reads a filter value the way AppModel::convert_filters (and
// MispAttribute::dissectArgs for tags, which agrees) does:
//
//   - a string is split on "&&"; a "!" term is NOT, others OR ("&&" is a
//     separator only, not AND);
//   - a list (or an object without OR/AND/NOT keys: its values) gives one
//     term per element, "!" elements NOT, no "&&" splitting;
//   - an object with an "OR", "AND" or "NOT" key (exact case, non-null)
//     is taken as is: scalars or lists per operator, "!" kept literally,
//     other keys ignored.
//
// Every term is trimmed and empty ones dropped. A scalar PHP counts as
// empty ("0", 0, false) sets no filter, as the set_filter_* functions
// check empty() first.
func parseTerms(v any) Terms {
	var t Terms
	switch x := v.(type) {
	case map[string]any:
		if x["OR"] != nil || x["AND"] != nil || x["NOT"] != nil {
			t.OR = operand(x["OR"])
			t.AND = operand(x["AND"])
			t.NOT = operand(x["NOT"])
			return t
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.addElement(x[k])
		}
	case []any:
		for _, e := range x {
			t.addElement(e)
		}
	default:
		s, ok := scalar(x)
		if !ok || s == "0" {
			return t
		}
		for _, f := range strings.Split(s, "&&") {
			t.addElement(f)
		}
	}
	return t
}

// addElement adds one list element: "!x" to NOT, others to OR.
func (t *Terms) addElement(e any) {
	s, ok := scalar(e)
	if !ok {
		return
	}
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		if rest = strings.TrimSpace(rest); rest != "" {
			t.NOT = append(t.NOT, rest)
		}
	} else if s != "" {
		t.OR = append(t.OR, s)
	}
}

// operand reads the value of an OR/AND/NOT key: a scalar or a list of
// scalars, trimmed, empties dropped.
func operand(v any) []string {
	var l []any
	switch x := v.(type) {
	case []any:
		l = x
	default:
		l = []any{x}
	}
	var out []string
	for _, e := range l {
		if s, ok := scalar(e); ok {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// mapTerms applies f to every term.
func (t *Terms) mapTerms(f func(string) string) {
	for _, l := range [][]string{t.OR, t.AND, t.NOT} {
		for i, s := range l {
			l[i] = f(s)
		}
	}
}

// compressIPv6 writes a valid IPv6 address in its compressed form, as
// Event::set_filter_value does with inet_pton/inet_ntop, so that a value
// filter matches the form MISP stores. Like MISP it leaves alone a term
// whose first ":" is its first byte (PHP's strpos() is then 0, falsy), a
// zone, a CIDR block and anything with "%" wildcards.
func compressIPv6(s string) string {
	if strings.IndexByte(s, ':') <= 0 {
		return s
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return s
	}
	b := a.As16()
	// glibc's inet_ntop writes an IPv4-compatible address (::a.b.c.d,
	// not ::ffff:a.b.c.d, which netip already prints that way) with a
	// dotted quad; netip prints it as hex.
	if !a.Is4In6() && isZero(b[:12]) && (b[12] != 0 || b[13] != 0) {
		return "::" + netip.AddrFrom4([4]byte(b[12:])).String()
	}
	return a.String()
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// addEmail adds "email" beside "email-src" or "email-dst" in each of OR
// and NOT, as Event::set_filter_type does for the type filter.
func addEmail(t *Terms) {
	for _, l := range []*[]string{&t.OR, &t.NOT} {
		if (slices.Contains(*l, "email-src") || slices.Contains(*l, "email-dst")) && !slices.Contains(*l, "email") {
			*l = append(*l, "email")
		}
	}
}

// boolTerm reads one 0/1 filter value: true, 1, "1" and "true" are true;
// false, 0, "0" and "false" false; to_ids also reads "exclude" as false.
// Anything else is not a boolean.
func boolTerm(v any, exclude bool) (b, ok bool) {
	if x, isBool := v.(bool); isBool {
		return x, true
	}
	s, isScalar := scalar(v)
	if !isScalar {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true":
		return true, true
	case "0", "false":
		return false, true
	case "exclude":
		return false, exclude
	}
	return false, false
}

// boolFilter reads published or to_ids: a value, or a list whose values
// all agree; a list holding both true and false ([0,1], [true,false])
// filters nothing, as does a value that is not a boolean.
func boolFilter(v any, exclude bool) *bool {
	l, ok := v.([]any)
	if !ok {
		l = []any{v}
	}
	var seenTrue, seenFalse bool
	for _, e := range l {
		if b, ok := boolTerm(e, exclude); ok {
			seenTrue = seenTrue || b
			seenFalse = seenFalse || !b
		}
	}
	if seenTrue == seenFalse {
		return nil
	}
	return &seenTrue
}

// deletedFilter reads deleted as Event::fetchEvent does: every value is
// cast to an int ("only" as 1, "true" as 1 too); both 0 and 1 present
// mean both, 1 alone only deleted ones, anything else live ones only.
func deletedFilter(v any) misp.DeletedFilter {
	l, ok := v.([]any)
	if !ok {
		l = []any{v}
	}
	var zero, one bool
	for _, e := range l {
		s, ok := scalar(e)
		if !ok {
			continue
		}
		s = strings.ToLower(strings.TrimSpace(s))
		var n int64
		switch s {
		case "only", "true":
			n = 1
		default:
			n = phpInt(s)
		}
		zero = zero || n == 0
		one = one || n == 1
	}
	switch {
	case zero && one:
		return misp.DeletedInclude
	case one:
		return misp.DeletedOnly
	}
	return misp.DeletedExclude
}

// phpInt is PHP's (int) cast of a string: a numeric string's value
// (truncated), else its leading integer, 0 if none.
func phpInt(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	if isNumeric(s) {
		return numericInt(s)
	}
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	return numericInt(s[:end])
}

// flag reads a request option as PHP's !empty() does, except that the
// string "false" is false too: MISP reads it as true, surprising anyone
// who writes /includeContext:false.
func flag(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case string:
		return x != "" && x != "0" && !strings.EqualFold(x, "false")
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return false
}

// intValue reads a whole number from a scalar ("10", 10, 10.0).
func intValue(v any) (int64, bool) {
	s, ok := scalar(v)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if !isNumeric(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// positiveInt reads limit or page: a whole number > 0 that fits an int.
func positiveInt(v any) int {
	n, ok := intValue(v)
	if !ok || n <= 0 || n > math.MaxInt32 {
		return 0
	}
	return int(n)
}

// intList reads threat_level_id or distribution: a value or a list of
// whole numbers; other values are ignored.
func intList(v any) []int {
	l, ok := v.([]any)
	if !ok {
		l = []any{v}
	}
	var out []int
	for _, e := range l {
		if n, ok := intValue(e); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
			out = append(out, int(n))
		}
	}
	return out
}

// stringList reads requested_attributes: a list, or a comma-separated
// string (MISP needs a list; a string there fails).
func stringList(v any) []string {
	var l []any
	switch x := v.(type) {
	case []any:
		l = x
	default:
		s, ok := scalar(x)
		if !ok {
			return nil
		}
		for _, p := range strings.Split(s, ",") {
			l = append(l, p)
		}
	}
	var out []string
	for _, e := range l {
		if s, ok := scalar(e); ok {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// lastScalar reads a format parameter: a value, or the last of a list.
func lastScalar(v any) (string, bool) {
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return "", false
		}
		v = l[len(l)-1]
	}
	s, ok := scalar(v)
	s = strings.TrimSpace(s)
	return s, ok && s != ""
}
