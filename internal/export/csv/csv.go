// Package csv writes the restSearch "csv" return format as MISP's
// CsvExport does: one line per attribute, columns chosen by
// requested_attributes, the event columns with includeContext, a header
// line unless headerless, and a closing empty line.
//
// Quoting follows CsvExport::__escapeCSVField, not RFC 4180: a cell whose
// text PHP's is_numeric accepts is written bare, every other cell,
// including an empty or missing one, is written in double quotes with
// inner quotes doubled; commas and line breaks stay inside the quotes.
//
// Like MISP, cells are not neutralised against spreadsheet formula
// injection: a value such as =HYPERLINK("…") is written as given, quoted.
// Consumers opening the file in a spreadsheet must take care themselves.
package csv

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the "csv" returnFormat; it is not restrictive. The events
// scope writes each event's attributes and then each object's, as
// CsvExport's events handler does; only object attributes fill the
// object columns.
var Format = export.Format{
	Name:        "csv",
	ContentType: "text/csv; charset=UTF-8",
	Attributes:  func(w io.Writer, o export.Options) export.AttributeWriter { return newWriter(w, o) },
}

// The column sets of CsvExport.
var (
	defaultColumns = []string{"uuid", "event_id", "category", "type", "value", "comment", "to_ids", "timestamp", "object_relation", "attribute_tag"}
	objectColumns  = []string{"object_uuid", "object_name", "object_meta-category"}
	contextColumns = []string{"event_info", "event_member_org", "event_source_org", "event_distribution", "event_threat_level_id", "event_analysis", "event_date", "event_tag", "event_timestamp"}
)

// columns returns the columns of an answer: requested_attributes, or the
// default and object columns, followed by the event columns when
// includeContext is set (CsvExport::header).
func columns(o export.Options) []string {
	var cols []string
	if len(o.RequestedAttributes) > 0 {
		cols = append(cols, o.RequestedAttributes...)
	} else {
		cols = append(append(cols, defaultColumns...), objectColumns...)
	}
	if o.IncludeContext {
		cols = append(cols, contextColumns...)
	}
	return cols
}

// header returns the header line: each column with '-' replaced by '_',
// and "timestamp" named "date".
func header(cols []string) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		if c == "timestamp" {
			names[i] = "date"
		} else {
			names[i] = strings.ReplaceAll(c, "-", "_")
		}
	}
	return strings.Join(names, ",") + "\n"
}

type writer struct {
	bw       *bufio.Writer
	o        export.Options
	cols     []string
	fields   []field
	headDone bool
}

func newWriter(w io.Writer, o export.Options) *writer {
	cols := columns(o)
	fields := make([]field, len(cols))
	for i, c := range cols {
		fields[i] = fieldFor(c, o)
	}
	return &writer{bw: bufio.NewWriter(w), o: o, cols: cols, fields: fields}
}

func (w *writer) head() error {
	if w.headDone {
		return nil
	}
	w.headDone = true
	if w.o.Headerless {
		return nil
	}
	_, err := w.bw.WriteString(header(w.cols))
	return err
}

func (w *writer) Write(h misp.AttributeHit) error {
	if err := w.head(); err != nil {
		return err
	}
	for i, f := range w.fields {
		if i > 0 {
			if err := w.bw.WriteByte(','); err != nil {
				return err
			}
		}
		if err := writeCell(w.bw, f(h)); err != nil {
			return err
		}
	}
	return w.bw.WriteByte('\n')
}

// Close writes the header if no attribute did, and CsvExport's footer, an
// empty line (also when headerless).
func (w *writer) Close() error {
	if err := w.head(); err != nil {
		return err
	}
	if err := w.bw.WriteByte('\n'); err != nil {
		return err
	}
	return w.bw.Flush()
}

// writeCell writes s bare if PHP's is_numeric accepts it, and quoted
// otherwise.
func writeCell(bw *bufio.Writer, s string) error {
	if isNumeric(s) {
		_, err := bw.WriteString(s)
		return err
	}
	if err := bw.WriteByte('"'); err != nil {
		return err
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		if _, err := bw.WriteString(s[:i+1]); err != nil {
			return err
		}
		if err := bw.WriteByte('"'); err != nil {
			return err
		}
		s = s[i+1:]
	}
	if _, err := bw.WriteString(s); err != nil {
		return err
	}
	return bw.WriteByte('"')
}

// isNumeric reports whether PHP 8's is_numeric accepts s: optional
// leading and trailing whitespace around an optionally signed decimal
// number with an optional fraction and exponent ("12", " 1.5 ", ".5",
// "1.", "1e5", "-2E+3"); no hexadecimal, no "inf".
func isNumeric(s string) bool {
	i := skipSpace(s, 0)
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	i = skipDigits(s, i)
	digits := i > start
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if !digits && j == i+1 {
			return false
		}
		digits, i = true, j
	}
	if !digits {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if k := skipDigits(s, j); k > j {
			i = k
		}
	}
	return skipSpace(s, i) == len(s)
}

func skipSpace(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\n\r\v\f", s[i]) >= 0 {
		i++
	}
	return i
}

func skipDigits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// A field gives the text of one column for an attribute; "" stands for
// both an empty and a missing value, which MISP writes alike ("").
type field func(h misp.AttributeHit) string

func empty(misp.AttributeHit) string { return "" }

func itoa[T ~int64 | ~int](n T) string { return strconv.FormatInt(int64(n), 10) }

func bit(b misp.Bool) string {
	if b {
		return "1"
	}
	return "0"
}

func isoMicro(t *misp.MicroTime) string {
	if t == nil {
		return ""
	}
	// MISP's AppModel::microTimestampToIso: 'Y-m-d\TH:i:s.uP' in UTC.
	return t.Time().Format("2006-01-02T15:04:05.000000-07:00")
}

func tagNames(tags []*misp.AttachedTag) string {
	var b strings.Builder
	for i, t := range tags {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(t.Name)
	}
	return b.String()
}

// fieldFor returns the field of column name. The names are the keys of
// the attribute array CsvExport reads a line from; any other name is an
// empty column. The two scopes hold different keys: the attributes scope
// has every attributes column (value1, value2), the decay-score defaults
// and, with includeEventUuid, event_uuid; the events scope has none of
// these.
func fieldFor(name string, o export.Options) field {
	attrScope := o.Scope != export.ScopeEvents
	switch name {
	case "id":
		return func(h misp.AttributeHit) string { return itoa(h.Attribute.ID) }
	case "event_id":
		return func(h misp.AttributeHit) string { return itoa(h.Attribute.EventID) }
	case "object_id":
		return func(h misp.AttributeHit) string { return itoa(h.Attribute.ObjectID) }
	case "object_relation":
		return func(h misp.AttributeHit) string {
			if r := h.Attribute.ObjectRelation; r != nil {
				return *r
			}
			return ""
		}
	case "category":
		return func(h misp.AttributeHit) string { return h.Attribute.Category }
	case "type":
		return func(h misp.AttributeHit) string { return h.Attribute.Type }
	case "value":
		return func(h misp.AttributeHit) string { return h.Attribute.Value }
	case "uuid":
		return func(h misp.AttributeHit) string { return h.Attribute.UUID }
	case "comment":
		return func(h misp.AttributeHit) string { return h.Attribute.Comment }
	case "to_ids":
		return func(h misp.AttributeHit) string { return bit(h.Attribute.ToIDS) }
	case "deleted":
		return func(h misp.AttributeHit) string { return bit(h.Attribute.Deleted) }
	case "disable_correlation":
		return func(h misp.AttributeHit) string { return bit(h.Attribute.DisableCorrelation) }
	case "timestamp":
		return func(h misp.AttributeHit) string { return itoa(h.Attribute.Timestamp) }
	case "distribution":
		return func(h misp.AttributeHit) string { return itoa(h.Attribute.Distribution) }
	case "sharing_group_id":
		return func(h misp.AttributeHit) string { return itoa(h.Attribute.SharingGroupID) }
	case "first_seen":
		return func(h misp.AttributeHit) string { return isoMicro(h.Attribute.FirstSeen) }
	case "last_seen":
		return func(h misp.AttributeHit) string { return isoMicro(h.Attribute.LastSeen) }
	case "attribute_tag":
		return func(h misp.AttributeHit) string { return tagNames(h.Attribute.Tag) }
	case "object_uuid", "object_name", "object_meta-category":
		return objectField(name)
	case "event_info", "event_member_org", "event_source_org", "event_distribution", "event_threat_level_id",
		"event_analysis", "event_date", "event_tag", "event_timestamp":
		return eventField(name)
	}
	if !attrScope {
		return empty
	}
	switch name {
	case "value1":
		return func(h misp.AttributeHit) string { v, _ := h.Attribute.Split(); return v }
	case "value2":
		return func(h misp.AttributeHit) string { _, v := h.Attribute.Split(); return v }
	case "decay_score_score", "decay_score_decayed":
		// CsvExport's attributes handler sets a score of 0 and decayed
		// false when no decaying model ran (we have none).
		return func(misp.AttributeHit) string { return "0" }
	case "event_uuid":
		if o.IncludeEventUUID {
			return func(h misp.AttributeHit) string { return h.Event.UUID }
		}
	}
	return empty
}

func objectField(name string) field {
	return func(h misp.AttributeHit) string {
		ob := h.Object
		if ob == nil || ob.UUID == "" {
			return ""
		}
		switch name {
		case "object_uuid":
			return ob.UUID
		case "object_name":
			return ob.Name
		}
		return ob.MetaCategory
	}
}

func eventField(name string) field {
	return func(h misp.AttributeHit) string {
		e := h.Event
		if e == nil {
			return ""
		}
		switch name {
		case "event_info":
			return e.Info
		case "event_member_org":
			if e.Org != nil {
				return e.Org.Name
			}
		case "event_source_org":
			if e.Orgc != nil {
				return e.Orgc.Name
			}
		case "event_distribution":
			return itoa(e.Distribution)
		case "event_threat_level_id":
			// The name of the threat level, despite the column's name.
			if e.ThreatLevelID >= misp.ThreatLevelHigh && e.ThreatLevelID <= misp.ThreatLevelUndefined {
				return e.ThreatLevelID.String()
			}
		case "event_analysis":
			return itoa(e.Analysis)
		case "event_date":
			return e.Date
		case "event_tag":
			return tagNames(e.Tag)
		case "event_timestamp":
			return itoa(e.Timestamp)
		}
		return ""
	}
}
