package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corrEvent creates, as u, an event with fixed uuids holding the given
// ip-dst and domain values, and returns its id.
func (e *testEnv) corrEvent(t *testing.T, u *testUser, n int, dist int, values ...string) string {
	t.Helper()
	var attrs []any
	for i, v := range values {
		typ := "domain"
		if v[0] >= '0' && v[0] <= '9' {
			typ = "ip-dst"
		}
		attrs = append(attrs, obj{"uuid": fmt.Sprintf("cccccccc-0000-4000-8000-%06d%06d", n, i), "type": typ, "value": v})
	}
	out := e.callObj(t, "POST", "/events/add", u.Key, obj{"Event": obj{
		"uuid": fmt.Sprintf("cccccccc-0000-4000-8000-%012d", n), "info": fmt.Sprintf("correlating event %d", n),
		"date": "2026-01-1" + fmt.Sprint(n%10), "distribution": dist, "Attribute": attrs,
	}}, http.StatusOK)
	return dig(t, out, "Event", "id").(string)
}

// relatedInfos returns the infos of an events/view answer's RelatedEvent.
func relatedInfos(t *testing.T, view obj) []string {
	t.Helper()
	var out []string
	for _, r := range dig(t, view, "Event", "RelatedEvent").([]any) {
		out = append(out, dig(t, r, "Event", "info").(string))
	}
	return out
}

func TestEventViewCorrelations(t *testing.T) {
	e := newTestEnv(t)
	one := e.corrEvent(t, e.AUser, 1, 3, "198.51.100.7", "shared.example", "own.example")
	two := e.corrEvent(t, e.BUser, 2, 3, "198.51.100.7", "shared.example")
	e.corrEvent(t, e.BUser, 3, 3, "unrelated.example")

	// RelatedEvent by default, in MISP's shape.
	view := e.callObj(t, "GET", "/events/view/"+one, e.AUser.Key, nil, http.StatusOK)
	rel := dig(t, view, "Event", "RelatedEvent").([]any)
	if len(rel) != 1 {
		t.Fatalf("RelatedEvent = %v, want event two", rel)
	}
	want := obj{"Event": obj{"id": two, "date": "2026-01-12", "threat_level_id": "4", "info": "correlating event 2",
		"published": false, "uuid": "cccccccc-0000-4000-8000-000000000002", "analysis": "0",
		"timestamp": fmt.Sprint(testStart.Unix()), "distribution": "3",
		"org_id": fmt.Sprint(e.OrgB.ID), "orgc_id": fmt.Sprint(e.OrgB.ID),
		"Org":  obj{"id": fmt.Sprint(e.OrgB.ID), "name": e.OrgB.Name, "uuid": e.OrgB.UUID},
		"Orgc": obj{"id": fmt.Sprint(e.OrgB.ID), "name": e.OrgB.Name, "uuid": e.OrgB.UUID}}}
	if d := cmp.Diff(want, rel[0]); d != "" {
		t.Errorf("RelatedEvent[0] (-want +got):\n%s", d)
	}
	// No RelatedAttribute unless asked for.
	for _, a := range dig(t, view, "Event", "Attribute").([]any) {
		if _, ok := a.(obj)["RelatedAttribute"]; ok {
			t.Errorf("attribute %v carries RelatedAttribute without includeGranularCorrelations", a)
		}
	}
	// includeEventCorrelations:0 leaves the list empty.
	view = e.callObj(t, "GET", "/events/view/"+one+"/includeEventCorrelations:0", e.AUser.Key, nil, http.StatusOK)
	if got := relatedInfos(t, view); len(got) != 0 {
		t.Errorf("RelatedEvent with includeEventCorrelations:0 = %v, want []", got)
	}

	// includeGranularCorrelations:1: per attribute {id, value, org_id, info, event_id}.
	view = e.callObj(t, "GET", "/events/view/"+one+"/includeGranularCorrelations:1", e.AUser.Key, nil, http.StatusOK)
	byValue := map[string]any{}
	for _, a := range dig(t, view, "Event", "Attribute").([]any) {
		byValue[a.(obj)["value"].(string)] = a.(obj)["RelatedAttribute"]
	}
	twoIP := e.attrID(t, "cccccccc-0000-4000-8000-000002000000")
	wantIP := []any{obj{"id": twoIP, "value": "198.51.100.7", "org_id": fmt.Sprint(e.OrgB.ID),
		"info": "correlating event 2", "event_id": two}}
	if d := cmp.Diff(wantIP, byValue["198.51.100.7"]); d != "" {
		t.Errorf("RelatedAttribute of the address (-want +got):\n%s", d)
	}
	if byValue["own.example"] != nil {
		t.Errorf("RelatedAttribute of an uncorrelated value = %v, want none", byValue["own.example"])
	}

	// events/restSearch carries RelatedEvent with includeEventCorrelations
	// (MISP: always), RelatedAttribute with includeGranularCorrelations.
	var out struct{ Response []obj }
	body := obj{"returnFormat": "json", "eventid": one}
	if status := e.doJSON(t, "POST", "/events/restSearch", e.AUser.Key, body, &out); status != http.StatusOK || len(out.Response) != 1 {
		t.Fatalf("events/restSearch: %d %v", status, out)
	}
	if got := relatedInfos(t, out.Response[0]); len(got) != 0 {
		t.Errorf("events/restSearch without includeEventCorrelations: RelatedEvent = %v, want []", got)
	}
	body = obj{"returnFormat": "json", "eventid": one, "includeEventCorrelations": 1, "includeGranularCorrelations": 1}
	if status := e.doJSON(t, "POST", "/events/restSearch", e.AUser.Key, body, &out); status != http.StatusOK || len(out.Response) != 1 {
		t.Fatalf("events/restSearch: %d %v", status, out)
	}
	if got := relatedInfos(t, out.Response[0]); !slices.Equal(got, []string{"correlating event 2"}) {
		t.Errorf("events/restSearch RelatedEvent = %v", got)
	}
	attrs := dig(t, out.Response[0], "Event", "Attribute").([]any)
	if n := len(dig(t, attrs[0], "RelatedAttribute").([]any)); n != 1 {
		t.Errorf("events/restSearch RelatedAttribute of %v: %d entries, want 1", attrs[0], n)
	}
	// Other formats are not bothered with them.
	status, _, csv := e.do(t, "POST", "/events/restSearch", e.AUser.Key, obj{"returnFormat": "csv", "eventid": one})
	if status != http.StatusOK || len(csv) == 0 {
		t.Errorf("events/restSearch csv: %d %s", status, csv)
	}
}

// attrID returns the id of the attribute with the given uuid.
func (e *testEnv) attrID(t *testing.T, uuid string) string {
	t.Helper()
	a, err := e.DB.FindAttributeByUUID(context.Background(), e.Admin.Actor(), uuid, true)
	if err != nil {
		t.Fatalf("FindAttributeByUUID(%s): %v", uuid, err)
	}
	return fmt.Sprint(a.ID)
}

// TestCorrelationsHidden checks, through the API, that B learns nothing
// of a correlation with A's organisation-only event or with A's hidden
// attribute; the leak matrix checks every combination.
func TestCorrelationsHidden(t *testing.T) {
	e := newTestEnv(t)
	e.corrEvent(t, e.AUser, 1, 0, "secret.example")
	b := e.corrEvent(t, e.BUser, 2, 3, "secret.example")
	a := e.corrEvent(t, e.AUser, 3, 3, "secret.example")

	for _, path := range []string{"/events/view/" + b + "/includeGranularCorrelations:1"} {
		view := e.callObj(t, "GET", path, e.BUser.Key, nil, http.StatusOK)
		if got := relatedInfos(t, view); !slices.Equal(got, []string{"correlating event 3"}) {
			t.Errorf("B's RelatedEvent = %v, want only A's community event", got)
		}
		related := dig(t, view, "Event", "Attribute", 0, "RelatedAttribute").([]any)
		if len(related) != 1 || dig(t, related[0], "event_id") != a {
			t.Errorf("B's RelatedAttribute = %v, want only A's community attribute", related)
		}
	}
	var out struct {
		Response struct{ Attribute []obj } `json:"response"`
	}
	status := e.doJSON(t, "POST", "/attributes/restSearch", e.BUser.Key,
		obj{"returnFormat": "json", "eventid": b, "includeCorrelations": 1}, &out)
	if status != http.StatusOK || len(out.Response.Attribute) != 1 {
		t.Fatalf("attributes/restSearch: %d %v", status, out)
	}
	related := dig(t, out.Response.Attribute[0], "RelatedAttribute").([]any)
	if len(related) != 1 || dig(t, related[0], "Event", "id") != a {
		t.Errorf("B's includeCorrelations = %v, want only A's community attribute", related)
	}
	// The full shape: the other attribute and its event.
	r := related[0].(obj)
	for _, k := range []string{"id", "event_id", "object_id", "object_relation", "category", "type", "value", "uuid",
		"timestamp", "distribution", "sharing_group_id", "to_ids", "comment", "Event"} {
		if _, ok := r[k]; !ok {
			t.Errorf("includeCorrelations entry lacks %q: %v", k, r)
		}
	}
	for _, k := range []string{"id", "uuid", "threat_level_id", "analysis", "info", "extends_uuid", "distribution",
		"sharing_group_id", "published", "date", "orgc_id", "org_id"} {
		if _, ok := r["Event"].(obj)[k]; !ok {
			t.Errorf("includeCorrelations entry's Event lacks %q: %v", k, r["Event"])
		}
	}
	// The site admin sees both.
	view := e.callObj(t, "GET", "/events/view/"+b, e.Admin.Key, nil, http.StatusOK)
	if got := relatedInfos(t, view); len(got) != 2 {
		t.Errorf("site admin's RelatedEvent = %v, want both of A's events", got)
	}
}

func TestCorrelationExclusionEndpoints(t *testing.T) {
	e := newTestEnv(t)
	one := e.corrEvent(t, e.AUser, 1, 3, "8.8.8.8", "cdn.example")
	e.corrEvent(t, e.AUser, 2, 3, "8.8.8.8", "cdn.example")
	related := func() int {
		view := e.callObj(t, "GET", "/events/view/"+one+"/includeGranularCorrelations:1", e.AUser.Key, nil, http.StatusOK)
		n := 0
		for _, a := range dig(t, view, "Event", "Attribute").([]any) {
			if l, ok := a.(obj)["RelatedAttribute"].([]any); ok {
				n += len(l)
			}
		}
		return n
	}
	if n := related(); n != 2 {
		t.Fatalf("correlations before exclusions = %d, want 2", n)
	}

	// Site admins only.
	for _, c := range []struct{ method, path string }{
		{"GET", "/correlation_exclusions"}, {"GET", "/correlation_exclusions/index"}, {"GET", "/correlation_exclusions/view/1"},
		{"POST", "/correlation_exclusions/add"}, {"POST", "/correlation_exclusions/edit/1"},
		{"POST", "/correlation_exclusions/delete/1"}, {"POST", "/correlation_exclusions/clean"},
		{"GET", "/correlations/top"}, {"GET", "/correlations/overCorrelations"}, {"POST", "/attributes/generateCorrelation"},
	} {
		out := e.callObj(t, c.method, c.path, e.BOrgAdmin.Key, obj{"value": "x"}, http.StatusForbidden)
		if out["message"] != aclMessage {
			t.Errorf("%s %s as an org admin: %v", c.method, c.path, out)
		}
	}

	// add, PyMISP's wrapped body and a bare one.
	added := e.callObj(t, "POST", "/correlation_exclusions/add", e.Admin.Key,
		obj{"CorrelationExclusion": obj{"value": "8.8.8.8", "comment": "public resolver"}}, http.StatusOK)
	want := obj{"CorrelationExclusion": obj{"id": "1", "value": "8.8.8.8", "from_json": false, "comment": "public resolver"}}
	if d := cmp.Diff(want, added); d != "" {
		t.Errorf("correlation_exclusions/add (-want +got):\n%s", d)
	}
	if n := related(); n != 1 {
		t.Errorf("correlations with 8.8.8.8 excluded = %d, want 1", n)
	}
	e.callObj(t, "POST", "/correlation_exclusions/add", e.Admin.Key, obj{"value": "%.example"}, http.StatusOK)
	if n := related(); n != 0 {
		t.Errorf("correlations with %%.example excluded = %d, want 0", n)
	}
	dup := e.callObj(t, "POST", "/correlation_exclusions/add", e.Admin.Key, obj{"value": "8.8.8.8"}, http.StatusForbidden)
	wantDup := obj{"saved": false, "name": "Could not add correlation_exclusion", "message": "Could not add correlation_exclusion",
		"url": "/correlation_exclusions/add", "errors": obj{"value": []any{"Value is already in the exclusion list."}}}
	if d := cmp.Diff(wantDup, dup); d != "" {
		t.Errorf("duplicate add (-want +got):\n%s", d)
	}
	e.callObj(t, "POST", "/correlation_exclusions/add", e.Admin.Key, obj{"value": " "}, http.StatusForbidden)

	// index, filtered, and view
	list := e.call(t, "GET", "/correlation_exclusions", e.Admin.Key, nil, http.StatusOK).([]any)
	if len(list) != 2 || dig(t, list, 1, "CorrelationExclusion", "value") != "%.example" {
		t.Errorf("correlation_exclusions = %v", list)
	}
	list = e.call(t, "GET", "/correlation_exclusions/index/quickFilter:RESOLVER", e.Admin.Key, nil, http.StatusOK).([]any)
	if len(list) != 1 || dig(t, list, 0, "CorrelationExclusion", "id") != "1" {
		t.Errorf("correlation_exclusions/index/quickFilter:RESOLVER = %v", list)
	}
	list = e.call(t, "POST", "/correlation_exclusions/index", e.Admin.Key, obj{"value": "%.example"}, http.StatusOK).([]any)
	if len(list) != 1 {
		t.Errorf("correlation_exclusions/index {value: %%.example} = %v", list)
	}
	if d := cmp.Diff(want, e.callObj(t, "GET", "/correlation_exclusions/view/1", e.Admin.Key, nil, http.StatusOK)); d != "" {
		t.Errorf("correlation_exclusions/view/1 (-want +got):\n%s", d)
	}
	missing := e.callObj(t, "GET", "/correlation_exclusions/view/99", e.Admin.Key, nil, http.StatusNotFound)
	if missing["message"] != "Invalid CorrelationExclusion." {
		t.Errorf("view of a missing exclusion: %v", missing)
	}

	// edit changes the comment only.
	edited := e.callObj(t, "PUT", "/correlation_exclusions/edit/1", e.Admin.Key,
		obj{"CorrelationExclusion": obj{"value": "9.9.9.9", "comment": "Google"}}, http.StatusOK)
	if dig(t, edited, "CorrelationExclusion", "value") != "8.8.8.8" || dig(t, edited, "CorrelationExclusion", "comment") != "Google" {
		t.Errorf("correlation_exclusions/edit = %v", edited)
	}

	// clean, delete
	clean := e.callObj(t, "POST", "/correlation_exclusions/clean", e.Admin.Key, nil, http.StatusOK)
	if clean["saved"] != true || clean["url"] != "/correlation_exclusions/clean" {
		t.Errorf("correlation_exclusions/clean = %v", clean)
	}
	del := e.callObj(t, "POST", "/correlation_exclusions/delete/2", e.Admin.Key, nil, http.StatusOK)
	wantDel := obj{"saved": true, "success": true, "name": "CorrelationExclusion deleted.", "message": "CorrelationExclusion deleted.",
		"url": "/correlation_exclusions/delete/2", "id": "2"}
	if d := cmp.Diff(wantDel, del); d != "" {
		t.Errorf("correlation_exclusions/delete (-want +got):\n%s", d)
	}
	if n := related(); n != 1 {
		t.Errorf("correlations after deleting %%.example = %d, want 1", n)
	}
	e.callObj(t, "DELETE", "/correlation_exclusions/delete/2", e.Admin.Key, nil, http.StatusNotFound)
}

func TestCorrelationTopAndOver(t *testing.T) {
	e := newTestEnv(t)
	if err := e.DB.SetCorrelationLimit(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		values := []string{"everywhere.example"}
		if i < 3 {
			values = append(values, "thrice.example")
		}
		if i < 2 {
			values = append(values, "twice.example")
		}
		e.corrEvent(t, e.AUser, i+1, 3, values...)
	}
	top := e.call(t, "GET", "/correlations/top", e.Admin.Key, nil, http.StatusOK)
	want := []any{
		obj{"Correlation": obj{"value": "thrice.example", "count": 3.0, "excluded": false}},
		obj{"Correlation": obj{"value": "twice.example", "count": 1.0, "excluded": false}},
	}
	if d := cmp.Diff(want, top); d != "" {
		t.Errorf("correlations/top (-want +got):\n%s", d)
	}
	top = e.call(t, "GET", "/correlations/top/limit:1/page:2", e.Admin.Key, nil, http.StatusOK)
	if d := cmp.Diff(want[1:], top); d != "" {
		t.Errorf("correlations/top/limit:1/page:2 (-want +got):\n%s", d)
	}
	over := e.call(t, "GET", "/correlations/overCorrelations", e.Admin.Key, nil, http.StatusOK)
	wantOver := []any{obj{"OverCorrelatingValue": obj{"value": "everywhere.example", "occurrence": "4",
		"over_correlation": true, "excluded": false}}}
	if d := cmp.Diff(wantOver, over); d != "" {
		t.Errorf("correlations/overCorrelations (-want +got):\n%s", d)
	}
}

func TestGenerateCorrelation(t *testing.T) {
	e := newTestEnv(t)
	one := e.corrEvent(t, e.AUser, 1, 3, "198.51.100.7", "rebuilt.example")
	e.corrEvent(t, e.BUser, 2, 3, "198.51.100.7")
	before := e.call(t, "GET", "/events/view/"+one+"/includeGranularCorrelations:1", e.AUser.Key, nil, http.StatusOK)
	// Wipe the correlation values behind the store's back, as a restore
	// of a backup without them would.
	if _, err := e.DB.SQL().ExecContext(context.Background(), "DELETE FROM correlation_values"); err != nil {
		t.Fatal(err)
	}
	if got := relatedInfos(t, e.callObj(t, "GET", "/events/view/"+one, e.AUser.Key, nil, http.StatusOK)); len(got) != 0 {
		t.Fatalf("RelatedEvent after the wipe = %v", got)
	}
	out := e.callObj(t, "POST", "/attributes/generateCorrelation", e.Admin.Key, nil, http.StatusOK)
	want := obj{"saved": true, "success": true, "name": "All done. 3 attributes processed.",
		"message": "All done. 3 attributes processed.", "url": "/attributes/generateCorrelation"}
	if d := cmp.Diff(want, out); d != "" {
		t.Errorf("attributes/generateCorrelation (-want +got):\n%s", d)
	}
	after := e.call(t, "GET", "/events/view/"+one+"/includeGranularCorrelations:1", e.AUser.Key, nil, http.StatusOK)
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if d := cmp.Diff(string(b1), string(b2)); d != "" {
		t.Errorf("the view after generateCorrelation differs (-before +after):\n%s", d)
	}
}
