package taxonomy

import (
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Conflict is a group of tags that an exclusive taxonomy or predicate does
// not allow on the same element.
type Conflict struct {
	Namespace string
	// Predicate names the exclusive predicate; it is empty when the
	// taxonomy itself is exclusive.
	Predicate string
	Tags      []string
}

// ConflictError lists every conflict found in a set of tags. It matches
// misp.ErrInvalid with errors.Is.
type ConflictError struct {
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	b.WriteString("exclusive tags conflict: ")
	for i, c := range e.Conflicts {
		if i > 0 {
			b.WriteString("; ")
		}
		if c.Predicate == "" {
			b.WriteString("taxonomy " + c.Namespace + " is exclusive")
		} else {
			b.WriteString("predicate " + c.Predicate + " of taxonomy " + c.Namespace + " is exclusive")
		}
		b.WriteString(" (" + strings.Join(c.Tags, ", ") + ")")
	}
	return b.String()
}

// Is makes a ConflictError match misp.ErrInvalid.
func (e *ConflictError) Is(target error) bool { return target == misp.ErrInvalid }

// Conflicts checks the tags attached to one element (MISP checks global
// and local tags separately) against t's exclusivity, as
// Taxonomy::getTagConflicts does, and returns a *ConflictError listing
// every violating group, or nil. Tags of other namespaces, and names that
// are not machine tags, are ignored.
func (t *Taxonomy) Conflicts(tagNames []string) error {
	var (
		order  []string
		groups = make(map[string][]string)
		tags   = make(map[string]MachineTag)
	)
	for _, name := range tagNames {
		mt, ok := t.own(name)
		if !ok {
			continue
		}
		g := mt.group()
		if _, seen := groups[g]; !seen {
			order = append(order, g)
			tags[g] = mt
		}
		groups[g] = append(groups[g], name)
	}
	var conflicts []Conflict
	for _, g := range order {
		names := groups[g]
		if len(names) < 2 || isWhiteAndClear(names) {
			continue
		}
		if t.Exclusive {
			conflicts = append(conflicts, Conflict{Namespace: t.Namespace, Tags: names})
		} else if p, ok := t.exclusivePredicate(tags[g]); ok {
			conflicts = append(conflicts, Conflict{Namespace: t.Namespace, Predicate: p.Value, Tags: names})
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	return &ConflictError{Conflicts: conflicts}
}

// AllowsTag reports whether newTag may be attached next to existing (the
// element's tags of the same locality), as
// Taxonomy::checkIfNewTagIsAllowedByTaxonomy decides: not when a tag of
// the same group is present and the taxonomy, or the tag's predicate, is
// exclusive. tlp:white may join tlp:clear and the other way round. A tag
// equal to newTag is ignored (attaching it again is not a conflict).
func (t *Taxonomy) AllowsTag(existing []string, newTag string) bool {
	nt, ok := t.own(newTag)
	if !ok {
		return true
	}
	taken := false
	for _, name := range existing {
		if strings.EqualFold(name, newTag) {
			continue
		}
		if et, ok := t.own(name); ok && et.group() == nt.group() {
			taken = true
			break
		}
	}
	if !taken {
		return true
	}
	if t.Exclusive {
		return isWhiteOrClear(newTag) && containsFold(existing, otherTLP(newTag))
	}
	_, exclusive := t.exclusivePredicate(nt)
	return !exclusive
}

// own parses name and reports whether it is a machine tag of t's namespace.
func (t *Taxonomy) own(name string) (MachineTag, bool) {
	mt, ok := ParseTag(name)
	if !ok || !strings.EqualFold(mt.Namespace, t.Namespace) {
		return MachineTag{}, false
	}
	return mt, true
}

// exclusivePredicate returns the predicate of a tag with a value when that
// predicate is exclusive.
func (t *Taxonomy) exclusivePredicate(mt MachineTag) (*Predicate, bool) {
	if mt.Value == "" {
		return nil, false
	}
	p, ok := t.Predicate(mt.Predicate)
	if !ok || !p.Exclusive {
		return nil, false
	}
	return p, true
}

// isWhiteAndClear reports whether names are exactly tlp:white and
// tlp:clear, the TLP 1.0 and 2.0 spellings that MISP lets coexist.
func isWhiteAndClear(names []string) bool {
	return len(names) == 2 && containsFold(names, "tlp:white") && containsFold(names, "tlp:clear")
}

func isWhiteOrClear(name string) bool {
	return strings.EqualFold(name, "tlp:white") || strings.EqualFold(name, "tlp:clear")
}

func otherTLP(name string) string {
	if strings.EqualFold(name, "tlp:white") {
		return "tlp:clear"
	}
	return "tlp:white"
}

func containsFold(names []string, want string) bool {
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return true
		}
	}
	return false
}
