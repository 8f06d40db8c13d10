package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The galaxy rows of the leak matrix. Every event of the world carries
// the tag of every cluster below and every attribute one of them, so
// the event views (collectGalaxies, called by collectEvent; fullEvent
// expects it) show, for each tag, the cluster the reader may see; and
// the tags/search path looks the tags up by name, by a name pattern and
// by the clusters' values and synonyms. The rule is
// misp-access-control §8.6 (GalaxyCluster::buildConditions), as
// leakOracle.cluster states it.

// leakGalaxy is a galaxy: clusters of the same type may live in several.
type leakGalaxy struct {
	Key, UUID, Type string
}

// leakCluster is a galaxy cluster. Owner is its org_id and Creator its
// orgc_id (organisation keys, "" for a library cluster: organisation 0).
// Distribution 5 does not exist for clusters (MISP validates 0–4).
type leakCluster struct {
	Key, UUID, Galaxy       string
	Value, Synonym, TagName string
	Owner, Creator          string
	Dist                    leakDist
}

// leakGalaxyType is the type of the world's galaxies.
const leakGalaxyType = "leak-actor"

// leakClusterUUID is the uuid of the n-th cluster or galaxy.
func leakClusterUUID(n int) string { return fmt.Sprintf("c1a5e000-0000-4000-8000-%012x", n) }

// leakDescribeClusters adds the galaxies and clusters: a library cluster
// (organisation 0, distribution 3); custom clusters of A at distribution
// 0 and 1 and at 4 with every sharing group; one held by B but created by
// C at distribution 0 (the holder, not the creator, owns it); and a tag
// naming two clusters, a library one and, later, one of A's own at
// distribution 0 — event views show the last the reader may see,
// tags/search the first. Custom clusters are tagged by uuid, as MISP tags
// them.
func leakDescribeClusters(w *leakWorld) {
	w.Galaxies = []*leakGalaxy{
		{Key: "actor", UUID: leakClusterUUID(0xa1), Type: leakGalaxyType},
		{Key: "actor2", UUID: leakClusterUUID(0xa2), Type: leakGalaxyType},
	}
	n := 0
	add := func(key, galaxy, owner, creator string, d leakDist, tagValue string) {
		n++
		c := &leakCluster{Key: key, UUID: leakClusterUUID(n), Galaxy: galaxy, Owner: owner, Creator: creator, Dist: d,
			Value: "leak " + key + " actor", Synonym: "leak-syn-" + key}
		if tagValue == "" {
			tagValue = c.UUID
		}
		c.TagName = fmt.Sprintf("misp-galaxy:%s=%q", leakGalaxyType, tagValue)
		w.Clusters = append(w.Clusters, c)
	}
	add("library", "actor", "", "", leakDist{Level: 3}, "leak library actor")
	add("own", "actor", "A", "A", leakDist{Level: 0}, "")
	add("community", "actor", "A", "A", leakDist{Level: 1}, "")
	for _, g := range w.SGs {
		add("sg"+g.Key, "actor", "A", "A", leakDist{Level: 4, SG: g.Key}, "")
	}
	add("Bheld", "actor", "B", "C", leakDist{Level: 0}, "")
	add("dup-library", "actor", "", "", leakDist{Level: 3}, "leak dup actor")
	add("dup-own", "actor2", "A", "A", leakDist{Level: 0}, "leak dup actor")
}

// leakAttachClusters tags every event with every cluster's tag, local or
// not by turns, and each attribute with one of them, in rotation, so that
// every tag lands on attributes of every distribution.
func leakAttachClusters(w *leakWorld) {
	tags := w.clusterTags()
	for i, e := range w.Events {
		for j, tag := range tags {
			e.Tags = append(e.Tags, leakEventTag{Name: tag, Local: (i+j)%2 == 1})
		}
		k := i
		for _, a := range e.Attrs {
			a.GalaxyTag = tags[k%len(tags)]
			k++
		}
		for _, ob := range e.Objects {
			for _, a := range ob.Attrs {
				a.GalaxyTag = tags[k%len(tags)]
				k++
			}
		}
	}
}

// clusterTags lists the clusters' distinct tag names, in cluster order.
func (w *leakWorld) clusterTags() []string {
	var out []string
	for _, c := range w.Clusters {
		if !slices.Contains(out, c.TagName) {
			out = append(out, c.TagName)
		}
	}
	return out
}

// leakInsertClusters stores the galaxies, clusters and their synonyms
// with plain INSERTs (custom clusters cannot be added through the API
// yet), clusters in world order so that their ids follow it.
func leakInsertClusters(t *testing.T, f *leakFixture) {
	t.Helper()
	ctx := context.Background()
	db := f.env.DB.SQL()
	galaxyIDs := map[string]int64{}
	for _, g := range f.Galaxies {
		var id int64
		if err := db.QueryRowContext(ctx, leakSQL(`INSERT INTO galaxies (uuid, name, type, description, version)
			VALUES ($1, $2, $3, 'leak matrix', 1) RETURNING id`), g.UUID, "leak "+g.Key, g.Type).Scan(&id); err != nil {
			t.Fatalf("insert galaxy %s: %v", g.Key, err)
		}
		galaxyIDs[g.Key] = id
	}
	orgID := func(key string) int64 {
		if key == "" {
			return 0
		}
		return int64(f.orgs[key].ID)
	}
	for _, c := range f.Clusters {
		var sg any
		if c.Dist.Level == 4 {
			sg = f.sgIDs[c.Dist.SG]
		}
		var id int64
		err := db.QueryRowContext(ctx, leakSQL(`INSERT INTO galaxy_clusters (uuid, type, value, tag_name, galaxy_id,
			version, distribution, sharing_group_id, org_id, orgc_id, is_default, published)
			VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, TRUE) RETURNING id`),
			c.UUID, leakGalaxyType, c.Value, c.TagName, galaxyIDs[c.Galaxy], c.Dist.Level, sg,
			orgID(c.Owner), orgID(c.Creator), c.Owner == "").Scan(&id)
		if err != nil {
			t.Fatalf("insert cluster %s: %v", c.Key, err)
		}
		if _, err := db.ExecContext(ctx, leakSQL(`INSERT INTO galaxy_elements (galaxy_cluster_id, key, value)
			VALUES ($1, 'synonyms', $2)`), id, c.Synonym); err != nil {
			t.Fatalf("insert synonym of cluster %s: %v", c.Key, err)
		}
	}
}

// cluster is §8.6, GalaxyCluster::buildConditions: site admins, the
// organisation holding the cluster (org_id, not the creator),
// distributions 1–3 for everybody and 4 for the group's authorised
// organisations (§2: owning the group does not count).
func (o *leakOracle) cluster(u *leakUser, c *leakCluster) bool {
	if u.SiteAdmin || (c.Owner != "" && c.Owner == u.Org) {
		return true
	}
	switch c.Dist.Level {
	case 1, 2, 3:
		return true
	case 4:
		return o.sgAuthorised(u, c.Dist.SG)
	}
	return false
}

// shownCluster is the cluster a tag attaches for u: of the clusters with
// that tag name (compared case-insensitively) that u may see, the last
// (last, as event views: Event::__attachGalaxies keys them by tag, keeping
// the last) or the first (as tags/search: GalaxyCluster::getCluster);
// nil when u may see none.
func (o *leakOracle) shownCluster(u *leakUser, tag string, last bool) *leakCluster {
	var shown *leakCluster
	for _, c := range o.w.Clusters {
		if !strings.EqualFold(c.TagName, tag) || !o.cluster(u, c) {
			continue
		}
		if !last {
			return c
		}
		shown = c
	}
	return shown
}

// eventClusters adds the Galaxy entries of an event view of e that u
// sees: its tags' clusters.
func (o *leakOracle) eventClusters(s leakSet, u *leakUser, e *leakEvent) {
	for _, tg := range e.Tags {
		if c := o.shownCluster(u, tg.Name, true); c != nil {
			s.add("galaxy_cluster", e.UUID+" "+c.UUID)
		}
	}
}

// attrClusters adds the Galaxy entry of attribute a in an event view.
func (o *leakOracle) attrClusters(s leakSet, u *leakUser, a *leakAttr) {
	if c := o.shownCluster(u, a.GalaxyTag, true); c != nil {
		s.add("attribute_galaxy_cluster", a.UUID+" "+c.UUID)
	}
}

// collectGalaxies names the clusters of an event view's Galaxy lists
// ("galaxy_cluster <event> <cluster>") and of its attributes' and its
// objects' attributes' ("attribute_galaxy_cluster <attribute>
// <cluster>"), checking that each cluster is one of a tag its holder
// carries.
func (f *leakFixture) collectGalaxies(s leakSet, ev obj) {
	collect := func(kind string, holder obj) {
		uuid := leakStr(holder["uuid"])
		tags := map[string]bool{}
		for _, tg := range leakList(holder["Tag"]) {
			tags[strings.ToLower(leakStr(tg["name"]))] = true
		}
		for _, g := range leakList(holder["Galaxy"]) {
			for _, c := range leakList(g["GalaxyCluster"]) {
				s.add(kind, uuid+" "+leakStr(c["uuid"]))
				if !tags[strings.ToLower(leakStr(c["tag_name"]))] {
					s.add(kind+" without its tag", uuid+" "+leakStr(c["uuid"]))
				}
			}
		}
	}
	collect("galaxy_cluster", ev)
	attrs := leakList(ev["Attribute"])
	for _, o := range leakList(ev["Object"]) {
		attrs = append(attrs, leakList(o["Attribute"])...)
	}
	for _, a := range attrs {
		collect("attribute_galaxy_cluster", a)
	}
}

// leakTagQuery is one tags/search request of the tags/search path: a term
// in the URL, strict or not.
type leakTagQuery struct {
	label, term string
	strict      bool
}

// tagQueries are the searches of the tags/search path: each cluster tag
// strictly, all galaxy tags by a name pattern, and each cluster by its
// synonym and, in upper case, by its value.
func (w *leakWorld) tagQueries() []leakTagQuery {
	var qs []leakTagQuery
	for _, tag := range w.clusterTags() {
		qs = append(qs, leakTagQuery{label: "strict " + tag, term: tag, strict: true})
	}
	pattern := "misp-galaxy:" + leakGalaxyType + "=%"
	qs = append(qs, leakTagQuery{label: "pattern " + pattern, term: pattern})
	for _, c := range w.Clusters {
		qs = append(qs, leakTagQuery{label: "synonym " + c.Synonym, term: c.Synonym},
			leakTagQuery{label: "value " + c.Value, term: strings.ToUpper(c.Value)})
	}
	return qs
}

// tagNames lists every tag of the world: events' and attributes'.
func (w *leakWorld) tagNames() []string {
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, e := range w.Events {
		for _, tg := range e.Tags {
			add(tg.Name)
		}
	}
	w.eachAttr(func(_ *leakEvent, _ *leakObject, a *leakAttr) {
		add(a.Tag)
		add(a.GalaxyTag)
	})
	return out
}

// leakLike returns whether a string is LIKE pattern, case-insensitively,
// as the stores compare.
func leakLike(pattern string) func(s string) bool {
	re := regexp.QuoteMeta(strings.ToLower(pattern))
	re = strings.NewReplacer("%", ".*", "_", ".").Replace(re)
	m := regexp.MustCompile("^(?s:" + re + ")$")
	return func(s string) bool { return m.MatchString(strings.ToLower(s)) }
}

// tagSearch adds what tags/search answers u for q (misp-rest-api §3.4,
// docs/galaxies.md "Tags with their cluster"): a strict term finds the tag
// of that name; a non-strict one the tags whose name is LIKE it and the
// tags of the clusters u may see whose value is the term or one of whose
// synonyms is LIKE it. Each galaxy tag comes with the first cluster of
// that name u may see.
func (o *leakOracle) tagSearch(s leakSet, u *leakUser, q leakTagQuery) {
	found := map[string]bool{}
	like := leakLike(q.term)
	for _, name := range o.w.tagNames() {
		if (q.strict && name == q.term) || (!q.strict && like(name)) {
			found[name] = true
		}
	}
	if !q.strict {
		for _, c := range o.w.Clusters {
			if o.cluster(u, c) && (strings.EqualFold(c.Value, q.term) || like(c.Synonym)) {
				found[c.TagName] = true
			}
		}
	}
	for name := range found {
		s.add("tag_search", q.label+" | "+name)
		if c := o.shownCluster(u, name, false); c != nil {
			s.add("tag_search_cluster", q.label+" | "+name+" "+c.UUID)
		}
	}
}

func init() {
	leakPaths = append(leakPaths, leakPath{
		name: "tags/search galaxy",
		collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
			s := leakSet{}
			for _, q := range f.tagQueries() {
				path := "/tags/search/" + url.PathEscape(q.term)
				if q.strict {
					path += "/1"
				}
				status, _, body := f.env.do(t, "GET", path, f.users[u.Key].Key, nil)
				var list []obj
				if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
					t.Fatalf("GET %s as %s: %d %s", path, u.Key, status, body)
				}
				for _, item := range list {
					tg, _ := item["Tag"].(obj)
					name := leakStr(tg["name"])
					s.add("tag_search", q.label+" | "+name)
					if c, ok := item["GalaxyCluster"].(obj); ok {
						s.add("tag_search_cluster", q.label+" | "+name+" "+leakStr(c["uuid"]))
					}
				}
			}
			return s
		},
		want: func(o *leakOracle, u *leakUser) leakSet {
			s := leakSet{}
			for _, q := range o.w.tagQueries() {
				o.tagSearch(s, u, q)
			}
			return s
		},
	})
}

// leakGalaxyCoverage checks that the world exercises the galaxy rows:
// every user sees some cluster on an event and, unless a site admin,
// misses one on an event it sees; for each cluster, some user sees it on
// an event and on an attribute and, if not everybody may see it, some
// user sees an event and an attribute carrying its tag without it; on
// tags/search, each cluster tag comes with its cluster to some user, and
// each cluster's synonym finds its tag for those who may see it and
// nothing for those who may not.
func leakGalaxyCoverage(t *testing.T, w *leakWorld, o *leakOracle) {
	t.Helper()
	type seen struct{ shown, hidden bool }
	event, attr, synonym := map[string]*seen{}, map[string]*seen{}, map[string]*seen{}
	for _, c := range w.Clusters {
		event[c.UUID], attr[c.UUID], synonym[c.UUID] = &seen{}, &seen{}, &seen{}
	}
	tagShown := map[string]bool{}
	for _, u := range w.Users {
		views := o.allEvents(u, false)
		var user seen
		for _, e := range w.Events {
			if !o.event(u, e) {
				continue
			}
			for _, c := range w.Clusters {
				if views["galaxy_cluster "+e.UUID+" "+c.UUID] {
					event[c.UUID].shown, user.shown = true, true
				} else if !o.cluster(u, c) {
					event[c.UUID].hidden, user.hidden = true, true
				}
			}
		}
		if !user.shown || (!u.SiteAdmin && !user.hidden) {
			t.Errorf("user %s: sees a cluster on an event = %v, misses one = %v: the world does not separate it", u.Key, user.shown, user.hidden)
		}
		w.eachAttr(func(e *leakEvent, ob *leakObject, a *leakAttr) {
			if !views["attribute "+a.UUID] {
				return
			}
			for _, c := range w.Clusters {
				switch {
				case c.TagName != a.GalaxyTag:
				case views["attribute_galaxy_cluster "+a.UUID+" "+c.UUID]:
					attr[c.UUID].shown = true
				case !o.cluster(u, c):
					attr[c.UUID].hidden = true
				}
			}
		})
		search := leakSet{}
		for _, q := range w.tagQueries() {
			o.tagSearch(search, u, q)
		}
		for _, c := range w.Clusters {
			if search["tag_search_cluster strict "+c.TagName+" | "+c.TagName+" "+c.UUID] {
				tagShown[c.TagName] = true
			}
			found := search["tag_search synonym "+c.Synonym+" | "+c.TagName]
			if found != o.cluster(u, c) {
				t.Errorf("tags/search of %s as %s: found = %v, want %v", c.Synonym, u.Key, found, o.cluster(u, c))
			}
			if found {
				synonym[c.UUID].shown = true
			} else {
				synonym[c.UUID].hidden = true
			}
		}
	}
	for _, c := range w.Clusters {
		everybody := true
		for _, u := range w.Users {
			everybody = everybody && o.cluster(u, c)
		}
		for _, x := range []struct {
			what string
			s    *seen
		}{{"event views", event[c.UUID]}, {"attribute views", attr[c.UUID]}, {"tags/search by synonym", synonym[c.UUID]}} {
			if !x.s.shown {
				t.Errorf("cluster %s: no user sees it in %s", c.Key, x.what)
			}
			if !everybody && !x.s.hidden {
				t.Errorf("cluster %s: no user sees its holder without it in %s", c.Key, x.what)
			}
		}
		if !tagShown[c.TagName] {
			t.Errorf("tag of cluster %s: no user gets a cluster with it from tags/search", c.Key)
		}
	}
}
