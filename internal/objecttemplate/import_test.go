package objecttemplate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

func TestMISP(t *testing.T) {
	tmpl, err := Parse(strings.NewReader(c2List))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Elements[0].DisableCorrelation = boolp(true)
	got := tmpl.MISP()
	dc := misp.Bool(true)
	want := &misp.ObjectTemplate{
		UUID: "u1", Name: "c2-list", MetaCategory: "network", Description: "d", Version: 1,
		Requirements: misp.ObjectTemplateRequirements{Required: []string{"threat"}, RequiredOneOf: []string{"c2-ip", "c2-ipport"}},
		Fixed:        true,
		Raw:          tmpl.Raw,
		Elements: []*misp.ObjectTemplateElement{
			{ObjectRelation: "c2-ip", Type: "ip-src", Multiple: true, Categories: []string{}, SaneDefault: []string{}, ValuesList: []string{}, DisableCorrelation: &dc},
			{ObjectRelation: "c2-ipport", Type: "ip-src|port", Multiple: true, Categories: []string{}, SaneDefault: []string{}, ValuesList: []string{}},
			{ObjectRelation: "threat", Type: "text", Categories: []string{}, SaneDefault: []string{}, ValuesList: []string{}},
			{ObjectRelation: "state", Type: "text", Categories: []string{}, SaneDefault: []string{}, ValuesList: []string{"active", "inactive"}},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("MISP() (-want +got):\n%s", d)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("MISP().Validate() = %v", err)
	}
	// FromMISP gives back what the loader had, less what MISP drops.
	tmpl.Elements[0].ToIDS, tmpl.Elements[0].Recommended = nil, false
	if d := cmp.Diff(tmpl, FromMISP(got), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("FromMISP(MISP()) (-want +got):\n%s", d)
	}

	rel := Relationship{Name: "uses", Description: "u", Opposite: "used-by", Version: 4}
	if d := cmp.Diff(&misp.ObjectRelationship{Version: 4, Name: "uses", Description: "u", Format: []string{}}, rel.MISP()); d != "" {
		t.Errorf("Relationship.MISP() (-want +got):\n%s", d)
	}
}

func TestValidateObject(t *testing.T) {
	tmpl, err := Parse(strings.NewReader(c2List))
	if err != nil {
		t.Fatal(err)
	}
	mt := tmpl.MISP()
	rel := func(s string) *string { return &s }
	o := &misp.Object{Attribute: []*misp.Attribute{
		{ObjectRelation: rel("threat"), Type: "text", Value: "x"},
		{ObjectRelation: rel("c2-ip"), Type: "ip-src", Value: "192.0.2.1"},
		{ObjectRelation: rel("c2-ip"), Type: "ip-src", Value: "192.0.2.2", Deleted: true},
	}}
	if err := ValidateObject(mt, o); err != nil {
		t.Errorf("ValidateObject(conforming) = %v", err)
	}
	o.Attribute = append(o.Attribute, &misp.Attribute{ObjectRelation: rel("threat"), Type: "text", Value: "y"})
	var ce *ConformityError
	if err := ValidateObject(mt, o); !errors.As(err, &ce) || ce.Problems[0].Kind != Repeated || !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("ValidateObject(threat twice) = %v, want a Repeated problem", err)
	}
	o.Attribute = []*misp.Attribute{{Type: "text", Value: "no relation"}}
	if err := ValidateObject(mt, o); !errors.As(err, &ce) || ce.Problems[0].Kind != MissingRequired {
		t.Errorf("ValidateObject(no relation) = %v, want a MissingRequired problem", err)
	}
}

// fakeStore records what ImportDir hands the store.
type fakeStore struct {
	misp.ObjectTemplateStore
	templates []*misp.ObjectTemplate
	rels      []*misp.ObjectRelationship
	err       error
}

func (s *fakeStore) ImportObjectTemplates(_ context.Context, ts []*misp.ObjectTemplate, rs []*misp.ObjectRelationship) (misp.LibraryResult, error) {
	s.templates, s.rels = ts, rs
	return misp.LibraryResult{Library: "object templates", Added: len(ts)}, s.err
}

func TestImportDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "objects", "c2-list", "definition.json"), c2List)
	writeFile(t, filepath.Join(dir, "objects", "broken", "definition.json"), `{"name": "broken",`)
	writeFile(t, filepath.Join(dir, "objects", "twice", "definition.json"),
		`{"name": "twice", "uuid": "u2", "version": 0, "attributes": {"a": {"misp-attribute": "text"}}}`)
	writeFile(t, filepath.Join(dir, "relationships", "definition.json"),
		`{"version": 7, "values": [{"name": "uses", "description": "u", "format": ["misp"]}]}`)
	st := &fakeStore{}
	res, err := ImportDir(t.Context(), st, dir)
	if err != nil {
		t.Fatalf("ImportDir() = %v", err)
	}
	if len(st.templates) != 1 || st.templates[0].Name != "c2-list" || len(st.rels) != 1 || st.rels[0].Version != 7 {
		t.Errorf("store got templates %v, relationships %v", st.templates, st.rels)
	}
	if res.Library != "object templates" || res.Added != 1 || len(res.Errors) != 2 ||
		!strings.Contains(res.Errors[0], filepath.Join("broken", "definition.json")) ||
		!strings.Contains(res.Errors[1], "object template twice") {
		t.Errorf("ImportDir() = %+v, want 1 added and the broken and version-0 templates reported", res)
	}

	st.err = misp.ErrInvalid
	if _, err := ImportDir(t.Context(), st, dir); !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("ImportDir(failing store) = %v, want the store's error", err)
	}

	empty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(empty, "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	st = &fakeStore{}
	if _, err := ImportDir(t.Context(), st, empty); !errors.Is(err, ErrNoTemplates) || st.templates != nil {
		t.Errorf("ImportDir(no templates) = %v, store called with %v; want ErrNoTemplates and no call", err, st.templates)
	}
	if _, err := ImportDir(t.Context(), st, filepath.Join(empty, "missing")); !errors.Is(err, ErrNoTemplates) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ImportDir(missing directory) = %v, want ErrNoTemplates and the not-exist error", err)
	}
}
