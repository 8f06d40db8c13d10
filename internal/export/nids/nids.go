// Package nids writes the restSearch "suricata" and "snort" return
// formats: one IDS rule per indicator, as MISP's NidsExport and its two
// flavours NidsSuricataExport and NidsSnortExport (app/Lib/Export) do.
//
// The answer is MISP's comment header followed by the rules, joined by
// newlines with none at the end. Every rule but those of snort attributes
// ends in a space, as in MISP. Rule ids are nids_sid + 10·id + 1 (+1 for
// each further rule of the same attribute), where nids_sid is
// Options.Params["nids_sid"] (MISP: the user's nids_sid) or 4000000.
//
// MISP bugs kept on purpose, because consumers compare answers: tag names
// go unescaped into msg; a Suricata http URL rule carries the URL path
// unescaped (MISP issue #9756); a snort attribute without msg gets a
// literal "%s" in its new msg.
package nids

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/misp"
)

// Suricata is the "suricata" returnFormat: rules using Suricata's app-layer
// keywords (dns.query, http.header, tls.sni, ja3.hash).
var Suricata = newFormat("suricata", suricata)

// Snort is the "snort" returnFormat: rules Snort 2 understands.
var Snort = newFormat("snort", snort)

// Formats lists Suricata and Snort.
var Formats = []export.Format{Suricata, Snort}

// DefaultSID is MISP's default nids_sid, the base of rule ids.
const DefaultSID = 4000000

// flavour selects the rule variants of NidsSuricataExport or of the base
// NidsExport (which NidsSnortExport uses unchanged).
type flavour int

const (
	suricata flavour = iota
	snort
)

func (f flavour) String() string {
	if f == snort {
		return "snort"
	}
	return "suricata"
}

func newFormat(name string, f flavour) export.Format {
	return export.Format{
		Name:        name,
		ContentType: "text/plain; charset=UTF-8",
		// NidsExport has no non_restrictive_export: to_ids=1, published=1.
		Restrictive: true,
		Attributes:  func(w io.Writer, o export.Options) export.AttributeWriter { return newWriter(w, o, f) },
		Events:      func(w io.Writer, o export.Options) export.EventWriter { return newWriter(w, o, f) },
	}
}

// writer is both the attributes and the events writer of a flavour.
type writer struct {
	bw      *bufio.Writer
	g       generator
	err     error // a bad nids_sid, returned by the first Write or Close
	started bool
}

func newWriter(w io.Writer, o export.Options, f flavour) *writer {
	wr := &writer{bw: bufio.NewWriter(w), g: generator{flavour: f, baseSID: DefaultSID, baseURL: o.BaseURL}}
	if s, ok := o.Params["nids_sid"]; ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			wr.err = fmt.Errorf("nids_sid %q is not a non-negative integer: %w", s, misp.ErrInvalid)
		}
		wr.g.baseSID = n
	}
	return wr
}

// header is what NidsExport::explain puts before the rules.
func header(f flavour) string {
	return "# MISP export of IDS rules - optimized for " + f.String() + "\n" +
		"#\n" +
		"# These NIDS rules contain some variables that need to exist in your configuration.\n" +
		"# Make sure you have set:\n" +
		"#\n" +
		"# $HOME_NET     - Your internal network range\n" +
		"# $EXTERNAL_NET - The network considered as outside\n" +
		"# $SMTP_SERVERS - All your internal SMTP servers\n" +
		"# $HTTP_PORTS   - The ports used to contain HTTP traffic (not required with suricata export)\n" +
		"# "
}

func (w *writer) start() error {
	if w.err != nil {
		return w.err
	}
	if !w.started {
		w.started = true
		_, err := w.bw.WriteString(header(w.g.flavour))
		return err
	}
	return nil
}

// emit writes rules, each on a line of its own after what came before.
func (w *writer) emit(rules []string) error {
	for _, r := range rules {
		if err := w.bw.WriteByte('\n'); err != nil {
			return err
		}
		if _, err := w.bw.WriteString(r); err != nil {
			return err
		}
	}
	return nil
}

// Write writes the rules of one attribute. In the attributes scope MISP
// puts only the attribute's own tags in msg: the event tags that
// includeEventTags loads sit where NidsExport does not look.
func (w *writer) Write(h misp.AttributeHit) error {
	if err := w.start(); err != nil {
		return err
	}
	if h.Event == nil {
		return fmt.Errorf("nids: attribute %d comes without its event", h.Attribute.ID)
	}
	it := w.g.item(h.Event, tagNames(nil, h.Attribute.Tag))
	it.attribute(h.Attribute)
	return w.emit(it.rules)
}

// WriteEvent writes the rules of one event as NidsExport::handler does in
// the events scope: the event's attributes, then those of each object,
// except that a network-connection or ddos object gives one rule of its
// own (sid from the object id) instead of rules for its attributes; those
// object rules come after all other rules of the event. msg carries the
// attribute's (or all the object's attributes') tags, then the event's.
func (w *writer) WriteEvent(e *misp.Event) error {
	if err := w.start(); err != nil {
		return err
	}
	head := *e
	head.Attribute, head.Object = nil, nil
	for _, a := range e.Attribute {
		it := w.g.item(&head, tagNames(a.Tag, e.Tag))
		it.attribute(a)
		if err := w.emit(it.rules); err != nil {
			return err
		}
	}
	var special []*misp.Object
	for _, o := range e.Object {
		if len(o.Attribute) == 0 {
			continue
		}
		if o.Name == "network-connection" || o.Name == "ddos" {
			special = append(special, o)
			continue
		}
		for _, a := range o.Attribute {
			it := w.g.item(&head, tagNames(a.Tag, e.Tag))
			it.attribute(a)
			if err := w.emit(it.rules); err != nil {
				return err
			}
		}
	}
	for _, o := range special {
		var tags []*misp.AttachedTag
		for _, a := range o.Attribute {
			tags = append(tags, a.Tag...)
		}
		it := w.g.item(&head, tagNames(tags, e.Tag))
		it.object(o)
		if err := w.emit(it.rules); err != nil {
			return err
		}
	}
	return nil
}

// Close writes the header if nothing was written and flushes.
func (w *writer) Close() error {
	if err := w.start(); err != nil {
		return err
	}
	return w.bw.Flush()
}

// tagNames lists the names of the attribute tags, then of the event tags.
func tagNames(attr, event []*misp.AttachedTag) []string {
	names := make([]string, 0, len(attr)+len(event))
	for _, t := range attr {
		names = append(names, t.Name)
	}
	for _, t := range event {
		names = append(names, t.Name)
	}
	return names
}
