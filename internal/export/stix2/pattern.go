package stix2

import (
	"regexp"
	"strconv"
	"strings"
)

// This file writes STIX patterns (STIX 2.1 §9). Values are string
// literals with the two escapes the grammar knows, \' and \\ (misp-stix
// has done the same since 2026-06); integer properties (ports, sizes, AS
// numbers) get integer literals, where misp-stix writes strings.

var literalEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

// quote returns s as a pattern string literal.
func quote(s string) string { return "'" + literalEscaper.Replace(s) + "'" }

// identifierPart is a path component that needs no quoting.
var identifierPart = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// key returns a path component, quoted when it is not an identifier:
// hashes.MD5 but hashes.'SHA-256'.
func key(s string) string {
	if identifierPart.MatchString(s) {
		return s
	}
	return quote(s)
}

// eq returns the comparison path = 'value'.
func eq(path, value string) string { return path + " = " + quote(value) }

// eqInt returns the comparison path = n.
func eqInt(path string, n int64) string { return path + " = " + strconv.FormatInt(n, 10) }

// ipRef returns the comparisons misp-stix writes for an address that a
// network-traffic object has as src_ref or dst_ref.
func ipRef(ref, addrType, value string) string {
	return eq("network-traffic:"+ref+".type", addrType) + " AND " + eq("network-traffic:"+ref+".value", value)
}

// and joins comparisons into one observation expression.
func and(cmps ...string) string { return "[" + strings.Join(cmps, " AND ") + "]" }
