package mispjson

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestDecodeAttributes(t *testing.T) {
	ip := &misp.Attribute{Type: "ip-dst", Value: "1.2.3.4"}
	dom := &misp.Attribute{Type: "domain", Value: "a.example"}
	tests := []struct {
		name      string
		body      string
		want      []*misp.Attribute
		wantMulti bool
	}{
		{"bare", `{"type":"ip-dst","value":"1.2.3.4"}`, []*misp.Attribute{ip}, false},
		{"wrapped", `{"Attribute":{"type":"ip-dst","value":"1.2.3.4"}}`, []*misp.Attribute{ip}, false},
		{"request wrapped", `{"request":{"Attribute":{"type":"ip-dst","value":"1.2.3.4"}}}`, []*misp.Attribute{ip}, false},
		{"one-element list answers single", `[{"type":"ip-dst","value":"1.2.3.4"}]`, []*misp.Attribute{ip}, false},
		{"one-element wrapped list", `{"Attribute":[{"type":"ip-dst","value":"1.2.3.4"}]}`, []*misp.Attribute{ip}, false},
		{"list", `[{"type":"ip-dst","value":"1.2.3.4"},{"type":"domain","value":"a.example"}]`, []*misp.Attribute{ip, dom}, true},
		{"list of wrapped", `[{"Attribute":{"type":"ip-dst","value":"1.2.3.4"}},{"Attribute":{"type":"domain","value":"a.example"}}]`, []*misp.Attribute{ip, dom}, true},
		{"wrapped list", `{"Attribute":[{"type":"ip-dst","value":"1.2.3.4"},{"type":"domain","value":"a.example"}]}`, []*misp.Attribute{ip, dom}, true},
		{
			"value list",
			`{"type":"ip-dst","category":"Network activity","to_ids":true,"comment":"c","value":["1.2.3.4","5.6.7.8"],"Tag":[{"name":"t"}]}`,
			[]*misp.Attribute{
				{Type: "ip-dst", Category: "Network activity", ToIDS: true, Comment: "c", Value: "1.2.3.4", Tag: []*misp.AttachedTag{{Name: "t"}}},
				{Type: "ip-dst", Category: "Network activity", ToIDS: true, Comment: "c", Value: "5.6.7.8", Tag: []*misp.AttachedTag{{Name: "t"}}},
			},
			true,
		},
		{"one-element value list answers single", `{"Attribute":{"type":"ip-dst","value":["1.2.3.4"]}}`, []*misp.Attribute{ip}, false},
		{"value list of numbers", `{"type":"port","value":[80,443]}`, []*misp.Attribute{{Type: "port", Value: "80"}, {Type: "port", Value: "443"}}, true},
		{
			"list with a value list",
			`[{"type":"domain","value":"a.example"},{"type":"ip-dst","value":["1.2.3.4","1.2.3.4"]}]`,
			[]*misp.Attribute{dom, ip, ip},
			true,
		},
		{"value1 value2", `{"type":"ip-dst|port","value1":"1.2.3.4","value2":"443"}`, []*misp.Attribute{{Type: "ip-dst|port", Value: "1.2.3.4|443"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, multi, err := DecodeAttributes([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeAttributes(%s) error: %v", tt.body, err)
			}
			var attrs []*misp.Attribute
			for _, a := range got {
				attrs = append(attrs, a.Attribute)
			}
			if diff := cmp.Diff(tt.want, attrs, cmpEmpty); diff != "" {
				t.Errorf("DecodeAttributes(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
			if multi != tt.wantMulti {
				t.Errorf("DecodeAttributes(%s) multi = %v, want %v", tt.body, multi, tt.wantMulti)
			}
		})
	}
}

func TestDecodeAttributesShareNothing(t *testing.T) {
	got, _, err := DecodeAttributes([]byte(`{"type":"ip-dst","value":["1.2.3.4","5.6.7.8"],"first_seen":1,"Tag":[{"name":"t"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a, b := got[0].Attribute, got[1].Attribute
	if a.FirstSeen == b.FirstSeen || a.Tag[0] == b.Tag[0] {
		t.Error("attributes of one value list share memory")
	}
	if !got[1].Has("value") || !got[1].Has("first_seen") || got[1].Has("to_ids") {
		t.Errorf("Fields of a value-list attribute = %v", got[1].Fields)
	}
}

func TestDecodeAttributesRejects(t *testing.T) {
	tests := []struct {
		name string
		body string
		path string
	}{
		{"empty", ``, ""},
		{"malformed", `{"type":`, ""},
		{"empty list", `[]`, "Attribute"},
		{"empty wrapped list", `{"Attribute":[]}`, "Attribute"},
		{"number", `5`, "Attribute"},
		{"null", `null`, "Attribute"},
		{"wrapped string", `{"Attribute":"x"}`, "Attribute"},
		{"list of numbers", `[1,2]`, "Attribute[0]"},
		{"second item bad", `[{"type":"a"},{"type":{}}]`, "Attribute[1].type"},
		{"empty value list", `{"type":"ip-dst","value":[]}`, "Attribute.value"},
		{"value list of objects", `{"type":"ip-dst","value":[{}]}`, "Attribute.value[0]"},
		{"value list nested", `{"type":"ip-dst","value":["a",["b"]]}`, "Attribute.value[1]"},
		{"value object", `{"type":"ip-dst","value":{"a":1}}`, "Attribute.value"},
		{"to_ids word", `{"type":"ip-dst","value":"1.2.3.4","to_ids":"yes please"}`, "Attribute.to_ids"},
		{"Tag number", `{"type":"ip-dst","Tag":1}`, "Attribute.Tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := DecodeAttributes([]byte(tt.body))
			if err == nil {
				t.Fatalf("DecodeAttributes(%s) = %d attributes, want an error", tt.body, len(got))
			}
			wantInputError(t, "DecodeAttributes("+tt.body+")", err, tt.path)
		})
	}
}

func TestMergeAttribute(t *testing.T) {
	stored := fixtureEvent().Object[0].Attribute[0]
	stored.FirstSeen = ptr(misp.MicroTime(1000000))
	stored.Tag = []*misp.AttachedTag{{ID: 1, Name: "tlp:white"}}
	before := *stored
	beforeFirst, beforeRelation := *stored.FirstSeen, *stored.ObjectRelation

	tests := []struct {
		name       string
		body       string
		edit       func(a *misp.Attribute)
		wantFields []string
	}{
		{"nothing", `{}`, func(a *misp.Attribute) {}, nil},
		{"comment", `{"Attribute":{"comment":"new"}}`, func(a *misp.Attribute) { a.Comment = "new" }, []string{"comment"}},
		{"pointers", `{"first_seen":"1970-01-01T00:00:02Z","object_relation":"other"}`, func(a *misp.Attribute) {
			a.FirstSeen, a.ObjectRelation = ptr(misp.MicroTime(2000000)), ptr("other")
		}, []string{"first_seen", "object_relation"}},
		{"clear first_seen", `{"first_seen":null}`, func(a *misp.Attribute) { a.FirstSeen = nil }, []string{"first_seen"}},
		{"value from value1", `{"value1":"b.exe","timestamp":"1710500000"}`, func(a *misp.Attribute) {
			a.Value, a.Timestamp = "b.exe", 1710500000
		}, []string{"value", "value1", "timestamp"}},
		{"tags from the body only", `{"Tag":[{"name":"tlp:red","deleted":1}]}`, func(a *misp.Attribute) {
			a.Tag = []*misp.AttachedTag{{Name: "tlp:red", Deleted: true}}
		}, []string{"Tag"}},
		{"to_ids false", `{"to_ids":"0","distribution":"1"}`, func(a *misp.Attribute) { a.ToIDS, a.Distribution = false, 1 }, []string{"to_ids", "distribution"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := MergeAttribute(stored, []byte(tt.body))
			if err != nil {
				t.Fatalf("MergeAttribute(%s) error: %v", tt.body, err)
			}
			want := before
			want.Tag = nil
			tt.edit(&want)
			if diff := cmp.Diff(&want, in.Attribute, cmpEmpty); diff != "" {
				t.Errorf("MergeAttribute(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
			for _, k := range tt.wantFields {
				if !in.Has(k) {
					t.Errorf("MergeAttribute(%s): Has(%q) = false", tt.body, k)
				}
			}
			if len(stored.Tag) != 1 || *stored.FirstSeen != beforeFirst || *stored.ObjectRelation != beforeRelation || stored.Comment != before.Comment {
				t.Errorf("MergeAttribute(%s) modified stored", tt.body)
			}
		})
	}
	for _, body := range []string{`{"value":["a","b"]}`, `[{}, {}]`, `{"Attribute":5}`, `{"deleted":"maybe"}`, `nope`} {
		_, err := MergeAttribute(stored, []byte(body))
		wantInputError(t, "MergeAttribute("+body+")", err, "*")
	}
}
