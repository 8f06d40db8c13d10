package restapi

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// The stix2 rows of the leak matrix: restSearch in both scopes with
// returnFormat stix2, which writes galaxy clusters as SDOs
// (docs/restsearch.md, "Galaxies in STIX"). A cluster SDO's identifier is
// <type>--<cluster uuid>, so the rows name the clusters of the bundle by
// uuid: every cluster SDO ("stix2_cluster <cluster>"), the clusters an
// event's report or grouping lists ("stix2_event_cluster <event>
// <cluster>") and the relationships from an attribute's or object's SDO
// to a cluster ("stix2_attribute_cluster <attribute or object>
// <cluster>"), each checked against the clusters the event views show
// the reader (leakOracle.shownCluster).
func init() {
	leakPaths = append(leakPaths,
		leakPath{
			name: "events/restSearch stix2",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				s := leakSet{}
				f.collectBundle(t, s, f.search(t, u, "/events/restSearch", obj{"returnFormat": "stix2", "limit": 100000}, s))
				return s
			},
			want: func(o *leakOracle, u *leakUser) leakSet { return o.stix2Events(u) },
		},
		leakPath{
			name: "attributes/restSearch stix2",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				s := leakSet{}
				f.collectBundle(t, s, f.search(t, u, "/attributes/restSearch", obj{"returnFormat": "stix2", "limit": 100000}, s))
				return s
			},
			want: func(o *leakOracle, u *leakUser) leakSet { return o.stix2Attributes(u) },
		},
	)
}

// collectBundle names the events (reports and groupings) and the galaxy
// clusters of a stix2 answer. A cluster SDO is one with misp-stix's
// misp:galaxy-name label; it must carry the tag of its cluster.
func (f *leakFixture) collectBundle(t *testing.T, s leakSet, body []byte) {
	t.Helper()
	var b struct {
		Objects []obj `json:"objects"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("stix2 answer is not a bundle: %v\n%s", err, body)
	}
	uuidOf := func(id string) string { _, u, _ := strings.Cut(id, "--"); return u }
	clusters := map[string]bool{} // STIX ids
	tagNames := map[string]string{}
	for _, c := range f.Clusters {
		tagNames[c.UUID] = strings.ToLower(c.TagName)
	}
	for _, o := range b.Objects {
		galaxy, tag := false, ""
		labels, _ := o["labels"].([]any)
		for _, l := range labels {
			l, _ := l.(string)
			galaxy = galaxy || strings.HasPrefix(l, "misp:galaxy-name=")
			if strings.HasPrefix(l, "misp-galaxy:") {
				tag = strings.ToLower(l)
			}
		}
		if !galaxy {
			continue
		}
		id := leakStr(o["id"])
		clusters[id] = true
		s.add("stix2_cluster", uuidOf(id))
		if want, ok := tagNames[uuidOf(id)]; !ok || tag != want {
			s.add("stix2_cluster without its tag", uuidOf(id)+" "+tag)
		}
	}
	for _, o := range b.Objects {
		switch leakStr(o["type"]) {
		case "report", "grouping":
			event := uuidOf(leakStr(o["id"]))
			s.add("event", event)
			refs, _ := o["object_refs"].([]any)
			for _, ref := range refs {
				if ref := leakStr(ref); clusters[ref] {
					s.add("stix2_event_cluster", event+" "+uuidOf(ref))
				}
			}
		case "relationship":
			if target := leakStr(o["target_ref"]); clusters[target] {
				s.add("stix2_attribute_cluster", uuidOf(leakStr(o["source_ref"]))+" "+uuidOf(target))
			}
		}
	}
}

// stix2Events is what an events/restSearch stix2 answer holds for u:
// each visible event, the clusters its tags attach and those its visible
// attributes' tags attach (an object's attributes' clusters linked to
// the object), as events/restSearch in JSON shows them.
func (o *leakOracle) stix2Events(u *leakUser) leakSet {
	s := leakSet{}
	n := 0
	for _, e := range o.w.Events {
		if !o.event(u, e) {
			continue
		}
		n++
		s.add("event", e.UUID)
		cluster := func(tag, source string) {
			if c := o.shownCluster(u, tag, true); c != nil {
				s.add("stix2_cluster", c.UUID)
				s.add("stix2_event_cluster", e.UUID+" "+c.UUID)
				if source != "" {
					s.add("stix2_attribute_cluster", source+" "+c.UUID)
				}
			}
		}
		for _, tg := range e.Tags {
			cluster(tg.Name, "")
		}
		for _, a := range e.Attrs {
			if o.attribute(u, e, nil, a) && o.live(u, e, a.Deleted, false) {
				cluster(a.GalaxyTag, a.UUID)
			}
		}
		for _, ob := range e.Objects {
			if !o.object(u, e, ob) || !o.live(u, e, ob.Deleted, false) {
				continue
			}
			for _, a := range ob.Attrs {
				if o.attribute(u, e, ob, a) && o.live(u, e, a.Deleted, false) {
					cluster(a.GalaxyTag, ob.UUID)
				}
			}
		}
	}
	s.add("count", strconv.Itoa(n))
	return s
}

// stix2Attributes is what an attributes/restSearch stix2 answer holds for
// u: the clusters of each visible live attribute, linked to it, and the
// clusters of the tags of the events of those attributes, standing alone.
func (o *leakOracle) stix2Attributes(u *leakUser) leakSet {
	s := leakSet{}
	n := 0
	events := map[*leakEvent]bool{}
	o.w.eachAttr(func(e *leakEvent, ob *leakObject, a *leakAttr) {
		if !o.attribute(u, e, ob, a) || a.Deleted {
			return
		}
		n++
		events[e] = true
		if c := o.shownCluster(u, a.GalaxyTag, true); c != nil {
			s.add("stix2_cluster", c.UUID)
			s.add("stix2_attribute_cluster", a.UUID+" "+c.UUID)
		}
	})
	for e := range events {
		for _, tg := range e.Tags {
			if c := o.shownCluster(u, tg.Name, true); c != nil {
				s.add("stix2_cluster", c.UUID)
			}
		}
	}
	s.add("count", strconv.Itoa(n))
	return s
}
