// Package jsonfmt is restSearch's json return format: MISP JSON, written
// one element at a time. Events scope: {"response": [{"Event": …}, …]};
// attributes scope: {"response": {"Attribute": [{…}, …]}} (misp-rest-api
// §4.5).
package jsonfmt

import (
	"bufio"
	"io"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the json return format.
var Format = export.Format{
	Name:        "json",
	ContentType: "application/json",
	Attributes: func(w io.Writer, o export.Options) export.AttributeWriter {
		return &writer{w: bufio.NewWriter(w), o: o, head: `{"response": {"Attribute": [`, tail: "]}}\n"}
	},
	Events: func(w io.Writer, o export.Options) export.EventWriter {
		return &writer{w: bufio.NewWriter(w), o: o, head: `{"response": [`, tail: "]}\n"}
	},
}

// writer writes head, the elements separated by commas, and tail.
type writer struct {
	w          *bufio.Writer
	o          export.Options
	head, tail string
	n          int
	buf        []byte // scratch of Write
}

// next writes what precedes an element: the head before the first, a
// comma before the others.
func (w *writer) next() error {
	sep := ","
	if w.n == 0 {
		sep = w.head
	}
	w.n++
	_, err := w.w.WriteString(sep)
	return err
}

// Write appends the attribute with mispjson.AppendSearchAttribute, the
// byte-identical fast form of SearchAttribute, followed by a newline as
// encoding/json's Encoder writes one.
func (w *writer) Write(h misp.AttributeHit) error {
	var err error
	w.buf, err = mispjson.AppendSearchAttribute(w.buf[:0], h, mispjson.SearchOptions{
		EventTags: w.o.IncludeEventTags, EventUUID: w.o.IncludeEventUUID, Context: w.o.IncludeContext})
	if err != nil {
		return err
	}
	if err := w.next(); err != nil {
		return err
	}
	w.buf = append(w.buf, '\n')
	_, err = w.w.Write(w.buf)
	return err
}

// WriteEvent writes the event with mispjson.WriteEventView, one attribute
// and one object at a time, so that a large event is never encoded whole
// in memory, followed by a newline as encoding/json's Encoder writes one.
func (w *writer) WriteEvent(e *misp.Event) error {
	if err := w.next(); err != nil {
		return err
	}
	if err := mispjson.WriteEventView(w.w, e); err != nil {
		return err
	}
	return w.w.WriteByte('\n')
}

func (w *writer) Close() error {
	if w.n == 0 {
		if _, err := w.w.WriteString(w.head); err != nil {
			return err
		}
	}
	if _, err := w.w.WriteString(w.tail); err != nil {
		return err
	}
	return w.w.Flush()
}
