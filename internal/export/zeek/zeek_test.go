package zeek

import (
	"html"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/misp"
)

func TestGolden(t *testing.T) { exporttest.GoldenScopes(t, Format) }

const head = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\tmeta.do_notice\tmeta.if_in\n"

func hit(typ, value, comment string) misp.AttributeHit {
	return misp.AttributeHit{
		Attribute: &misp.Attribute{ID: 3, Type: typ, Value: value, Comment: comment},
		Event:     &misp.Event{ID: 9, UUID: "e-uuid", Info: "Info", Orgc: &misp.OrgRef{Name: "Org"}},
	}
}

// line is a line of hit's event; the source and URL are exporttest's.
func line(indicator, typ, desc string) string {
	return indicator + "\tIntel::" + typ + "\tCERT-RS MISP (e-uuid) - Org\t" + desc + "\thttps://razmena.example.rs/events/view/9\tT\t-\n"
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		hits []misp.AttributeHit
		want string
	}{
		{"empty answer is the header", nil, head},
		{"ip-dst", []misp.AttributeHit{hit("ip-dst", "192.0.2.1", "c2")}, line("192.0.2.1", "ADDR", "Info. c2")},
		{"ip-src subnet", []misp.AttributeHit{hit("ip-src", "192.0.2.0/24", "")}, line("192.0.2.0/24", "SUBNET", "Info. ")},
		{"ip-dst|port keeps the address", []misp.AttributeHit{hit("ip-dst|port", "2001:db8::/32|443", "")}, line("2001:db8::/32", "SUBNET", "Info. ")},
		{
			"domain|ip gives both, address never SUBNET",
			[]misp.AttributeHit{hit("domain|ip", "a.rs|10.0.0.0/8", "")},
			line("a.rs", "DOMAIN", "Info. ") + line("10.0.0.0/8", "ADDR", "Info. "),
		},
		{
			"url loses http and https, not other schemes",
			[]misp.AttributeHit{hit("url", "https://a.rs/x?a=1&b=2", ""), hit("url", "HTTP://b.rs/", ""), hit("url", "ftp://c.rs/", "")},
			line("a.rs/x?a=1&b=2", "URL", "Info. ") + line("HTTP://b.rs/", "URL", "Info. ") + line("ftp://c.rs/", "URL", "Info. "),
		},
		{"hostname", []misp.AttributeHit{hit("hostname", "www.a.rs", "")}, line("www.a.rs", "DOMAIN", "Info. ")},
		{"email-dst", []misp.AttributeHit{hit("email-dst", "x@a.rs", "")}, line("x@a.rs", "EMAIL", "Info. ")},
		{"ja3", []misp.AttributeHit{hit("ja3-fingerprint-md5", "e7d705a3286e19ea42f587b344ee6865", "")}, line("e7d705a3286e19ea42f587b344ee6865", "JA3", "Info. ")},
		{"user-agent", []misp.AttributeHit{hit("user-agent", `Mozilla/5.0 ("x"; 'y')`, "")}, line(`Mozilla/5.0 ("x"; 'y')`, "SOFTWARE", "Info. ")},
		{"x509", []misp.AttributeHit{hit("x509-fingerprint-sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "")}, line("da39a3ee5e6b4b0d3255bfef95601890afd80709", "CERT_HASH", "Info. ")},
		{
			"filename|md5 gives name and hash",
			[]misp.AttributeHit{hit("filename|md5", "a.exe|d41d8cd98f00b204e9800998ecf8427e", "")},
			line("a.exe", "FILE_NAME", "Info. ") + line("d41d8cd98f00b204e9800998ecf8427e", "FILE_HASH", "Info. "),
		},
		{
			"malware-sample gives name and hash",
			[]misp.AttributeHit{hit("malware-sample", "a.exe|d41d8cd98f00b204e9800998ecf8427e", "")},
			line("a.exe", "FILE_NAME", "Info. ") + line("d41d8cd98f00b204e9800998ecf8427e", "FILE_HASH", "Info. "),
		},
		{
			"filename|sha512 gives only the hash",
			[]misp.AttributeHit{hit("filename|sha512", "a.exe|cf83", "")},
			line("cf83", "FILE_HASH", "Info. "),
		},
		{"ssdeep", []misp.AttributeHit{hit("ssdeep", "3:a:b", "")}, line("3:a:b", "FILE_HASH", "Info. ")},
		{"pdb", []misp.AttributeHit{hit("pdb", `C:\x.pdb`, "")}, line(`C:\x.pdb`, "FILE_NAME", "Info. ")},
		{"unmapped types give nothing", []misp.AttributeHit{hit("attachment", "a.exe", ""), hit("cdhash", "ab", ""), hit("text", "x", ""), hit("snort", "alert", "")}, ""},
		{"non-ASCII dropped", []misp.AttributeHit{hit("filename", "račun.pdf", "šifra")}, line("raun.pdf", "FILE_NAME", "Info. ifra")},
		{"tabs and newlines become spaces", []misp.AttributeHit{hit("email-src", "a\tb@c.rs", "x\r\ny\nz")}, line("a b@c.rs", "EMAIL", "Info. x y z")},
		{"tags stripped, entities decoded", []misp.AttributeHit{hit("domain", "a.rs", "see <b>this</b> &amp; &lt;that&gt; &apos;")}, line("a.rs", "DOMAIN", "Info. see this & <that> &apos;")},
		{"repeated lines written once", []misp.AttributeHit{hit("domain", "a.rs", ""), hit("hostname", "a.rs", ""), hit("domain", "a.rs", "other")}, line("a.rs", "DOMAIN", "Info. ") + line("a.rs", "DOMAIN", "Info. other")},
		{"no creator org, no line", []misp.AttributeHit{{Attribute: &misp.Attribute{Type: "domain", Value: "a.rs"}, Event: &misp.Event{ID: 9}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), tt.hits)
			want := tt.want
			if tt.hits != nil {
				want = head + want
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("zeek answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInstanceName(t *testing.T) {
	o := exporttest.Options(export.ScopeAttributes)
	o.OrgName = ""
	got := exporttest.WriteAttributes(t, Format, o, []misp.AttributeHit{hit("domain", "a.rs", "")})
	if want := "\tMISP (e-uuid) - Org\t"; !strings.Contains(string(got), want) {
		t.Errorf("without a host org the source is %q; got\n%s", want, got)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\r\nb", "a b"},
		{"a\x0bb\x7fc\x80d", "a bcd"},
		{`"quoted" 'single'`, `"quoted" 'single'`},
		{"a<b", "a"},
		{"a < b > c", "a  c"},
		{"x > y", "x > y"},
		{"<a href='x'>link</a>", "link"},
		{"a<<b>>c", "ac"},
		{"a<!-- x > y -->b", "ab"},
		{"a<?php echo '>' ?>b", "ab"},
		{"a<? f(x>1) ?>b", "ab"},
		{"a<!DOCTYPE html>b", "ab"},
		{"nul\x00byte", "nulbyte"},
		{"&amp;amp;", "&amp;"},
		{"&lt;b&gt;", "<b>"},
		{"&quot;&#39;&#x27;", `"''`},
		{"&apos;&nbsp;&euro;&lang;", "&apos;\u00a0€\u2329"},
		{"&#269;&#x10d;", "čč"},
		{"&#0;&#1;&#xD800;&#x110000;&#99999999999999999999;", "&#0;&#1;&#xD800;&#x110000;&#99999999999999999999;"},
		{"&#9;", "\t"},
		{"&amp &amp;x &#;", "&amp &x &#;"},
		{"&#38;lt;", "&lt;"},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in); got != tt.want {
			t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestHTML401Names checks that every HTML 4.01 name decodes, so a typo in
// the list cannot pass for an unknown entity.
func TestHTML401Names(t *testing.T) {
	if len(html401Names) != 252 {
		t.Errorf("%d HTML 4.01 entity names, want 252", len(html401Names))
	}
	for n := range html401Names {
		want := html.UnescapeString("&" + n + ";")
		switch n {
		case "lang":
			want = "\u2329"
		case "rang":
			want = "\u232a"
		}
		if want == "&"+n+";" {
			t.Errorf("&%s; is no entity", n)
		}
		if got, _ := entity(n + ";"); got != want {
			t.Errorf("entity(%q) = %q, want %q", n+";", got, want)
		}
	}
}
