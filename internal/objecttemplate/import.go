package objecttemplate

import (
	"context"
	"errors"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// MISP returns the template as MISP stores a library template
// (ObjectTemplate::__updateObjectTemplate): requirements from "required"
// and "requiredOneOf", elements without to_ids and recommended, fixed,
// imported by no user (user_id and org_id 0), with the raw definition.
func (t *Template) MISP() *misp.ObjectTemplate {
	mt := &misp.ObjectTemplate{
		UUID:         t.UUID,
		Name:         t.Name,
		MetaCategory: t.MetaCategory,
		Description:  t.Description,
		Version:      misp.Int(t.Version),
		Requirements: misp.ObjectTemplateRequirements{Required: t.Required, RequiredOneOf: t.RequiredOneOf},
		Fixed:        true,
		Elements:     make([]*misp.ObjectTemplateElement, len(t.Elements)),
		Raw:          t.Raw,
	}
	for i, e := range t.Elements {
		me := &misp.ObjectTemplateElement{
			ObjectRelation: e.ObjectRelation,
			Type:           e.Type,
			UIPriority:     misp.Int(e.UIPriority),
			Categories:     orEmpty(e.Categories),
			SaneDefault:    orEmpty(e.SaneDefault),
			ValuesList:     orEmpty(e.ValuesList),
			Description:    e.Description,
			Multiple:       misp.Bool(e.Multiple),
		}
		if e.DisableCorrelation != nil {
			v := misp.Bool(*e.DisableCorrelation)
			me.DisableCorrelation = &v
		}
		mt.Elements[i] = me
	}
	return mt
}

// MISP returns the relationship as MISP stores it (without the opposite,
// which MISP does not keep).
func (r Relationship) MISP() *misp.ObjectRelationship {
	return &misp.ObjectRelationship{
		Version:     misp.Int(r.Version),
		Name:        r.Name,
		Description: r.Description,
		Format:      orEmpty(r.Format),
	}
}

func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// FromMISP returns a stored template in the loader's form, for Validate
// and ValidateStrict.
func FromMISP(mt *misp.ObjectTemplate) *Template {
	t := &Template{
		UUID:          mt.UUID,
		Name:          mt.Name,
		MetaCategory:  mt.MetaCategory,
		Description:   mt.Description,
		Version:       int(mt.Version),
		Required:      mt.Requirements.Required,
		RequiredOneOf: mt.Requirements.RequiredOneOf,
		Elements:      make([]Element, len(mt.Elements)),
		Raw:           mt.Raw,
	}
	for i, me := range mt.Elements {
		e := Element{
			ObjectRelation: me.ObjectRelation,
			Type:           me.Type,
			UIPriority:     int(me.UIPriority),
			Categories:     me.Categories,
			SaneDefault:    me.SaneDefault,
			ValuesList:     me.ValuesList,
			Multiple:       bool(me.Multiple),
			Description:    me.Description,
		}
		if me.DisableCorrelation != nil {
			v := bool(*me.DisableCorrelation)
			e.DisableCorrelation = &v
		}
		t.Elements[i] = e
	}
	return t
}

// ObjectAttributes returns what conformity looks at in o's attributes:
// every attribute the object carries, deleted ones included, as MISP
// checks the attributes of the request.
func ObjectAttributes(o *misp.Object) []ObjectAttribute {
	attrs := make([]ObjectAttribute, 0, len(o.Attribute))
	for _, a := range o.Attribute {
		oa := ObjectAttribute{Type: a.Type, Value: a.Value}
		if a.ObjectRelation != nil {
			oa.ObjectRelation = *a.ObjectRelation
		}
		attrs = append(attrs, oa)
	}
	return attrs
}

// ValidateObject checks o's attributes against the stored template mt as
// MISP's checkTemplateConformity does (see Template.Validate): a
// *ConformityError, or nil.
func ValidateObject(mt *misp.ObjectTemplate, o *misp.Object) error {
	return FromMISP(mt).Validate(ObjectAttributes(o))
}

// ErrNoTemplates is ImportDir's error when a directory holds no template
// that could be loaded (it is missing, empty, or every file is broken).
var ErrNoTemplates = errors.New("no object template found")

// ImportDir loads the misp-objects checkout at dir (see Load) and imports
// it into st (misp.ObjectTemplateStore.ImportObjectTemplates): what
// razmena libraries import and POST /objectTemplates/update run. Files
// that could not be loaded, and templates the store would refuse, are
// listed in the result's Errors, the absent files in its Missing, and the
// rest is imported. The error is ErrNoTemplates (with the file errors)
// when no template could be loaded at all, or the store's.
func ImportDir(ctx context.Context, st misp.ObjectTemplateStore, dir string) (misp.LibraryResult, error) {
	templates, rels, rep := Load(dir)
	var invalid []error
	mts := make([]*misp.ObjectTemplate, 0, len(templates))
	for _, t := range templates {
		mt := t.MISP()
		if err := mt.Validate(); err != nil {
			invalid = append(invalid, fmt.Errorf("object template %s: %w", t.Name, err))
			continue
		}
		mts = append(mts, mt)
	}
	var (
		res misp.LibraryResult
		err error
	)
	if len(mts) == 0 {
		joined := []error{fmt.Errorf("%w in %s", ErrNoTemplates, dir)}
		for _, fe := range rep.Errors {
			joined = append(joined, fe)
		}
		err = fmt.Errorf("import object templates: %w", errors.Join(append(joined, invalid...)...))
	} else {
		mrels := make([]*misp.ObjectRelationship, len(rels))
		for i, r := range rels {
			mrels[i] = r.MISP()
		}
		res, err = st.ImportObjectTemplates(ctx, mts, mrels)
	}
	// The files and templates not loaded are ours to report, not the store's.
	res.Library, res.Errors, res.Missing = "object templates", nil, nil
	rep.AddTo(&res)
	for _, e := range invalid {
		res.Errors = append(res.Errors, e.Error())
	}
	return res, err
}
