// Package xmlfmt is restSearch's xml return format, MISP's XmlExport:
// the MISP JSON answer of each result (the json format's, so both show
// the same fields) written as XML, one element at a time, inside
// <response>.
//
// The events scope follows MISP's XMLConverterTool::convert: an <Event>
// per event, the event's fields (without attribute_count,
// proposal_email_lock and locked), Org, Orgc, SharingGroup, its
// Attribute and Object elements, ShadowAttribute, RelatedEvent and Tag.
// Like MISP it drops the event's Galaxy (its attributes keep theirs),
// EventReport and CryptographicKey, and its attributes' SharingGroup and
// RelatedAttribute, and puts an attribute's Tag elements last. A list
// becomes one element per item, an empty list or object and an empty or
// null value an empty element, false 0 and true 1; values are escaped as
// MISP's __sanitizeField does (see eventText).
//
// The attributes scope follows XmlExport's attribute handler
// (Xml::fromArray): an <Attribute> per attribute, followed by a newline,
// with the attribute's fields, Object and Tag (event tags marked
// inherited with includeEventTags) but not its Event; a null or empty
// value is an element with no content, and values are escaped as libxml2
// does (see attributeText).
//
// Where MISP's answer would be ill-formed or lose data, Razmena's is
// well-formed and keeps it: a list of plain values (a cluster's authors)
// is one element per value, with the value (MISP writes empty elements);
// a cluster's meta is <meta> with one element per value named by its key
// (MISP writes elements named 0, 1, …); an object other than MISP's
// wrapped ones (an object's SharingGroup, a cluster's Org and Orgc) is
// one element holding its fields (MISP writes one empty element per
// field); keys that are not XML names are made names (elementName). A
// string that held invalid UTF-8 is an empty element, as MISP's
// __sanitizeField leaves it (its regular expression fails on such input).
package xmlfmt

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the xml return format. It is not restrictive (XmlExport's
// non_restrictive_export).
var Format = export.Format{
	Name:        "xml",
	ContentType: "application/xml; charset=UTF-8",
	Attributes: func(w io.Writer, o export.Options) export.AttributeWriter {
		return &writer{w: bufio.NewWriter(w), o: o}
	},
	Events: func(w io.Writer, o export.Options) export.EventWriter {
		return &writer{w: bufio.NewWriter(w), o: o}
	},
}

const (
	header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>"
	footer = "</response>\n"
)

type writer struct {
	w       *bufio.Writer
	o       export.Options
	started bool
	buf     []byte          // scratch JSON
	b       strings.Builder // scratch XML of one value
}

func (w *writer) start() {
	if !w.started {
		w.started = true
		w.w.WriteString(header)
	}
}

// Write writes the attribute as <Attribute>…</Attribute> and a newline.
func (w *writer) Write(h misp.AttributeHit) error {
	var err error
	w.buf, err = mispjson.AppendSearchAttribute(w.buf[:0], h, mispjson.SearchOptions{
		EventTags: w.o.IncludeEventTags, EventUUID: w.o.IncludeEventUUID})
	if err != nil {
		return err
	}
	n, err := parse(w.buf)
	if err != nil {
		return err
	}
	w.start()
	w.w.WriteString("<Attribute>")
	for i, k := range n.keys {
		switch k {
		case "Event", "value1", "value2":
			continue
		}
		w.tree(k, n.vals[i])
	}
	_, err = w.w.WriteString("</Attribute>\n")
	return err
}

// WriteEvent writes the event as <Event>…</Event>, encoding one
// attribute and one object at a time, as the json format does.
func (w *writer) WriteEvent(e *misp.Event) error {
	head := *e
	head.Attribute, head.Object = nil, nil
	ev, err := w.encode(mispjson.EventView(&head))
	if err != nil {
		return err
	}
	if len(ev.vals) != 1 || ev.vals[0].kind != kindObject {
		return errUnexpected
	}
	ev = ev.vals[0]
	w.start()
	w.w.WriteString("<Event>")
	// The event's fields, Org, Orgc and SharingGroup precede its
	// Attribute list; its other lists follow its objects.
	rest := 0
	for i, k := range ev.keys {
		if k == "Attribute" {
			rest = i + 1
			break
		}
		if !droppedFromEvent(k) {
			w.echo(k, ev.vals[i])
		}
	}
	for _, a := range e.Attribute {
		if err := w.eventAttribute(a); err != nil {
			return err
		}
	}
	for _, o := range e.Object {
		if err := w.object(o); err != nil {
			return err
		}
	}
	for i := rest; i < len(ev.keys); i++ {
		if k := ev.keys[i]; k != "Object" && !droppedFromEvent(k) {
			w.echo(k, ev.vals[i])
		}
	}
	_, err = w.w.WriteString("</Event>")
	return err
}

// droppedFromEvent reports whether XMLConverterTool leaves out an
// event's member: the fields it unsets, and the lists fetchEvent keeps
// beside the event, which convertArray does not move into it.
func droppedFromEvent(k string) bool {
	switch k {
	case "user_id", "proposal_email_lock", "locked", "attribute_count", "Galaxy", "EventReport", "CryptographicKey":
		return true
	}
	return false
}

// eventAttribute is an attribute as the json format shows it in an
// event: its fields and its Galaxy list.
type eventAttribute struct {
	*misp.Attribute
	Galaxy []*misp.EventGalaxy `json:"Galaxy"`
}

// eventAttribute writes an attribute of an event or object as
// XMLConverterTool's __rearrangeAttributes leaves it: without
// SharingGroup (it unsets it while meaning to wrap it) and
// RelatedAttribute (attached from a variable it does not have), its Tag
// elements last.
func (w *writer) eventAttribute(a *misp.Attribute) error {
	galaxy := a.Galaxy
	if galaxy == nil {
		galaxy = []*misp.EventGalaxy{}
	}
	n, err := w.encode(eventAttribute{Attribute: a, Galaxy: galaxy})
	if err != nil {
		return err
	}
	w.w.WriteString("<Attribute>")
	tag := -1
	for i, k := range n.keys {
		switch k {
		case "SharingGroup", "RelatedAttribute", "value1", "value2", "category_order":
		case "Tag":
			tag = i
		default:
			w.echo(k, n.vals[i])
		}
	}
	if tag >= 0 {
		w.echo("Tag", n.vals[tag])
	}
	_, err = w.w.WriteString("</Attribute>")
	return err
}

// object writes an object: its fields, ObjectReference and SharingGroup,
// then its attributes.
func (w *writer) object(o *misp.Object) error {
	head := *o
	head.Attribute = nil
	if head.ObjectReference == nil {
		head.ObjectReference = []*misp.ObjectReference{}
	}
	n, err := w.encode(&head)
	if err != nil {
		return err
	}
	w.w.WriteString("<Object>")
	for i, k := range n.keys {
		if k != "Attribute" {
			w.echo(k, n.vals[i])
		}
	}
	for _, a := range o.Attribute {
		if err := w.eventAttribute(a); err != nil {
			return err
		}
	}
	_, err = w.w.WriteString("</Object>")
	return err
}

// encode returns v's MISP JSON as a tree.
func (w *writer) encode(v any) (*node, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	n, err := parse(b)
	if err != nil {
		return nil, err
	}
	if n.kind != kindObject {
		return nil, errUnexpected
	}
	return n, nil
}

func (w *writer) Close() error {
	w.start()
	if _, err := w.w.WriteString(footer); err != nil {
		return err
	}
	return w.w.Flush()
}
