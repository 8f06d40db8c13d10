package misp

import "strings"

// NormalizeValue is replaced by the full per-type rules.
func NormalizeValue(typ, value string) (string, error) { return strings.TrimSpace(value), nil }
