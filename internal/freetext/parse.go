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
	// "excluderegex" setting of freetext feeds. It sees the candidate
	// trimmed and, for "key=value", the value only.
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
	// messageIDs is set while scanning a Message-ID or similar header.
	messageIDs bool
	out        []Proposal
}

// scan offers every candidate in text.
func (st *state) scan(text string) {
	lines(text, func(line string) {
		st.messageIDs = isMessageIDHeader(line)
		st.spans = appendSpans(st.spans[:0], line)
		for _, s := range st.spans {
			if c, ok := spanText(line, s); ok {
				st.candidate(c)
			}
		}
	})
	st.messageIDs = false
}

// messageIDHeaders are the e-mail headers whose values look like e-mail
// addresses but are message ids.
var messageIDHeaders = []string{"message-id:", "in-reply-to:", "references:", "resent-message-id:"}

func isMessageIDHeader(line string) bool {
	for _, h := range messageIDHeaders {
		if hasPrefixFold(line, h) {
			return true
		}
	}
	return false
}

// candidate resolves one candidate and adds its proposal, unless it
// resolves to nothing, the value cannot be saved as its default type
// (misp.NormalizeValue rejects it), or the value was already proposed.
// MISP compares values as proposed; we compare them normalised, so that
// "EXAMPLE.COM" and "example.com" are one proposal.
func (st *state) candidate(c string) {
	c = trim(c)
	if _, value, ok := cutKey(c); ok {
		// "src=1.2.3.4" in a firewall log, "smtp.mailfrom=evil.com" in
		// Authentication-Results: MISP finds nothing, or a file name.
		for ok {
			c = value
			_, value, ok = cutKey(c)
		}
		c = trim(c)
	}
	if !mayHoldIndicator(c) || st.seen[c] {
		return
	}
	st.seen[c] = true
	if st.p.exclude != nil && st.p.exclude.MatchString(c) {
		return
	}
	h, ok := st.resolve(c)
	if !ok {
		return
	}
	if st.messageIDs && h.defaultType() == "email-src" {
		// MISP proposes message ids as sender addresses.
		h = hit{types: messageIDTypes, value: h.value}
	}
	norm, err := misp.NormalizeValue(h.defaultType(), h.value)
	if err != nil || st.values[norm] {
		return
	}
	st.values[norm] = true
	st.out = append(st.out, newProposal(h, c))
}

var messageIDTypes = []string{"email-message-id"}

// cutKey splits "key=value", where key is letters, digits, '.', '-' and
// '_' and value is not empty. URLs with a query have a '/' or ':' before
// their '=' and do not split.
func cutKey(s string) (key, value string, ok bool) {
	key, value, ok = strings.Cut(s, "=")
	if !ok || key == "" || value == "" {
		return "", "", false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !isAlnum(c) && c != '.' && c != '-' && c != '_' {
			return "", "", false
		}
	}
	return key, value, true
}

// jsonStrings returns the string values in a JSON document, in document
// order, leaving out object keys, numbers, booleans and nulls (MISP keeps
// non-integer numbers; no indicator is one).
func jsonStrings(text string) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber() // 1e999 is valid JSON; float64 cannot hold it
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
