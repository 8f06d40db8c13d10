package xmlfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// A node is one value of a MISP JSON document, its object members kept
// in order: the XML is the JSON answer's tree, so that both formats show
// the same fields.
type node struct {
	kind kind
	// text is a string's value or a number's digits.
	text string
	// invalid marks a string that held invalid UTF-8 (see parse).
	invalid bool
	// keys name the members of an object; vals are its member values or
	// an array's elements.
	keys []string
	vals []*node
}

type kind uint8

const (
	kindNull kind = iota
	kindFalse
	kindTrue
	kindNumber
	kindString
	kindObject
	kindArray
)

// empty reports whether n is an empty object or array.
func (n *node) empty() bool { return len(n.vals) == 0 }

// parse reads the JSON encoding/json wrote for a value. encoding/json
// replaces each invalid UTF-8 byte of a string with the escape \ufffd
// and writes a valid U+FFFD as it is, so the escape in a string's raw
// text marks a value that held invalid UTF-8 (invalid).
func parse(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec, data)
	if err != nil {
		return nil, fmt.Errorf("xml: read MISP JSON: %w", err)
	}
	return n, nil
}

func parseValue(dec *json.Decoder, data []byte) (*node, error) {
	start := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case nil:
		return &node{kind: kindNull}, nil
	case bool:
		if v {
			return &node{kind: kindTrue}, nil
		}
		return &node{kind: kindFalse}, nil
	case json.Number:
		return &node{kind: kindNumber, text: string(v)}, nil
	case string:
		return &node{kind: kindString, text: v, invalid: hasReplacementEscape(data[start:dec.InputOffset()])}, nil
	case json.Delim:
		n := &node{kind: kindArray}
		if v == '{' {
			n.kind = kindObject
		}
		for dec.More() {
			if n.kind == kindObject {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key.(string))
			}
			child, err := parseValue(dec, data)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, child)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	}
	return nil, errors.New("unexpected token")
}

// hasReplacementEscape reports whether the raw JSON text of a string
// holds the escape \ufffd (and not a backslash followed by "ufffd").
func hasReplacementEscape(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] == 'u' && i+6 <= len(raw) && string(bytes.ToLower(raw[i+2:i+6])) == "fffd" {
			return true
		}
		i++ // skip the escaped character
	}
	return false
}
