package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// indexIDs asks events/index and returns the ids of the events received
// and X-Result-Count.
func (e *testEnv) indexIDs(t *testing.T, method, path, key string, body any) (ids, count string) {
	t.Helper()
	var list []obj
	status, hdr, b := e.do(t, method, path, key, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: status %d: %s", method, path, status, b)
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("%s %s: answer is not a list (%v): %s", method, path, err, b)
	}
	out := []string{}
	for _, item := range list {
		out = append(out, fmt.Sprint(item["id"]))
	}
	return fmt.Sprint(out), hdr.Get("X-Result-Count")
}

// TestEventIndexFilterParams checks how the events/index filters of
// misp-rest-api §5 are read — named parameters, body keys, the "search"
// prefix, "|" lists, "!" negation, "&" tags — and what they select.
func TestEventIndexFilterParams(t *testing.T) {
	e := newTestEnv(t)
	e.addFixture(t) // 1: A user, org only, "Phishing campaign", tlp:amber
	sg := &misp.SharingGroup{Name: "A only", Releasability: "test", Active: true, Local: true,
		OrgID: e.OrgA.ID, OrganisationUUID: e.OrgA.UUID, SharingGroupOrg: []*misp.SharingGroupOrg{{OrgID: e.OrgA.ID}}}
	if err := e.DB.CreateSharingGroup(context.Background(), sg); err != nil {
		t.Fatalf("CreateSharingGroup: %v", err)
	}
	e.callObj(t, "POST", "/events/add", e.APublisher.Key, obj{"info": "Second", "published": true, "threat_level_id": 1,
		"distribution": 1, "Attribute": []any{obj{"type": "ip-src", "value": "192.0.2.55"}}}, http.StatusOK) // 2
	e.callObj(t, "POST", "/events/add", e.BUser.Key, obj{"info": "B campaign", "distribution": 1, "analysis": 2,
		"Tag":       []any{obj{"name": "tlp:amber"}, obj{"name": "tlp:green"}},
		"Attribute": []any{obj{"type": "ip-dst", "value": "198.51.100.9", "comment": "Scanner"}}}, http.StatusOK) // 3
	e.callObj(t, "POST", "/events/add", e.APublisher.Key, obj{"info": "Shared", "distribution": 4,
		"sharing_group_id": fmt.Sprint(sg.ID), "Attribute": []any{obj{"type": "domain", "value": "shared.example"}}}, http.StatusOK) // 4
	sgID := fmt.Sprint(sg.ID)

	tests := []struct {
		name    string
		key     string // AUser's when empty
		method  string
		path    string
		body    any
		wantIDs string
	}{
		{"no filter", "", "GET", "/events/index", nil, "[1 2 3 4]"},

		{"all, named with search prefix", "", "GET", "/events/index/searchall:invoice", nil, "[1]"},
		{"all, query string", "", "GET", "/events/index?all=SHARED.example", nil, "[4]"},
		{"all, body", "", "POST", "/events/index", obj{"all": "EVIL"}, "[1]"},
		{"all, creator org name", "", "POST", "/events/index", obj{"searchall": "orgname-b"}, "[3]"},
		{"all, attribute comment", "", "POST", "/events/index", obj{"all": "scanner"}, "[3]"},
		{"all, attribute tag", "", "POST", "/events/index", obj{"all": "tlp:gr"}, "[1 3]"},
		{"all, list", "", "POST", "/events/index", obj{"all": []any{"second", "b campaign"}}, "[2 3]"},
		{"all, | is part of the term", "", "POST", "/events/index", obj{"all": "second|shared"}, "[]"},
		{"all, 0 is no filter", "", "POST", "/events/index", obj{"all": "0"}, "[1 2 3 4]"},

		{"attribute, | list", "", "POST", "/events/index", obj{"attribute": "192.0.2|198.51"}, "[2 3]"},
		{"attribute, negated", "", "POST", "/events/index", obj{"attribute": "!203.0.113"}, "[2 3 4]"},
		{"attribute, named", "", "GET", "/events/index/searchattribute:192.0.2.5", nil, "[2]"},
		{"attribute, NOT object", "", "POST", "/events/index", obj{"attribute": obj{"NOT": []any{"203.0.113", "192.0.2"}}}, "[3 4]"},
		{"attribute, both", "", "POST", "/events/index", obj{"attribute": "EXAMPLE|!evil"}, "[4]"},

		{"hasproposal 1", "", "POST", "/events/index", obj{"hasproposal": 1}, "[]"},
		{"hasproposal 0", "", "POST", "/events/index", obj{"hasproposal": "0"}, "[1 2 3 4]"},
		{"hasproposal 2", "", "GET", "/events/index/searchhasproposal:2", nil, "[1 2 3 4]"},

		{"eventid, negated", "", "POST", "/events/index", obj{"eventid": "!1"}, "[2 3 4]"},
		{"eventid, negated list", "", "GET", "/events/index/searcheventid:!1|!2", nil, "[3 4]"},
		{"eventid, list", "", "POST", "/events/index", obj{"eventid": []any{"1", 3}}, "[1 3]"},
		{"eventid, negated uuid", "", "POST", "/events/index", obj{"searcheventid": "!" + evUUID}, "[2 3 4]"},
		{"eventid, not an id", "", "POST", "/events/index", obj{"eventid": "abc"}, "[]"},
		{"eventid, in and out", "", "POST", "/events/index", obj{"eventid": "1|2|!2"}, "[1]"},

		{"org, negated", "", "POST", "/events/index", obj{"org": "!ORGNAME-A"}, "[3]"},
		{"org, negated uuid", "", "POST", "/events/index", obj{"org": "!" + e.OrgB.UUID}, "[1 2 4]"},
		{"org, unknown name empties the index", "", "POST", "/events/index", obj{"org": "ORGNAME-A|no-such-org"}, "[]"},
		{"org, unknown negated name is ignored", "", "POST", "/events/index", obj{"org": "!no-such-org"}, "[1 2 3 4]"},

		{"sharinggroup", "", "POST", "/events/index", obj{"sharinggroup": sgID}, "[4]"},
		{"sharinggroup, negated", "", "GET", "/events/index/searchsharinggroup:!" + sgID, nil, "[1 2 3]"},

		{"eventinfo, | list", "", "POST", "/events/index", obj{"eventinfo": "PHISH|second"}, "[1 2]"},
		{"eventinfo, negated", "", "POST", "/events/index", obj{"eventinfo": "!phish"}, "[2 3 4]"},
		{"eventinfo, both", "", "POST", "/events/index", obj{"eventinfo": "campaign|!phish"}, "[3]"},

		{"tags, & form", "", "POST", "/events/index", obj{"tags": "tlp:amber&tlp:green"}, "[3]"},
		{"tags, & with a negation", "", "POST", "/events/index", obj{"tags": "tlp:amber&!tlp:green"}, "[1]"},
		{"tags, & naming no tag", "", "POST", "/events/index", obj{"tags": "tlp:amber&no-such-tag"}, "[]"},
		{"tags, | list", "", "POST", "/events/index", obj{"tags": "tlp:green|tlp:amber"}, "[1 3]"},
		{"tags, & in a list is a name", "", "POST", "/events/index", obj{"tags": "tlp:amber&tlp:green|no-such-tag"}, "[]"},
		{"tag and tags are ANDed", "", "POST", "/events/index", obj{"tag": "tlp:amber", "tags": "tlp:green"}, "[3]"},
		{"tags, named & form", "", "GET", "/events/index/searchtags:tlp;amber&tlp;green", nil, "[3]"},

		{"email, own address", "", "POST", "/events/index", obj{"email": " USER@a.example "}, "[1]"},
		{"email, another address", "", "POST", "/events/index", obj{"email": "publisher@a.example"}, "[]"},
		{"email, own address in a list", "", "POST", "/events/index", obj{"email": "user@a.example|user@b.example"}, "[]"},
		{"email, site admin substring", e.Admin.Key, "POST", "/events/index", obj{"email": "PUBLISHER@"}, "[2 4]"},
		{"email, site admin list", e.Admin.Key, "POST", "/events/index", obj{"email": "user@a.example|user@b"}, "[1 3]"},
		{"email, site admin negated", e.Admin.Key, "GET", "/events/index/searchemail:!user@", nil, "[2 4]"},
		{"email, site admin unknown", e.Admin.Key, "POST", "/events/index", obj{"email": "nobody@"}, "[]"},

		{"distribution, negated", "", "POST", "/events/index", obj{"distribution": "!0"}, "[2 3 4]"},
		{"distribution, negated list", "", "POST", "/events/index", obj{"distribution": "!0|!4"}, "[2 3]"},
		{"distribution, list and negation", "", "POST", "/events/index", obj{"distribution": []any{"1", "4", "!4"}}, "[2 3]"},
		{"distribution, not a number", "", "POST", "/events/index", obj{"distribution": "abc"}, "[]"},
		{"analysis, negated", "", "POST", "/events/index", obj{"searchanalysis": "!2"}, "[1 2 4]"},
		{"threatlevel, negated", "", "POST", "/events/index", obj{"threatlevel": "!1"}, "[1 3 4]"},

		{"combined", "", "POST", "/events/index", obj{"all": "campaign", "distribution": "!0", "tags": "tlp:amber"}, "[3]"},
		{"combined, paged", "", "POST", "/events/index", obj{"attribute": "!203.0.113", "eventinfo": "!b camp", "limit": 1, "page": 2}, "[4]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == "" {
				key = e.AUser.Key
			}
			ids, count := e.indexIDs(t, tt.method, tt.path, key, tt.body)
			if ids != tt.wantIDs {
				t.Errorf("ids = %v, want %v", ids, tt.wantIDs)
			}
			body, _ := tt.body.(obj)
			if _, paged := body["limit"]; !paged && count != fmt.Sprint(len(splitIDs(tt.wantIDs))) {
				t.Errorf("X-Result-Count = %s, want %d", count, len(splitIDs(tt.wantIDs)))
			}
		})
	}
	if _, count := e.indexIDs(t, "POST", "/events/index", e.AUser.Key,
		obj{"attribute": "!203.0.113", "eventinfo": "!b camp", "limit": 1, "page": 2}); count != "2" {
		t.Errorf("combined, paged: X-Result-Count = %s, want 2", count)
	}
}

// splitIDs splits "[1 2 3]" into its ids.
func splitIDs(s string) []string {
	var out []string
	var cur []rune
	for _, r := range s {
		switch r {
		case '[', ']', ' ':
			if len(cur) > 0 {
				out = append(out, string(cur))
				cur = nil
			}
		default:
			cur = append(cur, r)
		}
	}
	return out
}

// TestEventIndexFilterLeak checks that organisation B cannot learn
// anything about A's attributes it may not see through the events/index
// filters that look at attributes: searching for the value, comment or
// tag of an organisation-only attribute, or for the value of an
// attribute in a group B is not a member of, inside an event B does
// see, finds nothing and counts 0, and excluding it excludes nothing. A
// finds its event with each.
func TestEventIndexFilterLeak(t *testing.T) {
	e := newTestEnv(t)
	e.mustTag(t, obj{"name": "leaky-tag", "colour": "#000000"})
	sg := &misp.SharingGroup{Name: "A only", Releasability: "test", Active: true, Local: true,
		OrgID: e.OrgA.ID, OrganisationUUID: e.OrgA.UUID, SharingGroupOrg: []*misp.SharingGroupOrg{{OrgID: e.OrgA.ID}}}
	if err := e.DB.CreateSharingGroup(context.Background(), sg); err != nil {
		t.Fatalf("CreateSharingGroup: %v", err)
	}
	e.callObj(t, "POST", "/events/add", e.AUser.Key, obj{"info": "Community event", "distribution": 1,
		"Attribute": []any{
			obj{"type": "domain", "value": "public.example"},
			obj{"type": "domain", "value": "hidden.example", "distribution": 0, "comment": "secret comment",
				"Tag": []any{obj{"name": "leaky-tag"}}},
			obj{"type": "domain", "value": "sg-only.example", "distribution": 4, "sharing_group_id": fmt.Sprint(sg.ID)},
		},
		"Object": []any{obj{"name": "file", "meta-category": "file", "template_uuid": "688c46fb-5edb-40a3-8273-1af7923e2215",
			"template_version": "24", "distribution": 0,
			"Attribute": []any{obj{"type": "filename", "object_relation": "filename", "value": "hidden-object.exe"}}}},
	}, http.StatusOK)

	probes := []obj{
		{"all": "hidden.example"},
		{"all": "HIDDEN.EX"},
		{"all": "secret comment"},
		{"all": "leaky-tag"},
		{"all": "sg-only"},
		{"all": "hidden-object"},
		{"attribute": "hidden.example"},
		{"attribute": "sg-only|hidden-object"},
		{"value": "hidden.example"},
		{"value": "sg-only.example"},
		{"value": "hidden-object.exe"},
	}
	for _, p := range probes {
		for _, paged := range []bool{false, true} {
			body := obj{}
			for k, v := range p {
				body[k] = v
			}
			if paged {
				body["limit"], body["page"] = 1, 1
			}
			if ids, count := e.indexIDs(t, "POST", "/events/index", e.BUser.Key, body); ids != "[]" || count != "0" {
				t.Errorf("B: events/index %v = %s, X-Result-Count %s; want nothing", body, ids, count)
			}
			if ids, count := e.indexIDs(t, "POST", "/events/index", e.AUser.Key, body); ids != "[1]" || count != "1" {
				t.Errorf("A: events/index %v = %s, X-Result-Count %s; want [1]", body, ids, count)
			}
		}
	}
	for _, term := range []string{"hidden.example", "sg-only", "hidden-object"} {
		if ids, count := e.indexIDs(t, "POST", "/events/index", e.BUser.Key, obj{"attribute": "!" + term, "limit": 1}); ids != "[1]" || count != "1" {
			t.Errorf("B: events/index attribute !%s = %s, X-Result-Count %s; want [1]", term, ids, count)
		}
		if ids, _ := e.indexIDs(t, "POST", "/events/index", e.AUser.Key, obj{"attribute": "!" + term}); ids != "[]" {
			t.Errorf("A: events/index attribute !%s = %s, want []", term, ids)
		}
	}
	if ids, _ := e.indexIDs(t, "POST", "/events/index", e.BUser.Key, obj{"all": "public.example"}); ids != "[1]" {
		t.Errorf("B: events/index all public.example = %s, want [1]", ids)
	}
}
