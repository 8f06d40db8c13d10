package restapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

// The restSearch rows of the leak matrix: both scopes in MISP JSON, each
// attribute and event with its tags, and X-Result-Count. The other return
// formats are fed by the same store stream; TestRestSearchFormatsLeak
// checks each of them.
func init() {
	leakPaths = append(leakPaths,
		leakPath{
			name: "attributes/restSearch",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				s := leakSet{}
				body := f.search(t, u, "/attributes/restSearch", obj{"returnFormat": "json", "limit": 100000}, s)
				var out struct {
					Response struct{ Attribute []obj } `json:"response"`
				}
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatalf("attributes/restSearch as %s: %v", u.Key, err)
				}
				for _, a := range out.Response.Attribute {
					s.add("attribute", leakStr(a["uuid"]))
					f.collectTags(s, a)
				}
				return s
			},
			want: func(o *leakOracle, u *leakUser) leakSet {
				s := o.liveAttrs(u, true, -1)
				s.add("count", strconv.Itoa(len(o.liveAttrs(u, false, -1))))
				return s
			},
		},
		leakPath{
			name: "events/restSearch",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				return f.searchEvents(t, u, obj{"returnFormat": "json", "limit": 100000, "includeEventCorrelations": 1})
			},
			want: func(o *leakOracle, u *leakUser) leakSet { return o.searchEvents(u, false) },
		},
		leakPath{
			name: "events/restSearch deleted [0,1]",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				return f.searchEvents(t, u, obj{"deleted": []int{0, 1}, "includeEventCorrelations": 1})
			},
			want: func(o *leakOracle, u *leakUser) leakSet { return o.searchEvents(u, true) },
		},
	)
}

// search posts a restSearch and records X-Result-Count as "count N".
func (f *leakFixture) search(t *testing.T, u *leakUser, path string, body any, s leakSet) []byte {
	t.Helper()
	status, hdr, b := f.env.do(t, http.MethodPost, path, f.users[u.Key].Key, body)
	if status != http.StatusOK {
		t.Fatalf("%s as %s: %d %s", path, u.Key, status, b)
	}
	s.add("count", hdr.Get("X-Result-Count"))
	return b
}

// searchEvents names everything in an events/restSearch answer, as
// collectEvent does for one events/view.
func (f *leakFixture) searchEvents(t *testing.T, u *leakUser, body any) leakSet {
	s := leakSet{}
	b := f.search(t, u, "/events/restSearch", body, s)
	var out struct {
		Response []json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("events/restSearch as %s: %v", u.Key, err)
	}
	for _, ev := range out.Response {
		f.collectEvent(s, ev, nil)
	}
	return s
}

// searchEvents is what events/restSearch returns: every visible event in
// full, as events/view would, and their number.
func (o *leakOracle) searchEvents(u *leakUser, withDeleted bool) leakSet {
	s := o.allEvents(u, withDeleted)
	n := 0
	for _, e := range o.w.Events {
		if o.event(u, e) {
			n++
		}
	}
	s.add("count", strconv.Itoa(n))
	return s
}
