package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// Fixed UUIDs of the upload fixtures.
const (
	upBundle    = "bbbbbbbb-0000-4000-8000-000000000001"
	upReport    = "bbbbbbbb-0000-4000-8000-000000000002"
	upIndicator = "bbbbbbbb-0000-4000-8000-000000000003"
	upFileInd   = "bbbbbbbb-0000-4000-8000-000000000004"
	upIdentity  = "bbbbbbbb-0000-4000-8000-000000000005"
	upMalware   = "bbbbbbbb-0000-4000-8000-000000000006"
	upExportEv  = "bbbbbbbb-0000-4000-8000-0000000000e1"
	upExportEv2 = "bbbbbbbb-0000-4000-8000-0000000000e2"
)

// stixBundle is a STIX 2.1 report by another organisation with an IP
// indicator, a file indicator of two comparisons, a malware and a TLP
// marking.
func stixBundle(reportUUID string) string {
	return `{"type": "bundle", "id": "bundle--` + upBundle + `", "objects": [
	 {"type": "identity", "spec_version": "2.1", "id": "identity--` + upIdentity + `", "name": "Other Org",
	  "identity_class": "organization", "created": "2025-01-01T00:00:00Z", "modified": "2025-01-01T00:00:00Z"},
	 {"type": "report", "spec_version": "2.1", "id": "report--` + reportUUID + `", "name": "Uploaded report",
	  "created_by_ref": "identity--` + upIdentity + `", "published": "2025-12-01T10:00:00Z",
	  "created": "2025-12-01T10:00:00Z", "modified": "2025-12-01T10:00:00Z", "labels": ["threat-report", "campaign:x"],
	  "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
	  "object_refs": ["indicator--` + upIndicator + `", "indicator--` + upFileInd + `", "malware--` + upMalware + `"]},
	 {"type": "indicator", "spec_version": "2.1", "id": "indicator--` + upIndicator + `", "pattern_type": "stix",
	  "pattern": "[ipv4-addr:value = '198.51.100.23']", "valid_from": "2025-12-01T10:00:00Z",
	  "created": "2025-12-01T10:00:00Z", "modified": "2025-12-01T10:00:00Z"},
	 {"type": "indicator", "spec_version": "2.1", "id": "indicator--` + upFileInd + `", "pattern_type": "stix",
	  "pattern": "[file:name = 'dropper.exe' AND file:hashes.MD5 = '0123456789abcdef0123456789abcdef']",
	  "valid_from": "2025-12-01T10:00:00Z", "created": "2025-12-01T10:00:00Z", "modified": "2025-12-01T10:00:00Z"},
	 {"type": "malware", "spec_version": "2.1", "id": "malware--` + upMalware + `", "name": "Dropper", "is_family": true,
	  "created": "2025-12-01T10:00:00Z", "modified": "2025-12-01T10:00:00Z"}
	]}`
}

// permSTIXBundle is a bundle of one indicator with ids unique to n, for
// the permission sweep.
func permSTIXBundle(n int) string {
	u := fmt.Sprintf("cccccccc-0000-4000-8000-%012d", n)
	v := fmt.Sprintf("cccccccc-1111-4000-8000-%012d", n)
	return `{"type": "bundle", "id": "bundle--` + u + `", "objects": [{"type": "indicator", "spec_version": "2.1",
	 "id": "indicator--` + v + `", "pattern_type": "stix", "pattern": "[domain-name:value = 'perm-` + fmt.Sprint(n) + `.example']",
	 "valid_from": "2025-12-01T10:00:00Z", "created": "2025-12-01T10:00:00Z", "modified": "2025-12-01T10:00:00Z"}]}`
}

// eventCount returns the number of stored events, seen by the site admin.
func (e *testEnv) eventCount(t *testing.T) int64 {
	t.Helper()
	_, n, err := e.DB.FindEvents(context.Background(), e.Admin.Actor(), misp.EventFilter{})
	if err != nil {
		t.Fatalf("FindEvents: %v", err)
	}
	return n
}

func TestUploadSTIX(t *testing.T) {
	e := newTestEnv(t)
	e.mustTag(t, obj{"name": "tlp:green"})
	status, hdr, body := e.do(t, "POST", "/events/upload_stix/2", e.AUser.Key, stixBundle(upReport))
	if status != http.StatusOK {
		t.Fatalf("POST /events/upload_stix/2: status %d: %s", status, body)
	}
	if got := hdr.Get("X-Razmena-Import-Warnings"); got != "" {
		t.Errorf("X-Razmena-Import-Warnings = %q, want none", got)
	}
	var out obj
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, body)
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"Event", "uuid"}, upReport},
		{[]any{"Event", "info"}, "Uploaded report"},
		{[]any{"Event", "date"}, "2025-12-01"},
		{[]any{"Event", "distribution"}, "0"},
		{[]any{"Event", "published"}, false},
		// The uploader's organisation, never the bundle's identity.
		{[]any{"Event", "org_id"}, fmt.Sprint(e.OrgA.ID)},
		{[]any{"Event", "orgc_id"}, fmt.Sprint(e.OrgA.ID)},
		{[]any{"Event", "Orgc", "name"}, "ORGNAME-A"},
		{[]any{"Event", "Attribute", 0, "type"}, "ip-dst"},
		{[]any{"Event", "Attribute", 0, "value"}, "198.51.100.23"},
		{[]any{"Event", "Attribute", 0, "to_ids"}, true},
		{[]any{"Event", "Attribute", 0, "uuid"}, upIndicator},
		{[]any{"Event", "Object", 0, "name"}, "file"},
		{[]any{"Event", "Object", 0, "uuid"}, upFileInd},
		{[]any{"Event", "Object", 0, "meta-category"}, "file"},
	}
	for _, c := range checks {
		if got := dig(t, out, c.path...); got != c.want {
			t.Errorf("%v = %v, want %v", c.path, got, c.want)
		}
	}
	// tlp:green exists and is attached; the user may not create the other
	// tags (no perm_tag_editor), which are skipped as on events/add.
	tags := dig(t, out, "Event", "Tag").([]any)
	if len(tags) != 1 || dig(t, tags[0], "name") != "tlp:green" {
		t.Errorf("Event.Tag = %v, want only tlp:green", tags)
	}
	if n := e.eventCount(t); n != 1 {
		t.Errorf("%d events stored, want 1", n)
	}

	// The same bundle again: MISP's answer for an existing uuid.
	before := e.snapshot(t)
	fail := e.callObj(t, "POST", "/events/upload_stix/2", e.AUser.Key, stixBundle(upReport), http.StatusForbidden)
	if got := fail["errors"]; got != "Event with the same UUID already exists." {
		t.Errorf("errors = %v, want the existing-uuid message", got)
	}
	e.assertUnchanged(t, before)
}

func TestUploadSTIXSiteAdminOrgc(t *testing.T) {
	e := newTestEnv(t)
	// A tag editor (site admin) gets the bundle's tags created; the
	// creator is still the uploader's organisation.
	out := e.callObj(t, "POST", "/events/upload_stix/2/publish:1", e.Admin.Key, stixBundle(upReport), http.StatusOK)
	if got := dig(t, out, "Event", "Orgc", "uuid"); got != e.OrgA.UUID {
		t.Errorf("Orgc uuid = %v, want the admin's org %s", got, e.OrgA.UUID)
	}
	if got := dig(t, out, "Event", "published"); got != true {
		t.Errorf("published = %v, want true (publish:1 with perm_publish)", got)
	}
	var names []string
	for _, tg := range dig(t, out, "Event", "Tag").([]any) {
		names = append(names, dig(t, tg, "name").(string))
	}
	want := []string{"campaign:x", "tlp:green", `misp-galaxy:producer="Other Org"`, `misp-galaxy:malware="Dropper"`}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("tags = %q, want %q", names, want)
	}
}

func TestUploadSTIXRefused(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	bad := []struct {
		name   string
		path   string
		key    string
		body   string
		status int
	}{
		{"not JSON", "/events/upload_stix/2", e.AUser.Key, "{not json", http.StatusForbidden},
		{"not a bundle", "/events/upload_stix/2", e.AUser.Key, `{"type": "report", "id": "report--` + upReport + `"}`, http.StatusForbidden},
		{"malformed id", "/events/upload_stix/2", e.AUser.Key,
			`{"type": "bundle", "id": "bundle--` + upBundle + `", "objects": [{"type": "indicator", "id": "indicator--nope"}]}`, http.StatusForbidden},
		{"nothing convertible", "/events/upload_stix/2", e.AUser.Key,
			`{"type": "bundle", "id": "bundle--` + upBundle + `", "objects": [{"type": "identity", "id": "identity--` + upIdentity + `", "name": "x"}]}`,
			http.StatusForbidden},
		{"empty body", "/events/upload_stix/2", e.AUser.Key, "", http.StatusForbidden},
		{"STIX 1", "/events/upload_stix", e.AUser.Key, "<stix:STIX_Package/>", http.StatusBadRequest},
		{"STIX 1 explicit", "/events/upload_stix/1", e.AUser.Key, "<stix:STIX_Package/>", http.StatusBadRequest},
		{"unknown version", "/events/upload_stix/3", e.AUser.Key, stixBundle(upReport), http.StatusBadRequest},
		{"bad distribution", "/events/upload_stix/2/distribution:7", e.AUser.Key, stixBundle(upReport), http.StatusBadRequest},
		{"sharing group missing", "/events/upload_stix/2/distribution:4", e.AUser.Key, stixBundle(upReport), http.StatusBadRequest},
		{"read-only role", "/events/upload_stix/2", e.AReadOnly.Key, stixBundle(upReport), http.StatusForbidden},
		{"read-only key", "/events/upload_stix/2", e.PublisherRO, stixBundle(upReport), http.StatusForbidden},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot(t)
			status, _, body := e.do(t, "POST", c.path, c.key, c.body)
			if status != c.status {
				t.Errorf("status %d, want %d: %s", status, c.status, body)
			}
			var out obj
			if err := json.Unmarshal(body, &out); err != nil || out["message"] == nil {
				t.Errorf("answer is not a MISP error: %s", body)
			}
			e.assertUnchanged(t, before)
		})
	}
}

func TestUploadSTIXSharingGroup(t *testing.T) {
	e := newSGEnv(t)
	// A group of org B only: user A may not use it.
	foreign := e.addSG(t, e.BOrgAdmin.Key, obj{"name": "B only", "SharingGroupOrg": []any{sgOrg(e.OrgB, true)}})
	own := e.addSG(t, e.AOrgAdmin.Key, obj{"name": "A and B", "SharingGroupOrg": []any{sgOrg(e.OrgA, true), sgOrg(e.OrgB, false)}})
	before := e.snapshot(t)
	fail := e.callObj(t, "POST", "/events/upload_stix/2/distribution:4/sharing_group_id:"+foreign, e.AUser.Key,
		stixBundle(upReport), http.StatusBadRequest)
	if got := fail["message"]; got != "Please select a valid sharing group id." {
		t.Errorf("message = %v", got)
	}
	e.assertUnchanged(t, before)

	out := e.callObj(t, "POST", "/events/upload_stix/2/distribution:4/sharing_group_id:"+own, e.AUser.Key,
		stixBundle(upReport), http.StatusOK)
	if got := dig(t, out, "Event", "sharing_group_id"); got != own {
		t.Errorf("sharing_group_id = %v, want %s", got, own)
	}
	if got := dig(t, out, "Event", "distribution"); got != "4" {
		t.Errorf("distribution = %v, want 4", got)
	}
}

// exportEvent is an event as a MISP JSON export holds it, created by org B.
func exportEvent(uuid, info string) obj {
	return obj{"Event": obj{
		"uuid": uuid, "info": info, "date": "2025-11-02", "threat_level_id": "2", "analysis": "2",
		"distribution": "1", "published": true, "orgc_id": "7", "org_id": "7", "id": "99",
		"Orgc": obj{"id": "7", "name": "ORGNAME-B", "uuid": "22222222-2222-4222-8222-222222222222"},
		"Org":  obj{"id": "7", "name": "ORGNAME-B", "uuid": "22222222-2222-4222-8222-222222222222"},
		"Attribute": []any{
			obj{"type": "ip-dst", "category": "Network activity", "value": "203.0.113.99", "to_ids": true, "distribution": "5"},
		},
	}}
}

// importResults posts body to add_misp_export and decodes the rows.
func (e *testEnv) importResults(t *testing.T, path, key string, body any) []exportResult {
	t.Helper()
	status, _, b := e.do(t, "POST", path, key, body)
	if status != http.StatusOK {
		t.Fatalf("POST %s: status %d: %s", path, status, b)
	}
	var rows []exportResult
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("answer is not a list of results: %v: %s", err, b)
	}
	return rows
}

func TestAddMISPExport(t *testing.T) {
	e := newTestEnv(t)
	// Org B's event imported by org A: refused without takeownership
	// (Event::_add), imported with it.
	rows := e.importResults(t, "/events/add_misp_export", e.AUser.Key, exportEvent(upExportEv, "From B"))
	if len(rows) != 1 || rows[0].Result != "Failed" || !strings.Contains(rows[0].Message, "not a member of the creator organisation") {
		t.Fatalf("rows = %+v, want one Failed for the foreign creator", rows)
	}
	if n := e.eventCount(t); n != 0 {
		t.Fatalf("%d events stored, want 0", n)
	}

	rows = e.importResults(t, "/events/add_misp_export", e.AUser.Key,
		obj{"Event": obj{"filecontent": mustJSON(t, exportEvent(upExportEv, "From B")), "takeownership": 1}})
	if len(rows) != 1 || rows[0].Result != "OK" || rows[0].Info != "From B" {
		t.Fatalf("rows = %+v, want one OK", rows)
	}
	ev := e.callObj(t, "GET", "/events/view/"+rows[0].ID, e.AUser.Key, nil, http.StatusOK)
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"Event", "uuid"}, upExportEv},
		{[]any{"Event", "orgc_id"}, fmt.Sprint(e.OrgA.ID)},
		{[]any{"Event", "org_id"}, fmt.Sprint(e.OrgA.ID)},
		{[]any{"Event", "locked"}, true},
		{[]any{"Event", "published"}, false}, // publish not asked
		{[]any{"Event", "distribution"}, "1"},
		{[]any{"Event", "Attribute", 0, "value"}, "203.0.113.99"},
	}
	for _, c := range checks {
		if got := dig(t, ev, c.path...); got != c.want {
			t.Errorf("%v = %v, want %v", c.path, got, c.want)
		}
	}

	// A restSearch answer with the imported event and a new one: the
	// first is reported, not duplicated.
	both := obj{"response": []any{exportEvent(upExportEv, "From B"), exportEvent(upExportEv2, "Second")}}
	rows = e.importResults(t, "/events/add_misp_export/takeownership:1", e.AUser.Key, both)
	if len(rows) != 2 || rows[0].Result != "Exists" || rows[0].ID == "0" || rows[1].Result != "OK" {
		t.Fatalf("rows = %+v, want Exists then OK", rows)
	}
	if n := e.eventCount(t); n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
}

func TestAddMISPExportForms(t *testing.T) {
	e := newTestEnv(t)
	bare := exportEvent(upExportEv, "Bare")["Event"]
	rows := e.importResults(t, "/events/add_misp_export/takeownership:1", e.AUser.Key, []any{bare})
	if len(rows) != 1 || rows[0].Result != "OK" {
		t.Fatalf("bare list: rows = %+v", rows)
	}

	// MISP's web form: multipart with the file and the flags.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("data[Event][submittedfile]", "export.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(fw, mustJSON(t, exportEvent(upExportEv2, "Multipart"))); err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("data[Event][takeownership]", "1"); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", e.Srv.URL+"/events/add_misp_export", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", e.AUser.Key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"result": "OK"`) && !strings.Contains(string(b), `"result":"OK"`) {
		t.Fatalf("multipart: status %d: %s", resp.StatusCode, b)
	}
	if n := e.eventCount(t); n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
}

func TestAddMISPExportSiteAdminKeepsOrgc(t *testing.T) {
	e := newTestEnv(t)
	// MISP lets site admins and sync users import an event as its creator
	// organisation.
	rows := e.importResults(t, "/events/add_misp_export", e.Admin.Key, exportEvent(upExportEv, "From B"))
	if len(rows) != 1 || rows[0].Result != "OK" {
		t.Fatalf("rows = %+v", rows)
	}
	ev := e.callObj(t, "GET", "/events/view/"+rows[0].ID, e.Admin.Key, nil, http.StatusOK)
	if got := dig(t, ev, "Event", "Orgc", "uuid"); got != e.OrgB.UUID {
		t.Errorf("Orgc uuid = %v, want org B %s", got, e.OrgB.UUID)
	}
	if got := dig(t, ev, "Event", "org_id"); got != fmt.Sprint(e.OrgA.ID) {
		t.Errorf("org_id = %v, want the importer's org %d", got, e.OrgA.ID)
	}
}

func TestAddMISPExportRefused(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	good := exportEvent(upExportEv, "Good")
	badAttr := exportEvent(upExportEv2, "Bad shape")
	badAttr["Event"].(obj)["Attribute"] = "not a list"
	cases := []struct {
		name   string
		key    string
		body   any
		status int
	}{
		{"not JSON", e.AUser.Key, "{oops", http.StatusBadRequest},
		{"empty", e.AUser.Key, "", http.StatusMethodNotAllowed},
		{"XML", e.AUser.Key, obj{"Event": obj{"filecontent": "<response/>"}}, http.StatusBadRequest},
		{"number in list", e.AUser.Key, []any{good, 3}, http.StatusBadRequest},
		{"not an event", e.AUser.Key, obj{"foo": "bar"}, http.StatusBadRequest},
		// One event of the file does not decode: nothing is stored, not
		// even the good one before it.
		{"one malformed event", e.AUser.Key, obj{"response": []any{good, badAttr}}, http.StatusBadRequest},
		{"oversized", e.AUser.Key, `{"Event": {"info": "` + strings.Repeat("x", maxTestBody) + `"}}`, http.StatusRequestEntityTooLarge},
		{"read-only role", e.AReadOnly.Key, good, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot(t)
			status, _, body := e.do(t, "POST", "/events/add_misp_export/takeownership:1", c.key, c.body)
			if status != c.status {
				t.Errorf("status %d, want %d: %s", status, c.status, body)
			}
			e.assertUnchanged(t, before)
		})
	}
}

func TestAddMISPExportSharingGroup(t *testing.T) {
	e := newSGEnv(t)
	foreign := e.addSG(t, e.BOrgAdmin.Key, obj{"name": "B only", "SharingGroupOrg": []any{sgOrg(e.OrgB, true)}})
	ev := exportEvent(upExportEv, "Shared")
	ev["Event"].(obj)["distribution"] = "4"
	ev["Event"].(obj)["sharing_group_id"] = foreign
	before := e.snapshot(t)
	rows := e.importResults(t, "/events/add_misp_export/takeownership:1", e.AUser.Key, ev)
	if len(rows) != 1 || rows[0].Result != "Failed" || rows[0].Message != sgUnusable {
		t.Fatalf("rows = %+v, want Failed %q as events/add answers", rows, sgUnusable)
	}
	e.assertUnchanged(t, before)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUploadSTIXRoundTrip exports the fixture event with restSearch's
// stix2 format, deletes it, and uploads the bundle as another
// organisation: the event comes back with its uuid, attributes and
// object, owned by the uploader.
func TestUploadSTIXRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	ev := e.addFixture(t)
	status, _, bundle := e.do(t, "POST", "/events/restSearch", e.AUser.Key, obj{"returnFormat": "stix2", "eventid": ev["id"]})
	if status != http.StatusOK {
		t.Fatalf("restSearch stix2: status %d: %s", status, bundle)
	}
	e.call(t, "POST", "/events/delete/"+ev["id"].(string), e.AUser.Key, nil, http.StatusOK)
	out := e.callObj(t, "POST", "/events/upload_stix/2", e.BUser.Key, bundle, http.StatusOK)
	got := dig(t, out, "Event").(obj)
	if got["uuid"] != evUUID || got["info"] != "Phishing campaign" || got["orgc_id"] != fmt.Sprint(e.OrgB.ID) {
		t.Errorf("event uuid %v info %v orgc_id %v", got["uuid"], got["info"], got["orgc_id"])
	}
	values := map[string]string{}
	for _, a := range got["Attribute"].([]any) {
		values[dig(t, a, "uuid").(string)] = dig(t, a, "type").(string) + " " + dig(t, a, "value").(string)
	}
	want := map[string]string{attrIP: "ip-dst 203.0.113.7", attrDom: "domain evil.example"}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("attribute %s = %q, want %q (all: %v)", k, values[k], v, values)
		}
	}
	objs := got["Object"].([]any)
	if len(objs) != 1 || dig(t, objs[0], "uuid") != objFile || len(dig(t, objs[0], "Attribute").([]any)) != 2 {
		t.Errorf("objects = %v, want the file object with its two attributes", objs)
	}
}

// TestAddMISPExportOwnEvent imports an event of the user's own
// organisation, as events/view wrote it, without takeownership: the
// creator named in the file is the user's, so MISP's rule lets it in.
func TestAddMISPExportOwnEvent(t *testing.T) {
	e := newTestEnv(t)
	ev := e.addFixture(t)
	_, _, view := e.do(t, "GET", "/events/view/"+ev["id"].(string), e.AUser.Key, nil)
	e.call(t, "POST", "/events/delete/"+ev["id"].(string), e.AUser.Key, nil, http.StatusOK)
	rows := e.importResults(t, "/events/add_misp_export", e.AUser.Key, view)
	if len(rows) != 1 || rows[0].Result != "OK" {
		t.Fatalf("rows = %+v, want one OK", rows)
	}
	got := e.callObj(t, "GET", "/events/view/"+evUUID, e.AUser.Key, nil, http.StatusOK)
	if n := len(dig(t, got, "Event", "Attribute").([]any)); n != 2 {
		t.Errorf("%d attributes, want 2", n)
	}
	if got := dig(t, got, "Event", "Object", 0, "uuid"); got != objFile {
		t.Errorf("object uuid = %v, want %s", got, objFile)
	}
}
