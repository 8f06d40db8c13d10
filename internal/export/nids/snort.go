package nids

import (
	"regexp"
	"strconv"
	"strings"
)

// The keywords NidsExport::snortRule rewrites in a snort attribute. \s is
// spelled out as PCRE's (Go's lacks the vertical tab).
var (
	snortSID       = regexp.MustCompile(`sid[\t\n\v\f\r ]*:[\t\n\v\f\r ]*[0-9]+[\t\n\v\f\r ]*;`)
	snortRev       = regexp.MustCompile(`rev[\t\n\v\f\r ]*:[\t\n\v\f\r ]*[0-9]+[\t\n\v\f\r ]*;`)
	snortClasstype = regexp.MustCompile(`classtype:[a-zA-Z_-]+;`)
	snortMsg       = regexp.MustCompile(`msg[\t\n\v\f\r ]*:[\t\n\v\f\r ]*"(.*?)"[\t\n\v\f\r ]*;`)
	snortReference = regexp.MustCompile(`reference[\t\n\v\f\r ]*:[\t\n\v\f\r ]*.+?;`)
	snortEnd       = regexp.MustCompile(`;[\t\n\v\f\r ]*\)`)
)

// snortRule adds the rule of a snort attribute the way
// NidsExport::snortRule does: newlines become spaces; sid, rev, classtype,
// msg and reference are overwritten with ours (the old msg is kept after
// "snort-rule | "); the keywords the rule lacked are added before every
// closing ";)". The rule is taken as is otherwise, without a trailing
// space. Both flavours use it.
func (it *item) snortRule(v string, sid int64) {
	r := strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	r, nSID := replaceAll(snortSID, r, func([]string) string { return "sid:" + strconv.FormatInt(sid, 10) + ";" })
	r, nRev := replaceAll(snortRev, r, func([]string) string { return "rev:1;" })
	r, nClass := replaceAll(snortClasstype, r, func([]string) string { return "classtype:" + classtype + ";" })
	r, nMsg := replaceAll(snortMsg, r, func(m []string) string { return `msg: "` + it.msg + " snort-rule | " + m[1] + `";` })
	ref := func([]string) string { return it.reference + ";" }
	r, nRef := replaceAll(snortReference, r, ref)
	// MISP runs the reference replacement twice and keeps the second count.
	r, nRef = replaceAll(snortReference, r, ref)

	var extra strings.Builder
	if nSID == 0 {
		extra.WriteString("sid:" + strconv.FormatInt(sid, 10) + ";")
	}
	if nRev == 0 {
		extra.WriteString("rev:1;")
	}
	if nClass == 0 {
		extra.WriteString("classtype:" + classtype + ";")
	}
	if nMsg == 0 {
		// MISP appends its msg format unformatted, "%s" and all.
		extra.WriteString(`msg: "` + it.msg + ` %s";`)
	}
	if nRef == 0 {
		extra.WriteString(it.reference + ";")
	}
	end := "; " + extra.String() + ")"
	r, _ = replaceAll(snortEnd, r, func([]string) string { return end })
	it.rules = append(it.rules, r)
}

// replaceAll is preg_replace with a callback: it replaces every match of
// re in s by repl(submatches) and counts them. Unlike
// Regexp.ReplaceAllString it expands nothing in the replacement.
func replaceAll(re *regexp.Regexp, s string, repl func(m []string) string) (string, int) {
	locs := re.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return s, 0
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		b.WriteString(s[last:loc[0]])
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(repl(m))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String(), len(locs)
}
