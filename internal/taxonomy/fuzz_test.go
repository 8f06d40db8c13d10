package taxonomy

import (
	"bytes"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(tlpSrc))
	f.Add([]byte(trustSrc))
	f.Add([]byte(nis2Src))
	f.Add([]byte(`{"namespace": "n", "description": "d", "type": "event", "predicates": [{"value": "a", "numerical_value": "3"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, td := range tx.Tags() {
			if td.Colour == "" {
				t.Errorf("tag %q has no colour", td.Name)
			}
		}
		tags := tagNames(tx)
		_ = tx.Conflicts(tags)
		for _, name := range tags {
			tx.AllowsTag(tags, name)
		}
	})
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"tlp:red", `srbcert:incident-type="phishing"`, "tlp:ex:chr", `a:b=""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		mt, ok := ParseTag(name)
		if !ok {
			return
		}
		if got := mt.String(); got != name {
			t.Errorf("ParseTag(%q).String() = %q", name, got)
		}
	})
}
