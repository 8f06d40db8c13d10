package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

var _ misp.GalaxyStore = (*DB)(nil)

const galaxyCols = `g.id, g.uuid, g.name, g.type, g.description, g.version, g.icon, g.namespace,
	g.enabled, g.local_only, g.kill_chain_order`

func scanGalaxy(s interface{ Scan(...any) error }) (*misp.Galaxy, error) {
	g := &misp.Galaxy{}
	var order *string
	err := s.Scan(&g.ID, &g.UUID, &g.Name, &g.Type, &g.Description, &g.Version, &g.Icon, &g.Namespace,
		scanBool(&g.Enabled), scanBool(&g.LocalOnly), scanNullString(&order))
	if err != nil {
		return nil, err
	}
	if order != nil && *order != "" {
		if err := json.Unmarshal([]byte(*order), &g.KillChainOrder); err != nil {
			return nil, fmt.Errorf("galaxy %s: kill_chain_order: %w", g.UUID, err)
		}
	}
	return g, nil
}

// killChainArg is the kill_chain_order column value of g: JSON, or NULL
// when the galaxy has none.
func killChainArg(g *misp.Galaxy) (any, error) {
	if g.KillChainOrder == nil {
		return nil, nil
	}
	b, err := json.Marshal(g.KillChainOrder)
	if err != nil {
		return nil, fmt.Errorf("galaxy %s: kill_chain_order: %w", g.UUID, err)
	}
	return string(b), nil
}

// FindGalaxies lists galaxies in id order.
func (db *DB) FindGalaxies(ctx context.Context, f misp.GalaxyFilter) ([]*misp.Galaxy, error) {
	var a args
	var where []string
	if f.Search != "" {
		// GalaxiesController::index: a substring of these columns, not
		// escaped (% and _ in the value are wildcards, as in MISP). The
		// type is Razmena's addition: MISP does not search it, so a
		// search for "threat-actor" would miss the Threat Actor galaxy.
		p := a.add("%" + strings.ToLower(f.Search) + "%")
		where = append(where, "(lower(g.name) LIKE "+p+" OR lower(g.type) LIKE "+p+" OR lower(g.namespace) LIKE "+p+
			" OR lower(g.description) LIKE "+p+" OR lower(COALESCE(g.kill_chain_order, '')) LIKE "+p+
			" OR g.uuid LIKE "+p+")")
	}
	if f.Enabled != nil {
		where = append(where, "g.enabled = "+a.add(*f.Enabled))
	}
	q := "SELECT " + galaxyCols + " FROM galaxies g"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY g.id"
	var out []*misp.Galaxy
	err := db.read(ctx, func(tx *tx) error {
		out = out[:0]
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			g, err := scanGalaxy(rows)
			out = append(out, g)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find galaxies: %w", err)
	}
	return out, nil
}

// FindGalaxyByID returns a galaxy. ErrNotFound.
func (db *DB) FindGalaxyByID(ctx context.Context, id int64) (*misp.Galaxy, error) {
	g, err := db.findGalaxy(ctx, "g.id = $1", id)
	if err != nil {
		return nil, fmt.Errorf("find galaxy %d: %w", id, err)
	}
	return g, nil
}

// FindGalaxyByUUID returns a galaxy. ErrNotFound.
func (db *DB) FindGalaxyByUUID(ctx context.Context, uuid string) (*misp.Galaxy, error) {
	g, err := db.findGalaxy(ctx, "g.uuid = $1", misp.NormalizeUUID(uuid))
	if err != nil {
		return nil, fmt.Errorf("find galaxy %s: %w", uuid, err)
	}
	return g, nil
}

func (db *DB) findGalaxy(ctx context.Context, where string, arg any) (*misp.Galaxy, error) {
	var g *misp.Galaxy
	err := db.read(ctx, func(tx *tx) error {
		return tx.one(ctx, "SELECT "+galaxyCols+" FROM galaxies g WHERE "+where, []any{arg}, func(rows *sql.Rows) error {
			var err error
			g, err = scanGalaxy(rows)
			return err
		})
	})
	return g, err
}

const clusterCols = `c.id, c.uuid, c.collection_uuid, c.type, c.value, c.tag_name, c.description,
	c.galaxy_id, c.source, c.authors, c.version, c.distribution, c.sharing_group_id, c.org_id,
	c.orgc_id, c.is_default, c.locked, c.extends_uuid, c.extends_version, c.published, c.deleted`

func scanCluster(s interface{ Scan(...any) error }) (*misp.GalaxyCluster, error) {
	c := &misp.GalaxyCluster{}
	var dist int64
	err := s.Scan(&c.ID, &c.UUID, &c.CollectionUUID, &c.Type, &c.Value, &c.TagName, &c.Description,
		&c.GalaxyID, &c.Source, scanJSONList(&c.Authors), &c.Version, &dist, scanNullInt(&c.SharingGroupID),
		&c.OrgID, &c.OrgcID, scanBool(&c.Default), scanBool(&c.Locked), &c.ExtendsUUID,
		&c.ExtendsVersion, scanBool(&c.Published), scanBool(&c.Deleted))
	c.Distribution = misp.Distribution(dist)
	return c, err
}

// clusterLoad says what findClusters loads besides the cluster rows.
type clusterLoad struct {
	galaxy, elements, relations bool
}

// clusterVisible is GalaxyCluster::buildConditions for the cluster alias
// c: a site admin sees every cluster; others those of their organisation,
// of distribution 1–3, or of an authorised sharing group.
func clusterVisible(tx *tx, a *args, actor *misp.Actor) string {
	return clusterVisibleAs(tx, a, actor, "c")
}

// clusterVisibleAs is clusterVisible for the cluster alias alias.
func clusterVisibleAs(tx *tx, a *args, actor *misp.Actor, alias string) string {
	if actor.SiteAdmin() {
		return "1 = 1"
	}
	s := "(" + alias + ".org_id = " + a.add(actor.OrgID()) + " OR " + alias + ".distribution IN (1, 2, 3)"
	if groups := tx.authorisedGroups(actor.OrgID()); len(groups) > 0 {
		s += " OR (" + alias + ".distribution = 4 AND " + alias + ".sharing_group_id IN (" + inList(a, groups) + "))"
	}
	return s + ")"
}

// clusterWhere builds the WHERE clause of f (without paging).
func clusterWhere(tx *tx, a *args, actor *misp.Actor, f *misp.GalaxyClusterFilter) string {
	where := []string{clusterVisible(tx, a, actor)}
	in := func(col string, n int, list func() string) {
		if n > 0 {
			where = append(where, col+" IN ("+list()+")")
		}
	}
	in("c.id", len(f.IDs), func() string { return inList(a, f.IDs) })
	uuids := make([]string, len(f.UUIDs))
	for i, u := range f.UUIDs {
		uuids[i] = misp.NormalizeUUID(u)
	}
	in("c.uuid", len(uuids), func() string { return inList(a, uuids) })
	in("c.galaxy_id", len(f.GalaxyIDs), func() string { return inList(a, f.GalaxyIDs) })
	if len(f.GalaxyUUIDs) > 0 {
		gu := make([]string, len(f.GalaxyUUIDs))
		for i, u := range f.GalaxyUUIDs {
			gu[i] = misp.NormalizeUUID(u)
		}
		where = append(where, "c.galaxy_id IN (SELECT id FROM galaxies WHERE uuid IN ("+inList(a, gu)+"))")
	}
	in("c.version", len(f.Versions), func() string { return inList(a, f.Versions) })
	dists := make([]int64, len(f.Distributions))
	for i, d := range f.Distributions {
		dists[i] = int64(d)
	}
	in("c.distribution", len(dists), func() string { return inList(a, dists) })
	in("c.org_id", len(f.OrgIDs), func() string { return inList(a, f.OrgIDs) })
	in("c.orgc_id", len(f.OrgcIDs), func() string { return inList(a, f.OrgcIDs) })
	if len(f.TagNames) > 0 {
		names := make([]string, len(f.TagNames))
		for i, n := range f.TagNames {
			names[i] = strings.ToLower(strings.TrimSpace(n))
		}
		// lower() on the column matches the expression index.
		where = append(where, "lower(c.tag_name) IN ("+inList(a, names)+")")
	}
	for _, b := range []struct {
		col string
		v   *bool
	}{{"c.is_default", f.Default}, {"c.published", f.Published}, {"c.deleted", f.Deleted}} {
		if b.v != nil {
			where = append(where, b.col+" = "+a.add(*b.v))
		}
	}
	if f.Search != "" {
		// GalaxyClustersController::index searchall: value, description or
		// synonym substrings (not escaped, as in MISP), or the exact uuid.
		p := a.add("%" + strings.ToLower(f.Search) + "%")
		where = append(where, "(lower(c.value) LIKE "+p+" OR lower(c.description) LIKE "+p+
			" OR c.uuid = "+a.add(strings.TrimSpace(f.Search))+
			" OR EXISTS (SELECT 1 FROM galaxy_elements e WHERE e.galaxy_cluster_id = c.id AND e.key = 'synonyms'"+
			" AND lower(e.value) LIKE "+p+"))")
	}
	if len(f.ValueOrSynonym) > 0 {
		terms := make([]string, len(f.ValueOrSynonym))
		likes := make([]string, len(f.ValueOrSynonym))
		for i, t := range f.ValueOrSynonym {
			terms[i] = strings.ToLower(t)
			likes[i] = "lower(e.value) LIKE " + a.add(terms[i])
		}
		// MISP finds the value through the cluster's elements, so a cluster
		// without elements is not found by its value there; here it is.
		where = append(where, "(lower(c.value) IN ("+inList(a, terms)+")"+
			" OR c.id IN (SELECT e.galaxy_cluster_id FROM galaxy_elements e WHERE e.key = 'synonyms'"+
			" AND ("+strings.Join(likes, " OR ")+")))")
	}
	if f.AfterID > 0 {
		where = append(where, "c.id > "+a.add(f.AfterID))
	}
	return strings.Join(where, " AND ")
}

// FindGalaxyClusters lists the clusters visible to actor that match f, in
// id order, with what f asks to load.
func (db *DB) FindGalaxyClusters(ctx context.Context, actor *misp.Actor, f misp.GalaxyClusterFilter) ([]*misp.GalaxyCluster, error) {
	load := clusterLoad{galaxy: f.Full, elements: f.Elements || f.Full, relations: f.Full}
	var out []*misp.GalaxyCluster
	err := db.read(ctx, func(tx *tx) error {
		var err error
		out, err = findClusters(ctx, tx, actor, &f, load)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find galaxy clusters: %w", err)
	}
	return out, nil
}

// FindGalaxyClusterByID returns a visible cluster with its galaxy,
// elements and relations. ErrNotFound.
func (db *DB) FindGalaxyClusterByID(ctx context.Context, actor *misp.Actor, id int64) (*misp.GalaxyCluster, error) {
	c, err := db.findFullCluster(ctx, actor, misp.GalaxyClusterFilter{IDs: []int64{id}})
	if err != nil {
		return nil, fmt.Errorf("find galaxy cluster %d: %w", id, err)
	}
	return c, nil
}

// FindGalaxyClusterByUUID returns the visible cluster with that UUID of
// lowest id, with its galaxy, elements and relations. ErrNotFound.
func (db *DB) FindGalaxyClusterByUUID(ctx context.Context, actor *misp.Actor, uuid string) (*misp.GalaxyCluster, error) {
	c, err := db.findFullCluster(ctx, actor, misp.GalaxyClusterFilter{UUIDs: []string{uuid}})
	if err != nil {
		return nil, fmt.Errorf("find galaxy cluster %s: %w", uuid, err)
	}
	return c, nil
}

func (db *DB) findFullCluster(ctx context.Context, actor *misp.Actor, f misp.GalaxyClusterFilter) (*misp.GalaxyCluster, error) {
	f.Limit = 1
	var c *misp.GalaxyCluster
	err := db.read(ctx, func(tx *tx) error {
		cs, err := findClusters(ctx, tx, actor, &f, clusterLoad{galaxy: true, elements: true, relations: true})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return misp.ErrNotFound
		}
		c = cs[0]
		return nil
	})
	return c, err
}

// FindClustersByTagNames returns the visible, non-deleted clusters whose
// tag_name is one of names (case-insensitively), with their galaxy,
// elements and visible relations, in id order.
func (db *DB) FindClustersByTagNames(ctx context.Context, actor *misp.Actor, names []string) ([]*misp.GalaxyCluster, error) {
	if len(names) == 0 {
		return nil, nil
	}
	deleted := false
	var out []*misp.GalaxyCluster
	err := db.read(ctx, func(tx *tx) error {
		out = out[:0]
		for _, chunk := range chunks(names, inChunk) {
			f := misp.GalaxyClusterFilter{TagNames: chunk, Deleted: &deleted}
			cs, err := findClusters(ctx, tx, actor, &f, clusterLoad{galaxy: true, elements: true, relations: true})
			if err != nil {
				return err
			}
			out = append(out, cs...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find galaxy clusters by tag: %w", err)
	}
	return out, nil
}

func findClusters(ctx context.Context, tx *tx, actor *misp.Actor, f *misp.GalaxyClusterFilter, load clusterLoad) ([]*misp.GalaxyCluster, error) {
	var a args
	limit := f.Limit
	if limit <= 0 && f.Offset > 0 {
		limit = math.MaxInt64 // both dialects want a LIMIT before OFFSET
	}
	q := "SELECT " + clusterCols + " FROM galaxy_clusters c WHERE " + clusterWhere(tx, &a, actor, f) +
		" ORDER BY c.id" + limitOffset(&a, limit, f.Offset)
	var out []*misp.GalaxyCluster
	err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
		c, err := scanCluster(rows)
		out = append(out, c)
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	byID := make(map[int64]*misp.GalaxyCluster, len(out))
	ids := make([]int64, len(out))
	for i, c := range out {
		byID[int64(c.ID)] = c
		ids[i] = int64(c.ID)
	}
	if load.elements {
		for _, c := range out {
			c.GalaxyElement = []*misp.GalaxyElement{}
		}
		if err := loadElements(ctx, tx, ids, byID); err != nil {
			return nil, err
		}
	}
	if load.relations {
		for _, c := range out {
			c.GalaxyClusterRelation = []*misp.GalaxyClusterRelation{}
		}
		if err := loadRelations(ctx, tx, actor, ids, byID); err != nil {
			return nil, err
		}
	}
	if load.galaxy {
		if err := loadClusterGalaxies(ctx, tx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadElements(ctx context.Context, tx *tx, ids []int64, byID map[int64]*misp.GalaxyCluster) error {
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		q := "SELECT e.id, e.galaxy_cluster_id, e.key, e.value FROM galaxy_elements e WHERE e.galaxy_cluster_id IN (" +
			inList(&a, chunk) + ") ORDER BY e.galaxy_cluster_id, e.id"
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			e := &misp.GalaxyElement{}
			if err := rows.Scan(&e.ID, &e.GalaxyClusterID, &e.Key, &e.Value); err != nil {
				return err
			}
			c := byID[int64(e.GalaxyClusterID)]
			c.GalaxyElement = append(c.GalaxyElement, e)
			return nil
		})
		if err != nil {
			return fmt.Errorf("galaxy elements: %w", err)
		}
	}
	return nil
}

// loadRelations loads the relations of the clusters that actor may see:
// GalaxyClusterRelation::buildConditions, the cluster rule applied to the
// relation's distribution and sharing group, the owner being the cluster's
// organisation. The target is named by the lowest id of a cluster with
// its uuid that actor may see (0 if none), so that a relation never
// reveals a cluster the reader may not see; MISP shows the stored id.
func loadRelations(ctx context.Context, tx *tx, actor *misp.Actor, ids []int64, byID map[int64]*misp.GalaxyCluster) error {
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		q := `SELECT r.id, r.galaxy_cluster_id,
				COALESCE((SELECT MIN(x.id) FROM galaxy_clusters x WHERE x.uuid = r.referenced_galaxy_cluster_uuid
					AND ` + clusterVisibleAs(tx, &a, actor, "x") + `), 0),
				r.referenced_galaxy_cluster_uuid, r.referenced_galaxy_cluster_type, r.galaxy_cluster_uuid,
				r.distribution, r.sharing_group_id, r.is_default, r.tags
			FROM galaxy_cluster_relations r JOIN galaxy_clusters c ON c.id = r.galaxy_cluster_id
			WHERE r.galaxy_cluster_id IN (` + inList(&a, chunk) + ")"
		if !actor.SiteAdmin() {
			q += " AND (c.org_id = " + a.add(actor.OrgID()) + " OR r.distribution IN (1, 2, 3)"
			if groups := tx.authorisedGroups(actor.OrgID()); len(groups) > 0 {
				q += " OR (r.distribution = 4 AND r.sharing_group_id IN (" + inList(&a, groups) + "))"
			}
			q += ")"
		}
		q += " ORDER BY r.galaxy_cluster_id, r.id"
		err := tx.each(ctx, q, a, func(rows *sql.Rows) error {
			r := &misp.GalaxyClusterRelation{}
			var dist int64
			if err := rows.Scan(&r.ID, &r.GalaxyClusterID, &r.ReferencedGalaxyClusterID,
				&r.ReferencedGalaxyClusterUUID, &r.ReferencedGalaxyClusterType, &r.GalaxyClusterUUID,
				&dist, scanNullInt(&r.SharingGroupID), scanBool(&r.Default), scanJSONList(&r.Tags)); err != nil {
				return err
			}
			r.Distribution = misp.Distribution(dist)
			c := byID[int64(r.GalaxyClusterID)]
			c.GalaxyClusterRelation = append(c.GalaxyClusterRelation, r)
			return nil
		})
		if err != nil {
			return fmt.Errorf("galaxy cluster relations: %w", err)
		}
	}
	return nil
}

// loadClusterGalaxies sets each cluster's Galaxy; clusters of one galaxy
// share the value.
func loadClusterGalaxies(ctx context.Context, tx *tx, clusters []*misp.GalaxyCluster) error {
	seen := map[int64]bool{}
	var ids []int64
	for _, c := range clusters {
		if !seen[int64(c.GalaxyID)] {
			seen[int64(c.GalaxyID)] = true
			ids = append(ids, int64(c.GalaxyID))
		}
	}
	galaxies := make(map[int64]*misp.Galaxy, len(ids))
	for _, chunk := range chunks(ids, inChunk) {
		var a args
		err := tx.each(ctx, "SELECT "+galaxyCols+" FROM galaxies g WHERE g.id IN ("+inList(&a, chunk)+")", a, func(rows *sql.Rows) error {
			g, err := scanGalaxy(rows)
			if err != nil {
				return err
			}
			galaxies[int64(g.ID)] = g
			return nil
		})
		if err != nil {
			return fmt.Errorf("galaxies of clusters: %w", err)
		}
	}
	for _, c := range clusters {
		c.Galaxy = galaxies[int64(c.GalaxyID)]
	}
	return nil
}
