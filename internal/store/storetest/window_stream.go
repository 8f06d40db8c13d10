package storetest

import (
	"fmt"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// testStreamWindows checks StreamAttributes against SearchAttributes (one
// statement) on a community shaped like the ones a stream cuts into id
// windows: a long stretch of attributes no search below matches, dense
// and sparse stretches, attributes hidden from one organisation or the
// other in between (element distribution, org-only and sharing-group
// events, an object attribute of a hidden object), and a deleted one.
// Every search, limit, start (AfterID) and chunk size must stream the
// same attributes in the same order, with their events and objects.
func testStreamWindows(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	sg := mustCreateSharingGroup(t, s, newSharingGroup("A and B", f.orgA, f.orgA, f.orgB))

	create := func(actor *misp.Actor, info string, dist misp.Distribution, sgID misp.Int, attrs ...*misp.Attribute) *misp.Event {
		e := newEvent(info, attrs...)
		e.Distribution, e.SharingGroupID, e.Published = dist, sgID, true
		return mustCreateEvent(t, s, actor, e)
	}
	many := func(n int, typ, category, prefix string) []*misp.Attribute {
		var attrs []*misp.Attribute
		for i := range n {
			attrs = append(attrs, newAttr(typ, category, fmt.Sprintf("%s%d", prefix, i)))
		}
		return attrs
	}
	// The stretch the network searches skip.
	create(f.a, "hashes", misp.DistributionCommunity, 0, many(40, "md5", "Payload delivery", "d41d8cd98f00b204e9800998ecf8")...)
	// Dense: every other attribute org-only, some not for IDS.
	dense := many(30, "ip-dst", "Network activity", "192.0.2.")
	for i, at := range dense {
		if i%2 == 1 {
			at.Distribution = misp.DistributionOrgOnly
		}
		at.ToIDS = i%3 != 0
	}
	obj := newObject(newObjectAttr("ip", "ip-src", "Network activity", "198.51.100.1"),
		newObjectAttr("domain", "domain", "Network activity", "obj.example.net"))
	obj.Distribution = misp.DistributionOrgOnly
	e1 := newEvent("dense", dense...)
	e1.Distribution, e1.Published, e1.Object = misp.DistributionCommunity, true, []*misp.Object{obj}
	mustCreateEvent(t, s, f.a, e1)
	// Hidden from A: org B's own event.
	create(f.b, "org B only", misp.DistributionOrgOnly, 0, many(12, "domain", "Network activity", "b-only.example.")...)
	create(f.a, "more hashes", misp.DistributionCommunity, 0, many(25, "sha1", "Payload delivery", "da39a3ee5e6b4b0d3255bfef9560")...)
	// Sparse: network attributes among hashes, in a sharing group.
	var sparse []*misp.Attribute
	for i := range 36 {
		if i%6 == 0 {
			sparse = append(sparse, newAttr("domain", "Network activity", fmt.Sprintf("sg%d.example.org", i)))
		} else {
			sparse = append(sparse, newAttr("md5", "Payload delivery", fmt.Sprintf("aa%030d", i)))
		}
	}
	sgEvent := create(f.b, "sparse", misp.DistributionSharingGrp, sg.ID, sparse...)
	if err := s.Attributes.DeleteAttribute(ctx, f.b, int64(sgEvent.Attribute[6].ID), false); err != nil {
		t.Fatalf("DeleteAttribute() = %v", err)
	}
	create(f.a, "tail", misp.DistributionCommunity, 0, many(8, "ip-src", "Network activity", "203.0.113.")...)

	network := misp.StringFilter{Any: []string{"ip-dst", "ip-src", "domain"}}
	yes := true
	searches := []struct {
		name string
		s    misp.AttributeSearch
	}{
		{"everything", misp.AttributeSearch{}},
		{"network", misp.AttributeSearch{Types: network}},
		{"network for IDS", misp.AttributeSearch{Types: network, ToIDS: &yes}},
		{"hashes", misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"md5", "sha1"}}}},
		{"no match", misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"btc"}}}},
		{"deleted too", misp.AttributeSearch{Types: network, Deleted: misp.DeletedInclude}},
	}
	for _, actor := range []struct {
		name  string
		actor *misp.Actor
	}{{"org A", f.a}, {"org B", f.b}, {"site admin", f.admin}} {
		for _, sc := range searches {
			all, err := s.AttributeSearch.SearchAttributes(ctx, actor.actor, sc.s)
			if err != nil {
				t.Fatalf("%s, %s: SearchAttributes() = %v", actor.name, sc.name, err)
			}
			starts := []int64{0}
			if len(all) > 2 {
				starts = append(starts, int64(all[len(all)/2].ID))
			}
			for _, after := range starts {
				for _, limit := range []int{0, 1, 4, 1000} {
					search := sc.s
					search.AfterID, search.Limit = after, limit
					want, err := s.AttributeSearch.SearchAttributes(ctx, actor.actor, search)
					if err != nil {
						t.Fatalf("SearchAttributes() = %v", err)
					}
					wantIDs := []misp.Int{}
					for _, at := range want {
						wantIDs = append(wantIDs, at.ID)
					}
					for _, chunk := range []int{2, 7} {
						got := []misp.Int{}
						err := s.AttributeSearch.StreamAttributes(ctx, actor.actor, search, misp.StreamOptions{Chunk: chunk}, func(h misp.AttributeHit) error {
							if h.Event == nil || h.Event.ID != h.Attribute.EventID || (h.Attribute.ObjectID != 0) != (h.Object != nil) {
								t.Errorf("hit %d lacks its context: event %v object %v", h.Attribute.ID, h.Event, h.Object)
							}
							got = append(got, h.Attribute.ID)
							return nil
						})
						if err != nil {
							t.Fatalf("StreamAttributes() = %v", err)
						}
						if d := diff(wantIDs, got); d != "" {
							t.Errorf("%s, %s, after %d, limit %d, chunk %d (-SearchAttributes +StreamAttributes):\n%s",
								actor.name, sc.name, after, limit, chunk, d)
						}
					}
				}
			}
		}
	}
}
