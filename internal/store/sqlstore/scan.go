package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// The scanners below read columns whose Go type database/sql cannot fill
// directly: booleans that are INTEGER 0/1 in SQLite, and nullable columns
// that the misp types model as pointers.

type boolScanner struct{ p *misp.Bool }

func (s boolScanner) Scan(src any) error {
	b, err := asBool(src)
	*s.p = misp.Bool(b)
	return err
}

// scanBool scans a boolean column into p.
func scanBool(p *misp.Bool) boolScanner { return boolScanner{p} }

func asBool(src any) (bool, error) {
	switch v := src.(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	case nil:
		return false, nil
	}
	return false, fmt.Errorf("scan boolean: unexpected %T", src)
}

type nullBoolScanner struct{ p **misp.Bool }

func (s nullBoolScanner) Scan(src any) error {
	if src == nil {
		*s.p = nil
		return nil
	}
	b, err := asBool(src)
	v := misp.Bool(b)
	*s.p = &v
	return err
}

// scanNullBool scans a nullable boolean column into p.
func scanNullBool(p **misp.Bool) nullBoolScanner { return nullBoolScanner{p} }

type nullIntScanner struct{ p **misp.Int }

func (s nullIntScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.p = nil
	case int64:
		i := misp.Int(v)
		*s.p = &i
	default:
		return fmt.Errorf("scan integer: unexpected %T", src)
	}
	return nil
}

// scanNullInt scans a nullable integer column into p.
func scanNullInt(p **misp.Int) nullIntScanner { return nullIntScanner{p} }

type nullMicroScanner struct{ p **misp.MicroTime }

func (s nullMicroScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.p = nil
	case int64:
		t := misp.MicroTime(v)
		*s.p = &t
	default:
		return fmt.Errorf("scan first/last seen: unexpected %T", src)
	}
	return nil
}

// scanNullMicro scans a nullable microsecond column into p.
func scanNullMicro(p **misp.MicroTime) nullMicroScanner { return nullMicroScanner{p} }

type nullStringScanner struct{ p **string }

func (s nullStringScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.p = nil
	case string:
		*s.p = &v
	case []byte:
		str := string(v)
		*s.p = &str
	default:
		return fmt.Errorf("scan text: unexpected %T", src)
	}
	return nil
}

// scanNullString scans a nullable text column into p.
func scanNullString(p **string) nullStringScanner { return nullStringScanner{p} }

type jsonListScanner struct{ p *[]string }

func (s jsonListScanner) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*s.p = []string{}
		return nil
	default:
		return fmt.Errorf("scan list: unexpected %T", src)
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("scan list: %w", err)
	}
	if list == nil {
		list = []string{}
	}
	*s.p = list
	return nil
}

// scanJSONList scans a JSON text column holding a list of strings into p.
func scanJSONList(p *[]string) jsonListScanner { return jsonListScanner{p} }

// jsonList encodes a list of strings for a JSON text column.
func jsonList(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, err := json.Marshal(list)
	if err != nil {
		panic("marshal []string: " + err.Error()) // cannot fail
	}
	return string(b)
}

// columns converts the values of a row scanned into interface values
// (attributeRow), as the scanners above do, keeping the first error.
type columns struct {
	vals []any
	err  error
}

func (c *columns) fail(i int, want string) {
	if c.err == nil {
		c.err = fmt.Errorf("scan column %d: %s expected, got %T", i, want, c.vals[i])
	}
}

func (c *columns) int(i int) int64 {
	v, ok := c.vals[i].(int64)
	if !ok {
		c.fail(i, "integer")
	}
	return v
}

func (c *columns) string(i int) string {
	switch v := c.vals[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	c.fail(i, "text")
	return ""
}

func (c *columns) bool(i int) bool {
	b, err := asBool(c.vals[i])
	if err != nil {
		c.fail(i, "boolean")
	}
	return b
}

func (c *columns) nullString(i int) *string {
	if c.vals[i] == nil {
		return nil
	}
	v := c.string(i)
	return &v
}

func (c *columns) nullMicro(i int) *misp.MicroTime {
	if c.vals[i] == nil {
		return nil
	}
	v := misp.MicroTime(c.int(i))
	return &v
}

// The helpers below turn optional misp values into bind arguments (nil = NULL).

func microArg(t *misp.MicroTime) any {
	if t == nil {
		return nil
	}
	return int64(*t)
}

func stringArg(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func boolPtrArg(b *misp.Bool) any {
	if b == nil {
		return nil
	}
	return bool(*b)
}

func intPtrArg(i *misp.Int) any {
	if i == nil {
		return nil
	}
	return int64(*i)
}
