package bench

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A synthetic community is planned up front (organisations, sharing
// groups, the size, owner and distribution of every event) and its events
// are generated on demand from the seed and their index, so that the API
// load and the raw baseline insert exactly the same rows without holding
// a million attributes in memory.

// attrType is an attribute type with its share of all attributes.
type attrType struct {
	name   string
	weight int
}

// attrTypes are the attribute types and their proportions, after the mix
// of MISP's public OSINT feeds: network indicators first, then hashes.
var attrTypes = []attrType{
	{"ip-dst", 18}, {"ip-src", 8}, {"domain", 14}, {"hostname", 6}, {"url", 12},
	{"md5", 10}, {"sha1", 6}, {"sha256", 10}, {"filename|sha256", 6},
	{"email-src", 3}, {"vulnerability", 2}, {"filename", 3}, {"text", 2},
}

// tagNames are the tags events and attributes carry.
var tagNames = []string{
	"tlp:white", "tlp:green", "tlp:amber", "tlp:red", "type:OSINT",
	"osint:source-type=\"block-or-filter-list\"", "circl:incident-classification=\"malware\"",
	"misp-galaxy:threat-actor=\"APT28\"", "misp-galaxy:threat-actor=\"Lazarus Group\"",
	"misp-galaxy:malware=\"Emotet\"", "misp-galaxy:malware=\"Qakbot\"", "misp-galaxy:ransomware=\"LockBit\"",
	"workflow:state=\"complete\"", "workflow:state=\"incomplete\"", "admiralty-scale:source-reliability=\"b\"",
	"kill-chain:Delivery", "kill-chain:Command and Control", "ms-caro-malware:malware-type=\"Trojan\"",
	"veris:action:malware:variety=\"Ransomware\"", "estimative-language:likelihood-probability=\"likely\"",
}

// repeatShare is the share of attribute values drawn from a pool of
// popular values that recur across events (shared infrastructure, hashes
// of widespread samples), so that exact-value lookups return several rows
// and correlation has work to do.
const repeatShare = 0.3

// baseTime is the timestamp of the first event; events spread over a year.
const baseTime = 1735689600 // 2025-01-01T00:00:00Z

const yearSeconds = 365 * 24 * 3600

// eventPlan is what the plan fixes of one event; the rest is generated.
type eventPlan struct {
	index        int
	org          int // index into community.orgs
	size         int // attributes, object attributes included
	distribution int
	sgIndex      int // index into community.sgs when distribution is 4
}

// community is a planned synthetic community.
type community struct {
	seed     uint64
	orgs     int
	sgs      [][]int // member organisations of each sharing group; [0] is the owner
	events   []eventPlan
	total    int
	largest  int // index of the largest event
	pools    map[string][]string
	objectsN int
}

// planCommunity plans a community of about n attributes: one event of a
// tenth of them, two of a fortieth, and the rest in small events whose
// sizes follow a log-normal law (median ~20, a long tail up to 2,000), as
// in MISP communities where most events are a handful of indicators and a
// few are bulk dumps.
func planCommunity(seed uint64, n int) *community {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	c := &community{seed: seed, pools: map[string][]string{}}
	c.orgs = min(50, max(6, n/20000))
	for i := 0; i < 3; i++ {
		owner := r.IntN(c.orgs)
		members := []int{owner}
		for o := 0; o < c.orgs; o++ {
			if o != owner && r.IntN(2) == 0 {
				members = append(members, o)
			}
		}
		c.sgs = append(c.sgs, members)
	}
	var sizes []int
	large := []int{max(1, n/10), max(1, n/40), max(1, n/40)}
	left := n
	for _, s := range large {
		if s <= left && n >= 1000 {
			sizes = append(sizes, s)
			left -= s
		}
	}
	for left > 0 {
		s := min(left, min(2000, 1+int(math.Exp(r.NormFloat64()*1.2+3))))
		sizes = append(sizes, s)
		left -= s
	}
	r.Shuffle(len(sizes), func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
	for i, s := range sizes {
		p := eventPlan{index: i, size: s, org: r.IntN(c.orgs)}
		switch d := r.IntN(100); {
		case d < 15:
			p.distribution = 0
		case d < 45:
			p.distribution = 1
		case d < 60:
			p.distribution = 2
		case d < 90:
			p.distribution = 3
		default:
			p.distribution = 4
			p.sgIndex = r.IntN(len(c.sgs))
			members := c.sgs[p.sgIndex]
			p.org = members[r.IntN(len(members))]
		}
		if s > c.events0Largest() {
			c.largest = i
		}
		c.events = append(c.events, p)
		c.total += s
	}
	// The largest event is a community-wide bulk dump, so that a normal
	// user's event view reads all of it.
	c.events[c.largest].distribution = 3
	poolSize := max(10, n/200)
	for _, t := range attrTypes {
		pool := make([]string, poolSize)
		for i := range pool {
			pool[i] = freshValue(r, t.name)
		}
		c.pools[t.name] = pool
	}
	return c
}

// events0Largest is the size of the largest event planned so far.
func (c *community) events0Largest() int {
	if len(c.events) == 0 {
		return 0
	}
	return c.events[c.largest].size
}

// genAttr is a generated attribute.
type genAttr struct {
	uuid, typ, value, relation string
	distribution, sgIndex      int // sgIndex when distribution is 4
	timestamp                  int64
	toIDS                      bool
	tag                        int // index into tagNames, -1 for none
}

// genObject is a generated object and its attributes.
type genObject struct {
	uuid, name, template string
	attrs                []*genAttr
}

// genEvent is a generated event.
type genEvent struct {
	plan      eventPlan
	uuid      string
	info      string
	date      string
	timestamp int64
	tags      []int
	attrs     []*genAttr
	objects   []*genObject
}

// event generates event i of the plan.
func (c *community) event(i int) *genEvent {
	p := c.events[i]
	r := rand.New(rand.NewPCG(c.seed, uint64(i)+1))
	ts := int64(baseTime + int64(i)*yearSeconds/int64(len(c.events)))
	e := &genEvent{plan: p, uuid: newUUID(r), timestamp: ts,
		info: fmt.Sprintf("Synthetic %s campaign %d", []string{"phishing", "ransomware", "botnet", "APT", "scanning"}[r.IntN(5)], i),
		date: unixDate(ts)}
	for n := 1 + r.IntN(3); n > 0; n-- {
		if t := r.IntN(len(tagNames)); !slices.Contains(e.tags, t) {
			e.tags = append(e.tags, t)
		}
	}
	seen := map[string]bool{}
	attr := func(typ string) *genAttr {
		a := &genAttr{uuid: newUUID(r), typ: typ, timestamp: ts - int64(r.IntN(86400)), toIDS: r.IntN(4) != 0,
			distribution: 5, tag: -1}
		for {
			if r.Float64() < repeatShare {
				pool := c.pools[typ]
				a.value = pool[int(float64(len(pool))*math.Pow(r.Float64(), 3))]
			} else {
				a.value = freshValue(r, typ)
			}
			if k := typ + "\x00" + a.value; !seen[k] {
				seen[k] = true
				break
			}
		}
		switch d := r.IntN(100); {
		case d < 4:
			a.distribution = 0
		case d < 7:
			a.distribution = 1
		case d < 9:
			a.distribution = 2
		case d < 11:
			a.distribution = 3
		case d < 12 && p.distribution == 4:
			a.distribution, a.sgIndex = 4, p.sgIndex
		}
		if r.IntN(20) == 0 {
			a.tag = r.IntN(len(tagNames))
		}
		return a
	}
	left := p.size
	for left > 0 {
		// About one attribute in ten sits in a file or domain-ip object.
		if left >= 3 && r.IntN(25) == 0 {
			if r.IntN(2) == 0 {
				o := &genObject{uuid: newUUID(r), name: "file", template: "688c46fb-5edb-40a3-8273-1af7923e2215"}
				for _, rt := range [][2]string{{"filename", "filename"}, {"md5", "md5"}, {"sha256", "sha256"}} {
					a := attr(rt[1])
					a.relation = rt[0]
					o.attrs = append(o.attrs, a)
				}
				e.objects = append(e.objects, o)
				left -= 3
			} else {
				o := &genObject{uuid: newUUID(r), name: "domain-ip", template: "43b3b146-77eb-4931-b4cc-b66c60f28734"}
				for _, rt := range [][2]string{{"domain", "domain"}, {"ip", "ip-dst"}} {
					a := attr(rt[1])
					a.relation = rt[0]
					o.attrs = append(o.attrs, a)
				}
				e.objects = append(e.objects, o)
				left -= 2
			}
			continue
		}
		e.attrs = append(e.attrs, attr(pickType(r)))
		left--
	}
	return e
}

// pickType draws an attribute type by its weight.
func pickType(r *rand.Rand) string {
	total := 0
	for _, t := range attrTypes {
		total += t.weight
	}
	n := r.IntN(total)
	for _, t := range attrTypes {
		if n < t.weight {
			return t.name
		}
		n -= t.weight
	}
	return attrTypes[0].name
}

var (
	words = []string{"alpha", "bravo", "cobalt", "delta", "ember", "falcon", "granite", "harbor", "ivory",
		"jasper", "krypton", "lumen", "magnet", "nectar", "onyx", "pixel", "quartz", "raven", "sierra", "tango"}
	tlds = []string{"com", "net", "org", "ru", "cn", "io", "xyz", "top", "info", "biz"}
)

// freshValue returns a new random value of type typ, valid for MISP.
func freshValue(r *rand.Rand, typ string) string {
	domain := func() string {
		return words[r.IntN(len(words))] + "-" + words[r.IntN(len(words))] + strconv.Itoa(r.IntN(100000)) + "." + tlds[r.IntN(len(tlds))]
	}
	hexN := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return hex.EncodeToString(b)
	}
	switch typ {
	case "ip-dst", "ip-src":
		return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	case "domain":
		return domain()
	case "hostname":
		return []string{"mail", "cdn", "api", "update", "vpn"}[r.IntN(5)] + "." + domain()
	case "url":
		return "https://" + domain() + "/" + words[r.IntN(len(words))] + "/" + hexN(4) + ".php"
	case "md5":
		return hexN(16)
	case "sha1":
		return hexN(20)
	case "sha256":
		return hexN(32)
	case "filename|sha256":
		return words[r.IntN(len(words))] + strconv.Itoa(r.IntN(1000)) + ".exe|" + hexN(32)
	case "filename":
		return words[r.IntN(len(words))] + strconv.Itoa(r.IntN(1000)) + "." + []string{"exe", "dll", "doc", "js", "zip"}[r.IntN(5)]
	case "email-src":
		return words[r.IntN(len(words))] + strconv.Itoa(r.IntN(10000)) + "@" + domain()
	case "vulnerability":
		return fmt.Sprintf("CVE-%d-%d", 2015+r.IntN(11), 1000+r.IntN(50000))
	}
	return "note " + words[r.IntN(len(words))] + " " + hexN(6)
}

// newUUID returns a version-4 UUID drawn from r.
func newUUID(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}

// unixDate formats a Unix time as a MISP event date.
func unixDate(ts int64) string { return time.Unix(ts, 0).UTC().Format(time.DateOnly) }
