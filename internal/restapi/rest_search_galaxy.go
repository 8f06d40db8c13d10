package restapi

import (
	"context"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/jsonfmt"
	"github.com/razmena/razmena/internal/export/stix2"
	"github.com/razmena/razmena/internal/export/xmlfmt"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/restsearch"
)

// searchGalaxies reports whether a restSearch answer in format f carries
// the galaxy clusters its tags attach: the json format's events scope
// shows them as Galaxy blocks (the xml format those of the attributes),
// and stix2 writes them as SDOs in both
// scopes, as MISP's StixExport asks for them (its additional_params
// includeGalaxy and includeEventTags) and passes those of the attributes
// and of their events to misp-stix. excludeGalaxy leaves them out; it is
// an events-scope parameter (MISP's attributes scope drops it, so
// Request.ExcludeGalaxy is never set there).
func searchGalaxies(req *restsearch.Request, f export.Format) bool {
	if req.ExcludeGalaxy {
		return false
	}
	if f.Name == stix2.Format.Name {
		return true
	}
	return mispTree(f) && req.Scope == export.ScopeEvents
}

// mispTree reports whether f writes MISP's trees of events and
// attributes (json, xml), which carry their correlations, warnings and
// galaxies.
func mispTree(f export.Format) bool {
	return f.Name == jsonfmt.Format.Name || f.Name == xmlfmt.Format.Name
}

// attachHitGalaxies sets the Galaxy lists of an attributes-scope hit: the
// clusters of the attribute's tags and, when the hit has its event's
// tags, those of the event's. It reads the clusters as the events scope
// does, through an event holding only those tags, so that both scopes
// show the clusters the actor may see and no others.
func (en *eventEnricher) attachHitGalaxies(ctx context.Context, h misp.AttributeHit) error {
	probe := &misp.Event{Attribute: []*misp.Attribute{{Tag: h.Attribute.Tag}}}
	if h.Event != nil {
		probe.ID, probe.Tag = h.Event.ID, h.Event.Tag
	}
	if err := en.attachGalaxies(ctx, probe); err != nil {
		return err
	}
	h.Attribute.Galaxy = probe.Attribute[0].Galaxy
	if h.Event != nil {
		h.Event.Galaxy = probe.Galaxy
	}
	return nil
}
