package restapi

import (
	"encoding/json"
	"strconv"
	"testing"
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
				owners, attrs, events := f.attrOwners(), f.attrsByID(), f.eventsByID()
				for _, a := range out.Response.Attribute {
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
