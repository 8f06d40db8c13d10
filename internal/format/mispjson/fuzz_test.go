package mispjson

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeEvent checks that DecodeEvent never panics and that whatever it
// accepts survives the view: EventView's output decodes again, and encodes
// to the same bytes (decode ∘ encode is a fixpoint).
func FuzzDecodeEvent(f *testing.F) {
	for _, pattern := range []string{"testdata/*.json", "testdata/event_*.golden"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"info":"x","Orgc":"A","EventTag":[{"local":1,"Tag":{"name":"t"}}]}`,
		`[{"request":{"Event":{"Attribute":{"value1":"a","value2":"b"}}}}]`,
		`{"response":[{"Event":{"Object":{"Attribute":{"first_seen":1},"ObjectReference":{"source_uuid":"s"}}}}]}`,
		`{"Attribute":[{"value":443,"to_ids":"1","Tag":["a",{"Tag":{"name":"b"}}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeEvent(body)
		if err != nil {
			return
		}
		var first bytes.Buffer
		if err := Write(&first, EventView(in.Event), false); err != nil {
			t.Fatalf("Write(EventView) error: %v", err)
		}
		again, err := DecodeEvent(first.Bytes())
		if err != nil {
			t.Fatalf("DecodeEvent(EventView(DecodeEvent(body))) error: %v\nview: %s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := Write(&second, EventView(again.Event), false); err != nil {
			t.Fatalf("Write(EventView) error: %v", err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("EventView not stable across decode:\nfirst:  %s\nsecond: %s", first.Bytes(), second.Bytes())
		}
	})
}
