package stiximport

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzConvert checks that any input either converts to an event whose
// every element validates, with unique UUIDs, or fails with an *Error —
// and never panics. Seeds: the OASIS examples, testdata/*.json and the
// golden bundles of Razmena's STIX export.
func FuzzConvert(f *testing.F) {
	for _, pattern := range []string{filepath.Join(examples, "*.json"), filepath.Join(examples, "threat-reports", "*.json"),
		filepath.Join("testdata", "*.json"), filepath.Join("..", "export", "stix2", "testdata", "*.golden")} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add(bundle(indicator(1, "[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'x.example']")))
	f.Add(bundle(indicator(2, "[file:name = 'a' AND file:hashes.MD5 = '0123456789abcdef0123456789abcdef']",
		`"labels": ["misp:type=\"filename|md5\""]`)))
	f.Fuzz(func(t *testing.T, in []byte) {
		e, _, err := Convert(in, Options{Now: testNow, MaxObjects: 500})
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Convert error %T %v, want *Error", err, err)
			}
			if e != nil {
				t.Fatalf("Convert returned an event with error %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, a := range e.Attribute {
			if err := a.Validate(); err != nil {
				t.Fatalf("attribute %s %q invalid: %v", a.Type, a.Value, err)
			}
			if seen[a.UUID] {
				t.Fatalf("uuid %s repeated", a.UUID)
			}
			seen[a.UUID] = true
		}
		for _, o := range e.Object {
			if err := o.Validate(); err != nil {
				t.Fatalf("object %s invalid: %v", o.Name, err)
			}
			if seen[o.UUID] {
				t.Fatalf("uuid %s repeated", o.UUID)
			}
			seen[o.UUID] = true
			for _, a := range o.Attribute {
				if err := a.Validate(); err != nil {
					t.Fatalf("object attribute %s %q invalid: %v", a.Type, a.Value, err)
				}
				if seen[a.UUID] {
					t.Fatalf("uuid %s repeated", a.UUID)
				}
				seen[a.UUID] = true
			}
		}
	})
}
