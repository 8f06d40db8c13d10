package restapi

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sharedLibraries is ../shared/misp-data, the MISP libraries checkout the
// tests load from (from this package's directory).
const sharedLibraries = "../../../shared/misp-data"

// taxonomyFixture is a small library: two taxonomies, one not meant for
// events, and a broken file.
var taxonomyFixture = map[string]string{
	"demo": `{"namespace": "demo", "description": "Demo taxonomy.", "version": 2,
		"predicates": [
			{"value": "level", "expanded": "Level", "exclusive": true},
			{"value": "flag", "colour": "#ff0000", "numerical_value": 7, "description": "A flag."},
			{"value": "zero", "numerical_value": 0}
		],
		"values": [{"predicate": "level", "entry": [
			{"value": "low", "numerical_value": 25},
			{"value": "high", "expanded": "High", "colour": "#00ff00", "description": "Very."}
		]}]}`,
	"marking": `{"namespace": "marking", "description": "Markings.", "exclusive": true, "highlighted": true,
		"predicates": [{"value": "red", "colour": "#cc0033"}, {"value": "green", "colour": "#33ff00"}]}`,
	"orgs":   `{"namespace": "orgs", "description": "For organisations.", "type": ["org"], "predicates": [{"value": "a"}]}`,
	"broken": `{"namespace": "broken", "predicates": [`,
}

// withTaxonomyLibrary writes files (namespace → machinetag.json) as the
// library the update endpoint loads.
func (e *testEnv) withTaxonomyLibrary(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for ns, src := range files {
		p := filepath.Join(dir, "taxonomies", ns, "machinetag.json")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.API.cfg.LibraryDir = dir
}

// jsonOf decodes a JSON literal for comparisons.
func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON in test: %v: %s", err, s)
	}
	return v
}

func wantJSON(t *testing.T, what string, want string, got any) {
	t.Helper()
	if d := cmp.Diff(jsonOf(t, want), got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func TestTaxonomyEndpoints(t *testing.T) {
	e := newTestEnv(t)
	e.withTaxonomyLibrary(t, taxonomyFixture)

	out := e.callObj(t, "POST", "/taxonomies/update", e.Admin.Key, nil, http.StatusOK)
	res := dig(t, out, "result").(obj)
	if out["saved"] != true || out["message"] != "Successfully updated 2 taxonomy libraries. However, could not update 1 taxonomy libraries." ||
		out["url"] != "/taxonomies/update" || res["added"] != 2.0 || !strings.Contains(dig(t, res, "errors", 0).(string), "broken") {
		t.Errorf("update = %v", out)
	}

	wantJSON(t, "index", `[
		{"Taxonomy": {"id": "1", "namespace": "demo", "description": "Demo taxonomy.", "version": "2", "enabled": false,
			"exclusive": false, "required": false, "highlighted": false}, "total_count": 4, "current_count": 0},
		{"Taxonomy": {"id": "2", "namespace": "marking", "description": "Markings.", "version": "1", "enabled": false,
			"exclusive": true, "required": false, "highlighted": true}, "total_count": 2, "current_count": 0}
	]`, e.call(t, "GET", "/taxonomies/index", e.AReadOnly.Key, nil, http.StatusOK))
	for path, want := range map[string]int{
		"/taxonomies":                      2,
		"/taxonomies/index/value:HIGH":     1,
		"/taxonomies/index/value:markings": 1,
		"/taxonomies/index/enabled:1":      0,
		"/taxonomies/index/enabled:0":      2,
	} {
		if got := e.call(t, "GET", path, e.BUser.Key, nil, http.StatusOK).([]any); len(got) != want {
			t.Errorf("GET %s: %d taxonomies, want %d", path, len(got), want)
		}
	}

	view := `{"Taxonomy": {"id": "1", "namespace": "demo", "description": "Demo taxonomy.", "version": "2", "enabled": false,
			"exclusive": false, "required": false, "highlighted": false},
		"entries": [
			{"tag": "demo:level=\"low\"", "expanded": "Level: low", "exclusive_predicate": true, "numerical_value": "25", "existing_tag": false},
			{"tag": "demo:level=\"high\"", "expanded": "Level: High", "exclusive_predicate": true, "description": "Very.",
				"colour": "#00ff00", "existing_tag": false},
			{"tag": "demo:flag", "expanded": "flag", "description": "A flag.", "colour": "#ff0000", "numerical_value": "7", "existing_tag": false},
			{"tag": "demo:zero", "expanded": "zero", "numerical_value": "0", "existing_tag": false}
		]}`
	for _, ref := range []string{"1", "demo", "DEMO", "1.json"} {
		wantJSON(t, "view "+ref, view, e.call(t, "GET", "/taxonomies/view/"+ref, e.AUser.Key, nil, http.StatusOK))
	}
	for _, ref := range []string{"99", "nope", "0", "-1"} {
		for _, action := range []string{"view", "taxonomy_tags", "export"} {
			out := e.callObj(t, "GET", "/taxonomies/"+action+"/"+ref, e.AUser.Key, nil, http.StatusNotFound)
			wantMessage(t, out, "message", "Taxonomy not found.")
		}
	}

	wantJSON(t, "export", `{"namespace": "demo", "description": "Demo taxonomy.", "version": 2, "exclusive": false,
		"predicates": [
			{"value": "level", "expanded": "Level", "exclusive": true},
			{"value": "flag", "colour": "#ff0000", "description": "A flag.", "numerical_value": "7"},
			{"value": "zero"}
		],
		"values": [{"predicate": "level", "entry": [
			{"value": "low", "numerical_value": "25"},
			{"value": "high", "expanded": "High", "colour": "#00ff00", "description": "Very."}
		]}]}`, e.call(t, "GET", "/taxonomies/export/demo", e.AUser.Key, nil, http.StatusOK))
	wantJSON(t, "export without entries", `{"namespace": "marking", "description": "Markings.", "version": 1, "exclusive": true,
		"predicates": [{"value": "red", "colour": "#cc0033"}, {"value": "green", "colour": "#33ff00"}]}`,
		e.call(t, "GET", "/taxonomies/export/2", e.AUser.Key, nil, http.StatusOK))

	// Writes: site admin only; reads for everybody authenticated.
	writes := []string{"/taxonomies/enable/1", "/taxonomies/disable/1", "/taxonomies/toggleRequired/1",
		"/taxonomies/toggleHighlighted/1", "/taxonomies/addTag/1", "/taxonomies/addTag", "/taxonomies/disableTag/1",
		"/taxonomies/disableTag", "/taxonomies/update"}
	before := e.snapshot(t)
	for _, path := range writes {
		for _, key := range []string{e.BOrgAdmin.Key, e.APublisher.Key, e.AReadOnly.Key, e.PublisherRO} {
			out := e.callObj(t, "POST", path, key, obj{"Taxonomy": obj{"taxonomy_id": 1, "name": "demo:flag", "required": true}}, http.StatusForbidden)
			wantMessage(t, out, "message", "You do not have permission to use this functionality.")
		}
		if status, _, _ := e.do(t, "GET", path, e.Admin.Key, nil); status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s = %d, want 405", path, status)
		}
	}
	// Without a key: refused as everywhere (few calls: failures are throttled).
	for _, c := range []struct{ method, path string }{{"GET", "/taxonomies/view/1"}, {"POST", "/taxonomies/enable/1"}} {
		if status, _, _ := e.do(t, c.method, c.path, "", nil); status != http.StatusForbidden {
			t.Errorf("%s %s without a key = %d, want 403", c.method, c.path, status)
		}
	}
	for _, path := range []string{"/taxonomies/index", "/taxonomies/view/1", "/taxonomies/taxonomy_tags/1", "/taxonomies/export/1"} {
		if status, _, _ := e.do(t, "POST", path, e.Admin.Key, nil); status != http.StatusMethodNotAllowed {
			t.Errorf("POST %s = %d, want 405", path, status)
		}
	}
	e.assertUnchanged(t, before)
	wantJSON(t, "index after refused writes", `[4, 2]`, []any{
		dig(t, e.call(t, "GET", "/taxonomies", e.Admin.Key, nil, http.StatusOK), 0, "total_count"),
		dig(t, e.call(t, "GET", "/taxonomies", e.Admin.Key, nil, http.StatusOK), 1, "total_count")})

	// Unknown taxonomies: MISP's save-fail (403) naming the action.
	for _, c := range []struct{ path, name, errs string }{
		{"/taxonomies/enable/99", "Could not enable Taxonomy", "Invalid taxonomy."},
		{"/taxonomies/disable/nope", "Could not disable Taxonomy", "Invalid taxonomy."},
		{"/taxonomies/toggleRequired/99", "Could not toggleRequired Taxonomy", "Invalid Taxonomy"},
		{"/taxonomies/toggleHighlighted/99", "Could not toggleHighlighted Taxonomy", "Invalid Taxonomy"},
		{"/taxonomies/addTag/99", "Could not addTag Taxonomy", "The tag(s) could not be saved. Please, try again."},
		{"/taxonomies/disableTag/nope", "Could not disableTag Taxonomy", "The tag(s) could not be hidden. Please, try again."},
	} {
		out := e.callObj(t, "POST", c.path, e.Admin.Key, nil, http.StatusForbidden)
		if out["saved"] != false || out["name"] != c.name || out["errors"] != c.errs || out["url"] != c.path || out["id"] != c.path[strings.LastIndex(c.path, "/")+1:] {
			t.Errorf("POST %s = %v", c.path, out)
		}
	}
	out = e.callObj(t, "POST", "/taxonomies/addTag", e.Admin.Key, obj{"Taxonomy": obj{"taxonomy_id": 99, "name": "x"}}, http.StatusForbidden)
	if out["url"] != "/taxonomies/addTag" || out["id"] != nil {
		t.Errorf("addTag unknown (body) = %v", out)
	}
	e.callObj(t, "POST", "/taxonomies/toggleRequired/1", e.Admin.Key, `{"Taxonomy": `, http.StatusMethodNotAllowed)

	// addTag with names in the body, as MISP's UI sends them.
	out = e.callObj(t, "POST", "/taxonomies/addTag", e.Admin.Key,
		obj{"Taxonomy": obj{"taxonomy_id": "demo", "nameList": `["demo:flag", "demo:level=\"high\"", "marking:red"]`}}, http.StatusOK)
	wantJSON(t, "addTag (body)", `{"saved": true, "success": true, "name": "The tag(s) has been saved.",
		"message": "The tag(s) has been saved.", "url": "/taxonomies/addTag"}`, any(out))
	e.callObj(t, "POST", "/taxonomies/addTag", e.Admin.Key, obj{"Tag": obj{"request": obj{"taxonomy_id": 2, "name": "marking:green"}}}, http.StatusOK)
	tags := e.tagColours(t)
	if d := cmp.Diff(map[string]string{"demo:flag": "#ff0000 false", `demo:level="high"`: "#00ff00 false", "marking:green": "#33ff00 false"}, tags); d != "" {
		t.Errorf("tags after addTag with names (-want +got):\n%s", d)
	}

	// taxonomy_tags: counts, filter, sort, pages.
	flagID := dig(t, e.callObj(t, "GET", "/taxonomies/view/1", e.AUser.Key, nil, http.StatusOK), "entries", 2, "existing_tag", "Tag", "id").(string)
	ev := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "tagged", "distribution": 0,
		"Tag": []any{obj{"name": "demo:flag"}}, "Attribute": []any{obj{"type": "ip-dst", "value": "198.51.100.9", "Tag": []any{obj{"name": "demo:flag"}}}}}}, http.StatusOK)
	_ = ev
	tt := e.callObj(t, "GET", "/taxonomies/taxonomy_tags/demo", e.AUser.Key, nil, http.StatusOK)
	entries := dig(t, tt, "entries").([]any)
	var order []string
	for _, en := range entries {
		order = append(order, en.(obj)["tag"].(string)+" "+jsonText(en.(obj)["events"])+" "+jsonText(en.(obj)["attributes"]))
	}
	if d := cmp.Diff([]string{`demo:flag "1" "1"`, `demo:level="high" 0 0`, `demo:level="low" 0 0`, "demo:zero 0 0"}, order); d != "" {
		t.Errorf("taxonomy_tags (-want +got):\n%s", d)
	}
	if dig(t, entries, 0, "existing_tag", "Tag", "id") != flagID || dig(t, tt, "Taxonomy", "namespace") != "demo" {
		t.Errorf("taxonomy_tags = %v", tt)
	}
	// Org B sees neither the event nor the attribute.
	tt = e.callObj(t, "GET", "/taxonomies/taxonomy_tags/1/filter:FLAG", e.BUser.Key, nil, http.StatusOK)
	wantJSON(t, "taxonomy_tags for another organisation", `[0, 0]`,
		[]any{dig(t, tt, "entries", 0, "events"), dig(t, tt, "entries", 0, "attributes")})
	if n := len(dig(t, tt, "entries").([]any)); n != 1 {
		t.Errorf("taxonomy_tags filter:FLAG: %d entries, want 1", n)
	}
	for path, want := range map[string]string{
		"/taxonomies/taxonomy_tags/1/sort:expanded/direction:desc": `["demo:zero", "demo:flag", "demo:level=\"low\"", "demo:level=\"high\""]`,
		"/taxonomies/taxonomy_tags/1/limit:2/page:2":               `["demo:level=\"low\"", "demo:zero"]`,
		"/taxonomies/taxonomy_tags/1/limit:2/page:0":               `["demo:flag", "demo:level=\"high\"", "demo:level=\"low\"", "demo:zero"]`,
		"/taxonomies/taxonomy_tags/1/limit:2/page:3":               `[]`,
	} {
		var got []any
		for _, en := range dig(t, e.callObj(t, "GET", path, e.AUser.Key, nil, http.StatusOK), "entries").([]any) {
			got = append(got, en.(obj)["tag"])
		}
		if got == nil {
			got = []any{}
		}
		wantJSON(t, path, want, got)
	}

	// toggleRequired and toggleHighlighted, set or toggled.
	out = e.callObj(t, "POST", "/taxonomies/toggleRequired/1", e.Admin.Key, obj{"Taxonomy": obj{"required": true}}, http.StatusOK)
	wantJSON(t, "toggleRequired", `{"saved": true, "success": true, "name": "Taxonomy toggleRequireded",
		"message": "Taxonomy toggleRequireded", "url": "/taxonomies/toggleRequired/1", "id": "1"}`, any(out))
	e.callObj(t, "POST", "/taxonomies/toggleHighlighted/1", e.Admin.Key, nil, http.StatusOK)
	e.callObj(t, "POST", "/taxonomies/toggleHighlighted/2", e.Admin.Key, nil, http.StatusOK)
	got := e.callObj(t, "GET", "/taxonomies/view/1", e.AUser.Key, nil, http.StatusOK)
	if dig(t, got, "Taxonomy", "required") != true || dig(t, got, "Taxonomy", "highlighted") != true {
		t.Errorf("after the toggles: %v", got["Taxonomy"])
	}
	if dig(t, e.callObj(t, "GET", "/taxonomies/view/2", e.AUser.Key, nil, http.StatusOK), "Taxonomy", "highlighted") != false {
		t.Errorf("toggleHighlighted without a body did not toggle")
	}
	e.callObj(t, "POST", "/taxonomies/toggleRequired/1", e.Admin.Key, obj{"required": "0"}, http.StatusOK)
	if dig(t, e.callObj(t, "GET", "/taxonomies/view/1", e.AUser.Key, nil, http.StatusOK), "Taxonomy", "required") != false {
		t.Errorf("toggleRequired {required: 0} left it set")
	}

	// disableTag with a name hides that tag only.
	e.callObj(t, "POST", "/taxonomies/disableTag", e.Admin.Key, obj{"Taxonomy": obj{"taxonomy_id": 1, "name": "DEMO:FLAG"}}, http.StatusOK)
	if d := cmp.Diff(map[string]string{"demo:flag": "#ff0000 true", `demo:level="high"`: "#00ff00 false", "marking:green": "#33ff00 false"}, e.tagColours(t)); d != "" {
		t.Errorf("tags after disableTag with a name (-want +got):\n%s", d)
	}

	// The library again: nothing changes; a broken library is reported.
	e.withTaxonomyLibrary(t, map[string]string{"demo": taxonomyFixture["demo"], "marking": taxonomyFixture["marking"]})
	out = e.callObj(t, "POST", "/taxonomies/update", e.Admin.Key, nil, http.StatusOK)
	if out["message"] != "All taxonomy libraries are up to date already." || dig(t, out, "result", "unchanged") != 2.0 {
		t.Errorf("update again = %v", out)
	}
	e.withTaxonomyLibrary(t, map[string]string{"broken": taxonomyFixture["broken"]})
	out = e.callObj(t, "POST", "/taxonomies/update", e.Admin.Key, nil, http.StatusOK)
	if out["message"] != "Could not update any of the taxonomy libraries" || out["saved"] != true {
		t.Errorf("update of a broken library = %v", out)
	}
}

// tagColours returns "colour hidden" by tag name for every tag.
func (e *testEnv) tagColours(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tag := range dig(t, e.callObj(t, "GET", "/tags/index", e.Admin.Key, nil, http.StatusOK), "Tag").([]any) {
		m := tag.(obj)
		out[m["name"].(string)] = m["colour"].(string) + " " + jsonText(m["hide_tag"])
	}
	return out
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// findIndexItem returns the index entry of namespace (searched by value).
func (e *testEnv) findIndexItem(t *testing.T, namespace string) obj {
	t.Helper()
	for _, item := range e.call(t, "GET", "/taxonomies/index/value:"+namespace, e.AUser.Key, nil, http.StatusOK).([]any) {
		if dig(t, item, "Taxonomy", "namespace") == namespace {
			return item.(obj)
		}
	}
	t.Fatalf("%s not in the index", namespace)
	return nil
}

// TestTaxonomyPyMISPFlow imports the real library and drives it the way
// PyMISP's test_taxonomies does: update, list, get by id and namespace,
// enable, enable the tags, disable (disable_taxonomy_tags, then
// disable_taxonomy), set required.
func TestTaxonomyPyMISPFlow(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sharedLibraries, "taxonomies")); err != nil {
		t.Skipf("taxonomy library not available: %v", err)
	}
	e := newTestEnv(t)
	e.API.cfg.LibraryDir = sharedLibraries

	out := e.callObj(t, "POST", "/taxonomies/update", e.Admin.Key, nil, http.StatusOK)
	if out["message"] != "Successfully updated 182 taxonomy libraries." || dig(t, out, "result", "added") != 182.0 {
		t.Fatalf("update = %v", out)
	}
	out = e.callObj(t, "POST", "/taxonomies/update", e.Admin.Key, nil, http.StatusOK)
	if out["name"] != "All taxonomy libraries are up to date already." {
		t.Errorf("second update = %v", out)
	}

	list := e.call(t, "GET", "/taxonomies/index", e.AUser.Key, nil, http.StatusOK).([]any)
	if len(list) != 182 {
		t.Fatalf("index: %d taxonomies, want 182", len(list))
	}
	var tlp obj
	for _, item := range list {
		if dig(t, item, "Taxonomy", "namespace") == "tlp" {
			tlp = item.(obj)
		}
	}
	if tlp == nil {
		t.Fatal("tlp not in the index")
	}
	id := dig(t, tlp, "Taxonomy", "id").(string)
	total := dig(t, tlp, "total_count").(float64)
	if dig(t, tlp, "current_count") != 0.0 || total < 5 {
		t.Errorf("tlp counts = %v", tlp)
	}
	byID := e.callObj(t, "GET", "/taxonomies/view/"+id, e.AUser.Key, nil, http.StatusOK)
	byNS := e.callObj(t, "GET", "/taxonomies/view/tlp", e.AUser.Key, nil, http.StatusOK)
	if d := cmp.Diff(byID, byNS); d != "" || dig(t, byID, "Taxonomy", "enabled") != false {
		t.Errorf("view by id and by namespace differ (-id +namespace):\n%s", d)
	}

	out = e.callObj(t, "POST", "/taxonomies/enable/"+id, e.Admin.Key, nil, http.StatusOK)
	if out["message"] != "Taxonomy enabled" || out["id"] != id {
		t.Errorf("enable = %v", out)
	}
	out = e.callObj(t, "POST", "/taxonomies/addTag/"+id, e.Admin.Key, nil, http.StatusOK)
	if out["name"] != "The tag(s) has been saved." {
		t.Errorf("addTag = %v", out)
	}
	tags := e.tagColours(t)
	if tags["tlp:red"] != "#FF2B2B false" || tags["tlp:amber"] != "#FFC000 false" || float64(len(tags)) != total {
		t.Errorf("tags after addTag: %v", tags)
	}
	tlp = e.findIndexItem(t, "tlp")
	if dig(t, tlp, "current_count") != total || dig(t, tlp, "Taxonomy", "enabled") != true {
		t.Errorf("tlp after addTag = %v", tlp)
	}
	view := e.callObj(t, "GET", "/taxonomies/view/tlp", e.AUser.Key, nil, http.StatusOK)
	if dig(t, view, "entries", 0, "existing_tag", "Tag", "name") != "tlp:red" {
		t.Errorf("view after addTag: %v", dig(t, view, "entries", 0))
	}

	// PyMISP's disable_taxonomy: disable_taxonomy_tags, then disable.
	e.callObj(t, "POST", "/taxonomies/disableTag/"+id, e.Admin.Key, nil, http.StatusOK)
	out = e.callObj(t, "POST", "/taxonomies/disable/"+id, e.Admin.Key, nil, http.StatusOK)
	if out["message"] != "Taxonomy disabled" {
		t.Errorf("disable = %v", out)
	}
	for name, v := range e.tagColours(t) {
		if !strings.HasSuffix(v, " true") {
			t.Errorf("tag %s not hidden after disable: %s", name, v)
		}
	}
	tlp = e.findIndexItem(t, "tlp")
	if dig(t, tlp, "current_count") != 0.0 || dig(t, tlp, "Taxonomy", "enabled") != false {
		t.Errorf("tlp after disable = %v", tlp)
	}

	out = e.callObj(t, "POST", "/taxonomies/toggleRequired/"+id, e.Admin.Key, obj{"Taxonomy": obj{"required": true}}, http.StatusOK)
	if out["message"] != "Taxonomy toggleRequireded" {
		t.Errorf("toggleRequired = %v", out)
	}
	if dig(t, e.callObj(t, "GET", "/taxonomies/view/"+id, e.AUser.Key, nil, http.StatusOK), "Taxonomy", "required") != true {
		t.Errorf("required not set")
	}
	export := e.callObj(t, "GET", "/taxonomies/export/tlp", e.AUser.Key, nil, http.StatusOK)
	if export["namespace"] != "tlp" || export["exclusive"] != true || len(export["predicates"].([]any)) == 0 {
		t.Errorf("export = %v", export)
	}
}
