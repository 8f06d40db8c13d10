package taxonomy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Taxonomy is one machinetag.json: a namespace of predicates, each with
// optional entries (values).
type Taxonomy struct {
	Namespace   string
	Description string
	// Expanded is the taxonomy's long name; MISP does not store it.
	Expanded string
	// Version defaults to 1, as in MISP.
	Version int
	// Exclusive allows at most one tag per group (see the package doc).
	Exclusive   bool
	Highlighted bool
	UUID        string
	Refs        []string
	// Type lists what the taxonomy tags ("event", "attribute", "org",
	// "user"); empty means events and attributes.
	Type       []string
	Predicates []Predicate
}

// Predicate is the middle part of a machine tag.
type Predicate struct {
	Value string
	// Expanded is the predicate's display text as the file gives it, ""
	// when absent (MISP stores it so and shows Value instead).
	Expanded       string
	Description    string
	Colour         string
	NumericalValue *int
	// Exclusive allows at most one of the predicate's entries per element.
	Exclusive bool
	UUID      string
	Entries   []Entry
}

// Entry is one value of a predicate.
type Entry struct {
	Value string
	// Expanded is the entry's display text as the file gives it, "" when
	// absent (MISP shows Value instead).
	Expanded       string
	Description    string
	Colour         string
	NumericalValue *int
	UUID           string
}

// AppliesToEvents reports whether MISP's taxonomy update imports t: its
// type is absent or lists "event". MISP skips the others (for example
// analyst-assessment, typed org and user).
func (t *Taxonomy) AppliesToEvents() bool {
	return len(t.Type) == 0 || slices.Contains(t.Type, "event")
}

// Predicate returns the predicate named value, compared case-insensitively
// as MISP's lookups do.
func (t *Taxonomy) Predicate(value string) (*Predicate, bool) {
	for i := range t.Predicates {
		if strings.EqualFold(t.Predicates[i].Value, value) {
			return &t.Predicates[i], true
		}
	}
	return nil, false
}

type fileTaxonomy struct {
	Namespace   string          `json:"namespace"`
	Description string          `json:"description"`
	Expanded    string          `json:"expanded"`
	Version     *misp.Int       `json:"version"`
	Exclusive   misp.Bool       `json:"exclusive"`
	Highlighted misp.Bool       `json:"highlighted"`
	UUID        string          `json:"uuid"`
	Refs        []string        `json:"refs"`
	Type        json.RawMessage `json:"type"`
	Predicates  []filePredicate `json:"predicates"`
	Values      []fileValues    `json:"values"`
}

type filePredicate struct {
	Value          string    `json:"value"`
	Expanded       string    `json:"expanded"`
	Description    string    `json:"description"`
	Colour         string    `json:"colour"`
	NumericalValue *misp.Int `json:"numerical_value"`
	Exclusive      misp.Bool `json:"exclusive"`
	UUID           string    `json:"uuid"`
}

type fileValues struct {
	Predicate string      `json:"predicate"`
	Entry     []fileEntry `json:"entry"`
}

type fileEntry struct {
	Value          string    `json:"value"`
	Expanded       string    `json:"expanded"`
	Description    string    `json:"description"`
	Colour         string    `json:"colour"`
	NumericalValue *misp.Int `json:"numerical_value"`
	UUID           string    `json:"uuid"`
}

// Parse reads one machinetag.json. It requires what MISP's import
// requires — a namespace, a description and predicates, each predicate and
// entry with a value — and rejects values for an undeclared predicate.
func Parse(r io.Reader) (*Taxonomy, error) {
	var f fileTaxonomy
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode taxonomy: %w", err)
	}
	t := &Taxonomy{
		Namespace:   strings.TrimSpace(f.Namespace),
		Description: f.Description,
		Expanded:    f.Expanded,
		Version:     1,
		Exclusive:   bool(f.Exclusive),
		Highlighted: bool(f.Highlighted),
		UUID:        f.UUID,
		Refs:        f.Refs,
	}
	if f.Version != nil {
		t.Version = int(*f.Version)
	}
	var errs []error
	if t.Namespace == "" {
		errs = append(errs, errors.New("namespace is required"))
	}
	if strings.TrimSpace(t.Description) == "" {
		errs = append(errs, errors.New("description is required"))
	}
	if len(f.Predicates) == 0 {
		errs = append(errs, errors.New("predicates are required"))
	}
	typ, err := parseType(f.Type)
	if err != nil {
		errs = append(errs, err)
	}
	t.Type = typ
	index := make(map[string]int, len(f.Predicates))
	for i, p := range f.Predicates {
		if p.Value == "" {
			errs = append(errs, fmt.Errorf("predicate %d has no value", i))
			continue
		}
		index[p.Value] = len(t.Predicates)
		t.Predicates = append(t.Predicates, Predicate{
			Value:          p.Value,
			Expanded:       p.Expanded,
			Description:    p.Description,
			Colour:         p.Colour,
			NumericalValue: intPtr(p.NumericalValue),
			Exclusive:      bool(p.Exclusive),
			UUID:           p.UUID,
		})
	}
	for _, v := range f.Values {
		i, ok := index[v.Predicate]
		if !ok {
			errs = append(errs, fmt.Errorf("values for undeclared predicate %q", v.Predicate))
			continue
		}
		for _, e := range v.Entry {
			if e.Value == "" {
				errs = append(errs, fmt.Errorf("predicate %q has an entry without value", v.Predicate))
				continue
			}
			t.Predicates[i].Entries = append(t.Predicates[i].Entries, Entry{
				Value:          e.Value,
				Expanded:       e.Expanded,
				Description:    e.Description,
				Colour:         e.Colour,
				NumericalValue: intPtr(e.NumericalValue),
				UUID:           e.UUID,
			})
		}
	}
	if len(errs) > 0 {
		if t.Namespace != "" {
			return nil, fmt.Errorf("taxonomy %s: %w", t.Namespace, errors.Join(errs...))
		}
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// parseType accepts "type" as a list or, as MISP also does, a single string.
func parseType(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, errors.New("type must be a string or a list of strings")
	}
	return []string{one}, nil
}

func orValue(expanded, value string) string {
	if expanded == "" {
		return value
	}
	return expanded
}

func intPtr(i *misp.Int) *int {
	if i == nil {
		return nil
	}
	n := int(*i)
	return &n
}
