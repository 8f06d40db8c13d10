// Package taxonomy loads MISP taxonomies (the misp-taxonomies library: one
// <namespace>/machinetag.json per taxonomy), lists the machine tags each
// one defines and checks a set of tags against exclusive taxonomies and
// predicates.
//
// Semantics follow MISP 2.5 (app/Model/Taxonomy.php):
//
//   - A predicate with entries in "values" yields one tag per entry,
//     namespace:predicate="value"; a predicate without entries yields the
//     tag namespace:predicate. Several "values" blocks for one predicate are
//     merged; a block naming an unknown predicate makes the file invalid.
//   - A tag's expanded text is "<predicate expanded>: <entry expanded>" for
//     entries (each part falling back to its value) and the predicate's
//     expanded text (or value) otherwise. Its colour is the entry's (or,
//     for a predicate without entries, the predicate's) colour, else MISP's
//     generated palette colour; numerical_value is copied when present.
//   - Machine tags are recognised with MISP's pattern
//     ^([^:="]+):([^:="]+)(="([^"]+)")?$, so a tag whose predicate contains
//     a colon (veris:action:hacking:variety="…", tlp:ex:chr) is not a
//     taxonomy tag for exclusivity purposes, and an unquoted value
//     (ns:pred=value) is not a machine-tag value.
//   - Exclusivity is checked the way Taxonomy::getTagConflicts does: tags
//     are grouped by namespace:predicate (tags with a value) or by namespace
//     (tags without one); a group of two or more conflicts when the
//     taxonomy is exclusive, or when the group's predicate is exclusive.
//     tlp:white together with tlp:clear is allowed. Note that, as in MISP,
//     an exclusive taxonomy whose tags carry values (trust) allows one value
//     per predicate, not one tag per namespace.
//   - MISP's taxonomy update imports only taxonomies whose "type" is absent
//     or lists "event"; Load returns every taxonomy and AppliesToEvents
//     tells them apart.
//
// For the store, Taxonomy.MISP converts a loaded taxonomy to a
// misp.Taxonomy (text as the file gives it, plus the colour each tag is
// created with), FromMISP converts a stored one back for the exclusivity
// checks, ImportDir loads a checkout and imports it as MISP's
// taxonomies/update does, and Missing finds the required taxonomies an
// event's tags leave out (MISP refuses to publish it).
//
// Deliberate differences from MISP: tags are grouped case-insensitively
// (MISP compares the shortened tag names byte for byte, so tlp:red and
// TLP:AMBER would not conflict there); predicate exclusivity is only
// applied to tags with values (MISP also applies it to a namespace-level
// group of value-less tags, which no published taxonomy triggers); and a
// directory without machinetag.json, or a taxonomy of MANIFEST.json
// without its directory, is reported as missing, not as a failure (MISP
// counts the first among its fails and does not read MANIFEST.json).
package taxonomy
