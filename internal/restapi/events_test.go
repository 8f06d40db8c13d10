package restapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Fixed UUIDs of the fixture event.
const (
	evUUID    = "aaaaaaaa-0000-4000-8000-000000000001"
	attrIP    = "aaaaaaaa-0000-4000-8000-0000000000a1"
	attrDom   = "aaaaaaaa-0000-4000-8000-0000000000a2"
	objFile   = "aaaaaaaa-0000-4000-8000-0000000000b1"
	attrFName = "aaaaaaaa-0000-4000-8000-0000000000c1"
	attrMD5   = "aaaaaaaa-0000-4000-8000-0000000000c2"
	refUUID   = "aaaaaaaa-0000-4000-8000-0000000000d1"
)

// mustTag creates a tag as the site admin.
func (e *testEnv) mustTag(t *testing.T, tag obj) obj {
	t.Helper()
	out := e.callObj(t, "POST", "/tags/add", e.Admin.Key, obj{"Tag": tag}, http.StatusOK)
	return dig(t, out, "Tag").(obj)
}

// fixtureEvent is an event with a tagged attribute, a plain one, and a
// file object with two attributes and a reference.
func fixtureEvent() obj {
	return obj{"Event": obj{
		"uuid":            evUUID,
		"info":            "Phishing campaign",
		"date":            "2026-01-10",
		"threat_level_id": "2",
		"analysis":        1,
		"Tag":             []any{obj{"name": "tlp:amber"}},
		"Attribute": []any{
			obj{"uuid": attrIP, "type": "ip-dst", "value": "203.0.113.7", "comment": "C2",
				"Tag": []any{obj{"name": "tlp:green", "local": true}}},
			obj{"uuid": attrDom, "type": "domain", "category": "Network activity", "value": "evil.example", "to_ids": false},
		},
		"Object": []any{obj{
			"uuid": objFile, "name": "file", "meta-category": "file", "template_uuid": "688c46fb-5edb-40a3-8273-1af7923e2215",
			"template_version": "24",
			"Attribute": []any{
				obj{"uuid": attrFName, "type": "filename", "object_relation": "filename", "value": "invoice.exe"},
				obj{"uuid": attrMD5, "type": "md5", "object_relation": "md5", "value": "0123456789abcdef0123456789abcdef"},
			},
			"ObjectReference": []any{obj{"uuid": refUUID, "referenced_uuid": attrIP, "relationship_type": "communicates-with"}},
		}},
	}}
}

// addFixture creates the fixture tags and event as the A user and
// returns the event.
func (e *testEnv) addFixture(t *testing.T) obj {
	t.Helper()
	e.mustTag(t, obj{"name": "tlp:amber", "colour": "#FFC000"})
	e.mustTag(t, obj{"name": "tlp:green", "colour": "#33FF00"})
	out := e.callObj(t, "POST", "/events/add", e.AUser.Key, fixtureEvent(), http.StatusOK)
	return dig(t, out, "Event").(obj)
}

func TestEventAddViewGolden(t *testing.T) {
	e := newTestEnv(t)
	e.mustTag(t, obj{"name": "tlp:amber", "colour": "#FFC000"})
	e.mustTag(t, obj{"name": "tlp:green", "colour": "#33FF00"})
	status, _, body := e.do(t, "POST", "/events/add", e.AUser.Key, fixtureEvent())
	if status != http.StatusOK {
		t.Fatalf("POST /events/add: status %d: %s", status, body)
	}
	compareGolden(t, "event_add", body)

	status, _, body = e.do(t, "GET", "/events/view/"+evUUID, e.AUser.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("GET /events/view: status %d: %s", status, body)
	}
	compareGolden(t, "event_view", body)

	status, hdr, body := e.do(t, "GET", "/events/index", e.AUser.Key, nil)
	if status != http.StatusOK || hdr.Get("X-Result-Count") != "1" {
		t.Fatalf("GET /events/index: status %d, X-Result-Count %q: %s", status, hdr.Get("X-Result-Count"), body)
	}
	compareGolden(t, "event_index", body)
}

func TestEventAddFields(t *testing.T) {
	e := newTestEnv(t)
	ev := e.addFixture(t)
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"id"}, "1"},
		{[]any{"uuid"}, evUUID},
		{[]any{"org_id"}, fmt.Sprint(e.OrgA.ID)},
		{[]any{"orgc_id"}, fmt.Sprint(e.OrgA.ID)},
		{[]any{"distribution"}, "0"}, // REST default
		{[]any{"threat_level_id"}, "2"},
		{[]any{"analysis"}, "1"},
		{[]any{"published"}, false},
		{[]any{"attribute_count"}, "4"},
		{[]any{"timestamp"}, fmt.Sprint(testStart.Unix())},
		{[]any{"Orgc", "name"}, "ORGNAME-A"},
		{[]any{"Tag", 0, "name"}, "tlp:amber"},
		{[]any{"Tag", 0, "local"}, false},
		{[]any{"Attribute", 0, "uuid"}, attrIP},
		{[]any{"Attribute", 0, "category"}, "Network activity"}, // type default
		{[]any{"Attribute", 0, "to_ids"}, true},                 // type default
		{[]any{"Attribute", 0, "distribution"}, "5"},            // inherit
		{[]any{"Attribute", 0, "object_relation"}, nil},
		{[]any{"Attribute", 0, "Tag", 0, "name"}, "tlp:green"},
		{[]any{"Attribute", 0, "Tag", 0, "local"}, true},
		{[]any{"Attribute", 1, "to_ids"}, false},
		{[]any{"Object", 0, "uuid"}, objFile},
		{[]any{"Object", 0, "meta-category"}, "file"},
		{[]any{"Object", 0, "distribution"}, "5"},
		{[]any{"Object", 0, "Attribute", 0, "object_relation"}, "filename"},
		{[]any{"Object", 0, "Attribute", 0, "object_id"}, "1"},
		{[]any{"Object", 0, "ObjectReference", 0, "referenced_uuid"}, attrIP},
		{[]any{"Object", 0, "ObjectReference", 0, "referenced_type"}, "0"},
		{[]any{"Object", 0, "ObjectReference", 0, "relationship_type"}, "communicates-with"},
	}
	for _, c := range checks {
		if got := dig(t, ev, c.path...); got != c.want {
			t.Errorf("Event%v = %#v, want %#v", c.path, got, c.want)
		}
	}
}

func TestEventAddDefaultsAndPublish(t *testing.T) {
	e := newTestEnv(t)
	// A bare event (no wrapper) with no optional field.
	ev := dig(t, e.callObj(t, "POST", "/events", e.AUser.Key, obj{"info": "bare", "published": true,
		"Attribute": []any{obj{"type": "md5", "value": "0123456789ABCDEF0123456789ABCDEF"}}}, http.StatusOK), "Event").(obj)
	for key, want := range map[string]any{
		"distribution": "0", "threat_level_id": "4", "analysis": "0", "date": "2026-01-15",
		// perm_publish is missing: saved unpublished.
		"published": false,
	} {
		if got := ev[key]; got != want {
			t.Errorf("Event.%s = %#v, want %#v", key, got, want)
		}
	}
	if got := dig(t, ev, "Attribute", 0, "value"); got != "0123456789abcdef0123456789abcdef" {
		t.Errorf("md5 value = %v, want it lower-cased", got)
	}
	if got := dig(t, ev, "Attribute", 0, "category"); got != "Payload delivery" {
		t.Errorf("md5 category = %v, want the type's default", got)
	}

	// A publisher's published:true is honoured.
	ev = dig(t, e.callObj(t, "POST", "/events/add", e.APublisher.Key, obj{"Event": obj{"info": "pub", "published": true,
		"Attribute": []any{obj{"type": "url", "value": "https://evil.example/x"}}}}, http.StatusOK), "Event").(obj)
	if ev["published"] != true || ev["publish_timestamp"] != fmt.Sprint(testStart.Unix()) {
		t.Errorf("publisher add: published %v, publish_timestamp %v; want true, now", ev["published"], ev["publish_timestamp"])
	}

	// A published event without attributes or objects is refused.
	before := e.snapshot(t)
	out := e.callObj(t, "POST", "/events/add", e.APublisher.Key, obj{"Event": obj{"info": "empty", "published": true}}, http.StatusForbidden)
	if dig(t, out, "errors", "Event") != "Received a published event that was empty. Event add process blocked." || out["saved"] != false {
		t.Errorf("empty published event: %v", out)
	}
	e.assertUnchanged(t, before)
}

func TestEventAddExistingUUID(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	before := e.snapshot(t)
	status, hdr, body := e.do(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"uuid": strings.ToUpper(evUUID), "info": "again"}})
	if status != http.StatusNotFound {
		t.Fatalf("status %d, want 404: %s", status, body)
	}
	if got, want := hdr.Get("Location"), testBaseURL+"/events/1"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	e.assertUnchanged(t, before)

	// A user who cannot see the existing event learns neither its id nor
	// its location: a save failure instead of MISP's 404 + Location.
	status, hdr, body = e.do(t, "POST", "/events/add", e.BUser.Key, obj{"Event": obj{"uuid": evUUID, "info": "probe"}})
	if status != http.StatusForbidden || hdr.Get("Location") != "" || strings.Contains(string(body), "/events/1") {
		t.Errorf("existing uuid of an invisible event: %d, Location %q, body %s; want 403 without the id", status, hdr.Get("Location"), body)
	}
	e.assertUnchanged(t, before)
}

func TestEventAddOrgc(t *testing.T) {
	e := newTestEnv(t)
	orgc := obj{"name": "Remote CERT", "uuid": "33333333-3333-4333-8333-333333333333"}
	// A plain user's creator org is overwritten with its own.
	ev := dig(t, e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"Event": obj{"info": "x", "Orgc": orgc}}, http.StatusOK), "Event").(obj)
	if dig(t, ev, "Orgc", "uuid") != e.OrgA.UUID {
		t.Errorf("user add: Orgc = %v, want own org", ev["Orgc"])
	}
	// A site admin (perm_sync) may create for another org, captured by uuid.
	ev = dig(t, e.callObj(t, "POST", "/events/add", e.Admin.Key, obj{"Event": obj{"info": "y", "Orgc": orgc}}, http.StatusOK), "Event").(obj)
	if dig(t, ev, "Orgc", "uuid") != orgc["uuid"] || dig(t, ev, "Orgc", "name") != "Remote CERT" || dig(t, ev, "Orgc", "local") != false {
		t.Errorf("admin add: Orgc = %v, want the remote org", ev["Orgc"])
	}
	if dig(t, ev, "org_id") != fmt.Sprint(e.OrgA.ID) {
		t.Errorf("admin add: org_id = %v, want the admin's org", ev["org_id"])
	}
}

func TestEventAddInvalid(t *testing.T) {
	valid := obj{"type": "ip-src", "value": "198.51.100.1"}
	tests := []struct {
		name       string
		body       any
		wantStatus int
		check      func(t *testing.T, out obj)
	}{
		{"malformed JSON", `{"Event": {"info": "x",}`, http.StatusMethodNotAllowed, func(t *testing.T, out obj) {
			if !strings.HasPrefix(out["message"].(string), "Invalid JSON input.") {
				t.Errorf("message = %v", out["message"])
			}
		}},
		{"empty body", ``, http.StatusMethodNotAllowed, func(t *testing.T, out obj) {
			if out["message"] != "No valid event data received." {
				t.Errorf("message = %v", out["message"])
			}
		}},
		{"missing info", obj{"Event": obj{"Attribute": []any{valid}}}, http.StatusForbidden, func(t *testing.T, out obj) {
			if out["name"] != "Could not add Event" || dig(t, out, "errors", "Event", "info", 0) != "Info cannot be empty." {
				t.Errorf("answer = %v", out)
			}
		}},
		{"unknown attribute type", obj{"Event": obj{"info": "x", "Attribute": []any{valid, obj{"type": "no-such-type", "value": "v"}}}},
			http.StatusForbidden, func(t *testing.T, out obj) {
				dig(t, out, "errors", "Event.Attribute[1]", "type")
			}},
		{"type/category mismatch", obj{"Event": obj{"info": "x", "Attribute": []any{obj{"type": "md5", "category": "Person", "value": "0123456789abcdef0123456789abcdef"}}}},
			http.StatusForbidden, func(t *testing.T, out obj) {
				dig(t, out, "errors", "Event.Attribute[0]", "category")
			}},
		{"invalid value for type, last attribute", obj{"Event": obj{"info": "x", "Attribute": []any{valid, valid,
			obj{"type": "md5", "value": "not-a-hash"}}}},
			http.StatusForbidden, func(t *testing.T, out obj) {
				dig(t, out, "errors", "Event.Attribute[2]", "value")
			}},
		{"invalid object attribute", obj{"Event": obj{"info": "x", "Object": []any{obj{"name": "file", "meta-category": "file",
			"Attribute": []any{obj{"type": "md5", "object_relation": "md5", "value": "nope"}}}}}},
			http.StatusForbidden, func(t *testing.T, out obj) {
				dig(t, out, "errors", "Event.Object[0].Attribute[0]", "value")
			}},
		{"object without attributes", obj{"Event": obj{"info": "x", "Object": []any{obj{"name": "file", "meta-category": "file"}}}},
			http.StatusForbidden, func(t *testing.T, out obj) {
				dig(t, out, "errors", "Event.Object[0]", "Attribute")
			}},
		{"wrong shape", obj{"Event": obj{"info": "x", "Attribute": "nope"}}, http.StatusForbidden, func(t *testing.T, out obj) {
			dig(t, out, "errors", "Event.Attribute")
		}},
		{"sharing group", obj{"Event": obj{"info": "x", "distribution": 4, "sharing_group_id": 1}}, http.StatusMethodNotAllowed,
			func(t *testing.T, out obj) {
				if out["message"] != "Invalid Sharing Group or not authorised." {
					t.Errorf("message = %v", out["message"])
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			before := e.snapshot(t)
			out := e.callObj(t, "POST", "/events/add", e.AUser.Key, tt.body, tt.wantStatus)
			tt.check(t, out)
			e.assertUnchanged(t, before)
		})
	}
}

func TestEventAuthFailures(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	tests := []struct {
		name       string
		method     string
		path       string
		key        string
		body       any
		wantStatus int
		wantMsg    string
	}{
		{"missing key", "GET", "/events/view/1", "", nil, http.StatusForbidden, "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header."},
		{"wrong key", "POST", "/events/add", strings.Repeat("Z", 40), obj{"info": "x"}, http.StatusForbidden, "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header."},
		{"read-only key add", "POST", "/events/add", e.PublisherRO, obj{"info": "x"}, http.StatusForbidden, "You do not have permission to use this functionality."},
		{"read-only key edit", "POST", "/events/edit/1", e.PublisherRO, obj{"info": "x"}, http.StatusForbidden, "You do not have permission to use this functionality."},
		{"read-only key delete", "POST", "/events/delete/1", e.PublisherRO, nil, http.StatusForbidden, "You do not have permission to use this functionality."},
		{"read-only key publish", "POST", "/events/publish/1", e.PublisherRO, nil, http.StatusForbidden, "You do not have permission to use this functionality."},
		{"read-only role add", "POST", "/events/add", e.AReadOnly.Key, obj{"info": "x"}, http.StatusForbidden, "You do not have permission to use this functionality."},
		{"user publish", "POST", "/events/publish/1", e.AUser.Key, nil, http.StatusForbidden, "You do not have permission to use this functionality."},
		{"body over the limit", "POST", "/events/add", e.AUser.Key,
			`{"Event":{"info":"` + strings.Repeat("x", maxTestBody) + `"}}`, http.StatusRequestEntityTooLarge, "The request body is too large."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(t)
			out := e.callObj(t, tt.method, tt.path, tt.key, tt.body, tt.wantStatus)
			if out["message"] != tt.wantMsg {
				t.Errorf("message = %q, want %q", out["message"], tt.wantMsg)
			}
			e.assertUnchanged(t, before)
		})
	}
	// The read-only key still reads.
	e.callObj(t, "GET", "/events/view/1", e.PublisherRO, nil, http.StatusOK)
}

func TestEventEdit(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	// Publish, so that the edit visibly unpublishes.
	e.callObj(t, "POST", "/events/publish/1", e.APublisher.Key, nil, http.StatusOK)
	e.Clock.Advance(time.Minute)

	// A partial edit: new info, one attribute changed by uuid (only its
	// comment), one new attribute, a tag detached.
	ev := dig(t, e.callObj(t, "POST", "/events/edit/1", e.AUser.Key, obj{"Event": obj{
		"info": "Phishing campaign (updated)",
		"Attribute": []any{
			obj{"uuid": attrDom, "comment": "seen again"},
			obj{"type": "email-src", "value": "Bad@Evil.example"},
		},
		"Tag": []any{obj{"name": "tlp:amber", "deleted": true}},
	}}, http.StatusOK), "Event").(obj)
	now := fmt.Sprint(testStart.Add(time.Minute).Unix())
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"info"}, "Phishing campaign (updated)"},
		{[]any{"threat_level_id"}, "2"}, // kept
		{[]any{"analysis"}, "1"},        // kept
		{[]any{"date"}, "2026-01-10"},   // kept
		{[]any{"published"}, false},     // quirk #3
		{[]any{"timestamp"}, now},
		{[]any{"attribute_count"}, "5"},
		{[]any{"Attribute", 1, "uuid"}, attrDom},
		{[]any{"Attribute", 1, "comment"}, "seen again"},
		{[]any{"Attribute", 1, "value"}, "evil.example"}, // kept
		{[]any{"Attribute", 1, "to_ids"}, false},         // kept
		{[]any{"Attribute", 1, "timestamp"}, now},
		{[]any{"Attribute", 0, "comment"}, "C2"}, // untouched
		{[]any{"Attribute", 0, "timestamp"}, fmt.Sprint(testStart.Unix())},
		{[]any{"Attribute", 2, "value"}, "bad@evil.example"},
		{[]any{"Attribute", 2, "to_ids"}, true},
		{[]any{"Attribute", 2, "distribution"}, "5"},
	}
	for _, c := range checks {
		if got := dig(t, ev, c.path...); got != c.want {
			t.Errorf("Event%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	if _, ok := ev["Tag"]; ok {
		t.Errorf("Event.Tag = %v, want the tag detached", ev["Tag"])
	}

	// Timestamp rule: equal or older is refused, newer is applied.
	before := e.snapshot(t)
	for _, ts := range []string{now, fmt.Sprint(testStart.Unix())} {
		out := e.callObj(t, "PUT", "/events/"+evUUID, e.AUser.Key, obj{"Event": obj{"info": "stale", "timestamp": ts}}, http.StatusForbidden)
		if out["errors"] != notNewerEvent || out["name"] != "Could not edit Event" || out["saved"] != false {
			t.Errorf("timestamp %s: answer %v", ts, out)
		}
	}
	e.assertUnchanged(t, before)
	newer := fmt.Sprint(testStart.Add(time.Hour).Unix())
	ev = dig(t, e.callObj(t, "PUT", "/events/1", e.AUser.Key, obj{"info": "sync copy", "timestamp": newer}, http.StatusOK), "Event").(obj)
	if ev["info"] != "sync copy" || ev["timestamp"] != newer {
		t.Errorf("newer edit: info %v timestamp %v", ev["info"], ev["timestamp"])
	}

	// The body uuid must name the URL's event.
	out := e.callObj(t, "POST", "/events/edit/1", e.AUser.Key, obj{"uuid": "bbbbbbbb-0000-4000-8000-000000000009", "info": "x"}, http.StatusForbidden)
	dig(t, out, "errors", "Event", "uuid")

	// Invalid children: nothing changes.
	before = e.snapshot(t)
	out = e.callObj(t, "POST", "/events/edit/1", e.AUser.Key, obj{"Attribute": []any{
		obj{"type": "ip-dst", "value": "198.51.100.9"}, obj{"type": "ip-dst", "value": "not an ip"}}}, http.StatusForbidden)
	dig(t, out, "errors", "Event.Attribute[1]", "value")
	e.assertUnchanged(t, before)

	// A REST GET describes the endpoint.
	desc := e.callObj(t, "GET", "/events/edit/1", e.AUser.Key, nil, http.StatusOK)
	if desc["name"] != "/events/edit API description" || desc["url"] != "/events/edit/[event_id]" {
		t.Errorf("description = %v", desc)
	}
}

func TestEventEditPublishedByPublisher(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	e.Clock.Advance(time.Minute)
	ev := dig(t, e.callObj(t, "POST", "/events/edit/1", e.APublisher.Key, obj{"published": true, "info": "final"}, http.StatusOK), "Event").(obj)
	if ev["published"] != true {
		t.Errorf("publisher edit with published:true: published = %v", ev["published"])
	}
	ev = dig(t, e.callObj(t, "POST", "/events/edit/1", e.AUser.Key, obj{"published": true}, http.StatusOK), "Event").(obj)
	if ev["published"] != false {
		t.Errorf("user edit with published:true: published = %v, want false (no perm_publish)", ev["published"])
	}
}

func TestEventPublishUnpublishDelete(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	out := e.callObj(t, "POST", "/events/publish/1", e.APublisher.Key, nil, http.StatusOK)
	want := obj{"saved": true, "success": true, "name": "Event published without alerts",
		"message": "Event published without alerts", "url": "/events/publish/1", "id": "1"}
	if fmt.Sprint(out) != fmt.Sprint(want) {
		t.Errorf("publish answer = %v, want %v", out, want)
	}
	ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if ev["published"] != true || ev["publish_timestamp"] != fmt.Sprint(testStart.Unix()) {
		t.Errorf("after publish: published %v, publish_timestamp %v", ev["published"], ev["publish_timestamp"])
	}
	out = e.callObj(t, "POST", "/events/unpublish/1", e.AUser.Key, nil, http.StatusOK)
	if out["message"] != "Event unpublished." {
		t.Errorf("unpublish answer = %v", out)
	}
	if ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj); ev["published"] != false {
		t.Errorf("after unpublish: published = %v", ev["published"])
	}
	e.callObj(t, "POST", "/events/publish/999", e.APublisher.Key, nil, http.StatusNotFound)

	out = e.callObj(t, "POST", "/events/delete/"+evUUID, e.AUser.Key, nil, http.StatusOK)
	if out["message"] != "Event deleted." || out["id"] != evUUID || out["url"] != "/events/delete/"+evUUID {
		t.Errorf("delete answer = %v", out)
	}
	e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusNotFound)
	out = e.callObj(t, "POST", "/events/delete/1", e.AUser.Key, nil, http.StatusForbidden)
	if out["errors"] != "Event was not deleted." || out["name"] != "Could not delete Event" {
		t.Errorf("second delete answer = %v", out)
	}
}

func TestEventBulkDelete(t *testing.T) {
	e := newTestEnv(t)
	for i := 0; i < 2; i++ {
		e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"info": fmt.Sprint("e", i)}, http.StatusOK)
	}
	out := e.callObj(t, "POST", "/events/delete", e.AUser.Key, obj{"id": []any{1, "2", 99}}, http.StatusOK)
	want := "2 events deleted.1 event(s) could not be deleted due to insufficient privileges or the event not being found."
	if out["message"] != want {
		t.Errorf("bulk delete message = %q, want %q", out["message"], want)
	}
}

func TestEventTags(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	red := e.mustTag(t, obj{"name": "tlp:red"})
	id := red["id"].(string)
	e.Clock.Advance(time.Minute)

	out := e.callObj(t, "POST", "/events/addTag/1/"+id, e.AUser.Key, nil, http.StatusOK)
	if fmt.Sprint(out) != fmt.Sprint(obj{"saved": true, "success": "Tag added.", "check_publish": true}) {
		t.Errorf("addTag answer = %v", out)
	}
	out = e.callObj(t, "POST", "/events/addTag/1/"+id, e.AUser.Key, nil, http.StatusOK)
	if out["saved"] != false || out["errors"] != "Tag is already attached to this event." {
		t.Errorf("second addTag answer = %v", out)
	}
	// Body form, by name, local.
	e.mustTag(t, obj{"name": "internal:triage"})
	out = e.callObj(t, "POST", "/events/addTag/local:1", e.AUser.Key, obj{"event": evUUID, "tag": "internal:triage"}, http.StatusOK)
	if out["saved"] != true {
		t.Errorf("addTag by name answer = %v", out)
	}
	ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	names := map[string]bool{}
	for _, tg := range ev["Tag"].([]any) {
		names[tg.(obj)["name"].(string)] = tg.(obj)["local"].(bool)
	}
	if want := map[string]bool{"tlp:amber": false, "tlp:red": false, "internal:triage": true}; fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("event tags (name → local) = %v, want %v", names, want)
	}
	if ev["timestamp"] != fmt.Sprint(testStart.Add(time.Minute).Unix()) {
		t.Errorf("a global tag must bump the event: timestamp = %v", ev["timestamp"])
	}
	out = e.callObj(t, "POST", "/events/addTag/1/no-such-tag", e.AUser.Key, nil, http.StatusOK)
	if out["errors"] != "Invalid Tag." {
		t.Errorf("unknown tag answer = %v", out)
	}
	out = e.callObj(t, "POST", "/events/removeTag/1/"+id, e.AUser.Key, nil, http.StatusOK)
	if fmt.Sprint(out) != fmt.Sprint(obj{"saved": true, "success": "Tag removed.", "check_publish": true}) {
		t.Errorf("removeTag answer = %v", out)
	}
	out = e.callObj(t, "POST", "/events/removeTag/1/"+id, e.AUser.Key, nil, http.StatusOK)
	if out["errors"] != "Invalid event - tag combination." {
		t.Errorf("second removeTag answer = %v", out)
	}
	// Read-only key: the ACL refuses.
	e.callObj(t, "POST", "/events/addTag/1/"+id, e.PublisherRO, nil, http.StatusForbidden)
}

func TestEventOtherOrg(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t) // distribution 0: A only
	red := e.mustTag(t, obj{"name": "tlp:red"})
	invalidEvent := obj{"name": "Invalid event", "message": "Invalid event", "url": "/events/view/1"}
	missing := e.callObj(t, "GET", "/events/view/99", e.BUser.Key, nil, http.StatusNotFound)
	hidden := e.callObj(t, "GET", "/events/view/1", e.BUser.Key, nil, http.StatusNotFound)
	if fmt.Sprint(hidden) != fmt.Sprint(invalidEvent) || missing["message"] != hidden["message"] {
		t.Errorf("hidden event: %v; missing event: %v", hidden, missing)
	}
	if status, _, body := e.do(t, "HEAD", "/events/view/1", e.BUser.Key, nil); status != http.StatusNotFound || len(body) != 0 {
		t.Errorf("HEAD hidden event: %d %q", status, body)
	}
	if status, _, _ := e.do(t, "HEAD", "/events/view/1", e.AUser.Key, nil); status != http.StatusOK {
		t.Errorf("HEAD own event: %d", status)
	}
	status, hdr, body := e.do(t, "GET", "/events/index", e.BUser.Key, nil)
	if status != http.StatusOK || string(body) != "[]\n" || hdr.Get("X-Result-Count") != "0" {
		t.Errorf("B index: %d %s (count %q)", status, body, hdr.Get("X-Result-Count"))
	}

	before := e.snapshot(t)
	e.callObj(t, "POST", "/events/edit/1", e.BUser.Key, obj{"info": "pwned"}, http.StatusNotFound)
	out := e.callObj(t, "POST", "/events/delete/1", e.BOrgAdmin.Key, nil, http.StatusForbidden)
	if out["errors"] != "Event was not deleted." {
		t.Errorf("B delete: %v", out)
	}
	out = e.callObj(t, "POST", "/events/addTag/1/"+red["id"].(string), e.BUser.Key, nil, http.StatusOK)
	if out["saved"] != false || out["errors"] != "Invalid event." {
		t.Errorf("B addTag: %v", out)
	}
	out = e.callObj(t, "POST", "/events/removeTag/1/1", e.BUser.Key, nil, http.StatusOK)
	if out["saved"] != false || out["errors"] != "Invalid event." {
		t.Errorf("B removeTag: %v", out)
	}
	out = e.callObj(t, "POST", "/events/publish/1", e.BOrgAdmin.Key, nil, http.StatusNotFound)
	if out["message"] != "Invalid event." {
		t.Errorf("B publish: %v", out)
	}
	e.callObj(t, "POST", "/events/unpublish/1", e.BOrgAdmin.Key, nil, http.StatusNotFound)
	e.callObj(t, "POST", "/attributes/add/1", e.BUser.Key, obj{"type": "ip-dst", "value": "192.0.2.1"}, http.StatusNotFound)
	e.callObj(t, "GET", "/attributes/view/1", e.BUser.Key, nil, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/attributes/edit/1", e.BUser.Key, obj{"comment": "x"}, http.StatusNotFound)
	e.callObj(t, "POST", "/attributes/delete/1", e.BUser.Key, nil, http.StatusNotFound)
	e.callObj(t, "POST", "/objects/add/1", e.BUser.Key, obj{"name": "file", "meta-category": "file",
		"Attribute": []any{obj{"type": "filename", "object_relation": "filename", "value": "x"}}}, http.StatusNotFound)
	e.callObj(t, "GET", "/objects/view/1", e.BUser.Key, nil, http.StatusNotFound)
	e.callObj(t, "POST", "/objects/delete/1", e.BUser.Key, nil, http.StatusNotFound)
	e.callObj(t, "POST", "/tags/attachTagToObject", e.BUser.Key, obj{"uuid": evUUID, "tag": "tlp:red"}, http.StatusNotFound)
	e.callObj(t, "POST", "/object_references/add", e.BUser.Key, obj{"object_uuid": objFile, "referenced_uuid": attrDom, "relationship_type": "x"}, http.StatusNotFound)
	e.assertUnchanged(t, before)
}

func TestEventIndexFilters(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	e.Clock.Advance(time.Hour)
	e.callObj(t, "POST", "/events/add", e.APublisher.Key, obj{"info": "Second", "published": true, "threat_level_id": 1,
		"Attribute": []any{obj{"type": "ip-src", "value": "192.0.2.55"}}}, http.StatusOK)
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		wantIDs string
	}{
		{"all", "GET", "/events/index", nil, "[1 2]"},
		{"published named", "GET", "/events/index/published:1", nil, "[2]"},
		{"published body false", "POST", "/events/index", obj{"published": false}, "[1]"},
		{"tag", "POST", "/events/index", obj{"tags": []any{"tlp:amber"}}, "[1]"},
		{"not tag", "POST", "/events/index", obj{"tags": []any{"!tlp:amber"}}, "[2]"},
		{"unknown tag", "POST", "/events/index", obj{"tags": "no-such-tag"}, "[]"},
		{"eventinfo", "POST", "/events/index", obj{"eventinfo": "phish"}, "[1]"},
		{"threatlevel", "POST", "/events/index", obj{"threatlevel": "1"}, "[2]"},
		{"eventid uuid", "POST", "/events/index", obj{"eventid": evUUID}, "[1]"},
		{"timestamp", "POST", "/events/index", obj{"timestamp": testStart.Add(30 * time.Minute).Unix()}, "[2]"},
		{"search prefix", "POST", "/events/index", obj{"searcheventinfo": "second"}, "[2]"},
		{"org", "POST", "/events/index", obj{"org": "ORGNAME-B"}, "[]"},
		{"value", "POST", "/events/index", obj{"value": "192.0.2.55"}, "[2]"},
		{"limit", "POST", "/events/index", obj{"limit": 1, "page": 2, "sort": "id"}, "[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, ok := e.call(t, tt.method, tt.path, e.AUser.Key, tt.body, http.StatusOK).([]any)
			if !ok {
				t.Fatalf("answer is not a list")
			}
			var ids []string
			for _, item := range list {
				ids = append(ids, item.(obj)["id"].(string))
			}
			if got := fmt.Sprint(ids); got != tt.wantIDs && !(got == "[]" && tt.wantIDs == "[]") {
				t.Errorf("ids = %v, want %v", got, tt.wantIDs)
			}
		})
	}
	list := e.call(t, "POST", "/events/index", e.AUser.Key, obj{"minimal": 1, "eventid": "2"}, http.StatusOK).([]any)
	want := obj{"id": "2", "timestamp": fmt.Sprint(testStart.Add(time.Hour).Unix()), "sighting_timestamp": "0",
		"published": true, "uuid": dig(t, list, 0, "uuid"), "orgc_uuid": e.OrgA.UUID}
	if len(list) != 1 || fmt.Sprint(list[0]) != fmt.Sprint(want) {
		t.Errorf("minimal index = %v, want [%v]", list, want)
	}
}

func TestEventViewDeleted(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	e.callObj(t, "POST", "/attributes/delete/"+attrDom, e.AUser.Key, nil, http.StatusOK)
	count := func(path string, body any, method string) int {
		ev := dig(t, e.callObj(t, method, path, e.AUser.Key, body, http.StatusOK), "Event").(obj)
		return len(ev["Attribute"].([]any))
	}
	if n := count("/events/view/1", nil, "GET"); n != 1 {
		t.Errorf("default view: %d standalone attributes, want 1", n)
	}
	if n := count("/events/view/1/deleted:1", nil, "GET"); n != 2 {
		t.Errorf("deleted:1: %d standalone attributes, want 2", n)
	}
	if n := count("/events/view/1/deleted[]:0/deleted[]:1", nil, "GET"); n != 2 {
		t.Errorf("deleted[]:0/deleted[]:1: %d standalone attributes, want 2", n)
	}
	if n := count("/events/view/1", obj{"deleted": []any{0, 1}}, "POST"); n != 2 {
		t.Errorf("POST {deleted:[0,1]}: %d standalone attributes, want 2", n)
	}
	ev := dig(t, e.callObj(t, "GET", "/events/view/1/metadata:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if len(ev["Attribute"].([]any)) != 0 || len(ev["Object"].([]any)) != 0 {
		t.Errorf("metadata view has elements: %v", ev)
	}
	ev = dig(t, e.callObj(t, "GET", "/events/view/1/excludeLocalTags:1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if tags := dig(t, ev, "Attribute", 0); tags.(obj)["Tag"] != nil {
		t.Errorf("excludeLocalTags: attribute tags = %v", tags.(obj)["Tag"])
	}
}

func TestEventNotModifiable(t *testing.T) {
	e := newTestEnv(t)
	e.restrictUserRole(t)
	e.mustTag(t, obj{"name": "tlp:red"})
	// The publisher's event: the A user sees it but may not change it.
	body := fixtureEvent()
	delete(body["Event"].(obj), "Tag")
	delete(dig(t, body, "Event", "Attribute", 0).(obj), "Tag")
	e.callObj(t, "POST", "/events/add", e.APublisher.Key, body, http.StatusOK)
	e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK)

	before := e.snapshot(t)
	out := e.callObj(t, "POST", "/events/edit/1", e.AUser.Key, obj{"info": "x"}, http.StatusForbidden)
	if out["message"] != "You are not authorised to do that." {
		t.Errorf("edit: %v", out)
	}
	out = e.callObj(t, "POST", "/events/delete/1", e.AUser.Key, nil, http.StatusForbidden)
	if out["errors"] != "Event was not deleted." {
		t.Errorf("delete: %v", out)
	}
	out = e.callObj(t, "POST", "/events/unpublish/1", e.AUser.Key, nil, http.StatusForbidden)
	if out["message"] != "You do not have the permission to do that." {
		t.Errorf("unpublish: %v", out)
	}
	out = e.callObj(t, "POST", "/events/addTag/1/1", e.AUser.Key, nil, http.StatusOK)
	if out["saved"] != false || out["errors"] != "You don't have permission to do that." {
		t.Errorf("global addTag: %v", out)
	}
	out = e.callObj(t, "POST", "/objects/add/1", e.AUser.Key, urlObjectBody(), http.StatusForbidden)
	if out["message"] != "You do not have permission to do that." {
		t.Errorf("objects/add: %v", out)
	}
	out = e.callObj(t, "POST", "/objects/edit/"+objFile, e.AUser.Key, obj{"comment": "x"}, http.StatusForbidden)
	if out["message"] != "Insufficient permissions to edit this object." {
		t.Errorf("objects/edit: %v", out)
	}
	e.callObj(t, "POST", "/objects/delete/"+objFile, e.AUser.Key, nil, http.StatusForbidden)
	out = e.callObj(t, "POST", "/objectReferences/add/"+objFile, e.AUser.Key, obj{"referenced_uuid": attrDom, "relationship_type": "x"}, http.StatusNotFound)
	if out["message"] != "Invalid object." {
		t.Errorf("references/add: %v", out)
	}
	out = e.callObj(t, "POST", "/objectReferences/delete/1", e.AUser.Key, nil, http.StatusForbidden)
	if out["message"] != "Invalid object reference." {
		t.Errorf("references/delete: %v", out)
	}
	e.assertUnchanged(t, before)

	// Host-organisation users may still tag locally.
	out = e.callObj(t, "POST", "/events/addTag/1/1/local:1", e.AUser.Key, nil, http.StatusOK)
	if out["saved"] != true {
		t.Errorf("local addTag: %v", out)
	}
}

func TestEventPublishOtherCreator(t *testing.T) {
	e := newTestEnv(t)
	// Owned by org A (the admin's), created by org B: A's publisher sees
	// it but may not publish it.
	e.callObj(t, "POST", "/events/add", e.Admin.Key, obj{"info": "for B", "Orgc": obj{"uuid": e.OrgB.UUID, "name": e.OrgB.Name}}, http.StatusOK)
	before := e.snapshot(t)
	out := e.callObj(t, "POST", "/events/publish/1", e.APublisher.Key, nil, http.StatusMethodNotAllowed)
	if out["message"] != "You do not have the permission to do that." {
		t.Errorf("publish: %v", out)
	}
	e.assertUnchanged(t, before)
	e.callObj(t, "POST", "/events/publish/1", e.Admin.Key, nil, http.StatusOK)
}

func TestEventChildrenSharingGroupAndConflicts(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	// On add, a child with distribution 4 is saved with distribution 0
	// (no sharing group can be authorised yet).
	ev := dig(t, e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"info": "sg children", "Attribute": []any{
		obj{"type": "ip-dst", "value": "192.0.2.20", "distribution": 4, "sharing_group_id": 7}}}, http.StatusOK), "Event").(obj)
	if dig(t, ev, "Attribute", 0, "distribution") != "0" || dig(t, ev, "Attribute", 0, "sharing_group_id") != "0" {
		t.Errorf("add: child distribution %v sg %v, want 0 0", dig(t, ev, "Attribute", 0, "distribution"), dig(t, ev, "Attribute", 0, "sharing_group_id"))
	}
	// On edit, it is dropped.
	ev = dig(t, e.callObj(t, "POST", "/events/edit/1", e.AUser.Key, obj{"Attribute": []any{
		obj{"type": "ip-dst", "value": "192.0.2.21", "distribution": 4, "sharing_group_id": 7},
		obj{"type": "ip-dst", "value": "192.0.2.22"}}}, http.StatusOK), "Event").(obj)
	var values []string
	for _, a := range ev["Attribute"].([]any) {
		values = append(values, a.(obj)["value"].(string))
	}
	if fmt.Sprint(values) != "[203.0.113.7 evil.example 192.0.2.22]" {
		t.Errorf("edit: attributes %v", values)
	}
	// A child uuid that exists in another event fails the add; the
	// errors name the child.
	before := e.snapshot(t)
	conflicts := []struct {
		name string
		body obj
		path string
	}{
		{"attribute", obj{"info": "dup", "Attribute": []any{
			obj{"type": "ip-dst", "value": "192.0.2.2"},
			obj{"uuid": strings.ToUpper(attrIP), "type": "ip-dst", "value": "192.0.2.1"}}}, "Event.Attribute[1]"},
		{"object", obj{"info": "dup object", "Object": []any{obj{"uuid": objFile, "name": "file", "meta-category": "file",
			"Attribute": []any{obj{"type": "filename", "object_relation": "filename", "value": "x.exe"}}}}}, "Event.Object[0]"},
		{"object attribute", obj{"info": "dup object attribute", "Object": []any{obj{"name": "file", "meta-category": "file",
			"Attribute": []any{
				obj{"type": "filename", "object_relation": "filename", "value": "x.exe"},
				obj{"uuid": attrMD5, "type": "md5", "object_relation": "md5", "value": "0123456789abcdef0123456789abcdef"}}}}},
			"Event.Object[0].Attribute[1]"},
	}
	for _, c := range conflicts {
		out := e.callObj(t, "POST", "/events/add", e.AUser.Key, c.body, http.StatusForbidden)
		if msg := dig(t, out, "errors", c.path, "uuid", 0); msg != "The UUID provided is not unique" {
			t.Errorf("%s conflict: errors[%q] = %v", c.name, c.path, out["errors"])
		}
	}
	// Two children sharing a new uuid clash only with each other.
	out := e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"info": "twins", "Attribute": []any{
		obj{"uuid": "aaaaaaaa-0000-4000-8000-00000000fff1", "type": "ip-dst", "value": "192.0.2.3"},
		obj{"uuid": "aaaaaaaa-0000-4000-8000-00000000fff1", "type": "ip-dst", "value": "192.0.2.4"}}}, http.StatusForbidden)
	dig(t, out, "errors", "Event", "uuid")
	e.assertUnchanged(t, before)

	desc := e.callObj(t, "GET", "/events/add", e.AUser.Key, nil, http.StatusOK)
	if desc["name"] != "/events/add API description" || dig(t, desc, "mandatory_fields", 0) != "info" {
		t.Errorf("events/add description: %v", desc)
	}
}

func TestEventAddTagCreation(t *testing.T) {
	e := newTestEnv(t)
	body := func(info string) obj {
		return obj{"info": info, "Tag": []any{obj{"name": "new:event-tag"}},
			"Attribute": []any{obj{"type": "ip-dst", "value": "192.0.2.30", "Tag": []any{"new:attribute-tag"}}}}
	}
	// Without perm_tag_editor unknown tags are skipped, not created.
	ev := dig(t, e.callObj(t, "POST", "/events/add", e.AUser.Key, body("user"), http.StatusOK), "Event").(obj)
	if ev["Tag"] != nil || dig(t, ev, "Attribute", 0).(obj)["Tag"] != nil {
		t.Errorf("user add created tags: %v / %v", ev["Tag"], dig(t, ev, "Attribute", 0))
	}
	if tags := dig(t, e.callObj(t, "GET", "/tags/index", e.AUser.Key, nil, http.StatusOK), "Tag").([]any); len(tags) != 0 {
		t.Errorf("tags after user add: %v", tags)
	}
	// A tag editor's unknown tags are created.
	ev = dig(t, e.callObj(t, "POST", "/events/add", e.BOrgAdmin.Key, body("org admin"), http.StatusOK), "Event").(obj)
	if dig(t, ev, "Tag", 0, "name") != "new:event-tag" || dig(t, ev, "Attribute", 0, "Tag", 0, "name") != "new:attribute-tag" {
		t.Errorf("org admin add: tags %v / %v", ev["Tag"], dig(t, ev, "Attribute", 0))
	}
}

// FuzzRequestParams feeds untrusted parameter text to the parsers of the
// data-plane handlers: none may panic.
func FuzzRequestParams(f *testing.F) {
	for _, s := range []string{
		`{"tags": {"OR": ["a", "b"], "NOT": "c"}, "timestamp": ["7d", "1h"]}`,
		`[{"Attribute": {"event_id": 5}}]`, `{"id": "[1,2]"}`, `[1, "collection_3"]`,
		`7d`, `-9223372036854775808d`, `a||b||`, `||x`, `2026-01-02`, `{"eventid": "1|!2|uuid"}`,
	} {
		f.Add(s)
	}
	now := testStart
	f.Fuzz(func(t *testing.T, s string) {
		bodyEventID([]byte(s))
		tagTerms(s)
		timeRange([]string{s, s}, now)
		splitTerms(splitOr(s))
		deletedFilter([]string{s})
		var v any
		if json.Unmarshal([]byte(s), &v) == nil {
			filterValues(v)
			phpStrings(v)
		}
	})
}
