package freetext

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProposalMarshalJSON(t *testing.T) {
	p := Proposal{
		Value: "192.0.2.1|80", OriginalValue: "192.0.2.1:80", Type: "ip-dst|port", DefaultType: "ip-dst|port",
		Types:    []string{"ip-dst|port", "ip-src|port", "ip-src|port/ip-dst|port"},
		Category: "Network activity", ToIDS: true, Comment: "On port 80",
	}
	got, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"types":{"ip-dst|port":"ip-dst|port","ip-src|port":"ip-src|port","ip-src|port/ip-dst|port":"ip-src|port/ip-dst|port"},` +
		`"default_type":"ip-dst|port","comment":"On port 80","value":"192.0.2.1|80","original_value":"192.0.2.1:80",` +
		`"to_ids":true,"type":"ip-dst|port","category":"Network activity"}`
	if string(got) != want {
		t.Errorf("json.Marshal(%+v) = %s, want %s", p, got, want)
	}
}

// TestProposalUnmarshalJSON reads MISP's own answer to
// POST /events/freeTextImport/{id} with returnMetaAttributes, where
// to_ids is 0 or 1 and comment may be false, and our array form.
func TestProposalUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name, in string
		want     Proposal
	}{
		{"misp", `{"types":{"ip-dst":"ip-dst","ip-src":"ip-src","ip-src/ip-dst":"ip-src/ip-dst"},"default_type":"ip-dst",` +
			`"comment":false,"value":"192.0.2.1","original_value":"192.0.2[.]1","to_ids":1}`,
			Proposal{Value: "192.0.2.1", OriginalValue: "192.0.2[.]1", DefaultType: "ip-dst",
				Types: []string{"ip-dst", "ip-src", "ip-src/ip-dst"}, ToIDS: true}},
		{"array", `{"types":["domain","filename"],"default_type":"domain","value":"evil.com","to_ids":false,"comment":"On port 80"}`,
			Proposal{Value: "evil.com", DefaultType: "domain", Types: []string{"domain", "filename"}, Comment: "On port 80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Proposal
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("json.Unmarshal(%s) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	var p Proposal
	if err := json.Unmarshal([]byte(`{"types":"ip-dst"}`), &p); err == nil {
		t.Errorf("json.Unmarshal of a string types = %+v, want an error", p)
	}
}

func TestParseNeverNil(t *testing.T) {
	got, err := json.Marshal(Parse("nothing to see here"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "[]" {
		t.Errorf("json.Marshal(Parse(…)) = %s, want []", got)
	}
}

// TestParseJSON checks that JSON input is read as its string values, in
// document order, without keys, and that JSON escapes are undone.
func TestParseJSON(t *testing.T) {
	runKindTests(t, []kindTest{
		{"values in order", `{"ioc": "evil.com", "list": ["http:\/\/evil.net\/x", {"ip": "192.0.2.1 and 192.0.2.2"}], "count": 3, "ok": true, "n": null}`, []short{
			{"evil.com", "domain", ""}, {"http://evil.net/x", "url", ""}, {"192.0.2.1", "ip-dst", ""}, {"192.0.2.2", "ip-dst", ""},
		}},
		{"keys are not values", `{"keyed.example.com": "value.example.org"}`, one("value.example.org", "hostname")},
		// Not JSON after all: parsed as text.
		{"broken json", `{"a": "evil.com"`, one("evil.com", "domain")},
		{"two documents", `{"a": "evil.com"} {"b": "evil.org"}`, []short{{"evil.com", "domain", ""}, {"evil.org", "domain", ""}}},
	})
}
