package mispjson

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/razmena/razmena/internal/misp"
)

// AppendSearchAttribute appends SearchAttribute(h, o) to dst as compact
// JSON, byte for byte what Write(w, SearchAttribute(h, o), false) writes
// without its trailing newline, several times faster: an export writes
// millions of these, and encoding/json re-validates the output of every
// MarshalJSON method (misp.Int, misp.Bool, …) it calls. The rare shapes
// (includeContext, an attribute carrying its SharingGroup, correlations
// or warnings) go through encoding/json.
func AppendSearchAttribute(dst []byte, h misp.AttributeHit, o SearchOptions) ([]byte, error) {
	a := h.Attribute
	if o.Context || a.SharingGroup != nil || a.RelatedAttribute != nil || a.Warnings != nil {
		b := bytes.NewBuffer(dst)
		if err := Write(b, SearchAttribute(h, o), false); err != nil {
			return dst, err
		}
		return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
	}
	dst = append(dst, `{"id":`...)
	dst = appendInt(dst, int64(a.ID))
	dst = appendField(dst, "type", a.Type)
	dst = appendField(dst, "category", a.Category)
	dst = appendBoolField(dst, "to_ids", bool(a.ToIDS))
	dst = appendField(dst, "uuid", a.UUID)
	dst = append(dst, `,"event_id":`...)
	dst = appendInt(dst, int64(a.EventID))
	dst = append(dst, `,"distribution":`...)
	dst = appendInt(dst, int64(a.Distribution))
	dst = append(dst, `,"timestamp":`...)
	dst = appendInt(dst, int64(a.Timestamp))
	dst = appendField(dst, "comment", a.Comment)
	dst = append(dst, `,"sharing_group_id":`...)
	dst = appendInt(dst, int64(a.SharingGroupID))
	dst = appendBoolField(dst, "deleted", bool(a.Deleted))
	dst = appendBoolField(dst, "disable_correlation", bool(a.DisableCorrelation))
	dst = append(dst, `,"object_id":`...)
	dst = appendInt(dst, int64(a.ObjectID))
	dst = append(dst, `,"object_relation":`...)
	dst = appendNullString(dst, a.ObjectRelation)
	dst = append(dst, `,"first_seen":`...)
	dst = appendMicroTime(dst, a.FirstSeen)
	dst = append(dst, `,"last_seen":`...)
	dst = appendMicroTime(dst, a.LastSeen)
	dst = appendField(dst, "value", a.Value)
	if a.Data != "" {
		dst = appendField(dst, "data", a.Data)
	}
	if e := h.Event; e != nil {
		if o.EventUUID && e.UUID != "" {
			dst = appendField(dst, "event_uuid", e.UUID)
		}
		dst = append(dst, `,"Event":{"org_id":`...)
		dst = appendInt(dst, int64(e.OrgID))
		dst = append(dst, `,"distribution":`...)
		dst = appendInt(dst, int64(e.Distribution))
		dst = append(dst, `,"id":`...)
		dst = appendInt(dst, int64(e.ID))
		dst = appendField(dst, "info", e.Info)
		dst = append(dst, `,"orgc_id":`...)
		dst = appendInt(dst, int64(e.OrgcID))
		dst = appendField(dst, "uuid", e.UUID)
		dst = append(dst, '}')
	}
	if ob := h.Object; ob != nil {
		dst = append(dst, `,"Object":{"id":`...)
		dst = appendInt(dst, int64(ob.ID))
		dst = append(dst, `,"distribution":`...)
		dst = appendInt(dst, int64(ob.Distribution))
		dst = append(dst, `,"sharing_group_id":`...)
		dst = appendInt(dst, int64(ob.SharingGroupID))
		dst = append(dst, '}')
	}
	inherited := o.EventTags && h.Event != nil && len(h.Event.Tag) > 0
	if len(a.Tag) > 0 || inherited {
		dst = append(dst, `,"Tag":[`...)
		n := 0
		for _, t := range a.Tag {
			dst = appendTag(dst, n, t, false)
			n++
		}
		if inherited {
			for _, t := range h.Event.Tag {
				dst = appendTag(dst, n, t, true)
				n++
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

// appendTag appends the n-th tag of a Tag[] list.
func appendTag(dst []byte, n int, t *misp.AttachedTag, inherited bool) []byte {
	if n > 0 {
		dst = append(dst, ',')
	}
	dst = append(dst, `{"id":`...)
	dst = appendInt(dst, int64(t.ID))
	dst = appendField(dst, "name", t.Name)
	dst = appendField(dst, "colour", t.Colour)
	dst = appendBoolField(dst, "exportable", bool(t.Exportable))
	dst = append(dst, `,"user_id":`...)
	dst = appendInt(dst, int64(t.UserID))
	dst = appendBoolField(dst, "hide_tag", bool(t.HideTag))
	dst = append(dst, `,"numerical_value":`...)
	if t.NumericalValue == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendInt(dst, int64(*t.NumericalValue))
	}
	dst = appendBoolField(dst, "is_galaxy", bool(t.IsGalaxy))
	dst = appendBoolField(dst, "is_custom_galaxy", bool(t.IsCustomGalaxy))
	dst = appendBoolField(dst, "local_only", bool(t.LocalOnly))
	dst = appendBoolField(dst, "local", bool(t.Local))
	dst = append(dst, `,"relationship_type":`...)
	dst = appendNullString(dst, t.RelationshipType)
	if t.Deleted {
		dst = append(dst, `,"deleted":true`...)
	}
	if inherited {
		dst = append(dst, `,"inherited":1`...)
	}
	return append(dst, '}')
}

// appendInt appends i as misp.Int marshals it: a quoted decimal.
func appendInt(dst []byte, i int64) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendInt(dst, i, 10)
	return append(dst, '"')
}

func appendField(dst []byte, name, v string) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendString(dst, v)
}

func appendBoolField(dst []byte, name string, v bool) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return strconv.AppendBool(dst, v)
}

func appendNullString(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendString(dst, *s)
}

func appendMicroTime(dst []byte, t *misp.MicroTime) []byte {
	if t == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = t.Time().AppendFormat(dst, "2006-01-02T15:04:05.000000-07:00")
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string exactly as encoding/json does
// with HTML escaping off: ", \ and control characters escaped (\b, \f,
// \n, \r, \t by name), invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
