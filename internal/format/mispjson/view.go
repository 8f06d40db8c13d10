package mispjson

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/razmena/razmena/internal/misp"
)

// Write encodes v as JSON to w, pretty-printed with four spaces (PHP's
// JSON_PRETTY_PRINT) when pretty is true. Unlike json.Marshal it does not
// escape <, > and &, as MISP does not.
func Write(w io.Writer, v any, pretty bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "    ")
	}
	return enc.Encode(v)
}

// The views below embed a defined copy of a domain type, which marshals the
// type's own fields in struct order, and shadow its child lists with fields
// of the same JSON name declared in the view: encoding/json lets the
// shallower field win.

type (
	eventFields     misp.Event
	attributeFields misp.Attribute
	objectFields    misp.Object
)

// nonNil makes a nil list marshal as [], as MISP emits empty lists.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type eventOut struct {
	eventFields
	Org              *misp.OrgRef         `json:"Org,omitempty"`
	Orgc             *misp.OrgRef         `json:"Orgc,omitempty"`
	SharingGroup     *misp.SharingGroup   `json:"SharingGroup,omitempty"`
	Attribute        []eventAttribute     `json:"Attribute"`
	ShadowAttribute  []struct{}           `json:"ShadowAttribute"`
	RelatedEvent     []*misp.RelatedEvent `json:"RelatedEvent"`
	Galaxy           []*misp.EventGalaxy  `json:"Galaxy"`
	Object           []objectOut          `json:"Object"`
	EventReport      []struct{}           `json:"EventReport"`
	CryptographicKey []struct{}           `json:"CryptographicKey"`
	Tag              []*misp.AttachedTag  `json:"Tag,omitempty"`
}

// eventAttribute is an attribute of an event view: its fields, then
// Galaxy, [] when it has none, as MISP gives every attribute of an event
// its list (Event::__attachGalaxies, even with excludeGalaxy). The
// pointer keeps a large event's view from copying its attributes.
type eventAttribute struct {
	*attributeFields
	Galaxy []*misp.EventGalaxy `json:"Galaxy"`
}

func newEventAttribute(a *misp.Attribute) eventAttribute {
	return eventAttribute{attributeFields: (*attributeFields)(a), Galaxy: nonNil(a.Galaxy)}
}

func newEventAttributes(as []*misp.Attribute) []eventAttribute {
	out := make([]eventAttribute, len(as))
	for i, a := range as {
		out[i] = newEventAttribute(a)
	}
	return out
}

type objectOut struct {
	objectFields
	ObjectReference []*misp.ObjectReference `json:"ObjectReference"`
	Attribute       any                     `json:"Attribute"`
}

// newObjectOut is the object as objects/view shows it; inEvent gives its
// attributes their Galaxy lists, as an event view does.
func newObjectOut(o *misp.Object, inEvent bool) objectOut {
	out := objectOut{
		objectFields:    objectFields(*o),
		ObjectReference: nonNil(o.ObjectReference),
		Attribute:       nonNil(o.Attribute),
	}
	if inEvent {
		out.Attribute = newEventAttributes(o.Attribute)
	}
	return out
}

// EventView returns the events/view (and events/add, events/edit) answer
// for e: {"Event": {...}} with the event's fields, Org, Orgc, SharingGroup
// (when set), Attribute[], RelatedEvent[] (e.RelatedEvent, [] when nil),
// Galaxy[] (e.Galaxy, [] when nil), the lists Razmena does not model yet
// (ShadowAttribute, EventReport, CryptographicKey) as [], Object[] (each with
// ObjectReference[] and Attribute[]) and Tag[], which is omitted when empty,
// as is an attribute's Tag[]. Every attribute, of the event or of an
// object, has its Galaxy[] (a.Galaxy, [] when nil). Tags are emitted as
// given: hiding non-exportable tags is the caller's choice.
func EventView(e *misp.Event) any {
	objects := make([]objectOut, len(e.Object))
	for i, o := range e.Object {
		objects[i] = newObjectOut(o, true)
	}
	return struct {
		Event eventOut `json:"Event"`
	}{eventOut{
		eventFields:      eventFields(*e),
		Org:              e.Org,
		Orgc:             e.Orgc,
		SharingGroup:     e.SharingGroup,
		Attribute:        newEventAttributes(e.Attribute),
		ShadowAttribute:  []struct{}{},
		RelatedEvent:     nonNil(e.RelatedEvent),
		Galaxy:           nonNil(e.Galaxy),
		Object:           objects,
		EventReport:      []struct{}{},
		CryptographicKey: []struct{}{},
		Tag:              e.Tag,
	}}
}

type orgSummary struct {
	ID   misp.Int `json:"id"`
	Name string   `json:"name"`
	UUID string   `json:"uuid"`
}

func newOrgSummary(o *misp.OrgRef) *orgSummary {
	if o == nil {
		return nil
	}
	return &orgSummary{ID: o.ID, Name: o.Name, UUID: o.UUID}
}

type indexTag struct {
	ID       misp.Int  `json:"id"`
	Name     string    `json:"name"`
	Colour   string    `json:"colour"`
	IsGalaxy misp.Bool `json:"is_galaxy"`
}

type eventTagRow struct {
	ID               misp.Int  `json:"id"`
	EventID          misp.Int  `json:"event_id"`
	TagID            misp.Int  `json:"tag_id"`
	Local            misp.Bool `json:"local"`
	RelationshipType *string   `json:"relationship_type"`
	Tag              indexTag  `json:"Tag"`
}

type sharingGroupRef struct {
	ID   misp.Int `json:"id"`
	Name string   `json:"name,omitempty"`
	UUID string   `json:"uuid,omitempty"`
}

type indexItem struct {
	eventFields
	SightingTimestamp misp.Int         `json:"sighting_timestamp"`
	Org               *orgSummary      `json:"Org,omitempty"`
	Orgc              *orgSummary      `json:"Orgc,omitempty"`
	SharingGroup      *sharingGroupRef `json:"SharingGroup,omitempty"`
	EventTag          []eventTagRow    `json:"EventTag"`
	GalaxyCluster     []struct{}       `json:"GalaxyCluster"`
	// Attribute and Object hide the event's children, which the index
	// does not show; being empty, they are omitted.
	Attribute []struct{} `json:"Attribute,omitempty"`
	Object    []struct{} `json:"Object,omitempty"`
	Tag       []struct{} `json:"Tag,omitempty"`
}

// EventIndexItem returns one element of the events/index answer: the bare
// event (no wrapper, no children) with sighting_timestamp, Org and Orgc as
// {id,name,uuid}, EventTag[] rows {id,event_id,tag_id,local,
// relationship_type,Tag{id,name,colour,is_galaxy}} built from e.Tag, and
// GalaxyCluster []. The attachment row's own id is not part of the domain
// model, so a row's "id" repeats the tag id (unique within one event).
// SharingGroup is emitted only for distribution 4: {id, name, uuid} from
// e.SharingGroup when the caller set it (a group the reader may view),
// else only the id. Tags are emitted as given:
// MISP drops non-exportable tags from the index, which is the caller's job.
func EventIndexItem(e *misp.Event) any {
	rows := make([]eventTagRow, len(e.Tag))
	for i, t := range e.Tag {
		rows[i] = eventTagRow{
			ID: t.ID, EventID: e.ID, TagID: t.ID, Local: t.Local, RelationshipType: t.RelationshipType,
			Tag: indexTag{ID: t.ID, Name: t.Name, Colour: t.Colour, IsGalaxy: t.IsGalaxy},
		}
	}
	item := indexItem{
		eventFields:       eventFields(*e),
		SightingTimestamp: e.SightingTimestamp,
		Org:               newOrgSummary(e.Org),
		Orgc:              newOrgSummary(e.Orgc),
		EventTag:          rows,
		GalaxyCluster:     []struct{}{},
	}
	if e.Distribution == misp.DistributionSharingGrp {
		item.SharingGroup = &sharingGroupRef{ID: e.SharingGroupID}
		if g := e.SharingGroup; g != nil {
			item.SharingGroup.Name, item.SharingGroup.UUID = g.Name, g.UUID
		}
	}
	return item
}

// EventIndexMinimal returns one element of the events/index answer with
// minimal:1: {id, timestamp, sighting_timestamp, published, uuid,
// orgc_uuid}.
func EventIndexMinimal(e *misp.Event) any {
	orgcUUID := ""
	if e.Orgc != nil {
		orgcUUID = e.Orgc.UUID
	}
	return struct {
		ID                misp.Int  `json:"id"`
		Timestamp         misp.Int  `json:"timestamp"`
		SightingTimestamp misp.Int  `json:"sighting_timestamp"`
		Published         misp.Bool `json:"published"`
		UUID              string    `json:"uuid"`
		OrgcUUID          string    `json:"orgc_uuid"`
	}{e.ID, e.Timestamp, e.SightingTimestamp, e.Published, e.UUID, orgcUUID}
}

// AttributeView returns the attributes/view and attributes/edit answer:
// {"Attribute": {...}} with Tag[] omitted when empty.
func AttributeView(a *misp.Attribute) any {
	return struct {
		Attribute *misp.Attribute `json:"Attribute"`
	}{a}
}

type attributeAddOut struct {
	attributeFields
	Value1 string `json:"value1"`
	Value2 string `json:"value2"`
	// Tag hides the attribute's tags, which this answer lists in
	// AttributeTag instead.
	Tag []struct{} `json:"Tag,omitempty"`
}

type addTag struct {
	ID             misp.Int  `json:"id"`
	Name           string    `json:"name"`
	Colour         string    `json:"colour"`
	NumericalValue *misp.Int `json:"numerical_value"`
}

type attributeTagRow struct {
	ID               misp.Int  `json:"id"`
	AttributeID      misp.Int  `json:"attribute_id"`
	EventID          misp.Int  `json:"event_id"`
	TagID            misp.Int  `json:"tag_id"`
	Local            misp.Bool `json:"local"`
	RelationshipType *string   `json:"relationship_type"`
	Tag              addTag    `json:"Tag"`
}

// AttributeAddView returns the attributes/add answer for a single
// attribute (misp-rest-api §3.2): {"Attribute": {..., "value1", "value2"},
// "AttributeTag": [{id, attribute_id, event_id, tag_id, local,
// relationship_type, Tag{id,name,colour,numerical_value}}]}. As in
// EventIndexItem, a row's "id" repeats the tag id.
func AttributeAddView(a *misp.Attribute) any {
	v1, v2 := a.Split()
	rows := make([]attributeTagRow, len(a.Tag))
	for i, t := range a.Tag {
		rows[i] = attributeTagRow{
			ID: t.ID, AttributeID: a.ID, EventID: a.EventID, TagID: t.ID,
			Local: t.Local, RelationshipType: t.RelationshipType,
			Tag: addTag{ID: t.ID, Name: t.Name, Colour: t.Colour, NumericalValue: t.NumericalValue},
		}
	}
	return struct {
		Attribute    attributeAddOut   `json:"Attribute"`
		AttributeTag []attributeTagRow `json:"AttributeTag"`
	}{attributeAddOut{attributeFields: attributeFields(*a), Value1: v1, Value2: v2}, rows}
}

// AttributesAddView returns the attributes/add answer for a request of
// several attributes: {"Attribute": [...saved attributes with Tag[]...],
// "errors": {"attribute_<n>": {field: [messages]}}}, n being the index of
// the failed attribute in the request; "errors" is omitted when empty.
func AttributesAddView(saved []*misp.Attribute, failed map[int]*misp.ValidationError) any {
	var errs map[string]map[string][]string
	for n, v := range failed {
		if v.Empty() {
			continue
		}
		if errs == nil {
			errs = make(map[string]map[string][]string, len(failed))
		}
		errs["attribute_"+strconv.Itoa(n)] = v.Fields
	}
	return struct {
		Attribute []*misp.Attribute              `json:"Attribute"`
		Errors    map[string]map[string][]string `json:"errors,omitempty"`
	}{nonNil(saved), errs}
}

// ObjectView returns the objects/view, objects/add and objects/edit answer:
// {"Object": {..., "ObjectReference": [...], "Attribute": [...]}}, both
// lists never null.
func ObjectView(o *misp.Object) any {
	return struct {
		Object objectOut `json:"Object"`
	}{newObjectOut(o, false)}
}
