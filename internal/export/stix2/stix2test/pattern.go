package stix2test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// This file checks STIX patterns against the grammar of STIX 2.1 §9
// (the OASIS STIXPattern.g4): the JSON schemas only say a pattern is a
// string. It checks syntax, not meaning: object types and property names
// are not looked up.

// CheckPattern reports whether p is a syntactically valid STIX 2.1
// pattern.
func CheckPattern(p string) error {
	toks, err := lex(p)
	if err != nil {
		return err
	}
	ps := &patternParser{toks: toks}
	if err := ps.observations(0); err != nil {
		return err
	}
	if ps.pos < len(ps.toks) {
		return ps.errorf("unexpected %q", ps.toks[ps.pos].text)
	}
	return nil
}

type tokKind int

const (
	tokPunct   tokKind = iota // [ ] ( ) : . , * and comparison operators
	tokIdent                  // identifier without hyphen
	tokHyIdent                // identifier with a hyphen
	tokKeyword                // AND, OR, …
	tokString
	tokInt
	tokFloat
	tokBool
	tokTimestamp
	tokHex
	tokBinary
)

type token struct {
	kind tokKind
	text string
	at   int
}

var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "FOLLOWEDBY": true, "LIKE": true, "MATCHES": true,
	"ISSUPERSET": true, "ISSUBSET": true, "EXISTS": true, "LAST": true, "IN": true,
	"START": true, "STOP": true, "SECONDS": true, "WITHIN": true, "REPEATS": true, "TIMES": true,
}

var (
	timestampLit = regexp.MustCompile(`^t'\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z'`)
	numberLit    = regexp.MustCompile(`^[+-]?(\d*\.\d+|0|[1-9]\d*)`)
	identLit     = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_-]*`)
	hexLit       = regexp.MustCompile(`^h'([0-9a-fA-F]{2})*'`)
	binaryLit    = regexp.MustCompile(`^b'[A-Za-z0-9+/=]*'`)
)

func lex(p string) ([]token, error) {
	var toks []token
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case strings.IndexByte(" \t\r\n\v\f", c) >= 0:
			i++
		case c == '\'':
			j := i + 1
			for ; j < len(p) && p[j] != '\''; j++ {
				if p[j] == '\\' {
					if j+1 >= len(p) || (p[j+1] != '\'' && p[j+1] != '\\') {
						return nil, fmt.Errorf("pattern offset %d: backslash not followed by ' or \\", j)
					}
					j++
				}
			}
			if j >= len(p) {
				return nil, fmt.Errorf("pattern offset %d: unterminated string", i)
			}
			toks = append(toks, token{tokString, p[i : j+1], i})
			i = j + 1
		case (c == 't' || c == 'h' || c == 'b') && i+1 < len(p) && p[i+1] == '\'':
			re, kind := timestampLit, tokTimestamp
			if c == 'h' {
				re, kind = hexLit, tokHex
			} else if c == 'b' {
				re, kind = binaryLit, tokBinary
			}
			m := re.FindString(p[i:])
			if m == "" {
				return nil, fmt.Errorf("pattern offset %d: malformed %c'' literal", i, c)
			}
			if kind == tokBinary {
				if _, err := base64.StdEncoding.DecodeString(m[2 : len(m)-1]); err != nil {
					return nil, fmt.Errorf("pattern offset %d: binary literal: %w", i, err)
				}
			}
			toks = append(toks, token{kind, m, i})
			i += len(m)
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(p) && p[i+1] >= '0' && p[i+1] <= '9' ||
			(c == '+' || c == '-') && i+1 < len(p) && (p[i+1] >= '0' && p[i+1] <= '9' || p[i+1] == '.'):
			m := numberLit.FindString(p[i:])
			if m == "" {
				return nil, fmt.Errorf("pattern offset %d: malformed number", i)
			}
			kind := tokInt
			if strings.Contains(m, ".") {
				kind = tokFloat
			}
			toks = append(toks, token{kind, m, i})
			i += len(m)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			m := identLit.FindString(p[i:])
			kind := tokIdent
			switch {
			case keywords[m]:
				kind = tokKeyword
			case m == "true" || m == "false":
				kind = tokBool
			case strings.Contains(m, "-"):
				kind = tokHyIdent
			}
			toks = append(toks, token{kind, m, i})
			i += len(m)
		default:
			op := string(c)
			if i+1 < len(p) && (p[i:i+2] == "!=" || p[i:i+2] == "<=" || p[i:i+2] == ">=" || p[i:i+2] == "<>") {
				op = p[i : i+2]
			}
			if !strings.Contains("[]():.,*=<>", op) && op != "!=" && op != "<=" && op != ">=" && op != "<>" {
				return nil, fmt.Errorf("pattern offset %d: unexpected character %q", i, c)
			}
			toks = append(toks, token{tokPunct, op, i})
			i += len(op)
		}
	}
	return toks, nil
}

// maxDepth bounds nesting, so that a hostile pattern cannot exhaust the
// stack.
const maxDepth = 100

type patternParser struct {
	toks []token
	pos  int
}

var errDepth = errors.New("pattern nested too deeply")

func (p *patternParser) errorf(format string, args ...any) error {
	at := "end"
	if p.pos < len(p.toks) {
		at = fmt.Sprintf("offset %d", p.toks[p.pos].at)
	}
	return fmt.Errorf("pattern %s: %s", at, fmt.Sprintf(format, args...))
}

func (p *patternParser) peek(kind tokKind, text string) bool {
	if p.pos >= len(p.toks) {
		return false
	}
	t := p.toks[p.pos]
	return t.kind == kind && (text == "" || t.text == text)
}

func (p *patternParser) accept(kind tokKind, text string) bool {
	if p.peek(kind, text) {
		p.pos++
		return true
	}
	return false
}

func (p *patternParser) expect(kind tokKind, text, what string) error {
	if !p.accept(kind, text) {
		return p.errorf("expected %s", what)
	}
	return nil
}

// observations: or-expressions joined by FOLLOWEDBY.
func (p *patternParser) observations(depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	for {
		if err := p.observationOr(depth); err != nil {
			return err
		}
		if !p.accept(tokKeyword, "FOLLOWEDBY") {
			return nil
		}
	}
}

func (p *patternParser) observationOr(depth int) error {
	for {
		if err := p.observationAnd(depth); err != nil {
			return err
		}
		if !p.accept(tokKeyword, "OR") {
			return nil
		}
	}
}

func (p *patternParser) observationAnd(depth int) error {
	for {
		if err := p.observation(depth); err != nil {
			return err
		}
		if !p.accept(tokKeyword, "AND") {
			return nil
		}
	}
}

// observation: [comparisons] or (observations), then qualifiers.
func (p *patternParser) observation(depth int) error {
	switch {
	case p.accept(tokPunct, "["):
		if err := p.comparisonOr(depth + 1); err != nil {
			return err
		}
		if err := p.expect(tokPunct, "]", "]"); err != nil {
			return err
		}
	case p.accept(tokPunct, "("):
		if err := p.observations(depth + 1); err != nil {
			return err
		}
		if err := p.expect(tokPunct, ")", ")"); err != nil {
			return err
		}
	default:
		return p.errorf("expected [ or (")
	}
	for {
		switch {
		case p.accept(tokKeyword, "START"):
			if err := p.expect(tokTimestamp, "", "timestamp after START"); err != nil {
				return err
			}
			if err := p.expect(tokKeyword, "STOP", "STOP"); err != nil {
				return err
			}
			if err := p.expect(tokTimestamp, "", "timestamp after STOP"); err != nil {
				return err
			}
		case p.accept(tokKeyword, "WITHIN"):
			if !p.positive(tokInt) && !p.positive(tokFloat) {
				return p.errorf("expected a positive number after WITHIN")
			}
			if err := p.expect(tokKeyword, "SECONDS", "SECONDS"); err != nil {
				return err
			}
		case p.accept(tokKeyword, "REPEATS"):
			if !p.positive(tokInt) {
				return p.errorf("expected a positive integer after REPEATS")
			}
			if err := p.expect(tokKeyword, "TIMES", "TIMES"); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (p *patternParser) positive(kind tokKind) bool {
	if p.peek(kind, "") && !strings.HasPrefix(p.toks[p.pos].text, "-") {
		p.pos++
		return true
	}
	return false
}

func (p *patternParser) comparisonOr(depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	for {
		if err := p.comparisonAnd(depth); err != nil {
			return err
		}
		if !p.accept(tokKeyword, "OR") {
			return nil
		}
	}
}

func (p *patternParser) comparisonAnd(depth int) error {
	for {
		if err := p.propTest(depth); err != nil {
			return err
		}
		if !p.accept(tokKeyword, "AND") {
			return nil
		}
	}
}

// propTest: path [NOT] operator literal, EXISTS path, or (comparisons).
func (p *patternParser) propTest(depth int) error {
	if p.accept(tokPunct, "(") {
		if err := p.comparisonOr(depth + 1); err != nil {
			return err
		}
		return p.expect(tokPunct, ")", ")")
	}
	if p.accept(tokKeyword, "EXISTS") {
		return p.objectPath()
	}
	if err := p.objectPath(); err != nil {
		return err
	}
	p.accept(tokKeyword, "NOT")
	switch {
	case p.accept(tokPunct, "=") || p.accept(tokPunct, "!=") || p.accept(tokPunct, "<>"):
		return p.literal(true)
	case p.accept(tokPunct, "<") || p.accept(tokPunct, "<=") || p.accept(tokPunct, ">") || p.accept(tokPunct, ">="):
		return p.literal(false)
	case p.accept(tokKeyword, "IN"):
		if err := p.expect(tokPunct, "(", "( after IN"); err != nil {
			return err
		}
		if p.accept(tokPunct, ")") {
			return nil
		}
		for {
			if err := p.literal(true); err != nil {
				return err
			}
			if !p.accept(tokPunct, ",") {
				return p.expect(tokPunct, ")", ") closing the set")
			}
		}
	case p.accept(tokKeyword, "LIKE") || p.accept(tokKeyword, "MATCHES") ||
		p.accept(tokKeyword, "ISSUBSET") || p.accept(tokKeyword, "ISSUPERSET"):
		return p.expect(tokString, "", "a string")
	}
	return p.errorf("expected a comparison operator")
}

// literal: a primitive literal; booleans only where equality allows them.
func (p *patternParser) literal(orBool bool) error {
	for _, k := range []tokKind{tokString, tokInt, tokFloat, tokTimestamp, tokHex, tokBinary} {
		if p.accept(k, "") {
			return nil
		}
	}
	if orBool && p.accept(tokBool, "") {
		return nil
	}
	return p.errorf("expected a literal")
}

// objectPath: type:first(.name|.'name'|[n]|[*])*
func (p *patternParser) objectPath() error {
	if !p.accept(tokIdent, "") && !p.accept(tokHyIdent, "") {
		return p.errorf("expected an object type")
	}
	if err := p.expect(tokPunct, ":", ": after the object type"); err != nil {
		return err
	}
	if !p.accept(tokIdent, "") && !p.accept(tokString, "") {
		return p.errorf("expected a property name")
	}
	for {
		switch {
		case p.accept(tokPunct, "."):
			if !p.accept(tokIdent, "") && !p.accept(tokString, "") {
				return p.errorf("expected a property name after . (quote names with hyphens)")
			}
		case p.accept(tokPunct, "["):
			if !p.accept(tokPunct, "*") && !p.accept(tokInt, "") {
				return p.errorf("expected an index or *")
			}
			if err := p.expect(tokPunct, "]", "]"); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}
