package mispjson

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

// wantInputError checks that err is an *InputError at path matching
// misp.ErrInvalid. Path "" is a body that is not JSON; "*" is any path.
func wantInputError(t *testing.T, call string, err error, path string) {
	t.Helper()
	if !errors.Is(err, misp.ErrInvalid) {
		t.Fatalf("%s error = %v, want one matching misp.ErrInvalid", call, err)
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("%s error = %T, want *InputError", call, err)
	}
	if path != "*" && ie.Path != path {
		t.Errorf("%s error path = %q, want %q (%v)", call, ie.Path, path, err)
	}
}

var cmpEmpty = cmpopts.EquateEmpty()

func TestDecodeEventSpellings(t *testing.T) {
	info := &misp.Event{Info: "x"}
	tests := []struct {
		name string
		body string
		want *misp.Event
	}{
		{"wrapped", `{"Event":{"info":"x"}}`, info},
		{"bare", `{"info":"x"}`, info},
		{"request wrapped", `{"request":{"Event":{"info":"x"}}}`, info},
		{"request bare", `{"request":{"info":"x"}}`, info},
		{"response wrapped", `{"response":{"Event":{"info":"x"}}}`, info},
		{"response list", `{"response":[{"Event":{"info":"x"}}]}`, info},
		{"one-element list", `[{"Event":{"info":"x"}}]`, info},
		{"one-element list bare", ` [ {"info":"x"} ] `, info},
		{"request list", `[{"request":{"Event":{"info":"x"}}}]`, info},
		{"event as one-element list", `{"Event":[{"info":"x"}]}`, info},
		{"unknown keys ignored", `{"Event":{"info":"x","Galaxy":[{"name":"g"}],"EventReport":{},"foo":{"bar":[1]},"errors":"e"},"extra":1}`, info},
		{
			"numbers as numbers",
			`{"id":12,"orgc_id":2,"threat_level_id":1,"analysis":2,"distribution":3,"timestamp":1710417600,"sharing_group_id":0}`,
			&misp.Event{ID: 12, OrgcID: 2, ThreatLevelID: 1, Analysis: 2, Distribution: 3, Timestamp: 1710417600},
		},
		{
			"numbers as strings",
			`{"id":"12","orgc_id":"2","threat_level_id":"1","analysis":"2","distribution":"3","timestamp":"1710417600"}`,
			&misp.Event{ID: 12, OrgcID: 2, ThreatLevelID: 1, Analysis: 2, Distribution: 3, Timestamp: 1710417600},
		},
		{"analysis and threat level as words", `{"analysis":"Completed","threat_level_id":"Low"}`, &misp.Event{Analysis: 2, ThreatLevelID: 3}},
		{"published true", `{"published":true}`, &misp.Event{Published: true}},
		{"published 1", `{"published":1}`, &misp.Event{Published: true}},
		{"published string 1", `{"published":"1"}`, &misp.Event{Published: true}},
		{"published string 0", `{"published":"0","locked":"true","disable_correlation":0}`, &misp.Event{Locked: true}},
		{"protected null", `{"protected":null}`, &misp.Event{}},
		{"empty first_seen is null", `{"Attribute":[{"first_seen":"","last_seen":null}],"Object":[{"first_seen":""}]}`, &misp.Event{Attribute: []*misp.Attribute{{}}, Object: []*misp.Object{{}}}},
		{"protected true", `{"protected":true}`, &misp.Event{Protected: ptr(misp.Bool(true))}},
		{"info as number", `{"info":2024}`, &misp.Event{Info: "2024"}},
		{
			"Orgc object",
			`{"Orgc":{"name":"CIRCL","uuid":"55f6ea5e-2c60-40e5-964f-47a8950d210f"}}`,
			&misp.Event{Orgc: &misp.OrgRef{Name: "CIRCL", UUID: "55f6ea5e-2c60-40e5-964f-47a8950d210f"}},
		},
		{"Orgc name", `{"Orgc":"CIRCL"}`, &misp.Event{Orgc: &misp.OrgRef{Name: "CIRCL"}}},
		{"orgc name", `{"orgc":"CIRCL"}`, &misp.Event{Orgc: &misp.OrgRef{Name: "CIRCL"}}},
		{"orgc object", `{"orgc":{"id":"4","name":"CIRCL","local":1}}`, &misp.Event{Orgc: &misp.OrgRef{ID: 4, Name: "CIRCL", Local: true}}},
		{"Orgc wins over orgc", `{"orgc":"B","Orgc":"A"}`, &misp.Event{Orgc: &misp.OrgRef{Name: "A"}}},
		{"Orgc null", `{"Orgc":null}`, &misp.Event{}},
		{"Org ignored", `{"Org":{"name":"X"}}`, &misp.Event{}},
		{"Tag list", `{"Tag":[{"name":"tlp:white"},{"name":"b","local":true}]}`, &misp.Event{Tag: []*misp.AttachedTag{{Name: "tlp:white"}, {Name: "b", Local: true}}}},
		{"Tag single object", `{"Tag":{"name":"tlp:white"}}`, &misp.Event{Tag: []*misp.AttachedTag{{Name: "tlp:white"}}}},
		{"Tag items wrapped", `{"Tag":[{"Tag":{"name":"tlp:white"},"local":"1"}]}`, &misp.Event{Tag: []*misp.AttachedTag{{Name: "tlp:white", Local: true}}}},
		{"Tag names", `{"Tag":["tlp:white","tlp:red"]}`, &misp.Event{Tag: []*misp.AttachedTag{{Name: "tlp:white"}, {Name: "tlp:red"}}}},
		{"Tag null", `{"Tag":null}`, &misp.Event{}},
		{"Tag deleted", `{"Tag":[{"name":"tlp:white","deleted":true}]}`, &misp.Event{Tag: []*misp.AttachedTag{{Name: "tlp:white", Deleted: true}}}},
		{
			"EventTag rows",
			`{"EventTag":[{"id":"90","event_id":"12","tag_id":"3","local":true,"relationship_type":"rel","Tag":{"id":"3","name":"tlp:amber","colour":"#FFC000","is_galaxy":false}}]}`,
			&misp.Event{Tag: []*misp.AttachedTag{{ID: 3, Name: "tlp:amber", Colour: "#FFC000", Local: true, RelationshipType: ptr("rel")}}},
		},
		{
			"EventTag tag_id when the tag has no id",
			`{"EventTag":{"tag_id":3,"Tag":{"name":"tlp:amber","local":true},"local":false}}`,
			&misp.Event{Tag: []*misp.AttachedTag{{ID: 3, Name: "tlp:amber"}}},
		},
		{
			"Tag and EventTag",
			`{"Tag":[{"name":"a"}],"EventTag":[{"Tag":{"name":"b"}}]}`,
			&misp.Event{Tag: []*misp.AttachedTag{{Name: "a"}, {Name: "b"}}},
		},
		{
			"Attribute single object",
			`{"Attribute":{"type":"ip-dst","value":"1.2.3.4"}}`,
			&misp.Event{Attribute: []*misp.Attribute{{Type: "ip-dst", Value: "1.2.3.4"}}},
		},
		{"Attribute null", `{"Attribute":null,"Object":null}`, &misp.Event{}},
		{
			"Attribute value number",
			`{"Attribute":[{"type":"port","value":443,"comment":-1.5e3}]}`,
			&misp.Event{Attribute: []*misp.Attribute{{Type: "port", Value: "443", Comment: "-1.5e3"}}},
		},
		{
			"Attribute value1 value2",
			`{"Attribute":[{"type":"domain|ip","value1":"a.example","value2":"1.2.3.4"}]}`,
			&misp.Event{Attribute: []*misp.Attribute{{Type: "domain|ip", Value: "a.example|1.2.3.4"}}},
		},
		{
			"Attribute value1 empty value2",
			`{"Attribute":[{"type":"domain","value":"","value1":"a.example","value2":""}]}`,
			&misp.Event{Attribute: []*misp.Attribute{{Type: "domain", Value: "a.example"}}},
		},
		{
			"Attribute value wins over value1",
			`{"Attribute":[{"type":"domain","value":"b.example","value1":"a.example"}]}`,
			&misp.Event{Attribute: []*misp.Attribute{{Type: "domain", Value: "b.example"}}},
		},
		{
			"Attribute leniency",
			`{"Attribute":[{"to_ids":"1","deleted":0,"disable_correlation":"false","distribution":"5","sharing_group_id":"","object_relation":null,"first_seen":"2024-03-12T08:30:00.5+00:00","last_seen":1710318600}]}`,
			&misp.Event{Attribute: []*misp.Attribute{{
				ToIDS: true, Distribution: 5,
				FirstSeen: ptr(misp.MicroTime(1710232200500000)), LastSeen: ptr(misp.MicroTime(1710318600000000)),
			}}},
		},
		{
			"Attribute Tag and AttributeTag",
			`{"Attribute":[{"type":"md5","Tag":{"name":"a"},"AttributeTag":[{"local":1,"Tag":{"id":5,"name":"b"}}]}]}`,
			&misp.Event{Attribute: []*misp.Attribute{{Type: "md5", Tag: []*misp.AttachedTag{{Name: "a"}, {ID: 5, Name: "b", Local: true}}}}},
		},
		{
			"Object single with single Attribute and reference",
			`{"Object":{"name":"file","meta-category":"file","template_version":24,"Attribute":{"object_relation":"filename","type":"filename","value":"a.exe"},"ObjectReference":{"source_uuid":"S","referenced_uuid":"R","relationship_type":"rel","referenced_type":"1"}}}`,
			&misp.Event{Object: []*misp.Object{{
				Name: "file", MetaCategory: "file", TemplateVersion: 24,
				Attribute:       []*misp.Attribute{{ObjectRelation: ptr("filename"), Type: "filename", Value: "a.exe"}},
				ObjectReference: []*misp.ObjectReference{{SourceUUID: "S", ObjectUUID: "S", ReferencedUUID: "R", RelationshipType: "rel", ReferencedType: 1}},
			}}},
		},
		{
			"ObjectReference object_uuid",
			`{"Object":[{"name":"file","ObjectReference":[{"object_uuid":"S","referenced_uuid":"R"}]}]}`,
			&misp.Event{Object: []*misp.Object{{Name: "file", ObjectReference: []*misp.ObjectReference{{ObjectUUID: "S", ReferencedUUID: "R"}}}}},
		},
		{
			"ObjectReference object_uuid beats source_uuid",
			`{"Object":[{"ObjectReference":[{"object_uuid":"O","source_uuid":"S"}]}]}`,
			&misp.Event{Object: []*misp.Object{{ObjectReference: []*misp.ObjectReference{{ObjectUUID: "O", SourceUUID: "S"}}}}},
		},
		{
			"object attribute number relation",
			`{"Object":[{"Attribute":[{"object_relation":7}]}]}`,
			&misp.Event{Object: []*misp.Object{{Attribute: []*misp.Attribute{{ObjectRelation: ptr("7")}}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeEvent([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeEvent(%s) error: %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, in.Event, cmpEmpty); diff != "" {
				t.Errorf("DecodeEvent(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

func TestDecodeEventRejects(t *testing.T) {
	tests := []struct {
		name string
		body string
		path string // expected InputError.Path
	}{
		{"empty", ``, ""},
		{"blank", " \n\t", ""},
		{"truncated", `{"Event":{"info":"x"`, ""},
		{"missing value", `{"info": }`, ""},
		{"trailing garbage", `{"info":"x"} x`, ""},
		{"two values", `{} {}`, ""},
		{"null", `null`, "Event"},
		{"number", `5`, "Event"},
		{"string", `"x"`, "Event"},
		{"empty list", `[]`, "Event"},
		{"two events", `[{"info":"a"},{"info":"b"}]`, "Event"},
		{"response of two events", `{"response":[{"Event":{}},{"Event":{}}]}`, "Event"},
		{"Event null", `{"Event":null}`, "Event"},
		{"Event number", `{"Event":5}`, "Event"},
		{"Event string", `{"Event":"x"}`, "Event"},
		{"nested too deep", `[[[[[[[[[[[[{"info":"x"}]]]]]]]]]]]]`, "Event"},
		{"info object", `{"info":{}}`, "Event.info"},
		{"info list", `{"Event":{"info":["x"]}}`, "Event.info"},
		{"info boolean", `{"info":true}`, "Event.info"},
		{"date object", `{"date":{"y":2024}}`, "Event.date"},
		{"published word", `{"published":"maybe"}`, "Event.published"},
		{"published object", `{"published":{}}`, "Event.published"},
		{"distribution object", `{"distribution":{}}`, "Event.distribution"},
		{"distribution fraction", `{"distribution":1.5}`, "Event.distribution"},
		{"timestamp word", `{"timestamp":"yesterday"}`, "Event.timestamp"},
		{"id list", `{"id":[1]}`, "Event.id"},
		{"threat level word", `{"threat_level_id":"severe"}`, "Event.threat_level_id"},
		{"Orgc number", `{"Orgc":5}`, "Event.Orgc"},
		{"orgc list", `{"orgc":["a"]}`, "Event.orgc"},
		{"Orgc name object", `{"Orgc":{"name":{}}}`, "Event.Orgc.name"},
		{"Attribute number", `{"Attribute":5}`, "Event.Attribute"},
		{"Attribute string", `{"Attribute":"x"}`, "Event.Attribute"},
		{"Attribute true", `{"Attribute":true}`, "Event.Attribute"},
		{"Attribute item number", `{"Attribute":[{"value":"a"},5]}`, "Event.Attribute[1]"},
		{"Attribute item null", `{"Attribute":[null]}`, "Event.Attribute[0]"},
		{"Attribute item list", `{"Attribute":[[{"value":"a"}]]}`, "Event.Attribute[0]"},
		{"Attribute value object", `{"Attribute":[{"value":{}}]}`, "Event.Attribute[0].value"},
		{"Attribute value list", `{"Attribute":[{"value":["a","b"]}]}`, "Event.Attribute[0].value"},
		{"Attribute value1 object", `{"Attribute":[{"value1":{}}]}`, "Event.Attribute[0].value1"},
		{"Attribute value2 list", `{"Attribute":[{"value1":"a","value2":[]}]}`, "Event.Attribute[0].value2"},
		{"Attribute to_ids word", `{"Attribute":[{"to_ids":"sometimes"}]}`, "Event.Attribute[0].to_ids"},
		{"Attribute first_seen word", `{"Attribute":[{"first_seen":"soon"}]}`, "Event.Attribute[0].first_seen"},
		{"Attribute first_seen out of range", `{"Attribute":[{"first_seen":"99999999999999999999"}]}`, "Event.Attribute[0].first_seen"},
		{"Attribute last_seen out of range", `{"Attribute":[{"last_seen":9000000000000000000}]}`, "Event.Attribute[0].last_seen"},
		{"Attribute object_relation object", `{"Attribute":[{"object_relation":{}}]}`, "Event.Attribute[0].object_relation"},
		{"Attribute Tag number", `{"Attribute":[{"Tag":5}]}`, "Event.Attribute[0].Tag"},
		{"Attribute AttributeTag inner", `{"Attribute":[{"AttributeTag":[{"Tag":[]}]}]}`, "Event.Attribute[0].AttributeTag[0].Tag"},
		{"Tag number", `{"Tag":5}`, "Event.Tag"},
		{"Tag string", `{"Tag":"tlp:white"}`, "Event.Tag"},
		{"Tag item number", `{"Tag":[5]}`, "Event.Tag[0]"},
		{"Tag name object", `{"Tag":[{"name":{}}]}`, "Event.Tag[0].name"},
		{"Tag local word", `{"Tag":[{"name":"a","local":"perhaps"}]}`, "Event.Tag[0].local"},
		{"EventTag inner number", `{"EventTag":[{"Tag":5}]}`, "Event.EventTag[0].Tag"},
		{"EventTag local word", `{"EventTag":[{"local":"x","Tag":{"name":"a"}}]}`, "Event.EventTag[0].local"},
		{"EventTag tag_id word", `{"EventTag":[{"tag_id":"x","Tag":{"name":"a"}}]}`, "Event.EventTag[0].tag_id"},
		{"Object number", `{"Object":5}`, "Event.Object"},
		{"Object item string", `{"Object":["file"]}`, "Event.Object[0]"},
		{"Object name object", `{"Object":[{"name":{}}]}`, "Event.Object[0].name"},
		{"Object Attribute number", `{"Object":[{"Attribute":5}]}`, "Event.Object[0].Attribute"},
		{"Object Attribute item", `{"Object":[{"Attribute":[{},"x"]}]}`, "Event.Object[0].Attribute[1]"},
		{"Object first_seen", `{"Object":[{"first_seen":[]}]}`, "Event.Object[0].first_seen"},
		{"Object last_seen out of range", `{"Object":[{"last_seen":"-99999999999999999"}]}`, "Event.Object[0].last_seen"},
		{"ObjectReference string", `{"Object":[{"ObjectReference":"x"}]}`, "Event.Object[0].ObjectReference"},
		{"ObjectReference item", `{"Object":[{"ObjectReference":[1]}]}`, "Event.Object[0].ObjectReference[0]"},
		{"ObjectReference field", `{"Object":[{"ObjectReference":[{"referenced_type":"object"}]}]}`, "Event.Object[0].ObjectReference[0].referenced_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeEvent([]byte(tt.body))
			if err == nil {
				t.Fatalf("DecodeEvent(%s) = %+v, want an error", tt.body, in.Event)
			}
			wantInputError(t, "DecodeEvent("+tt.body+")", err, tt.path)
		})
	}
}

func TestDecodeEventFields(t *testing.T) {
	body := `{"Event":{
		"info":"x","distribution":"0","published":false,"orgc":"A","EventTag":[],
		"Attribute":[
			{"type":"ip-dst","value":"1.2.3.4","to_ids":false},
			{"type":"domain","value1":"a.example","distribution":5,"category":"Network activity","AttributeTag":[{"Tag":{"name":"t"}}]}
		],
		"Object":[{"name":"file","Attribute":[{"object_relation":"filename","type":"filename","value":"a","to_ids":1}]},{"name":"x","distribution":"5"}]
	}}`
	in, err := DecodeEvent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	type presence struct {
		what string
		f    Fields
		has  []string
		not  []string
	}
	checks := []presence{
		{"event", in.Fields,
			[]string{"info", "distribution", "published", "orgc", "Orgc", "EventTag", "Tag", "Attribute", "Object"},
			[]string{"threat_level_id", "analysis", "timestamp", "date", "uuid", "sharing_group_id", "Org"}},
		{"attribute 0", in.Attributes[0].Fields,
			[]string{"type", "value", "to_ids"},
			[]string{"distribution", "category", "comment", "Tag", "timestamp", "uuid"}},
		{"attribute 1", in.Attributes[1].Fields,
			[]string{"type", "value", "value1", "distribution", "category", "AttributeTag", "Tag"},
			[]string{"to_ids", "value2"}},
		{"object 0", in.Objects[0].Fields, []string{"name", "Attribute"}, []string{"distribution", "meta-category"}},
		{"object 1", in.Objects[1].Fields, []string{"name", "distribution"}, []string{"Attribute"}},
		{"object 0 attribute 0", in.Objects[0].Attributes[0].Fields, []string{"object_relation", "to_ids"}, []string{"distribution", "category"}},
	}
	for _, c := range checks {
		for _, k := range c.has {
			if !c.f.Has(k) {
				t.Errorf("%s: Has(%q) = false, want true", c.what, k)
			}
		}
		for _, k := range c.not {
			if c.f.Has(k) {
				t.Errorf("%s: Has(%q) = true, want false", c.what, k)
			}
		}
	}
	// Has is promoted onto the inputs.
	if !in.Has("info") || in.Attributes[0].Has("category") || !in.Objects[1].Has("distribution") {
		t.Error("promoted Has disagrees with Fields")
	}
	if in.Objects[0].Attributes[0].Attribute != in.Event.Object[0].Attribute[0] {
		t.Error("Objects[0].Attributes[0].Attribute is not Event.Object[0].Attribute[0]")
	}
	if in.OrgcName != "A" || in.OrgcUUID != "" {
		t.Errorf("OrgcName, OrgcUUID = %q, %q, want \"A\", \"\"", in.OrgcName, in.OrgcUUID)
	}
}

// TestDecodeEventPyMISP decodes an event body in the shape PyMISP's
// MISPEvent.to_json produces.
func TestDecodeEventPyMISP(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "pymisp_event.json"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := DecodeEvent(body)
	if err != nil {
		t.Fatalf("DecodeEvent(pymisp_event.json) error: %v", err)
	}
	fileUUID := "3c2b1a09-8f7e-4d6c-b5a4-f3e2d1c0b9a8"
	want := &misp.Event{
		UUID: "5e8d3a4c-1f2b-4c3d-9e8f-0a1b2c3d4e5f", Info: "Phishing wave delivering invoice-themed droppers",
		Date: "2024-03-14", ThreatLevelID: 2, Analysis: 1, Distribution: 1, Timestamp: 1710417600,
		Attribute: []*misp.Attribute{
			{
				UUID: "7f1c2e3d-4b5a-4d6c-8e7f-9a0b1c2d3e4f", Type: "ip-dst", Category: "Network activity",
				Value: "203.0.113.17", ToIDS: true, Comment: "C2 server seen in the dropper config",
				Distribution: 5, Timestamp: 1710417600, Tag: []*misp.AttachedTag{{Name: "tlp:white"}},
			},
			{
				UUID: "0a9b8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d", Type: "domain", Value: "invoice-portal.example",
				ToIDS: true, FirstSeen: ptr(misp.MicroTime(1710232200000000)),
				Tag: []*misp.AttachedTag{{Name: "tlp:white"}, {Name: "kill-chain:Delivery", Local: true}},
			},
			{Type: "email-subject", Category: "Payload delivery", Value: "Your invoice <#4711> is overdue & unpaid"},
		},
		Object: []*misp.Object{{
			UUID: fileUUID, Name: "file", MetaCategory: "file",
			Description:  "File object describing a file with meta-information",
			TemplateUUID: "688c46fb-5edb-40a3-8273-1af7923e2215", TemplateVersion: 24,
			Distribution: 5, Timestamp: 1710417600,
			Attribute: []*misp.Attribute{
				{
					UUID: "b1a2c3d4-e5f6-4789-8abc-def012345678", ObjectRelation: ptr("filename"), Type: "filename",
					Category: "Payload delivery", Value: "invoice_4711.pdf.exe",
				},
				{
					UUID: "c2b3d4e5-f6a7-4890-9bcd-ef0123456789", ObjectRelation: ptr("sha256"), Type: "sha256",
					Category: "Payload delivery", ToIDS: true,
					Value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
				},
			},
			ObjectReference: []*misp.ObjectReference{{
				UUID: "d3c4e5f6-a7b8-4901-acde-f01234567890", ObjectUUID: fileUUID,
				ReferencedUUID: "7f1c2e3d-4b5a-4d6c-8e7f-9a0b1c2d3e4f", RelationshipType: "communicates-with",
			}},
		}},
		Tag: []*misp.AttachedTag{{Name: "tlp:amber"}, {Name: `misp-galaxy:threat-actor="Example Actor"`}},
	}
	if diff := cmp.Diff(want, in.Event, cmpEmpty); diff != "" {
		t.Errorf("DecodeEvent(pymisp_event.json) mismatch (-want +got):\n%s", diff)
	}
	// The third attribute says nothing about distribution or uuid, so the
	// server fills them; the second takes its type's category.
	if in.Attributes[2].Has("distribution") || in.Attributes[1].Has("category") || in.Has("Orgc") {
		t.Error("absent keys reported present")
	}
	if !in.Attributes[2].Has("to_ids") || !in.Objects[0].Has("distribution") || !in.Has("published") {
		t.Error("present keys reported absent")
	}
}

func TestMergeEvent(t *testing.T) {
	stored := fixtureEvent()
	stored.Protected = ptr(misp.Bool(true))
	before := fixtureEvent()
	before.Protected = ptr(misp.Bool(true))

	tests := []struct {
		name string
		body string
		edit func(e *misp.Event) // applied to a copy of stored without children
	}{
		{"empty edit unpublishes", `{"Event":{}}`, func(e *misp.Event) { e.Published = false }},
		{"published kept when sent", `{"published":true,"info":"new"}`, func(e *misp.Event) { e.Info = "new" }},
		{"fields replaced", `{"Event":{"analysis":"2","threat_level_id":1,"distribution":0,"date":"2024-04-01","timestamp":"1710500000","protected":null}}`, func(e *misp.Event) {
			e.Published = false
			e.Analysis, e.ThreatLevelID, e.Distribution, e.Date, e.Timestamp, e.Protected = 2, 1, 0, "2024-04-01", 1710500000, nil
		}},
		{"null sets the zero value", `{"info":null,"distribution":null,"date":null,"published":null}`, func(e *misp.Event) {
			e.Published = false
			e.Info, e.Distribution, e.Date = "", 0, ""
		}},
		{"Orgc replaced whole", `{"Orgc":"Other"}`, func(e *misp.Event) {
			e.Published = false
			e.Orgc = &misp.OrgRef{Name: "Other"}
		}},
		{"children from the body only", `{"published":1,"Attribute":[{"uuid":"u","deleted":true}],"Tag":[{"name":"tlp:red","deleted":true}],"Object":{"uuid":"o"}}`, func(e *misp.Event) {
			e.Attribute = []*misp.Attribute{{UUID: "u", Deleted: true}}
			e.Tag = []*misp.AttachedTag{{Name: "tlp:red", Deleted: true}}
			e.Object = []*misp.Object{{UUID: "o"}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := MergeEvent(stored, []byte(tt.body))
			if err != nil {
				t.Fatalf("MergeEvent(%s) error: %v", tt.body, err)
			}
			want := fixtureEvent()
			want.Protected = ptr(misp.Bool(true))
			want.Attribute, want.Object, want.Tag = nil, nil, nil
			tt.edit(want)
			if diff := cmp.Diff(want, in.Event, cmpEmpty); diff != "" {
				t.Errorf("MergeEvent(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
			if diff := cmp.Diff(before, stored); diff != "" {
				t.Errorf("MergeEvent(%s) modified stored (-before +after):\n%s", tt.body, diff)
			}
		})
	}

	_, err := MergeEvent(stored, []byte(`{"Event":{"info":[]}}`))
	wantInputError(t, "MergeEvent(info list)", err, "Event.info")
	_, err = MergeEvent(stored, []byte(`[`))
	wantInputError(t, "MergeEvent([)", err, "")
}
