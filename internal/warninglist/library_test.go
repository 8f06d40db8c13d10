package warninglist

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// libraryDir is the misp-warninglists data shipped beside the repository
// for tests (see shared/misp-data/README.md).
const libraryDir = "../../../shared/misp-data/warninglists"

func loadLibrary(tb testing.TB) []*List {
	tb.Helper()
	if _, err := os.Stat(libraryDir); err != nil {
		tb.Skipf("warninglists library not available: %v", err)
	}
	lists, rep := Load(libraryDir)
	for _, e := range rep.Errors {
		tb.Errorf("Load: %v", e)
	}
	// The repository has no index of its lists: the absent ones (see
	// TestLibrary) have no directory, so nothing is known to be missing.
	for _, m := range rep.Missing {
		tb.Errorf("Load: missing %v", m)
	}
	return lists
}

// numberLists gives the lists IDs 1…n in name order, as a store would.
func numberLists(lists []*List) {
	for i, l := range lists {
		l.ID = int64(i + 1)
	}
}

func hitNames(hits []Hit) []string {
	var names []string
	for _, h := range hits {
		names = append(names, h.Name+" = "+h.Matched)
	}
	return names
}

type typedValue struct{ typ, value string }

// sampleValues returns n attribute values of mixed types, about half of
// them taken from the lists (addresses inside listed ranges, subdomains of
// listed domains, listed hashes), the rest random.
func sampleValues(lists []*List, n int) []typedValue {
	rng := rand.New(rand.NewPCG(2026, 8))
	byType := make(map[string][]*List)
	for _, l := range lists {
		if len(l.Entries) > 0 {
			byType[l.Type] = append(byType[l.Type], l)
		}
	}
	entry := func(typ string, pred func(string) bool) string {
		for range 100 {
			ls := byType[typ]
			l := ls[rng.IntN(len(ls))]
			if e := l.Entries[rng.IntN(len(l.Entries))]; pred(e) {
				return e
			}
		}
		return "fallback.example"
	}
	isHash := func(e string) bool { return len(e) >= 32 && strings.Trim(strings.ToLower(e), "0123456789abcdef") == "" }
	isDomain := func(e string) bool { return strings.Contains(e, ".") && !strings.ContainsAny(e, "/ :") }
	listedAddr := func(v6 bool) string {
		for {
			p := netip.MustParsePrefix(entry(TypeCIDR, func(string) bool { return true }))
			if p.Addr().Is6() != v6 {
				continue
			}
			b := p.Addr().AsSlice()
			for i := p.Bits(); i < len(b)*8; i++ {
				if rng.IntN(2) == 1 {
					b[i/8] |= 0x80 >> (i % 8)
				}
			}
			a, _ := netip.AddrFromSlice(b)
			return a.String()
		}
	}
	randomV4 := func() string {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], rng.Uint32())
		return netip.AddrFrom4(b).String()
	}
	randomV6 := func() string {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], 0x2000000000000000|rng.Uint64()>>4)
		binary.BigEndian.PutUint64(b[8:], rng.Uint64())
		return netip.AddrFrom16(b).String()
	}
	word := func() string {
		b := make([]byte, 4+rng.IntN(10))
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	domain := func() string {
		switch rng.IntN(4) {
		case 0:
			return entry(TypeHostname, isDomain)
		case 1:
			return word() + "." + strings.Trim(entry(TypeHostname, isDomain), ".")
		case 2:
			return entry(TypeString, isDomain)
		}
		return word() + "." + []string{"com", "net", "org", "rs", "example"}[rng.IntN(5)]
	}
	hash := func() string {
		if rng.IntN(3) == 0 {
			return strings.ToLower(entry(TypeString, isHash))
		}
		b := make([]byte, []int{16, 20, 32}[rng.IntN(3)])
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return fmt.Sprintf("%x", b)
	}
	hashType := map[int]string{32: "md5", 40: "sha1", 64: "sha256", 128: "sha512", 56: "sha224"}
	ip := func() string {
		switch rng.IntN(6) {
		case 0, 1:
			return listedAddr(false)
		case 2:
			return listedAddr(true)
		case 3:
			return randomV6()
		}
		return randomV4()
	}

	values := make([]typedValue, 0, n)
	for len(values) < n {
		var v typedValue
		switch r := rng.IntN(100); {
		case r < 30:
			v = typedValue{[]string{"ip-dst", "ip-src"}[rng.IntN(2)], ip()}
		case r < 50:
			v = typedValue{[]string{"domain", "hostname"}[rng.IntN(2)], domain()}
		case r < 62:
			v = typedValue{"url", []string{"https://", "http://", ""}[rng.IntN(3)] + domain() + "/" + word()}
		case r < 77:
			h := hash()
			v = typedValue{hashType[len(h)], h}
			if v.typ == "" {
				v.typ = "text"
			}
		case r < 87:
			d := domain()
			if rng.IntN(2) == 0 {
				d = strings.Trim(entry(TypeSubstring, isDomain), ".")
			}
			v = typedValue{"email-src", []string{word(), "abuse", "noc"}[rng.IntN(3)] + "@" + d}
		case r < 94:
			v = typedValue{"domain|ip", domain() + "|" + ip()}
		default:
			v = typedValue{"ip-dst|port", ip() + "|" + fmt.Sprint(rng.IntN(65536))}
		}
		values = append(values, v)
	}
	return values
}

func TestLibrary(t *testing.T) {
	lists := loadLibrary(t)
	// The pinned misp-warninglists commit has 136 list directories and all
	// of them are present and parse (loadLibrary fails the test on any
	// FileError). The big lists the README names as absent (tranco,
	// cloudflare-top1m, …) have no directory at all here, so they are
	// neither loaded nor reported.
	if got, want := len(lists), 136; got != want {
		t.Errorf("Load loaded %d lists, want %d", got, want)
	}
	// No entry is skipped: every cidr entry parses and the 34 regexes
	// convert (phone_numbers' "g" modifier is tolerated, see the package doc).
	for _, l := range lists {
		for _, s := range l.Skipped {
			t.Errorf("list %q: skipped %q: %v", l.Name, s.Value, s.Err)
		}
	}
	numberLists(lists)
	ix := NewIndex(lists)

	const (
		dnsV4    = "List of known IPv4 public DNS resolvers"
		vpnV4    = "Specialized list of vpn-ipv4 addresses belonging to common VPN providers and datacenters"
		rfc1918  = "List of RFC 1918 CIDR blocks"
		rfc5735  = "List of RFC 5735 CIDR blocks"
		alexa    = "Top 1000 website from Alexa"
		tranco   = "Top 10K most-used sites from Tranco"
		google   = "List of known google domains"
		contacts = "Common contact e-mail addresses"
	)
	exact := []struct {
		typ, value string
		want       []string // "list name = matched"
	}{
		{"ip-dst", "8.8.8.8", []string{dnsV4 + " = 8.8.8.8/32", vpnV4 + " = 8.8.8.0/24"}},
		{"ip-dst", "1.1.1.1", []string{dnsV4 + " = 1.1.1.1/32"}},
		{"ip-dst|port", "1.1.1.1|53", []string{dnsV4 + " = 1.1.1.1/32"}},
		{"ip-dst", "::ffff:8.8.8.8", []string{dnsV4 + " = 8.8.8.8/32", vpnV4 + " = 8.8.8.0/24"}},
		{"ip-dst", "2001:4860:4860::8888", []string{"List of known IPv6 public DNS resolvers = 2001:4860:4860::8888/128"}},
		{"ip-src", "192.168.17.4", []string{rfc1918 + " = 192.168.0.0/16", rfc5735 + " = 192.168.0.0/16"}},
		{"ip-src", "10.200.0.1/16", []string{rfc1918 + " = 10.0.0.0/8", rfc5735 + " = 10.0.0.0/8"}},
		// 203.0.113.0/24 (TEST-NET-3, RFC 5737) is in the RFC 5735
		// special-use list and nowhere else.
		{"ip-dst", "203.0.113.77", []string{rfc5735 + " = 203.0.113.0/24"}},
		{"ip-dst", "2001:db8::1", []string{"List of RFC 3849 CIDR blocks = 2001:db8::/32"}},
		{"url", "https://www.google.com/search?q=1", []string{alexa + " = google.com", tranco + " = google.com"}},
		{"email-src", "abuse@mailinator.com", []string{
			contacts + ` = /^(security|noc|soc|abuse)\@.*\..*$/i`,
			"List of disposable email domains = mailinator.com",
		}},
		{"phone-number", "+44 07700900123", []string{"Unattributed phone number. = /((?:\\+|00)44)?07700900([0-9]{3})/g"}},
		{"md5", "d41d8cd98f00b204e9800998ecf8427e", []string{
			"Hashes that are often included in IOC lists but are false positives. = d41d8cd98f00b204e9800998ecf8427e",
			"List of known hashes for empty files = d41d8cd98f00b204e9800998ecf8427e",
			"List of known hashes with common false-positives (based on Florian Roth input list) = d41d8cd98f00b204e9800998ecf8427e",
		}},
		{"domain", "razmena-test-not-listed.example", nil},
		{"ip-dst", "8.8.8.8|53", nil}, // not a composite type
	}
	for _, tc := range exact {
		got := hitNames(ix.Check(tc.typ, tc.value))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Check(%q, %q) mismatch (-want +got):\n%s", tc.typ, tc.value, diff)
		}
	}

	// Top-domain lists: google.com is on 17 lists; check the ones that show
	// each matching rule rather than the whole set.
	contains := []struct {
		typ, value string
		want       []string
	}{
		{"domain", "google.com", []string{google + " = google.com", alexa + " = google.com", tranco + " = google.com"}},
		// Hostname lists (Alexa, Tranco) hit through the parent domain;
		// string lists only where www.google.com itself is listed.
		{"domain", "www.google.com", []string{google + " = www.google.com", alexa + " = google.com", tranco + " = google.com"}},
		{"domain|ip", "dns.google|8.8.4.4", []string{dnsV4 + " = 8.8.4.4/32", "List of known public DNS resolvers expressed as hostname = dns.google"}},
	}
	for _, tc := range contains {
		got := hitNames(ix.Check(tc.typ, tc.value))
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("Check(%q, %q) = %q, want it to contain %q", tc.typ, tc.value, got, w)
			}
		}
	}

	if got := ix.CheckValue("razmena-test-not-listed.example"); got != nil {
		t.Errorf("CheckValue(razmena-test-not-listed.example) = %v, want nil", got)
	}
	if got, want := hitNames(ix.CheckValue(" 203.0.113.77 ")), []string{rfc5735 + " = 203.0.113.0/24"}; !slices.Equal(got, want) {
		t.Errorf("CheckValue(203.0.113.77) = %q, want %q", got, want)
	}
}

// BenchmarkCheck10000 checks 10,000 mixed attribute values (IPv4/IPv6,
// domains, URLs, hashes, e-mails, composites) against the whole library;
// one op is the batch of 10,000.
func BenchmarkCheck10000(b *testing.B) {
	lists := loadLibrary(b)
	numberLists(lists)
	ix := NewIndex(lists)
	values := sampleValues(lists, 10000)
	b.ResetTimer()
	for b.Loop() {
		for _, v := range values {
			ix.Check(v.typ, v.value)
		}
	}
}

// BenchmarkCheckValue10000 is BenchmarkCheck10000 through CheckValue: every
// value against every list, whatever its type.
func BenchmarkCheckValue10000(b *testing.B) {
	lists := loadLibrary(b)
	numberLists(lists)
	ix := NewIndex(lists)
	values := sampleValues(lists, 10000)
	b.ResetTimer()
	for b.Loop() {
		for _, v := range values {
			ix.CheckValue(v.value)
		}
	}
}

func BenchmarkNewIndex(b *testing.B) {
	lists := loadLibrary(b)
	for b.Loop() {
		NewIndex(lists)
	}
}

func BenchmarkLoad(b *testing.B) {
	loadLibrary(b)
	for b.Loop() {
		Load(libraryDir)
	}
}
