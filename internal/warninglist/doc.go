// Package warninglist loads MISP warninglists (the misp-warninglists
// library: lists of known-benign values such as public DNS resolvers, top
// domains and cloud ranges) and checks attribute values against them.
//
// Load reads a library checkout, Parse one list.json, NewIndex builds an
// immutable Index over the lists the caller wants checked (normally the
// enabled ones), and Index.Check / Index.CheckValue report the lists a
// value is on. There is one structure per list type, not a loop over
// lists: a map for string lists, a map walked over the value's parent
// domains for hostname lists, one map per prefix length for cidr lists.
// Substring lists (three in the library) get an Aho-Corasick automaton
// each; regex lists, which are few, are a loop of compiled regexps, each
// tried only if the value contains a literal its matches need.
//
// List.MISP and FromMISP convert to and from the stored form
// (misp.Warninglist); ImportDir loads a checkout into a store. A Matcher
// keeps an Index over the enabled lists of a store and rebuilds it when
// the store's warninglist revision says they changed, so that the server
// can check values per request at the cost of one row read.
//
// # Matching, as MISP does it (app/Model/Warninglist.php)
//
//   - A list applies to an attribute type if its matching attributes name
//     the type or "ALL"; a list without matching attributes is "ALL".
//     CheckValue (MISP's warninglists/checkValue) ignores types and checks
//     the trimmed value against every list.
//   - In Check, a composite value (type containing "|", and malware-sample)
//     is split at its first "|" and the parts are checked in order; a list
//     reports the first part it matches. CheckValue never splits.
//   - string: exact, case-sensitive equality.
//   - substring: the value contains an entry (case-sensitive); the first
//     such entry in list order is reported.
//   - hostname: entries are lower-cased and stripped of leading and trailing
//     dots (".example.com" means example.com and its subdomains, like
//     "example.com"); the value is reduced to a host — third "/"-field if
//     it contains "//" (URLs), else everything before the first "/" — its
//     trailing dots removed, and the host and each of its parent domains
//     are looked up, shortest first: www.google.com hits a list holding
//     google.com, notgoogle.com does not. Ports and user info in URLs are
//     not removed, so http://google.com:8080/ does not match google.com.
//     No wildcard syntax exists: "*" is an ordinary character.
//   - cidr: the value is an IPv4 or IPv6 address, or address/length, and
//     hits an entry whose prefix contains it; a value with a length hits
//     only entries at least as wide. Each list reports its widest matching
//     entry in canonical form ("8.8.8.8/32"). Zoned addresses and
//     malformed lengths never match.
//   - regex: PHP (PCRE) patterns such as "/^abuse@/i", converted to Go
//     regexps; the first matching entry in list order is reported.
//
// Whether an attribute is checked at all (MISP checks to_ids attributes
// only, unless MISP.warning_for_all is set) is the caller's decision.
//
// # Differences from MISP
//
//   - Hostname values are lower-cased before lookup (MISP lower-cases the
//     entries only; domain and hostname attributes are already lower-case
//     when stored, so this only adds hits for URLs and checkValue input
//     with upper-case hosts).
//   - Cidr entries are canonicalised when parsed: host bits are cleared
//     ("10.1.2.3/8" is 10.0.0.0/8), where MISP would never match such an
//     IPv4 entry. For IPv6, MISP reports whichever matching entry comes
//     last in its internal order; here both families report the widest
//     (MISP's IPv4 rule).
//   - A value "x/0" matches only /0 entries; MISP, reading the length "0" as
//     false, checks it as the bare address x.
//   - An IPv4-mapped IPv6 value (::ffff:10.0.0.1) is also checked as the
//     IPv4 address it maps; MISP checks it against IPv6 entries only. A
//     plain IPv4 value is not checked against mapped IPv6 entries.
//   - Regex entries with the "g" modifier (phone_numbers) are accepted;
//     PHP rejects the pattern, so in MISP that list never matches. PCRE
//     syntax RE2 lacks (backreferences, lookaround) cannot be converted:
//     Parse moves such entries to List.Skipped, as it does cidr entries that
//     are not addresses; MISP keeps them and they never match.
//   - A list.json "list" object (value → comment) loads its values; the
//     comments, which MISP shows beside warnings, are dropped.
//   - MISP's PHP loose-typing quirks are not reproduced (an entry "0" is
//     dropped by MISP as empty; a hostname label "0" is skipped when MISP
//     rebuilds parent domains).
package warninglist
