package restapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// The restSearch parameter matrix (misp-rest-api §4.2, §4.3): a fixed
// world of six events of three organisations, and every parameter alone
// and in combinations, in each scope where MISP 2.5.1 accepts it, asked by
// a user of each organisation. A case states what a reader who sees every
// live element gets; what each user gets is that, cut down to what the
// user may see (docs/access-control.md), unless the case says otherwise.
//
// The world, at the test clock's start T0 = 2026-01-15 10:00 UTC (A, B, C
// are the organisations; AC is a sharing group of A and C):
//
//	E1 by A, community, published at T0-10d, date 2026-01-05, threat 1;
//	   tags tlp:green, internal:noexport (not exportable), workflow:todo (local)
//	   a1 ip-dst 198.51.100.1 (apt:alpha; timestamp T0-20d)
//	   a2 domain alpha.example.com (apt:alpha, tlp:amber; distribution 1)
//	   a3 domain|ip alpha2.example.com|198.51.100.2
//	   a4 ip-src 2001:db8::1 (first_seen 2026-01-01, last_seen 2026-01-03)
//	   a5 md5, Payload delivery, to_ids off (internal:noexport)
//	   a6 ip-dst 198.51.100.66, organisation only: A alone sees it
//	   a7 url http://alpha.example.com/gone, soft-deleted
//	   a8 attachment report.txt with data, to_ids off (timestamp T0-4d)
//	   object domain-ip: ao1 domain obj.alpha.example.com (relation domain),
//	   ao2 ip-dst 198.51.100.3 (relation ip; first_seen 2026-01-10, last_seen 2026-01-12)
//	E2 by B, community, unpublished, created T0-5d, date 2026-01-08, threat 2; tag tlp:amber
//	   b1 ip-dst 198.51.100.1, b2 email-src, b3 email (to_ids off),
//	   b4 hostname (tlp:red; comment "C2 beacon host"; first_seen 2026-01-06, last_seen 2026-01-09),
//	   b5 filename|md5 dropper.exe|…
//	E5 by C, all communities, unpublished, created T0-3d, date 2025-12-20, threat 1;
//	   tags tlp:green, workflow:todo (local)
//	   e1 url (tlp:white, local; distribution 3), e2 domain shared with AC: B does not see it
//	E6 by B, all communities, published at T0-2d, date 2026-01-13, threat 2; tag tlp:green; no attributes
//	E3 by A, sharing group AC, published at T0-18h, date 2026-01-12, threat 3; tag apt:gamma
//	   c1 ip-dst 203.0.113.7, c2 domain gamma.example.net (to_ids off)
//	E4 by A, organisation only, published at T0-1h, date 2026-01-14, threat 4
//	   d1 ip-dst 203.0.113.9, d2 text (to_ids off)

// matrixWorld is the world above with its labels.
type matrixWorld struct {
	env   *testEnv
	users map[string]*testUser // "A", "B", "C"
	orgC  *misp.Organisation
	sg    *misp.SharingGroup

	events map[string]*misp.Event     // by label, E1…E6
	attrs  map[string]*misp.Attribute // by label, a1…e2
	// order is the attribute labels in id order.
	order []string
	// eventOf, owner and hidden: an attribute's event; an event's owner
	// organisation; the organisations that may not see an event or an
	// attribute (the event's visibility applies to its attributes too).
	eventOf map[string]string
	owner   map[string]string
	hidden  map[string]string
	deleted map[string]bool
	label   map[string]string // uuid → label
	tagID   map[string]int64
}

// matrixUsers are the users every case runs as, one per organisation.
var matrixUsers = []string{"A", "B", "C"}

const oneDay = 24 * time.Hour

func newMatrixWorld(t *testing.T, env *testEnv) *matrixWorld {
	t.Helper()
	ctx := context.Background()
	w := &matrixWorld{env: env, events: map[string]*misp.Event{}, attrs: map[string]*misp.Attribute{},
		eventOf: map[string]string{}, owner: map[string]string{}, hidden: map[string]string{},
		deleted: map[string]bool{}, label: map[string]string{}, tagID: map[string]int64{}}
	w.orgC = env.mustOrg(t, "ORGNAME-C", "33333333-3333-4333-8333-333333333333")
	w.users = map[string]*testUser{"A": env.AUser, "B": env.BUser,
		"C": env.mustUser(t, "user@c.example", w.orgC, misp.RoleUser, 8)}
	w.sg = &misp.SharingGroup{Name: "AC", Releasability: "A and C", Active: true, Local: true,
		OrgID: env.OrgA.ID, OrganisationUUID: env.OrgA.UUID,
		SharingGroupOrg: []*misp.SharingGroupOrg{{OrgID: env.OrgA.ID}, {OrgID: w.orgC.ID}}}
	if err := env.DB.CreateSharingGroup(ctx, w.sg); err != nil {
		t.Fatalf("CreateSharingGroup: %v", err)
	}
	noexport := &misp.Tag{Name: "internal:noexport", Colour: "#000000", Exportable: false}
	if err := env.DB.CreateTag(ctx, noexport); err != nil {
		t.Fatalf("CreateTag: %v", err)
	}

	t0 := testStart
	unix := func(d time.Duration) misp.Int { return misp.Int(t0.Add(-d).Unix()) }
	seen := func(date string) *misp.MicroTime {
		d, err := time.Parse(time.DateOnly, date)
		if err != nil {
			t.Fatal(err)
		}
		m := misp.MicroTime(d.UnixMicro())
		return &m
	}
	tags := func(names ...string) []*misp.AttachedTag {
		var out []*misp.AttachedTag
		for _, n := range names {
			local := strings.HasSuffix(n, "!local")
			out = append(out, &misp.AttachedTag{Name: strings.TrimSuffix(n, "!local"), Local: misp.Bool(local)})
		}
		return out
	}
	type attrSpec struct {
		label, typ, category, value string
		toIDS                       bool
		mod                         func(a *misp.Attribute)
	}
	attr := func(s attrSpec) *misp.Attribute {
		a := &misp.Attribute{Type: s.typ, Category: s.category, Value: s.value, ToIDS: misp.Bool(s.toIDS),
			Distribution: misp.DistributionInheritEvnt}
		if s.mod != nil {
			s.mod(a)
		}
		return a
	}
	type eventSpec struct {
		label, org string
		at         time.Duration // before T0
		e          *misp.Event
		attrs      []attrSpec
		object     []attrSpec // a domain-ip object; mod sets the relation
		hidden     string
	}
	specs := []eventSpec{
		{label: "E1", org: "A", at: 10 * oneDay, e: &misp.Event{Info: "Alpha phishing", Date: "2026-01-05", ThreatLevelID: 1, Analysis: 2,
			Distribution: misp.DistributionCommunity, Published: true, Tag: tags("tlp:green", "internal:noexport", "workflow:todo!local")},
			attrs: []attrSpec{
				{"a1", "ip-dst", "Network activity", "198.51.100.1", true, func(a *misp.Attribute) { a.Tag = tags("apt:alpha"); a.Timestamp = unix(20 * oneDay) }},
				{"a2", "domain", "Network activity", "alpha.example.com", true, func(a *misp.Attribute) {
					a.Tag = tags("apt:alpha", "tlp:amber")
					a.Distribution = misp.DistributionCommunity
				}},
				{"a3", "domain|ip", "Network activity", "alpha2.example.com|198.51.100.2", true, nil},
				{"a4", "ip-src", "Network activity", "2001:db8::1", true, func(a *misp.Attribute) {
					a.FirstSeen, a.LastSeen = seen("2026-01-01"), seen("2026-01-03")
				}},
				{"a5", "md5", "Payload delivery", "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5", false, func(a *misp.Attribute) { a.Tag = tags("internal:noexport") }},
				{"a6", "ip-dst", "Network activity", "198.51.100.66", true, func(a *misp.Attribute) { a.Distribution = misp.DistributionOrgOnly }},
				{"a7", "url", "Network activity", "http://alpha.example.com/gone", true, func(a *misp.Attribute) { a.Deleted = true }},
				{"a8", "attachment", "External analysis", "report.txt", false, func(a *misp.Attribute) {
					a.Data = base64.StdEncoding.EncodeToString([]byte("report body"))
					a.Timestamp = unix(4 * oneDay)
				}},
			},
			object: []attrSpec{
				{"ao1", "domain", "Network activity", "obj.alpha.example.com", true, func(a *misp.Attribute) { a.ObjectRelation = strPtr("domain") }},
				{"ao2", "ip-dst", "Network activity", "198.51.100.3", true, func(a *misp.Attribute) {
					a.ObjectRelation = strPtr("ip")
					a.FirstSeen, a.LastSeen = seen("2026-01-10"), seen("2026-01-12")
				}},
			}},
		{label: "E2", org: "B", at: 5 * oneDay, e: &misp.Event{Info: "Beta botnet", Date: "2026-01-08", ThreatLevelID: 2,
			Distribution: misp.DistributionCommunity, Tag: tags("tlp:amber")},
			attrs: []attrSpec{
				{"b1", "ip-dst", "Network activity", "198.51.100.1", true, nil},
				{"b2", "email-src", "Payload delivery", "attacker@beta.example", true, nil},
				{"b3", "email", "Social network", "bounce@beta.example", false, nil},
				{"b4", "hostname", "Network activity", "beta.example.org", true, func(a *misp.Attribute) {
					a.Tag = tags("tlp:red")
					a.Comment = "C2 beacon host"
					a.FirstSeen, a.LastSeen = seen("2026-01-06"), seen("2026-01-09")
				}},
				{"b5", "filename|md5", "Payload delivery", "dropper.exe|b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5", true, nil},
			}},
		{label: "E5", org: "C", at: 3 * oneDay, e: &misp.Event{Info: "Epsilon leak", Date: "2025-12-20", ThreatLevelID: 1,
			Distribution: misp.DistributionAll, Tag: tags("tlp:green", "workflow:todo!local")},
			attrs: []attrSpec{
				{"e1", "url", "Network activity", "http://eps.example.com/x", true, func(a *misp.Attribute) {
					a.Tag = tags("tlp:white!local")
					a.Distribution = misp.DistributionAll
				}},
				{"e2", "domain", "Network activity", "eps-secret.example.com", true, func(a *misp.Attribute) {
					a.Distribution, a.SharingGroupID = misp.DistributionSharingGrp, w.sg.ID
				}},
			}},
		{label: "E6", org: "B", at: 2 * oneDay, e: &misp.Event{Info: "Zeta notice", Date: "2026-01-13", ThreatLevelID: 2,
			Distribution: misp.DistributionAll, Published: true, Tag: tags("tlp:green")}},
		{label: "E3", org: "A", at: 18 * time.Hour, hidden: "B", e: &misp.Event{Info: "Gamma shared", Date: "2026-01-12", ThreatLevelID: 3,
			Distribution: misp.DistributionSharingGrp, SharingGroupID: w.sg.ID, Published: true, Tag: tags("apt:gamma")},
			attrs: []attrSpec{
				{"c1", "ip-dst", "Network activity", "203.0.113.7", true, nil},
				{"c2", "domain", "Network activity", "gamma.example.net", false, nil},
			}},
		{label: "E4", org: "A", at: time.Hour, hidden: "BC", e: &misp.Event{Info: "Delta internal", Date: "2026-01-14", ThreatLevelID: 4,
			Distribution: misp.DistributionOrgOnly, Published: true},
			attrs: []attrSpec{
				{"d1", "ip-dst", "Network activity", "203.0.113.9", true, nil},
				{"d2", "text", "Other", "delta note", false, nil},
			}},
	}
	for _, s := range specs {
		env.Clock.unix.Store(t0.Add(-s.at).Unix())
		e := s.e
		var names []string
		for _, as := range s.attrs {
			e.Attribute = append(e.Attribute, attr(as))
			names = append(names, as.label)
		}
		if len(s.object) > 0 {
			o := &misp.Object{Name: "domain-ip", MetaCategory: "network", Distribution: misp.DistributionInheritEvnt,
				TemplateUUID: "43b3b146-77eb-4931-b4cc-b66c60f28734", TemplateVersion: 9}
			for _, as := range s.object {
				o.Attribute = append(o.Attribute, attr(as))
				names = append(names, as.label)
			}
			e.Object = []*misp.Object{o}
		}
		if err := env.DB.CreateEvent(ctx, w.users[s.org].Actor(), e, true); err != nil {
			t.Fatalf("CreateEvent(%s): %v", s.label, err)
		}
		w.events[s.label], w.owner[s.label], w.hidden[s.label] = e, s.org, s.hidden
		w.label[e.UUID] = s.label
		all := slices.Clone(e.Attribute)
		for _, o := range e.Object {
			all = append(all, o.Attribute...)
		}
		for i, a := range all {
			l := names[i]
			w.attrs[l], w.eventOf[l], w.label[a.UUID] = a, s.label, l
			w.deleted[l] = bool(a.Deleted)
			w.order = append(w.order, l)
		}
	}
	env.Clock.unix.Store(t0.Unix())
	w.hidden["a6"], w.hidden["e2"] = "BC", "B"
	slices.SortFunc(w.order, func(x, y string) int { return int(w.attrs[x].ID - w.attrs[y].ID) })
	found, err := env.DB.FindTags(ctx, misp.TagFilter{})
	if err != nil {
		t.Fatalf("FindTags: %v", err)
	}
	for _, tg := range found {
		w.tagID[tg.Name] = int64(tg.ID)
	}
	return w
}

// strPtr returns a pointer to v.
func strPtr(v string) *string { return &v }

// sees reports whether user u may see the element (event or attribute)
// labelled l; deleted attributes only to their event's owner.
func (w *matrixWorld) sees(u, l string) bool {
	if strings.Contains(w.hidden[l], u) {
		return false
	}
	ev, isAttr := w.eventOf[l]
	if !isAttr {
		return true
	}
	if w.deleted[l] && w.owner[ev] != u {
		return false
	}
	return w.sees(u, ev)
}

// of returns the live attributes of the events named, in id order.
func (w *matrixWorld) of(events string) []string {
	evs := strings.Fields(events)
	var out []string
	for _, l := range w.order {
		if slices.Contains(evs, w.eventOf[l]) && !w.deleted[l] {
			out = append(out, l)
		}
	}
	return out
}

// all is every live attribute.
func (w *matrixWorld) all() []string { return w.of("E1 E2 E3 E4 E5 E6") }

// labels splits a space-separated list of labels.
func labels(list string) []string {
	if list == "" {
		return []string{}
	}
	return strings.Fields(list)
}

// without is list without the labels in drop.
func without(list []string, drop string) []string {
	d := strings.Fields(drop)
	return slices.DeleteFunc(slices.Clone(list), func(l string) bool { return slices.Contains(d, l) })
}

// union is the union of lists, in order.
func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, x := range l {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	return out
}

// matrixCase is one row of the matrix.
type matrixCase struct {
	name string
	body any
	// attrs and events are what an all-seeing reader gets in the
	// attributes and the events scope; nil leaves the scope out.
	attrs, events []string
	// inner are the attributes inside the returned events (all-seeing);
	// nil: every live attribute of the returned events.
	inner []string
	// only replaces the derived expectation of "scope/user" (e.g.
	// "events/B"), for answers that depend on more than visibility:
	// mostly an event that matches through an attribute the user may not
	// see, which Razmena does not return (MISP's selection sub-queries
	// skip the attribute rules: access-control §13 #13).
	only map[string][]string
}

// searchAnswer is what a json restSearch answer holds, as labels.
type searchAnswer struct {
	status int
	count  string
	attrs  []string // attributes scope
	events []string // events scope
	inner  []string // events scope: attributes of the returned events
	body   []byte
}

// search sends one restSearch request and reads a json answer.
func (w *matrixWorld) search(t *testing.T, method, path, user string, body any) searchAnswer {
	t.Helper()
	status, h, b := w.env.do(t, method, path, w.users[user].Key, body)
	ans := searchAnswer{status: status, count: h.Get("X-Result-Count"), body: b}
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		return ans
	}
	var raw struct {
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s %s: answer is not JSON (%v): %s", method, path, err, b)
	}
	type attrUUID struct {
		UUID string `json:"uuid"`
	}
	if strings.HasPrefix(path, "/attributes/") {
		var r struct{ Attribute []attrUUID }
		if err := json.Unmarshal(raw.Response, &r); err != nil {
			t.Fatalf("%s: attributes answer %s: %v", path, b, err)
		}
		ans.attrs = []string{}
		for _, a := range r.Attribute {
			ans.attrs = append(ans.attrs, w.name(a.UUID))
		}
		return ans
	}
	var r []struct {
		Event struct {
			UUID      string
			Attribute []attrUUID
			Object    []struct{ Attribute []attrUUID }
		}
	}
	if err := json.Unmarshal(raw.Response, &r); err != nil {
		t.Fatalf("%s: events answer %s: %v", path, b, err)
	}
	ans.events, ans.inner = []string{}, []string{}
	for _, e := range r {
		ans.events = append(ans.events, w.name(e.Event.UUID))
		for _, a := range e.Event.Attribute {
			ans.inner = append(ans.inner, w.name(a.UUID))
		}
		for _, o := range e.Event.Object {
			for _, a := range o.Attribute {
				ans.inner = append(ans.inner, w.name(a.UUID))
			}
		}
	}
	return ans
}

// name is the label of a uuid, or the uuid when it is not the world's.
func (w *matrixWorld) name(uuid string) string {
	if l, ok := w.label[uuid]; ok {
		return l
	}
	return uuid
}

// visible is list cut down to what user u may see.
func (w *matrixWorld) visible(u string, list []string) []string {
	out := []string{}
	for _, l := range list {
		if w.sees(u, l) {
			out = append(out, l)
		}
	}
	return out
}

// sorted sorts labels: events by label, attributes in id order.
func (w *matrixWorld) sorted(list []string) []string {
	out := slices.Clone(list)
	slices.SortFunc(out, func(x, y string) int {
		ax, ay := w.attrs[x], w.attrs[y]
		if ax != nil && ay != nil {
			return int(ax.ID - ay.ID)
		}
		return strings.Compare(x, y)
	})
	return out
}

// check runs c in scope as user u against the want derived from c.
func (w *matrixWorld) check(t *testing.T, scope, u string, c matrixCase) {
	t.Helper()
	all := c.attrs
	if scope == "events" {
		all = c.events
	}
	want := w.visible(u, all)
	if o, ok := c.only[scope+"/"+u]; ok {
		want = o
	}
	ans := w.search(t, http.MethodPost, "/"+scope+"/restSearch", u, c.body)
	if ans.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", ans.status, ans.body)
	}
	got := ans.attrs
	if scope == "events" {
		got = ans.events
	}
	if d := diffStrings(w.sorted(want), w.sorted(got)); d != "" {
		t.Errorf("%s of %s (-want +got):\n%s", scope, u, d)
	}
	if ans.count != strconv.Itoa(len(want)) {
		t.Errorf("X-Result-Count = %q, want %d", ans.count, len(want))
	}
	if scope != "events" {
		return
	}
	inner := c.inner
	if inner == nil {
		inner = w.of(strings.Join(want, " "))
	}
	var wantInner []string
	for _, l := range w.visible(u, inner) {
		if slices.Contains(want, w.eventOf[l]) {
			wantInner = append(wantInner, l)
		}
	}
	if d := diffStrings(w.sorted(wantInner), w.sorted(ans.inner)); d != "" {
		t.Errorf("attributes of the returned events for %s (-want +got):\n%s", u, d)
	}
}

// run runs every case in each scope it has, as every matrix user.
func (w *matrixWorld) run(t *testing.T, cases []matrixCase) {
	t.Helper()
	for _, c := range cases {
		for _, scope := range []string{"attributes", "events"} {
			if (scope == "attributes" && c.attrs == nil) || (scope == "events" && c.events == nil) {
				continue
			}
			for _, u := range matrixUsers {
				t.Run(c.name+"/"+scope+"/"+u, func(t *testing.T) { w.check(t, scope, u, c) })
			}
		}
	}
}

func TestRestSearchMatrix(t *testing.T) {
	env := newTestEnv(t)
	w := newMatrixWorld(t, env)
	t0 := testStart
	ago := func(d time.Duration) int64 { return t0.Add(-d).Unix() }
	allEvents := labels("E1 E2 E3 E4 E5 E6")
	withAttrs := labels("E1 E2 E3 E4 E5") // events with a live attribute
	none := labels("")
	ev := func(l string) *misp.Event { return w.events[l] }
	at := func(l string) *misp.Attribute { return w.attrs[l] }
	id := func(i misp.Int) string { return strconv.FormatInt(int64(i), 10) }

	t.Run("value", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "exact", body: obj{"value": "198.51.100.1"}, attrs: labels("a1 b1"), events: labels("E1 E2")},
			{name: "LIKE", body: obj{"value": "%.example.com"}, attrs: labels("a2 a3 ao1 e2"), events: labels("E1 E5"),
				// B reaches E5 only through e2, which it may not see.
				only: map[string][]string{"events/B": labels("E1")}},
			{name: "NOT", body: obj{"value": "!198.51.100.1"}, attrs: without(w.all(), "a1 b1"), events: withAttrs},
			{name: "list", body: obj{"value": []string{"198.51.100.3", "gamma.example.net"}}, attrs: labels("ao2 c2"), events: labels("E1 E3")},
			{name: "OR and NOT", body: obj{"value": obj{"OR": []string{"198.51.100.%"}, "NOT": []string{"198.51.100.1"}}},
				attrs: labels("a3 a6 ao2"), events: labels("E1")},
			{name: "composite halves", body: obj{"value": []string{"dropper.exe", "198.51.100.2"}}, attrs: labels("a3 b5"), events: labels("E1 E2")},
			{name: "composite right half", body: obj{"value": "b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5"}, attrs: labels("b5"), events: labels("E2")},
			{name: "IPv6 uncompressed", body: obj{"value": "2001:0db8:0000:0000:0000:0000:0000:0001"}, attrs: labels("a4"), events: labels("E1")},
			{name: "hidden value", body: obj{"value": "198.51.100.66"}, attrs: labels("a6"), events: labels("E1"),
				only: map[string][]string{"events/B": none, "events/C": none}},
			{name: "deleted value", body: obj{"value": "http://alpha.example.com/gone"}, attrs: none, events: none},
		})
	})

	t.Run("value1 value2", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "value1", body: obj{"value1": "alpha2.example.com"}, attrs: labels("a3")},
			{name: "value1 is not value2", body: obj{"value1": "198.51.100.2"}, attrs: none},
			{name: "value2", body: obj{"value2": "198.51.100.2"}, attrs: labels("a3")},
			{name: "value2 LIKE", body: obj{"value2": "b5b5%"}, attrs: labels("b5")},
			{name: "value2 NOT", body: obj{"value2": "!198.51.100.2", "type": "domain|ip"}, attrs: none},
			{name: "value1 and value", body: obj{"value1": "198.51.100.1", "value": "198.51.100.%"}, attrs: labels("a1 b1")},
		})
	})

	t.Run("type category object_relation", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "email-src adds email", body: obj{"type": "email-src"}, attrs: labels("b2 b3"), events: labels("E2")},
			{name: "type list", body: obj{"type": []string{"ip-dst", "ip-src"}}, attrs: labels("a1 a4 a6 ao2 b1 c1 d1"), events: labels("E1 E2 E3 E4")},
			{name: "type LIKE", body: obj{"type": "ip-%"}, attrs: labels("a1 a4 a6 ao2 b1 c1 d1"), events: labels("E1 E2 E3 E4")},
			{name: "type NOT", body: obj{"type": obj{"NOT": []string{"ip-dst", "domain", "url"}}}, attrs: labels("a3 a4 a5 a8 b2 b3 b4 b5 d2"),
				events: labels("E1 E2 E4")},
			{name: "category", body: obj{"category": "Payload delivery"}, attrs: labels("a5 b2 b5"), events: labels("E1 E2")},
			{name: "category and type", body: obj{"category": "Payload delivery", "type": "md5"}, attrs: labels("a5"), events: labels("E1")},
			{name: "object_relation", body: obj{"object_relation": "ip"}, attrs: labels("ao2"), events: labels("E1")},
			{name: "object_relation list", body: obj{"object_relation": []string{"ip", "domain"}}, attrs: labels("ao1 ao2"), events: labels("E1")},
			// Razmena keeps standalone attributes (no object_relation) on a
			// NOT term; MISP's SQL drops them (NULL != 'ip').
			{name: "object_relation NOT", body: obj{"object_relation": "!ip", "type": "ip-dst"}, attrs: labels("a1 a6 b1 c1 d1"), events: labels("E1 E2 E3 E4")},
		})
	})

	t.Run("org", func(t *testing.T) {
		ofA := w.of("E1 E3 E4")
		w.run(t, []matrixCase{
			{name: "name", body: obj{"org": "ORGNAME-B"}, attrs: w.of("E2"), events: labels("E2 E6")},
			{name: "id", body: obj{"org": id(w.orgC.ID)}, attrs: w.of("E5"), events: labels("E5")},
			{name: "uuid", body: obj{"org": env.OrgA.UUID}, attrs: ofA, events: labels("E1 E3 E4")},
			{name: "NOT", body: obj{"org": "!ORGNAME-A"}, attrs: w.of("E2 E5"), events: labels("E2 E5 E6")},
			{name: "list", body: obj{"org": []string{"ORGNAME-B", "ORGNAME-C"}}, attrs: w.of("E2 E5"), events: labels("E2 E5 E6")},
			{name: "unknown", body: obj{"org": "no such org"}, attrs: none, events: none},
			{name: "unknown and known", body: obj{"org": []string{"no such org", "ORGNAME-C"}}, attrs: w.of("E5"), events: labels("E5")},
		})
	})

	t.Run("tags", func(t *testing.T) {
		notAlpha := without(w.of("E1 E2"), "a1 a2")
		w.run(t, []matrixCase{
			{name: "attribute tag", body: obj{"tags": "apt:alpha"}, attrs: labels("a1 a2"), events: labels("E1")},
			{name: "event tag", body: obj{"tags": "apt:gamma"}, attrs: labels("c1 c2"), events: labels("E3")},
			{name: "list is OR", body: obj{"tags": []string{"apt:alpha", "apt:gamma"}}, attrs: labels("a1 a2 c1 c2"), events: labels("E1 E3")},
			{name: "NOT", body: obj{"tags": "!tlp:green"}, attrs: w.of("E2 E3 E4"), events: labels("E2 E3 E4")},
			// MISP also drops events without an untagged attribute (E6,
			// through its attribute-level NOT sub-query); Razmena does not.
			{name: "NOT attribute tag", body: obj{"tags": []string{"!apt:alpha"}}, attrs: without(w.all(), "a1 a2"), events: allEvents,
				inner: without(w.all(), "a1 a2")},
			{name: "AND", body: obj{"tags": obj{"AND": []string{"tlp:green", "apt:alpha"}}}, attrs: labels("a1 a2"), events: labels("E1")},
			{name: "AND unknown", body: obj{"tags": obj{"AND": []string{"tlp:green", "nope:nope"}}}, attrs: none, events: none},
			{name: "OR and NOT", body: obj{"tags": obj{"OR": []string{"tlp:amber"}, "NOT": []string{"apt:alpha"}}},
				attrs: w.of("E2"), events: labels("E1 E2"), inner: notAlpha},
			{name: "string a&&!b", body: obj{"tags": "tlp:amber&&!apt:alpha"}, attrs: w.of("E2"), events: labels("E1 E2"), inner: notAlpha},
			{name: "OR, AND and NOT", body: obj{"tags": obj{"OR": []string{"tlp:green", "tlp:amber"}, "AND": []string{"apt:alpha"}, "NOT": []string{"tlp:amber"}}},
				attrs: labels("a1"), events: labels("E1"), inner: without(w.of("E1"), "a2")},
			{name: "LIKE", body: obj{"tags": "tlp:%"}, attrs: w.of("E1 E2 E5"), events: labels("E1 E2 E5 E6")},
			{name: "case", body: obj{"tags": "TLP:RED"}, attrs: labels("b4"), events: labels("E2")},
			{name: "numeric id", body: obj{"tags": strconv.FormatInt(w.tagID["apt:gamma"], 10)}, attrs: labels("c1 c2"), events: labels("E3")},
			{name: "unknown", body: obj{"tags": "nope:nope"}, attrs: none, events: none},
			{name: "unknown NOT is ignored", body: obj{"tags": "!nope:nope", "org": "ORGNAME-B"}, attrs: w.of("E2"), events: labels("E2 E6")},
			{name: "local tag", body: obj{"tags": "tlp:white"}, attrs: labels("e1"), events: labels("E5")},
			{name: "tag alias", body: obj{"tag": "apt:gamma"}, attrs: w.all(), events: labels("E3")},
		})
	})

	t.Run("event_tags", func(t *testing.T) {
		w.run(t, []matrixCase{
			// event_tags counts event-level tags only: a2's tlp:amber
			// does not select E1.
			{name: "OR", body: obj{"event_tags": "tlp:amber"}, events: labels("E2")},
			{name: "NOT", body: obj{"event_tags": "!tlp:green"}, events: labels("E2 E3 E4")},
			{name: "attribute tag", body: obj{"event_tags": "apt:alpha"}, events: none},
			{name: "AND", body: obj{"event_tags": obj{"AND": []string{"tlp:green", "workflow:todo"}}}, events: labels("E1 E5")},
			{name: "attributes scope drops it", body: obj{"event_tags": "tlp:amber"}, attrs: w.all()},
		})
	})

	t.Run("eventinfo", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "LIKE", body: obj{"eventinfo": "%PHISHING%"}, attrs: w.of("E1"), events: labels("E1")},
			{name: "exact", body: obj{"eventinfo": "Beta botnet"}, attrs: w.of("E2"), events: labels("E2")},
			{name: "NOT", body: obj{"eventinfo": "!%a%"}, attrs: none, events: none},
			{name: "list", body: obj{"eventinfo": []string{"%shared", "%notice"}}, attrs: w.of("E3"), events: labels("E3 E6")},
		})
	})

	t.Run("eventid uuid", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "id", body: obj{"eventid": id(ev("E2").ID)}, attrs: w.of("E2"), events: labels("E2")},
			{name: "uuid", body: obj{"eventid": ev("E3").UUID}, attrs: w.of("E3"), events: labels("E3")},
			{name: "id and uuid", body: obj{"eventid": []string{id(ev("E1").ID), ev("E4").UUID}}, attrs: w.of("E1 E4"), events: labels("E1 E4")},
			{name: "NOT", body: obj{"eventid": "!" + id(ev("E1").ID)}, attrs: w.of("E2 E3 E4 E5"), events: labels("E2 E3 E4 E5 E6")},
			{name: "all", body: obj{"eventid": "all", "type": "md5"}, attrs: labels("a5"), events: labels("E1")},
			{name: "attribute uuid", body: obj{"uuid": at("b4").UUID}, attrs: labels("b4"), events: labels("E2")},
			{name: "event uuid", body: obj{"uuid": ev("E4").UUID}, attrs: w.of("E4"), events: labels("E4")},
			{name: "uuid list", body: obj{"uuid": []string{at("a3").UUID, ev("E5").UUID}}, attrs: labels("a3 e1 e2"), events: labels("E1 E5")},
			{name: "hidden attribute uuid", body: obj{"uuid": at("a6").UUID}, attrs: labels("a6"), events: labels("E1"),
				only: map[string][]string{"events/B": none, "events/C": none}},
			{name: "not a uuid", body: obj{"uuid": "nope"}, attrs: none, events: none},
		})
	})

	t.Run("dates", func(t *testing.T) {
		jan13 := time.Date(2026, 1, 13, 0, 0, 0, 0, time.UTC).Unix()
		w.run(t, []matrixCase{
			{name: "from", body: obj{"from": "2026-01-10"}, attrs: w.of("E3 E4"), events: labels("E3 E4 E6")},
			{name: "to", body: obj{"to": "2026-01-06"}, attrs: w.of("E1 E5"), events: labels("E1 E5")},
			{name: "from and to", body: obj{"from": "2026-01-06", "to": "2026-01-12"}, attrs: w.of("E2 E3"), events: labels("E2 E3")},
			{name: "from Unix time", body: obj{"from": jan13}, attrs: w.of("E4"), events: labels("E4 E6")},
			{name: "to Unix time", body: obj{"to": strconv.FormatInt(jan13, 10)}, attrs: w.of("E1 E2 E3 E5"), events: labels("E1 E2 E3 E5 E6")},
			{name: "date (events)", body: obj{"date": []string{"4d", "2d"}}, events: labels("E3 E6")},
			{name: "date dropped by attributes", body: obj{"date": "2d"}, attrs: w.all()},
		})
	})

	t.Run("timestamps", func(t *testing.T) {
		// a1 is older than E1, a8 newer: timestamp is the attribute's in
		// the attributes scope and the event's in the events scope.
		recent := union(labels("a8"), w.of("E2 E3 E4 E5"))
		w.run(t, []matrixCase{
			{name: "timestamp", body: obj{"timestamp": ago(6 * oneDay)}, attrs: recent, events: labels("E2 E3 E4 E5 E6")},
			{name: "timestamp delta", body: obj{"timestamp": "7d"}, attrs: recent, events: labels("E2 E3 E4 E5 E6")},
			{name: "timestamp range", body: obj{"timestamp": []int64{ago(21 * oneDay), ago(15 * oneDay)}}, attrs: labels("a1"), events: none},
			{name: "timestamp range, events", body: obj{"timestamp": []int64{ago(11 * oneDay), ago(9 * oneDay)}}, attrs: without(w.of("E1"), "a1 a8"), events: labels("E1")},
			{name: "event_timestamp", body: obj{"event_timestamp": ago(6 * oneDay)}, attrs: w.of("E2 E3 E4 E5"), events: labels("E2 E3 E4 E5 E6")},
			{name: "attribute_timestamp", body: obj{"attribute_timestamp": "6d"}, attrs: recent},
			{name: "attribute_timestamp dropped by events", body: obj{"attribute_timestamp": "6d"}, events: allEvents},
			{name: "publish_timestamp", body: obj{"publish_timestamp": "3d"}, attrs: w.of("E3 E4"), events: labels("E3 E4 E6")},
			{name: "publish_timestamp range", body: obj{"publish_timestamp": []string{"11d", "9d"}}, attrs: w.of("E1"), events: labels("E1")},
			{name: "last 1d", body: obj{"last": "1d"}, attrs: w.of("E3 E4"), events: labels("E3 E4")},
			{name: "last 12h", body: obj{"last": "12h"}, attrs: w.of("E4"), events: labels("E4")},
			{name: "last and published", body: obj{"last": "3d", "published": 1, "org": "ORGNAME-B"}, attrs: none, events: labels("E6")},
		})
		t.Run("clock", func(t *testing.T) {
			// Twelve hours later E4 was published 13 hours ago.
			env.Clock.Advance(12 * time.Hour)
			defer env.Clock.unix.Store(t0.Unix())
			w.run(t, []matrixCase{
				{name: "last 12h", body: obj{"last": "12h"}, attrs: none, events: none},
				{name: "last 1d", body: obj{"last": "1d"}, attrs: w.of("E4"), events: labels("E4")},
				{name: "timestamp 1d", body: obj{"timestamp": "1d"}, attrs: w.of("E4"), events: labels("E4")},
			})
		})
	})

	t.Run("first_seen last_seen", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "first_seen", body: obj{"first_seen": "2026-01-05"}, attrs: labels("ao2 b4")},
			{name: "last_seen", body: obj{"last_seen": "2026-01-10"}, attrs: labels("a4 b4")},
			{name: "first_seen range", body: obj{"first_seen": []string{"2026-01-01", "2026-01-07"}}, attrs: labels("a4 b4")},
			{name: "both", body: obj{"first_seen": "2026-01-02", "last_seen": "2026-01-10"}, attrs: labels("b4")},
			{name: "dropped by events", body: obj{"first_seen": "2026-01-05"}, events: allEvents},
		})
	})

	t.Run("to_ids published", func(t *testing.T) {
		off := labels("a5 a8 b3 c2 d2")
		on := without(w.all(), "a5 a8 b3 c2 d2")
		w.run(t, []matrixCase{
			{name: "to_ids 0", body: obj{"to_ids": 0}, attrs: off, events: labels("E1 E2 E3 E4"), inner: off},
			{name: "to_ids exclude", body: obj{"to_ids": "exclude"}, attrs: off, events: labels("E1 E2 E3 E4"), inner: off},
			{name: "to_ids 1", body: obj{"to_ids": 1}, attrs: on, events: labels("E1 E2 E3 E4 E5"), inner: on},
			// MISP's Attribute.to_ids IN (0,1) sub-query drops E6, which has
			// no attribute; Razmena reads [0,1] as no filter.
			{name: "to_ids both", body: obj{"to_ids": []int{0, 1}}, attrs: w.all(), events: allEvents},
			{name: "published 1", body: obj{"published": 1}, attrs: w.of("E1 E3 E4"), events: labels("E1 E3 E4 E6")},
			{name: "published 0", body: obj{"published": 0}, attrs: w.of("E2 E5"), events: labels("E2 E5")},
			{name: "published both", body: obj{"published": []int{0, 1}}, attrs: w.all(), events: allEvents},
			{name: "published true", body: obj{"published": true}, attrs: w.of("E1 E3 E4"), events: labels("E1 E3 E4 E6")},
			{name: "to_ids 0, published 1", body: obj{"to_ids": "0", "published": "1"}, attrs: labels("a5 a8 c2 d2"), events: labels("E1 E3 E4"), inner: off},
		})
	})

	t.Run("deleted", func(t *testing.T) {
		w.run(t, []matrixCase{
			// Only the owner organisation gets deleted attributes, and an
			// event is not selected for others by a deleted attribute.
			{name: "1", body: obj{"deleted": 1}, attrs: labels("a7"), events: labels("E1"), inner: labels("a7"),
				only: map[string][]string{"events/B": none, "events/C": none}},
			{name: "only", body: obj{"deleted": "only"}, attrs: labels("a7"), events: labels("E1"), inner: labels("a7"),
				only: map[string][]string{"events/B": none, "events/C": none}},
			{name: "both", body: obj{"deleted": []int{0, 1}}, attrs: union(w.all(), labels("a7")), events: allEvents, inner: union(w.all(), labels("a7"))},
			{name: "0", body: obj{"deleted": 0}, attrs: w.all(), events: allEvents},
			{name: "by value", body: obj{"deleted": 1, "value": "%gone"}, attrs: labels("a7"), events: labels("E1"), inner: labels("a7"),
				only: map[string][]string{"events/B": none, "events/C": none}},
		})
	})

	t.Run("threat_level_id distribution sharinggroup", func(t *testing.T) {
		sg := id(w.sg.ID)
		w.run(t, []matrixCase{
			{name: "threat_level_id", body: obj{"threat_level_id": 1}, attrs: w.of("E1 E5"), events: labels("E1 E5")},
			{name: "threat_level_id list", body: obj{"threat_level_id": []string{"3", "4"}}, attrs: w.of("E3 E4"), events: labels("E3 E4")},
			// distribution (events scope) keeps the events and, inside
			// them, the attributes of that distribution (Event::fetchEvent).
			{name: "distribution", body: obj{"distribution": 1}, events: labels("E1 E2"), inner: labels("a2")},
			{name: "distribution list", body: obj{"distribution": []int{0, 3}}, events: labels("E4 E5 E6"), inner: labels("a6 e1")},
			{name: "distribution dropped by attributes", body: obj{"distribution": 0}, attrs: w.all()},
			// sharinggroup is the event's or the attribute's group in the
			// attributes scope, the event's in the events scope.
			{name: "sharinggroup", body: obj{"sharinggroup": sg}, attrs: labels("c1 c2 e2"), events: labels("E3")},
			{name: "sharinggroup unknown", body: obj{"sharinggroup": "999"}, attrs: none, events: none},
		})
	})

	t.Run("searchall", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "event info", body: obj{"searchall": "%botnet%"}, events: labels("E2")},
			{name: "attribute value", body: obj{"searchall": "%gamma.example%"}, events: labels("E3")},
			{name: "tag names", body: obj{"searchall": "apt:%"}, events: labels("E1 E3")},
			{name: "attribute comment", body: obj{"searchall": "%BEACON%"}, events: labels("E2")},
			// searchall replaces the selection filters but for those MISP
			// applies when it loads the events (published, tags on the
			// event, to_ids on the attributes…).
			{name: "type is ignored", body: obj{"searchall": "%example%", "type": "md5"}, events: labels("E1 E2 E3 E5")},
			{name: "published applies", body: obj{"searchall": "%example%", "published": 1}, events: labels("E1 E3")},
			{name: "event tags apply", body: obj{"searchall": "%example%", "tags": "tlp:green"}, events: labels("E1 E5")},
			// Razmena also requires an attribute passing to_ids (E5 has
			// none); MISP returns such an event without attributes.
			{name: "to_ids applies", body: obj{"searchall": "%example%", "to_ids": 0}, events: labels("E1 E2 E3"), inner: labels("a5 a8 b3 c2 d2")},
			{name: "hidden value", body: obj{"searchall": "%secret%"}, events: labels("E5"), only: map[string][]string{"events/B": none}},
			{name: "value replaces it", body: obj{"searchall": "%nothing%", "value": "%zeta%"}, events: labels("E6")},
			{name: "attributes scope drops it", body: obj{"searchall": "%botnet%"}, attrs: w.all()},
		})
	})

	t.Run("combinations", func(t *testing.T) {
		w.run(t, []matrixCase{
			{name: "type, to_ids, published", body: obj{"type": "ip-dst", "to_ids": 1, "published": 1}, attrs: labels("a1 a6 ao2 c1 d1"),
				events: labels("E1 E3 E4"), inner: without(w.all(), "a5 a8 b3 c2 d2")},
			{name: "value, org and tags", body: obj{"value": "198.51.100.1", "org": "ORGNAME-A", "tags": "tlp:green"}, attrs: labels("a1"), events: labels("E1")},
			{name: "tags and from", body: obj{"tags": "tlp:green", "from": "2026-01-01"}, attrs: w.of("E1"), events: labels("E1 E6")},
			{name: "category, NOT org, threat level", body: obj{"category": "Network activity", "org": "!ORGNAME-B", "threat_level_id": []int{1, 3}},
				attrs: labels("a1 a2 a3 a4 a6 ao1 ao2 c1 c2 e1 e2"), events: labels("E1 E3 E5")},
			{name: "eventid and type", body: obj{"eventid": []string{id(ev("E1").ID), id(ev("E2").ID)}, "type": obj{"OR": []string{"ip-dst", "email"}}},
				attrs: labels("a1 a6 ao2 b1 b3"), events: labels("E1 E2")},
			{name: "uuid and deleted", body: obj{"uuid": at("a7").UUID, "deleted": []string{"0", "1"}}, attrs: labels("a7"), events: labels("E1"),
				inner: union(w.all(), labels("a7")), only: map[string][]string{"events/B": none, "events/C": none}},
			{name: "sharinggroup and type", body: obj{"sharinggroup": id(w.sg.ID), "type": "domain"}, attrs: labels("c2 e2"), events: labels("E3")},
			{name: "timestamp and tags NOT", body: obj{"timestamp": "7d", "tags": "!tlp:amber"}, attrs: labels("a8 e1 e2 c1 c2 d1 d2"), events: labels("E3 E4 E5 E6")},
		})
	})
}
