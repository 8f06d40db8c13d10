// Package galaxy loads the MISP galaxy library (the misp-galaxy repository:
// galaxies/*.json, one per galaxy, and clusters/*.json, one collection of
// clusters per galaxy type).
//
// Semantics follow MISP 2.5's Galaxy::update (app/Model/Galaxy.php):
//
//   - A galaxy's namespace defaults to "misp".
//   - A cluster collection is attached to the galaxy of its "type"; MISP
//     skips a collection whose galaxy it does not have, and Load reports it
//     (ErrNoGalaxy). A galaxy without a collection (the library's
//     sigma-rules, whose cluster file is absent here) has no clusters;
//     Load reports its clusters file as missing (MISP says nothing).
//   - Every cluster takes the collection's type, uuid (as CollectionUUID),
//     source and authors. Its version is its own, else the collection's,
//     else 1; its tag is misp-galaxy:<type>="<value>".
//   - "meta" becomes MISP's GalaxyElement rows: each key with a scalar
//     value gives one element, a key with a list (or object) gives one
//     element per scalar member, in file order. Scalars are stringified as
//     PHP does (true "1", false and null "", whole numbers without a
//     fraction); nested lists and objects are skipped, as MISP skips them
//     (it logs them). Synonyms are the elements keyed "synonyms".
//   - "related" entries become relations to other clusters by UUID.
//
// Cluster UUIDs are not unique across the library: the legacy ATT&CK
// galaxies (mitre-attack-pattern, mitre-malware, …) share about a thousand
// clusters with the mitre-enterprise-attack-* ones, and MISP stores both
// copies, each under its own galaxy. Load does the same.
//
// Deliberate differences from MISP: a second galaxy file with an already
// loaded type or UUID is reported and skipped (MISP would keep or
// overwrite rows depending on versions), and the cluster field "revoked",
// which MISP ignores, is kept.
package galaxy
