package misp

//go:generate go run ./internal/gentypes -in ../../../shared/spec/attribute-types.json -out attribute_types.gen.go

import (
	"sort"
	"strings"
)

// TypeInfo describes an attribute type: its default category, whether
// to_ids defaults to true, and the categories that allow it.
type TypeInfo struct {
	Name            string
	DefaultCategory string
	ToIDS           bool
	Categories      []string
}

// LookupType returns the definition of an attribute type.
func LookupType(name string) (TypeInfo, bool) {
	t, ok := attributeTypes[name]
	return t, ok
}

// CategoryAllows reports whether category lists type.
func CategoryAllows(category, typ string) bool {
	for _, t := range categoryTypes[category] {
		if t == typ {
			return true
		}
	}
	return false
}

// Categories returns the categories in MISP's order.
func Categories() []string { return append([]string(nil), categoryOrder...) }

// CategoryTypes returns the types a category allows, in MISP's order.
func CategoryTypes(category string) []string {
	return append([]string(nil), categoryTypes[category]...)
}

// TypeNames returns every attribute type, sorted.
func TypeNames() []string {
	names := make([]string, 0, len(attributeTypes))
	for n := range attributeTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsCompositeType reports whether values of typ are "left|right": every type
// whose name contains "|", plus malware-sample (filename|md5).
func IsCompositeType(typ string) bool {
	return strings.Contains(typ, "|") || typ == "malware-sample"
}

// IsAttachmentType reports whether typ carries file content in Data.
func IsAttachmentType(typ string) bool {
	return typ == "attachment" || typ == "malware-sample"
}
