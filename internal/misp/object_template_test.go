package misp

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestObjectTemplateRequirementsJSON(t *testing.T) {
	tests := []struct {
		name string
		r    ObjectTemplateRequirements
		want string
	}{
		{"none", ObjectTemplateRequirements{}, `[]`},
		{"required", ObjectTemplateRequirements{Required: []string{"a", "b"}}, `{"required":["a","b"]}`},
		{"one of", ObjectTemplateRequirements{RequiredOneOf: []string{"x"}}, `{"requiredOneOf":["x"]}`},
		{"both", ObjectTemplateRequirements{Required: []string{"a"}, RequiredOneOf: []string{"x", "y"}},
			`{"required":["a"],"requiredOneOf":["x","y"]}`},
		{"empty list kept", ObjectTemplateRequirements{Required: []string{}}, `{"required":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.r)
			if err != nil || string(b) != tt.want {
				t.Fatalf("Marshal(%+v) = %s, %v; want %s", tt.r, b, err, tt.want)
			}
			var back ObjectTemplateRequirements
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("Unmarshal(%s) = %v", b, err)
			}
			if d := cmp.Diff(tt.r, back); d != "" {
				t.Errorf("round trip of %s (-want +got):\n%s", b, d)
			}
		})
	}
	for _, bad := range []string{`["a"]`, `{"required": "a"}`, `3`} {
		var r ObjectTemplateRequirements
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", bad, r)
		}
	}
}

func TestObjectTemplateValidate(t *testing.T) {
	valid := func() *ObjectTemplate {
		return &ObjectTemplate{UUID: " 43B3B146-77EB-4931-B4CC-B66C60F28734 ", Name: " domain-ip ", Version: 11,
			Elements: []*ObjectTemplateElement{{ObjectRelation: "ip", Type: "ip-dst"}, {ObjectRelation: "domain", Type: "domain"}}}
	}
	ot := valid()
	if err := ot.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if ot.UUID != "43b3b146-77eb-4931-b4cc-b66c60f28734" || ot.Name != "domain-ip" {
		t.Errorf("normalised to %q %q", ot.UUID, ot.Name)
	}
	if e := ot.Elements[0]; e.Categories == nil || e.SaneDefault == nil || e.ValuesList == nil {
		t.Errorf("element lists left nil: %+v", e)
	}
	tests := []struct {
		name  string
		edit  func(*ObjectTemplate)
		field string
	}{
		{"no uuid", func(o *ObjectTemplate) { o.UUID = "" }, "uuid"},
		{"no name", func(o *ObjectTemplate) { o.Name = " " }, "name"},
		{"version 0", func(o *ObjectTemplate) { o.Version = 0 }, "version"},
		{"no relation", func(o *ObjectTemplate) { o.Elements[0].ObjectRelation = "" }, "ObjectTemplateElement"},
		{"relation twice", func(o *ObjectTemplate) { o.Elements[1].ObjectRelation = "ip" }, "ObjectTemplateElement"},
		{"no type", func(o *ObjectTemplate) { o.Elements[1].Type = "" }, "ObjectTemplateElement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ot := valid()
			tt.edit(ot)
			err := ot.Validate()
			var ve *ValidationError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &ve) || len(ve.Fields[tt.field]) == 0 {
				t.Errorf("Validate() = %v, want an error on %s", err, tt.field)
			}
		})
	}
	r := &ObjectRelationship{Name: " "}
	if err := r.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("ObjectRelationship.Validate(no name) = %v, want ErrInvalid", err)
	}
	r = &ObjectRelationship{Name: "uses"}
	if err := r.Validate(); err != nil || r.Format == nil {
		t.Errorf("ObjectRelationship.Validate() = %v, format %v", err, r.Format)
	}
}

func TestObjectTemplateFillObject(t *testing.T) {
	ot := &ObjectTemplate{UUID: "688c46fb-5edb-40a3-8273-1af7923e2215", Name: "file", MetaCategory: "file",
		Description: "File object.", Version: 24,
		Elements: []*ObjectTemplateElement{{ObjectRelation: "filename", Type: "filename"}}}
	o := &Object{Name: "fichier", MetaCategory: "misc", Description: "", TemplateUUID: "x", TemplateVersion: 3, Comment: "kept"}
	ot.FillObject(o)
	want := &Object{Name: "file", MetaCategory: "file", Description: "File object.",
		TemplateUUID: "688c46fb-5edb-40a3-8273-1af7923e2215", TemplateVersion: 24, Comment: "kept"}
	if d := cmp.Diff(want, o); d != "" {
		t.Errorf("FillObject (-want +got):\n%s", d)
	}
	if e, ok := ot.Element("filename"); !ok || e.Type != "filename" {
		t.Errorf("Element(filename) = %+v, %v", e, ok)
	}
	if _, ok := ot.Element("sha1"); ok {
		t.Error("Element(sha1) found")
	}
}

func TestObjectTemplateJSON(t *testing.T) {
	dc := Bool(true)
	ot := &ObjectTemplate{ID: 3, UUID: "u", Name: "n", MetaCategory: "m", Description: "d", Version: 2,
		Requirements: ObjectTemplateRequirements{RequiredOneOf: []string{"a"}}, Fixed: true, Active: true,
		Elements: []*ObjectTemplateElement{{ObjectRelation: "a"}}, Raw: json.RawMessage(`{"x":1}`)}
	b, err := json.Marshal(ot)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"3","user_id":"0","org_id":"0","uuid":"u","name":"n","meta-category":"m","description":"d","version":"2",` +
		`"requirements":{"requiredOneOf":["a"]},"fixed":true,"active":true}`
	if string(b) != want {
		t.Errorf("template JSON = %s, want %s", b, want)
	}
	e := &ObjectTemplateElement{ID: 9, ObjectTemplateID: 3, ObjectRelation: "a", Type: "text", UIPriority: 1,
		Categories: []string{}, SaneDefault: []string{}, ValuesList: []string{"x"}, DisableCorrelation: &dc}
	b, err = json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"id":"9","object_template_id":"3","object_relation":"a","type":"text","ui-priority":"1","categories":[],` +
		`"sane_default":[],"values_list":["x"],"description":"","disable_correlation":true,"multiple":false}`
	if string(b) != want {
		t.Errorf("element JSON = %s, want %s", b, want)
	}
}
