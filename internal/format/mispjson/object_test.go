package mispjson

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestDecodeObject(t *testing.T) {
	file := func(attrs ...*misp.Attribute) *misp.Object {
		return &misp.Object{Name: "file", MetaCategory: "file", Distribution: 5, Attribute: attrs}
	}
	fn := &misp.Attribute{ObjectRelation: ptr("filename"), Type: "filename", Value: "a.exe"}
	md5 := &misp.Attribute{ObjectRelation: ptr("md5"), Type: "md5", Value: "d41d8cd98f00b204e9800998ecf8427e"}
	const fnJSON = `{"object_relation":"filename","type":"filename","value":"a.exe"}`
	const md5JSON = `{"object_relation":"md5","type":"md5","value":"d41d8cd98f00b204e9800998ecf8427e"}`
	tests := []struct {
		name string
		body string
		want *misp.Object
	}{
		{"wrapped, Attribute inside", `{"Object":{"name":"file","meta-category":"file","distribution":"5","Attribute":[` + fnJSON + `,` + md5JSON + `]}}`, file(fn, md5)},
		{"wrapped, Attribute beside", `{"Object":{"name":"file","meta-category":"file","distribution":5},"Attribute":[` + fnJSON + `]}`, file(fn)},
		{"inside wins over beside", `{"Object":{"name":"file","meta-category":"file","distribution":5,"Attribute":[` + fnJSON + `]},"Attribute":[` + md5JSON + `]}`, file(fn)},
		{"bare", `{"name":"file","meta-category":"file","distribution":5,"Attribute":` + fnJSON + `}`, file(fn)},
		{"request", `{"request":{"Object":{"name":"file","meta-category":"file","distribution":5},"Attribute":[` + md5JSON + `]}}`, file(md5)},
		{"one-element list", `[{"Object":{"name":"file","meta-category":"file","distribution":5,"Attribute":[` + fnJSON + `]}}]`, file(fn)},
		{
			"with references and tags on attributes",
			`{"Object":{"name":"file","meta-category":"file","distribution":5,"Attribute":[{"object_relation":"md5","type":"md5","value":"d41d8cd98f00b204e9800998ecf8427e","Tag":["tlp:green"]}],"ObjectReference":[{"referenced_uuid":"R","relationship_type":"drops"}]}}`,
			&misp.Object{
				Name: "file", MetaCategory: "file", Distribution: 5,
				Attribute:       []*misp.Attribute{{ObjectRelation: ptr("md5"), Type: "md5", Value: "d41d8cd98f00b204e9800998ecf8427e", Tag: []*misp.AttachedTag{{Name: "tlp:green"}}}},
				ObjectReference: []*misp.ObjectReference{{ReferencedUUID: "R", RelationshipType: "drops"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeObject([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeObject(%s) error: %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, in.Object, cmpEmpty); diff != "" {
				t.Errorf("DecodeObject(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
			if len(in.Attributes) != len(in.Object.Attribute) {
				t.Fatalf("DecodeObject(%s): %d AttributeInputs for %d attributes", tt.body, len(in.Attributes), len(in.Object.Attribute))
			}
			for i, a := range in.Attributes {
				if a.Attribute != in.Object.Attribute[i] || !a.Has("object_relation") {
					t.Errorf("DecodeObject(%s): Attributes[%d] does not describe Object.Attribute[%d]", tt.body, i, i)
				}
			}
			if !in.Has("distribution") || !in.Has("Attribute") || in.Has("comment") {
				t.Errorf("DecodeObject(%s) Fields = %v", tt.body, in.Fields)
			}
		})
	}
}

func TestDecodeObjectRejects(t *testing.T) {
	tests := []struct {
		name string
		body string
		path string
	}{
		{"empty", ``, ""},
		{"malformed", `{"Object":}`, ""},
		{"Object number", `{"Object":5}`, "Object"},
		{"Object null", `{"Object":null}`, "Object"},
		{"list of two", `[{"name":"a"},{"name":"b"}]`, "Object"},
		{"Attribute number", `{"Object":{"name":"file","Attribute":5}}`, "Object.Attribute"},
		{"Attribute beside number", `{"Object":{"name":"file"},"Attribute":5}`, "Object.Attribute"},
		{"Attribute item", `{"Object":{"name":"file","Attribute":[[]]}}`, "Object.Attribute[0]"},
		{"meta-category object", `{"Object":{"meta-category":{}}}`, "Object.meta-category"},
		{"template_version word", `{"Object":{"template_version":"v2"}}`, "Object.template_version"},
		{"ObjectReference number", `{"ObjectReference":7}`, "Object.ObjectReference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeObject([]byte(tt.body))
			if err == nil {
				t.Fatalf("DecodeObject(%s) = %+v, want an error", tt.body, in.Object)
			}
			wantInputError(t, "DecodeObject("+tt.body+")", err, tt.path)
		})
	}
}

func TestMergeObject(t *testing.T) {
	stored := fixtureEvent().Object[0]
	stored.FirstSeen = ptr(misp.MicroTime(5))
	before := *stored
	in, err := MergeObject(stored, []byte(`{"Object":{"comment":"c","first_seen":null},"Attribute":[{"uuid":"u","object_relation":"size-in-bytes","type":"size-in-bytes","value":"12"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := before
	want.Comment, want.FirstSeen, want.ObjectReference = "c", nil, nil
	want.Attribute = []*misp.Attribute{{UUID: "u", ObjectRelation: ptr("size-in-bytes"), Type: "size-in-bytes", Value: "12"}}
	if diff := cmp.Diff(&want, in.Object, cmpEmpty); diff != "" {
		t.Errorf("MergeObject mismatch (-want +got):\n%s", diff)
	}
	if stored.FirstSeen == nil || *stored.FirstSeen != 5 || stored.Comment != "" || len(stored.Attribute) != 2 {
		t.Error("MergeObject modified stored")
	}
	if !in.Has("comment") || in.Has("name") {
		t.Errorf("MergeObject Fields = %v", in.Fields)
	}
	_, err = MergeObject(stored, []byte(`{"Object":{"name":[]}}`))
	wantInputError(t, "MergeObject(name list)", err, "Object.name")
}

func TestDecodeObjectReference(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *misp.ObjectReference
	}{
		{
			"bare, as PyMISP sends it",
			`{"object_uuid":"S","referenced_uuid":"R","relationship_type":"rel","comment":"c","uuid":"U"}`,
			&misp.ObjectReference{ObjectUUID: "S", ReferencedUUID: "R", RelationshipType: "rel", Comment: "c", UUID: "U"},
		},
		{"bare with source_uuid", `{"source_uuid":"S","referenced_uuid":"R"}`, &misp.ObjectReference{SourceUUID: "S", ObjectUUID: "S", ReferencedUUID: "R"}},
		{"wrapped with top-level object_uuid", `{"ObjectReference":{"referenced_uuid":"R"},"object_uuid":"S"}`, &misp.ObjectReference{ObjectUUID: "S", ReferencedUUID: "R"}},
		{"top-level object_uuid wins", `{"ObjectReference":{"object_uuid":"X","referenced_uuid":"R"},"object_uuid":"S"}`, &misp.ObjectReference{ObjectUUID: "S", ReferencedUUID: "R"}},
		{"wrapped, inner object_uuid", `{"ObjectReference":{"object_uuid":"X","referenced_uuid":"R"}}`, &misp.ObjectReference{ObjectUUID: "X", ReferencedUUID: "R"}},
		{"numbers", `{"ObjectReference":{"object_id":4,"referenced_id":"9","referenced_type":1}}`, &misp.ObjectReference{ObjectID: 4, ReferencedID: 9, ReferencedType: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeObjectReference([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeObjectReference(%s) error: %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeObjectReference(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
	for _, body := range []string{``, `5`, `[]`, `{"ObjectReference":"x"}`, `{"relationship_type":{}}`, `{"ObjectReference":{},"object_uuid":{}}`} {
		_, err := DecodeObjectReference([]byte(body))
		wantInputError(t, "DecodeObjectReference("+body+")", err, "*")
	}
}
