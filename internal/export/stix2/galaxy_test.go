package stix2

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/export/stix2/stix2test"
	"github.com/razmena/razmena/internal/misp"
)

// Cluster uuids of the galaxy dataset.
const (
	apt28UUID    = "5307b7f0-6d0f-4f3a-9f3b-3b8d2b5c4a01"
	phishingUUID = "d3b3d4a2-1c6f-4e49-9b0f-7a6c2e9d1b02"
	serbiaUUID   = "7a1c9e3b-2d4f-4b6a-8c9d-0e1f2a3b4c03"
	financeUUID  = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e04"
	ghostUUID    = "a1640081-aa8d-4070-84b2-d23e2ae82799"
	biscuitUUID  = "b8eb28e4-48a6-40ae-951a-328714f75eda"
	rsUUID       = "84668357-5a8c-4bdd-9f0f-6b50b2535745"
	southUUID    = "f93cb275-0366-4ecc-abf0-a17928d1e106"
)

// cluster returns one cluster of galaxy g, tagged as MISP tags it, with
// its galaxy.
func cluster(g misp.Galaxy, uuid, value, desc string, meta map[string][]string) *misp.EventGalaxy {
	c := &misp.EventCluster{GalaxyCluster: misp.GalaxyCluster{
		UUID: uuid, Type: g.Type, Value: value, Description: desc,
		TagName: "misp-galaxy:" + g.Type + `="` + value + `"`,
	}, Meta: meta}
	return &misp.EventGalaxy{Galaxy: g, GalaxyCluster: []*misp.EventCluster{c}}
}

// tagOf returns the tag attaching the cluster of g.
func tagOf(g *misp.EventGalaxy) *misp.AttachedTag {
	return &misp.AttachedTag{Name: g.GalaxyCluster[0].TagName, Exportable: true, IsGalaxy: true}
}

// galaxyEvents returns the golden dataset with galaxy clusters, as the
// restSearch enricher attaches them: a threat actor on the first event,
// on its first attribute and on the second event; an attack pattern, a
// sector, a branded vulnerability and a galaxy misp-stix does not map on
// attributes (the last also on the event); a malware on an object's
// attribute; a country and a region on the second event.
func galaxyEvents() []*misp.Event {
	events := exporttest.Events()
	e1, e2 := events[0], events[1]
	apt := func() *misp.EventGalaxy {
		return cluster(misp.Galaxy{Name: "Threat Actor", Type: "threat-actor", Description: "Threat actors are characteristics of malicious actors."},
			apt28UUID, "APT28", "APT28 is a threat group attributed to Russia's GRU.", map[string][]string{
				"synonyms":              {"APT28", "Fancy Bear", "Sofacy"},
				"refs":                  {"https://attack.mitre.org/groups/G0007", "not a url"},
				"cfr-suspected-victims": {"Serbia", "Georgia"},
				"country":               {"RU"},
			})
	}
	target := func() *misp.EventGalaxy {
		return cluster(misp.Galaxy{Name: "Target Information", Type: "target-information", Description: "Description of targets."},
			serbiaUUID, "Serbia", "Serbian institutions", map[string][]string{"Country Code": {"RS"}, "region.name": {"Balkans"}})
	}
	phishing := cluster(misp.Galaxy{Name: "Attack Pattern", Type: "mitre-attack-pattern", Description: "ATT&CK Tactic"},
		phishingUUID, "Spearphishing Link - T1566.002", "Adversaries may send spearphishing emails with a malicious link.",
		map[string][]string{
			"external_id":     {"T1566.002", "CAPEC-163", "CVE-20-1"},
			"kill_chain":      {"mitre-attack:enterprise-attack:initial-access"},
			"refs":            {"https://attack.mitre.org/techniques/T1566/002"},
			"mitre_platforms": {"Windows", "macOS"},
		})
	sector := cluster(misp.Galaxy{Name: "Sector", Type: "sector", Description: "Activity sectors"},
		financeUUID, "Finance", "", map[string][]string{"synonyms": {"Banking"}})
	ghost := cluster(misp.Galaxy{Name: "Branded Vulnerability", Type: "branded-vulnerability", Description: "List of known vulnerabilities and exploits"},
		ghostUUID, "Ghost", "The GHOST vulnerability is a serious weakness in the Linux glibc library.",
		map[string][]string{"aliases": {"CVE-2015-0235"}})
	biscuit := cluster(misp.Galaxy{Name: "Malware", Type: "mitre-malware", Description: "Name of ATT&CK software"},
		biscuitUUID, "BISCUIT - S0017", "BISCUIT is a backdoor that has been used by APT1 since as early as 2007.",
		map[string][]string{"external_id": {"S0017"}, "synonyms": {"BISCUIT"}, "type": {"backdoor"}})
	country := cluster(misp.Galaxy{Name: "Country", Type: "country", Description: "Country meta information"},
		rsUUID, "serbia", "Serbia", map[string][]string{"ISO": {"RS"}, "Capital": {"Belgrade"}})
	region := cluster(misp.Galaxy{Name: "Regions UN M49", Type: "region", Description: "Regions based on UN M49"},
		southUUID, "039 - Southern Europe", "Southern Europe", nil)

	e1.Galaxy = []*misp.EventGalaxy{apt(), target()}
	e1.Tag = append(e1.Tag, tagOf(e1.Galaxy[1]))
	ip := e1.Attribute[0]
	ip.Timestamp += 5 // its clusters are created at its timestamp
	ip.Galaxy = []*misp.EventGalaxy{apt(), phishing}
	ip.Tag = append(ip.Tag, tagOf(ip.Galaxy[0]), tagOf(phishing))
	subject := e1.Attribute[9]
	subject.Galaxy = []*misp.EventGalaxy{sector, target()}
	subject.Tag = append(subject.Tag, tagOf(sector), tagOf(subject.Galaxy[1]))
	cve := e1.Attribute[13]
	cve.Galaxy = []*misp.EventGalaxy{ghost}
	cve.Tag = append(cve.Tag, tagOf(ghost))
	md5 := e1.Object[0].Attribute[1]
	md5.Galaxy = []*misp.EventGalaxy{biscuit}
	md5.Tag = append(md5.Tag, tagOf(biscuit))

	e2.Galaxy = []*misp.EventGalaxy{apt(), country, region}
	e2.Tag = append(e2.Tag, tagOf(e2.Galaxy[0]), tagOf(country), tagOf(region))
	return events
}

func TestGalaxyGolden(t *testing.T) {
	tests := []struct {
		name string
		got  func(t *testing.T) []byte
	}{
		{"galaxies_events", func(t *testing.T) []byte {
			return exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), galaxyEvents())
		}},
		{"galaxies_attributes", func(t *testing.T) []byte {
			var hits []misp.AttributeHit
			for _, e := range galaxyEvents() {
				hits = append(hits, export.Hits(e)...)
			}
			return exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), hits)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.got(t)
			exporttest.Golden(t, tt.name, got)
			check(t, got)
		})
	}
}

// byID indexes the objects of a bundle, failing on an identifier written
// twice.
func byID(t *testing.T, bundle []byte) map[string]map[string]any {
	t.Helper()
	m := map[string]map[string]any{}
	for _, o := range decode(t, bundle) {
		id := o["id"].(string)
		if _, ok := m[id]; ok {
			t.Errorf("%s written twice", id)
		}
		m[id] = o
	}
	return m
}

func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// relationshipsOf returns the relationship types from source to target.
func relationshipsOf(objs map[string]map[string]any, source, target string) []string {
	var out []string
	for _, o := range objs {
		if o["type"] == "relationship" && o["source_ref"] == source && o["target_ref"] == target {
			out = append(out, o["relationship_type"].(string))
		}
	}
	return out
}

// TestGalaxyEvents checks the clusters of the events scope against
// misp-stix's conventions.
func TestGalaxyEvents(t *testing.T) {
	events := galaxyEvents()
	e1, e2 := events[0], events[1]
	got := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), events)
	check(t, got)
	objs := byID(t, got)

	clusters := map[string]string{
		apt28UUID: "threat-actor", phishingUUID: "attack-pattern", serbiaUUID: "x-misp-galaxy-cluster",
		financeUUID: "identity", ghostUUID: "vulnerability", biscuitUUID: "malware", rsUUID: "location", southUUID: "location",
	}
	for uuid, typ := range clusters {
		if objs[typ+"--"+uuid] == nil {
			t.Errorf("no %s--%s in the bundle", typ, uuid)
		}
	}

	report := objs["report--"+e1.UUID]
	for _, uuid := range []string{apt28UUID, phishingUUID, serbiaUUID, financeUUID, ghostUUID, biscuitUUID} {
		if id := clusters[uuid] + "--" + uuid; !slices.Contains(strs(report["object_refs"]), id) {
			t.Errorf("report object_refs lack %s", id)
		}
	}
	// The threat actor was written with the first event; the second
	// event's grouping refers to it all the same.
	grouping := objs["grouping--"+e2.UUID]
	for _, id := range []string{"threat-actor--" + apt28UUID, "location--" + rsUUID, "location--" + southUUID} {
		if !slices.Contains(strs(grouping["object_refs"]), id) {
			t.Errorf("grouping object_refs lack %s", id)
		}
	}
	// misp-stix drops the tags of mapped clusters from the report's
	// labels, and keeps those of unmapped ones.
	labels := strs(report["labels"])
	if slices.Contains(labels, `misp-galaxy:threat-actor="APT28"`) || !slices.Contains(labels, `misp-galaxy:target-information="Serbia"`) {
		t.Errorf("report labels %q", labels)
	}

	ip := "indicator--" + e1.Attribute[0].UUID
	if l := strs(objs[ip]["labels"]); slices.ContainsFunc(l, func(s string) bool { return strings.HasPrefix(s, "misp-galaxy:") }) {
		t.Errorf("indicator labels %q keep cluster tags", l)
	}
	rels := []struct{ source, target, typ string }{
		{ip, "threat-actor--" + apt28UUID, "indicates"},
		{ip, "attack-pattern--" + phishingUUID, "indicates"},
		{"observed-data--" + e1.Attribute[9].UUID, "identity--" + financeUUID, "related-to"},
		{"observed-data--" + e1.Attribute[9].UUID, "x-misp-galaxy-cluster--" + serbiaUUID, "related-to"},
		{"vulnerability--" + e1.Attribute[13].UUID, "vulnerability--" + ghostUUID, "related-to"},
		{"indicator--" + e1.Object[0].UUID, "malware--" + biscuitUUID, "indicates"},
	}
	for _, r := range rels {
		if got := relationshipsOf(objs, r.source, r.target); !slices.Equal(got, []string{r.typ}) {
			t.Errorf("relationships %s → %s = %v, want [%s]", r.source, r.target, got, r.typ)
		}
	}
	if n := len(relationshipsOf(objs, "report--"+e1.UUID, "threat-actor--"+apt28UUID)); n != 0 {
		t.Errorf("%d relationships from the report; an event's clusters are object_refs only", n)
	}

	// Found first on the attribute, the threat actor has its timestamp.
	ta := objs["threat-actor--"+apt28UUID]
	if want := stamp(int64(e1.Attribute[0].Timestamp)); ta["created"] != want || ta["modified"] != want {
		t.Errorf("threat actor created %v, modified %v, want %s", ta["created"], ta["modified"], want)
	}
	if _, ok := ta["created_by_ref"]; ok {
		t.Error("cluster SDO has created_by_ref; misp-stix gives it none")
	}
	wantProps := map[string]map[string]any{
		"threat-actor--" + apt28UUID: {
			"name": "APT28", "aliases": []any{"Fancy Bear", "Sofacy"},
			"labels":                       []any{`misp:galaxy-name="Threat Actor"`, `misp:galaxy-type="threat-actor"`, `misp-galaxy:threat-actor="APT28"`},
			"external_references":          []any{map[string]any{"source_name": "url", "url": "https://attack.mitre.org/groups/G0007"}},
			"x_misp_cfr_suspected_victims": []any{"Serbia", "Georgia"}, "x_misp_country": []any{"RU"},
		},
		"attack-pattern--" + phishingUUID: {
			"name":              "Spearphishing Link",
			"kill_chain_phases": []any{map[string]any{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}},
			"external_references": []any{
				map[string]any{"source_name": "mitre-attack", "external_id": "T1566.002"},
				map[string]any{"source_name": "capec", "external_id": "CAPEC-163"},
				map[string]any{"source_name": "url", "url": "https://attack.mitre.org/techniques/T1566/002"},
			},
			"x_misp_mitre_platforms": []any{"Windows", "macOS"},
		},
		"malware--" + biscuitUUID: {"name": "BISCUIT", "is_family": false, "malware_types": []any{"backdoor"},
			"external_references": []any{map[string]any{"source_name": "mitre-attack", "external_id": "S0017"}}},
		"identity--" + financeUUID: {"name": "Finance", "identity_class": "class", "description": "Activity sectors"},
		"vulnerability--" + ghostUUID: {"name": "Ghost",
			"external_references": []any{map[string]any{"source_name": "cve", "external_id": "CVE-2015-0235"}}},
		"location--" + rsUUID:    {"name": "Serbia", "country": "RS", "x_misp_capital": []any{"Belgrade"}, "description": "Country meta information | serbia"},
		"location--" + southUUID: {"name": "Southern Europe", "region": "southern-europe"},
		"x-misp-galaxy-cluster--" + serbiaUUID: {
			"x_misp_name": "Target Information", "x_misp_type": "target-information", "x_misp_value": "Serbia",
			"x_misp_description": "Description of targets. | Serbian institutions",
			"x_misp_meta":        map[string]any{"Country_Code": []any{"RS"}, "region_name": []any{"Balkans"}},
		},
	}
	for id, props := range wantProps {
		o := objs[id]
		for k, want := range props {
			if got := o[k]; !equalJSON(got, want) {
				t.Errorf("%s %s = %#v, want %#v", id, k, got, want)
			}
		}
	}
}

func equalJSON(a, b any) bool {
	var x, y strings.Builder
	encode(&x, a, true)
	encode(&y, b, true)
	return x.String() == y.String()
}

// TestGalaxyAttributes: in the attributes scope, an event's clusters
// stand alone at the event's timestamp, an attribute's are linked to its
// SDO, and each cluster is written once.
func TestGalaxyAttributes(t *testing.T) {
	events := galaxyEvents()
	var hits []misp.AttributeHit
	for _, e := range events {
		hits = append(hits, export.Hits(e)...)
	}
	got := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), hits)
	check(t, got)
	objs := byID(t, got)
	e1 := events[0]
	// The event's clusters come with its first attribute, before the
	// attribute's own: the threat actor has the event's timestamp.
	if ta := objs["threat-actor--"+apt28UUID]; ta == nil || ta["created"] != stamp(int64(e1.Timestamp)) {
		t.Errorf("threat actor %v, want one created at the event's timestamp", ta)
	}
	if got := relationshipsOf(objs, "indicator--"+e1.Attribute[0].UUID, "threat-actor--"+apt28UUID); !slices.Equal(got, []string{"indicates"}) {
		t.Errorf("indicator → threat actor relationships %v, want [indicates]", got)
	}
	for _, id := range []string{"location--" + rsUUID, "location--" + southUUID} {
		if objs[id] == nil {
			t.Errorf("no %s (second event's cluster)", id)
		}
		for _, o := range objs {
			if o["type"] == "relationship" && o["target_ref"] == id {
				t.Errorf("relationship %v to an event cluster", o["id"])
			}
		}
	}
}

// TestGalaxyExcluded: without Galaxy lists (excludeGalaxy, or no galaxy
// loaded) there are no cluster SDOs, and the galaxy tags are labels.
func TestGalaxyExcluded(t *testing.T) {
	events := galaxyEvents()
	for _, e := range events {
		e.Galaxy = nil
		for _, a := range e.Attribute {
			a.Galaxy = nil
		}
		for _, o := range e.Object {
			for _, a := range o.Attribute {
				a.Galaxy = nil
			}
		}
	}
	got := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), events)
	check(t, got)
	if bytes.Contains(got, []byte(`misp:galaxy-name=`)) {
		t.Errorf("cluster SDO without Galaxy lists:\n%s", got)
	}
	objs := byID(t, got)
	if l := strs(objs["indicator--"+events[0].Attribute[0].UUID]["labels"]); !slices.Contains(l, `misp-galaxy:threat-actor="APT28"`) {
		t.Errorf("indicator labels %q, want the galaxy tag", l)
	}
}

// TestGalaxyValidatorRejects: the validation of cluster SDOs has teeth.
func TestGalaxyValidatorRejects(t *testing.T) {
	dir, err := stix2test.Dir()
	if err != nil {
		t.Fatal(err)
	}
	v, err := stix2test.Load(dir)
	if err != nil {
		t.Skipf("STIX 2.1 JSON schemas: %v", err)
	}
	good := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), galaxyEvents())
	if errs := v.Check(good); len(errs) != 0 {
		t.Fatalf("Check(galaxies) = %v", errs)
	}
	breaks := []struct{ name, old, new string }{
		{"malware without is_family", `"is_family":false,`, ``},
		{"location without country", `"country":"RS",`, ``},
		{"custom cluster without created", `"type":"x-misp-galaxy-cluster","spec_version":"2.1","id":"x-misp-galaxy-cluster--` + serbiaUUID + `","created":"2025-11-24T16:00:00.000Z",`,
			`"type":"x-misp-galaxy-cluster","spec_version":"2.1","id":"x-misp-galaxy-cluster--` + serbiaUUID + `",`},
		{"cve reference with a bad id", `"external_id":"CVE-2015-0235"`, `"external_id":"CVE-15-0235"`},
		{"upper-case custom property", `"x_misp_capital"`, `"X_misp_capital"`},
		{"kill chain phase without name", `"kill_chain_name":"mitre-attack",`, ``},
	}
	for _, b := range breaks {
		t.Run(b.name, func(t *testing.T) {
			bad := bytes.Replace(good, []byte(b.old), []byte(b.new), 1)
			if bytes.Equal(bad, good) {
				t.Fatalf("%q is not in the answer", b.old)
			}
			if errs := v.Check(bad); len(errs) == 0 {
				t.Errorf("Check(galaxies with %s) = no error", b.name)
			}
		})
	}
}

// FuzzCluster: any galaxy type, value and meta give a valid bundle, in
// both scopes.
func FuzzCluster(f *testing.F) {
	f.Add("mitre-attack-pattern", "Phishing - T1566", "kill_chain", "mitre-attack:x:initial-access")
	f.Add("country", "serbia", "ISO", "")
	f.Add("region", "no region", "refs", "http://x y")
	f.Add("threat-actor", "X", "first_seen", "2020-01-02")
	f.Add("mitre-malware", "X", "Some Key.with dots", "\x00")
	f.Add("stix-2.1-location", "Somewhere", "external_id", "CVE-")
	f.Fuzz(func(t *testing.T, galaxyType, value, key, metaValue string) {
		g := cluster(misp.Galaxy{Name: "G", Type: galaxyType, Description: "d"}, "00000000-0000-4000-8000-00000000c1c1",
			value, "desc", map[string][]string{key: {metaValue}})
		e := exporttest.Events()[0]
		e.Attribute = e.Attribute[:1]
		e.Object = nil
		e.Galaxy = []*misp.EventGalaxy{g}
		e.Attribute[0].Galaxy = []*misp.EventGalaxy{g}
		check(t, exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), []*misp.Event{e}))
		check(t, exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), export.Hits(e)))
	})
}
