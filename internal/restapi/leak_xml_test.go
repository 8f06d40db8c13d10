package restapi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// The xml rows of the leak matrix: restSearch in both scopes with
// returnFormat xml. The answers are read back into MISP JSON's shape
// (xmlResults) and named by the json rows' collectors: attributes with
// their tags, and with includeCorrelations their correlations; events with their attributes, objects, references, tags,
// related events and their attributes' galaxy clusters. Like MISP's
// XMLConverterTool the xml events leave out the event's own Galaxy, so
// their "galaxy_cluster" entries are not expected.
func init() {
	leakPaths = append(leakPaths,
		leakPath{
			name: "attributes/restSearch xml",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				s := leakSet{}
				body := f.search(t, u, "/attributes/restSearch", obj{"returnFormat": "xml", "limit": 100000}, s)
				for _, a := range xmlResults(t, body, "Attribute") {
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
			name: "attributes/restSearch xml includeCorrelations",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				s := leakSet{}
				body := f.search(t, u, "/attributes/restSearch", obj{"returnFormat": "xml", "includeCorrelations": 1}, s)
				f.collectSearchCorrelations(s, xmlResults(t, body, "Attribute"))
				return s
			},
			want: func(o *leakOracle, u *leakUser) leakSet {
				s := o.liveAttrs(u, false, -1)
				s.add("count", strconv.Itoa(len(s)))
				o.relatedAttrs(s, u)
				return s
			},
		},
		leakPath{
			name: "events/restSearch xml",
			collect: func(t *testing.T, f *leakFixture, u *leakUser) leakSet {
				s := leakSet{}
				body := f.search(t, u, "/events/restSearch", obj{"returnFormat": "xml", "limit": 100000, "includeEventCorrelations": 1}, s)
				for _, ev := range xmlResults(t, body, "Event") {
					b, err := json.Marshal(obj{"Event": ev})
					if err != nil {
						t.Fatal(err)
					}
					f.collectEvent(s, b, nil)
				}
				return s
			},
			want: func(o *leakOracle, u *leakUser) leakSet {
				s := o.searchEvents(u, false)
				for k := range s {
					if strings.HasPrefix(k, "galaxy_cluster ") {
						delete(s, k)
					}
				}
				return s
			},
		},
	)
}

// xmlLists are the elements that MISP JSON holds as lists: repeated
// children of these names gather into a list, others are objects or
// strings.
var xmlLists = map[string]bool{
	"Attribute": true, "Object": true, "ObjectReference": true, "Tag": true, "Galaxy": true, "GalaxyCluster": true,
	"GalaxyClusterRelation": true, "RelatedEvent": true, "RelatedAttribute": true, "ShadowAttribute": true,
	"SharingGroupOrg": true, "SharingGroupServer": true, "warnings": true, "authors": true,
}

// xmlResults parses a restSearch xml answer strictly and returns its
// <response>'s children, which must all be named name, in MISP JSON's
// shape: an element with children is an obj, one without a string, and
// the children named in xmlLists are lists.
func xmlResults(t *testing.T, body []byte, name string) []obj {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	type frame struct {
		name string
		m    obj
		text strings.Builder
		kids bool
	}
	var stack []*frame
	var out []obj
	seenRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("xml answer is not well-formed: %v\n%s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if seenRoot || tok.Name.Local != "response" {
					t.Fatalf("xml answer's root is <%s>, want one <response>:\n%s", tok.Name.Local, body)
				}
				seenRoot = true
			} else {
				stack[len(stack)-1].kids = true
				if len(stack) == 1 && tok.Name.Local != name {
					t.Fatalf("<response> holds <%s>, want <%s>", tok.Name.Local, name)
				}
			}
			stack = append(stack, &frame{name: tok.Name.Local, m: obj{}})
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(tok)
			}
		case xml.EndElement:
			fr := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				continue
			}
			var v any = fr.text.String()
			if fr.kids {
				v = fr.m
			}
			if len(stack) == 1 {
				out = append(out, fr.m)
				continue
			}
			parent := stack[len(stack)-1].m
			if xmlLists[fr.name] {
				l, _ := parent[fr.name].([]any)
				parent[fr.name] = append(l, v)
			} else {
				parent[fr.name] = v
			}
		}
	}
	if !seenRoot {
		t.Fatalf("xml answer has no <response>:\n%s", body)
	}
	return out
}
