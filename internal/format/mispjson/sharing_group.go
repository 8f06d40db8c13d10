package mispjson

import (
	"encoding/json"

	"github.com/razmena/razmena/internal/misp"
)

// SharingGroupInput is a sharing group as a request describes it: the
// body of sharing_groups/add and /edit, or the "SharingGroup" object that
// MISP peers nest in the events, attributes and objects they push
// (misp-core-format §10). Group holds the group's own fields as sent
// (Has tells which keys were present); the owner and members stay as
// references for the caller to resolve, since ids are local to an
// instance.
type SharingGroupInput struct {
	Group *misp.SharingGroup
	Fields
	// Owner is the "Organisation" block (the owner organisation), nil
	// when absent.
	Owner *misp.OrgRef
	// Orgs are the SharingGroupOrg entries; nil when the key is absent.
	Orgs []*SharingGroupOrgInput
	// Servers are the SharingGroupServer entries; nil when the key is
	// absent.
	Servers []*SharingGroupServerInput
}

// SharingGroupOrgInput is one SharingGroupOrg entry: {"extend",
// "Organisation": {uuid, name}} as MISP sends it, or {"extend", "org_id"}.
// UUID and Name come from the Organisation block or, as MISP also reads
// them, from the entry itself.
type SharingGroupOrgInput struct {
	Extend bool
	OrgID  int64
	UUID   string
	Name   string
}

// SharingGroupServerInput is one SharingGroupServer entry: {"all_orgs",
// "Server": {url, name}} as MISP sends it, or {"all_orgs", "server_id"}.
// HasServerID tells a server_id of 0 (this instance) from an absent one.
type SharingGroupServerInput struct {
	AllOrgs     bool
	ServerID    int64
	HasServerID bool
	URL         string
	Name        string
}

// DecodeSharingGroup decodes a sharing_groups/add or /edit body: the
// group wrapped ({"SharingGroup": {...}}) or bare, its SharingGroupOrg,
// SharingGroupServer and Organisation inside it or, as in MISP's view
// answer, beside the wrapper.
func DecodeSharingGroup(body []byte) (*SharingGroupInput, error) {
	raw, outer, err := envelope(body, "SharingGroup")
	if err != nil {
		return nil, err
	}
	m, err := objectAt("SharingGroup", "a SharingGroup object", raw)
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"SharingGroupOrg", "SharingGroupServer", "Organisation"} {
		if _, inside := m[key]; !inside && outer != nil {
			if v, ok := outer[key]; ok {
				m[key] = v
			}
		}
	}
	return decodeSharingGroup("SharingGroup", m)
}

// nestedSharingGroup decodes the "SharingGroup" key of an event,
// attribute or object: nil when absent, null or empty (PHP's [] for an
// empty array).
func nestedSharingGroup(path string, m map[string]json.RawMessage) (*SharingGroupInput, error) {
	raw, ok := m["SharingGroup"]
	if !ok {
		return nil, nil
	}
	path = joinPath(path, "SharingGroup")
	switch kindOf(raw) {
	case kindNull:
		return nil, nil
	case kindList:
		if n, ok := listLen(raw); ok && n == 0 {
			return nil, nil
		}
	}
	sm, err := objectAt(path, "a SharingGroup object", raw)
	if err != nil {
		return nil, err
	}
	return decodeSharingGroup(path, sm)
}

func decodeSharingGroup(path string, m map[string]json.RawMessage) (*SharingGroupInput, error) {
	in := &SharingGroupInput{Group: &misp.SharingGroup{}, Fields: fieldsOf(m)}
	if err := decodeFields(path, m, in.Group); err != nil {
		return nil, err
	}
	if raw, ok := m["Organisation"]; ok {
		p := joinPath(path, "Organisation")
		org, err := decodeOrgRef(p, firstOfList(raw))
		if err != nil {
			return nil, err
		}
		in.Owner = org
	}
	if raw, ok := m["SharingGroupOrg"]; ok {
		p := joinPath(path, "SharingGroupOrg")
		items, err := oneOrMany(p, raw)
		if err != nil {
			return nil, err
		}
		in.Orgs = make([]*SharingGroupOrgInput, 0, len(items))
		for i, item := range items {
			o, err := decodeSharingGroupOrg(indexPath(p, i), item)
			if err != nil {
				return nil, err
			}
			in.Orgs = append(in.Orgs, o)
		}
	}
	if raw, ok := m["SharingGroupServer"]; ok {
		p := joinPath(path, "SharingGroupServer")
		items, err := oneOrMany(p, raw)
		if err != nil {
			return nil, err
		}
		in.Servers = make([]*SharingGroupServerInput, 0, len(items))
		for i, item := range items {
			s, err := decodeSharingGroupServer(indexPath(p, i), item)
			if err != nil {
				return nil, err
			}
			in.Servers = append(in.Servers, s)
		}
	}
	return in, nil
}

// firstOfList returns the first element of a non-empty JSON list, as MISP
// reads an Organisation or Server block given as [{...}], and raw
// otherwise.
func firstOfList(raw json.RawMessage) json.RawMessage {
	if kindOf(raw) != kindList {
		return raw
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return raw
	}
	return list[0]
}

func decodeSharingGroupOrg(path string, raw json.RawMessage) (*SharingGroupOrgInput, error) {
	m, err := objectAt(path, "a SharingGroupOrg object", raw)
	if err != nil {
		return nil, err
	}
	var f struct {
		Extend misp.Bool `json:"extend"`
		OrgID  misp.Int  `json:"org_id"`
		UUID   string    `json:"uuid"`
		Name   string    `json:"name"`
	}
	if err := decodeFields(path, m, &f); err != nil {
		return nil, err
	}
	o := &SharingGroupOrgInput{Extend: bool(f.Extend), OrgID: int64(f.OrgID), UUID: f.UUID, Name: f.Name}
	if raw, ok := m["Organisation"]; ok {
		org, err := decodeOrgRef(joinPath(path, "Organisation"), firstOfList(raw))
		if err != nil {
			return nil, err
		}
		if org != nil {
			o.UUID, o.Name = org.UUID, org.Name
		}
	}
	return o, nil
}

func decodeSharingGroupServer(path string, raw json.RawMessage) (*SharingGroupServerInput, error) {
	m, err := objectAt(path, "a SharingGroupServer object", raw)
	if err != nil {
		return nil, err
	}
	var f struct {
		AllOrgs  misp.Bool `json:"all_orgs"`
		ServerID misp.Int  `json:"server_id"`
		URL      string    `json:"url"`
		Name     string    `json:"name"`
	}
	if err := decodeFields(path, m, &f); err != nil {
		return nil, err
	}
	s := &SharingGroupServerInput{AllOrgs: bool(f.AllOrgs), ServerID: int64(f.ServerID), URL: f.URL, Name: f.Name}
	_, s.HasServerID = m["server_id"]
	if raw, ok := m["Server"]; ok {
		p := joinPath(path, "Server")
		sm, err := objectAt(p, "a Server object", firstOfList(raw))
		if err != nil {
			return nil, err
		}
		var srv struct {
			URL  string `json:"url"`
			Name string `json:"name"`
		}
		if err := decodeFields(p, sm, &srv); err != nil {
			return nil, err
		}
		s.URL, s.Name = srv.URL, srv.Name
	}
	return s, nil
}

// The sharing-group views. MISP answers sharing_groups/view, /add and
// /edit with the group's own fields under "SharingGroup" and its owner
// and members beside them; the index wraps such items in "response".

type (
	sharingGroupFields misp.SharingGroup

	// sgOwnFields is the group without its owner and members, which the
	// empty fields below shadow and omit.
	sgOwnFields struct {
		sharingGroupFields
		Organisation       *struct{}  `json:"Organisation,omitempty"`
		SharingGroupOrg    []struct{} `json:"SharingGroupOrg,omitempty"`
		SharingGroupServer []struct{} `json:"SharingGroupServer,omitempty"`
	}
)

type sgOrgOut struct {
	ID             misp.Int    `json:"id"`
	SharingGroupID misp.Int    `json:"sharing_group_id"`
	OrgID          misp.Int    `json:"org_id"`
	Extend         misp.Bool   `json:"extend"`
	Organisation   *orgSummary `json:"Organisation,omitempty"`
}

func sgOrgs(g *misp.SharingGroup) []sgOrgOut {
	out := make([]sgOrgOut, len(g.SharingGroupOrg))
	for i, m := range g.SharingGroupOrg {
		out[i] = sgOrgOut{ID: m.ID, SharingGroupID: m.SharingGroupID, OrgID: m.OrgID, Extend: m.Extend,
			Organisation: newOrgSummary(m.Organisation)}
	}
	return out
}

// SharingGroupView returns the sharing_groups/view, /add and /edit
// answer: {"SharingGroup": {own fields}, "Organisation": {id,name,uuid,
// local}, "SharingGroupOrg": [{id, sharing_group_id, org_id, extend,
// Organisation{id,name,uuid}}], "SharingGroupServer": [{id,
// sharing_group_id, server_id, all_orgs, Server{id,name,url}}]}. Server
// blocks are emitted as the caller set them.
func SharingGroupView(g *misp.SharingGroup) any {
	return struct {
		SharingGroup       sgOwnFields                `json:"SharingGroup"`
		Organisation       *misp.OrgRef               `json:"Organisation"`
		SharingGroupOrg    []sgOrgOut                 `json:"SharingGroupOrg"`
		SharingGroupServer []*misp.SharingGroupServer `json:"SharingGroupServer"`
	}{sgOwnFields{sharingGroupFields: sharingGroupFields(*g)}, g.Organisation, sgOrgs(g), nonNil(g.SharingGroupServer)}
}

// SharingGroupIndexItem is one element of the sharing_groups/index answer.
type SharingGroupIndexItem struct {
	Group *misp.SharingGroup
	// Editable and Deletable say what the reader may do with the group.
	Editable, Deletable bool
}

type sgIndexFields struct {
	ID            misp.Int  `json:"id"`
	UUID          string    `json:"uuid"`
	Name          string    `json:"name"`
	Description   string    `json:"description"`
	Releasability string    `json:"releasability"`
	Local         misp.Bool `json:"local"`
	Active        misp.Bool `json:"active"`
	Roaming       misp.Bool `json:"roaming"`
	OrgCount      misp.Int  `json:"org_count"`
}

type sgIndexOut struct {
	SharingGroup       sgIndexFields              `json:"SharingGroup"`
	SharingGroupOrg    []sgOrgOut                 `json:"SharingGroupOrg"`
	Organisation       *orgSummary                `json:"Organisation"`
	SharingGroupServer []*misp.SharingGroupServer `json:"SharingGroupServer"`
	Editable           bool                       `json:"editable"`
	Deletable          bool                       `json:"deletable"`
}

// SharingGroupIndex returns the sharing_groups/index answer (misp-rest-api
// §3.8): {"response": [{"SharingGroup": {id, uuid, name, description,
// releasability, local, active, roaming, org_count}, "SharingGroupOrg":
// […], "Organisation": {id,name,uuid}, "SharingGroupServer": […],
// "editable", "deletable"}]}.
func SharingGroupIndex(items []SharingGroupIndexItem) any {
	out := make([]sgIndexOut, len(items))
	for i, it := range items {
		g := it.Group
		out[i] = sgIndexOut{
			SharingGroup: sgIndexFields{ID: g.ID, UUID: g.UUID, Name: g.Name, Description: g.Description,
				Releasability: g.Releasability, Local: g.Local, Active: g.Active, Roaming: g.Roaming,
				OrgCount: misp.Int(len(g.SharingGroupOrg))},
			SharingGroupOrg:    sgOrgs(g),
			Organisation:       newOrgSummary(g.Organisation),
			SharingGroupServer: nonNil(g.SharingGroupServer),
			Editable:           it.Editable,
			Deletable:          it.Deletable,
		}
	}
	return struct {
		Response []sgIndexOut `json:"response"`
	}{out}
}
