package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// testRestSearchFilters checks every restSearch filter of
// misp.AttributeSearch alone and in combination, on SearchAttributes,
// CountAttributes and StreamAttributes (exact id sets, in id order), and
// the event selection of SearchEventIDs and CountEvents, for an owner, a
// reader of another organisation, a sharing-group member and a site
// admin.
func testRestSearchFilters(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	tlp := mustCreateTag(t, s, "tlp:green")
	apt := mustCreateTag(t, s, "apt:28")
	fin := mustCreateTag(t, s, "sector:finance")
	sg := mustCreateSharingGroup(t, s, newSharingGroup("A and B", f.orgA, f.orgA, f.orgB))

	// e1: org A, community, published, tagged tlp:green; attribute tags.
	e1 := newEvent("Phishing wave",
		newAttr("ip-dst", "Network activity", "192.0.2.1"),
		newAttr("domain", "Network activity", "evil.example.com"),
		newAttr("url", "Network activity", "http://evil.example.com/login"),
		newAttr("md5", "Payload delivery", "d41d8cd98f00b204e9800998ecf8427e"),
		newAttr("ip-src", "Network activity", "2001:db8::1"))
	e1.Distribution, e1.Published, e1.Date, e1.ThreatLevelID = misp.DistributionCommunity, true, "2026-11-01", 1
	e1.Tag = []*misp.AttachedTag{{Name: tlp.Name}}
	e1.Attribute[0].Tag = []*misp.AttachedTag{{Name: apt.Name}}
	e1.Attribute[1].Tag = []*misp.AttachedTag{{Name: apt.Name}, {Name: fin.Name}}
	e1.Attribute[3].ToIDS = false
	e1.Attribute[4].Distribution = misp.DistributionOrgOnly
	first := misp.MicroTime(1_700_000_000_000_000)
	e1.Attribute[2].FirstSeen = &first
	obj := newObject(newObjectAttr("ip", "ip-dst", "Network activity", "198.51.100.7"),
		newObjectAttr("domain", "domain", "Network activity", "obj.example.net"))
	e1.Object = []*misp.Object{obj}
	// to_ids on everywhere but on the md5.
	for _, at := range append(slices.Clone(e1.Attribute), obj.Attribute...) {
		at.ToIDS = at != e1.Attribute[3]
	}
	mustCreateEvent(t, s, f.a, e1)
	// A deleted attribute of e1 (deleting unpublishes: publish again).
	gone := e1.Attribute[2]
	if err := s.Attributes.DeleteAttribute(ctx, f.a, int64(gone.ID), false); err != nil {
		t.Fatalf("DeleteAttribute() = %v", err)
	}
	republish(t, s, f.a, e1.ID)

	// e2: org B, sharing group A+B, unpublished; e3: org A, org only.
	e2 := newEvent("Botnet scan",
		newAttr("ip-dst", "Network activity", "192.0.2.1"),
		newAttr("domain", "Network activity", "scan.example.org"))
	e2.Distribution, e2.SharingGroupID, e2.Date, e2.ThreatLevelID = misp.DistributionSharingGrp, sg.ID, "2026-11-10", 3
	e2.Attribute[0].ToIDS = true
	mustCreateEvent(t, s, f.b, e2)
	s.Clock.Advance(100)
	e3 := newEvent("Internal only",
		newAttr("ip-dst", "Network activity", "192.0.2.1"),
		newAttr("text", "Other", "secret note"))
	e3.Distribution, e3.Date = misp.DistributionOrgOnly, "2026-11-20"
	mustCreateEvent(t, s, f.a, e3)

	a1, a2, a3, oa := e1.Attribute, e2.Attribute, e3.Attribute, obj.Attribute
	yes, no := true, false
	type ids = []misp.Int
	tests := []struct {
		name   string
		actor  *misp.Actor
		search misp.AttributeSearch
		want   ids
		events []misp.Int // SearchEventIDs; nil: not checked
	}{
		{"nothing, owner A", f.a, misp.AttributeSearch{}, ids{a1[0].ID, a1[1].ID, a1[3].ID, a1[4].ID, oa[0].ID, oa[1].ID, a2[0].ID, a2[1].ID, a3[0].ID, a3[1].ID},
			[]misp.Int{e1.ID, e2.ID, e3.ID}},
		{"nothing, org B", f.b, misp.AttributeSearch{}, ids{a1[0].ID, a1[1].ID, a1[3].ID, oa[0].ID, oa[1].ID, a2[0].ID, a2[1].ID},
			[]misp.Int{e1.ID, e2.ID}},
		{"nothing, org C admin", f.admin, misp.AttributeSearch{}, ids{a1[0].ID, a1[1].ID, a1[3].ID, a1[4].ID, oa[0].ID, oa[1].ID, a2[0].ID, a2[1].ID, a3[0].ID, a3[1].ID},
			[]misp.Int{e1.ID, e2.ID, e3.ID}},
		{"value OR", f.b, misp.AttributeSearch{Values: misp.StringFilter{Any: []string{"192.0.2.1", "obj.example.net"}}}, ids{a1[0].ID, oa[1].ID, a2[0].ID},
			[]misp.Int{e1.ID, e2.ID}},
		{"value NOT", f.b, misp.AttributeSearch{Values: misp.StringFilter{None: []string{"192.0.2.1"}}}, ids{a1[1].ID, a1[3].ID, oa[0].ID, oa[1].ID, a2[1].ID},
			[]misp.Int{e1.ID, e2.ID}},
		{"value LIKE", f.a, misp.AttributeSearch{Values: misp.StringFilter{Any: []string{"%EXAMPLE.com%"}}}, ids{a1[1].ID}, []misp.Int{e1.ID}},
		{"value1", f.b, misp.AttributeSearch{Value1: misp.StringFilter{Any: []string{"192.0.2.1", "%.example.ORG"}}}, ids{a1[0].ID, a2[0].ID, a2[1].ID},
			[]misp.Int{e1.ID, e2.ID}},
		{"value2 is not value1", f.b, misp.AttributeSearch{Value2: misp.StringFilter{Any: []string{"192.0.2.1"}}}, ids{}, []misp.Int{}},
		{"hidden value is not found", f.b, misp.AttributeSearch{Values: misp.StringFilter{Any: []string{"2001:db8::1", "secret note"}}}, ids{}, []misp.Int{}},
		{"type and category", f.a, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"ip-dst"}}, Categories: misp.StringFilter{Any: []string{"Network activity"}}},
			ids{a1[0].ID, oa[0].ID, a2[0].ID, a3[0].ID}, []misp.Int{e1.ID, e2.ID, e3.ID}},
		{"type NOT and LIKE", f.b, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"ip-%", "domain"}, None: []string{"domain"}}},
			ids{a1[0].ID, oa[0].ID, a2[0].ID}, nil},
		{"object relation", f.b, misp.AttributeSearch{ObjectRelations: misp.StringFilter{Any: []string{"domain"}}}, ids{oa[1].ID}, []misp.Int{e1.ID}},
		{"object relation NOT keeps standalone", f.b, misp.AttributeSearch{ObjectRelations: misp.StringFilter{None: []string{"ip"}}, Types: misp.StringFilter{Any: []string{"ip-dst"}}},
			ids{a1[0].ID, a2[0].ID}, nil},
		{"event info", f.b, misp.AttributeSearch{EventInfo: misp.StringFilter{Any: []string{"%scan%"}}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"uuid of attribute", f.b, misp.AttributeSearch{UUIDs: []string{a1[1].UUID}}, ids{a1[1].ID}, []misp.Int{e1.ID}},
		{"uuid of event", f.b, misp.AttributeSearch{UUIDs: []string{e2.UUID}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"uuid of hidden attribute", f.b, misp.AttributeSearch{UUIDs: []string{a3[0].UUID, a1[4].UUID}}, ids{}, []misp.Int{}},
		{"event id and not uuid", f.a, misp.AttributeSearch{EventIDs: []int64{int64(e1.ID), int64(e3.ID)}, NotEventUUIDs: []string{e3.UUID}},
			ids{a1[0].ID, a1[1].ID, a1[3].ID, a1[4].ID, oa[0].ID, oa[1].ID}, []misp.Int{e1.ID}},
		{"event uuid", f.b, misp.AttributeSearch{EventUUIDs: []string{e3.UUID}}, ids{}, []misp.Int{}},
		{"not event id", f.b, misp.AttributeSearch{NotEventIDs: []int64{int64(e1.ID)}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"creator org", f.a, misp.AttributeSearch{OrgcIDs: []int64{int64(f.orgB.ID)}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"not creator org", f.a, misp.AttributeSearch{NotOrgcIDs: []int64{int64(f.orgA.ID)}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"tag on event or attribute", f.b, misp.AttributeSearch{Tags: misp.TagSearch{Any: []int64{int64(tlp.ID)}}},
			ids{a1[0].ID, a1[1].ID, a1[3].ID, oa[0].ID, oa[1].ID}, []misp.Int{e1.ID}},
		{"tag on attribute", f.b, misp.AttributeSearch{Tags: misp.TagSearch{Any: []int64{int64(apt.ID)}}}, ids{a1[0].ID, a1[1].ID}, []misp.Int{e1.ID}},
		{"tags AND", f.b, misp.AttributeSearch{Tags: misp.TagSearch{All: [][]int64{{int64(apt.ID)}, {int64(fin.ID)}}}}, ids{a1[1].ID}, []misp.Int{e1.ID}},
		{"tags NOT", f.b, misp.AttributeSearch{Tags: misp.TagSearch{None: []int64{int64(apt.ID)}}}, ids{a1[3].ID, oa[0].ID, oa[1].ID, a2[0].ID, a2[1].ID},
			[]misp.Int{e1.ID, e2.ID}},
		{"tags NOT event tag", f.b, misp.AttributeSearch{Tags: misp.TagSearch{None: []int64{int64(tlp.ID)}}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"event tags: an attribute tag does not count", f.b, misp.AttributeSearch{EventTags: misp.TagSearch{Any: []int64{int64(apt.ID), int64(fin.ID)}}}, ids{}, []misp.Int{}},
		{"event tags", f.b, misp.AttributeSearch{EventTags: misp.TagSearch{All: [][]int64{{int64(tlp.ID)}}}}, ids{a1[0].ID, a1[1].ID, a1[3].ID, oa[0].ID, oa[1].ID},
			[]misp.Int{e1.ID}},
		{"event tags NOT", f.a, misp.AttributeSearch{EventTags: misp.TagSearch{None: []int64{int64(tlp.ID)}}, Types: misp.StringFilter{Any: []string{"ip-dst"}}},
			ids{a2[0].ID, a3[0].ID}, []misp.Int{e2.ID, e3.ID}},
		{"searchall: event info", f.b, misp.AttributeSearch{Searchall: []string{"%BOTNET%"}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"searchall: tag name", f.b, misp.AttributeSearch{Searchall: []string{"nothing", "apt:%"}}, ids{a1[0].ID, a1[1].ID}, []misp.Int{e1.ID}},
		{"searchall: event tag name", f.b, misp.AttributeSearch{Searchall: []string{"tlp:gr%"}}, ids{a1[0].ID, a1[1].ID, a1[3].ID, oa[0].ID, oa[1].ID}, []misp.Int{e1.ID}},
		{"searchall: value", f.a, misp.AttributeSearch{Searchall: []string{"%secret%"}}, ids{a3[1].ID}, []misp.Int{e3.ID}},
		{"searchall: hidden value", f.b, misp.AttributeSearch{Searchall: []string{"%secret%", "2001:db8::%"}}, ids{}, []misp.Int{}},
		{"date range", f.a, misp.AttributeSearch{DateFrom: "2026-11-05", DateTo: "2026-11-15"}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"event timestamp", f.a, misp.AttributeSearch{EventTimestamp: misp.Range{Min: int64(e3.Timestamp)}}, ids{a3[0].ID, a3[1].ID}, []misp.Int{e3.ID}},
		{"publish timestamp", f.b, misp.AttributeSearch{PublishTimestamp: misp.Range{Min: 1}}, ids{a1[0].ID, a1[1].ID, a1[3].ID, oa[0].ID, oa[1].ID}, []misp.Int{e1.ID}},
		{"attribute timestamp", f.b, misp.AttributeSearch{MinTimestamp: int64(a2[0].Timestamp)}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"published", f.a, misp.AttributeSearch{Published: &no}, ids{a2[0].ID, a2[1].ID, a3[0].ID, a3[1].ID}, []misp.Int{e2.ID, e3.ID}},
		{"to_ids off", f.b, misp.AttributeSearch{ToIDS: &no}, ids{a1[3].ID, a2[1].ID}, []misp.Int{e1.ID, e2.ID}},
		{"to_ids on, ip-dst", f.b, misp.AttributeSearch{ToIDS: &yes, Types: misp.StringFilter{Any: []string{"ip-dst"}}}, ids{a1[0].ID, oa[0].ID, a2[0].ID}, nil},
		{"deleted only, owner", f.a, misp.AttributeSearch{Deleted: misp.DeletedOnly}, ids{gone.ID}, []misp.Int{e1.ID}},
		{"deleted only, other org", f.b, misp.AttributeSearch{Deleted: misp.DeletedOnly}, ids{}, []misp.Int{}},
		{"first seen", f.a, misp.AttributeSearch{FirstSeen: misp.Range{Min: int64(first) - 1}, Deleted: misp.DeletedInclude}, ids{gone.ID}, []misp.Int{e1.ID}},
		{"threat level", f.b, misp.AttributeSearch{ThreatLevels: []misp.ThreatLevel{3}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		// Events are selected by their own distribution.
		{"distribution", f.a, misp.AttributeSearch{Distributions: []misp.Distribution{misp.DistributionOrgOnly}}, ids{a1[4].ID}, []misp.Int{e3.ID}},
		{"distribution, other org", f.b, misp.AttributeSearch{Distributions: []misp.Distribution{misp.DistributionOrgOnly, misp.DistributionSharingGrp}},
			ids{}, []misp.Int{e2.ID}},
		{"sharing group", f.b, misp.AttributeSearch{SharingGroupIDs: []int64{int64(sg.ID)}}, ids{a2[0].ID, a2[1].ID}, []misp.Int{e2.ID}},
		{"sharing group, outsider", f.admin, misp.AttributeSearch{SharingGroupIDs: []int64{int64(sg.ID)}, Values: misp.StringFilter{Any: []string{"scan.example.org"}}},
			ids{a2[1].ID}, []misp.Int{e2.ID}},
		{"combined", f.b, misp.AttributeSearch{Values: misp.StringFilter{Any: []string{"192.0.2.%"}}, Tags: misp.TagSearch{None: []int64{int64(apt.ID)}}, Published: &no},
			ids{a2[0].ID}, []misp.Int{e2.ID}},
		{"no actor", nil, misp.AttributeSearch{}, ids{}, []misp.Int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AttributeSearch.SearchAttributes(ctx, tc.actor, tc.search)
			if err != nil {
				t.Fatalf("SearchAttributes() = %v", err)
			}
			gotIDs := ids{}
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			if d := diff(tc.want, gotIDs); d != "" {
				t.Errorf("SearchAttributes ids (-want +got):\n%s", d)
			}
			n, err := s.AttributeSearch.CountAttributes(ctx, tc.actor, tc.search)
			if err != nil || n != int64(len(tc.want)) {
				t.Errorf("CountAttributes() = %d, %v; want %d", n, err, len(tc.want))
			}
			// A stream of chunks of 2 returns the same, in order.
			streamed := ids{}
			err = s.AttributeSearch.StreamAttributes(ctx, tc.actor, tc.search, misp.StreamOptions{Chunk: 2}, func(h misp.AttributeHit) error {
				if h.Event == nil || h.Event.ID != h.Attribute.EventID || (h.Attribute.ObjectID != 0) != (h.Object != nil) {
					t.Errorf("hit %d lacks its context: event %v object %v", h.Attribute.ID, h.Event, h.Object)
				}
				streamed = append(streamed, h.Attribute.ID)
				return nil
			})
			if err != nil {
				t.Fatalf("StreamAttributes() = %v", err)
			}
			if d := diff(tc.want, streamed); d != "" {
				t.Errorf("StreamAttributes ids (-want +got):\n%s", d)
			}
			if tc.events == nil {
				return
			}
			evs, err := s.EventSearch.SearchEventIDs(ctx, tc.actor, tc.search)
			if err != nil {
				t.Fatalf("SearchEventIDs() = %v", err)
			}
			gotEvents := []misp.Int{}
			for _, id := range evs {
				gotEvents = append(gotEvents, misp.Int(id))
			}
			if d := diff(tc.events, gotEvents); d != "" {
				t.Errorf("SearchEventIDs (-want +got):\n%s", d)
			}
			if n, err := s.EventSearch.CountEvents(ctx, tc.actor, tc.search); err != nil || n != int64(len(tc.events)) {
				t.Errorf("CountEvents() = %d, %v; want %d", n, err, len(tc.events))
			}
		})
	}

	t.Run("stream limit and offset", func(t *testing.T) {
		all, err := s.AttributeSearch.SearchAttributes(ctx, f.a, misp.AttributeSearch{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ offset, limit, chunk int }{{0, 3, 2}, {2, 5, 2}, {3, 0, 4}, {9, 5, 3}, {20, 5, 2}} {
			want := ids{}
			for i, a := range all {
				if i >= c.offset && (c.limit == 0 || i < c.offset+c.limit) {
					want = append(want, a.ID)
				}
			}
			got := ids{}
			err := s.AttributeSearch.StreamAttributes(ctx, f.a, misp.AttributeSearch{Offset: c.offset, Limit: c.limit}, misp.StreamOptions{Chunk: c.chunk},
				func(h misp.AttributeHit) error { got = append(got, h.Attribute.ID); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(want, got); d != "" {
				t.Errorf("offset %d limit %d chunk %d (-want +got):\n%s", c.offset, c.limit, c.chunk, d)
			}
			n, err := s.AttributeSearch.CountAttributes(ctx, f.a, misp.AttributeSearch{Offset: c.offset, Limit: c.limit})
			if err != nil || n != int64(len(want)) {
				t.Errorf("CountAttributes(offset %d, limit %d) = %d, %v; want the page's %d", c.offset, c.limit, n, err, len(want))
			}
		}
		evs, err := s.EventSearch.SearchEventIDs(ctx, f.a, misp.AttributeSearch{Offset: 1, Limit: 1})
		if err != nil || !slices.Equal(evs, []int64{int64(e2.ID)}) {
			t.Errorf("SearchEventIDs(offset 1, limit 1) = %v, %v; want [%d]", evs, err, e2.ID)
		}
		for _, c := range []struct{ offset, limit, want int }{{1, 1, 1}, {2, 5, 1}, {5, 5, 0}, {0, 0, 3}} {
			if n, err := s.EventSearch.CountEvents(ctx, f.a, misp.AttributeSearch{Offset: c.offset, Limit: c.limit}); err != nil || n != int64(c.want) {
				t.Errorf("CountEvents(offset %d, limit %d) = %d, %v; want %d", c.offset, c.limit, n, err, c.want)
			}
		}
	})

	t.Run("stream event tags and stop", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.AttributeSearch.StreamAttributes(ctx, f.b, misp.AttributeSearch{}, misp.StreamOptions{EventTags: true, Chunk: 3}, func(h misp.AttributeHit) error {
			if h.Event.ID == e1.ID && (len(h.Event.Tag) != 1 || h.Event.Tag[0].Name != tlp.Name) {
				t.Errorf("event tags of hit %d = %v, want [%s]", h.Attribute.ID, tagNames(h.Event.Tag), tlp.Name)
			}
			if n++; n == 4 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 4 {
			t.Errorf("StreamAttributes stopped after %d hits with %v; want 4 and the callback's error", n, err)
		}
	})
}

// testStreamRechecksContext checks that a stream, which reads the events
// and objects of a chunk after its attributes, leaves out the attributes
// of events hidden from the reader in between. The first hit's callback
// waits for the stream's stages to read ahead (they hold at most a few
// chunks), then hides every later event: the stream may still deliver
// the chunks whose context was read before, never one read after.
func testStreamRechecksContext(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	var events []*misp.Event
	for i := range 8 {
		e := newEvent("community event", newAttr("ip-dst", "Network activity", "192.0.2."+string(rune('1'+i))))
		e.Distribution, e.Published = misp.DistributionCommunity, true
		events = append(events, mustCreateEvent(t, s, f.a, e))
	}
	var got []misp.Int
	err := s.AttributeSearch.StreamAttributes(ctx, f.b, misp.AttributeSearch{}, misp.StreamOptions{Chunk: 1}, func(h misp.AttributeHit) error {
		got = append(got, h.Event.ID)
		if len(got) > 1 {
			return nil
		}
		time.Sleep(300 * time.Millisecond) // let the stages fill up
		s.Clock.Advance(10)
		for _, e := range events[1:] {
			in := &misp.Event{UUID: e.UUID, Info: "hidden", Date: e.Date, ThreatLevelID: e.ThreatLevelID, Analysis: e.Analysis,
				Distribution: misp.DistributionOrgOnly, Timestamp: e.Timestamp + 10}
			if _, err := s.Events.EditEvent(ctx, f.a, int64(e.ID), in, false); err != nil {
				t.Fatalf("EditEvent(%d) = %v", e.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("StreamAttributes() = %v", err)
	}
	// Chunk 1 is delivered; chunks 2 and 3 may have had their context
	// read before the edit; 4 and later were at most scanned, and their
	// events are hidden when their context is read.
	if len(got) < 1 || len(got) > 3 {
		t.Errorf("stream delivered events %v; want the first and at most the next two", got)
	}
	if got[0] != events[0].ID {
		t.Errorf("first hit of event %d, want %d", got[0], events[0].ID)
	}
}
