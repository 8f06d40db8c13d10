package mispjson

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestDecodeTag(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *misp.Tag
	}{
		{"wrapped", `{"Tag":{"name":"tlp:white","colour":"#ffffff","exportable":1}}`, &misp.Tag{Name: "tlp:white", Colour: "#ffffff", Exportable: true}},
		{"bare", `{"name":"tlp:white","hide_tag":"0","org_id":"3","numerical_value":null}`, &misp.Tag{Name: "tlp:white", OrgID: 3}},
		{"numerical value", `{"Tag":{"name":"x","numerical_value":"80","local_only":true}}`, &misp.Tag{Name: "x", NumericalValue: ptr(misp.Int(80)), LocalOnly: true}},
		{"request", `{"request":{"Tag":{"name":"x"}}}`, &misp.Tag{Name: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeTag([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeTag(%s) error: %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeTag(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
	rejects := []struct{ body, path string }{
		{``, ""},
		{`{"Tag":`, ""},
		{`"tlp:white"`, "Tag"},
		{`{"Tag":[{"name":"a"},{"name":"b"}]}`, "Tag"},
		{`{"Tag":{"name":{}}}`, "Tag.name"},
		{`{"Tag":{"name":"a","exportable":"sure"}}`, "Tag.exportable"},
	}
	for _, tt := range rejects {
		_, err := DecodeTag([]byte(tt.body))
		wantInputError(t, "DecodeTag("+tt.body+")", err, tt.path)
	}
}

func TestDecodeWrapped(t *testing.T) {
	tests := []struct {
		name string
		body string
		want misp.Organisation
	}{
		{"wrapped", `{"Organisation":{"name":"CIRCL","local":true,"restricted_to_domain":["circl.lu"]}}`, misp.Organisation{Name: "CIRCL", Local: true, RestrictedToDomain: []string{"circl.lu"}}},
		{"bare", `{"name":"CIRCL","uuid":"55f6ea5e-2c60-40e5-964f-47a8950d210f"}`, misp.Organisation{Name: "CIRCL", UUID: "55f6ea5e-2c60-40e5-964f-47a8950d210f"}},
		{"onto current contents", `{"Organisation":{"sector":"CERT"}}`, misp.Organisation{ID: 4, Name: "Old", Sector: "CERT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := misp.Organisation{ID: 4, Name: "Old"}
			if err := DecodeWrapped([]byte(tt.body), "Organisation", &got); err != nil {
				t.Fatalf("DecodeWrapped(%s) error: %v", tt.body, err)
			}
			if tt.name != "onto current contents" {
				got.ID = 0
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeWrapped(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}

	// A struct of pointers tells absent keys from zero values.
	var upd struct {
		Email    *string    `json:"email"`
		Disabled *misp.Bool `json:"disabled"`
		RoleID   *misp.Int  `json:"role_id"`
	}
	if err := DecodeWrapped([]byte(`{"User":{"disabled":"0","role_id":3}}`), "User", &upd); err != nil {
		t.Fatal(err)
	}
	if upd.Email != nil || upd.Disabled == nil || *upd.Disabled || upd.RoleID == nil || *upd.RoleID != 3 {
		t.Errorf("DecodeWrapped(User) = %+v", upd)
	}

	rejects := []struct{ body, path string }{
		{``, ""},
		{`{"User":5}`, "User"},
		{`[{"email":"a"},{"email":"b"}]`, "User"},
		{`{"User":{"email":{}}}`, "User.email"},
		{`{"User":{"disabled":"perhaps"}}`, "User"},
	}
	for _, tt := range rejects {
		var u misp.User
		err := DecodeWrapped([]byte(tt.body), "User", &u)
		wantInputError(t, "DecodeWrapped("+tt.body+")", err, tt.path)
	}
}
