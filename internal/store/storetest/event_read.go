package storetest

import (
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

func testFindEventOptions(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	live := newAttr("ip-dst", "Network activity", "192.0.2.1")
	gone := newAttr("ip-dst", "Network activity", "192.0.2.2")
	gone.Deleted = true
	liveObj := newObject(newObjectAttr("filename", "filename", "Payload delivery", "a.exe"))
	goneObj := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.exe"))
	goneObj.Deleted, goneObj.Attribute[0].Deleted = true, true
	live.Tag = []*misp.AttachedTag{{Name: "global-attr"}, {Name: "local-attr", Local: true}}
	e := newEvent("options", live, gone)
	e.Object = []*misp.Object{liveObj, goneObj}
	e.Tag = []*misp.AttachedTag{{Name: "global"}, {Name: "local", Local: true}}
	mustCreateEvent(t, s, f.a, e)

	cases := []struct {
		name       string
		actor      *misp.Actor
		uuid       bool
		opts       misp.EventViewOptions
		wantAttrs  []string // standalone attribute values
		wantObjs   []string // first attribute value of each object
		wantTags   []string
		wantATags  []string // tags of the live attribute
		noChildren bool
	}{
		{"default", f.a, false, misp.EventViewOptions{}, []string{"192.0.2.1"}, []string{"a.exe"},
			[]string{"global", "local"}, []string{"global-attr", "local-attr"}, false},
		{"by uuid", f.a2, true, misp.EventViewOptions{}, []string{"192.0.2.1"}, []string{"a.exe"},
			[]string{"global", "local"}, []string{"global-attr", "local-attr"}, false},
		{"deleted included for owner", f.a, false, misp.EventViewOptions{Deleted: misp.DeletedInclude},
			[]string{"192.0.2.1", "192.0.2.2"}, []string{"a.exe", "b.exe"}, []string{"global", "local"},
			[]string{"global-attr", "local-attr"}, false},
		{"deleted only for owner", f.a, false, misp.EventViewOptions{Deleted: misp.DeletedOnly},
			[]string{"192.0.2.2"}, []string{"b.exe"}, []string{"global", "local"}, nil, false},
		{"deleted included for site admin", f.admin, false, misp.EventViewOptions{Deleted: misp.DeletedInclude},
			[]string{"192.0.2.1", "192.0.2.2"}, []string{"a.exe", "b.exe"}, []string{"global", "local"},
			[]string{"global-attr", "local-attr"}, false},
		{"exclude local tags", f.a, false, misp.EventViewOptions{ExcludeLocalTags: true},
			[]string{"192.0.2.1"}, []string{"a.exe"}, []string{"global"}, []string{"global-attr"}, false},
		{"metadata", f.a, false, misp.EventViewOptions{Metadata: true}, nil, nil,
			[]string{"global", "local"}, nil, true},
	}
	for _, c := range cases {
		var got *misp.Event
		var err error
		if c.uuid {
			got, err = s.Events.FindEventByUUID(ctx, c.actor, "  "+upper(e.UUID), c.opts)
		} else {
			got, err = s.Events.FindEventByID(ctx, c.actor, int64(e.ID), c.opts)
		}
		if err != nil {
			t.Fatalf("%s: find = %v", c.name, err)
		}
		var attrs, objs, atags []string
		for _, a := range got.Attribute {
			attrs = append(attrs, a.Value)
			if a.ID == live.ID {
				atags = tagNames(a.Tag)
			}
		}
		for _, o := range got.Object {
			if len(o.Attribute) > 0 {
				objs = append(objs, o.Attribute[0].Value)
			}
		}
		if d := diff(c.wantAttrs, attrs); d != "" {
			t.Errorf("%s: attributes (-want +got):\n%s", c.name, d)
		}
		if d := diff(c.wantObjs, objs); d != "" {
			t.Errorf("%s: objects (-want +got):\n%s", c.name, d)
		}
		if d := diff(c.wantTags, tagNames(got.Tag)); d != "" {
			t.Errorf("%s: event tags (-want +got):\n%s", c.name, d)
		}
		if d := diff(c.wantATags, atags); d != "" {
			t.Errorf("%s: attribute tags (-want +got):\n%s", c.name, d)
		}
		if c.noChildren && (len(got.Attribute) > 0 || len(got.Object) > 0) {
			t.Errorf("%s: metadata fetch returned %d attributes, %d objects", c.name, len(got.Attribute), len(got.Object))
		}
		if got.AttributeCount != 2 {
			t.Errorf("%s: attribute_count = %d, want 2", c.name, got.AttributeCount)
		}
	}
	_, err := s.Events.FindEventByID(ctx, f.a, 999, misp.EventViewOptions{})
	wantErr(t, "FindEventByID(999)", err, misp.ErrNotFound)
	_, err = s.Events.FindEventByUUID(ctx, f.a, misp.NewUUID(), misp.EventViewOptions{})
	wantErr(t, "FindEventByUUID(unknown)", err, misp.ErrNotFound)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func testFindEvents(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	tlp := mustCreateTag(t, s, "tlp:white")
	other := mustCreateTag(t, s, "other")

	type spec struct {
		info     string
		actor    *misp.Actor
		date     string
		threat   misp.ThreatLevel
		analysis misp.Analysis
		dist     misp.Distribution
		publish  bool
		tags     []string
		attrs    []*misp.Attribute
	}
	specs := []spec{
		{"alpha 50% off", f.a, "2026-01-10", misp.ThreatLevelHigh, misp.AnalysisInitial, misp.DistributionOrgOnly, true,
			[]string{"tlp:white"}, []*misp.Attribute{newAttr("domain|ip", "Network activity", "evil.test|192.0.2.9")}},
		{"beta", f.a, "2026-01-20", misp.ThreatLevelLow, misp.AnalysisCompleted, misp.DistributionAll, false,
			[]string{"other"}, []*misp.Attribute{newAttr("md5", "Payload delivery", "0123456789abcdef0123456789abcdef")}},
		{"gamma", f.a2, "2026-02-01", misp.ThreatLevelMedium, misp.AnalysisOngoing, misp.DistributionCommunity, false,
			[]string{"tlp:white", "other"}, nil},
		{"delta of B", f.b, "2026-01-15", misp.ThreatLevelHigh, misp.AnalysisInitial, misp.DistributionOrgOnly, true,
			[]string{"tlp:white"}, []*misp.Attribute{newAttr("domain", "Network activity", "evil.test")}},
	}
	events := map[string]*misp.Event{}
	for _, sp := range specs {
		s.Clock.Advance(1000)
		e := newEvent(sp.info, sp.attrs...)
		e.Date, e.ThreatLevelID, e.Analysis, e.Distribution = sp.date, sp.threat, sp.analysis, sp.dist
		for _, n := range sp.tags {
			e.Tag = append(e.Tag, &misp.AttachedTag{Name: n})
		}
		mustCreateEvent(t, s, sp.actor, e)
		if sp.publish {
			s.Clock.Advance(10)
			if err := s.Events.SetPublished(ctx, sp.actor, int64(e.ID), true); err != nil {
				t.Fatalf("SetPublished() = %v", err)
			}
		}
		events[sp.info] = e
	}
	// A deleted attribute does not make its event match a value search.
	gone := newAttr("ip-dst", "Network activity", "198.51.100.99")
	gone.Deleted = true
	if err := s.Attributes.CreateAttribute(ctx, f.a2, int64(events["gamma"].ID), gone, false); err != nil {
		t.Fatalf("CreateAttribute() = %v", err)
	}
	alpha, beta, gamma := events["alpha 50% off"], events["beta"], events["gamma"]

	cases := []struct {
		name      string
		actor     *misp.Actor
		f         misp.EventFilter
		want      []string
		wantTotal int64
	}{
		{"own org only", f.a, misp.EventFilter{}, []string{"alpha 50% off", "beta", "gamma"}, 3},
		{"site admin sees all", f.admin, misp.EventFilter{}, []string{"alpha 50% off", "beta", "gamma", "delta of B"}, 4},
		{"org B: its own and A's shared events", f.b, misp.EventFilter{}, []string{"beta", "gamma", "delta of B"}, 3},
		{"ids", f.a, misp.EventFilter{IDs: []int64{int64(alpha.ID), int64(events["delta of B"].ID)}}, []string{"alpha 50% off"}, 1},
		{"uuids", f.a, misp.EventFilter{UUIDs: []string{upper(beta.UUID)}}, []string{"beta"}, 1},
		{"published", f.a, misp.EventFilter{Published: ptr(true)}, []string{"alpha 50% off"}, 1},
		{"unpublished", f.a, misp.EventFilter{Published: ptr(false)}, []string{"beta", "gamma"}, 2},
		{"info substring, case-insensitive", f.a, misp.EventFilter{Info: []string{"ETA"}}, []string{"beta"}, 1},
		{"info with a LIKE character", f.a, misp.EventFilter{Info: []string{"50%"}}, []string{"alpha 50% off"}, 1},
		{"info underscore is literal", f.a, misp.EventFilter{Info: []string{"b_ta"}}, nil, 0},
		{"orgc", f.admin, misp.EventFilter{OrgcIDs: []int64{int64(f.orgB.ID)}}, []string{"delta of B"}, 1},
		{"tag", f.a, misp.EventFilter{TagSets: [][]int64{{int64(tlp.ID)}}}, []string{"alpha 50% off", "gamma"}, 2},
		{"not tag", f.a, misp.EventFilter{NotTagIDs: []int64{int64(other.ID)}}, []string{"alpha 50% off"}, 1},
		{"min timestamp", f.a, misp.EventFilter{MinTimestamp: int64(gamma.Timestamp)}, []string{"gamma"}, 1},
		{"max timestamp", f.a, misp.EventFilter{MaxTimestamp: int64(beta.Timestamp)}, []string{"alpha 50% off", "beta"}, 2},
		{"min publish timestamp", f.admin, misp.EventFilter{MinPublishTS: 1}, []string{"alpha 50% off", "delta of B"}, 2},
		{"date range", f.a, misp.EventFilter{DateFrom: "2026-01-11", DateUntil: "2026-01-31"}, []string{"beta"}, 1},
		{"distributions", f.a, misp.EventFilter{Distributions: []misp.Distribution{misp.DistributionAll, misp.DistributionCommunity}}, []string{"beta", "gamma"}, 2},
		{"threat levels", f.a, misp.EventFilter{ThreatLevels: []misp.ThreatLevel{misp.ThreatLevelHigh}}, []string{"alpha 50% off"}, 1},
		{"analyses", f.a, misp.EventFilter{Analyses: []misp.Analysis{misp.AnalysisOngoing, misp.AnalysisCompleted}}, []string{"beta", "gamma"}, 2},
		{"value, composite half", f.a, misp.EventFilter{Value: "192.0.2.9"}, []string{"alpha 50% off"}, 1},
		{"value, visible events only", f.a, misp.EventFilter{Value: "evil.test"}, []string{"alpha 50% off"}, 1},
		{"value, deleted attribute ignored", f.a, misp.EventFilter{Value: "198.51.100.99"}, nil, 0},
		{"minimal", f.a, misp.EventFilter{Minimal: true}, []string{"alpha 50% off", "beta"}, 2},
		{"sort info desc", f.a, misp.EventFilter{Sort: "info", Desc: true}, []string{"gamma", "beta", "alpha 50% off"}, 3},
		{"sort date", f.admin, misp.EventFilter{Sort: "date"}, []string{"alpha 50% off", "delta of B", "beta", "gamma"}, 4},
		{"unknown sort is id", f.a, misp.EventFilter{Sort: "id; DROP TABLE events"}, []string{"alpha 50% off", "beta", "gamma"}, 3},
		{"page 1", f.a, misp.EventFilter{Limit: 2, Page: 1}, []string{"alpha 50% off", "beta"}, 3},
		{"page 2", f.a, misp.EventFilter{Limit: 2, Page: 2}, []string{"gamma"}, 3},
		{"past the last page", f.a, misp.EventFilter{Limit: 2, Page: 5}, nil, 3},
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

	got, _, err := s.Events.FindEvents(ctx, f.a, misp.EventFilter{IDs: []int64{int64(gamma.ID)}})
	if err != nil || len(got) != 1 {
		t.Fatalf("FindEvents(gamma) = %v, %v", got, err)
	}
	g := got[0]
	wantOrg := &misp.OrgRef{ID: f.orgA.ID, Name: f.orgA.Name, UUID: f.orgA.UUID, Local: true}
	if d := diff(wantOrg, g.Org); d != "" {
		t.Errorf("index Org (-want +got):\n%s", d)
	}
	if d := diff(wantOrg, g.Orgc); d != "" {
		t.Errorf("index Orgc (-want +got):\n%s", d)
	}
	if d := diff([]*misp.AttachedTag{tlp.Attach(false, nil), other.Attach(false, nil)}, g.Tag); d != "" {
		t.Errorf("index tags (-want +got):\n%s", d)
	}
	if len(g.Attribute) != 0 || len(g.Object) != 0 || g.AttributeCount != 0 || g.UserID != f.userA2.ID {
		t.Errorf("index event: %d attributes, %d objects, count %d, user %d", len(g.Attribute), len(g.Object), g.AttributeCount, g.UserID)
	}
}
