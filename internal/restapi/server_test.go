package restapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// TestPyMISPConnect replays what PyMISP's constructor does against a MISP
// server (misp-rest-api §2) and checks every key it reads.
func TestPyMISPConnect(t *testing.T) {
	e := newTestEnv(t)
	key := e.AUser.Key

	// 1. getVersion: pymisp_recommended_version, then version.
	v := e.callObj(t, "GET", "/servers/getVersion", key, nil, http.StatusOK)
	for _, k := range []string{"version", "pymisp_recommended_version", "perm_sync", "perm_sighting",
		"perm_galaxy_editor", "perm_analyst_data", "uuid", "request_encoding", "filter_sightings"} {
		if _, ok := v[k]; !ok {
			t.Errorf("getVersion: no key %q in %v", k, v)
		}
	}
	if got := v["version"]; got != "2.5.1" {
		t.Errorf("getVersion version = %v, want 2.5.1", got)
	}
	if got := v["uuid"]; got != "-" {
		t.Errorf("getVersion uuid for a non-sync user = %v, want -", got)
	}
	if got := v["perm_sighting"]; got != true {
		t.Errorf("getVersion perm_sighting for role User = %v, want true", got)
	}
	if got, ok := v["request_encoding"].([]any); !ok || !slices.Equal(got, []any{"gzip"}) {
		t.Errorf("getVersion request_encoding = %v, want [gzip]", v["request_encoding"])
	}

	// The deprecated fallback.
	pv := e.callObj(t, "GET", "/servers/getPyMISPVersion.json", key, nil, http.StatusOK)
	if pv["version"] != "2.5.1" {
		t.Errorf("getPyMISPVersion = %v, want version 2.5.1", pv)
	}

	// 2. users/view/me: PyMISP builds MISPUser, MISPRole and the settings.
	me := e.callObj(t, "GET", "/users/view/me", key, nil, http.StatusOK)
	for _, k := range []string{"User", "Role", "UserSetting", "Organisation"} {
		if _, ok := me[k]; !ok {
			t.Fatalf("users/view/me: no key %q in %v", k, me)
		}
	}
	if got := dig(t, me, "User", "email"); got != "user@a.example" {
		t.Errorf("User.email = %v, want user@a.example", got)
	}
	if got := dig(t, me, "User", "password"); got != "*****" {
		t.Errorf("User.password = %v, want *****", got)
	}
	user := dig(t, me, "User").(obj)
	for _, k := range []string{"password_hash", "PasswordHash", "authkey", "server_id"} {
		if _, ok := user[k]; ok {
			t.Errorf("users/view/me User has %q: %v", k, user)
		}
	}
	if got, ok := me["UserSetting"].([]any); !ok || len(got) != 0 {
		t.Errorf("UserSetting = %#v, want []", me["UserSetting"])
	}
	role := dig(t, me, "Role").(obj)
	for _, k := range []string{"id", "name", "perm_add", "perm_modify", "perm_modify_org", "perm_publish",
		"perm_delegate", "perm_sync", "perm_admin", "perm_audit", "perm_auth", "perm_site_admin",
		"perm_regexp_access", "perm_tagger", "perm_template", "perm_sharing_group", "perm_tag_editor",
		"perm_sighting", "perm_object_template", "default_role", "memory_limit", "max_execution_time",
		"restricted_to_site_admin", "perm_publish_zmq", "perm_publish_kafka", "perm_decaying",
		"enforce_rate_limit", "rate_limit_count", "perm_galaxy_editor", "perm_warninglist",
		"perm_view_feed_correlations", "perm_analyst_data", "permission", "permission_description"} {
		if _, ok := role[k]; !ok {
			t.Errorf("Role: no key %q", k)
		}
	}
	if role["permission"] != "2" || role["permission_description"] != "manage_org" {
		t.Errorf("Role permission = %v/%v, want 2/manage_org", role["permission"], role["permission_description"])
	}
	if got := dig(t, me, "Organisation", "name"); got != "ORGNAME-A" {
		t.Errorf("Organisation.name = %v, want ORGNAME-A", got)
	}

	// 3. describeTypes.
	dt := e.callObj(t, "GET", "/attributes/describeTypes.json", key, nil, http.StatusOK)
	result := dig(t, dt, "result").(obj)
	for _, k := range []string{"sane_defaults", "types", "categories", "category_type_mappings"} {
		if _, ok := result[k]; !ok {
			t.Errorf("describeTypes: no key %q", k)
		}
	}
	if got := dig(t, result, "sane_defaults", "ip-dst", "to_ids"); got != float64(1) {
		t.Errorf("sane_defaults ip-dst to_ids = %#v, want the number 1", got)
	}
	if got := dig(t, result, "sane_defaults", "comment", "to_ids"); got != float64(0) {
		t.Errorf("sane_defaults comment to_ids = %#v, want the number 0", got)
	}
	if got := dig(t, result, "sane_defaults", "md5", "default_category"); got != "Payload delivery" {
		t.Errorf("sane_defaults md5 default_category = %v, want Payload delivery", got)
	}
	cats := dig(t, result, "categories").([]any)
	if len(cats) != 16 || cats[0] != "Internal reference" || cats[15] != "Other" {
		t.Errorf("categories = %v, want MISP's 16 in order", cats)
	}
	types := dig(t, result, "types").([]any)
	if len(types) != len(dig(t, result, "sane_defaults").(obj)) {
		t.Errorf("%d types but %d sane_defaults", len(types), len(dig(t, result, "sane_defaults").(obj)))
	}
	mapping := dig(t, result, "category_type_mappings").(obj)
	if len(mapping) != 16 {
		t.Errorf("category_type_mappings has %d categories, want 16", len(mapping))
	}

	// Without the .json suffix too.
	e.call(t, "GET", "/attributes/describeTypes", key, nil, http.StatusOK)
}

// TestGetVersionPerms checks that getVersion reports the permissions in
// force: the instance UUID only for sync users (here, the site admin), and
// cleared flags for a read-only key.
func TestGetVersionPerms(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name     string
		key      string
		wantSync bool
		wantUUID string
		wantSigh bool
	}{
		{"site admin", e.Admin.Key, true, "99999999-9999-4999-8999-999999999999", true},
		{"read only role", e.AReadOnly.Key, false, "-", false},
		{"read-only key of a publisher", e.PublisherRO, false, "-", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.callObj(t, "GET", "/servers/getVersion", tt.key, nil, http.StatusOK)
			if v["perm_sync"] != tt.wantSync || v["uuid"] != tt.wantUUID || v["perm_sighting"] != tt.wantSigh {
				t.Errorf("getVersion = %v, want perm_sync %v, uuid %s, perm_sighting %v", v, tt.wantSync, tt.wantUUID, tt.wantSigh)
			}
		})
	}
}

// TestViewMeReadOnlyKey checks that users/view/me reports the role as
// stored, not as a read-only key reduces it (MISP's __verifyUser).
func TestViewMeReadOnlyKey(t *testing.T) {
	e := newTestEnv(t)
	me := e.callObj(t, "GET", "/users/view/me.json", e.PublisherRO, nil, http.StatusOK)
	if got := dig(t, me, "Role", "perm_publish"); got != true {
		t.Errorf("Role.perm_publish with a read-only key = %v, want true (stored role)", got)
	}
}

// TestServerGolden pins the bootstrap answers byte for byte (after the
// migration's creation times are normalised).
func TestServerGolden(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name, path, key string
	}{
		{"getVersion", "/servers/getVersion", e.Admin.Key},
		{"users_view_me", "/users/view/me", e.AUser.Key},
		{"roles_index", "/roles/index", e.AUser.Key},
		{"describeTypes", "/attributes/describeTypes.json", e.AUser.Key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, b := e.do(t, "GET", tt.path, tt.key, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: status %d: %s", tt.path, status, b)
			}
			compareGolden(t, tt.name, normalizeRoleTimes(t, b))
		})
	}
}

// normalizeRoleTimes replaces the created/modified times of every Role
// block, which the first migration sets from the wall clock, by a fixed
// value. The keys come out sorted, which keeps the golden files stable.
func normalizeRoleTimes(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if role, ok := v["Role"].(map[string]any); ok {
				for _, k := range []string{"created", "modified"} {
					if _, ok := role[k]; ok {
						role[k] = "2026-01-15 10:00:00"
					}
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDescribeTypesMatrix checks the answer against the type matrix.
func TestDescribeTypesMatrix(t *testing.T) {
	e := newTestEnv(t)
	var got struct {
		Result struct {
			SaneDefaults map[string]struct {
				DefaultCategory string `json:"default_category"`
				ToIDS           int    `json:"to_ids"`
			} `json:"sane_defaults"`
			Types                []string            `json:"types"`
			CategoryTypeMappings map[string][]string `json:"category_type_mappings"`
		} `json:"result"`
	}
	if status := e.doJSON(t, "GET", "/attributes/describeTypes", e.AUser.Key, nil, &got); status != http.StatusOK {
		t.Fatalf("describeTypes: status %d", status)
	}
	if !slices.Equal(got.Result.Types, misp.TypeNames()) {
		t.Errorf("types differ from misp.TypeNames()")
	}
	for _, name := range got.Result.Types {
		ti, ok := misp.LookupType(name)
		if !ok {
			t.Fatalf("unknown type %q", name)
		}
		d := got.Result.SaneDefaults[name]
		if d.DefaultCategory != ti.DefaultCategory || (d.ToIDS == 1) != ti.ToIDS {
			t.Errorf("sane_defaults[%s] = %+v, want %s/%v", name, d, ti.DefaultCategory, ti.ToIDS)
		}
		if !slices.Contains(got.Result.CategoryTypeMappings[d.DefaultCategory], name) {
			t.Errorf("category_type_mappings[%s] lacks %s", d.DefaultCategory, name)
		}
	}
}

// TestServerUnauthenticated checks that the bootstrap endpoints need a key.
func TestServerUnauthenticated(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/servers/getVersion", "/users/view/me", "/attributes/describeTypes.json", "/roles/index"} {
		m := e.callObj(t, "GET", path, "", nil, http.StatusForbidden)
		if m["message"] == nil {
			t.Errorf("GET %s without a key: %v, want MISP's exception shape", path, m)
		}
	}
}

// TestGzipRequestBody checks the one request encoding getVersion
// advertises: a gzip-compressed body is decoded.
func TestGzipRequestBody(t *testing.T) {
	e := newTestEnv(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(`{"Organisation":{"name":"Gzipped CERT"}}`)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", e.Srv.URL+"/admin/organisations/add", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", e.Admin.Key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Organisation struct {
			Name string `json:"name"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK || got.Organisation.Name != "Gzipped CERT" {
		t.Errorf("gzip add = %d %+v, want 200 and the organisation", resp.StatusCode, got)
	}
}
