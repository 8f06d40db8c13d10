package taxonomy

import (
	"regexp"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// MachineTag is a tag name split into MISP's taxonomy components.
type MachineTag struct {
	Namespace string
	Predicate string
	// Value is empty for a namespace:predicate tag.
	Value string
}

// machineTagRE is Taxonomy::splitTagToComponents' pattern.
var machineTagRE = regexp.MustCompile(`^([^:="]+):([^:="]+)(="([^"]+)")?$`)

// ParseTag splits name as MISP does: "namespace:predicate" or
// `namespace:predicate="value"`, where no part contains ':', '=' or '"'
// (the value only excludes '"'), and a value is always quoted and
// non-empty. Any other name is not a taxonomy tag and ok is false.
func ParseTag(name string) (tag MachineTag, ok bool) {
	m := machineTagRE.FindStringSubmatch(name)
	if m == nil {
		return MachineTag{}, false
	}
	return MachineTag{Namespace: m[1], Predicate: m[2], Value: m[4]}, true
}

// String returns the tag name in MISP's form.
func (m MachineTag) String() string {
	if m.Value == "" {
		return m.Namespace + ":" + m.Predicate
	}
	return m.Namespace + ":" + m.Predicate + `="` + m.Value + `"`
}

// group is the key MISP groups tags by for exclusivity
// (Taxonomy::stripLastTagComponent): namespace:predicate for a tag with a
// value, namespace otherwise. It is lower-cased here (see the package doc).
func (m MachineTag) group() string {
	if m.Value == "" {
		return strings.ToLower(m.Namespace)
	}
	return strings.ToLower(m.Namespace + ":" + m.Predicate)
}

// TagDef is one tag a taxonomy defines, with the attributes MISP gives the
// tag when it creates it.
type TagDef struct {
	Name string
	// Expanded is the human-readable text MISP shows for the tag.
	Expanded    string
	Description string
	// Colour is the entry's (or predicate's) colour, else MISP's palette
	// colour for the tag's position in the taxonomy.
	Colour         string
	NumericalValue *int
	// ExclusivePredicate is set on entries of an exclusive predicate.
	ExclusivePredicate bool
}

// Tags lists every tag of t in MISP's order: predicates in file order,
// each either as its entries or, without entries, as itself.
func (t *Taxonomy) Tags() []TagDef {
	var tags []TagDef
	for _, p := range t.Predicates {
		if len(p.Entries) == 0 {
			tags = append(tags, TagDef{
				Name:           MachineTag{t.Namespace, p.Value, ""}.String(),
				Expanded:       orValue(p.Expanded, p.Value),
				Description:    p.Description,
				Colour:         p.Colour,
				NumericalValue: p.NumericalValue,
			})
			continue
		}
		for _, e := range p.Entries {
			tags = append(tags, TagDef{
				Name:               MachineTag{t.Namespace, p.Value, e.Value}.String(),
				Expanded:           orValue(p.Expanded, p.Value) + ": " + orValue(e.Expanded, e.Value),
				Description:        e.Description,
				Colour:             e.Colour,
				NumericalValue:     e.NumericalValue,
				ExclusivePredicate: p.Exclusive,
			})
		}
	}
	palette := paletteFromString(t.Namespace, len(tags))
	for i := range tags {
		if tags[i].Colour == "" {
			tags[i].Colour = palette[i]
		}
	}
	return tags
}

// ForTag finds what MISP's Taxonomy::getTaxonomyForTag returns for the tag
// name among stored taxonomies (with their predicates and entries): the
// taxonomy of the tag's namespace and the first of its predicates with the
// tag's predicate value, all compared case-insensitively, whether or not
// the taxonomy is enabled. The predicate returned is a copy whose Entries
// are the entries matching the tag's value — empty, not nil, when none
// does — or nil for a tag without a value (MISP then loads no entries).
// ok is false when name is not a machine tag or no stored predicate
// matches (MISP shows no taxonomy then).
func ForTag(stored []*misp.Taxonomy, name string) (*misp.Taxonomy, *misp.TaxonomyPredicate, bool) {
	mt, ok := ParseTag(name)
	if !ok {
		return nil, nil, false
	}
	for _, t := range stored {
		if !strings.EqualFold(t.Namespace, mt.Namespace) {
			continue
		}
		for _, sp := range t.Predicates {
			if !strings.EqualFold(sp.Value, mt.Predicate) {
				continue
			}
			found := *sp
			found.Entries = nil
			if mt.Value != "" {
				found.Entries = []*misp.TaxonomyEntry{}
				for _, e := range sp.Entries {
					if strings.EqualFold(e.Value, mt.Value) {
						found.Entries = append(found.Entries, e)
					}
				}
			}
			return t, &found, true
		}
		// MISP reads the first taxonomy of the namespace only.
		return nil, nil, false
	}
	return nil, nil, false
}
