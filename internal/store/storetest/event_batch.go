package storetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

// testLoadEvents checks LoadEvents against FindEventByID, event by event:
// every actor, view option and batch size must give the events each
// would see alone, in id order, with nothing of one event in another —
// their tags, attributes, objects, references, creator emails and
// correlations — and must skip the events the actor may not see and the
// ids that do not exist.
func testLoadEvents(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newDistFixture(t, s)
	tagged := func(at *misp.Attribute, names ...string) *misp.Attribute {
		for _, n := range names {
			at.Tag = append(at.Tag, &misp.AttachedTag{Name: n})
		}
		return at
	}
	create := func(actor *misp.Actor, info string, dist misp.Distribution, sgID misp.Int, objects []*misp.Object, attrs ...*misp.Attribute) *misp.Event {
		e := newEvent(info, attrs...)
		e.Distribution, e.SharingGroupID, e.Object = dist, sgID, objects
		e.Tag = []*misp.AttachedTag{{Name: "tlp:green"}, {Name: "local:" + info, Local: true}}
		return mustCreateEvent(t, s, actor, e)
	}

	// A's community event: tagged, org-only and deleted attributes, an
	// object with a reference and an object hidden from other orgs.
	orgOnly := newAttr("ip-dst", "Network activity", "192.0.2.9")
	orgOnly.Distribution = misp.DistributionOrgOnly
	shown := newObject(newObjectAttr("md5", "md5", "Payload delivery", "b1946ac92492d2347c6236b4a3a2b1e0"),
		newObjectAttr("filename", "filename", "Payload delivery", "shared.exe"))
	hidden := newObject(newObjectAttr("filename", "filename", "Payload delivery", "secret.exe"))
	hidden.Distribution = misp.DistributionOrgOnly
	first := create(f.a, "first", misp.DistributionCommunity, 0, []*misp.Object{shown, hidden},
		tagged(newAttr("ip-dst", "Network activity", "198.51.100.7"), "kill-chain:delivery"),
		orgOnly, newAttr("domain", "Network activity", "shared.example.com"),
		tagged(newAttr("url", "Network activity", "http://shared.example.com/x"), "local-note"))
	ref := &misp.ObjectReference{ObjectID: first.Object[0].ID, ReferencedUUID: first.Attribute[0].UUID, RelationshipType: "related-to"}
	if err := s.Objects.CreateObjectReference(ctx, f.a, ref); err != nil {
		t.Fatalf("CreateObjectReference() = %v", err)
	}
	if err := s.Attributes.DeleteAttribute(ctx, f.a, int64(first.Attribute[2].ID), false); err != nil {
		t.Fatalf("DeleteAttribute() = %v", err)
	}
	create(f.a, "A only", misp.DistributionOrgOnly, 0, nil, newAttr("ip-dst", "Network activity", "198.51.100.7"))
	dist, sg := sgDist(f.bOwned)
	create(f.b, "B's group", dist, sg, nil, tagged(newAttr("domain", "Network activity", "shared.example.com"), "kill-chain:delivery"))
	acAttr := newAttr("ip-dst", "Network activity", "198.51.100.7")
	acAttr.Distribution, acAttr.SharingGroupID = sgDist(f.ac)
	create(f.c, "C's community", misp.DistributionCommunity, 0,
		[]*misp.Object{newObject(newObjectAttr("md5", "md5", "Payload delivery", "b1946ac92492d2347c6236b4a3a2b1e0"))},
		acAttr, newAttr("domain", "Network activity", "c.example.org"))
	create(f.b, "empty", misp.DistributionCommunity, 0, nil)
	last := create(f.a, "last", misp.DistributionConnected, 0, nil, newAttr("md5", "Payload delivery", "b1946ac92492d2347c6236b4a3a2b1e0"))

	var ids []int64
	for id := int64(1); id <= int64(last.ID)+2; id++ { // and two ids no event has
		ids = append(ids, id)
	}
	// Unsorted and repeated: LoadEvents reads each once, in id order.
	ids = append([]int64{int64(last.ID), 2}, ids...)
	actors := []struct {
		name  string
		actor *misp.Actor
	}{{"A", f.a}, {"B", f.b}, {"C", f.c}, {"sync B", f.syncB}, {"site admin", f.admin}}
	options := []misp.EventViewOptions{
		{},
		{Deleted: misp.DeletedInclude},
		{ExcludeLocalTags: true},
		{Metadata: true},
		{EventCorrelations: true, GranularCorrelations: true},
	}
	for _, u := range actors {
		for _, opts := range options {
			var want []*misp.Event
			for id := int64(1); id <= int64(last.ID)+2; id++ {
				e, err := s.Events.FindEventByID(ctx, u.actor, id, opts)
				if err == nil {
					want = append(want, e)
				} else if !errors.Is(err, misp.ErrNotFound) {
					t.Fatalf("FindEventByID(%d) = %v", id, err)
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s sees no event: the test proves nothing", u.name)
			}
			for _, batch := range []int{0, 1, 3} {
				var got []*misp.Event
				err := s.EventSearch.LoadEvents(ctx, u.actor, ids, opts, batch, func(e *misp.Event) error {
					got = append(got, e)
					return nil
				})
				if err != nil {
					t.Fatalf("%s, %+v, batch %d: LoadEvents() = %v", u.name, opts, batch, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s, %+v, batch %d: LoadEvents() differs from FindEventByID (-want +got):\n%s", u.name, opts, batch, diff)
				}
			}
		}
	}

	// fn's error stops the stream and is returned as it is.
	calls := 0
	stop := errors.New("stop")
	err := s.EventSearch.LoadEvents(ctx, f.admin, ids, misp.EventViewOptions{}, 1, func(*misp.Event) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("LoadEvents() with fn failing = %v after %d calls, want %v after 1", err, calls, stop)
	}
}
