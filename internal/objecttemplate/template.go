package objecttemplate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Template is one object template.
type Template struct {
	UUID         string
	Name         string
	MetaCategory string
	Description  string
	Version      int
	// Required relations must all be present in an object.
	Required []string
	// RequiredOneOf relations: at least one must be present.
	RequiredOneOf []string
	// Elements are the template's attributes in file order.
	Elements []Element
	// Raw is the definition.json as read (compacted), which MISP's getRaw
	// serves.
	Raw json.RawMessage
}

// Element is one attribute slot of a template.
type Element struct {
	ObjectRelation string
	// Type is the element's MISP attribute type ("misp-attribute").
	Type        string
	UIPriority  int
	Categories  []string
	SaneDefault []string
	ValuesList  []string
	// Multiple allows the relation to appear more than once.
	Multiple bool
	// DisableCorrelation is nil when the template does not say (MISP
	// stores NULL then).
	DisableCorrelation *bool
	// ToIDS is the template's to_ids hint, nil when absent; MISP ignores it.
	ToIDS *bool
	// Recommended marks elements worth filling in; MISP ignores it.
	Recommended bool
	Description string
}

// Element returns the element for relation.
func (t *Template) Element(relation string) (*Element, bool) {
	for i := range t.Elements {
		if t.Elements[i].ObjectRelation == relation {
			return &t.Elements[i], true
		}
	}
	return nil, false
}

type fileTemplate struct {
	UUID          string          `json:"uuid"`
	Name          string          `json:"name"`
	MetaCategory  string          `json:"meta-category"`
	Description   string          `json:"description"`
	Version       *misp.Int       `json:"version"`
	Required      []string        `json:"required"`
	RequiredOneOf []string        `json:"requiredOneOf"`
	Attributes    json.RawMessage `json:"attributes"`
}

type fileElement struct {
	MISPAttribute      string     `json:"misp-attribute"`
	UIPriority         misp.Int   `json:"ui-priority"`
	Categories         []string   `json:"categories"`
	SaneDefault        []string   `json:"sane_default"`
	ValuesList         []string   `json:"values_list"`
	Multiple           misp.Bool  `json:"multiple"`
	DisableCorrelation *misp.Bool `json:"disable_correlation"`
	ToIDS              *misp.Bool `json:"to_ids"`
	Recommended        misp.Bool  `json:"recommended"`
	Description        string     `json:"description"`
}

// Parse reads one definition.json. It requires a UUID and a name (MISP's
// keys for templates) and an "attributes" object whose elements each name
// a misp-attribute type.
func Parse(r io.Reader) (*Template, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read object template: %w", err)
	}
	var f fileTemplate
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("decode object template: %w", err)
	}
	var raw bytes.Buffer
	if err := json.Compact(&raw, b); err != nil {
		return nil, fmt.Errorf("decode object template: %w", err)
	}
	t := &Template{
		UUID:          strings.TrimSpace(f.UUID),
		Name:          strings.TrimSpace(f.Name),
		MetaCategory:  f.MetaCategory,
		Description:   f.Description,
		Version:       1,
		Required:      f.Required,
		RequiredOneOf: f.RequiredOneOf,
		Raw:           raw.Bytes(),
	}
	if f.Version != nil {
		t.Version = int(*f.Version)
	}
	var errs []error
	if t.UUID == "" {
		errs = append(errs, errors.New("uuid is required"))
	}
	if t.Name == "" {
		errs = append(errs, errors.New("name is required"))
	}
	elements, err := parseElements(f.Attributes)
	if err != nil {
		errs = append(errs, err)
	}
	t.Elements = elements
	if err := errors.Join(errs...); err != nil {
		if t.Name != "" {
			return nil, fmt.Errorf("object template %s: %w", t.Name, err)
		}
		return nil, err
	}
	return t, nil
}

// parseElements decodes the "attributes" object, keeping its order.
func parseElements(raw json.RawMessage) ([]Element, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errors.New("attributes must be an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	var (
		elements []Element
		errs     []error
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		relation := tok.(string) // object keys are strings
		var fe fileElement
		if err := dec.Decode(&fe); err != nil {
			return nil, fmt.Errorf("attribute %s: %w", relation, err)
		}
		if fe.MISPAttribute == "" {
			errs = append(errs, fmt.Errorf("attribute %s has no misp-attribute", relation))
			continue
		}
		e := Element{
			ObjectRelation:     relation,
			Type:               fe.MISPAttribute,
			UIPriority:         int(fe.UIPriority),
			Categories:         fe.Categories,
			SaneDefault:        fe.SaneDefault,
			ValuesList:         fe.ValuesList,
			Multiple:           bool(fe.Multiple),
			DisableCorrelation: boolPtr(fe.DisableCorrelation),
			ToIDS:              boolPtr(fe.ToIDS),
			Recommended:        bool(fe.Recommended),
			Description:        fe.Description,
		}
		elements = append(elements, e)
	}
	return elements, errors.Join(errs...)
}

func boolPtr(b *misp.Bool) *bool {
	if b == nil {
		return nil
	}
	v := bool(*b)
	return &v
}
