package stiximport

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file parses STIX 2.1 patterns (STIX 2.1 §9) into a syntax tree
// that keeps what the conversion needs: the observation expressions, how
// they are combined, their qualifiers, and each comparison as an object
// type, a property path, an operator and literal values.

// Limits on one pattern, so that a hostile bundle cannot make the parser
// recurse or allocate without bound.
const (
	maxPatternLen   = 64 << 10
	maxPatternDepth = 64
)

// errPattern is wrapped by every pattern syntax error.
var errPattern = errors.New("invalid STIX pattern")

// comparison is one comparison expression: objType:path op values.
type comparison struct {
	objType string
	// path is the object path after the colon, one element per step:
	// property names (quotes removed) and list indexes as "[*]" or "[3]".
	path   []string
	op     string // "=", "!=", "<", "<=", ">", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"
	negate bool
	// values are the literal operands as strings: one, or several for IN,
	// none for EXISTS. kinds says which literal each was.
	values []string
	kinds  []litKind
}

// key returns the path with list indexes removed and steps joined by
// dots: "hashes.SHA-256", "to_refs.value".
func (c comparison) key() string {
	parts := make([]string, 0, len(c.path))
	for _, p := range c.path {
		if !strings.HasPrefix(p, "[") {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// String renders the comparison for warnings.
func (c comparison) String() string {
	return c.objType + ":" + c.key()
}

type litKind int

const (
	litString litKind = iota
	litInt
	litFloat
	litBool
	litHex
	litBinary
	litTime
)

// observation is one bracketed observation expression: its comparisons
// in order, parentheses removed, and the operator that joins them.
type observation struct {
	comparisons []comparison
	// ops is "" (one comparison), "AND" or "OR" when one operator joins
	// all comparisons, or "MIXED". misp-stix reads every comparison of an
	// observation as a property of one MISP element whatever the
	// operator (domain-name OR ipv4-addr becomes one domain-ip object);
	// so does Razmena.
	ops string
}

// pattern is a parsed STIX pattern.
type pattern struct {
	observations []observation
	// combined is true when the pattern combines several observation
	// expressions (AND, OR, FOLLOWEDBY) or qualifies one (WITHIN,
	// REPEATS, START/STOP): it can then not become a MISP attribute or
	// object without losing meaning.
	combined bool
}

// comparisons returns every comparison of every observation.
func (p *pattern) comparisons() []comparison {
	var out []comparison
	for _, o := range p.observations {
		out = append(out, o.comparisons...)
	}
	return out
}

// parsePattern parses a STIX pattern.
func parsePattern(s string) (*pattern, error) {
	if len(s) > maxPatternLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", errPattern, maxPatternLen)
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	pat := &pattern{}
	if err := p.observationExpressions(pat, 0); err != nil {
		return nil, err
	}
	if !p.at(tokEOF) {
		return nil, p.errorf("unexpected %s", p.peek())
	}
	if len(pat.observations) == 0 {
		return nil, fmt.Errorf("%w: no observation expression", errPattern)
	}
	if len(pat.observations) > 1 {
		pat.combined = true
	}
	return pat, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokLBrack
	tokRBrack
	tokLParen
	tokRParen
	tokColon
	tokDot
	tokComma
	tokOp    // = != < <= > >=
	tokWord  // keywords, identifiers, object types, true/false
	tokStr   // 'string' (value unescaped)
	tokNum   // integer or float literal
	tokTyped // h'..', b'..', t'..' (text = prefix + value)
	tokStar  // * inside a list index
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	if t.kind == tokEOF {
		return "end of pattern"
	}
	return fmt.Sprintf("%q at %d", t.text, t.pos)
}

// lex splits a pattern into tokens.
func lex(s string) ([]token, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: not UTF-8", errPattern)
	}
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[':
			toks = append(toks, token{tokLBrack, "[", i})
			i++
		case c == ']':
			toks = append(toks, token{tokRBrack, "]", i})
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == ':':
			toks = append(toks, token{tokColon, ":", i})
			i++
		case c == '.':
			toks = append(toks, token{tokDot, ".", i})
			i++
		case c == ',':
			toks = append(toks, token{tokComma, ",", i})
			i++
		case c == '*':
			toks = append(toks, token{tokStar, "*", i})
			i++
		case c == '=':
			toks = append(toks, token{tokOp, "=", i})
			i++
		case c == '!' || c == '<' || c == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{tokOp, s[i : i+2], i})
				i += 2
			} else if c == '!' {
				return nil, fmt.Errorf("%w: unexpected '!' at %d", errPattern, i)
			} else if c == '<' && i+1 < len(s) && s[i+1] == '>' {
				toks = append(toks, token{tokOp, "!=", i})
				i += 2
			} else {
				toks = append(toks, token{tokOp, string(c), i})
				i++
			}
		case c == '\'':
			v, n, err := lexString(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokStr, v, i})
			i = n
		case (c == 'h' || c == 'b' || c == 't') && i+1 < len(s) && s[i+1] == '\'':
			v, n, err := lexString(s, i+1)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokTyped, string(c) + v, i})
			i = n
		case c == '-' || c == '+' || isDigit(c):
			j := i + 1
			for j < len(s) && (isDigit(s[j]) || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				((s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E'))) {
				j++
			}
			if j == i+1 && !isDigit(c) {
				return nil, fmt.Errorf("%w: unexpected %q at %d", errPattern, c, i)
			}
			toks = append(toks, token{tokNum, s[i:j], i})
			i = j
		case isWordStart(c):
			j := i + 1
			for j < len(s) && isWordPart(s[j]) {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j], i})
			i = j
		default:
			return nil, fmt.Errorf("%w: unexpected %q at %d", errPattern, c, i)
		}
	}
	return append(toks, token{tokEOF, "", len(s)}), nil
}

// lexString reads a quoted string starting at the quote s[i]; \' and \\
// are the only escapes (STIX 2.1 §9.2).
func lexString(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 >= len(s) || (s[j+1] != '\'' && s[j+1] != '\\') {
				return "", 0, fmt.Errorf("%w: bad escape in string at %d", errPattern, j)
			}
			b.WriteByte(s[j+1])
			j++
		case '\'':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, fmt.Errorf("%w: unterminated string at %d", errPattern, i)
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isWordStart(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '_' }
func isWordPart(c byte) bool  { return isWordStart(c) || isDigit(c) || c == '-' }

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token       { return p.toks[p.i] }
func (p *parser) at(k tokKind) bool { return p.toks[p.i].kind == k }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}
func (p *parser) keyword(w string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errPattern, fmt.Sprintf(format, args...))
}

func (p *parser) expect(k tokKind, what string) (token, error) {
	if !p.at(k) {
		return token{}, p.errorf("expected %s, got %s", what, p.peek())
	}
	return p.next(), nil
}

// observationExpressions parses observation expressions joined by AND,
// OR and FOLLOWEDBY, each possibly parenthesised and qualified.
func (p *parser) observationExpressions(pat *pattern, depth int) error {
	if depth > maxPatternDepth {
		return p.errorf("nested too deeply")
	}
	for {
		if err := p.observationExpression(pat, depth); err != nil {
			return err
		}
		if p.keyword("AND") || p.keyword("OR") || p.keyword("FOLLOWEDBY") {
			p.next()
			pat.combined = true
			continue
		}
		return nil
	}
}

func (p *parser) observationExpression(pat *pattern, depth int) error {
	switch {
	case p.at(tokLBrack):
		p.next()
		var o observation
		if err := p.comparisonExpression(&o, depth+1); err != nil {
			return err
		}
		if _, err := p.expect(tokRBrack, "']'"); err != nil {
			return err
		}
		pat.observations = append(pat.observations, o)
	case p.at(tokLParen):
		p.next()
		if err := p.observationExpressions(pat, depth+1); err != nil {
			return err
		}
		if _, err := p.expect(tokRParen, "')'"); err != nil {
			return err
		}
	default:
		return p.errorf("expected '[' or '(', got %s", p.peek())
	}
	for {
		qualified, err := p.qualifier()
		if err != nil {
			return err
		}
		if !qualified {
			return nil
		}
		pat.combined = true
	}
}

// qualifier parses one of WITHIN n SECONDS, REPEATS n TIMES,
// START t'…' STOP t'…'.
func (p *parser) qualifier() (bool, error) {
	switch {
	case p.keyword("WITHIN"):
		p.next()
		if _, err := p.expect(tokNum, "a number"); err != nil {
			return false, err
		}
		if !p.keyword("SECONDS") {
			return false, p.errorf("expected SECONDS, got %s", p.peek())
		}
		p.next()
	case p.keyword("REPEATS"):
		p.next()
		if _, err := p.expect(tokNum, "a number"); err != nil {
			return false, err
		}
		if !p.keyword("TIMES") {
			return false, p.errorf("expected TIMES, got %s", p.peek())
		}
		p.next()
	case p.keyword("START"):
		p.next()
		if t := p.next(); t.kind != tokTyped || t.text[0] != 't' {
			return false, p.errorf("expected a timestamp, got %s", t)
		}
		if !p.keyword("STOP") {
			return false, p.errorf("expected STOP, got %s", p.peek())
		}
		p.next()
		if t := p.next(); t.kind != tokTyped || t.text[0] != 't' {
			return false, p.errorf("expected a timestamp, got %s", t)
		}
	default:
		return false, nil
	}
	return true, nil
}

// comparisonExpression parses comparisons joined by AND and OR, with
// parentheses, into o.
func (p *parser) comparisonExpression(o *observation, depth int) error {
	if depth > maxPatternDepth {
		return p.errorf("nested too deeply")
	}
	for {
		if p.at(tokLParen) {
			p.next()
			if err := p.comparisonExpression(o, depth+1); err != nil {
				return err
			}
			if _, err := p.expect(tokRParen, "')'"); err != nil {
				return err
			}
		} else {
			c, err := p.comparison()
			if err != nil {
				return err
			}
			o.comparisons = append(o.comparisons, c)
		}
		var op string
		switch {
		case p.keyword("AND"):
			op = "AND"
		case p.keyword("OR"):
			op = "OR"
		default:
			return nil
		}
		p.next()
		switch o.ops {
		case "", op:
			o.ops = op
		default:
			o.ops = "MIXED"
		}
	}
}

// comparison parses objType:path [NOT] op literal, or EXISTS path.
func (p *parser) comparison() (comparison, error) {
	var c comparison
	if p.keyword("EXISTS") {
		p.next()
		c.op = "EXISTS"
		err := p.objectPath(&c)
		return c, err
	}
	if err := p.objectPath(&c); err != nil {
		return c, err
	}
	if p.keyword("NOT") {
		p.next()
		c.negate = true
	}
	t := p.next()
	switch {
	case t.kind == tokOp:
		c.op = t.text
		return c, p.literal(&c)
	case t.kind == tokWord:
		op := strings.ToUpper(t.text)
		switch op {
		case "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET":
			c.op = op
			return c, p.literal(&c)
		case "IN":
			c.op = op
			if _, err := p.expect(tokLParen, "'('"); err != nil {
				return c, err
			}
			for {
				if err := p.literal(&c); err != nil {
					return c, err
				}
				if p.at(tokComma) {
					p.next()
					continue
				}
				break
			}
			_, err := p.expect(tokRParen, "')'")
			return c, err
		}
	}
	return c, p.errorf("expected a comparison operator, got %s", t)
}

// objectPath parses objType ':' step ( '.' step | '[' index ']' )*.
func (p *parser) objectPath(c *comparison) error {
	t, err := p.expect(tokWord, "an object type")
	if err != nil {
		return err
	}
	c.objType = t.text
	if _, err := p.expect(tokColon, "':'"); err != nil {
		return err
	}
	if err := p.pathStep(c); err != nil {
		return err
	}
	for {
		switch {
		case p.at(tokDot):
			p.next()
			if err := p.pathStep(c); err != nil {
				return err
			}
		case p.at(tokLBrack):
			p.next()
			t := p.next()
			switch {
			case t.kind == tokStar:
				c.path = append(c.path, "[*]")
			case t.kind == tokNum && isIndex(t.text):
				c.path = append(c.path, "["+t.text+"]")
			default:
				return p.errorf("expected a list index, got %s", t)
			}
			if _, err := p.expect(tokRBrack, "']'"); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func isIndex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// pathStep reads a property name: an identifier or a quoted string
// ('SHA-256').
func (p *parser) pathStep(c *comparison) error {
	t := p.next()
	switch t.kind {
	case tokWord, tokStr:
		if t.text == "" {
			return p.errorf("empty property name at %d", t.pos)
		}
		c.path = append(c.path, t.text)
		return nil
	}
	return p.errorf("expected a property name, got %s", t)
}

// literal reads one literal into c.values.
func (p *parser) literal(c *comparison) error {
	t := p.next()
	var k litKind
	v := t.text
	switch t.kind {
	case tokStr:
		k = litString
	case tokNum:
		if strings.ContainsAny(v, ".eE") {
			k = litFloat
		} else {
			k = litInt
		}
	case tokTyped:
		switch v[0] {
		case 'h':
			k = litHex
		case 'b':
			k = litBinary
		default:
			k = litTime
		}
		v = v[1:]
	case tokWord:
		switch strings.ToLower(v) {
		case "true", "false":
			k, v = litBool, strings.ToLower(v)
		default:
			return p.errorf("expected a literal, got %s", t)
		}
	default:
		return p.errorf("expected a literal, got %s", t)
	}
	c.values = append(c.values, v)
	c.kinds = append(c.kinds, k)
	return nil
}
