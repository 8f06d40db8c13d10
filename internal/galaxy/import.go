package galaxy

import (
	"context"
	"errors"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// ErrNoGalaxies reports a library directory without any loadable galaxy
// (missing, empty or broken); ImportDir then imports nothing.
var ErrNoGalaxies = errors.New("no galaxies")

// MISP returns the galaxy as MISP stores it: enabled, not local-only.
func (g *Galaxy) MISP() *misp.Galaxy {
	return &misp.Galaxy{
		UUID:           g.UUID,
		Name:           g.Name,
		Type:           g.Type,
		Description:    g.Description,
		Version:        misp.Int(g.Version),
		Icon:           g.Icon,
		Namespace:      g.Namespace,
		Enabled:        true,
		KillChainOrder: g.KillChainOrder,
	}
}

// MISP returns the cluster as MISP stores a default (library) cluster:
// distribution 3, organisations 0, default, not published
// (Galaxy::__createClusters), with its elements and relations. A revoked
// cluster is converted like any other, as MISP ignores the field.
func (c *Cluster) MISP() *misp.GalaxyCluster {
	authors := c.Authors
	if authors == nil {
		authors = []string{}
	}
	mc := &misp.GalaxyCluster{
		UUID:                  c.UUID,
		CollectionUUID:        c.CollectionUUID,
		Type:                  c.Type,
		Value:                 c.Value,
		TagName:               c.TagName,
		Description:           c.Description,
		Source:                c.Source,
		Authors:               authors,
		Version:               misp.Int(c.Version),
		Distribution:          misp.DistributionAll,
		Default:               true,
		GalaxyElement:         make([]*misp.GalaxyElement, len(c.Elements)),
		GalaxyClusterRelation: make([]*misp.GalaxyClusterRelation, len(c.Related)),
	}
	for i, e := range c.Elements {
		mc.GalaxyElement[i] = &misp.GalaxyElement{Key: e.Key, Value: e.Value}
	}
	for i, r := range c.Related {
		mc.GalaxyClusterRelation[i] = &misp.GalaxyClusterRelation{
			GalaxyClusterUUID:           c.UUID,
			ReferencedGalaxyClusterUUID: r.DestUUID,
			ReferencedGalaxyClusterType: r.Type,
			Distribution:                misp.DistributionAll,
			Default:                     true,
			Tags:                        r.Tags,
		}
	}
	return mc
}

// ImportDir loads the misp-galaxy checkout at dir (see Load) and imports
// it into st (misp.GalaxyStore.ImportGalaxies): what razmena import and
// POST /galaxies/update run. Files that could not be loaded are listed in
// the result's Errors, absent ones in its Missing, and the rest is
// imported; an error is returned when no galaxy could be loaded at all
// (dir missing or empty) or the store fails.
func ImportDir(ctx context.Context, st misp.GalaxyStore, dir string) (misp.LibraryResult, error) {
	galaxies, clusters, rep := Load(dir)
	if len(galaxies) == 0 {
		errs := []error{fmt.Errorf("%w in %s", ErrNoGalaxies, dir)}
		for _, fe := range rep.Errors {
			errs = append(errs, fe)
		}
		return misp.LibraryResult{Library: "galaxies"}, fmt.Errorf("import galaxies: %w", errors.Join(errs...))
	}
	mg := make([]*misp.Galaxy, len(galaxies))
	for i, g := range galaxies {
		mg[i] = g.MISP()
	}
	mc := make([]*misp.GalaxyCluster, len(clusters))
	for i, c := range clusters {
		mc[i] = c.MISP()
	}
	res, err := st.ImportGalaxies(ctx, mg, mc)
	if err != nil {
		return res, err
	}
	rep.AddTo(&res)
	return res, nil
}
