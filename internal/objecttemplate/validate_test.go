package objecttemplate

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/misp"
)

// c2List is shaped like the library's c2-list template, with a values_list.
const c2List = `{
	"name": "c2-list", "uuid": "u1", "meta-category": "network", "description": "d",
	"required": ["threat"], "requiredOneOf": ["c2-ip", "c2-ipport"],
	"attributes": {
		"c2-ip": {"misp-attribute": "ip-src", "multiple": true},
		"c2-ipport": {"misp-attribute": "ip-src|port", "multiple": true},
		"threat": {"misp-attribute": "text"},
		"state": {"misp-attribute": "text", "values_list": ["active", "inactive"]}
	}
}`

func attr(rel, typ, value string) ObjectAttribute {
	return ObjectAttribute{ObjectRelation: rel, Type: typ, Value: value}
}

func TestValidate(t *testing.T) {
	tmpl, err := Parse(strings.NewReader(c2List))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tests := []struct {
		name       string
		attrs      []ObjectAttribute
		want       []Problem // Validate (MISP's checks)
		wantStrict []Problem // ValidateStrict's additional problems
		mispMsg    string
	}{
		{
			name:  "conforming",
			attrs: []ObjectAttribute{attr("threat", "text", "Emotet"), attr("c2-ip", "ip-src", "192.0.2.1"), attr("c2-ip", "ip-src", "192.0.2.2"), attr("state", "text", "active")},
		},
		{
			name:  "conforming with the other one-of",
			attrs: []ObjectAttribute{attr("threat", "text", "Emotet"), attr("c2-ipport", "ip-src|port", "192.0.2.1|443")},
		},
		{
			name:    "missing required",
			attrs:   []ObjectAttribute{attr("c2-ip", "ip-src", "192.0.2.1")},
			want:    []Problem{{Kind: MissingRequired, Relation: "threat"}},
			mispMsg: "Could not save the object as a required attribute is not set (threat)",
		},
		{
			name:    "none of requiredOneOf",
			attrs:   []ObjectAttribute{attr("threat", "text", "Emotet")},
			want:    []Problem{{Kind: MissingOneOf, Relations: []string{"c2-ip", "c2-ipport"}}},
			mispMsg: "Could not save the object as it requires at least one of the following attributes to be set: c2-ip, c2-ipport",
		},
		{
			name:    "duplicate non-multiple",
			attrs:   []ObjectAttribute{attr("threat", "text", "a"), attr("threat", "text", "b"), attr("c2-ip", "ip-src", "192.0.2.1")},
			want:    []Problem{{Kind: Repeated, Relation: "threat"}},
			mispMsg: "Could not save the object as a unique relationship within the object was assigned to more than one attribute. This is only allowed if the multiple flag is set in the object template.",
		},
		{
			name:       "wrong type (MISP accepts it)",
			attrs:      []ObjectAttribute{attr("threat", "text", "a"), attr("c2-ip", "ip-dst", "192.0.2.1")},
			wantStrict: []Problem{{Kind: WrongType, Relation: "c2-ip", Type: "ip-dst", Want: "ip-src"}},
		},
		{
			name:       "unknown relation (MISP accepts it)",
			attrs:      []ObjectAttribute{attr("threat", "text", "a"), attr("c2-ip", "ip-src", "192.0.2.1"), attr("comment", "text", "x"), attr("comment", "text", "y")},
			wantStrict: []Problem{{Kind: UnknownRelation, Relation: "comment"}, {Kind: UnknownRelation, Relation: "comment"}},
		},
		{
			name:       "value not in values_list (MISP accepts it)",
			attrs:      []ObjectAttribute{attr("threat", "text", "a"), attr("c2-ip", "ip-src", "192.0.2.1"), attr("state", "text", "Active")},
			wantStrict: []Problem{{Kind: NotInValuesList, Relation: "state", Value: "Active"}},
		},
		{
			name:  "everything wrong",
			attrs: []ObjectAttribute{attr("state", "text", "a"), attr("state", "text", "active"), attr("x", "text", "x")},
			want: []Problem{
				{Kind: MissingRequired, Relation: "threat"},
				{Kind: MissingOneOf, Relations: []string{"c2-ip", "c2-ipport"}},
				{Kind: Repeated, Relation: "state"},
			},
			wantStrict: []Problem{{Kind: NotInValuesList, Relation: "state", Value: "a"}, {Kind: UnknownRelation, Relation: "x"}},
			mispMsg:    "Could not save the object as a required attribute is not set (threat)",
		},
		{
			name:  "empty",
			attrs: nil,
			want: []Problem{
				{Kind: MissingRequired, Relation: "threat"},
				{Kind: MissingOneOf, Relations: []string{"c2-ip", "c2-ipport"}},
			},
			mispMsg: "Could not save the object as a required attribute is not set (threat)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, "Validate", tmpl.Validate(tt.attrs), tt.want, tt.mispMsg)
			strict := append(append([]Problem(nil), tt.want...), tt.wantStrict...)
			checkProblems(t, "ValidateStrict", tmpl.ValidateStrict(tt.attrs), strict, "")
		})
	}
}

func checkProblems(t *testing.T, method string, err error, want []Problem, mispMsg string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("%s() = %v, want nil", method, err)
		}
		return
	}
	var ce *ConformityError
	if !errors.As(err, &ce) {
		t.Fatalf("%s() = %v, want a *ConformityError", method, err)
	}
	if !errors.Is(err, misp.ErrInvalid) {
		t.Errorf("%s() error does not match misp.ErrInvalid", method)
	}
	if diff := cmp.Diff(want, ce.Problems); diff != "" {
		t.Errorf("%s() problems mismatch (-want +got):\n%s", method, diff)
	}
	if mispMsg != "" && ce.MISPMessage() != mispMsg {
		t.Errorf("%s() MISPMessage() = %q, want %q", method, ce.MISPMessage(), mispMsg)
	}
}

func TestConformityErrorMessage(t *testing.T) {
	err := &ConformityError{Template: "c2-list", Problems: []Problem{
		{Kind: MissingRequired, Relation: "threat"},
		{Kind: MissingOneOf, Relations: []string{"a", "b"}},
		{Kind: Repeated, Relation: "r"},
		{Kind: UnknownRelation, Relation: "x"},
		{Kind: WrongType, Relation: "c2-ip", Type: "ip-dst", Want: "ip-src"},
		{Kind: NotInValuesList, Relation: "state", Value: "on"},
	}}
	want := `object does not conform to template c2-list: required relation threat is missing; ` +
		`at least one of a, b is required; relation r appears more than once but is not multiple; ` +
		`relation x is not in the template; relation c2-ip has type ip-dst, want ip-src; ` +
		`relation state value "on" is not in the template's values list`
	if got := err.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	unknown := &ConformityError{Template: "t", Problems: []Problem{{Kind: UnknownRelation, Relation: "x"}}}
	if got := unknown.MISPMessage(); got != "Could not save the object as relation x is not in the template." {
		t.Errorf("MISPMessage() = %q", got)
	}
	if got := ProblemKind(99).String(); got != "ProblemKind(99)" {
		t.Errorf("ProblemKind(99).String() = %q", got)
	}
}
