package mispjson

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/razmena/razmena/internal/misp"
)

// WriteEventView writes EventView(e) to w as compact JSON, byte for byte
// what Write(w, EventView(e), false) writes without its trailing
// newline, encoding one attribute and one object at a time: encoding/json
// builds a whole value in memory (with doubling growth) before writing
// it, which for an event of 100,000 attributes is over 100 MB.
func WriteEventView(w io.Writer, e *misp.Event) error {
	head := *e
	head.Attribute, head.Object = nil, nil
	var b bytes.Buffer
	if err := Write(&b, EventView(&head), false); err != nil {
		return err
	}
	doc := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	// Encoded strings escape their quotes, so these keys can only be keys
	// of the event's own lists: the event's fields (and its Org, Orgc and
	// SharingGroup, of fixed keys) come before Attribute, so its first
	// occurrence is the event's; only Tag, of fixed keys, comes after
	// Object, so its last occurrence is the event's (RelatedEvent and
	// Galaxy lie between the two).
	const attrKey, objKey = `,"Attribute":[]`, `,"Object":[]`
	i := bytes.Index(doc, []byte(attrKey))
	j := bytes.LastIndex(doc, []byte(objKey))
	if i < 0 || j < i {
		_, err := w.Write(doc) // unreachable while EventView keeps its shape
		return err
	}
	var scratch bytes.Buffer
	list := func(n int, item func(k int) any) error {
		for k := range n {
			scratch.Reset()
			if k > 0 {
				scratch.WriteByte(',')
			}
			enc := json.NewEncoder(&scratch)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(item(k)); err != nil {
				return err
			}
			if _, err := w.Write(bytes.TrimSuffix(scratch.Bytes(), []byte("\n"))); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := w.Write(doc[:i+len(attrKey)-1]); err != nil {
		return err
	}
	if err := list(len(e.Attribute), func(k int) any { return newEventAttribute(e.Attribute[k]) }); err != nil {
		return err
	}
	if _, err := w.Write(doc[i+len(attrKey)-1 : j+len(objKey)-1]); err != nil {
		return err
	}
	if err := list(len(e.Object), func(k int) any { return newObjectOut(e.Object[k], true) }); err != nil {
		return err
	}
	_, err := w.Write(doc[j+len(objKey)-1:])
	return err
}
