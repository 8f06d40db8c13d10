package mispjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/razmena/razmena/internal/misp"
)

// InputError reports a request body that is not valid JSON or that holds a
// value of a shape MISP does not accept. It matches misp.ErrInvalid.
type InputError struct {
	// Path locates the offending value, e.g. "Event.Attribute[2].to_ids".
	// It is empty exactly when the body is not JSON at all (empty, or a
	// syntax error), which MISP answers differently (405) from JSON of the
	// wrong shape.
	Path string
	// Reason says what is wrong, in words a client can act on.
	Reason string
}

// Error returns the message for the client. It starts with MISP's own
// wording (AppController::_jsonDecode), capitalised because clients see it
// as is.
func (e *InputError) Error() string {
	if e.Path == "" {
		return "Invalid JSON input: " + e.Reason
	}
	return "Invalid JSON input: " + e.Path + ": " + e.Reason
}

// Is makes an InputError match misp.ErrInvalid.
func (e *InputError) Is(target error) bool { return target == misp.ErrInvalid }

func inputErrorf(path, format string, args ...any) *InputError {
	return &InputError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// syntaxError turns an encoding/json error on the whole body into an
// InputError.
func syntaxError(err error) *InputError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return inputErrorf("", "%s (at byte %d)", se.Error(), se.Offset)
	}
	return inputErrorf("", "%s", err.Error())
}

// valueError turns an error from decoding one value at path into an
// InputError, replacing Go type names by JSON ones.
func valueError(path string, err error) *InputError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			path = joinPath(path, te.Field)
		}
		return inputErrorf(path, "expected %s, got %s", jsonTypeName(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return inputErrorf(path, "%s", se.Error())
	}
	return inputErrorf(path, "%s", err.Error())
}

// jsonTypeName names the JSON value a Go type decodes from.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a different type"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
