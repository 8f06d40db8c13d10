package stix2test

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	identity  = `{"type":"identity","spec_version":"2.1","id":"identity--5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e","created":"2026-11-24T16:00:00.000Z","modified":"2026-11-24T16:00:00.000Z","name":"CERT-RS","identity_class":"organization"}`
	indicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001","created_by_ref":"identity--5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e","created":"2026-11-24T16:00:00.000Z","modified":"2026-11-24T16:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.23']","pattern_type":"stix","pattern_version":"2.1","valid_from":"2026-11-24T16:00:00.000Z","labels":["misp:type=\"ip-dst\""]}`
	custom    = `{"type":"x-misp-attribute","spec_version":"2.1","id":"x-misp-attribute--00000000-0000-4000-8000-000000000002","created":"2026-11-24T16:00:00.000Z","modified":"2026-11-24T16:00:00.000Z","labels":["misp:type=\"text\""],"x_misp_type":"text","x_misp_value":"a"}`
	ipv4      = `{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","value":"198.51.100.3"}`
	traffic   = `{"type":"network-traffic","spec_version":"2.1","id":"network-traffic--00000000-0000-5000-8000-000000000003","dst_ref":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","protocols":["tcp"]}`
)

func bundle(objects ...string) []byte {
	return []byte(`{"type":"bundle","id":"bundle--00000000-0000-4000-8000-0000000000ff","objects":[` + strings.Join(objects, ",") + `]}`)
}

// edit returns object o with property k set to v (JSON), or removed when
// v is "".
func edit(t *testing.T, o, k, v string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(o), &m); err != nil {
		t.Fatal(err)
	}
	if v == "" {
		delete(m, k)
	} else {
		m[k] = json.RawMessage(v)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheck(t *testing.T) {
	v := validator(t)
	// The first has only types bundle.json lists, so that it is also
	// validated whole; the second has a custom object.
	for _, b := range [][]byte{bundle(identity, indicator, ipv4, traffic), bundle(identity, indicator, custom)} {
		if errs := v.Check(b); len(errs) != 0 {
			t.Fatalf("Check(%s) = %v, want no error", b, errs)
		}
	}
	tests := []struct {
		name   string
		bundle []byte
	}{
		{"not JSON", []byte(`{"type":"bundle",`)},
		{"bundle without id", []byte(`{"type":"bundle","objects":[` + identity + `]}`)},
		{"empty object list", []byte(`{"type":"bundle","id":"bundle--00000000-0000-4000-8000-0000000000ff","objects":[]}`)},
		{"indicator without pattern", bundle(identity, edit(t, indicator, "pattern", ""))},
		{"created without milliseconds", bundle(edit(t, identity, "created", `"2026-11-24T16:00:00Z"`))},
		{"timestamp not UTC", bundle(edit(t, indicator, "valid_from", `"2026-11-24T16:00:00.000+01:00"`))},
		{"id of another type", bundle(edit(t, indicator, "id", `"report--00000000-0000-4000-8000-000000000001"`))},
		{"id with a bad uuid", bundle(edit(t, indicator, "id", `"indicator--00000000-0000-0000-0000-000000000001"`))},
		{"empty labels", bundle(edit(t, indicator, "labels", `[]`))},
		{"unquoted hyphen in pattern", bundle(edit(t, indicator, "pattern", `"[file:hashes.SHA-256 = 'aa']"`))},
		{"bad escape in pattern", bundle(edit(t, indicator, "pattern", `"[file:name = 'a\\b']"`))},
		{"unterminated pattern", bundle(edit(t, indicator, "pattern", `"[url:value = 'x'"`))},
		{"modified before created", bundle(edit(t, identity, "modified", `"2026-11-23T16:00:00.000Z"`))},
		{"valid_until not after valid_from", bundle(edit(t, indicator, "valid_until", `"2026-11-24T16:00:00.000Z"`))},
		{"custom property name", bundle(edit(t, custom, "X-Value", `"a"`))},
		{"custom SDO without created", bundle(edit(t, edit(t, custom, "created", ""), "spec_version", `"9"`))},
		{"ipv4 value", bundle(edit(t, ipv4, "value", `"198.51.100.300"`))},
		{"network-traffic without protocols", bundle(ipv4, edit(t, traffic, "protocols", ""))},
		{"network-traffic without refs", bundle(edit(t, traffic, "dst_ref", ""))},
		{"hash of the wrong length", bundle(`{"type":"file","spec_version":"2.1","id":"file--00000000-0000-5000-8000-000000000004","hashes":{"MD5":"abc"}}`)},
		{"TLP marking with a wrong id", bundle(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc8","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := v.Check(tt.bundle)
			if len(errs) == 0 {
				t.Fatalf("Check(%s) = no error, want one", tt.bundle)
			}
			msg := errs[0].Error()
			t.Log(msg[:min(len(msg), 300)])
		})
	}
}

func TestCheckRefs(t *testing.T) {
	if errs := CheckRefs(bundle(identity, indicator, ipv4, traffic)); len(errs) != 0 {
		t.Errorf("CheckRefs(complete bundle) = %v, want none", errs)
	}
	if errs := CheckRefs(bundle(indicator)); len(errs) != 1 {
		t.Errorf("CheckRefs(indicator without its identity) = %v, want one error", errs)
	}
	if errs := CheckRefs(bundle(ipv4, traffic, edit(t, ipv4, "value", `"198.51.100.4"`))); len(errs) != 1 {
		t.Errorf("CheckRefs(two different objects with one id) = %v, want one error", errs)
	}
}

func TestCheckPattern(t *testing.T) {
	valid := []string{
		`[ipv4-addr:value = '198.51.100.1/32']`,
		`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 8443]`,
		`[file:hashes.'SHA-256' = 'aa' OR file:hashes.MD5 = 'bb']`,
		`[file:name = 'it\'s \\ fine']`,
		`[email-message:to_refs[*].value = 'a@b.c'] AND [url:value LIKE '%x%']`,
		`([domain-name:value = 'x'] FOLLOWEDBY [domain-name:value = 'y']) WITHIN 600 SECONDS`,
		`[x509-certificate:hashes.'SHA-1' = 'x'] REPEATS 5 TIMES START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.123Z'`,
		`[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla']`,
		`[file:size IN (1, 2, 3) AND file:name NOT MATCHES '^a' AND EXISTS file:mime_type]`,
		`[artifact:payload_bin = b'aGVsbG8='] AND [file:x = h'0a0b'] AND [x:y = true]`,
		`[a:b[0].c = -1.5]`,
	}
	for _, p := range valid {
		if err := CheckPattern(p); err != nil {
			t.Errorf("CheckPattern(%s) = %v, want nil", p, err)
		}
	}
	invalid := []string{
		``,
		`ipv4-addr:value = '1.2.3.4'`,
		`[ipv4-addr:value = '1.2.3.4'`,
		`[ipv4-addr:value = 1.2.3.4]`,
		`[ipv4-addr:value == '1.2.3.4']`,
		`[ipv4-addr:value = 'a\b']`,
		`[file:hashes.SHA-256 = 'aa']`,
		`[file:name = 'a'] AND`,
		`[file:name = 'a' and file:size = 1]`,
		`[file:size < true]`,
		`[file:name = 'a'] WITHIN -5 SECONDS`,
		`[file:name LIKE 5]`,
		`[file = 'a']`,
		`[file:name = 'a'] START t'2016-13-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`,
		`[artifact:payload_bin = b'a']`,
		strings.Repeat("(", 200) + `[a:b = 1]` + strings.Repeat(")", 200),
	}
	for _, p := range invalid {
		if err := CheckPattern(p); err == nil {
			t.Errorf("CheckPattern(%s) = nil, want an error", p)
		}
	}
}
