package restapi

import (
	"context"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/warninglist"
)

// eventEnricher adds to full events what their views show beyond the
// stored event: the galaxy clusters the event's and attributes' tags
// attach (MISP's Event::__attachGalaxies), and each to_ids attribute's
// warninglist hits (includeWarninglistHits, Warninglist::
// attachWarninglistToAttributes). One enricher serves one request: the
// clusters found for a tag name and the clusters' organisations are
// kept, so that an export of many events looks each tag and organisation
// up once, and the warninglist index is taken once.
type eventEnricher struct {
	api      *API
	actor    *misp.Actor
	galaxies bool
	warnings bool

	// clusters maps a lower-cased tag name to the cluster it attaches,
	// nil when no cluster the actor may see has it.
	clusters map[string]*misp.GalaxyCluster
	orgs     *orgCache
	index    *warninglist.Index
}

// enricher returns the request's enricher: galaxies unless excludeGalaxy,
// warnings when asked for.
func (a *API) enricher(actor *misp.Actor, galaxies, warnings bool) *eventEnricher {
	return &eventEnricher{api: a, actor: actor, galaxies: galaxies && a.st.Galaxies != nil, warnings: warnings,
		clusters: map[string]*misp.GalaxyCluster{}, orgs: &orgCache{a: a}}
}

// enrich sets e.Galaxy and, on its attributes and its objects'
// attributes, Galaxy and Warnings. It reads the tags as they are, so a
// caller hiding non-exportable tags does so first, as MISP attaches the
// clusters of the tags it fetched.
func (en *eventEnricher) enrich(ctx context.Context, e *misp.Event) error {
	if en.galaxies {
		if err := en.attachGalaxies(ctx, e); err != nil {
			return err
		}
	}
	if en.warnings {
		if err := en.attachWarnings(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// eachAttribute calls f with the event's attributes, then its objects'.
func eachAttribute(e *misp.Event, f func(*misp.Attribute)) {
	for _, at := range e.Attribute {
		f(at)
	}
	for _, o := range e.Object {
		for _, at := range o.Attribute {
			f(at)
		}
	}
}

func (en *eventEnricher) attachGalaxies(ctx context.Context, e *misp.Event) error {
	var missing []string
	want := func(tags []*misp.AttachedTag) {
		for _, t := range tags {
			if !t.IsGalaxy {
				continue
			}
			k := strings.ToLower(t.Name)
			if _, ok := en.clusters[k]; !ok {
				en.clusters[k] = nil
				missing = append(missing, t.Name)
			}
		}
	}
	want(e.Tag)
	eachAttribute(e, func(at *misp.Attribute) { want(at.Tag) })
	if len(missing) > 0 {
		found, err := en.api.st.Galaxies.FindClustersByTagNames(ctx, en.actor, missing)
		if err != nil {
			return fmt.Errorf("galaxy clusters of event %d: %w", e.ID, err)
		}
		// In id order; a tag naming clusters of several galaxies shows
		// the last, as MISP's array_column keyed by tag keeps the last.
		for _, c := range found {
			en.clusters[strings.ToLower(c.TagName)] = c
		}
	}
	var err error
	if e.Galaxy, err = en.galaxiesOf(ctx, e.Tag, false); err != nil {
		return err
	}
	eachAttribute(e, func(at *misp.Attribute) {
		if err == nil {
			at.Galaxy, err = en.galaxiesOf(ctx, at.Tag, true)
		}
	})
	return err
}

// galaxiesOf groups the clusters the tags attach by galaxy, galaxies in
// the order of their first cluster's tag; nil when there are none. An
// attribute's cluster without elements has a nil meta, which MISP writes
// [] there and {} on the event (misp.ClusterMeta).
func (en *eventEnricher) galaxiesOf(ctx context.Context, tags []*misp.AttachedTag, attribute bool) ([]*misp.EventGalaxy, error) {
	var out []*misp.EventGalaxy
	for _, t := range tags {
		if !t.IsGalaxy {
			continue
		}
		c := en.clusters[strings.ToLower(t.Name)]
		if c == nil || c.Galaxy == nil {
			continue
		}
		ec := &misp.EventCluster{GalaxyCluster: *c, TagID: t.ID, Local: t.Local}
		if len(c.GalaxyElement) > 0 || !attribute {
			ec.Meta = c.Meta()
		}
		ec.GalaxyCluster.Galaxy, ec.GalaxyCluster.GalaxyElement = nil, nil
		var err error
		if ec.Org, err = en.orgs.org(ctx, c.OrgID); err != nil {
			return nil, err
		}
		if ec.Orgc, err = en.orgs.org(ctx, c.OrgcID); err != nil {
			return nil, err
		}
		if t.RelationshipType != nil {
			ec.RelationshipType = misp.RelationshipType(*t.RelationshipType)
		}
		var g *misp.EventGalaxy
		for _, have := range out {
			if have.ID == c.Galaxy.ID {
				g = have
				break
			}
		}
		if g == nil {
			g = &misp.EventGalaxy{Galaxy: *c.Galaxy}
			out = append(out, g)
		}
		g.GalaxyCluster = append(g.GalaxyCluster, ec)
	}
	return out, nil
}

func (en *eventEnricher) attachWarnings(ctx context.Context, e *misp.Event) error {
	if en.index == nil {
		ix, err := en.api.warnings.Index(ctx)
		if err != nil {
			return fmt.Errorf("warninglists: %w", err)
		}
		en.index = ix
	}
	eachAttribute(e, func(at *misp.Attribute) { at.Warnings = warningsOf(en.index, at) })
	return nil
}

// warningsOf returns the hits of an attribute on the lists of ix, nil for
// none. MISP checks to_ids attributes only (unless its
// MISP.warning_for_all, which Razmena does not have).
func warningsOf(ix *warninglist.Index, at *misp.Attribute) []*misp.WarninglistHit {
	if !at.ToIDS {
		return nil
	}
	var out []*misp.WarninglistHit
	for _, h := range ix.Check(at.Type, at.Value) {
		out = append(out, &misp.WarninglistHit{Match: h.Matched, Value: h.Value,
			WarninglistID: misp.Int(h.ListID), WarninglistName: h.Name, WarninglistCategory: h.Category})
	}
	return out
}
