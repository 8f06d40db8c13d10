// Package stix2test validates STIX 2.1 bundles in tests: against the
// OASIS STIX 2.1 JSON schemas, the pattern grammar, and the MUSTs of the
// specification the schemas cannot express. The STIX exporter's and
// importer's tests share it.
//
// Validation follows the OASIS reference validator (cti-stix-validator):
// the bundle's own properties against bundle.json with its object list
// reduced to "an array of objects", then each object against the schema of
// its type, and a custom object against core.json (it has created or
// modified) or cyber-observable-core.json. Validating whole bundles
// against bundle.json alone rejects every custom SDO, grouping, note,
// location, opinion and incident: its oneOf over core and
// cyber-observable-core matches both for any SDO outside its list. We
// also run that whole-bundle check when every object's type is in the
// list, where it is right.
package stix2test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaBase is the $id prefix of the OASIS schemas; they refer to each
// other by relative references against it, which the compiler resolves
// to the resources added from the local copy.
const schemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// envelopeURL names our derived bundle schema: bundle.json with objects
// checked only as an array of objects, each then checked on its own.
const envelopeURL = schemaBase + "common/bundle-envelope.json"

// Validator checks bundles against a compiled copy of the schemas.
type Validator struct {
	envelope, bundle *jsonschema.Schema
	// types maps an object type to its schema.
	types                map[string]*jsonschema.Schema
	core, observableCore *jsonschema.Schema
	// bundleTypes are the types bundle.json knows.
	bundleTypes map[string]bool
}

// Load compiles the schemas of the directory dir, the schemas directory
// of github.com/oasis-open/cti-stix2-json-schemas (branch stix2.1).
func Load(dir string) (*Validator, error) {
	c := jsonschema.NewCompiler()
	var bundleDoc any
	types := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		m, ok := doc.(map[string]any)
		id, _ := m["$id"].(string)
		if !ok || !strings.HasPrefix(id, schemaBase) {
			return fmt.Errorf("%s: $id %q is not under %s", path, id, schemaBase)
		}
		if err := c.AddResource(id, doc); err != nil {
			return err
		}
		rel := strings.TrimPrefix(id, schemaBase)
		switch group, name, _ := strings.Cut(strings.TrimSuffix(rel, ".json"), "/"); {
		case group == "sdos" || group == "sros" || group == "observables":
			types[name] = id
		case rel == "common/marking-definition.json", rel == "common/language-content.json", rel == "common/extension-definition.json":
			types[name] = id
		case rel == "common/bundle.json":
			bundleDoc = doc
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load STIX schemas: %w", err)
	}
	if bundleDoc == nil {
		return nil, fmt.Errorf("load STIX schemas: no common/bundle.json in %s", dir)
	}
	v := &Validator{types: map[string]*jsonschema.Schema{}, bundleTypes: map[string]bool{}}
	if err := c.AddResource(envelopeURL, envelope(bundleDoc)); err != nil {
		return nil, err
	}
	compile := func(url string) *jsonschema.Schema {
		if err != nil {
			return nil
		}
		var s *jsonschema.Schema
		s, err = c.Compile(url)
		return s
	}
	v.envelope = compile(envelopeURL)
	v.bundle = compile(schemaBase + "common/bundle.json")
	v.core = compile(schemaBase + "common/core.json")
	v.observableCore = compile(schemaBase + "common/cyber-observable-core.json")
	for typ, url := range types {
		v.types[typ] = compile(url)
	}
	if err != nil {
		return nil, fmt.Errorf("compile STIX schemas: %w", err)
	}
	for _, ref := range bundleRefs(bundleDoc) {
		v.bundleTypes[strings.TrimSuffix(filepath.Base(ref), ".json")] = true
	}
	return v, nil
}

// envelope returns a copy of bundle.json whose objects are only checked
// to be a non-empty array of objects.
func envelope(bundle any) any {
	m := bundle.(map[string]any)
	props := map[string]any{}
	for k, x := range m["properties"].(map[string]any) {
		props[k] = x
	}
	props["objects"] = map[string]any{"type": "array", "minItems": 1, "items": map[string]any{"type": "object"}}
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	out["$id"] = envelopeURL
	out["properties"] = props
	return out
}

// bundleRefs returns the $refs of bundle.json's list of known objects.
func bundleRefs(bundle any) []string {
	var refs []string
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok && !strings.Contains(r, "core.json") && !strings.Contains(r, "identifier.json") {
				refs = append(refs, r)
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(bundle.(map[string]any)["properties"].(map[string]any)["objects"])
	return refs
}

// Check returns every problem of bundle: schema errors, pattern syntax
// errors and broken MUSTs, each naming the object.
func (v *Validator) Check(bundle []byte) []error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bundle))
	if err != nil {
		return []error{fmt.Errorf("bundle is not JSON: %w", err)}
	}
	var errs []error
	if err := v.envelope.Validate(inst); err != nil {
		errs = append(errs, fmt.Errorf("bundle: %w", err))
	}
	m, _ := inst.(map[string]any)
	objects, _ := m["objects"].([]any)
	allKnown := len(objects) > 0
	for i, o := range objects {
		obj, ok := o.(map[string]any)
		if !ok {
			continue // the envelope said so
		}
		typ, _ := obj["type"].(string)
		name := fmt.Sprintf("objects[%d] %v", i, obj["id"])
		s := v.types[typ]
		if s == nil {
			_, created := obj["created"]
			_, modified := obj["modified"]
			s = v.observableCore
			if created || modified {
				s = v.core
			}
		}
		if err := s.Validate(obj); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		for _, err := range musts(obj) {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		allKnown = allKnown && v.bundleTypes[typ]
	}
	if allKnown {
		if err := v.bundle.Validate(inst); err != nil {
			errs = append(errs, fmt.Errorf("bundle.json: %w", err))
		}
	}
	return errs
}

// musts checks what the schemas leave to prose.
func musts(o map[string]any) []error {
	var errs []error
	str := func(k string) string { s, _ := o[k].(string); return s }
	later := func(a, b, rule string) {
		// RFC 3339 UTC timestamps of equal precision compare as strings;
		// the schemas make them UTC, stixTime makes them comparable.
		if str(a) != "" && str(b) != "" && stixTime(str(b)) < stixTime(str(a)) {
			errs = append(errs, fmt.Errorf("%s %s is before %s %s (%s)", b, str(b), a, str(a), rule))
		}
	}
	later("created", "modified", "modified MUST be later than or equal to created")
	later("first_observed", "last_observed", "last_observed MUST be later than or equal to first_observed")
	if str("valid_until") != "" && stixTime(str("valid_until")) <= stixTime(str("valid_from")) {
		errs = append(errs, errors.New("valid_until MUST be later than valid_from"))
	}
	if str("type") == "indicator" && str("pattern_type") == "stix" {
		if err := CheckPattern(str("pattern")); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// stixTime pads the fraction of a timestamp to nanoseconds so that
// timestamps compare as strings.
func stixTime(s string) string {
	s = strings.TrimSuffix(s, "Z")
	date, frac, _ := strings.Cut(s, ".")
	return date + "." + (frac + "000000000")[:9]
}

// Dir returns the schemas directory next to the repository, at
// <repo>/../shared/stix2-json-schemas/schemas, found from the working
// directory (a package directory, in tests).
func Dir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "stix2-json-schemas", "schemas"), nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// load compiles the schemas once per test binary: compiling them takes
// longer than validating a bundle, and the compiled schemas never change.
var load = sync.OnceValues(func() (*Validator, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%w: %w", errNoSchemas, err)
	}
	return Load(dir)
})

var errNoSchemas = errors.New("STIX 2.1 JSON schemas not found (CI has them at ../shared/stix2-json-schemas)")

// validator returns the shared Validator, skipping the test when the
// schemas are not installed.
func validator(t testing.TB) *Validator {
	t.Helper()
	v, err := load()
	if errors.Is(err, errNoSchemas) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Validate fails t for every problem Check finds in bundle. It skips the
// test when the schemas directory is absent.
func Validate(t testing.TB, bundle []byte) {
	t.Helper()
	for _, err := range validator(t).Check(bundle) {
		msg := err.Error()
		if len(msg) > 4000 {
			msg = msg[:4000] + " …"
		}
		t.Error(msg)
	}
}

// CheckRefs returns the references of bundle that name no object in it
// (created_by_ref, object_refs, object_marking_refs, *_ref and *_refs at
// any depth), and identifiers used by two objects that differ. STIX
// allows references to objects outside a bundle; our exporter writes
// everything it refers to, so its tests require this.
func CheckRefs(bundle []byte) []error {
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		return []error{err}
	}
	var errs []error
	byID := map[string]json.RawMessage{}
	var refs [][2]string // object id, reference
	for _, raw := range b.Objects {
		var o map[string]any
		if err := json.Unmarshal(raw, &o); err != nil {
			return []error{err}
		}
		id, _ := o["id"].(string)
		if prev, ok := byID[id]; ok && !bytes.Equal(prev, raw) {
			errs = append(errs, fmt.Errorf("%s appears twice with different content", id))
		}
		byID[id] = raw
		collectRefs(o, func(ref string) { refs = append(refs, [2]string{id, ref}) })
	}
	for _, r := range refs {
		if _, ok := byID[r[1]]; !ok {
			errs = append(errs, fmt.Errorf("%s refers to %s, which is not in the bundle", r[0], r[1]))
		}
	}
	return errs
}

func collectRefs(x any, add func(string)) {
	switch x := x.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			switch v := x[k].(type) {
			case string:
				if strings.HasSuffix(k, "_ref") {
					add(v)
				}
			case []any:
				if strings.HasSuffix(k, "_refs") {
					for _, r := range v {
						if s, ok := r.(string); ok {
							add(s)
						}
					}
					continue
				}
				collectRefs(v, add)
			default:
				collectRefs(v, add)
			}
		}
	case []any:
		for _, y := range x {
			collectRefs(y, add)
		}
	}
}

// ValidateRefs fails t for every problem CheckRefs finds.
func ValidateRefs(t testing.TB, bundle []byte) {
	t.Helper()
	for _, err := range CheckRefs(bundle) {
		t.Error(err)
	}
}
