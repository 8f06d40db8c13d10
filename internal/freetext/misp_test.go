package freetext

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// short is the part of a proposal most tests check.
type short struct {
	Value, Type, Comment string
}

func shorten(ps []Proposal) []short {
	out := make([]short, len(ps))
	for i, p := range ps {
		out[i] = short{p.Value, p.DefaultType, p.Comment}
	}
	return out
}

// TestMISPCases checks the inputs of MISP's own ComplexTypeTool test suite
// (app/Test/ComplexTypeToolTest.php) and gets MISP's answers, except where
// noted.
func TestMISPCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []short
	}{
		{"header", "# LAST 1000 # UTC UPDATE 2020-07-13 08:15:00\n127.0.0.1,(127.0.0.2),  <127.0.0.3>; \"127.0.0.4\" \"'127.0.0.5'\"", []short{
			{"127.0.0.1", "ip-dst", ""}, {"127.0.0.2", "ip-dst", ""}, {"127.0.0.3", "ip-dst", ""},
			{"127.0.0.4", "ip-dst", ""}, {"127.0.0.5", "ip-dst", ""},
		}},
		{"ipv4", "127.0.0.1", []short{{"127.0.0.1", "ip-dst", ""}}},
		{"ipv4 in parentheses", "we also saw an IP address (8.8.8.8).", []short{{"8.8.8.8", "ip-dst", ""}}},
		{"ipv4 with port", "127.0.0.1:8080", []short{{"127.0.0.1|8080", "ip-dst|port", "On port 8080"}}},
		{"ipv4 cidr", "127.0.0.1/32", []short{{"127.0.0.1/32", "ip-dst", ""}}},
		{"ipv6", "2a00:1450:4005:80a::2003", []short{{"2a00:1450:4005:80a::2003", "ip-dst", ""}}},
		{"ipv6 invalid", "fe80:0000:f2cd:7d80:3f37:52c6", nil},
		{"ipv6 cidr", "2a00:1450:4005:80a::2003/128", []short{{"2a00:1450:4005:80a::2003/128", "ip-dst", ""}}},
		{"ipv6 with port", "[1fff:0:a88:85a3::ac1f]:8001", []short{{"1fff:0:a88:85a3::ac1f|8001", "ip-dst|port", "On port 8001"}}},
		{"domain", "example.com", []short{{"example.com", "domain", ""}}},
		{"third level", "example.example.com", []short{{"example.example.com", "hostname", ""}}},
		{"trailing dot", "example.com.", []short{{"example.com", "domain", ""}}},
		// MISP's test sets the TLD list to "com" only; "example" is no
		// TLD in ours either.
		{"unknown tld", "example.example", []short{{"example.example", "filename", ""}}},
		// MISP's test passes because its fallback TLD list lacks "zip";
		// with the IANA list MISP says hostname. We say filename.
		{"double extension", "example.txt.zip", []short{{"example.txt.zip", "filename", ""}}},
		{"unix path", "/var/log/example.txt.zip", []short{{"/var/log/example.txt.zip", "filename", ""}}},
		{"windows path", `C:\example.txt.zip`, []short{{`C:\example.txt.zip`, "filename", ""}}},
		{"regkey", `HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion`, []short{{`HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion`, "regkey", ""}}},
		{"domain with port", "example.com:80", []short{{"example.com", "domain", "On port 80"}}},
		{"uppercase domain", "EXAMPLE.COM", []short{{"EXAMPLE.COM", "domain", ""}}},
		{"idn", "háčkyčárky.cz", []short{{"háčkyčárky.cz", "domain", ""}}},
		{"punycode", "xn--ghq549cb2anjl2suxo.com", []short{{"xn--ghq549cb2anjl2suxo.com", "domain", ""}}},
		{"punycode tld", "xn--lbrs59br5a.xn--fiqs8s", []short{{"xn--lbrs59br5a.xn--fiqs8s", "domain", ""}}},
		{"date", "2018-08-21", nil},
		{"email", "test@example.com", []short{{"test@example.com", "email-src", ""}}},
		{"email [@]", "test[@]example.com", []short{{"test@example.com", "email-src", ""}}},
		{"email [at]", "test[at]example.com", []short{{"test@example.com", "email-src", ""}}},
		{"url http", "http://example.com", []short{{"http://example.com", "url", ""}}},
		{"url https", "https://example.com", []short{{"https://example.com", "url", ""}}},
		{"url with port", "https://github.com:443/MISP/MISP", []short{{"https://github.com:443/MISP/MISP", "url", ""}}},
		{"url without scheme", "github.com/MISP/MISP", []short{{"github.com/MISP/MISP", "url", ""}}},
		{"virustotal", "https://www.virustotal.com/example https://virustotal.com/example", []short{
			{"https://www.virustotal.com/example", "link", ""}, {"https://virustotal.com/example", "link", ""},
		}},
		{"hybrid analysis", "https://www.hybrid-analysis.com/example", []short{{"https://www.hybrid-analysis.com/example", "link", ""}}},
		{"hxxp", "hxxp://example.com", []short{{"http://example.com", "url", ""}}},
		{"hxtp", "hxtp://example.com", []short{{"http://example.com", "url", ""}}},
		{"htxp", "htxp://example.com", []short{{"http://example.com", "url", ""}}},
		{"hxxps", "hxxps://example.com", []short{{"https://example.com", "url", ""}}},
		{"hxtps", "hxtps://example.com", []short{{"https://example.com", "url", ""}}},
		{"htxps", "htxps://example.com", []short{{"https://example.com", "url", ""}}},
		{"meow", "meow://example.com", []short{{"http://example.com", "url", ""}}},
		{"h[tt]p", "h[tt]p://example.com", []short{{"http://example.com", "url", ""}}},
		{"btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", []short{{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc", ""}}},
		{"bech32 upper", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", []short{{"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "btc", ""}}},
		{"bech32 testnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", []short{{"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "btc", ""}}},
		{"bech32 v1", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", []short{{"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", "btc", ""}}},
		{"bech32 v16", "BC1SW50QA3JX3S", []short{{"BC1SW50QA3JX3S", "btc", ""}}},
		{"bech32 v2", "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", []short{{"bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "btc", ""}}},
		{"bech32 testnet 2", "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", []short{{"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "btc", ""}}},
		{"ssdeep", "24:VGXGP7L5e/Ixt3af/WKPPaYpzg4m3XWMCsXNCRs0:kYDxcfPZpelCs9Cm0", []short{{"24:VGXGP7L5e/Ixt3af/WKPPaYpzg4m3XWMCsXNCRs0:kYDxcfPZpelCs9Cm0", "ssdeep", ""}}},
		{"cve", "CVE-2019-16202", []short{{"CVE-2019-16202", "vulnerability", ""}}},
		{"cve lower case", "cve-2019-16202", []short{{"CVE-2019-16202", "vulnerability", ""}}},
		{"as", "as0 AS0", []short{{"AS0", "AS", ""}}},
		{"md5", "9e107d9d372bb6826bd81d3542a419d6", []short{{"9e107d9d372bb6826bd81d3542a419d6", "md5", ""}}},
		{"md5 upper case", "9E107D9D372BB6826BD81D3542A419D6", []short{{"9E107D9D372BB6826BD81D3542A419D6", "md5", ""}}},
		{"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", []short{{"da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1", ""}}},
		{"filename|md5", "ahoj.txt|9e107d9d372bb6826bd81d3542a419d6", []short{{"ahoj.txt|9e107d9d372bb6826bd81d3542a419d6", "filename|md5", ""}}},
		{"random string", "cK753n3MVw", nil},
		{"empty", "", nil},
		{"non-breaking space", "127.0.0.1\u00a0127.0.0.2", []short{{"127.0.0.1", "ip-dst", ""}, {"127.0.0.2", "ip-dst", ""}}},
		{"two non-breaking spaces", "127.0.0.1\u00a0\u00a0127.0.0.2", []short{{"127.0.0.1", "ip-dst", ""}, {"127.0.0.2", "ip-dst", ""}}},
		{"control character", "127.0.0.1\x1d127.0.0.2", []short{{"127.0.0.1", "ip-dst", ""}, {"127.0.0.2", "ip-dst", ""}}},
		{"quoted cells", `="127.0.0.1",="127.0.0.2","","1"`, []short{{"127.0.0.1", "ip-dst", ""}, {"127.0.0.2", "ip-dst", ""}}},
		{"duplicates", "1.2.3.4 1.2.3.4", []short{{"1.2.3.4", "ip-dst", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shorten(Parse(tt.in))
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b []short) bool {
				return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b)
			})); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestMISPEmptyValues checks MISP's inputs that must yield nothing.
func TestMISPEmptyValues(t *testing.T) {
	for _, in := range []string{"|", "&", "$", "0", ":80", "1.2", "[]:80", `\.`, ".", ":", "a:b", "a:b:c"} {
		if got := Parse(in); len(got) != 0 {
			t.Errorf("Parse(%q) = %+v, want nothing", in, got)
		}
	}
}
