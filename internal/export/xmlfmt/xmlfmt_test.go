package xmlfmt

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/export/jsonfmt"
	"github.com/razmena/razmena/internal/misp"
)

// elem is a parsed XML element: its text or its children.
type elem struct {
	Name string
	Text string
	Kids []*elem
}

func (e *elem) all(name string) []*elem {
	var out []*elem
	for _, k := range e.Kids {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

func (e *elem) one(t *testing.T, name string) *elem {
	t.Helper()
	l := e.all(name)
	if len(l) != 1 {
		t.Fatalf("<%s> has %d <%s>, want 1", e.Name, len(l), name)
	}
	return l[0]
}

// parseXML parses an answer strictly (encoding/xml rejects invalid
// UTF-8 and characters XML 1.0 forbids) and returns its root.
func parseXML(b []byte) (*elem, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*elem
	var root *elem
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &elem{Name: tok.Name.Local}
			if tok.Name.Space != "" {
				return nil, errors.New("element with a namespace prefix: " + tok.Name.Space + ":" + tok.Name.Local)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, e)
			} else if root == nil {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tok)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func mustParse(t *testing.T, b []byte) *elem {
	t.Helper()
	root, err := parseXML(b)
	if err != nil {
		t.Fatalf("answer is not well-formed XML: %v\n%s", err, b)
	}
	if root.Name != "response" {
		t.Fatalf("root <%s>, want <response>", root.Name)
	}
	return root
}

func TestGolden(t *testing.T) {
	o := exporttest.Options(export.ScopeAttributes)
	o.IncludeEventTags = true
	attrs := exporttest.WriteAttributes(t, Format, o, exporttest.Hits())
	exporttest.Golden(t, "attributes", attrs)
	events := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), exporttest.Events())
	exporttest.Golden(t, "events", events)

	a := mustParse(t, attrs)
	list := a.all("Attribute")
	if got, want := len(list), len(exporttest.Hits()); got != want {
		t.Fatalf("%d attributes, want %d", got, want)
	}
	first := list[0]
	if len(first.all("Event")) != 0 {
		t.Errorf("first attribute has an Event; XmlExport unsets it")
	}
	tags := first.all("Tag")
	if len(tags) != 4 || len(tags[0].all("inherited")) != 0 || tags[1].one(t, "inherited").Text != "1" {
		t.Errorf("first attribute's tags = %d; want its own tag then 3 inherited", len(tags))
	}
	if obj := list[20].one(t, "Object"); obj.one(t, "id").Text != "1" {
		t.Errorf("object attribute's Object id = %q, want 1", obj.one(t, "id").Text)
	}

	e := mustParse(t, events)
	evs := e.all("Event")
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	ev := evs[0]
	if n, m := len(ev.all("Attribute")), len(ev.all("Object")); n != 20 || m != 1 || len(ev.one(t, "Object").all("Attribute")) != 4 {
		t.Errorf("first event: %d attributes, %d objects; want 20 and 1 with 4 attributes", n, m)
	}
	for _, k := range []string{"attribute_count", "proposal_email_lock", "locked", "user_id", "Galaxy", "EventReport", "CryptographicKey"} {
		if len(ev.all(k)) != 0 {
			t.Errorf("event has <%s>, which XMLConverterTool drops", k)
		}
	}
	if ev.one(t, "Orgc").one(t, "name").Text != "CERT-RS" || ev.one(t, "published").Text != "1" {
		t.Errorf("event Orgc or published wrong")
	}
	if got := ev.all("Attribute")[0].one(t, "comment").Text; got != `C2, seen 2026-11-23; "beacon"` {
		t.Errorf("first attribute comment = %q", got)
	}
}

func TestEmpty(t *testing.T) {
	const want = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response></response>\n"
	for _, scope := range []string{export.ScopeAttributes, export.ScopeEvents} {
		var got []byte
		if scope == export.ScopeAttributes {
			got = exporttest.WriteAttributes(t, Format, exporttest.Options(scope), nil)
		} else {
			got = exporttest.WriteEvents(t, Format, exporttest.Options(scope), nil)
		}
		if string(got) != want {
			t.Errorf("%s: empty answer %q, want %q", scope, got, want)
		}
		mustParse(t, got)
	}
}

// TestEscaping pins how each scope writes a value, byte for byte, and
// that the answer parses back to what MISP's would.
func TestEscaping(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		event, attr string // the element written
		parsed      string // the events scope's value, read back (the attributes scope reads back attrParsed)
		attrParsed  string
	}{
		{"markup", `a<b>&"c'`, "<value>a&lt;b&gt;&amp;&quot;c&apos;</value>", `<value>a&lt;b&gt;&amp;"c'</value>`, `a<b>&"c'`, `a<b>&"c'`},
		{"empty", "", "<value/>", "<value></value>", "", ""},
		{"zero", "0", "<value>0</value>", "<value>0</value>", "0", "0"},
		{"lines", "a\r\nb\tc", "<value>a\r\nb\tc</value>", "<value>a&#13;\nb\tc</value>", "a\nb\tc", "a\r\nb\tc"},
		{"controls", "a\x00\x01b\x1fc\x7f", "<value>a b c\x7f</value>", "<value>a b c\x7f</value>", "a b c\x7f", "a b c\x7f"},
		{"noncharacters", "a\uFFFE\uFFFFb", "<value>a b</value>", "<value>a b</value>", "a b", "a b"},
		{"emoji", "a😀😀b", "<value>a b</value>", "<value>a😀😀b</value>", "a b", "a😀😀b"},
		{"replacement character", "a\uFFFDb", "<value>a\uFFFDb</value>", "<value>a\uFFFDb</value>", "a\uFFFDb", "a\uFFFDb"},
		{"invalid UTF-8", "a\xffb", "<value></value>", "<value></value>", "", ""},
		{"backslash", `a\ufffd`, `<value>a\ufffd</value>`, `<value>a\ufffd</value>`, `a\ufffd`, `a\ufffd`},
		{"non-ASCII", "Vaša pošiljka", "<value>Vaša pošiljka</value>", "<value>Vaša pošiljka</value>", "Vaša pošiljka", "Vaša pošiljka"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := exporttest.Events()[1]
			e.Object = nil
			e.Attribute = e.Attribute[:1]
			e.Attribute[0].Value = tc.value
			events := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), []*misp.Event{e})
			if !bytes.Contains(events, []byte(tc.event)) {
				t.Errorf("events answer lacks %q:\n%s", tc.event, events)
			}
			attrs := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), export.Hits(e))
			if !bytes.Contains(attrs, []byte(tc.attr)) {
				t.Errorf("attributes answer lacks %q:\n%s", tc.attr, attrs)
			}
			if got := mustParse(t, events).one(t, "Event").one(t, "Attribute").one(t, "value").Text; got != tc.parsed {
				t.Errorf("events answer's value reads %q, want %q", got, tc.parsed)
			}
			if got := mustParse(t, attrs).one(t, "Attribute").one(t, "value").Text; got != tc.attrParsed {
				t.Errorf("attributes answer's value reads %q, want %q", got, tc.attrParsed)
			}
		})
	}
}

func TestElementName(t *testing.T) {
	for in, want := range map[string]string{
		"refs": "refs", "meta-category": "meta-category", "": "_", "0": "_0", "-x": "_-x",
		"a b": "a_b", "ns:x": "ns_x", "Ž": "_", "x<y>": "x_y_", "kill_chain.1": "kill_chain.1",
	} {
		if got := elementName(in); got != want {
			t.Errorf("elementName(%q) = %q, want %q", in, got, want)
		}
	}
}

// galaxyEvent is the first event of the dataset with what the json
// format adds to an event view: galaxies (with meta, authors, relations
// and organisations), warnings, correlations, a sharing group on an
// object and on an attribute, and related events.
func galaxyEvent() *misp.Event {
	e := exporttest.Events()[0]
	cluster := func(uuid string) *misp.EventCluster {
		return &misp.EventCluster{
			GalaxyCluster: misp.GalaxyCluster{ID: 7, UUID: uuid, Type: "threat-actor", Value: "APT28",
				TagName: `misp-galaxy:threat-actor="APT28"`, Authors: []string{"Alexandre Dulaunoy", "Andras Iklody"},
				GalaxyClusterRelation: []*misp.GalaxyClusterRelation{{ID: 1, ReferencedGalaxyClusterUUID: "b2b2b2b2-0000-4000-8000-000000000002", ReferencedGalaxyClusterType: "similar"}}},
			Org:  &misp.OrgRef{ID: 1, Name: "CERT-RS", UUID: "5f0c5b5e-0b8c-4d7a-9b1e-2f3a4b5c6d7e"},
			Orgc: map[string]any{},
			Meta: misp.ClusterMeta{"synonyms": {"Fancy Bear", "Sofacy"}, "country": {"RU"}, "cfr-type:of incident": {"Espionage"}},
		}
	}
	galaxy := func(uuid string) []*misp.EventGalaxy {
		return []*misp.EventGalaxy{{Galaxy: misp.Galaxy{ID: 2, Name: "Threat Actor", Type: "threat-actor",
			KillChainOrder: map[string][]string{"x": {"a", "b"}}}, GalaxyCluster: []*misp.EventCluster{cluster(uuid)}}}
	}
	e.Galaxy = galaxy("a1a1a1a1-0000-4000-8000-000000000001")
	e.Attribute[0].Galaxy = galaxy("a1a1a1a1-0000-4000-8000-000000000003")
	e.Object[0].Attribute[0].Galaxy = galaxy("a1a1a1a1-0000-4000-8000-000000000004")
	e.Attribute[0].Warnings = []*misp.WarninglistHit{{Match: "198.51.100.0/24", Value: "198.51.100.23", WarninglistID: 3, WarninglistName: "TEST-NET"}}
	e.Attribute[1].RelatedAttribute = []*misp.RelatedAttribute{{ID: 32, EventID: 2, Value: "x", OrgID: 2, Info: "other"}}
	sg := &misp.SharingGroup{ID: 4, UUID: "c3c3c3c3-0000-4000-8000-000000000005", Name: "Banks",
		SharingGroupOrg: []*misp.SharingGroupOrg{{ID: 1, SharingGroupID: 4, OrgID: 2}}}
	e.Attribute[2].SharingGroup = sg
	e.Object[0].SharingGroup = sg
	e.RelatedEvent = []*misp.RelatedEvent{{Event: misp.RelatedEventInfo{ID: 2, UUID: "9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a", Info: "Scanning",
		Org: misp.OrgSummary{ID: 2, Name: "B"}, Orgc: misp.OrgSummary{ID: 2, Name: "B"}}}}
	return e
}

// TestGalaxyEvent checks the shapes of what an enriched event carries:
// the event's galaxies are dropped and its attributes' kept, meta and
// authors keep their values, sharing groups and correlations are where
// XMLConverterTool leaves them.
func TestGalaxyEvent(t *testing.T) {
	b := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), []*misp.Event{galaxyEvent()})
	ev := mustParse(t, b).one(t, "Event")
	if len(ev.all("Galaxy")) != 0 {
		t.Errorf("event has its Galaxy; XMLConverterTool leaves it out")
	}
	a := ev.all("Attribute")[0]
	c := a.one(t, "Galaxy").one(t, "GalaxyCluster")
	if c.one(t, "uuid").Text != "a1a1a1a1-0000-4000-8000-000000000003" {
		t.Errorf("attribute cluster uuid = %q", c.one(t, "uuid").Text)
	}
	var authors, synonyms []string
	for _, x := range c.all("authors") {
		authors = append(authors, x.Text)
	}
	for _, x := range c.one(t, "meta").all("synonyms") {
		synonyms = append(synonyms, x.Text)
	}
	if !slices.Equal(authors, []string{"Alexandre Dulaunoy", "Andras Iklody"}) || !slices.Equal(synonyms, []string{"Fancy Bear", "Sofacy"}) {
		t.Errorf("authors %q, synonyms %q", authors, synonyms)
	}
	if c.one(t, "meta").one(t, "cfr-type_of_incident").Text != "Espionage" {
		t.Errorf("meta key not made a name")
	}
	if c.one(t, "Org").one(t, "name").Text != "CERT-RS" || len(c.one(t, "Orgc").Kids) != 0 {
		t.Errorf("cluster Org/Orgc wrong")
	}
	if a.one(t, "warnings").one(t, "warninglist_name").Text != "TEST-NET" {
		t.Errorf("attribute warnings missing")
	}
	if kids := a.Kids; kids[len(kids)-1].Name != "Tag" {
		t.Errorf("attribute's last element is <%s>, want <Tag>", kids[len(kids)-1].Name)
	}
	if len(ev.all("Attribute")[1].all("RelatedAttribute")) != 0 || len(ev.all("Attribute")[2].all("SharingGroup")) != 0 {
		t.Errorf("an attribute keeps RelatedAttribute or SharingGroup; XMLConverterTool drops them")
	}
	obj := ev.one(t, "Object")
	if obj.one(t, "SharingGroup").one(t, "SharingGroupOrg").one(t, "org_id").Text != "2" {
		t.Errorf("object's sharing group wrong")
	}
	if obj.all("Attribute")[0].one(t, "Galaxy").one(t, "GalaxyCluster").one(t, "uuid").Text != "a1a1a1a1-0000-4000-8000-000000000004" {
		t.Errorf("object attribute's cluster missing")
	}
	re := ev.one(t, "RelatedEvent").one(t, "Event")
	if re.one(t, "uuid").Text != "9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a" || re.one(t, "Org").one(t, "name").Text != "B" {
		t.Errorf("related event wrong")
	}
	if len(ev.all("ShadowAttribute")) != 1 || len(ev.one(t, "ShadowAttribute").Kids) != 0 {
		t.Errorf("want one empty <ShadowAttribute/>")
	}
	// Order of the event's lists, as convertArray builds them.
	var order []string
	for _, k := range ev.Kids {
		if n := len(order); strings.ToUpper(k.Name[:1]) == k.Name[:1] && (n == 0 || order[n-1] != k.Name) {
			order = append(order, k.Name)
		}
	}
	if want := []string{"Org", "Orgc", "Attribute", "Object", "ShadowAttribute", "RelatedEvent", "Tag"}; !slices.Equal(order, want) {
		t.Errorf("event elements in order %q, want %q", order, want)
	}
}

// TestSameAsJSON checks that the XML shows what the json format shows:
// every uuid, value and name of the json answer, except in what
// XMLConverterTool drops, with the same count.
func TestSameAsJSON(t *testing.T) {
	events := []*misp.Event{galaxyEvent(), exporttest.Events()[1]}
	o := exporttest.Options(export.ScopeEvents)
	js := exporttest.WriteEvents(t, jsonfmt.Format, o, events)
	xs := exporttest.WriteEvents(t, Format, o, events)
	var doc struct{ Response []map[string]any }
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	// walk collects the strings of v, member key of a value depth deep.
	var walk func(key string, v any, depth int)
	walk = func(key string, v any, depth int) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if key == "Event" && depth == 1 && droppedFromEvent(k) || key == "Attribute" && (k == "RelatedAttribute" || k == "SharingGroup") {
					continue
				}
				walk(k, x, depth+1)
			}
		case []any:
			for _, x := range v {
				walk(key, x, depth)
			}
		case string:
			if key == "uuid" || key == "value" || key == "name" {
				want = append(want, key+"="+v)
			}
		}
	}
	for _, ev := range doc.Response {
		walk("", ev, 0)
	}
	var got []string
	var walkXML func(e *elem)
	walkXML = func(e *elem) {
		if len(e.Kids) == 0 && (e.Name == "uuid" || e.Name == "value" || e.Name == "name") {
			got = append(got, e.Name+"="+e.Text)
		}
		for _, k := range e.Kids {
			walkXML(k)
		}
	}
	walkXML(mustParse(t, xs))
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uuids, values and names of the xml answer differ from the json one's (-json +xml):\n%s", diff)
	}
}

// FuzzWellFormed writes an event whose strings are the fuzzer's in both
// scopes and checks that each answer is well-formed XML holding the
// value as the scope writes it.
func FuzzWellFormed(f *testing.F) {
	f.Add("198.51.100.23", "refs", "APT28")
	f.Add("a<b>&\"c'\r\n\x01\uFFFE😀", "0 x:y", "\xff\xfe")
	f.Add(`\ufffd\"`, "", "\ufffd")
	f.Fuzz(func(t *testing.T, value, key, other string) {
		e := galaxyEvent()
		e.Info = other
		e.Attribute[0].Value, e.Attribute[0].Comment = value, other
		e.Attribute[0].Tag = []*misp.AttachedTag{{ID: 9, Name: other}}
		c := e.Attribute[0].Galaxy[0].GalaxyCluster[0]
		c.Meta = misp.ClusterMeta{key: {value, other}}
		c.Authors = []string{other, value}
		for _, scope := range []string{export.ScopeEvents, export.ScopeAttributes} {
			o := exporttest.Options(scope)
			o.IncludeEventTags = true
			var b []byte
			if scope == export.ScopeEvents {
				b = exporttest.WriteEvents(t, Format, o, []*misp.Event{e})
			} else {
				b = exporttest.WriteAttributes(t, Format, o, export.Hits(e))
			}
			root := mustParse(t, b)
			var got string
			if scope == export.ScopeEvents {
				got = root.one(t, "Event").all("Attribute")[0].one(t, "value").Text
			} else {
				got = root.all("Attribute")[0].one(t, "value").Text
			}
			if want := readBack(scope, value); got != want {
				t.Errorf("%s: value %q reads back %q, want %q", scope, value, got, want)
			}
		}
	})
}

// readBack is what a parser reads from the element a scope writes for
// value v.
func readBack(scope, v string) string {
	if !utf8.ValidString(v) {
		return ""
	}
	var b strings.Builder
	if scope == export.ScopeEvents {
		replaceRuns(&b, v, xmlChar, func(r rune) { b.WriteRune(r) })
		// A parser reads a raw carriage return as a line feed.
		return strings.ReplaceAll(strings.ReplaceAll(b.String(), "\r\n", "\n"), "\r", "\n")
	}
	replaceRuns(&b, v, func(r rune) bool { return xmlChar(r) || r > 0xFFFF }, func(r rune) { b.WriteRune(r) })
	return b.String()
}
