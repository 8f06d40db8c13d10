package nids

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/misp"
)

func TestGolden(t *testing.T) {
	for _, f := range Formats {
		t.Run(f.Name, func(t *testing.T) {
			t.Run("attributes", func(t *testing.T) {
				got := exporttest.WriteAttributes(t, f, exporttest.Options(export.ScopeAttributes), exporttest.Hits())
				exporttest.Golden(t, f.Name+"_attributes", got)
			})
			t.Run("events", func(t *testing.T) {
				got := exporttest.WriteEvents(t, f, exporttest.Options(export.ScopeEvents), exporttest.Events())
				exporttest.Golden(t, f.Name+"_events", got)
			})
		})
	}
}

func TestHeaderOnly(t *testing.T) {
	for _, f := range Formats {
		got := exporttest.WriteAttributes(t, f, exporttest.Options(export.ScopeAttributes), nil)
		want := "# MISP export of IDS rules - optimized for " + f.Name + "\n#\n" +
			"# These NIDS rules contain some variables that need to exist in your configuration.\n" +
			"# Make sure you have set:\n#\n" +
			"# $HOME_NET     - Your internal network range\n" +
			"# $EXTERNAL_NET - The network considered as outside\n" +
			"# $SMTP_SERVERS - All your internal SMTP servers\n" +
			"# $HTTP_PORTS   - The ports used to contain HTTP traffic (not required with suricata export)\n" +
			"# "
		if diff := cmp.Diff(want, string(got)); diff != "" {
			t.Errorf("%s: empty answer (-want +got):\n%s", f.Name, diff)
		}
	}
}

// tail is the end NidsExport gives every generated rule of event 7
// (threat level 2).
func tail(sid int) string {
	return fmt.Sprintf("classtype:trojan-activity; sid:%d; rev:1; priority:2; reference:url,https://misp.example/events/view/7;) ", sid)
}

func rulesOf(f flavour, typ, value string, tags ...string) []string {
	g := &generator{flavour: f, baseSID: DefaultSID, baseURL: "https://misp.example"}
	it := g.item(&misp.Event{ID: 7, ThreatLevelID: 2}, tags)
	it.attribute(&misp.Attribute{ID: 5, Type: typ, Value: value})
	return it.rules
}

func TestRules(t *testing.T) {
	tests := []struct {
		name    string
		flavour flavour
		typ, v  string
		tags    []string
		want    []string
	}{
		{
			name: "ip-dst", flavour: suricata, typ: "ip-dst", v: "10.0.0.1", tags: []string{"tlp:green", `a:b="c"`},
			want: []string{`alert ip $HOME_NET any -> 10.0.0.1 any (msg: "MISP e7 [tlp:green,a:b="c"] Outgoing To IP: 10.0.0.1";   ` + tail(4000051)},
		},
		{
			name: "ip-src IPv6", flavour: snort, typ: "ip-src", v: "2001:db8::1",
			want: []string{`alert ip 2001:db8::1 any -> $HOME_NET any (msg: "MISP e7 [] Incoming From IP: 2001:db8::1";   ` + tail(4000051)},
		},
		{
			name: "ip-dst|port IPv6", flavour: suricata, typ: "ip-dst|port", v: "2001:db8::2|443",
			want: []string{`alert ip $HOME_NET any -> 2001:db8::2 443 (msg: "MISP e7 [] Outgoing To IP: 2001:db8::2|443";   ` + tail(4000051)},
		},
		{
			name: "ip-src|port without port", flavour: snort, typ: "ip-src|port", v: "10.0.0.1",
			want: []string{`alert ip 10.0.0.1  -> $HOME_NET any (msg: "MISP e7 [] Incoming From IP: 10.0.0.1";   ` + tail(4000051)},
		},
		{
			name: "email gives source and destination", flavour: suricata, typ: "email", v: "a@b.rs",
			want: []string{
				`alert tcp $EXTERNAL_NET any -> $SMTP_SERVERS 25 (msg: "MISP e7 [] Source Email Address: a@b.rs"; flow:established,to_server; content:"MAIL FROM|3a|"; nocase; content:"a@b.rs"; fast_pattern; nocase; content:"|0D 0A 0D 0A|"; within:8192; tag:session,600,seconds; ` + tail(4000051),
				`alert tcp $EXTERNAL_NET any -> $SMTP_SERVERS 25 (msg: "MISP e7 [] Destination Email Address: a@b.rs"; flow:established,to_server; content:"RCPT TO|3a|"; nocase; content:"a@b.rs"; fast_pattern; nocase; content:"|0D 0A 0D 0A|"; within:8192; tag:session,600,seconds; ` + tail(4000052),
			},
		},
		{
			name: "email-attachment quotes and semicolons", flavour: snort, typ: "email-attachment", v: `a"b;c.exe`,
			want: []string{`alert tcp $EXTERNAL_NET any -> $SMTP_SERVERS 25 (msg: "MISP e7 [] Bad Email Attachment"; flow:established,to_server; content:"Content-Disposition|3a| attachment|3b| filename|3d 22|"; content:"a|22|b|3b|c.exe|22|"; fast_pattern; content:"|0D 0A 0D 0A|"; within:8192; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "email-subject non-ASCII, backslash, 0x", flavour: suricata, typ: "email-subject", v: `Račun\0x1`,
			want: []string{`alert tcp $EXTERNAL_NET any -> $SMTP_SERVERS 25 (msg: "MISP e7 [] Bad Email Subject"; flow:established,to_server; content:"Subject|3a|"; nocase; content:"Račun|5c||30 78|1"; fast_pattern; nocase; content:"|0D 0A 0D 0A|"; within:8192; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "domain suricata pipe", flavour: suricata, typ: "domain", v: "ex|am.rs",
			want: []string{
				`alert dns any any -> any any (msg: "MISP e7 [] Domain ex|7c|am.rs"; dns.query; content:"ex|7c|am.rs"; nocase; pcre: "/(^|[^A-Za-z0-9-])ex\|7c\|am\.rs$/i";  ` + tail(4000051),
				`alert http $HOME_NET any -> $EXTERNAL_NET any (msg: "MISP e7 [] Outgoing HTTP Domain ex|7c|am.rs"; flow:to_server,established; http.header; content: "Host|3a|"; nocase; http.header; content:"ex|7c|am.rs"; fast_pattern; nocase; pcre: "/(^|[^A-Za-z0-9-])ex\|7c\|am\.rs[^A-Za-z0-9-\.]/Hi"; tag:session,600,seconds; ` + tail(4000052),
			},
		},
		{
			name: "hostname snort non-ASCII counts bytes", flavour: snort, typ: "hostname", v: "www.pošta.rs",
			want: []string{
				`alert udp any any -> any 53 (msg: "MISP e7 [] Hostname: www.pošta.rs"; content:"|01 00 00 01 00 00 00 00 00 01|"; depth:10; offset:2; content:"|01||03|www|06|pošta|02|rs|00|"; fast_pattern; nocase;  ` + tail(4000051),
				`alert tcp any any -> any 53 (msg: "MISP e7 [] Hostname: www.pošta.rs"; content:"|01 00 00 01 00 00 00 00 00 01|"; depth:10; offset:2; content:"|01||03|www|06|pošta|02|rs|00|"; fast_pattern; nocase; flow:established;  ` + tail(4000052),
				`alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg: "MISP e7 [] Outgoing HTTP Hostname: www.pošta.rs"; flow:to_server,established; content: "Host|3a| www.pošta.rs"; nocase; http_header; pcre: "/(^|[^A-Za-z0-9-\.])www\.pošta\.rs[^A-Za-z0-9-\.]/H"; tag:session,600,seconds; ` + tail(4000053),
			},
		},
		{
			name: "domain|ip suricata numbers on", flavour: suricata, typ: "domain|ip", v: "a.rs|192.0.2.9",
			want: []string{
				`alert dns any any -> any any (msg: "MISP e7 [] Domain a.rs"; dns.query; content:"a.rs"; nocase; pcre: "/(^|[^A-Za-z0-9-])a\.rs$/i";  ` + tail(4000051),
				`alert http $HOME_NET any -> $EXTERNAL_NET any (msg: "MISP e7 [] Outgoing HTTP Domain a.rs"; flow:to_server,established; http.header; content: "Host|3a|"; nocase; http.header; content:"a.rs"; fast_pattern; nocase; pcre: "/(^|[^A-Za-z0-9-])a\.rs[^A-Za-z0-9-\.]/Hi"; tag:session,600,seconds; ` + tail(4000052),
				`alert ip $HOME_NET any -> 192.0.2.9 any (msg: "MISP e7 [] Outgoing To IP: 192.0.2.9";   ` + tail(4000053),
				`alert ip 192.0.2.9 any -> $HOME_NET any (msg: "MISP e7 [] Incoming From IP: 192.0.2.9";   ` + tail(4000054),
			},
		},
		{
			name: "url snort", flavour: snort, typ: "url", v: `http://a.rs/x:y;"z"`,
			want: []string{`alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg: "MISP e7 [] Outgoing HTTP URL: http|3a|//a.rs/x|3a|y|3b||22|z|22|"; flow:to_server,established; content:"http|3a|//a.rs/x|3a|y|3b||22|z|22|"; nocase; http_uri; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "url suricata http IP host, port, unescaped path", flavour: suricata, typ: "url", v: "http://10.0.0.5:8080/a;b?q=1",
			want: []string{`alert http $HOME_NET any -> 10.0.0.5 8080 (msg: "MISP e7 [] Outgoing URL http|3a|//10.0.0.5|3a|8080/a|3b|b?q=1"; flow:to_server,established; http.header; content:"10.0.0.5"; fast_pattern; nocase; http.uri; content:"/a;b"; nocase; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "url suricata http without path", flavour: suricata, typ: "url", v: "http://example.com?x",
			want: []string{`alert http $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg: "MISP e7 [] Outgoing URL http|3a|//example.com?x"; flow:to_server,established; http.header; content:"example.com"; nocase; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "url suricata http IPv6 host", flavour: suricata, typ: "url", v: "http://[::1]/p",
			want: []string{`alert http $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg: "MISP e7 [] Outgoing URL http|3a|//[|3a||3a|1]/p"; flow:to_server,established; http.header; content:"|3a||3a|1"; fast_pattern; nocase; http.uri; content:"/p"; nocase; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "url suricata https custom port", flavour: suricata, typ: "url", v: "https://[2001:db8::1]:8443/x",
			want: []string{`alert tls $HOME_NET any -> $EXTERNAL_NET 8443 (msg: "MISP e7 [] Outgoing URL https|3a|//[2001|3a|db8|3a||3a|1]|3a|8443/x"; tls.sni; content:"[2001|3a|db8|3a||3a|1]"; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "url suricata ssh to IP", flavour: suricata, typ: "url", v: "ssh://192.0.2.1:2222/",
			want: []string{`alert tcp $HOME_NET any -> 192.0.2.1 $SSH_PORTS (msg: "MISP e7 [] Outgoing URL ssh|3a|//192.0.2.1|3a|2222/"; flow:to_server; app-layer-protocol:ssh;  ` + tail(4000051)},
		},
		{name: "url suricata ssh to name gives nothing", flavour: suricata, typ: "url", v: "ssh://example.com/"},
		{
			name: "url suricata ftp default ports", flavour: suricata, typ: "url", v: "ftp://192.0.2.1/f",
			want: []string{`alert tcp $HOME_NET any -> 192.0.2.1 [20,21] (msg: "MISP e7 [] Outgoing URL ftp|3a|//192.0.2.1/f"; flow:to_server; app-layer-protocol:ftp;  ` + tail(4000051)},
		},
		{
			name: "url suricata without scheme", flavour: suricata, typ: "url", v: "example.com/0xdead",
			want: []string{`alert http $HOME_NET any -> $EXTERNAL_NET any (msg: "MISP e7 [] Outgoing URL example.com/|30 78|dead"; flow:to_server,established; http.uri; content:"example.com/|30 78|dead"; fast_pattern; nocase; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "url suricata unparsable", flavour: suricata, typ: "url", v: "http://host:99999/",
			want: []string{`alert http $HOME_NET any -> $EXTERNAL_NET any (msg: "MISP e7 [] Outgoing URL http|3a|//host|3a|99999/"; flow:to_server,established; http.uri; content:"http|3a|//host|3a|99999/"; fast_pattern; nocase; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "user-agent snort", flavour: snort, typ: "user-agent", v: `curl/8 "x"`,
			want: []string{`alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg: "MISP e7 [] Outgoing User-Agent: curl/8 |22|x|22|"; flow:to_server,established; content:"curl/8 |22|x|22|"; http_header; tag:session,600,seconds; ` + tail(4000051)},
		},
		{
			name: "ja3 suricata", flavour: suricata, typ: "ja3-fingerprint-md5", v: "e7d705a3286e19ea42f587b344ee6865",
			want: []string{`alert tls any any -> any any (msg: "MISP e7 [] JA3 Hash: e7d705a3286e19ea42f587b344ee6865"; ja3.hash; content:"e7d705a3286e19ea42f587b344ee6865"; fast_pattern; tag:session,600,seconds; ` + tail(4000051)},
		},
		{name: "ja3 snort gives nothing", flavour: snort, typ: "ja3-fingerprint-md5", v: "e7d705a3286e19ea42f587b344ee6865"},
		{name: "md5 gives nothing", flavour: suricata, typ: "md5", v: "d41d8cd98f00b204e9800998ecf8427e"},
		{name: "http-method gives nothing", flavour: snort, typ: "http-method", v: "POST"},
		{name: "hostname|port gives nothing", flavour: suricata, typ: "hostname|port", v: "a.rs|80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rulesOf(tt.flavour, tt.typ, tt.v, tt.tags...)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rules of %s %q (-want +got):\n%s", tt.typ, tt.v, diff)
			}
		})
	}
}

func TestSnortAttribute(t *testing.T) {
	const ref = "reference:url,https://misp.example/events/view/7;"
	tests := []struct {
		name, v, want string
	}{
		{
			name: "keywords overwritten, missing ones added",
			v:    `alert tcp any any -> any 80 (msg:"x"; content:"a"; sid: 99 ;)`,
			want: `alert tcp any any -> any 80 (msg: "MISP e7 [t] snort-rule | x"; content:"a"; sid:4000051; rev:1;classtype:trojan-activity;` + ref + `)`,
		},
		{
			name: "all keywords present",
			v:    "alert tcp any any -> any any (msg : \"y\" ; rev:3; classtype:bad-unknown; reference:cve,2020-1; sid:1;\r\n)",
			want: `alert tcp any any -> any any (msg: "MISP e7 [t] snort-rule | y"; rev:1; classtype:trojan-activity; ` + ref + ` sid:4000051; )`,
		},
		{
			name: "no msg gets MISP's unformatted one",
			v:    `alert ip any any -> any any (sid:5;)`,
			want: `alert ip any any -> any any (sid:4000051; rev:1;classtype:trojan-activity;msg: "MISP e7 [t] %s";` + ref + `)`,
		},
		{
			name: "every closing gets the additions",
			v:    `alert ip any any -> any any (msg:"a;)b"; sid:1;)`,
			want: `alert ip any any -> any any (msg: "MISP e7 [t] snort-rule | a; rev:1;classtype:trojan-activity;` + ref + `)b"; sid:4000051; rev:1;classtype:trojan-activity;` + ref + `)`,
		},
		{
			name: "no closing, nothing added",
			v:    `alert ip any any -> any any (sid:1`,
			want: `alert ip any any -> any any (sid:1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []flavour{suricata, snort} {
				got := rulesOf(f, "snort", tt.v, "t")
				if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
					t.Errorf("%s: snort rule %q (-want +got):\n%s", f, tt.v, diff)
				}
			}
		})
	}
}

func TestEventObjects(t *testing.T) {
	rel := func(s string) *string { return &s }
	at := func(id int64, r, typ, v string, tags ...string) *misp.Attribute {
		a := &misp.Attribute{ID: misp.Int(id), Type: typ, Value: v, ObjectRelation: rel(r)}
		for _, n := range tags {
			a.Tag = append(a.Tag, &misp.AttachedTag{Name: n})
		}
		return a
	}
	e := &misp.Event{
		ID: 7, ThreatLevelID: 2, Tag: []*misp.AttachedTag{{Name: "ev"}},
		Attribute: []*misp.Attribute{{ID: 1, Type: "ip-dst", Value: "192.0.2.1"}},
		Object: []*misp.Object{
			{ID: 3, Name: "network-connection", Attribute: []*misp.Attribute{
				at(10, "ip-src", "ip-src", "10.0.0.1", "a"),
				at(11, "ip-dst", "ip-dst", "192.0.2.2", "b"),
				at(12, "dst-port", "port", "443"),
				at(13, "layer4-protocol", "text", "tcp"),
			}},
			{ID: 4, Name: "ddos", Attribute: []*misp.Attribute{at(14, "ip-dst", "ip-dst", "192.0.2.3")}},
			{ID: 5, Name: "empty"},
			{ID: 6, Name: "domain-ip", Attribute: []*misp.Attribute{at(15, "ip", "ip-src", "192.0.2.4", "c")}},
		},
	}
	got := exporttest.WriteEvents(t, Snort, exporttest.Options(export.ScopeEvents), []*misp.Event{e})
	rules := strings.Split(string(got), "\n")[10:]
	ref := "reference:url,https://razmena.example.rs/events/view/7;) "
	want := []string{
		`alert ip $HOME_NET any -> 192.0.2.1 any (msg: "MISP e7 [ev] Outgoing To IP: 192.0.2.1";   classtype:trojan-activity; sid:4000011; rev:1; priority:2; ` + ref,
		`alert ip 192.0.2.4 any -> $HOME_NET any (msg: "MISP e7 [c,ev] Incoming From IP: 192.0.2.4";   classtype:trojan-activity; sid:4000151; rev:1; priority:2; ` + ref,
		`alert tcp 10.0.0.1 any -> 192.0.2.2 443 (msg: "MISP e7 [a,b,ev] Network connection between 10.0.0.1 and 192.0.2.2";   classtype:trojan-activity; sid:4000031; rev:1; priority:2; ` + ref,
		`alert ip $HOME_NET any -> 192.0.2.3 any (msg: "MISP e7 [ev] DDOS attack detected between $HOME_NET and 192.0.2.3";   classtype:trojan-activity; sid:4000041; rev:1; priority:2; ` + ref,
	}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("events-scope rules (-want +got):\n%s", diff)
	}

	// The attributes scope knows no objects: each attribute stands alone.
	var hits []misp.AttributeHit
	for _, h := range export.Hits(e) {
		if h.Object != nil && h.Object.Name == "network-connection" {
			hits = append(hits, h)
		}
	}
	got = exporttest.WriteAttributes(t, Snort, exporttest.Options(export.ScopeAttributes), hits)
	if n := strings.Count(string(got), "\nalert "); n != 2 {
		t.Errorf("attributes scope wrote %d rules for the network-connection attributes, want 2 (ip-src, ip-dst):\n%s", n, got)
	}
}

func TestSIDBase(t *testing.T) {
	o := exporttest.Options(export.ScopeAttributes)
	o.Params = map[string]string{"nids_sid": "9000000"}
	h := misp.AttributeHit{Attribute: &misp.Attribute{ID: 12, Type: "ip-src", Value: "192.0.2.1"}, Event: &misp.Event{ID: 1}}
	got := exporttest.WriteAttributes(t, Suricata, o, []misp.AttributeHit{h})
	if !strings.Contains(string(got), " sid:9000121; ") {
		t.Errorf("nids_sid 9000000, attribute 12: want sid 9000121 in\n%s", got)
	}

	for _, bad := range []string{"abc", "-1", ""} {
		o.Params = map[string]string{"nids_sid": bad}
		var buf bytes.Buffer
		w := Suricata.Attributes(&buf, o)
		if err := w.Write(h); !errors.Is(err, misp.ErrInvalid) {
			t.Errorf("nids_sid %q: Write = %v, want ErrInvalid", bad, err)
		}
		if err := w.Close(); !errors.Is(err, misp.ErrInvalid) {
			t.Errorf("nids_sid %q: Close = %v, want ErrInvalid", bad, err)
		}
		if buf.Len() != 0 {
			t.Errorf("nids_sid %q: wrote %q, want nothing", bad, buf.String())
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a|b"c;d:e\f0xg`, `a|7c|b|22|c|3b|d|3a|e|5c|f|30 78|g`},
		{"0X0x|", "0X|30 78||7c|"},
		{"čćžšđ", "čćžšđ"},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPregQuote(t *testing.T) {
	in := ".\\+*?[^]$(){}=!<>|:-#/a\x00"
	want := `\.\\\+\*\?\[\^\]\$\(\)\{\}\=\!\<\>\|\:\-\#/a\000`
	if got := pregQuote(in); got != want {
		t.Errorf("pregQuote(%q) = %q, want %q", in, got, want)
	}
}

func TestDNSRaw(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name     string
		hostname bool
		want     string
	}{
		{"foobar.com", false, "|06|foobar|03|com|00|"},
		{"foobar.com", true, "|01||06|foobar|03|com|00|"},
		{"a..b", false, "|01|a|00||01|b|00|"},
		{long, false, "|12c|" + long + "|00|"},
	}
	for _, tt := range tests {
		if got := dnsRaw(tt.name, tt.hostname); got != tt.want {
			t.Errorf("dnsRaw(%q, %v) = %q, want %q", tt.name, tt.hostname, got, tt.want)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want phpURL
		ok   bool
	}{
		{"http://u:p@host:8080/p?q#f", phpURL{scheme: "http", hasScheme: true, host: "host", hasHost: true, port: 8080, hasPort: true, path: "/p", hasPath: true, hasQuery: true, hasFragment: true}, true},
		{"http://host", phpURL{scheme: "http", hasScheme: true, host: "host", hasHost: true}, true},
		{"http://host?x", phpURL{scheme: "http", hasScheme: true, host: "host", hasHost: true, hasQuery: true}, true},
		{"http://host:/", phpURL{scheme: "http", hasScheme: true, host: "host", hasHost: true, path: "/", hasPath: true}, true},
		{"http://[::1]:80/", phpURL{scheme: "http", hasScheme: true, host: "[::1]", hasHost: true, port: 80, hasPort: true, path: "/", hasPath: true}, true},
		{"http://[::1]/", phpURL{scheme: "http", hasScheme: true, host: "[::1]", hasHost: true, path: "/", hasPath: true}, true},
		{"example.com:80", phpURL{host: "example.com", hasHost: true, port: 80, hasPort: true}, true},
		{"example.com:80/x", phpURL{host: "example.com", hasHost: true, port: 80, hasPort: true, path: "/x", hasPath: true}, true},
		{"http:80", phpURL{host: "http", hasHost: true, port: 80, hasPort: true}, true},
		{"mailto:a@b", phpURL{scheme: "mailto", hasScheme: true, path: "a@b", hasPath: true}, true},
		{"http:example.com", phpURL{scheme: "http", hasScheme: true, path: "example.com", hasPath: true}, true},
		{"//host/p", phpURL{host: "host", hasHost: true, path: "/p", hasPath: true}, true},
		{"/just/path", phpURL{path: "/just/path", hasPath: true}, true},
		{"a b:c/d", phpURL{path: "a b:c/d", hasPath: true}, true},
		{"http://ho\x01st/", phpURL{scheme: "http", hasScheme: true, host: "ho_st", hasHost: true, path: "/", hasPath: true}, true},
		{"http:///x", phpURL{}, false},
		{"http://host:99999/", phpURL{}, false},
		{"http://host:abc/", phpURL{}, false},
		{"http://host:123456/", phpURL{}, false},
		{"a:65536", phpURL{}, false},
		{":", phpURL{}, false},
	}
	for _, tt := range tests {
		got, ok := parseURL(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseURL(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
