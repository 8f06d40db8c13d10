package storetest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/warninglist"
)

// libraryWarninglists is the misp-warninglists checkout of ../shared, from
// the directory of a dialect package (internal/store/sqlite).
const libraryWarninglists = "../../../../shared/misp-data/warninglists"

// testWarninglists checks the warninglist library store. The subtests
// share one store and run in order.
func testWarninglists(t *testing.T, s *Stores) {
	t.Run("Import", func(t *testing.T) { testWarninglistImport(t, s) })
	t.Run("Invalid", func(t *testing.T) { testWarninglistInvalid(t, s) })
	t.Run("Index", func(t *testing.T) { testWarninglistIndex(t, s) })
	t.Run("Toggle", func(t *testing.T) { testWarninglistToggle(t, s) })
	t.Run("Enabled", func(t *testing.T) { testWarninglistEnabled(t, s) })
	t.Run("Matcher", func(t *testing.T) { testWarninglistMatcher(t, s) })
	t.Run("Library", func(t *testing.T) { testWarninglistLibrary(t, s) })
}

// wlDNS is a hand-made cidr list in the library's shape; version 2 drops
// an entry and adds two.
func wlDNS(t *testing.T, version int) *misp.Warninglist {
	t.Helper()
	entries := `"8.8.8.8", "8.8.4.4", "2001:4860:4860::8888"`
	if version > 1 {
		entries = `"8.8.8.8", "1.1.1.1", "9.9.9.0/24"`
	}
	return parseWarninglist(t, fmt.Sprintf(`{"name": "RZM public resolvers", "version": %d, "type": "cidr",
		"description": "Hand-made DNS resolvers.", "matching_attributes": ["ip-src", "ip-dst", "domain|ip"],
		"list": [%s]}`, version, entries))
}

// wlHosts is a hostname list without matching attributes ("ALL") and of
// category known.
func wlHosts(t *testing.T) *misp.Warninglist {
	t.Helper()
	return parseWarninglist(t, `{"name": "RZM top hosts", "version": 3, "type": "hostname", "category": "known",
		"description": "Hand-made top domains, for testing.", "list": ["google.com", ".example.org", "razmena.test"]}`)
}

func parseWarninglist(t *testing.T, src string) *misp.Warninglist {
	t.Helper()
	l, err := warninglist.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("warninglist.Parse: %v", err)
	}
	return l.MISP()
}

func mustImportWarninglists(t *testing.T, s *Stores, lists []*misp.Warninglist, want misp.LibraryResult) {
	t.Helper()
	want.Library = "warninglists"
	res, err := s.Warninglists.ImportWarninglists(t.Context(), lists)
	if err != nil {
		t.Fatalf("ImportWarninglists() = %v", err)
	}
	if d := diff(want, res); d != "" {
		t.Errorf("ImportWarninglists() (-want +got):\n%s", d)
	}
}

func wlRevision(t *testing.T, s *Stores) int64 {
	t.Helper()
	rev, err := s.Warninglists.WarninglistRevision(t.Context())
	if err != nil {
		t.Fatalf("WarninglistRevision() = %v", err)
	}
	return rev
}

// wlByName returns the stored list of that name from the index.
func wlByName(t *testing.T, s *Stores, name string) *misp.Warninglist {
	t.Helper()
	lists, err := s.Warninglists.FindWarninglists(t.Context(), misp.WarninglistFilter{})
	if err != nil {
		t.Fatalf("FindWarninglists() = %v", err)
	}
	for _, w := range lists {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no warninglist %q", name)
	return nil
}

func entryValues(w *misp.Warninglist) []string {
	var out []string
	for _, e := range w.Entries {
		out = append(out, e.Value)
	}
	return out
}

func testWarninglistImport(t *testing.T, s *Stores) {
	ctx := t.Context()
	rev0 := wlRevision(t, s)
	added := []*misp.Warninglist{wlDNS(t, 1), wlHosts(t)}
	mustImportWarninglists(t, s, added, misp.LibraryResult{Added: 2})
	rev1 := wlRevision(t, s)
	if rev1 == rev0 {
		t.Errorf("revision %d did not change with an import", rev1)
	}

	dns := wlByName(t, s, "RZM public resolvers")
	if hosts := wlByName(t, s, "RZM top hosts"); added[0].ID != dns.ID || added[1].ID != hosts.ID {
		t.Errorf("ImportWarninglists set ids %d and %d, want %d and %d", added[0].ID, added[1].ID, dns.ID, hosts.ID)
	}
	got, err := s.Warninglists.FindWarninglistByID(ctx, int64(dns.ID))
	if err != nil {
		t.Fatalf("FindWarninglistByID() = %v", err)
	}
	want := &misp.Warninglist{ID: dns.ID, Name: "RZM public resolvers", Type: "cidr", Description: "Hand-made DNS resolvers.",
		Version: 1, Enabled: false, Default: true, Category: "false_positive", EntryCount: 3,
		Entries: []misp.WarninglistEntry{{Value: "8.8.8.8/32"}, {Value: "8.8.4.4/32"}, {Value: "2001:4860:4860::8888/128"}},
		Types:   []misp.WarninglistType{{Type: "ip-src"}, {Type: "ip-dst"}, {Type: "domain|ip"}},
	}
	ignoreIDs := cmpopts.IgnoreFields(misp.WarninglistEntry{}, "ID")
	if d := diff(want, got, ignoreIDs, cmpopts.IgnoreFields(misp.WarninglistType{}, "ID"),
		cmpopts.IgnoreFields(misp.WarninglistEntry{}, "WarninglistID"), cmpopts.IgnoreFields(misp.WarninglistType{}, "WarninglistID")); d != "" {
		t.Errorf("stored list (-want +got):\n%s", d)
	}
	for i, e := range got.Entries {
		if e.WarninglistID != dns.ID || e.ID == 0 || e.Comment != nil || (i > 0 && e.ID <= got.Entries[i-1].ID) {
			t.Errorf("entry %d = %+v, want list %d, increasing ids, no comment", i, e, dns.ID)
		}
	}
	for _, ty := range got.Types {
		if ty.WarninglistID != dns.ID || ty.ID == 0 {
			t.Errorf("type %+v, want list %d and an id", ty, dns.ID)
		}
	}
	_, err = s.Warninglists.FindWarninglistByID(ctx, 9999)
	wantErr(t, "FindWarninglistByID(9999)", err, misp.ErrNotFound)

	// The same versions again change nothing, not even the revision.
	again := []*misp.Warninglist{wlDNS(t, 1), wlHosts(t)}
	mustImportWarninglists(t, s, again, misp.LibraryResult{Unchanged: 2})
	if again[0].ID != dns.ID {
		t.Errorf("ImportWarninglists(unchanged) set id %d, want %d", again[0].ID, dns.ID)
	}
	if rev := wlRevision(t, s); rev != rev1 {
		t.Errorf("revision %d after an import that changed nothing, want %d", rev, rev1)
	}

	// A newer version replaces entries and types, keeping id and enabled.
	on := true
	if _, err := s.Warninglists.ToggleWarninglists(ctx, misp.WarninglistSelection{IDs: []int64{int64(dns.ID)}}, &on); err != nil {
		t.Fatalf("ToggleWarninglists() = %v", err)
	}
	v2 := wlDNS(t, 2)
	v2.Types = v2.Types[:1]
	mustImportWarninglists(t, s, []*misp.Warninglist{v2, wlHosts(t)}, misp.LibraryResult{Updated: 1, Unchanged: 1})
	got, err = s.Warninglists.FindWarninglistByID(ctx, int64(dns.ID))
	if err != nil {
		t.Fatalf("FindWarninglistByID() = %v", err)
	}
	if got.Version != 2 || !got.Enabled || got.EntryCount != 3 ||
		diff([]string{"8.8.8.8/32", "1.1.1.1/32", "9.9.9.0/24"}, entryValues(got)) != "" ||
		diff([]string{"ip-src"}, got.MatchingAttributes()) != "" {
		t.Errorf("after newer version: %+v, entries %v, types %v", got, entryValues(got), got.MatchingAttributes())
	}
	// An older version is left alone.
	mustImportWarninglists(t, s, []*misp.Warninglist{wlDNS(t, 1)}, misp.LibraryResult{Unchanged: 1})
	if got, _ := s.Warninglists.FindWarninglistByID(ctx, int64(dns.ID)); got == nil || got.Version != 2 {
		t.Errorf("older version replaced the stored one: %+v", got)
	}
	off := false
	if _, err := s.Warninglists.ToggleWarninglists(ctx, misp.WarninglistSelection{IDs: []int64{int64(dns.ID)}}, &off); err != nil {
		t.Fatalf("ToggleWarninglists() = %v", err)
	}
}

func testWarninglistInvalid(t *testing.T, s *Stores) {
	ctx := t.Context()
	rev := wlRevision(t, s)
	bad := wlHosts(t)
	bad.Name = "RZM new"
	bad.Type = "fuzzy"
	tests := []struct {
		name  string
		lists []*misp.Warninglist
	}{
		{"unknown type", []*misp.Warninglist{wlDNS(t, 5), bad}},
		{"name twice", []*misp.Warninglist{wlDNS(t, 5), wlDNS(t, 6)}},
		{"empty name", []*misp.Warninglist{{Description: "d", Type: "string", Category: "false_positive"}}},
		{"empty entry", []*misp.Warninglist{{Name: "x", Description: "d", Type: "string", Category: "known",
			Entries: []misp.WarninglistEntry{{Value: ""}}}}},
	}
	for _, tc := range tests {
		_, err := s.Warninglists.ImportWarninglists(ctx, tc.lists)
		wantErr(t, "ImportWarninglists("+tc.name+")", err, misp.ErrInvalid)
	}
	if got := wlByName(t, s, "RZM public resolvers"); got.Version != 2 {
		t.Errorf("a refused import stored version %d", got.Version)
	}
	if got := wlRevision(t, s); got != rev {
		t.Errorf("revision %d after refused imports, want %d", got, rev)
	}
}

func testWarninglistIndex(t *testing.T, s *Stores) {
	ctx := t.Context()
	names := func(f misp.WarninglistFilter) []string {
		t.Helper()
		lists, err := s.Warninglists.FindWarninglists(ctx, f)
		if err != nil {
			t.Fatalf("FindWarninglists(%+v) = %v", f, err)
		}
		var out []string
		for _, w := range lists {
			if w.Entries != nil || w.Types == nil {
				t.Errorf("FindWarninglists: %q with entries %v, types %v; want types only", w.Name, w.Entries, w.Types)
			}
			out = append(out, fmt.Sprintf("%s %d %s", w.Name, w.EntryCount, strings.Join(w.MatchingAttributes(), ",")))
		}
		return out
	}
	on, off := true, false
	tests := []struct {
		name string
		f    misp.WarninglistFilter
		want []string
	}{
		{"all, newest first", misp.WarninglistFilter{}, []string{"RZM top hosts 3 ALL", "RZM public resolvers 3 ip-src"}},
		{"name, any case", misp.WarninglistFilter{Value: "PUBLIC res"}, []string{"RZM public resolvers 3 ip-src"}},
		{"description", misp.WarninglistFilter{Value: "for testing"}, []string{"RZM top hosts 3 ALL"}},
		{"type is equal, not contained", misp.WarninglistFilter{Value: "HOSTNAME"}, []string{"RZM top hosts 3 ALL"}},
		{"type prefix", misp.WarninglistFilter{Value: "cid"}, nil},
		{"like wildcard", misp.WarninglistFilter{Value: "rzm%hosts"}, []string{"RZM top hosts 3 ALL"}},
		{"enabled", misp.WarninglistFilter{Enabled: &on}, nil},
		{"disabled", misp.WarninglistFilter{Enabled: &off, Value: "rzm"}, []string{"RZM top hosts 3 ALL", "RZM public resolvers 3 ip-src"}},
	}
	for _, tc := range tests {
		if d := diff(tc.want, names(tc.f)); d != "" {
			t.Errorf("FindWarninglists(%s) (-want +got):\n%s", tc.name, d)
		}
	}
	hosts := wlByName(t, s, "RZM top hosts")
	if hosts.Category != "known" || !hosts.Default || hosts.Version != 3 {
		t.Errorf("index row = %+v", hosts)
	}
}

func testWarninglistToggle(t *testing.T, s *Stores) {
	ctx := t.Context()
	dns := wlByName(t, s, "RZM public resolvers")
	hosts := wlByName(t, s, "RZM top hosts")
	enabled := func() []string {
		t.Helper()
		on := true
		lists, err := s.Warninglists.FindWarninglists(ctx, misp.WarninglistFilter{Enabled: &on})
		if err != nil {
			t.Fatalf("FindWarninglists() = %v", err)
		}
		var out []string
		for _, w := range lists {
			out = append(out, w.Name)
		}
		return out
	}
	on, off := true, false
	tests := []struct {
		name        string
		sel         misp.WarninglistSelection
		enabled     *bool
		wantLists   []string // as returned: the selection, ordered by id
		wantEnabled []string // newest first
		changes     bool
	}{
		{"enable by id", misp.WarninglistSelection{IDs: []int64{int64(dns.ID)}}, &on,
			[]string{"RZM public resolvers"}, []string{"RZM public resolvers"}, true},
		{"enable again", misp.WarninglistSelection{IDs: []int64{int64(dns.ID)}}, &on,
			[]string{"RZM public resolvers"}, []string{"RZM public resolvers"}, false},
		{"flip by name pattern", misp.WarninglistSelection{Names: []string{"%RZM%"}}, nil,
			[]string{"RZM public resolvers", "RZM top hosts"}, []string{"RZM top hosts"}, true},
		{"ids and names, unknown ids ignored", misp.WarninglistSelection{IDs: []int64{int64(hosts.ID), 9999},
			Names: []string{"rzm public resolvers"}}, &off, []string{"RZM public resolvers", "RZM top hosts"}, nil, true},
	}
	for _, tc := range tests {
		before := wlRevision(t, s)
		got, err := s.Warninglists.ToggleWarninglists(ctx, tc.sel, tc.enabled)
		if err != nil {
			t.Fatalf("ToggleWarninglists(%s) = %v", tc.name, err)
		}
		var gotNames []string
		for _, w := range got {
			gotNames = append(gotNames, w.Name)
			if w.Entries != nil {
				t.Errorf("ToggleWarninglists(%s) returned entries", tc.name)
			}
		}
		if d := diff(tc.wantLists, gotNames); d != "" {
			t.Errorf("ToggleWarninglists(%s) lists (-want +got):\n%s", tc.name, d)
		}
		if d := diff(tc.wantEnabled, enabled()); d != "" {
			t.Errorf("ToggleWarninglists(%s): enabled (-want +got):\n%s", tc.name, d)
		}
		if changed := wlRevision(t, s) != before; changed != tc.changes {
			t.Errorf("ToggleWarninglists(%s): revision changed %v, want %v", tc.name, changed, tc.changes)
		}
	}
	for _, sel := range []misp.WarninglistSelection{{IDs: []int64{9999}}, {Names: []string{"nope%"}}, {}} {
		_, err := s.Warninglists.ToggleWarninglists(ctx, sel, &on)
		wantErr(t, fmt.Sprintf("ToggleWarninglists(%+v)", sel), err, misp.ErrNotFound)
	}
}

func testWarninglistEnabled(t *testing.T, s *Stores) {
	ctx := t.Context()
	lists, rev, err := s.Warninglists.EnabledWarninglists(ctx)
	if err != nil || len(lists) != 0 || rev != wlRevision(t, s) {
		t.Fatalf("EnabledWarninglists() = %v, %d, %v; want none at revision %d", lists, rev, err, wlRevision(t, s))
	}
	on := true
	if _, err := s.Warninglists.ToggleWarninglists(ctx, misp.WarninglistSelection{Names: []string{"RZM%"}}, &on); err != nil {
		t.Fatal(err)
	}
	lists, rev, err = s.Warninglists.EnabledWarninglists(ctx)
	if err != nil {
		t.Fatalf("EnabledWarninglists() = %v", err)
	}
	if rev != wlRevision(t, s) {
		t.Errorf("EnabledWarninglists() revision %d, want %d", rev, wlRevision(t, s))
	}
	var got []string
	for _, w := range lists {
		got = append(got, fmt.Sprintf("%s: %s [%s]", w.Name, strings.Join(entryValues(w), " "), strings.Join(w.MatchingAttributes(), " ")))
	}
	want := []string{
		"RZM public resolvers: 8.8.8.8/32 1.1.1.1/32 9.9.9.0/24 [ip-src]",
		"RZM top hosts: google.com .example.org razmena.test [ALL]",
	}
	if d := diff(want, got); d != "" {
		t.Errorf("EnabledWarninglists() (-want +got):\n%s", d)
	}
	off := false
	if _, err := s.Warninglists.ToggleWarninglists(ctx, misp.WarninglistSelection{Names: []string{"RZM%"}}, &off); err != nil {
		t.Fatal(err)
	}
}

// testWarninglistMatcher checks that a Matcher follows the store: a value
// hits a list once it is enabled and not before or after.
func testWarninglistMatcher(t *testing.T, s *Stores) {
	ctx := t.Context()
	m := warninglist.NewMatcher(s.Warninglists)
	other := warninglist.NewMatcher(s.Warninglists) // another server process
	check := func(typ, value string) []string {
		t.Helper()
		var out []string
		for _, mm := range []*warninglist.Matcher{m, other} {
			hits, err := mm.Check(ctx, typ, value)
			if err != nil {
				t.Fatalf("Matcher.Check() = %v", err)
			}
			var names []string
			for _, h := range hits {
				names = append(names, h.Name+" = "+h.Matched)
			}
			out = append(out, strings.Join(names, ", "))
		}
		if out[0] != out[1] {
			t.Errorf("two matchers disagree on %s %q: %q", typ, value, out)
		}
		return strings.Split(out[0], ", ")
	}
	set := func(enabled bool, names ...string) {
		t.Helper()
		if _, err := s.Warninglists.ToggleWarninglists(ctx, misp.WarninglistSelection{Names: names}, &enabled); err != nil {
			t.Fatalf("ToggleWarninglists() = %v", err)
		}
	}
	steps := []struct {
		name   string
		change func()
		typ    string
		value  string
		want   []string
	}{
		{"nothing enabled", func() {}, "ip-src", "8.8.8.8", []string{""}},
		{"resolvers enabled", func() { set(true, "RZM public resolvers") }, "ip-src", "8.8.8.8",
			[]string{"RZM public resolvers = 8.8.8.8/32"}},
		{"type not matched", func() {}, "domain", "8.8.8.8", []string{""}},
		{"hosts enabled", func() { set(true, "RZM top hosts") }, "url", "https://www.google.com/x",
			[]string{"RZM top hosts = google.com"}},
		{"resolvers disabled", func() { set(false, "RZM public resolvers") }, "ip-src", "8.8.8.8", []string{""}},
		{"newer version while enabled", func() {
			set(true, "RZM public resolvers")
			v3 := wlDNS(t, 3)
			v3.Entries = []misp.WarninglistEntry{{Value: "192.0.2.0/24"}}
			mustImportWarninglists(t, s, []*misp.Warninglist{v3}, misp.LibraryResult{Updated: 1})
		}, "ip-src", "192.0.2.53", []string{"RZM public resolvers = 192.0.2.0/24"}},
		{"old entry gone", func() {}, "ip-src", "8.8.8.8", []string{""}},
		{"all disabled", func() { set(false, "RZM%") }, "url", "https://www.google.com/x", []string{""}},
	}
	for _, st := range steps {
		st.change()
		if d := diff(st.want, check(st.typ, st.value)); d != "" {
			t.Errorf("%s: Check(%s, %s) (-want +got):\n%s", st.name, st.typ, st.value, d)
		}
	}
}

// testWarninglistLibrary imports the real misp-warninglists library
// (136 lists, about 530,000 entries) twice and checks 8.8.8.8.
func testWarninglistLibrary(t *testing.T, s *Stores) {
	ctx := t.Context()
	if _, err := os.Stat(libraryWarninglists); err != nil {
		t.Skipf("warninglist library not available: %v", err)
	}
	loaded, rep := warninglist.Load(libraryWarninglists)
	if len(rep.Errors) > 0 {
		t.Fatalf("Load() errors: %v", rep.Errors)
	}
	entries := 0
	lib := make([]*misp.Warninglist, len(loaded))
	for i, l := range loaded {
		entries += len(l.Entries)
		lib[i] = l.MISP()
	}
	// The store's part of the import, timed apart from loading the files.
	start := time.Now()
	res, err := s.Warninglists.ImportWarninglists(ctx, lib)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("ImportWarninglists(library) = %v", err)
	}
	if d := diff(misp.LibraryResult{Library: "warninglists", Added: 136}, res); d != "" {
		t.Errorf("library import (-want +got):\n%s", d)
	}
	t.Logf("stored %d lists, %d entries in %v", res.Added, entries, took.Round(time.Millisecond))

	start = time.Now()
	res, err = warninglist.ImportDir(ctx, s.Warninglists, libraryWarninglists)
	if err != nil || diff(misp.LibraryResult{Library: "warninglists", Unchanged: 136}, res) != "" {
		t.Errorf("ImportDir(library) again = %+v, %v, want 136 unchanged", res, err)
	}
	t.Logf("ImportDir again (files loaded, nothing to store) in %v", time.Since(start).Round(time.Millisecond))

	lists, err := s.Warninglists.FindWarninglists(ctx, misp.WarninglistFilter{Value: "rzm"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Warninglists.FindWarninglists(ctx, misp.WarninglistFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, w := range all {
		stored += w.EntryCount
	}
	for _, w := range lists {
		stored -= w.EntryCount
	}
	if len(all)-len(lists) != 136 || stored != entries {
		t.Errorf("index: %d library lists with %d entries, want 136 and %d", len(all)-len(lists), stored, entries)
	}

	m := warninglist.NewMatcher(s.Warninglists)
	if hits, err := m.Check(ctx, "ip-dst", "8.8.8.8"); err != nil || hits != nil {
		t.Errorf("Check(8.8.8.8) before enabling = %v, %v; want none", hits, err)
	}
	const dnsV4 = "List of known IPv4 public DNS resolvers"
	on := true
	if _, err := s.Warninglists.ToggleWarninglists(ctx, misp.WarninglistSelection{Names: []string{dnsV4}}, &on); err != nil {
		t.Fatal(err)
	}
	hits, err := m.Check(ctx, "ip-dst", "8.8.8.8")
	if err != nil || len(hits) != 1 || hits[0].Name != dnsV4 || hits[0].Matched != "8.8.8.8/32" {
		t.Errorf("Check(8.8.8.8) = %+v, %v; want a hit on %q", hits, err, dnsV4)
	}
	dns := wlByName(t, s, dnsV4)
	full, err := s.Warninglists.FindWarninglistByID(ctx, int64(dns.ID))
	if err != nil || len(full.Entries) != dns.EntryCount || dns.EntryCount < 50000 {
		t.Errorf("FindWarninglistByID(%d): %d entries, %v; index says %d", dns.ID, len(full.Entries), err, dns.EntryCount)
	}

	// Enabling everything: the matcher loads about 530,000 entries.
	if _, err := s.Warninglists.ToggleWarninglists(ctx, misp.WarninglistSelection{Names: []string{"%"}}, &on); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	ix, err := m.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("matcher rebuild over every list in %v", time.Since(start).Round(time.Millisecond))
	if got := len(ix.CheckValue("8.8.8.8")); got < 2 {
		t.Errorf("CheckValue(8.8.8.8) with every list: %d hits, want several", got)
	}
}
