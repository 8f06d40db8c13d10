package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/objecttemplate"
)

// objectLibraryDir is the directory of the MISP libraries (holding
// objects/), relative to this package.
const objectLibraryDir = "../../../shared/misp-data"

// UUIDs of the library templates the tests use.
const (
	otFileUUID     = "688c46fb-5edb-40a3-8273-1af7923e2215"
	otDomainIPUUID = "43b3b146-77eb-4931-b4cc-b66c60f28734"
	otURLUUID      = "60efb77b-40b5-4c46-871b-ed1ed999fce5"
	otC2ListUUID   = "12456351-ceb7-4d43-9a7e-d2275d8b5785"
)

// testTemplates are the ids the store gave withObjectTemplates' templates.
type testTemplates struct {
	file, domainIP, url10, c2List, url11 int64
}

// withObjectTemplates stores four templates of the real library (file v25,
// domain-ip v11, url v10, c2-list), in that order, then a version 11 of
// url without its "resource_path" element, which becomes the active url.
func (e *testEnv) withObjectTemplates(t *testing.T) testTemplates {
	t.Helper()
	if _, err := os.Stat(objectLibraryDir); err != nil {
		t.Skipf("object template library not available: %v", err)
	}
	load := func(name string) *misp.ObjectTemplate {
		t.Helper()
		f, err := os.Open(filepath.Join(objectLibraryDir, "objects", "objects", name, "definition.json"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tmpl, err := objecttemplate.Parse(f)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		return tmpl.MISP()
	}
	ctx := context.Background()
	first := []*misp.ObjectTemplate{load("file"), load("domain-ip"), load("url"), load("c2-list")}
	if _, err := e.DB.ImportObjectTemplates(ctx, first, nil); err != nil {
		t.Fatalf("ImportObjectTemplates: %v", err)
	}
	url11 := load("url")
	url11.Version = 11
	var kept []*misp.ObjectTemplateElement
	for _, el := range url11.Elements {
		if el.ObjectRelation != "resource_path" {
			kept = append(kept, el)
		}
	}
	url11.Elements = kept
	url11.Requirements.RequiredOneOf = []string{"url"}
	if _, err := e.DB.ImportObjectTemplates(ctx, []*misp.ObjectTemplate{url11}, nil); err != nil {
		t.Fatalf("ImportObjectTemplates(url 11): %v", err)
	}
	return testTemplates{int64(first[0].ID), int64(first[1].ID), int64(first[2].ID), int64(first[3].ID), int64(url11.ID)}
}

// mustObjectTemplates stores two small hand-made templates, "one" and
// "two" (ids 1 and 2 in a fresh store), for tests that need templates but
// not the library files.
func (e *testEnv) mustObjectTemplates(t *testing.T) {
	t.Helper()
	var list []*misp.ObjectTemplate
	for i, name := range []string{"one", "two"} {
		list = append(list, &misp.ObjectTemplate{
			UUID: fmt.Sprintf("0b7ec7a0-0000-4000-8000-00000000000%d", i+1), Name: name, MetaCategory: "misc", Version: 1,
			Elements: []*misp.ObjectTemplateElement{{ObjectRelation: "text", Type: "text", Multiple: true}},
		})
	}
	if _, err := e.DB.ImportObjectTemplates(context.Background(), list, nil); err != nil {
		t.Fatalf("ImportObjectTemplates: %v", err)
	}
}

// templateNames lists name@version of an objectTemplates/index answer.
func templateNames(t *testing.T, out any) []string {
	t.Helper()
	list, ok := out.([]any)
	if !ok {
		t.Fatalf("index is %T, want a list: %v", out, out)
	}
	names := []string{}
	for i := range list {
		ot := dig(t, list, i, "ObjectTemplate").(obj)
		names = append(names, ot["name"].(string)+"@"+ot["version"].(string))
	}
	return names
}

// TestObjectTemplateReads checks index, getRaw and view, in that order
// (view changes which url version is active), on one environment.
func TestObjectTemplateReads(t *testing.T) {
	e := newTestEnv(t)
	if got := templateNames(t, e.call(t, "GET", "/objectTemplates/index", e.AUser.Key, nil, http.StatusOK)); len(got) != 0 {
		t.Errorf("index of an empty library = %q", got)
	}
	ids := e.withObjectTemplates(t)
	t.Run("Index", func(t *testing.T) { testObjectTemplateIndex(t, e) })
	t.Run("GetRaw", func(t *testing.T) { testObjectTemplateGetRaw(t, e) })
	t.Run("View", func(t *testing.T) { testObjectTemplateView(t, e, ids) })
}

func testObjectTemplateIndex(t *testing.T, e *testEnv) {
	status, _, body := e.do(t, "GET", "/objectTemplates/index", e.AUser.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("index: %d %s", status, body)
	}
	compareGolden(t, "object_template_index", body)

	active := []string{"file@25", "domain-ip@11", "c2-list@20230919", "url@11"}
	all := []string{"file@25", "domain-ip@11", "url@10", "c2-list@20230919", "url@11"}
	tests := []struct {
		name string
		path string
		key  string
		want []string
	}{
		{"snake_case", "/object_templates/index", e.AUser.Key, active},
		{"all for a site admin", "/objectTemplates/index/1", e.Admin.Key, all},
		{"all ignored for a user", "/objectTemplates/index/all", e.AUser.Key, active},
		{"all false", "/objectTemplates/index/0", e.Admin.Key, active},
		{"searchall on the name", "/objectTemplates/index/searchall:C2-LIST", e.AUser.Key, []string{"c2-list@20230919"}},
		{"searchall on the uuid", "/objectTemplates/index/1/searchall:" + otURLUUID[:8], e.Admin.Key, []string{"url@10", "url@11"}},
		{"searchall in the query", "/objectTemplates/index?searchall=nothing-like-this", e.AUser.Key, []string{}},
		{"read-only key", "/objectTemplates/index", e.PublisherRO, active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := templateNames(t, e.call(t, "GET", tt.path, tt.key, nil, http.StatusOK))
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("GET %s (-want +got):\n%s", tt.path, d)
			}
		})
	}
}

func testObjectTemplateView(t *testing.T, e *testEnv, ids testTemplates) {
	status, _, body := e.do(t, "GET", "/objectTemplates/view/"+idString(ids.domainIP), e.AUser.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("view: %d %s", status, body)
	}
	compareGolden(t, "object_template_view", body)
	var view obj
	if err := json.Unmarshal(body, &view); err != nil {
		t.Fatal(err)
	}
	if _, ok := view["User"]; ok {
		t.Errorf("a user sees the template's User: %v", view["User"])
	}

	// A site admin also gets the (empty) User.
	admin := e.callObj(t, "GET", "/objectTemplates/view/"+idString(ids.domainIP)+".json", e.Admin.Key, nil, http.StatusOK)
	if d := cmp.Diff(obj{"id": nil, "email": nil}, admin["User"]); d != "" {
		t.Errorf("site admin's User (-want +got):\n%s", d)
	}
	// A uuid names the highest version, active or not.
	if _, err := e.DB.ToggleObjectTemplate(context.Background(), ids.url10); err != nil {
		t.Fatal(err)
	}
	url := e.callObj(t, "GET", "/object_templates/view/"+strings.ToUpper(otURLUUID), e.AUser.Key, nil, http.StatusOK)
	if dig(t, url, "ObjectTemplate", "version") != "11" || dig(t, url, "ObjectTemplate", "active") != false {
		t.Errorf("view by uuid = %v, want the inactive version 11", url["ObjectTemplate"])
	}
	old := e.callObj(t, "GET", "/objectTemplates/view/"+idString(ids.url10), e.AUser.Key, nil, http.StatusOK)
	if n := len(dig(t, old, "ObjectTemplateElement").([]any)); n != len(dig(t, url, "ObjectTemplateElement").([]any))+1 {
		t.Errorf("url version 10 has %d elements, want one more than version 11", n)
	}

	for _, tt := range []struct{ path, msg string }{
		{"/objectTemplates/view/999", "Invalid object template"},
		{"/objectTemplates/view/0", "Invalid object template"},
		{"/objectTemplates/view/aaaaaaaa-0000-4000-8000-000000000000", "Invalid object template"},
		{"/objectTemplates/view/file", "Invalid object template id."},
	} {
		out := e.callObj(t, "GET", tt.path, e.AUser.Key, nil, http.StatusNotFound)
		if out["message"] != tt.msg {
			t.Errorf("GET %s: message %v, want %q", tt.path, out["message"], tt.msg)
		}
	}
}

func testObjectTemplateGetRaw(t *testing.T, e *testEnv) {
	file, err := os.ReadFile(filepath.Join(objectLibraryDir, "objects", "objects", "domain-ip", "definition.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(file, &want); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/objectTemplates/getRaw/domain-ip", "/object_templates/getRaw/" + otDomainIPUUID} {
		got := e.call(t, "GET", path, e.Admin.Key, nil, http.StatusOK)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("GET %s differs from definition.json (-want +got):\n%s", path, d)
		}
	}
	// The newest imported version's definition (the library's url is 10;
	// version 11 was made from it, so its raw says 10 too).
	raw := e.callObj(t, "GET", "/objectTemplates/getRaw/url", e.Admin.Key, nil, http.StatusOK)
	if raw["name"] != "url" {
		t.Errorf("getRaw/url = %v", raw)
	}
	for _, tt := range []struct {
		path, key string
		status    int
		msg       string
	}{
		{"/objectTemplates/getRaw/domain-ip", e.AUser.Key, http.StatusForbidden, aclMessage},
		{"/objectTemplates/getRaw/domain-ip", e.BOrgAdmin.Key, http.StatusForbidden, aclMessage},
		{"/objectTemplates/getRaw/Domain-IP", e.Admin.Key, http.StatusNotFound, "Template not found"},
		{"/objectTemplates/getRaw/aaaaaaaa-0000-4000-8000-000000000000", e.Admin.Key, http.StatusNotFound, "Template not found"},
		{"/objectTemplates/getRaw/no-such-template", e.Admin.Key, http.StatusNotFound, "Template not found"},
	} {
		out := e.callObj(t, "GET", tt.path, tt.key, nil, tt.status)
		if out["message"] != tt.msg {
			t.Errorf("GET %s: message %v, want %q", tt.path, out["message"], tt.msg)
		}
	}
}

// TestObjectTemplateWrites checks activate, then delete.
func TestObjectTemplateWrites(t *testing.T) {
	e := newTestEnv(t)
	ids := e.withObjectTemplates(t)
	t.Run("Activate", func(t *testing.T) { testObjectTemplateActivate(t, e, ids) })
	t.Run("Delete", func(t *testing.T) { testObjectTemplateDelete(t, e, ids) })
}

func testObjectTemplateActivate(t *testing.T, e *testEnv, ids testTemplates) {
	activate := func(key string, data any) obj {
		t.Helper()
		return e.callObj(t, "POST", "/objectTemplates/activate", key, obj{"ObjectTemplate": obj{"data": data}}, http.StatusOK)
	}
	if out := activate(e.Admin.Key, idString(ids.url10)); out["saved"] != true || out["success"] != "Template activated." {
		t.Errorf("activate url 10 = %v", out)
	}
	got := templateNames(t, e.call(t, "GET", "/objectTemplates/index", e.AUser.Key, nil, http.StatusOK))
	if d := cmp.Diff([]string{"file@25", "domain-ip@11", "url@10", "c2-list@20230919"}, got); d != "" {
		t.Errorf("after activating url 10 (-want +got):\n%s", d)
	}
	// Unwrapped, with a number: toggled off.
	out := e.callObj(t, "POST", "/object_templates/activate", e.Admin.Key, obj{"data": ids.url10}, http.StatusOK)
	if out["saved"] != true || out["success"] != "Template disabled." {
		t.Errorf("deactivate url 10 = %v", out)
	}
	for _, tt := range []struct {
		name string
		data any
		msg  string
	}{
		{"not a number", "url", "Template not found."},
		{"null", nil, "Template not found."},
		{"not stored", "999", "Template's state could not be toggeled."},
		{"zero", 0, "Template's state could not be toggeled."},
	} {
		if out := activate(e.Admin.Key, tt.data); out["saved"] != false || out["errors"] != tt.msg {
			t.Errorf("%s: %v, want errors %q", tt.name, out, tt.msg)
		}
	}
	if out := e.callObj(t, "POST", "/objectTemplates/activate", e.Admin.Key, nil, http.StatusOK); out["errors"] != "Template not found." {
		t.Errorf("no body: %v", out)
	}
	for _, key := range []string{e.AUser.Key, e.BOrgAdmin.Key} {
		out := e.callObj(t, "POST", "/objectTemplates/activate", key, obj{"ObjectTemplate": obj{"data": ids.file}}, http.StatusForbidden)
		if out["message"] != aclMessage {
			t.Errorf("non-admin activate: %v", out)
		}
	}
	if list := templateNames(t, e.call(t, "GET", "/objectTemplates/index", e.AUser.Key, nil, http.StatusOK)); len(list) != 3 {
		t.Errorf("refused calls changed the active templates: %q", list)
	}
}

func testObjectTemplateDelete(t *testing.T, e *testEnv, ids testTemplates) {
	path := "/objectTemplates/delete/" + idString(ids.c2List)
	if out := e.callObj(t, "POST", path, e.AUser.Key, nil, http.StatusForbidden); out["message"] != aclMessage {
		t.Errorf("user delete: %v", out)
	}
	out := e.callObj(t, "POST", path, e.Admin.Key, nil, http.StatusOK)
	want := obj{"saved": true, "success": true, "name": "ObjectTemplate deleted", "message": "ObjectTemplate deleted",
		"url": "/admin/object_templates/delete/" + idString(ids.c2List), "id": idString(ids.c2List)}
	if d := cmp.Diff(want, out); d != "" {
		t.Errorf("delete (-want +got):\n%s", d)
	}
	for _, p := range []string{path, "/object_templates/delete/abc", "/objectTemplates/delete/999"} {
		if out := e.callObj(t, "DELETE", p, e.Admin.Key, nil, http.StatusNotFound); out["message"] != "Invalid Object Template" {
			t.Errorf("DELETE %s: %v", p, out)
		}
	}
	e.callObj(t, "GET", "/objectTemplates/view/"+idString(ids.c2List), e.AUser.Key, nil, http.StatusNotFound)
}

// TestObjectTemplateUpdate imports the real library once through the API.
func TestObjectTemplateUpdate(t *testing.T) {
	if _, err := os.Stat(filepath.Join(objectLibraryDir, "objects")); err != nil {
		t.Skipf("object template library not available: %v", err)
	}
	e := newTestEnv(t)
	for _, key := range []string{e.AUser.Key, e.BOrgAdmin.Key, e.PublisherRO} {
		if out := e.callObj(t, "POST", "/objectTemplates/update", key, nil, http.StatusForbidden); out["message"] != aclMessage {
			t.Errorf("non-admin update: %v", out)
		}
	}
	e.API.cfg.LibraryDir = objectLibraryDir
	list := templateNames(t, e.call(t, "POST", "/objectTemplates/update", e.Admin.Key, nil, http.StatusOK))
	if len(list) != 424 {
		t.Errorf("update answered %d templates, want the 424 of the library", len(list))
	}
	list = templateNames(t, e.call(t, "POST", "/object_templates/update", e.Admin.Key, nil, http.StatusOK))
	if len(list) != 424 {
		t.Errorf("second update answered %d templates, want 424", len(list))
	}
	all := templateNames(t, e.call(t, "GET", "/objectTemplates/index/1", e.Admin.Key, nil, http.StatusOK))
	if len(all) != 424 {
		t.Errorf("%d template versions after two updates, want 424", len(all))
	}
	rels, err := e.DB.FindObjectRelationships(context.Background())
	if err != nil || len(rels) < 300 {
		t.Errorf("FindObjectRelationships() = %d, %v; want the library's", len(rels), err)
	}

	// A library with a broken file: the rest is loaded.
	dir := t.TempDir()
	for _, name := range []string{"file", "ip-port"} {
		b, err := os.ReadFile(filepath.Join(objectLibraryDir, "objects", "objects", name, "definition.json"))
		if err != nil {
			t.Fatal(err)
		}
		// A newer version of each.
		b = []byte(strings.Replace(string(b), `"version": `, `"version": 1`, 1))
		writeTestFile(t, filepath.Join(dir, "objects", "objects", name, "definition.json"), b)
	}
	writeTestFile(t, filepath.Join(dir, "objects", "objects", "broken", "definition.json"), []byte(`{"name": `))
	e.API.cfg.LibraryDir = dir
	e.call(t, "POST", "/objectTemplates/update", e.Admin.Key, nil, http.StatusOK)
	// No library at all: nothing to update, as in MISP.
	e.API.cfg.LibraryDir = filepath.Join(dir, "missing")
	if n := len(templateNames(t, e.call(t, "POST", "/objectTemplates/update", e.Admin.Key, nil, http.StatusOK))); n != 424 {
		t.Errorf("update from a missing library answered %d templates, want the 424 stored", n)
	}

	entries, err := e.DB.FindAuditEntries(context.Background(), e.Admin.Actor(),
		misp.AuditFilter{Models: []string{"ObjectTemplate"}, Actions: []string{"update"}, Descriptions: []string{"Object template library update"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(entries) - 1; i >= 0; i-- { // oldest first
		got = append(got, entries[i].Title+" | "+firstLine(entries[i].Change))
		if entries[i].UserID != e.Admin.Actor().UserID() || entries[i].Email != e.Admin.User.Email {
			t.Errorf("audit entry by %d %s, want the admin", entries[i].UserID, entries[i].Email)
		}
	}
	want := []string{
		"Successfully updated 424 object templates. | 424 added, 0 updated, 0 unchanged",
		"All object templates are up to date already. | 0 added, 0 updated, 424 unchanged",
		"Successfully updated 2 object templates. However, could not update 1 object templates. | 0 added, 2 updated, 0 unchanged",
		"Could not update any of the object templates | 0 added, 0 updated, 0 unchanged",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("audit entries (-want +got):\n%s", d)
	}
	if len(entries) == 4 && !strings.Contains(entries[1].Change, filepath.Join("broken", "definition.json")) {
		t.Errorf("the broken file is not in the audit entry: %s", entries[1].Change)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func writeTestFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestObjectTemplatePermissions checks the write endpoints as
// TestPermissionSweep does: each default role and a read-only key, MISP's
// 403 for those without the flag.
func TestObjectTemplatePermissions(t *testing.T) {
	e := newTestEnv(t)
	e.mustObjectTemplates(t)
	e.API.cfg.LibraryDir = t.TempDir() // an empty library: nothing to update
	actors := e.roleActors(t)
	for _, ep := range []struct {
		method, path string
		body         any
		acl          string
		status       int
	}{
		{"POST", "/objectTemplates/update", nil, "perm_site_admin", http.StatusOK},
		{"POST", "/objectTemplates/activate", obj{"ObjectTemplate": obj{"data": 1}}, "perm_site_admin", http.StatusOK},
		{"POST", "/objectTemplates/delete/2", nil, "perm_object_template", http.StatusOK},
		{"GET", "/objectTemplates/getRaw/one", nil, "perm_object_template", http.StatusOK},
		{"GET", "/objectTemplates/view/1", nil, "", http.StatusOK},
		{"GET", "/objectTemplates/index", nil, "", http.StatusOK},
	} {
		for _, c := range actors {
			t.Run(ep.path+"/"+c.name, func(t *testing.T) {
				status, _, b := e.do(t, ep.method, ep.path, c.key, ep.body)
				if !aclAllows(ep.acl, c.perms, c.ro) {
					checkRefusal(t, status, b, refusal{status: http.StatusForbidden, message: aclMessage})
					return
				}
				if status != ep.status {
					t.Errorf("status %d, want %d: %s", status, ep.status, b)
				}
			})
		}
	}
}
