package stix2

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// This file writes the galaxy clusters events and attributes carry, as
// misp-stix does (misp_to_stix2.py and misp_to_stix21.py, "galaxies
// parsing functions"): each cluster becomes one SDO whose identifier is
// <type>--<cluster uuid>, written once per answer. An event's clusters
// are in its report's object_refs; an attribute's or an object's are also
// the targets of relationships from its SDO. Galaxy types misp-stix does
// not map become x-misp-galaxy-cluster objects. docs/restsearch.md lists
// where we differ.

// clusterTypes maps a galaxy type to the STIX type of its clusters
// (misp-stix MISPtoSTIX21Mapping cluster_to_stix_object).
var clusterTypes = func() map[string]string {
	m := map[string]string{
		"branded-vulnerability": "vulnerability",
		"sector":                "identity",
		"country":               "location",
		"region":                "location",
		"stix-2.1-location":     "location",
	}
	for typ, galaxies := range map[string][]string{
		"attack-pattern": {"cmtmf-attack-pattern", "mitre-attack-pattern", "mitre-enterprise-attack-attack-pattern",
			"mitre-ics-techniques", "mitre-mobile-attack-attack-pattern", "mitre-pre-attack-attack-pattern"},
		"course-of-action": {"mitre-course-of-action", "mitre-enterprise-attack-course-of-action", "mitre-mobile-attack-course-of-action"},
		"intrusion-set": {"mitre-enterprise-attack-intrusion-set", "mitre-intrusion-set", "mitre-mobile-attack-intrusion-set",
			"mitre-pre-attack-intrusion-set"},
		"malware": {"android", "backdoor", "banker", "cryptominers", "malpedia", "mitre-enterprise-attack-malware",
			"mitre-ics-software", "mitre-malware", "mitre-mobile-attack-malware", "ransomware", "stealer"},
		"threat-actor": {"360net-threat-actor", "microsoft-activity-group", "mitre-ics-groups", "threat-actor"},
		"tool": {"botnet", "exploit-kit", "mitre-enterprise-attack-tool", "mitre-mobile-attack-tool", "mitre-tool",
			"rat", "tds", "tool"},
	} {
		for _, g := range galaxies {
			m[g] = typ
		}
	}
	// The galaxies of STIX objects imported into MISP.
	for _, typ := range []string{"attack-pattern", "campaign", "course-of-action", "intrusion-set", "malware",
		"threat-actor", "tool", "vulnerability"} {
		m["stix-2.0-"+typ] = typ
		m["stix-2.1-"+typ] = typ
	}
	return m
}()

// relationshipTypes are the relationship types misp-stix gives the
// relationship from an SDO to a cluster SDO, by source and target type
// (relationship_specs); every other pair is related-to.
var relationshipTypes = map[string]map[string]string{
	"attack-pattern": {"identity": "targets", "location": "targets", "tool": "uses", "vulnerability": "targets"},
	"campaign": {"attack-pattern": "uses", "identity": "targets", "intrusion-set": "attributed-to", "malware": "uses",
		"threat-actor": "attributed-to", "tool": "uses", "vulnerability": "targets"},
	"course-of-action": {"attack-pattern": "mitigates", "tool": "mitigates"},
	"indicator": {"attack-pattern": "indicates", "campaign": "indicates", "intrusion-set": "indicates",
		"malware": "indicates", "observed-data": "based-on", "threat-actor": "indicates", "tool": "indicates"},
	"intrusion-set": {"attack-pattern": "uses", "identity": "targets", "malware": "uses", "threat-actor": "attributed-to",
		"tool": "uses", "vulnerability": "targets"},
	"malware":      {"attack-pattern": "uses", "intrusion-set": "authored-by", "threat-actor": "authored-by"},
	"threat-actor": {"attack-pattern": "uses", "malware": "uses", "tool": "uses", "vulnerability": "targets"},
	"tool":         {"identity": "targets", "location": "targets"},
}

// mispStixNamespace (76beed5f-7251-457e-8c2a-b45f7b589d3d) is the
// namespace misp-stix derives relationship identifiers in, from
// "<source> - <relationship type> - <target>": a galaxy relationship
// has the identifier MISP gives it.
var mispStixNamespace = [16]byte{0x76, 0xbe, 0xed, 0x5f, 0x72, 0x51, 0x45, 0x7e, 0x8c, 0x2a, 0xb4, 0x5f, 0x7b, 0x58, 0x9d, 0x3d}

// clusterSet remembers the clusters already in the answer: misp-stix
// writes a cluster once, the first time it meets it, and refers to that
// object afterwards (unique_ids). It maps the cluster uuid to the
// identifier of its SDO; cluster uuids repeat across galaxies (legacy and
// enterprise ATT&CK), and the first galaxy's SDO stands for both.
type clusterSet map[string]string

// add returns the identifiers of the SDOs of the clusters of galaxies,
// once each, and the SDOs not in the answer yet, created and modified at
// timestamp.
func (s clusterSet) add(galaxies []*misp.EventGalaxy, timestamp int64) (ids []string, sdos []object) {
	for _, g := range galaxies {
		for _, c := range g.GalaxyCluster {
			key := strings.ToLower(c.UUID)
			id, ok := s[key]
			if !ok {
				o := clusterObject(&g.Galaxy, c, timestamp)
				id = o.id()
				s[key] = id
				sdos = append(sdos, o)
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, sdos
}

// galaxyRelationships returns the relationships misp-stix writes from the
// SDO source of an attribute or object to the SDOs of its clusters.
func galaxyRelationships(source string, targets []string, timestamp int64) []object {
	srcType, _, _ := strings.Cut(source, "--")
	rels := make([]object, 0, len(targets))
	for _, target := range targets {
		tgtType, _, _ := strings.Cut(target, "--")
		typ := relationshipTypes[srcType][tgtType]
		if typ == "" {
			typ = "related-to"
		}
		ts := stamp(timestamp)
		rels = append(rels, object{
			{"type", "relationship"}, {"spec_version", "2.1"},
			{"id", "relationship--" + uuid5(mispStixNamespace, source+" - "+typ+" - "+target)},
			{"created", ts}, {"modified", ts},
			{"relationship_type", typ}, {"source_ref", source}, {"target_ref", target},
		})
	}
	return rels
}

// withoutClusterTags returns tags without those of the exported clusters
// of galaxies, which misp-stix does not repeat as labels; with mappedOnly
// only those of mapped galaxy types (misp-stix keeps the tags of an
// event's unmapped clusters on the report).
func withoutClusterTags(tags []*misp.AttachedTag, galaxies []*misp.EventGalaxy, mappedOnly bool) []*misp.AttachedTag {
	if len(galaxies) == 0 {
		return tags
	}
	drop := map[string]bool{}
	for _, g := range galaxies {
		if _, mapped := clusterTypes[g.Type]; mappedOnly && !mapped {
			continue
		}
		for _, c := range g.GalaxyCluster {
			drop[strings.ToLower(c.TagName)] = true
		}
	}
	var out []*misp.AttachedTag
	for _, t := range tags {
		if !drop[strings.ToLower(t.Name)] {
			out = append(out, t)
		}
	}
	return out
}

// mergedGalaxies returns the galaxies of a MISP object's attributes, as
// misp-stix merges them for the object's SDO.
func mergedGalaxies(o *misp.Object) []*misp.EventGalaxy {
	var out []*misp.EventGalaxy
	for _, a := range o.Attribute {
		out = append(out, a.Galaxy...)
	}
	return out
}

// clusterObject returns the SDO of cluster c of galaxy g.
func clusterObject(g *misp.Galaxy, c *misp.EventCluster, timestamp int64) object {
	typ := clusterTypes[g.Type]
	switch {
	case typ == "identity":
		return sectorObject(g, c, timestamp)
	case g.Type == "country" || g.Type == "region":
		if o, ok := territoryObject(g, c, timestamp); ok {
			return o
		}
	case typ != "":
		if o, ok := genericCluster(typ, g, c, timestamp); ok {
			return o
		}
	}
	return customCluster(g, c, timestamp)
}

// clusterSDO starts a cluster SDO. Like misp-stix, cluster SDOs have no
// created_by_ref: the cluster is not the event creator's.
func clusterSDO(typ string, c *misp.EventCluster, created, modified string) object {
	return object{{"type", typ}, {"spec_version", "2.1"}, {"id", sdoID(typ, c.UUID)}, {"created", created}, {"modified", modified}}
}

// galaxyLabels are misp-stix's labels of a cluster SDO, which tell its
// importer the galaxy and the tag.
func galaxyLabels(g *misp.Galaxy, c *misp.EventCluster) []string {
	labels := []string{`misp:galaxy-name="` + clean(g.Name) + `"`, `misp:galaxy-type="` + clean(c.Type) + `"`}
	if c.TagName != "" {
		labels = append(labels, clean(c.TagName))
	}
	return labels
}

// metaKeys returns the keys of a cluster's meta in sorted order, so that
// answers are reproducible (MISP keeps the library's order, a map has
// none).
func metaKeys(meta map[string][]string) []string {
	keys := make([]string, 0, len(meta))
	for k, v := range meta {
		if len(v) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// cleanAll returns vs cleaned.
func cleanAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = clean(v)
	}
	return out
}

// singleProps and listProps are the meta keys misp-stix copies to the
// property of the same name (generic_meta_mapping), by SDO type.
var (
	singleProps = map[string][]string{
		"campaign":      {"objective"},
		"intrusion-set": {"primary_motivation", "resource_level"},
		"location":      {"administrative_area", "region"},
		"threat-actor":  {"primary_motivation", "resource_level", "sophistication"},
		"tool":          {"tool_version"},
	}
	listProps = map[string][]string{
		"intrusion-set": {"goals", "secondary_motivations"},
		"malware":       {"architecture_execution_envs", "capabilities", "implementation_languages"},
		"threat-actor":  {"goals", "personal_motivations", "roles", "secondary_motivations"},
	}
	// typesProps is the vocabulary property that the meta keys labels,
	// type and <property> fill.
	typesProps = map[string]string{"malware": "malware_types", "threat-actor": "threat_actor_types", "tool": "tool_types"}
	// seenTypes have first_seen and last_seen.
	seenTypes = map[string]bool{"campaign": true, "intrusion-set": true, "malware": true, "threat-actor": true}
	// killChainTypes have kill_chain_phases.
	killChainTypes = map[string]bool{"attack-pattern": true, "malware": true, "tool": true}
	// aliasTypes have aliases, which the synonyms fill.
	aliasTypes = map[string]bool{"attack-pattern": true, "campaign": true, "intrusion-set": true, "malware": true,
		"threat-actor": true, "tool": true}
)

// genericCluster builds the SDO of a cluster of a mapped galaxy
// (misp-stix _create_galaxy_args and _parse_meta_fields). It reports
// false for a location with neither country nor region, which the
// schemas reject.
func genericCluster(typ string, g *misp.Galaxy, c *misp.EventCluster, timestamp int64) (object, bool) {
	created, modified := clusterTimes(c.Meta, timestamp)
	o := clusterSDO(typ, c, created, modified)
	name := c.Value
	if strings.HasPrefix(c.Type, "mitre-") {
		// "Access Token Manipulation - T1134" is Access Token Manipulation.
		if before, _, ok := strings.Cut(name, " - "); ok {
			name = strings.TrimSpace(before)
		}
	}
	o.set("name", clean(name))
	if c.Description != "" {
		o.set("description", clean(c.Description))
	}
	var refs []object
	var custom object
	list := func(prop string, vs []string) {
		v, _ := o.get(prop)
		have, _ := v.([]string)
		for _, x := range cleanAll(vs) {
			if !slices.Contains(have, x) {
				have = append(have, x)
			}
		}
		if len(have) > 0 {
			o.set(prop, have)
		}
	}
	for _, k := range metaKeys(c.Meta) {
		vs := c.Meta[k]
		switch {
		case k == "created" || k == "modified":
			if _, ok := metaTime(vs); ok {
				continue // clusterTimes took it
			}
		case (k == "first_seen" || k == "last_seen") && seenTypes[typ]:
			if t, ok := metaTime(vs); ok {
				o.set(k, t)
				continue
			}
		case slices.Contains(singleProps[typ], k):
			o.set(k, clean(vs[0]))
			continue
		case slices.Contains(listProps[typ], k):
			list(k, vs)
			continue
		case k == "external_id" || k == "Technique ID" || (k == "aliases" && typ == "vulnerability"):
			refs = append(refs, externalIDs(vs)...)
			continue
		case k == "refs":
			refs = append(refs, externalURLs(vs)...)
			continue
		case k == "kill_chain" && killChainTypes[typ]:
			if phases := killChainPhases(vs); len(phases) > 0 {
				o.set("kill_chain_phases", phases)
			}
			continue
		case k == "synonyms" && aliasTypes[typ]:
			var aliases []string
			for _, v := range vs {
				if v != name {
					aliases = append(aliases, v)
				}
			}
			list("aliases", aliases)
			continue
		case k == "is_family" && typ == "malware":
			o.set("is_family", slices.Contains([]string{"true", "True", "1"}, vs[0]))
			continue
		case typesProps[typ] != "" && (k == "labels" || k == "type" || k == typesProps[typ]):
			list(typesProps[typ], vs)
			continue
		case k == "country" && typ == "location":
			o.set("country", clean(vs[0]))
			continue
		}
		custom = append(custom, customMeta(k, vs)...)
	}
	if typ == "malware" {
		if _, ok := o.get("is_family"); !ok {
			o.set("is_family", false) // required in STIX 2.1; misp-stix's default
		}
	}
	if typ == "location" {
		_, country := o.get("country")
		_, region := o.get("region")
		if !country && !region {
			return nil, false
		}
	}
	return finishCluster(o, g, c, refs, custom), true
}

// finishCluster appends labels, external references and custom
// properties to a cluster SDO.
func finishCluster(o object, g *misp.Galaxy, c *misp.EventCluster, refs []object, custom object) object {
	o.set("labels", galaxyLabels(g, c))
	if len(refs) > 0 {
		o.set("external_references", refs)
	}
	for _, p := range custom {
		if v, ok := o.get(p.name); ok {
			// Two meta keys give one property name: keep both's values.
			p.value = append(v.([]string), p.value.([]string)...)
		}
		o.set(p.name, p.value)
	}
	return o
}

// customMeta returns meta key k as misp-stix's x_misp_<key> custom
// property, its name made valid (lower case, a-z 0-9 and _; misp-stix
// keeps the case, which STIX 2.1 §11.2 forbids).
func customMeta(k string, vs []string) object {
	return object{{propName(k), cleanAll(vs)}}
}

// customMetaFields is misp-stix's _parse_meta_custom_fields, for the
// SDOs without a meta mapping: external references and custom
// properties.
func customMetaFields(meta map[string][]string) (refs []object, custom object) {
	for _, k := range metaKeys(meta) {
		vs := meta[k]
		switch k {
		case "external_id", "Technique ID":
			refs = append(refs, externalIDs(vs)...)
		case "refs":
			refs = append(refs, externalURLs(vs)...)
		default:
			custom = append(custom, customMeta(k, vs)...)
		}
	}
	return refs, custom
}

// sectorObject builds the identity of a sector cluster
// (misp-stix _create_sector_galaxy_args): an identity of class "class",
// without the meta.
func sectorObject(g *misp.Galaxy, c *misp.EventCluster, timestamp int64) object {
	ts := stamp(timestamp)
	o := clusterSDO("identity", c, ts, ts)
	o.set("name", clean(c.Value))
	desc := c.Description
	if desc == "" {
		desc = g.Description
	}
	if desc != "" {
		o.set("description", clean(desc))
	}
	o.set("identity_class", "class")
	o.set("labels", galaxyLabels(g, c))
	return o
}

// regionNames are the UN M49 regions whose STIX region-ov name is not
// the lower-cased, hyphenated region name (misp-stix regions_mapping).
var regionNames = map[string]string{
	"Latin America and the Caribbean": "latin-america-caribbean",
	"Australia and New Zealand":       "australia-new-zealand",
}

// territoryObject builds the location of a country or region cluster
// (misp-stix _create_country_galaxy_args, _create_region_galaxy_args).
// misp-stix looks the country code up in pycountry; we take the ISO
// element of the country galaxy, else the value.
func territoryObject(g *misp.Galaxy, c *misp.EventCluster, timestamp int64) (object, bool) {
	created, modified := clusterTimes(c.Meta, timestamp)
	o := clusterSDO("location", c, created, modified)
	meta := c.Meta
	if g.Type == "country" {
		name := c.Description
		if name == "" {
			name = c.Value
		}
		o.set("name", clean(name))
		o.set("description", clean(g.Description+" | "+c.Value))
		code := c.Value
		if iso := meta["ISO"]; len(iso) > 0 && iso[0] != "" {
			code = iso[0]
		}
		if code == "" {
			return nil, false
		}
		o.set("country", clean(code))
	} else {
		// "154 - Northern Europe"
		_, region, ok := strings.Cut(c.Value, " - ")
		if !ok || region == "" {
			return nil, false
		}
		o.set("name", clean(region))
		o.set("description", clean(g.Description+" | "+c.Description))
		code, ok := regionNames[region]
		if !ok {
			code = strings.ReplaceAll(strings.ToLower(region), " ", "-")
		}
		o.set("region", clean(code))
	}
	rest := make(map[string][]string, len(meta))
	for k, v := range meta {
		if k != "created" && k != "modified" {
			rest[k] = v
		}
	}
	refs, custom := customMetaFields(rest)
	return finishCluster(o, g, c, refs, custom), true
}

// customCluster builds misp-stix's x-misp-galaxy-cluster, for clusters
// of galaxies STIX has no object for.
func customCluster(g *misp.Galaxy, c *misp.EventCluster, timestamp int64) object {
	ts := stamp(timestamp)
	o := clusterSDO("x-misp-galaxy-cluster", c, ts, ts)
	o.set("labels", galaxyLabels(g, c))
	o.set("x_misp_name", clean(g.Name))
	o.set("x_misp_type", clean(c.Type))
	o.set("x_misp_value", clean(c.Value))
	o.set("x_misp_description", clean(g.Description+" | "+c.Description))
	if keys := metaKeys(c.Meta); len(keys) > 0 {
		meta := make(map[string]any, len(keys))
		for _, k := range keys {
			name := dictionaryKey(k)
			vs, _ := meta[name].([]string)
			meta[name] = append(vs, cleanAll(c.Meta[k])...)
		}
		o.set("x_misp_meta", meta)
	}
	return o
}

// dictionaryKey makes a meta key a valid STIX 2.1 dictionary key (ASCII
// letters, digits, - and _, at most 250 characters): misp-stix replaces
// spaces and dots by _, we also replace what else §3.1 forbids.
func dictionaryKey(k string) string {
	var b strings.Builder
	for _, r := range k {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 250 {
		s = s[:250]
	}
	return s
}

// sourceNames are misp-stix's source names of external identifiers, by
// prefix (external_id_to_source_name).
var sourceNames = []struct{ prefix, name string }{
	{"CAPEC-", "capec"}, {"CVE-", "cve"}, {"CWE-", "cwe"}, {"MOB-", "mitre-mobile-attack"},
	{"PRE-", "mitre-pre-attack"}, {"REF-", "reference_from_CAPEC"},
}

// capecID is the identifier the schemas accept with source name capec
// (cveID, in value.go, with cve).
var capecID = regexp.MustCompile(`^CAPEC-\d+$`)

// externalIDs returns the external references of identifiers, with
// misp-stix's source names (_define_source_name). An identifier with a
// CVE or CAPEC prefix that is not a valid CVE or CAPEC id is left out:
// the schemas accept it under no source name.
func externalIDs(ids []string) []object {
	var refs []object
	for _, id := range ids {
		id = clean(id)
		source := ""
		for _, s := range sourceNames {
			if strings.HasPrefix(id, s.prefix) {
				source = s.name
				break
			}
		}
		switch {
		case source == "cve" && !cveID.MatchString(id), source == "capec" && !capecID.MatchString(id):
			continue
		case source != "":
		case strings.Contains(id, "-"):
			source = "NIST Mobile Threat Catalogue"
		case id != "" && strings.Trim(id, "0123456789") == "":
			source = "WASC"
		default:
			source = "mitre-attack"
		}
		refs = append(refs, object{{"source_name", source}, {"external_id", id}})
	}
	return refs
}

// externalURLs returns the url references of urls; values that are not
// absolute URIs (the schemas want RFC 3986) are left out.
func externalURLs(urls []string) []object {
	var refs []object
	for _, u := range urls {
		u = strings.TrimSpace(clean(u))
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || strings.ContainsAny(u, " \t\n\"<>\\^`{|}") {
			continue
		}
		refs = append(refs, object{{"source_name", "url"}, {"url", u}})
	}
	return refs
}

// killChainPhases reads misp-stix's kill_chain meta values,
// "<kill chain>:…:<phase>" ("mitre-attack:enterprise-attack:collection").
func killChainPhases(vs []string) []object {
	var phases []object
	for _, v := range vs {
		parts := strings.Split(clean(v), ":")
		if len(parts) < 2 || parts[0] == "" || parts[len(parts)-1] == "" {
			continue
		}
		phases = append(phases, object{{"kill_chain_name", parts[0]}, {"phase_name", parts[len(parts)-1]}})
	}
	return phases
}

// metaTime reads the first of a meta's time values as a STIX timestamp.
func metaTime(vs []string) (string, bool) {
	if len(vs) == 0 {
		return "", false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(vs[0])); err == nil {
			return stampTime(t), true
		}
	}
	return "", false
}

// clusterTimes returns created and modified of a cluster SDO: the meta's
// created and modified when the cluster has them (each standing for the
// other when alone), else timestamp, the event's or the attribute's
// (misp-stix _create_galaxy_args). modified is never before created.
func clusterTimes(meta map[string][]string, timestamp int64) (created, modified string) {
	created, cok := metaTime(meta["created"])
	modified, mok := metaTime(meta["modified"])
	switch {
	case cok && mok:
		if modified < created {
			modified = created
		}
	case cok:
		modified = created
	case mok:
		created = modified
	default:
		created, modified = stamp(timestamp), stamp(timestamp)
	}
	return created, modified
}
