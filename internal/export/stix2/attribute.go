package stix2

import (
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// observation is what a MISP value says in STIX Cyber-observable terms:
// the SCOs an observed-data refers to (the main one first) and the
// comparisons of an indicator's pattern, joined by AND. A type known only
// as a pattern (port, user-agent, …) has no SCOs; a value the schemas
// would reject has neither.
type observation struct {
	scos []object
	cmp  string
}

// value is one attribute's value as the mappers read it.
type value struct {
	v1, v2 string // the value, or the halves of a composite value
	data   string // base64 content of attachment and malware-sample
	uuid   string // names SCOs that have no ID contributing property
}

// attributeMappers convert the attribute types misp-stix maps to
// observable objects and patterns (misp-stix stix2_mapping
// attribute_types_mapping). Types missing here, and values a mapper
// refuses, become x-misp-attribute objects.
var attributeMappers = withHashes(map[string]func(value) observation{
	"AS":                      asObservation,
	"attachment":              attachmentObservation,
	"domain":                  domainObservation,
	"hostname":                domainObservation,
	"domain|ip":               domainIPObservation,
	"hostname|port":           hostnamePortObservation,
	"email":                   emailObservation,
	"email-src":               emailSrcObservation,
	"email-dst":               emailDstObservation,
	"email-subject":           emailMessageObservation("subject", "email-message:subject"),
	"email-body":              emailMessageObservation("body", "email-message:body"),
	"email-message-id":        emailMessageObservation("message_id", "email-message:message_id"),
	"email-header":            emailHeaderObservation,
	"email-reply-to":          emailHeaderFieldObservation("Reply-To"),
	"email-x-mailer":          emailHeaderFieldObservation("X-Mailer"),
	"email-attachment":        emailAttachmentObservation,
	"filename":                filenameObservation,
	"github-username":         githubObservation,
	"http-method":             httpMethodObservation,
	"ip-src":                  ipObservation("src"),
	"ip-dst":                  ipObservation("dst"),
	"ip-src|port":             ipPortObservation("src"),
	"ip-dst|port":             ipPortObservation("dst"),
	"link":                    urlObservation,
	"mac-address":             macObservation,
	"malware-sample":          malwareSampleObservation,
	"mutex":                   mutexObservation,
	"port":                    portObservation,
	"regkey":                  regkeyObservation,
	"regkey|value":            regkeyValueObservation,
	"size-in-bytes":           sizeObservation,
	"uri":                     urlObservation,
	"url":                     urlObservation,
	"user-agent":              userAgentObservation,
	"x509-fingerprint-md5":    x509Observation("md5"),
	"x509-fingerprint-sha1":   x509Observation("sha1"),
	"x509-fingerprint-sha256": x509Observation("sha256"),
})

// withHashes adds the hash types and their filename| composites to m.
func withHashes(m map[string]func(value) observation) map[string]func(value) observation {
	for t := range hashKinds {
		m[t] = hashObservation(t)
		m["filename|"+t] = filenameHashObservation(t)
	}
	return m
}

// addressSCO returns the ipv4-addr or ipv6-addr SCO of v.
func addressSCO(v string) (object, bool) {
	typ, ok := addressType(v)
	if !ok {
		return nil, false
	}
	return newSCO(typ, object{{"value", v}}, ""), true
}

func ipObservation(dir string) func(value) observation {
	return func(v value) observation {
		addr, ok := addressSCO(v.v1)
		if !ok {
			return observation{}
		}
		nt := newSCO("network-traffic", object{{dir + "_ref", addr.id()}, {"protocols", []string{"tcp"}}}, "")
		return observation{[]object{nt, addr}, ipRef(dir+"_ref", addr.typ(), v.v1)}
	}
}

func ipPortObservation(dir string) func(value) observation {
	return func(v value) observation {
		addr, ok := addressSCO(v.v1)
		p, pok := port(v.v2)
		if !ok || !pok {
			return observation{}
		}
		nt := newSCO("network-traffic", object{
			{dir + "_ref", addr.id()}, {dir + "_port", p}, {"protocols", []string{"tcp"}},
		}, "")
		return observation{[]object{nt, addr}, ipRef(dir+"_ref", addr.typ(), v.v1) + " AND " + eqInt("network-traffic:"+dir+"_port", p)}
	}
}

func domainObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	d := newSCO("domain-name", object{{"value", v.v1}}, "")
	return observation{[]object{d}, eq("domain-name:value", v.v1)}
}

func domainIPObservation(v value) observation {
	addr, ok := addressSCO(v.v2)
	if !ok || v.v1 == "" {
		return observation{}
	}
	d := newSCO("domain-name", object{{"value", v.v1}, {"resolves_to_refs", []string{addr.id()}}}, "")
	return observation{[]object{d, addr}, eq("domain-name:value", v.v1) + " AND " + eq("domain-name:resolves_to_refs[*].value", v.v2)}
}

func hostnamePortObservation(v value) observation {
	p, ok := port(v.v2)
	if !ok || v.v1 == "" {
		return observation{}
	}
	d := newSCO("domain-name", object{{"value", v.v1}}, "")
	nt := newSCO("network-traffic", object{{"dst_ref", d.id()}, {"dst_port", p}, {"protocols", []string{"tcp"}}}, "")
	return observation{[]object{d, nt}, eq("domain-name:value", v.v1) + " AND " + eqInt("network-traffic:dst_port", p)}
}

func urlObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	return observation{[]object{newSCO("url", object{{"value", v.v1}}, "")}, eq("url:value", v.v1)}
}

func emailObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	return observation{[]object{newSCO("email-addr", object{{"value", v.v1}}, "")}, eq("email-addr:value", v.v1)}
}

func emailSrcObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	addr := newSCO("email-addr", object{{"value", v.v1}}, "")
	msg := newSCO("email-message", object{{"is_multipart", false}, {"from_ref", addr.id()}}, v.uuid)
	return observation{[]object{msg, addr}, eq("email-message:from_ref.value", v.v1)}
}

func emailDstObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	addr := newSCO("email-addr", object{{"value", v.v1}}, "")
	msg := newSCO("email-message", object{{"is_multipart", false}, {"to_refs", []string{addr.id()}}}, v.uuid)
	return observation{[]object{msg, addr}, eq("email-message:to_refs[*].value", v.v1)}
}

// emailMessageObservation maps a type that is one string property of an
// email-message.
func emailMessageObservation(property, path string) func(value) observation {
	return func(v value) observation {
		msg := newSCO("email-message", object{{"is_multipart", false}, {property, v.v1}}, v.uuid)
		return observation{[]object{msg}, eq(path, v.v1)}
	}
}

func emailHeaderObservation(v value) observation {
	msg := newSCO("email-message", object{{"is_multipart", false}, {"received_lines", []string{v.v1}}}, v.uuid)
	return observation{[]object{msg}, eq("email-message:received_lines[*]", v.v1)}
}

// emailHeaderFieldObservation maps a type that is one header of
// additional_header_fields. misp-stix's patterns name the field in
// snake case (reply_to) while its SCOs use the header name; we use the
// header name in both, so the pattern matches the SCO.
func emailHeaderFieldObservation(header string) func(value) observation {
	return func(v value) observation {
		msg := newSCO("email-message", object{
			{"is_multipart", false}, {"additional_header_fields", map[string]string{header: v.v1}},
		}, v.uuid)
		return observation{[]object{msg}, eq("email-message:additional_header_fields."+key(header), v.v1)}
	}
}

func emailAttachmentObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	file := newSCO("file", object{{"name", v.v1}}, "")
	msg := newSCO("email-message", object{
		{"is_multipart", true},
		{"body_multipart", []object{{{"content_disposition", "attachment; filename='" + v.v1 + "'"}, {"body_raw_ref", file.id()}}}},
	}, v.uuid)
	return observation{[]object{msg, file}, eq("email-message:body_multipart[*].body_raw_ref.name", v.v1)}
}

func filenameObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	return observation{[]object{newSCO("file", object{{"name", v.v1}}, "")}, eq("file:name", v.v1)}
}

func hashObservation(mispType string) func(value) observation {
	return func(v value) observation {
		k, h, ok := hashValue(mispType, v.v1)
		if !ok {
			return observation{}
		}
		file := newSCO("file", object{{"hashes", map[string]string{k: h}}}, "")
		return observation{[]object{file}, eq("file:hashes."+key(k), h)}
	}
}

func filenameHashObservation(mispType string) func(value) observation {
	return func(v value) observation {
		k, h, ok := hashValue(mispType, v.v2)
		if !ok || v.v1 == "" {
			return observation{}
		}
		file := newSCO("file", object{{"name", v.v1}, {"hashes", map[string]string{k: h}}}, "")
		return observation{[]object{file}, eq("file:name", v.v1) + " AND " + eq("file:hashes."+key(k), h)}
	}
}

// malwareSampleObservation maps filename|md5 with the sample as an
// artifact when the attribute carries its content.
func malwareSampleObservation(v value) observation {
	k, h, ok := hashValue("md5", v.v2)
	if !ok || v.v1 == "" {
		return observation{}
	}
	props := object{{"name", v.v1}, {"hashes", map[string]string{k: h}}}
	var scos []object
	if p, ok := payload(v.data); ok {
		// MISP stores samples zipped with the password "infected".
		art := newSCO("artifact", object{
			{"mime_type", "application/zip"}, {"payload_bin", p},
			{"encryption_algorithm", "mime-type-indicated"}, {"decryption_key", "infected"},
		}, "")
		props = append(props, prop{"content_ref", art.id()})
		scos = append(scos, art)
	}
	file := newSCO("file", props, "")
	return observation{append([]object{file}, scos...), eq("file:name", v.v1) + " AND " + eq("file:hashes.MD5", h)}
}

func attachmentObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	props := object{{"name", v.v1}}
	var scos []object
	if p, ok := payload(v.data); ok {
		art := newSCO("artifact", object{{"payload_bin", p}}, "")
		props = append(props, prop{"content_ref", art.id()})
		scos = append(scos, art)
	}
	file := newSCO("file", props, "")
	return observation{append([]object{file}, scos...), eq("file:name", v.v1)}
}

func asObservation(v value) observation {
	n, ok := asNumber(v.v1)
	if !ok {
		return observation{}
	}
	return observation{[]object{newSCO("autonomous-system", object{{"number", n}}, "")}, eqInt("autonomous-system:number", n)}
}

func macObservation(v value) observation {
	m, ok := mac(v.v1)
	if !ok {
		return observation{}
	}
	return observation{[]object{newSCO("mac-addr", object{{"value", m}}, "")}, eq("mac-addr:value", m)}
}

func mutexObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	return observation{[]object{newSCO("mutex", object{{"name", v.v1}}, "")}, eq("mutex:name", v.v1)}
}

func regkeyObservation(v value) observation {
	k, ok := regKey(v.v1)
	if !ok {
		return observation{}
	}
	return observation{[]object{newSCO("windows-registry-key", object{{"key", k}}, "")}, eq("windows-registry-key:key", k)}
}

func regkeyValueObservation(v value) observation {
	k, ok := regKey(v.v1)
	if !ok {
		return observation{}
	}
	reg := newSCO("windows-registry-key", object{{"key", k}, {"values", []object{{{"data", v.v2}}}}}, "")
	return observation{[]object{reg}, eq("windows-registry-key:key", k) + " AND " + eq("windows-registry-key:values[*].data", v.v2)}
}

func x509Observation(mispHash string) func(value) observation {
	return func(v value) observation {
		// Fingerprints are often written with colons.
		k, h, ok := hashValue(mispHash, strings.ReplaceAll(v.v1, ":", ""))
		if !ok {
			return observation{}
		}
		cert := newSCO("x509-certificate", object{{"hashes", map[string]string{k: h}}}, "")
		return observation{[]object{cert}, eq("x509-certificate:hashes."+key(k), h)}
	}
}

func githubObservation(v value) observation {
	if v.v1 == "" {
		return observation{}
	}
	acct := newSCO("user-account", object{{"account_type", "github"}, {"account_login", v.v1}}, "")
	return observation{[]object{acct}, eq("user-account:account_type", "github") + " AND " + eq("user-account:account_login", v.v1)}
}

// The following types have no observable object in misp-stix: they
// become indicators when to_ids is set, custom attributes otherwise.

func portObservation(v value) observation {
	p, ok := port(v.v1)
	if !ok {
		return observation{}
	}
	return observation{cmp: eqInt("network-traffic:dst_port", p)}
}

func sizeObservation(v value) observation {
	n, ok := size(v.v1)
	if !ok {
		return observation{}
	}
	return observation{cmp: eqInt("file:size", n)}
}

func userAgentObservation(v value) observation {
	return observation{cmp: eq("network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'", v.v1)}
}

func httpMethodObservation(v value) observation {
	return observation{cmp: eq("network-traffic:extensions.'http-request-ext'.request_method", v.v1)}
}

// patternLanguages are the types whose value is itself a pattern:
// misp-stix makes them indicators in that language whatever to_ids says.
var patternLanguages = map[string]bool{"sigma": true, "snort": true, "suricata": true, "yara": true}

// attributeValue returns the value of a as the mappers read it.
func attributeValue(a *misp.Attribute) value {
	v1, v2 := a.Split()
	return value{v1: clean(v1), v2: clean(v2), data: a.Data, uuid: a.UUID}
}
