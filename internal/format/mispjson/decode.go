package mispjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Fields is the set of keys present in one JSON object of a request body.
// It tells "absent" from "zero": MISP applies defaults only to absent keys
// (an attribute without "to_ids" takes its type's default, one with
// "to_ids": false does not), and an edit keeps the stored value of every
// absent key.
//
// Keys are MISP's JSON names, exactly as sent ("to_ids", "distribution",
// "meta-category"), except that aliases are recorded under their canonical
// name as well: "orgc" as "Orgc", "EventTag" and "AttributeTag" as "Tag",
// and "value1" as "value" when the value was built from value1/value2.
//
// A key whose value is null counts as present, and sets its field to the
// zero value (nil for first_seen, object_relation, protected). PHP's isset,
// which MISP uses for many defaults, would call it absent; PyMISP never
// sends null, and treating it as given errs towards the restrictive
// distribution 0 rather than a wider default.
type Fields map[string]bool

// Has reports whether key was present in the body.
func (f Fields) Has(key string) bool { return f[key] }

func fieldsOf(m map[string]json.RawMessage) Fields {
	f := make(Fields, len(m))
	for k := range m {
		f[k] = true
	}
	return f
}

// maxEnvelopes bounds the envelopes peeled off a body, so that a deeply
// nested list cannot make decoding quadratic.
const maxEnvelopes = 8

// parseBody checks that body is one JSON value.
func parseBody(body []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, inputErrorf("", "empty body")
	}
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, syntaxError(err)
	}
	return raw, nil
}

// envelope peels MISP's envelopes off body: {"request": x} and
// {"response": x} (outside the model wrapper only), one-element lists, and
// the model wrapper {"<model>": x}. It returns the innermost value, which
// may still be a list of several elements, and the object that held the
// model key (nil when the element came bare), whose other keys some
// endpoints read (Attribute beside Object, a top-level object_uuid).
func envelope(body []byte, model string) (json.RawMessage, map[string]json.RawMessage, error) {
	raw, err := parseBody(body)
	if err != nil {
		return nil, nil, err
	}
	var outer map[string]json.RawMessage
	for range maxEnvelopes {
		switch kindOf(raw) {
		case kindList:
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				return nil, nil, syntaxError(err)
			}
			if len(list) != 1 {
				return raw, outer, nil
			}
			raw = list[0]
		case kindObject:
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, nil, syntaxError(err)
			}
			if v, ok := m[model]; ok {
				if outer == nil {
					outer = m
				}
				raw = v
				continue
			}
			if outer == nil {
				if v, ok := m["request"]; ok {
					raw = v
					continue
				}
				if v, ok := m["response"]; ok {
					raw = v
					continue
				}
			}
			return raw, outer, nil
		default:
			return raw, outer, nil
		}
	}
	return nil, nil, inputErrorf(model, "too many nested envelopes")
}

// JSON value kinds, from the first byte of a value.
const (
	kindInvalid byte = 0
	kindObject  byte = '{'
	kindList    byte = '['
	kindString  byte = '"'
	kindNull    byte = 'n'
	kindBool    byte = 't'
	kindNumber  byte = '0'
)

func kindOf(raw json.RawMessage) byte {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"', 'n':
			return c
		case 't', 'f':
			return kindBool
		default:
			return kindNumber
		}
	}
	return kindInvalid
}

func kindName(k byte) string {
	switch k {
	case kindObject:
		return "an object"
	case kindList:
		return "a list"
	case kindString:
		return "a string"
	case kindNull:
		return "null"
	case kindBool:
		return "a boolean"
	case kindNumber:
		return "a number"
	}
	return "nothing"
}

// objectAt decodes raw, which must be a JSON object, into its keys.
// what names the expected element in the error ("an Event object").
func objectAt(path, what string, raw json.RawMessage) (map[string]json.RawMessage, error) {
	k := kindOf(raw)
	if k != kindObject {
		if k == kindList {
			if n, ok := listLen(raw); ok && n != 1 {
				return nil, inputErrorf(path, "expected %s, got a list of %d", what, n)
			}
		}
		return nil, inputErrorf(path, "expected %s, got %s", what, kindName(k))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, valueError(path, err)
	}
	return m, nil
}

func listLen(raw json.RawMessage) (int, bool) {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return 0, false
	}
	return len(list), true
}

// oneOrMany returns the elements of a list, or the single object MISP
// accepts in its place. null is an empty list.
func oneOrMany(path string, raw json.RawMessage) ([]json.RawMessage, error) {
	if raw == nil { // absent key
		return nil, nil
	}
	switch k := kindOf(raw); k {
	case kindNull:
		return nil, nil
	case kindObject:
		return []json.RawMessage{raw}, nil
	case kindList:
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, valueError(path, err)
		}
		return list, nil
	default:
		return nil, inputErrorf(path, "expected a list or an object, got %s", kindName(k))
	}
}

// decodeFields decodes the present lower-case keys of m into the fields of
// the struct dst points to, matched by their exact json tag. Capitalised
// keys are models (Attribute, Tag, Orgc, ...), left to the caller.
// Keys are matched exactly, unlike encoding/json's case-insensitive
// matching, so that what is decoded agrees with Fields.
func decodeFields(path string, m map[string]json.RawMessage, dst any) error {
	return decodeStruct(path, m, reflect.ValueOf(dst).Elem())
}

func decodeStruct(path string, m map[string]json.RawMessage, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct {
			if err := decodeStruct(path, m, v.Field(i)); err != nil {
				return err
			}
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if !sf.IsExported() || name == "" || name == "-" || isModel(name) {
			continue
		}
		raw, ok := m[name]
		if !ok {
			continue
		}
		if err := decodeValue(raw, v.Field(i).Addr().Interface()); err != nil {
			return valueError(joinPath(path, name), err)
		}
	}
	return nil
}

// isModel reports whether key names a model (capitalised), not a field.
func isModel(key string) bool { return key != "" && 'A' <= key[0] && key[0] <= 'Z' }

// decodeValue is json.Unmarshal, except that null always sets the zero
// value (encoding/json leaves strings unchanged but zeroes misp.Int), an
// empty first_seen/last_seen string means null (misp.MicroTime would make
// it the epoch), and a string field also takes a JSON number as its
// literal text, as PHP does ({"type": "port", "value": 443}).
func decodeValue(raw json.RawMessage, dst any) error {
	switch kindOf(raw) {
	case kindNull:
		reflect.ValueOf(dst).Elem().SetZero()
		return nil
	case kindString:
		if p, ok := dst.(**misp.MicroTime); ok && string(bytes.TrimSpace(raw)) == `""` {
			*p = nil
			return nil
		}
	case kindNumber:
		switch p := dst.(type) {
		case *string:
			*p = string(bytes.TrimSpace(raw))
			return nil
		case **string:
			s := string(bytes.TrimSpace(raw))
			*p = &s
			return nil
		}
	}
	return json.Unmarshal(raw, dst)
}

// DecodeWrapped decodes body, holding one model-wrapped entity
// ({"<model>": {...}}, e.g. model "Organisation", "User", "Role",
// "AuthKey") or the bare entity, into v with encoding/json. The envelopes
// DecodeEvent accepts are accepted too.
//
// encoding/json only sets the fields whose keys are present, so decoding
// onto a copy of a stored entity merges an edit, and decoding into a struct
// of pointer fields tells absent keys (nil) from zero values. Note that
// encoding/json matches keys case-insensitively.
func DecodeWrapped(body []byte, model string, v any) error {
	raw, _, err := envelope(body, model)
	if err != nil {
		return err
	}
	if _, err := objectAt(model, article(model)+" "+model+" object", raw); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return valueError(model, err)
	}
	return nil
}

// checkSeen rejects first_seen/last_seen values outside years 1–9999:
// misp.MicroTime accepts them but cannot encode them in a form it parses
// back, so they could never leave the instance.
func checkSeen(path string, first, last *misp.MicroTime) error {
	const minMicro, maxMicro = -62135596800000000, 253402300799999999 // 0001-01-01, 9999-12-31T23:59:59.999999Z
	for _, s := range []struct {
		key string
		t   *misp.MicroTime
	}{{"first_seen", first}, {"last_seen", last}} {
		if s.t != nil && (*s.t < minMicro || *s.t > maxMicro) {
			return inputErrorf(joinPath(path, s.key), "date out of range (years 1 to 9999)")
		}
	}
	return nil
}

// article returns the indefinite article for word.
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// clonePtr returns a pointer to a copy of *p, or nil, so that a merged copy
// shares no memory with the stored element.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}
