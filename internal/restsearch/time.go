package restsearch

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// isNumeric is PHP 8's is_numeric() on a string: optional surrounding
// whitespace, a sign, decimal digits with an optional fraction and
// exponent. No hex, no "inf", no "nan".
func isNumeric(s string) bool {
	s = strings.Trim(s, " \t\n\r\v\f")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// numericInt is PHP's (int) of a numeric string, truncating toward zero
// and saturating at the int64 bounds; 0 for anything else.
func numericInt(s string) int64 {
	s = strings.Trim(s, " \t\n\r\v\f")
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil {
		return n
	}
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		if strings.HasPrefix(s, "-") {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	if !isNumeric(s) {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && f == 0 {
		return 0
	}
	return clampInt(f)
}

// clampInt truncates f toward zero, saturating at the int64 bounds.
func clampInt(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// deltaUnits are the suffixes AppModel::resolveTimeDelta knows. There is
// no "w": "1w" is not a delta in MISP.
var deltaUnits = map[byte]float64{'d': 86400, 'h': 3600, 'm': 60, 's': 1}

// resolveTimeDelta is AppModel::resolveTimeDelta: a number is Unix
// seconds; "<n>d|h|m|s" is now minus that much; another string is read as
// a date or date-time (UTC when it has no zone; a subset of PHP's
// strtotime); what is none of these is now+1, which as a lower bound
// matches nothing, as in MISP.
func resolveTimeDelta(s string, now int64) int64 {
	if isNumeric(s) {
		return numericInt(s)
	}
	invalid := now + 1
	if s == "" {
		return invalid
	}
	if mult, ok := deltaUnits[lower(s[len(s)-1])]; ok {
		n := s[:len(s)-1]
		if !isNumeric(n) {
			return invalid
		}
		f, err := strconv.ParseFloat(strings.Trim(n, " \t\n\r\v\f"), 64)
		if err != nil {
			return invalid
		}
		return clampInt(float64(now) - f*mult)
	}
	if t, ok := parseTime(s, now); ok {
		return t
	}
	return invalid
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// timeLayouts are the absolute forms parseTime reads.
var timeLayouts = []string{
	time.DateOnly,
	time.DateTime,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

// parseTime reads the strtotime forms clients send: ISO dates and
// date-times, "now", "today", "yesterday" and "tomorrow".
func parseTime(s string, now int64) (int64, bool) {
	s = strings.TrimSpace(s)
	day := time.Unix(now, 0).UTC().Truncate(24 * time.Hour).Unix()
	switch strings.ToLower(s) {
	case "now":
		return now, true
	case "today", "midnight":
		return day, true
	case "yesterday":
		return day - 86400, true
	case "tomorrow":
		return day + 86400, true
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

// timeBounds reads a time filter: one value, or a list of two (a range,
// swapped if reversed). A one-element list reads as its value. It returns
// n=0 when the value is absent (false or an empty list).
func timeBounds(name string, v any, now int64, lenient bool) (a, b int64, n int, err error) {
	if l, ok := v.([]any); ok {
		switch {
		case len(l) == 0:
			return 0, 0, 0, nil
		case len(l) == 1:
			v = l[0]
		case len(l) == 2 || lenient && len(l) > 2:
			// MispAttribute::setTimestampSeenConditions reads the first
			// two values of any list.
			a, err = timeValue(name, l[0], now)
			if err == nil {
				b, err = timeValue(name, l[1], now)
			}
			if a > b {
				a, b = b, a
			}
			return a, b, 2, err
		default:
			return 0, 0, 0, dateSpecError(name)
		}
	}
	if x, ok := v.(bool); ok && !x {
		// The restSearch filter loops skip a false value.
		return 0, 0, 0, nil
	}
	a, err = timeValue(name, v, now)
	return a, 0, 1, err
}

// timeValue resolves one time value. null and true are invalid times
// (now+1): resolveTimeDelta cannot read them.
func timeValue(name string, v any, now int64) (int64, error) {
	switch x := v.(type) {
	case nil, bool:
		return now + 1, nil
	case []any, map[string]any:
		return 0, dateSpecError(name)
	default:
		s, _ := scalar(x)
		return resolveTimeDelta(s, now), nil
	}
}

// dateSpecError is MISP's complaint (setTimestampConditions), which it
// answers with a 500.
func dateSpecError(name string) error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("Invalid date specification for %s, must be string or array with two elements.", name)}
}

// timeRange reads a timestamp filter: one value is a lower bound, two a
// range. As in MispAttribute::setTimestampConditions, 0 leaves an end
// open.
func timeRange(name string, v any, now int64) (misp.Range, error) {
	a, b, n, err := timeBounds(name, v, now, false)
	switch {
	case err != nil || n == 0:
		return misp.Range{}, err
	case n == 1:
		return misp.Range{Min: a}, nil
	}
	return misp.Range{Min: a, Max: b}, nil
}

// seenRange reads first_seen or last_seen, in microseconds
// (MispAttribute::setTimestampSeenConditions): one value is a lower bound
// for first_seen and an upper bound for last_seen, two a range.
func seenRange(name string, v any, now int64, upper bool) (misp.Range, error) {
	a, b, n, err := timeBounds(name, v, now, true)
	switch {
	case err != nil || n == 0:
		return misp.Range{}, err
	case n == 1 && upper:
		return misp.Range{Max: micro(a)}, nil
	case n == 1:
		return misp.Range{Min: micro(a)}, nil
	}
	return misp.Range{Min: micro(a), Max: micro(b)}, nil
}

// micro converts seconds to microseconds, saturating.
func micro(s int64) int64 {
	const m = 1_000_000
	switch {
	case s > math.MaxInt64/m:
		return math.MaxInt64
	case s < math.MinInt64/m:
		return math.MinInt64
	}
	return s * m
}

// Dates are kept within the years 0001–9999, so that they format as
// YYYY-MM-DD.
const (
	minDate = -62135596800 // 0001-01-01T00:00:00Z
	maxDate = 253402300799 // 9999-12-31T23:59:59Z
)

// unixDate is PHP's date('Y-m-d', t) in UTC.
func unixDate(t int64) string {
	t = min(max(t, minDate), maxDate)
	return time.Unix(t, 0).UTC().Format(time.DateOnly)
}

// dateValue reads from or to (Event::set_filter_timestamp): a Unix time
// is converted to its date, a string starting with a YYYY-MM-DD date is
// that date; anything else is not a date.
func dateValue(v any) (string, bool) {
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	switch v.(type) {
	case string, json.Number:
	default:
		return "", false
	}
	s, _ := scalar(v)
	if isNumeric(s) {
		return unixDate(numericInt(s)), true
	}
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// dateRange reads the events-scope date (Event::set_filter_date): time
// values resolved to dates, one a lower bound, two a range.
func dateRange(v any, now int64) (from, to string, err error) {
	a, b, n, err := timeBounds("date", v, now, false)
	switch {
	case err != nil || n == 0:
		return "", "", err
	case n == 1:
		return unixDate(a), "", nil
	}
	return unixDate(a), unixDate(b), nil
}
