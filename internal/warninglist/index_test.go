package warninglist

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// newList builds a list by hand, as Parse would leave it.
func newList(id int64, name, typ string, attrs []string, entries ...string) *List {
	return &List{ID: id, Name: name, Type: typ, MatchingAttributes: attrs, Entries: entries, Enabled: true}
}

type checkCase struct {
	name  string
	typ   string
	value string
	want  []Hit
}

func runChecks(t *testing.T, ix *Index, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ix.Check(tc.typ, tc.value)
			if diff := cmp.Diff(tc.want, got, ignoreValue); diff != "" {
				t.Errorf("Check(%q, %q) mismatch (-want +got):\n%s", tc.typ, tc.value, diff)
			}
		})
	}
}

func hit(id int64, name, matched string) Hit { return Hit{ListID: id, Name: name, Matched: matched} }

// ignoreValue leaves Hit.Value, tested by TestHitValueAndCategory, out of
// the comparisons.
var ignoreValue = cmpopts.IgnoreFields(Hit{}, "Value")

func TestCheckString(t *testing.T) {
	const hash = "d41d8cd98f00b204e9800998ecf8427e"
	ix := NewIndex([]*List{
		newList(1, "top", TypeString, []string{"domain", "hostname", "url", "md5", "filename|md5", "malware-sample"},
			"google.com", hash, "COM"),
	})
	runChecks(t, ix, []checkCase{
		{"exact", "domain", "google.com", []Hit{hit(1, "top", "google.com")}},
		{"case sensitive", "domain", "Google.com", nil},
		{"upper-case entry", "domain", "COM", []Hit{hit(1, "top", "COM")}},
		{"upper-case entry, lower value", "domain", "com", nil},
		{"no parent domain walk", "domain", "www.google.com", nil},
		{"no trimming", "domain", " google.com", nil},
		{"url must be equal", "url", "https://google.com/", nil},
		{"hash", "md5", hash, []Hit{hit(1, "top", hash)}},
		{"composite second part", "filename|md5", "a.exe|" + hash, []Hit{hit(1, "top", hash)}},
		{"malware-sample is composite", "malware-sample", "a.exe|" + hash, []Hit{hit(1, "top", hash)}},
		{"not composite type", "md5", "a.exe|" + hash, nil},
		{"type not applicable", "sha1", hash, nil},
		{"empty", "domain", "", nil},
	})
}

func TestCheckSubstring(t *testing.T) {
	ix := NewIndex([]*List{
		newList(1, "disposable", TypeSubstring, []string{"email-src", "domain|ip"}, "yopmail.com", "mail", "he", "she", "hers"),
		newList(2, "other", TypeSubstring, []string{"email-src"}, "xyz", "mail"),
	})
	runChecks(t, ix, []checkCase{
		{"first entry in list order wins", "email-src", "bob@yopmail.com",
			[]Hit{hit(1, "disposable", "yopmail.com"), hit(2, "other", "mail")}},
		{"later entry", "email-src", "bob@gmail.com",
			[]Hit{hit(1, "disposable", "mail"), hit(2, "other", "mail")}},
		{"overlapping entries", "email-src", "ushers",
			[]Hit{hit(1, "disposable", "he")}},
		{"suffix of a longer partial match", "email-src", "shxyz",
			[]Hit{hit(2, "other", "xyz")}},
		{"case sensitive", "email-src", "BOB@YOPMAIL.COM", nil},
		{"composite first part", "domain|ip", "mail.example|10.0.0.1", []Hit{hit(1, "disposable", "mail")}},
		{"type applies to one list", "domain|ip", "xyz|1.2.3.4", nil},
		{"none", "email-src", "bob@example.org", nil},
	})
}

func TestCheckHostname(t *testing.T) {
	ix := NewIndex([]*List{
		newList(1, "hosts", TypeHostname, []string{"domain", "hostname", "url", "domain|ip", "hostname|port"},
			".google.com", "example.org.", "Mixed.Case.NET", "www.google.com"),
	})
	google := []Hit{hit(1, "hosts", "google.com")}
	runChecks(t, ix, []checkCase{
		{"listed domain", "domain", "google.com", google},
		{"subdomain", "hostname", "www.google.com", google},
		{"shortest listed suffix is reported", "hostname", "a.www.google.com", google},
		{"deep subdomain", "hostname", "a.b.c.google.com", google},
		{"not a label boundary", "domain", "notgoogle.com", nil},
		{"listed domain as a prefix", "domain", "google.com.evil.net", nil},
		{"parent of listed domain", "domain", "com", nil},
		{"trailing dot on value", "domain", "google.com.", google},
		{"trailing dot on entry", "domain", "www.example.org", []Hit{hit(1, "hosts", "example.org")}},
		{"entry lower-cased", "domain", "mixed.case.net", []Hit{hit(1, "hosts", "mixed.case.net")}},
		{"value lower-cased", "hostname", "WWW.Mixed.CASE.net", []Hit{hit(1, "hosts", "mixed.case.net")}},
		{"url", "url", "https://www.google.com/search?q=x", google},
		{"url without scheme", "url", "www.google.com/search", google},
		{"defanged scheme", "url", "hxxps://maps.google.com", google},
		{"url with port keeps the port", "url", "http://google.com:8080/", nil},
		{"url with user info keeps it", "url", "http://u@google.com/", nil},
		{"domain|ip", "domain|ip", "www.google.com|8.8.8.8", google},
		{"hostname|port", "hostname|port", "google.com|443", google},
		{"type not applicable", "ip-dst", "google.com", nil},
		{"empty", "domain", "", nil},
		{"dots only", "domain", "...", nil},
	})
}

func TestCheckCIDR(t *testing.T) {
	attrs := []string{"ip-src", "ip-dst", "domain|ip", "ip-dst|port"}
	ix := NewIndex([]*List{
		newList(1, "v4", TypeCIDR, attrs, "10.0.0.0/8", "192.168.1.1", "8.8.8.0/24", "8.8.8.8", "not-an-ip"),
		newList(2, "v6", TypeCIDR, attrs, "2001:db8::/32", "::1", "::ffff:9270:3d68", "FE80::/10"),
	})
	runChecks(t, ix, []checkCase{
		{"in /8", "ip-dst", "10.1.2.3", []Hit{hit(1, "v4", "10.0.0.0/8")}},
		{"widest prefix is reported", "ip-dst", "8.8.8.8", []Hit{hit(1, "v4", "8.8.8.0/24")}},
		{"bare address entry is /32", "ip-src", "192.168.1.1", []Hit{hit(1, "v4", "192.168.1.1/32")}},
		{"next address", "ip-src", "192.168.1.2", nil},
		{"outside", "ip-dst", "11.0.0.1", nil},
		{"cidr value inside", "ip-dst", "10.0.0.0/24", []Hit{hit(1, "v4", "10.0.0.0/8")}},
		{"cidr value equal", "ip-dst", "10.0.0.0/8", []Hit{hit(1, "v4", "10.0.0.0/8")}},
		{"cidr value wider than entry", "ip-dst", "10.0.0.0/7", nil},
		{"cidr value with host bits", "ip-dst", "10.9.9.9/16", []Hit{hit(1, "v4", "10.0.0.0/8")}},
		{"v6 in /32", "ip-dst", "2001:db8::1", []Hit{hit(2, "v6", "2001:db8::/32")}},
		{"v6 upper case", "ip-dst", "2001:DB8::AB", []Hit{hit(2, "v6", "2001:db8::/32")}},
		{"v6 /128", "ip-dst", "::1", []Hit{hit(2, "v6", "::1/128")}},
		{"v6 /128 neighbour", "ip-dst", "::2", nil},
		{"v6 cidr value", "ip-dst", "2001:db8:1::/48", []Hit{hit(2, "v6", "2001:db8::/32")}},
		{"v6 non-canonical entry", "ip-dst", "fe80::1", []Hit{hit(2, "v6", "fe80::/10")}},
		{"v6 zone refused", "ip-dst", "fe80::1%eth0", nil},
		{"v4-mapped value checks v4", "ip-dst", "::ffff:10.1.2.3", []Hit{hit(1, "v4", "10.0.0.0/8")}},
		{"v4-mapped value checks v6", "ip-dst", "::ffff:146.112.61.104", []Hit{hit(2, "v6", "::ffff:146.112.61.104/128")}},
		{"v4-mapped cidr value", "ip-dst", "::ffff:10.0.0.0/112", []Hit{hit(1, "v4", "10.0.0.0/8")}},
		{"plain v4 does not hit mapped v6 entry", "ip-dst", "146.112.61.104", nil},
		{"leading zeros refused", "ip-dst", "010.0.0.1", nil},
		{"bad length", "ip-dst", "10.0.0.1/33", nil},
		{"empty length", "ip-dst", "10.0.0.1/", nil},
		{"non-numeric length", "ip-dst", "10.0.0.1/abc", nil},
		{"signed length", "ip-dst", "10.0.0.1/+8", nil},
		{"two slashes", "ip-dst", "10.0.0.1/8/8", nil},
		{"spaces", "ip-dst", " 10.0.0.1", nil},
		{"hostname", "ip-dst", "example.com", nil},
		{"ip-dst|port", "ip-dst|port", "8.8.8.8|53", []Hit{hit(1, "v4", "8.8.8.0/24")}},
		{"domain|ip", "domain|ip", "example.com|2001:db8::5", []Hit{hit(2, "v6", "2001:db8::/32")}},
		{"not composite type", "ip-dst", "8.8.8.8|53", nil},
		{"type not applicable", "domain", "10.0.0.1", nil},
	})
}

func TestCheckCIDREdges(t *testing.T) {
	attrs := []string{"ip-dst"}
	ix := NewIndex([]*List{
		newList(1, "all v4", TypeCIDR, attrs, "0.0.0.0/0"),
		newList(2, "all v6", TypeCIDR, attrs, "::/0"),
		newList(3, "hosts", TypeCIDR, attrs, "255.255.255.255/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
	})
	runChecks(t, ix, []checkCase{
		{"/0 contains v4", "ip-dst", "203.0.113.7", []Hit{hit(1, "all v4", "0.0.0.0/0")}},
		{"/0 contains v6", "ip-dst", "2001:db8::7", []Hit{hit(2, "all v6", "::/0")}},
		{"/0 value", "ip-dst", "0.0.0.0/0", []Hit{hit(1, "all v4", "0.0.0.0/0")}},
		{"/0 value v6", "ip-dst", "::/0", []Hit{hit(2, "all v6", "::/0")}},
		{"v4-mapped is in both /0", "ip-dst", "::ffff:1.2.3.4", []Hit{hit(1, "all v4", "0.0.0.0/0"), hit(2, "all v6", "::/0")}},
		{"top v4", "ip-dst", "255.255.255.255", []Hit{hit(1, "all v4", "0.0.0.0/0"), hit(3, "hosts", "255.255.255.255/32")}},
		{"top v6", "ip-dst", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			[]Hit{hit(2, "all v6", "::/0"), hit(3, "hosts", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")}},
	})
}

func TestCheckRegex(t *testing.T) {
	ix := NewIndex([]*List{
		newList(1, "contacts", TypeRegex, []string{"email-src", "email-dst"}, `/^(security|noc|soc|abuse)\@.*\..*$/i`),
		newList(2, "phones", TypeRegex, []string{"phone-number"},
			`/(?<=x)y/`, `/((?:\+|00)1)?55501([0-9]{2})/g`, `/((?:\+|00)44)?07700900([0-9]{3})/g`),
	})
	runChecks(t, ix, []checkCase{
		{"case-insensitive flag", "email-src", "Abuse@Example.com", []Hit{hit(1, "contacts", `/^(security|noc|soc|abuse)\@.*\..*$/i`)}},
		{"anchored", "email-dst", "xabuse@example.com", nil},
		{"no dot", "email-src", "abuse@localhost", nil},
		{"g modifier tolerated", "phone-number", "+1-555-0123 is +15550123", []Hit{hit(2, "phones", `/((?:\+|00)1)?55501([0-9]{2})/g`)}},
		{"second regex", "phone-number", "07700900123", []Hit{hit(2, "phones", `/((?:\+|00)44)?07700900([0-9]{3})/g`)}},
		{"unconvertible entry ignored", "phone-number", "xy", nil},
		{"type not applicable", "email-src", "07700900123", nil},
	})
}

func TestCheckApplicability(t *testing.T) {
	ix := NewIndex([]*List{
		newList(3, "for ip", TypeString, []string{"ip-dst"}, "x"),
		newList(1, "no types", TypeString, nil, "x"),
		newList(2, "all", TypeString, []string{"ALL"}, "x"),
		newList(0, "b unsaved", TypeString, []string{"text"}, "x"),
		newList(0, "a unsaved", TypeString, []string{"text"}, "x"),
	})
	runChecks(t, ix, []checkCase{
		{"listed type and ALL lists, sorted by id then name", "ip-dst", "x",
			[]Hit{hit(1, "no types", "x"), hit(2, "all", "x"), hit(3, "for ip", "x")}},
		{"unknown type gets ALL lists", "whatever", "x", []Hit{hit(1, "no types", "x"), hit(2, "all", "x")}},
		{"id 0 sorted by name", "text", "x",
			[]Hit{hit(0, "a unsaved", "x"), hit(0, "b unsaved", "x"), hit(1, "no types", "x"), hit(2, "all", "x")}},
	})
}

func TestCheckCompositeFirstPartWins(t *testing.T) {
	ix := NewIndex([]*List{
		newList(1, "both", TypeString, []string{"filename|md5"}, "b", "a"),
	})
	runChecks(t, ix, []checkCase{
		{"first part", "filename|md5", "a|b", []Hit{hit(1, "both", "a")}},
		{"second part", "filename|md5", "c|b", []Hit{hit(1, "both", "b")}},
		{"split at first bar", "filename|md5", "c|a|b", nil},
		{"no bar", "filename|md5", "a", []Hit{hit(1, "both", "a")}},
	})
}

func TestCheckValue(t *testing.T) {
	ix := NewIndex([]*List{
		newList(1, "dns", TypeCIDR, []string{"ip-dst"}, "8.8.8.8"),
		newList(2, "hosts", TypeHostname, []string{"domain"}, "google.com"),
		newList(3, "hashes", TypeString, []string{"md5"}, "8.8.8.8"),
		newList(4, "mails", TypeSubstring, []string{"email-src"}, "google"),
	})
	tests := []struct {
		value string
		want  []Hit
	}{
		{"8.8.8.8", []Hit{hit(1, "dns", "8.8.8.8/32"), hit(3, "hashes", "8.8.8.8")}},
		{" 8.8.8.8\n", []Hit{hit(1, "dns", "8.8.8.8/32"), hit(3, "hashes", "8.8.8.8")}},
		{"https://www.google.com/", []Hit{hit(2, "hosts", "google.com"), hit(4, "mails", "google")}},
		// checkValue never splits composites: the hostname "google.com|8.8.8.8" has no listed suffix.
		{"google.com|8.8.8.8", []Hit{hit(4, "mails", "google")}},
		{"razmena.example", nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, ix.CheckValue(tc.value), ignoreValue); diff != "" {
			t.Errorf("CheckValue(%q) mismatch (-want +got):\n%s", tc.value, diff)
		}
	}
}

func TestNewIndexIgnores(t *testing.T) {
	disabled := newList(2, "disabled lists are still indexed", TypeString, nil, "x")
	disabled.Enabled = false
	ix := NewIndex([]*List{nil, newList(1, "bad type", "fuzzy", nil, "x"), disabled})
	if got, want := ix.Check("text", "x"), []Hit{hit(2, "disabled lists are still indexed", "x")}; !cmp.Equal(got, want, ignoreValue) {
		t.Errorf("Check = %v, want %v", got, want)
	}
	if got := NewIndex(nil).Check("ip-dst", "8.8.8.8"); got != nil {
		t.Errorf("empty index: Check = %v, want nil", got)
	}
}

// TestIndexConcurrent shares one Index between goroutines; run with -race.
func TestIndexConcurrent(t *testing.T) {
	ix := fuzzIndex()
	want := ix.Check("domain|ip", "google.com|10.1.2.3")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if got := ix.Check("domain|ip", "google.com|10.1.2.3"); !cmp.Equal(got, want) {
					t.Errorf("concurrent Check = %v, want %v", got, want)
					return
				}
				ix.CheckValue("abuse@mail.com")
			}
		})
	}
	wg.Wait()
}

func TestHitValueAndCategory(t *testing.T) {
	const hash = "d41d8cd98f00b204e9800998ecf8427e"
	ix := NewIndex([]*List{
		{ID: 1, Name: "hashes", Type: TypeString, Category: CategoryKnown, MatchingAttributes: []string{AllTypes}, Entries: []string{hash}},
		{ID: 2, Name: "hosts", Type: TypeHostname, Category: CategoryFalsePositive, MatchingAttributes: []string{AllTypes}, Entries: []string{"example.com"}},
	})
	tests := []struct {
		name string
		got  []Hit
		want []Hit
	}{
		{"composite second part", ix.Check("filename|md5", "a.exe|"+hash),
			[]Hit{{ListID: 1, Name: "hashes", Category: CategoryKnown, Matched: hash, Value: hash}}},
		{"composite first part", ix.Check("domain|ip", "WWW.Example.com|10.0.0.1"),
			[]Hit{{ListID: 2, Name: "hosts", Category: CategoryFalsePositive, Matched: "example.com", Value: "WWW.Example.com"}}},
		{"checkValue trims", ix.CheckValue(" " + hash + "\n"),
			[]Hit{{ListID: 1, Name: "hashes", Category: CategoryKnown, Matched: hash, Value: hash}}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
