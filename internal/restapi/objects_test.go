package restapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	objURL    = "aaaaaaaa-0000-4000-8000-0000000000e1"
	attrURL   = "aaaaaaaa-0000-4000-8000-0000000000e2"
	attrHost  = "aaaaaaaa-0000-4000-8000-0000000000e3"
	refUUID2  = "aaaaaaaa-0000-4000-8000-0000000000e4"
	attrPort  = "aaaaaaaa-0000-4000-8000-0000000000e5"
	urlObject = "url"
)

// urlObjectBody is an objects/add body as PyMISP sends it.
func urlObjectBody() obj {
	return obj{"Object": obj{
		"uuid": objURL, "name": urlObject, "meta-category": "network", "description": "URL object",
		"template_uuid": "60efb77b-40b5-4c46-871b-ed1ed999fce5", "template_version": 9, "comment": "landing page",
		"Attribute": []any{
			obj{"uuid": attrURL, "type": "url", "object_relation": "url", "value": "https://evil.example/login"},
			obj{"uuid": attrHost, "type": "hostname", "object_relation": "host", "value": "evil.example", "to_ids": false},
		},
	}}
}

func TestObjectAddViewGolden(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	e.Clock.Advance(time.Minute)
	status, _, body := e.do(t, "POST", "/objects/add/"+evUUID, e.AUser.Key, urlObjectBody())
	if status != http.StatusOK {
		t.Fatalf("objects/add: %d %s", status, body)
	}
	compareGolden(t, "object_add", body)
	status, _, body = e.do(t, "GET", "/objects/view/"+objURL, e.AUser.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("objects/view: %d %s", status, body)
	}
	compareGolden(t, "object_view", body)
	if status, _, body := e.do(t, "HEAD", "/objects/view/1", e.AUser.Key, nil); status != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD: %d %q", status, body)
	}
	ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if ev["attribute_count"] != "2" || ev["timestamp"] != fmt.Sprint(testStart.Add(time.Minute).Unix()) {
		t.Errorf("event after objects/add: attribute_count %v timestamp %v", ev["attribute_count"], ev["timestamp"])
	}
}

func TestObjectAddForms(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	// Attributes beside "Object", as older clients send them.
	out := e.callObj(t, "POST", "/objects/add/1", e.AUser.Key, obj{
		"Object":    obj{"name": "domain-ip", "meta-category": "network"},
		"Attribute": []any{obj{"type": "domain", "object_relation": "domain", "value": "a.example"}},
	}, http.StatusOK)
	if dig(t, out, "Object", "Attribute", 0, "value") != "a.example" || dig(t, out, "Object", "distribution") != "5" {
		t.Errorf("attributes beside Object: %v", out)
	}
	// A bare object.
	out = e.callObj(t, "POST", "/objects/add/1", e.AUser.Key, obj{"name": "domain-ip", "meta-category": "network",
		"Attribute": []any{obj{"type": "ip-dst", "object_relation": "ip", "value": "192.0.2.10"}}}, http.StatusOK)
	if dig(t, out, "Object", "Attribute", 0, "object_relation") != "ip" {
		t.Errorf("bare object: %v", out)
	}
}

func TestObjectAddFailures(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	tests := []struct {
		name       string
		path       string
		key        string
		body       any
		wantStatus int
		wantMsg    string
	}{
		{"no attributes", "/objects/add/1", e.AUser.Key, obj{"Object": obj{"name": "file", "meta-category": "file"}},
			http.StatusForbidden, "Could not add object"},
		{"invalid attribute", "/objects/add/1", e.AUser.Key, obj{"Object": obj{"name": "file", "meta-category": "file",
			"Attribute": []any{obj{"type": "md5", "object_relation": "md5", "value": "xyz"}}}}, http.StatusForbidden, "Could not add object"},
		{"attribute without relation", "/objects/add/1", e.AUser.Key, obj{"Object": obj{"name": "file", "meta-category": "file",
			"Attribute": []any{obj{"type": "filename", "value": "a.txt"}}}}, http.StatusForbidden, "Could not add object"},
		{"template in the URL", "/objects/add/1/688c46fb-5edb-40a3-8273-1af7923e2215", e.AUser.Key, urlObjectBody(),
			http.StatusNotFound, "Invalid template."},
		{"unknown event", "/objects/add/7", e.AUser.Key, urlObjectBody(), http.StatusNotFound, "Invalid event."},
		{"read-only key", "/objects/add/1", e.PublisherRO, urlObjectBody(), http.StatusForbidden, "You do not have permission to use this functionality."},
		{"malformed JSON", "/objects/add/1", e.AUser.Key, `{"Object": [`, http.StatusMethodNotAllowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(t)
			out := e.callObj(t, "POST", tt.path, tt.key, tt.body, tt.wantStatus)
			if tt.wantMsg != "" && out["message"] != tt.wantMsg {
				t.Errorf("message = %v, want %q (%v)", out["message"], tt.wantMsg, out)
			}
			e.assertUnchanged(t, before)
		})
	}
}

func TestObjectEdit(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	e.callObj(t, "POST", "/objects/add/1", e.AUser.Key, urlObjectBody(), http.StatusOK)
	e.Clock.Advance(time.Minute)
	now := fmt.Sprint(testStart.Add(time.Minute).Unix())
	// Change the comment, the host attribute by relation (no uuid), add a port.
	out := e.callObj(t, "POST", "/objects/edit/"+objURL, e.AUser.Key, obj{"Object": obj{
		"comment": "phishing kit",
		"Attribute": []any{
			obj{"object_relation": "host", "type": "hostname", "value": "login.evil.example"},
			obj{"uuid": attrPort, "object_relation": "port", "type": "port", "value": "8443"},
		},
	}}, http.StatusOK)
	o := dig(t, out, "Object").(obj)
	if o["comment"] != "phishing kit" || o["name"] != urlObject || o["timestamp"] != now {
		t.Errorf("edited object: %v", o)
	}
	attrs := map[string]obj{}
	for _, a := range o["Attribute"].([]any) {
		attrs[a.(obj)["uuid"].(string)] = a.(obj)
	}
	if len(attrs) != 3 || attrs[attrHost]["value"] != "login.evil.example" || attrs[attrHost]["to_ids"] != false ||
		attrs[attrURL]["value"] != "https://evil.example/login" || attrs[attrPort]["object_relation"] != "port" {
		t.Errorf("edited object attributes: %v", attrs)
	}
	before := e.snapshot(t)
	out = e.callObj(t, "POST", "/objects/edit/1", e.AUser.Key, obj{"comment": "old", "timestamp": now}, http.StatusForbidden)
	if out["name"] != "Could not edit Object" {
		t.Errorf("not newer: %v", out)
	}
	e.callObj(t, "POST", "/objects/edit/1", e.AUser.Key, obj{"Attribute": []any{obj{"object_relation": "ip", "type": "ip-dst", "value": "bad"}}}, http.StatusForbidden)
	e.callObj(t, "POST", "/objects/edit/99", e.AUser.Key, obj{"comment": "x"}, http.StatusNotFound)
	e.callObj(t, "POST", "/objects/edit/1", e.BUser.Key, obj{"comment": "x"}, http.StatusNotFound)
	e.assertUnchanged(t, before)
}

func TestObjectDelete(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	e.callObj(t, "POST", "/objects/add/1", e.AUser.Key, urlObjectBody(), http.StatusOK)
	out := e.callObj(t, "POST", "/objects/delete/"+objURL, e.AUser.Key, nil, http.StatusOK)
	want := obj{"saved": true, "success": true, "name": "Object deleted", "message": "Object deleted", "url": "/objects/delete/1", "id": "1"}
	if fmt.Sprint(out) != fmt.Sprint(want) {
		t.Errorf("delete answer = %v, want %v", out, want)
	}
	e.callObj(t, "GET", "/objects/view/1", e.AUser.Key, nil, http.StatusNotFound)
	ev := dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if dig(t, ev, "Object", 0, "deleted") != true || dig(t, ev, "Object", 0, "Attribute", 0, "deleted") != true || ev["attribute_count"] != "0" {
		t.Errorf("soft-deleted object: %v", ev["Object"])
	}
	e.callObj(t, "DELETE", "/objects/delete/1/1", e.AUser.Key, nil, http.StatusOK)
	ev = dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if n := len(ev["Object"].([]any)); n != 0 {
		t.Errorf("after hard delete: %d objects", n)
	}
	e.callObj(t, "POST", "/objects/delete/1", e.AUser.Key, obj{"hard": 1}, http.StatusNotFound)
}

func TestObjectReferences(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	e.Clock.Advance(time.Minute)
	// PyMISP sends the reference bare, with object_uuid, and a uuid that
	// MISP ignores.
	out := e.callObj(t, "POST", "/objectReferences/add", e.AUser.Key, obj{"uuid": refUUID2, "object_uuid": objFile,
		"referenced_uuid": attrDom, "relationship_type": "related-to", "comment": "same campaign"}, http.StatusOK)
	ref := dig(t, out, "ObjectReference").(obj)
	if ref["uuid"] == refUUID2 || ref["object_uuid"] != objFile || ref["referenced_id"] != "2" || ref["referenced_type"] != "0" ||
		ref["relationship_type"] != "related-to" || ref["comment"] != "same campaign" || ref["object_id"] != "1" {
		t.Errorf("reference = %v", ref)
	}
	// Wrapped, with the object in the URL, pointing at an object.
	out = e.callObj(t, "POST", "/object_references/add/1", e.AUser.Key, obj{"ObjectReference": obj{
		"referenced_uuid": objFile, "relationship_type": "self"}}, http.StatusOK)
	if dig(t, out, "ObjectReference", "referenced_type") != "1" {
		t.Errorf("object reference = %v", out)
	}
	id := dig(t, out, "ObjectReference", "id").(string)

	before := e.snapshot(t)
	e.callObj(t, "POST", "/objectReferences/add", e.AUser.Key, obj{"object_uuid": "aaaaaaaa-0000-4000-8000-00000000ffff",
		"referenced_uuid": attrDom, "relationship_type": "x"}, http.StatusNotFound)
	e.callObj(t, "POST", "/objectReferences/add/1", e.AUser.Key, obj{"referenced_uuid": attrDom}, http.StatusForbidden)
	e.callObj(t, "POST", "/objectReferences/add/1", e.AUser.Key, obj{"referenced_uuid": "aaaaaaaa-0000-4000-8000-00000000ffff",
		"relationship_type": "x"}, http.StatusForbidden)
	e.callObj(t, "POST", "/objectReferences/add", e.AUser.Key, obj{"referenced_uuid": attrDom, "relationship_type": "x"}, http.StatusNotFound)
	e.callObj(t, "POST", "/objectReferences/delete/"+id, e.BUser.Key, nil, http.StatusNotFound)
	e.assertUnchanged(t, before)

	out = e.callObj(t, "POST", "/objectReferences/delete/"+id, e.AUser.Key, nil, http.StatusOK)
	if out["message"] != "ObjectReference deleted" || out["id"] != id {
		t.Errorf("delete answer = %v", out)
	}
	ev := dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	refs := dig(t, ev, "Object", 0, "ObjectReference").([]any)
	if len(refs) != 3 || dig(t, refs, 2, "deleted") != true {
		t.Errorf("after soft delete: %v", refs)
	}
	// PyMISP's hard delete.
	e.callObj(t, "POST", "/objectReferences/delete/"+id+"/true", e.AUser.Key, nil, http.StatusOK)
	ev = dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if refs := dig(t, ev, "Object", 0, "ObjectReference").([]any); len(refs) != 2 {
		t.Errorf("after hard delete: %v", refs)
	}
	e.callObj(t, "POST", "/objectReferences/delete/"+id, e.AUser.Key, nil, http.StatusNotFound)

	// By uuid, as PyMISP's delete_object_reference names a reference
	// that has one; the answer still gives the numeric id.
	firstID, firstUUID := ref["id"].(string), ref["uuid"].(string)
	before = e.snapshot(t)
	e.callObj(t, "POST", "/object_references/delete/"+firstUUID, e.BUser.Key, nil, http.StatusNotFound)
	e.callObj(t, "POST", "/object_references/delete/aaaaaaaa-0000-4000-8000-00000000ffff", e.AUser.Key, nil, http.StatusNotFound)
	e.assertUnchanged(t, before)
	out = e.callObj(t, "POST", "/object_references/delete/"+firstUUID, e.AUser.Key, nil, http.StatusOK)
	if out["message"] != "ObjectReference deleted" || out["id"] != firstID {
		t.Errorf("delete by uuid answer = %v, want id %s", out, firstID)
	}
	ev = dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if refs := dig(t, ev, "Object", 0, "ObjectReference").([]any); len(refs) != 2 || dig(t, refs, 1, "deleted") != true {
		t.Errorf("after soft delete by uuid: %v", refs)
	}
	e.callObj(t, "POST", "/object_references/delete/"+strings.ToUpper(firstUUID)+"/true", e.AUser.Key, nil, http.StatusOK)
	ev = dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if refs := dig(t, ev, "Object", 0, "ObjectReference").([]any); len(refs) != 1 {
		t.Errorf("after hard delete by uuid: %v", refs)
	}
	e.callObj(t, "POST", "/object_references/delete/"+firstUUID+"/true", e.AUser.Key, nil, http.StatusNotFound)
}

func TestObjectNeedsPermModify(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	e.callObj(t, "POST", "/objects/add/1", e.AUser.Key, urlObjectBody(), http.StatusOK)
	if _, err := e.DB.SQL().Exec("UPDATE roles SET perm_modify = FALSE WHERE id = 3"); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot(t)
	out := e.callObj(t, "POST", "/objects/add/1", e.AUser.Key, urlObjectBody(), http.StatusForbidden)
	if out["message"] != "You don't have permissions to create objects." {
		t.Errorf("add: %v", out)
	}
	out = e.callObj(t, "POST", "/objects/delete/1", e.AUser.Key, nil, http.StatusForbidden)
	if out["message"] != "You don't have permissions to delete objects." {
		t.Errorf("delete: %v", out)
	}
	e.assertUnchanged(t, before)
}
