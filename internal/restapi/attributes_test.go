package restapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// emptyEvent creates an event without attributes as the A user.
func (e *testEnv) emptyEvent(t *testing.T) {
	t.Helper()
	e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"uuid": evUUID, "info": "attributes"}}, http.StatusOK)
}

func TestAttributeAddSingleGolden(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	e.mustTag(t, obj{"name": "tlp:green", "colour": "#33FF00"})
	e.Clock.Advance(time.Minute)
	status, _, body := e.do(t, "POST", "/attributes/add/1", e.AUser.Key, obj{"Attribute": obj{
		"uuid": attrIP, "type": "ip-src|port", "value": "198.51.100.4|8443", "comment": "scanner",
		"Tag": []any{obj{"name": "tlp:green"}},
	}})
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	compareGolden(t, "attribute_add", body)

	ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if ev["published"] != false || ev["timestamp"] != fmt.Sprint(testStart.Add(time.Minute).Unix()) {
		t.Errorf("event after attribute add: published %v timestamp %v", ev["published"], ev["timestamp"])
	}

	status, _, body = e.do(t, "GET", "/attributes/view/"+attrIP, e.AUser.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("view: status %d: %s", status, body)
	}
	compareGolden(t, "attribute_view", body)
}

func TestAttributeAddForms(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)

	// A one-element list answers the single shape.
	out := e.callObj(t, "POST", "/attributes/add/"+evUUID, e.AUser.Key, []any{obj{"type": "domain", "value": "one.example"}}, http.StatusOK)
	if dig(t, out, "Attribute", "value") != "one.example" || dig(t, out, "Attribute", "value1") != "one.example" {
		t.Errorf("one-element list: %v", out)
	}
	if _, ok := out["AttributeTag"].([]any); !ok {
		t.Errorf("one-element list: AttributeTag = %v, want a list", out["AttributeTag"])
	}

	// A list: saved ones and errors for the others.
	out = e.callObj(t, "POST", "/attributes/add/1", e.AUser.Key, []any{
		obj{"type": "domain", "value": "two.example"},
		obj{"type": "domain", "value": "bad domain"},
		obj{"type": "url", "value": "https://three.example/"},
	}, http.StatusOK)
	list := dig(t, out, "Attribute").([]any)
	if len(list) != 2 || dig(t, list, 1, "value") != "https://three.example/" {
		t.Errorf("list: saved %v", list)
	}
	dig(t, out, "errors", "attribute_1", "value")

	// A value list: one attribute per value, other fields shared.
	out = e.callObj(t, "POST", "/attributes/add/1", e.AUser.Key, obj{"type": "ip-dst", "category": "Network activity",
		"comment": "batch", "value": []any{"192.0.2.1", "192.0.2.2", "192.0.2.3"}}, http.StatusOK)
	list = dig(t, out, "Attribute").([]any)
	if len(list) != 3 || dig(t, list, 2, "value") != "192.0.2.3" || dig(t, list, 2, "comment") != "batch" {
		t.Errorf("value list: %v", list)
	}
	if _, ok := out["errors"]; ok {
		t.Errorf("value list: unexpected errors %v", out["errors"])
	}

	// POST /attributes takes the event from the body.
	out = e.callObj(t, "POST", "/attributes", e.AUser.Key, obj{"event_id": "1", "type": "hostname", "value": "WWW.Example.COM"}, http.StatusOK)
	if dig(t, out, "Attribute", "value") != "www.example.com" || dig(t, out, "Attribute", "event_id") != "1" {
		t.Errorf("POST /attributes: %v", out)
	}

	ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if n := len(ev["Attribute"].([]any)); n != 7 {
		t.Errorf("event has %d attributes, want 7", n)
	}
}

func TestAttributeAddFailures(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	e.callObj(t, "POST", "/attributes/add/1", e.AUser.Key, obj{"type": "domain", "value": "dup.example"}, http.StatusOK)
	tests := []struct {
		name       string
		path       string
		key        string
		body       any
		wantStatus int
		check      func(t *testing.T, out obj)
	}{
		{"unknown type", "/attributes/add/1", e.AUser.Key, obj{"type": "nope", "value": "x"}, http.StatusForbidden, func(t *testing.T, out obj) {
			if out["name"] != "Could not add Attribute" {
				t.Errorf("name = %v", out["name"])
			}
			dig(t, out, "errors", "type")
		}},
		{"category mismatch", "/attributes/add/1", e.AUser.Key, obj{"type": "ip-dst", "category": "Person", "value": "192.0.2.9"}, http.StatusForbidden,
			func(t *testing.T, out obj) { dig(t, out, "errors", "category") }},
		{"invalid value", "/attributes/add/1", e.AUser.Key, obj{"type": "ip-dst", "value": "999.1.1.1"}, http.StatusForbidden,
			func(t *testing.T, out obj) { dig(t, out, "errors", "value") }},
		{"duplicate", "/attributes/add/1", e.AUser.Key, obj{"type": "domain", "value": "DUP.example"}, http.StatusForbidden,
			func(t *testing.T, out obj) { dig(t, out, "errors", "value") }},
		{"all of a list failed", "/attributes/add/1", e.AUser.Key, []any{obj{"type": "nope", "value": "x"}, obj{"type": "md5", "value": "x"}},
			http.StatusForbidden, func(t *testing.T, out obj) {
				dig(t, out, "errors", "attribute_0", "type")
				dig(t, out, "errors", "attribute_1", "value")
			}},
		{"malformed JSON", "/attributes/add/1", e.AUser.Key, `{"type": "domain"`, http.StatusMethodNotAllowed, func(t *testing.T, out obj) {}},
		{"unknown event", "/attributes/add/42", e.AUser.Key, obj{"type": "domain", "value": "x.example"}, http.StatusNotFound, func(t *testing.T, out obj) {
			if out["message"] != "Invalid event" {
				t.Errorf("message = %v", out["message"])
			}
		}},
		{"read-only key", "/attributes/add/1", e.PublisherRO, obj{"type": "domain", "value": "x.example"}, http.StatusForbidden, func(t *testing.T, out obj) {}},
		{"sharing group", "/attributes/add/1", e.AUser.Key, obj{"type": "domain", "value": "x.example", "distribution": 4, "sharing_group_id": 3},
			http.StatusForbidden, func(t *testing.T, out obj) {
				if out["message"] != "Invalid Sharing Group or not authorised." {
					t.Errorf("message = %v", out["message"])
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(t)
			tt.check(t, e.callObj(t, "POST", tt.path, tt.key, tt.body, tt.wantStatus))
			e.assertUnchanged(t, before)
		})
	}
}

// restrictUserRole takes perm_modify_org away from the User role, so that
// the A user may modify only the events it created: a user that sees an
// event but may not change it.
func (e *testEnv) restrictUserRole(t *testing.T) {
	t.Helper()
	if _, err := e.DB.SQL().Exec("UPDATE roles SET perm_modify_org = FALSE WHERE id = 3"); err != nil {
		t.Fatalf("restrict role: %v", err)
	}
}

func TestAttributeNotModifiable(t *testing.T) {
	e := newTestEnv(t)
	e.restrictUserRole(t)
	// The publisher's event: visible to the A user, not modifiable by it.
	e.callObj(t, "POST", "/events/add", e.APublisher.Key, obj{"info": "pub event",
		"Attribute": []any{obj{"uuid": attrIP, "type": "ip-dst", "value": "192.0.2.1"}}}, http.StatusOK)
	before := e.snapshot(t)
	for _, c := range []struct {
		path string
		body any
	}{
		{"/attributes/add/1", obj{"type": "domain", "value": "x.example"}},
		{"/attributes/edit/" + attrIP, obj{"comment": "x"}},
	} {
		out := e.callObj(t, "POST", c.path, e.AUser.Key, c.body, http.StatusForbidden)
		// PyMISP turns exactly this answer into a proposal.
		if out["message"] != "You do not have permission to do that." {
			t.Errorf("POST %s: %v", c.path, out)
		}
	}
	// Deleting checks the creator organisation only (MispAttribute::deleteAttribute).
	e.assertUnchanged(t, before)
	e.callObj(t, "POST", "/attributes/delete/"+attrIP, e.AUser.Key, nil, http.StatusOK)
	out := e.callObj(t, "POST", "/attributes/delete/"+attrIP, e.BUser.Key, nil, http.StatusNotFound)
	if out["message"] != "Invalid attribute" {
		t.Errorf("B delete: %v", out)
	}
	e.callObj(t, "POST", "/attributes/restore/1", e.AUser.Key, nil, http.StatusMethodNotAllowed)
	if status, _, body := e.do(t, "POST", "/attributes/restore/1", e.APublisher.Key, nil); status != http.StatusFound {
		t.Errorf("publisher restore: %d %s", status, body)
	}
}

func TestAttributeEdit(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	e.Clock.Advance(time.Minute)
	now := fmt.Sprint(testStart.Add(time.Minute).Unix())

	out := e.callObj(t, "POST", "/attributes/edit/"+attrIP, e.AUser.Key, obj{"Attribute": obj{"comment": "C2 server", "to_ids": false}}, http.StatusOK)
	at := dig(t, out, "Attribute").(obj)
	checks := map[string]any{
		"comment": "C2 server", "to_ids": false, "value": "203.0.113.7", "type": "ip-dst",
		"category": "Network activity", "timestamp": now, "uuid": attrIP, "id": "1",
	}
	for k, want := range checks {
		if at[k] != want {
			t.Errorf("Attribute.%s = %#v, want %#v", k, at[k], want)
		}
	}
	if _, ok := at["value1"]; ok {
		t.Errorf("edit answer has value1: %v", at)
	}
	if dig(t, at, "Tag", 0, "name") != "tlp:green" {
		t.Errorf("edit answer tags = %v", at["Tag"])
	}
	ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if ev["timestamp"] != now {
		t.Errorf("event timestamp = %v, want %v", ev["timestamp"], now)
	}

	// PUT on the REST alias, by id, with a value change.
	out = e.callObj(t, "PUT", "/attributes/1", e.AUser.Key, obj{"value": "203.0.113.8"}, http.StatusOK)
	if dig(t, out, "Attribute", "value") != "203.0.113.8" || dig(t, out, "Attribute", "comment") != "C2 server" {
		t.Errorf("PUT /attributes/1: %v", out)
	}

	before := e.snapshot(t)
	out = e.callObj(t, "POST", "/attributes/edit/1", e.AUser.Key, obj{"value": "x", "timestamp": now}, http.StatusMethodNotAllowed)
	if out["message"] != "Attribute could not be saved: Attribute in the request not newer than the local copy." {
		t.Errorf("not newer: %v", out)
	}
	out = e.callObj(t, "POST", "/attributes/edit/1", e.AUser.Key, obj{"value": "not an ip"}, http.StatusForbidden)
	if out["name"] != "Could not edit Attribute" {
		t.Errorf("invalid edit: %v", out)
	}
	dig(t, out, "errors", "value")
	e.callObj(t, "POST", "/attributes/edit/999", e.AUser.Key, obj{"value": "x"}, http.StatusNotFound)
	e.callObj(t, "POST", "/attributes/edit/1", e.PublisherRO, obj{"comment": "x"}, http.StatusForbidden)
	e.assertUnchanged(t, before)

	// Tags in the body are attached, or detached with "deleted": true.
	e.mustTag(t, obj{"name": "tlp:red"})
	out = e.callObj(t, "POST", "/attributes/edit/1", e.AUser.Key, obj{"Tag": []any{obj{"name": "tlp:red"},
		obj{"name": "tlp:green", "deleted": true}}}, http.StatusOK)
	if tags := dig(t, out, "Attribute", "Tag").([]any); len(tags) != 1 || dig(t, tags, 0, "name") != "tlp:red" {
		t.Errorf("edit with tags: %v", tags)
	}
	// An unknown tag is skipped for a user without perm_tag_editor and
	// created for one with it.
	newTag := obj{"Tag": []any{obj{"name": "new:edit-tag"}}}
	out = e.callObj(t, "POST", "/attributes/edit/1", e.AUser.Key, newTag, http.StatusOK)
	if tags := dig(t, out, "Attribute", "Tag").([]any); len(tags) != 1 {
		t.Errorf("user edit with an unknown tag: %v", tags)
	}
	out = e.callObj(t, "POST", "/attributes/edit/1", e.Admin.Key, newTag, http.StatusOK)
	if tags := dig(t, out, "Attribute", "Tag").([]any); len(tags) != 2 || dig(t, tags, 1, "name") != "new:edit-tag" {
		t.Errorf("tag editor edit with an unknown tag: %v", tags)
	}

	desc := e.callObj(t, "GET", "/attributes/edit/1", e.AUser.Key, nil, http.StatusOK)
	if desc["name"] != "/attributes/edit API description" || desc["url"] != "/attributes/edit/[attribute_id]" {
		t.Errorf("description = %v", desc)
	}
	desc = e.callObj(t, "GET", "/attributes/add/1", e.AUser.Key, nil, http.StatusOK)
	if desc["name"] != "/attributes/add API description" || desc["url"] != "/attributes/add/[event_id]" {
		t.Errorf("description = %v", desc)
	}
}

func TestAttributeDeleteRestore(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	e.Clock.Advance(time.Minute)

	out := e.callObj(t, "POST", "/attributes/delete/"+attrIP, e.AUser.Key, nil, http.StatusOK)
	if fmt.Sprint(out) != fmt.Sprint(obj{"message": "Attribute deleted."}) {
		t.Errorf("soft delete answer = %v", out)
	}
	e.callObj(t, "GET", "/attributes/view/1", e.AUser.Key, nil, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/attributes/delete/1", e.AUser.Key, nil, http.StatusNotFound) // already deleted
	ev := dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if dig(t, ev, "Attribute", 0, "deleted") != true || ev["attribute_count"] != "3" {
		t.Errorf("soft-deleted attribute: %v, attribute_count %v", dig(t, ev, "Attribute", 0), ev["attribute_count"])
	}
	// References to the attribute are marked deleted.
	if dig(t, ev, "Object", 0, "ObjectReference", 0, "deleted") != true {
		t.Errorf("reference to the deleted attribute: %v", dig(t, ev, "Object", 0, "ObjectReference", 0))
	}

	status, hdr, body := e.do(t, "POST", "/attributes/restore/1", e.AUser.Key, nil)
	if status != http.StatusFound || hdr.Get("Location") != testBaseURL+"/attributes/view/1" {
		t.Errorf("restore: %d Location %q: %s", status, hdr.Get("Location"), body)
	}
	at := dig(t, e.callObj(t, "GET", "/attributes/view/1", e.AUser.Key, nil, http.StatusOK), "Attribute").(obj)
	if at["deleted"] != false {
		t.Errorf("restored attribute deleted = %v", at["deleted"])
	}
	e.callObj(t, "POST", "/attributes/restore/99", e.AUser.Key, nil, http.StatusMethodNotAllowed)

	// Hard delete, by URL segment, named parameter and body.
	for _, c := range []struct {
		path string
		body any
	}{{"/attributes/delete/1/1", nil}, {"/attributes/delete/2/hard:1", nil}, {"/attributes/delete/" + attrFName, obj{"hard": 1}}} {
		e.callObj(t, "POST", c.path, e.AUser.Key, c.body, http.StatusOK)
	}
	ev = dig(t, e.callObj(t, "GET", "/events/view/1/deleted:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if n := len(ev["Attribute"].([]any)); n != 0 {
		t.Errorf("after hard deletes: %d standalone attributes, want 0", n)
	}
	if n := len(dig(t, ev, "Object", 0, "Attribute").([]any)); n != 1 {
		t.Errorf("after hard deletes: %d object attributes, want 1", n)
	}
	// DELETE on the REST alias.
	e.callObj(t, "DELETE", "/attributes/"+attrMD5, e.AUser.Key, nil, http.StatusOK)
}

func TestAttributeOtherUserOfOrg(t *testing.T) {
	e := newTestEnv(t)
	// The publisher creates the event; the A user (perm_modify_org) may
	// change it; B cannot see it.
	e.callObj(t, "POST", "/events/add", e.APublisher.Key, obj{"info": "pub event",
		"Attribute": []any{obj{"uuid": attrIP, "type": "ip-dst", "value": "192.0.2.1"}}}, http.StatusOK)
	e.callObj(t, "POST", "/attributes/edit/"+attrIP, e.AUser.Key, obj{"comment": "by colleague"}, http.StatusOK)
	before := e.snapshot(t)
	e.callObj(t, "POST", "/attributes/edit/"+attrIP, e.BUser.Key, obj{"comment": "by B"}, http.StatusNotFound)
	e.callObj(t, "POST", "/attributes/delete/"+attrIP, e.BOrgAdmin.Key, nil, http.StatusNotFound)
	e.callObj(t, "POST", "/attributes/restore/1", e.BOrgAdmin.Key, nil, http.StatusMethodNotAllowed)
	if status, _, body := e.do(t, "HEAD", "/attributes/view/"+attrIP, e.BUser.Key, nil); status != http.StatusNotFound || len(body) != 0 {
		t.Errorf("HEAD hidden attribute: %d %q", status, body)
	}
	e.assertUnchanged(t, before)
	if status, _, _ := e.do(t, "HEAD", "/attributes/view/"+attrIP, e.AUser.Key, nil); status != http.StatusOK {
		t.Errorf("HEAD own attribute: %d", status)
	}
}

func TestAttributeIndex(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	var values []any
	for i := 0; i < 65; i++ {
		values = append(values, fmt.Sprintf("host%d.example", i))
	}
	e.callObj(t, "POST", "/attributes/add/1", e.AUser.Key, obj{"type": "hostname", "value": values}, http.StatusOK)
	list := e.call(t, "GET", "/attributes/index", e.AUser.Key, nil, http.StatusOK).([]any)
	if len(list) != 60 {
		t.Errorf("default page: %d attributes, want 60", len(list))
	}
	list = e.call(t, "GET", "/attributes/index/limit:10/page:7", e.AUser.Key, nil, http.StatusOK).([]any)
	if len(list) != 5 || dig(t, list, 0, "value") != "host60.example" {
		t.Errorf("page 7 of 10: %v", list)
	}
	list = e.call(t, "GET", "/attributes", e.BUser.Key, nil, http.StatusOK).([]any)
	if len(list) != 0 {
		t.Errorf("B sees %d attributes of A's org-only event", len(list))
	}
}

func TestAttributeTags(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	red := e.mustTag(t, obj{"name": "tlp:red"})
	id := red["id"].(string)
	out := e.callObj(t, "POST", "/attributes/addTag/"+attrDom+"/"+id, e.AUser.Key, nil, http.StatusOK)
	if fmt.Sprint(out) != fmt.Sprint(obj{"saved": true, "success": "Tag added.", "check_publish": true}) {
		t.Errorf("addTag answer = %v", out)
	}
	out = e.callObj(t, "POST", "/attributes/addTag", e.AUser.Key, obj{"attribute": "2", "tag": "tlp:red"}, http.StatusOK)
	if out["saved"] != false || out["errors"] != "Tag could not be added." {
		t.Errorf("addTag twice = %v", out)
	}
	at := dig(t, e.callObj(t, "GET", "/attributes/view/2", e.AUser.Key, nil, http.StatusOK), "Attribute").(obj)
	if dig(t, at, "Tag", 0, "name") != "tlp:red" {
		t.Errorf("attribute tags = %v", at["Tag"])
	}
	e.callObj(t, "POST", "/attributes/addTag/99/"+id, e.AUser.Key, nil, http.StatusNotFound)
	out = e.callObj(t, "POST", "/attributes/removeTag/2/"+id, e.AUser.Key, nil, http.StatusOK)
	if fmt.Sprint(out) != fmt.Sprint(obj{"saved": true, "success": "Tag removed.", "check_publish": true}) {
		t.Errorf("removeTag answer = %v", out)
	}
	out = e.callObj(t, "POST", "/attributes/removeTag/2/"+id, e.AUser.Key, nil, http.StatusOK)
	if out["errors"] != "Invalid attribute - tag combination." {
		t.Errorf("removeTag twice = %v", out)
	}
	// B cannot see the attribute at all.
	before := e.snapshot(t)
	e.callObj(t, "POST", "/attributes/addTag/2/"+id, e.BUser.Key, nil, http.StatusNotFound)
	e.callObj(t, "POST", "/attributes/removeTag/1/2", e.BUser.Key, nil, http.StatusNotFound)
	e.assertUnchanged(t, before)
	if !strings.Contains(fmt.Sprint(out), "Invalid") {
		t.Errorf("unexpected answer %v", out)
	}
}
