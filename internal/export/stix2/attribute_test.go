package stix2

import (
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// TestAttributeObjects is the mapping table: what each kind of attribute
// becomes, with to_ids set (the indicator's pattern) and not set (the
// observed-data's SCO types).
func TestAttributeObjects(t *testing.T) {
	const (
		md5    = "d41d8cd98f00b204e9800998ecf8427e"
		sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	)
	tests := []struct {
		typ, value string
		pattern    string   // with to_ids; "" means no indicator
		scos       []string // without to_ids; nil means no observed-data
		other      string   // SDO type when neither
	}{
		{"ip-dst", "198.51.100.1", `[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.1']`, []string{"network-traffic", "ipv4-addr"}, ""},
		{"ip-src", "2001:db8::/32", `[network-traffic:src_ref.type = 'ipv6-addr' AND network-traffic:src_ref.value = '2001:db8::/32']`, []string{"network-traffic", "ipv6-addr"}, ""},
		{"ip-src|port", "192.0.2.1|53", `[network-traffic:src_ref.type = 'ipv4-addr' AND network-traffic:src_ref.value = '192.0.2.1' AND network-traffic:src_port = 53]`, []string{"network-traffic", "ipv4-addr"}, ""},
		{"domain", "example.com", `[domain-name:value = 'example.com']`, []string{"domain-name"}, ""},
		{"hostname", "a.example.com", `[domain-name:value = 'a.example.com']`, []string{"domain-name"}, ""},
		{"domain|ip", "example.com|192.0.2.1", `[domain-name:value = 'example.com' AND domain-name:resolves_to_refs[*].value = '192.0.2.1']`, []string{"domain-name", "ipv4-addr"}, ""},
		{"hostname|port", "example.com|443", `[domain-name:value = 'example.com' AND network-traffic:dst_port = 443]`, []string{"domain-name", "network-traffic"}, ""},
		{"url", "http://example.com/it's\\", `[url:value = 'http://example.com/it\'s\\']`, []string{"url"}, ""},
		{"link", "https://example.com", `[url:value = 'https://example.com']`, []string{"url"}, ""},
		{"email", "a@example.com", `[email-addr:value = 'a@example.com']`, []string{"email-addr"}, ""},
		{"email-src", "a@example.com", `[email-message:from_ref.value = 'a@example.com']`, []string{"email-message", "email-addr"}, ""},
		{"email-dst", "a@example.com", `[email-message:to_refs[*].value = 'a@example.com']`, []string{"email-message", "email-addr"}, ""},
		{"email-subject", "Hi", `[email-message:subject = 'Hi']`, []string{"email-message"}, ""},
		{"email-reply-to", "a@example.com", `[email-message:additional_header_fields.'Reply-To' = 'a@example.com']`, []string{"email-message"}, ""},
		{"email-attachment", "a.pdf", `[email-message:body_multipart[*].body_raw_ref.name = 'a.pdf']`, []string{"email-message", "file"}, ""},
		{"md5", md5, `[file:hashes.MD5 = '` + md5 + `']`, []string{"file"}, ""},
		{"sha256", sha256, `[file:hashes.'SHA-256' = '` + sha256 + `']`, []string{"file"}, ""},
		{"filename|md5", "a.exe|" + md5, `[file:name = 'a.exe' AND file:hashes.MD5 = '` + md5 + `']`, []string{"file"}, ""},
		{"malware-sample", "a.exe|" + md5, `[file:name = 'a.exe' AND file:hashes.MD5 = '` + md5 + `']`, []string{"file"}, ""},
		{"filename", "a.exe", `[file:name = 'a.exe']`, []string{"file"}, ""},
		{"AS", "AS64500", `[autonomous-system:number = 64500]`, []string{"autonomous-system"}, ""},
		{"mac-address", "00-1A-2B-3C-4D-5E", `[mac-addr:value = '00:1a:2b:3c:4d:5e']`, []string{"mac-addr"}, ""},
		{"mutex", "Global\\x", `[mutex:name = 'Global\\x']`, []string{"mutex"}, ""},
		{"regkey", `HKLM\Software\Run`, `[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\Software\\Run']`, []string{"windows-registry-key"}, ""},
		{"regkey|value", `HKCU\Run|evil.exe`, `[windows-registry-key:key = 'HKEY_CURRENT_USER\\Run' AND windows-registry-key:values[*].data = 'evil.exe']`, []string{"windows-registry-key"}, ""},
		{"x509-fingerprint-sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", `[x509-certificate:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']`, []string{"x509-certificate"}, ""},
		{"github-username", "octocat", `[user-account:account_type = 'github' AND user-account:account_login = 'octocat']`, []string{"user-account"}, ""},
		{"port", "8080", `[network-traffic:dst_port = 8080]`, nil, "x-misp-attribute"},
		{"size-in-bytes", "42", `[file:size = 42]`, nil, "x-misp-attribute"},
		{"user-agent", "Mozilla", `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla']`, nil, "x-misp-attribute"},
		{"http-method", "POST", `[network-traffic:extensions.'http-request-ext'.request_method = 'POST']`, nil, "x-misp-attribute"},
		{"vulnerability", "CVE-2021-44228", "", nil, "vulnerability"},
		{"campaign-name", "Op", "", nil, "campaign"},
		{"text", "x", "", nil, "x-misp-attribute"},
		// Values STIX would reject stay custom attributes.
		{"ip-dst", "1.2.3.04", "", nil, "x-misp-attribute"},
		{"md5", "abc", "", nil, "x-misp-attribute"},
		{"domain|ip", "example.com", "", nil, "x-misp-attribute"},
		{"sha512/256", sha256, "", nil, "x-misp-attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.value, func(t *testing.T) {
			for _, toIDS := range []bool{true, false} {
				a := &misp.Attribute{Type: tt.typ, Category: "Other", Value: tt.value, ToIDS: misp.Bool(toIDS), UUID: "00000000-0000-4000-8000-000000000001", Timestamp: 1}
				objs := attributeObjects(a, "", nil)
				first := objs[0]
				var types []string
				for _, o := range objs[1:] {
					types = append(types, o.typ())
				}
				switch {
				case toIDS && tt.pattern != "":
					if first.typ() != "indicator" || first.str("pattern") != tt.pattern || len(objs) != 1 {
						t.Errorf("to_ids: got %s %s + %v, want indicator %s", first.typ(), first.str("pattern"), types, tt.pattern)
					}
				case tt.scos != nil:
					if first.typ() != "observed-data" || !slices.Equal(types, tt.scos) || !slices.Equal(first.refs("object_refs"), ids(objs[1:])) {
						t.Errorf("to_ids %v: got %s + %v, want observed-data + %v", toIDS, first.typ(), types, tt.scos)
					}
				default:
					if first.typ() != tt.other || len(objs) != 1 {
						t.Errorf("to_ids %v: got %s + %v, want %s", toIDS, first.typ(), types, tt.other)
					}
				}
			}
		})
	}
}

func ids(objs []object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.id())
	}
	return out
}

// TestSnort: rule types are indicators in their own pattern language,
// whatever to_ids says, as in misp-stix.
func TestSnort(t *testing.T) {
	a := &misp.Attribute{Type: "snort", Category: "Network activity", Value: `alert tcp any any -> any 80 (msg:"x'";)`, UUID: "00000000-0000-4000-8000-000000000001"}
	o := attributeObjects(a, "", nil)[0]
	if o.typ() != "indicator" || o.str("pattern_type") != "snort" || o.str("pattern") != a.Value {
		t.Errorf("snort attribute = %s, want an indicator with the rule as a snort pattern", o.json())
	}
	if _, ok := o.get("pattern_version"); ok {
		t.Errorf("snort indicator has a pattern_version: %s", o.json())
	}
}

func TestTags(t *testing.T) {
	tags := []*misp.AttachedTag{
		{Name: "tlp:amber"}, {Name: "TLP:AMBER"}, {Name: "tlp:clear"}, {Name: "osint"}, {Name: "osint"},
		{Name: `misp:confidence-level="usually-confident"`}, {Name: `misp:confidence-level="rarely-confident"`},
	}
	got := tagsOf(tags)
	wantMarkings := []string{"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"}
	wantLabels := []string{"osint", `misp:confidence-level="usually-confident"`, `misp:confidence-level="rarely-confident"`}
	if !slices.Equal(got.markings, wantMarkings) || !slices.Equal(got.labels, wantLabels) || got.confidence != 25 {
		t.Errorf("tagsOf = %+v, want markings %v, labels %v, confidence 25", got, wantMarkings, wantLabels)
	}
}
