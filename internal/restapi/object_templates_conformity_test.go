package restapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// objectAddRequest is an objects/add request as the mux hands it to the
// handler: the template path value and the version as the positional rest.
func objectAddRequest(template, version string) *http.Request {
	path := "/objects/add/1"
	if template != "" {
		path += "/" + template
	}
	if version != "" {
		path += "/" + version
	}
	r := httptest.NewRequest("POST", path, nil)
	r.SetPathValue("event", "1")
	r.SetPathValue("template", template)
	r.SetPathValue("named", version)
	return r
}

// otObject is an object whose attributes are "relation=type=value" triples.
func otObject(templateUUID string, templateVersion int64, attrs ...string) *misp.Object {
	o := &misp.Object{Name: "custom", MetaCategory: "misc", Description: "as sent",
		TemplateUUID: templateUUID, TemplateVersion: misp.Int(templateVersion)}
	for _, a := range attrs {
		parts := strings.SplitN(a, "=", 3)
		rel := parts[0]
		o.Attribute = append(o.Attribute, &misp.Attribute{ObjectRelation: &rel, Type: parts[1], Value: parts[2],
			UUID: misp.NewUUID()})
	}
	return o
}

// answer returns the status and body of a MISP error answer.
func answer(t *testing.T, err error) (int, any) {
	t.Helper()
	var he *httpserver.Error
	if !errors.As(err, &he) {
		t.Fatalf("error %v is not a MISP answer", err)
	}
	return he.Status, he.Body
}

func TestObjectAddTemplate(t *testing.T) {
	e := newTestEnv(t)
	ids := e.withObjectTemplates(t)
	tests := []struct {
		name, template, version string
		wantID                  string
		wantVersion             int64 // 0: no template
		wantStatus              int   // an error answer
	}{
		{name: "none"},
		{name: "zero", template: "0"},
		{name: "uuid: the highest version", template: otURLUUID, wantID: idString(ids.url11), wantVersion: 11},
		{name: "uuid with .json", template: otURLUUID + ".json", wantID: idString(ids.url11), wantVersion: 11},
		{name: "upper-case uuid", template: strings.ToUpper(otDomainIPUUID), wantID: idString(ids.domainIP), wantVersion: 11},
		{name: "uuid and version", template: otURLUUID, version: "10", wantID: idString(ids.url10), wantVersion: 10},
		{name: "version 0 is none", template: otURLUUID, version: "0", wantID: idString(ids.url11), wantVersion: 11},
		{name: "uuid, version not stored", template: otURLUUID, version: "12", wantStatus: http.StatusNotFound},
		{name: "uuid, version not a number", template: otURLUUID, version: "latest", wantStatus: http.StatusNotFound},
		{name: "uuid not stored", template: "aaaaaaaa-0000-4000-8000-000000000000", wantStatus: http.StatusNotFound},
		{name: "id", template: idString(ids.file), wantID: idString(ids.file), wantVersion: 25},
		{name: "id of an inactive version", template: idString(ids.url10), wantID: idString(ids.url10), wantVersion: 10},
		{name: "id not stored", template: "999", wantID: "999"},
		{name: "name", template: "file", wantID: "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := objectAddRequest(tt.template, tt.version)
			ref, err := e.API.objectAddTemplate(r)
			if tt.wantStatus != 0 {
				status, body := answer(t, err)
				if status != tt.wantStatus || body.(httpserver.Exception).Message != "Invalid template." {
					t.Errorf("objectAddTemplate() = %d %+v, want %d Invalid template.", status, body, tt.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatalf("objectAddTemplate() = %v", err)
			}
			gotVersion := int64(0)
			if ref.Template != nil {
				gotVersion = int64(ref.Template.Version)
				if len(ref.Template.Elements) == 0 {
					t.Errorf("template without elements")
				}
			}
			if ref.ID != tt.wantID || gotVersion != tt.wantVersion {
				t.Errorf("objectAddTemplate() = id %q version %d, want %q %d", ref.ID, gotVersion, tt.wantID, tt.wantVersion)
			}
			// check refuses exactly the ids that are not stored.
			err = ref.check(r, "1/"+ref.ID)
			if tt.wantID == "" || tt.wantVersion != 0 {
				if err != nil {
					t.Errorf("check() = %v, want nil", err)
				}
				return
			}
			status, body := answer(t, err)
			want := httpserver.SaveFailure{Name: "Could not add object", Message: "Could not add object",
				URL: "/objects/add/1/" + tt.wantID, Errors: "No valid template found to edit the object.", ID: "1/" + tt.wantID}
			if d := cmp.Diff(want, body); status != http.StatusForbidden || d != "" {
				t.Errorf("check() = %d, (-want +got):\n%s", status, d)
			}
		})
	}
}

func TestApplyObjectTemplate(t *testing.T) {
	e := newTestEnv(t)
	ids := e.withObjectTemplates(t)
	ctx := context.Background()
	byURL := func(id int64) objectTemplateRef {
		t.Helper()
		tmpl, err := e.DB.FindObjectTemplateByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return objectTemplateRef{ID: idString(id), Template: tmpl}
	}
	const (
		sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		noOne  = "Could not save the object as it requires at least one of the following attributes to be set: "
		unique = "Could not save the object as a unique relationship within the object was assigned to more than one attribute. This is only allowed if the multiple flag is set in the object template."
	)
	tests := []struct {
		name    string
		ref     objectTemplateRef
		obj     *misp.Object
		wantErr string // MISP's message; "" conforms
		// wantFilled: the object takes the template's fields (name, uuid@version).
		wantFilled string
	}{
		{"file conforms", byURL(ids.file), otObject("", 0,
			"filename=filename=evil.exe", "filename=filename=evil2.exe", "sha256=sha256="+sha256, "state=text=Malicious"),
			"", "file " + otFileUUID + "@25"},
		{"file without one of its relations", byURL(ids.file), otObject("", 0, "mimetype=mime-type=text/plain"),
			noOne + "filename, size-in-bytes, authentihash, ssdeep, md5, sha1, sha224, sha256, sha384, sha512, sha512/224, sha512/256, sha3-224, sha3-256, sha3-384, sha3-512, tlsh, telfhash, imphash, pattern-in-file, certificate, malware-sample, attachment, path, fullpath", ""},
		{"file with two sha256", byURL(ids.file), otObject("", 0, "sha256=sha256="+sha256, "sha256=sha256="+sha256),
			unique, ""},
		{"domain-ip conforms", byURL(ids.domainIP), otObject("", 0,
			"ip=ip-dst=192.0.2.1", "ip=ip-dst=192.0.2.2", "domain=domain=example.org", "port=port=443"),
			"", "domain-ip " + otDomainIPUUID + "@11"},
		{"domain-ip with two hostnames", byURL(ids.domainIP), otObject("", 0,
			"hostname=hostname=a.example.org", "hostname=hostname=b.example.org"), unique, ""},
		{"domain-ip with only a text", byURL(ids.domainIP), otObject("", 0, "text=text=seen"), noOne + "ip, domain, hostname", ""},
		// MISP checks relations only: unknown relations and other types pass.
		{"domain-ip with an unknown relation", byURL(ids.domainIP), otObject("", 0, "domain=domain=example.org", "asn=AS=64496"),
			"", "domain-ip " + otDomainIPUUID + "@11"},
		{"url conforms", byURL(ids.url11), otObject("", 0, "url=url=https://evil.example/login", "host=hostname=evil.example"),
			"", "url " + otURLUUID + "@11"},
		{"url 11 without url", byURL(ids.url11), otObject("", 0, "resource_path=text=/login"), noOne + "url", ""},
		{"url 10 with a resource_path", byURL(ids.url10), otObject("", 0, "resource_path=text=/login"), "", "url " + otURLUUID + "@10"},
		{"c2-list without its required threat", byURL(ids.c2List), otObject("", 0, "c2-ip=ip-src=192.0.2.9"),
			"Could not save the object as a required attribute is not set (threat)", ""},
		// No template in the URL: the body's template_uuid and
		// template_version, when that version is stored.
		{"body names a stored version", objectTemplateRef{}, otObject(strings.ToUpper(otDomainIPUUID), 11, "text=text=seen"),
			noOne + "ip, domain, hostname", ""},
		{"body names a stored version, conforming", objectTemplateRef{}, otObject(otURLUUID, 10, "resource_path=text=/x"),
			"", "url " + otURLUUID + "@10"},
		{"body names a version not stored", objectTemplateRef{}, otObject(otDomainIPUUID, 3, "text=text=seen"), "", ""},
		{"body names no version", objectTemplateRef{}, otObject(otDomainIPUUID, 0, "text=text=seen"), "", ""},
		{"body names nothing", objectTemplateRef{}, otObject("", 0, "text=text=seen"), "", ""},
		// The URL's template wins over the body's.
		{"URL and body", byURL(ids.file), otObject(otDomainIPUUID, 11, "filename=filename=a"), "", "file " + otFileUUID + "@25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := *tt.obj
			err := e.API.applyObjectTemplate(objectAddRequest(tt.ref.ID, ""), tt.ref, tt.obj)
			if tt.wantErr != "" {
				status, body := answer(t, err)
				want := httpserver.SaveFailure{Name: "Could not add Object", Message: "Could not add Object",
					URL: "/objects/add", Errors: tt.wantErr}
				if d := cmp.Diff(want, body); status != http.StatusForbidden || d != "" {
					t.Errorf("applyObjectTemplate() = %d, (-want +got):\n%s", status, d)
				}
				return
			}
			if err != nil {
				t.Fatalf("applyObjectTemplate() = %v", err)
			}
			o := tt.obj
			if tt.wantFilled == "" {
				if o.Name != before.Name || o.TemplateUUID != before.TemplateUUID || o.TemplateVersion != before.TemplateVersion {
					t.Errorf("object changed without a template: %+v", o)
				}
				return
			}
			got := o.Name + " " + o.TemplateUUID + "@" + idString(int64(o.TemplateVersion))
			if got != tt.wantFilled || o.MetaCategory == "misc" || o.Description == "as sent" {
				t.Errorf("filled object = %s (%s, %q), want %s with the template's meta-category and description",
					got, o.MetaCategory, o.Description, tt.wantFilled)
			}
		})
	}
}

func TestCheckObjectTemplate(t *testing.T) {
	e := newTestEnv(t)
	e.withObjectTemplates(t)
	ctx := context.Background()
	if err := e.API.checkObjectTemplate(ctx, otObject(otDomainIPUUID, 11, "ip=ip-dst=192.0.2.1"), nil); err != nil {
		t.Errorf("conforming object: %v", err)
	}
	err := e.API.checkObjectTemplate(ctx, otObject(otDomainIPUUID, 11, "text=text=seen"), nil)
	var ve *misp.ValidationError
	if !errors.As(err, &ve) || ve.Fields["Attribute"][0] != "Could not save the object as it requires at least one of the following attributes to be set: ip, domain, hostname" {
		t.Errorf("object without ip, domain or hostname: %v", err)
	}
	// An edit: the stored hostname, and a second one in the request.
	stored := otObject(otDomainIPUUID, 11, "hostname=hostname=a.example.org", "ip=ip-dst=192.0.2.1").Attribute
	edit := otObject(otDomainIPUUID, 11, "hostname=hostname=b.example.org")
	if err := e.API.checkObjectTemplate(ctx, edit, stored); !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("second hostname in an edit: %v, want ErrInvalid", err)
	}
	if len(edit.Attribute) != 1 {
		t.Errorf("checkObjectTemplate changed the object's attributes: %d", len(edit.Attribute))
	}
	// The same hostname edited (same uuid) is one hostname.
	edit.Attribute[0].UUID = stored[0].UUID
	if err := e.API.checkObjectTemplate(ctx, edit, stored); err != nil {
		t.Errorf("hostname edited in place: %v", err)
	}
	// A template version not stored is not checked.
	if err := e.API.checkObjectTemplate(ctx, otObject(otDomainIPUUID, 2, "text=text=seen"), nil); err != nil {
		t.Errorf("version not stored: %v", err)
	}
}

// TestObjectAddTemplateEndToEnd drives objects/add over HTTP with
// templates.
func TestObjectAddTemplateEndToEnd(t *testing.T) {
	e := newTestEnv(t)
	e.emptyEvent(t)
	ids := e.withObjectTemplates(t)
	domain := obj{"Object": obj{"Attribute": []any{obj{"type": "domain", "object_relation": "domain", "value": "a.example"}}}}
	status, _, body := e.do(t, "POST", "/objects/add/1/"+otDomainIPUUID, e.AUser.Key, domain)
	if status != http.StatusOK {
		t.Fatalf("objects/add with a template uuid: %d %s", status, body)
	}
	// The template named the object.
	out := e.callObj(t, "GET", "/objects/view/1", e.AUser.Key, nil, http.StatusOK)
	o := dig(t, out, "Object").(obj)
	if o["name"] != "domain-ip" || o["meta-category"] != "network" || o["template_uuid"] != otDomainIPUUID || o["template_version"] != "11" {
		t.Errorf("object added with the domain-ip template: %v", o)
	}

	textOnly := obj{"Object": obj{"name": "domain-ip", "meta-category": "network",
		"template_uuid": otDomainIPUUID, "template_version": 11,
		"Attribute": []any{obj{"type": "text", "object_relation": "text", "value": "seen"}}}}
	noOne := "Could not save the object as it requires at least one of the following attributes to be set: ip, domain, hostname"
	tests := []struct {
		name       string
		path       string
		body       any
		wantStatus int
		want       obj // expected keys of the answer
	}{
		{"body names a stored version", "/objects/add/1", textOnly, http.StatusForbidden,
			obj{"name": "Could not add Object", "url": "/objects/add", "errors": noOne}},
		{"body names a version not stored", "/objects/add/1", obj{"Object": obj{"name": "domain-ip", "meta-category": "network",
			"template_uuid": otDomainIPUUID, "template_version": 3,
			"Attribute": []any{obj{"type": "text", "object_relation": "text", "value": "seen"}}}}, http.StatusOK, nil},
		{"uuid and version in the URL", "/objects/add/1/" + otURLUUID + "/10", obj{"Object": obj{
			"Attribute": []any{obj{"type": "text", "object_relation": "resource_path", "value": "/x"}}}}, http.StatusOK, nil},
		{"id in the URL", "/objects/add/1/" + idString(ids.url11), obj{"Object": obj{
			"Attribute": []any{obj{"type": "text", "object_relation": "resource_path", "value": "/x"}}}}, http.StatusForbidden,
			obj{"name": "Could not add Object", "errors": "Could not save the object as it requires at least one of the following attributes to be set: url"}},
		{"id not stored", "/objects/add/1/999", domain, http.StatusForbidden,
			obj{"name": "Could not add object", "url": "/objects/add/1/999", "id": "1/999", "errors": "No valid template found to edit the object."}},
		{"uuid not stored", "/objects/add/1/aaaaaaaa-0000-4000-8000-000000000000", domain, http.StatusNotFound,
			obj{"message": "Invalid template."}},
		{"no attributes, with a template", "/objects/add/1/" + idString(ids.file), obj{"Object": obj{}}, http.StatusForbidden,
			obj{"url": "/objects/add/1/" + idString(ids.file), "id": "1/" + idString(ids.file)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := e.callObj(t, "POST", tt.path, e.AUser.Key, tt.body, tt.wantStatus)
			for k, v := range tt.want {
				if out[k] != v {
					t.Errorf("answer %s = %v, want %v (%v)", k, out[k], v, out)
				}
			}
		})
	}
}
