package nids

import (
	"net/netip"
	"strconv"
	"strings"
)

// suricataURL adds the rule NidsSuricataExport::urlRule makes of a URL,
// chosen by its scheme as PHP's parse_url reads it:
//
//   - http: an http rule on the Host header, plus the path on http.uri
//     when the URL has one (query and fragment are dropped; the path is
//     not escaped — MISP issue #9756);
//   - https: a tls rule on the SNI;
//   - ssh, ftp: a tcp rule to the host when it is an IP address, else
//     no rule;
//   - anything else, or no scheme: an http rule on the whole URL.
func (it *item) suricataURL(v string, sid int64) {
	u, ok := parseURL(v)
	r := rule{msg: "Outgoing URL " + escape(v)}
	scheme := ""
	if ok && u.hasScheme {
		scheme = u.scheme
	}
	switch scheme {
	case "http":
		host := strings.Trim(escape(u.host), "[]")
		r.proto, r.src, r.srcPort, r.dst, r.dstPort = "http", "$HOME_NET", "any", customIP(host), protocolPort(scheme, u)
		r.tag = sessionTag
		if !u.hasPath {
			r.content = `flow:to_server,established; http.header; content:"` + host + `"; nocase;`
		} else {
			r.content = `flow:to_server,established; http.header; content:"` + host + `"; fast_pattern; nocase; http.uri; content:"` + u.path + `"; nocase;`
		}
	case "https":
		r.proto, r.src, r.srcPort, r.dst, r.dstPort = "tls", "$HOME_NET", "any", "$EXTERNAL_NET", protocolPort(scheme, u)
		r.content = `tls.sni; content:"` + escape(u.host) + `";`
		r.tag = sessionTag
	case "ssh", "ftp":
		if !isIP(u.host) {
			return // MISP: no satisfying rule; a domain attribute would do
		}
		r.proto, r.src, r.srcPort, r.dst = "tcp", "$HOME_NET", "any", u.host
		if scheme == "ssh" {
			r.dstPort, r.content = "$SSH_PORTS", "flow:to_server; app-layer-protocol:ssh;"
		} else {
			r.dstPort, r.content = protocolPort(scheme, u), "flow:to_server; app-layer-protocol:ftp;"
		}
	default:
		r.proto, r.src, r.srcPort, r.dst, r.dstPort = "http", "$HOME_NET", "any", "$EXTERNAL_NET", "any"
		r.content = `flow:to_server,established; http.uri; content:"` + escape(v) + `"; fast_pattern; nocase;`
		r.tag = sessionTag
	}
	it.add(sid, r)
}

// protocolPort is NidsExport::getProtocolPort. MISP tests the port with
// == null, so port 0 counts as none.
func protocolPort(scheme string, u phpURL) string {
	if u.hasPort && u.port != 0 {
		return strconv.Itoa(u.port)
	}
	switch scheme {
	case "http":
		return "$HTTP_PORTS"
	case "https":
		return "443"
	case "ssh":
		return "22"
	case "ftp":
		return "[20,21]"
	}
	return "any"
}

// customIP is NidsExport::getCustomIP.
func customIP(host string) string {
	if isIP(host) {
		return host
	}
	return "$EXTERNAL_NET"
}

// isIP is PHP's filter_var(FILTER_VALIDATE_IP): an IPv4 or IPv6 address,
// without zone or brackets (netip, like PHP, refuses leading zeros).
func isIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// phpURL is what PHP's parse_url returns; has* tell which keys it has.
type phpURL struct {
	scheme, host, path             string
	port                           int
	hasScheme, hasHost, hasPath    bool
	hasPort, hasQuery, hasFragment bool
}

// parseURL is PHP's parse_url (ext/standard/url.c, php_url_parse_ex2),
// as far as scheme, host, port and path go; false where PHP returns false.
// Control characters in the parts become "_", as in PHP.
func parseURL(str string) (phpURL, bool) {
	var u phpURL
	ue := len(str)
	e := strings.IndexByte(str, ':')
	relative := func(s int) bool { return s+1 < ue && str[s] == '/' && str[s+1] == '/' }
	switch {
	case e > 0:
		for p := 0; p < e; p++ {
			if c := str[p]; !isAlnum(c) && c != '+' && c != '.' && c != '-' {
				// Not a scheme: maybe host:port.
				if e+1 < ue && e < strcspn(str, 0, "?#") {
					return u.parsePort(str, 0, e)
				}
				if relative(0) {
					return u.parseHost(str, 2)
				}
				return u.justPath(str, 0)
			}
		}
		if e+1 == ue { // only the scheme
			u.scheme, u.hasScheme = control(str[:e]), true
			return u, true
		}
		if str[e+1] != '/' {
			// mailto:, or a.com:80 read as host and port
			p := e + 1
			for p < ue && isDigit(str[p]) {
				p++
			}
			if (p == ue || str[p] == '/') && p-e < 7 {
				return u.parsePort(str, 0, e)
			}
			u.scheme, u.hasScheme = control(str[:e]), true
			return u.justPath(str, e+1)
		}
		u.scheme, u.hasScheme = control(str[:e]), true
		if e+2 < ue && str[e+2] == '/' {
			s := e + 3
			if strings.EqualFold(u.scheme, "file") && e+3 < ue && str[e+3] == '/' {
				if e+5 < ue && str[e+5] == ':' { // file:///c:/dir
					s = e + 4
				}
				return u.justPath(str, s)
			}
			return u.parseHost(str, s)
		}
		return u.justPath(str, e+1)
	case e == 0: // no scheme, starts with a colon: look for a port
		return u.parsePort(str, 0, e)
	case relative(0):
		return u.parseHost(str, 2)
	}
	return u.justPath(str, 0)
}

// parsePort reads the digits after the colon at e as a port, then the
// host from s (PHP's parse_port label).
func (u phpURL) parsePort(str string, s, e int) (phpURL, bool) {
	ue := len(str)
	p := e + 1
	pp := p
	for pp < ue && pp-p < 6 && isDigit(str[pp]) {
		pp++
	}
	switch {
	case pp-p > 0 && pp-p < 6 && (pp == ue || str[pp] == '/'):
		port, ok := strtol(str[p:pp])
		if !ok || port < 0 || port > 65535 {
			return u, false
		}
		u.port, u.hasPort = port, true
		if s+1 < ue && str[s] == '/' && str[s+1] == '/' {
			s += 2
		}
	case p == pp && pp == ue:
		return u, false
	case s+1 < ue && str[s] == '/' && str[s+1] == '/':
		s += 2
	default:
		return u.justPath(str, s)
	}
	return u.parseHost(str, s)
}

// parseHost reads user info, host and port from s to the first /, ? or #.
func (u phpURL) parseHost(str string, s int) (phpURL, bool) {
	ue := len(str)
	e := strcspn(str, s, "/?#")
	if at := strings.LastIndexByte(str[s:e], '@'); at >= 0 {
		s += at + 1 // user and password are not needed here
	}
	p := -1
	if !(s < ue && str[s] == '[' && str[e-1] == ']') { // [IPv6] has no port scan
		if i := strings.LastIndexByte(str[s:e], ':'); i >= 0 {
			p = s + i
		}
	}
	if p >= 0 {
		if u.port == 0 {
			p++
			if e-p > 5 {
				return u, false
			}
			if e-p > 0 {
				port, ok := strtol(str[p:e])
				if !ok || port < 0 || port > 65535 {
					return u, false
				}
				u.port, u.hasPort = port, true
			}
			p--
		}
	} else {
		p = e
	}
	if p-s < 1 {
		return u, false
	}
	u.host, u.hasHost = control(str[s:p]), true
	if e == ue {
		return u, true
	}
	return u.justPath(str, e)
}

// justPath reads fragment, query and path from s on.
func (u phpURL) justPath(str string, s int) (phpURL, bool) {
	ue := len(str)
	e := ue
	if p := strings.IndexByte(str[s:e], '#'); p >= 0 {
		u.hasFragment = true
		e = s + p
	}
	if p := strings.IndexByte(str[s:e], '?'); p >= 0 {
		u.hasQuery = true
		e = s + p
	}
	if s < e || s == ue {
		u.path, u.hasPath = control(str[s:e]), true
	}
	return u, true
}

// strcspn returns the index of the first byte of chars in str[s:], or
// len(str).
func strcspn(str string, s int, chars string) int {
	if i := strings.IndexAny(str[s:], chars); i >= 0 {
		return s + i
	}
	return len(str)
}

// strtol is C's strtol in base 10 as PHP uses it for ports: leading
// space and a sign are allowed, trailing junk is ignored, and it fails
// only when no digit is read.
func strtol(s string) (int, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n, digits := 0, 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		n = n*10 + int(s[i]-'0')
		digits++
	}
	if neg {
		n = -n
	}
	return n, digits > 0
}

// control replaces control characters as php_replace_controlchars does.
func control(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = '_'
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
