package storetest

import (
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// indexWorld is the events of the index filter tests: A's events alpha
// (community), beta (organisation only, created by A's second user) and
// gamma (shared with the group AB), and B's delta (community). Each
// event holds attributes some users may not see: organisation-only ones,
// one in a group B is not a member of, one in an organisation-only
// object, a deleted one.
type indexWorld struct {
	*fixture
	tlp, apt, attrTag *misp.Tag
	ab, ac            *misp.SharingGroup
	alpha, beta       *misp.Event
	gamma, delta      *misp.Event
}

func newIndexWorld(t *testing.T, s *Stores) *indexWorld {
	t.Helper()
	w := &indexWorld{fixture: newFixture(t, s)}
	w.tlp = mustCreateTag(t, s, "tlp:white")
	w.apt = mustCreateTag(t, s, "APT")
	w.attrTag = mustCreateTag(t, s, "attr-tag:c2")
	mustCreateTag(t, s, "hidden-attr-tag")
	w.ab = mustCreateSharingGroup(t, s, newSharingGroup("AB", w.orgA, w.orgA, w.orgB))
	w.ac = mustCreateSharingGroup(t, s, newSharingGroup("AC", w.orgA, w.orgA, w.orgC))

	event := func(info string, dist misp.Distribution, threat misp.ThreatLevel, analysis misp.Analysis, tags []string, attrs ...*misp.Attribute) *misp.Event {
		e := newEvent(info, attrs...)
		e.Distribution, e.ThreatLevelID, e.Analysis = dist, threat, analysis
		for _, n := range tags {
			e.Tag = append(e.Tag, &misp.AttachedTag{Name: n})
		}
		return e
	}
	attr := func(typ, value string, dist misp.Distribution, comment string, tags ...string) *misp.Attribute {
		a := newAttr(typ, "Network activity", value)
		a.Distribution, a.Comment = dist, comment
		for _, n := range tags {
			a.Tag = append(a.Tag, &misp.AttachedTag{Name: n})
		}
		return a
	}
	inherit, orgOnly := misp.DistributionInheritEvnt, misp.DistributionOrgOnly

	w.alpha = event("alpha", misp.DistributionCommunity, misp.ThreatLevelHigh, misp.AnalysisInitial, []string{"tlp:white", "APT"},
		attr("ip-dst", "198.51.100.7", inherit, "C2 Server", "attr-tag:c2"),
		attr("domain", "Evil.Example", orgOnly, ""),
		attr("domain|ip", "pair.test|192.0.2.77", inherit, ""))
	hidden := newObject(newObjectAttr("filename", "filename", "Payload delivery", "object-hidden-marker.exe"))
	hidden.Distribution = orgOnly
	w.alpha.Object = []*misp.Object{hidden}
	mustCreateEvent(t, s, w.a, w.alpha)

	w.beta = event("beta phish", orgOnly, misp.ThreatLevelLow, misp.AnalysisCompleted, []string{"APT"},
		attr("url", "http://phish.test/login", inherit, ""))
	mustCreateEvent(t, s, w.a2, w.beta)

	inAC := attr("text", "sg-hidden-marker", misp.DistributionSharingGrp, "")
	inAC.Category, inAC.SharingGroupID = "Other", w.ac.ID
	secret := attr("text", "secret-marker", orgOnly, "", "hidden-attr-tag")
	secret.Category = "Other"
	gone := attr("text", "deleted-marker", inherit, "")
	gone.Category, gone.Deleted = "Other", true
	w.gamma = event("gamma", misp.DistributionSharingGrp, misp.ThreatLevelMedium, misp.AnalysisOngoing, []string{"tlp:white"},
		attr("md5", "d41d8cd98f00b204e9800998ecf8427e", inherit, ""), secret, inAC, gone)
	w.gamma.Attribute[0].Category = "Payload delivery"
	w.gamma.SharingGroupID = w.ab.ID
	mustCreateEvent(t, s, w.a, w.gamma)

	w.delta = event("delta of B", misp.DistributionCommunity, misp.ThreatLevelHigh, misp.AnalysisInitial, nil,
		attr("ip-src", "203.0.113.5", inherit, "Scanner"))
	mustCreateEvent(t, s, w.b, w.delta)
	return w
}

// testFindEventsFilters checks every events/index filter of
// misp.EventFilter alone and combined: the exact events, their order and
// the total, paged and not.
func testFindEventsFilters(t *testing.T, s *Stores) {
	ctx := t.Context()
	w := newIndexWorld(t, s)
	id := func(e *misp.Event) int64 { return int64(e.ID) }
	const (
		alpha, beta, gamma, delta = "alpha", "beta phish", "gamma", "delta of B"
	)
	cases := []struct {
		name      string
		actor     *misp.Actor
		f         misp.EventFilter
		want      []string
		wantTotal int64
	}{
		{"A sees", w.a, misp.EventFilter{}, []string{alpha, beta, gamma, delta}, 4},
		{"B sees", w.b, misp.EventFilter{}, []string{alpha, gamma, delta}, 3},

		{"not ids", w.a, misp.EventFilter{NotIDs: []int64{id(w.alpha), id(w.delta)}}, []string{beta, gamma}, 2},
		{"not uuids", w.a, misp.EventFilter{NotUUIDs: []string{upper(w.beta.UUID)}}, []string{alpha, gamma, delta}, 3},
		{"ids and not ids", w.a, misp.EventFilter{IDs: []int64{id(w.alpha), id(w.beta)}, NotIDs: []int64{id(w.alpha)}}, []string{beta}, 1},
		{"ids and uuids are ANDed", w.a, misp.EventFilter{IDs: []int64{id(w.alpha)}, UUIDs: []string{w.beta.UUID}}, nil, 0},

		{"info any", w.a, misp.EventFilter{Info: []string{"ALP", "gam"}}, []string{alpha, gamma}, 2},
		{"info none", w.a, misp.EventFilter{NotInfo: []string{"phish", "B"}}, []string{alpha, gamma}, 2},
		{"info any and none", w.a, misp.EventFilter{Info: []string{"a"}, NotInfo: []string{"mm"}}, []string{alpha, beta, delta}, 3},
		{"info none, LIKE characters literal", w.a, misp.EventFilter{NotInfo: []string{"_"}}, []string{alpha, beta, gamma, delta}, 4},

		{"not orgc", w.a, misp.EventFilter{NotOrgcIDs: []int64{int64(w.orgA.ID)}}, []string{delta}, 1},
		{"orgc and not orgc", w.admin, misp.EventFilter{OrgcIDs: []int64{int64(w.orgA.ID), int64(w.orgB.ID)}, NotOrgcIDs: []int64{int64(w.orgB.ID)}},
			[]string{alpha, beta, gamma}, 3},

		{"tags any", w.a, misp.EventFilter{TagSets: [][]int64{{int64(w.tlp.ID), int64(w.apt.ID)}}}, []string{alpha, beta, gamma}, 3},
		{"tags all", w.a, misp.EventFilter{TagSets: [][]int64{{int64(w.tlp.ID)}, {int64(w.apt.ID)}}}, []string{alpha}, 1},
		{"tags and not tags", w.a, misp.EventFilter{TagSets: [][]int64{{int64(w.tlp.ID)}}, NotTagIDs: []int64{int64(w.apt.ID)}}, []string{gamma}, 1},
		{"attribute tags are not event tags", w.a, misp.EventFilter{TagSets: [][]int64{{int64(w.attrTag.ID)}}}, nil, 0},
		{"empty tag set", w.a, misp.EventFilter{TagSets: [][]int64{{}}}, nil, 0},

		{"not distribution", w.a, misp.EventFilter{NotDistributions: []misp.Distribution{misp.DistributionCommunity}}, []string{beta, gamma}, 2},
		{"distribution and not", w.a, misp.EventFilter{Distributions: []misp.Distribution{misp.DistributionCommunity, misp.DistributionOrgOnly},
			NotDistributions: []misp.Distribution{misp.DistributionOrgOnly}}, []string{alpha, delta}, 2},
		{"not threat level", w.a, misp.EventFilter{NotThreatLevels: []misp.ThreatLevel{misp.ThreatLevelHigh, misp.ThreatLevelLow}}, []string{gamma}, 1},
		{"not analysis", w.a, misp.EventFilter{NotAnalyses: []misp.Analysis{misp.AnalysisInitial}}, []string{beta, gamma}, 2},
		{"sharing group", w.b, misp.EventFilter{SharingGroupIDs: []int64{int64(w.ab.ID), int64(w.ac.ID)}}, []string{gamma}, 1},
		{"not sharing group", w.a, misp.EventFilter{NotSharingGroupIDs: []int64{int64(w.ab.ID)}}, []string{alpha, beta, delta}, 3},

		{"attribute substring", w.a, misp.EventFilter{Attribute: []string{"198.51.100"}}, []string{alpha}, 1},
		{"attribute case-insensitive", w.a, misp.EventFilter{Attribute: []string{"PHISH.TEST", "evil.example"}}, []string{alpha, beta}, 2},
		{"attribute value2", w.a, misp.EventFilter{Attribute: []string{"192.0.2.7"}}, []string{alpha}, 1},
		{"attribute any", w.a, misp.EventFilter{Attribute: []string{"phish", "203.0.113"}}, []string{beta, delta}, 2},
		{"attribute underscore literal", w.a, misp.EventFilter{Attribute: []string{"198.51.100._"}}, nil, 0},
		{"attribute deleted ignored", w.a, misp.EventFilter{Attribute: []string{"deleted-marker"}}, nil, 0},
		{"attribute none", w.a, misp.EventFilter{NotAttribute: []string{"198.51", "phish"}}, []string{gamma, delta}, 2},
		{"attribute none, deleted ignored", w.a, misp.EventFilter{NotAttribute: []string{"deleted-marker"}}, []string{alpha, beta, gamma, delta}, 4},
		{"attribute any and none", w.a, misp.EventFilter{Attribute: []string{"e", "203"}, NotAttribute: []string{"evil"}}, []string{beta, gamma, delta}, 3},
		{"attribute: B cannot see A's org-only value", w.b, misp.EventFilter{Attribute: []string{"Evil"}}, nil, 0},
		{"attribute any and none for B", w.b, misp.EventFilter{Attribute: []string{"e", "203"}, NotAttribute: []string{"evil"}}, []string{alpha, gamma, delta}, 3},

		{"quick: info", w.a, misp.EventFilter{Quick: []string{"ALPHA"}}, []string{alpha}, 1},
		{"quick: uuid", w.a, misp.EventFilter{Quick: []string{upper(w.beta.UUID[9:23])}}, []string{beta}, 1},
		{"quick: creator org name", w.a, misp.EventFilter{Quick: []string{"org b"}}, []string{delta}, 1},
		{"quick: event tag", w.a, misp.EventFilter{Quick: []string{"TLP:WH"}}, []string{alpha, gamma}, 2},
		{"quick: attribute value", w.a, misp.EventFilter{Quick: []string{"d41d8cd9"}}, []string{gamma}, 1},
		{"quick: attribute value2", w.a, misp.EventFilter{Quick: []string{"192.0.2.77"}}, []string{alpha}, 1},
		{"quick: attribute comment", w.a, misp.EventFilter{Quick: []string{"c2 server"}}, []string{alpha}, 1},
		{"quick: attribute tag", w.a, misp.EventFilter{Quick: []string{"attr-tag:"}}, []string{alpha}, 1},
		{"quick: any term", w.a, misp.EventFilter{Quick: []string{"phish", "scanner"}}, []string{beta, delta}, 2},
		{"quick: a whole term, | is no separator", w.a, misp.EventFilter{Quick: []string{"phish|scanner"}}, nil, 0},
		{"quick: deleted attribute ignored", w.a, misp.EventFilter{Quick: []string{"deleted-marker"}}, nil, 0},
		{"quick: LIKE characters literal", w.a, misp.EventFilter{Quick: []string{"%"}}, nil, 0},

		{"has proposal", w.a, misp.EventFilter{HasProposal: ptr(true)}, nil, 0},
		{"has no proposal", w.a, misp.EventFilter{HasProposal: ptr(false)}, []string{alpha, beta, gamma, delta}, 4},

		{"created by actor", w.a, misp.EventFilter{CreatedByActor: true}, []string{alpha, gamma}, 2},
		{"created by actor, other user", w.a2, misp.EventFilter{CreatedByActor: true}, []string{beta}, 1},
		{"creator e-mail, site admin", w.admin, misp.EventFilter{CreatorEmails: []string{"ANNA@", "bob"}}, []string{beta, delta}, 2},
		{"creator e-mail none, site admin", w.admin, misp.EventFilter{NotCreatorEmails: []string{"alice"}}, []string{beta, delta}, 2},
		{"creator e-mail unknown, site admin", w.admin, misp.EventFilter{CreatorEmails: []string{"nobody"}}, nil, 0},
		{"creator e-mail, not a site admin", w.a, misp.EventFilter{CreatorEmails: []string{"alice"}}, nil, 0},
		{"creator e-mail none, not a site admin", w.a, misp.EventFilter{NotCreatorEmails: []string{"nobody"}}, nil, 0},

		{"combined", w.a, misp.EventFilter{TagSets: [][]int64{{int64(w.tlp.ID)}}, Attribute: []string{"d41d8"},
			NotDistributions: []misp.Distribution{misp.DistributionOrgOnly}, NotInfo: []string{"alpha"}, Quick: []string{"gam"}},
			[]string{gamma}, 1},
		{"combined, B", w.b, misp.EventFilter{NotAttribute: []string{"secret"}, NotOrgcIDs: []int64{int64(w.orgB.ID)}, Quick: []string{"a"}},
			[]string{alpha, gamma}, 2},
		{"paged: attribute none", w.a, misp.EventFilter{NotAttribute: []string{"phish"}, Limit: 2, Page: 1}, []string{alpha, gamma}, 3},
		{"paged: attribute none, page 2", w.a, misp.EventFilter{NotAttribute: []string{"phish"}, Limit: 2, Page: 2}, []string{delta}, 3},
		{"paged: quick", w.b, misp.EventFilter{Quick: []string{"a"}, Limit: 1, Page: 2, Sort: "info", Desc: true}, []string{delta}, 3},
		{"paged: past the last page", w.b, misp.EventFilter{Attribute: []string{"e", "203"}, Limit: 1, Page: 9}, nil, 3},
	}
	for _, c := range cases {
		got, total, err := s.Events.FindEvents(ctx, c.actor, c.f)
		if err != nil {
			t.Errorf("FindEvents(%s) = %v", c.name, err)
			continue
		}
		if d := diff(c.want, infos(got)); d != "" || total != c.wantTotal {
			t.Errorf("FindEvents(%s): total %d, want %d; events (-want +got):\n%s", c.name, total, c.wantTotal, d)
		}
	}
}

// testFindEventsFilterLeaks checks that no attribute filter lets a user
// learn anything about an attribute it may not see: searching for the
// value or tag of an organisation-only attribute, one in a group the
// user is not a member of, or one in an organisation-only object finds
// no event and counts none, paged or not, and excluding it excludes no
// event. The owner organisation and site admins find them.
func testFindEventsFilterLeaks(t *testing.T, s *Stores) {
	ctx := t.Context()
	w := newIndexWorld(t, s)
	hidden := []struct {
		term  string // a substring of the value, or the tag's name
		value string // the whole value; "" for a tag
		event string
	}{
		{"evil.EXAMPLE", "Evil.Example", "alpha"},
		{"object-hidden-marker", "object-hidden-marker.exe", "alpha"},
		{"secret-mark", "secret-marker", "gamma"},
		{"sg-hidden-mark", "sg-hidden-marker", "gamma"},
		{"hidden-attr-tag", "", "gamma"},
	}
	actors := []struct {
		name  string
		actor *misp.Actor
		sees  bool // the hidden attributes
	}{{"A", w.a, true}, {"B", w.b, false}, {"sync B", w.syncB, false}, {"admin", w.admin, true}}
	for _, h := range hidden {
		for _, u := range actors {
			all, _, err := s.Events.FindEvents(ctx, u.actor, misp.EventFilter{})
			if err != nil {
				t.Fatalf("FindEvents() = %v", err)
			}
			var want, rest []string // rest: the events without the attribute
			for _, e := range all {
				if u.sees && e.Info == h.event {
					want = append(want, e.Info)
				} else {
					rest = append(rest, e.Info)
				}
			}
			if !u.sees && len(all) != 3 {
				t.Fatalf("%s sees %v, want alpha, gamma, delta", u.name, infos(all))
			}
			type query struct {
				name string
				f    misp.EventFilter
				want []string
			}
			queries := []query{
				{"all", misp.EventFilter{Quick: []string{h.term}}, want},
				{"all, paged", misp.EventFilter{Quick: []string{h.term}, Limit: 1}, want},
			}
			if h.value != "" {
				queries = append(queries,
					query{"attribute", misp.EventFilter{Attribute: []string{h.term}}, want},
					query{"attribute, paged", misp.EventFilter{Attribute: []string{h.term}, Limit: 1}, want},
					query{"value", misp.EventFilter{Value: h.value}, want},
					query{"value, paged", misp.EventFilter{Value: h.value, Limit: 1}, want},
					query{"not attribute", misp.EventFilter{NotAttribute: []string{h.term}}, rest},
					query{"not attribute, paged", misp.EventFilter{NotAttribute: []string{h.term}, Limit: 1, Page: 2}, rest[1:2]})
			}
			for _, q := range queries {
				got, total, err := s.Events.FindEvents(ctx, u.actor, q.f)
				if err != nil {
					t.Errorf("%s: FindEvents(%s %q) = %v", u.name, q.name, h.term, err)
					continue
				}
				wantTotal := int64(len(q.want))
				switch {
				case q.name == "not attribute, paged":
					wantTotal = int64(len(rest))
				case q.f.Limit > 0:
					wantTotal = int64(len(want))
					if len(q.want) > 1 {
						q.want = q.want[:1]
					}
				}
				if d := diff(q.want, infos(got)); d != "" || total != wantTotal {
					t.Errorf("%s: FindEvents(%s %q): total %d, want %d; events (-want +got):\n%s", u.name, q.name, h.term, total, wantTotal, d)
				}
			}
		}
	}
}
