package taxonomy

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// MISP converts t to the stored form: text as the file gives it, and for
// every tag the colour MISP creates it with (the entry's or predicate's
// own colour when it is a valid #rrggbb, else the palette colour of its
// position, see Tags).
func (t *Taxonomy) MISP() *misp.Taxonomy {
	m := &misp.Taxonomy{
		Namespace:   t.Namespace,
		Description: t.Description,
		Version:     misp.Int(t.Version),
		Exclusive:   misp.Bool(t.Exclusive),
		Highlighted: misp.Bool(t.Highlighted),
	}
	palette := paletteFromString(t.Namespace, len(t.Tags()))
	k := 0
	tagColour := func(own string) string {
		c := palette[k]
		k++
		if colourRE.MatchString(own) {
			return own
		}
		return c
	}
	for _, p := range t.Predicates {
		mp := &misp.TaxonomyPredicate{
			Value: p.Value, Expanded: p.Expanded, Colour: p.Colour, Description: p.Description,
			Exclusive: misp.Bool(p.Exclusive), NumericalValue: mispInt(p.NumericalValue),
		}
		if len(p.Entries) == 0 {
			mp.TagColour = tagColour(p.Colour)
		}
		for _, e := range p.Entries {
			mp.Entries = append(mp.Entries, &misp.TaxonomyEntry{
				Value: e.Value, Expanded: e.Expanded, Colour: e.Colour, Description: e.Description,
				NumericalValue: mispInt(e.NumericalValue), TagColour: tagColour(e.Colour),
			})
		}
		m.Predicates = append(m.Predicates, mp)
	}
	return m
}

// FromMISP converts a stored taxonomy back, for the exclusivity checks
// (Conflicts, AllowsTag) of the tags attached to an element. What MISP
// does not store (expanded name, uuid, refs, type) is left empty.
func FromMISP(m *misp.Taxonomy) *Taxonomy {
	t := &Taxonomy{
		Namespace:   m.Namespace,
		Description: m.Description,
		Version:     int(m.Version),
		Exclusive:   bool(m.Exclusive),
		Highlighted: bool(m.Highlighted),
	}
	for _, mp := range m.Predicates {
		p := Predicate{
			Value: mp.Value, Expanded: mp.Expanded, Description: mp.Description, Colour: mp.Colour,
			NumericalValue: plainInt(mp.NumericalValue), Exclusive: bool(mp.Exclusive),
		}
		for _, me := range mp.Entries {
			p.Entries = append(p.Entries, Entry{
				Value: me.Value, Expanded: me.Expanded, Description: me.Description, Colour: me.Colour,
				NumericalValue: plainInt(me.NumericalValue),
			})
		}
		t.Predicates = append(t.Predicates, p)
	}
	return t
}

func mispInt(i *int) *misp.Int {
	if i == nil {
		return nil
	}
	n := misp.Int(*i)
	return &n
}

func plainInt(i *misp.Int) *int {
	if i == nil {
		return nil
	}
	n := int(*i)
	return &n
}

// Importer stores taxonomies; misp.TaxonomyStore is one.
type Importer interface {
	ImportTaxonomies(ctx context.Context, ts []*misp.Taxonomy) (misp.LibraryResult, error)
}

// ImportDir loads the misp-taxonomies checkout at dir and imports it into
// st, as MISP's taxonomies/update does: only the taxonomies meant for
// events (AppliesToEvents; MISP skips the others without a word), each
// added, replaced by a newer version or left unchanged. The files that
// could not be loaded are listed in the result's Errors ("path: cause"),
// the absent ones in its Missing (see Load), and the others are imported;
// the error is the store's.
func ImportDir(ctx context.Context, st Importer, dir string) (misp.LibraryResult, error) {
	loaded, rep := Load(dir)
	var ts []*misp.Taxonomy
	for _, t := range loaded {
		if t.AppliesToEvents() {
			ts = append(ts, t.MISP())
		}
	}
	res, err := st.ImportTaxonomies(ctx, ts)
	res.Library = "taxonomies"
	rep.AddTo(&res)
	if err != nil {
		return res, fmt.Errorf("import taxonomies from %s: %w", dir, err)
	}
	return res, nil
}

// Missing returns the required namespaces (misp.TaxonomyStore
// RequiredTaxonomies) that none of tagNames belongs to, in the order
// given: MISP refuses to publish an event missing one
// (Event::checkMissingTaxonomies). As in MISP, a tag belongs to a
// namespace when it parses as a machine tag of exactly that namespace
// (case-sensitive).
func Missing(required, tagNames []string) []string {
	have := make(map[string]bool)
	for _, name := range tagNames {
		if mt, ok := ParseTag(strings.TrimSpace(name)); ok {
			have[mt.Namespace] = true
		}
	}
	var missing []string
	for _, ns := range required {
		if !have[ns] {
			missing = append(missing, ns)
		}
	}
	return missing
}
