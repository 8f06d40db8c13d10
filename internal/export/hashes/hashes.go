// Package hashes writes the restSearch "hashes" return format: the hash of
// each hash-bearing attribute, one per line, as MISP's HashesExport does.
package hashes

import (
	"bufio"
	"io"
	"strings"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the "hashes" returnFormat. It is restrictive (to_ids=1 and
// published=1 unless asked otherwise). The events scope writes the hashes
// of every attribute of each event, object attributes included, as MISP's
// flattened event fetch does.
var Format = export.Format{
	Name:        "hashes",
	ContentType: "text/plain; charset=UTF-8",
	Restrictive: true,
	Attributes:  func(w io.Writer, _ export.Options) export.AttributeWriter { return &writer{bw: bufio.NewWriter(w)} },
}

// The types HashesExport::VALID_TYPES knows. The lists are MISP's as they
// are: filename|sha384, sha384's composite, and newer hash types (vhash,
// telfhash, cdhash) are not among them, so they are not exported.
var (
	simple = set("md5", "sha1", "sha256", "sha224", "sha384", "sha512", "sha512/224", "sha512/256",
		"sha3-224", "sha3-256", "sha3-384", "sha3-512", "ssdeep", "imphash", "tlsh",
		"x509-fingerprint-sha1", "x509-fingerprint-md5", "x509-fingerprint-sha256",
		"pehash", "authentihash", "impfuzzy")
	composite = set("malware-sample", "filename|md5", "filename|sha1", "filename|sha256", "filename|sha224",
		"filename|sha512", "filename|sha512/224", "filename|sha512/256", "filename|sha3-224",
		"filename|sha3-256", "filename|sha3-384", "filename|sha3-512", "filename|ssdeep",
		"filename|imphash", "filename|tlsh", "filename|pehash", "filename|authentihash", "filename|impfuzzy")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// hash returns what the format writes for a: the value of a simple hash
// type, the second part of a filename|hash value, or "" for other types.
func hash(a *misp.Attribute) string {
	switch {
	case simple[a.Type]:
		return a.Value
	case composite[a.Type]:
		// explode('|', value)[1]: the part between the first and a
		// second '|' (stored composite values have exactly one).
		_, rest, _ := strings.Cut(a.Value, "|")
		part, _, _ := strings.Cut(rest, "|")
		return part
	}
	return ""
}

// writer writes one hash a line. Repeated hashes are all written: unlike
// the text format, HashesExport does not deduplicate.
type writer struct {
	bw *bufio.Writer
	n  int
}

func (w *writer) Write(h misp.AttributeHit) error {
	v := hash(h.Attribute)
	if v == "" {
		// MISP writes nothing for a handler result of ''.
		return nil
	}
	w.n++
	if _, err := w.bw.WriteString(v); err != nil {
		return err
	}
	return w.bw.WriteByte('\n')
}

// Close ends the answer. MISP joins the hashes with the separator "\n"
// and adds the footer "\n": the same as a newline after each hash, and a
// single newline for an empty answer.
func (w *writer) Close() error {
	if w.n == 0 {
		if err := w.bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}
