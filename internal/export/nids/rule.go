package nids

import (
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// classtype is NidsExport::$classtype.
const classtype = "trojan-activity"

// Tags that make NidsExport's rules log the session.
const sessionTag = "tag:session,600,seconds;"

// generator holds what every rule of an answer shares.
type generator struct {
	flavour flavour
	baseSID int64
	baseURL string
}

// item collects the rules of one attribute (or object) of an event.
type item struct {
	*generator
	msg       string // "MISP e<event id> [<tags>]", the start of every msg
	priority  string
	reference string // "reference:url,<base>/events/view/<event id>"
	rules     []string
}

func (g *generator) item(e *misp.Event, tags []string) *item {
	id := strconv.FormatInt(int64(e.ID), 10)
	return &item{
		generator: g,
		msg:       "MISP e" + id + " [" + strings.Join(tags, ",") + "]",
		priority:  strconv.Itoa(int(e.ThreatLevelID)),
		reference: "reference:url," + g.baseURL + "/events/view/" + id,
	}
}

// rule is one sprintf of NidsExport's $ruleFormat.
type rule struct {
	proto, src, srcPort, dst, dstPort string
	msg, content, tag                 string
}

// add formats r as NidsExport's $ruleFormat does:
//
//	alert <proto> <src> <port> -> <dst> <port> (msg: "<prefix> <msg>"; <content> <tag> classtype:…; sid:…; rev:1; priority:…; reference:…;)␠
//
// An empty content and tag leave their spaces behind, as in MISP.
func (it *item) add(sid int64, r rule) {
	var b strings.Builder
	b.WriteString("alert ")
	b.WriteString(r.proto + " " + r.src + " " + r.srcPort + " -> " + r.dst + " " + r.dstPort)
	b.WriteString(` (msg: "` + it.msg + " " + r.msg + `"; `)
	b.WriteString(r.content + " " + r.tag + " classtype:" + classtype + "; sid:" + strconv.FormatInt(sid, 10))
	b.WriteString("; rev:1; priority:" + it.priority + "; " + it.reference + ";) ")
	it.rules = append(it.rules, b.String())
}

// firstSID is the sid of the first rule of the attribute or object id:
// MISP leaves room for nine rules per id.
func (it *item) firstSID(id misp.Int) int64 { return it.baseSID + int64(id)*10 + 1 }

// attribute adds the rules of a, following NidsExport::export's switch on
// the type. Types not listed there give no rule.
func (it *item) attribute(a *misp.Attribute) {
	sid := it.firstSID(a.ID)
	v := a.Value
	switch a.Type {
	case "ip-dst", "ip-dst|port":
		it.ipDst(a.Type, v, sid)
	case "ip-src", "ip-src|port":
		it.ipSrc(a.Type, v, sid)
	case "email":
		it.emailSrc(v, sid)
		it.emailDst(v, sid+1)
	case "email-src":
		it.emailSrc(v, sid)
	case "email-dst":
		it.emailDst(v, sid)
	case "email-subject":
		it.emailSubject(v, sid)
	case "email-attachment":
		it.emailAttachment(v, sid)
	case "domain":
		it.domain(v, sid)
	case "domain|ip":
		// NidsExport::domainIpRule: the domain rules, then ip-dst and
		// ip-src rules for the address, numbered on from the domain's.
		domain, ip := part(v, 0), part(v, 1)
		sid = it.domain(domain, sid)
		it.ipDst(a.Type, ip, sid+1)
		it.ipSrc(a.Type, ip, sid+2)
	case "hostname":
		it.hostname(v, sid)
	case "url":
		if it.flavour == suricata {
			it.suricataURL(v, sid)
		} else {
			it.snortURL(v, sid)
		}
	case "user-agent":
		it.userAgent(v, sid)
	case "ja3-fingerprint-md5":
		it.tlsHash("ja3.hash", "JA3 Hash: ", v, sid)
	case "ja3s-fingerprint-md5":
		// No such MISP type yet; MISP is ready for it, so are we.
		it.tlsHash("ja3s.hash", "JA3S Hash: ", v, sid)
	case "snort":
		it.snortRule(v, sid)
	}
}

// part is explode('|', v)[i], "" when missing (PHP: null).
func part(v string, i int) string {
	parts := strings.Split(v, "|")
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// ipPort is NidsExport::getIpPort: a type with "port" in its name has the
// port after the pipe.
func ipPort(typ, v string) (ip, port string) {
	if strings.Contains(typ, "port") {
		return part(v, 0), part(v, 1)
	}
	return v, "any"
}

// The IP rules take the value raw, unlike the others.
func (it *item) ipDst(typ, v string, sid int64) {
	ip, port := ipPort(typ, v)
	it.add(sid, rule{proto: "ip", src: "$HOME_NET", srcPort: "any", dst: ip, dstPort: port, msg: "Outgoing To IP: " + v})
}

func (it *item) ipSrc(typ, v string, sid int64) {
	ip, port := ipPort(typ, v)
	it.add(sid, rule{proto: "ip", src: ip, srcPort: port, dst: "$HOME_NET", dstPort: "any", msg: "Incoming From IP: " + v})
}

// smtp is the shape of the four e-mail rules.
func (it *item) smtp(sid int64, msg, content string) {
	it.add(sid, rule{proto: "tcp", src: "$EXTERNAL_NET", srcPort: "any", dst: "$SMTP_SERVERS", dstPort: "25", msg: msg, content: content, tag: sessionTag})
}

func (it *item) emailSrc(v string, sid int64) {
	v = escape(v)
	it.smtp(sid, "Source Email Address: "+v, `flow:established,to_server; content:"MAIL FROM|3a|"; nocase; content:"`+v+`"; fast_pattern; nocase; content:"|0D 0A 0D 0A|"; within:8192;`)
}

func (it *item) emailDst(v string, sid int64) {
	v = escape(v)
	it.smtp(sid, "Destination Email Address: "+v, `flow:established,to_server; content:"RCPT TO|3a|"; nocase; content:"`+v+`"; fast_pattern; nocase; content:"|0D 0A 0D 0A|"; within:8192;`)
}

func (it *item) emailSubject(v string, sid int64) {
	v = escape(v)
	it.smtp(sid, "Bad Email Subject", `flow:established,to_server; content:"Subject|3a|"; nocase; content:"`+v+`"; fast_pattern; nocase; content:"|0D 0A 0D 0A|"; within:8192;`)
}

func (it *item) emailAttachment(v string, sid int64) {
	v = escape(v)
	it.smtp(sid, "Bad Email Attachment", `flow:established,to_server; content:"Content-Disposition|3a| attachment|3b| filename|3d 22|"; content:"`+v+`|22|"; fast_pattern; content:"|0D 0A 0D 0A|"; within:8192;`)
}

// dnsQuery is the shape of the Snort DNS rules over udp and tcp.
const dnsQuery = `content:"|01 00 00 01 00 00 00 00 00 01|"; depth:10; offset:2; content:"`

// domain adds the domain rules and returns the sid of the last one.
func (it *item) domain(v string, sid int64) int64 {
	v = escape(v)
	q := pregQuote(v)
	if it.flavour == suricata {
		it.add(sid, rule{proto: "dns", src: "any", srcPort: "any", dst: "any", dstPort: "any", msg: "Domain " + v,
			content: `dns.query; content:"` + v + `"; nocase; pcre: "/(^|[^A-Za-z0-9-])` + q + `$/i";`})
		it.add(sid+1, rule{proto: "http", src: "$HOME_NET", srcPort: "any", dst: "$EXTERNAL_NET", dstPort: "any", msg: "Outgoing HTTP Domain " + v,
			content: `flow:to_server,established; http.header; content: "Host|3a|"; nocase; http.header; content:"` + v + `"; fast_pattern; nocase; pcre: "/(^|[^A-Za-z0-9-])` + q + `[^A-Za-z0-9-\.]/Hi";`,
			tag:     sessionTag})
		return sid + 1
	}
	content := dnsQuery + dnsRaw(v, false) + `"; fast_pattern; nocase;`
	it.add(sid, rule{proto: "udp", src: "any", srcPort: "any", dst: "any", dstPort: "53", msg: "Domain: " + v, content: content})
	it.add(sid+1, rule{proto: "tcp", src: "any", srcPort: "any", dst: "any", dstPort: "53", msg: "Domain: " + v, content: content + " flow:established;"})
	it.add(sid+2, rule{proto: "tcp", src: "$HOME_NET", srcPort: "any", dst: "$EXTERNAL_NET", dstPort: "$HTTP_PORTS", msg: "Outgoing HTTP Domain: " + v,
		content: `flow:to_server,established; content: "Host|3a|"; nocase; http_header; content:"` + v + `"; fast_pattern; nocase; http_header; pcre: "/(^|[^A-Za-z0-9-])` + q + `[^A-Za-z0-9-\.]/H";`,
		tag:     sessionTag})
	return sid + 2
}

func (it *item) hostname(v string, sid int64) {
	v = escape(v)
	q := pregQuote(v)
	if it.flavour == suricata {
		it.add(sid, rule{proto: "dns", src: "any", srcPort: "any", dst: "any", dstPort: "any", msg: "Hostname " + v,
			content: `dns.query; content:"` + v + `"; nocase; pcre: "/(^|[^A-Za-z0-9-\.])` + q + `$/i";`})
		it.add(sid+1, rule{proto: "http", src: "$HOME_NET", srcPort: "any", dst: "$EXTERNAL_NET", dstPort: "any", msg: "Outgoing HTTP Hostname " + v,
			content: `flow:to_server,established; http.header; content: "Host|3a| ` + v + `"; fast_pattern; nocase; pcre: "/(^|[^A-Za-z0-9-\.])` + q + `[^A-Za-z0-9-\.]/Hi";`,
			tag:     sessionTag})
		return
	}
	content := dnsQuery + dnsRaw(v, true) + `"; fast_pattern; nocase;`
	it.add(sid, rule{proto: "udp", src: "any", srcPort: "any", dst: "any", dstPort: "53", msg: "Hostname: " + v, content: content})
	it.add(sid+1, rule{proto: "tcp", src: "any", srcPort: "any", dst: "any", dstPort: "53", msg: "Hostname: " + v, content: content + " flow:established;"})
	it.add(sid+2, rule{proto: "tcp", src: "$HOME_NET", srcPort: "any", dst: "$EXTERNAL_NET", dstPort: "$HTTP_PORTS", msg: "Outgoing HTTP Hostname: " + v,
		content: `flow:to_server,established; content: "Host|3a| ` + v + `"; nocase; http_header; pcre: "/(^|[^A-Za-z0-9-\.])` + q + `[^A-Za-z0-9-\.]/H";`,
		tag:     sessionTag})
}

func (it *item) snortURL(v string, sid int64) {
	v = escape(v)
	it.add(sid, rule{proto: "tcp", src: "$HOME_NET", srcPort: "any", dst: "$EXTERNAL_NET", dstPort: "$HTTP_PORTS", msg: "Outgoing HTTP URL: " + v,
		content: `flow:to_server,established; content:"` + v + `"; nocase; http_uri;`, tag: sessionTag})
}

func (it *item) userAgent(v string, sid int64) {
	v = escape(v)
	if it.flavour == suricata {
		it.add(sid, rule{proto: "http", src: "$HOME_NET", srcPort: "any", dst: "$EXTERNAL_NET", dstPort: "any", msg: "Outgoing User-Agent " + v,
			content: `flow:to_server,established; content:"` + v + `"; fast_pattern; http_user_agent;`, tag: sessionTag})
		return
	}
	it.add(sid, rule{proto: "tcp", src: "$HOME_NET", srcPort: "any", dst: "$EXTERNAL_NET", dstPort: "$HTTP_PORTS", msg: "Outgoing User-Agent: " + v,
		content: `flow:to_server,established; content:"` + v + `"; http_header;`, tag: sessionTag})
}

// tlsHash is the Suricata JA3/JA3S rule; Snort has none.
func (it *item) tlsHash(keyword, msg, v string, sid int64) {
	if it.flavour != suricata {
		return
	}
	v = escape(v)
	it.add(sid, rule{proto: "tls", src: "any", srcPort: "any", dst: "any", dstPort: "any", msg: msg + v,
		content: keyword + `; content:"` + v + `"; fast_pattern;`, tag: sessionTag})
}

// object adds the one rule of a network-connection or ddos object
// (NidsExport::networkConnectionRule, ::ddosRule). Values go in raw; a
// missing part falls back to ip, $HOME_NET or any.
func (it *item) object(o *misp.Object) {
	attrs := map[string]string{}
	for _, a := range o.Attribute {
		rel := ""
		if a.ObjectRelation != nil {
			rel = *a.ObjectRelation
		}
		attrs[rel] = a.Value
	}
	get := func(rel, def string) string {
		if v, ok := attrs[rel]; ok {
			return v
		}
		return def
	}
	protoRel, what := "layer4-protocol", "Network connection between "
	if o.Name == "ddos" {
		protoRel, what = "protocol", "DDOS attack detected between "
	}
	src, dst := get("ip-src", "$HOME_NET"), get("ip-dst", "$HOME_NET")
	it.add(it.firstSID(o.ID), rule{proto: get(protoRel, "ip"), src: src, srcPort: get("src-port", "any"),
		dst: dst, dstPort: get("dst-port", "any"), msg: what + src + " and " + dst})
}
