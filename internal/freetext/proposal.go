package freetext

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// Proposal is one attribute that Parse found in a text, as MISP's freetext
// import proposes it to the analyst before anything is saved.
type Proposal struct {
	// Value is the value as MISP proposes it: refanged, a port split off
	// into "ip|port", but otherwise as written (hashes keep their case).
	// misp.NormalizeValue(Type, Value) accepts it.
	Value string `json:"value"`
	// OriginalValue is the text the value was found in, after trimming
	// punctuation (MISP's "original_value").
	OriginalValue string `json:"original_value"`
	// Type is the type to create: DefaultType until the analyst picks
	// another of Types.
	Type string `json:"type"`
	// Types are the types MISP offers for the value, in MISP's order.
	// They may include MISP's pseudo-types "ip-src/ip-dst" and
	// "ip-src|port/ip-dst|port", which mean "create both".
	Types []string `json:"types"`
	// DefaultType is the type MISP selects.
	DefaultType string `json:"default_type"`
	// Category is DefaultType's default category.
	Category string `json:"category"`
	// ToIDS is DefaultType's default to_ids flag.
	ToIDS bool `json:"to_ids"`
	// Comment explains something the value cannot hold, such as
	// "On port 443" for a domain written with a port.
	Comment string `json:"comment,omitempty"`
}

// newProposal makes the proposal for a recognised value.
func newProposal(h hit, original string) Proposal {
	def := h.defaultType()
	info, _ := misp.LookupType(def)
	return Proposal{
		Value:         h.value,
		OriginalValue: original,
		Type:          def,
		Types:         append([]string(nil), h.types...),
		DefaultType:   def,
		Category:      info.DefaultCategory,
		ToIDS:         info.ToIDS,
		Comment:       h.comment,
	}
}

// proposalWire is Proposal's JSON form, in the key order of MISP's answer
// to POST /events/freeTextImport/{id} with returnMetaAttributes, followed
// by the "type" and "category" that MISP adds when it saves the proposals.
type proposalWire struct {
	Types         json.RawMessage `json:"types"`
	DefaultType   string          `json:"default_type"`
	Comment       string          `json:"comment,omitempty"`
	Value         string          `json:"value"`
	OriginalValue string          `json:"original_value"`
	ToIDS         misp.Bool       `json:"to_ids"`
	Type          string          `json:"type"`
	Category      string          `json:"category"`
}

// MarshalJSON encodes p as MISP does: "types" is an object mapping each
// type to itself ({"ip-dst":"ip-dst",…}), because the REST answer is a PHP
// array keyed by type.
func (p Proposal) MarshalJSON() ([]byte, error) {
	var types bytes.Buffer
	types.WriteByte('{')
	for i, t := range p.Types {
		name, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			types.WriteByte(',')
		}
		types.Write(name)
		types.WriteByte(':')
		types.Write(name)
	}
	types.WriteByte('}')
	return json.Marshal(proposalWire{
		Types:         types.Bytes(),
		DefaultType:   p.DefaultType,
		Comment:       p.Comment,
		Value:         p.Value,
		OriginalValue: p.OriginalValue,
		ToIDS:         misp.Bool(p.ToIDS),
		Type:          p.Type,
		Category:      p.Category,
	})
}

// UnmarshalJSON decodes MISP's form (types as an object, to_ids as 0/1 or
// a boolean, comment possibly false) and also accepts types as an array.
func (p *Proposal) UnmarshalJSON(data []byte) error {
	var w struct {
		proposalWire
		Comment json.RawMessage `json:"comment"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	types, err := decodeTypes(w.Types)
	if err != nil {
		return err
	}
	// MISP sends "comment": false when a value has no port.
	var comment string
	if len(w.Comment) > 0 && w.Comment[0] == '"' {
		if err := json.Unmarshal(w.Comment, &comment); err != nil {
			return err
		}
	}
	*p = Proposal{
		Value:         w.Value,
		OriginalValue: w.OriginalValue,
		Type:          w.Type,
		Types:         types,
		DefaultType:   w.DefaultType,
		Category:      w.Category,
		ToIDS:         bool(w.ToIDS),
		Comment:       comment,
	}
	return nil
}

// decodeTypes reads "types" as an array of names or as an object whose
// keys are the names, keeping their order.
func decodeTypes(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var types []string
		err := json.Unmarshal(raw, &types)
		return types, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("types: want an array or an object")
	}
	var types []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("types: unexpected %v", tok)
		}
		var ignored json.RawMessage
		if err := dec.Decode(&ignored); err != nil {
			return nil, err
		}
		types = append(types, name)
	}
	return types, nil
}
