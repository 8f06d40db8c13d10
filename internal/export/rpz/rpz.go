// Package rpz writes the restSearch "rpz" return format, a DNS Response
// Policy Zone, as MISP's RPZExport does: an SOA header, then one section
// each for IP addresses (rpz-ip triggers), domains (the name and its
// sub-domains) and hostnames, each value once.
//
// Only ip-src, ip-dst, domain, hostname and domain|ip attributes are
// exported, as in MISP; url and hostname|port are not.
package rpz

import (
	"bufio"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/hashset"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the "rpz" returnFormat. It is restrictive (to_ids=1 and
// published=1 unless asked otherwise). The events scope takes the
// attributes of every event, object attributes included, as MISP's
// flattened event fetch does.
//
// Options.Params gives the zone settings: policy (DROP, NXDOMAIN, NODATA,
// Local-Data, PASSTHRU or TCP-only; anything else means the default),
// walled_garden (the Local-Data target), ns, ns_alt (not a restSearch
// parameter in MISP, where it comes from the Plugin.RPZ_ns_alt setting),
// email, serial, refresh, retry, expiry, minimum_ttl and ttl. Values are
// used as given, unchecked, as in MISP. A missing one takes the default
// of MISP's Plugin.RPZ_* setting.
var Format = export.Format{
	Name:        "rpz",
	ContentType: "text/plain; charset=UTF-8",
	Restrictive: true,
	Attributes:  func(w io.Writer, o export.Options) export.AttributeWriter { return newWriter(w, o) },
}

// policy is one of RPZExport::POLICIES.
type policy struct {
	explanation string
	action      string // "" for Local-Data: the walled garden
}

var policies = map[string]policy{
	"Local-Data": {"returns the defined alternate location.", ""},
	"NXDOMAIN":   {"return NXDOMAIN (name does not exist) irrespective of actual result received.", "."},
	"NODATA":     {"returns NODATA (name exists but no answers returned) irrespective of actual result received.", "*."},
	"DROP":       {"timeout.", "rpz-drop."},
	"PASSTHRU":   {"lets queries through, but allows for logging the hits (useful for testing).", "rpz-passthru."},
	"TCP-only":   {"force the client to use TCP.", "rpz-tcp-only."},
}

// defaults are the values of MISP's Plugin.RPZ_* settings (Server.php);
// the policy default is setting 1, NXDOMAIN.
var defaults = map[string]string{
	"policy":        "NXDOMAIN",
	"walled_garden": "127.0.0.1",
	"serial":        "$date00",
	"refresh":       "2h",
	"retry":         "30m",
	"expiry":        "30d",
	"minimum_ttl":   "1h",
	"ttl":           "1w",
	"ns":            "localhost.",
	"ns_alt":        "",
	"email":         "root.localhost",
}

func setting(o export.Options, name string) string {
	if v, ok := o.Params[name]; ok {
		return v
	}
	return defaults[name]
}

// header returns the zone header of RPZExport::buildHeader. The serial's
// "$date" becomes the request date (YYYYMMDD, UTC) and "$time" the
// request's Unix time, as MISP replaces them with date('Ymd') and time().
func header(o export.Options) string {
	now := o.Now.UTC()
	serial := setting(o, "serial")
	serial = strings.ReplaceAll(serial, "$date", now.Format("20060102"))
	serial = strings.ReplaceAll(serial, "$time", strconv.FormatInt(now.Unix(), 10))
	ns := setting(o, "ns")
	var b strings.Builder
	b.WriteString("$TTL " + setting(o, "ttl") + ";\n")
	b.WriteString("@               SOA " + ns + " " + setting(o, "email") + " (" + serial + " " +
		setting(o, "refresh") + " " + setting(o, "retry") + " " + setting(o, "expiry") + " " +
		setting(o, "minimum_ttl") + ")\n")
	b.WriteString("                NS " + ns + "\n")
	if alt := setting(o, "ns_alt"); alt != "" {
		b.WriteString("                NS " + alt + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// The section headings of RPZExport::explain.
const (
	explainIP       = "; The following list of IP addresses will "
	explainDomain   = "; The following domain names and all of their sub-domains will "
	explainHostname = "; The following hostnames will "
)

// spoolMemory is how many bytes of the domain and of the hostname section
// are held in memory before they go to a temporary file.
const spoolMemory = 1 << 20

// writer writes the header and the IP section as attributes arrive, and
// holds the domain and hostname sections, which follow it, in spools.
// Values are deduplicated per section with hash sets (see hashset for
// the bound), as MISP keys each section by value.
type writer struct {
	bw      *bufio.Writer
	o       export.Options
	pol     policy
	action  string
	started bool

	ips, domains, hosts    *hashset.Set
	domainLines, hostLines spool
}

func newWriter(w io.Writer, o export.Options) *writer {
	name := setting(o, "policy")
	pol, ok := policies[name]
	if !ok {
		// MISP drops an unknown policy and falls back to the setting.
		pol = policies[defaults["policy"]]
	}
	action := pol.action
	if action == "" {
		action = setting(o, "walled_garden")
	}
	return &writer{
		bw: bufio.NewWriter(w), o: o, pol: pol, action: action,
		ips: hashset.New(), domains: hashset.New(), hosts: hashset.New(),
		domainLines: spool{limit: spoolMemory}, hostLines: spool{limit: spoolMemory},
	}
}

func (w *writer) start() error {
	if w.started {
		return nil
	}
	w.started = true
	_, err := w.bw.WriteString(header(w.o))
	return err
}

func (w *writer) Write(h misp.AttributeHit) error {
	a := h.Attribute
	switch a.Type {
	case "ip-src", "ip-dst":
		return w.addIP(a.Value)
	case "domain":
		return w.addDomain(a.Value)
	case "hostname":
		return w.addHostname(a.Value)
	case "domain|ip":
		d, ip := a.Split()
		if err := w.addDomain(d); err != nil {
			return err
		}
		return w.addIP(ip)
	}
	return nil
}

func (w *writer) addIP(v string) error {
	if !w.ips.Add(v) {
		return nil
	}
	if err := w.start(); err != nil {
		return err
	}
	if w.ips.Len() == 1 {
		if _, err := w.bw.WriteString(explainIP + w.pol.explanation + "\n"); err != nil {
			return err
		}
	}
	_, err := w.bw.WriteString(triggerIP(v) + ".rpz-ip CNAME " + w.action + "\n")
	return err
}

func (w *writer) addDomain(v string) error {
	if !w.domains.Add(v) {
		return nil
	}
	return w.domainLines.write(v + " CNAME " + w.action + "\n*." + v + " CNAME " + w.action + "\n")
}

func (w *writer) addHostname(v string) error {
	if !w.hosts.Add(v) {
		return nil
	}
	return w.hostLines.write(v + " CNAME " + w.action + "\n")
}

// Close writes what the sections still lack and removes the spools.
func (w *writer) Close() (err error) {
	defer func() {
		for _, s := range []*spool{&w.domainLines, &w.hostLines} {
			if cerr := s.close(); err == nil {
				err = cerr
			}
		}
	}()
	if err := w.start(); err != nil {
		return err
	}
	if w.ips.Len() > 0 {
		if err := w.bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	if err := w.section(w.domains, explainDomain, &w.domainLines); err != nil {
		return err
	}
	if err := w.section(w.hosts, explainHostname, &w.hostLines); err != nil {
		return err
	}
	return w.bw.Flush()
}

func (w *writer) section(set *hashset.Set, explain string, lines *spool) error {
	if set.Len() == 0 {
		return nil
	}
	if _, err := w.bw.WriteString(explain + w.pol.explanation + "\n"); err != nil {
		return err
	}
	if err := lines.copyTo(w.bw); err != nil {
		return err
	}
	return w.bw.WriteByte('\n')
}

// triggerIP returns the rpz-ip owner name of an address or CIDR range
// without the ".rpz-ip" suffix: the prefix length (32 or 128 for a bare
// address), then the address's parts in reverse order, IPv4 octets or
// IPv6 groups with "zz" standing for "::" (RPZExport::convertIP).
//
// MISP decides IPv6 on the whole value, so an IPv6 range such as
// 2001:db8::/32 is taken for IPv4 and written "32.2001:db8::", which no
// server can use; here the address part decides, giving "32.zz.db8.2001".
func triggerIP(v string) string {
	addr, prefix, cidr := v, "", false
	// strpos($input, '/') is false at position 0 as well.
	if i := strings.IndexByte(v, '/'); i > 0 {
		addr, cidr = v[:i], true
		prefix, _, _ = strings.Cut(v[i+1:], "/")
	}
	ip, err := netip.ParseAddr(addr)
	v6 := err == nil && ip.Is6() && ip.Zone() == ""
	var parts []string
	if v6 {
		for _, p := range strings.Split(strings.ReplaceAll(addr, "::", ":zz:"), ":") {
			if p != "" {
				parts = append(parts, p)
			}
		}
	} else {
		parts = strings.Split(addr, ".")
	}
	switch {
	case cidr:
	case v6:
		prefix = "128"
	default:
		prefix = "32"
	}
	slices.Reverse(parts)
	return prefix + "." + strings.Join(parts, ".")
}
