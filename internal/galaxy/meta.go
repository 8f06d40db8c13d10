package galaxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// flattenMeta turns a cluster's "meta" object into element rows as
// Galaxy::update does, keeping the file's order.
func flattenMeta(raw json.RawMessage) ([]Element, error) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errors.New("meta must be an object")
	}
	keys, values, err := members(raw)
	if err != nil {
		return nil, err
	}
	var elements []Element
	for i, key := range keys {
		v := values[i]
		if !isContainer(v) {
			elements = append(elements, Element{Key: key, Value: phpString(v)})
			continue
		}
		_, inner, err := members(v)
		if err != nil {
			return nil, err
		}
		for _, m := range inner {
			if !isContainer(m) { // MISP skips nested lists and objects
				elements = append(elements, Element{Key: key, Value: phpString(m)})
			}
		}
	}
	return elements, nil
}

// members returns the members of a JSON object (with keys) or array
// (keys nil), in order, as raw values.
func members(raw json.RawMessage) (keys []string, values []json.RawMessage, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	open, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	isObject := open == json.Delim('{')
	for dec.More() {
		if isObject {
			tok, err := dec.Token()
			if err != nil {
				return nil, nil, err
			}
			keys = append(keys, tok.(string)) // object keys are strings
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		values = append(values, v)
	}
	return keys, values, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func isContainer(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && (raw[0] == '{' || raw[0] == '[')
}

// phpString is PHP's (string) cast of a decoded JSON scalar: strings as
// they are, true "1", false and null "", numbers in their shortest decimal
// form (whole numbers without a fraction).
func phpString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return ""
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "" // unreachable: the decoder validated raw
		}
		return s
	case string(raw) == "true":
		return "1"
	case string(raw) == "false", string(raw) == "null":
		return ""
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return string(raw)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return string(raw)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
