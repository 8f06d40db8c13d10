package storetest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/taxonomy"
)

// libraryTaxonomies is the misp-taxonomies checkout of ../shared, from
// the directory of a dialect package (internal/store/sqlite).
const libraryTaxonomies = "../../../../shared/misp-data/taxonomies"

// demoTaxonomy is a small taxonomy: an exclusive predicate with entries,
// a predicate without entries and one with an own colour.
const demoTaxonomy = `{
	"namespace": "rzm-demo", "description": "Demo taxonomy.", "version": %d,
	"predicates": [
		{"value": "level", "expanded": "Level", "exclusive": true},
		{"value": "flag", "colour": "#ff0000", "numerical_value": 7, "description": "A flag."}
	],
	"values": [
		{"predicate": "level", "entry": [
			{"value": "low", "numerical_value": 25},
			{"value": "high", "expanded": "High", "colour": "#00ff00", "description": "Very."}%s
		]}
	]
}`

func parseTaxonomy(t *testing.T, src string) *misp.Taxonomy {
	t.Helper()
	tx, err := taxonomy.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("taxonomy.Parse: %v", err)
	}
	return tx.MISP()
}

func demo(t *testing.T, version int, extraEntry string) *misp.Taxonomy {
	t.Helper()
	if extraEntry != "" {
		extraEntry = `, {"value": "` + extraEntry + `"}`
	}
	return parseTaxonomy(t, fmt.Sprintf(demoTaxonomy, version, extraEntry))
}

// markings is a second taxonomy, exclusive, whose tags are predicates.
func markings(t *testing.T) *misp.Taxonomy {
	return parseTaxonomy(t, `{"namespace": "RZM-Marking", "description": "Markings.", "exclusive": true,
		"predicates": [{"value": "red", "colour": "#cc0033"}, {"value": "green"}]}`)
}

// testTaxonomies checks the taxonomy library store.
func testTaxonomies(t *testing.T, s *Stores) {
	t.Run("Import", func(t *testing.T) { testTaxonomyImport(t, s) })
	t.Run("Tags", func(t *testing.T) { testTaxonomyTags(t, s) })
	t.Run("Lookups", func(t *testing.T) { testTaxonomyLookups(t, s) })
	t.Run("Usage", func(t *testing.T) { testTaxonomyUsage(t, s) })
	t.Run("Library", func(t *testing.T) { testTaxonomyLibrary(t, s) })
}

// indexCounts returns "namespace total/current" per taxonomy.
func indexCounts(t *testing.T, s *Stores, f misp.TaxonomyFilter) []string {
	t.Helper()
	items, err := s.Taxonomies.FindTaxonomies(t.Context(), f)
	if err != nil {
		t.Fatalf("FindTaxonomies(%+v) = %v", f, err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Taxonomy.Namespace+" "+strconv.Itoa(it.TotalCount)+"/"+strconv.Itoa(it.CurrentCount))
	}
	return out
}

func testTaxonomyImport(t *testing.T, s *Stores) {
	ctx := t.Context()
	res, err := s.Taxonomies.ImportTaxonomies(ctx, []*misp.Taxonomy{demo(t, 1, ""), markings(t)})
	if err != nil {
		t.Fatalf("ImportTaxonomies() = %v", err)
	}
	if d := diff(misp.LibraryResult{Library: "taxonomies", Added: 2}, res); d != "" {
		t.Errorf("first import (-want +got):\n%s", d)
	}
	if d := diff([]string{"rzm-demo 3/0", "RZM-Marking 2/0"}, indexCounts(t, s, misp.TaxonomyFilter{})); d != "" {
		t.Errorf("index (-want +got):\n%s", d)
	}

	got, err := s.Taxonomies.FindTaxonomyByNamespace(ctx, "RZM-DEMO")
	if err != nil {
		t.Fatalf("FindTaxonomyByNamespace() = %v", err)
	}
	want := demo(t, 1, "")
	want.ID = got.ID
	for i, p := range want.Predicates {
		p.ID = got.Predicates[i].ID
		for j, e := range p.Entries {
			e.ID = got.Predicates[i].Entries[j].ID
		}
	}
	if d := diff(want, got); d != "" {
		t.Errorf("stored taxonomy (-want +got):\n%s", d)
	}
	if got.Enabled || got.Required || got.Predicates[0].Expanded != "Level" || got.Predicates[1].Expanded != "" {
		t.Errorf("stored taxonomy = %+v", got)
	}
	byID, err := s.Taxonomies.FindTaxonomyByID(ctx, int64(got.ID))
	if err != nil || diff(got, byID) != "" {
		t.Errorf("FindTaxonomyByID(%d) = %+v, %v, want %+v", got.ID, byID, err, got)
	}
	_, err = s.Taxonomies.FindTaxonomyByID(ctx, 9999)
	wantErr(t, "FindTaxonomyByID(9999)", err, misp.ErrNotFound)
	_, err = s.Taxonomies.FindTaxonomyByNamespace(ctx, "nope")
	wantErr(t, "FindTaxonomyByNamespace(nope)", err, misp.ErrNotFound)

	// Administrator flags survive a newer version; the same one is left alone.
	enabled, required := true, true
	if _, err := s.Taxonomies.UpdateTaxonomy(ctx, int64(got.ID), misp.TaxonomyUpdate{Enabled: &enabled, Required: &required}); err != nil {
		t.Fatalf("UpdateTaxonomy() = %v", err)
	}
	res, err = s.Taxonomies.ImportTaxonomies(ctx, []*misp.Taxonomy{demo(t, 1, "extra"), markings(t)})
	if err != nil || diff(misp.LibraryResult{Library: "taxonomies", Unchanged: 2}, res) != "" {
		t.Errorf("same versions again = %+v, %v, want 2 unchanged", res, err)
	}
	res, err = s.Taxonomies.ImportTaxonomies(ctx, []*misp.Taxonomy{demo(t, 2, "extra")})
	if err != nil || diff(misp.LibraryResult{Library: "taxonomies", Updated: 1}, res) != "" {
		t.Errorf("newer version = %+v, %v, want 1 updated", res, err)
	}
	res, err = s.Taxonomies.ImportTaxonomies(ctx, []*misp.Taxonomy{demo(t, 1, "")})
	if err != nil || diff(misp.LibraryResult{Library: "taxonomies", Unchanged: 1}, res) != "" {
		t.Errorf("older version = %+v, %v, want 1 unchanged", res, err)
	}
	v2, err := s.Taxonomies.FindTaxonomyByID(ctx, int64(got.ID))
	if err != nil {
		t.Fatalf("FindTaxonomyByID() = %v", err)
	}
	if v2.Version != 2 || !v2.Enabled || !v2.Required || len(v2.Predicates[0].Entries) != 3 {
		t.Errorf("after the newer version: %+v (entries %d), want version 2, enabled, required, 3 entries", v2, len(v2.Predicates[0].Entries))
	}
	if d := diff([]string{"rzm-demo 4/0", "RZM-Marking 2/0"}, indexCounts(t, s, misp.TaxonomyFilter{})); d != "" {
		t.Errorf("index after update (-want +got):\n%s", d)
	}

	// Invalid input stores nothing.
	bad := demo(t, 5, "")
	bad.Description = " "
	_, err = s.Taxonomies.ImportTaxonomies(ctx, []*misp.Taxonomy{markings(t), bad})
	wantErr(t, "ImportTaxonomies(no description)", err, misp.ErrInvalid)
	twice := markings(t)
	twice.Namespace = "rzm-marking"
	_, err = s.Taxonomies.ImportTaxonomies(ctx, []*misp.Taxonomy{demo(t, 5, ""), twice, markings(t)})
	wantErr(t, "ImportTaxonomies(namespace twice)", err, misp.ErrInvalid)
	if v, _ := s.Taxonomies.FindTaxonomyByID(ctx, int64(got.ID)); v == nil || v.Version != 2 {
		t.Errorf("a failed import changed the taxonomy: %+v", v)
	}

	// Filters.
	for _, c := range []struct {
		f    misp.TaxonomyFilter
		want []string
	}{
		{misp.TaxonomyFilter{Enabled: ptr(true)}, []string{"rzm-demo 4/0"}},
		{misp.TaxonomyFilter{Enabled: ptr(false)}, []string{"RZM-Marking 2/0"}},
		{misp.TaxonomyFilter{Value: "MARKINGS"}, []string{"RZM-Marking 2/0"}}, // description
		{misp.TaxonomyFilter{Value: "HIG"}, []string{"rzm-demo 4/0"}},         // entry expanded
		{misp.TaxonomyFilter{Value: "extr"}, []string{"rzm-demo 4/0"}},        // entry value
		{misp.TaxonomyFilter{Value: "lag"}, []string{"rzm-demo 4/0"}},         // predicate value
		{misp.TaxonomyFilter{Value: "rzm"}, []string{"rzm-demo 4/0", "RZM-Marking 2/0"}},
		{misp.TaxonomyFilter{Value: "rzm", Enabled: ptr(false)}, []string{"RZM-Marking 2/0"}},
		{misp.TaxonomyFilter{Value: "nothing"}, nil},
	} {
		if d := diff(c.want, indexCounts(t, s, c.f)); d != "" {
			t.Errorf("FindTaxonomies(%+v) (-want +got):\n%s", c.f, d)
		}
	}
}

func testTaxonomyTags(t *testing.T, s *Stores) {
	ctx := t.Context()
	d, err := s.Taxonomies.FindTaxonomyByNamespace(ctx, "rzm-demo")
	if err != nil {
		t.Fatalf("FindTaxonomyByNamespace() = %v", err)
	}
	m, err := s.Taxonomies.FindTaxonomyByNamespace(ctx, "rzm-marking")
	if err != nil {
		t.Fatalf("FindTaxonomyByNamespace() = %v", err)
	}
	// A tag that exists already in another case and colour, hidden.
	pre := mustCreateTag(t, s, `RZM-DEMO:level="LOW"`)
	hide := true
	if _, err := s.Tags.UpdateTag(ctx, int64(pre.ID), misp.TagUpdate{HideTag: &hide}); err != nil {
		t.Fatal(err)
	}

	n, err := s.Taxonomies.EnableTaxonomyTags(ctx, int64(d.ID), []string{`rzm-demo:level="high"`, "rzm-demo:unknown"})
	if err != nil || n != 1 {
		t.Errorf("EnableTaxonomyTags(one name) = %d, %v, want 1", n, err)
	}
	n, err = s.Taxonomies.EnableTaxonomyTags(ctx, int64(d.ID), nil)
	if err != nil || n != 3 {
		t.Errorf("EnableTaxonomyTags(all) = %d, %v, want 3 (2 created, 1 changed)", n, err)
	}
	n, err = s.Taxonomies.EnableTaxonomyTags(ctx, int64(d.ID), nil)
	if err != nil || n != 0 {
		t.Errorf("EnableTaxonomyTags(again) = %d, %v, want 0", n, err)
	}
	_, err = s.Taxonomies.EnableTaxonomyTags(ctx, 9999, nil)
	wantErr(t, "EnableTaxonomyTags(9999)", err, misp.ErrNotFound)

	tags, err := s.Taxonomies.FindTaxonomyTags(ctx, int64(d.ID))
	if err != nil {
		t.Fatalf("FindTaxonomyTags() = %v", err)
	}
	var got []string
	for _, tt := range tags {
		if tt.Tag == nil {
			t.Fatalf("FindTaxonomyTags: %s has no stored tag", tt.Name)
		}
		nv := "-"
		if tt.Tag.NumericalValue != nil {
			nv = strconv.Itoa(int(*tt.Tag.NumericalValue))
		}
		if tt.Tag.Colour != tt.TagColour || tt.Tag.HideTag || !tt.Tag.Exportable {
			t.Errorf("tag %+v, want colour %s, shown, exportable", tt.Tag, tt.TagColour)
		}
		got = append(got, tt.Tag.Name+" "+tt.Expanded+" "+nv)
	}
	want := []string{`rzm-demo:level="low" Level: low 25`, `rzm-demo:level="high" Level: High -`,
		`rzm-demo:level="extra" Level: extra -`, "rzm-demo:flag flag 7"}
	if d := diff(want, got); d != "" {
		t.Errorf("tags after EnableTaxonomyTags (-want +got):\n%s", d)
	}
	if tags[0].Tag.ID != pre.ID || tags[1].Tag.Colour != "#00ff00" || tags[3].Tag.Colour != "#ff0000" || !tags[0].Entry || tags[3].Entry ||
		!bool(tags[0].ExclusivePredicate) || tags[1].Description != "Very." {
		t.Errorf("tags = %+v %+v %+v", tags[0], tags[1], tags[3])
	}
	_, err = s.Taxonomies.FindTaxonomyTags(ctx, 9999)
	wantErr(t, "FindTaxonomyTags(9999)", err, misp.ErrNotFound)
	if d := diff([]string{"rzm-demo 4/4", "RZM-Marking 2/0"}, indexCounts(t, s, misp.TaxonomyFilter{})); d != "" {
		t.Errorf("index after EnableTaxonomyTags (-want +got):\n%s", d)
	}

	n, err = s.Taxonomies.DisableTaxonomyTags(ctx, int64(d.ID), []string{"RZM-DEMO:FLAG", "rzm-marking:red"})
	if err != nil || n != 1 {
		t.Errorf("DisableTaxonomyTags(one name) = %d, %v, want 1", n, err)
	}
	if d := diff([]string{"rzm-demo 4/3", "RZM-Marking 2/0"}, indexCounts(t, s, misp.TaxonomyFilter{})); d != "" {
		t.Errorf("index after DisableTaxonomyTags (-want +got):\n%s", d)
	}
	_, err = s.Taxonomies.DisableTaxonomyTags(ctx, 9999, nil)
	wantErr(t, "DisableTaxonomyTags(9999)", err, misp.ErrNotFound)

	// Disabling the taxonomy hides the rest of its tags, and only its own.
	if _, err := s.Taxonomies.EnableTaxonomyTags(ctx, int64(m.ID), nil); err != nil {
		t.Fatal(err)
	}
	off := false
	upd, err := s.Taxonomies.UpdateTaxonomy(ctx, int64(d.ID), misp.TaxonomyUpdate{Enabled: &off})
	if err != nil || upd.Enabled || !upd.Required || upd.Namespace != "rzm-demo" {
		t.Errorf("UpdateTaxonomy(disable) = %+v, %v", upd, err)
	}
	if d := diff([]string{"rzm-demo 4/0", "RZM-Marking 2/2"}, indexCounts(t, s, misp.TaxonomyFilter{})); d != "" {
		t.Errorf("index after disabling (-want +got):\n%s", d)
	}
	_, err = s.Taxonomies.UpdateTaxonomy(ctx, 9999, misp.TaxonomyUpdate{Enabled: &off})
	wantErr(t, "UpdateTaxonomy(9999)", err, misp.ErrNotFound)
	on := true
	upd, err = s.Taxonomies.UpdateTaxonomy(ctx, int64(d.ID), misp.TaxonomyUpdate{Highlighted: &on})
	if err != nil || !upd.Highlighted || upd.Enabled {
		t.Errorf("UpdateTaxonomy(highlighted) = %+v, %v", upd, err)
	}

	// A newer version realigns the stored tags: colour and name, hidden
	// ones staying hidden.
	newer := demo(t, 3, "extra")
	newer.Predicates[0].Entries[0].TagColour = "#123456"
	if _, err := s.Taxonomies.ImportTaxonomies(ctx, []*misp.Taxonomy{newer}); err != nil {
		t.Fatal(err)
	}
	low, err := s.Tags.FindTagByID(ctx, int64(pre.ID))
	if err != nil || low.Colour != "#123456" || !low.HideTag || low.Name != `rzm-demo:level="low"` {
		t.Errorf("stored tag after a newer version = %+v, %v", low, err)
	}
}

func testTaxonomyLookups(t *testing.T, s *Stores) {
	ctx := t.Context()
	found, err := s.Taxonomies.FindTaxonomyEntries(ctx, []string{`RZM-demo:LEVEL="high"`, "rzm-marking:red", "rzm-demo:level", "tlp:red", "rzm-demo:flag"})
	if err != nil {
		t.Fatalf("FindTaxonomyEntries() = %v", err)
	}
	var got []string
	for _, name := range []string{`RZM-demo:LEVEL="high"`, "rzm-marking:red", "rzm-demo:level", "tlp:red", "rzm-demo:flag"} {
		if tt := found[name]; tt != nil {
			got = append(got, name+" → "+tt.Name+" | "+tt.Expanded+" | "+tt.TagColour)
		}
	}
	want := []string{
		`RZM-demo:LEVEL="high" → rzm-demo:level="high" | Level: High | #00ff00`,
		"rzm-marking:red → RZM-Marking:red | red | #cc0033",
		"rzm-demo:flag → rzm-demo:flag | flag | #ff0000",
	}
	if d := diff(want, got); d != "" {
		t.Errorf("FindTaxonomyEntries (-want +got):\n%s", d)
	}
	if tt := found["rzm-demo:flag"]; tt == nil || tt.NumericalValue == nil || *tt.NumericalValue != 7 || tt.Description != "A flag." || tt.Entry {
		t.Errorf("flag entry = %+v", tt)
	}
	if len(found) != 3 {
		t.Errorf("FindTaxonomyEntries found %d names, want 3", len(found))
	}

	ts, err := s.Taxonomies.FindTaxonomiesByNamespace(ctx, []string{"rzm-marking", "RZM-DEMO", "nope"})
	if err != nil || len(ts) != 2 || ts[0].Namespace != "rzm-demo" || len(ts[1].Predicates) != 2 {
		t.Fatalf("FindTaxonomiesByNamespace() = %v, %v", ts, err)
	}
	// The stored form is enough for the exclusivity checks.
	if err := taxonomy.FromMISP(ts[0]).Conflicts([]string{`rzm-demo:level="low"`, `rzm-demo:level="high"`}); err == nil {
		t.Errorf("exclusive predicate: no conflict")
	}
	if taxonomy.FromMISP(ts[1]).AllowsTag([]string{"RZM-Marking:red"}, "RZM-Marking:green") {
		t.Errorf("exclusive taxonomy allows a second tag")
	}

	required, err := s.Taxonomies.RequiredTaxonomies(ctx)
	if err != nil || len(required) != 0 {
		t.Errorf("RequiredTaxonomies() = %q, %v, want none (rzm-demo is required but disabled)", required, err)
	}
	on := true
	if _, err := s.Taxonomies.UpdateTaxonomy(ctx, int64(ts[0].ID), misp.TaxonomyUpdate{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	required, err = s.Taxonomies.RequiredTaxonomies(ctx)
	if err != nil || diff([]string{"rzm-demo"}, required) != "" {
		t.Errorf("RequiredTaxonomies() = %q, %v, want [rzm-demo]", required, err)
	}
}

func testTaxonomyUsage(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	tag, err := s.Tags.FindTagByName(ctx, "rzm-marking:red")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.Tags.FindTagByName(ctx, "rzm-marking:green")
	if err != nil {
		t.Fatal(err)
	}
	ev := mustCreateEvent(t, s, f.a, newEvent("tagged", newAttr("ip-dst", "Network activity", "198.51.100.1"),
		newAttr("ip-dst", "Network activity", "198.51.100.2")))
	for _, x := range ev.Attribute {
		if _, err := s.Tags.AttachAttributeTag(ctx, f.a, int64(x.ID), int64(tag.ID), false, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Tags.AttachEventTag(ctx, f.a, int64(ev.ID), int64(tag.ID), true, nil); err != nil {
		t.Fatal(err)
	}
	ids := []int64{int64(tag.ID), int64(other.ID)}
	for _, c := range []struct {
		name  string
		actor *misp.Actor
		want  map[int64]misp.TagUsage
	}{
		{"owner", f.a, map[int64]misp.TagUsage{int64(tag.ID): {Events: 1, Attributes: 2}}},
		{"site admin", f.admin, map[int64]misp.TagUsage{int64(tag.ID): {Events: 1, Attributes: 2}}},
		{"other organisation", f.b, map[int64]misp.TagUsage{}},
	} {
		got, err := s.Taxonomies.TagUsage(ctx, c.actor, ids)
		if err != nil {
			t.Fatalf("TagUsage() = %v", err)
		}
		if d := diff(c.want, got); d != "" {
			t.Errorf("TagUsage(%s) (-want +got):\n%s", c.name, d)
		}
	}
}

// testTaxonomyLibrary imports the real misp-taxonomies library: every
// taxonomy meant for events, twice.
func testTaxonomyLibrary(t *testing.T, s *Stores) {
	ctx := t.Context()
	res, err := taxonomy.ImportDir(ctx, s.Taxonomies, libraryTaxonomies)
	if len(res.Errors) == 1 && strings.Contains(res.Errors[0], "no such file") {
		t.Skipf("taxonomy library not available: %v", res.Errors)
	}
	if err != nil {
		t.Fatalf("ImportDir() = %v", err)
	}
	// 183 taxonomies, of which analyst-assessment is not for events.
	if d := diff(misp.LibraryResult{Library: "taxonomies", Added: 182}, res); d != "" {
		t.Errorf("library import (-want +got):\n%s", d)
	}
	tlp, err := s.Taxonomies.FindTaxonomyByNamespace(ctx, "tlp")
	if err != nil {
		t.Fatal(err)
	}
	on := true
	if _, err := s.Taxonomies.UpdateTaxonomy(ctx, int64(tlp.ID), misp.TaxonomyUpdate{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	res, err = taxonomy.ImportDir(ctx, s.Taxonomies, libraryTaxonomies)
	if err != nil || diff(misp.LibraryResult{Library: "taxonomies", Unchanged: 182}, res) != "" {
		t.Errorf("library import again = %+v, %v, want 182 unchanged", res, err)
	}
	items, err := s.Taxonomies.FindTaxonomies(ctx, misp.TaxonomyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, it := range items {
		total += it.TotalCount
	}
	// 13,182 library tags, and the 4 + 2 of the demo taxonomies.
	if len(items) != 184 || total != 13182+6 {
		t.Errorf("index: %d taxonomies defining %d tags, want 184 and %d", len(items), total, 13182+6)
	}
	tags, err := s.Taxonomies.FindTaxonomyTags(ctx, int64(tlp.ID))
	if err != nil {
		t.Fatal(err)
	}
	found, err := s.Taxonomies.FindTaxonomyEntries(ctx, []string{"tlp:red", "TLP:AMBER+STRICT"})
	if err != nil || len(found) != 2 || found["tlp:red"].TagColour != "#FF2B2B" {
		t.Errorf("FindTaxonomyEntries(tlp) = %v, %v", found, err)
	}
	tl, err := s.Taxonomies.FindTaxonomyByID(ctx, int64(tlp.ID))
	if err != nil || !tl.Enabled || !tl.Exclusive || len(tags) < 5 {
		t.Errorf("tlp after the second import = %+v (%d tags), %v", tl, len(tags), err)
	}
}
