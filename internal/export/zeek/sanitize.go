package zeek

import (
	"html"
	"strconv"
	"strings"
)

var whitespace = strings.NewReplacer("\r\n", " ", "\t", " ", "\v", " ", "\r", " ", "\n", " ")

// sanitize is BroExport::replaceIllegalChars:
//
//	html_entity_decode(filter_var(strtr($value, [tab, VT, CR, CRLF, LF → " "]),
//	    FILTER_SANITIZE_STRING, FILTER_FLAG_STRIP_HIGH))
//
// which drops every byte from 127 up (all non-ASCII text), strips what
// looks like HTML tags ("a<b" loses "<b"), and decodes HTML 4.01
// entities — PHP 8.1 defaults, ENT_QUOTES. Quotes survive: the filter
// encodes them and the decoding brings them back.
func sanitize(s string) string {
	s = whitespace.Replace(s)
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 127:
		case c == '"':
			b = append(b, "&#34;"...)
		case c == '\'':
			b = append(b, "&#39;"...)
		default:
			b = append(b, c)
		}
	}
	return decodeEntities(stripTags(b))
}

// stripTags is PHP's php_strip_tags_ex as FILTER_SANITIZE_STRING calls it
// (no allowed tags, "< " opens a tag too). Quotes never reach it (they
// are encoded first), so PHP's quote tracking is left out. States:
// 0 text, 1 tag, 2 <?…?>, 3 <!…>, 4 <!--…-->.
func stripTags(s []byte) string {
	out := make([]byte, 0, len(s))
	state, depth, br := 0, 0, 0
	prev := func(i, n int) byte {
		if i-n >= 0 {
			return s[i-n]
		}
		return 0
	}
	for i, c := range s {
		switch c {
		case 0:
			continue
		case '<':
			if state == 0 {
				state = 1
			} else if state == 1 {
				depth++
			}
			continue
		case '(', ')':
			if state == 2 { // PHP counts brackets in <?…?>
				if c == '(' {
					br++
				} else {
					br--
				}
				continue
			}
		case '>':
			if depth > 0 {
				depth--
				continue
			}
			switch state {
			case 1:
				state = 0
			case 2:
				if br == 0 && prev(i, 1) == '?' {
					state = 0
				}
			case 3:
				state = 0
			case 4:
				if prev(i, 1) == '-' && prev(i, 2) == '-' {
					state = 0
				}
			default:
				out = append(out, c)
			}
			continue
		case '!':
			if state == 1 && prev(i, 1) == '<' {
				state = 3
				continue
			}
		case '-':
			if state == 3 && prev(i, 1) == '-' && prev(i, 2) == '!' {
				state = 4
				continue
			}
		case '?', 'E', 'e', 'L', 'l':
			// PHP's cases fall through from '?' to 'e' to 'l'.
			if c == '?' && state == 1 && prev(i, 1) == '<' {
				br, state = 0, 2
				continue
			}
			// <!DOCTYPE is read as a tag
			if c != 'L' && c != 'l' && state == 3 && i > 6 && strings.EqualFold(string(s[i-6:i]), "doctyp") {
				state = 1
				continue
			}
			// <?xml is read as a tag
			if state == 2 && i > 2 && strings.EqualFold(string(s[i-2:i]), "xm") {
				state = 1
				continue
			}
		}
		if state == 0 {
			out = append(out, c)
		}
	}
	return string(out)
}

// decodeEntities is PHP's html_entity_decode with ENT_QUOTES|ENT_HTML401
// in UTF-8: &name; for the HTML 4.01 names, &#n; and &#xh; for the code
// points HTML 4.01 allows. Anything else stays as written.
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if r, n := entity(s[i+1:]); n > 0 {
				b.WriteString(r)
				i += 1 + n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// entity decodes the entity that s (what follows a "&") starts with and
// returns it with the number of bytes it took, ";" included; 0 if none.
func entity(s string) (string, int) {
	if strings.HasPrefix(s, "#") {
		start, base, digit := 1, 10, isDigit
		if len(s) > 1 && (s[1] == 'x' || s[1] == 'X') {
			start, base, digit = 2, 16, isHex
		}
		j := start
		for j < len(s) && digit(s[j]) {
			j++
		}
		if j == start || j == len(s) || s[j] != ';' {
			return "", 0
		}
		cp, err := strconv.ParseUint(s[start:j], base, 32)
		if err != nil || !html401Allowed(cp) {
			return "", 0
		}
		return string(rune(cp)), j + 1
	}
	j := 0
	for j < len(s) && (isDigit(s[j]) || (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z')) {
		j++
	}
	if j == 0 || j == len(s) || s[j] != ';' || !html401Names[s[:j]] {
		return "", 0
	}
	switch s[:j] {
	case "lang": // HTML5 moved these two; HTML 4.01 has U+2329, U+232A
		return "\u2329", j + 1
	case "rang":
		return "\u232a", j + 1
	}
	return html.UnescapeString("&" + s[:j+1]), j + 1
}

// html401Allowed is PHP's unicode_cp_is_allowed for HTML 4.01.
func html401Allowed(cp uint64) bool {
	return (cp >= 0x20 && cp <= 0x7e) || cp == 0x0a || cp == 0x09 || cp == 0x0d ||
		(cp >= 0xa0 && cp <= 0xd7ff) ||
		(cp >= 0xe000 && cp <= 0x10ffff && cp&0xffff < 0xfffe && (cp < 0xfdd0 || cp > 0xfdef))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// html401Names are the 252 entity names of HTML 4.01 (HTMLlat1, HTMLsymbol,
// HTMLspecial); &apos; is not one of them.
var html401Names = func() map[string]bool {
	const names = `nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn
sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc
Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute
Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml
aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde
ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml
fnof Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho Sigma Tau
Upsilon Phi Chi Psi Omega alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron
pi rho sigmaf sigma tau upsilon phi chi psi omega thetasym upsih piv bull hellip prime Prime oline frasl
weierp image real trade alefsym larr uarr rarr darr harr crarr lArr uArr rArr dArr hArr forall part exist
empty nabla isin notin ni prod sum minus lowast radic prop infin ang and or cap cup int there4 sim cong
asymp ne equiv le ge sub sup nsub sube supe oplus otimes perp sdot lceil rceil lfloor rfloor lang rang loz
spades clubs hearts diams
quot amp lt gt OElig oelig Scaron scaron Yuml circ tilde ensp emsp thinsp zwnj zwj lrm rlm ndash mdash
lsquo rsquo sbquo ldquo rdquo bdquo dagger Dagger permil lsaquo rsaquo euro`
	m := map[string]bool{}
	for _, n := range strings.Fields(names) {
		m[n] = true
	}
	return m
}()
