package objecttemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/razmena/razmena/internal/misp"
)

// Relationship is a relationship type for object references, such as
// "derived-from" or "related-to".
type Relationship struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Format lists the formats the relationship comes from ("misp",
	// "stix-2.0", …).
	Format []string `json:"format"`
	// Opposite names the inverse relationship, when the library gives one.
	Opposite string `json:"opposite,omitempty"`
	// Version is the version of the relationships file (default 1).
	Version int `json:"-"`
}

// ParseRelationships reads relationships/definition.json, giving each
// relationship the file's version. As MISP's validation does (names are
// required and unique), a relationship without a name, or with a name
// already listed, is dropped.
func ParseRelationships(r io.Reader) ([]Relationship, error) {
	var f struct {
		Version *misp.Int      `json:"version"`
		Values  []Relationship `json:"values"`
	}
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode relationships: %w", err)
	}
	if f.Values == nil {
		return nil, errors.New("relationships values are required")
	}
	version := 1
	if f.Version != nil {
		version = int(*f.Version)
	}
	seen := make(map[string]bool, len(f.Values))
	rels := make([]Relationship, 0, len(f.Values))
	for _, rel := range f.Values {
		if rel.Name == "" || seen[rel.Name] {
			continue
		}
		seen[rel.Name] = true
		rel.Version = version
		rels = append(rels, rel)
	}
	return rels, nil
}
