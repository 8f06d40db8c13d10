package stiximport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

// examples is the OASIS example directory shipped in shared/.
const examples = "../../../shared/stix2-json-schemas/examples"

var testNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// summary describes an event for assertions: "type=value" for standalone
// attributes ("!" marks to_ids), "object:name(rel,rel)" for objects, and
// "tag:name" for event tags, sorted.
func summary(e *misp.Event) []string {
	var out []string
	for _, a := range e.Attribute {
		ids := ""
		if a.ToIDS {
			ids = "!"
		}
		out = append(out, ids+a.Type+"="+a.Value)
	}
	for _, o := range e.Object {
		var rels []string
		for _, a := range o.Attribute {
			rels = append(rels, *a.ObjectRelation)
		}
		out = append(out, "object:"+o.Name+"("+strings.Join(rels, ",")+")")
	}
	for _, t := range e.Tag {
		out = append(out, "tag:"+t.Name)
	}
	sort.Strings(out)
	return out
}

func has(list []string, want ...string) []string {
	var missing []string
	for _, w := range want {
		found := false
		for _, l := range list {
			if l == w {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

func convertFile(t *testing.T, path string) (*misp.Event, []Warning) {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("OASIS examples not found (CI has them at ../shared): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	e, w, err := Convert(b, Options{Now: testNow})
	if err != nil {
		t.Fatalf("Convert(%s) = %v", path, err)
	}
	return e, w
}

func TestConvertOASISExamples(t *testing.T) {
	tests := []struct {
		file     string
		info     string
		date     string
		uuid     string
		want     []string // entries of summary()
		warnings int
	}{
		{file: "indicator-for-c2-ip-address.json", date: "2026-01-15", uuid: "44af6c39-c09b-49c5-9de2-394224b04982",
			info: "STIX 2.1 Bundle (bundle--44af6c39-c09b-49c5-9de2-394224b04982) imported",
			want: []string{"!ip-dst=10.0.0.0"}},
		{file: "indicator-to-campaign-relationship.json",
			want: []string{"!ip-dst=10.0.0.0", `tag:misp-galaxy:campaign="Operation Omega"`}},
		{file: "indicators-for-C2-with-COA.json",
			want: []string{"!ip-dst=10.0.0.0", "!sha256=ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c",
				`tag:misp-galaxy:malware="Poison Ivy"`,
				`tag:misp-galaxy:course-of-action="Add TCP port 80 Filter Rule to the existing Block UDP 1434 Filter"`}},
		// Standalone 2.1 SCOs: observables without to_ids.
		{file: "infrastructure.json",
			want: []string{"ip-dst=198.51.100.3", "domain=example.com", `tag:misp-galaxy:infrastructure="Poison Ivy C2"`,
				`tag:misp-galaxy:malware="IMDDOS"`}},
		// MATCHES cannot be an attribute: the patterns are kept.
		{file: "malicious-email-indicator-with-attachment.json", warnings: 2,
			want: []string{"object:stix2-pattern(version,stix2-pattern)", `tag:misp-galaxy:attack-pattern="Phishing"`}},
		{file: "threat-reports/apt1.json", info: "APT1: Exposing One of China's Cyber Espionage Units",
			date: "2013-02-19", uuid: "e33ffe07-2f4c-48d8-b0af-ee2619d765cf",
			want: []string{"!ip-dst=223.166.0.0/15", "!ip-dst=139.226.0.0/15", "!domain=hugesoft.org",
				"!md5=001dd76872d80801692ff942308c64e6", "object:x509(issuer,serial-number)",
				`tag:misp-galaxy:threat-actor="Ugly Gorilla"`, `tag:misp-galaxy:intrusion-set="APT1"`,
				`tag:misp-galaxy:tool="mimikatz"`, `tag:misp-galaxy:attack-pattern="Lateral Movement"`}},
		// "domain autuo.xicp.net" is no domain name: that attribute is
		// left out of its domain-ip object, with a warning.
		{file: "threat-reports/poisonivy.json", info: "Poison Ivy: Assessing Damage and Extracting Intelligence",
			date: "2013-08-21", uuid: "f2b63e80-b523-4747-a069-35c002c690db", warnings: 1,
			want: []string{"!ip-dst=219.76.208.163", "!filename=CBricksDoc", "!domain=send.have8000.com",
				"object:domain-ip(domain,ip)", "object:domain-ip(ip)", "vulnerability=CVE-2012-0158",
				`tag:misp-galaxy:producer="FireEye, Inc."`, `tag:misp-galaxy:campaign="menuPass"`}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			e, warnings := convertFile(t, filepath.Join(examples, tc.file))
			if tc.info != "" && e.Info != tc.info {
				t.Errorf("Info = %q, want %q", e.Info, tc.info)
			}
			if tc.date != "" && e.Date != tc.date {
				t.Errorf("Date = %q, want %q", e.Date, tc.date)
			}
			if tc.uuid != "" && e.UUID != tc.uuid {
				t.Errorf("UUID = %q, want %q", e.UUID, tc.uuid)
			}
			if missing := has(summary(e), tc.want...); len(missing) > 0 {
				t.Errorf("missing %q in %q", missing, summary(e))
			}
			if len(warnings) != tc.warnings {
				t.Errorf("%d warnings, want %d: %v", len(warnings), tc.warnings, warnings)
			}
			checkValid(t, e)
		})
	}
}

// checkValid asserts what Convert promises: every attribute and object
// passes validation, UUIDs are unique, children inherit distribution.
func checkValid(t *testing.T, e *misp.Event) {
	t.Helper()
	seen := map[string]bool{}
	check := func(a *misp.Attribute) {
		if err := a.Validate(); err != nil {
			t.Errorf("attribute %s %q: %v", a.Type, a.Value, err)
		}
		if seen[a.UUID] || !misp.IsUUID(a.UUID) {
			t.Errorf("attribute %s %q: uuid %q missing or repeated", a.Type, a.Value, a.UUID)
		}
		seen[a.UUID] = true
		if a.Distribution != misp.DistributionInheritEvnt {
			t.Errorf("attribute %s: distribution %d", a.Type, a.Distribution)
		}
	}
	for _, a := range e.Attribute {
		check(a)
	}
	for _, o := range e.Object {
		if err := o.Validate(); err != nil {
			t.Errorf("object %s: %v", o.Name, err)
		}
		if seen[o.UUID] {
			t.Errorf("object %s: uuid %s repeated", o.Name, o.UUID)
		}
		seen[o.UUID] = true
		for _, a := range o.Attribute {
			check(a)
		}
	}
	if err := e.Validate(testNow); err != nil {
		t.Errorf("event: %v", err)
	}
}

func TestConvertNotABundle(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(examples, "interop-objectmarking-test.json"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("OASIS examples not found (CI has them at ../shared): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Convert(b, Options{})
	var se *Error
	if !errors.As(err, &se) || !errors.Is(err, misp.ErrInvalid) {
		t.Fatalf("Convert(a lone campaign) = %v, want an *Error", err)
	}
}

// bundle wraps STIX objects (JSON) in a 2.1 bundle.
func bundle(objects ...string) []byte {
	return []byte(`{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": [` +
		strings.Join(objects, ",") + `]}`)
}

// indicator is a STIX 2.1 indicator with pattern and n in its id.
func indicator(n int, pattern string, extra ...string) string {
	s := fmt.Sprintf(`{"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-%012d",
	 "pattern_type": "stix", "pattern": %q, "valid_from": "2025-01-01T00:00:00Z",
	 "created": "2025-01-01T00:00:00Z", "modified": "2025-01-01T00:00:00Z"`, n, pattern)
	for _, e := range extra {
		s += ", " + e
	}
	return s + "}"
}

func TestConvertIndicators(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    []string
		warn    bool
	}{
		{"ipv4", "[ipv4-addr:value = '198.51.100.1']", []string{"!ip-dst=198.51.100.1"}, false},
		{"ipv6", "[ipv6-addr:value = '2001:db8::1']", []string{"!ip-dst=2001:db8::1"}, false},
		{"two IPs", "[ipv4-addr:value = '198.51.100.1' OR ipv4-addr:value = '198.51.100.2']", []string{"object:ip-port(ip,ip)"}, false},
		{"IN", "[ipv4-addr:value IN ('198.51.100.1', '198.51.100.2')]", []string{"object:ip-port(ip,ip)"}, false},
		{"domain", "[domain-name:value = 'evil.example']", []string{"!domain=evil.example"}, false},
		{"domain and ip", "[domain-name:value = 'evil.example' AND domain-name:resolves_to_refs[*].value = '198.51.100.3']",
			[]string{"object:domain-ip(domain,ip)"}, false},
		{"url", "[url:value = 'http://evil.example/x']", []string{"!url=http://evil.example/x"}, false},
		{"email address", "[email-addr:value = 'bad@evil.example']", []string{"!email-dst=bad@evil.example"}, false},
		{"email subject", "[email-message:subject = 'Invoice']", []string{"!email-subject=Invoice"}, false},
		{"email from and to", "[email-message:from_ref.value = 'a@evil.example' AND email-message:to_refs[*].value = 'b@example.org']",
			[]string{"object:email(from,to)"}, false},
		{"sha256 quoted", "[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
			[]string{"!sha256=ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"}, false},
		{"md5 lower-case algo", "[file:hashes.md5 = '001dd76872d80801692ff942308c64e6']", []string{"!md5=001dd76872d80801692ff942308c64e6"}, false},
		{"file name and hash", "[file:name = 'a.exe' AND file:hashes.SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
			[]string{"object:file(filename,sha1)"}, false},
		{"network-traffic dst", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.4']",
			[]string{"!ip-dst=198.51.100.4"}, false},
		{"network-traffic dst and port", "[network-traffic:dst_ref.value = '198.51.100.4' AND network-traffic:dst_port = 443]",
			[]string{"object:network-traffic(dst_ip,dst_port)"}, false},
		{"network-traffic hostname", "[network-traffic:src_ref.value = 'host.example']", []string{"!hostname=host.example"}, false},
		{"AS", "[autonomous-system:number = 64500]", []string{"!AS=64500"}, false},
		{"mutex", "[mutex:name = 'Global\\\\x']", []string{`!mutex=Global\x`}, false},
		{"registry key", "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Software\\\\x']",
			[]string{`!regkey=HKEY_LOCAL_MACHINE\Software\x`}, false},
		{"x509 fingerprint", "[x509-certificate:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
			[]string{"!x509-fingerprint-sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709"}, false},
		{"user account", "[user-account:account_login = 'root']", []string{"object:user-account(username)"}, false},
		{"mac", "[mac-addr:value = '00:11:22:33:44:55']", []string{"!mac-address=00:11:22:33:44:55"}, false},
		// Kept whole: operators, several observations, unknown types,
		// unparsable patterns.
		{"LIKE", "[domain-name:value LIKE '%.evil.example']", []string{"object:stix2-pattern(version,stix2-pattern)"}, true},
		{"NOT", "[ipv4-addr:value NOT = '198.51.100.1']", []string{"object:stix2-pattern(version,stix2-pattern)"}, true},
		{"FOLLOWEDBY", "[url:value = 'http://a.example/'] FOLLOWEDBY [url:value = 'http://b.example/']",
			[]string{"object:stix2-pattern(version,stix2-pattern)"}, true},
		{"custom type", "[x-acme:value = 'x']", []string{"object:stix2-pattern(version,stix2-pattern)"}, true},
		{"domain and port", "[domain-name:value = 'a.example' AND network-traffic:dst_port = 80]",
			[]string{"object:stix2-pattern(version,stix2-pattern)"}, true},
		{"broken", "[ipv4-addr:value = ", []string{"object:stix2-pattern(version,stix2-pattern)"}, true},
		// An invalid value: the attribute is left out, the pattern kept.
		{"invalid ip", "[ipv4-addr:value = 'not an ip']", []string{"object:stix2-pattern(version,stix2-pattern)"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, warnings, err := Convert(bundle(indicator(1, tc.pattern)), Options{Now: testNow})
			if err != nil {
				t.Fatalf("Convert = %v", err)
			}
			if diff := cmp.Diff(tc.want, summary(e)); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if (len(warnings) > 0) != tc.warn {
				t.Errorf("warnings = %v, want some: %v", warnings, tc.warn)
			}
			checkValid(t, e)
		})
	}
}

func TestConvertIndicatorFields(t *testing.T) {
	in := bundle(indicator(7, "[ipv4-addr:value = '198.51.100.1']",
		`"description": "C2 server"`, `"valid_until": "2025-02-01T00:00:00Z"`, `"labels": ["c2", "misp:type=\"ip-src\""]`,
		`"confidence": 80`, `"object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]`))
	e, _, err := Convert(in, Options{Now: testNow, Distribution: misp.DistributionSharingGrp, SharingGroupID: 9})
	if err != nil {
		t.Fatal(err)
	}
	a := e.Attribute[0]
	// misp:type wins over the external reading (ip-dst).
	if a.Type != "ip-src" || a.Value != "198.51.100.1" || !a.ToIDS || a.Comment != "C2 server" {
		t.Errorf("attribute = %s %q to_ids=%v comment=%q", a.Type, a.Value, a.ToIDS, a.Comment)
	}
	if a.UUID != "00000000-0000-4000-8000-000000000007" {
		t.Errorf("uuid = %s, want the indicator's", a.UUID)
	}
	if a.FirstSeen == nil || a.FirstSeen.Time() != time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) || a.LastSeen == nil {
		t.Errorf("first_seen/last_seen = %v/%v", a.FirstSeen, a.LastSeen)
	}
	var tags []string
	for _, tg := range a.Tag {
		tags = append(tags, tg.Name)
	}
	want := []string{"tlp:amber", "c2", `misp:confidence-level="usually-confident"`}
	if diff := cmp.Diff(want, tags); diff != "" {
		t.Errorf("attribute tags (-want +got):\n%s", diff)
	}
	if e.Distribution != misp.DistributionSharingGrp || e.SharingGroupID != 9 {
		t.Errorf("event distribution %d sharing group %d", e.Distribution, e.SharingGroupID)
	}
}

func TestConvertObservedData(t *testing.T) {
	v20 := []byte(`{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "spec_version": "2.0", "objects": [
	 {"type": "observed-data", "id": "observed-data--00000000-0000-4000-8000-000000000001",
	  "created": "2017-01-01T00:00:00Z", "modified": "2017-01-01T00:00:00Z",
	  "first_observed": "2017-01-01T00:00:00Z", "last_observed": "2017-01-02T00:00:00Z", "number_observed": 1,
	  "objects": {
	   "0": {"type": "ipv4-addr", "value": "198.51.100.9"},
	   "1": {"type": "network-traffic", "dst_ref": "0", "dst_port": 8080, "protocols": ["tcp"]},
	   "2": {"type": "file", "name": "x.dll", "hashes": {"MD5": "0123456789abcdef0123456789abcdef"}},
	   "3": {"type": "domain-name", "value": "c2.example"}
	  }}]}`)
	e, warnings, err := Convert(v20, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"domain=c2.example", "object:file(md5,filename)", "object:network-traffic(dst_port,dst_ip,protocol)"}
	if diff := cmp.Diff(want, summary(e)); diff != "" {
		t.Errorf("2.0 observed data (-want +got):\n%s\nwarnings: %v", diff, warnings)
	}
	if e.Object[0].FirstSeen == nil {
		t.Errorf("first_observed not kept as first_seen")
	}
	checkValid(t, e)

	v21 := bundle(
		`{"type": "observed-data", "spec_version": "2.1", "id": "observed-data--00000000-0000-4000-8000-000000000002",
		  "created": "2017-01-01T00:00:00Z", "modified": "2017-01-01T00:00:00Z",
		  "first_observed": "2017-01-01T00:00:00Z", "last_observed": "2017-01-01T00:00:00Z", "number_observed": 1,
		  "object_refs": ["email-message--00000000-0000-4000-8000-000000000003", "email-addr--00000000-0000-4000-8000-000000000004",
		   "url--00000000-0000-4000-8000-000000000005"]}`,
		`{"type": "email-message", "spec_version": "2.1", "id": "email-message--00000000-0000-4000-8000-000000000003",
		  "is_multipart": false, "subject": "Hello", "from_ref": "email-addr--00000000-0000-4000-8000-000000000004"}`,
		`{"type": "email-addr", "spec_version": "2.1", "id": "email-addr--00000000-0000-4000-8000-000000000004",
		  "value": "sender@evil.example"}`,
		`{"type": "url", "spec_version": "2.1", "id": "url--00000000-0000-4000-8000-000000000005", "value": "https://evil.example/a"}`,
	)
	e, warnings, err = Convert(v21, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"object:email(from,subject)", "url=https://evil.example/a"}
	if diff := cmp.Diff(want, summary(e)); diff != "" {
		t.Errorf("2.1 observed data (-want +got):\n%s\nwarnings: %v", diff, warnings)
	}
	if e.Attribute[0].UUID != "00000000-0000-4000-8000-000000000005" {
		t.Errorf("url attribute uuid = %s, want the SCO's", e.Attribute[0].UUID)
	}
	checkValid(t, e)
}

func TestConvertReports(t *testing.T) {
	report := func(n int, name string, extra string) string {
		return fmt.Sprintf(`{"type": "report", "spec_version": "2.1", "id": "report--00000000-0000-4000-8000-0000000000%02d",
		 "name": %q, "published": "2024-0%d-01T00:00:00Z", "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
		 "object_refs": ["indicator--00000000-0000-4000-8000-000000000001"]%s}`, n, name, n, extra)
	}
	ind := indicator(1, "[url:value = 'http://x.example/']")
	// One report: its uuid, name, date, labels and markings.
	e, _, err := Convert(bundle(report(1, "One", `, "labels": ["Threat-Report", "apt"],
	 "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "marking-definition--00000000-0000-4000-8000-0000000000aa"]`),
		`{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--00000000-0000-4000-8000-0000000000aa",
		  "created": "2024-01-01T00:00:00Z", "definition_type": "statement", "definition": {"statement": "Copyright Example"}}`,
		ind), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if e.UUID != "00000000-0000-4000-8000-000000000001" || e.Info != "One" || e.Date != "2024-01-01" {
		t.Errorf("event uuid %s info %q date %s", e.UUID, e.Info, e.Date)
	}
	if diff := cmp.Diff([]string{"!url=http://x.example/", "tag:apt", "tag:statement:Copyright Example", "tag:tlp:green"}, summary(e)); diff != "" {
		t.Errorf("one report (-want +got):\n%s", diff)
	}
	// Two reports: one event with the bundle's uuid, both reports' tags,
	// the earliest date.
	e, _, err = Convert(bundle(report(2, "Two", `, "labels": ["b"]`), report(3, "Three", `, "labels": ["c"]`), ind), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if e.UUID != "00000000-0000-4000-8000-000000000000" || !strings.HasPrefix(e.Info, "STIX 2.1 Bundle") || e.Date != "2024-02-01" {
		t.Errorf("merged event uuid %s info %q date %s", e.UUID, e.Info, e.Date)
	}
	if diff := cmp.Diff([]string{"!url=http://x.example/", "tag:b", "tag:c"}, summary(e)); diff != "" {
		t.Errorf("two reports (-want +got):\n%s", diff)
	}
}

func TestConvertMISPProduced(t *testing.T) {
	in := bundle(
		`{"type": "report", "spec_version": "2.1", "id": "report--11111111-0000-4000-8000-000000000000", "name": "MISP event",
		  "labels": ["Threat-Report", "misp:tool=\"MISP-STIX-Converter\"", "tlp:white"], "published": "2024-01-01T00:00:00Z",
		  "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "object_refs": []}`,
		indicator(1, "[domain-name:value = 'a.example' AND domain-name:resolves_to_refs[*].value = '198.51.100.1']",
			`"labels": ["misp:type=\"domain|ip\"", "misp:category=\"Network activity\""]`),
		indicator(2, "[file:name = 'a.exe' AND file:hashes.MD5 = '0123456789abcdef0123456789abcdef']",
			`"labels": ["misp:type=\"filename|md5\"", "misp:category=\"Payload delivery\""]`),
		indicator(3, "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.2' AND network-traffic:dst_port = '443']",
			`"labels": ["misp:type=\"ip-dst|port\"", "misp:category=\"Network activity\""]`),
		indicator(4, "[url:value = 'http://a.example/x']",
			`"labels": ["misp:name=\"url\"", "misp:meta-category=\"network\""]`),
		indicator(5, "[ipv4-addr:value = '198.51.100.7']", `"labels": ["misp:type=\"stix2-pattern\"", "misp:category=\"Network activity\""]`),
		`{"type": "x-misp-attribute", "spec_version": "2.1", "id": "x-misp-attribute--11111111-0000-4000-8000-000000000006",
		  "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "labels": ["misp:type=\"text\"", "misp:category=\"Other\"", "keep"],
		  "x_misp_type": "text", "x_misp_category": "Other", "x_misp_value": "free text", "x_misp_comment": "a note"}`,
		`{"type": "x-misp-object", "spec_version": "2.1", "id": "x-misp-object--11111111-0000-4000-8000-000000000007",
		  "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
		  "labels": ["misp:name=\"bank-account\"", "misp:meta-category=\"financial\""],
		  "x_misp_name": "bank-account", "x_misp_meta_category": "financial", "x_misp_comment": "acct",
		  "x_misp_attributes": [{"type": "iban", "object_relation": "iban", "value": "DE89370400440532013000", "to_ids": true,
		   "uuid": "11111111-0000-4000-8000-000000000008"},
		   {"type": "text", "object_relation": "holder-name", "value": "Jane"}]}`,
		`{"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--11111111-0000-4000-8000-000000000009",
		  "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "Actor X",
		  "labels": ["misp:galaxy-name=\"Threat Actor\"", "misp:galaxy-type=\"threat-actor\"", "misp-galaxy:threat-actor=\"Actor X\""]}`,
	)
	e, warnings, err := Convert(in, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"!domain|ip=a.example|198.51.100.1",
		"!filename|md5=a.exe|0123456789abcdef0123456789abcdef",
		"!ip-dst|port=198.51.100.2|443",
		"!stix2-pattern=[ipv4-addr:value = '198.51.100.7']",
		"object:bank-account(iban,holder-name)",
		"object:url(url)",
		`tag:misp-galaxy:threat-actor="Actor X"`,
		"tag:tlp:white",
		"text=free text",
	}
	if diff := cmp.Diff(want, summary(e)); diff != "" {
		t.Errorf("(-want +got):\n%s\nwarnings: %v", diff, warnings)
	}
	for _, a := range e.Attribute {
		if a.Type == "text" && (a.Comment != "a note" || a.Category != "Other" || len(a.Tag) != 1 || a.Tag[0].Name != "keep") {
			t.Errorf("x-misp-attribute: comment %q category %q tags %v", a.Comment, a.Category, a.Tag)
		}
	}
	for _, o := range e.Object {
		if o.Name != "bank-account" {
			continue
		}
		if o.MetaCategory != "financial" || o.Comment != "acct" || o.UUID != "11111111-0000-4000-8000-000000000007" {
			t.Errorf("x-misp-object: %+v", o)
		}
		if !o.Attribute[0].ToIDS || o.Attribute[1].ToIDS || o.Attribute[0].UUID != "11111111-0000-4000-8000-000000000008" {
			t.Errorf("x-misp-object attributes keep their to_ids and uuid: %+v %+v", o.Attribute[0], o.Attribute[1])
		}
	}
	checkValid(t, e)
}

func TestConvertErrors(t *testing.T) {
	big := make([]byte, 0, 2048)
	big = append(big, `{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": [`...)
	for i := range 11 {
		if i > 0 {
			big = append(big, ',')
		}
		big = append(big, indicator(i, "[url:value = 'http://x.example/']")...)
	}
	big = append(big, "]}"...)
	tests := []struct {
		name string
		in   []byte
		opts Options
	}{
		{"empty", nil, Options{}},
		{"not JSON", []byte("{"), Options{}},
		{"trailing data", []byte(`{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": []} {}`), Options{}},
		{"a list", []byte(`[]`), Options{}},
		{"not a bundle", []byte(`{"type": "report"}`), Options{}},
		{"bundle id", []byte(`{"type": "bundle", "id": "bundle--x", "objects": []}`), Options{}},
		{"no objects", []byte(`{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000"}`), Options{}},
		{"objects not a list", []byte(`{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": {}}`), Options{}},
		{"object not an object", bundle(`"x"`), Options{}},
		{"object without type", bundle(`{"id": "indicator--00000000-0000-4000-8000-000000000001"}`), Options{}},
		{"malformed object id", bundle(`{"type": "indicator", "id": "indicator--1234"}`), Options{}},
		{"id of another type", bundle(`{"type": "indicator", "id": "malware--00000000-0000-4000-8000-000000000001"}`), Options{}},
		{"nothing convertible", bundle(`{"type": "identity", "id": "identity--00000000-0000-4000-8000-000000000001", "name": "x"}`), Options{}},
		{"only invalid content", bundle(`{"type": "vulnerability", "id": "vulnerability--00000000-0000-4000-8000-000000000001"}`), Options{}},
		{"too large", big, Options{MaxBytes: 100}},
		{"too many objects", big, Options{MaxObjects: 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _, err := Convert(tc.in, tc.opts)
			var se *Error
			if !errors.As(err, &se) || e != nil {
				t.Fatalf("Convert = %v, %v; want an *Error", e, err)
			}
			if !errors.Is(err, misp.ErrInvalid) {
				t.Errorf("error does not match misp.ErrInvalid")
			}
		})
	}
}

func TestConvertVersions(t *testing.T) {
	// Two versions of one indicator: the later one counts.
	in := bundle(
		indicator(1, "[url:value = 'http://old.example/']"),
		strings.Replace(indicator(1, "[url:value = 'http://new.example/']"), `"modified": "2025-01-01T00:00:00Z"`, `"modified": "2025-06-01T00:00:00Z"`, 1),
	)
	e, _, err := Convert(in, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"!url=http://new.example/"}, summary(e)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestConvertObservedDataWithIndicator(t *testing.T) {
	// misp-stix writes a file object with to_ids attributes as observed
	// data and an indicator of the same uuid.
	const u = "22222222-0000-4000-8000-000000000001"
	in := bundle(
		`{"type": "observed-data", "spec_version": "2.1", "id": "observed-data--`+u+`",
		  "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "first_observed": "2024-01-01T00:00:00Z",
		  "last_observed": "2024-01-01T00:00:00Z", "number_observed": 1, "labels": ["misp:name=\"file\"", "misp:meta-category=\"file\""],
		  "object_refs": ["file--22222222-0000-4000-8000-000000000002"]}`,
		`{"type": "file", "spec_version": "2.1", "id": "file--22222222-0000-4000-8000-000000000002", "name": "a.exe",
		  "hashes": {"MD5": "0123456789abcdef0123456789abcdef"}, "size": 1024}`,
		`{"type": "indicator", "spec_version": "2.1", "id": "indicator--`+u+`", "pattern_type": "stix",
		  "pattern": "[file:name = 'a.exe' AND file:hashes.MD5 = '0123456789abcdef0123456789abcdef']",
		  "labels": ["misp:name=\"file\"", "misp:meta-category=\"file\""], "valid_from": "2024-01-01T00:00:00Z",
		  "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z"}`,
		`{"type": "relationship", "spec_version": "2.1", "id": "relationship--22222222-0000-4000-8000-000000000003",
		  "relationship_type": "based-on", "source_ref": "indicator--`+u+`", "target_ref": "observed-data--`+u+`",
		  "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z"}`,
	)
	e, warnings, err := Convert(in, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Object) != 1 || len(e.Attribute) != 0 || len(warnings) != 0 {
		t.Fatalf("summary %q, warnings %v: want one file object", summary(e), warnings)
	}
	o := e.Object[0]
	if o.UUID != u {
		t.Errorf("object uuid = %s, want %s", o.UUID, u)
	}
	ids := map[string]bool{}
	for _, a := range o.Attribute {
		ids[*a.ObjectRelation] = bool(a.ToIDS)
	}
	if diff := cmp.Diff(map[string]bool{"filename": true, "md5": true, "size-in-bytes": false}, ids); diff != "" {
		t.Errorf("to_ids per relation (-want +got):\n%s", diff)
	}
}
