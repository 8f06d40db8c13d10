package stix2

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/misp"
)

// TestRandomBundles validates bundles written from random datasets:
// every MISP attribute type with well-formed, odd and broken values,
// mapped and unmapped objects, object references, tags and TLP markings,
// first/last seen in any order, empty and unpublished events. Seeds are
// fixed, so a failure reproduces.
func TestRandomBundles(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			g := &gen{r: rand.New(rand.NewPCG(seed, 0x5715))}
			events := g.events(6)
			opts := exporttest.Options(export.ScopeEvents)
			check(t, exporttest.WriteEvents(t, Format, opts, events))

			opts = exporttest.Options(export.ScopeAttributes)
			opts.IncludeEventTags = seed%2 == 0
			var hits []misp.AttributeHit
			for _, e := range events {
				hits = append(hits, export.Hits(e)...)
			}
			check(t, exporttest.WriteAttributes(t, Format, opts, hits))
		})
	}
}

type gen struct {
	r *rand.Rand
	n int64
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

func (g *gen) uuid() string {
	if g.chance(0.03) {
		// MISP accepts any RFC 4122 layout; STIX identifiers do not.
		return "00000000-0000-0000-0000-" + g.hex(12)
	}
	return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-" + g.pick("8", "9", "a", "b") + g.hex(3) + "-" + g.hex(12)
}

// nasty returns text that exercises escaping: quotes, backslashes,
// pattern syntax, control characters, non-ASCII, invalid UTF-8.
func (g *gen) nasty() string {
	parts := []string{"a", "'", `\`, `\'`, `"`, "]", "[", " AND ", "\n", "\t", "\x00", "\x7f", "ž", "€", "\U0001F600", "\u2028", "\xff", "%", "_", "' OR 1=1 --", "<script>"}
	var b strings.Builder
	for range 1 + g.r.IntN(6) {
		b.WriteString(parts[g.r.IntN(len(parts))])
	}
	return b.String()
}

func (g *gen) ipv4() string {
	ip := fmt.Sprintf("%d.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256))
	if g.chance(0.1) {
		ip += fmt.Sprintf("/%d", g.r.IntN(33))
	}
	return ip
}

func (g *gen) ip() string {
	switch g.r.IntN(6) {
	case 0:
		return fmt.Sprintf("2001:db8:%x::%x", g.r.IntN(65536), g.r.IntN(65536))
	case 1:
		return g.pick("::1", "fe80::1%eth0", "::ffff:192.0.2.1", "2001:db8::/32", "not-an-ip", "1.2.3.04", "256.1.1.1")
	default:
		return g.ipv4()
	}
}

func (g *gen) domain() string {
	d := g.pick("example", "posta-srbija", "xn--80ak6aa92e", "c2", "update") + "." + g.pick("com", "rs", "net", "org")
	if g.chance(0.3) {
		d = g.pick("www", "login", "cdn") + "." + d
	}
	return d
}

func (g *gen) email() string { return g.pick("ana", "podrska", "o'brien", "x\\y") + "@" + g.domain() }

func (g *gen) hashOf(typ string) string {
	switch typ {
	case "md5", "imphash", "x509-fingerprint-md5":
		return g.hex(32)
	case "sha1", "x509-fingerprint-sha1":
		return g.hex(40)
	case "sha224", "sha3-224", "sha512/224":
		return g.hex(56)
	case "sha256", "sha3-256", "authentihash", "sha512/256", "x509-fingerprint-sha256":
		return g.hex(64)
	case "sha384", "sha3-384":
		return g.hex(96)
	case "sha512", "sha3-512":
		return g.hex(128)
	case "ssdeep":
		return "96:" + g.hex(20) + ":" + g.hex(12)
	case "tlsh":
		return g.pick("T1", "") + strings.ToUpper(g.hex(70))
	default:
		return g.hex(8 + g.r.IntN(40))
	}
}

// value returns a value of type typ: usually well formed, sometimes odd.
func (g *gen) value(typ string) string {
	if g.chance(0.08) {
		return g.nasty()
	}
	if _, ok := hashKinds[typ]; ok || strings.HasPrefix(typ, "x509-fingerprint-") || strings.HasPrefix(typ, "sha512/") {
		h := g.hashOf(typ)
		if strings.HasPrefix(typ, "x509") && g.chance(0.3) {
			h = h[:2] + ":" + h[2:]
		}
		return h
	}
	if first, second, ok := strings.Cut(typ, "|"); ok {
		return g.value(first) + "|" + g.value(second)
	}
	switch typ {
	case "ip-src", "ip-dst", "ip":
		return g.ip()
	case "port", "dst-port", "src-port":
		return g.pick("80", "443", "8443", "65536", "-1", "http")
	case "domain", "hostname":
		return g.domain()
	case "url", "uri", "link":
		return "http://" + g.domain() + "/" + g.pick("a?b=1&c='2'", `x\y`, "prijava", "%2F..%2F")
	case "email", "email-src", "email-dst", "email-reply-to", "target-email", "whois-registrant-email":
		return g.email()
	case "AS":
		return g.pick("AS64500", "64501", "as1", "ASx", "AS99999999999")
	case "mac-address":
		return g.pick("00:1A:2b:3c:4d:5e", "00-1a-2b-3c-4d-5e", "001a2b3c4d5e")
	case "regkey":
		return g.pick(`HKLM\Software\Microsoft\Run`, `hkcu\Software\x'y`, `HKEY_USERS\S-1-5`, `Software\HKCUpdater`, ``)
	case "size-in-bytes":
		return g.pick("0", "48213", "-5", "big")
	case "vulnerability":
		return g.pick("CVE-2026-12345", "cve-2021-44228", "CVE-2021-0001", "GHSA-xxxx-yyyy", "CVE-20-1")
	case "filename", "email-attachment":
		return g.pick("račun.pdf.exe", "it's.doc", `C:\x.exe`, "a b")
	case "mutex", "user-agent", "http-method", "github-username", "campaign-name", "email-subject", "email-body", "email-header", "email-message-id", "email-x-mailer":
		return g.pick("Global\\mtx", "Mozilla/5.0 ('x')", "GET", "octocat", "Op Ghost", "Re: \"hi\"")
	case "snort", "yara", "sigma":
		return g.pick("alert tcp any any -> any 80 (msg:\"x\";)", "rule x { condition: true }", "title: x")
	case "malware-sample":
		return "sample.exe|" + g.hex(32)
	}
	return g.nasty()
}

func (g *gen) tags() []*misp.AttachedTag {
	var tags []*misp.AttachedTag
	for range g.r.IntN(4) {
		name := g.pick("tlp:white", "tlp:green", "tlp:amber", "tlp:red", "tlp:clear", "tlp:amber+strict", "TLP:RED",
			`misp:confidence-level="usually-confident"`, `misp:confidence-level="unconfident"`,
			`misp-galaxy:threat-actor="APT28"`, "osint", g.nasty())
		tags = append(tags, &misp.AttachedTag{ID: 1, Name: name, Exportable: true})
	}
	return tags
}

func (g *gen) micro() *misp.MicroTime {
	if !g.chance(0.3) {
		return nil
	}
	m := misp.MicroTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() + g.r.Int64N(365*24*3600*1e6))
	return &m
}

func (g *gen) attribute(typ string, ts int64) *misp.Attribute {
	g.n++
	info, _ := misp.LookupType(typ)
	a := &misp.Attribute{
		ID: misp.Int(g.n), Type: typ, Category: info.DefaultCategory, Value: g.value(typ),
		ToIDS: misp.Bool(g.chance(0.6)), UUID: g.uuid(), Timestamp: misp.Int(ts),
		FirstSeen: g.micro(), LastSeen: g.micro(), Tag: g.tags(),
	}
	if g.chance(0.3) {
		a.Comment = g.nasty()
	}
	if misp.IsAttachmentType(typ) && g.chance(0.5) {
		a.Data = g.pick("aGVsbG8=", "not base64!")
	}
	return a
}

// objectTemplates lists templates with their relations and attribute
// types: the mapped ones and one that is not.
var objectTemplates = map[string][][2]string{
	"file": {{"filename", "filename"}, {"md5", "md5"}, {"sha1", "sha1"}, {"sha256", "sha256"}, {"ssdeep", "ssdeep"},
		{"tlsh", "tlsh"}, {"size-in-bytes", "size-in-bytes"}, {"mime-type", "mime-type"}, {"path", "text"}, {"entropy", "float"}, {"text", "text"}},
	"domain-ip": {{"domain", "domain"}, {"hostname", "hostname"}, {"ip", "ip-dst"}, {"port", "port"}, {"text", "text"}},
	"ip-port":   {{"ip", "ip-dst"}, {"ip-src", "ip-src"}, {"ip-dst", "ip-dst"}, {"src-port", "port"}, {"dst-port", "port"}, {"protocol", "text"}, {"domain", "domain"}, {"hostname", "hostname"}},
	"url":       {{"url", "url"}, {"domain", "domain"}, {"port", "port"}, {"query_string", "text"}},
	"email":     {{"from", "email-src"}, {"to", "email-dst"}, {"cc", "email-dst"}, {"bcc", "email-dst"}, {"subject", "email-subject"}, {"reply-to", "email-reply-to"}, {"x-mailer", "email-x-mailer"}, {"message-id", "email-message-id"}, {"email-body", "email-body"}, {"send-date", "datetime"}},
	"person":    {{"first-name", "first-name"}, {"last-name", "last-name"}, {"nationality", "nationality"}},
}

func (g *gen) object(ts int64) *misp.Object {
	g.n++
	names := []string{"file", "domain-ip", "ip-port", "url", "email", "person"}
	name := names[g.r.IntN(len(names))]
	o := &misp.Object{
		ID: misp.Int(g.n), Name: name, MetaCategory: g.pick("file", "network", "misc"), UUID: g.uuid(),
		Timestamp: misp.Int(ts), FirstSeen: g.micro(), LastSeen: g.micro(),
	}
	if g.chance(0.3) {
		o.Comment = g.nasty()
	}
	rels := objectTemplates[name]
	for range 1 + g.r.IntN(6) {
		rel := rels[g.r.IntN(len(rels))]
		a := g.attribute(rel[1], ts)
		a.ObjectRelation = &rel[0]
		o.Attribute = append(o.Attribute, a)
	}
	return o
}

func (g *gen) events(n int) []*misp.Event {
	orgs := []*misp.OrgRef{
		{ID: 1, Name: "CERT-RS", UUID: "5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e"},
		{ID: 2, Name: g.nasty(), UUID: g.uuid()},
		{ID: 3, Name: "", UUID: g.uuid()},
	}
	// Mostly types with a mapping, the others now and then.
	var mapped, others []string
	for _, typ := range misp.TypeNames() {
		if _, ok := attributeMappers[typ]; ok || typ == "vulnerability" || typ == "campaign-name" || patternLanguages[typ] {
			mapped = append(mapped, typ)
		} else {
			others = append(others, typ)
		}
	}
	randomType := func() string {
		if g.chance(0.8) {
			return mapped[g.r.IntN(len(mapped))]
		}
		return others[g.r.IntN(len(others))]
	}
	var events []*misp.Event
	for range n {
		g.n++
		ts := 1764000000 + g.r.Int64N(1e7)
		org := orgs[g.r.IntN(len(orgs))]
		e := &misp.Event{
			ID: misp.Int(g.n), Info: g.nasty(), UUID: g.uuid(), Timestamp: misp.Int(ts),
			Published: misp.Bool(g.chance(0.5)), Orgc: org, Org: org, Tag: g.tags(),
		}
		if bool(e.Published) && g.chance(0.9) {
			e.PublishTimestamp = misp.Int(ts + 60)
		}
		if !g.chance(0.1) { // some events are empty
			for range 20 + g.r.IntN(20) {
				e.Attribute = append(e.Attribute, g.attribute(randomType(), ts))
			}
			for range g.r.IntN(5) {
				e.Object = append(e.Object, g.object(ts))
			}
		}
		for _, o := range e.Object {
			if len(e.Attribute) == 0 || !g.chance(0.5) {
				continue
			}
			target := e.Attribute[g.r.IntN(len(e.Attribute))].UUID
			if g.chance(0.2) {
				target = g.uuid() // not in the event
			}
			o.ObjectReference = append(o.ObjectReference, &misp.ObjectReference{
				UUID: g.pick(g.uuid(), ""), ReferencedUUID: target,
				RelationshipType: g.pick("related-to", "Drops File!", "", "contains"), Comment: g.pick("", g.nasty()),
			})
		}
		events = append(events, e)
	}
	return events
}
