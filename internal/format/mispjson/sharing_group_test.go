package mispjson

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestDecodeSharingGroup(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *SharingGroupInput
	}{
		{
			name: "PyMISP's bare group",
			body: `{"name":"SG","releasability":"r","SharingGroupOrg":[{"extend":true,"Organisation":{"uuid":"A-UUID","name":"A"}},{"org_id":"7","extend":0}]}`,
			want: &SharingGroupInput{
				Group:  &misp.SharingGroup{Name: "SG", Releasability: "r"},
				Fields: Fields{"name": true, "releasability": true, "SharingGroupOrg": true},
				Orgs:   []*SharingGroupOrgInput{{Extend: true, UUID: "A-UUID", Name: "A"}, {OrgID: 7}},
			},
		},
		{
			name: "view answer: members beside the wrapper, blocks as lists",
			body: `{"SharingGroup":{"name":"SG","active":"0","modified":"2026-01-02 03:04:05"},
				"Organisation":[{"uuid":"O","name":"Owner"}],
				"SharingGroupOrg":{"extend":"1","uuid":"B","name":"B org"},
				"SharingGroupServer":[{"all_orgs":true,"server_id":"0","Server":[{"url":"https://x.example","name":"x"}]},{"server_id":0}]}`,
			want: &SharingGroupInput{
				Group:  &misp.SharingGroup{Name: "SG", Modified: misp.DateTime(1767323045)},
				Fields: Fields{"name": true, "active": true, "modified": true, "Organisation": true, "SharingGroupOrg": true, "SharingGroupServer": true},
				Owner:  &misp.OrgRef{UUID: "O", Name: "Owner"},
				Orgs:   []*SharingGroupOrgInput{{Extend: true, UUID: "B", Name: "B org"}},
				Servers: []*SharingGroupServerInput{
					{AllOrgs: true, HasServerID: true, URL: "https://x.example", Name: "x"},
					{HasServerID: true},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSharingGroup([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeSharingGroup() = %v", err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("DecodeSharingGroup() (-want +got):\n%s", d)
			}
		})
	}

	for _, bad := range []string{`[]`, `{"name":["x"]}`, `{"SharingGroupOrg":"x"}`, `{"SharingGroupOrg":[{"extend":{}}]}`,
		`{"SharingGroupServer":[{"Server":"x"}]}`, `{"Organisation":5}`} {
		if _, err := DecodeSharingGroup([]byte(bad)); !errors.Is(err, misp.ErrInvalid) {
			t.Errorf("DecodeSharingGroup(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestDecodeEventNestedSharingGroup(t *testing.T) {
	body := `{"Event":{"info":"x","distribution":4,"SharingGroup":{"uuid":"E","name":"event's"},
		"Attribute":[{"type":"domain","value":"a.example","SharingGroup":{"uuid":"A"}},{"type":"domain","value":"b.example","SharingGroup":[]}],
		"Object":[{"name":"o","SharingGroup":null,"Attribute":[{"type":"domain","value":"c.example","object_relation":"d","SharingGroup":{"uuid":"OA"}}]}]}}`
	in, err := DecodeEvent([]byte(body))
	if err != nil {
		t.Fatalf("DecodeEvent() = %v", err)
	}
	uuid := func(sg *SharingGroupInput) string {
		if sg == nil {
			return "<nil>"
		}
		return sg.Group.UUID
	}
	got := []string{uuid(in.SharingGroup), uuid(in.Attributes[0].SharingGroup), uuid(in.Attributes[1].SharingGroup),
		uuid(in.Objects[0].SharingGroup), uuid(in.Objects[0].Attributes[0].SharingGroup)}
	want := []string{"E", "A", "<nil>", "<nil>", "OA"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("nested groups (-want +got):\n%s", d)
	}
	if in.Event.SharingGroup != nil {
		t.Errorf("DecodeEvent set Event.SharingGroup, which only views fill")
	}
	if _, err := DecodeEvent([]byte(`{"info":"x","SharingGroup":"nope"}`)); !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("DecodeEvent with a string SharingGroup = %v, want ErrInvalid", err)
	}
}

// FuzzDecodeSharingGroup checks that DecodeSharingGroup never panics and
// that what it accepts renders.
func FuzzDecodeSharingGroup(f *testing.F) {
	for _, s := range []string{
		`{"name":"SG","SharingGroupOrg":[{"extend":true,"Organisation":{"uuid":"u","name":"n"}}]}`,
		`{"SharingGroup":{"name":"SG"},"SharingGroupServer":[{"all_orgs":1,"Server":[{"url":"u"}]}],"Organisation":"x"}`,
		`[{"request":{"SharingGroup":{"SharingGroupOrg":{"org_id":"3"}}}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeSharingGroup(body)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, SharingGroupView(in.Group), false); err != nil {
			t.Fatalf("Write(SharingGroupView) error: %v", err)
		}
	})
}
