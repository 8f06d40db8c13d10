package galaxy

import (
	"bytes"
	"testing"
)

func FuzzParseCollection(f *testing.F) {
	f.Add([]byte(`{"type": "t", "uuid": "u", "version": 2, "values": [{"uuid": "c", "value": "v",
		"meta": {"synonyms": ["a", "b"], "n": 1.5, "o": {"x": [1]}}, "related": [{"dest-uuid": "d", "type": "similar"}]}]}`))
	f.Add([]byte(`{"type": "t", "values": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCollection(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := range c.Clusters {
			cl := &c.Clusters[i]
			n := 0
			for _, vs := range cl.Meta() {
				n += len(vs)
			}
			if n != len(cl.Elements) {
				t.Errorf("Meta() holds %d values, Elements %d", n, len(cl.Elements))
			}
		}
	})
}

func FuzzParseGalaxy(f *testing.F) {
	f.Add([]byte(`{"uuid": "g", "type": "t", "kill_chain_order": {"k": ["a"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if g, err := ParseGalaxy(bytes.NewReader(data)); err == nil && (g.UUID == "" || g.Type == "") {
			t.Errorf("ParseGalaxy accepted %+v", g)
		}
	})
}
