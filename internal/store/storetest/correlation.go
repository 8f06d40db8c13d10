package storetest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// The tests of this file check the correlation engine (docs/correlation.md):
// which attributes correlate, that every write keeps the correlations in
// step, that a rebuild finds what the writes left, and that a correlation
// never reveals an event or attribute the reader may not see.

// correlationView is what a reader learns of one event's correlations:
// the related events' infos, and per attribute value the related
// attributes as "<event info>/<value>".
type correlationView struct {
	Events []string
	Attrs  map[string][]string
}

// viewCorrelations reads the correlations of event e as actor, with
// RelatedEvent and RelatedAttribute.
func viewCorrelations(t *testing.T, s *Stores, actor *misp.Actor, e *misp.Event) correlationView {
	t.Helper()
	got, err := s.Events.FindEventByID(t.Context(), actor, int64(e.ID),
		misp.EventViewOptions{EventCorrelations: true, GranularCorrelations: true})
	if err != nil {
		t.Fatalf("FindEventByID(%q) = %v", e.Info, err)
	}
	v := correlationView{Attrs: map[string][]string{}}
	for _, r := range got.RelatedEvent {
		v.Events = append(v.Events, r.Event.Info)
	}
	slices.Sort(v.Events)
	attrs := got.Attribute
	for _, o := range got.Object {
		attrs = append(attrs, o.Attribute...)
	}
	for _, a := range attrs {
		for _, r := range a.RelatedAttribute {
			v.Attrs[a.Value] = append(v.Attrs[a.Value], r.Info+"/"+r.Value)
		}
	}
	for _, l := range v.Attrs {
		slices.Sort(l)
	}
	return v
}

// snapshotCorrelations is everything correlations show, as a site admin:
// every event's view, the over-correlating values and the top list.
func snapshotCorrelations(t *testing.T, s *Stores, admin *misp.Actor) string {
	t.Helper()
	list, _, err := s.Events.FindEvents(t.Context(), admin, misp.EventFilter{})
	if err != nil {
		t.Fatalf("FindEvents() = %v", err)
	}
	var b strings.Builder
	for _, e := range list {
		fmt.Fprintf(&b, "%s: %+v\n", e.Info, viewCorrelations(t, s, admin, e))
	}
	over, err := s.Correlations.FindOverCorrelatingValues(t.Context(), 0, 1)
	if err != nil {
		t.Fatalf("FindOverCorrelatingValues() = %v", err)
	}
	for _, v := range over {
		fmt.Fprintf(&b, "over %s %d\n", v.Value, v.Occurrence)
	}
	top, err := s.Correlations.TopCorrelations(t.Context(), 0, 1)
	if err != nil {
		t.Fatalf("TopCorrelations() = %v", err)
	}
	for _, v := range top {
		fmt.Fprintf(&b, "top %s %d\n", v.Value, v.Count)
	}
	return b.String()
}

// rebuildMatches rebuilds the correlations and fails unless everything
// correlations show is unchanged: the writes kept them as a rebuild
// computes them.
func rebuildMatches(t *testing.T, s *Stores, admin *misp.Actor, what string) {
	t.Helper()
	before := snapshotCorrelations(t, s, admin)
	if _, err := s.Correlations.RebuildCorrelations(t.Context(), 0, nil); err != nil {
		t.Fatalf("RebuildCorrelations() = %v", err)
	}
	if d := diff(before, snapshotCorrelations(t, s, admin)); d != "" {
		t.Errorf("%s: a rebuild changed the correlations (-incremental +rebuilt):\n%s", what, d)
	}
	fresh, ok := s.Correlations.(freshRebuilder)
	if !ok {
		return
	}
	if _, err := fresh.RebuildCorrelationsFresh(t.Context(), nil); err != nil {
		t.Fatalf("RebuildCorrelationsFresh() = %v", err)
	}
	if d := diff(before, snapshotCorrelations(t, s, admin)); d != "" {
		t.Errorf("%s: a fresh rebuild changed the correlations (-incremental +rebuilt):\n%s", what, d)
	}
}

// freshRebuilder is the store's maintenance rebuild, which razmena
// correlate -rebuild -fresh runs (sqlstore.DB has it).
type freshRebuilder interface {
	RebuildCorrelationsFresh(ctx context.Context, progress func(misp.CorrelationProgress)) (misp.CorrelationProgress, error)
}

// sharedEvent returns an event of all communities with the attributes.
func sharedEvent(info string, attrs ...*misp.Attribute) *misp.Event {
	e := newEvent(info, attrs...)
	e.Distribution = misp.DistributionAll
	return e
}

func testCorrelations(t *testing.T, s *Stores) {
	f := newFixture(t, s)
	ip := func() *misp.Attribute { return newAttr("ip-dst", "Network activity", "198.51.100.7") }
	e1 := mustCreateEvent(t, s, f.a, sharedEvent("one", ip(), newAttr("domain", "Network activity", "evil.test"),
		newAttr("ip-src", "Network activity", "198.51.100.7")))
	e2 := mustCreateEvent(t, s, f.b, sharedEvent("two", ip(), newAttr("hostname", "Network activity", "evil.test")))
	e3 := mustCreateEvent(t, s, f.a, sharedEvent("three", newAttr("ip-dst", "Network activity", "203.0.113.9")))

	// Across events, whatever the type, and never within one: e1 holds
	// the address twice.
	want := correlationView{Events: []string{"two"}, Attrs: map[string][]string{
		"198.51.100.7": {"two/198.51.100.7", "two/198.51.100.7"},
		"evil.test":    {"two/evil.test"},
	}}
	if d := diff(want, viewCorrelations(t, s, f.b, e1)); d != "" {
		t.Errorf("correlations of one (-want +got):\n%s", d)
	}
	want = correlationView{Events: []string{"one"}, Attrs: map[string][]string{
		"198.51.100.7": {"one/198.51.100.7", "one/198.51.100.7"},
		"evil.test":    {"one/evil.test"},
	}}
	if d := diff(want, viewCorrelations(t, s, f.a, e2)); d != "" {
		t.Errorf("correlations of two (-want +got):\n%s", d)
	}
	if d := diff(correlationView{Attrs: map[string][]string{}}, viewCorrelations(t, s, f.a, e3)); d != "" {
		t.Errorf("correlations of three (-want +got):\n%s", d)
	}
	// Without the options, a view carries none.
	plain := mustFindEvent(t, s, f.a, e1.ID)
	if plain.RelatedEvent != nil || plain.Attribute[0].RelatedAttribute != nil {
		t.Errorf("FindEventByID without correlation options: RelatedEvent %v, RelatedAttribute %v", plain.RelatedEvent, plain.Attribute[0].RelatedAttribute)
	}

	// The RelatedEvent entry describes the event.
	got, err := s.Events.FindEventByID(t.Context(), f.a, int64(e1.ID), misp.EventViewOptions{EventCorrelations: true, Metadata: true})
	if err != nil {
		t.Fatal(err)
	}
	wantRel := []*misp.RelatedEvent{{Event: misp.RelatedEventInfo{ID: e2.ID, Date: e2.Date, ThreatLevelID: e2.ThreatLevelID,
		Info: "two", UUID: e2.UUID, Analysis: e2.Analysis, Timestamp: e2.Timestamp, Distribution: misp.DistributionAll,
		OrgID: f.orgB.ID, OrgcID: f.orgB.ID, Org: misp.OrgSummary{ID: f.orgB.ID, Name: f.orgB.Name, UUID: f.orgB.UUID},
		Orgc: misp.OrgSummary{ID: f.orgB.ID, Name: f.orgB.Name, UUID: f.orgB.UUID}}}}
	if d := diff(wantRel, got.RelatedEvent); d != "" {
		t.Errorf("RelatedEvent of one (-want +got):\n%s", d)
	}

	// attributes/restSearch's includeCorrelations lists the other
	// attributes in full, each once.
	var hits []misp.AttributeHit
	err = s.AttributeSearch.StreamAttributes(t.Context(), f.a, misp.AttributeSearch{EventIDs: []int64{int64(e2.ID)}},
		misp.StreamOptions{Correlations: true}, func(h misp.AttributeHit) error { hits = append(hits, h); return nil })
	if err != nil {
		t.Fatalf("StreamAttributes() = %v", err)
	}
	related := map[string][]string{}
	for _, h := range hits {
		for _, r := range h.Attribute.RelatedAttribute {
			if r.Detail == nil || r.Detail.Event.ID != e1.ID || r.Detail.Event.UUID != e1.UUID || r.Detail.Event.Info != "one" {
				t.Errorf("related attribute %d of %q: detail %+v, want e1's", r.ID, h.Attribute.Value, r.Detail)
				continue
			}
			related[h.Attribute.Value] = append(related[h.Attribute.Value], r.Detail.Type+" "+r.Detail.Value)
		}
	}
	wantFull := map[string][]string{"198.51.100.7": {"ip-dst 198.51.100.7", "ip-src 198.51.100.7"}, "evil.test": {"domain evil.test"}}
	if d := diff(wantFull, related); d != "" {
		t.Errorf("includeCorrelations of two (-want +got):\n%s", d)
	}
	rebuildMatches(t, s, f.admin, "basic")
}

func testCorrelationRules(t *testing.T, s *Stores) {
	f := newFixture(t, s)
	mustCreateEvent(t, s, f.a, sharedEvent("composite",
		newAttr("filename|sha256", "Payload delivery", "dropper.exe|"+strings.Repeat("ab", 32)),
		newAttr("ip-dst|port", "Network activity", "192.0.2.1|8080"),
		newAttr("comment", "Other", "no correlation here"),
		newAttr("text", "Other", "correlates as text"),
	))
	halves := mustCreateEvent(t, s, f.a, sharedEvent("halves",
		newAttr("sha256", "Payload delivery", strings.Repeat("ab", 32)),
		newAttr("filename", "Payload delivery", "dropper.exe"),
		newAttr("ip-dst", "Network activity", "192.0.2.1"),
		newAttr("ip-dst|port", "Network activity", "192.0.2.99|8080"),
		newAttr("comment", "Other", "no correlation here"),
		newAttr("text", "Other", "correlates as text"),
	))
	// Both halves of a composite value correlate, except the port of an
	// ip|port; comments never correlate.
	want := correlationView{Events: []string{"composite"}, Attrs: map[string][]string{
		strings.Repeat("ab", 32): {"composite/" + strings.Repeat("ab", 32)},
		"dropper.exe":            {"composite/dropper.exe"},
		"192.0.2.1":              {"composite/192.0.2.1"},
		"correlates as text":     {"composite/correlates as text"},
	}}
	if d := diff(want, viewCorrelations(t, s, f.a, halves)); d != "" {
		t.Errorf("correlations of halves (-want +got):\n%s", d)
	}

	// disable_correlation on the attribute.
	quiet := newAttr("domain", "Network activity", "quiet.test")
	quiet.DisableCorrelation = true
	e1 := mustCreateEvent(t, s, f.a, sharedEvent("quiet", quiet))
	e2 := mustCreateEvent(t, s, f.b, sharedEvent("loud", newAttr("domain", "Network activity", "quiet.test")))
	check := func(what string, related bool) {
		t.Helper()
		want := correlationView{Attrs: map[string][]string{}}
		if related {
			want = correlationView{Events: []string{"quiet"}, Attrs: map[string][]string{"quiet.test": {"quiet/quiet.test"}}}
		}
		if d := diff(want, viewCorrelations(t, s, f.b, e2)); d != "" {
			t.Errorf("%s: correlations of loud (-want +got):\n%s", what, d)
		}
	}
	check("attribute with disable_correlation", false)
	up := mustFindAttribute(t, s, f.a, quiet.ID)
	up.DisableCorrelation, up.Timestamp = false, 0
	if err := s.Attributes.UpdateAttribute(t.Context(), f.a, up, false); err != nil {
		t.Fatal(err)
	}
	check("disable_correlation cleared", true)

	// disable_correlation on the event, set and cleared by an edit.
	edit := func(disable bool) {
		t.Helper()
		in := mustFindEvent(t, s, f.a, e1.ID)
		in.DisableCorrelation, in.Timestamp = misp.Bool(disable), 0
		in.Attribute, in.Object = nil, nil
		if _, err := s.Events.EditEvent(t.Context(), f.a, int64(e1.ID), in, false); err != nil {
			t.Fatalf("EditEvent() = %v", err)
		}
	}
	edit(true)
	check("event with disable_correlation", false)
	rebuildMatches(t, s, f.admin, "event with disable_correlation")
	edit(false)
	check("event disable_correlation cleared", true)
	rebuildMatches(t, s, f.admin, "rules")
}

func testCorrelationExclusions(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	attrs := func() []*misp.Attribute {
		return []*misp.Attribute{
			newAttr("ip-dst", "Network activity", "10.0.0.1"),
			newAttr("domain", "Network activity", "cdn.example.test"),
			newAttr("domain", "Network activity", "evil.example"),
			newAttr("text", "Other", "100%_literal"),
			newAttr("text", "Other", "Case"),
		}
	}
	e1 := mustCreateEvent(t, s, f.a, sharedEvent("first", attrs()...))
	mustCreateEvent(t, s, f.a, sharedEvent("second", attrs()...))
	values := func() []string {
		t.Helper()
		var out []string
		for v := range viewCorrelations(t, s, f.a, e1).Attrs {
			out = append(out, v)
		}
		slices.Sort(out)
		return out
	}
	all := []string{"10.0.0.1", "100%_literal", "Case", "cdn.example.test", "evil.example"}
	if d := diff(all, values()); d != "" {
		t.Fatalf("correlating values (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		exclusion string
		gone      []string
	}{
		{"10.0.0.1", []string{"10.0.0.1"}},
		{"10.%", []string{"10.0.0.1"}},
		{"%.test", []string{"cdn.example.test"}},
		{"%example%", []string{"cdn.example.test", "evil.example"}},
		{"%0%_l%", []string{"100%_literal"}}, // "%" and "_" inside are literal
		{"%0_%", nil},
		{"case", nil}, // case-sensitive
		{"%", all},
	} {
		x := &misp.CorrelationExclusion{Value: tc.exclusion, Comment: "test"}
		if err := x.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := s.Correlations.CreateCorrelationExclusion(ctx, x); err != nil {
			t.Fatalf("CreateCorrelationExclusion(%q) = %v", tc.exclusion, err)
		}
		var want []string
		for _, v := range all {
			if !slices.Contains(tc.gone, v) {
				want = append(want, v)
			}
			if misp.ExclusionMatches(tc.exclusion, v) != slices.Contains(tc.gone, v) {
				t.Errorf("ExclusionMatches(%q, %q) disagrees with the store", tc.exclusion, v)
			}
		}
		if d := diff(want, values()); d != "" {
			t.Errorf("with exclusion %q: correlating values (-want +got):\n%s", tc.exclusion, d)
		}
		if err := s.Correlations.CleanCorrelationExclusions(ctx); err != nil {
			t.Fatalf("CleanCorrelationExclusions() = %v", err)
		}
		rebuildMatches(t, s, f.admin, "exclusion "+tc.exclusion)
		if err := s.Correlations.DeleteCorrelationExclusion(ctx, int64(x.ID)); err != nil {
			t.Fatalf("DeleteCorrelationExclusion(%q) = %v", tc.exclusion, err)
		}
		if d := diff(all, values()); d != "" {
			t.Errorf("exclusion %q deleted: correlating values (-want +got):\n%s", tc.exclusion, d)
		}
	}

	// The list itself.
	x := &misp.CorrelationExclusion{Value: "%.local", Comment: "lab hosts"}
	if err := s.Correlations.CreateCorrelationExclusion(ctx, x); err != nil {
		t.Fatal(err)
	}
	err := s.Correlations.CreateCorrelationExclusion(ctx, &misp.CorrelationExclusion{Value: "%.local"})
	wantErr(t, "CreateCorrelationExclusion(duplicate)", err, misp.ErrConflict)
	mustCreate := &misp.CorrelationExclusion{Value: "8.8.8.8"}
	if err := s.Correlations.CreateCorrelationExclusion(ctx, mustCreate); err != nil {
		t.Fatal(err)
	}
	x.Comment = "lab and test hosts"
	if err := s.Correlations.UpdateCorrelationExclusion(ctx, x); err != nil {
		t.Fatalf("UpdateCorrelationExclusion() = %v", err)
	}
	got, err := s.Correlations.FindCorrelationExclusionByID(ctx, int64(x.ID))
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(x, got); d != "" {
		t.Errorf("FindCorrelationExclusionByID (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		f    misp.CorrelationExclusionFilter
		want []string
	}{
		{misp.CorrelationExclusionFilter{}, []string{"%.local", "8.8.8.8"}},
		{misp.CorrelationExclusionFilter{Value: "8.8.8.8"}, []string{"8.8.8.8"}},
		{misp.CorrelationExclusionFilter{Quick: "TEST HOST"}, []string{"%.local"}},
		{misp.CorrelationExclusionFilter{Comment: "lab%"}, []string{"%.local"}},
	} {
		list, err := s.Correlations.FindCorrelationExclusions(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range list {
			got = append(got, x.Value)
		}
		if d := diff(tc.want, got); d != "" {
			t.Errorf("FindCorrelationExclusions(%+v) (-want +got):\n%s", tc.f, d)
		}
	}
	_, err = s.Correlations.FindCorrelationExclusionByID(ctx, 999999)
	wantErr(t, "FindCorrelationExclusionByID(missing)", err, misp.ErrNotFound)
	wantErr(t, "DeleteCorrelationExclusion(missing)", s.Correlations.DeleteCorrelationExclusion(ctx, 999999), misp.ErrNotFound)
	wantErr(t, "UpdateCorrelationExclusion(missing)",
		s.Correlations.UpdateCorrelationExclusion(ctx, &misp.CorrelationExclusion{ID: 999999}), misp.ErrNotFound)
}

func testCorrelationLimit(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	if n, err := s.Correlations.CorrelationLimit(ctx); err != nil || n != misp.DefaultCorrelationLimit {
		t.Errorf("CorrelationLimit() = %d, %v, want %d", n, err, misp.DefaultCorrelationLimit)
	}
	wantErr(t, "SetCorrelationLimit(0)", s.Correlations.SetCorrelationLimit(ctx, 0), misp.ErrInvalid)
	if err := s.Correlations.SetCorrelationLimit(ctx, 3); err != nil {
		t.Fatal(err)
	}
	const v = "popular.test"
	var events []*misp.Event
	for i := range 3 {
		events = append(events, mustCreateEvent(t, s, f.a, sharedEvent(fmt.Sprintf("holder %d", i),
			newAttr("domain", "Network activity", v), newAttr("domain", "Network activity", fmt.Sprintf("own%d.test", i)))))
	}
	over := func() []string {
		t.Helper()
		list, err := s.Correlations.FindOverCorrelatingValues(ctx, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range list {
			out = append(out, fmt.Sprintf("%s %d", o.Value, o.Occurrence))
		}
		return out
	}
	related := func(what string, want ...string) {
		t.Helper()
		if d := diff(want, viewCorrelations(t, s, f.a, events[0]).Events); d != "" {
			t.Errorf("%s: related events of holder 0 (-want +got):\n%s", what, d)
		}
	}
	related("3 holders, limit 3", "holder 1", "holder 2")
	if got := over(); len(got) != 0 {
		t.Errorf("over-correlating values with 3 holders = %v, want none", got)
	}

	// A fourth holder puts the value over the limit: it correlates no more.
	fourth := mustCreateEvent(t, s, f.b, sharedEvent("holder 3", newAttr("hostname", "Network activity", v)))
	related("4 holders")
	if d := diff([]string{v + " 4"}, over()); d != "" {
		t.Errorf("over-correlating values (-want +got):\n%s", d)
	}
	rebuildMatches(t, s, f.admin, "over the limit")
	// A fifth counts too; then two leave: one soft-deleted, one with its event.
	fifth := mustCreateEvent(t, s, f.b, sharedEvent("holder 4", newAttr("domain", "Network activity", v)))
	if d := diff([]string{v + " 5"}, over()); d != "" {
		t.Errorf("over-correlating values (-want +got):\n%s", d)
	}
	if err := s.Attributes.DeleteAttribute(ctx, f.b, int64(fifth.Attribute[0].ID), false); err != nil {
		t.Fatal(err)
	}
	if d := diff([]string{v + " 4"}, over()); d != "" {
		t.Errorf("over-correlating values after a delete (-want +got):\n%s", d)
	}
	if err := s.Events.DeleteEvent(ctx, f.b, int64(fourth.ID)); err != nil {
		t.Fatal(err)
	}
	related("back to 3 holders", "holder 1", "holder 2")
	if got := over(); len(got) != 0 {
		t.Errorf("over-correlating values back at 3 holders = %v, want none", got)
	}
	// Lowering the limit recounts at once.
	if err := s.Correlations.SetCorrelationLimit(ctx, 2); err != nil {
		t.Fatal(err)
	}
	related("limit 2")
	if d := diff([]string{v + " 3"}, over()); d != "" {
		t.Errorf("over-correlating values at limit 2 (-want +got):\n%s", d)
	}
	rebuildMatches(t, s, f.admin, "limit lowered")
	// A holder added while the value is over the limit correlates once
	// the limit is raised again.
	mustCreateEvent(t, s, f.b, sharedEvent("holder 5", newAttr("domain", "Network activity", v)))
	if err := s.Correlations.SetCorrelationLimit(ctx, 10); err != nil {
		t.Fatal(err)
	}
	related("limit raised", "holder 1", "holder 2", "holder 5")
	if got := over(); len(got) != 0 {
		t.Errorf("over-correlating values at limit 10 = %v, want none", got)
	}
	rebuildMatches(t, s, f.admin, "limit raised")
}

func testCorrelationWrites(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	base := mustCreateEvent(t, s, f.a, sharedEvent("base",
		newAttr("domain", "Network activity", "a.test"), newAttr("domain", "Network activity", "b.test"),
		newAttr("md5", "Payload delivery", strings.Repeat("1", 32))))
	other := mustCreateEvent(t, s, f.b, sharedEvent("other", newAttr("domain", "Network activity", "z.test")))
	check := func(what string, want map[string][]string) {
		t.Helper()
		if d := diff(want, viewCorrelations(t, s, f.a, base).Attrs); d != "" {
			t.Errorf("%s: correlations of base (-want +got):\n%s", what, d)
		}
		rebuildMatches(t, s, f.admin, what)
	}
	check("nothing shared", map[string][]string{})

	// attributes/add
	added := newAttr("domain", "Network activity", "a.test")
	if err := s.Attributes.CreateAttribute(ctx, f.b, int64(other.ID), added, false); err != nil {
		t.Fatal(err)
	}
	check("attribute added", map[string][]string{"a.test": {"other/a.test"}})

	// attributes/edit: the value changes
	up := mustFindAttribute(t, s, f.b, added.ID)
	up.Value, up.Timestamp = "b.test", 0
	if err := s.Attributes.UpdateAttribute(ctx, f.b, up, false); err != nil {
		t.Fatal(err)
	}
	check("attribute edited", map[string][]string{"b.test": {"other/b.test"}})

	// soft delete and restore
	if err := s.Attributes.DeleteAttribute(ctx, f.b, int64(added.ID), false); err != nil {
		t.Fatal(err)
	}
	check("attribute soft-deleted", map[string][]string{})
	if err := s.Attributes.RestoreAttribute(ctx, f.b, int64(added.ID)); err != nil {
		t.Fatal(err)
	}
	check("attribute restored", map[string][]string{"b.test": {"other/b.test"}})
	if err := s.Attributes.DeleteAttribute(ctx, f.b, int64(added.ID), true); err != nil {
		t.Fatal(err)
	}
	check("attribute hard-deleted", map[string][]string{})

	// objects/add, objects/edit, objects/delete (soft, then hard)
	o := newObject(newObjectAttr("md5", "md5", "Payload delivery", strings.Repeat("1", 32)),
		newObjectAttr("filename", "filename", "Payload delivery", "a.test"))
	if err := s.Objects.CreateObject(ctx, f.b, int64(other.ID), o, false); err != nil {
		t.Fatal(err)
	}
	check("object added", map[string][]string{"a.test": {"other/a.test"}, strings.Repeat("1", 32): {"other/" + strings.Repeat("1", 32)}})
	edited := &misp.Object{ID: o.ID, Name: o.Name, MetaCategory: o.MetaCategory, TemplateUUID: o.TemplateUUID,
		TemplateVersion: o.TemplateVersion, Distribution: o.Distribution,
		Attribute: []*misp.Attribute{{UUID: o.Attribute[1].UUID, Type: "filename", Category: "Payload delivery",
			Value: "b.test", ObjectRelation: o.Attribute[1].ObjectRelation, Distribution: misp.DistributionInheritEvnt}}}
	if _, err := s.Objects.UpdateObject(ctx, f.b, edited, false); err != nil {
		t.Fatal(err)
	}
	check("object edited", map[string][]string{"b.test": {"other/b.test"}, strings.Repeat("1", 32): {"other/" + strings.Repeat("1", 32)}})
	if err := s.Objects.DeleteObject(ctx, f.b, int64(o.ID), false); err != nil {
		t.Fatal(err)
	}
	check("object soft-deleted", map[string][]string{})

	// events/edit: a new attribute and a changed one
	in := mustFindEvent(t, s, f.b, other.ID)
	in.Timestamp = 0
	in.Attribute[0].Value, in.Attribute[0].Timestamp = "a.test", 0
	in.Attribute = append(in.Attribute, newAttr("domain", "Network activity", "b.test"))
	in.Object = nil
	if _, err := s.Events.EditEvent(ctx, f.b, int64(other.ID), in, false); err != nil {
		t.Fatal(err)
	}
	check("event edited", map[string][]string{"a.test": {"other/a.test"}, "b.test": {"other/b.test"}})

	// A new event, then the event deleted.
	third := mustCreateEvent(t, s, f.b, sharedEvent("third", newAttr("domain", "Network activity", "b.test")))
	check("event added", map[string][]string{"a.test": {"other/a.test"}, "b.test": {"other/b.test", "third/b.test"}})
	if err := s.Events.DeleteEvent(ctx, f.b, int64(third.ID)); err != nil {
		t.Fatal(err)
	}
	check("event deleted", map[string][]string{"a.test": {"other/a.test"}, "b.test": {"other/b.test"}})

	// Hard deletion of an object.
	o2 := newObject(newObjectAttr("filename", "filename", "Payload delivery", "b.test"))
	if err := s.Objects.CreateObject(ctx, f.b, int64(other.ID), o2, false); err != nil {
		t.Fatal(err)
	}
	check("second object added", map[string][]string{"a.test": {"other/a.test"}, "b.test": {"other/b.test", "other/b.test"}})
	if err := s.Objects.DeleteObject(ctx, f.b, int64(o2.ID), true); err != nil {
		t.Fatal(err)
	}
	check("object hard-deleted", map[string][]string{"a.test": {"other/a.test"}, "b.test": {"other/b.test"}})
}

func testCorrelationRebuild(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	for i := range 12 {
		e := sharedEvent(fmt.Sprintf("event %02d", i))
		for j := range 6 {
			e.Attribute = append(e.Attribute, newAttr("ip-dst", "Network activity", fmt.Sprintf("192.0.2.%d", (i+j)%9)))
		}
		mustCreateEvent(t, s, f.a, e)
	}
	// Values have 6 to 9 holders: some pass the limit.
	if err := s.Correlations.SetCorrelationLimit(ctx, 7); err != nil {
		t.Fatal(err)
	}
	before := snapshotCorrelations(t, s, f.admin)
	var calls []misp.CorrelationProgress
	p, err := s.Correlations.RebuildCorrelations(ctx, 7, func(p misp.CorrelationProgress) { calls = append(calls, p) })
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(before, snapshotCorrelations(t, s, f.admin)); d != "" {
		t.Errorf("rebuild changed the correlations (-before +after):\n%s", d)
	}
	if p.Values != 72 || p.LastID != p.MaxID || p.Fraction() != 1 || len(calls) != p.Batches || p.Batches < 2 {
		t.Errorf("RebuildCorrelations() = %+v after %d progress calls, want 72 values in several batches", p, len(calls))
	}
	if !sort.SliceIsSorted(calls, func(i, j int) bool { return calls[i].LastID < calls[j].LastID }) {
		t.Errorf("progress went backwards: %+v", calls)
	}
	if fresh, ok := s.Correlations.(freshRebuilder); ok {
		calls = nil
		p, err := fresh.RebuildCorrelationsFresh(ctx, func(p misp.CorrelationProgress) { calls = append(calls, p) })
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(before, snapshotCorrelations(t, s, f.admin)); d != "" {
			t.Errorf("fresh rebuild changed the correlations (-before +after):\n%s", d)
		}
		if p.Values != 72 || p.Attributes != 72 || p.LastID != p.MaxID || p.Fraction() != 1 || len(calls) != p.Batches || p.Batches != 3 {
			t.Errorf("RebuildCorrelationsFresh() = %+v after %d progress calls, want 72 values of 72 attributes in 3 steps", p, len(calls))
		}
	}
	top, err := s.Correlations.TopCorrelations(ctx, 2, 1)
	if err != nil || len(top) != 2 || top[0].Count < top[1].Count {
		t.Errorf("TopCorrelations(2, 1) = %+v, %v", top, err)
	}
}

// testCorrelationLeaks checks that a correlation never tells a user
// about an event or attribute it may not see (misp-access-control §13
// #4): not in RelatedEvent, not in RelatedAttribute, not through the
// attribute looked at, and not in restSearch's includeCorrelations.
func testCorrelationLeaks(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newDistFixture(t, s)
	const v0 = "shared.example"
	val := func() *misp.Attribute { return newAttr("domain", "Network activity", v0) }

	// B's own event, visible to everybody (published, so that
	// unpublishedprivate does not hide it).
	bEvent := sharedEvent("B community", val())
	bEvent.Published = true
	mustCreateEvent(t, s, f.b, bEvent)
	// A's hiding places for the same value.
	orgOnly := mustCreateEvent(t, s, f.a, newEvent("A org only", val()))
	hidden := val()
	hidden.Distribution = misp.DistributionOrgOnly
	attrHidden := sharedEvent("A community, attribute org only", hidden, newAttr("domain", "Network activity", "visible.example"))
	attrHidden.Published = true
	mustCreateEvent(t, s, f.a, attrHidden)
	obj := newObject(newObjectAttr("domain", "domain", "Network activity", v0))
	obj.Distribution = misp.DistributionOrgOnly
	objHidden := sharedEvent("A community, object org only")
	objHidden.Object = []*misp.Object{obj}
	mustCreateEvent(t, s, f.a, objHidden)
	sgEvent := newEvent("A sharing group without B", val())
	sgEvent.Distribution, sgEvent.SharingGroupID = sgDist(f.ac)
	mustCreateEvent(t, s, f.a, sgEvent)
	draft := sharedEvent("A community draft", val())
	mustCreateEvent(t, s, f.a, draft)
	published := sharedEvent("A community published", val())
	published.Published = true
	mustCreateEvent(t, s, f.a, published)
	// B's hidden attribute must not reveal A's correlations either.
	bHidden := val()
	bHidden.Distribution = misp.DistributionOrgOnly
	bSecret := sharedEvent("B community, attribute org only", bHidden)
	bSecret.Published = true
	mustCreateEvent(t, s, f.b, bSecret)

	type seen struct {
		Events []string
		Attrs  []string // the info of the event of each related attribute
	}
	look := func(actor *misp.Actor, e *misp.Event) seen {
		v := viewCorrelations(t, s, actor, e)
		var out seen
		out.Events = v.Events
		for _, l := range v.Attrs {
			for _, r := range l {
				out.Attrs = append(out.Attrs, strings.TrimSuffix(r, "/"+v0))
			}
		}
		slices.Sort(out.Attrs)
		return out
	}
	everyA := []string{"A community draft", "A community published", "A community, attribute org only",
		"A community, object org only", "A org only", "A sharing group without B"}
	for _, private := range []bool{false, true} {
		if private {
			if s.SetUnpublishedPrivate == nil {
				continue
			}
			s.SetUnpublishedPrivate(true)
		}
		// B sees only A's community events whose attribute it may see,
		// and its own hidden attribute.
		wantB := []string{"A community draft", "A community published", "B community, attribute org only"}
		if private {
			wantB = []string{"A community published", "B community, attribute org only"}
		}
		if d := diff(seen{wantB, wantB}, look(f.b, bEvent)); d != "" {
			t.Errorf("unpublishedprivate=%v: B's view of its event (-want +got):\n%s", private, d)
		}
		// A sees all of its own, and B's visible attribute, not B's hidden one.
		want := append(append([]string(nil), everyA...), "B community")
		slices.Sort(want)
		others := slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == "A org only" })
		if d := diff(seen{others, others}, look(f.a, orgOnly)); d != "" {
			t.Errorf("unpublishedprivate=%v: A's view of its org-only event (-want +got):\n%s", private, d)
		}
		// B views A's event whose attribute holding the value is hidden:
		// nothing, though B's own event holds the value.
		if d := diff(seen{}, look(f.b, attrHidden)); d != "" {
			t.Errorf("unpublishedprivate=%v: B's view of A's event with a hidden attribute (-want +got):\n%s", private, d)
		}
		// And A views B's event whose attribute is hidden from A.
		if d := diff(seen{}, look(f.a, bSecret)); d != "" {
			t.Errorf("unpublishedprivate=%v: A's view of B's event with a hidden attribute (-want +got):\n%s", private, d)
		}
		// C, a member of the group, sees that event too.
		wantC := []string{"A community draft", "A community published", "A sharing group without B"}
		if private {
			wantC = []string{"A community published"}
		}
		if d := diff(seen{wantC, wantC}, look(f.c, bEvent)); d != "" {
			t.Errorf("unpublishedprivate=%v: C's view of B's event (-want +got):\n%s", private, d)
		}
		// includeCorrelations of B's attribute, as B.
		var rel []string
		err := s.AttributeSearch.StreamAttributes(ctx, f.b, misp.AttributeSearch{EventIDs: []int64{int64(bEvent.ID)}},
			misp.StreamOptions{Correlations: true}, func(h misp.AttributeHit) error {
				for _, r := range h.Attribute.RelatedAttribute {
					rel = append(rel, r.Detail.Event.Info)
				}
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(rel)
		if d := diff(wantB, rel); d != "" {
			t.Errorf("unpublishedprivate=%v: includeCorrelations as B (-want +got):\n%s", private, d)
		}
	}
	if s.SetUnpublishedPrivate != nil {
		s.SetUnpublishedPrivate(false)
	}
	// A site admin sees every pair.
	want := append(append([]string(nil), everyA...), "B community, attribute org only")
	slices.Sort(want)
	if d := diff(seen{want, want}, look(f.admin, bEvent)); d != "" {
		t.Errorf("site admin's view of B's event (-want +got):\n%s", d)
	}
}

// testCorrelationConcurrent writes events holding the same values from
// several goroutines at once, as ingest clients do: every write must
// succeed (PostgreSQL retries the ones that lose a race), and the
// correlations must end as a rebuild computes them.
func testCorrelationConcurrent(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	if err := s.Correlations.SetCorrelationLimit(ctx, 12); err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 6
	var jobs []func(report func(error))
	for w := range workers {
		jobs = append(jobs, func(report func(error)) {
			for i := range each {
				// A value in every event (over the limit), values in
				// a few, and one of the event's own.
				e := sharedEvent(fmt.Sprintf("concurrent %d-%d", w, i),
					newAttr("domain", "Network activity", "everywhere.example"),
					newAttr("domain", "Network activity", fmt.Sprintf("pool%d.example", i%3)),
					newAttr("ip-dst", "Network activity", fmt.Sprintf("10.1.%d.%d", w, i)))
				if err := s.Events.CreateEvent(ctx, f.a, e, false); err != nil {
					report(fmt.Errorf("CreateEvent(%s) = %w", e.Info, err))
					continue
				}
				if i%2 == 1 {
					if err := s.Attributes.DeleteAttribute(ctx, f.a, int64(e.Attribute[1].ID), false); err != nil {
						report(fmt.Errorf("DeleteAttribute = %w", err))
					}
				}
			}
		})
	}
	concurrently(t, jobs...)
	over, err := s.Correlations.FindOverCorrelatingValues(ctx, 0, 1)
	if err != nil || len(over) != 1 || over[0].Value != "everywhere.example" || over[0].Occurrence != workers*each {
		t.Errorf("FindOverCorrelatingValues() = %+v, %v; want everywhere.example held %d times", over, err, workers*each)
	}
	rebuildMatches(t, s, f.admin, "concurrent writes")
}

// concurrently runs each job in its own goroutine, all released at once,
// waits for them all, and fails the test with every error they report.
func concurrently(t *testing.T, jobs ...func(report func(error))) {
	t.Helper()
	var mu sync.Mutex
	var errs []error
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			job(report)
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
}
