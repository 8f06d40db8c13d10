// Package freetext finds attributes in pasted text — an advisory, an
// e-mail, a spreadsheet column, a log — as MISP's freetext import does
// (ComplexTypeTool::checkFreeText behind POST /events/freeTextImport/{id}).
// Parse returns one Proposal per value, with the types MISP would offer,
// the default type, and that type's default category and to_ids flag, as
// EventsController::freeTextImport adds them. It does no I/O.
//
// # Splitting
//
// Text is cut at white space, commas, semicolons, '<', '>' and control
// characters; every double-quoted run on a line is a candidate as well, so
// that `="1.2.3.4"` from a spreadsheet and "C:\Program Files\x.exe" are
// found. Each candidate loses surrounding quotes, dots, commas,
// parentheses, backquotes, asterisks, '!', '?', an ellipsis and a final
// colon, then square brackets around the whole ("[192.0.2.1]" in a
// Received header). A "key=value" candidate ("src=192.0.2.1",
// "smtp.mailfrom=evil.com") is read as its value. Text starting with '{'
// that is one JSON document is read as its string values instead. Values
// are proposed once, in order of first appearance.
//
// # What is recognised
//
// In MISP's order, the first rule that matches wins:
//
//   - an IP address as written: ip-dst (types ip-dst, ip-src and the
//     pseudo-type ip-src/ip-dst, "create both");
//   - "file.exe|<hex digest>" and "file.exe|<ssdeep>": filename|md5 …
//     filename|sha512, filename|ssdeep;
//   - a hex digest by its length, in either case: 32 md5, 40 sha1,
//     56 sha224, 64 sha256, 96 sha384, 128 sha512, each with MISP's
//     alternatives (imphash, pehash, authentihash, x509 fingerprints, …);
//     "SHA256:<hex>", proposing the named algorithm; an ssdeep hash;
//   - after refanging (hxxp, hxxps, hxtp, htxp, h[tt]p, meow and fxp
//     schemes; [.] (.) {.} [dot] (dot) {dot}; [@] (@) {@} [at] (at) {at};
//     [:] [/] [://] [hxxp://]; `\.` where every backslash escapes a dot;
//     letters in either case), an e-mail address: email-src, "mailto:"
//     dropped; in Message-ID, In-Reply-To and References headers,
//     email-message-id;
//   - an address with a port, "1.2.3.4:80" or "[2001:db8::1]:443":
//     ip-dst|port with the comment "On port 80"; a defanged address; a CIDR
//     block "10.0.0.0/8";
//   - a name of letters, digits and hyphens ending in a known top-level
//     domain: a domain when it is registrable ("example.com", "evil.co.uk"),
//     otherwise a hostname, with a port moved to the comment as in MISP;
//   - a URL, with any scheme or none ("github.com/MISP/MISP"); a link when
//     it points to a security vendor's site (Options.SecurityVendorDomains);
//   - a file name ("report.pdf", "/tmp/x.sh", "C:\x.exe") or a registry key
//     ("HKLM\Software\…");
//   - a CVE id (vulnerability, upper-cased), a phone number (starting with
//     '+' or holding a hyphen), an AS number ("AS13335", upper-cased) and a
//     Bitcoin address (btc).
//
// A recognised value is dropped when misp.NormalizeValue rejects it for
// its default type, so that every proposal can be saved as proposed.
//
// # Differences from MISP
//
// Deliberate, where MISP's proposals cannot be saved or are plainly wrong,
// or where it misses what analysts paste:
//
//   - Top-level domains come from the Public Suffix List compiled into
//     golang.org/x/net (see domain.go), not from the IANA warninglist; the
//     list also makes "evil.co.uk" a domain where MISP says hostname, and
//     lets top-level domains be in Unicode ("пример.срб"). A double
//     extension ending in .zip or .mov ("invoice.pdf.zip") is a file name.
//   - Values are compared normalised: "EXAMPLE.COM" after "example.com",
//     or an upper-case digest after its lower-case twin, is not proposed
//     again. The values themselves are as MISP proposes them.
//   - A URL ending in a port keeps it: MISP moves it to the comment and
//     proposes "http://example.com" for "http://example.com:8080". URLs
//     may be in Unicode and need no dot; a URL without a
//     scheme needs a known domain or an address before its slash ("TCP/IP",
//     "1.5/2.0" and "C:/x.exe" are not URLs). Links are recognised over
//     http as well as https.
//   - Ports must be 1–65535 and CIDR prefix lengths in range: MISP proposes
//     "1.2.3.4|99999" and "1.2.3.4/99", which cannot be saved. One-digit
//     ports are recognised. "2001:db8:::1" is not 2001:db8:: on port 1.
//     The unspecified addresses 0.0.0.0 and "::" are not proposed.
//   - Bitcoin addresses must pass their Base58Check or bech32/bech32m
//     checksum; MISP's pattern, anchored at one end per alternative, takes
//     any token that starts with "1" and 25 letters or digits.
//   - ssdeep block sizes must be 3·2ⁿ and the two hashes not both digits
//     ("2024:10:21" is no ssdeep hash). Phone numbers exclude day-first
//     dates and number ranges ("2019-2021", "8000-8080"), so "555-1234" is
//     missed.
//   - Abbreviations of single letters ("e.g", "i.e", "U.S.A") are not file
//     names; "DOMAIN\user" is not a registry key (a hive or three parts are
//     needed); "mailto:x@example.com" is an e-mail address, not a file
//     name; Message-IDs are not sender addresses; "meowing.com" stays
//     itself (MISP refangs any value starting with "meow").
//   - Internationalised host names are proposed in punycode, since the
//     hostname type cannot hold them otherwise; domains keep their Unicode
//     form, as in MISP, and are converted when saved.
//   - Zero-width and other format characters are removed rather than made
//     separators (defangers put them inside domains); invalid UTF-8
//     separates, where MISP finds nothing at all in such text.
//   - Quoted runs end at the line's end (MISP pairs quotes across the whole
//     text) and are proposed where they appear (MISP puts them last).
//   - JSON input: only string values are read; MISP also reads floats.
//   - E-mail addresses with quoted local parts or address literals
//     ("user@[192.0.2.1]"), which PHP's validation accepts, are missed.
//
// # JSON
//
// A Proposal encodes as an entry of MISP's answer: "types" is an object
// mapping each type to itself; "comment" is left out when empty (MISP
// sometimes sends false); "type" and "category", which MISP fills in only
// when it saves the proposals, are added.
package freetext
