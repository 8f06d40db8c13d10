package stix2

import (
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// This file converts MISP objects (events scope) as misp-stix does for
// the common templates: an indicator whose pattern ANDs the comparisons of
// the object's to_ids attributes when there is one, else an observed-data
// of the object's SCOs. Relations a template mapping does not know become
// x_misp_<relation> properties of the main SCO and comparisons on them,
// as in misp-stix. Other templates, and objects a mapping cannot use
// (a file without name or hash), become x-misp-object.

// objectObservation is what a mapped MISP object says: its SCOs (the main
// one first) and the comparisons of its to_ids attributes.
type objectObservation struct {
	scos []object
	cmps []string
}

// objectMappers are the MISP object templates mapped to STIX observables.
var objectMappers = map[string]func(o *misp.Object) (objectObservation, bool){
	"domain-ip": domainIPObject,
	"email":     emailObject,
	"file":      fileObject,
	"ip-port":   ipPortObject,
	"url":       urlObject,
}

// objectObjects returns the objects of o: the SDO first (indicator,
// observed-data or x-misp-object, with the MISP object's uuid), then SCOs.
func objectObjects(o *misp.Object, createdBy string) []object {
	var attrTags [][]*misp.AttachedTag
	toIDS := false
	for _, a := range o.Attribute {
		attrTags = append(attrTags, withoutClusterTags(a.Tag, a.Galaxy, false))
		toIDS = toIDS || bool(a.ToIDS)
	}
	tags := tagsOf(attrTags...)
	labels := []string{`misp:name="` + strings.ReplaceAll(clean(o.Name), "|", "-") + `"`, `misp:meta-category="` + clean(o.MetaCategory) + `"`}
	if mapper, ok := objectMappers[o.Name]; ok {
		if obs, ok := mapper(o); ok {
			if toIDS && len(obs.cmps) > 0 {
				ind := sdo("indicator", o.UUID, createdBy, int64(o.Timestamp))
				if o.Comment != "" {
					ind.set("description", clean(o.Comment))
				}
				ind.set("pattern", and(obs.cmps...))
				ind.set("pattern_type", "stix")
				ind.set("pattern_version", "2.1")
				setValidity(&ind, int64(o.Timestamp), o.FirstSeen, o.LastSeen)
				ind.set("kill_chain_phases", []object{{{"kill_chain_name", "misp-category"}, {"phase_name", clean(o.MetaCategory)}}})
				tags.apply(&ind, labels...)
				return []object{ind}
			}
			od := observedData(o.UUID, createdBy, int64(o.Timestamp), o.FirstSeen, o.LastSeen, obs.scos)
			tags.apply(&od, labels...)
			return append([]object{od}, obs.scos...)
		}
	}
	return []object{customObject(o, createdBy, tags, labels)}
}

// customObject builds misp-stix's x-misp-object.
func customObject(o *misp.Object, createdBy string, tags tagging, labels []string) object {
	c := sdo("x-misp-object", o.UUID, createdBy, int64(o.Timestamp))
	tags.apply(&c, labels...)
	c.set("x_misp_name", clean(o.Name))
	c.set("x_misp_meta_category", clean(o.MetaCategory))
	attrs := make([]object, 0, len(o.Attribute))
	for _, a := range o.Attribute {
		x := object{{"type", clean(a.Type)}, {"object_relation", clean(relation(a))}, {"value", clean(a.Value)}}
		if a.Category != "" {
			x = append(x, prop{"category", clean(a.Category)})
		}
		if a.Comment != "" {
			x = append(x, prop{"comment", clean(a.Comment)})
		}
		if a.ToIDS {
			x = append(x, prop{"to_ids", true})
		}
		x = append(x, prop{"uuid", clean(a.UUID)})
		attrs = append(attrs, x)
	}
	if len(attrs) > 0 {
		c.set("x_misp_attributes", attrs)
	}
	if o.Comment != "" {
		c.set("x_misp_comment", clean(o.Comment))
	}
	return c
}

func relation(a *misp.Attribute) string {
	if a.ObjectRelation == nil {
		return ""
	}
	return *a.ObjectRelation
}

// objectParts collects, while a mapping walks an object's attributes,
// their comparisons and the relations it leaves to x_misp_ properties.
type objectParts struct {
	cmps   []string
	custom object // x_misp_<relation>: string, or []string when repeated
}

// match records the comparison of a. As misp-stix does, an object with
// any to_ids attribute becomes one indicator whose pattern holds every
// attribute of the object, so that nothing of the object is lost.
func (p *objectParts) match(_ *misp.Attribute, cmp string) {
	p.cmps = append(p.cmps, cmp)
}

// leftover records a relation the mapping does not know, on the SCO whose
// pattern prefix is prefix ("file", "domain-name", …).
func (p *objectParts) leftover(a *misp.Attribute, prefix string) {
	name, v := propName(relation(a)), clean(a.Value)
	p.match(a, eq(prefix+":"+name, v))
	old, _ := p.custom.get(name)
	switch old := old.(type) {
	case string:
		p.custom.set(name, []string{old, v})
	case []string:
		p.custom.set(name, append(old, v))
	default: // not set yet
		p.custom = append(p.custom, prop{name, v})
	}
}

func fileObject(o *misp.Object) (objectObservation, bool) {
	var (
		p      objectParts
		props  object
		hashes = map[string]string{}
		extra  []object
	)
	for _, a := range o.Attribute {
		v := clean(a.Value)
		rel := relation(a)
		if _, ok := hashKinds[rel]; ok {
			if k, h, ok := hashValue(rel, v); ok {
				if _, dup := hashes[k]; !dup {
					hashes[k] = h
					p.match(a, eq("file:hashes."+key(k), h))
					continue
				}
			}
			p.leftover(a, "file")
			continue
		}
		_, have := props.get(fileProps[rel])
		switch {
		case rel == "filename" && !have && v != "":
			props = append(props, prop{"name", v})
			p.match(a, eq("file:name", v))
		case rel == "mime-type" && !have && v != "":
			props = append(props, prop{"mime_type", v})
			p.match(a, eq("file:mime_type", v))
		case rel == "size-in-bytes" && !have:
			n, ok := size(v)
			if !ok {
				p.leftover(a, "file")
				continue
			}
			props = append(props, prop{"size", n})
			p.match(a, eqInt("file:size", n))
		case rel == "path" && !have && v != "":
			dir := newSCO("directory", object{{"path", v}}, "")
			props = append(props, prop{"parent_directory_ref", dir.id()})
			extra = append(extra, dir)
			p.match(a, eq("file:parent_directory_ref.path", v))
		default:
			p.leftover(a, "file")
		}
	}
	if len(hashes) > 0 {
		props = append(props, prop{"hashes", hashes})
	}
	if _, ok := props.get("name"); !ok && len(hashes) == 0 {
		return objectObservation{}, false
	}
	file := newSCO("file", append(props, p.custom...), "")
	return objectObservation{append([]object{file}, extra...), p.cmps}, true
}

// fileProps names the file property each single-valued relation fills.
var fileProps = map[string]string{
	"filename": "name", "mime-type": "mime_type", "size-in-bytes": "size", "path": "parent_directory_ref",
}

func domainIPObject(o *misp.Object) (objectObservation, bool) {
	var (
		p       objectParts
		addrs   []object
		domains []string
		ipRefs  []string
	)
	for _, a := range o.Attribute {
		v := clean(a.Value)
		switch relation(a) {
		case "ip":
			addr, ok := addressSCO(v)
			if !ok {
				p.leftover(a, "domain-name")
				continue
			}
			addrs = append(addrs, addr)
			ipRefs = append(ipRefs, addr.id())
			p.match(a, eq("domain-name:resolves_to_refs[*].value", v))
		case "domain", "hostname":
			if v == "" {
				continue
			}
			domains = append(domains, v)
			p.match(a, eq("domain-name:value", v))
		default:
			p.leftover(a, "domain-name")
		}
	}
	if len(domains) == 0 {
		return objectObservation{}, false
	}
	var scos []object
	for i, d := range domains {
		props := object{{"value", d}}
		if len(ipRefs) > 0 {
			props = append(props, prop{"resolves_to_refs", ipRefs})
		}
		if i == 0 {
			props = append(props, p.custom...)
		}
		scos = append(scos, newSCO("domain-name", props, ""))
	}
	return objectObservation{append(scos, addrs...), p.cmps}, true
}

func ipPortObject(o *misp.Object) (objectObservation, bool) {
	var (
		p         objectParts
		nt        object
		scos      []object
		protocols []string
		versions  []string
		domains   []*misp.Attribute
	)
	ref := func(a *misp.Attribute, name string) {
		v := clean(a.Value)
		addr, ok := addressSCO(v)
		if _, have := nt.get(name); have || !ok {
			p.leftover(a, "network-traffic")
			return
		}
		nt = append(nt, prop{name, addr.id()})
		scos = append(scos, addr)
		if v := strings.TrimSuffix(addr.typ(), "-addr"); !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
		p.match(a, ipRef(name, addr.typ(), v))
	}
	for _, a := range o.Attribute {
		v := clean(a.Value)
		switch rel := relation(a); rel {
		case "ip-src":
			ref(a, "src_ref")
		case "ip-dst", "ip":
			ref(a, "dst_ref")
		case "src-port", "dst-port":
			name := strings.TrimSuffix(rel, "-port") + "_port"
			n, ok := port(v)
			if _, have := nt.get(name); have || !ok {
				p.leftover(a, "network-traffic")
				continue
			}
			nt = append(nt, prop{name, n})
			p.match(a, eqInt("network-traffic:"+name, n))
		case "protocol":
			proto := strings.ToLower(strings.TrimSpace(v))
			if proto == "" {
				continue
			}
			protocols = append(protocols, proto)
			p.match(a, eq("network-traffic:protocols[*]", proto))
		case "domain", "hostname":
			domains = append(domains, a)
		default:
			p.leftover(a, "network-traffic")
		}
	}
	// A domain or hostname is the destination when no address is, as in
	// misp-stix's ip-port patterns.
	for _, a := range domains {
		v := clean(a.Value)
		if _, have := nt.get("dst_ref"); have || v == "" {
			p.leftover(a, "network-traffic")
			continue
		}
		d := newSCO("domain-name", object{{"value", v}}, "")
		nt = append(nt, prop{"dst_ref", d.id()})
		scos = append(scos, d)
		p.match(a, eq("network-traffic:dst_ref.type", "domain-name")+" AND "+eq("network-traffic:dst_ref.value", v))
	}
	_, src := nt.get("src_ref")
	_, dst := nt.get("dst_ref")
	if !src && !dst {
		return objectObservation{}, false
	}
	switch {
	case len(protocols) > 0:
		nt = append(nt, prop{"protocols", protocols})
	case len(versions) > 0:
		nt = append(nt, prop{"protocols", versions})
	default:
		nt = append(nt, prop{"protocols", []string{"tcp"}})
	}
	traffic := newSCO("network-traffic", append(nt, p.custom...), "")
	return objectObservation{append([]object{traffic}, scos...), p.cmps}, true
}

func urlObject(o *misp.Object) (objectObservation, bool) {
	var (
		p   objectParts
		url string
	)
	for _, a := range o.Attribute {
		v := clean(a.Value)
		if relation(a) == "url" && url == "" && v != "" {
			url = v
			p.match(a, eq("url:value", v))
			continue
		}
		p.leftover(a, "url")
	}
	if url == "" {
		return objectObservation{}, false
	}
	return objectObservation{[]object{newSCO("url", append(object{{"value", url}}, p.custom...), "")}, p.cmps}, true
}

// emailFields are the email relations that are one string property of
// the email-message.
var emailFields = map[string]string{
	"subject": "subject", "message-id": "message_id", "email-body": "body",
}

// emailHeaders are the email relations kept in additional_header_fields.
var emailHeaders = map[string]string{"reply-to": "Reply-To", "x-mailer": "X-Mailer"}

func emailObject(o *misp.Object) (objectObservation, bool) {
	var (
		p       objectParts
		msg     = object{{"is_multipart", false}}
		addrs   []object
		headers = map[string]string{}
		refs    = map[string][]string{}
		mapped  bool
	)
	for _, a := range o.Attribute {
		v := clean(a.Value)
		rel := relation(a)
		switch {
		case rel == "from" || rel == "to" || rel == "cc" || rel == "bcc":
			if v == "" || rel == "from" && len(refs["from"]) > 0 {
				p.leftover(a, "email-message")
				continue
			}
			addr := newSCO("email-addr", object{{"value", v}}, "")
			addrs = append(addrs, addr)
			refs[rel] = append(refs[rel], addr.id())
			if rel == "from" {
				p.match(a, eq("email-message:from_ref.value", v))
			} else {
				p.match(a, eq("email-message:"+rel+"_refs[*].value", v))
			}
		case emailFields[rel] != "":
			if _, have := msg.get(emailFields[rel]); have {
				p.leftover(a, "email-message")
				continue
			}
			msg = append(msg, prop{emailFields[rel], v})
			p.match(a, eq("email-message:"+emailFields[rel], v))
		case emailHeaders[rel] != "":
			h := emailHeaders[rel]
			if _, have := headers[h]; have {
				p.leftover(a, "email-message")
				continue
			}
			headers[h] = v
			p.match(a, eq("email-message:additional_header_fields."+key(h), v))
		default:
			p.leftover(a, "email-message")
			continue
		}
		mapped = true
	}
	if !mapped {
		return objectObservation{}, false
	}
	if from := refs["from"]; len(from) > 0 {
		msg = append(msg, prop{"from_ref", from[0]})
	}
	for _, rel := range []string{"to", "cc", "bcc"} {
		if len(refs[rel]) > 0 {
			msg = append(msg, prop{rel + "_refs", refs[rel]})
		}
	}
	if len(headers) > 0 {
		msg = append(msg, prop{"additional_header_fields", headers})
	}
	email := newSCO("email-message", append(msg, p.custom...), o.UUID)
	return objectObservation{append([]object{email}, addrs...), p.cmps}, true
}
