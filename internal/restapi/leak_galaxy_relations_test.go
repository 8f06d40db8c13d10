package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// The leak rows of what a galaxy cluster block carries besides the
// cluster: its relations (GalaxyClusterRelation) and its organisations
// (Org, Orgc), in event views (the event's and its attributes' Galaxy
// lists), events/restSearch, galaxy_clusters/view and tags/search.
//
// A relation has its own distribution and sharing group; MISP's
// GalaxyClusterRelation::buildConditions shows it, inside a cluster the
// reader sees, to site admins, to the organisation holding the source
// cluster, at distribution 1–3, and at 4 to the group's authorised
// organisations — whatever the reader may see of the target. The target
// is named by uuid (the relation's own data) and by the id of a cluster
// with that uuid the reader may see, 0 if none (MISP shows the stored
// id, which would name a cluster the reader may not see).
//
// The world is the leak matrix's organisations, sharing groups and users
// (leakDescribe) with clusters of its own: a library cluster, A's at
// distribution 0, 1 and 4 with every group, and one held by B and created
// by C at 0. Every cluster has a relation at every distribution (0, 1 and
// 4 with every group) to another cluster, in rotation, and the first one
// a relation to a cluster that does not exist. One event, shared with
// everybody, carries every cluster's tag, on itself, on a standalone
// attribute and on an object's attribute.

// leakRelation is a relation of the world: From and To are cluster keys
// (To "" for a uuid no cluster has).
type leakRelation struct {
	From, To string
	Dist     leakDist
}

// leakRelWorld is the world of TestLeakGalaxyRelations.
type leakRelWorld struct {
	*leakWorld
	Relations []*leakRelation
}

// leakRelUnknown is the target uuid of the relation to no cluster.
var leakRelUnknown = leakClusterUUID(0xdead)

func leakDescribeRelations() *leakRelWorld {
	base := leakDescribe()
	w := &leakRelWorld{leakWorld: &leakWorld{Orgs: base.Orgs, SGs: base.SGs, Users: base.Users}}
	w.Galaxies = []*leakGalaxy{{Key: "rel", UUID: leakClusterUUID(0xb1), Type: leakGalaxyType}}
	add := func(key, owner, creator string, d leakDist) {
		c := &leakCluster{Key: key, UUID: leakClusterUUID(0x100 + len(w.Clusters)), Galaxy: "rel",
			Owner: owner, Creator: creator, Dist: d, Value: "rel " + key, Synonym: "rel-syn-" + key}
		c.TagName = fmt.Sprintf("misp-galaxy:%s=%q", leakGalaxyType, c.UUID)
		w.Clusters = append(w.Clusters, c)
	}
	add("library", "", "", leakDist{Level: 3})
	add("own", "A", "A", leakDist{Level: 0})
	add("community", "A", "A", leakDist{Level: 1})
	for _, g := range w.SGs {
		add("sg"+g.Key, "A", "A", leakDist{Level: 4, SG: g.Key})
	}
	add("Bheld", "B", "C", leakDist{Level: 0})
	dists := []leakDist{{Level: 0}, {Level: 1}}
	for _, g := range w.SGs {
		dists = append(dists, leakDist{Level: 4, SG: g.Key})
	}
	for i, c := range w.Clusters {
		for j, d := range dists {
			to := w.Clusters[(i+j+1)%len(w.Clusters)]
			w.Relations = append(w.Relations, &leakRelation{From: c.Key, To: to.Key, Dist: d})
		}
	}
	w.Relations = append(w.Relations, &leakRelation{From: w.Clusters[0].Key, Dist: leakDist{Level: 3}})
	return w
}

func (w *leakRelWorld) cluster(key string) *leakCluster {
	for _, c := range w.Clusters {
		if c.Key == key {
			return c
		}
	}
	return nil
}

// leakRelFixture is the built world, with the store's ids.
type leakRelFixture struct {
	*leakFixture
	rw         *leakRelWorld
	clusterIDs map[string]int64 // cluster key → id
	event      string           // the event's uuid
	attrs      []string         // attribute uuids, one per cluster
}

func leakBuildRelations(t *testing.T, env *testEnv, w *leakRelWorld) *leakRelFixture {
	t.Helper()
	ctx := context.Background()
	f := &leakRelFixture{leakFixture: &leakFixture{leakWorld: w.leakWorld, env: env,
		orgs:  map[string]*misp.Organisation{"A": env.OrgA, "B": env.OrgB},
		users: map[string]*testUser{}, sgIDs: map[string]int64{}, ids: map[string]int64{}},
		rw: w, clusterIDs: map[string]int64{}}
	f.orgs["C"] = env.mustOrg(t, "ORGNAME-C", "33333333-3333-4333-8333-333333333333")
	for i, u := range w.Users {
		f.users[u.Key] = env.mustUser(t, u.Email, f.orgs[u.Org], u.Role, 100+i)
	}
	leakInsertSGs(t, f.leakFixture)
	leakInsertClusters(t, f.leakFixture)
	db := env.DB.SQL()
	for _, c := range w.Clusters {
		var id int64
		if err := db.QueryRowContext(ctx, leakSQL("SELECT id FROM galaxy_clusters WHERE uuid = $1"), c.UUID).Scan(&id); err != nil {
			t.Fatalf("id of cluster %s: %v", c.Key, err)
		}
		f.clusterIDs[c.Key] = id
	}
	for _, r := range w.Relations {
		from, target := w.cluster(r.From), leakRelUnknown
		if r.To != "" {
			target = w.cluster(r.To).UUID
		}
		var sg any
		if r.Dist.Level == 4 {
			sg = f.sgIDs[r.Dist.SG]
		}
		if _, err := db.ExecContext(ctx, leakSQL(`INSERT INTO galaxy_cluster_relations (galaxy_cluster_id, galaxy_cluster_uuid,
			referenced_galaxy_cluster_uuid, referenced_galaxy_cluster_type, tags, distribution, sharing_group_id, is_default)
			VALUES ($1, $2, $3, 'related-to', '[]', $4, $5, FALSE)`),
			f.clusterIDs[from.Key], from.UUID, target, r.Dist.Level, sg); err != nil {
			t.Fatalf("insert relation %s → %s: %v", r.From, r.To, err)
		}
	}

	ev := &misp.Event{UUID: leakUUID(0xe1), Info: "leak cluster relations", Date: "2026-01-10",
		ThreatLevelID: misp.ThreatLevelLow, Analysis: misp.AnalysisInitial, Distribution: misp.DistributionAll,
		Published: true, OrgcID: env.OrgA.ID}
	ob := &misp.Object{UUID: leakUUID(0xe2), Name: "leak-rel", MetaCategory: "misc",
		TemplateUUID: "a1b2c3d4-0000-4000-8000-000000000001", TemplateVersion: 1, Distribution: misp.DistributionInheritEvnt}
	relation := "text"
	for i, c := range w.Clusters {
		ev.Tag = append(ev.Tag, &misp.AttachedTag{Name: c.TagName, Local: i%2 == 1})
		tag := []*misp.AttachedTag{{Name: c.TagName}}
		ev.Attribute = append(ev.Attribute, &misp.Attribute{UUID: leakUUID(0xe100 + i), Type: "text", Category: "Other",
			Value: "rel-" + c.Key, Distribution: misp.DistributionInheritEvnt, Tag: tag})
		ob.Attribute = append(ob.Attribute, &misp.Attribute{UUID: leakUUID(0xe200 + i), Type: "text", Category: "Other",
			Value: "rel-obj-" + c.Key, Distribution: misp.DistributionInheritEvnt, ObjectRelation: &relation, Tag: tag})
		f.attrs = append(f.attrs, leakUUID(0xe100+i), leakUUID(0xe200+i))
	}
	ev.Object = []*misp.Object{ob}
	if err := env.DB.CreateEvent(ctx, f.users["A-user"].Actor(), ev, true); err != nil {
		t.Fatalf("CreateEvent: %v", err)
	}
	f.event, f.ids[ev.UUID] = ev.UUID, int64(ev.ID)
	return f
}

// relationVisible is GalaxyClusterRelation::buildConditions for a
// relation of a cluster u sees.
func (o *leakOracle) relationVisible(u *leakUser, from *leakCluster, r *leakRelation) bool {
	if u.SiteAdmin || (from.Owner != "" && from.Owner == u.Org) {
		return true
	}
	switch r.Dist.Level {
	case 1, 2, 3:
		return true
	case 4:
		return o.sgAuthorised(u, r.Dist.SG)
	}
	return false
}

// leakRelWant adds what a block of cluster c, shown to u under holder,
// carries: the cluster, its organisations' uuids ("0" for organisation
// 0, MISP's generic organisation) and the relations u may see, each with
// the id naming its target: the target's when u may see it, else 0.
func (f *leakRelFixture) want(s leakSet, o *leakOracle, u *leakUser, holder string, c *leakCluster) {
	s.add("cluster", holder+" "+c.UUID)
	org := func(key string) string {
		if key == "" {
			return "0"
		}
		return f.orgs[key].UUID
	}
	s.add("cluster_org", holder+" "+c.UUID+" "+org(c.Owner))
	s.add("cluster_orgc", holder+" "+c.UUID+" "+org(c.Creator))
	for _, r := range f.rw.Relations {
		if r.From != c.Key || !o.relationVisible(u, c, r) {
			continue
		}
		target, id := leakRelUnknown, "0"
		if r.To != "" {
			to := f.rw.cluster(r.To)
			target = to.UUID
			if o.cluster(u, to) {
				id = strconv.FormatInt(f.clusterIDs[r.To], 10)
			}
		}
		s.add("relation", fmt.Sprintf("%s %s %s -> %s %s", holder, c.UUID, r.Dist, target, id))
	}
}

// collectCluster names what a cluster block received under holder
// carries (the counterpart of want).
func (f *leakRelFixture) collectCluster(s leakSet, holder string, c obj) {
	uuid := leakStr(c["uuid"])
	s.add("cluster", holder+" "+uuid)
	s.add("cluster_org", holder+" "+uuid+" "+leakStr(dig0(c, "Org", "uuid")))
	s.add("cluster_orgc", holder+" "+uuid+" "+leakStr(dig0(c, "Orgc", "uuid")))
	sgKey := map[string]string{}
	for k, id := range f.sgIDs {
		sgKey[strconv.FormatInt(id, 10)] = k
	}
	for _, r := range leakList(c["GalaxyClusterRelation"]) {
		d := leakDist{}
		d.Level, _ = strconv.Atoi(leakStr(r["distribution"]))
		if d.Level == 4 {
			d.SG = sgKey[leakStr(r["sharing_group_id"])]
		}
		s.add("relation", fmt.Sprintf("%s %s %s -> %s %s", holder, uuid, d,
			leakStr(r["referenced_galaxy_cluster_uuid"]), leakStr(r["referenced_galaxy_cluster_id"])))
	}
}

// dig0 is m[k1][k2], nil when absent.
func dig0(m obj, k1, k2 string) any {
	inner, _ := m[k1].(obj)
	return inner[k2]
}

// collectEventClusters names the cluster blocks of an event's Galaxy
// lists and of its attributes' and its objects' attributes'.
func (f *leakRelFixture) collectEventClusters(s leakSet, ev obj) {
	holders := []obj{ev}
	holders = append(holders, leakList(ev["Attribute"])...)
	for _, o := range leakList(ev["Object"]) {
		holders = append(holders, leakList(o["Attribute"])...)
	}
	for _, h := range holders {
		for _, g := range leakList(h["Galaxy"]) {
			for _, c := range leakList(g["GalaxyCluster"]) {
				f.collectCluster(s, leakStr(h["uuid"]), c)
			}
		}
	}
}

// leakRelPaths are the read paths that show cluster blocks.
var leakRelPaths = []struct {
	name    string
	collect func(t *testing.T, f *leakRelFixture, u *leakUser) leakSet
	want    func(f *leakRelFixture, o *leakOracle, u *leakUser) leakSet
}{
	{
		name: "events/view",
		collect: func(t *testing.T, f *leakRelFixture, u *leakUser) leakSet {
			s := leakSet{}
			f.collectEventClusters(s, leakRelGet(t, f, u, "GET", "/events/view/"+f.event, nil)["Event"].(obj))
			return s
		},
		want: leakRelEventWant,
	},
	{
		name: "events/restSearch json",
		collect: func(t *testing.T, f *leakRelFixture, u *leakUser) leakSet {
			s := leakSet{}
			out := leakRelGet(t, f, u, "POST", "/events/restSearch", obj{"returnFormat": "json", "eventid": f.ids[f.event]})
			for _, item := range leakList(out["response"]) {
				f.collectEventClusters(s, item["Event"].(obj))
			}
			return s
		},
		want: leakRelEventWant,
	},
	{
		// A refused lookup answers as one of a cluster that does not exist.
		name: "galaxy_clusters/view",
		collect: func(t *testing.T, f *leakRelFixture, u *leakUser) leakSet {
			s := leakSet{}
			key := f.users[u.Key].Key
			missingStatus, _, missing := f.env.do(t, "GET", "/galaxy_clusters/view/999999", key, nil)
			for _, c := range f.rw.Clusters {
				path := "/galaxy_clusters/view/" + strconv.FormatInt(f.clusterIDs[c.Key], 10)
				status, _, body := f.env.do(t, "GET", path, key, nil)
				if status != http.StatusOK {
					var got, want obj
					if status != missingStatus || json.Unmarshal(body, &got) != nil || json.Unmarshal(missing, &want) != nil ||
						got["message"] != want["message"] || got["name"] != want["name"] {
						s.add("distinguishable", path)
					}
					continue
				}
				var out obj
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatalf("GET %s as %s: %v", path, u.Key, err)
				}
				f.collectCluster(s, "view", out["GalaxyCluster"].(obj))
			}
			return s
		},
		want: func(f *leakRelFixture, o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, c := range f.rw.Clusters {
				if o.cluster(u, c) {
					f.want(s, o, u, "view", c)
				}
			}
			return s
		},
	},
	{
		name: "tags/search strict",
		collect: func(t *testing.T, f *leakRelFixture, u *leakUser) leakSet {
			s := leakSet{}
			for _, c := range f.rw.Clusters {
				path := "/tags/search/" + url.PathEscape(c.TagName) + "/1"
				status, _, body := f.env.do(t, "GET", path, f.users[u.Key].Key, nil)
				var list []obj
				if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
					t.Fatalf("GET %s as %s: %d %s", path, u.Key, status, body)
				}
				for _, item := range list {
					if gc, ok := item["GalaxyCluster"].(obj); ok {
						f.collectCluster(s, "tag", gc)
					}
				}
			}
			return s
		},
		want: func(f *leakRelFixture, o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, c := range f.rw.Clusters {
				if o.cluster(u, c) {
					f.want(s, o, u, "tag", c)
				}
			}
			return s
		},
	},
}

// leakRelEventWant is what the event's views show u: the event and every
// attribute (all shared with everybody) with the cluster of its tags u
// may see.
func leakRelEventWant(f *leakRelFixture, o *leakOracle, u *leakUser) leakSet {
	s := leakSet{}
	for i, c := range f.rw.Clusters {
		if !o.cluster(u, c) {
			continue
		}
		for _, holder := range []string{f.event, f.attrs[2*i], f.attrs[2*i+1]} {
			f.want(s, o, u, holder, c)
		}
	}
	return s
}

// leakRelGet sends a request as u and decodes its JSON object answer.
func leakRelGet(t *testing.T, f *leakRelFixture, u *leakUser, method, path string, body any) obj {
	t.Helper()
	status, _, b := f.env.do(t, method, path, f.users[u.Key].Key, body)
	var out obj
	if status != http.StatusOK || json.Unmarshal(b, &out) != nil {
		t.Fatalf("%s %s as %s: %d %s", method, path, u.Key, status, b)
	}
	return out
}

// TestLeakGalaxyRelations checks, for every user and every path that
// shows cluster blocks, that the relations and organisations received
// are exactly those the oracle allows: no relation the reader may not
// see, no id of a target cluster the reader may not see, the cluster's
// own organisations; and that a refused cluster view looks like a
// missing one.
func TestLeakGalaxyRelations(t *testing.T) {
	env := newTestEnv(t)
	w := leakDescribeRelations()
	f := leakBuildRelations(t, env, w)
	o := &leakOracle{w: w.leakWorld}
	for _, p := range leakRelPaths {
		t.Run(p.name, func(t *testing.T) {
			for _, u := range w.Users {
				if d := p.want(f, o, u).diff(p.collect(t, f, u)); d != "" {
					t.Errorf("%s as %s (-want +got):\n%s", p.name, u.Key, d)
				}
			}
		})
	}
}

// TestLeakGalaxyRelationsCoverage checks that the world separates what
// the test claims: for every kind of relation (by its distribution) some
// user sees it and some user, seeing its cluster, does not; some user
// sees a relation whose target it may not see, and some one whose target
// it may; every user sees some cluster and, unless a site admin, misses
// one.
func TestLeakGalaxyRelationsCoverage(t *testing.T) {
	w := leakDescribeRelations()
	o := &leakOracle{w: w.leakWorld}
	type seen struct{ shown, hidden bool }
	byDist := map[string]*seen{}
	var hiddenTarget, shownTarget bool
	for _, u := range w.Users {
		var sees, misses bool
		for _, c := range w.Clusters {
			if o.cluster(u, c) {
				sees = true
			} else {
				misses = true
			}
		}
		if !sees || (!u.SiteAdmin && !misses) {
			t.Errorf("user %s: sees a cluster = %v, misses one = %v", u.Key, sees, misses)
		}
		for _, r := range w.Relations {
			from := w.cluster(r.From)
			if !o.cluster(u, from) {
				continue
			}
			s := byDist[r.Dist.String()]
			if s == nil {
				s = &seen{}
				byDist[r.Dist.String()] = s
			}
			if !o.relationVisible(u, from, r) {
				s.hidden = true
				continue
			}
			s.shown = true
			if r.To != "" {
				if o.cluster(u, w.cluster(r.To)) {
					shownTarget = true
				} else {
					hiddenTarget = true
				}
			}
		}
	}
	// Distributions 1–3 and a group listing this instance with all_orgs
	// are open to every reader.
	open := map[string]bool{"1": true, "3": true}
	for _, g := range w.SGs {
		open[leakDist{Level: 4, SG: g.Key}.String()] = g.LocalAll
	}
	for d, s := range byDist {
		if !s.shown || (!open[d] && !s.hidden) {
			t.Errorf("relations at distribution %s: shown = %v, hidden from a reader of their cluster = %v", d, s.shown, s.hidden)
		}
	}
	if !hiddenTarget || !shownTarget {
		t.Errorf("visible relations with a hidden target = %v, with a visible one = %v", hiddenTarget, shownTarget)
	}
}
