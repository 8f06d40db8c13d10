package restapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The correlation rows of the leak matrix. Every event of the world
// holds the same slots with the same values ("leak-<slot>.example"), so
// each attribute correlates with its slot's attributes in every other
// event. events/view and events/restSearch carry RelatedEvent by default
// (collectRelated, called by collectEvent, names what they return, and
// fullEvent expects it); these paths add RelatedAttribute, per attribute
// of an event view and in attributes/restSearch. The rule, from
// misp-access-control §13 #4 as docs/access-control.md decides it: a
// correlation is shown when the attribute looked at and the other one are
// both visible and live, in different events.
func init() {
	leakPaths = append(leakPaths,
		leakPath{
			name: "events/view/{id}/includeGranularCorrelations:1",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				return f.eachView(t, u, f.Events, "GET", func(e *leakEvent) string {
					return "/events/view/" + f.id(e.UUID) + "/includeGranularCorrelations:1"
				}, "/events/view/999999/includeGranularCorrelations:1", f.collectEvent)
			},
			want: func(o *leakOracle, u *leakUser) leakSet {
				s := o.allEvents(u, false)
				o.relatedAttrs(s, u)
				return s
			},
		},
		leakPath{
			name: "attributes/restSearch includeCorrelations",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				s := leakSet{}
				body := f.search(t, u, "/attributes/restSearch", obj{"returnFormat": "json", "includeCorrelations": 1}, s)
				var out struct {
					Response struct{ Attribute []obj } `json:"response"`
				}
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatalf("attributes/restSearch as %s: %v", u.Key, err)
				}
				f.collectSearchCorrelations(s, out.Response.Attribute)
				return s
			},
			want: func(o *leakOracle, u *leakUser) leakSet {
				s := o.liveAttrs(u, false, -1)
				s.add("count", strconv.Itoa(len(s)))
				o.relatedAttrs(s, u)
				return s
			},
		},
	)
}

// collectSearchCorrelations names the attributes of an
// attributes/restSearch answer with includeCorrelations and their
// RelatedAttribute entries ("related_attribute <attribute> <other
// attribute>"), checking that each entry's Event is the other
// attribute's.
func (f *leakFixture) collectSearchCorrelations(s leakSet, list []obj) {
	owners, attrs, events := f.attrOwners(), f.attrsByID(), f.eventsByID()
	for _, a := range list {
		uuid := leakStr(a["uuid"])
		s.add("attribute", uuid)
		for _, r := range leakList(a["RelatedAttribute"]) {
			other := attrs[leakStr(r["id"])]
			s.add("related_attribute", uuid+" "+other)
			if ev, _ := r["Event"].(obj); ev == nil || leakStr(ev["uuid"]) != owners[other] || events[leakStr(ev["id"])] != owners[other] {
				s.add("related_attribute with a wrong event", uuid+" "+other)
			}
		}
	}
}

// collectRelated names the RelatedEvent entries of an event view
// ("related_event <event> <related event>") and the RelatedAttribute
// entries of its attributes ("related_attribute <attribute> <other
// attribute>"), checking that each entry's event_id is the event of the
// attribute it names.
func (f *leakFixture) collectRelated(s leakSet, ev obj) {
	uuid := leakStr(ev["uuid"])
	attrIDs, eventIDs := f.attrsByID(), f.eventsByID()
	for _, r := range leakList(ev["RelatedEvent"]) {
		re, _ := r["Event"].(obj)
		s.add("related_event", uuid+" "+leakStr(re["uuid"]))
		if eventIDs[leakStr(re["id"])] != leakStr(re["uuid"]) {
			s.add("related_event with a wrong id", uuid+" "+leakStr(re["uuid"]))
		}
	}
	attrs := leakList(ev["Attribute"])
	for _, o := range leakList(ev["Object"]) {
		attrs = append(attrs, leakList(o["Attribute"])...)
	}
	owners := f.attrOwners()
	for _, a := range attrs {
		for _, r := range leakList(a["RelatedAttribute"]) {
			other := attrIDs[leakStr(r["id"])]
			s.add("related_attribute", leakStr(a["uuid"])+" "+other)
			if eventIDs[leakStr(r["event_id"])] != owners[other] {
				s.add("related_attribute with a wrong event", leakStr(a["uuid"])+" "+other)
			}
		}
	}
}

// eventsByID and attrsByID map the store ids of the world's events and
// attributes to their uuids (ids are per table).
func (f *leakFixture) eventsByID() map[string]string {
	m := map[string]string{}
	for _, e := range f.Events {
		m[f.id(e.UUID)] = e.UUID
	}
	return m
}

func (f *leakFixture) attrsByID() map[string]string {
	m := map[string]string{}
	f.eachAttr(func(_ *leakEvent, _ *leakObject, a *leakAttr) { m[f.id(a.UUID)] = a.UUID })
	return m
}

// attrOwners maps every attribute's uuid to its event's.
func (f *leakFixture) attrOwners() map[string]string {
	m := map[string]string{}
	f.eachAttr(func(e *leakEvent, _ *leakObject, a *leakAttr) { m[a.UUID] = e.UUID })
	return m
}

// correlates reports whether attribute a of e (in object ob) is one u
// may see and that takes part in correlations: visible, live, outside a
// deleted object.
func (o *leakOracle) correlates(u *leakUser, e *leakEvent, ob *leakObject, a *leakAttr) bool {
	return o.attribute(u, e, ob, a) && !a.Deleted && (ob == nil || !ob.Deleted)
}

// relatedEvents adds the RelatedEvent entries of e's view: the other
// events holding, in an attribute u may see, a value an attribute of e
// that u may see holds.
func (o *leakOracle) relatedEvents(s leakSet, u *leakUser, e *leakEvent) {
	values := map[string]bool{}
	o.w.eachAttr(func(e1 *leakEvent, ob *leakObject, a *leakAttr) {
		if e1 == e && o.correlates(u, e1, ob, a) {
			values[a.Value] = true
		}
	})
	o.w.eachAttr(func(e2 *leakEvent, ob *leakObject, a *leakAttr) {
		if e2 != e && values[a.Value] && o.correlates(u, e2, ob, a) {
			s.add("related_event", e.UUID+" "+e2.UUID)
		}
	})
}

// relatedAttrs adds the RelatedAttribute entries of every attribute u may
// see: the attributes of other events u may see holding its value.
func (o *leakOracle) relatedAttrs(s leakSet, u *leakUser) {
	type holder struct {
		e    *leakEvent
		uuid string
	}
	byValue := map[string][]holder{}
	o.w.eachAttr(func(e *leakEvent, ob *leakObject, a *leakAttr) {
		if o.correlates(u, e, ob, a) {
			byValue[a.Value] = append(byValue[a.Value], holder{e, a.UUID})
		}
	})
	for _, hs := range byValue {
		for _, x := range hs {
			for _, y := range hs {
				if x.e != y.e {
					s.add("related_attribute", x.uuid+" "+y.uuid)
				}
			}
		}
	}
}

// TestCIDRCorrelationLeak checks, through the API, that with CIDR
// correlation on (docs/correlation.md) org B learns nothing of a CIDR
// correlation with A's organisation-only event or with A's hidden
// attributes: not on events/view (RelatedEvent, RelatedAttribute), not on
// events/restSearch, not in attributes/restSearch's includeCorrelations —
// neither an entry, an id, a uuid, an info nor a value. A, who sees
// everything, sees the correlations, and B sees the one with A's visible
// network.
func TestCIDRCorrelationLeak(t *testing.T) {
	e := newTestEnv(t)
	if err := e.DB.SetAdvancedCorrelations(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	add := func(u *testUser, uuid, info string, dist int, attrs ...obj) string {
		t.Helper()
		out := e.callObj(t, "POST", "/events/add", u.Key, obj{"Event": obj{
			"uuid": uuid, "info": info, "date": "2026-01-10", "distribution": dist, "published": true, "Attribute": attrs,
		}}, http.StatusOK)
		return dig(t, out, "Event", "id").(string)
	}
	ip := func(uuid, typ, value string, dist int) obj {
		return obj{"uuid": uuid, "type": typ, "category": "Network activity", "value": value, "distribution": dist}
	}
	const (
		secretUUID     = "dddddddd-0000-4000-8000-000000000001"
		secretNetUUID  = "dddddddd-0000-4000-8000-000000000011"
		secretAddrUUID = "dddddddd-0000-4000-8000-000000000012"
		hiddenUUID     = "dddddddd-0000-4000-8000-000000000002"
		hiddenNetUUID  = "dddddddd-0000-4000-8000-000000000021"
		hiddenAddrUUID = "dddddddd-0000-4000-8000-000000000022"
		sharedNetUUID  = "dddddddd-0000-4000-8000-000000000031"
	)
	secret := add(e.AUser, secretUUID, "A org-only network event", 0,
		ip(secretNetUUID, "ip-src", "10.77.0.0/16", 5), ip(secretAddrUUID, "ip-src", "2001:db8:77::1", 5))
	hidden := add(e.AUser, hiddenUUID, "A community event, attributes org only", 3,
		ip(hiddenNetUUID, "ip-src", "10.77.1.0/24", 0), ip(hiddenAddrUUID, "ip-src|port", "2001:db8:77::2|443", 0),
		ip("dddddddd-0000-4000-8000-000000000023", "domain", "visible.example", 5))
	add(e.AUser, "dddddddd-0000-4000-8000-000000000003", "A community network event", 3,
		ip(sharedNetUUID, "ip-dst", "10.77.1.0/28", 5))
	b := add(e.BUser, "dddddddd-0000-4000-8000-000000000004", "B community address event", 3,
		ip("dddddddd-0000-4000-8000-000000000041", "ip-dst", "10.77.1.5", 5),
		ip("dddddddd-0000-4000-8000-000000000042", "ip-dst", "2001:db8:77::/48", 5))
	// Nothing of A's hidden data may appear in B's answers (ids are
	// checked below: the related entries must be exactly the visible ones).
	secrets := []string{secretUUID, secretNetUUID, secretAddrUUID, hiddenNetUUID, hiddenAddrUUID, "A org-only network event",
		"10.77.0.0/16", "10.77.1.0/24", "2001:db8:77::1", "2001:db8:77::2"}
	clean := func(what string, body []byte) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(string(body), s) {
				t.Errorf("%s as B mentions %q", what, s)
			}
		}
	}
	// related names the RelatedEvent infos and the RelatedAttribute and
	// includeCorrelations entries (other attribute's uuid, or id) of an
	// answer's events and attributes.
	related := func(body []byte) (events, attrs []string) {
		t.Helper()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case obj:
				for _, r := range leakList(v["RelatedEvent"]) {
					re, _ := r["Event"].(obj)
					events = append(events, leakStr(re["info"]))
				}
				for _, r := range leakList(v["RelatedAttribute"]) {
					attrs = append(attrs, leakStr(r["id"]))
				}
				for _, x := range v {
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(v)
		slices.Sort(events)
		slices.Sort(attrs)
		return events, attrs
	}
	sharedNet := e.attrID(t, sharedNetUUID)
	for _, tc := range []struct {
		what, method, path string
		body               any
		events             []string
	}{
		{"events/view", "GET", "/events/view/" + b + "/includeGranularCorrelations:1", nil, []string{"A community network event"}},
		{"events/restSearch", "POST", "/events/restSearch", obj{"returnFormat": "json", "eventid": b,
			"includeEventCorrelations": 1, "includeGranularCorrelations": 1}, []string{"A community network event"}},
		{"attributes/restSearch", "POST", "/attributes/restSearch", obj{"returnFormat": "json", "eventid": b, "includeCorrelations": 1}, nil},
		{"events/view of A's event with hidden attributes", "GET", "/events/view/" + hidden + "/includeGranularCorrelations:1", nil, nil},
	} {
		status, _, body := e.do(t, tc.method, tc.path, e.BUser.Key, tc.body)
		if status != http.StatusOK {
			t.Fatalf("%s as B: %d %s", tc.what, status, body)
		}
		clean(tc.what, body)
		events, attrs := related(body)
		if d := cmp.Diff(tc.events, events); d != "" {
			t.Errorf("%s as B: RelatedEvent (-want +got):\n%s", tc.what, d)
		}
		var wantAttrs []string
		if tc.events != nil || strings.HasPrefix(tc.what, "attributes/") {
			wantAttrs = []string{sharedNet}
		}
		if d := cmp.Diff(wantAttrs, attrs); d != "" {
			t.Errorf("%s as B: related attributes (-want +got):\n%s", tc.what, d)
		}
	}
	status, _, _ := e.do(t, "GET", "/events/view/"+secret, e.BUser.Key, nil)
	if status != http.StatusNotFound {
		t.Errorf("events/view of A's org-only event as B: %d, want 404", status)
	}
	// A sees every correlation of B's event, and B's from its own.
	status, _, body := e.do(t, "GET", "/events/view/"+b+"/includeGranularCorrelations:1", e.AUser.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("events/view as A: %d %s", status, body)
	}
	events, attrs := related(body)
	wantEvents := []string{"A community event, attributes org only", "A community network event", "A org-only network event"}
	if d := cmp.Diff(wantEvents, events); d != "" {
		t.Errorf("events/view as A: RelatedEvent (-want +got):\n%s", d)
	}
	if len(attrs) != 5 {
		t.Errorf("events/view as A: %d related attributes %v, want 5", len(attrs), attrs)
	}
	view := e.callObj(t, "GET", "/events/view/"+secret, e.AUser.Key, nil, http.StatusOK)
	if got := relatedInfos(t, view); !slices.Equal(got, []string{"B community address event"}) {
		t.Errorf("A's RelatedEvent of its org-only event = %v, want B's", got)
	}
}
