package stiximport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// Default limits of a bundle (Options.MaxBytes, Options.MaxObjects).
const (
	DefaultMaxBytes   = 64 << 20
	DefaultMaxObjects = 100_000
)

// Options say how a bundle becomes an event.
type Options struct {
	// Distribution and SharingGroupID are the event's (MISP's upload_stix
	// distribution and sharing_group_id named parameters). Attributes and
	// objects inherit (distribution 5).
	Distribution   misp.Distribution
	SharingGroupID int64
	// Orgc is the creator organisation set on the event: the uploader's,
	// never one named in the bundle.
	Orgc *misp.OrgRef
	// Now gives the event date when the bundle has no report date.
	Now time.Time
	// MaxBytes and MaxObjects bound the bundle (0: the defaults). Observed
	// data of STIX 2.0 counts each embedded object.
	MaxBytes   int
	MaxObjects int
}

// Error reports a bundle that cannot be imported at all: not JSON, not a
// bundle, over a limit, with malformed ids, or with nothing convertible.
// It matches misp.ErrInvalid.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Is makes an Error match misp.ErrInvalid.
func (e *Error) Is(target error) bool { return target == misp.ErrInvalid }

func errorf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Warning is content of the bundle left out of the event, or kept in a
// lesser form (a stix2-pattern object), and why.
type Warning struct {
	// Object is the STIX id of the object concerned ("" for the bundle).
	Object  string
	Message string
}

func (w Warning) String() string {
	if w.Object == "" {
		return w.Message
	}
	return w.Object + ": " + w.Message
}

// object is a decoded STIX object.
type object map[string]any

func (o object) str(key string) string {
	s, _ := o[key].(string)
	return s
}

func (o object) strs(key string) []string {
	list, _ := o[key].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// uuid returns the UUID part of the object's id.
func (o object) uuid() string { return idUUID(o.str("id")) }

func idUUID(id string) string {
	_, u, _ := strings.Cut(id, "--")
	return strings.ToLower(u)
}

// Convert turns a STIX 2.0 or 2.1 bundle into one MISP event, as MISP's
// events/upload_stix/2 does with misp-stix (one event per bundle). The
// event and every attribute and object are validated (attributes with
// misp.Attribute.ApplyDefaults and Validate); what fails is left out and
// reported in the warnings. Convert returns an *Error when the bundle
// cannot be imported at all.
func Convert(bundle []byte, o Options) (*misp.Event, []Warning, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxObjects <= 0 {
		o.MaxObjects = DefaultMaxObjects
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if len(bundle) > o.MaxBytes {
		return nil, nil, errorf("the bundle is larger than %d bytes", o.MaxBytes)
	}
	c := &converter{o: o, byID: map[string]object{}, uuids: map[string]bool{}, emitted: map[string]bool{}}
	if err := c.load(bundle); err != nil {
		return nil, nil, err
	}
	c.convert()
	if c.converted == 0 {
		msg := "the bundle holds no STIX object that converts to MISP data"
		if len(c.warnings) > 0 {
			msg += " (" + c.warnings[0].String() + ")"
		}
		return nil, c.warnings, &Error{Msg: msg}
	}
	return c.event, c.warnings, nil
}

type converter struct {
	o        Options
	bundleID string
	version  string
	objects  []object // in bundle order, one version per id
	byID     map[string]object
	internal bool // produced by MISP (misp-stix labels)

	event     *misp.Event
	eventTags tagList
	warnings  []Warning
	uuids     map[string]bool // UUIDs given to elements of the event
	emitted   map[string]bool // SCO ids already converted
	converted int             // STIX objects that gave MISP data
}

func (c *converter) warn(id, format string, args ...any) {
	c.warnings = append(c.warnings, Warning{Object: id, Message: fmt.Sprintf(format, args...)})
}

// load decodes and checks the bundle.
func (c *converter) load(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return errorf("the bundle is not valid JSON: %v", err)
	}
	if dec.More() {
		return errorf("the bundle is not valid JSON: data after the top-level value")
	}
	b, ok := top.(map[string]any)
	if !ok {
		return errorf("the upload is not a STIX bundle: expected a JSON object")
	}
	bo := object(b)
	if bo.str("type") != "bundle" {
		return errorf("the upload is not a STIX bundle: type is %q, want \"bundle\"", bo.str("type"))
	}
	c.bundleID = bo.str("id")
	if !validID(c.bundleID, "bundle") {
		return errorf("the bundle id %q is not of the form bundle--<uuid>", truncate(c.bundleID))
	}
	c.version = bo.str("spec_version")
	raw, ok := b["objects"].([]any)
	if !ok {
		if _, present := b["objects"]; present {
			return errorf("the bundle's objects is not a list")
		}
		return errorf("the bundle holds no STIX object")
	}
	if len(raw) > c.o.MaxObjects {
		return errorf("the bundle holds %d objects, more than the limit of %d", len(raw), c.o.MaxObjects)
	}
	count := len(raw)
	pos := make(map[string]int, len(raw)) // index in c.objects by id
	for i, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			return errorf("object %d of the bundle is not a JSON object", i)
		}
		obj := object(m)
		typ, id := obj.str("type"), obj.str("id")
		if typ == "" {
			return errorf("object %d of the bundle has no type", i)
		}
		if !validID(id, typ) {
			return errorf("object %d of the bundle has a malformed id %q (want %s--<uuid>)", i, truncate(id), truncate(typ))
		}
		if embedded, ok := m["objects"].(map[string]any); ok && typ == "observed-data" {
			count += len(embedded)
			if count > c.o.MaxObjects {
				return errorf("the bundle holds more than the limit of %d objects", c.o.MaxObjects)
			}
		}
		if c.version == "" {
			c.version = obj.str("spec_version")
		}
		if prev, dup := c.byID[id]; dup {
			// Several versions of one object: keep the latest (STIX 2.1
			// §3.6); modified timestamps compare as strings.
			if obj.str("modified") < prev.str("modified") {
				continue
			}
			c.objects[pos[id]] = obj
			c.byID[id] = obj
			continue
		}
		pos[id] = len(c.objects)
		c.byID[id] = obj
		c.objects = append(c.objects, obj)
	}
	if len(c.objects) == 0 {
		return errorf("the bundle holds no STIX object")
	}
	if c.version == "" {
		c.version = "2.1"
	}
	return nil
}

// validID reports whether id is "<typ>--<uuid>".
func validID(id, typ string) bool {
	prefix, u, ok := strings.Cut(id, "--")
	return ok && prefix == typ && misp.IsUUID(u)
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// convert builds the event.
func (c *converter) convert() {
	var reports []object
	for _, obj := range c.objects {
		switch obj.str("type") {
		case "report", "grouping":
			reports = append(reports, obj)
			for _, l := range obj.strs("labels") {
				if l == `misp:tool="MISP-STIX-Converter"` || l == `misp:tool="misp2stix2"` {
					c.internal = true
				}
			}
		}
	}
	c.newEvent(reports)
	observed := c.observedSCOs()
	for _, obj := range c.objects {
		typ := obj.str("type")
		// misp-stix writes a MISP attribute or object with to_ids twice:
		// as observed data and as an indicator of the same uuid. The
		// observed data has every value; the indicator says which are
		// to_ids.
		paired, isPaired := c.byID["indicator--"+obj.uuid()]
		switch {
		case typ == "indicator" && c.byID["observed-data--"+obj.uuid()] != nil:
		case typ == "observed-data" && isPaired:
			c.observedDataWithIndicator(obj, paired)
		case typ == "indicator":
			c.indicator(obj)
		case typ == "observed-data":
			c.observedData(obj, nil)
		case typ == "vulnerability":
			c.vulnerability(obj)
		case galaxyTypes[typ]:
			c.galaxy(obj)
		case typ == "x-misp-attribute":
			c.customAttribute(obj)
		case typ == "x-misp-object":
			c.customObject(obj)
		case scoTypes[typ]:
			// Converted below, unless part of observed data.
		case skippedTypes[typ]:
		default:
			c.warn(obj.str("id"), "STIX object type %s is not converted", truncate(typ))
		}
	}
	c.standaloneSCOs(observed)
	if len(c.eventTags) > 0 {
		c.event.Tag = c.eventTags.attached()
	}
}

// galaxyTypes are the SDOs MISP imports as galaxy clusters; Razmena keeps
// them as misp-galaxy tags (see doc.go).
var galaxyTypes = map[string]bool{
	"attack-pattern": true, "campaign": true, "course-of-action": true, "infrastructure": true,
	"intrusion-set": true, "malware": true, "threat-actor": true, "tool": true,
}

// scoTypes are the STIX Cyber-observable object types.
var scoTypes = map[string]bool{
	"artifact": true, "autonomous-system": true, "directory": true, "domain-name": true,
	"email-addr": true, "email-message": true, "file": true, "ipv4-addr": true, "ipv6-addr": true,
	"mac-addr": true, "mutex": true, "network-traffic": true, "process": true, "software": true,
	"url": true, "user-account": true, "windows-registry-key": true, "x509-certificate": true,
}

// skippedTypes are read for context (reports, identities, markings) or
// have no MISP event counterpart; they raise no warning.
var skippedTypes = map[string]bool{
	"report": true, "grouping": true, "identity": true, "marking-definition": true,
	"relationship": true, "sighting": true, "language-content": true, "extension-definition": true,
	"location": true, "note": true, "opinion": true,
}

// newEvent sets up the event from the reports and groupings: with one,
// its uuid, name, date and tags; with none or several, the bundle's uuid
// and a generic info, as misp-stix's single-event mode does.
func (c *converter) newEvent(reports []object) {
	e := &misp.Event{
		Distribution:  c.o.Distribution,
		ThreatLevelID: misp.ThreatLevelUndefined,
		Analysis:      misp.AnalysisInitial,
		Orgc:          c.o.Orgc,
	}
	if e.Distribution == misp.DistributionSharingGrp {
		e.SharingGroupID = misp.Int(c.o.SharingGroupID)
	}
	e.Info = fmt.Sprintf("STIX %s Bundle (%s) imported", c.version, c.bundleID)
	e.UUID = idUUID(c.bundleID)
	if len(reports) == 1 {
		e.UUID = reports[0].uuid()
		if name := strings.TrimSpace(reports[0].str("name")); name != "" {
			e.Info = name
		}
	}
	date := ""
	creators := map[string]bool{}
	for _, r := range reports {
		if d := stixDate(r.str("published")); d != "" && (date == "" || d < date) {
			date = d
		}
		if ref := r.str("created_by_ref"); ref != "" {
			creators[ref] = true
		}
		// misp-stix's generic event of several reports takes none of their
		// tags; Razmena keeps the markings and labels of every report so
		// that a TLP marking is not lost in the merge.
		for _, l := range r.strs("labels") {
			if strings.EqualFold(l, "threat-report") || isHint(l) {
				continue
			}
			c.eventTags.add(l)
		}
		for _, t := range c.markingTags(r) {
			c.eventTags.add(t)
		}
	}
	if len(creators) == 1 {
		for ref := range creators {
			if id, ok := c.byID[ref]; ok && id.str("type") == "identity" && id.str("name") != "" {
				c.eventTags.add(`misp-galaxy:producer="` + id.str("name") + `"`)
			}
		}
	}
	if date == "" {
		date = c.o.Now.UTC().Format(time.DateOnly)
	}
	e.Date = date
	c.event = e
}

// stixDate returns the YYYY-MM-DD of a STIX timestamp, or "".
func stixDate(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// microTime converts a STIX timestamp for first_seen/last_seen.
func microTime(ts string) *misp.MicroTime {
	if ts == "" {
		return nil
	}
	t, err := misp.ParseMicroTime(ts)
	if err != nil {
		return nil
	}
	return &t
}

// hints are misp-stix's labels on objects MISP exported
// (misp:type="ip-dst", misp:category="…", misp:name="file", …).
type hints struct {
	typ, category, name, meta, galaxyType string
	toIDS                                 *bool
}

var hintKeys = []string{"misp:type=", "misp:category=", "misp:to_ids=", "misp:name=", "misp:meta-category=",
	"misp:galaxy-name=", "misp:galaxy-type=", "misp:tool="}

// isHint reports whether a label is a misp-stix hint rather than a tag.
func isHint(l string) bool {
	for _, k := range hintKeys {
		if strings.HasPrefix(l, k) {
			return true
		}
	}
	return false
}

func hintsOf(obj object) hints {
	var h hints
	for _, l := range obj.strs("labels") {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch k {
		case "misp:type":
			h.typ = v
		case "misp:category":
			h.category = v
		case "misp:name":
			h.name = v
		case "misp:meta-category":
			h.meta = v
		case "misp:galaxy-type":
			h.galaxyType = v
		case "misp:to_ids":
			b := strings.EqualFold(v, "true") || v == "1"
			h.toIDS = &b
		}
	}
	return h
}

// tagList is an ordered set of tag names (case-insensitive).
type tagList []string

func (l *tagList) add(name string) {
	name = strings.TrimSpace(name)
	if name == "" || l.has(name) {
		return
	}
	*l = append(*l, name)
}

func (l tagList) has(name string) bool {
	for _, n := range l {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func (l tagList) attached() []*misp.AttachedTag {
	out := make([]*misp.AttachedTag, 0, len(l))
	for _, n := range l {
		t := misp.Tag{Name: n}
		if t.Validate() != nil {
			continue
		}
		out = append(out, &misp.AttachedTag{Name: t.Name})
	}
	return out
}

// tlpMarkings are the predefined TLP 1.0 and 2.0 marking definitions,
// which bundles may reference without including them.
var tlpMarkings = map[string]string{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "tlp:white",
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "tlp:green",
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "tlp:amber",
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "tlp:red",
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "tlp:clear",
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "tlp:green",
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "tlp:amber",
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "tlp:amber+strict",
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "tlp:red",
}

// markingTags returns the tags of obj's object_marking_refs: TLP levels
// as tlp:* tags, other definitions as "<definition_type>:<definition>"
// (misp-stix _parse_marking_definition).
func (c *converter) markingTags(obj object) []string {
	var out []string
	for _, ref := range obj.strs("object_marking_refs") {
		if t, ok := tlpMarkings[ref]; ok {
			out = append(out, t)
			continue
		}
		md, ok := c.byID[ref]
		if !ok || md.str("type") != "marking-definition" {
			c.warn(obj.str("id"), "marking %s is not in the bundle", truncate(ref))
			continue
		}
		if dt := md.str("definition_type"); dt != "" {
			def, _ := md["definition"].(map[string]any)
			v, _ := def[dt].(string)
			if v == "" {
				c.warn(ref, "marking definition without a %s value", truncate(dt))
				continue
			}
			if strings.HasPrefix(v, dt+":") {
				out = append(out, v)
			} else {
				out = append(out, dt+":"+v)
			}
			continue
		}
		if name := md.str("name"); name != "" {
			out = append(out, strings.ToLower(name))
			continue
		}
		c.warn(ref, "marking definition not understood")
	}
	return out
}

// elementTags returns the tags of an attribute converted from obj: its
// labels (not the misp-stix hints), its markings not already on the
// event, and its confidence as misp:confidence-level.
func (c *converter) elementTags(obj object) []*misp.AttachedTag {
	var l tagList
	for _, t := range c.markingTags(obj) {
		if !c.eventTags.has(t) {
			l.add(t)
		}
	}
	for _, lbl := range obj.strs("labels") {
		if !isHint(lbl) {
			l.add(lbl)
		}
	}
	if n, ok := obj["confidence"].(json.Number); ok {
		if v, err := n.Int64(); err == nil {
			l.add(confidenceTag(v))
		}
	}
	if len(l) == 0 {
		return nil
	}
	return l.attached()
}

// confidenceTag is misp-stix's reading of a STIX confidence (0-100).
func confidenceTag(v int64) string {
	switch {
	case v >= 100:
		return `misp:confidence-level="completely-confident"`
	case v >= 75:
		return `misp:confidence-level="usually-confident"`
	case v >= 50:
		return `misp:confidence-level="fairly-confident"`
	case v >= 25:
		return `misp:confidence-level="rarely-confident"`
	}
	return `misp:confidence-level="unconfident"`
}

// uuidNamespace is misp-stix's namespace for the UUIDs it derives
// (misp_stix_converter/abstract.py), so that both give the same UUIDs to
// object attributes of the same indicator.
var uuidNamespace = [16]byte{0x76, 0xbe, 0xed, 0x5f, 0x72, 0x51, 0x45, 0x7e, 0x8c, 0x2b, 0xb4, 0x5f, 0x7b, 0x58, 0x9d, 0x3d}

// uuid5 returns the name-based (SHA-1, version 5) UUID of name.
func uuid5(name string) string { return misp.UUIDv5(uuidNamespace, name) }

// claim returns u, or a UUID derived from it when an element of the event
// already has u (one STIX object giving several elements).
func (c *converter) claim(u string) string {
	u = misp.NormalizeUUID(u)
	for i := 1; u == "" || c.uuids[u]; i++ {
		u = uuid5(fmt.Sprintf("%s - %d", u, i))
	}
	c.uuids[u] = true
	return u
}

// element is what one STIX object contributes: attributes or an object.
type element struct {
	src     object
	toIDS   bool
	comment string
	first   *misp.MicroTime
	last    *misp.MicroTime
	// category from a misp:category hint, "" for the type's default.
	category string
	// ids, when set, gives to_ids per attribute instead of toIDS: true
	// for the relation+"\x00"+value pairs it holds, for standalone
	// attributes when it holds "*", for all when it holds "all"
	// (observedDataWithIndicator).
	ids map[string]bool
}

// addAttribute validates a and adds it to the event, or warns.
func (c *converter) addAttribute(el element, a *misp.Attribute) bool {
	c.prepare(el, a)
	if err := a.Validate(); err != nil {
		c.warn(el.src.str("id"), "%s attribute %q left out: %v", a.Type, truncate(a.Value), err)
		return false
	}
	c.uuids[a.UUID] = true
	c.event.Attribute = append(c.event.Attribute, a)
	return true
}

// prepare fills the common fields of an attribute from el.
func (c *converter) prepare(el element, a *misp.Attribute) {
	a.ToIDS = misp.Bool(el.toIDS)
	switch {
	case el.ids == nil:
	case el.ids["all"]:
		a.ToIDS = true
	case a.ObjectRelation == nil:
		a.ToIDS = misp.Bool(el.ids["*"])
	default:
		a.ToIDS = misp.Bool(el.ids[*a.ObjectRelation+"\x00"+a.Value])
	}
	a.Distribution = misp.DistributionInheritEvnt
	if el.category != "" && misp.CategoryAllows(el.category, a.Type) {
		a.Category = el.category
	}
	a.ApplyDefaults(true)
	if a.Comment == "" {
		a.Comment = el.comment
	}
	a.FirstSeen, a.LastSeen = el.first, el.last
	if a.FirstSeen != nil && a.LastSeen != nil && *a.LastSeen < *a.FirstSeen {
		a.LastSeen = nil
	}
	if a.Tag == nil {
		a.Tag = c.elementTags(el.src)
	}
}

// addObject validates the attributes of o, drops the invalid ones, and
// adds o to the event when it still has an attribute.
func (c *converter) addObject(el element, o *misp.Object) bool {
	id := el.src.str("id")
	if t, ok := templates[o.Name]; ok {
		if o.MetaCategory == "" {
			o.MetaCategory = t.meta
		}
		if o.TemplateUUID == "" {
			o.TemplateUUID, o.TemplateVersion = t.uuid, misp.Int(t.version)
		}
	}
	if o.MetaCategory == "" {
		o.MetaCategory = "misc"
	}
	o.Distribution = misp.DistributionInheritEvnt
	o.FirstSeen, o.LastSeen = el.first, el.last
	if o.FirstSeen != nil && o.LastSeen != nil && *o.LastSeen < *o.FirstSeen {
		o.LastSeen = nil
	}
	if o.Comment == "" {
		o.Comment = el.comment
	}
	tags := c.elementTags(el.src)
	kept := o.Attribute[:0]
	for _, a := range o.Attribute {
		ael := el
		ael.comment = ""
		ael.first, ael.last = nil, nil
		if a.Tag == nil {
			a.Tag = tags
		}
		c.prepare(ael, a)
		if err := a.Validate(); err != nil {
			c.warn(id, "%s object: %s attribute %q left out: %v", o.Name, *a.ObjectRelation, truncate(a.Value), err)
			continue
		}
		kept = append(kept, a)
	}
	o.Attribute = kept
	if len(kept) == 0 {
		c.warn(id, "%s object left out: no valid attribute", o.Name)
		return false
	}
	if err := o.Validate(); err != nil {
		c.warn(id, "%s object left out: %v", o.Name, err)
		return false
	}
	for _, a := range kept {
		c.uuids[a.UUID] = true
	}
	c.event.Object = append(c.event.Object, o)
	return true
}

// newObject builds an object of fields; attribute UUIDs are derived from
// the source id, relation and value as misp-stix does.
func (c *converter) newObject(srcID, name, uuid string, fields []field) *misp.Object {
	o := &misp.Object{Name: name, UUID: c.claim(uuid)}
	for _, f := range fields {
		rel := f.relation
		a := &misp.Attribute{
			Type: f.typ, Value: f.value, Data: f.data, ObjectRelation: &rel,
			UUID: c.claim(uuid5(srcID + " - " + f.relation + " - " + f.value)),
		}
		if f.typ == "attachment" && a.Value == "" {
			a.Value = idUUID(srcID)
		}
		o.Attribute = append(o.Attribute, a)
	}
	return o
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
