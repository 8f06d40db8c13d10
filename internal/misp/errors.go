package misp

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error kinds. Stores and services wrap these; the HTTP layer maps each kind
// to a status code in one table. Check with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrNotNewer reports an update whose timestamp is not newer than the
	// stored copy (MISP's "not newer than the local copy" rule).
	ErrNotNewer = errors.New("not newer than the local copy")
)

// ValidationError lists the bad fields of an input, MISP-style: field name
// to messages. It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Fields map[string][]string
}

// Add records a message for a field.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = make(map[string][]string)
	}
	e.Fields[field] = append(e.Fields[field], msg)
}

// Empty reports whether no field error was recorded.
func (e *ValidationError) Empty() bool { return e == nil || len(e.Fields) == 0 }

// Err returns e as an error, or nil when it holds no field error.
func (e *ValidationError) Err() error {
	if e.Empty() {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %s", k, strings.Join(e.Fields[k], "; ")))
	}
	return "validation failed: " + strings.Join(parts, ", ")
}

// Is makes a ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns a ValidationError with a single field message.
func Invalidf(field, format string, args ...any) *ValidationError {
	v := &ValidationError{}
	v.Add(field, fmt.Sprintf(format, args...))
	return v
}
