package freetext

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// kindTest is one input and the proposals expected from it.
type kindTest struct {
	name string
	in   string
	want []short
}

func runKindTests(t *testing.T, tests []kindTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shorten(Parse(tt.in))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// one is the single proposal of value with default type typ.
func one(value, typ string) []short { return []short{{Value: value, Type: typ}} }

func TestIP(t *testing.T) {
	runKindTests(t, []kindTest{
		{"ipv4", "192.0.2.1", one("192.0.2.1", "ip-dst")},
		{"ipv4 port", "192.0.2.1:443", []short{{"192.0.2.1|443", "ip-dst|port", "On port 443"}}},
		{"one-digit port", "192.0.2.1:7", []short{{"192.0.2.1|7", "ip-dst|port", "On port 7"}}},
		{"highest port", "192.0.2.1:65535", []short{{"192.0.2.1|65535", "ip-dst|port", "On port 65535"}}},
		{"port out of range", "192.0.2.1:65536", nil},
		{"port zero", "192.0.2.1:0", nil},
		{"ipv6", "2001:db8::1", one("2001:db8::1", "ip-dst")},
		{"ipv6 full form", "2001:0db8:0000:0000:0000:0000:0000:0001", one("2001:0db8:0000:0000:0000:0000:0000:0001", "ip-dst")},
		{"ipv6 port", "[2001:db8::1]:443", []short{{"2001:db8::1|443", "ip-dst|port", "On port 443"}}},
		{"bracketed ipv4 port", "[192.0.2.1]:80", []short{{"192.0.2.1|80", "ip-dst|port", "On port 80"}}},
		{"bracketed ipv4", "[192.0.2.1]", one("192.0.2.1", "ip-dst")},
		{"ipv4-mapped ipv6", "::ffff:192.0.2.1", one("::ffff:192.0.2.1", "ip-dst")},
		{"trailing colon", "contacted 192.0.2.1:", one("192.0.2.1", "ip-dst")},
		{"ipv6 ending in ::", "2001:db8::", one("2001:db8::", "ip-dst")},
		{"invalid ipv6 triple colon", "2001:db8:::1", nil},
		{"invalid ipv6 group", "2001:db8::12345", nil},
		{"ipv6 zone", "fe80::1%eth0", nil},
		{"leading zero", "010.1.1.1", nil},
		{"octet too big", "256.1.1.1", nil},
		{"version number", "1.2.3.4.5", nil},
		{"unspecified ipv4", "0.0.0.0", nil},
		{"unspecified ipv6", "::", nil},
		{"defanged [.]", "192.0.2[.]1", one("192.0.2.1", "ip-dst")},
		{"defanged everywhere", "192[.]0[.]2[.]1:8080", []short{{"192.0.2.1|8080", "ip-dst|port", "On port 8080"}}},
		{"defanged (.)", "192(.)0(.)2(.)1", one("192.0.2.1", "ip-dst")},
		{"defanged [dot]", "192[dot]0[dot]2[dot]1", one("192.0.2.1", "ip-dst")},
		{"escaped dots", `192\.0\.2\.1`, one("192.0.2.1", "ip-dst")},
		{"cidr", "10.0.0.0/8", one("10.0.0.0/8", "ip-dst")},
		{"ipv6 cidr", "2001:db8::/32", one("2001:db8::/32", "ip-dst")},
		{"cidr with host bits", "192.0.2.77/24", one("192.0.2.77/24", "ip-dst")},
		{"cidr too long", "10.0.0.0/33", nil},
		{"cidr ipv6 too long", "2001:db8::/129", nil},
		{"firewall log", "SRC=203.0.113.50 DST=192.0.2.10 DPT=3389", []short{
			{"203.0.113.50", "ip-dst", ""}, {"192.0.2.10", "ip-dst", ""},
		}},
		{"same address defanged and not", "192.0.2.1 192.0.2[.]1 [192.0.2.1]", one("192.0.2.1", "ip-dst")},
		{"same ipv6 in two spellings", "2001:db8::1 2001:0db8::0001", one("2001:db8::1", "ip-dst")},
	})
}

func TestDomain(t *testing.T) {
	runKindTests(t, []kindTest{
		{"domain", "example.com", one("example.com", "domain")},
		{"hostname", "www.example.com", one("www.example.com", "hostname")},
		{"registrable under a public suffix", "evil.co.uk", one("evil.co.uk", "domain")},
		{"host under a public suffix", "www.evil.co.uk", one("www.evil.co.uk", "hostname")},
		{"serbian public suffix", "mup.gov.rs", one("mup.gov.rs", "domain")},
		{"upper case kept", "Evil.Example.COM", one("Evil.Example.COM", "hostname")},
		{"port to comment", "example.com:8443", []short{{"example.com", "domain", "On port 8443"}}},
		{"hostname port to comment", "c2.example.net:443", []short{{"c2.example.net", "hostname", "On port 443"}}},
		{"port out of range", "example.com:70000", nil},
		{"[.]", "evil[.]example[.]com", one("evil.example.com", "hostname")},
		{"(.)", "evil(.)com", one("evil.com", "domain")},
		{"{.}", "evil{.}com", one("evil.com", "domain")},
		{"[dot]", "evil[dot]com", one("evil.com", "domain")},
		{"(DOT)", "evil(DOT)com", one("evil.com", "domain")},
		{`\.`, `evil\.example\.com`, one("evil.example.com", "hostname")},
		{"zero-width space", "evil\u200b.com", one("evil.com", "domain")},
		{"markdown code", "`evil.com`", one("evil.com", "domain")},
		{"wildcard", "*.evil.com", one("evil.com", "domain")},
		{"trailing dot", "evil.com.", one("evil.com", "domain")},
		{"trailing colon", "C2 servers evil.com: and evil.org…", []short{{"evil.com", "domain", ""}, {"evil.org", "domain", ""}}},
		{"punycode", "xn--80ak6aa92e.com", one("xn--80ak6aa92e.com", "domain")},
		{"unicode domain", "пример.срб", one("пример.срб", "domain")},
		{"unicode hostname in punycode", "www.пример.срб", one("www.xn--e1afmkfd.xn--90a3ac", "hostname")},
		{"onion", "expyuzz4wqqyqhjn.onion", one("expyuzz4wqqyqhjn.onion", "domain")},
		{"unknown tld is a file name", "example.invalidtld", one("example.invalidtld", "filename")},
		{"file name", "report.pdf", one("report.pdf", "filename")},
		{"executable", "setup.exe", one("setup.exe", "filename")},
		// .zip is a TLD; MISP proposes a domain too.
		{"zip domain", "invoice.zip", one("invoice.zip", "domain")},
		{"double extension", "invoice.pdf.zip", one("invoice.pdf.zip", "filename")},
		{"date", "21.08.2018", nil},
		{"version", "v1.2.3", nil},
		{"abbreviations", "e.g. i.e. U.S.A.", nil},
		{"same name in two cases", "example.com EXAMPLE.COM", one("example.com", "domain")},
	})
}

func TestURL(t *testing.T) {
	runKindTests(t, []kindTest{
		{"http", "http://example.com/a?b=c#d", one("http://example.com/a?b=c#d", "url")},
		{"hxxps", "hxxps://evil[.]com/gate.php", one("https://evil.com/gate.php", "url")},
		{"hXXp upper case", "hXXp://evil[.]com/", one("http://evil.com/", "url")},
		{"[:]//", "hxxp[:]//evil[.]com/x", one("http://evil.com/x", "url")},
		{"[://]", "hxxps[://]evil[.]com/x", one("https://evil.com/x", "url")},
		{"[/]", "evil[.]com[/]x", one("evil.com/x", "url")},
		{"fxp", "fxp://files.example.org/x", one("ftp://files.example.org/x", "url")},
		{"port kept", "https://evil.com:8443/gate.php", one("https://evil.com:8443/gate.php", "url")},
		{"port kept without path", "http://evil.com:8080", one("http://evil.com:8080", "url")},
		{"other scheme", "tcp://192.0.2.1:4444", one("tcp://192.0.2.1:4444", "url")},
		{"no scheme", "evil.com/gate.php", one("evil.com/gate.php", "url")},
		{"no scheme with address", "192.0.2.1/a.php", one("192.0.2.1/a.php", "url")},
		{"ipv6 host", "http://[2001:db8::1]/x", one("http://[2001:db8::1]/x", "url")},
		{"no dot", "http://localhost:8080/admin", one("http://localhost:8080/admin", "url")},
		{"userinfo", "http://user:pass@evil.com/x", one("http://user:pass@evil.com/x", "url")},
		{"unicode", "http://пример.срб/путања", one("http://пример.срб/путања", "url")},
		{"nested keys", "a=b=c=hxxp://evil[.]com/x", one("http://evil.com/x", "url")},
		{"quoted value", `src="192.0.2.1"`, one("192.0.2.1", "ip-dst")},
		{"parenthesised", "(https://en.wikipedia.org/wiki/Foo_(bar)))", one("https://en.wikipedia.org/wiki/Foo_(bar)", "url")},
		{"balanced parenthesis", "(see https://en.wikipedia.org/wiki/Foo_(bar))", one("https://en.wikipedia.org/wiki/Foo_(bar)", "url")},
		{"query with equals sign", "url=hxxp://evil[.]com/x?id=1", one("http://evil.com/x?id=1", "url")},
		{"virustotal link", "https://www.virustotal.com/gui/file/abc", one("https://www.virustotal.com/gui/file/abc", "link")},
		{"virustotal over http", "http://virustotal.com/x", one("http://virustotal.com/x", "link")},
		{"look-alike vendor", "https://notvirustotal.com/x", one("https://notvirustotal.com/x", "url")},
		{"no url", "TCP/IP and/or UDP 1.5/2.0 12/05/2023", nil},
		{"bad port", "http://evil.com:99999/", nil},
		{"bad host", "http://a..b/", nil},
		{"empty host", "http:///x", nil},
	})
}

func TestEmail(t *testing.T) {
	runKindTests(t, []kindTest{
		{"plain", "user@example.com", one("user@example.com", "email-src")},
		{"[@] [.]", "user[@]example[.]com", one("user@example.com", "email-src")},
		{"(at) (dot)", "user(at)example(dot)com", one("user@example.com", "email-src")},
		{"[at] [dot]", "user[at]example[dot]com", one("user@example.com", "email-src")},
		{"{at}", "user{at}example.com", one("user@example.com", "email-src")},
		{"sub-address", "First.Last+tag@Example.CO.UK", one("First.Last+tag@Example.CO.UK", "email-src")},
		{"mailto", "mailto:abuse@example.net", one("abuse@example.net", "email-src")},
		{"angle brackets", "From: Eve <eve@example.org>", one("eve@example.org", "email-src")},
		{"message id", "Message-ID: <1234.abcd@mail.example.org>", one("1234.abcd@mail.example.org", "email-message-id")},
		{"no dot in domain", "root@localhost", nil},
		{"numeric tld", "user@192.0.2.1", nil},
		{"same address in two cases", "a@example.com A@EXAMPLE.COM", one("a@example.com", "email-src")},
	})
}

func TestHash(t *testing.T) {
	const (
		md5    = "9e107d9d372bb6826bd81d3542a419d6"
		sha1   = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
		sha224 = "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"
		sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		sha384 = "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"
		sha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
		ssdeep = "96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS8QsO/wqWXLcMSx:sF1LjEtHHlZDrwciQmA+4uyOJsTzS8Qp"
	)
	runKindTests(t, []kindTest{
		{"md5", md5, one(md5, "md5")},
		{"sha1", sha1, one(sha1, "sha1")},
		{"sha224", sha224, one(sha224, "sha224")},
		{"sha256", sha256, one(sha256, "sha256")},
		{"sha384", sha384, one(sha384, "sha384")},
		{"sha512", sha512, one(sha512, "sha512")},
		{"upper case kept", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", one("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "sha256")},
		{"same digest in two cases", md5 + " 9E107D9D372BB6826BD81D3542A419D6", one(md5, "md5")},
		{"31 digits", md5[:31], nil},
		{"33 digits", md5 + "a", nil},
		{"not hex", "9e107d9d372bb6826bd81d3542a419g6", nil},
		{"labelled", "SHA256:" + sha256, one(sha256, "sha256")},
		{"labelled sha-1", "SHA-1:" + sha1, one(sha1, "sha1")},
		{"labelled with equals sign", "md5=" + md5, one(md5, "md5")},
		{"label of the wrong length", "sha1:" + md5, nil},
		{"filename|md5", "dropper.exe|" + md5, one("dropper.exe|"+md5, "filename|md5")},
		{"filename|sha256", "Invoice.PDF.exe|" + sha256, one("Invoice.PDF.exe|"+sha256, "filename|sha256")},
		{"filename|sha512", "a.dll|" + sha512, one("a.dll|"+sha512, "filename|sha512")},
		{"filename|ssdeep", "a.dll|" + ssdeep, one("a.dll|"+ssdeep, "filename|ssdeep")},
		{"no extension|md5", "dropper|" + md5, nil},
		{"ssdeep", ssdeep, one(ssdeep, "ssdeep")},
		{"time is no ssdeep", "12:34:56", nil},
		{"date is no ssdeep", "2024:10:21", nil},
		{"block size not 3·2ⁿ", "7:abcdef:ghijk", nil},
	})
}

func TestSimple(t *testing.T) {
	runKindTests(t, []kindTest{
		{"cve", "CVE-2021-44228", one("CVE-2021-44228", "vulnerability")},
		{"cve lower case", "cve-2021-44228", one("CVE-2021-44228", "vulnerability")},
		{"cve en dash", "CVE\u20132021\u201344228", one("CVE-2021-44228", "vulnerability")},
		{"cve long", "CVE-2024-1234567", one("CVE-2024-1234567", "vulnerability")},
		{"cve short number", "CVE-2021-123", nil},
		{"cve short year", "CVE-21-1234", nil},
		{"as", "AS13335", one("AS13335", "AS")},
		{"as lower case", "as13335", one("AS13335", "AS")},
		{"as too big", "AS4294967296", nil},
		{"asn", "ASN13335", nil},
		{"phone", "+381-11-3456-789", one("+381-11-3456-789", "phone-number")},
		{"phone plus", "+381113456789", one("+381113456789", "phone-number")},
		{"phone slash", "011/3456-789", one("011/3456-789", "phone-number")},
		{"iso date", "2018-08-21", nil},
		{"day-first date", "21-08-2018", nil},
		{"year range", "2019-2021", nil},
		{"port range", "8000-8080", nil},
		{"plain number", "0113456789", nil},
		{"btc p2pkh", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", one("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc")},
		{"btc p2sh", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", one("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc")},
		{"btc bech32", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", one("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "btc")},
		{"btc bad checksum", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", nil},
		{"btc bech32 bad checksum", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", nil},
		{"btc bech32 mixed case", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdQ", nil},
		{"btc-like token", "1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-suffix", nil},
	})
}

func TestFilenameAndRegkey(t *testing.T) {
	runKindTests(t, []kindTest{
		{"windows path", `C:\Windows\System32\evil.dll`, one(`C:\Windows\System32\evil.dll`, "filename")},
		{"environment variable", `%APPDATA%\svc.exe`, one(`%APPDATA%\svc.exe`, "filename")},
		{"unc path", `\\fileserver\share\drop.ps1`, one(`\\fileserver\share\drop.ps1`, "filename")},
		{"unix path", "/tmp/.x/run.sh", one("/tmp/.x/run.sh", "filename")},
		{"forward slashes", "C:/Windows/evil.exe", one("C:/Windows/evil.exe", "filename")},
		{"quoted path with spaces", `"C:\Program Files\Evil Corp\up date.exe"`, []short{
			{`C:\Program Files\Evil Corp\up date.exe`, "filename", ""}, {"date.exe", "filename", ""},
		}},
		{"directory", `C:\Windows\System32`, nil},
		{"hidden file", ".bashrc", nil},
		{"hive", `HKLM\Software\Microsoft\Windows\CurrentVersion\Run`, one(`HKLM\Software\Microsoft\Windows\CurrentVersion\Run`, "regkey")},
		{"long hive", `HKEY_CURRENT_USER\Environment`, one(`HKEY_CURRENT_USER\Environment`, "regkey")},
		{"powershell hive", `HKCU:\Software\Classes`, one(`HKCU:\Software\Classes`, "regkey")},
		{"key without hive", `Software\Microsoft\Windows`, one(`Software\Microsoft\Windows`, "regkey")},
		{"account", `CORP\jsmith`, nil},
		{"relative path", `..\..\windows\system32\cmd.exe`, one(`\..\windows\system32\cmd.exe`, "filename")},
	})
}

// TestProposalFields checks the types offered, the category and to_ids,
// which come from MISP's type definitions.
func TestProposalFields(t *testing.T) {
	tests := []struct {
		in   string
		want Proposal
	}{
		{"192.0.2.1", Proposal{Value: "192.0.2.1", OriginalValue: "192.0.2.1", Type: "ip-dst", DefaultType: "ip-dst",
			Types: []string{"ip-dst", "ip-src", "ip-src/ip-dst"}, Category: "Network activity", ToIDS: true}},
		{"(192.0.2.1:80)", Proposal{Value: "192.0.2.1|80", OriginalValue: "192.0.2.1:80", Type: "ip-dst|port", DefaultType: "ip-dst|port",
			Types: []string{"ip-dst|port", "ip-src|port", "ip-src|port/ip-dst|port"}, Category: "Network activity", ToIDS: true, Comment: "On port 80"}},
		{"evil[.]com", Proposal{Value: "evil.com", OriginalValue: "evil[.]com", Type: "domain", DefaultType: "domain",
			Types: []string{"domain", "filename"}, Category: "Network activity", ToIDS: true}},
		{"evil.co.uk", Proposal{Value: "evil.co.uk", OriginalValue: "evil.co.uk", Type: "domain", DefaultType: "domain",
			Types: []string{"domain", "hostname", "url", "filename"}, Category: "Network activity", ToIDS: true}},
		{"a.evil.com", Proposal{Value: "a.evil.com", OriginalValue: "a.evil.com", Type: "hostname", DefaultType: "hostname",
			Types: []string{"hostname", "domain", "url", "filename"}, Category: "Network activity", ToIDS: true}},
		{"x@evil.com", Proposal{Value: "x@evil.com", OriginalValue: "x@evil.com", Type: "email-src", DefaultType: "email-src",
			Types: []string{"email", "email-src", "email-dst", "target-email", "whois-registrant-email"}, Category: "Payload delivery", ToIDS: true}},
		{"https://virustotal.com/x", Proposal{Value: "https://virustotal.com/x", OriginalValue: "https://virustotal.com/x", Type: "link", DefaultType: "link",
			Types: []string{"link"}, Category: "External analysis", ToIDS: false}},
		{"9e107d9d372bb6826bd81d3542a419d6", Proposal{Value: "9e107d9d372bb6826bd81d3542a419d6", OriginalValue: "9e107d9d372bb6826bd81d3542a419d6", Type: "md5", DefaultType: "md5",
			Types: []string{"md5", "imphash", "x509-fingerprint-md5", "ja3-fingerprint-md5"}, Category: "Payload delivery", ToIDS: true}},
		{"a.exe|9e107d9d372bb6826bd81d3542a419d6", Proposal{Value: "a.exe|9e107d9d372bb6826bd81d3542a419d6", OriginalValue: "a.exe|9e107d9d372bb6826bd81d3542a419d6", Type: "filename|md5", DefaultType: "filename|md5",
			Types: []string{"filename|md5", "filename|imphash"}, Category: "Payload delivery", ToIDS: true}},
		{"sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", Proposal{Value: "da39a3ee5e6b4b0d3255bfef95601890afd80709", OriginalValue: "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", Type: "sha1", DefaultType: "sha1",
			Types: []string{"sha1", "pehash", "x509-fingerprint-sha1", "cdhash"}, Category: "Payload delivery", ToIDS: true}},
		{"CVE-2021-44228", Proposal{Value: "CVE-2021-44228", OriginalValue: "CVE-2021-44228", Type: "vulnerability", DefaultType: "vulnerability",
			Types: []string{"vulnerability"}, Category: "External analysis", ToIDS: false}},
		{"AS13335", Proposal{Value: "AS13335", OriginalValue: "AS13335", Type: "AS", DefaultType: "AS",
			Types: []string{"AS"}, Category: "Network activity", ToIDS: false}},
		{"+381-11-3456-789", Proposal{Value: "+381-11-3456-789", OriginalValue: "+381-11-3456-789", Type: "phone-number", DefaultType: "phone-number",
			Types: []string{"phone-number", "prtn", "whois-registrant-phone"}, Category: "Person", ToIDS: false}},
		{`HKLM\Run`, Proposal{Value: `HKLM\Run`, OriginalValue: `HKLM\Run`, Type: "regkey", DefaultType: "regkey",
			Types: []string{"regkey"}, Category: "Persistence mechanism", ToIDS: true}},
	}
	for _, tt := range tests {
		got := Parse(tt.in)
		if diff := cmp.Diff([]Proposal{tt.want}, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestLongTokens parses megabyte-long tokens that would take minutes if
// trimming or key splitting were quadratic.
func TestLongTokens(t *testing.T) {
	const n = 1 << 20
	tests := []kindTest{
		{"parentheses", "evil.com" + strings.Repeat(")", n), one("evil.com", "domain")},
		{"opening parentheses", strings.Repeat("(", n) + "evil.com" + strings.Repeat(")", n), one("evil.com", "domain")},
		{"keys", strings.Repeat("a=", n/2) + "evil.com", one("evil.com", "domain")},
		{"quotes", strings.Repeat(`"evil.com" `, n/11), one("evil.com", "domain")},
		{"brackets", strings.Repeat("[.]", n/3), nil},
		{"backslashes", strings.Repeat(`a\`, n/2), one(strings.Repeat(`a\`, n/2), "regkey")},
		{"digits", strings.Repeat("1", n), nil},
	}
	runKindTests(t, tests)
}
