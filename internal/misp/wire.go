package misp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Int is an integer column as MISP puts it on the wire: emitted as a JSON
// string of digits ("12"), accepted as a string or a number (MISP sets
// PDO::ATTR_STRINGIFY_FETCHES, and PyMISP sends either).
type Int int64

// MarshalJSON emits the integer as a JSON string.
func (i Int) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(i), 10) + `"`), nil
}

// UnmarshalJSON accepts 12, "12", "", null (zero) and true/false (1/0).
func (i *Int) UnmarshalJSON(b []byte) error {
	n, err := parseLenientInt(b)
	if err != nil {
		return err
	}
	*i = Int(n)
	return nil
}

func parseLenientInt(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "null", `""`, "false":
		return 0, nil
	case "true":
		return 1, nil
	}
	s := string(b)
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Accept JSON numbers written with a fraction or exponent when
		// they are whole (1e3, 5.0).
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, fmt.Errorf("not an integer: %s", truncate(s, 40))
		}
		n = int64(f)
	}
	return n, nil
}

// Bool is a tinyint(1) column: emitted as true/false, accepted as
// true/false, 1/0, "1"/"0", "true"/"false", "" and null (false).
type Bool bool

// MarshalJSON emits true or false.
func (b Bool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte("true"), nil
	}
	return []byte("false"), nil
}

// UnmarshalJSON accepts MISP's boolean spellings.
func (b *Bool) UnmarshalJSON(data []byte) error {
	v, err := parseLenientBool(data)
	if err != nil {
		return err
	}
	*b = Bool(v)
	return nil
}

func parseLenientBool(data []byte) (bool, error) {
	s := strings.TrimSpace(string(data))
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(data, &s); err != nil {
			return false, err
		}
	}
	return ParseBool(s)
}

// ParseBool parses MISP's boolean spellings in named parameters and bodies.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no", "", "null":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %s", truncate(s, 40))
}

// MicroTime is first_seen/last_seen: microseconds since the epoch, emitted
// as ISO 8601 with microseconds and offset ("2019-06-02T22:14:28.711954+00:00").
type MicroTime int64

// Time returns t as a time.Time in UTC.
func (t MicroTime) Time() time.Time { return time.UnixMicro(int64(t)).UTC() }

// MarshalJSON emits the ISO 8601 form MISP uses.
func (t MicroTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.Time().Format("2006-01-02T15:04:05.000000-07:00") + `"`), nil
}

// UnmarshalJSON accepts an ISO 8601 string or a number of seconds
// (or microseconds when larger than any plausible seconds value).
func (t *MicroTime) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" || s == `""` {
		*t = 0
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := ParseMicroTime(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseMicroTime parses a first_seen/last_seen value: an ISO 8601 date or
// date-time (UTC when no zone is given), or a Unix time in seconds,
// milliseconds or microseconds told apart by magnitude. Times outside the
// years 1–9999 are rejected, since they could not be written back out.
func ParseMicroTime(s string) (MicroTime, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		abs := n
		if abs < 0 {
			abs = -abs
		}
		var us int64
		switch {
		case abs < 1e11: // seconds (up to the year 5138)
			us = n * 1e6
		case abs < 1e14: // milliseconds, as JavaScript clients send
			us = n * 1e3
		default: // microseconds
			us = n
		}
		return checkMicroRange(MicroTime(us), s)
	}
	layouts := []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02",
	}
	for _, l := range layouts {
		if tm, err := time.Parse(l, s); err == nil {
			return checkMicroRange(MicroTime(tm.UnixMicro()), s)
		}
	}
	return 0, fmt.Errorf("not a date/time: %s", truncate(s, 40))
}

var (
	minMicro = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxMicro = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

func checkMicroRange(t MicroTime, s string) (MicroTime, error) {
	if int64(t) < minMicro || int64(t) > maxMicro {
		return 0, fmt.Errorf("date/time out of range: %s", truncate(s, 40))
	}
	return t, nil
}

// Distribution says who may see an element.
type Distribution int

// Distribution levels (misp-core-format §0.5).
const (
	DistributionOrgOnly     Distribution = 0
	DistributionCommunity   Distribution = 1
	DistributionConnected   Distribution = 2
	DistributionAll         Distribution = 3
	DistributionSharingGrp  Distribution = 4
	DistributionInheritEvnt Distribution = 5
)

func (d Distribution) String() string {
	switch d {
	case DistributionOrgOnly:
		return "Your organisation only"
	case DistributionCommunity:
		return "This community only"
	case DistributionConnected:
		return "Connected communities"
	case DistributionAll:
		return "All communities"
	case DistributionSharingGrp:
		return "Sharing group"
	case DistributionInheritEvnt:
		return "Inherit event"
	}
	return "Distribution(" + strconv.Itoa(int(d)) + ")"
}

// MarshalJSON emits the level as a string of digits.
func (d Distribution) MarshalJSON() ([]byte, error) { return Int(d).MarshalJSON() }

// UnmarshalJSON accepts a string or a number.
func (d *Distribution) UnmarshalJSON(b []byte) error {
	n, err := parseLenientInt(b)
	if err != nil {
		return err
	}
	*d = Distribution(n)
	return nil
}

// ThreatLevel is Event.threat_level_id: 1 high, 2 medium, 3 low, 4 undefined.
type ThreatLevel int

// Threat levels.
const (
	ThreatLevelHigh      ThreatLevel = 1
	ThreatLevelMedium    ThreatLevel = 2
	ThreatLevelLow       ThreatLevel = 3
	ThreatLevelUndefined ThreatLevel = 4
)

func (t ThreatLevel) String() string {
	switch t {
	case ThreatLevelHigh:
		return "High"
	case ThreatLevelMedium:
		return "Medium"
	case ThreatLevelLow:
		return "Low"
	case ThreatLevelUndefined:
		return "Undefined"
	}
	return "ThreatLevel(" + strconv.Itoa(int(t)) + ")"
}

// MarshalJSON emits the level as a string of digits.
func (t ThreatLevel) MarshalJSON() ([]byte, error) { return Int(t).MarshalJSON() }

// UnmarshalJSON accepts a string or a number, or the level's name.
func (t *ThreatLevel) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		for lvl := ThreatLevelHigh; lvl <= ThreatLevelUndefined; lvl++ {
			if strings.EqualFold(s, lvl.String()) {
				*t = lvl
				return nil
			}
		}
	}
	n, err := parseLenientInt(b)
	if err != nil {
		return err
	}
	*t = ThreatLevel(n)
	return nil
}

// Analysis is Event.analysis: 0 initial, 1 ongoing, 2 completed.
type Analysis int

// Analysis states.
const (
	AnalysisInitial   Analysis = 0
	AnalysisOngoing   Analysis = 1
	AnalysisCompleted Analysis = 2
)

func (a Analysis) String() string {
	switch a {
	case AnalysisInitial:
		return "Initial"
	case AnalysisOngoing:
		return "Ongoing"
	case AnalysisCompleted:
		return "Completed"
	}
	return "Analysis(" + strconv.Itoa(int(a)) + ")"
}

// MarshalJSON emits the state as a string of digits.
func (a Analysis) MarshalJSON() ([]byte, error) { return Int(a).MarshalJSON() }

// UnmarshalJSON accepts a string, a number or the words Initial, Ongoing,
// Completed (Event::beforeValidate).
func (a *Analysis) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		for st := AnalysisInitial; st <= AnalysisCompleted; st++ {
			if strings.EqualFold(s, st.String()) {
				*a = st
				return nil
			}
		}
	}
	n, err := parseLenientInt(b)
	if err != nil {
		return err
	}
	*a = Analysis(n)
	return nil
}

// DateTime is a "YYYY-MM-DD HH:MM:SS" column (organisation and sharing-group
// dates), stored as Unix seconds.
type DateTime int64

// MarshalJSON emits "YYYY-MM-DD HH:MM:SS" in UTC.
func (d DateTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Unix(int64(d), 0).UTC().Format(time.DateTime) + `"`), nil
}

// UnmarshalJSON accepts "YYYY-MM-DD HH:MM:SS", ISO 8601 or Unix seconds.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		n, err := parseLenientInt(b)
		if err != nil {
			return err
		}
		*d = DateTime(n)
		return nil
	}
	if s == "" {
		*d = 0
		return nil
	}
	for _, l := range []string{time.DateTime, time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(l, s); err == nil {
			*d = DateTime(t.Unix())
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not a date/time: %s", truncate(s, 40))
	}
	*d = DateTime(n)
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
