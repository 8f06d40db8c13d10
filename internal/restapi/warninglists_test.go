package restapi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// warninglistFixture is a small library: public DNS resolvers (cidr),
// top hosts (hostname, every type), a substring list, and a broken file.
var warninglistFixture = map[string]string{
	"dns": `{"name": "List of known IPv4 public DNS resolvers", "version": 2, "type": "cidr",
		"description": "Event contains one or more public IPv4 DNS resolvers as attribute with an IDS flag set.",
		"matching_attributes": ["ip-src", "ip-dst", "domain|ip"], "list": ["8.8.8.8", "8.8.4.4", "1.1.1.0/24"]}`,
	"hosts": `{"name": "Top hosts", "version": 1, "type": "hostname", "category": "known",
		"description": "Well-known <hosts> & domains.", "list": ["google.com", "example.org"]}`,
	"words": `{"name": "Words", "description": "Substrings.", "type": "substring",
		"matching_attributes": ["text"], "list": ["oogle"]}`,
	"broken": `{"name": "Broken", "list": [`,
}

// withWarninglistLibrary writes files (directory → list.json) as the
// library the update endpoint loads.
func (e *testEnv) withWarninglistLibrary(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, "warninglists", "lists", name, "list.json")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.API.cfg.LibraryDir = dir
}

// warninglistID returns the id of the list named name.
func (e *testEnv) warninglistID(t *testing.T, name string) int64 {
	t.Helper()
	lists, err := e.DB.FindWarninglists(context.Background(), misp.WarninglistFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		if l.Name == name {
			return int64(l.ID)
		}
	}
	t.Fatalf("no warninglist %q", name)
	return 0
}

func TestWarninglistUpdate(t *testing.T) {
	e := newTestEnv(t)
	e.withWarninglistLibrary(t, warninglistFixture)
	for _, key := range []string{e.AUser.Key, e.BOrgAdmin.Key, e.PublisherRO} {
		out := e.callObj(t, "POST", "/warninglists/update", key, nil, http.StatusForbidden)
		wantMessage(t, out, "message", "You do not have permission to use this functionality.")
	}
	out := e.callObj(t, "GET", "/warninglists/update", e.Admin.Key, nil, http.StatusMethodNotAllowed)
	wantMessage(t, out, "message", "This action is only accessible via POST requests.")

	out = e.callObj(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	res := dig(t, out, "result").(obj)
	if out["saved"] != true || out["success"] != true || out["url"] != "/warninglists/update" ||
		out["message"] != "Successfully updated 3 warninglists. However, could not update 1 warninglists." ||
		out["name"] != out["message"] || res["added"] != 3.0 || res["library"] != "warninglists" ||
		!strings.Contains(dig(t, res, "errors", 0).(string), "broken") {
		t.Errorf("update = %v", out)
	}
	delete(warninglistFixture, "broken")
	defer func() { warninglistFixture["broken"] = `{"name": "Broken", "list": [` }()
	e.withWarninglistLibrary(t, warninglistFixture)
	out = e.callObj(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	wantMessage(t, out, "message", "All warninglists are up to date already.")
	if dig(t, out, "result", "unchanged") != 3.0 {
		t.Errorf("update again = %v", out)
	}
	e.API.cfg.LibraryDir = t.TempDir() // no warninglists directory
	out = e.callObj(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	wantMessage(t, out, "message", "Could not update any of the warning lists")
}

func TestWarninglistIndexAndView(t *testing.T) {
	e := newTestEnv(t)
	e.withWarninglistLibrary(t, warninglistFixture)
	e.call(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	dns := e.warninglistID(t, "List of known IPv4 public DNS resolvers")

	index := `{"Warninglists": [
		{"Warninglist": {"id": "3", "name": "Words", "type": "substring", "description": "Substrings.", "version": "1",
			"enabled": false, "default": true, "category": "false_positive", "warninglist_entry_count": "1",
			"valid_attributes": "text"}},
		{"Warninglist": {"id": "2", "name": "Top hosts", "type": "hostname", "description": "Well-known <hosts> & domains.",
			"version": "1", "enabled": false, "default": true, "category": "known", "warninglist_entry_count": "2",
			"valid_attributes": "ALL"}},
		{"Warninglist": {"id": "1", "name": "List of known IPv4 public DNS resolvers", "type": "cidr",
			"description": "Event contains one or more public IPv4 DNS resolvers as attribute with an IDS flag set.",
			"version": "2", "enabled": false, "default": true, "category": "false_positive", "warninglist_entry_count": "3",
			"valid_attributes": "ip-src, ip-dst, domain|ip"}}
	]}`
	for _, path := range []string{"/warninglists/index", "/warninglists"} {
		wantJSON(t, "GET "+path, index, e.call(t, "GET", path, e.AReadOnly.Key, nil, http.StatusOK))
	}
	// The text is not HTML-escaped, as in MISP.
	if _, _, b := e.do(t, "GET", "/warninglists/index", e.AUser.Key, nil); !strings.Contains(string(b), "Well-known <hosts> & domains.") {
		t.Errorf("index escapes HTML: %s", b)
	}
	e.call(t, "POST", "/warninglists/toggleEnable", e.Admin.Key, obj{"id": dns, "enabled": true}, http.StatusOK)
	filters := []struct {
		method, path string
		body         any
		want         int
	}{
		{"GET", "/warninglists/index/value:dns", nil, 1},
		{"GET", "/warninglists/index/value:WELL-KNOWN", nil, 1},
		{"GET", "/warninglists/index/value:hostname", nil, 1},
		{"GET", "/warninglists/index/value:host", nil, 1}, // the description, not the type
		{"GET", "/warninglists/index?value=substrings", nil, 1},
		{"GET", "/warninglists/index/enabled:1", nil, 1},
		{"GET", "/warninglists/index/enabled:0", nil, 2},
		{"GET", "/warninglists/index/enabled:false", nil, 2},
		{"GET", "/warninglists/index/value:nothing", nil, 0},
		{"POST", "/warninglists/index", obj{"value": "top", "enabled": false}, 1},
		{"POST", "/warninglists/index", obj{"request": obj{"enabled": true}}, 1},
		{"POST", "/warninglists", obj{"enabled": 0}, 2},
		{"POST", "/warninglists/index", nil, 3},
	}
	for _, f := range filters {
		out := e.callObj(t, f.method, f.path, e.BUser.Key, f.body, http.StatusOK)
		if got := len(out["Warninglists"].([]any)); got != f.want {
			t.Errorf("%s %s %v: %d lists, want %d", f.method, f.path, f.body, got, f.want)
		}
	}

	view := e.callObj(t, "GET", fmt.Sprintf("/warninglists/view/%d", dns), e.BUser.Key, nil, http.StatusOK)
	entries := dig(t, view, "Warninglist", "WarninglistEntry").([]any)
	types := dig(t, view, "Warninglist", "WarninglistType").([]any)
	wantJSON(t, "view entry", fmt.Sprintf(`{"id": %q, "value": "8.8.8.8/32", "warninglist_id": "%d", "comment": null}`,
		dig(t, entries, 0, "id"), dns), entries[0])
	wantJSON(t, "view type", fmt.Sprintf(`{"id": %q, "type": "ip-src", "warninglist_id": "%d"}`, dig(t, types, 0, "id"), dns), types[0])
	delete(view["Warninglist"].(obj), "WarninglistEntry")
	delete(view["Warninglist"].(obj), "WarninglistType")
	wantJSON(t, "view", `{"Warninglist": {"id": "1", "name": "List of known IPv4 public DNS resolvers", "type": "cidr",
		"description": "Event contains one or more public IPv4 DNS resolvers as attribute with an IDS flag set.",
		"version": "2", "enabled": true, "default": true, "category": "false_positive"}}`, any(view))
	if len(entries) != 3 || len(types) != 3 {
		t.Errorf("view: %d entries, %d types, want 3 and 3", len(entries), len(types))
	}
	for ref, msg := range map[string]string{"99": "Warninglist not found.", "abc": "Invalid ID.", "0": "Warninglist not found.",
		"1.5": "Warninglist not found."} {
		out := e.callObj(t, "GET", "/warninglists/view/"+ref, e.BUser.Key, nil, http.StatusNotFound)
		wantMessage(t, out, "message", msg)
	}
	e.call(t, "GET", "/warninglists/index", "", nil, http.StatusForbidden)
}

// TestWarninglistCheckValue follows PyMISP's values_in_warninglist around
// toggling: 8.8.8.8 hits the public DNS resolvers once the list is
// enabled and not before or after, through the API's Matcher.
func TestWarninglistCheckValue(t *testing.T) {
	e := newTestEnv(t)
	e.withWarninglistLibrary(t, warninglistFixture)
	e.call(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	dns := e.warninglistID(t, "List of known IPv4 public DNS resolvers")
	values := []string{"8.8.8.8", " https://www.google.com/search ", "nothing.example", "8.8.8.8"}

	wantJSON(t, "nothing enabled", `[]`, e.call(t, "POST", "/warninglists/checkValue", e.AReadOnly.Key, values, http.StatusOK))

	toggled := e.callObj(t, "POST", "/warninglists/toggleEnable", e.Admin.Key, obj{"id": []int64{dns}, "enabled": true}, http.StatusOK)
	wantJSON(t, "enable", `{"saved": true, "success": "1 warninglist(s) enabled"}`, any(toggled))
	// A value given twice has its hits twice, as in MISP.
	wantJSON(t, "dns enabled", `{"8.8.8.8": [
			{"id": "1", "name": "List of known IPv4 public DNS resolvers", "matched": "8.8.8.8/32"},
			{"id": "1", "name": "List of known IPv4 public DNS resolvers", "matched": "8.8.8.8/32"}]}`,
		e.call(t, "POST", "/warninglists/checkValue", e.AUser.Key, values, http.StatusOK))

	e.call(t, "POST", "/warninglists/toggleEnable", e.Admin.Key, obj{"name": []string{"%"}, "enabled": 1}, http.StatusOK)
	all := `{
		"8.8.8.8": [{"id": "1", "name": "List of known IPv4 public DNS resolvers", "matched": "8.8.8.8/32"}],
		"https://www.google.com/search": [{"id": "2", "name": "Top hosts", "matched": "google.com"},
			{"id": "3", "name": "Words", "matched": "oogle"}]}`
	bodies := []struct {
		name string
		body any
	}{
		{"list", []string{"8.8.8.8", " https://www.google.com/search ", "nothing.example"}},
		{"under Warninglist", obj{"Warninglist": []string{"8.8.8.8", "https://www.google.com/search"}}},
		{"under []", obj{"[]": []string{"8.8.8.8", "https://www.google.com/search"}}},
		{"object values in order", `{"b": "8.8.8.8", "a": "https://www.google.com/search", "c": 12}`},
	}
	for _, b := range bodies {
		wantJSON(t, "checkValue "+b.name, all, e.call(t, "POST", "/warninglists/checkValue", e.AUser.Key, b.body, http.StatusOK))
	}
	_, _, raw := e.do(t, "POST", "/warninglists/checkValue", e.AUser.Key, `{"b": "8.8.8.8", "a": "https://www.google.com/search"}`)
	if i, j := strings.Index(string(raw), "8.8.8.8"), strings.Index(string(raw), "google"); i < 0 || j < i {
		t.Errorf("checkValue answer not in input order: %s", raw)
	}
	wantJSON(t, "single value", `{"1.1.1.1": [{"id": "1", "name": "List of known IPv4 public DNS resolvers", "matched": "1.1.1.0/24"}]}`,
		e.call(t, "POST", "/warninglists/checkValue", e.AUser.Key, `"1.1.1.1"`, http.StatusOK))

	e.call(t, "POST", "/warninglists/toggleEnable", e.Admin.Key, obj{"id": dns, "enabled": false}, http.StatusOK)
	wantJSON(t, "dns disabled", `{"https://www.google.com/search": [{"id": "2", "name": "Top hosts", "matched": "google.com"},
		{"id": "3", "name": "Words", "matched": "oogle"}]}`,
		e.call(t, "POST", "/warninglists/checkValue", e.AUser.Key, values, http.StatusOK))

	for _, body := range []any{nil, "[]", "{}", `""`, `"0"`, "null"} {
		out := e.callObj(t, "POST", "/warninglists/checkValue", e.AUser.Key, body, http.StatusNotFound)
		wantMessage(t, out, "message", "No valid data received.")
	}
	for _, body := range []any{`[["8.8.8.8"]]`, `{"Warninglist": [{"value": "8.8.8.8"}]}`, `{"a": {"b": 1}}`} {
		e.call(t, "POST", "/warninglists/checkValue", e.AUser.Key, body, http.StatusBadRequest)
	}
	e.call(t, "POST", "/warninglists/checkValue", e.AUser.Key, `["8.8.8.8"`, http.StatusMethodNotAllowed)
	desc := e.callObj(t, "GET", "/warninglists/checkValue", e.AUser.Key, nil, http.StatusOK)
	if desc["name"] != "/warninglists/checkValue API description" || desc["url"] != "/warninglists/checkValue" {
		t.Errorf("GET checkValue = %v", desc)
	}
}

func TestWarninglistToggle(t *testing.T) {
	e := newTestEnv(t)
	e.withWarninglistLibrary(t, warninglistFixture)
	e.call(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	dns := e.warninglistID(t, "List of known IPv4 public DNS resolvers")
	hosts := e.warninglistID(t, "Top hosts")

	// perm_warninglist without site admin may toggle; other roles may not.
	role := &misp.Role{Name: "Warninglist editor", Perms: misp.Perms{Auth: true, Warninglist: true}}
	if err := e.DB.CreateRole(context.Background(), role); err != nil {
		t.Fatal(err)
	}
	editor := e.mustUser(t, "wl@a.example", e.OrgA, int64(role.ID), 20)

	before := e.callObj(t, "GET", "/warninglists/index", e.AUser.Key, nil, http.StatusOK)
	for _, key := range []string{e.AUser.Key, e.BOrgAdmin.Key, e.APublisher.Key, e.PublisherRO} {
		for _, path := range []string{"/warninglists/toggleEnable", fmt.Sprintf("/warninglists/enableWarninglist/%d/1", dns)} {
			out := e.callObj(t, "POST", path, key, obj{"id": dns, "enabled": true}, http.StatusForbidden)
			wantMessage(t, out, "message", "You do not have permission to use this functionality.")
		}
	}
	wantJSON(t, "refused toggles changed nothing", mustJSON(t, before), e.call(t, "GET", "/warninglists/index", e.AUser.Key, nil, http.StatusOK))

	steps := []struct {
		name string
		key  string
		body any
		want string
	}{
		{"flip one", editor.Key, obj{"id": dns}, `{"saved": true, "success": "1 warninglist(s) enabled"}`},
		{"flip one back", e.Admin.Key, obj{"id": fmt.Sprint(dns)}, `{"saved": true, "success": "1 warninglist(s) disabled"}`},
		{"flip several", editor.Key, obj{"id": []any{dns, fmt.Sprint(hosts)}}, `{"saved": true, "success": "2 warninglist(s) toggled"}`},
		{"names as patterns", editor.Key, obj{"name": []string{"%dns resolv%", "TOP HOSTS"}, "enabled": false},
			`{"saved": true, "success": "2 warninglist(s) disabled"}`},
		{"single name", editor.Key, obj{"name": "words", "enabled": "1"}, `{"saved": true, "success": "1 warninglist(s) enabled"}`},
		{"ids win over names", editor.Key, obj{"id": []int64{hosts}, "name": "words", "enabled": true},
			`{"saved": true, "success": "1 warninglist(s) enabled"}`},
		{"UI form", editor.Key, obj{"Warninglist": obj{"data": fmt.Sprintf("[%d]", hosts)}, "enabled": 0},
			`{"saved": true, "success": "1 warninglist(s) disabled"}`},
		{"unknown id", editor.Key, obj{"id": []int64{999}, "enabled": true}, `{"saved": false, "errors": "Warninglist(s) not found."}`},
		{"non-numeric id", editor.Key, obj{"id": "abc"}, `{"saved": false, "errors": "Warninglist(s) not found."}`},
		{"unknown name", editor.Key, obj{"name": "nope"}, `{"saved": false, "errors": "Warninglist not found."}`},
		{"nothing", editor.Key, obj{"enabled": true}, `{"saved": false, "errors": "Warninglist not found."}`},
		{"empty body", editor.Key, nil, `{"saved": false, "errors": "Warninglist not found."}`},
	}
	for _, st := range steps {
		wantJSON(t, st.name, st.want, e.call(t, "POST", "/warninglists/toggleEnable", st.key, st.body, http.StatusOK))
	}
	enabled := e.callObj(t, "GET", "/warninglists/index/enabled:1", e.AUser.Key, nil, http.StatusOK)
	if l := enabled["Warninglists"].([]any); len(l) != 1 || dig(t, l, 0, "Warninglist", "name") != "Words" {
		t.Errorf("enabled after the steps: %v, want Words", l)
	}
	wantJSON(t, "GET toggleEnable", `{"saved": false, "errors": "This function only accepts POST requests."}`,
		e.call(t, "GET", "/warninglists/toggleEnable", editor.Key, nil, http.StatusOK))

	for _, body := range []any{`[1, 2]`, `"x"`, obj{"id": obj{"a": 1}}, obj{"name": []any{[]int{1}}}, obj{"id": dns, "enabled": []int{1}}} {
		e.call(t, "POST", "/warninglists/toggleEnable", editor.Key, body, http.StatusBadRequest)
	}
	e.call(t, "POST", "/warninglists/toggleEnable", editor.Key, `{"id": `, http.StatusMethodNotAllowed)

	// enableWarninglist redirects to the view, as MISP's UI action does.
	status, hdr, _ := e.do(t, "POST", fmt.Sprintf("/warninglists/enableWarninglist/%d/1", dns), editor.Key, nil)
	if status != http.StatusFound || hdr.Get("Location") != fmt.Sprintf("%s/warninglists/view/%d", testBaseURL, dns) {
		t.Errorf("enableWarninglist = %d, Location %q", status, hdr.Get("Location"))
	}
	if on := dig(t, e.callObj(t, "GET", fmt.Sprintf("/warninglists/view/%d", dns), e.AUser.Key, nil, http.StatusOK), "Warninglist", "enabled"); on != true {
		t.Errorf("after enableWarninglist/1: enabled = %v", on)
	}
	if status, _, _ := e.do(t, "POST", fmt.Sprintf("/warninglists/enableWarninglist/%d", dns), e.Admin.Key, nil); status != http.StatusFound {
		t.Errorf("enableWarninglist without flag = %d", status)
	}
	if on := dig(t, e.callObj(t, "GET", fmt.Sprintf("/warninglists/view/%d", dns), e.AUser.Key, nil, http.StatusOK), "Warninglist", "enabled"); on != false {
		t.Errorf("after enableWarninglist without flag: enabled = %v", on)
	}
	out := e.callObj(t, "POST", "/warninglists/enableWarninglist/999/1", e.Admin.Key, nil, http.StatusNotFound)
	wantMessage(t, out, "message", "Invalid Warninglist.")
}

// TestWarninglistLibrary loads the real library through the API and
// checks 8.8.8.8 against the public DNS resolvers before and after
// enabling them, and values against every list.
func TestWarninglistLibrary(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sharedLibraries, "warninglists")); err != nil {
		t.Skipf("library not available: %v", err)
	}
	e := newTestEnv(t)
	e.API.cfg.LibraryDir = sharedLibraries
	out := e.callObj(t, "POST", "/warninglists/update", e.Admin.Key, nil, http.StatusOK)
	wantMessage(t, out, "message", "Successfully updated 136 warninglists.")
	index := e.callObj(t, "GET", "/warninglists/index", e.AUser.Key, nil, http.StatusOK)
	if n := len(index["Warninglists"].([]any)); n != 136 {
		t.Errorf("index: %d lists, want 136", n)
	}
	const dnsV4 = "List of known IPv4 public DNS resolvers"
	wantJSON(t, "before enabling", `[]`, e.call(t, "POST", "/warninglists/checkValue", e.AUser.Key, []string{"8.8.8.8"}, http.StatusOK))
	e.call(t, "POST", "/warninglists/toggleEnable", e.Admin.Key, obj{"name": dnsV4, "enabled": true}, http.StatusOK)
	got := e.callObj(t, "POST", "/warninglists/checkValue", e.AUser.Key, []string{"8.8.8.8"}, http.StatusOK)
	if hits := got["8.8.8.8"].([]any); len(hits) != 1 || dig(t, hits, 0, "name") != dnsV4 || dig(t, hits, 0, "matched") != "8.8.8.8/32" {
		t.Errorf("checkValue(8.8.8.8) = %v", got)
	}
	toggled := e.callObj(t, "POST", "/warninglists/toggleEnable", e.Admin.Key, obj{"name": "%dns resolv%", "enabled": true}, http.StatusOK)
	if !strings.HasSuffix(toggled["success"].(string), " warninglist(s) enabled") {
		t.Errorf("toggle %%dns resolv%% = %v", toggled)
	}
}
