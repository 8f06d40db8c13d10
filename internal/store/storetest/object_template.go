package storetest

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/library"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/objecttemplate"
)

// testObjectTemplates checks the object template library store.
func testObjectTemplates(t *testing.T, s *Stores) {
	t.Run("Import", func(t *testing.T) { testObjectTemplateImport(t, s) })
	t.Run("Versions", func(t *testing.T) { testObjectTemplateVersions(t, s) })
	t.Run("Relationships", func(t *testing.T) { testObjectRelationships(t, s) })
	t.Run("RealLibrary", func(t *testing.T) { testRealObjectTemplateLibrary(t, s) })
}

const (
	otAlpha = "0a1e7b5c-0000-4000-8000-0000000000a1"
	otBeta  = "0a1e7b5c-0000-4000-8000-0000000000b2"
	otDelta = "0a1e7b5c-0000-4000-8000-0000000000d4"
)

// otAlphaTemplate is a hand-made template in the shape the library gives.
func otAlphaTemplate(version int64) *misp.ObjectTemplate {
	return otTemplate(otAlpha, "alpha", version)
}

// otTemplate is otAlphaTemplate with another uuid and name.
func otTemplate(uuid, name string, version int64) *misp.ObjectTemplate {
	t := &misp.ObjectTemplate{
		UUID: uuid, Name: name, MetaCategory: "network", Description: "Alpha object.",
		Version:      misp.Int(version),
		Requirements: misp.ObjectTemplateRequirements{Required: []string{"host"}, RequiredOneOf: []string{"ip", "domain"}},
		Raw:          json.RawMessage(`{"name":"` + name + `","version":` + strconv.FormatInt(version, 10) + `}`),
		Elements: []*misp.ObjectTemplateElement{
			{ObjectRelation: "host", Type: "hostname", UIPriority: 1, Description: "Host."},
			{ObjectRelation: "ip", Type: "ip-dst", UIPriority: 2, Categories: []string{"Network activity"},
				Multiple: true, DisableCorrelation: ptr(misp.Bool(false))},
			{ObjectRelation: "state", Type: "text", ValuesList: []string{"on", "off"}, SaneDefault: []string{"on"},
				DisableCorrelation: ptr(misp.Bool(true))},
		},
	}
	if version > 1 {
		t.Description = "Alpha object, second edition."
		t.Elements = append(t.Elements, &misp.ObjectTemplateElement{ObjectRelation: "domain", Type: "domain", Multiple: true})
	}
	return t
}

// otBetaTemplate has no requirements and an empty "required" list.
func otBetaTemplate() *misp.ObjectTemplate {
	return &misp.ObjectTemplate{
		UUID: otBeta, Name: "beta", MetaCategory: "misc", Description: "Beta, for testing.", Version: 3,
		Elements: []*misp.ObjectTemplateElement{{ObjectRelation: "text", Type: "text"}},
	}
}

func mustImportObjectTemplates(t *testing.T, s *Stores, templates []*misp.ObjectTemplate, rels []*misp.ObjectRelationship, want misp.LibraryResult) {
	t.Helper()
	want.Library = "object templates"
	got, err := s.ObjectTemplates.ImportObjectTemplates(t.Context(), templates, rels)
	if err != nil {
		t.Fatalf("ImportObjectTemplates() = %v", err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ImportObjectTemplates() result (-want +got):\n%s", d)
	}
}

// otSummary is what the tests compare of a template: identity, version,
// activity.
type otSummary struct {
	Name    string
	Version int64
	Active  bool
}

func otSummaries(t *testing.T, s *Stores, f misp.ObjectTemplateFilter) []otSummary {
	t.Helper()
	list, err := s.ObjectTemplates.FindObjectTemplates(t.Context(), f)
	if err != nil {
		t.Fatalf("FindObjectTemplates(%+v) = %v", f, err)
	}
	out := []otSummary{}
	for _, ot := range list {
		if ot.Elements != nil || ot.Raw != nil {
			t.Errorf("FindObjectTemplates: %s has elements or raw", ot.Name)
		}
		out = append(out, otSummary{ot.Name, int64(ot.Version), bool(ot.Active)})
	}
	return out
}

func testObjectTemplateImport(t *testing.T, s *Stores) {
	ctx := t.Context()
	alpha, beta := otAlphaTemplate(1), otBetaTemplate()
	beta.Requirements.Required = []string{}
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{alpha, beta}, nil, misp.LibraryResult{Added: 2})
	if alpha.ID == 0 || !bool(alpha.Active) || !bool(alpha.Fixed) {
		t.Errorf("imported template: id %d active %v fixed %v", alpha.ID, alpha.Active, alpha.Fixed)
	}

	got, err := s.ObjectTemplates.FindObjectTemplateByID(ctx, int64(alpha.ID))
	if err != nil {
		t.Fatalf("FindObjectTemplateByID() = %v", err)
	}
	want := otAlphaTemplate(1)
	want.ID, want.Fixed, want.Active = alpha.ID, true, true
	for i, e := range want.Elements {
		e.ID, e.ObjectTemplateID = got.Elements[i].ID, alpha.ID
		for _, l := range []*[]string{&e.Categories, &e.SaneDefault, &e.ValuesList} {
			if *l == nil {
				*l = []string{}
			}
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("FindObjectTemplateByID() (-want +got):\n%s", d)
	}
	for i := 1; i < len(got.Elements); i++ {
		if got.Elements[i].ID <= got.Elements[i-1].ID {
			t.Errorf("elements not in library order: %+v", got.Elements)
		}
	}

	// Requirements come back as given: an empty list stays, absent ones
	// stay absent, and none at all is MISP's [].
	b, err := s.ObjectTemplates.FindObjectTemplateByUUID(ctx, otBeta, 0)
	if err != nil {
		t.Fatalf("FindObjectTemplateByUUID(beta) = %v", err)
	}
	if j, _ := json.Marshal(b.Requirements); string(j) != `{"required":[]}` {
		t.Errorf("beta requirements = %s, want {\"required\":[]}", j)
	}
	if string(b.Raw) != "{}" {
		t.Errorf("beta raw = %s, want {} for a template given without one", b.Raw)
	}
	none := otBetaTemplate()
	none.UUID, none.Name = "0a1e7b5c-0000-4000-8000-0000000000c3", "gamma"
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{none}, nil, misp.LibraryResult{Added: 1})
	g, err := s.ObjectTemplates.FindObjectTemplateByName(ctx, "gamma")
	if err != nil {
		t.Fatalf("FindObjectTemplateByName(gamma) = %v", err)
	}
	if j, _ := json.Marshal(g.Requirements); string(j) != `[]` {
		t.Errorf("gamma requirements = %s, want []", j)
	}

	// Index: active templates in id order; search is case-insensitive
	// over uuid, name, meta-category and description.
	all := []otSummary{{"alpha", 1, true}, {"beta", 3, true}, {"gamma", 3, true}}
	if d := diff(all, otSummaries(t, s, misp.ObjectTemplateFilter{})); d != "" {
		t.Errorf("FindObjectTemplates() (-want +got):\n%s", d)
	}
	for _, tt := range []struct {
		search string
		want   []string
	}{
		{"ALPH", []string{"alpha"}},
		{"misc", []string{"beta", "gamma"}},
		{"second edition", nil},
		{"for TESTING", []string{"beta", "gamma"}},
		{"0A1E7B5C-0000-4000-8000-0000000000B2", []string{"beta"}},
		{"nothing", nil},
	} {
		var names []string
		for _, ot := range otSummaries(t, s, misp.ObjectTemplateFilter{Search: tt.search}) {
			names = append(names, ot.Name)
		}
		if d := diff(tt.want, names); d != "" {
			t.Errorf("FindObjectTemplates(search %q) (-want +got):\n%s", tt.search, d)
		}
	}

	// The same library again changes nothing.
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{otAlphaTemplate(1), otBetaTemplate()}, nil, misp.LibraryResult{Unchanged: 2})
	if d := diff(all, otSummaries(t, s, misp.ObjectTemplateFilter{All: true})); d != "" {
		t.Errorf("after a second import (-want +got):\n%s", d)
	}

	// Lookups that find nothing.
	for name, err := range map[string]error{
		"by id":      second(s.ObjectTemplates.FindObjectTemplateByID(ctx, 999)),
		"by uuid":    second(s.ObjectTemplates.FindObjectTemplateByUUID(ctx, "0a1e7b5c-0000-4000-8000-0000000000ff", 0)),
		"by version": second(s.ObjectTemplates.FindObjectTemplateByUUID(ctx, otAlpha, 2)),
		"by name":    second(s.ObjectTemplates.FindObjectTemplateByName(ctx, "Alpha")),
		"toggle":     second(s.ObjectTemplates.ToggleObjectTemplate(ctx, 999)),
		"delete":     s.ObjectTemplates.DeleteObjectTemplate(ctx, 999),
	} {
		wantErr(t, name, err, misp.ErrNotFound)
	}

	// An invalid template fails the whole import.
	bad := otAlphaTemplate(7)
	bad.Elements[1].ObjectRelation = "host"
	_, err = s.ObjectTemplates.ImportObjectTemplates(ctx, []*misp.ObjectTemplate{otBetaTemplate(), bad}, nil)
	wantErr(t, "ImportObjectTemplates(duplicate relation)", err, misp.ErrInvalid)
	nameless := otAlphaTemplate(8)
	nameless.Name = " "
	_, err = s.ObjectTemplates.ImportObjectTemplates(ctx, []*misp.ObjectTemplate{nameless}, nil)
	wantErr(t, "ImportObjectTemplates(no name)", err, misp.ErrInvalid)
	if d := diff(all, otSummaries(t, s, misp.ObjectTemplateFilter{All: true})); d != "" {
		t.Errorf("after refused imports (-want +got):\n%s", d)
	}
}

func second[T any](_ T, err error) error { return err }

func testObjectTemplateVersions(t *testing.T, s *Stores) {
	ctx := t.Context()
	// Templates of their own, so that the test does not depend on others.
	delta := func(version int64) *misp.ObjectTemplate { return otTemplate(otDelta, "delta", version) }
	epsilon := func() *misp.ObjectTemplate {
		t := otBetaTemplate()
		t.UUID, t.Name = "0a1e7b5c-0000-4000-8000-0000000000e5", "epsilon"
		return t
	}
	summaries := func(f misp.ObjectTemplateFilter) []otSummary {
		t.Helper()
		var out []otSummary
		for _, ot := range otSummaries(t, s, f) {
			if ot.Name == "delta" || ot.Name == "epsilon" {
				out = append(out, ot)
			}
		}
		return out
	}
	v1 := delta(1)
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{v1, epsilon()}, nil, misp.LibraryResult{Added: 2})
	// A newer version is added beside the old one and becomes the active
	// one; the others are unchanged.
	v2 := delta(2)
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{v2, epsilon()}, nil, misp.LibraryResult{Updated: 1, Unchanged: 1})
	if v2.ID <= v1.ID {
		t.Errorf("new version id %d, want a new row after %d", v2.ID, v1.ID)
	}
	want := []otSummary{{"delta", 1, false}, {"epsilon", 3, true}, {"delta", 2, true}}
	if d := diff(want, summaries(misp.ObjectTemplateFilter{All: true})); d != "" {
		t.Errorf("after a newer version (-want +got):\n%s", d)
	}
	if d := diff(want[1:], summaries(misp.ObjectTemplateFilter{})); d != "" {
		t.Errorf("active templates (-want +got):\n%s", d)
	}
	// An older version is left alone.
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{delta(1)}, nil, misp.LibraryResult{Unchanged: 1})

	// Lookups by uuid: the highest version, or the one asked for, active
	// or not; by name: the highest version.
	for _, tt := range []struct {
		name    string
		find    func() (*misp.ObjectTemplate, error)
		version int64
		nElems  int
	}{
		{"uuid", func() (*misp.ObjectTemplate, error) {
			return s.ObjectTemplates.FindObjectTemplateByUUID(ctx, otDelta, 0)
		}, 2, 4},
		{"upper-case uuid", func() (*misp.ObjectTemplate, error) {
			return s.ObjectTemplates.FindObjectTemplateByUUID(ctx, "0A1E7B5C-0000-4000-8000-0000000000D4", 0)
		}, 2, 4},
		{"uuid version 1", func() (*misp.ObjectTemplate, error) {
			return s.ObjectTemplates.FindObjectTemplateByUUID(ctx, otDelta, 1)
		}, 1, 3},
		{"name", func() (*misp.ObjectTemplate, error) { return s.ObjectTemplates.FindObjectTemplateByName(ctx, "delta") }, 2, 4},
		{"id of version 1", func() (*misp.ObjectTemplate, error) {
			return s.ObjectTemplates.FindObjectTemplateByID(ctx, int64(v1.ID))
		}, 1, 3},
	} {
		got, err := tt.find()
		if err != nil {
			t.Errorf("find by %s = %v", tt.name, err)
			continue
		}
		if int64(got.Version) != tt.version || len(got.Elements) != tt.nElems || string(got.Raw) != string(delta(tt.version).Raw) {
			t.Errorf("find by %s = version %d with %d elements, raw %s; want version %d with %d", tt.name,
				got.Version, len(got.Elements), got.Raw, tt.version, tt.nElems)
		}
	}

	// Toggling, as MISP's setActive: activating an old version
	// deactivates the others; deactivating leaves none active.
	toggle := func(id misp.Int, want bool) {
		t.Helper()
		got, err := s.ObjectTemplates.ToggleObjectTemplate(ctx, int64(id))
		if err != nil || got != want {
			t.Errorf("ToggleObjectTemplate(%d) = %v, %v; want %v", id, got, err, want)
		}
	}
	toggle(v1.ID, true)
	want = []otSummary{{"delta", 1, true}, {"epsilon", 3, true}, {"delta", 2, false}}
	if d := diff(want, summaries(misp.ObjectTemplateFilter{All: true})); d != "" {
		t.Errorf("after activating version 1 (-want +got):\n%s", d)
	}
	toggle(v1.ID, false)
	if d := diff([]otSummary{{"epsilon", 3, true}}, summaries(misp.ObjectTemplateFilter{})); d != "" {
		t.Errorf("after deactivating version 1 (-want +got):\n%s", d)
	}
	// A newer library version becomes active again, whatever was toggled.
	v3 := delta(3)
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{v3}, nil, misp.LibraryResult{Updated: 1})
	want = []otSummary{{"delta", 1, false}, {"epsilon", 3, true}, {"delta", 2, false}, {"delta", 3, true}}
	if d := diff(want, summaries(misp.ObjectTemplateFilter{All: true})); d != "" {
		t.Errorf("after version 3 (-want +got):\n%s", d)
	}

	// Deleting a version removes it and its elements.
	if err := s.ObjectTemplates.DeleteObjectTemplate(ctx, int64(v1.ID)); err != nil {
		t.Fatalf("DeleteObjectTemplate() = %v", err)
	}
	_, err := s.ObjectTemplates.FindObjectTemplateByUUID(ctx, otDelta, 1)
	wantErr(t, "FindObjectTemplateByUUID(deleted version)", err, misp.ErrNotFound)
	wantErr(t, "DeleteObjectTemplate(again)", s.ObjectTemplates.DeleteObjectTemplate(ctx, int64(v1.ID)), misp.ErrNotFound)
	// Re-importing the deleted (older) version changes nothing.
	mustImportObjectTemplates(t, s, []*misp.ObjectTemplate{delta(1)}, nil, misp.LibraryResult{Unchanged: 1})
}

func testObjectRelationships(t *testing.T, s *Stores) {
	ctx := t.Context()
	rel := func(version int64, name, desc string, format ...string) *misp.ObjectRelationship {
		return &misp.ObjectRelationship{Version: misp.Int(version), Name: name, Description: desc, Format: format}
	}
	names := func() []string {
		t.Helper()
		rels, err := s.ObjectTemplates.FindObjectRelationships(ctx)
		if err != nil {
			t.Fatalf("FindObjectRelationships() = %v", err)
		}
		var out []string
		for _, r := range rels {
			out = append(out, r.Name+"@"+strconv.FormatInt(int64(r.Version), 10))
		}
		return out
	}
	if got := names(); len(got) != 0 {
		t.Errorf("relationships of an empty store = %q", got)
	}
	v1 := []*misp.ObjectRelationship{rel(1, "derived-from", "Derived.", "misp", "stix-2.0"), rel(1, "related-to", "Related.")}
	mustImportObjectTemplates(t, s, nil, v1, misp.LibraryResult{})
	rels, err := s.ObjectTemplates.FindObjectRelationships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []*misp.ObjectRelationship{
		{ID: rels[0].ID, Version: 1, Name: "derived-from", Description: "Derived.", Format: []string{"misp", "stix-2.0"}},
		{ID: rels[1].ID, Version: 1, Name: "related-to", Description: "Related.", Format: []string{}},
	}
	if d := cmp.Diff(want, rels); d != "" {
		t.Errorf("FindObjectRelationships() (-want +got):\n%s", d)
	}
	// The same file again changes nothing.
	mustImportObjectTemplates(t, s, nil, v1, misp.LibraryResult{})
	if d := diff([]string{"derived-from@1", "related-to@1"}, names()); d != "" {
		t.Errorf("after a second import (-want +got):\n%s", d)
	}
	// A newer file replaces the older one's relationships.
	mustImportObjectTemplates(t, s, nil, []*misp.ObjectRelationship{rel(2, "related-to", "Related."), rel(2, "uses", "Uses.")}, misp.LibraryResult{})
	if d := diff([]string{"related-to@2", "uses@2"}, names()); d != "" {
		t.Errorf("after a newer file (-want +got):\n%s", d)
	}
	_, err = s.ObjectTemplates.ImportObjectTemplates(ctx, nil, []*misp.ObjectRelationship{rel(3, "", "nameless")})
	wantErr(t, "ImportObjectTemplates(nameless relationship)", err, misp.ErrInvalid)
}

// realObjectLibrary is the real misp-objects library, relative to the
// directory of the package running the suite (internal/store/<dialect>).
const realObjectLibrary = "../../../../shared/misp-data/objects"

func testRealObjectTemplateLibrary(t *testing.T, s *Stores) {
	templates, rels, ferrs := otLoadLibrary(t)
	ctx := t.Context()
	mustImportObjectTemplates(t, s, templates, rels, misp.LibraryResult{Added: 424})
	if len(ferrs) != 0 {
		t.Errorf("library load errors: %v", ferrs)
	}
	snapshot := func() string {
		t.Helper()
		list, err := s.ObjectTemplates.FindObjectTemplates(ctx, misp.ObjectTemplateFilter{All: true})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	before := snapshot()
	again, _, _ := otLoadLibrary(t)
	mustImportObjectTemplates(t, s, again, rels, misp.LibraryResult{Unchanged: 424})
	if d := cmp.Diff(before, snapshot()); d != "" {
		t.Errorf("a second import changed templates (-before +after):\n%s", d)
	}
	if list, err := s.ObjectTemplates.FindObjectRelationships(ctx); err != nil || len(list) != len(rels) {
		t.Errorf("FindObjectRelationships() = %d, %v; want %d", len(list), err, len(rels))
	}

	file, err := s.ObjectTemplates.FindObjectTemplateByName(ctx, "file")
	if err != nil {
		t.Fatalf("FindObjectTemplateByName(file) = %v", err)
	}
	if file.UUID != "688c46fb-5edb-40a3-8273-1af7923e2215" || !bool(file.Active) || len(file.Requirements.RequiredOneOf) == 0 {
		t.Errorf("file template = %s active %v requirements %+v", file.UUID, file.Active, file.Requirements)
	}
	if e, ok := file.Element("filename"); !ok || e.Type != "filename" || !bool(e.Multiple) {
		t.Errorf("file filename element = %+v", e)
	}
	var raw struct {
		Name    string `json:"name"`
		Version int64  `json:"version"`
	}
	if err := json.Unmarshal(file.Raw, &raw); err != nil || raw.Name != "file" || raw.Version != int64(file.Version) {
		t.Errorf("file raw = %.80s… (%v)", file.Raw, err)
	}

	// A newer edition of one template replaces it; the rest is unchanged.
	for _, ot := range again {
		if ot.Name == "domain-ip" {
			ot.Version++
			ot.Elements = ot.Elements[:len(ot.Elements)-1]
		}
	}
	newer, _, _ := otLoadLibrary(t)
	for i, ot := range newer {
		if ot.Name == "domain-ip" {
			newer[i] = again[i]
		}
	}
	mustImportObjectTemplates(t, s, newer, rels, misp.LibraryResult{Updated: 1, Unchanged: 423})
	var versions []string
	for _, ot := range otSummaries(t, s, misp.ObjectTemplateFilter{All: true, Search: "domain-ip"}) {
		if ot.Name == "domain-ip" {
			versions = append(versions, fmt.Sprintf("%d active %v", ot.Version, ot.Active))
		}
	}
	if d := diff([]string{"11 active false", "12 active true"}, versions); d != "" {
		t.Errorf("domain-ip versions (-want +got):\n%s", d)
	}
	old, err := s.ObjectTemplates.FindObjectTemplateByUUID(ctx, "43b3b146-77eb-4931-b4cc-b66c60f28734", 11)
	if err != nil || bool(old.Active) || len(old.Elements) != 8 {
		t.Errorf("domain-ip version 11 = %+v, %v; want kept, inactive, with 8 elements", old, err)
	}
}

// otLoadLibrary reads the real library in the store's form, or skips the
// test when it is not there.
func otLoadLibrary(t *testing.T) ([]*misp.ObjectTemplate, []*misp.ObjectRelationship, []library.FileError) {
	t.Helper()
	if _, err := os.Stat(realObjectLibrary); err != nil {
		t.Skipf("no object template library at %s: %v", realObjectLibrary, err)
	}
	templates, rels, rep := objecttemplate.Load(realObjectLibrary)
	mts := make([]*misp.ObjectTemplate, len(templates))
	for i, ot := range templates {
		mts[i] = ot.MISP()
	}
	mrels := make([]*misp.ObjectRelationship, len(rels))
	for i, r := range rels {
		mrels[i] = r.MISP()
	}
	return mts, mrels, rep.Errors
}
