// Package freetext finds attributes in pasted text — an advisory, an
// e-mail, a spreadsheet column — as MISP's freetext import does
// (ComplexTypeTool::checkFreeText behind POST /events/freeTextImport/{id}).
// Parse returns one Proposal per value, with the types MISP would offer,
// the default type, its default category and to_ids flag. It does no I/O.
//
// # Splitting
//
// Text is cut at white space, commas, semicolons, '<', '>' and control
// characters; every double-quoted run on a line is also a candidate, so
// `="1.2.3.4"` from a spreadsheet and "C:\Program Files\x.exe" are found.
// Each candidate loses surrounding quotes, dots, commas, parentheses,
// backquotes, '!' and '?', then square brackets around the whole
// ("[192.0.2.1]" in a Received header). Text starting with '{' that is a
// JSON document is read as its string values instead. Values are proposed
// once, in order of first appearance.
//
// # What is recognised
//
// In MISP's order, the first rule that matches wins:
//
//   - an IP address as written: ip-dst (types ip-dst, ip-src, ip-src/ip-dst);
//   - "file.exe|<hex>" and "file.exe|<ssdeep>": filename|md5 …
//     filename|sha512, filename|ssdeep;
//   - a hex digest by length, in either case: 32 md5, 40 sha1, 56 sha224,
//     64 sha256, 96 sha384, 128 sha512, each with MISP's alternatives
//     (imphash, pehash, authentihash, x509 fingerprints, …); an ssdeep hash;
//     and "SHA256:<hex>" or "md5=<hex>", proposing the named algorithm;
//   - after refanging (hxxp, hxxps, fxp, hxxp[:]//, [://], [.] (.) {.}
//     [dot] (dot) {dot}, [@] (@) {@} [at] (at) {at}, [:], [/], and `\.`
//     where every backslash escapes a dot), an e-mail address: email-src;
//     "mailto:" is dropped;
//   - an address with a port, "1.2.3.4:80" or "[2001:db8::1]:443":
//     ip-dst|port with the comment "On port 80"; a defanged address; a
//     CIDR block "10.0.0.0/8";
//   - a name ending in a known top-level domain: a domain when it is a
//     registrable name ("example.com", "evil.co.uk"), otherwise a hostname;
//     a port moves to the comment, as in MISP;
//   - a URL, with any scheme or none ("github.com/MISP/MISP"), or a link
//     when it points to a security vendor (VirusTotal, Hybrid Analysis);
//   - a file name ("report.pdf", "/tmp/x.sh", "C:\x.exe") or a registry key
//     ("HKLM\Software\…");
//   - a CVE id (vulnerability, upper-cased), a phone number (with '+' or a
//     hyphen), an AS number ("AS13335") and a Bitcoin address (btc).
//
// A recognised value is dropped when misp.NormalizeValue rejects it for
// its default type, so every proposal can be saved as proposed.
//
// # Differences from MISP
//
// Deliberate, where MISP's proposals are wrong or its parser misses what
// analysts paste:
//
//   - Top-level domains come from the Public Suffix List in
//     golang.org/x/net (see domain.go), not the IANA warninglist; it also
//     makes "evil.co.uk" a domain where MISP says hostname. A double
//     extension ending in .zip or .mov ("invoice.pdf.zip") is a file name.
//   - Values are compared normalised: "EXAMPLE.COM" after "example.com" and
//     an upper-case digest after its lower-case twin are not proposed
//     again. Values themselves are as MISP proposes them.
//   - A URL keeps its port; MISP cuts it off into the comment. URLs may
//     be in Unicode and need no dot; a URL without a scheme needs a known
//     domain or an address before its slash ("TCP/IP" is not a URL).
//   - Ports must be 1–65535 and CIDR prefixes in range; MISP proposes
//     "1.2.3.4|99999" and "1.2.3.4/99", which cannot be saved.
//   - Bitcoin addresses must pass their Base58Check or bech32 checksum;
//     MISP's pattern, anchored at one end per alternative, takes any token
//     starting with "1" and 25 letters or digits.
//   - ssdeep block sizes must be 3·2ⁿ and the hashes not all digits
//     ("2024:10:21" is no ssdeep hash); phone numbers exclude dates and
//     number ranges ("2019-2021", "8000-8080"), so "555-1234" is missed.
//   - Abbreviations of single letters ("e.g", "i.e", "U.S.A") are not file
//     names; "DOMAIN\user" is not a registry key (a hive or three parts
//     are needed); "mailto:x@example.com" is an e-mail address, not a
//     file name; "meowing.com" stays itself (MISP refangs any "meow").
//   - Internationalised host names are proposed in punycode, since the
//     hostname type cannot store them otherwise; domains keep their
//     Unicode form, as in MISP, and are converted when saved.
//   - Zero-width and other format characters are removed, not turned into
//     separators, and invalid UTF-8 separates; MISP finds nothing at all
//     in text that is not valid UTF-8.
//   - Quoted runs end at the line's end; MISP pairs quotes across the
//     whole text, and puts the quoted values after all others.
//   - JSON input: only string values are read; MISP also reads floats.
//   - E-mail addresses with quoted local parts or address literals
//     ("user@[192.0.2.1]"), which PHP accepts, are not recognised.
//
// The answer's JSON form is MISP's: "types" is an object mapping each type
// to itself. Comment is omitted when empty (MISP sometimes sends false),
// and "type" and "category", which MISP fills in only when it saves the
// proposals, are included.
package freetext
