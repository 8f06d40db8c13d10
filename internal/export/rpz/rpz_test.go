package rpz

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/misp"
)

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
	}{
		{"default", nil},
		{"local_data", map[string]string{
			"policy": "Local-Data", "walled_garden": "garden.example.rs.", "ns": "ns1.example.rs.", "ns_alt": "ns2.example.rs.",
			"email": "hostmaster.example.rs", "serial": "$time", "refresh": "1h", "retry": "15m", "expiry": "7d",
			"minimum_ttl": "5m", "ttl": "1d",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := exporttest.Options(export.ScopeAttributes)
			o.Params = tt.params
			exporttest.Golden(t, "attributes_"+tt.name, exporttest.WriteAttributes(t, Format, o, exporttest.Hits()))
			o.Scope = export.ScopeEvents
			exporttest.Golden(t, "events_"+tt.name, exporttest.WriteEvents(t, Format, o, exporttest.Events()))
		})
	}
}

const defaultHeader = "$TTL 1w;\n" +
	"@               SOA localhost. root.localhost (2026113000 2h 30m 30d 1h)\n" +
	"                NS localhost.\n\n"

func hit(typ, value string) misp.AttributeHit {
	return misp.AttributeHit{Attribute: &misp.Attribute{Type: typ, Value: value}, Event: &misp.Event{ID: 1}}
}

func TestWrite(t *testing.T) {
	const nx = "return NXDOMAIN (name does not exist) irrespective of actual result received.\n"
	tests := []struct {
		name   string
		params map[string]string
		hits   []misp.AttributeHit
		want   string
	}{
		{name: "empty answer is the header", want: defaultHeader},
		{
			name: "types MISP leaves out",
			hits: []misp.AttributeHit{hit("url", "http://example.com/"), hit("hostname|port", "example.com|80"), hit("ip-dst|port", "192.0.2.1|80"), hit("email-src", "a@example.com")},
			want: defaultHeader,
		},
		{
			name: "sections in fixed order, each value once",
			hits: []misp.AttributeHit{
				hit("hostname", "www.example.com"), hit("domain", "example.org"), hit("ip-src", "192.0.2.1"),
				hit("domain|ip", "example.net|192.0.2.1"), hit("ip-dst", "192.0.2.2"), hit("domain", "example.org"),
				hit("hostname", "www.example.com"), hit("domain", "www.example.com"),
			},
			want: defaultHeader +
				"; The following list of IP addresses will " + nx +
				"32.1.2.0.192.rpz-ip CNAME .\n" +
				"32.2.2.0.192.rpz-ip CNAME .\n\n" +
				"; The following domain names and all of their sub-domains will " + nx +
				"example.org CNAME .\n*.example.org CNAME .\n" +
				"example.net CNAME .\n*.example.net CNAME .\n" +
				"www.example.com CNAME .\n*.www.example.com CNAME .\n\n" +
				"; The following hostnames will " + nx +
				"www.example.com CNAME .\n\n",
		},
		{
			name:   "DROP",
			params: map[string]string{"policy": "DROP"},
			hits:   []misp.AttributeHit{hit("hostname", "h.example.com")},
			want:   defaultHeader + "; The following hostnames will timeout.\nh.example.com CNAME rpz-drop.\n\n",
		},
		{
			name:   "NODATA",
			params: map[string]string{"policy": "NODATA"},
			hits:   []misp.AttributeHit{hit("hostname", "h.example.com")},
			want: defaultHeader + "; The following hostnames will returns NODATA (name exists but no answers returned) irrespective of actual result received.\n" +
				"h.example.com CNAME *.\n\n",
		},
		{
			name:   "PASSTHRU",
			params: map[string]string{"policy": "PASSTHRU"},
			hits:   []misp.AttributeHit{hit("hostname", "h.example.com")},
			want: defaultHeader + "; The following hostnames will lets queries through, but allows for logging the hits (useful for testing).\n" +
				"h.example.com CNAME rpz-passthru.\n\n",
		},
		{
			name:   "TCP-only",
			params: map[string]string{"policy": "TCP-only"},
			hits:   []misp.AttributeHit{hit("hostname", "h.example.com")},
			want:   defaultHeader + "; The following hostnames will force the client to use TCP.\nh.example.com CNAME rpz-tcp-only.\n\n",
		},
		{
			name:   "Local-Data with the default walled garden",
			params: map[string]string{"policy": "Local-Data"},
			hits:   []misp.AttributeHit{hit("hostname", "h.example.com")},
			want:   defaultHeader + "; The following hostnames will returns the defined alternate location.\nh.example.com CNAME 127.0.0.1\n\n",
		},
		{
			name:   "unknown policy or id means the default",
			params: map[string]string{"policy": "0"},
			hits:   []misp.AttributeHit{hit("hostname", "h.example.com")},
			want:   defaultHeader + "; The following hostnames will " + nx + "h.example.com CNAME .\n\n",
		},
		{
			name:   "policy names are case-sensitive",
			params: map[string]string{"policy": "drop"},
			hits:   []misp.AttributeHit{hit("hostname", "h.example.com")},
			want:   defaultHeader + "; The following hostnames will " + nx + "h.example.com CNAME .\n\n",
		},
		{
			name:   "serial with $date and $time",
			params: map[string]string{"serial": "$date-$time"},
			want: "$TTL 1w;\n@               SOA localhost. root.localhost (20261130-1796040000 2h 30m 30d 1h)\n" +
				"                NS localhost.\n\n",
		},
		{
			name:   "given values are used unchecked, empty ones too",
			params: map[string]string{"ttl": "", "serial": "7", "ns": "ns.example."},
			want:   "$TTL ;\n@               SOA ns.example. root.localhost (7 2h 30m 30d 1h)\n                NS ns.example.\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := exporttest.Options(export.ScopeAttributes)
			o.Params = tt.params
			got := exporttest.WriteAttributes(t, Format, o, tt.hits)
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("rpz answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTriggerIP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"198.51.100.23", "32.23.100.51.198"},
		{"198.51.100.0/24", "24.0.100.51.198"},
		{"2001:db8::1", "128.1.zz.db8.2001"},
		{"2001:db8:0:0:1:0:0:1", "128.1.0.0.1.0.0.db8.2001"},
		{"::1", "128.1.zz"},
		{"fe80::", "128.zz.fe80"},
		{"::", "128.zz"},
		// A deviation from MISP, which writes "32.2001:db8::" (see triggerIP).
		{"2001:db8::/32", "32.zz.db8.2001"},
		{"2001:db8::1/128", "128.1.zz.db8.2001"},
		// As MISP: only the part before a second '/' counts; a '/' in
		// front is not taken for a prefix.
		{"192.0.2.0/24/8", "24.0.2.0.192"},
		{"/24", "32./24"},
		{"fe80::1%eth0", "32.fe80::1%eth0"},
	}
	for _, tt := range tests {
		if got := triggerIP(tt.in); got != tt.want {
			t.Errorf("triggerIP(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSpool runs a section through a temporary file.
func TestSpool(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	hits := []misp.AttributeHit{hit("domain", "a.example"), hit("hostname", "h.example"), hit("domain", "b.example"), hit("ip-src", "192.0.2.1")}
	want := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), hits)

	var buf bytes.Buffer
	w := newWriter(&buf, exporttest.Options(export.ScopeAttributes))
	w.domainLines.limit, w.hostLines.limit = 10, 0
	for _, h := range hits {
		if err := w.Write(h); err != nil {
			t.Fatal(err)
		}
	}
	if w.domainLines.f == nil || w.hostLines.f == nil {
		t.Fatal("sections not spooled to files")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("spooled answer (-want +got):\n%s", diff)
	}
	if w.domainLines.f != nil || w.hostLines.f != nil {
		t.Error("spool files still open after Close")
	}
	left, err := os.ReadDir(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
