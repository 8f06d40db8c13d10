package misp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// hexN returns n hex digits with letters in upper case, so that lower-casing
// rules are visible.
func hexN(n int) string {
	return strings.Repeat("0123456789ABCDEF", n/16+1)[:n]
}

type valueTest struct {
	name    string
	typ     string
	in      string
	want    string // ignored when wantErr
	wantErr bool
}

// accept and reject keep the table below readable.
func accept(name, typ, in, want string) valueTest {
	return valueTest{name: name, typ: typ, in: in, want: want}
}

func reject(name, typ, in string) valueTest {
	return valueTest{name: name, typ: typ, in: in, wantErr: true}
}

const (
	md5Lower  = "d41d8cd98f00b204e9800998ecf8427e"
	md5Upper  = "D41D8CD98F00B204E9800998ECF8427E"
	ssdeepVal = "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"
	impfuzzy  = "48:h5hdMl2UqXqLp8OzGhr1XEGPt4v5dKvP7Hq:h5hdMlgqXqL2OzGhRIXEGPtUdKvPLHq"
	onionV2   = "expyuzz4wqqyqhjn.onion"
	onionV3   = "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion"
	sshSHA256 = "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
)

// hexHashLengths are the fixed-length digest types of spec §11.4 that are
// lower-cased by §11.3.
var hexHashLengths = map[string]int{
	"md5": 32, "imphash": 32, "sha1": 40, "pehash": 40, "sha224": 56,
	"sha512/224": 56, "sha256": 64, "sha512/256": 64, "authentihash": 64,
	"sha384": 96, "sha512": 128, "sha3-224": 56, "sha3-256": 64,
	"sha3-384": 96, "sha3-512": 128, "ja3-fingerprint-md5": 32,
	"hassh-md5": 32, "hasshserver-md5": 32, "jarm-fingerprint": 62,
	"dom-hash": 32,
}

// filenameHexHashLengths are the "filename|<hex digest>" types.
var filenameHexHashLengths = map[string]int{
	"md5": 32, "sha1": 40, "imphash": 32, "sha224": 56, "sha256": 64,
	"sha384": 96, "sha512": 128, "sha512/224": 56, "sha512/256": 64,
	"sha3-224": 56, "sha3-256": 64, "sha3-384": 96, "sha3-512": 128,
	"authentihash": 64, "pehash": 40,
}

func normalizeValueTests() []valueTest {
	tests := []valueTest{
		// Steps common to every type.
		reject("unknown type", "no-such-type", "x"),
		reject("empty", "text", ""),
		reject("only whitespace", "text", " \t\r\n "),
		reject("only control characters", "text", "\x00\x01\x7f"),
		reject("only format characters", "comment", "\u200b\u200e"),
		accept("trim", "text", "  hello world \n", "hello world"),
		accept("trim NUL", "text", "\x00hello\x00", "hello"),
		accept("keep inner line breaks", "text", "a\nb", "a\nb"),
		accept("4-byte character", "text", "hi \U0001F600!", "hi ?!"),
		accept("invalid UTF-8", "text", "a\xffb\xc3", "a?b?"),
		accept("encoded surrogate is invalid", "text", "a\xed\xa0\x80", "a???"),
		accept("3-byte character kept", "text", "5 €", "5 €"),
		accept("replacement character kept", "text", "\ufffd", "\ufffd"),

		// Refanging (§11.2 step 3).
		accept("refang hxxp", "url", "hxxp://evil[.]com/a", "http://evil.com/a"),
		accept("refang HXXP", "url", "HXXP://evil[dot]com", "http://evil.com"),
		accept("refang hxtp", "url", "hxtp://a(dot)com", "http://a.com"),
		accept("refang htxp", "url", "htxp://a.com", "http://a.com"),
		accept("refang meow", "url", "meow://evil.com", "http://evil.com"),
		accept("refang h[tt]p", "url", "h[tt]ps://x[.]com", "https://x.com"),
		accept("refang [hxxp://]", "url", "[hxxp://]evil.com", "http://evil.com"),
		accept("refang [:]", "url", "http[:]//evil.com", "http://evil.com"),
		accept("refang nested", "url", "evil[[.]]com", "evil.com"),
		accept("refang builds a pattern", "url", "[hxxp[:]//]evil.com", "http://evil.com"),
		accept("scheme only refanged at start", "url", "see hxxp://a", "see hxxp://a"),
		accept("refang link", "link", "hxxps://example[.]org/x", "https://example.org/x"),
		accept("refang ip-src", "ip-src", "192.168[.]1[.]1", "192.168.1.1"),
		accept("refang ip-dst", "ip-dst", "10(dot)0(dot)0(dot)1", "10.0.0.1"),
		accept("refang domain", "domain", "example[DOT]com", "example.com"),
		accept("refang domain|ip", "domain|ip", "example[.]com|10[.]0[.]0[.]1", "example.com|10.0.0.1"),
		accept("refang hostname", "hostname", "www[.]example[.]com", "www.example.com"),
		accept("refang email [@]", "email", "user[@]example[.]com", "user@example.com"),
		accept("refang email [at]", "email-src", "user[AT]example(dot)com", "user@example.com"),
		accept("refang email-dst", "email-dst", "a[at]b[dot]org", "a@b.org"),
		accept("no refang for filename", "filename", "a[.]exe", "a[.]exe"),
		accept("no [@] refang for url", "url", "http://a[@]b.com", "http://a[@]b.com"),

		// IP addresses.
		accept("ipv4", "ip-src", "192.0.2.1", "192.0.2.1"),
		accept("ipv6 compressed", "ip-src", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
		accept("ipv4 /32 stripped", "ip-dst", "10.0.0.1/32", "10.0.0.1"),
		accept("ipv6 /128 stripped", "ip-dst", "2001:db8::1/128", "2001:db8::1"),
		accept("ipv4 cidr", "ip-src", "10.0.0.0/8", "10.0.0.0/8"),
		accept("ipv4 cidr host bits kept", "ip-src", "10.1.2.3/8", "10.1.2.3/8"),
		accept("ipv6 cidr", "ip-src", "2001:DB8:0::/32", "2001:db8::/32"),
		accept("ipv4-mapped ipv6", "ip-dst", "::FFFF:192.0.2.1", "::ffff:192.0.2.1"),
		reject("ipv4 octet too big", "ip-src", "256.1.1.1"),
		reject("ipv4 leading zero", "ip-src", "01.2.3.4"),
		reject("ipv4 prefix too long", "ip-src", "10.0.0.0/33"),
		reject("ipv6 prefix too long", "ip-dst", "2001:db8::/129"),
		reject("ipv6 zone", "ip-dst", "fe80::1%eth0"),
		reject("hostname as ip", "ip-src", "example.com"),

		// IP and port.
		accept("ip|port", "ip-src|port", "192.0.2.1|80", "192.0.2.1|80"),
		accept("ipv4:port", "ip-dst|port", "192.0.2.1:443", "192.0.2.1|443"),
		accept("[ipv6]:port", "ip-src|port", "[2001:DB8::1]:8080", "2001:db8::1|8080"),
		accept("ipv6.port", "ip-dst|port", "2001:db8::1.8080", "2001:db8::1|8080"),
		accept("ipv6 port N", "ip-src|port", "2001:db8::1 port 22", "2001:db8::1|22"),
		accept("ipv6pN", "ip-src|port", "2001:db8::1p22", "2001:db8::1|22"),
		accept("ipv6#N", "ip-dst|port", "2001:db8::1#22", "2001:db8::1|22"),
		accept("ipv6:port last colon", "ip-dst|port", "2001:db8::1:22", "2001:db8::1|22"),
		accept("ip|port /32 stripped", "ip-src|port", "10.0.0.1/32|80", "10.0.0.1|80"),
		accept("ip|port ipv6 compressed", "ip-src|port", "2001:0db8::0001|53", "2001:db8::1|53"),
		reject("ip|port port 0", "ip-src|port", "192.0.2.1|0"),
		reject("ip|port port too big", "ip-dst|port", "192.0.2.1|65536"),
		reject("ip|port port not a number", "ip-dst|port", "192.0.2.1|http"),
		reject("ip|port no port", "ip-src|port", "192.0.2.1"),
		reject("ip|port two pipes", "ip-src|port", "192.0.2.1|80|90"),
		reject("ip|port hostname", "ip-src|port", "example.com|80"),
		reject("ip|port cidr", "ip-src|port", "10.0.0.0/8|80"),
		reject("ip|port bare ipv6", "ip-dst|port", "2001:db8::1"),

		// Ports.
		accept("port", "port", "443", "443"),
		accept("port max", "port", "65535", "65535"),
		reject("port zero", "port", "0"),
		reject("port too big", "port", "65536"),
		reject("port not a number", "port", "80a"),
		reject("port signed", "port", "+80"),

		// Host names and domains.
		accept("hostname lower-cased", "hostname", "WWW.Example.COM", "www.example.com"),
		accept("hostname underscore", "hostname", "_dmarc.example.com", "_dmarc.example.com"),
		reject("hostname without dot", "hostname", "localhost"),
		reject("hostname one-letter tld", "hostname", "a.b"),
		reject("hostname space", "hostname", "exa mple.com"),
		reject("hostname long s", "hostname", "\u017f.com"),
		accept("domain dots stripped", "domain", ".Example.COM.", "example.com"),
		reject("domain without dot", "domain", "example"),
		accept("domain idn to punycode", "domain", "Bücher.de", "xn--bcher-kva.de"),
		accept("domain|ip idn", "domain|ip", "bücher.de|192.0.2.1", "xn--bcher-kva.de|192.0.2.1"),
		reject("domain invalid idn", "domain", "a\u0080b.de"),
		reject("domain at sign", "domain", "ex@mple.com"),
		accept("hostname:port", "hostname|port", "Example.com:8080", "example.com|8080"),
		accept("hostname|port", "hostname|port", "example.com|443", "example.com|443"),
		reject("hostname|port port 0", "hostname|port", "example.com|0"),
		reject("hostname|port no port", "hostname|port", "example.com"),
		reject("hostname|port bad host", "hostname|port", "bad host|80"),
		accept("domain|ip", "domain|ip", "Example.COM.|2001:DB8::1", "example.com|2001:db8::1"),
		reject("domain|ip bad ip", "domain|ip", "example.com|300.1.1.1"),
		reject("domain|ip bad domain", "domain|ip", "example|192.0.2.1"),
		reject("domain|ip no pipe", "domain|ip", "example.com"),

		// URLs and links.
		accept("url", "url", "http://example.com/a b?c=d", "http://example.com/a b?c=d"),
		reject("url line break", "url", "http://a\nb"),
		accept("uri", "uri", "/index.php?id=1", "/index.php?id=1"),
		reject("uri line break", "uri", "/a\n/b"),
		accept("user-agent", "user-agent", "Mozilla/5.0 (X11)", "Mozilla/5.0 (X11)"),
		reject("user-agent line break", "user-agent", "Mozilla\n5.0"),
		accept("link", "link", "https://example.com/x", "https://example.com/x"),
		accept("link opaque", "link", "mailto:a@example.com", "mailto:a@example.com"),
		reject("link without scheme", "link", "example.com/x"),
		reject("link empty host", "link", "http://"),
		reject("link space", "link", "http://a b/"),

		// Onion addresses, MAC addresses, AS numbers.
		accept("onion v2", "onion-address", strings.ToUpper(onionV2), onionV2),
		accept("onion v3", "onion-address", onionV3, onionV3),
		reject("onion short", "onion-address", "abc.onion"),
		reject("onion bad base32", "onion-address", "expyuzz4wqqyqhj1.onion"),
		accept("mac dashes", "mac-address", "00-1A-2B-3C-4D-5E", "00:1a:2b:3c:4d:5e"),
		accept("mac cisco dots", "mac-address", "001a.2b3c.4d5e", "00:1a:2b:3c:4d:5e"),
		accept("mac spaces", "mac-address", "00 1a 2b 3c 4d 5e", "00:1a:2b:3c:4d:5e"),
		reject("mac too short", "mac-address", "00:1a:2b:3c:4d"),
		reject("mac not hex", "mac-address", "zz:1a:2b:3c:4d:5e"),
		accept("eui-64", "mac-eui-64", "00:1A:2B:FF:FE:3C:4D:5E", "00:1a:2b:ff:fe:3c:4d:5e"),
		reject("eui-64 with 6 octets", "mac-eui-64", "00:1a:2b:3c:4d:5e"),
		accept("AS prefix", "AS", "AS3356", "3356"),
		accept("AS lower-case prefix asdot", "AS", "as1.10", "65546"),
		accept("AS zero", "AS", "0", "0"),
		accept("AS max", "AS", "4294967295", "4294967295"),
		reject("AS too big", "AS", "4294967296"),
		reject("AS prefix only", "AS", "AS"),
		reject("AS asdot out of range", "AS", "1.65536"),
		reject("AS negative", "AS", "-1"),

		// HTTP methods, SSH fingerprints.
		accept("http-method upper-cased", "http-method", "get", "GET"),
		accept("http-method webdav", "http-method", "propfind", "PROPFIND"),
		reject("http-method unknown", "http-method", "FOO"),
		accept("ssh sha256", "ssh-fingerprint", sshSHA256, sshSHA256),
		accept("ssh sha256 padded", "ssh-fingerprint", sshSHA256+"=", sshSHA256+"="),
		accept("ssh md5 colons", "ssh-fingerprint", "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
			"MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48"),
		accept("ssh md5 plain", "ssh-fingerprint", md5Lower, md5Lower),
		reject("ssh sha256 short", "ssh-fingerprint", "SHA256:abc"),
		reject("ssh sha256 stray bits", "ssh-fingerprint", "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9"),
		reject("ssh md5 not hex", "ssh-fingerprint", "MD5:"+strings.Repeat("z", 32)),

		// E-mail addresses.
		accept("email lower-cased", "email", "User@Example.COM", "user@example.com"),
		accept("email-src", "email-src", "a.b+c@example.org", "a.b+c@example.org"),
		accept("target-email lower-cased", "target-email", "CEO@Example.com", "ceo@example.com"),
		accept("whois-registrant-email lower-cased", "whois-registrant-email", "A@B.CO", "a@b.co"),
		accept("eppn keeps case", "eppn", "User@Example.edu", "User@Example.edu"),
		accept("dns-soa-email", "dns-soa-email", "hostmaster@example.com", "hostmaster@example.com"),
		accept("jabber-id", "jabber-id", "user@jabber.example.org", "user@jabber.example.org"),
		reject("email without at", "email", "user.example.com"),
		reject("email without dot after at", "email-dst", "user@localhost"),
		reject("email space", "email", "john doe@example.com"),
		reject("email line break", "jabber-id", "a@b\n.c"),

		// Vulnerabilities.
		accept("cve en dash", "vulnerability", "cve\u20132021\u201344228", "CVE-2021-44228"),
		accept("cve long id", "vulnerability", "CVE-2024-123456", "CVE-2024-123456"),
		reject("cve short", "vulnerability", "CVE-21-1"),
		accept("cwe", "weakness", "cwe-79", "CWE-79"),
		reject("cwe not a number", "weakness", "CWE-x"),

		// Financial.
		accept("cc-number digits only", "cc-number", "4111 1111-1111 1111", "4111111111111111"),
		reject("cc-number no digits", "cc-number", "abcd"),
		accept("bin digits only", "bin", "411 111", "411111"),
		reject("bin no digits", "bin", "n/a"),
		accept("bank-account-nr", "bank-account-nr", "12345678", "12345678"),
		reject("bank-account-nr dashes", "bank-account-nr", "12-34"),
		accept("aba-rtn", "aba-rtn", "021000021", "021000021"),
		reject("aba-rtn letters", "aba-rtn", "abc"),
		accept("iban", "iban", "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
		reject("iban nothing left", "iban", "--"),
		accept("bic", "bic", "deutdeff", "DEUTDEFF"),
		reject("bic nothing left", "bic", "?"),
		accept("btc", "btc", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
		reject("btc space", "btc", "1Boat SLR"),
		accept("dash", "dash", "XpESxaUmonkq8RaLLp46Brx2K39ggQe226", "XpESxaUmonkq8RaLLp46Brx2K39ggQe226"),
		reject("dash symbol", "dash", "Xp-ES"),
		accept("xmr", "xmr", "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx", "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx"),
		reject("xmr symbol", "xmr", "4Ad_Und"),
		accept("phone 00 prefix", "phone-number", "0044 (0) 20 7946 0958", "+442079460958"),
		accept("phone punctuation", "phone-number", "+1 (555) 123-4567", "+15551234567"),
		accept("phone (0) before 00", "whois-registrant-phone", "(0)0012", "+12"),
		accept("prtn", "prtn", "00 1 800 555", "+1800555"),
		reject("phone no digits", "phone-number", "call me"),
		reject("phone inner plus", "prtn", "12+34"),

		// Scalars.
		accept("integer", "integer", "42", "42"),
		accept("integer negative", "integer", "-7", "-7"),
		accept("integer plus", "integer", "+5", "+5"),
		reject("integer fraction", "integer", "4.2"),
		reject("integer hex", "integer", "0x10"),
		reject("integer overflow", "integer", "9223372036854775808"),
		accept("float", "float", "3.14", "3.14"),
		accept("float exponent", "float", "-1e10", "-1e10"),
		accept("float leading dot", "float", ".5", ".5"),
		reject("float comma", "float", "1,5"),
		reject("float NaN", "float", "NaN"),
		reject("float Inf", "float", "Inf"),
		accept("size-in-bytes", "size-in-bytes", "1024", "1024"),
		reject("size-in-bytes negative", "size-in-bytes", "-1"),
		reject("size-in-bytes fraction", "size-in-bytes", "1.5"),
		accept("counter zero", "counter", "0", "0"),
		reject("counter word", "counter", "many"),
		accept("boolean true", "boolean", "true", "1"),
		accept("boolean False", "boolean", "False", "0"),
		accept("boolean 0", "boolean", "0", "0"),
		accept("boolean 1", "boolean", "1", "1"),
		accept("boolean truthy", "boolean", "yes", "1"),
		reject("boolean empty", "boolean", "  "),
		accept("datetime Z", "datetime", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000000+0000"),
		accept("datetime offset", "datetime", "2024-01-02 03:04:05+02:00", "2024-01-02T01:04:05.000000+0000"),
		accept("datetime date only", "datetime", "2024-01-02", "2024-01-02T00:00:00.000000+0000"),
		accept("datetime no zone is UTC", "datetime", "2024-01-02T03:04", "2024-01-02T03:04:00.000000+0000"),
		accept("datetime nanoseconds truncated", "datetime", "2024-01-02T03:04:05.1234567+0100", "2024-01-02T02:04:05.123456+0000"),
		accept("datetime unix", "datetime", "@0", "1970-01-01T00:00:00.000000+0000"),
		accept("datetime RFC 1123 GMT", "datetime", "Tue, 02 Jan 2024 03:04:05 GMT", "2024-01-02T03:04:05.000000+0000"),
		reject("datetime words", "datetime", "yesterday"),
		reject("datetime impossible day", "datetime", "2024-02-30"),
		reject("datetime unknown zone abbreviation", "datetime", "Tue, 02 Jan 2024 03:04:05 EST"),
		reject("datetime year 10000", "datetime", "@253402300800"),
		accept("hex upper-cased", "hex", "deadBEEF", "DEADBEEF"),
		reject("hex prefix", "hex", "0x10"),
		accept("cortex", "cortex", `{"a": [1, 2]}`, `{"a": [1, 2]}`),
		reject("cortex not json", "cortex", `{a:1}`),

		// Windows.
		accept("service name", "windows-service-name", "Dnscache", "Dnscache"),
		accept("service name 256", "windows-service-name", strings.Repeat("é", 256), strings.Repeat("é", 256)),
		reject("service name backslash", "windows-service-name", `C:\svc`),
		reject("service displayname slash", "windows-service-displayname", "a/b"),
		reject("service name too long", "windows-service-displayname", strings.Repeat("a", 257)),
		accept("regkey", "regkey", `HKLM\Software\Run`, `HKLM\Software\Run`),
		reject("regkey line break", "regkey", "HKLM\nRun"),
		accept("regkey|value", "regkey|value", `HKLM\Run|evil.exe`, `HKLM\Run|evil.exe`),
		reject("regkey|value no pipe", "regkey|value", `HKLM\Run`),
		reject("regkey|value line break", "regkey|value", "HKLM\\Run|a\nb"),
		accept("scheduled task", "windows-scheduled-task", `\Microsoft\Update`, `\Microsoft\Update`),
		reject("scheduled task line break", "windows-scheduled-task", "a\nb"),
		accept("named pipe", "named pipe", `\\.\pipe\evil`, `\\.\pipe\evil`),
		reject("named pipe line break", "named pipe", "a\nb"),

		// Other hashes.
		accept("git-commit-id keeps case", "git-commit-id", hexN(40), hexN(40)),
		reject("git-commit-id short", "git-commit-id", hexN(39)),
		accept("x509 md5 colons", "x509-fingerprint-md5", "D4:1D:8C:D9:8F:00:B2:04:E9:80:09:98:EC:F8:42:7E", md5Lower),
		accept("x509 sha1", "x509-fingerprint-sha1", hexN(40), strings.ToLower(hexN(40))),
		accept("x509 sha256", "x509-fingerprint-sha256", hexN(64), strings.ToLower(hexN(64))),
		reject("x509 sha256 short", "x509-fingerprint-sha256", hexN(62)),
		accept("tlsh T1", "tlsh", "T1"+hexN(70), "t1"+strings.ToLower(hexN(70))),
		accept("tlsh without prefix", "tlsh", hexN(36), strings.ToLower(hexN(36))),
		reject("tlsh short", "tlsh", hexN(35)),
		reject("tlsh not hex", "tlsh", "T1"+strings.Repeat("g", 70)),
		accept("telfhash 70", "telfhash", "T"+hexN(69), "t"+strings.ToLower(hexN(69))),
		accept("telfhash 72", "telfhash", hexN(72), strings.ToLower(hexN(72))),
		reject("telfhash 71", "telfhash", hexN(71)),
		accept("ssdeep keeps case", "ssdeep", ssdeepVal, ssdeepVal),
		reject("ssdeep no blocksize", "ssdeep", "abc:def"),
		reject("ssdeep bad character", "ssdeep", "3:ab-c:def"),
		accept("impfuzzy", "impfuzzy", impfuzzy, impfuzzy),
		reject("impfuzzy bad count", "impfuzzy", "x:abc:def"),
		reject("impfuzzy one colon", "impfuzzy", "3:abc"),
		accept("cdhash 40", "cdhash", hexN(40), strings.ToLower(hexN(40))),
		accept("cdhash longer", "cdhash", hexN(64), strings.ToLower(hexN(64))),
		reject("cdhash short", "cdhash", hexN(39)),
		accept("vhash lower-cased", "vhash", "035056655D155D15Z5AZFZ", "035056655d155d15z5azfz"),
		reject("vhash line break", "vhash", "0350\n5665"),

		// File name and hash pairs.
		accept("filename|tlsh", "filename|tlsh", "Doc.PDF|T1"+hexN(70), "Doc.PDF|t1"+strings.ToLower(hexN(70))),
		reject("filename|tlsh bad hash", "filename|tlsh", "Doc.PDF|zz"),
		reject("filename|tlsh line break", "filename|tlsh", "Doc\n.PDF|T1"+hexN(70)),
		accept("filename|ssdeep keeps case", "filename|ssdeep", "A.exe|"+ssdeepVal, "A.exe|"+ssdeepVal),
		reject("filename|ssdeep bad hash", "filename|ssdeep", "a.exe|nope"),
		accept("filename|impfuzzy", "filename|impfuzzy", "A.exe|"+impfuzzy, "A.exe|"+impfuzzy),
		reject("filename|impfuzzy bad hash", "filename|impfuzzy", "a.exe|abc"),
		accept("filename|vhash", "filename|vhash", "A.exe|ABC", "A.exe|abc"),
		reject("filename|vhash empty name", "filename|vhash", "|abc"),
		reject("filename|vhash empty hash", "filename|vhash", "a.exe|"),
		accept("malware-sample", "malware-sample", "Evil.exe|"+md5Upper, "Evil.exe|"+md5Upper),
		reject("malware-sample no pipe", "malware-sample", "evil.exe"),

		// Free text.
		accept("filename", "filename", "Invoice.PDF.exe", "Invoice.PDF.exe"),
		reject("filename line break", "filename", "a\nb.exe"),
		accept("passport-number", "passport-number", "X1234567", "X1234567"),
		reject("passport-number line break", "passport-number", "X1\n234567"),
		accept("email-subject", "email-subject", "Re: Invoice", "Re: Invoice"),
		reject("email-subject line break", "email-subject", "Re:\nInvoice"),
		accept("github-username", "github-username", "octocat", "octocat"),
		reject("github-username line break", "github-username", "octo\ncat"),
		accept("first-name multi-line", "first-name", "Jean\nPaul", "Jean\nPaul"),
		accept("yara", "yara", "rule a {\n condition: true\n}", "rule a {\n condition: true\n}"),
		accept("anonymised lower-cased", "anonymised", "ABC\nDEF", "abc\ndef"),
		accept("comment", "comment", "See the report.", "See the report."),
		accept("mutex", "mutex", "Global\\Evil", "Global\\Evil"),
	}
	for typ, n := range hexHashLengths {
		tests = append(tests,
			accept(typ+" lower-cased", typ, hexN(n), strings.ToLower(hexN(n))),
			reject(typ+" too short", typ, hexN(n-1)),
			reject(typ+" too long", typ, hexN(n+1)),
			reject(typ+" not hex", typ, "g"+hexN(n-1)),
		)
	}
	for hash, n := range filenameHexHashLengths {
		typ := "filename|" + hash
		tests = append(tests,
			accept(typ+" hash lower-cased", typ, "Evil.EXE|"+hexN(n), "Evil.EXE|"+strings.ToLower(hexN(n))),
			reject(typ+" short hash", typ, "evil.exe|"+hexN(n-1)),
			reject(typ+" empty name", typ, "|"+hexN(n)),
			reject(typ+" name line break", typ, "a\nb|"+hexN(n)),
			reject(typ+" no pipe", typ, "evil.exe"),
			reject(typ+" two pipes", typ, "a|b|"+hexN(n)),
		)
	}
	return tests
}

func TestNormalizeValue(t *testing.T) {
	for _, tc := range normalizeValueTests() {
		t.Run(tc.typ+"/"+tc.name, func(t *testing.T) {
			got, err := NormalizeValue(tc.typ, tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("NormalizeValue(%q, %q) = %q, want error", tc.typ, tc.in, got)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("NormalizeValue(%q, %q) error %v does not match ErrInvalid", tc.typ, tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeValue(%q, %q) error: %v", tc.typ, tc.in, err)
			}
			if got != tc.want {
				t.Errorf("NormalizeValue(%q, %q) = %q, want %q", tc.typ, tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeValueIdempotent(t *testing.T) {
	for _, tc := range normalizeValueTests() {
		if tc.wantErr {
			continue
		}
		t.Run(tc.typ+"/"+tc.name, func(t *testing.T) {
			checkIdempotent(t, tc.typ, tc.in)
		})
	}
}

// TestNormalizeValueMISPMessages pins the messages MISP clients are known to
// match on; they are part of the wire format, not just prose.
func TestNormalizeValueMISPMessages(t *testing.T) {
	tests := []struct {
		name, typ, in, want string
	}{
		{"composite", "domain|ip", "example.com", "Composite type found but the value not in the composite (value1|value2) format."},
		{"empty", "text", " ", "Value cannot be empty."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NormalizeValue(tc.typ, tc.in)
			if err == nil || err.Error() != tc.want {
				t.Errorf("NormalizeValue(%q, %q) error = %v, want %q", tc.typ, tc.in, err, tc.want)
			}
		})
	}
}

func TestValueRulesCoverEveryType(t *testing.T) {
	names := TypeNames()
	for _, typ := range names {
		if _, ok := valueRules[typ]; !ok {
			t.Errorf("no value rule for type %q", typ)
		}
	}
	for typ := range valueRules {
		if _, ok := LookupType(typ); !ok {
			t.Errorf("value rule for unknown type %q", typ)
		}
	}
}

// TestNormalizeValueEveryType runs a plain value through every type, so a
// type whose rule is missing or broken shows up even without a table row.
func TestNormalizeValueEveryType(t *testing.T) {
	for _, typ := range TypeNames() {
		t.Run(typ, func(t *testing.T) {
			for _, v := range []string{"x", "a|b", "1", " 2001:DB8::1 ", "Example[.]COM"} {
				checkIdempotent(t, typ, v)
			}
		})
	}
}

func TestCorrelatesType(t *testing.T) {
	tests := []struct {
		typ  string
		want bool
	}{
		{"ip-src", true},
		{"md5", true},
		{"ip-src|port", true},
		{"attachment", true},
		{"comment", false},
		{"http-method", false},
		{"aba-rtn", false},
		{"gender", false},
		{"counter", false},
		{"integer", false},
		{"float", false},
		{"port", false},
		{"nationality", false},
		{"cortex", false},
		{"boolean", false},
		{"anonymised", false},
		{"no-such-type", false},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			if got := CorrelatesType(tc.typ); got != tc.want {
				t.Errorf("CorrelatesType(%q) = %v, want %v", tc.typ, got, tc.want)
			}
		})
	}
}

func TestIsPrimaryOnlyCorrelation(t *testing.T) {
	tests := []struct {
		typ  string
		want bool
	}{
		{"ip-src|port", true},
		{"ip-dst|port", true},
		{"hostname|port", true},
		{"domain|ip", false},
		{"filename|md5", false},
		{"ip-src", false},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			if got := IsPrimaryOnlyCorrelation(tc.typ); got != tc.want {
				t.Errorf("IsPrimaryOnlyCorrelation(%q) = %v, want %v", tc.typ, got, tc.want)
			}
		})
	}
}

// checkIdempotent normalises value as typ and, if it is accepted, checks
// that the result is accepted unchanged and keeps the stored-value
// invariants: valid UTF-8 without 4-byte characters, one '|' in composites.
func checkIdempotent(t *testing.T, typ, value string) {
	t.Helper()
	got, err := NormalizeValue(typ, value)
	if err != nil {
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("NormalizeValue(%q, %q) error %v does not match ErrInvalid", typ, value, err)
		}
		return
	}
	again, err := NormalizeValue(typ, got)
	if err != nil {
		t.Fatalf("NormalizeValue(%q, %q) = %q, which is then rejected: %v", typ, value, got, err)
	}
	if again != got {
		t.Fatalf("NormalizeValue(%q, %q) = %q, normalised again = %q", typ, value, got, again)
	}
	if got == "" || !utf8.ValidString(got) {
		t.Fatalf("NormalizeValue(%q, %q) = %q: empty or invalid UTF-8", typ, value, got)
	}
	for _, r := range got {
		if utf8.RuneLen(r) == 4 {
			t.Fatalf("NormalizeValue(%q, %q) = %q: contains a 4-byte character", typ, value, got)
		}
	}
	if IsCompositeType(typ) && strings.Count(got, "|") != 1 {
		t.Fatalf("NormalizeValue(%q, %q) = %q: composite without exactly one '|'", typ, value, got)
	}
}

// FuzzNormalizeValue checks that NormalizeValue never panics and is
// idempotent. An unknown type must be rejected; its value is then tried with
// every known type so mutated type names still exercise the rules.
func FuzzNormalizeValue(f *testing.F) {
	for _, tc := range normalizeValueTests() {
		f.Add(tc.typ, tc.in)
	}
	names := TypeNames()
	f.Fuzz(func(t *testing.T, typ, value string) {
		if _, ok := LookupType(typ); ok {
			checkIdempotent(t, typ, value)
			return
		}
		if got, err := NormalizeValue(typ, value); err == nil {
			t.Fatalf("NormalizeValue(%q, %q) = %q, want error for an unknown type", typ, value, got)
		}
		for _, name := range names {
			checkIdempotent(t, name, value)
		}
	})
}

func ExampleNormalizeValue() {
	v, err := NormalizeValue("ip-dst|port", "[2001:DB8:0::1]:443")
	fmt.Println(v, err)
	_, err = NormalizeValue("md5", "abc")
	fmt.Println(err)
	// Output:
	// 2001:db8::1|443 <nil>
	// Checksum has an invalid length or format (expected: 32 hexadecimal characters). Please double check the value or select type "other".
}

func TestUUIDv5(t *testing.T) {
	// RFC 4122 appendix B's DNS namespace; Python's
	// uuid.uuid5(uuid.NAMESPACE_DNS, "python.org").
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got, want := UUIDv5(dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d"; got != want {
		t.Errorf("UUIDv5(DNS, python.org) = %s, want %s", got, want)
	}
	if u := NewUUID(); !IsUUID(u) || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) {
		t.Errorf("NewUUID() = %s, want a version 4, RFC 4122 variant UUID", u)
	}
}
