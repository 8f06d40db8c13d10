package objecttemplate

import (
	"bytes"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(c2List))
	f.Add([]byte(`{"name": "n", "uuid": "u", "version": "2", "attributes": {"a": {"misp-attribute": "text", "to_ids": "1"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		var attrs []ObjectAttribute
		for _, e := range tmpl.Elements {
			attrs = append(attrs, ObjectAttribute{ObjectRelation: e.ObjectRelation, Type: e.Type})
		}
		_ = tmpl.Validate(attrs)
		_ = tmpl.ValidateStrict(attrs)
	})
}
