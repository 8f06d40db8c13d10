package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// The tests of this file check CIDR correlation (the setting
// enable_advanced_correlations, docs/correlation.md): an ip-src or ip-dst
// network correlates with the addresses of other events inside it, both
// ways, only while the setting is on, kept in step by every write, rebuilt
// as the writes keep it, and never shown across the visibility rules.

func ipAttr(typ, value string) *misp.Attribute { return newAttr(typ, "Network activity", value) }

// setAdvanced switches CIDR correlation and checks the setting reads back.
func setAdvanced(t *testing.T, s *Stores, on bool) {
	t.Helper()
	if err := s.Correlations.SetAdvancedCorrelations(t.Context(), on); err != nil {
		t.Fatalf("SetAdvancedCorrelations(%v) = %v", on, err)
	}
	if got, err := s.Correlations.AdvancedCorrelations(t.Context()); err != nil || got != on {
		t.Fatalf("AdvancedCorrelations() = %v, %v, want %v", got, err, on)
	}
}

func testCorrelationCIDR(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	if on, err := s.Correlations.AdvancedCorrelations(ctx); err != nil || on {
		t.Fatalf("AdvancedCorrelations() = %v, %v, want off by default", on, err)
	}
	nets := mustCreateEvent(t, s, f.a, sharedEvent("nets",
		ipAttr("ip-src", "10.1.0.0/16"), ipAttr("ip-dst", "2001:db8::/32"), ipAttr("ip-dst", "192.0.2.0/24")))
	addrs := mustCreateEvent(t, s, f.b, sharedEvent("addrs",
		ipAttr("ip-dst", "10.1.2.3"),
		ipAttr("ip-dst|port", "10.1.9.9|443"),
		ipAttr("ip-src", "2001:db8::5"),
		ipAttr("ip-dst", "10.2.0.1"),         // outside every network
		ipAttr("ip-dst", "::ffff:10.1.2.4"),  // IPv6, though it maps 10.1.2.4
		newAttr("text", "Other", "10.1.2.5"), // not an address type
	))
	// A network of another event: it correlates with addrs, never with
	// the /16 holding it.
	inner := mustCreateEvent(t, s, f.b, sharedEvent("inner", ipAttr("ip-dst", "10.1.2.0/24")))
	// A network and an address inside it in one event: they do not
	// correlate with each other, but each with nets.
	own := mustCreateEvent(t, s, f.a, sharedEvent("own", ipAttr("ip-dst", "192.0.2.0/24"), ipAttr("ip-dst", "192.0.2.1")))

	view := func(what string, e *misp.Event, want correlationView) {
		t.Helper()
		if want.Attrs == nil {
			want.Attrs = map[string][]string{}
		}
		if d := diff(want, viewCorrelations(t, s, f.a, e)); d != "" {
			t.Errorf("%s: correlations of %q (-want +got):\n%s", what, e.Info, d)
		}
	}
	// Off: the exact correlations only.
	view("off", addrs, correlationView{})
	view("off", nets, correlationView{Events: []string{"own"}, Attrs: map[string][]string{"192.0.2.0/24": {"own/192.0.2.0/24"}}})
	rebuildMatches(t, s, f.admin, "off")

	setAdvanced(t, s, true)
	wantAddrs := correlationView{Events: []string{"inner", "nets"}, Attrs: map[string][]string{
		"10.1.2.3":     {"inner/10.1.2.0/24", "nets/10.1.0.0/16"},
		"10.1.9.9|443": {"nets/10.1.0.0/16"},
		"2001:db8::5":  {"nets/2001:db8::/32"},
	}}
	view("on", addrs, wantAddrs)
	view("on", nets, correlationView{Events: []string{"addrs", "own"}, Attrs: map[string][]string{
		"10.1.0.0/16":   {"addrs/10.1.2.3", "addrs/10.1.9.9"},
		"2001:db8::/32": {"addrs/2001:db8::5"},
		"192.0.2.0/24":  {"own/192.0.2.0/24", "own/192.0.2.1"},
	}})
	view("on", own, correlationView{Events: []string{"nets"}, Attrs: map[string][]string{
		"192.0.2.0/24": {"nets/192.0.2.0/24"},
		"192.0.2.1":    {"nets/192.0.2.0/24"},
	}})
	view("on", inner, correlationView{Events: []string{"addrs"}, Attrs: map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.3"}}})
	rebuildMatches(t, s, f.admin, "on")

	// attributes/restSearch's includeCorrelations lists them in full.
	related := map[string][]string{}
	err := s.AttributeSearch.StreamAttributes(ctx, f.a, misp.AttributeSearch{EventIDs: []int64{int64(nets.ID)}},
		misp.StreamOptions{Correlations: true}, func(h misp.AttributeHit) error {
			for _, r := range h.Attribute.RelatedAttribute {
				if r.Detail == nil || r.Detail.Event.ID != r.EventID || r.Detail.Event.Info != "addrs" && r.Detail.Event.Info != "own" {
					t.Errorf("related attribute %d of %q: detail %+v", r.ID, h.Attribute.Value, r.Detail)
					continue
				}
				related[h.Attribute.Value] = append(related[h.Attribute.Value], r.Detail.Type+" "+r.Detail.Value)
			}
			if !slices.IsSortedFunc(h.Attribute.RelatedAttribute, func(x, y *misp.RelatedAttribute) int { return cmp.Compare(x.ID, y.ID) }) {
				t.Errorf("includeCorrelations of %q not in id order", h.Attribute.Value)
			}
			return nil
		})
	if err != nil {
		t.Fatalf("StreamAttributes() = %v", err)
	}
	wantFull := map[string][]string{
		"10.1.0.0/16":   {"ip-dst 10.1.2.3", "ip-dst|port 10.1.9.9|443"},
		"2001:db8::/32": {"ip-src 2001:db8::5"},
		"192.0.2.0/24":  {"ip-dst 192.0.2.0/24", "ip-dst 192.0.2.1"},
	}
	if d := diff(wantFull, related); d != "" {
		t.Errorf("includeCorrelations of nets (-want +got):\n%s", d)
	}

	// An address written after the network, a network after the address.
	late := mustCreateEvent(t, s, f.b, sharedEvent("late address", ipAttr("ip-src", "10.1.200.1")))
	view("address added", late, correlationView{Events: []string{"nets"}, Attrs: map[string][]string{"10.1.200.1": {"nets/10.1.0.0/16"}}})
	// A network with host bits holds the addresses of its masked prefix.
	mustCreateEvent(t, s, f.a, sharedEvent("host bits", ipAttr("ip-dst", "10.1.200.77/24")))
	view("network with host bits added", late, correlationView{Events: []string{"host bits", "nets"}, Attrs: map[string][]string{
		"10.1.200.1": {"host bits/10.1.200.77/24", "nets/10.1.0.0/16"}}})
	net6 := mustCreateEvent(t, s, f.a, sharedEvent("late network", ipAttr("ip-src", "2001:db8::/120")))
	view("network added", net6, correlationView{Events: []string{"addrs"}, Attrs: map[string][]string{"2001:db8::/120": {"addrs/2001:db8::5"}}})
	rebuildMatches(t, s, f.admin, "added")

	// Edits, deletions, disable_correlation.
	addr := addrs.Attribute[0]
	check := func(what string, want map[string][]string) {
		t.Helper()
		view(what, inner, correlationView{Events: eventsOf(want), Attrs: want})
		rebuildMatches(t, s, f.admin, what)
	}
	check("before the edits", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.3"}})
	up := mustFindAttribute(t, s, f.b, addr.ID)
	up.Value, up.Timestamp = "10.1.3.3", 0
	if err := s.Attributes.UpdateAttribute(ctx, f.b, up, false); err != nil {
		t.Fatal(err)
	}
	check("address moved out", nil)
	up = mustFindAttribute(t, s, f.b, addr.ID)
	up.Value, up.Timestamp = "10.1.2.77", 0
	if err := s.Attributes.UpdateAttribute(ctx, f.b, up, false); err != nil {
		t.Fatal(err)
	}
	check("address moved in", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.77"}})
	if err := s.Attributes.DeleteAttribute(ctx, f.b, int64(addr.ID), false); err != nil {
		t.Fatal(err)
	}
	check("address soft-deleted", nil)
	if err := s.Attributes.RestoreAttribute(ctx, f.b, int64(addr.ID)); err != nil {
		t.Fatal(err)
	}
	check("address restored", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.77"}})
	up = mustFindAttribute(t, s, f.b, addr.ID)
	up.DisableCorrelation, up.Timestamp = true, 0
	if err := s.Attributes.UpdateAttribute(ctx, f.b, up, false); err != nil {
		t.Fatal(err)
	}
	check("address with disable_correlation", nil)
	up.DisableCorrelation, up.Timestamp = false, 0
	if err := s.Attributes.UpdateAttribute(ctx, f.b, up, false); err != nil {
		t.Fatal(err)
	}
	check("address disable_correlation cleared", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.77"}})
	net := inner.Attribute[0]
	up = mustFindAttribute(t, s, f.b, net.ID)
	up.DisableCorrelation, up.Timestamp = true, 0
	if err := s.Attributes.UpdateAttribute(ctx, f.b, up, false); err != nil {
		t.Fatal(err)
	}
	check("network with disable_correlation", nil)
	up.DisableCorrelation, up.Timestamp = false, 0
	if err := s.Attributes.UpdateAttribute(ctx, f.b, up, false); err != nil {
		t.Fatal(err)
	}
	editEvent := func(e *misp.Event, actor *misp.Actor, disable bool) {
		t.Helper()
		in := mustFindEvent(t, s, actor, e.ID)
		in.DisableCorrelation, in.Timestamp = misp.Bool(disable), 0
		in.Attribute, in.Object = nil, nil
		if _, err := s.Events.EditEvent(ctx, actor, int64(e.ID), in, false); err != nil {
			t.Fatalf("EditEvent() = %v", err)
		}
	}
	editEvent(addrs, f.b, true)
	check("event with disable_correlation", nil)
	editEvent(addrs, f.b, false)
	check("event disable_correlation cleared", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.77"}})

	// An address in an object: soft-deleting the object takes it out.
	o := newObject(newObjectAttr("ip", "ip-dst", "Network activity", "10.1.2.66"))
	if err := s.Objects.CreateObject(ctx, f.b, int64(late.ID), o, false); err != nil {
		t.Fatal(err)
	}
	check("address in an object", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.77", "late address/10.1.2.66"}})
	if err := s.Objects.DeleteObject(ctx, f.b, int64(o.ID), false); err != nil {
		t.Fatal(err)
	}
	check("object soft-deleted", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.77"}})

	// Exclusions hold back a network or an address, each way.
	for _, v := range []string{"10.1.2.0/24", "10.1.2.77", "10.1.2.%"} {
		x := &misp.CorrelationExclusion{Value: v}
		if err := s.Correlations.CreateCorrelationExclusion(ctx, x); err != nil {
			t.Fatal(err)
		}
		check("exclusion "+v, nil)
		if err := s.Correlations.DeleteCorrelationExclusion(ctx, int64(x.ID)); err != nil {
			t.Fatal(err)
		}
		check("exclusion "+v+" deleted", map[string][]string{"10.1.2.0/24": {"addrs/10.1.2.77"}})
	}

	// Off drops them all; on again computes what the writes kept.
	before := snapshotCorrelations(t, s, f.admin)
	setAdvanced(t, s, false)
	view("switched off", addrs, correlationView{})
	setAdvanced(t, s, true)
	if d := diff(before, snapshotCorrelations(t, s, f.admin)); d != "" {
		t.Errorf("switched off and on: correlations changed (-before +after):\n%s", d)
	}

	// A hard delete of the network, then of its event.
	if err := s.Attributes.DeleteAttribute(ctx, f.b, int64(net.ID), true); err != nil {
		t.Fatal(err)
	}
	view("network hard-deleted", addrs, correlationView{Events: []string{"late network", "nets"}, Attrs: map[string][]string{
		"10.1.9.9|443": {"nets/10.1.0.0/16"}, "10.1.2.77": {"nets/10.1.0.0/16"},
		"2001:db8::5": {"late network/2001:db8::/120", "nets/2001:db8::/32"}}})
	if err := s.Events.DeleteEvent(ctx, f.a, int64(nets.ID)); err != nil {
		t.Fatal(err)
	}
	view("network event deleted", addrs, correlationView{Events: []string{"late network"}, Attrs: map[string][]string{
		"2001:db8::5": {"late network/2001:db8::/120"}}})
	rebuildMatches(t, s, f.admin, "deleted")
}

// eventsOf returns the sorted event infos of a correlationView's Attrs
// ("<info>/<value>" entries).
func eventsOf(attrs map[string][]string) []string {
	var out []string
	for _, l := range attrs {
		for _, r := range l {
			for i := range len(r) {
				if r[i] == '/' {
					if !slices.Contains(out, r[:i]) {
						out = append(out, r[:i])
					}
					break
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// testCorrelationCIDRLimit checks the over-correlation limit on networks:
// a network holding more addresses than the limit correlates with none,
// and so does a network whose value is over-correlating.
func testCorrelationCIDRLimit(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	setAdvanced(t, s, true)
	if err := s.Correlations.SetCorrelationLimit(ctx, 3); err != nil {
		t.Fatal(err)
	}
	net := mustCreateEvent(t, s, f.a, sharedEvent("net", ipAttr("ip-dst", "198.51.100.0/24")))
	var addrs []*misp.Event
	for i := range 4 {
		addrs = append(addrs, mustCreateEvent(t, s, f.b, sharedEvent(fmt.Sprintf("addr %d", i),
			ipAttr("ip-dst", fmt.Sprintf("198.51.100.%d", i+1)))))
	}
	related := func(what string, e *misp.Event, want ...string) {
		t.Helper()
		if d := diff(want, viewCorrelations(t, s, f.a, e).Events); d != "" {
			t.Errorf("%s: related events of %q (-want +got):\n%s", what, e.Info, d)
		}
	}
	related("4 addresses, limit 3", net)
	related("4 addresses, limit 3", addrs[0])
	rebuildMatches(t, s, f.admin, "over the limit")
	if err := s.Attributes.DeleteAttribute(ctx, f.b, int64(addrs[3].Attribute[0].ID), false); err != nil {
		t.Fatal(err)
	}
	related("3 addresses, limit 3", net, "addr 0", "addr 1", "addr 2")
	related("3 addresses, limit 3", addrs[0], "net")
	// The network's value over the limit.
	for i := range 3 {
		mustCreateEvent(t, s, f.b, sharedEvent(fmt.Sprintf("same net %d", i), ipAttr("ip-src", "198.51.100.0/24")))
	}
	related("network value over-correlating", addrs[0])
	if err := s.Correlations.SetCorrelationLimit(ctx, 10); err != nil {
		t.Fatal(err)
	}
	related("limit raised", addrs[0], "net", "same net 0", "same net 1", "same net 2")
	rebuildMatches(t, s, f.admin, "limit raised")
}

// testCorrelationCIDRLeaks checks that a CIDR correlation never tells a
// user about an event or attribute it may not see.
func testCorrelationCIDRLeaks(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newDistFixture(t, s)
	setAdvanced(t, s, true)
	bEvent := sharedEvent("B community", ipAttr("ip-dst", "203.0.113.9"), ipAttr("ip-dst", "2001:db8:5::/48"))
	bEvent.Published = true
	mustCreateEvent(t, s, f.b, bEvent)
	orgOnly := mustCreateEvent(t, s, f.a, newEvent("A org only", ipAttr("ip-src", "203.0.113.0/24"), ipAttr("ip-src", "2001:db8:5::1")))
	hiddenNet := ipAttr("ip-src", "203.0.113.0/28")
	hiddenNet.Distribution = misp.DistributionOrgOnly
	hiddenAddr := ipAttr("ip-src", "2001:db8:5::2")
	hiddenAddr.Distribution = misp.DistributionOrgOnly
	attrHidden := sharedEvent("A community, attributes org only", hiddenNet, hiddenAddr)
	attrHidden.Published = true
	mustCreateEvent(t, s, f.a, attrHidden)
	visible := sharedEvent("A community", ipAttr("ip-src", "203.0.113.8/29"))
	visible.Published = true
	mustCreateEvent(t, s, f.a, visible)

	type seen struct{ Events, Attrs []string }
	look := func(actor *misp.Actor, e *misp.Event) seen {
		t.Helper()
		v := viewCorrelations(t, s, actor, e)
		out := seen{Events: v.Events}
		for _, l := range v.Attrs {
			out.Attrs = append(out.Attrs, l...)
		}
		slices.Sort(out.Attrs)
		return out
	}
	// B sees the one visible network; the org-only event and the hidden
	// attributes leave no trace.
	want := seen{[]string{"A community"}, []string{"A community/203.0.113.8/29"}}
	if d := diff(want, look(f.b, bEvent)); d != "" {
		t.Errorf("B's view of its event (-want +got):\n%s", d)
	}
	var rel []string
	err := s.AttributeSearch.StreamAttributes(ctx, f.b, misp.AttributeSearch{EventIDs: []int64{int64(bEvent.ID)}},
		misp.StreamOptions{Correlations: true}, func(h misp.AttributeHit) error {
			for _, r := range h.Attribute.RelatedAttribute {
				rel = append(rel, r.Detail.Event.Info+"/"+r.Detail.Value)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(want.Attrs, rel); d != "" {
		t.Errorf("includeCorrelations as B (-want +got):\n%s", d)
	}
	// B views A's event whose attributes are hidden from it: nothing.
	if d := diff(seen{}, look(f.b, attrHidden)); d != "" {
		t.Errorf("B's view of A's event with hidden attributes (-want +got):\n%s", d)
	}
	// A sees all of them, from its side and from B's.
	want = seen{[]string{"A community", "A community, attributes org only", "A org only"}, []string{
		"A community, attributes org only/2001:db8:5::2", "A community, attributes org only/203.0.113.0/28",
		"A community/203.0.113.8/29", "A org only/2001:db8:5::1", "A org only/203.0.113.0/24"}}
	if d := diff(want, look(f.a, bEvent)); d != "" {
		t.Errorf("A's view of B's event (-want +got):\n%s", d)
	}
	want = seen{[]string{"B community"}, []string{"B community/2001:db8:5::/48", "B community/203.0.113.9"}}
	if d := diff(want, look(f.a, orgOnly)); d != "" {
		t.Errorf("A's view of its org-only event (-want +got):\n%s", d)
	}
	// C, who may see neither side's org-only data, sees B's and A's
	// community events connected.
	want = seen{[]string{"A community"}, []string{"A community/203.0.113.8/29"}}
	if d := diff(want, look(f.c, bEvent)); d != "" {
		t.Errorf("C's view of B's event (-want +got):\n%s", d)
	}
}

// testCorrelationCIDRRebuild checks that a rebuild computes the network
// and address rows: the setting stored directly (SetSetting, as a restore
// of the settings table would) leaves them missing, a rebuild writes
// them, and they are what switching on computes.
func testCorrelationCIDRRebuild(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	net := mustCreateEvent(t, s, f.a, sharedEvent("net", ipAttr("ip-dst", "198.51.100.0/25"), ipAttr("ip-dst", "2001:db8::7")))
	for i := range 5 {
		mustCreateEvent(t, s, f.b, sharedEvent(fmt.Sprintf("addr %d", i),
			ipAttr("ip-src", fmt.Sprintf("198.51.100.%d", 20*i)), ipAttr("ip-src", fmt.Sprintf("2001:db8::/%d", 120+2*i))))
	}
	want := []string{"addr 0", "addr 1", "addr 2", "addr 3", "addr 4"}
	if err := s.Settings.SetSetting(ctx, misp.SettingAdvancedCorrelations, "true"); err != nil {
		t.Fatal(err)
	}
	if got := viewCorrelations(t, s, f.a, net).Events; len(got) != 0 {
		t.Fatalf("setting stored without rows: related events %v, want none", got)
	}
	if _, err := s.Correlations.RebuildCorrelations(ctx, 3, nil); err != nil {
		t.Fatal(err)
	}
	if d := diff(want, viewCorrelations(t, s, f.a, net).Events); d != "" {
		t.Errorf("after a rebuild: related events of net (-want +got):\n%s", d)
	}
	rebuilt := snapshotCorrelations(t, s, f.admin)
	setAdvanced(t, s, true)
	if d := diff(rebuilt, snapshotCorrelations(t, s, f.admin)); d != "" {
		t.Errorf("switching on after a rebuild changed the correlations (-rebuilt +switched):\n%s", d)
	}
}

// testCorrelationCIDRSwitchConcurrent switches CIDR correlation on and
// off while several goroutines write networks and addresses: every write
// must succeed, and the rows must end as switching on computes them from
// scratch — no write may slip between a switch's snapshot and its commit
// with the old setting (Dialect.ShareLock, LockSettings).
func testCorrelationCIDRSwitchConcurrent(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	const workers, each = 4, 8
	var jobs []func(report func(error))
	for w := range workers {
		jobs = append(jobs, func(report func(error)) {
			for i := range each {
				e := sharedEvent(fmt.Sprintf("switch %d-%d", w, i),
					ipAttr("ip-src", fmt.Sprintf("10.%d.%d.0/24", w, i)),
					ipAttr("ip-dst", fmt.Sprintf("10.%d.%d.7", (w+1)%workers, i)))
				if err := s.Events.CreateEvent(ctx, f.a, e, false); err != nil {
					report(fmt.Errorf("CreateEvent(%s) = %w", e.Info, err))
				}
			}
		})
	}
	jobs = append(jobs, func(report func(error)) {
		for _, on := range []bool{true, false, true, false, true} {
			if err := s.Correlations.SetAdvancedCorrelations(ctx, on); err != nil {
				report(fmt.Errorf("SetAdvancedCorrelations(%v) = %w", on, err))
			}
		}
	})
	concurrently(t, jobs...)
	before := snapshotCorrelations(t, s, f.admin)
	setAdvanced(t, s, true)
	if d := diff(before, snapshotCorrelations(t, s, f.admin)); d != "" {
		t.Errorf("concurrent switches: the writes' rows differ from a switch's (-kept +computed):\n%s", d)
	}
}
