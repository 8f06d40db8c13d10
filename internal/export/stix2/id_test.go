package stix2

import (
	"strings"
	"testing"
)

func TestSCOID(t *testing.T) {
	tests := []struct {
		name  string
		typ   string
		props object
		want  string
	}{
		// From the OASIS python-stix2 tests (test_deterministic_ids.py):
		// nested objects, a float, a list of objects.
		{"stix2 file with a PE extension", "file", object{
			{"name", "example.exe"},
			{"size", 68 * 1000},
			{"magic_number_hex", "50000000"},
			{"hashes", map[string]string{"SHA-256": "841a8921140aba50671ebb0770fecc4ee308c4952cfeff8de154ab14eeef4649"}},
			{"extensions", object{{"windows-pebinary-ext", object{
				{"pe_type", "exe"}, {"machine_hex", "014c"},
				{"sections", []object{{
					{"name", ".data"}, {"size", 4096}, {"entropy", 7.980693},
					{"hashes", map[string]string{"SHA-256": "6e3b6f3978e5cd96ba7abee35c24e867b7e64072e2ecb22d0ee7a6e6af6894d0"}},
				}}},
			}}}},
		}, "file--ced31cd4-bdcb-537d-aefa-92d291bfc11d"},
		{"stix2 registry key values", "windows-registry-key", object{
			{"values", []object{{{"name", "Foo"}, {"data", "qwerty"}}, {{"name", "Bar"}, {"data", "42"}}}},
		}, "windows-registry-key--36594eba-bcc7-5014-9835-0e154264e588"},
		// Computed with Python: uuid.uuid5(ns, json.dumps(props,
		// sort_keys=True, separators=(",", ":"), ensure_ascii=False)).
		{"ipv4-addr", "ipv4-addr", object{{"value", "198.51.100.3"}}, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"},
		{"domain-name", "domain-name", object{{"value", "example.com"}}, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
		{"non-contributing properties ignored", "domain-name", object{
			{"value", "example.com"}, {"resolves_to_refs", []string{"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"}},
		}, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
		// Only MD5 of several hashes contributes (§2.9): the same id as
		// a file with the MD5 alone.
		{"MD5 chosen among hashes", "file", object{
			{"hashes", map[string]string{"SHA-256": strings.Repeat("a", 64), "MD5": strings.Repeat("b", 32)}},
		}, scoID("file", object{{"hashes", map[string]string{"MD5": strings.Repeat("b", 32)}}}, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scoID(tt.typ, tt.props, ""); got != tt.want {
				t.Errorf("scoID(%s, %v) = %s, want %s", tt.typ, tt.props, got, tt.want)
			}
		})
	}
}

func TestSCOIDWithoutContributingProperties(t *testing.T) {
	a := scoID("email-message", object{{"is_multipart", false}}, "uuid-a")
	b := scoID("email-message", object{{"is_multipart", false}}, "uuid-b")
	if a == b || a != scoID("email-message", object{{"is_multipart", true}}, "uuid-a") {
		t.Errorf("ids %s, %s: want distinct per fallback name, independent of other properties", a, b)
	}
	if v := a[len("email-message--")+14]; v != '5' {
		t.Errorf("id %s: want a version 5 UUID", a)
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		// RFC 8785 §3.2.3: members sorted by UTF-16 code units, which
		// puts U+1F600 (a surrogate pair) before U+FB33.
		{"sort order", map[string]any{
			"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
			"1": "One", "\U0001F600": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis",
		}, "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"},
		{"string escapes", "\"\\/\b\f\n\r\t\x00\x1f\x7f\u2028é", "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\u2028é\""},
		{"numbers", []any{0.0, 1.0, -1.5, 1e21, 1e-7, 0.000001, 123456789012345680000.0, 5e-324, 1.7976931348623157e308, 333333333.3333333},
			"[0,1,-1.5,1e+21,1e-7,0.000001,123456789012345680000,5e-324,1.7976931348623157e+308,333333333.3333333]"},
		{"nested", object{{"b", []object{{{"d", true}, {"c", int64(-3)}}}}, {"a", []string{"z", "y"}}},
			`{"a":["z","y"],"b":[{"c":-3,"d":true}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			canonical(&b, tt.v)
			if got := b.String(); got != tt.want {
				t.Errorf("canonical(%v) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

func TestSDOID(t *testing.T) {
	if got, want := sdoID("indicator", "C8A1E6F2-3B4D-4E5F-8A9B-0C1D2E3F4A5B"), "indicator--c8a1e6f2-3b4d-4e5f-8a9b-0c1d2e3f4a5b"; got != want {
		t.Errorf("sdoID(upper case uuid) = %s, want %s", got, want)
	}
	// A uuid the STIX identifier pattern rejects (version 0) is replaced,
	// the same way every time.
	bad := "00000000-0000-0000-0000-000000000001"
	got := sdoID("indicator", bad)
	if !stixUUID.MatchString(strings.TrimPrefix(got, "indicator--")) || got != sdoID("indicator", bad) {
		t.Errorf("sdoID(%s) = %s, want a stable valid identifier", bad, got)
	}
}
