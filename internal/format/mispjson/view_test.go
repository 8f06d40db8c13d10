package mispjson

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ptr[T any](v T) *T { return &v }

// fixtureEvent is a deterministic event with attributes, an object with a
// reference, and event and attribute tags.
func fixtureEvent() *misp.Event {
	tlpAmber := &misp.AttachedTag{ID: 3, Name: "tlp:amber", Colour: "#FFC000", Exportable: true}
	galaxy := &misp.AttachedTag{
		ID: 41, Name: `misp-galaxy:threat-actor="Example Actor"`, Colour: "#0088cc",
		Exportable: true, IsGalaxy: true, RelationshipType: ptr("attributed-to"),
	}
	local := &misp.AttachedTag{
		ID: 7, Name: "workflow:state=\"incomplete\"", Colour: "#cccccc",
		Exportable: true, NumericalValue: ptr(misp.Int(50)), Local: true,
	}
	tlpWhite := &misp.AttachedTag{ID: 1, Name: "tlp:white", Colour: "#ffffff", Exportable: true}
	fileUUID := "3c2b1a09-8f7e-4d6c-b5a4-f3e2d1c0b9a8"
	return &misp.Event{
		ID: 12, OrgcID: 2, OrgID: 1, Date: "2024-03-14", ThreatLevelID: misp.ThreatLevelMedium,
		Info: "Phishing <invoice> wave & droppers", Published: true,
		UUID: "5e8d3a4c-1f2b-4c3d-9e8f-0a1b2c3d4e5f", AttributeCount: 4,
		Analysis: misp.AnalysisOngoing, Timestamp: 1710417600, Distribution: misp.DistributionCommunity,
		PublishTimestamp: 1710418000, DisableCorrelation: false,
		Org:               &misp.OrgRef{ID: 1, Name: "ORGNAME", UUID: "11111111-2222-4333-8444-555555555555", Local: true},
		Orgc:              &misp.OrgRef{ID: 2, Name: "Example CERT", UUID: "66666666-7777-4888-9999-aaaaaaaaaaaa"},
		SightingTimestamp: 1710419000,
		UserID:            5,
		Attribute: []*misp.Attribute{
			{
				ID: 101, Type: "ip-dst", Category: "Network activity", ToIDS: true,
				UUID: "7f1c2e3d-4b5a-4d6c-8e7f-9a0b1c2d3e4f", EventID: 12,
				Distribution: misp.DistributionInheritEvnt, Timestamp: 1710417600,
				Comment: "C2 server", Value: "203.0.113.17", Tag: []*misp.AttachedTag{tlpWhite, local},
			},
			{
				ID: 102, Type: "domain|ip", Category: "Network activity", ToIDS: true,
				UUID: "0a9b8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d", EventID: 12,
				Distribution: misp.DistributionInheritEvnt, Timestamp: 1710417601,
				FirstSeen: ptr(misp.MicroTime(1710232200123456)), LastSeen: ptr(misp.MicroTime(1710318600000000)),
				Value: "invoice-portal.example|203.0.113.17",
			},
		},
		Object: []*misp.Object{{
			ID: 55, Name: "file", MetaCategory: "file",
			Description:  "File object describing a file with meta-information",
			TemplateUUID: "688c46fb-5edb-40a3-8273-1af7923e2215", TemplateVersion: 24,
			EventID: 12, UUID: fileUUID, Timestamp: 1710417602, Distribution: misp.DistributionInheritEvnt,
			ObjectReference: []*misp.ObjectReference{{
				ID: 9, UUID: "d3c4e5f6-a7b8-4901-acde-f01234567890", Timestamp: 1710417602,
				ObjectID: 55, EventID: 12, ReferencedUUID: "7f1c2e3d-4b5a-4d6c-8e7f-9a0b1c2d3e4f",
				ReferencedID: 101, ReferencedType: misp.ReferencedAttribute,
				RelationshipType: "communicates-with", ObjectUUID: fileUUID,
			}},
			Attribute: []*misp.Attribute{
				{
					ID: 103, Type: "filename", Category: "Payload delivery",
					UUID: "b1a2c3d4-e5f6-4789-8abc-def012345678", EventID: 12,
					Distribution: misp.DistributionInheritEvnt, Timestamp: 1710417602,
					ObjectID: 55, ObjectRelation: ptr("filename"), Value: "invoice_4711.pdf.exe",
				},
				{
					ID: 104, Type: "sha256", Category: "Payload delivery", ToIDS: true,
					UUID: "c2b3d4e5-f6a7-4890-9bcd-ef0123456789", EventID: 12,
					Distribution: misp.DistributionInheritEvnt, Timestamp: 1710417602,
					ObjectID: 55, ObjectRelation: ptr("sha256"),
					Value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
				},
			},
		}},
		Tag: []*misp.AttachedTag{tlpAmber, galaxy},
	}
}

// encode runs v through Write, pretty-printed.
func encode(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, v, true); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// compareGolden compares got with testdata/<name>.golden, or rewrites the
// file with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	e := fixtureEvent()
	sg := fixtureEvent()
	sg.Distribution, sg.SharingGroupID = misp.DistributionSharingGrp, 3
	sg.Tag = nil
	minimalNoOrgc := fixtureEvent()
	minimalNoOrgc.Orgc = nil
	// The enrichments of an event view: clusters attached by the event's
	// galaxy tag and by an attribute's, and a warninglist hit.
	enriched := fixtureEvent()
	actor := &misp.EventGalaxy{
		Galaxy: misp.Galaxy{ID: 4, UUID: "698774c7-8022-42c4-917f-8d6e4f06ada3", Name: "Threat Actor",
			Type: "threat-actor", Description: "Threat actors are characteristics of malicious actors.",
			Version: 3, Icon: "user-secret", Namespace: "misp", Enabled: true},
		GalaxyCluster: []*misp.EventCluster{{
			GalaxyCluster: misp.GalaxyCluster{ID: 77, UUID: "7a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
				CollectionUUID: "7cdff317-a673-4474-84ec-4f1754947823", Type: "threat-actor",
				Value: "Example Actor", TagName: `misp-galaxy:threat-actor="Example Actor"`,
				Description: "An actor.", GalaxyID: 4, Source: "MISP Project", Authors: []string{"Alexandre Dulaunoy"},
				Version: 310, Distribution: misp.DistributionAll, Default: true,
				GalaxyClusterRelation: []*misp.GalaxyClusterRelation{{ID: 5, GalaxyClusterID: 77,
					ReferencedGalaxyClusterID: 78, ReferencedGalaxyClusterUUID: "7a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e",
					ReferencedGalaxyClusterType: "similar", GalaxyClusterUUID: "7a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
					Distribution: misp.DistributionAll, Default: true}}},
			Org:              &misp.Organisation{ID: 1, Name: "CERT-RS", UUID: "5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e", RestrictedToDomain: []string{}},
			Orgc:             &misp.Organisation{ID: 1, Name: "CERT-RS", UUID: "5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e", RestrictedToDomain: []string{}},
			Meta:             map[string][]string{"country": {"RS"}, "synonyms": {"EA", "Example"}},
			TagID:            41,
			RelationshipType: "attributed-to",
		}},
	}
	enriched.Galaxy = []*misp.EventGalaxy{actor}
	// An attribute's cluster without elements: its meta is [] (nil), as
	// MISP leaves it; an event's would be {}.
	bare := actor.GalaxyCluster[0].GalaxyCluster
	bare.GalaxyClusterRelation = []*misp.GalaxyClusterRelation{}
	enriched.Attribute[0].Galaxy = []*misp.EventGalaxy{{Galaxy: actor.Galaxy, GalaxyCluster: []*misp.EventCluster{{
		GalaxyCluster: bare, Org: actor.GalaxyCluster[0].Org, Orgc: actor.GalaxyCluster[0].Orgc, TagID: 41, Local: true}}}}
	enriched.Attribute[0].Warnings = []*misp.WarninglistHit{{Match: "203.0.113.0/24", Value: "203.0.113.17",
		WarninglistID: 9, WarninglistName: "RFC 5737 documentation ranges", WarninglistCategory: "false-positive"}}
	failed := map[int]*misp.ValidationError{1: misp.Invalidf("value", "Invalid IP address.")}
	tests := []struct {
		name string
		view any
	}{
		{"event_view", EventView(e)},
		{"event_view_galaxy", EventView(enriched)},
		{"event_view_empty", EventView(&misp.Event{ID: 1, Info: "empty", Distribution: misp.DistributionOrgOnly})},
		{"event_index", []any{EventIndexItem(e), EventIndexItem(sg)}},
		{"event_index_minimal", []any{EventIndexMinimal(e), EventIndexMinimal(minimalNoOrgc)}},
		{"attribute_view", AttributeView(e.Attribute[0])},
		{"attribute_add", AttributeAddView(e.Attribute[0])},
		{"attribute_add_composite", AttributeAddView(e.Attribute[1])},
		{"attributes_add", AttributesAddView(e.Attribute, failed)},
		{"object_view", ObjectView(e.Object[0])},
		{"object_view_empty", ObjectView(&misp.Object{ID: 2, Name: "file", MetaCategory: "file"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compareGolden(t, tt.name, encode(t, tt.view))
		})
	}
}

func TestWriteDoesNotEscapeHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, map[string]string{"info": "<a> & <b>"}, false); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), `{"info":"<a> & <b>"}`+"\n"; got != want {
		t.Errorf("Write = %q, want %q", got, want)
	}
}

// TestViewsNeverNull checks that the lists MISP always emits are [] when
// the domain value has none.
func TestViewsNeverNull(t *testing.T) {
	e := &misp.Event{Object: []*misp.Object{{Name: "file"}}}
	// Every attribute of an event, the event's own and its objects', has
	// a Galaxy list.
	withAttrs := &misp.Event{Attribute: []*misp.Attribute{{Value: "a"}},
		Object: []*misp.Object{{Name: "file", Attribute: []*misp.Attribute{{Value: "b"}}}}}
	tests := []struct {
		name string
		view any
		want []string
	}{
		{"EventView", EventView(e), []string{
			`"Attribute":[]`, `"ShadowAttribute":[]`, `"RelatedEvent":[]`, `"Galaxy":[]`,
			`"EventReport":[]`, `"CryptographicKey":[]`, `"ObjectReference":[]`,
		}},
		{"EventView attributes", EventView(withAttrs), []string{
			`"value":"a","Galaxy":[]`, `"value":"b","Galaxy":[]`,
		}},
		{"EventIndexItem", EventIndexItem(e), []string{`"EventTag":[]`, `"GalaxyCluster":[]`}},
		{"ObjectView", ObjectView(&misp.Object{}), []string{`"ObjectReference":[]`, `"Attribute":[]`}},
		{"AttributeAddView", AttributeAddView(&misp.Attribute{}), []string{`"AttributeTag":[]`}},
		{"AttributesAddView", AttributesAddView(nil, nil), []string{`"Attribute":[]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.view, false); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s output lacks %s:\n%s", tt.name, w, got)
				}
			}
			bad := []string{`"Tag":[]`, `"SharingGroup"`, `"errors"`}
			for _, list := range []string{
				"Attribute", "Object", "ObjectReference", "ShadowAttribute", "RelatedEvent", "Galaxy",
				"EventReport", "CryptographicKey", "EventTag", "GalaxyCluster", "AttributeTag", "Tag",
			} {
				bad = append(bad, `"`+list+`":null`)
			}
			for _, b := range bad {
				if strings.Contains(got, b) {
					t.Errorf("%s output contains %s:\n%s", tt.name, b, got)
				}
			}
		})
	}
}

// roundTripOpts compares events after encode → decode: Org is not read on
// input, SightingTimestamp and UserID are not in the event view, and empty
// lists may come back nil.
var roundTripOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(misp.Event{}, "Org", "SightingTimestamp", "UserID"),
}

func TestRoundTripEvent(t *testing.T) {
	want := fixtureEvent()
	in, err := DecodeEvent(encode(t, EventView(want)))
	if err != nil {
		t.Fatalf("DecodeEvent(EventView) error: %v", err)
	}
	if diff := cmp.Diff(want, in.Event, roundTripOpts); diff != "" {
		t.Errorf("DecodeEvent(EventView(e)) mismatch (-want +got):\n%s", diff)
	}
	for i, a := range in.Attributes {
		if a.Attribute != in.Event.Attribute[i] {
			t.Errorf("Attributes[%d].Attribute is not Event.Attribute[%d]", i, i)
		}
	}
	for i, o := range in.Objects {
		if o.Object != in.Event.Object[i] {
			t.Errorf("Objects[%d].Object is not Event.Object[%d]", i, i)
		}
	}
	if in.OrgcName != want.Orgc.Name || in.OrgcUUID != want.Orgc.UUID {
		t.Errorf("OrgcName, OrgcUUID = %q, %q, want %q, %q", in.OrgcName, in.OrgcUUID, want.Orgc.Name, want.Orgc.UUID)
	}
}

func TestRoundTripEventIndexItem(t *testing.T) {
	e := fixtureEvent()
	in, err := DecodeEvent(encode(t, EventIndexItem(e)))
	if err != nil {
		t.Fatalf("DecodeEvent(EventIndexItem) error: %v", err)
	}
	// The index carries the event's own fields, Orgc without local, and
	// the tags reduced to id, name, colour, is_galaxy plus the attachment.
	want := fixtureEvent()
	want.Attribute, want.Object = nil, nil
	want.Orgc.Local = false
	want.Tag = nil
	for _, t := range e.Tag {
		want.Tag = append(want.Tag, &misp.AttachedTag{
			ID: t.ID, Name: t.Name, Colour: t.Colour, IsGalaxy: t.IsGalaxy,
			Local: t.Local, RelationshipType: t.RelationshipType,
		})
	}
	if diff := cmp.Diff(want, in.Event, roundTripOpts); diff != "" {
		t.Errorf("DecodeEvent(EventIndexItem(e)) mismatch (-want +got):\n%s", diff)
	}
}

func TestRoundTripAttribute(t *testing.T) {
	for _, want := range fixtureEvent().Attribute {
		t.Run(want.Type, func(t *testing.T) {
			attrs, multi, err := DecodeAttributes(encode(t, AttributeView(want)))
			if err != nil || multi || len(attrs) != 1 {
				t.Fatalf("DecodeAttributes(AttributeView) = %d attributes, multi %v, error %v; want 1, false, nil", len(attrs), multi, err)
			}
			if diff := cmp.Diff(want, attrs[0].Attribute, roundTripOpts); diff != "" {
				t.Errorf("DecodeAttributes(AttributeView(a)) mismatch (-want +got):\n%s", diff)
			}

			// The add answer moves tags to AttributeTag beside Attribute.
			attrs, _, err = DecodeAttributes(encode(t, AttributeAddView(want)))
			if err != nil || len(attrs) != 1 {
				t.Fatalf("DecodeAttributes(AttributeAddView) = %d attributes, error %v; want 1, nil", len(attrs), err)
			}
			noTags := *want
			noTags.Tag = nil
			if diff := cmp.Diff(&noTags, attrs[0].Attribute, roundTripOpts); diff != "" {
				t.Errorf("DecodeAttributes(AttributeAddView(a)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoundTripObject(t *testing.T) {
	want := fixtureEvent().Object[0]
	in, err := DecodeObject(encode(t, ObjectView(want)))
	if err != nil {
		t.Fatalf("DecodeObject(ObjectView) error: %v", err)
	}
	if diff := cmp.Diff(want, in.Object, roundTripOpts); diff != "" {
		t.Errorf("DecodeObject(ObjectView(o)) mismatch (-want +got):\n%s", diff)
	}
}
