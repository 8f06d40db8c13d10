package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/misp"
)

// This file is the permission sweep of misp-access-control §9 and §10:
// every registered write endpoint, the role flags it requires, and the
// answer a user of another organisation gets when it may see an event but
// not change it (the creator-org rule). A new write endpoint needs a row
// in writeEndpoints; TestPermissionSweepCoversEveryWriteRoute fails until
// it has one. docs/access-control.md lists the same flags per endpoint.

// aclMessage is MISP's answer when the role lacks the endpoint's flag
// (ACLComponent::checkAccess).
const aclMessage = "You do not have permission to use this functionality."

// refusal is an expected refusal: the status and the "message" of the
// answer (or, for the AJAX-style tag answers that are HTTP 200,
// {"saved": false, "errors": message}); errors, when set, is the
// "errors" of a save failure.
type refusal struct {
	status  int
	message string
	errors  string
	saved   bool // the 200 {"saved": false, "errors": message} form
}

// writeEndpoint is one registered write route with what it requires.
type writeEndpoint struct {
	route  string // the pattern as registered with a.route
	method string
	// acl is the role requirement, in the terms of MISP's ACL_LIST:
	// space-separated terms that must all hold; a term "a|b" holds when
	// either flag does; not_read_only_authkey refuses read-only keys.
	acl  string
	path func(f *permFixture, c permActor) string
	body func(f *permFixture, c permActor) any
	// published: the fixture event must be published (unpublish).
	published bool
	// ok is the status of an allowed call (200 when 0); same, that an
	// allowed call changes nothing.
	ok   int
	same bool
	// foreign is the answer to a user of another organisation that sees
	// the fixture event and passes acl (nil: not an event write).
	foreign *refusal
}

// Refusals of the creator-org rule (misp-access-control §10), as MISP
// words them (misp-rest-api §3).
var (
	notAuthorised  = &refusal{status: http.StatusForbidden, message: "You are not authorised to do that."}
	noPermissionTo = &refusal{status: http.StatusForbidden, message: noPermission}
	notDeleted     = &refusal{status: http.StatusForbidden, message: "Could not delete Event", errors: "Event was not deleted."}
	notPublisher   = &refusal{status: http.StatusMethodNotAllowed, message: "You do not have the permission to do that."}
	notUnpublisher = &refusal{status: http.StatusForbidden, message: "You do not have the permission to do that."}
	eventTagDenied = &refusal{status: http.StatusOK, saved: true, message: "You don't have permission to do that."}
	notCreatorOrg  = &refusal{status: http.StatusForbidden, message: "Cannot alter the tags of this data, only the organisation that has created the data (orgc) can modify global tags."}
)

func idPath(prefix string, id func(f *permFixture) string) func(*permFixture, permActor) string {
	return func(f *permFixture, _ permActor) string { return prefix + id(f) }
}

func fixedPath(p string) func(*permFixture, permActor) string {
	return func(*permFixture, permActor) string { return p }
}

func fixedBody(b any) func(*permFixture, permActor) any {
	return func(*permFixture, permActor) any { return b }
}

func eventID(f *permFixture) string       { return f.eventID }
func attrID(f *permFixture) string        { return f.attrID }
func objectID(f *permFixture) string      { return f.objectID }
func refID(f *permFixture) string         { return f.refID }
func userID(f *permFixture) string        { return f.userID }
func orgID(f *permFixture) string         { return f.orgID }
func roleID(f *permFixture) string        { return f.roleID }
func spareTagID(f *permFixture) string    { return idString(int64(f.spareTag.ID)) }
func sgID(f *permFixture) string          { return f.sgID }
func taxonomyID(f *permFixture) string    { return f.taxonomyID }
func warninglistID(f *permFixture) string { return f.warninglistID }

// clusterAttach is galaxies/attachCluster of the fixture cluster to the
// fixture event.
func clusterAttach(f *permFixture, _ permActor) string {
	return "/galaxies/attachCluster/" + f.eventID + "/event/local:0"
}

// writeEndpoints lists every registered write route (a.route with POST,
// PUT or DELETE), with one write method each; a route's methods share one
// handler.
func writeEndpoints() []writeEndpoint {
	newEvent := fixedBody(obj{"Event": obj{"info": "new event"}})
	newAttr := fixedBody(obj{"type": "ip-src", "value": "198.51.100.7"})
	newAttrIn := func(f *permFixture, _ permActor) any {
		return obj{"event_id": f.eventID, "type": "ip-src", "value": "198.51.100.8"}
	}
	newObject := fixedBody(obj{"Object": obj{"name": "domain-ip", "meta-category": "network",
		"Attribute": []any{obj{"type": "domain", "object_relation": "domain", "value": "object.example"}}}})
	newRef := func(f *permFixture, _ permActor) any {
		return obj{"referenced_uuid": f.attrUUID, "relationship_type": "related-to"}
	}
	eventTag := func(f *permFixture, _ permActor) string {
		return "/events/addTag/" + f.eventID + "/" + idString(int64(f.freeTag.ID))
	}
	eventUntag := func(f *permFixture, _ permActor) string {
		return "/events/removeTag/" + f.eventID + "/" + idString(int64(f.onTag.ID))
	}
	attrTag := func(f *permFixture, _ permActor) string {
		return "/attributes/addTag/" + f.attrID + "/" + idString(int64(f.freeTag.ID))
	}
	attrUntag := func(f *permFixture, _ permActor) string {
		return "/attributes/removeTag/" + f.attrID + "/" + idString(int64(f.onTag.ID))
	}
	ownKey := func(f *permFixture, c permActor) string { return f.keyIDs[int64(c.user.User.ID)] }
	return []writeEndpoint{
		// events
		{route: "/events/add", method: "POST", acl: "perm_add", path: fixedPath("/events/add"), body: newEvent},
		{route: "/events", method: "POST", acl: "perm_add", path: fixedPath("/events"), body: newEvent},
		{route: "/events/edit/{id}", method: "POST", acl: "perm_add", path: idPath("/events/edit/", eventID),
			body: fixedBody(obj{"info": "edited"}), foreign: notAuthorised},
		{route: "/events/{id}", method: "PUT", acl: "perm_add", path: idPath("/events/", eventID),
			body: fixedBody(obj{"Event": obj{"info": "edited"}}), foreign: notAuthorised},
		{route: "/events/delete/{id}", method: "POST", acl: "perm_add", path: idPath("/events/delete/", eventID), foreign: notDeleted},
		{route: "/events/delete", method: "POST", acl: "perm_add", path: fixedPath("/events/delete"),
			body: func(f *permFixture, _ permActor) any { return obj{"id": []any{f.eventID}} }, foreign: notDeleted},
		{route: "/events/publish/{id}", method: "POST", acl: "perm_publish", path: idPath("/events/publish/", eventID), foreign: notPublisher},
		{route: "/events/unpublish/{id}", method: "POST", acl: "perm_modify", path: idPath("/events/unpublish/", eventID),
			published: true, foreign: notUnpublisher},
		{route: "/events/addTag/{id}/{tag}", method: "POST", acl: "perm_tagger", path: eventTag, foreign: eventTagDenied},
		{route: "/events/addTag", method: "POST", acl: "perm_tagger", path: fixedPath("/events/addTag"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"event": f.eventID, "tag": idString(int64(f.freeTag.ID))}
			}, foreign: eventTagDenied},
		{route: "/events/removeTag/{id}/{tag}", method: "POST", acl: "perm_tagger", path: eventUntag, foreign: eventTagDenied},
		{route: "/events/removeTag", method: "POST", acl: "perm_tagger", path: fixedPath("/events/removeTag"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"request": obj{"Event": obj{"id": f.eventID, "tag": idString(int64(f.onTag.ID))}}}
			}, foreign: eventTagDenied},
		{route: "/events/{id}", method: "DELETE", acl: "perm_add", path: idPath("/events/", eventID), foreign: notDeleted},
		{route: "/events/upload_stix", method: "POST", acl: "perm_modify", path: fixedPath("/events/upload_stix/2"),
			body: func(f *permFixture, _ permActor) any { return permSTIXBundle(f.n) }},
		{route: "/events/add_misp_export", method: "POST", acl: "perm_modify", path: fixedPath("/events/add_misp_export"),
			body: fixedBody(obj{"Event": obj{"info": "imported event",
				"Attribute": []any{obj{"type": "domain", "value": "imported.example"}}}})},

		// attributes
		{route: "/attributes/add/{event}", method: "POST", acl: "perm_add", path: idPath("/attributes/add/", eventID),
			body: newAttr, foreign: noPermissionTo},
		{route: "/attributes/add", method: "POST", acl: "perm_add", path: fixedPath("/attributes/add"),
			body: newAttrIn, foreign: noPermissionTo},
		{route: "/attributes", method: "POST", acl: "perm_add", path: fixedPath("/attributes"),
			body: newAttrIn, foreign: noPermissionTo},
		{route: "/attributes/edit/{id}", method: "POST", acl: "perm_add", path: idPath("/attributes/edit/", attrID),
			body: fixedBody(obj{"comment": "edited"}), foreign: noPermissionTo},
		{route: "/attributes/{id}", method: "PUT", acl: "perm_add", path: idPath("/attributes/", attrID),
			body: fixedBody(obj{"Attribute": obj{"comment": "edited"}}), foreign: noPermissionTo},
		{route: "/attributes/delete/{id}", method: "POST", acl: "perm_add", path: idPath("/attributes/delete/", attrID), foreign: noPermissionTo},
		{route: "/attributes/delete/{id}/{hard}", method: "POST", acl: "perm_add",
			path: func(f *permFixture, _ permActor) string { return "/attributes/delete/" + f.attrID + "/1" }, foreign: noPermissionTo},
		{route: "/attributes/{id}", method: "DELETE", acl: "perm_add", path: idPath("/attributes/", attrID), foreign: noPermissionTo},
		{route: "/attributes/restore/{id}", method: "POST", acl: "perm_add",
			path: func(f *permFixture, _ permActor) string { return "/attributes/restore/" + f.deletedAttrID },
			ok:   http.StatusFound, foreign: &refusal{status: http.StatusMethodNotAllowed, message: "Invalid Attribute"}},
		{route: "/attributes/addTag/{id}/{tag}", method: "POST", acl: "perm_tagger", path: attrTag,
			foreign: &refusal{status: http.StatusOK, saved: true, message: "Tag could not be added."}},
		{route: "/attributes/addTag", method: "POST", acl: "perm_tagger", path: fixedPath("/attributes/addTag"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"attribute": f.attrID, "tag": idString(int64(f.freeTag.ID))}
			}, foreign: &refusal{status: http.StatusOK, saved: true, message: "Tag could not be added."}},
		{route: "/attributes/removeTag/{id}/{tag}", method: "POST", acl: "perm_tagger", path: attrUntag,
			foreign: &refusal{status: http.StatusOK, saved: true, message: noPermission}},
		{route: "/attributes/removeTag", method: "POST", acl: "perm_tagger", path: fixedPath("/attributes/removeTag"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"attribute": f.attrID, "tag": idString(int64(f.onTag.ID))}
			}, foreign: &refusal{status: http.StatusOK, saved: true, message: noPermission}},

		// objects and references
		{route: "/objects/add/{event}", method: "POST", acl: "perm_add perm_modify", path: idPath("/objects/add/", eventID),
			body: newObject, foreign: noPermissionTo},
		// An unknown template uuid in the URL is 404 "Invalid template."
		// for whoever passes the ACL.
		{route: "/objects/add/{event}/{template}", method: "POST", acl: "perm_add perm_modify",
			path: func(f *permFixture, _ permActor) string {
				return "/objects/add/" + f.eventID + "/aaaaaaaa-0000-4000-8000-000000000000"
			},
			body: newObject, ok: http.StatusNotFound, same: true},
		{route: "/objects/edit/{id}", method: "POST", acl: "perm_add", path: idPath("/objects/edit/", objectID),
			body:    fixedBody(obj{"Object": obj{"comment": "edited"}}),
			foreign: &refusal{status: http.StatusForbidden, message: "Insufficient permissions to edit this object."}},
		{route: "/objects/delete/{id}", method: "POST", acl: "perm_add perm_modify", path: idPath("/objects/delete/", objectID), foreign: noPermissionTo},
		{route: "/objects/delete/{id}/{hard}", method: "DELETE", acl: "perm_add perm_modify",
			path: func(f *permFixture, _ permActor) string { return "/objects/delete/" + f.objectID + "/1" }, foreign: noPermissionTo},
		{route: "/object_references/add", method: "POST", acl: "perm_add", path: fixedPath("/object_references/add"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"object_uuid": f.objectUUID, "referenced_uuid": f.attrUUID, "relationship_type": "related-to"}
			}, foreign: &refusal{status: http.StatusNotFound, message: "Invalid object."}},
		{route: "/object_references/add/{object}", method: "POST", acl: "perm_add", path: idPath("/objectReferences/add/", objectID),
			body: newRef, foreign: &refusal{status: http.StatusNotFound, message: "Invalid object."}},
		{route: "/object_references/delete/{id}", method: "POST", acl: "perm_add", path: idPath("/object_references/delete/", refID),
			foreign: &refusal{status: http.StatusForbidden, message: "Invalid object reference."}},
		{route: "/object_references/delete/{id}/{hard}", method: "DELETE", acl: "perm_add",
			path:    func(f *permFixture, _ permActor) string { return "/object_references/delete/" + f.refID + "/true" },
			foreign: &refusal{status: http.StatusForbidden, message: "Invalid object reference."}},

		// tags
		{route: "/tags/add", method: "POST", acl: "perm_tag_editor", path: fixedPath("/tags/add"),
			body: func(f *permFixture, _ permActor) any { return obj{"name": fmt.Sprintf("perm:new-%d", f.n)} }},
		{route: "/tags/edit/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/tags/edit/", spareTagID),
			body: fixedBody(obj{"Tag": obj{"colour": "#123456"}})},
		{route: "/tags/delete/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/tags/delete/", spareTagID)},
		{route: "/tags/attachTagToObject", method: "POST", acl: "perm_tagger", path: fixedPath("/tags/attachTagToObject"),
			body:    func(f *permFixture, _ permActor) any { return obj{"uuid": f.eventUUID, "tag": f.freeTag.Name} },
			foreign: notCreatorOrg},
		{route: "/tags/removeTagFromObject", method: "POST", acl: "perm_tagger", path: fixedPath("/tags/removeTagFromObject"),
			body:    func(f *permFixture, _ permActor) any { return obj{"uuid": f.attrUUID, "tag": f.onTag.Name} },
			foreign: notCreatorOrg},

		// organisations, users, roles, auth keys
		{route: "/admin/organisations/add", method: "POST", acl: "perm_site_admin", path: fixedPath("/admin/organisations/add"),
			body: func(f *permFixture, _ permActor) any { return obj{"name": fmt.Sprintf("New org %d", f.n)} }},
		{route: "/admin/organisations/edit/{id}", method: "PUT", acl: "perm_site_admin", path: idPath("/admin/organisations/edit/", orgID),
			body: fixedBody(obj{"Organisation": obj{"description": "edited"}})},
		{route: "/admin/organisations/delete/{id}", method: "DELETE", acl: "perm_site_admin", path: idPath("/admin/organisations/delete/", orgID)},
		{route: "/admin/users/add", method: "POST", acl: "perm_admin|perm_site_admin", path: fixedPath("/admin/users/add"),
			body: func(f *permFixture, _ permActor) any { return obj{"email": fmt.Sprintf("new-%d@a.example", f.n)} }},
		{route: "/admin/users/edit/{id}", method: "PUT", acl: "perm_admin|perm_site_admin", path: idPath("/admin/users/edit/", userID),
			body: fixedBody(obj{"User": obj{"autoalert": true}})},
		{route: "/admin/users/delete/{id}", method: "DELETE", acl: "perm_admin|perm_site_admin", path: idPath("/admin/users/delete/", userID)},
		{route: "/admin/roles/add", method: "POST", acl: "perm_site_admin", path: fixedPath("/admin/roles/add"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"Role": obj{"name": fmt.Sprintf("New role %d", f.n)}}
			}},
		{route: "/admin/roles/edit/{id}", method: "PUT", acl: "perm_site_admin", path: idPath("/admin/roles/edit/", roleID),
			body: fixedBody(obj{"perm_tagger": true, "permission": "manage_org"})},
		{route: "/admin/roles/delete/{id}", method: "DELETE", acl: "perm_site_admin", path: idPath("/admin/roles/delete/", roleID)},
		{route: "/admin/roles/set_default/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/admin/roles/set_default/", roleID)},
		{route: "/auth_keys/add", method: "POST", acl: "perm_auth not_read_only_authkey", path: fixedPath("/auth_keys/add"),
			body: fixedBody(obj{"comment": "new key"})},
		{route: "/auth_keys/edit/{id}", method: "PUT", acl: "perm_auth not_read_only_authkey",
			path: func(f *permFixture, c permActor) string { return "/auth_keys/edit/" + ownKey(f, c) },
			body: fixedBody(obj{"AuthKey": obj{"comment": "edited"}})},
		{route: "/auth_keys/delete/{id}", method: "DELETE", acl: "perm_auth not_read_only_authkey",
			path: func(f *permFixture, c permActor) string { return "/auth_keys/delete/" + ownKey(f, c) }},

		// sharing groups (the fixture groups belong to org A)
		{route: "/sharing_groups/add", method: "POST", acl: "perm_sharing_group", path: fixedPath("/sharingGroups/add"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"name": fmt.Sprintf("perm:sg-new-%d", f.n), "SharingGroupOrg": []any{obj{"extend": true, "org_id": f.ownOrgID}}}
			}},
		{route: "/sharing_groups/edit/{id}", method: "POST", acl: "perm_sharing_group", path: idPath("/sharing_groups/edit/", sgID),
			body: fixedBody(obj{"SharingGroup": obj{"description": "edited"}})},
		{route: "/sharing_groups/delete/{id}", method: "POST", acl: "perm_sharing_group", path: idPath("/sharingGroups/delete/", sgID)},
		{route: "/sharing_groups/addOrg", method: "POST", acl: "perm_sharing_group", path: fixedPath("/sharingGroups/addOrg"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"sg_id": f.sgID, "org_id": f.spareOrgID, "extend": true}
			}},
		{route: "/sharing_groups/removeOrg", method: "POST", acl: "perm_sharing_group", path: fixedPath("/sharingGroups/removeOrg"),
			body: func(f *permFixture, _ permActor) any { return obj{"sg_id": f.sgID, "org_id": f.memberOrgID} }},
		{route: "/sharing_groups/addServer", method: "POST", acl: "perm_sharing_group", path: fixedPath("/sharingGroups/addServer"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"sg_id": f.bareSGID, "server_id": 0, "all_orgs": true}
			}},
		{route: "/sharing_groups/removeServer", method: "POST", acl: "perm_sharing_group", path: fixedPath("/sharingGroups/removeServer"),
			body: func(f *permFixture, _ permActor) any { return obj{"sg_id": f.sgID, "server_id": 0} }},

		// correlations (site admin; docs/correlation.md)
		{route: "/correlation_exclusions/add", method: "POST", acl: "perm_site_admin", path: fixedPath("/correlation_exclusions/add"),
			body: func(f *permFixture, _ permActor) any { return obj{"value": fmt.Sprintf("perm-new-%d.example", f.n)} }},
		{route: "/correlation_exclusions/edit/{id}", method: "PUT", acl: "perm_site_admin",
			path: idPath("/correlation_exclusions/edit/", corrExclusionID),
			body: func(f *permFixture, _ permActor) any { return obj{"comment": fmt.Sprintf("edited %d", f.n)} }},
		{route: "/correlation_exclusions/delete/{id}", method: "DELETE", acl: "perm_site_admin",
			path: idPath("/correlation_exclusions/delete/", corrExclusionID)},
		{route: "/correlation_exclusions/clean", method: "POST", acl: "perm_site_admin", path: fixedPath("/correlation_exclusions/clean"), same: true},
		{route: "/attributes/generateCorrelation", method: "POST", acl: "perm_site_admin", path: fixedPath("/attributes/generateCorrelation"), same: true},

		// taxonomies (site admin; the fixture taxonomy "perm" has 2 tags)
		{route: "/taxonomies/enable/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/taxonomies/enable/", taxonomyID), same: true},
		{route: "/taxonomies/disable/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/taxonomies/disable/", taxonomyID), same: true},
		{route: "/taxonomies/toggleRequired/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/taxonomies/toggleRequired/", taxonomyID),
			body: fixedBody(obj{"Taxonomy": obj{"required": true}}), same: true},
		{route: "/taxonomies/toggleHighlighted/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/taxonomies/toggleHighlighted/", taxonomyID),
			body: fixedBody(obj{"Taxonomy": obj{"highlighted": true}}), same: true},
		{route: "/taxonomies/addTag/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/taxonomies/addTag/", taxonomyID)},
		{route: "/taxonomies/addTag", method: "POST", acl: "perm_site_admin", path: fixedPath("/taxonomies/addTag"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"Taxonomy": obj{"taxonomy_id": f.taxonomyID, "name": "perm:second"}}
			},
			same: true}, // addTag/{id} created both tags before
		{route: "/taxonomies/disableTag/{id}", method: "POST", acl: "perm_site_admin", path: idPath("/taxonomies/disableTag/", taxonomyID), same: true},
		{route: "/taxonomies/disableTag", method: "POST", acl: "perm_site_admin", path: fixedPath("/taxonomies/disableTag"),
			body: func(f *permFixture, _ permActor) any {
				return obj{"Taxonomy": obj{"taxonomy_id": f.taxonomyID, "name": "perm:first"}}
			},
			same: true},
		{route: "/taxonomies/update", method: "POST", acl: "perm_site_admin", path: fixedPath("/taxonomies/update"), same: true},

		// freetext import into the fixture event
		{route: "/events/freeTextImport/{id}", method: "POST", acl: "perm_add", path: idPath("/events/freeTextImport/", eventID),
			body: fixedBody(obj{"value": "198.51.100.77 evil-freetext.example"}), foreign: noPermissionTo},

		// object templates (two fixture templates, ids 1 and 2)
		{route: "/object_templates/update", method: "POST", acl: "perm_site_admin", path: fixedPath("/objectTemplates/update"), same: true},
		{route: "/object_templates/activate", method: "POST", acl: "perm_site_admin", path: fixedPath("/objectTemplates/activate"),
			body: fixedBody(obj{"ObjectTemplate": obj{"data": 1}}), same: true},
		{route: "/object_templates/delete/{id}", method: "POST", acl: "perm_object_template", path: fixedPath("/objectTemplates/delete/2"), same: true},

		// galaxies (the fixture library is imported before the sweep)
		{route: "/galaxies/update", method: "POST", acl: "perm_site_admin", path: fixedPath("/galaxies/update"), same: true},
		{route: "/galaxies/attachCluster/{target}/{type}", method: "POST", acl: "perm_tagger", path: clusterAttach,
			body:    func(f *permFixture, _ permActor) any { return obj{"Galaxy": obj{"target_id": f.clusterID}} },
			foreign: &refusal{status: http.StatusForbidden, message: "No permission to attach this cluster to given target."}},
		// warninglists: the fixture list "perm", disabled before each call
		{route: "/warninglists/toggleEnable", method: "POST", acl: "perm_warninglist", path: fixedPath("/warninglists/toggleEnable"),
			body: func(f *permFixture, _ permActor) any { return obj{"id": []string{f.warninglistID}} }},
		{route: "/warninglists/enableWarninglist/{id}/{enable}", method: "POST", acl: "perm_warninglist",
			path: func(f *permFixture, _ permActor) string {
				return "/warninglists/enableWarninglist/" + f.warninglistID + "/1"
			},
			ok: http.StatusFound},
		{route: "/warninglists/enableWarninglist/{id}", method: "POST", acl: "perm_warninglist",
			path: idPath("/warninglists/enableWarninglist/", warninglistID), ok: http.StatusFound, same: true},
		{route: "/warninglists/update", method: "POST", acl: "perm_site_admin", path: fixedPath("/warninglists/update"), same: true},
	}
}

// readRoutesWithPOST are routes registered with POST that only read:
// searches and views whose filters may come in a body.
var readRoutesWithPOST = map[string]string{
	"/events/index":     "filters in the body",
	"/events/view/{id}": "PyMISP's get_event(deleted=…) posts its options",
	"/tags/index":       "filters in the body",
	"/tags/search":      "search terms in the body",
	// restSearch filters come in the body (misp-rest-api §4.1).
	"/events/restSearch":     "filters in the body",
	"/attributes/restSearch": "filters in the body",
	// perm_audit; filters in the body.
	"/admin/logs/index":       "filters in the body",
	"/admin/audit_logs/index": "filters in the body",
	// Parsing a text stores nothing.
	"/freetext/parse": "the text in the body",
	// Galaxy and cluster searches (PyMISP's search_galaxy posts to /galaxies).
	"/galaxies":                       "filters in the body",
	"/galaxies/index":                 "filters in the body",
	"/galaxy_clusters/index/{galaxy}": "filters in the body",
	"/galaxy_clusters/restSearch":     "filters in the body",
	// Warninglist filters and the values to check come in the body.
	"/warninglists/index":      "filters in the body",
	"/warninglists/checkValue": "values to check in the body",
	// Site admin; filters in the body.
	"/correlation_exclusions/index": "filters in the body",
}

// TestPermissionSweepCoversEveryWriteRoute checks that writeEndpoints
// lists every route registered with a write method, and nothing else.
func TestPermissionSweepCoversEveryWriteRoute(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 4 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "route" {
				return true
			}
			methods, ok1 := stringLit(call.Args[1])
			path, ok2 := stringLit(call.Args[2])
			if !ok1 || !ok2 {
				t.Errorf("%s: a.route with a non-literal method or path", fset.Position(call.Pos()))
				return true
			}
			for _, m := range strings.Fields(methods) {
				if m != http.MethodGet && readRoutesWithPOST[path] == "" {
					registered[path] = true
				}
			}
			return true
		})
	}
	listed := map[string]bool{}
	for _, ep := range writeEndpoints() {
		listed[ep.route] = true
	}
	var missing, stale []string
	for r := range registered {
		if !listed[r] {
			missing = append(missing, r)
		}
	}
	for r := range listed {
		if !registered[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("write routes without a row in writeEndpoints (add one with the flags MISP's ACL_LIST requires): %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("writeEndpoints rows for routes that are not registered: %v", stale)
	}
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// permFlag reads a perm_* flag of p by its JSON name.
func permFlag(p misp.Perms, name string) bool {
	v := reflect.ValueOf(p)
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Tag.Get("json") == name {
			return v.Field(i).Bool()
		}
	}
	panic("unknown permission flag " + name)
}

// aclAllows evaluates an acl expression of writeEndpoint.
func aclAllows(acl string, p misp.Perms, readOnlyKey bool) bool {
	for _, term := range strings.Fields(acl) {
		if term == "not_read_only_authkey" {
			if readOnlyKey {
				return false
			}
			continue
		}
		held := false
		for _, flag := range strings.Split(term, "|") {
			held = held || permFlag(p, flag)
		}
		if !held {
			return false
		}
	}
	return true
}

// permActor is a caller of the sweep.
type permActor struct {
	name  string
	user  *testUser
	key   string
	perms misp.Perms // in force for the request
	ro    bool       // a read-only key
}

func (c permActor) allowed(ep writeEndpoint) bool { return aclAllows(ep.acl, c.perms, c.ro) }

// roleActors returns a user of org A with each default role (1 to 6),
// and a read-only key of the publisher.
func (e *testEnv) roleActors(t *testing.T) []permActor {
	t.Helper()
	orgAdmin := e.mustUser(t, "orgadmin@a.example", e.OrgA, misp.RoleOrgAdmin, 20)
	syncUser := e.mustUser(t, "sync@a.example", e.OrgA, misp.RoleSyncUser, 21)
	var actors []permActor
	for _, u := range []*testUser{e.Admin, orgAdmin, e.AUser, e.APublisher, syncUser, e.AReadOnly} {
		actors = append(actors, permActor{name: fmt.Sprintf("role %d %s", u.Role.ID, u.Role.Name), user: u, key: u.Key, perms: u.Role.Perms})
	}
	return append(actors, permActor{name: "read-only key", user: e.APublisher, key: e.PublisherRO,
		perms: e.APublisher.Role.Perms.ReadOnly(), ro: true})
}

// permFixture is what one write acts on. Each call gets a fresh n, for
// the names of what it creates; the parts are shared by calls until one
// changes them.
type permFixture struct {
	n int
	eventPart
	adminPart
	sgPart
	keyIDs     map[int64]string // an auth key of the caller's user, by user id
	taxonomyID string           // the fixture taxonomy "perm"
	// warninglistID is the fixture warninglist "perm", disabled.
	warninglistID string
	exclusion     string // the fixture correlation exclusion's id
	clusterID     string // the fixture galaxy cluster APT28
}

// eventPart is an event with a tagged attribute, a deleted attribute and
// an object with a reference.
type eventPart struct {
	published            bool
	eventID, eventUUID   string
	attrID, attrUUID     string
	deletedAttrID        string
	objectID, objectUUID string
	refID                string
	onTag, freeTag       *misp.Tag // onTag is attached to the event and the attribute
}

// adminPart is what the tag, organisation, user and role endpoints act on.
type adminPart struct {
	spareTag              *misp.Tag
	userID, orgID, roleID string
}

// sgPart is what the sharing-group endpoints act on: a group of org A
// (A with extend, memberOrgID without; this instance listed) and one
// without servers, both owned by org A, and an organisation in neither.
type sgPart struct {
	ownOrgID, memberOrgID, spareOrgID string
	sgID, bareSGID                    string
}

// newSGPart creates the sharing-group fixture.
func (e *testEnv) newSGPart(t *testing.T, n int) sgPart {
	t.Helper()
	ctx := context.Background()
	org := &misp.Organisation{Name: fmt.Sprintf("SG fixture org %d", n), Local: true}
	if err := e.DB.CreateOrg(ctx, org); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	group := func(name string, servers ...*misp.SharingGroupServer) string {
		g := &misp.SharingGroup{Name: fmt.Sprintf("perm:%s-%d", name, n), Active: true, OrgID: e.OrgA.ID, OrganisationUUID: e.OrgA.UUID,
			SharingGroupOrg:    []*misp.SharingGroupOrg{{OrgID: e.OrgA.ID, Extend: true}, {OrgID: e.OrgB.ID}},
			SharingGroupServer: servers}
		if err := e.DB.CreateSharingGroup(ctx, g); err != nil {
			t.Fatalf("CreateSharingGroup: %v", err)
		}
		return idStr(g.ID)
	}
	return sgPart{ownOrgID: idStr(e.OrgA.ID), memberOrgID: idStr(e.OrgB.ID), spareOrgID: idStr(org.ID),
		sgID: group("sg", &misp.SharingGroupServer{ServerID: misp.LocalServerID}), bareSGID: group("bare-sg")}
}

// part names the fixture part a row acts on: "event", "admin", "sg" or "key".
func (ep writeEndpoint) part() string {
	switch {
	case strings.HasPrefix(ep.route, "/auth_keys/"):
		return "key"
	case strings.HasPrefix(ep.route, "/sharing_groups/"):
		return "sg"
	case strings.HasPrefix(ep.route, "/taxonomies/"):
		return "taxonomy"
	case strings.HasPrefix(ep.route, "/warninglists/"):
		return "warninglist"
	case strings.HasPrefix(ep.route, "/correlation_exclusions/"), ep.route == "/attributes/generateCorrelation":
		return "correlation"
	case ep.route == "/galaxies/update":
		return "galaxy"
	case strings.HasPrefix(ep.route, "/admin/"), strings.HasPrefix(ep.route, "/tags/add"),
		strings.HasPrefix(ep.route, "/tags/edit"), strings.HasPrefix(ep.route, "/tags/delete"):
		return "admin"
	}
	return "event"
}

// eventOpts say who creates a fixture event and how.
type eventOpts struct {
	creator      *testUser
	distribution int
	orgc         *misp.Organisation // creator organisation, for sync users
	published    bool
}

// newEventPart creates a fixture event; n makes its names unique.
func (e *testEnv) newEventPart(t *testing.T, n int, o eventOpts) eventPart {
	t.Helper()
	ctx := context.Background()
	f := eventPart{published: o.published}
	tag := func(kind string) *misp.Tag {
		tg := &misp.Tag{Name: fmt.Sprintf("perm:%s-%d", kind, n), Colour: "#336699", Exportable: true}
		if err := e.DB.CreateTag(ctx, tg); err != nil {
			t.Fatalf("CreateTag: %v", err)
		}
		return tg
	}
	f.onTag, f.freeTag = tag("on"), tag("free")
	f.attrUUID, f.objectUUID = misp.NewUUID(), misp.NewUUID()
	deletedUUID := misp.NewUUID()
	ev := obj{
		"info":         fmt.Sprintf("permission fixture %d", n),
		"distribution": o.distribution,
		"Tag":          []any{obj{"name": f.onTag.Name}},
		"Attribute": []any{
			obj{"uuid": f.attrUUID, "type": "ip-dst", "value": fmt.Sprintf("192.0.2.%d", n%250+1),
				"Tag": []any{obj{"name": f.onTag.Name}}},
			obj{"uuid": deletedUUID, "type": "domain", "value": fmt.Sprintf("gone-%d.example", n)},
		},
		"Object": []any{obj{"uuid": f.objectUUID, "name": "file", "meta-category": "file",
			"Attribute": []any{
				obj{"type": "filename", "object_relation": "filename", "value": fmt.Sprintf("f%d.exe", n)},
				obj{"type": "md5", "object_relation": "md5", "value": fmt.Sprintf("%032x", n)},
			},
			"ObjectReference": []any{obj{"referenced_uuid": f.attrUUID, "relationship_type": "related-to"}},
		}},
	}
	if o.orgc != nil {
		ev["Orgc"] = obj{"uuid": o.orgc.UUID, "name": o.orgc.Name}
	}
	out := e.callObj(t, "POST", "/events/add", o.creator.Key, obj{"Event": ev}, http.StatusOK)
	f.eventID = dig(t, out, "Event", "id").(string)
	f.eventUUID = dig(t, out, "Event", "uuid").(string)
	for _, a := range dig(t, out, "Event", "Attribute").([]any) {
		switch a.(obj)["uuid"] {
		case f.attrUUID:
			f.attrID = a.(obj)["id"].(string)
		case deletedUUID:
			f.deletedAttrID = a.(obj)["id"].(string)
		}
	}
	f.objectID = dig(t, out, "Event", "Object", 0, "id").(string)
	f.refID = dig(t, out, "Event", "Object", 0, "ObjectReference", 0, "id").(string)
	if f.attrID == "" || f.deletedAttrID == "" {
		t.Fatalf("fixture event without its attributes: %v", out)
	}
	// Deleting an attribute unpublishes the event, so publish after it.
	e.callObj(t, "POST", "/attributes/delete/"+f.deletedAttrID, e.Admin.Key, nil, http.StatusOK)
	if o.published {
		e.callObj(t, "POST", "/events/publish/"+f.eventID, e.Admin.Key, nil, http.StatusOK)
	}
	return f
}

// newAdminPart creates a tag, a user of org A, an organisation and a role.
func (e *testEnv) newAdminPart(t *testing.T, n int) adminPart {
	t.Helper()
	ctx := context.Background()
	tg := &misp.Tag{Name: fmt.Sprintf("perm:spare-%d", n), Colour: "#336699", Exportable: true}
	if err := e.DB.CreateTag(ctx, tg); err != nil {
		t.Fatalf("CreateTag: %v", err)
	}
	u := &misp.User{Email: fmt.Sprintf("target-%d@a.example", n), OrgID: e.OrgA.ID, RoleID: misp.RoleUser}
	if err := e.DB.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	org := &misp.Organisation{Name: fmt.Sprintf("Fixture org %d", n), Local: true}
	if err := e.DB.CreateOrg(ctx, org); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	role := &misp.Role{Name: fmt.Sprintf("Fixture role %d", n)}
	if err := e.DB.CreateRole(ctx, role); err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	return adminPart{spareTag: tg, userID: idStr(u.ID), orgID: idStr(org.ID), roleID: idStr(role.ID)}
}

// permTaxonomy imports the fixture taxonomy (again: unchanged) and
// returns its id; its tags are shown or hidden by the calls.
func (e *testEnv) permTaxonomy(t *testing.T) string {
	t.Helper()
	tx := &misp.Taxonomy{Namespace: "perm", Description: "Permission fixture.", Version: 1,
		Predicates: []*misp.TaxonomyPredicate{{Value: "first", TagColour: "#112233"}, {Value: "second", TagColour: "#445566"}}}
	if _, err := e.DB.ImportTaxonomies(context.Background(), []*misp.Taxonomy{tx}); err != nil {
		t.Fatalf("ImportTaxonomies: %v", err)
	}
	return idStr(tx.ID)
}

// permWarninglist imports the fixture warninglist "perm" (once; later
// calls find it unchanged), disables it and returns its id.
func (e *testEnv) permWarninglist(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	w := &misp.Warninglist{Name: "perm", Type: "string", Description: "Permission fixture.", Version: 1,
		Category: "false_positive", Entries: []misp.WarninglistEntry{{Value: "perm.example"}}}
	if _, err := e.DB.ImportWarninglists(ctx, []*misp.Warninglist{w}); err != nil {
		t.Fatalf("ImportWarninglists: %v", err)
	}
	off := false
	if _, err := e.DB.ToggleWarninglists(ctx, misp.WarninglistSelection{IDs: []int64{int64(w.ID)}}, &off); err != nil {
		t.Fatalf("ToggleWarninglists: %v", err)
	}
	return idStr(w.ID)
}

// newKeyFor creates an auth key for u and returns its id.
func (e *testEnv) newKeyFor(t *testing.T, u *testUser) string {
	t.Helper()
	k := &misp.AuthKey{UserID: u.User.ID, Comment: "fixture key"}
	if err := auth.NewAuthKey(k, auth.GenerateKey()); err != nil {
		t.Fatalf("NewAuthKey: %v", err)
	}
	if err := e.DB.CreateAuthKey(context.Background(), k); err != nil {
		t.Fatalf("CreateAuthKey: %v", err)
	}
	return idStr(k.ID)
}

// worldState dumps what a write on fixture f could change: the number of
// rows of every table, the fixture's event in full (deleted elements
// included) and its tag, user, organisation, role and keys, and every role.
func (e *testEnv) worldState(t *testing.T, f *permFixture) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, table := range []string{"events", "attributes", "objects", "object_references", "event_tags",
		"attribute_tags", "tags", "organisations", "users", "auth_keys", "roles",
		"sharing_groups", "sharing_group_orgs", "sharing_group_servers", "correlation_exclusions", "warninglists"} {
		var n int
		// The table names are the constants above.
		if err := e.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	dump := func(what string, v any, err error) {
		if err != nil {
			fmt.Fprintf(&b, "\n%s: %v", what, err)
			return
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n%s %s", what, j)
	}
	num := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("fixture id %q: %v", s, err)
		}
		return n
	}
	if f != nil && f.eventID != "" {
		ev, err := e.DB.FindEventByID(ctx, e.Admin.Actor(), num(f.eventID), misp.EventViewOptions{Deleted: misp.DeletedInclude})
		dump("event", ev, err)
	}
	if f != nil && f.userID != "" {
		tg, err := e.DB.FindTagByID(ctx, int64(f.spareTag.ID))
		dump("tag", tg, err)
		u, err := e.DB.FindUserByID(ctx, num(f.userID))
		dump("user", u, err)
		o, err := e.DB.FindOrgByID(ctx, num(f.orgID))
		dump("org", o, err)
	}
	if f != nil && f.sgID != "" {
		for _, id := range []string{f.sgID, f.bareSGID} {
			g, err := e.DB.FindSharingGroupByID(ctx, e.Admin.Actor(), num(id))
			dump("sharing group", g, err)
		}
	}
	if f != nil {
		for _, id := range f.keyIDs {
			k, err := e.DB.FindAuthKeyByID(ctx, num(id))
			if err == nil {
				k.LastUsed, k.UniqueIPs = 0, nil // usage, which any request records
			}
			dump("key", k, err)
		}
	}
	xs, err := e.DB.FindCorrelationExclusions(ctx, misp.CorrelationExclusionFilter{})
	dump("correlation exclusions", xs, err)
	wls, err := e.DB.FindWarninglists(ctx, misp.WarninglistFilter{})
	dump("warninglists", wls, err)
	fmt.Fprintf(&b, "\nroles %s", roleState(t, e))
	return b.String()
}

// checkRefusal fails the test unless the answer is want.
func checkRefusal(t *testing.T, status int, body []byte, want refusal) {
	t.Helper()
	if status != want.status {
		t.Fatalf("status %d, want %d; body: %s", status, want.status, body)
	}
	var m obj
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("answer is not a JSON object (%v): %s", err, body)
	}
	if want.saved {
		if m["saved"] != false || m["errors"] != want.message {
			t.Errorf("answer %v, want {\"saved\": false, \"errors\": %q}", m, want.message)
		}
		return
	}
	if m["message"] != want.message || (want.errors != "" && m["errors"] != want.errors) {
		t.Errorf("answer %v, want message %q errors %q", m, want.message, want.errors)
	}
}

// TestPermissionSweep calls every write endpoint as a user of each
// default role and with a read-only key, on data of the caller's own
// organisation: callers whose role lacks the endpoint's flags get MISP's
// 403 and change nothing; the others succeed.
func TestPermissionSweep(t *testing.T) {
	e := newGalaxyEnv(t)
	e.mustObjectTemplates(t)
	clusterID := e.clusterID(t, "APT28")
	actors := e.roleActors(t)
	var (
		n    int
		ev   *eventPart
		ad   *adminPart
		sg   *sgPart
		cx   string // the fixture correlation exclusion
		keys = map[int64]string{}
	)
	// fixture returns what a call of ep by c acts on, creating the part
	// it needs when there is none or the last call changed it.
	fixture := func(t *testing.T, ep writeEndpoint, c permActor) *permFixture {
		n++
		f := &permFixture{n: n, keyIDs: map[int64]string{}, clusterID: clusterID}
		switch ep.part() {
		case "event":
			if ev == nil || ev.published != ep.published {
				p := e.newEventPart(t, n, eventOpts{creator: e.Admin, published: ep.published})
				ev = &p
			}
			f.eventPart = *ev
		case "admin":
			if ad == nil {
				p := e.newAdminPart(t, n)
				ad = &p
			}
			f.adminPart = *ad
		case "sg":
			if sg == nil {
				p := e.newSGPart(t, n)
				sg = &p
			}
			f.sgPart = *sg
		case "taxonomy":
			f.taxonomyID = e.permTaxonomy(t)
		case "warninglist":
			f.warninglistID = e.permWarninglist(t)
		case "correlation":
			if cx == "" {
				cx = e.permExclusion(t, n)
			}
			f.exclusion = cx
		case "key":
			uid := int64(c.user.User.ID)
			if keys[uid] == "" {
				keys[uid] = e.newKeyFor(t, c.user)
			}
			f.keyIDs[uid] = keys[uid]
		}
		return f
	}
	changed := func(ep writeEndpoint, c permActor) {
		switch ep.part() {
		case "event":
			ev = nil
		case "admin":
			ad = nil
		case "sg":
			sg = nil
		case "correlation":
			cx = ""
		case "key":
			delete(keys, int64(c.user.User.ID))
		}
	}
	for _, ep := range writeEndpoints() {
		allowed, refused := 0, 0
		for _, c := range actors {
			if c.allowed(ep) {
				allowed++
			} else {
				refused++
			}
			t.Run(ep.method+" "+ep.route+"/"+c.name, func(t *testing.T) {
				f := fixture(t, ep, c)
				var body any
				if ep.body != nil {
					body = ep.body(f, c)
				}
				before := e.worldState(t, f)
				status, _, b := e.do(t, ep.method, ep.path(f, c), c.key, body)
				after := e.worldState(t, f)
				if !c.allowed(ep) {
					checkRefusal(t, status, b, refusal{status: http.StatusForbidden, message: aclMessage})
					if after != before {
						t.Errorf("a refused call changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
					}
					return
				}
				want := ep.ok
				if want == 0 {
					want = http.StatusOK
				}
				if status != want {
					t.Fatalf("status %d, want %d; body: %s", status, want, b)
				}
				var m obj
				if json.Unmarshal(b, &m) == nil && m["saved"] == false {
					t.Errorf("answer %s, want a success", b)
				}
				if ep.same != (after == before) {
					t.Errorf("allowed call: state changed = %v, want %v", after != before, !ep.same)
				}
				if after != before {
					changed(ep, c)
				}
			})
		}
		if allowed == 0 || refused == 0 {
			t.Errorf("%s %s: allowed for %d and refused for %d callers; a sweep row must have both", ep.method, ep.route, allowed, refused)
		}
	}
}

// crossOrgActors returns users of org B whose roles pass the ACL of the
// event writes: User, Org Admin and Publisher.
func (e *testEnv) crossOrgActors(t *testing.T) []permActor {
	t.Helper()
	publisher := e.mustUser(t, "publisher@b.example", e.OrgB, misp.RolePublisher, 22)
	var actors []permActor
	for _, u := range []*testUser{e.BUser, e.BOrgAdmin, publisher} {
		actors = append(actors, permActor{name: "B " + u.Role.Name, user: u, key: u.Key, perms: u.Role.Perms})
	}
	return actors
}

// TestCreatorOrgRule checks misp-access-control §10 and §12: a user of
// organisation B who can see an event created by organisation A cannot
// edit, delete, publish, unpublish, tag (globally) or add, edit, delete
// or restore its attributes, objects and references, even with every
// role flag the endpoint needs; each refusal is MISP's answer, and
// changes nothing. B sees the event in two ways:
//
//   - owned by B, created by A: a copy that B's sync user received,
//     carrying A as its creator (Event.org_id = B, Event.orgc_id = A);
//     the owner organisation sees it but modification follows the creator;
//   - created and owned by A with distribution 1 (this community).
func TestCreatorOrgRule(t *testing.T) {
	e := newTestEnv(t)
	bSync := e.mustUser(t, "sync@b.example", e.OrgB, misp.RoleSyncUser, 23)
	actors := e.crossOrgActors(t)
	modes := []struct {
		name string
		opts eventOpts
	}{
		{"owned by B, created by A", eventOpts{creator: bSync, orgc: e.OrgA}},
		{"A's event, distribution 1", eventOpts{creator: e.APublisher, distribution: 1}},
	}
	n := 0
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			fixtures := map[bool]*permFixture{}
			for _, published := range []bool{false, true} {
				n++
				o := mode.opts
				o.published = published
				fixtures[published] = &permFixture{n: n, eventPart: e.newEventPart(t, n, o)}
			}
			f := fixtures[false]
			ev := e.callObj(t, "GET", "/events/view/"+f.eventID, e.Admin.Key, nil, http.StatusOK)
			if dig(t, ev, "Event", "orgc_id") != idStr(e.OrgA.ID) {
				t.Fatalf("fixture event not created by org A: %v", dig(t, ev, "Event", "Orgc"))
			}
			for _, c := range actors {
				for _, fx := range fixtures {
					if status, _, b := e.do(t, "GET", "/events/view/"+fx.eventID, c.key, nil); status != http.StatusOK {
						t.Fatalf("%s cannot see the fixture event (status %d: %s); the rule is only tested on visible events", c.name, status, b)
					}
				}
			}
			for _, ep := range writeEndpoints() {
				if ep.foreign == nil {
					continue
				}
				for _, c := range actors {
					if !c.allowed(ep) {
						continue // the flag layer refuses first: TestPermissionSweep
					}
					t.Run(ep.method+" "+ep.route+"/"+c.name, func(t *testing.T) {
						f := fixtures[ep.published]
						var body any
						if ep.body != nil {
							body = ep.body(f, c)
						}
						before := e.worldState(t, f)
						status, _, b := e.do(t, ep.method, ep.path(f, c), c.key, body)
						checkRefusal(t, status, b, *ep.foreign)
						if after := e.worldState(t, f); after != before {
							t.Errorf("a refused call changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
						}
					})
				}
			}
		})
	}
}

// TestModifyOwnVersusOrg checks perm_modify against perm_modify_org and
// perm_add alone, with roles a site admin creates: a manage_own user
// changes only the events it created, a user with perm_add alone creates
// events but changes none, not even its own, and may not create or delete
// objects.
func TestModifyOwnVersusOrg(t *testing.T) {
	e := newTestEnv(t)
	mkRole := func(body obj) int64 {
		role := dig(t, e.callObj(t, "POST", "/admin/roles/add", e.Admin.Key, body, http.StatusOK), "Role").(obj)
		id, err := strconv.ParseInt(role["id"].(string), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	own := e.mustUser(t, "own@a.example", e.OrgA, mkRole(obj{"name": "Own", "permission": "manage_own", "perm_auth": true, "perm_tagger": true}), 24)
	addOnly := e.mustUser(t, "addonly@a.example", e.OrgA, mkRole(obj{"name": "Add only", "perm_add": true, "perm_auth": true}), 25)

	ownEvent := e.mustEvent(t, own, "own event")
	orgEvent := e.mustEvent(t, e.AUser, "colleague's event")
	addOnlyEvent := e.mustEvent(t, addOnly, "add-only event")

	allowed := []struct{ name, key, method, path string }{
		{"manage_own edits its event", own.Key, "POST", "/events/edit/" + ownEvent},
		{"manage_own adds an attribute to its event", own.Key, "POST", "/attributes/add/" + ownEvent},
		{"manage_own unpublishes its event", own.Key, "POST", "/events/unpublish/" + ownEvent},
	}
	bodies := map[string]any{
		"/events/edit/":    obj{"info": "edited"},
		"/attributes/add/": obj{"type": "ip-src", "value": "198.51.100.9"},
		"/objects/add/": obj{"Object": obj{"name": "domain-ip", "meta-category": "network",
			"Attribute": []any{obj{"type": "domain", "object_relation": "domain", "value": "own.example"}}}},
	}
	bodyFor := func(path string) any {
		for prefix, b := range bodies {
			if strings.HasPrefix(path, prefix) {
				return b
			}
		}
		return nil
	}
	for _, c := range allowed {
		t.Run(c.name, func(t *testing.T) {
			e.callObj(t, c.method, c.path, c.key, bodyFor(c.path), http.StatusOK)
		})
	}

	refused := []struct {
		name, key, path string
		want            refusal
	}{
		{"manage_own edits a colleague's event", own.Key, "/events/edit/" + orgEvent, *notAuthorised},
		{"manage_own adds an attribute to a colleague's event", own.Key, "/attributes/add/" + orgEvent, *noPermissionTo},
		{"manage_own adds an object to a colleague's event", own.Key, "/objects/add/" + orgEvent, *noPermissionTo},
		{"manage_own unpublishes a colleague's event", own.Key, "/events/unpublish/" + orgEvent, *notUnpublisher},
		{"manage_own deletes a colleague's event", own.Key, "/events/delete/" + orgEvent, *notDeleted},
		{"manage_own tags a colleague's event", own.Key, "/events/addTag/" + orgEvent + "/1", *eventTagDenied},
		{"manage_own publishes its event", own.Key, "/events/publish/" + ownEvent, refusal{status: http.StatusForbidden, message: aclMessage}},
		{"add only edits its own event", addOnly.Key, "/events/edit/" + addOnlyEvent, *notAuthorised},
		{"add only adds an attribute to its own event", addOnly.Key, "/attributes/add/" + addOnlyEvent, *noPermissionTo},
		{"add only adds an object", addOnly.Key, "/objects/add/" + addOnlyEvent,
			refusal{status: http.StatusForbidden, message: "You don't have permissions to create objects."}},
		{"add only deletes an object", addOnly.Key, "/objects/delete/1",
			refusal{status: http.StatusForbidden, message: "You don't have permissions to delete objects."}},
		{"add only unpublishes its own event", addOnly.Key, "/events/unpublish/" + addOnlyEvent, refusal{status: http.StatusForbidden, message: aclMessage}},
		{"add only tags its own event", addOnly.Key, "/events/addTag/" + addOnlyEvent + "/1", refusal{status: http.StatusForbidden, message: aclMessage}},
	}
	e.mustTag(t, obj{"name": "own:tag"})
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			before := e.worldState(t, nil)
			status, _, b := e.do(t, "POST", c.path, c.key, bodyFor(c.path))
			checkRefusal(t, status, b, c.want)
			if after := e.worldState(t, nil); after != before {
				t.Errorf("a refused call changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	t.Run("add only creates events", func(t *testing.T) {
		e.callObj(t, "POST", "/events/add", addOnly.Key, obj{"info": "another"}, http.StatusOK)
	})
}

// TestOrgAdminRoleLimits extends TestOrgAdminConfinedToOwnOrg with the
// role rules of misp-access-control §8.3 that need roles beyond the
// defaults: an org admin may not assign a role with perm_regexp_access or
// a restricted_to_site_admin one (not even the user's current one), may
// keep a user's current sync role, and may view but not edit or delete a
// site admin of its own organisation.
func TestOrgAdminRoleLimits(t *testing.T) {
	e := newTestEnv(t)
	key := e.BOrgAdmin.Key
	roleID := func(body obj) string {
		return dig(t, e.callObj(t, "POST", "/admin/roles/add", e.Admin.Key, body, http.StatusOK), "Role", "id").(string)
	}
	regexpRole := roleID(obj{"name": "Regexp editor", "permission": 1, "perm_auth": true, "perm_regexp_access": true})
	restricted := roleID(obj{"name": "Restricted", "permission": 1, "perm_auth": true, "restricted_to_site_admin": true})
	restrictedID, err := strconv.ParseInt(restricted, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	restrictedUser := e.mustUser(t, "restricted@b.example", e.OrgB, restrictedID, 26)
	syncUser := e.mustUser(t, "sync@b.example", e.OrgB, misp.RoleSyncUser, 27)
	siteAdminB := e.mustUser(t, "root@b.example", e.OrgB, misp.RoleAdmin, 28)

	before := e.adminState(t)
	refused := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"create a regexp user", "POST", "/admin/users/add", obj{"email": "re@b.example", "role_id": regexpRole}, http.StatusForbidden},
		{"create a restricted-role user", "POST", "/admin/users/add", obj{"email": "rr@b.example", "role_id": restricted}, http.StatusForbidden},
		{"give a user a regexp role", "POST", userPath("/admin/users/edit/%d", e.BUser), obj{"role_id": regexpRole}, http.StatusForbidden},
		{"give a user a restricted role", "POST", userPath("/admin/users/edit/%d", e.BUser), obj{"role_id": restricted}, http.StatusForbidden},
		{"keep a user's restricted role", "POST", userPath("/admin/users/edit/%d", restrictedUser), obj{"role_id": restricted, "autoalert": true}, http.StatusForbidden},
		{"edit a site admin of its own org", "POST", userPath("/admin/users/edit/%d", siteAdminB), obj{"autoalert": true}, http.StatusNotFound},
		{"demote a site admin of its own org", "POST", userPath("/admin/users/edit/%d", siteAdminB), obj{"role_id": misp.RoleUser}, http.StatusNotFound},
		{"delete a site admin of its own org", "POST", userPath("/admin/users/delete/%d", siteAdminB), nil, http.StatusNotFound},
		{"create a role", "POST", "/admin/roles/add", obj{"name": "Mine", "perm_site_admin": true}, http.StatusForbidden},
		{"give its role site admin", "POST", "/admin/roles/edit/2", obj{"perm_site_admin": true}, http.StatusForbidden},
		{"make the admin role the default", "POST", "/admin/roles/set_default/1", nil, http.StatusForbidden},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			rs := roleState(t, e)
			m := e.callObj(t, tt.method, tt.path, key, tt.body, tt.status)
			if tt.status == http.StatusForbidden && m["saved"] != false && m["message"] != aclMessage {
				t.Errorf("answer %v, want a save failure or MISP's ACL refusal", m)
			}
			if tt.status == http.StatusForbidden && strings.HasPrefix(tt.path, "/admin/users/") {
				if dig(t, m, "errors", "role_id", 0) != msgRoleNotAssignable {
					t.Errorf("answer %v, want role_id %q", m, msgRoleNotAssignable)
				}
			}
			if after := roleState(t, e); after != rs {
				t.Errorf("roles changed:\n%s\nwant:\n%s", after, rs)
			}
		})
	}
	e.assertAdminUnchanged(t, before)

	t.Run("view a site admin of its own org", func(t *testing.T) {
		e.callObj(t, "GET", userPath("/admin/users/view/%d", siteAdminB), key, nil, http.StatusOK)
	})
	t.Run("keep a user's current sync role", func(t *testing.T) {
		m := e.callObj(t, "POST", userPath("/admin/users/edit/%d", syncUser), key, obj{"role_id": misp.RoleSyncUser, "autoalert": true}, http.StatusOK)
		if dig(t, m, "User", "role_id") != "5" || dig(t, m, "User", "autoalert") != true {
			t.Errorf("edit = %v", m)
		}
	})
	t.Run("edit a restricted-role user without touching its role", func(t *testing.T) {
		e.callObj(t, "POST", userPath("/admin/users/edit/%d", restrictedUser), key, obj{"autoalert": true}, http.StatusOK)
	})
}

// TestSiteAdminRoleFlagsChecked pins a documented deviation: a custom
// role with perm_site_admin but without an endpoint's flag is refused at
// the flag layer (MISP's ACL would let any site admin through), while it
// still sees all data and passes the site-admin-only endpoints.
func TestSiteAdminRoleFlagsChecked(t *testing.T) {
	e := newTestEnv(t)
	role := dig(t, e.callObj(t, "POST", "/admin/roles/add", e.Admin.Key,
		obj{"name": "Bare admin", "perm_site_admin": true, "perm_auth": true}, http.StatusOK), "Role", "id").(string)
	id, err := strconv.ParseInt(role, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	bare := e.mustUser(t, "bare@b.example", e.OrgB, id, 29)
	event := e.mustEvent(t, e.AUser, "org A only")

	e.callObj(t, "GET", "/events/view/"+event, bare.Key, nil, http.StatusOK)
	e.call(t, "GET", "/admin/users/index", bare.Key, nil, http.StatusOK)
	e.callObj(t, "POST", "/admin/organisations/add", bare.Key, obj{"name": "By a bare admin"}, http.StatusOK)
	for _, path := range []string{"/events/add", "/events/edit/" + event, "/attributes/add/" + event} {
		before := e.worldState(t, nil)
		status, _, b := e.do(t, "POST", path, bare.Key, obj{"info": "x", "type": "ip-src", "value": "198.51.100.1"})
		checkRefusal(t, status, b, refusal{status: http.StatusForbidden, message: aclMessage})
		if after := e.worldState(t, nil); after != before {
			t.Errorf("POST %s: a refused call changed the state", path)
		}
	}
}

// corrExclusionID is the fixture correlation exclusion.
func corrExclusionID(f *permFixture) string { return f.exclusion }

// permExclusion creates a correlation exclusion and returns its id.
func (e *testEnv) permExclusion(t *testing.T, n int) string {
	t.Helper()
	x := &misp.CorrelationExclusion{Value: fmt.Sprintf("perm-%d.example", n), Comment: "fixture"}
	if err := e.DB.CreateCorrelationExclusion(context.Background(), x); err != nil {
		t.Fatalf("CreateCorrelationExclusion: %v", err)
	}
	return idString(int64(x.ID))
}
