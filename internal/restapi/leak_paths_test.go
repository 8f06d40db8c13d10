package restapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// leakPath is one read path of the leak matrix. collect asks the API, as
// user u, for everything the path can return about the world and names
// each thing received ("event <uuid>", "attribute <uuid>", "tag <owner
// uuid> <name>", …, see leakSet). A path that looks things up one by one
// also checks that a refused lookup is indistinguishable from one of a
// thing that does not exist, recording "distinguishable <request>"
// otherwise. want gives, from the oracle alone, the set collect must
// return. docs/access-control.md explains how to add a path.
type leakPath struct {
	name    string
	collect func(t *testing.T, f *leakFixture, u *leakUser) leakSet
	want    func(o *leakOracle, u *leakUser) leakSet
}

// leakPaths are the read paths that exist today.
var leakPaths = []leakPath{
	{
		name: "events/view/{id}",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			return f.eachView(t, u, f.Events, "GET", func(e *leakEvent) string { return "/events/view/" + f.id(e.UUID) },
				"/events/view/999999", f.collectEvent)
		},
		want: func(o *leakOracle, u *leakUser) leakSet { return o.allEvents(u, false) },
	},
	{
		name: "events/view/{uuid}",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			return f.eachView(t, u, f.Events, "GET", func(e *leakEvent) string { return "/events/view/" + e.UUID },
				"/events/view/"+leakUUID(999999), f.collectEvent)
		},
		want: func(o *leakOracle, u *leakUser) leakSet { return o.allEvents(u, false) },
	},
	{
		name: "HEAD events/view/{id}",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			return f.eachView(t, u, f.Events, "HEAD", func(e *leakEvent) string { return "/events/view/" + f.id(e.UUID) },
				"/events/view/999999", func(s leakSet, _ []byte, e *leakEvent) { s.add("event", e.UUID) })
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, e := range o.w.Events {
				if o.event(u, e) {
					s.add("event", e.UUID)
				}
			}
			return s
		},
	},
	{
		name: "events/view/{id}/deleted:1",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			return f.eachView(t, u, f.Events, "GET", func(e *leakEvent) string { return "/events/view/" + f.id(e.UUID) + "/deleted:1" },
				"/events/view/999999/deleted:1", f.collectEvent)
		},
		want: func(o *leakOracle, u *leakUser) leakSet { return o.allEvents(u, true) },
	},
	{
		name: "events/index",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			f.index(t, u, "GET", "/events/index", nil, func(item obj) { f.collectIndexItem(s, item) }, s, "all")
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			n := 0
			for _, e := range o.w.Events {
				if o.event(u, e) {
					n++
					s.add("event", e.UUID)
					for _, tg := range e.Tags {
						s.add("tag", e.UUID+" "+tg.Name)
					}
				}
			}
			s.add("count", "all "+strconv.Itoa(n))
			return s
		},
	},
	{
		name: "events/index paged (limit 5)",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			for page := 1; ; page++ {
				got := 0
				f.index(t, u, "GET", fmt.Sprintf("/events/index/limit:5/page:%d/sort:timestamp/direction:desc", page), nil,
					func(item obj) { got++; s.add("event", leakStr(item["uuid"])) }, s, "paged")
				if got == 0 || page > 100 {
					return s
				}
			}
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			n := 0
			for _, e := range o.w.Events {
				if o.event(u, e) {
					n++
					s.add("event", e.UUID)
				}
			}
			s.add("count", "paged "+strconv.Itoa(n))
			return s
		},
	},
	{
		// Paged by 4, so that X-Result-Count comes from a filtered count.
		name: "events/index filters",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			for _, q := range leakIndexFilters {
				for page := 1; page <= 100; page++ {
					body := obj{"limit": 4, "page": page}
					for k, v := range q.body(f) {
						body[k] = v
					}
					got := 0
					f.index(t, u, "POST", "/events/index", body, func(item obj) { got++; s.add(q.name, leakStr(item["uuid"])) }, s, q.name)
					if got == 0 {
						break
					}
				}
			}
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, q := range leakIndexFilters {
				n := 0
				for _, e := range o.w.Events {
					if o.event(u, e) && q.match(o.w, u, e) {
						n++
						s.add(q.name, e.UUID)
					}
				}
				s.add("count", q.name+" "+strconv.Itoa(n))
			}
			return s
		},
	},
	{
		// A value search must not reveal an event through an attribute
		// the user may not see (§13 #13).
		name: "events/index value",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			for _, slot := range f.slots() {
				f.index(t, u, "POST", "/events/index", obj{"value": "leak-" + slot + ".example"},
					func(item obj) { s.add("value", slot+" "+leakStr(item["uuid"])) }, s, "value "+slot)
			}
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			counts := map[string]int{}
			o.w.eachAttr(func(e *leakEvent, ob *leakObject, a *leakAttr) {
				counts[a.Slot] += 0
				if o.attribute(u, e, ob, a) && !a.Deleted {
					counts[a.Slot]++
					s.add("value", a.Slot+" "+e.UUID)
				}
			})
			for slot, n := range counts {
				s.add("count", "value "+slot+" "+strconv.Itoa(n))
			}
			return s
		},
	},
	{
		// attribute and all (the quick filter) must neither reveal an
		// event through an attribute, or an attribute's tag, the user may
		// not see, nor leave one out because of it. Asked with GET and a
		// query string; the limit:1 queries take their X-Result-Count
		// from a filtered count.
		name: "events/index attribute and all",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			for _, slot := range f.slots() {
				term := "-" + slot + ".ex"
				for _, q := range []struct {
					label string
					v     url.Values
				}{
					{"attribute " + slot, url.Values{"attribute": {strings.ToUpper(term)}}},
					{"all " + slot, url.Values{"searchall": {term}}},
					{"all tag " + slot, url.Values{"all": {"LEAK:" + slot}, "limit": {"1"}}},
					{"not attribute " + slot, url.Values{"attribute": {"!" + term}, "limit": {"1"}}},
				} {
					f.index(t, u, "GET", "/events/index?"+q.v.Encode(), nil, func(item obj) { s.add(q.label, leakStr(item["uuid"])) }, s, q.label)
				}
			}
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			holders := map[string]map[string]bool{} // slot → events holding a visible live attribute of it
			var slots []string
			o.w.eachAttr(func(e *leakEvent, ob *leakObject, a *leakAttr) {
				if holders[a.Slot] == nil {
					holders[a.Slot] = map[string]bool{}
					slots = append(slots, a.Slot)
				}
				if o.attribute(u, e, ob, a) && !a.Deleted {
					holders[a.Slot][e.UUID] = true
				}
			})
			for _, slot := range slots {
				var with, without []string // visible events, in id order
				for _, e := range o.w.Events {
					switch {
					case !o.event(u, e):
					case holders[slot][e.UUID]:
						with = append(with, e.UUID)
					default:
						without = append(without, e.UUID)
					}
				}
				for _, label := range []string{"attribute ", "all "} {
					for _, uuid := range with {
						s.add(label+slot, uuid)
					}
					s.add("count", label+slot+" "+strconv.Itoa(len(with)))
				}
				for _, q := range []struct {
					label  string
					events []string
				}{{"all tag ", with}, {"not attribute ", without}} {
					if len(q.events) > 0 {
						s.add(q.label+slot, q.events[0])
					}
					s.add("count", q.label+slot+" "+strconv.Itoa(len(q.events)))
				}
			}
			return s
		},
	},
	{
		name: "attributes/view/{id}",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			return f.eachAttrView(t, u, 0, func(a *leakAttr) string { return "/attributes/view/" + f.id(a.UUID) }, "/attributes/view/999999")
		},
		want: func(o *leakOracle, u *leakUser) leakSet { return o.liveAttrs(u, true, 0) },
	},
	{
		name: "attributes/view/{uuid}",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			return f.eachAttrView(t, u, 1, func(a *leakAttr) string { return "/attributes/view/" + a.UUID }, "/attributes/view/"+leakUUID(999999))
		},
		want: func(o *leakOracle, u *leakUser) leakSet { return o.liveAttrs(u, true, 1) },
	},
	{
		name: "attributes/index",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			status, _, body := f.env.do(t, "GET", "/attributes/index/limit:100000", f.users[u.Key].Key, nil)
			var list []obj
			if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
				t.Fatalf("attributes/index as %s: %d %s", u.Key, status, body)
			}
			for _, a := range list {
				s.add("attribute", leakStr(a["uuid"]))
				f.collectTags(s, a)
			}
			return s
		},
		// The index carries no tags, as MISP's REST index.
		want: func(o *leakOracle, u *leakUser) leakSet { return o.liveAttrs(u, false, -1) },
	},
	{
		name: "objects/view/{id}",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			missing := f.probe(t, u, "GET", "/objects/view/999999")
			for _, e := range f.Events {
				for _, ob := range e.Objects {
					if !f.probed(u, ob.UUID, 2) {
						continue
					}
					path := "/objects/view/" + f.id(ob.UUID)
					status, _, body := f.env.do(t, "GET", path, f.users[u.Key].Key, nil)
					if status != http.StatusOK {
						f.sameAsMissing(t, s, u, "GET", path, missing)
						continue
					}
					o := leakDecode(t, body)["Object"].(obj)
					s.add("object", leakStr(o["uuid"]))
					f.collectElements(s, o)
				}
			}
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, e := range o.w.Events {
				for _, ob := range e.Objects {
					if o.w.probed(u, ob.UUID, 2) {
						o.objectView(s, u, e, ob)
					}
				}
			}
			return s
		},
	},
	leakSGIndex("/sharing_groups", false),
	leakSGIndex("/sharing_groups/index", false),
	leakSGIndex("/sharing_groups/index/true", true),
	leakSGView("GET", "{id}", func(f *leakFixture, g *leakSG) string { return strconv.FormatInt(f.sgIDs[g.Key], 10) }, "999999"),
	leakSGView("GET", "{uuid}", func(_ *leakFixture, g *leakSG) string { return g.UUID }, leakSGUUID(0xfffff)),
	leakSGView("HEAD", "{id}", func(f *leakFixture, g *leakSG) string { return strconv.FormatInt(f.sgIDs[g.Key], 10) }, "999999"),
	leakLogIndex("/admin/logs/index"),
	leakLogIndex("/admin/audit_logs/index"),
}

// leakSGIndex is the path of a sharing_groups/index variant: every group
// listed, with its owner and members; inactive for the /true variant.
// The whole world fits in the first page.
func leakSGIndex(path string, inactive bool) leakPath {
	return leakPath{
		name: path[1:],
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			var out struct{ Response []obj }
			status, _, body := f.env.do(t, "GET", path, f.users[u.Key].Key, nil)
			if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
				t.Fatalf("GET %s as %s: %d %s", path, u.Key, status, body)
			}
			for _, item := range out.Response {
				f.collectSG(s, item)
			}
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, g := range o.w.SGs {
				if o.sgListed(u, g.Key, inactive) {
					o.sgShown(s, g.Key)
				}
			}
			return s
		},
	}
}

// leakSGView is the path of sharing_groups/view/<ref(group)> with
// method: each group is looked up; a group the user may not view must
// answer as the missing one (405, for HEAD 404).
func leakSGView(method, refName string, ref func(*leakFixture, *leakSG) string, missing string) leakPath {
	name := "sharing_groups/view/" + refName
	if method != "GET" {
		name = method + " " + name
	}
	wantMissing := http.StatusMethodNotAllowed
	if method == "HEAD" {
		wantMissing = http.StatusNotFound
	}
	return leakPath{
		name: name,
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			missingPath := "/sharing_groups/view/" + missing
			gone := f.probe(t, u, method, missingPath)
			if gone.status != wantMissing {
				t.Fatalf("%s %s as %s: status %d, want %d", method, missingPath, u.Key, gone.status, wantMissing)
			}
			for _, g := range f.SGs {
				path := "/sharing_groups/view/" + ref(f, g)
				status, _, body := f.env.do(t, method, path, f.users[u.Key].Key, nil)
				switch {
				case status != http.StatusOK:
					f.sameAsMissing(t, s, u, method, path, gone)
				case method == "HEAD":
					s.add("sharing_group", g.UUID)
				default:
					f.collectSG(s, leakDecode(t, body))
				}
			}
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, g := range o.w.SGs {
				switch {
				case !o.sgViewable(u, g.Key):
					continue
				case method == "HEAD":
					s.add("sharing_group", g.UUID)
				default:
					o.sgShown(s, g.Key)
				}
			}
			return s
		},
	}
}

// leakLogIndex is the path of an audit-log index: the author of every
// entry returned ("log <user key>", "log SYSTEM"). Paths before it add
// entries (their POST events/index) but no author, as every user has an
// entry from the fixture.
func leakLogIndex(path string) leakPath {
	return leakPath{
		name: path[1:],
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			authors := map[int64]string{}
			for key, tu := range f.users {
				authors[int64(tu.User.ID)] = key
			}
			const limit = 5000
			for page := 1; ; page++ {
				p := fmt.Sprintf("%s/limit:%d/page:%d", path, limit, page)
				status, _, body := f.env.do(t, "GET", p, f.users[u.Key].Key, nil)
				if status == http.StatusForbidden {
					s.add("refused", path)
					return s
				}
				var out []struct{ Log obj }
				if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
					t.Fatalf("GET %s as %s: %d %s", p, u.Key, status, body)
				}
				for _, e := range out {
					s.add("log", f.logAuthor(authors, e.Log))
				}
				if len(out) < limit {
					return s
				}
			}
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			if !u.Audit {
				s.add("refused", path)
				return s
			}
			for _, author := range o.w.Logged {
				if o.logVisible(u, author) {
					s.add("log", author)
				}
			}
			return s
		},
	}
}

// logAuthor names the author of an audit entry: the fixture user of its
// user_id, "SYSTEM" for entries no user caused, else what it says.
func (f *leakFixture) logAuthor(authors map[int64]string, e obj) string {
	id, err := strconv.ParseInt(leakStr(e["user_id"]), 10, 64)
	switch {
	case err == nil && authors[id] != "":
		return authors[id]
	case err == nil && id == 0 && leakStr(e["org"]) == leakSystem:
		return leakSystem
	}
	return fmt.Sprintf("unknown user_id %v email %v org %v", e["user_id"], e["email"], e["org"])
}

// collectSG names a sharing group as sharing_groups/index and /view show
// it: the group, its owner, member organisations and servers.
func (f *leakFixture) collectSG(s leakSet, item obj) {
	g, _ := item["SharingGroup"].(obj)
	uuid := leakStr(g["uuid"])
	s.add("sharing_group", uuid)
	if owner, ok := item["Organisation"].(obj); ok {
		s.add("sg_owner", uuid+" "+f.orgKey(owner))
	}
	for _, m := range leakList(item["SharingGroupOrg"]) {
		org, _ := m["Organisation"].(obj)
		s.add("sg_org", uuid+" "+f.orgKey(org))
	}
	for _, m := range leakList(item["SharingGroupServer"]) {
		server := "server " + leakStr(m["server_id"])
		switch leakStr(m["server_id"]) {
		case "0":
			server = "local"
		case strconv.Itoa(leakRemoteServer):
			server = "remote"
		}
		if m["all_orgs"] == true {
			server += " all_orgs"
		}
		s.add("sg_server", uuid+" "+server)
	}
}

// orgKey names an Organisation block by the fixture's key of its uuid.
func (f *leakFixture) orgKey(org obj) string {
	for key, o := range f.orgs {
		if o.UUID == leakStr(org["uuid"]) {
			return key
		}
	}
	return fmt.Sprintf("unknown organisation %v", org)
}

// leakIndexFilters are the events/index filters of the filters path,
// each with its body (which may name the fixture's ids) and what it
// selects among the events user u sees.
var leakIndexFilters = []struct {
	name  string
	body  func(f *leakFixture) obj
	match func(w *leakWorld, u *leakUser, e *leakEvent) bool
}{
	{"published", leakBody(obj{"published": 1}), leakMatch(func(e *leakEvent) bool { return e.Published })},
	{"eventinfo", leakBody(obj{"eventinfo": "draft"}), leakMatch(func(e *leakEvent) bool { return !e.Published })},
	{"eventinfo any, none", leakBody(obj{"eventinfo": "4:ac|4:BOWN|!published"}), leakMatch(func(e *leakEvent) bool {
		return e.Dist.Level == 4 && (e.Dist.SG == "AC" || e.Dist.SG == "Bown") && !e.Published
	})},
	{"distribution", leakBody(obj{"distribution": 4}), leakMatch(func(e *leakEvent) bool { return e.Dist.Level == 4 })},
	{"distribution negated", leakBody(obj{"distribution": "!4|!0"}), leakMatch(func(e *leakEvent) bool { return e.Dist.Level != 4 && e.Dist.Level != 0 })},
	{"analysis, threatlevel negated", leakBody(obj{"analysis": "!2", "threatlevel": "!1"}), leakMatch(func(*leakEvent) bool { return true })},
	{"sharinggroup", func(f *leakFixture) obj {
		return obj{"sharinggroup": fmt.Sprintf("%d|%d", f.sgIDs["AC"], f.sgIDs["Bown"])}
	}, leakMatch(func(e *leakEvent) bool { return e.Dist.Level == 4 && (e.Dist.SG == "AC" || e.Dist.SG == "Bown") })},
	{"sharinggroup negated", func(f *leakFixture) obj { return obj{"sharinggroup": fmt.Sprintf("!%d", f.sgIDs["all"])} },
		leakMatch(func(e *leakEvent) bool { return e.Dist.Level != 4 || e.Dist.SG != "all" })},
	{"eventid negated", func(f *leakFixture) obj {
		return obj{"eventid": "!" + f.id(f.Events[0].UUID) + "|!" + f.Events[len(f.Events)-1].UUID}
	}, func(w *leakWorld, _ *leakUser, e *leakEvent) bool {
		return e != w.Events[0] && e != w.Events[len(w.Events)-1]
	}},
	{"org", leakBody(obj{"org": "ORGNAME-C"}), leakMatch(func(e *leakEvent) bool { return e.Orgc == "C" })},
	{"org negated", leakBody(obj{"org": "!ORGNAME-C"}), leakMatch(func(e *leakEvent) bool { return e.Orgc != "C" })},
	{"tags", leakBody(obj{"tags": []string{"leak:event-local"}}), leakMatch(func(*leakEvent) bool { return true })},
	{"tags all", leakBody(obj{"tags": "leak:event&leak:event-local"}), leakMatch(func(*leakEvent) bool { return true })},
	// leak:d1 is an attribute tag: event tags only.
	{"tags all, attribute tag", leakBody(obj{"tags": "leak:event&leak:d1"}), leakMatch(func(*leakEvent) bool { return false })},
	{"hasproposal", leakBody(obj{"hasproposal": 1}), leakMatch(func(*leakEvent) bool { return false })},
	// Site admins search creators' addresses; anybody else may only name
	// their own, for the events they created.
	{"email", leakBody(obj{"email": "LEAK-user@A.example"}), func(_ *leakWorld, u *leakUser, e *leakEvent) bool {
		return e.Creator == "A-user" && (u.SiteAdmin || u.Key == "A-user")
	}},
	{"email negated", leakBody(obj{"email": "!leak-sync@b"}), func(_ *leakWorld, u *leakUser, e *leakEvent) bool {
		return u.SiteAdmin && e.Creator != "B-sync"
	}},
}

// leakBody is a filter body that names nothing of the fixture.
func leakBody(b obj) func(*leakFixture) obj { return func(*leakFixture) obj { return b } }

// leakMatch is a filter match that depends on the event alone.
func leakMatch(m func(e *leakEvent) bool) func(*leakWorld, *leakUser, *leakEvent) bool {
	return func(_ *leakWorld, _ *leakUser, e *leakEvent) bool { return m(e) }
}

// allEvents is what events/view returns over all events.
func (o *leakOracle) allEvents(u *leakUser, withDeleted bool) leakSet {
	s := leakSet{}
	for _, e := range o.w.Events {
		o.fullEvent(s, u, e, withDeleted)
	}
	return s
}

// liveAttrs is every visible live attribute, with its tag if tags,
// among those probed with salt (all if salt < 0).
func (o *leakOracle) liveAttrs(u *leakUser, tags bool, salt int) leakSet {
	s := leakSet{}
	o.w.eachAttr(func(e *leakEvent, ob *leakObject, a *leakAttr) {
		if salt >= 0 && !o.w.probed(u, a.UUID, salt) {
			return
		}
		if o.attribute(u, e, ob, a) && !a.Deleted {
			s.add("attribute", a.UUID)
			if tags {
				s.add("tag", a.UUID+" "+a.Tag)
				s.add("tag", a.UUID+" "+a.GalaxyTag)
			}
		}
	})
	return s
}

// slots lists the attribute slots (the same in every event).
func (f *leakFixture) slots() []string {
	seen := map[string]bool{}
	var out []string
	f.eachAttr(func(_ *leakEvent, _ *leakObject, a *leakAttr) {
		if !seen[a.Slot] {
			seen[a.Slot] = true
			out = append(out, a.Slot)
		}
	})
	return out
}

func (f *leakFixture) id(uuid string) string { return strconv.FormatInt(f.ids[uuid], 10) }

// leakProbeEvery thins the paths that look elements up one request at a
// time (attributes/view, objects/view): each user probes one element in
// leakProbeEvery, the choice shifted by the user's position and a salt
// per path, so that across the 18 users every element is probed on every
// such path while a run stays within seconds. Paths returning lists
// always cover everything.
const leakProbeEvery = 8

// probed reports whether user u probes the element uuid on the path
// with the given salt.
func (w *leakWorld) probed(u *leakUser, uuid string, salt int) bool {
	n, err := strconv.ParseInt(uuid[len(uuid)-12:], 16, 64)
	if err != nil {
		panic("not a fixture uuid: " + uuid)
	}
	return (int(n)+w.userIndex(u)+salt)%leakProbeEvery == 0
}

func (w *leakWorld) userIndex(u *leakUser) int {
	for i, x := range w.Users {
		if x.Key == u.Key {
			return i
		}
	}
	panic("unknown user " + u.Key)
}

// leakResponse is a response reduced to what tells "refused" and
// "missing" apart: the status and the body without the url that echoes
// the request path.
type leakResponse struct {
	status int
	body   string
}

// probe requests path as u and reduces the answer.
func (f *leakFixture) probe(t *testing.T, u *leakUser, method, path string) leakResponse {
	t.Helper()
	status, _, body := f.env.do(t, method, path, f.users[u.Key].Key, nil)
	if len(body) == 0 {
		return leakResponse{status: status}
	}
	var m obj
	if err := json.Unmarshal(body, &m); err != nil {
		return leakResponse{status: status, body: string(body)}
	}
	if m["url"] == path {
		delete(m, "url")
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return leakResponse{status: status, body: string(b)}
}

// sameAsMissing records a refused request whose answer differs from the
// answer about a thing that does not exist.
func (f *leakFixture) sameAsMissing(t *testing.T, s leakSet, u *leakUser, method, path string, missing leakResponse) {
	t.Helper()
	if got := f.probe(t, u, method, path); got != missing {
		s.add("distinguishable", fmt.Sprintf("%s %s: %v, missing: %v", method, path, got, missing))
	}
}

// eachView requests path(e) for every event; a 200 answer is collected,
// any other must equal the answer for missingPath.
func (f *leakFixture) eachView(t *testing.T, u *leakUser, events []*leakEvent, method string, path func(*leakEvent) string,
	missingPath string, collect func(s leakSet, body []byte, e *leakEvent)) leakSet {
	t.Helper()
	s := leakSet{}
	missing := f.probe(t, u, method, missingPath)
	if missing.status != http.StatusNotFound {
		t.Fatalf("%s %s as %s: status %d, want 404", method, missingPath, u.Key, missing.status)
	}
	for _, e := range events {
		p := path(e)
		status, _, body := f.env.do(t, method, p, f.users[u.Key].Key, nil)
		if status == http.StatusOK {
			collect(s, body, e)
			continue
		}
		f.sameAsMissing(t, s, u, method, p, missing)
	}
	return s
}

// eachAttrView requests path(a) for every attribute probed with salt.
func (f *leakFixture) eachAttrView(t *testing.T, u *leakUser, salt int, path func(*leakAttr) string, missingPath string) leakSet {
	t.Helper()
	s := leakSet{}
	missing := f.probe(t, u, "GET", missingPath)
	f.eachAttr(func(_ *leakEvent, _ *leakObject, a *leakAttr) {
		if !f.probed(u, a.UUID, salt) {
			return
		}
		p := path(a)
		status, _, body := f.env.do(t, "GET", p, f.users[u.Key].Key, nil)
		if status != http.StatusOK {
			f.sameAsMissing(t, s, u, "GET", p, missing)
			return
		}
		at := leakDecode(t, body)["Attribute"].(obj)
		s.add("attribute", leakStr(at["uuid"]))
		f.collectTags(s, at)
	})
	return s
}

// index requests an events/index page, calls fn for each item and
// records X-Result-Count as "count <label> N".
func (f *leakFixture) index(t *testing.T, u *leakUser, method, path string, body any, fn func(obj), s leakSet, label string) {
	t.Helper()
	status, hdr, b := f.env.do(t, method, path, f.users[u.Key].Key, body)
	var list []obj
	if status != http.StatusOK || json.Unmarshal(b, &list) != nil {
		t.Fatalf("%s %s as %s: %d %s", method, path, u.Key, status, b)
	}
	s.add("count", label+" "+hdr.Get("X-Result-Count"))
	for _, item := range list {
		fn(item)
	}
}

// collectEvent names everything in an events/view answer.
func (f *leakFixture) collectEvent(s leakSet, body []byte, _ *leakEvent) {
	var out struct{ Event obj }
	if err := json.Unmarshal(body, &out); err != nil || out.Event == nil {
		s.add("malformed", string(body))
		return
	}
	ev := out.Event
	uuid := leakStr(ev["uuid"])
	s.add("event", uuid)
	f.collectEventFields(s, ev)
	f.collectTags(s, ev)
	f.collectElements(s, ev)
	for _, o := range leakList(ev["Object"]) {
		s.add("object", leakStr(o["uuid"]))
		f.collectElements(s, o)
	}
	f.collectRelated(s, ev)
	f.collectGalaxies(s, ev)
}

// collectIndexItem names an events/index item and its EventTag rows.
func (f *leakFixture) collectIndexItem(s leakSet, item obj) {
	uuid := leakStr(item["uuid"])
	s.add("event", uuid)
	f.collectEventFields(s, item)
	for _, et := range leakList(item["EventTag"]) {
		if tg, ok := et["Tag"].(obj); ok {
			s.add("tag", uuid+" "+leakStr(tg["name"]))
		}
	}
	for _, key := range []string{"Attribute", "Object"} {
		if _, ok := item[key]; ok {
			s.add("index with "+key, uuid)
		}
	}
}

// collectEventFields records event_creator_email (and whether it is the
// creator's) and a user_id, which must never be sent.
func (f *leakFixture) collectEventFields(s leakSet, ev obj) {
	uuid := leakStr(ev["uuid"])
	if email, ok := ev["event_creator_email"]; ok {
		if email == f.creatorEmail(uuid) {
			s.add("creator_email", uuid)
		} else {
			s.add("wrong creator_email", fmt.Sprintf("%s %v", uuid, email))
		}
	}
	if _, ok := ev["user_id"]; ok {
		s.add("user_id", uuid)
	}
}

func (f *leakFixture) creatorEmail(eventUUID string) string {
	for _, e := range f.Events {
		if e.UUID == eventUUID {
			return f.users[e.Creator].User.Email
		}
	}
	return ""
}

// collectElements names the Attribute (with tags) and ObjectReference
// lists of an event or object.
func (f *leakFixture) collectElements(s leakSet, parent obj) {
	for _, a := range leakList(parent["Attribute"]) {
		s.add("attribute", leakStr(a["uuid"]))
		f.collectTags(s, a)
	}
	for _, r := range leakList(parent["ObjectReference"]) {
		s.add("reference", leakStr(r["uuid"]))
	}
}

// collectTags names the Tag list of an event or attribute.
func (f *leakFixture) collectTags(s leakSet, owner obj) {
	uuid := leakStr(owner["uuid"])
	for _, tg := range leakList(owner["Tag"]) {
		s.add("tag", uuid+" "+leakStr(tg["name"]))
	}
}

func leakDecode(t *testing.T, body []byte) obj {
	t.Helper()
	var m obj
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %s", body)
	}
	return m
}

func leakList(v any) []obj {
	l, _ := v.([]any)
	out := make([]obj, 0, len(l))
	for _, x := range l {
		if m, ok := x.(obj); ok {
			out = append(out, m)
		}
	}
	return out
}

func leakStr(v any) string {
	s, _ := v.(string)
	return s
}
