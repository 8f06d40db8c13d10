package storetest

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func testSearchAttributes(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	// Org A's private event and a community event; org B sees only the latter.
	private := newEvent("private",
		newAttr("ip-dst", "Network activity", "192.0.2.1"),
		newAttr("domain", "Network activity", "shared.test"))
	mustCreateEvent(t, s, f.a, private)
	s.Clock.Advance(100)
	community := newEvent("community",
		newAttr("ip-dst", "Network activity", "192.0.2.1"),
		newAttr("filename|sha256", "Payload delivery",
			"a.exe|2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"),
		newAttr("domain", "Network activity", "other.test"))
	community.Distribution = misp.DistributionCommunity
	hidden := newAttr("ip-dst", "Network activity", "192.0.2.9")
	hidden.Distribution = misp.DistributionOrgOnly
	community.Attribute = append(community.Attribute, hidden)
	mustCreateEvent(t, s, f.a, community)
	gone := community.Attribute[2]
	if err := s.Attributes.DeleteAttribute(ctx, f.a, int64(gone.ID), false); err != nil {
		t.Fatalf("DeleteAttribute() = %v", err)
	}

	ids := func(attrs []*misp.Attribute) []misp.Int {
		out := []misp.Int{}
		for _, a := range attrs {
			out = append(out, a.ID)
		}
		return out
	}
	pa, ca := private.Attribute, community.Attribute
	tests := []struct {
		name   string
		actor  *misp.Actor
		search misp.AttributeSearch
		want   []misp.Int
	}{
		{"value, owner", f.a, misp.AttributeSearch{Value: "192.0.2.1"}, []misp.Int{pa[0].ID, ca[0].ID}},
		{"value, other org", f.b, misp.AttributeSearch{Value: "192.0.2.1"}, []misp.Int{ca[0].ID}},
		{"value, admin", f.admin, misp.AttributeSearch{Value: "192.0.2.1"}, []misp.Int{pa[0].ID, ca[0].ID}},
		{"value2 half", f.b, misp.AttributeSearch{Value: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}, []misp.Int{ca[1].ID}},
		{"value1 half", f.b, misp.AttributeSearch{Value: "a.exe"}, []misp.Int{ca[1].ID}},
		{"composite", f.b, misp.AttributeSearch{Value: "a.exe|2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}, []misp.Int{ca[1].ID}},
		{"org-only attribute, other org", f.b, misp.AttributeSearch{Value: "192.0.2.9"}, []misp.Int{}},
		{"org-only attribute, owner", f.a, misp.AttributeSearch{Value: "192.0.2.9"}, []misp.Int{ca[3].ID}},
		{"deleted", f.admin, misp.AttributeSearch{Value: "other.test"}, []misp.Int{}},
		{"no actor", nil, misp.AttributeSearch{Value: "192.0.2.1"}, []misp.Int{}},
		{"types", f.a, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"domain", "filename|sha256"}}}, []misp.Int{pa[1].ID, ca[1].ID}},
		{"timestamp window", f.a, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"ip-dst"}}, MinTimestamp: int64(ca[0].Timestamp)},
			[]misp.Int{ca[0].ID, ca[3].ID}},
		{"max timestamp", f.a, misp.AttributeSearch{MaxTimestamp: int64(pa[0].Timestamp)}, []misp.Int{pa[0].ID, pa[1].ID}},
		{"first page", f.a, misp.AttributeSearch{Limit: 2}, []misp.Int{pa[0].ID, pa[1].ID}},
		{"next page", f.a, misp.AttributeSearch{Limit: 2, AfterID: int64(pa[1].ID)}, []misp.Int{ca[0].ID, ca[1].ID}},
		{"last page", f.a, misp.AttributeSearch{Limit: 2, AfterID: int64(ca[1].ID)}, []misp.Int{ca[3].ID}},
		// Several types with a limit: keyset pages.
		{"types, first page", f.a, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"domain", "ip-dst"}}, Limit: 2}, []misp.Int{pa[0].ID, pa[1].ID}},
		{"types, next page", f.a, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"domain", "ip-dst"}}, Limit: 2, AfterID: int64(pa[1].ID)},
			[]misp.Int{ca[0].ID, ca[3].ID}},
		{"types, page, other org", f.b, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"domain", "ip-dst", "filename|sha256"}}, Limit: 5},
			[]misp.Int{ca[0].ID, ca[1].ID}},
		{"types, page, window", f.a, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"domain", "ip-dst"}}, Limit: 5, MinTimestamp: int64(ca[0].Timestamp)},
			[]misp.Int{ca[0].ID, ca[3].ID}},
		{"types, page, value", f.admin, misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"domain", "ip-dst"}}, Limit: 1, Value: "192.0.2.1", AfterID: int64(pa[0].ID)},
			[]misp.Int{ca[0].ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AttributeSearch.SearchAttributes(ctx, tc.actor, tc.search)
			if err != nil {
				t.Fatalf("SearchAttributes(%+v) = %v", tc.search, err)
			}
			if d := cmp.Diff(tc.want, ids(got)); d != "" {
				t.Errorf("SearchAttributes(%+v) ids (-want +got):\n%s", tc.search, d)
			}
		})
	}

	tagged := newAttr("url", "Network activity", "https://tagged.test/x")
	tagged.Tag = []*misp.AttachedTag{{Name: "tlp:green"}}
	if err := s.Attributes.CreateAttribute(ctx, f.a, int64(private.ID), tagged, true); err != nil {
		t.Fatalf("CreateAttribute() = %v", err)
	}
	for _, noTags := range []bool{false, true} {
		got, err := s.AttributeSearch.SearchAttributes(ctx, f.a, misp.AttributeSearch{Value: "https://tagged.test/x", NoTags: noTags})
		if err != nil || len(got) != 1 {
			t.Fatalf("SearchAttributes(tagged, NoTags %t) = %d attributes, %v; want 1", noTags, len(got), err)
		}
		if want := map[bool]int{false: 1, true: 0}[noTags]; len(got[0].Tag) != want {
			t.Errorf("SearchAttributes(tagged, NoTags %t) returned %d tags, want %d", noTags, len(got[0].Tag), want)
		}
	}
}

// testSearchAttributePageTags checks the tags of large result sets, read
// by id range when the set is dense in it: each attribute gets exactly
// its own tags, never those of attributes in the range that the search
// or the reader's visibility left out.
func testSearchAttributePageTags(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	const n = 1500
	e := newEvent("page tags")
	e.Distribution = misp.DistributionCommunity
	for i := range n {
		typ, val := "url", fmt.Sprintf("https://page.test/%d", i)
		if i%3 == 2 {
			typ, val = "domain", fmt.Sprintf("d%d.page.test", i)
		}
		a := newAttr(typ, "Network activity", val)
		a.Tag = []*misp.AttachedTag{{Name: fmt.Sprintf("page:n=\"%d\"", i)}}
		if i%3 == 1 {
			a.Distribution = misp.DistributionOrgOnly // hidden from org B
		}
		e.Attribute = append(e.Attribute, a)
	}
	if err := s.Events.CreateEvent(ctx, f.a, e, true); err != nil {
		t.Fatalf("CreateEvent() = %v", err)
	}
	want := make(map[misp.Int]string, n)
	for i, a := range e.Attribute {
		want[a.ID] = fmt.Sprintf("page:n=\"%d\"", i)
	}
	for _, tc := range []struct {
		name  string
		actor *misp.Actor
		types []string
		count int
	}{
		{"owner, dense", f.a, []string{"url"}, 1000},
		{"other org, hidden ones between", f.b, []string{"url"}, 500},
		{"other org, sparse", f.b, []string{"domain"}, 500},
		{"other org, everything visible", f.b, nil, 1000},
	} {
		got, err := s.AttributeSearch.SearchAttributes(ctx, tc.actor, misp.AttributeSearch{Types: misp.StringFilter{Any: tc.types}})
		if err != nil {
			t.Fatalf("%s: SearchAttributes() = %v", tc.name, err)
		}
		if len(got) != tc.count {
			t.Errorf("%s: %d attributes, want %d", tc.name, len(got), tc.count)
		}
		for _, a := range got {
			if len(a.Tag) != 1 || a.Tag[0].Name != want[a.ID] {
				var names []string
				for _, at := range a.Tag {
					names = append(names, at.Name)
				}
				t.Errorf("%s: attribute %d has tags %q, want [%s]", tc.name, a.ID, names, want[a.ID])
				break
			}
		}
	}
}

// testOptimize checks that refreshing planner statistics succeeds on a
// store with data, changes no data, and leaves searches answering as
// before.
func testOptimize(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	e := newEvent("optimize", newAttr("ip-dst", "Network activity", "192.0.2.77"),
		newAttr("domain", "Network activity", "optimize.test"))
	mustCreateEvent(t, s, f.a, e)
	before := mustFindEvent(t, s, f.a, e.ID)
	search := misp.AttributeSearch{Types: misp.StringFilter{Any: []string{"ip-dst", "domain"}}, Limit: 10}
	found, err := s.AttributeSearch.SearchAttributes(ctx, f.a, search)
	if err != nil {
		t.Fatalf("SearchAttributes() = %v", err)
	}
	for i := 0; i < 2; i++ { // twice: statistics already present
		if err := s.Optimizer.Optimize(ctx); err != nil {
			t.Fatalf("Optimize() run %d = %v", i+1, err)
		}
	}
	if d := diff(before, mustFindEvent(t, s, f.a, e.ID)); d != "" {
		t.Errorf("event after Optimize (-before +after):\n%s", d)
	}
	after, err := s.AttributeSearch.SearchAttributes(ctx, f.a, search)
	if err != nil {
		t.Fatalf("SearchAttributes() after Optimize = %v", err)
	}
	if d := diff(found, after); d != "" {
		t.Errorf("search after Optimize (-before +after):\n%s", d)
	}
}
