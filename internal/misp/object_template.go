package misp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// ObjectTemplate is one version of an object template of MISP's library
// (misp-objects): the attributes, called elements, an object of that name
// may have and which of them it must have. As in MISP, every imported
// version is kept as a template of its own (objects name the version they
// were made with); a newly imported version becomes the active one, and
// the index lists only active templates.
type ObjectTemplate struct {
	ID Int `json:"id"`
	// UserID and OrgID are who imported the template; 0 for a library
	// import, as MISP records an import run without a user.
	UserID       Int    `json:"user_id"`
	OrgID        Int    `json:"org_id"`
	UUID         string `json:"uuid"`
	Name         string `json:"name"`
	MetaCategory string `json:"meta-category"`
	Description  string `json:"description"`
	Version      Int    `json:"version"`
	// Requirements are the template's "required" and "requiredOneOf"
	// relations.
	Requirements ObjectTemplateRequirements `json:"requirements"`
	// Fixed marks a template from the library (always true: Razmena has
	// no template editor).
	Fixed  Bool `json:"fixed"`
	Active Bool `json:"active"`
	// Elements are the template's attributes in library order. MISP
	// renders them beside the template, as "ObjectTemplateElement".
	Elements []*ObjectTemplateElement `json:"-"`
	// Raw is the library's definition.json as imported, which MISP's
	// getRaw returns.
	Raw json.RawMessage `json:"-"`
}

// ObjectTemplateRequirements are the relations an object must have: every
// Required one, and at least one of RequiredOneOf. A nil list is one the
// template does not give; an empty one is given empty.
type ObjectTemplateRequirements struct {
	Required      []string
	RequiredOneOf []string
}

// MarshalJSON encodes the requirements as MISP stores them: an object with
// the lists the template gives, or [] when it gives neither (PHP's
// json_decode of an empty array).
func (r ObjectTemplateRequirements) MarshalJSON() ([]byte, error) {
	if r.Required == nil && r.RequiredOneOf == nil {
		return []byte("[]"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for _, f := range []struct {
		key  string
		list []string
	}{{"required", r.Required}, {"requiredOneOf", r.RequiredOneOf}} {
		if f.list == nil {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		list, err := json.Marshal(f.list)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%q:%s", f.key, list)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON decodes MISP's requirements: an object, or an empty list
// for none.
func (r *ObjectTemplateRequirements) UnmarshalJSON(b []byte) error {
	*r = ObjectTemplateRequirements{}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) || (len(b) > 0 && b[0] == '[') {
		var list []any
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		if len(list) > 0 {
			return fmt.Errorf("object template requirements: want an object, got a list")
		}
		return nil
	}
	var m struct {
		Required      []string `json:"required"`
		RequiredOneOf []string `json:"requiredOneOf"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("object template requirements: %w", err)
	}
	r.Required, r.RequiredOneOf = m.Required, m.RequiredOneOf
	return nil
}

// ObjectTemplateElement is one attribute of an object template, with
// MISP's column names: Type is the library's "misp-attribute". The
// library's "to_ids" and "recommended" are not kept, as in MISP.
type ObjectTemplateElement struct {
	ID               Int      `json:"id"`
	ObjectTemplateID Int      `json:"object_template_id"`
	ObjectRelation   string   `json:"object_relation"`
	Type             string   `json:"type"`
	UIPriority       Int      `json:"ui-priority"`
	Categories       []string `json:"categories"`
	SaneDefault      []string `json:"sane_default"`
	ValuesList       []string `json:"values_list"`
	Description      string   `json:"description"`
	// DisableCorrelation is nil when the library does not say.
	DisableCorrelation *Bool `json:"disable_correlation"`
	// Multiple allows the relation to appear more than once in an object.
	Multiple Bool `json:"multiple"`
}

// ObjectRelationship is a relationship type for object references
// ("derived-from", "related-to"), from the library's
// relationships/definition.json, whose version it carries.
type ObjectRelationship struct {
	ID          Int    `json:"id"`
	Version     Int    `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Format lists the formats the relationship comes from ("misp",
	// "stix-2.0", …).
	Format []string `json:"format"`
}

// Element returns the element for relation.
func (t *ObjectTemplate) Element(relation string) (*ObjectTemplateElement, bool) {
	for _, e := range t.Elements {
		if e.ObjectRelation == relation {
			return e, true
		}
	}
	return nil, false
}

// FillObject gives o the template's name, meta-category, description, uuid
// and version, as MISP does when an object is added with a template
// (MispObject::saveObject): the template's values replace the object's.
func (t *ObjectTemplate) FillObject(o *Object) {
	o.Name = t.Name
	o.MetaCategory = t.MetaCategory
	o.Description = t.Description
	o.TemplateUUID = t.UUID
	o.TemplateVersion = t.Version
}

// Validate checks a template before it is stored: a UUID (lower-cased
// here; library templates are not required to be RFC 4122 UUIDs, as in
// MISP), a name, a positive version, and elements each with a relation,
// used once, and a type. Nil lists of an element become empty ones.
func (t *ObjectTemplate) Validate() error {
	v := &ValidationError{}
	t.UUID = NormalizeUUID(t.UUID)
	t.Name = strings.TrimSpace(t.Name)
	if t.UUID == "" {
		v.Add("uuid", "The uuid field is required.")
	}
	if t.Name == "" {
		v.Add("name", "The name field is required.")
	}
	if t.Version <= 0 {
		v.Add("version", "The version must be a positive number.")
	}
	seen := make(map[string]bool, len(t.Elements))
	for _, e := range t.Elements {
		switch {
		case e.ObjectRelation == "":
			v.Add("ObjectTemplateElement", "Every element needs an object_relation.")
		case seen[e.ObjectRelation]:
			v.Add("ObjectTemplateElement", fmt.Sprintf("The object_relation %s is used twice.", e.ObjectRelation))
		case e.Type == "":
			v.Add("ObjectTemplateElement", fmt.Sprintf("The element %s needs a type.", e.ObjectRelation))
		}
		seen[e.ObjectRelation] = true
		for _, l := range []*[]string{&e.Categories, &e.SaneDefault, &e.ValuesList} {
			if *l == nil {
				*l = []string{}
			}
		}
	}
	return v.Err()
}

// Validate checks a relationship before it is stored: it needs a name.
// A nil format becomes an empty one.
func (r *ObjectRelationship) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Format == nil {
		r.Format = []string{}
	}
	if r.Name == "" {
		return Invalidf("name", "The name field is required.")
	}
	return nil
}

// ObjectTemplateFilter selects templates for the index.
type ObjectTemplateFilter struct {
	// All includes inactive templates (MISP's index/all, for site admins).
	All bool
	// Search, when set, keeps the templates whose uuid, name,
	// meta-category or description contains it, case-insensitively; % and
	// _ are LIKE wildcards, as in MISP's searchall.
	Search string
}

// ObjectTemplateStore stores MISP's object template library (issue 6).
// Templates are instance-wide: every authenticated user may read them.
type ObjectTemplateStore interface {
	// ImportObjectTemplates stores a library in one transaction. A
	// template whose uuid is not stored yet is added (Added); one whose
	// version is newer than every stored version of its uuid is added
	// beside them and becomes the only active version of the uuid
	// (Updated); any other is left alone (Unchanged), so importing the
	// same library twice changes nothing. Relationships are replaced as
	// MISP does: those of an older version are deleted, names not stored
	// yet are added. Errors is empty: file errors are the caller's.
	// ErrInvalid if a template or relationship is invalid (nothing is
	// stored then).
	ImportObjectTemplates(ctx context.Context, templates []*ObjectTemplate, relationships []*ObjectRelationship) (LibraryResult, error)
	// FindObjectTemplates lists templates without their elements, in id
	// order.
	FindObjectTemplates(ctx context.Context, f ObjectTemplateFilter) ([]*ObjectTemplate, error)
	// FindObjectTemplateByID returns a template with its elements and
	// raw definition. ErrNotFound.
	FindObjectTemplateByID(ctx context.Context, id int64) (*ObjectTemplate, error)
	// FindObjectTemplateByUUID returns the given version of a template
	// (any version: the highest when version is 0), active or not, with
	// its elements and raw definition. ErrNotFound.
	FindObjectTemplateByUUID(ctx context.Context, uuid string, version int64) (*ObjectTemplate, error)
	// FindObjectTemplateByName returns the highest version of the
	// template with that exact name, with its elements and raw
	// definition. ErrNotFound.
	FindObjectTemplateByName(ctx context.Context, name string) (*ObjectTemplate, error)
	// ToggleObjectTemplate switches a template version's active flag, as
	// MISP's setActive does: an active one is deactivated; an inactive
	// one is activated and every other version of its uuid deactivated.
	// It reports whether the template is now active. ErrNotFound.
	ToggleObjectTemplate(ctx context.Context, id int64) (bool, error)
	// DeleteObjectTemplate removes a template version and its elements.
	// ErrNotFound.
	DeleteObjectTemplate(ctx context.Context, id int64) error
	// FindObjectRelationships lists the relationship types in library
	// order.
	FindObjectRelationships(ctx context.Context) ([]*ObjectRelationship, error)
}
