package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/objecttemplate"
)

// This file is the object template side of objects/add
// (ObjectsController::add, MispObject::saveObject): the template the URL
// names, the conformity check and what the template fills in. MISP checks
// conformity on objects/add only; events/add, events/edit and objects/edit
// store objects whatever their template says.

// objectTemplateRef is the template an objects/add URL names:
// /objects/add/{event}/{template id|uuid}[/{version}].
type objectTemplateRef struct {
	// ID is the template as MISP names it in objects/add failures: the
	// URL's id, or the id its uuid resolved to; "" when the URL names none.
	ID string
	// Template is the named template with its elements; nil when the URL
	// names none or an id that is not stored.
	Template *misp.ObjectTemplate
}

// objectAddTemplate resolves the template of an objects/add URL, before
// the event is looked up, as MISP does. A uuid names its highest stored
// version, or the version in the next path segment; none stored is 404
// "Invalid template.". An id that is not stored is reported later, by
// check, with the event id MISP puts in that failure.
func (a *API) objectAddTemplate(r *http.Request) (objectTemplateRef, error) {
	seg := strings.TrimSpace(strings.TrimSuffix(r.PathValue("template"), ".json"))
	if seg == "" || seg == "0" { // PHP's empty()
		return objectTemplateRef{}, nil
	}
	ctx := r.Context()
	if misp.IsUUID(seg) {
		var version int64
		if pos := Named(r)[""]; len(pos) > 0 && phpTruthy(pos[0]) {
			v, err := strconv.ParseInt(pos[0], 10, 64)
			if err != nil {
				return objectTemplateRef{}, exception(r, http.StatusNotFound, "Invalid template.")
			}
			version = v
		}
		t, err := a.st.ObjectTemplates.FindObjectTemplateByUUID(ctx, seg, version)
		if errors.Is(err, misp.ErrNotFound) {
			return objectTemplateRef{}, exception(r, http.StatusNotFound, "Invalid template.")
		}
		if err != nil {
			return objectTemplateRef{}, fmt.Errorf("find object template %s: %w", seg, err)
		}
		return objectTemplateRef{ID: idString(int64(t.ID)), Template: t}, nil
	}
	ref := objectTemplateRef{ID: seg}
	id, ok := parseID(seg)
	if !ok {
		return ref, nil
	}
	t, err := a.st.ObjectTemplates.FindObjectTemplateByID(ctx, id)
	switch {
	case errors.Is(err, misp.ErrNotFound):
	case err != nil:
		return ref, fmt.Errorf("find object template %d: %w", id, err)
	default:
		ref.Template = t
	}
	return ref, nil
}

// check fails an objects/add whose URL names a template id that is not
// stored, as MISP does once the event is found and before the body is
// read: a 403 save-fail "No valid template found to edit the object.".
// failID is the event id and the template id, "12/7".
func (t objectTemplateRef) check(r *http.Request, failID string) error {
	if t.ID == "" || t.Template != nil {
		return nil
	}
	return saveFail(r, "Could not add object", "/objects/add/"+failID, "No valid template found to edit the object.", failID)
}

// applyObjectTemplate is the template step of objects/add, once the
// attributes are validated: the object is checked against the URL's
// template or, when the URL names none, against the template version its
// template_uuid and template_version name if that version is stored
// (any other object is not checked). A non-conforming object is MISP's 403
// save-fail with the first problem's message; a conforming one takes the
// template's name, meta-category, description, uuid and version, whatever
// the body said (MispObject::saveObject).
func (a *API) applyObjectTemplate(r *http.Request, ref objectTemplateRef, o *misp.Object) error {
	t := ref.Template
	if t == nil {
		var err error
		t, err = a.storedObjectTemplate(r.Context(), o)
		if errors.Is(err, misp.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	var ce *objecttemplate.ConformityError
	if err := objecttemplate.ValidateObject(t, o); errors.As(err, &ce) {
		// MISP answers with its controller name capitalised here, and
		// without the event and template ids.
		return saveFail(r, "Could not add Object", "/objects/add", ce.MISPMessage(), "")
	}
	t.FillObject(o)
	return nil
}

// storedObjectTemplate returns the stored template version an object
// names by template_uuid and template_version; ErrNotFound when it names
// none (both must be set, as MISP's !empty() requires) or that version is
// not stored.
func (a *API) storedObjectTemplate(ctx context.Context, o *misp.Object) (*misp.ObjectTemplate, error) {
	uuid := misp.NormalizeUUID(o.TemplateUUID)
	if uuid == "" || o.TemplateVersion == 0 {
		return nil, misp.ErrNotFound
	}
	t, err := a.st.ObjectTemplates.FindObjectTemplateByUUID(ctx, uuid, int64(o.TemplateVersion))
	if err != nil {
		return nil, fmt.Errorf("find object template %s version %d: %w", uuid, o.TemplateVersion, err)
	}
	return t, nil
}

// checkObjectTemplate checks o, as it will be once merged with the stored
// attributes that the request does not mention (those of an edited
// object; nil for a new one), against the stored template version its
// template_uuid and template_version name. A non-conforming object is a
// *misp.ValidationError whose "Attribute" field holds MISP's message, as
// treeErrors collects them; an object whose template version is not
// stored is not checked. MISP itself checks only objects/add
// (applyObjectTemplate): this is for a caller that wants the same rule on
// events/add, events/edit or objects/edit.
func (a *API) checkObjectTemplate(ctx context.Context, o *misp.Object, stored []*misp.Attribute) error {
	t, err := a.storedObjectTemplate(ctx, o)
	if errors.Is(err, misp.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	merged := *o
	if len(stored) > 0 {
		mentioned := make(map[string]bool, len(o.Attribute))
		for _, at := range o.Attribute {
			mentioned[at.UUID] = true
		}
		merged.Attribute = append([]*misp.Attribute(nil), o.Attribute...)
		for _, s := range stored {
			if !mentioned[s.UUID] {
				merged.Attribute = append(merged.Attribute, s)
			}
		}
	}
	var ce *objecttemplate.ConformityError
	if err := objecttemplate.ValidateObject(t, &merged); errors.As(err, &ce) {
		return misp.Invalidf("Attribute", "%s", ce.MISPMessage())
	}
	return nil
}
