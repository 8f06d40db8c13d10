// Package export defines how restSearch answers are written in each
// returnFormat (misp-rest-api §4.5): a format is a writer fed one
// attribute or one event at a time, straight from the database stream,
// so that an answer of ten million attributes takes the memory of one.
//
// Each format lives in its own package under internal/export and
// describes itself with a Format; internal/restapi keeps the registry.
// Writers receive only what the actor may see: access control is applied
// by the stores before a hit reaches a writer.
package export

import (
	"io"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// Scopes of a restSearch.
const (
	ScopeAttributes = "attributes"
	ScopeEvents     = "events"
)

// Options are the request settings a writer may need.
type Options struct {
	// Scope is ScopeAttributes or ScopeEvents: the endpoint asked.
	Scope string
	// Headerless drops a header row (csv).
	Headerless bool
	// RequestedAttributes selects and orders columns (csv); empty means
	// the format's default columns.
	RequestedAttributes []string
	// IncludeContext adds event columns or an event summary.
	IncludeContext bool
	// IncludeEventUUID adds the event uuid to each attribute.
	IncludeEventUUID bool
	// IncludeEventTags appends the event's tags to each attribute's tags
	// (json: with "inherited": 1); the hit's Event.Tag is loaded then.
	IncludeEventTags bool
	// Params holds the format's own parameters as the request gave them
	// (rpz: policy, walled_garden, ns, email, serial, refresh, retry,
	// expiry, minimum_ttl, ttl), last value wins.
	Params map[string]string
	// Now is the time of the request (serials, bundle timestamps).
	Now time.Time
	// BaseURL is the instance's external URL, without trailing slash.
	BaseURL string
	// OrgName and OrgUUID identify the host organisation (producer of
	// STIX bundles, rpz comments).
	OrgName, OrgUUID string
}

// AttributeWriter writes an answer one attribute at a time.
type AttributeWriter interface {
	// Write adds one attribute. The hit and what it points to are only
	// valid during the call.
	Write(h misp.AttributeHit) error
	// Close ends the answer (closing brackets, trailers). It is called
	// exactly once, also when nothing was written; it does not close the
	// underlying io.Writer.
	Close() error
}

// EventWriter writes an events-scope answer one event at a time. Each
// event is a full tree (Attribute, Object with their Attribute, Tag, Org,
// Orgc) holding only what the actor may see.
type EventWriter interface {
	WriteEvent(e *misp.Event) error
	// Close is as AttributeWriter.Close.
	Close() error
}

// Format describes one returnFormat.
type Format struct {
	// Name is the returnFormat value.
	Name string
	// ContentType is the Content-Type of the answer.
	ContentType string
	// Restrictive formats default to to_ids=1 and published=1 unless the
	// request sets those filters (misp-rest-api §4.5).
	Restrictive bool
	// Producer formats name the host organisation (Options.OrgName,
	// OrgUUID); the API looks it up only for them.
	Producer bool
	// Attributes returns a writer for the attributes scope.
	Attributes func(w io.Writer, o Options) AttributeWriter
	// Events returns a writer for the events scope; nil means the
	// attributes writer fed with every attribute of each event (see
	// Flatten).
	Events func(w io.Writer, o Options) EventWriter
}

// Flatten returns an EventWriter that feeds aw the attributes of each
// event: first the event's own attributes, then each object's, in order.
func Flatten(aw AttributeWriter) EventWriter { return flattener{aw} }

type flattener struct{ aw AttributeWriter }

func (f flattener) WriteEvent(e *misp.Event) error {
	for _, h := range Hits(e) {
		if err := f.aw.Write(h); err != nil {
			return err
		}
	}
	return nil
}

func (f flattener) Close() error { return f.aw.Close() }

// Hits returns the attributes of the full event e as hits, event
// attributes first and then each object's, with Event pointing at a copy
// of e without children.
func Hits(e *misp.Event) []misp.AttributeHit {
	head := *e
	head.Attribute, head.Object = nil, nil
	var out []misp.AttributeHit
	for _, a := range e.Attribute {
		out = append(out, misp.AttributeHit{Attribute: a, Event: &head})
	}
	for _, o := range e.Object {
		obj := *o
		obj.Attribute, obj.ObjectReference = nil, nil
		for _, a := range o.Attribute {
			out = append(out, misp.AttributeHit{Attribute: a, Event: &head, Object: &obj})
		}
	}
	return out
}
