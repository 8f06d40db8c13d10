package restapi

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRestSearchMatrixOptions is the matrix's second half: paging, the
// ways of passing parameters and the return format, restrictive formats,
// and the options that change what an answer holds rather than what it
// selects.
func TestRestSearchMatrixOptions(t *testing.T) {
	env := newTestEnv(t)
	w := newMatrixWorld(t, env)

	t.Run("limit and page", func(t *testing.T) {
		for _, scope := range []string{"attributes", "events"} {
			for _, u := range matrixUsers {
				for _, size := range []int{1, 2, 4} {
					t.Run(fmt.Sprintf("%s/%s/%d", scope, u, size), func(t *testing.T) {
						filter := obj{"published": []int{0, 1}}
						whole := w.search(t, http.MethodPost, "/"+scope+"/restSearch", u, filter)
						want := whole.attrs
						if scope == "events" {
							want = whole.events
						}
						var got []string
						for page := 1; page < 30; page++ {
							ans := w.search(t, http.MethodPost, "/"+scope+"/restSearch", u, obj{"published": []int{0, 1}, "limit": size, "page": page})
							part := ans.attrs
							if scope == "events" {
								part = ans.events
							}
							if ans.count != strconv.Itoa(len(part)) {
								t.Errorf("page %d: X-Result-Count = %q for %d elements", page, ans.count, len(part))
							}
							if len(part) == 0 {
								break
							}
							if len(part) > size {
								t.Fatalf("page %d holds %d elements, more than the limit %d", page, len(part), size)
							}
							got = append(got, part...)
						}
						if d := diffStrings(want, got); d != "" {
							t.Errorf("pages concatenated (-unpaged +paged):\n%s", d)
						}
					})
				}
			}
		}
		// limit alone is page 1.
		ans := w.search(t, http.MethodPost, "/attributes/restSearch", "A", obj{"type": "ip-dst", "limit": 2})
		if d := diffStrings(labels("a1 a6"), ans.attrs); d != "" || ans.count != "2" {
			t.Errorf("limit 2 without page: count %s (-want +got):\n%s", ans.count, d)
		}
	})

	t.Run("parameters in the URL", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path string
			body               any
			scope              string
			want               map[string][]string // by user; "" for all users
		}{
			{"named", "GET", "/attributes/restSearch/type:ip-dst/to_ids:1/published:1", nil, "attributes",
				map[string][]string{"A": labels("a1 a6 ao2 c1 d1"), "B": labels("a1 ao2"), "C": labels("a1 ao2 c1")}},
			{"named, colon as semicolon", "GET", "/attributes/restSearch/tags:apt;alpha", nil, "attributes", map[string][]string{"": labels("a1 a2")}},
			{"named list", "GET", "/attributes/restSearch/value:198.51.100.3||gamma.example.net", nil, "attributes",
				map[string][]string{"A": labels("ao2 c2"), "B": labels("ao2"), "C": labels("ao2 c2")}},
			{"named over body", "POST", "/attributes/restSearch/type:md5", obj{"type": "ip-dst"}, "attributes", map[string][]string{"": labels("a5")}},
			{"named, events", "GET", "/events/restSearch/org:ORGNAME-B", nil, "events", map[string][]string{"": labels("E2 E6")}},
			{"positional, events", "GET", "/events/restSearch/json/198.51.100.1", nil, "events", map[string][]string{"": labels("E1 E2")}},
			{"positional, attributes", "GET", "/attributes/restSearch/json/null/null/null/ip-src", nil, "attributes", map[string][]string{"": labels("a4")}},
			{"body under request", "POST", "/attributes/restSearch", obj{"request": obj{"eventid": w.events["E2"].UUID, "type": "email"}}, "attributes",
				map[string][]string{"": labels("b3")}},
		} {
			for _, u := range matrixUsers {
				t.Run(tc.name+"/"+u, func(t *testing.T) {
					want, ok := tc.want[u]
					if !ok {
						want = tc.want[""]
					}
					ans := w.search(t, tc.method, tc.path, u, tc.body)
					got := ans.attrs
					if tc.scope == "events" {
						got = ans.events
					}
					if ans.status != http.StatusOK {
						t.Fatalf("status %d: %s", ans.status, ans.body)
					}
					if d := diffStrings(w.sorted(want), w.sorted(got)); d != "" {
						t.Errorf("(-want +got):\n%s", d)
					}
				})
			}
		}
	})

	t.Run("return format", func(t *testing.T) {
		ip1 := map[string][]string{"": labels("a1 b1")}
		e1e2 := map[string][]string{"A": w.of("E1 E2"), "B": w.visible("B", w.of("E1 E2")), "C": w.visible("C", w.of("E1 E2"))}
		for _, tc := range []struct {
			name, method, path string
			body               any
			want               map[string][]string // csv rows by attribute
		}{
			{"body", "POST", "/attributes/restSearch", obj{"returnFormat": "csv", "value": "198.51.100.1"}, ip1},
			{"named", "GET", "/attributes/restSearch/returnFormat:csv/value:198.51.100.1", nil, ip1},
			{"positional", "GET", "/attributes/restSearch/csv/198.51.100.1", nil, ip1},
			{"named over body", "POST", "/attributes/restSearch/returnFormat:csv", obj{"returnFormat": "json", "value": "198.51.100.1"}, ip1},
			{"events, named", "GET", "/events/restSearch/returnFormat:csv/value:198.51.100.1", nil, e1e2},
			{"events, positional", "GET", "/events/restSearch/csv/198.51.100.1", nil, e1e2},
			// csv is not restrictive: unpublished events and to_ids off.
			{"csv returns everything", "POST", "/attributes/restSearch", obj{"returnFormat": "csv", "type": []string{"email", "text"}},
				map[string][]string{"A": labels("b3 d2"), "B": labels("b3"), "C": labels("b3")}},
		} {
			for _, u := range matrixUsers {
				t.Run(tc.name+"/"+u, func(t *testing.T) {
					want, ok := tc.want[u]
					if !ok {
						want = tc.want[""]
					}
					status, h, b := env.do(t, tc.method, tc.path, w.users[u].Key, tc.body)
					if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || h.Get("X-Response-Format") != "csv" {
						t.Fatalf("status %d, Content-Type %q, X-Response-Format %q; want a csv answer: %s", status, h.Get("Content-Type"), h.Get("X-Response-Format"), b)
					}
					rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
					if err != nil || len(rows) == 0 || rows[0][0] != "uuid" {
						t.Fatalf("csv answer (%v): %s", err, b)
					}
					got := []string{}
					for _, r := range rows[1:] {
						got = append(got, w.name(r[0]))
					}
					if d := diffStrings(w.sorted(want), w.sorted(got)); d != "" {
						t.Errorf("csv rows (-want +got):\n%s", d)
					}
				})
			}
		}
	})

	t.Run("restrictive text", func(t *testing.T) {
		values := func(labels []string) []string {
			var out []string
			for _, l := range labels {
				if v := w.attrs[l].Value; !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
			slices.Sort(out)
			return out
		}
		for _, tc := range []struct {
			name string
			body obj
			// attrs: the attributes scope's answer; inner: the attributes
			// of the events the events scope selects (all-seeing).
			attrs, inner []string
		}{
			// text defaults to to_ids 1 and published 1.
			{"defaults", obj{"type": []string{"ip-dst", "domain"}}, labels("a1 a2 a6 ao1 ao2 c1 d1"),
				without(w.of("E1 E3 E4"), "a5 a8 c2 d2")},
			{"published given", obj{"type": "ip-dst", "published": 0}, labels("b1"), labels("b1 b2 b4 b5")},
			{"to_ids given", obj{"type": "domain", "to_ids": 0}, labels("c2"), labels("c2")},
			{"both given", obj{"type": []string{"email", "email-src"}, "to_ids": []int{0, 1}, "published": []int{0, 1}}, labels("b2 b3"), w.of("E2")},
		} {
			for _, scope := range []string{"attributes", "events"} {
				for _, u := range matrixUsers {
					t.Run(tc.name+"/"+scope+"/"+u, func(t *testing.T) {
						body := obj{"returnFormat": "text"}
						for k, v := range tc.body {
							body[k] = v
						}
						status, _, b := env.do(t, http.MethodPost, "/"+scope+"/restSearch", w.users[u].Key, body)
						if status != http.StatusOK {
							t.Fatalf("status %d: %s", status, b)
						}
						want := tc.attrs
						if scope == "events" {
							want = tc.inner
						}
						got := slices.DeleteFunc(strings.Split(string(b), "\n"), func(s string) bool { return s == "" })
						slices.Sort(got)
						if d := diffStrings(values(w.visible(u, want)), got); d != "" {
							t.Errorf("text lines (-want +got):\n%s", d)
						}
					})
				}
			}
		}
	})

	t.Run("answer options", func(t *testing.T) {
		w.checkOptions(t)
	})
}

// answerAttr returns the attribute labelled l from a json attributes
// answer, or nil.
func (w *matrixWorld) answerAttr(t *testing.T, body []byte, l string) obj {
	t.Helper()
	var r struct{ Response struct{ Attribute []obj } }
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("attributes answer is not JSON (%v): %s", err, body)
	}
	for _, a := range r.Response.Attribute {
		if a["uuid"] == w.attrs[l].UUID {
			return a
		}
	}
	return nil
}

// answerEvent returns the event labelled l from a json events answer, or
// nil.
func (w *matrixWorld) answerEvent(t *testing.T, body []byte, l string) obj {
	t.Helper()
	var r struct{ Response []struct{ Event obj } }
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("events answer is not JSON (%v): %s", err, body)
	}
	for _, e := range r.Response {
		if e.Event["uuid"] == w.events[l].UUID {
			return e.Event
		}
	}
	return nil
}

// eventAttr returns attribute l of a json event (standalone or in an
// object), or nil.
func (w *matrixWorld) eventAttr(e obj, l string) obj {
	list, _ := e["Attribute"].([]any)
	for _, o := range jsonList(e["Object"]) {
		list = append(list, jsonList(o.(obj)["Attribute"])...)
	}
	for _, a := range list {
		if a.(obj)["uuid"] == w.attrs[l].UUID {
			return a.(obj)
		}
	}
	return nil
}

func jsonList(v any) []any {
	l, _ := v.([]any)
	return l
}

// jsonTagNames lists the names of a json Tag list, "+inherited" marking
// inherited ones, sorted.
func jsonTagNames(v any) []string {
	out := []string{}
	for _, tg := range jsonList(v) {
		m := tg.(obj)
		n := m["name"].(string)
		if inh, ok := m["inherited"]; ok && fmt.Sprint(inh) == "1" {
			n += "+inherited"
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// checkOptions checks the options that shape an answer: event tags on
// attributes, event uuids, attachments, metadata, local and
// non-exportable tags, and the includeContext event summary.
func (w *matrixWorld) checkOptions(t *testing.T) {
	post := func(t *testing.T, scope, u string, body obj) []byte {
		t.Helper()
		status, _, b := w.env.do(t, http.MethodPost, "/"+scope+"/restSearch", w.users[u].Key, body)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, b)
		}
		return b
	}
	e1 := obj{"eventid": strconv.FormatInt(int64(w.events["E1"].ID), 10)}
	with := func(extra obj) obj {
		m := obj{}
		for k, v := range e1 {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, u := range []string{"A", "B"} {
		t.Run("attribute tags/"+u, func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				body  obj
				label string
				want  []string
			}{
				{"own tags", e1, "a1", labels("apt:alpha")},
				// includeEventTags adds the event's exportable tags, local
				// ones included, marked inherited.
				{"includeEventTags", with(obj{"includeEventTags": 1}), "a1", labels("apt:alpha tlp:green+inherited workflow:todo+inherited")},
				{"non-exportable hidden", e1, "a5", labels("")},
				{"includeAllTags", with(obj{"includeAllTags": 1}), "a5", labels("internal:noexport")},
				{"includeAllTags and includeEventTags", with(obj{"includeAllTags": 1, "includeEventTags": 1}), "a5",
					labels("internal:noexport internal:noexport+inherited tlp:green+inherited workflow:todo+inherited")},
			} {
				a := w.answerAttr(t, post(t, "attributes", u, tc.body), tc.label)
				if a == nil {
					t.Fatalf("%s: %s is missing", tc.name, tc.label)
				}
				if d := diffStrings(tc.want, jsonTagNames(a["Tag"])); d != "" {
					t.Errorf("%s: tags of %s (-want +got):\n%s", tc.name, tc.label, d)
				}
			}
		})

		t.Run("includeEventUuid/"+u, func(t *testing.T) {
			a := w.answerAttr(t, post(t, "attributes", u, with(obj{"includeEventUuid": 1})), "a2")
			if a == nil || a["event_uuid"] != w.events["E1"].UUID {
				t.Errorf("a2 with includeEventUuid = %v, want event_uuid %s", a, w.events["E1"].UUID)
			}
			a = w.answerAttr(t, post(t, "attributes", u, e1), "a2")
			if _, ok := a["event_uuid"]; ok {
				t.Errorf("a2 without includeEventUuid has event_uuid: %v", a)
			}
		})

		t.Run("withAttachments/"+u, func(t *testing.T) {
			want := w.attrs["a8"].Data
			a := w.answerAttr(t, post(t, "attributes", u, with(obj{"withAttachments": 1})), "a8")
			if a["data"] != want {
				t.Errorf("a8 with withAttachments: data %v, want %q", a["data"], want)
			}
			if a := w.answerAttr(t, post(t, "attributes", u, e1), "a8"); a["data"] != nil {
				t.Errorf("a8 without withAttachments has data %v", a["data"])
			}
			e := w.answerEvent(t, post(t, "events", u, with(obj{"withAttachments": 1})), "E1")
			if a := w.eventAttr(e, "a8"); a == nil || a["data"] != want {
				t.Errorf("a8 in E1 with withAttachments = %v, want data %q", a, want)
			}
			e = w.answerEvent(t, post(t, "events", u, with(obj{"includeAttachments": 1})), "E1")
			if a := w.eventAttr(e, "a8"); a == nil || a["data"] != want {
				t.Errorf("a8 in E1 with includeAttachments = %v, want data %q", a, want)
			}
			e = w.answerEvent(t, post(t, "events", u, e1), "E1")
			if a := w.eventAttr(e, "a8"); a == nil || a["data"] != nil {
				t.Errorf("a8 in E1 without withAttachments = %v, want no data", a)
			}
		})

		t.Run("distribution/"+u, func(t *testing.T) {
			// distribution applies to objects as to attributes.
			e := w.answerEvent(t, post(t, "events", u, with(obj{"distribution": 1})), "E1")
			if e == nil || len(jsonList(e["Object"])) != 0 || len(jsonList(e["Attribute"])) != 1 {
				t.Errorf("E1 with distribution 1 = %v, want a2 alone and no object", e)
			}
		})

		t.Run("metadata/"+u, func(t *testing.T) {
			e := w.answerEvent(t, post(t, "events", u, with(obj{"metadata": 1})), "E1")
			if e == nil || len(jsonList(e["Attribute"])) != 0 || len(jsonList(e["Object"])) != 0 || len(jsonTagNames(e["Tag"])) == 0 {
				t.Errorf("E1 with metadata = %v, want its tags without attributes or objects", e)
			}
			e = w.answerEvent(t, post(t, "events", u, e1), "E1")
			if len(jsonList(e["Attribute"])) == 0 || len(jsonList(e["Object"])) != 1 {
				t.Errorf("E1 without metadata lacks attributes or objects: %v", e)
			}
		})

		t.Run("event tags/"+u, func(t *testing.T) {
			e5 := obj{"eventid": strconv.FormatInt(int64(w.events["E5"].ID), 10)}
			for _, tc := range []struct {
				name     string
				body     obj
				event    string
				want     []string // the event's tags
				attr     string
				wantAttr []string // attr's tags
			}{
				{"default", e1, "E1", labels("tlp:green workflow:todo"), "a5", labels("")},
				{"includeAllTags", with(obj{"includeAllTags": 1}), "E1", labels("internal:noexport tlp:green workflow:todo"), "a5", labels("internal:noexport")},
				{"excludeLocalTags", with(obj{"excludeLocalTags": 1}), "E1", labels("tlp:green"), "a1", labels("apt:alpha")},
				{"local attribute tag", e5, "E5", labels("tlp:green workflow:todo"), "e1", labels("tlp:white")},
				{"excludeLocalTags, attribute", obj{"eventid": e5["eventid"], "excludeLocalTags": 1}, "E5", labels("tlp:green"), "e1", labels("")},
			} {
				e := w.answerEvent(t, post(t, "events", u, tc.body), tc.event)
				if e == nil {
					t.Fatalf("%s: %s is missing", tc.name, tc.event)
				}
				if d := diffStrings(tc.want, jsonTagNames(e["Tag"])); d != "" {
					t.Errorf("%s: tags of %s (-want +got):\n%s", tc.name, tc.event, d)
				}
				if d := diffStrings(tc.wantAttr, jsonTagNames(w.eventAttr(e, tc.attr)["Tag"])); d != "" {
					t.Errorf("%s: tags of %s (-want +got):\n%s", tc.name, tc.attr, d)
				}
			}
		})

		t.Run("includeContext/"+u, func(t *testing.T) {
			b := post(t, "attributes", u, with(obj{"includeContext": 1}))
			a := w.answerAttr(t, b, "a1")
			if a == nil {
				t.Fatalf("a1 is missing: %s", b)
			}
			e, _ := a["Event"].(obj)
			var keys []string
			for k := range e {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			wantKeys := labels("Orgc Tag analysis date distribution extends_uuid id info org_id orgc_id publish_timestamp published sharing_group_id threat_level_id timestamp uuid")
			if d := diffStrings(wantKeys, keys); d != "" {
				t.Fatalf("includeContext Event keys (-want +got):\n%s", d)
			}
			ev := w.events["E1"]
			if e["uuid"] != ev.UUID || e["date"] != ev.Date || e["info"] != ev.Info || e["threat_level_id"] != "1" ||
				e["published"] != true || e["publish_timestamp"] != strconv.FormatInt(int64(ev.PublishTimestamp), 10) {
				t.Errorf("includeContext Event = %v, want E1's fields", e)
			}
			if d := diffStrings(labels("tlp:green workflow:todo"), jsonTagNames(e["Tag"])); d != "" {
				t.Errorf("includeContext Event tags (-want +got):\n%s", d)
			}
			orgc, _ := e["Orgc"].(obj)
			if orgc["name"] != w.env.OrgA.Name || orgc["uuid"] != w.env.OrgA.UUID {
				t.Errorf("includeContext Orgc = %v, want organisation A", orgc)
			}
			// The attribute's own tags stay as they are.
			if d := diffStrings(labels("apt:alpha"), jsonTagNames(a["Tag"])); d != "" {
				t.Errorf("a1 tags with includeContext (-want +got):\n%s", d)
			}
		})
	}
}
