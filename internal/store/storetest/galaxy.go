package storetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/galaxy"
	"github.com/razmena/razmena/internal/misp"
)

// Hand-made galaxy library. The types are not the real library's, so
// that the real one can be imported into the same store afterwards.
const (
	actorGalaxyUUID  = "11111111-aaaa-4aaa-8aaa-000000000001"
	attackGalaxyUUID = "11111111-aaaa-4aaa-8aaa-000000000002"
	legacyGalaxyUUID = "11111111-aaaa-4aaa-8aaa-000000000003"
	apt28UUID        = "22222222-bbbb-4bbb-8bbb-000000000028"
	apt29UUID        = "22222222-bbbb-4bbb-8bbb-000000000029"
	sharedUUID       = "22222222-bbbb-4bbb-8bbb-000000001566"
)

// testGalaxyLibrary is a misp-galaxy checkout in files.
type testGalaxyLibrary struct {
	galaxies map[string]map[string]any // file name → galaxy
	clusters map[string]map[string]any // file name → collection
}

func newTestGalaxyLibrary() *testGalaxyLibrary {
	cluster := func(uuid, value, desc string, meta map[string]any, related ...map[string]any) map[string]any {
		c := map[string]any{"uuid": uuid, "value": value, "description": desc}
		if meta != nil {
			c["meta"] = meta
		}
		if related != nil {
			c["related"] = related
		}
		return c
	}
	return &testGalaxyLibrary{
		galaxies: map[string]map[string]any{
			"test-actor.json": {"uuid": actorGalaxyUUID, "name": "Test Actor", "type": "test-actor",
				"description": "Threat actors for tests", "version": 1, "icon": "user-secret"},
			"test-attack.json": {"uuid": attackGalaxyUUID, "name": "Test Attack Pattern", "type": "test-attack",
				"description": "ATT&CK for tests", "version": 1, "icon": "map", "namespace": "mitre-attack",
				"kill_chain_order": map[string][]string{"test-attack": {"initial-access", "execution"}}},
			"test-legacy.json": {"uuid": legacyGalaxyUUID, "name": "Test Legacy", "type": "test-legacy",
				"description": "Legacy copy", "version": 1, "icon": "map"},
		},
		clusters: map[string]map[string]any{
			"test-actor.json": {"uuid": "33333333-cccc-4ccc-8ccc-000000000001", "name": "Test Actor", "type": "test-actor",
				"source": "MISP Project", "authors": []string{"Alexandre Dulaunoy"}, "version": 1,
				"values": []any{
					cluster(apt28UUID, "APT28", "Sofacy, a Russian actor.",
						map[string]any{"synonyms": []string{"Fancy Bear", "Sednit"}, "country": "RU", "refs": []string{"https://example.org/apt28"}},
						map[string]any{"dest-uuid": apt29UUID, "type": "similar", "tags": []string{`estimative-language:likelihood-probability="likely"`}}),
					cluster(apt29UUID, "APT29", "Cozy.", map[string]any{"synonyms": []string{"Cozy Bear"}}),
					// A repeated cluster, as in the real rmm-tool collection:
					// the first one is kept.
					cluster(apt29UUID, "APT29", "A duplicate.", nil),
				}},
			"test-attack.json": {"uuid": "33333333-cccc-4ccc-8ccc-000000000002", "name": "Test Attack", "type": "test-attack",
				"source": "MITRE", "authors": []string{"MITRE"}, "version": 3,
				"values": []any{
					cluster(sharedUUID, "Phishing - T1566", "Phishing.", map[string]any{"external_id": "T1566", "kill_chain": []string{"test-attack:initial-access"}}),
				}},
			"test-legacy.json": {"uuid": "33333333-cccc-4ccc-8ccc-000000000003", "name": "Test Legacy", "type": "test-legacy",
				"source": "MITRE", "authors": []string{"MITRE"}, "version": 2,
				"values": []any{
					cluster(sharedUUID, "Spearphishing - T1566", "Legacy phishing.", map[string]any{"external_id": "T1566"}),
				}},
		},
	}
}

// write writes the library under a new temporary directory and returns it.
func (l *testGalaxyLibrary) write(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for sub, files := range map[string]map[string]map[string]any{"galaxies": l.galaxies, "clusters": l.clusters} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, v := range files {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, sub, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func mustImportGalaxies(t *testing.T, s *Stores, dir string, want misp.LibraryResult) {
	t.Helper()
	got, err := galaxy.ImportDir(t.Context(), s.Galaxies, dir)
	if err != nil {
		t.Fatalf("ImportDir() = %v", err)
	}
	want.Library = "galaxies"
	if d := diff(want, got); d != "" {
		t.Errorf("ImportDir() (-want +got):\n%s", d)
	}
}

// clusterValues returns the values of clusters, in order.
func clusterValues(cs []*misp.GalaxyCluster) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Value
	}
	return out
}

// testGalaxies checks the galaxy library store: import rules, reads and
// searches, and finally an import of the real library.
func testGalaxies(t *testing.T, s *Stores) {
	f := newFixture(t, s)
	lib := newTestGalaxyLibrary()
	dir := lib.write(t)
	mustImportGalaxies(t, s, dir, misp.LibraryResult{Added: 3})

	t.Run("galaxies", func(t *testing.T) { testGalaxyReads(t, s) })
	t.Run("clusters", func(t *testing.T) { testGalaxyClusterReads(t, s, f) })
	t.Run("reimport", func(t *testing.T) { testGalaxyReimport(t, s, f, lib, dir) })
	t.Run("errors", func(t *testing.T) {
		_, err := s.Galaxies.ImportGalaxies(t.Context(), []*misp.Galaxy{{Name: "no uuid", Type: "x"}}, nil)
		wantErr(t, "ImportGalaxies(no uuid)", err, misp.ErrInvalid)
		_, err = galaxy.ImportDir(t.Context(), s.Galaxies, filepath.Join(t.TempDir(), "absent"))
		if err == nil {
			t.Error("ImportDir(absent directory) succeeded")
		}
	})
	t.Run("library", func(t *testing.T) { testRealGalaxyLibrary(t, s, f) })
}

func testGalaxyReads(t *testing.T, s *Stores) {
	ctx := t.Context()
	all, err := s.Galaxies.FindGalaxies(ctx, misp.GalaxyFilter{})
	if err != nil {
		t.Fatalf("FindGalaxies() = %v", err)
	}
	var names []string
	for _, g := range all {
		names = append(names, g.Name)
	}
	// Files load in name order.
	if d := diff([]string{"Test Actor", "Test Attack Pattern", "Test Legacy"}, names); d != "" {
		t.Errorf("FindGalaxies() (-want +got):\n%s", d)
	}
	attack := all[1]
	want := &misp.Galaxy{ID: attack.ID, UUID: attackGalaxyUUID, Name: "Test Attack Pattern", Type: "test-attack",
		Description: "ATT&CK for tests", Version: 1, Icon: "map", Namespace: "mitre-attack", Enabled: true,
		KillChainOrder: map[string][]string{"test-attack": {"initial-access", "execution"}}}
	if d := diff(want, attack); d != "" {
		t.Errorf("galaxy (-want +got):\n%s", d)
	}
	if all[0].Namespace != "misp" || all[0].KillChainOrder != nil {
		t.Errorf("galaxy without namespace and kill chain = %+v", all[0])
	}
	for _, find := range []func() (*misp.Galaxy, error){
		func() (*misp.Galaxy, error) { return s.Galaxies.FindGalaxyByID(ctx, int64(attack.ID)) },
		func() (*misp.Galaxy, error) { return s.Galaxies.FindGalaxyByUUID(ctx, attackGalaxyUUID) },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find galaxy = %v", err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("find galaxy (-want +got):\n%s", d)
		}
	}
	_, err = s.Galaxies.FindGalaxyByID(ctx, 9999)
	wantErr(t, "FindGalaxyByID(9999)", err, misp.ErrNotFound)
	_, err = s.Galaxies.FindGalaxyByUUID(ctx, apt28UUID)
	wantErr(t, "FindGalaxyByUUID(unknown)", err, misp.ErrNotFound)

	searches := []struct {
		f    misp.GalaxyFilter
		want []string
	}{
		{misp.GalaxyFilter{Search: "ACTOR"}, []string{"Test Actor"}},
		{misp.GalaxyFilter{Search: "mitre-att"}, []string{"Test Attack Pattern"}},      // namespace
		{misp.GalaxyFilter{Search: "legacy copy"}, []string{"Test Legacy"}},            // description
		{misp.GalaxyFilter{Search: "initial-access"}, []string{"Test Attack Pattern"}}, // kill chain
		{misp.GalaxyFilter{Search: legacyGalaxyUUID}, []string{"Test Legacy"}},         // uuid
		{misp.GalaxyFilter{Search: "test", Enabled: ptr(false)}, nil},                  // all enabled
		{misp.GalaxyFilter{Enabled: ptr(true)}, []string{"Test Actor", "Test Attack Pattern", "Test Legacy"}},
	}
	for _, sc := range searches {
		got, err := s.Galaxies.FindGalaxies(ctx, sc.f)
		if err != nil {
			t.Fatalf("FindGalaxies(%+v) = %v", sc.f, err)
		}
		var names []string
		for _, g := range got {
			names = append(names, g.Name)
		}
		if d := diff(sc.want, names); d != "" {
			t.Errorf("FindGalaxies(%+v) (-want +got):\n%s", sc.f, d)
		}
	}
}

func testGalaxyClusterReads(t *testing.T, s *Stores, f *fixture) {
	ctx := t.Context()
	actorGalaxy, err := s.Galaxies.FindGalaxyByUUID(ctx, actorGalaxyUUID)
	if err != nil {
		t.Fatal(err)
	}
	apt28, err := s.Galaxies.FindGalaxyClusterByUUID(ctx, f.a, apt28UUID)
	if err != nil {
		t.Fatalf("FindGalaxyClusterByUUID(APT28) = %v", err)
	}
	apt29s, err := s.Galaxies.FindGalaxyClusters(ctx, f.a, misp.GalaxyClusterFilter{UUIDs: []string{apt29UUID}})
	if err != nil || len(apt29s) != 1 {
		t.Fatalf("FindGalaxyClusters(APT29) = %v, %v, want the first of the two copies", clusterValues(apt29s), err)
	}
	if apt29s[0].Description != "Cozy." || apt29s[0].GalaxyElement != nil || apt29s[0].Galaxy != nil {
		t.Errorf("FindGalaxyClusters(APT29) = %+v, want the first copy without elements or galaxy", apt29s[0])
	}
	want := &misp.GalaxyCluster{
		ID: apt28.ID, UUID: apt28UUID, CollectionUUID: "33333333-cccc-4ccc-8ccc-000000000001", Type: "test-actor",
		Value: "APT28", TagName: `misp-galaxy:test-actor="APT28"`, Description: "Sofacy, a Russian actor.",
		GalaxyID: actorGalaxy.ID, Source: "MISP Project", Authors: []string{"Alexandre Dulaunoy"}, Version: 1,
		Distribution: misp.DistributionAll, Default: true,
		Galaxy: actorGalaxy,
		GalaxyElement: []*misp.GalaxyElement{
			// json.Marshal wrote the meta keys in sorted order.
			{Key: "country", Value: "RU"}, {Key: "refs", Value: "https://example.org/apt28"},
			{Key: "synonyms", Value: "Fancy Bear"}, {Key: "synonyms", Value: "Sednit"},
		},
		GalaxyClusterRelation: []*misp.GalaxyClusterRelation{{
			GalaxyClusterID: apt28.ID, ReferencedGalaxyClusterID: apt29s[0].ID,
			ReferencedGalaxyClusterUUID: apt29UUID, ReferencedGalaxyClusterType: "similar",
			GalaxyClusterUUID: apt28UUID, Distribution: misp.DistributionAll, Default: true,
			Tags: []string{`estimative-language:likelihood-probability="likely"`},
		}},
	}
	ignoreIDs := cmpIgnoreElementIDs()
	if d := diff(want, apt28, ignoreIDs...); d != "" {
		t.Errorf("FindGalaxyClusterByUUID(APT28) (-want +got):\n%s", d)
	}
	for _, e := range apt28.GalaxyElement {
		if e.ID == 0 || e.GalaxyClusterID != apt28.ID {
			t.Errorf("element %+v: want an id and cluster %d", e, apt28.ID)
		}
	}
	if d := diff(want.Synonyms(), []string{"Fancy Bear", "Sednit"}); d != "" {
		t.Errorf("Synonyms() (-want +got):\n%s", d)
	}
	byID, err := s.Galaxies.FindGalaxyClusterByID(ctx, f.b, int64(apt28.ID))
	if err != nil {
		t.Fatalf("FindGalaxyClusterByID() = %v", err)
	}
	if d := diff(apt28, byID); d != "" {
		t.Errorf("FindGalaxyClusterByID() (-want +got):\n%s", d)
	}
	_, err = s.Galaxies.FindGalaxyClusterByID(ctx, f.a, 99999)
	wantErr(t, "FindGalaxyClusterByID(99999)", err, misp.ErrNotFound)
	_, err = s.Galaxies.FindGalaxyClusterByUUID(ctx, f.a, actorGalaxyUUID)
	wantErr(t, "FindGalaxyClusterByUUID(unknown)", err, misp.ErrNotFound)

	// The shared UUID names one cluster in each ATT&CK galaxy.
	shared, err := s.Galaxies.FindGalaxyClusters(ctx, f.admin, misp.GalaxyClusterFilter{UUIDs: []string{sharedUUID}, Full: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := diff([]string{"Phishing - T1566", "Spearphishing - T1566"}, clusterValues(shared)); d != "" {
		t.Errorf("clusters of the shared uuid (-want +got):\n%s", d)
	}
	if len(shared) == 2 && (shared[0].Galaxy.UUID != attackGalaxyUUID || shared[1].Galaxy.UUID != legacyGalaxyUUID) {
		t.Errorf("shared clusters' galaxies = %s, %s", shared[0].Galaxy.UUID, shared[1].Galaxy.UUID)
	}
	if first, err := s.Galaxies.FindGalaxyClusterByUUID(ctx, f.a, sharedUUID); err != nil || first.Value != "Phishing - T1566" {
		t.Errorf("FindGalaxyClusterByUUID(shared) = %v, %v, want the one of lowest id", first, err)
	}

	filters := []struct {
		name string
		f    misp.GalaxyClusterFilter
		want []string
	}{
		{"all", misp.GalaxyClusterFilter{}, []string{"APT28", "APT29", "Phishing - T1566", "Spearphishing - T1566"}},
		{"galaxy", misp.GalaxyClusterFilter{GalaxyIDs: []int64{int64(actorGalaxy.ID)}}, []string{"APT28", "APT29"}},
		{"galaxy uuid", misp.GalaxyClusterFilter{GalaxyUUIDs: []string{legacyGalaxyUUID}}, []string{"Spearphishing - T1566"}},
		{"synonym", misp.GalaxyClusterFilter{Search: "fancy"}, []string{"APT28"}},
		{"value", misp.GalaxyClusterFilter{Search: "apt2"}, []string{"APT28", "APT29"}},
		{"description", misp.GalaxyClusterFilter{Search: "LEGACY PHISH"}, []string{"Spearphishing - T1566"}},
		{"uuid", misp.GalaxyClusterFilter{Search: apt29UUID}, []string{"APT29"}},
		{"search in galaxy", misp.GalaxyClusterFilter{Search: "T1566", GalaxyIDs: []int64{int64(actorGalaxy.ID)}}, nil},
		// tags/search: a value (equal) or a synonym (LIKE), any case.
		{"value or synonym", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"apt29", "SEDNIT"}}, []string{"APT28", "APT29"}},
		{"synonym pattern", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"%bear"}}, []string{"APT28", "APT29"}},
		{"synonym pattern _", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"f_ncy%"}}, []string{"APT28"}},
		{"value is not a pattern", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"apt%"}}, nil},
		{"synonym is not a substring", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"fancy"}}, nil},
		{"not the description", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"cozy."}}, nil},
		{"not other elements", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"ru"}}, nil},
		{"value or synonym in galaxy", misp.GalaxyClusterFilter{ValueOrSynonym: []string{"apt28", "phishing - t1566"},
			GalaxyIDs: []int64{int64(actorGalaxy.ID)}}, []string{"APT28"}},
		{"tag name", misp.GalaxyClusterFilter{TagNames: []string{`MISP-GALAXY:test-actor="apt29"`}}, []string{"APT29"}},
		{"version", misp.GalaxyClusterFilter{Versions: []int64{2, 3}}, []string{"Phishing - T1566", "Spearphishing - T1566"}},
		{"distribution", misp.GalaxyClusterFilter{Distributions: []misp.Distribution{misp.DistributionOrgOnly}}, nil},
		{"org", misp.GalaxyClusterFilter{OrgIDs: []int64{0}, OrgcIDs: []int64{0}, IDs: []int64{int64(apt28.ID)}}, []string{"APT28"}},
		{"custom", misp.GalaxyClusterFilter{Default: ptr(false)}, nil},
		{"published", misp.GalaxyClusterFilter{Published: ptr(true)}, nil},
		{"not deleted", misp.GalaxyClusterFilter{Deleted: ptr(false), GalaxyIDs: []int64{int64(actorGalaxy.ID)}}, []string{"APT28", "APT29"}},
		{"page", misp.GalaxyClusterFilter{Limit: 2, Offset: 1}, []string{"APT29", "Phishing - T1566"}},
		{"offset", misp.GalaxyClusterFilter{Offset: 3}, []string{"Spearphishing - T1566"}},
		{"after", misp.GalaxyClusterFilter{AfterID: int64(apt28.ID), Limit: 1}, []string{"APT29"}},
	}
	for _, tc := range filters {
		for _, actor := range []*misp.Actor{f.a, f.admin} {
			got, err := s.Galaxies.FindGalaxyClusters(ctx, actor, tc.f)
			if err != nil {
				t.Fatalf("%s: FindGalaxyClusters(%+v) = %v", tc.name, tc.f, err)
			}
			if d := diff(tc.want, clusterValues(got)); d != "" {
				t.Errorf("%s: FindGalaxyClusters(%+v) (-want +got):\n%s", tc.name, tc.f, d)
			}
		}
	}
	withElements, err := s.Galaxies.FindGalaxyClusters(ctx, f.a, misp.GalaxyClusterFilter{GalaxyIDs: []int64{int64(actorGalaxy.ID)}, Elements: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(withElements) != 2 || len(withElements[0].GalaxyElement) != 4 || withElements[1].GalaxyElement == nil ||
		withElements[0].GalaxyClusterRelation != nil || withElements[0].Galaxy != nil {
		t.Errorf("FindGalaxyClusters(Elements) = %+v, want elements only", withElements)
	}

	byTag, err := s.Galaxies.FindClustersByTagNames(ctx, f.b, []string{
		`misp-galaxy:test-actor="APT28"`, `MISP-GALAXY:TEST-ATTACK="PHISHING - T1566"`, "tlp:white"})
	if err != nil {
		t.Fatalf("FindClustersByTagNames() = %v", err)
	}
	if d := diff([]string{"APT28", "Phishing - T1566"}, clusterValues(byTag)); d != "" {
		t.Errorf("FindClustersByTagNames() (-want +got):\n%s", d)
	}
	if len(byTag) == 2 && (byTag[0].Galaxy == nil || byTag[0].Galaxy.Type != "test-actor" || len(byTag[0].GalaxyElement) != 4 ||
		byTag[0].Meta()["synonyms"][1] != "Sednit") {
		t.Errorf("FindClustersByTagNames()[0] = %+v, want its galaxy and elements", byTag[0])
	}
	// Event views show the clusters' relations too.
	if len(byTag) == 2 {
		if d := diff(want.GalaxyClusterRelation, byTag[0].GalaxyClusterRelation, ignoreIDs...); d != "" {
			t.Errorf("FindClustersByTagNames() APT28's relations (-want +got):\n%s", d)
		}
		if byTag[1].GalaxyClusterRelation == nil || len(byTag[1].GalaxyClusterRelation) != 0 {
			t.Errorf("FindClustersByTagNames() Phishing's relations = %v, want loaded and empty", byTag[1].GalaxyClusterRelation)
		}
	}
	if got, err := s.Galaxies.FindClustersByTagNames(ctx, f.b, nil); err != nil || len(got) != 0 {
		t.Errorf("FindClustersByTagNames(nil) = %v, %v", got, err)
	}
}

func cmpIgnoreElementIDs() []cmp.Option {
	return []cmp.Option{cmpopts.IgnoreFields(misp.GalaxyElement{}, "ID", "GalaxyClusterID"),
		cmpopts.IgnoreFields(misp.GalaxyClusterRelation{}, "ID")}
}

func testGalaxyReimport(t *testing.T, s *Stores, f *fixture, lib *testGalaxyLibrary, dir string) {
	ctx := t.Context()
	snapshot := func() []*misp.GalaxyCluster {
		t.Helper()
		cs, err := s.Galaxies.FindGalaxyClusters(ctx, f.admin, misp.GalaxyClusterFilter{Full: true})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	before := snapshot()
	mustImportGalaxies(t, s, dir, misp.LibraryResult{Unchanged: 3})
	if d := diff(before, snapshot()); d != "" {
		t.Errorf("second import changed clusters (-before +after):\n%s", d)
	}

	// A newer collection replaces its clusters in place; a galaxy whose
	// own version is newer is updated.
	actors := lib.clusters["test-actor.json"]
	actors["version"] = 2
	values := actors["values"].([]any)
	values[0].(map[string]any)["description"] = "Sofacy, updated."
	values[0].(map[string]any)["meta"] = map[string]any{"synonyms": []string{"Fancy Bear", "STRONTIUM"}}
	delete(values[0].(map[string]any), "related")
	values = append(values, map[string]any{"uuid": "22222222-bbbb-4bbb-8bbb-000000000099", "value": "APT99"})
	actors["values"] = values
	lib.galaxies["test-legacy.json"]["version"] = 2
	lib.galaxies["test-legacy.json"]["description"] = "Legacy copy, v2"
	dir2 := lib.write(t)
	mustImportGalaxies(t, s, dir2, misp.LibraryResult{Updated: 2, Unchanged: 1})
	after := snapshot()
	if d := diff([]string{"APT28", "APT29", "Phishing - T1566", "Spearphishing - T1566", "APT99"}, clusterValues(after)); d != "" {
		t.Fatalf("clusters after update (-want +got):\n%s", d)
	}
	apt28 := after[0]
	if apt28.ID != before[0].ID || apt28.Description != "Sofacy, updated." || apt28.Version != 2 ||
		len(apt28.GalaxyClusterRelation) != 0 {
		t.Errorf("updated APT28 = %+v, want the same id, new description and version, no relation", apt28)
	}
	if d := diff([]string{"Fancy Bear", "STRONTIUM"}, apt28.Synonyms()); d != "" {
		t.Errorf("updated APT28 synonyms (-want +got):\n%s", d)
	}
	if after[2].Version != before[2].Version || after[3].Galaxy.Description != "Legacy copy, v2" {
		t.Errorf("after update: attack cluster %+v, legacy galaxy %+v", after[2], after[3].Galaxy)
	}
	// Same versions again: nothing changes.
	mustImportGalaxies(t, s, dir2, misp.LibraryResult{Unchanged: 3})
	// An older library changes nothing either.
	mustImportGalaxies(t, s, dir, misp.LibraryResult{Unchanged: 3})
	if d := diff(after, snapshot()); d != "" {
		t.Errorf("importing an older library changed clusters (-before +after):\n%s", d)
	}
}

// realGalaxyDir is the real misp-galaxy library, relative to the
// directory of the package running the suite (internal/store/<dialect>).
const realGalaxyDir = "../../../../shared/misp-data/galaxy"

func testRealGalaxyLibrary(t *testing.T, s *Stores, f *fixture) {
	if _, err := os.Stat(realGalaxyDir); err != nil {
		t.Skipf("no galaxy library at %s: %v", realGalaxyDir, err)
	}
	ctx := t.Context()
	galaxies, clusters, rep := galaxy.Load(realGalaxyDir)
	if len(rep.Errors) != 0 {
		t.Logf("library load errors: %v", rep.Errors)
	}
	mg := make([]*misp.Galaxy, len(galaxies))
	for i, g := range galaxies {
		mg[i] = g.MISP()
	}
	mc := make([]*misp.GalaxyCluster, len(clusters))
	for i, c := range clusters {
		mc[i] = c.MISP()
	}
	for i, want := range []misp.LibraryResult{{Added: len(galaxies)}, {Unchanged: len(galaxies)}} {
		start := time.Now()
		got, err := s.Galaxies.ImportGalaxies(ctx, mg, mc)
		if err != nil {
			t.Fatalf("ImportGalaxies(real library) = %v", err)
		}
		want.Library = "galaxies"
		if d := diff(want, got); d != "" {
			t.Errorf("ImportGalaxies(real library) #%d (-want +got):\n%s", i+1, d)
		}
		t.Logf("real library (%d galaxies, %d clusters): import #%d took %v", len(galaxies), len(clusters), i+1, time.Since(start))
	}

	uuids := make([]string, len(galaxies))
	for i, g := range galaxies {
		uuids[i] = g.UUID
	}
	stored, err := s.Galaxies.FindGalaxyClusters(ctx, f.a, misp.GalaxyClusterFilter{GalaxyUUIDs: uuids})
	if err != nil {
		t.Fatal(err)
	}
	// Every cluster is stored once per galaxy, even where its UUID is
	// also in another galaxy.
	type key struct{ typ, uuid string }
	distinct := map[key]bool{}
	for _, c := range clusters {
		distinct[key{c.Type, c.UUID}] = true
	}
	if len(stored) != len(distinct) {
		t.Errorf("stored %d clusters, want %d", len(stored), len(distinct))
	}
	perUUID := map[string]int{}
	for _, c := range stored {
		perUUID[c.UUID]++
	}
	shared := 0
	for _, n := range perUUID {
		if n > 1 {
			shared++
		}
	}
	if shared < 1000 {
		t.Errorf("%d cluster uuids stored in more than one galaxy, want the ~1,025 of the ATT&CK galaxies", shared)
	}

	actor, err := s.Galaxies.FindGalaxies(ctx, misp.GalaxyFilter{Search: "threat-actor"})
	if err != nil {
		t.Fatal(err)
	}
	var threatActor *misp.Galaxy
	for _, g := range actor {
		if g.Type == "threat-actor" {
			threatActor = g
		}
	}
	if threatActor == nil {
		t.Fatalf("FindGalaxies(threat-actor) = %v, want the threat-actor galaxy", actor)
	}
	found, err := s.Galaxies.FindGalaxyClusters(ctx, f.a, misp.GalaxyClusterFilter{GalaxyIDs: []int64{int64(threatActor.ID)}, Search: "Fancy Bear"})
	if err != nil {
		t.Fatal(err)
	}
	if d := diff([]string{"APT28"}, clusterValues(found)); d != "" {
		t.Errorf("threat actor with synonym Fancy Bear (-want +got):\n%s", d)
	}
	byTag, err := s.Galaxies.FindClustersByTagNames(ctx, f.a, []string{`misp-galaxy:threat-actor="APT28"`})
	if err != nil || len(byTag) != 1 || len(byTag[0].Meta()["synonyms"]) == 0 {
		t.Errorf("FindClustersByTagNames(APT28) = %v, %v", byTag, err)
	}
}
