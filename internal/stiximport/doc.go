// Package stiximport converts a STIX 2.1 (or 2.0) bundle into one MISP
// event, as MISP's events/upload_stix/2 does with misp-stix in
// single-event mode. It follows misp-stix's STIX 2.1 → MISP conventions
// (misp_stix_converter/stix2misp) for what it converts:
//
//   - Reports and groupings give the event: with exactly one, its uuid and
//     name become the event's uuid and info; with none or several, the
//     bundle's uuid and a generic info, and the content of every report
//     goes into the one event. The event date is the earliest report
//     "published" date (misp-stix leaves MISP's default, today). Report
//     labels (except "threat-report") and markings become event tags;
//     misp-stix drops them when it merges several reports, Razmena keeps
//     them so that a TLP marking survives the merge. The report creator's
//     identity gives misp-galaxy:producer="<name>".
//   - Indicators with a STIX pattern become attributes or objects with
//     to_ids set; first_seen/last_seen are valid_from/valid_until, the
//     comment is the description. All comparisons of one observation
//     expression are read as properties of one MISP element, whatever
//     joins them (misp-stix does the same): [domain-name:value = 'a' OR
//     ipv4-addr:value = 'b'] is a domain-ip object, [file:name = 'x' AND
//     file:hashes.MD5 = '…'] a file object, a single comparison one
//     attribute (ip-dst, domain, url, md5, email-dst, …). Operators other
//     than = and IN, NOT, several observation expressions, qualifiers,
//     unknown object types and unparsable patterns keep the pattern whole
//     in a stix2-pattern object (misp-stix _create_stix_pattern_object),
//     with a warning. pattern_type yara, sigma, snort and suricata give an
//     attribute of that type (suricata as snort).
//   - Observed data (2.1 object_refs or the 2.0 objects dictionary) and
//     SCOs that stand alone in a 2.1 bundle become attributes or objects
//     with to_ids unset, through the same mapping: each SCO is read as the
//     equality comparisons of its properties.
//   - Vulnerabilities become vulnerability attributes (the CVE id).
//   - Malware, threat actors, attack patterns, campaigns, intrusion sets,
//     tools, courses of action and infrastructures become event tags
//     misp-galaxy:<stix type>="<name>", the tag names misp-stix gives
//     galaxy clusters with galaxies_as_tags; event views show the
//     clusters of the loaded galaxies that such a tag names. This is the
//     only mode; misp-stix attaches clusters linked by a relationship to
//     the attribute, Razmena puts them all on the event.
//   - Labels become tags, marking definitions tlp:* tags (TLP 1.0 and 2.0,
//     referenced or included) or "<definition_type>:<definition>", and
//     confidence a misp:confidence-level tag. Attributes of an object
//     carry the object's tags (MISP objects have none).
//   - Objects exported by MISP (misp-stix labels misp:type, misp:category,
//     misp:name, misp:meta-category, misp:galaxy-type) come back as the
//     attribute type, category, object name and galaxy tag they name, and
//     x-misp-attribute and x-misp-object as the attributes and objects
//     they carry. Observed data and an indicator sharing one uuid (how
//     misp-stix writes an element with to_ids) make one element: the
//     observed data gives the values, the indicator's pattern which of
//     them are to_ids.
//
// Identities, relationships, sightings, notes, opinions and locations are
// not converted; other unknown types are reported. UUIDs are taken from
// the STIX ids; object attributes get misp-stix's name-based UUIDs.
//
// Every attribute is completed with misp.Attribute.ApplyDefaults and
// checked with Validate; invalid attributes and objects are left out and
// reported as warnings. A bundle that cannot be imported at all is an
// *Error.
package stiximport
