package stiximport

import (
	"net/netip"
	"regexp"
	"sort"
	"strings"
)

// This file maps STIX Cyber-observable properties — a pattern comparison
// or a property of an observed SCO, both reduced to a comparison — to
// MISP attribute types and object relations, and decides whether what one
// indicator or observable yields is a single attribute or an object. The
// tables follow misp-stix's external STIX 2.1 → MISP mapping
// (stix2misp/converters/stix2mapping.py and the indicator and observable
// converters).

// field is one MISP value read from a comparison.
type field struct {
	relation string
	typ      string
	value    string
	// data is base64 content for attachment fields (artifact payload_bin).
	data string
}

// spec names the MISP type and object relation of a property.
type spec struct{ relation, typ string }

// hashTypes maps STIX hash algorithm names (upper-cased, without dashes
// or quotes) to MISP attribute types.
var hashTypes = map[string]string{
	"MD5": "md5", "SHA1": "sha1", "SHA224": "sha224", "SHA256": "sha256",
	"SHA384": "sha384", "SHA512": "sha512", "SHA3224": "sha3-224",
	"SHA3256": "sha3-256", "SHA3384": "sha3-384", "SHA3512": "sha3-512",
	"SSDEEP": "ssdeep", "TLSH": "tlsh",
}

// hashType returns the MISP type of a STIX hash algorithm name.
func hashType(algo string) (string, bool) {
	t, ok := hashTypes[strings.ToUpper(strings.ReplaceAll(algo, "-", ""))]
	return t, ok
}

// x509HashTypes are the certificate fingerprint types.
var x509HashTypes = map[string]string{
	"MD5": "x509-fingerprint-md5", "SHA1": "x509-fingerprint-sha1", "SHA256": "x509-fingerprint-sha256",
}

// propertySpecs maps, per SCO type, a property key (comparison.key()) to
// its MISP relation and type. Hashes, references resolved by address
// shape and a few computed values are handled in mapComparison.
var propertySpecs = map[string]map[string]spec{
	"artifact": {
		"mime_type": {"mime_type", "mime-type"}, "url": {"url", "url"},
		"decryption_key": {"decryption_key", "text"}, "encryption_algorithm": {"encryption_algorithm", "text"},
	},
	"autonomous-system": {
		"number": {"asn", "AS"}, "name": {"description", "text"},
	},
	"directory": {
		"path": {"path", "text"}, "path_enc": {"path-encoding", "text"},
		"accessed": {"access-time", "datetime"}, "atime": {"access-time", "datetime"},
		"created": {"creation-time", "datetime"}, "ctime": {"creation-time", "datetime"},
		"modified": {"modification-time", "datetime"}, "mtime": {"modification-time", "datetime"},
	},
	"domain-name": {
		"value": {"domain", "domain"}, "resolves_to_refs.value": {"ip", "ip-dst"},
	},
	"email-addr": {
		"value": {"to", "email-dst"}, "display_name": {"to-display-name", "email-dst-display-name"},
	},
	"email-message": {
		"subject": {"subject", "email-subject"}, "body": {"email-body", "email-body"},
		"date": {"send-date", "datetime"}, "message_id": {"message-id", "email-message-id"},
		"received_lines": {"header", "email-header"},
		"from_ref.value": {"from", "email-src"}, "from_ref.display_name": {"from-display-name", "email-src-display-name"},
		"sender_ref.value": {"from", "email-src"},
		"to_refs.value":    {"to", "email-dst"}, "to_refs.display_name": {"to-display-name", "email-dst-display-name"},
		"cc_refs.value": {"cc", "email-dst"}, "cc_refs.display_name": {"cc-display-name", "email-dst-display-name"},
		"bcc_refs.value": {"bcc", "email-dst"}, "bcc_refs.display_name": {"bcc-display-name", "email-dst-display-name"},
		"additional_header_fields.Reply-To":         {"reply-to", "email-reply-to"},
		"additional_header_fields.X-Mailer":         {"x-mailer", "email-x-mailer"},
		"additional_header_fields.X-Originating-IP": {"received-header-ip", "ip-src"},
		"body_multipart.body":                       {"email-body", "email-body"},
		"body_multipart.body_raw_ref.name":          {"attachment", "email-attachment"},
	},
	"file": {
		"name": {"filename", "filename"}, "name_enc": {"file-encoding", "text"},
		"size": {"size-in-bytes", "size-in-bytes"}, "mime_type": {"mimetype", "mime-type"},
		"accessed": {"access-time", "datetime"}, "atime": {"access-time", "datetime"},
		"created": {"creation-time", "datetime"}, "ctime": {"creation-time", "datetime"},
		"modified": {"modification-time", "datetime"}, "mtime": {"modification-time", "datetime"},
		"parent_directory_ref.path": {"path", "text"},
	},
	"ipv4-addr": {"value": {"ip", "ip-dst"}},
	"ipv6-addr": {"value": {"ip", "ip-dst"}},
	"mac-addr":  {"value": {"mac-address", "mac-address"}},
	"mutex":     {"name": {"name", "mutex"}},
	"network-traffic": {
		"src_port": {"src_port", "port"}, "dst_port": {"dst_port", "port"},
		"protocols": {"protocol", "text"},
		"start":     {"start_time", "datetime"}, "end": {"end_time", "datetime"},
		"is_active":      {"is_active", "boolean"},
		"src_byte_count": {"src_bytes_count", "size-in-bytes"}, "dst_byte_count": {"dst_bytes_count", "size-in-bytes"},
		"src_packets": {"src_packets", "counter"}, "dst_packets": {"dst_packets", "counter"},
	},
	"process": {
		"name": {"name", "text"}, "pid": {"pid", "text"}, "command_line": {"command-line", "text"},
		"cwd": {"current-directory", "text"}, "created": {"creation-time", "datetime"},
		"created_time": {"creation-time", "datetime"}, "is_hidden": {"hidden", "boolean"},
		"arguments": {"args", "text"}, "image_ref.name": {"image", "filename"},
	},
	"software": {
		"name": {"name", "text"}, "cpe": {"cpe", "cpe"}, "swid": {"swid", "text"},
		"vendor": {"vendor", "text"}, "version": {"version", "text"}, "languages": {"language", "text"},
	},
	"url": {"value": {"url", "url"}},
	"user-account": {
		"user_id": {"user-id", "text"}, "account_login": {"username", "text"},
		"account_type": {"account-type", "text"}, "display_name": {"display-name", "text"},
		"credential": {"password", "text"}, "is_service_account": {"is_service_account", "boolean"},
		"is_privileged": {"privileged", "boolean"}, "can_escalate_privs": {"can_escalate_privs", "boolean"},
		"is_disabled": {"disabled", "boolean"}, "account_created": {"created", "datetime"},
		"account_expires": {"expires", "datetime"}, "account_first_login": {"first_login", "datetime"},
		"account_last_login": {"last_login", "datetime"}, "credential_last_changed": {"password_last_changed", "datetime"},
		"extensions.unix-account-ext.gid": {"group-id", "text"}, "extensions.unix-account-ext.groups": {"group", "text"},
		"extensions.unix-account-ext.home_dir": {"home_dir", "text"}, "extensions.unix-account-ext.shell": {"shell", "text"},
	},
	"windows-registry-key": {
		"key": {"key", "regkey"}, "modified_time": {"last-modified", "datetime"}, "modified": {"last-modified", "datetime"},
		"values.name": {"name", "text"}, "values.data": {"data", "text"}, "values.data_type": {"data-type", "text"},
	},
	"x509-certificate": {
		"is_self_signed": {"self_signed", "boolean"}, "issuer": {"issuer", "text"},
		"serial_number": {"serial-number", "text"}, "signature_algorithm": {"signature_algorithm", "text"},
		"subject": {"subject", "text"}, "subject_public_key_algorithm": {"pubkey-info-algorithm", "text"},
		"subject_public_key_exponent": {"pubkey-info-exponent", "text"},
		"subject_public_key_modulus":  {"pubkey-info-modulus", "text"},
		"validity_not_after":          {"validity-not-after", "datetime"},
		"validity_not_before":         {"validity-not-before", "datetime"},
		"version":                     {"version", "text"},
	},
}

var macRE = regexp.MustCompile(`^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$`)

// mapComparison returns the MISP fields of an equality or IN comparison
// (one per value), or false when the property has no MISP counterpart.
// References whose type is given (dst_ref.type) map to nothing but are
// known: ok is true with no field.
func mapComparison(c comparison) ([]field, bool) {
	key := c.key()
	var s spec
	ok := false
	switch {
	case c.objType == "network-traffic" && (key == "src_ref.type" || key == "dst_ref.type"):
		return nil, true
	case c.objType == "network-traffic" && (strings.HasPrefix(key, "src_ref.") || strings.HasPrefix(key, "dst_ref.")):
		side := key[:3]
		out := make([]field, 0, len(c.values))
		for _, v := range c.values {
			out = append(out, addressField(side, v))
		}
		return out, true
	case strings.HasSuffix(key, "payload_bin") && (c.objType == "artifact" || c.objType == "file"):
		out := make([]field, 0, len(c.values))
		for _, v := range c.values {
			out = append(out, field{relation: "payload_bin", typ: "attachment", data: v})
		}
		return out, true
	}
	if algo, found := strings.CutPrefix(key, "hashes."); found {
		var t string
		switch c.objType {
		case "x509-certificate":
			t, ok = x509HashTypes[strings.ToUpper(strings.ReplaceAll(algo, "-", ""))]
		case "file", "artifact":
			t, ok = hashType(algo)
		}
		s = spec{t, t}
	} else {
		s, ok = propertySpecs[c.objType][key]
	}
	if !ok {
		return nil, false
	}
	out := make([]field, 0, len(c.values))
	for _, v := range c.values {
		if s.typ == "AS" && isIndex(v) {
			v = "AS" + v
		}
		out = append(out, field{relation: s.relation, typ: s.typ, value: v})
	}
	return out, true
}

// addressField maps the value of a network-traffic src_ref or dst_ref by
// its shape: an IP address (or CIDR), a MAC address, else a hostname.
func addressField(side, v string) field {
	if _, err := netip.ParseAddr(v); err == nil {
		return field{relation: side + "_ip", typ: "ip-" + side, value: v}
	}
	if _, err := netip.ParsePrefix(v); err == nil {
		return field{relation: side + "_ip", typ: "ip-" + side, value: v}
	}
	if macRE.MatchString(v) {
		return field{relation: side + "_mac", typ: "mac-address", value: v}
	}
	return field{relation: side + "_hostname", typ: "hostname", value: v}
}

// group says how the fields of one indicator or observable become MISP
// data: one attribute when there is a single field (unless its relation
// is in force), otherwise an object named object.
type group struct {
	object string
	force  []string
	// always makes an object even of one field.
	always bool
	// separate makes one attribute per field (mac-addr: no MISP object).
	separate bool
}

// groups maps the sorted, "_"-joined SCO types of a pattern to how its
// fields are grouped (misp-stix ExternalSTIX2IndicatorMapping
// pattern_mapping and the _handle_import_case calls).
var groups = map[string]group{
	"artifact":                              {object: "artifact", always: true},
	"autonomous-system":                     {object: "asn"},
	"autonomous-system_ipv4-addr":           {object: "asn"},
	"autonomous-system_ipv6-addr":           {object: "asn"},
	"autonomous-system_ipv4-addr_ipv6-addr": {object: "asn"},
	"directory":                             {object: "directory", always: true},
	"domain-name":                           {object: "domain-ip", force: []string{"ip"}},
	"domain-name_ipv4-addr":                 {object: "domain-ip", force: []string{"ip"}},
	"domain-name_ipv6-addr":                 {object: "domain-ip", force: []string{"ip"}},
	"domain-name_ipv4-addr_ipv6-addr":       {object: "domain-ip", force: []string{"ip"}},
	"email-addr":                            {object: "email"},
	"email-message":                         {object: "email", force: []string{"bcc", "cc", "to"}},
	"artifact_file":                         {object: "file", force: fileForce},
	"directory_file":                        {object: "file", force: fileForce},
	"file":                                  {object: "file", force: fileForce},
	"ipv4-addr":                             {object: "ip-port"},
	"ipv6-addr":                             {object: "ip-port"},
	"ipv4-addr_ipv6-addr":                   {object: "ip-port"},
	"mac-addr":                              {separate: true},
	"mutex":                                 {object: "mutex"},
	"network-traffic":                       {object: "network-traffic"},
	"process":                               {object: "process", always: true},
	"software":                              {object: "software", always: true},
	"url":                                   {object: "url"},
	"domain-name_ipv4-addr_url":             {object: "url"},
	"domain-name_ipv6-addr_url":             {object: "url"},
	"domain-name_network-traffic_url":       {object: "url"},
	"user-account":                          {object: "user-account", always: true},
	"windows-registry-key":                  {object: "registry-key"},
	"x509-certificate": {object: "x509", force: []string{"issuer", "pubkey-info-algorithm", "pubkey-info-exponent",
		"pubkey-info-modulus", "self_signed", "serial-number", "signature_algorithm", "subject",
		"validity-not-after", "validity-not-before", "version"}},
}

var fileForce = []string{"access-time", "compilation-timestamp", "creation-time", "file-encoding", "fullpath",
	"modification-time", "path"}

// groupKey returns the groups key of a set of comparisons.
func groupKey(cs []comparison) string {
	seen := map[string]bool{}
	var types []string
	for _, c := range cs {
		if !seen[c.objType] {
			seen[c.objType] = true
			types = append(types, c.objType)
		}
	}
	sort.Strings(types)
	return strings.Join(types, "_")
}

// asObject decides between attributes and an object for fields.
func (g group) asObject(key string, fields []field) bool {
	switch {
	case g.separate:
		return false
	case g.always:
		return true
	case key == "network-traffic":
		// misp-stix: a pattern of only src_ref/dst_ref comparisons (at
		// most two) gives attributes.
		if len(fields) > 2 {
			return true
		}
		for _, f := range fields {
			if !strings.HasSuffix(f.relation, "_ip") && !strings.HasSuffix(f.relation, "_hostname") && !strings.HasSuffix(f.relation, "_mac") {
				return true
			}
		}
		return false
	case len(fields) > 1:
		return true
	}
	for _, r := range g.force {
		if fields[0].relation == r {
			return true
		}
	}
	return false
}

// template is what an object takes from its MISP object template
// (shared/misp-data/objects/objects/<name>/definition.json).
type template struct {
	meta    string
	uuid    string
	version int64
}

var templates = map[string]template{
	"artifact":           {"file", "0a46df3a-bd9b-472c-a1e7-6aede7094483", 3},
	"asn":                {"network", "4ec55cc6-9e49-4c64-b794-03c25c1a6587", 6},
	"directory":          {"file", "23ac6a02-1017-4ea6-a4df-148ed563988d", 1},
	"domain-ip":          {"network", "43b3b146-77eb-4931-b4cc-b66c60f28734", 11},
	"email":              {"network", "a0c666e0-fc65-4be8-b48f-3423d788b552", 19},
	"file":               {"file", "688c46fb-5edb-40a3-8273-1af7923e2215", 25},
	"ip-port":            {"network", "9f8cea74-16fe-4968-a2b4-026676949ac6", 10},
	"mutex":              {"misc", "9f5c1a68-2021-4faa-b409-61c899c86466", 1},
	"network-connection": {"network", "af16764b-f8e5-4603-9de1-de34d272f80b", 7},
	"network-traffic":    {"network", "16290b18-9af5-4a43-b195-75fe1eef0c35", 1},
	"process":            {"misc", "02aeef94-ac23-455c-addb-731757ceafb5", 10},
	"registry-key":       {"file", "8b3228ad-6d82-4fe6-b2ae-05426308f1d5", 5},
	"software":           {"misc", "b1b5dc0e-73fe-443c-8d9d-0e208de3951e", 1},
	"stix2-pattern":      {"misc", "0c5bd072-7c3e-4d45-86f7-a8104d9143b9", 4},
	"url":                {"network", "60efb77b-40b5-4c46-871b-ed1ed999fce5", 10},
	"user-account":       {"misc", "49606b06-22f0-4ac8-8eee-2f12ad46f3d3", 6},
	"x509":               {"network", "d1ab756a-26b5-4349-9f43-765630f0911c", 14},
}

// typeFamily puts MISP types that carry the same kind of value together,
// for matching a misp:type label against what a pattern yields.
func typeFamily(t string) string {
	switch t {
	case "ip-src", "ip-dst", "ip":
		return "ip"
	case "domain", "hostname":
		return "host"
	case "email", "email-src", "email-dst":
		return "email"
	}
	return t
}
