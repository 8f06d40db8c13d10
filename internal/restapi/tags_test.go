package restapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

func TestTagAddEditDelete(t *testing.T) {
	e := newTestEnv(t)
	status, _, body := e.do(t, "POST", "/tags/add", e.Admin.Key, obj{"Tag": obj{"name": "tlp:amber", "colour": "#FFC000"}})
	if status != http.StatusOK {
		t.Fatalf("tags/add: %d %s", status, body)
	}
	compareGolden(t, "tag_add", body)

	// The same name again: the stored tag, nothing created.
	out := e.callObj(t, "POST", "/tags/add", e.Admin.Key, obj{"name": "tlp:amber", "colour": "#000000"}, http.StatusOK)
	if dig(t, out, "Tag", "id") != "1" || dig(t, out, "Tag", "colour") != "#FFC000" {
		t.Errorf("existing tag: %v", out)
	}
	// Default colour: md5 of the name, as every MISP instance computes it.
	out = e.callObj(t, "POST", "/tags/add", e.Admin.Key, obj{"name": "Phishing"}, http.StatusOK)
	if dig(t, out, "Tag", "colour") != misp.TagColour("Phishing") || dig(t, out, "Tag", "exportable") != true {
		t.Errorf("default colour/exportable: %v", out)
	}

	before := e.snapshot(t)
	out = e.callObj(t, "POST", "/tags/add", e.Admin.Key, obj{"name": "bad colour", "colour": "red"}, http.StatusMethodNotAllowed)
	if out["message"] != "Could not add the Tag. [colour]: A valid colour code (#rrggbb) is required." {
		t.Errorf("validation: %v", out)
	}
	e.callObj(t, "POST", "/tags/add", e.Admin.Key, obj{"name": ""}, http.StatusMethodNotAllowed)
	out = e.callObj(t, "POST", "/tags/add", e.AUser.Key, obj{"name": "by user"}, http.StatusForbidden)
	if out["message"] != "You do not have permission to use this functionality." {
		t.Errorf("user tags/add: %v", out)
	}
	e.callObj(t, "POST", "/tags/add", e.Admin.Key, `{"name": `, http.StatusMethodNotAllowed)
	e.assertUnchanged(t, before)

	desc := e.callObj(t, "GET", "/tags/add", e.BOrgAdmin.Key, nil, http.StatusOK)
	if desc["name"] != "/tags/add API description" {
		t.Errorf("description: %v", desc)
	}

	out = e.callObj(t, "POST", "/tags/edit/2", e.Admin.Key, obj{"Tag": obj{"colour": "#123456", "hide_tag": true}}, http.StatusOK)
	if dig(t, out, "Tag", "name") != "Phishing" || dig(t, out, "Tag", "colour") != "#123456" || dig(t, out, "Tag", "hide_tag") != true {
		t.Errorf("edit: %v", out)
	}
	e.callObj(t, "POST", "/tags/edit/2", e.Admin.Key, obj{"name": "tlp:amber"}, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/tags/edit/2", e.BOrgAdmin.Key, obj{"colour": "#000000"}, http.StatusForbidden)
	e.callObj(t, "POST", "/tags/edit/77", e.Admin.Key, obj{"colour": "#000000"}, http.StatusNotFound)

	e.callObj(t, "POST", "/tags/delete/2", e.BOrgAdmin.Key, nil, http.StatusForbidden)
	out = e.callObj(t, "POST", "/tags/delete/2", e.Admin.Key, nil, http.StatusOK)
	want := obj{"name": "Tag deleted.", "message": "Tag deleted.", "url": testBaseURL + "/tags/delete/2"}
	if fmt.Sprint(out) != fmt.Sprint(want) {
		t.Errorf("delete: %v, want %v", out, want)
	}
	e.callObj(t, "POST", "/tags/delete/2", e.Admin.Key, nil, http.StatusNotFound)
}

func TestTagIndexViewSearch(t *testing.T) {
	e := newTestEnv(t)
	for _, n := range []string{"tlp:amber", "tlp:green", `misp-galaxy:threat-actor="APT 28"`, "Phishing"} {
		e.mustTag(t, obj{"name": n})
	}
	names := func(list []any, key ...any) []string {
		var out []string
		for _, item := range list {
			out = append(out, dig(t, item, append(key, "name")...).(string))
		}
		return out
	}
	tags := dig(t, e.callObj(t, "GET", "/tags/index", e.BUser.Key, nil, http.StatusOK), "Tag").([]any)
	if got := fmt.Sprint(names(tags)); got != `[misp-galaxy:threat-actor="APT 28" Phishing tlp:amber tlp:green]` {
		t.Errorf("index = %v", got)
	}
	if dig(t, tags, 0, "is_galaxy") != true || dig(t, tags, 0, "favourite") != false {
		t.Errorf("index entries: %v", tags)
	}
	for _, c := range []struct{ path, want string }{
		{"/tags/index/searchall:tlp", "[tlp:amber tlp:green]"},
		{"/tags/index/searchall:TLP", "[tlp:amber tlp:green]"},
		{"/tags/index/name:tlp;amber", "[tlp:amber]"},
		{"/tags/index/name:TLP:GREEN", "[tlp:green]"},
		{"/tags/index/favouritesOnly:1", "[]"},
	} {
		tags := dig(t, e.callObj(t, "GET", c.path, e.AUser.Key, nil, http.StatusOK), "Tag").([]any)
		if got := fmt.Sprint(names(tags)); got != c.want && !(c.want == "[]" && len(tags) == 0) {
			t.Errorf("GET %s = %v, want %v", c.path, got, c.want)
		}
	}

	tag := e.callObj(t, "GET", "/tags/view/2", e.AUser.Key, nil, http.StatusOK)
	if tag["name"] != "tlp:green" || tag["id"] != "2" {
		t.Errorf("view = %v", tag)
	}
	out := e.callObj(t, "GET", "/tags/view/99", e.AUser.Key, nil, http.StatusMethodNotAllowed)
	if out["message"] != "Invalid Tag" {
		t.Errorf("view unknown = %v", out)
	}

	for _, c := range []struct {
		path string
		body any
		want string
	}{
		{"/tags/search/tlp%25", nil, "[tlp:amber tlp:green]"},
		{"/tags/search", obj{"tag": "%galaxy%"}, `[misp-galaxy:threat-actor="APT 28"]`},
		{"/tags/search", obj{"tag": []any{"tlp:amber", "phishing"}}, "[tlp:amber Phishing]"},
		// PyMISP search_tags: every body value is a term.
		{"/tags/search", obj{"tagname": "tlp:green", "strict_tagname": false}, "[tlp:green]"},
		{"/tags/search/TLP:AMBER/1", nil, "[tlp:amber]"},
		{"/tags/search/1/1", nil, "[tlp:amber]"},
		{"/tags/search/nothing", nil, "[]"},
	} {
		list := e.call(t, "POST", c.path, e.AUser.Key, c.body, http.StatusOK).([]any)
		if got := fmt.Sprint(names(list, "Tag")); got != c.want && !(c.want == "[]" && len(list) == 0) {
			t.Errorf("POST %s %v = %v, want %v", c.path, c.body, got, c.want)
		}
	}
}

func TestTagAttachToObject(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	e.mustTag(t, obj{"name": "tlp:red"})
	e.Clock.Advance(time.Minute)

	out := e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": evUUID, "tag": "tlp:red", "local": false}, http.StatusOK)
	want := "Global tag tlp:red(3) successfully attached to Event(1)."
	if out["message"] != want || out["saved"] != true || out["url"] != "/tags/attachTagToObject" {
		t.Errorf("attach to event: %v", out)
	}
	ev := dig(t, e.callObj(t, "GET", "/events/view/1", e.AUser.Key, nil, http.StatusOK), "Event").(obj)
	if ev["timestamp"] != fmt.Sprint(testStart.Add(time.Minute).Unix()) || len(ev["Tag"].([]any)) != 2 {
		t.Errorf("event after attach: timestamp %v tags %v", ev["timestamp"], ev["Tag"])
	}
	out = e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": evUUID, "tag": "tlp:red"}, http.StatusOK)
	if out["message"] != "Event already has the requested tag attached, no changes had to be made for tag tlp:red." {
		t.Errorf("attach twice: %v", out)
	}
	// An attribute, local, with a relationship type; tag by id.
	out = e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": attrDom, "tag": "3", "local": 1,
		"relationship_type": "indicates"}, http.StatusOK)
	if out["message"] != "Local tag tlp:red(3) successfully attached to Attribute(2)." {
		t.Errorf("attach to attribute: %v", out)
	}
	at := dig(t, e.callObj(t, "GET", "/attributes/view/2", e.AUser.Key, nil, http.StatusOK), "Attribute").(obj)
	if dig(t, at, "Tag", 0, "local") != true || dig(t, at, "Tag", 0, "relationship_type") != "indicates" {
		t.Errorf("attribute tag: %v", at["Tag"])
	}

	// Unknown tags: created for tag editors only.
	before := e.snapshot(t)
	out = e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": evUUID, "tag": "brand:new"}, http.StatusForbidden)
	if out["errors"] != `Failed to attach 1 tags. Reasons: {"0":"Tag not found and insufficient privileges to create it."}` {
		t.Errorf("unknown tag as user: %v", out)
	}
	// Local tags: host organisation only (A is the host here).
	out = e.callObj(t, "POST", "/tags/attachTagToObject", e.BUser.Key, obj{"uuid": evUUID, "tag": "tlp:red", "local": true}, http.StatusForbidden)
	if out["errors"] != `Failed to attach 1 tags. Reasons: {"0":"Local tags can only be added by users of the host organisation."}` {
		t.Errorf("local tag by B: %v", out)
	}
	e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": "aaaaaaaa-0000-4000-8000-00000000ffff", "tag": "tlp:red"}, http.StatusNotFound)
	e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": "not-a-uuid", "tag": "tlp:red"}, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": evUUID}, http.StatusMethodNotAllowed)
	e.callObj(t, "POST", "/tags/attachTagToObject", e.AReadOnly.Key, obj{"uuid": evUUID, "tag": "tlp:red"}, http.StatusForbidden)
	e.assertUnchanged(t, before)
	out = e.callObj(t, "POST", "/tags/attachTagToObject", e.Admin.Key, obj{"uuid": evUUID, "tag": []any{"brand:new", "tlp:amber"}}, http.StatusOK)
	if out["saved"] != true {
		t.Errorf("admin attach list: %v", out)
	}
	if _, err := e.DB.FindTagByName(t.Context(), "brand:new"); err != nil {
		t.Errorf("tag editor attach did not create the tag: %v", err)
	}

	// Detach.
	out = e.callObj(t, "POST", "/tags/removeTagFromObject", e.AUser.Key, obj{"uuid": attrDom, "tag": "tlp:red"}, http.StatusOK)
	if out["message"] != "Local tag tlp:red (3) successfully removed from Attribute(2)." {
		t.Errorf("detach from attribute: %v", out)
	}
	out = e.callObj(t, "POST", "/tags/removeTagFromObject", e.AUser.Key, obj{"uuid": attrDom, "tag": "tlp:red"}, http.StatusNotFound)
	if out["message"] != "Could not remove tag as it is not attached to the target Attribute" {
		t.Errorf("detach twice: %v", out)
	}
	e.callObj(t, "POST", "/tags/removeTagFromObject", e.AUser.Key, obj{"uuid": evUUID, "tag": "no-such"}, http.StatusMethodNotAllowed)
	out = e.callObj(t, "POST", "/tags/removeTagFromObject", e.AUser.Key, obj{"uuid": evUUID, "tag": "3"}, http.StatusOK)
	if out["message"] != "Global tag tlp:red (3) successfully removed from Event(1)." {
		t.Errorf("detach from event: %v", out)
	}
}

func TestTagRestrictions(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t)
	// A tag only org B may attach, one only the A publisher may attach, and
	// a local-only tag.
	orgB := e.mustTag(t, obj{"name": "b:only", "org_id": e.OrgB.ID})
	pubOnly := e.mustTag(t, obj{"name": "pub:only", "user_id": e.APublisher.User.ID})
	localOnly := e.mustTag(t, obj{"name": "local:only", "local_only": true})

	before := e.snapshot(t)
	for _, c := range []struct {
		tag  string
		want string
	}{
		{"b:only", "Invalid Tag. This tag can only be set by a fixed organisation."},
		{"pub:only", "Invalid Tag. This tag can only be set by a fixed user."},
		{"local:only", "Invalid Tag. This tag can only be set as a local tag."},
	} {
		out := e.callObj(t, "POST", "/tags/attachTagToObject", e.AUser.Key, obj{"uuid": evUUID, "tag": c.tag}, http.StatusForbidden)
		if want := `Failed to attach 1 tags. Reasons: {"0":"` + c.want + `"}`; out["errors"] != want {
			t.Errorf("attach %s: %v", c.tag, out["errors"])
		}
	}
	for _, tag := range []obj{orgB, pubOnly} {
		out := e.callObj(t, "POST", "/events/addTag/1/"+tag["id"].(string), e.AUser.Key, nil, http.StatusOK)
		if out["saved"] != false || out["errors"] != "Tag not found." {
			t.Errorf("events/addTag %s: %v", tag["name"], out)
		}
	}
	out := e.callObj(t, "POST", "/events/addTag/1/"+localOnly["id"].(string), e.AUser.Key, nil, http.StatusOK)
	if out["errors"] != "Invalid Tag. This tag can only be set as a local tag." {
		t.Errorf("events/addTag local-only tag globally: %v", out)
	}
	e.assertUnchanged(t, before)
	// Tags in an edit body that the user may not attach are dropped.
	e.Clock.Advance(time.Minute)
	ev := dig(t, e.callObj(t, "POST", "/events/edit/1", e.AUser.Key, obj{"Tag": []any{obj{"name": "b:only"}, obj{"name": "local:only"}},
		"info": "Phishing campaign", "published": false, "timestamp": fmt.Sprint(testStart.Add(time.Minute).Unix())}, http.StatusOK), "Event").(obj)
	if tags := ev["Tag"].([]any); len(tags) != 1 || dig(t, tags, 0, "name") != "tlp:amber" {
		t.Errorf("edit with restricted tags: %v", tags)
	}
	// The publisher may use its tag; local-only works locally.
	e.callObj(t, "POST", "/tags/attachTagToObject", e.APublisher.Key, obj{"uuid": evUUID, "tag": "pub:only"}, http.StatusOK)
	out = e.callObj(t, "POST", "/events/addTag/1/"+localOnly["id"].(string)+"/local:1", e.AUser.Key, nil, http.StatusOK)
	if out["saved"] != true {
		t.Errorf("local-only tag locally: %v", out)
	}
}

// newTagSearchEnv has the galaxy library and the demo taxonomy loaded, the
// demo taxonomy's tags, the tags of APT28 and APT29 and a plain tag.
func newTagSearchEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newGalaxyEnv(t)
	e.withTaxonomyLibrary(t, map[string]string{"demo": taxonomyFixture["demo"]})
	e.callObj(t, "POST", "/taxonomies/update", e.Admin.Key, nil, http.StatusOK)
	e.callObj(t, "POST", "/taxonomies/addTag/demo", e.Admin.Key, nil, http.StatusOK)
	for _, n := range []string{`demo:level="unknown"`, `misp-galaxy:threat-actor="APT28"`, `misp-galaxy:threat-actor="APT29"`, "Phishing"} {
		e.mustTag(t, obj{"name": n})
	}
	return e
}

func TestTagSearchTaxonomy(t *testing.T) {
	e := newTagSearchEnv(t)
	// A tag of an entry (expanded text, colour, description), of entries
	// matching nothing (MISP still shows the predicate, with no entries),
	// and of predicates without entries (no TaxonomyEntry list).
	status, _, body := e.do(t, "POST", "/tags/search/demo%25", e.BUser.Key, nil)
	if status != http.StatusOK {
		t.Fatalf("tags/search: %d %s", status, body)
	}
	compareGolden(t, "tag_search_taxonomy", body)

	// Found case-insensitively, strict or not; other tags have no blocks.
	for _, path := range []string{"/tags/search/DEMO:LEVEL=%22LOW%22", `/tags/search/demo:level="low"/1`} {
		list := e.call(t, "POST", path, e.AUser.Key, nil, http.StatusOK).([]any)
		if len(list) != 1 || dig(t, list, 0, "Taxonomy", "namespace") != "demo" ||
			dig(t, list, 0, "TaxonomyPredicate", "TaxonomyEntry", 0, "numerical_value") != "25" {
			t.Errorf("POST %s = %v", path, list)
		}
	}
	list := e.call(t, "POST", "/tags/search", e.AUser.Key, obj{"tag": []any{"phishing", `misp-galaxy:threat-actor="APT28"`}}, http.StatusOK).([]any)
	for _, item := range list {
		if m := item.(obj); m["Taxonomy"] != nil || m["TaxonomyPredicate"] != nil {
			t.Errorf("taxonomy blocks for %v", m["Tag"])
		}
	}
}

func TestTagSearchGalaxy(t *testing.T) {
	e := newTagSearchEnv(t)
	status, _, body := e.do(t, "POST", "/tags/search", e.BUser.Key, obj{"tag": `misp-galaxy:threat-actor="APT28"`})
	if status != http.StatusOK {
		t.Fatalf("tags/search: %d %s", status, body)
	}
	compareGolden(t, "tag_search_galaxy", body)

	apt28, apt29 := `misp-galaxy:threat-actor="APT28"`, `misp-galaxy:threat-actor="APT29"`
	type searchCase struct {
		name string
		path string
		body any
		want []string
	}
	search := func(t *testing.T, u *testUser, cases []searchCase) {
		t.Helper()
		for _, c := range cases {
			list := e.call(t, "POST", c.path, u.Key, c.body, http.StatusOK).([]any)
			var got []string
			for _, item := range list {
				got = append(got, dig(t, item, "Tag", "name").(string))
				if _, ok := item.(obj)["GalaxyCluster"]; !ok && strings.HasPrefix(got[len(got)-1], "misp-galaxy:") {
					t.Errorf("%s: no GalaxyCluster for %s", c.name, got[len(got)-1])
				}
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("%s: POST %s %v (-want +got):\n%s", c.name, c.path, c.body, d)
			}
		}
	}
	// Non-strict terms find the tags of clusters by value (equal,
	// case-insensitively) and by synonym (LIKE); not by description.
	search(t, e.BUser, []searchCase{
		{"synonym", "/tags/search/fancy%20bear", nil, []string{apt28}},
		{"synonym pattern", "/tags/search", obj{"tag": "%BEAR"}, []string{apt28, apt29}},
		{"PyMISP body", "/tags/search", obj{"tagname": "Sednit", "strict_tagname": false}, []string{apt28}},
		{"value", "/tags/search/apt29", nil, []string{apt29}},
		{"value is not a pattern", "/tags/search/apt2%25", nil, nil},
		{"description", "/tags/search/sofacy", nil, nil},
		{"cluster without tag", "/tags/search/mimikatz", nil, nil},
		{"strict", "/tags/search/fancy%20bear/1", nil, nil},
		{"tag and synonym", "/tags/search", obj{"tag": []any{"phishing", "cozy bear"}}, []string{"Phishing", apt29}},
	})

	// APT29 becomes org A's own cluster: org B's user still finds its tag
	// by name, without the cluster, and not through the cluster's value
	// or synonyms.
	if _, err := e.DB.SQL().ExecContext(context.Background(),
		"UPDATE galaxy_clusters SET distribution = 0, org_id = $1, orgc_id = $1, is_default = FALSE WHERE value = 'APT29'",
		int64(e.OrgA.ID)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		body any
		want []string
	}{
		{"by name", obj{"tag": apt29}, []string{apt29}},
		{"by synonym", obj{"tag": "cozy bear"}, nil},
		{"by value", obj{"tag": "APT29"}, nil},
		{"by pattern", obj{"tag": "%bear"}, []string{apt28}},
	} {
		list := e.call(t, "POST", "/tags/search", e.BUser.Key, c.body, http.StatusOK).([]any)
		var got []string
		for _, item := range list {
			got = append(got, dig(t, item, "Tag", "name").(string))
			if cl, ok := item.(obj)["GalaxyCluster"]; ok && dig(t, cl, "value") == "APT29" {
				t.Errorf("%s: org B sees org A's cluster: %v", c.name, cl)
			}
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s: org B (-want +got):\n%s", c.name, d)
		}
	}
	// Org A's user sees its cluster.
	search(t, e.AUser, []searchCase{
		{"own cluster by synonym", "/tags/search", obj{"tag": "cozy bear"}, []string{apt29}},
		{"own cluster by name", "/tags/search", obj{"tag": apt29}, []string{apt29}},
	})
	list := e.call(t, "POST", "/tags/search", e.AUser.Key, obj{"tag": apt29}, http.StatusOK).([]any)
	if dig(t, list, 0, "GalaxyCluster", "org_id") != idString(int64(e.OrgA.ID)) || dig(t, list, 0, "GalaxyCluster", "Org", "name") != "ORGNAME-A" {
		t.Errorf("own cluster: %v", list)
	}
}
