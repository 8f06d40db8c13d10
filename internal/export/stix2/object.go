package stix2

import "strings"

// object is a STIX object, or a value nested in one (an external
// reference, a kill chain phase), as properties in the order they are
// written: type, spec_version and id first, as STIX producers usually do,
// which keeps the bundle readable and the golden files stable.
type object []prop

type prop struct {
	name  string
	value any
}

// set adds a property, or replaces it when already present.
func (o *object) set(name string, value any) {
	for i := range *o {
		if (*o)[i].name == name {
			(*o)[i].value = value
			return
		}
	}
	*o = append(*o, prop{name, value})
}

// get returns the value of a property.
func (o object) get(name string) (any, bool) {
	for _, p := range o {
		if p.name == name {
			return p.value, true
		}
	}
	return nil, false
}

// str returns a string property, or "".
func (o object) str(name string) string {
	v, _ := o.get(name)
	s, _ := v.(string)
	return s
}

// refs returns a list property of identifiers.
func (o object) refs(name string) []string {
	v, _ := o.get(name)
	s, _ := v.([]string)
	return s
}

// id is the object's identifier.
func (o object) id() string { return o.str("id") }

// typ is the object's type.
func (o object) typ() string { return o.str("type") }

// json returns the object as compact JSON.
func (o object) json() string {
	var b strings.Builder
	encode(&b, o, false)
	return b.String()
}

// newSCO returns an SCO of type typ with properties props and its
// deterministic identifier (see scoID); fallback names the object when no
// ID contributing property is set.
func newSCO(typ string, props object, fallback string) object {
	o := make(object, 0, len(props)+3)
	o = append(o, prop{"type", typ}, prop{"spec_version", "2.1"}, prop{"id", scoID(typ, props, fallback)})
	return append(o, props...)
}
