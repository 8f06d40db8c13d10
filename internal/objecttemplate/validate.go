package objecttemplate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// ObjectAttribute is what template conformity looks at in an object's
// attribute.
type ObjectAttribute struct {
	ObjectRelation string
	Type           string
	Value          string
}

// ProblemKind classifies a conformity problem.
type ProblemKind int

// Problems found by Validate (the first three) and ValidateStrict (all).
const (
	// MissingRequired: a "required" relation is absent.
	MissingRequired ProblemKind = iota + 1
	// MissingOneOf: none of the "requiredOneOf" relations is present.
	MissingOneOf
	// Repeated: a relation whose element is not "multiple" appears twice or more.
	Repeated
	// UnknownRelation: the template has no element for the relation.
	UnknownRelation
	// WrongType: the attribute's type is not the element's misp-attribute.
	WrongType
	// NotInValuesList: the element has a values_list without the value.
	NotInValuesList
)

func (k ProblemKind) String() string {
	switch k {
	case MissingRequired:
		return "missing required relation"
	case MissingOneOf:
		return "missing one-of relation"
	case Repeated:
		return "repeated relation"
	case UnknownRelation:
		return "unknown relation"
	case WrongType:
		return "wrong type"
	case NotInValuesList:
		return "value not in values list"
	}
	return fmt.Sprintf("ProblemKind(%d)", int(k))
}

// Problem is one way an object fails its template.
type Problem struct {
	Kind ProblemKind
	// Relation is the object relation concerned; for MissingOneOf,
	// Relations lists the candidates instead.
	Relation  string
	Relations []string
	// Type is the attribute's type (WrongType), Want the element's.
	Type string
	Want string
	// Value is the attribute's value (NotInValuesList).
	Value string
}

func (p Problem) String() string {
	switch p.Kind {
	case MissingRequired:
		return fmt.Sprintf("required relation %s is missing", p.Relation)
	case MissingOneOf:
		return "at least one of " + strings.Join(p.Relations, ", ") + " is required"
	case Repeated:
		return fmt.Sprintf("relation %s appears more than once but is not multiple", p.Relation)
	case UnknownRelation:
		return fmt.Sprintf("relation %s is not in the template", p.Relation)
	case WrongType:
		return fmt.Sprintf("relation %s has type %s, want %s", p.Relation, p.Type, p.Want)
	case NotInValuesList:
		return fmt.Sprintf("relation %s value %q is not in the template's values list", p.Relation, p.Value)
	}
	return p.Kind.String()
}

// ConformityError lists every problem of an object against its template.
// It matches misp.ErrInvalid with errors.Is.
type ConformityError struct {
	Template string
	Problems []Problem
}

func (e *ConformityError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("object does not conform to template %s: %s", e.Template, strings.Join(parts, "; "))
}

// Is makes a ConformityError match misp.ErrInvalid.
func (e *ConformityError) Is(target error) bool { return target == misp.ErrInvalid }

// MISPMessage returns the message MISP's REST API gives for the first
// problem (MISP reports only one).
func (e *ConformityError) MISPMessage() string {
	if len(e.Problems) == 0 {
		return ""
	}
	p := e.Problems[0]
	switch p.Kind {
	case MissingRequired:
		return "Could not save the object as a required attribute is not set (" + p.Relation + ")"
	case MissingOneOf:
		return "Could not save the object as it requires at least one of the following attributes to be set: " + strings.Join(p.Relations, ", ")
	case Repeated:
		return "Could not save the object as a unique relationship within the object was assigned to more than one attribute. This is only allowed if the multiple flag is set in the object template."
	}
	return "Could not save the object as " + p.String() + "."
}

// Validate checks attrs the way MISP's checkTemplateConformity does:
// required relations, requiredOneOf and non-multiple relations. It
// returns a *ConformityError listing every problem, or nil.
func (t *Template) Validate(attrs []ObjectAttribute) error {
	return t.errorFor(t.conformity(attrs))
}

// ValidateStrict is Validate plus what MISP's API does not check: every
// relation is one of the template's, each attribute has its element's
// type, and a value is in the element's values_list when it has one.
func (t *Template) ValidateStrict(attrs []ObjectAttribute) error {
	problems := t.conformity(attrs)
	for _, a := range attrs {
		e, ok := t.Element(a.ObjectRelation)
		switch {
		case !ok:
			problems = append(problems, Problem{Kind: UnknownRelation, Relation: a.ObjectRelation})
		case a.Type != e.Type:
			problems = append(problems, Problem{Kind: WrongType, Relation: a.ObjectRelation, Type: a.Type, Want: e.Type})
		case len(e.ValuesList) > 0 && !slices.Contains(e.ValuesList, a.Value):
			problems = append(problems, Problem{Kind: NotInValuesList, Relation: a.ObjectRelation, Value: a.Value})
		}
	}
	return t.errorFor(problems)
}

func (t *Template) conformity(attrs []ObjectAttribute) []Problem {
	count := make(map[string]int, len(attrs))
	for _, a := range attrs {
		count[a.ObjectRelation]++
	}
	var problems []Problem
	for _, r := range t.Required {
		if count[r] == 0 {
			problems = append(problems, Problem{Kind: MissingRequired, Relation: r})
		}
	}
	if len(t.RequiredOneOf) > 0 && !slices.ContainsFunc(t.RequiredOneOf, func(r string) bool { return count[r] > 0 }) {
		problems = append(problems, Problem{Kind: MissingOneOf, Relations: t.RequiredOneOf})
	}
	for _, e := range t.Elements {
		if !e.Multiple && count[e.ObjectRelation] > 1 {
			problems = append(problems, Problem{Kind: Repeated, Relation: e.ObjectRelation})
		}
	}
	return problems
}

func (t *Template) errorFor(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return &ConformityError{Template: t.Name, Problems: problems}
}
