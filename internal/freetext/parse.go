package freetext

import (
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Options changes what a Parser recognises. The zero value is what Parse
// uses.
type Options struct {
	// Exclude drops every candidate it matches, before refanging: MISP's
	// "excluderegex" setting of freetext feeds.
	Exclude *regexp.Regexp
	// TLDs, when not empty, replaces the built-in list of top-level
	// domains, as MISP's "TLDs as known by IANA" warninglist does;
	// "onion" is always added, as MISP adds it. Case does not matter.
	TLDs []string
	// SecurityVendorDomains, when not empty, replaces the built-in list
	// of domains (virustotal.com and hybrid-analysis.com, MISP's own
	// fallback) whose URLs are proposed as links rather than as
	// indicators; MISP reads it from the warninglist "List of known
	// domains used by automated malware analysis services & security
	// vendors".
	SecurityVendorDomains []string
}

// A Parser finds attributes in text. It is safe for concurrent use.
type Parser struct {
	exclude *regexp.Regexp
	tlds    map[string]bool // nil: the Public Suffix List
	vendors []string
}

// New returns a Parser with the given options.
func New(opts Options) *Parser {
	p := &Parser{exclude: opts.Exclude, vendors: defaultVendorDomains}
	if len(opts.TLDs) > 0 {
		p.tlds = map[string]bool{"onion": true}
		for _, t := range opts.TLDs {
			p.tlds[strings.ToLower(t)] = true
		}
	}
	if len(opts.SecurityVendorDomains) > 0 {
		p.vendors = make([]string, len(opts.SecurityVendorDomains))
		for i, d := range opts.SecurityVendorDomains {
			p.vendors[i] = strings.ToLower(d)
		}
	}
	return p
}

// defaultParser holds no mutable state; Parse shares it.
var defaultParser = New(Options{})

// Parse finds the attributes in text with the default options; see the
// package documentation for what it recognises. It never returns nil, so
// that an empty answer encodes as [] as MISP's does.
func Parse(text string) []Proposal {
	return defaultParser.Parse(text)
}

// Parse finds the attributes in text, in the order in which they first
// appear, each value once.
func (p *Parser) Parse(text string) []Proposal {
	st := &state{
		p:        p,
		seen:     make(map[string]bool),
		values:   make(map[string]bool),
		tldCache: make(map[string]bool),
		out:      []Proposal{},
	}
	// Like MISP, read text that starts with '{' as JSON if it is JSON.
	if strings.HasPrefix(text, "{") {
		if values, err := jsonStrings(text); err == nil {
			for _, v := range values {
				st.candidate(v)
				st.scan(v)
			}
			return st.out
		}
	}
	st.scan(text)
	return st.out
}

// state is one run of Parse.
type state struct {
	p *Parser
	// seen holds the candidates already resolved: running text repeats
	// itself, and resolving is the expensive part.
	seen map[string]bool
	// values holds the normalised values already proposed.
	values   map[string]bool
	tldCache map[string]bool
	spans    []span
	out      []Proposal
}

// scan offers every candidate in text.
func (st *state) scan(text string) {
	lines(text, func(line string) {
		st.spans = appendSpans(st.spans[:0], line)
		for _, s := range st.spans {
			if c, ok := spanText(line, s); ok {
				st.candidate(c)
			}
		}
	})
}

// candidate resolves one candidate and adds its proposal, unless it
// resolves to nothing, the value cannot be saved as its default type
// (misp.NormalizeValue rejects it), or the value was already proposed.
// MISP compares values as proposed; we compare them normalised, so that
// "EXAMPLE.COM" and "example.com" are one proposal.
func (st *state) candidate(c string) {
	c = trim(c)
	if c == "" || st.seen[c] {
		return
	}
	st.seen[c] = true
	if !mayHoldIndicator(c) || st.p.exclude != nil && st.p.exclude.MatchString(c) {
		return
	}
	h, ok := st.resolve(c)
	if !ok {
		return
	}
	norm, err := misp.NormalizeValue(h.defaultType(), h.value)
	if err != nil || st.values[norm] {
		return
	}
	st.values[norm] = true
	st.out = append(st.out, newProposal(h, c))
}

// jsonStrings returns the string values in a JSON document, in document
// order, leaving out object keys, numbers, booleans and nulls (MISP keeps
// non-integer numbers; no indicator is one).
func jsonStrings(text string) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	// Each open container: whether it is an object and whether its next
	// string is a key.
	type frame struct{ object, key bool }
	var stack []frame
	var values []string
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		isKey := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].key
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = !isKey
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, key: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					// PHP's json_decode takes one document only.
					if _, err := dec.Token(); !errors.Is(err, io.EOF) {
						return nil, errors.New("data after the JSON document")
					}
					return values, nil
				}
			}
		case string:
			if !isKey && t != "" {
				values = append(values, t)
			}
		}
	}
}
