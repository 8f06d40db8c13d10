package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// clusterKey identifies a cluster: cluster UUIDs repeat across galaxies.
type clusterKey struct {
	galaxyID int64
	uuid     string
}

// storedCluster is what the import compares a library cluster with.
type storedCluster struct {
	id      int64
	version int64
}

// ImportGalaxies stores library galaxies and their clusters in one
// transaction; see misp.GalaxyStore for the rules.
func (db *DB) ImportGalaxies(ctx context.Context, galaxies []*misp.Galaxy, clusters []*misp.GalaxyCluster) (misp.LibraryResult, error) {
	for _, g := range galaxies {
		if g.UUID == "" || g.Type == "" {
			return misp.LibraryResult{}, fmt.Errorf("import galaxies: galaxy %q without uuid or type: %w", g.Name, misp.ErrInvalid)
		}
	}
	for _, c := range clusters {
		if c.UUID == "" || c.Type == "" {
			return misp.LibraryResult{}, fmt.Errorf("import galaxies: cluster %q without uuid or type: %w", c.Value, misp.ErrInvalid)
		}
	}
	var res misp.LibraryResult
	err := db.write(ctx, func(tx *tx) error {
		var err error
		res, err = importGalaxies(ctx, tx, galaxies, clusters)
		return err
	})
	if err != nil {
		return misp.LibraryResult{}, fmt.Errorf("import galaxies: %w", err)
	}
	return res, nil
}

func importGalaxies(ctx context.Context, tx *tx, galaxies []*misp.Galaxy, clusters []*misp.GalaxyCluster) (misp.LibraryResult, error) {
	res := misp.LibraryResult{Library: "galaxies"}
	ids, status, err := importGalaxyRows(ctx, tx, galaxies)
	if err != nil {
		return res, err
	}

	stored := map[clusterKey]storedCluster{}
	err = tx.each(ctx, "SELECT id, galaxy_id, uuid, version FROM galaxy_clusters", nil, func(rows *sql.Rows) error {
		var k clusterKey
		var s storedCluster
		if err := rows.Scan(&s.id, &k.galaxyID, &k.uuid, &s.version); err != nil {
			return err
		}
		stored[k] = s
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("read stored clusters: %w", err)
	}

	// Sort the library's clusters into new ones and newer versions of
	// stored ones; the rest is unchanged.
	var added, replaced []*misp.GalaxyCluster
	var replacedIDs []int64
	changed := map[int64]bool{} // galaxy id → some cluster added or replaced
	seen := make(map[clusterKey]bool, len(clusters))
	for _, c := range clusters {
		gid, ok := ids[c.Type]
		if !ok {
			continue // MISP skips a collection without its galaxy
		}
		k := clusterKey{gid, c.UUID}
		if seen[k] {
			continue
		}
		seen[k] = true
		s, ok := stored[k]
		switch {
		case !ok:
			added = append(added, c)
		case int64(c.Version) > s.version:
			replaced = append(replaced, c)
			replacedIDs = append(replacedIDs, s.id)
		default:
			continue
		}
		changed[gid] = true
	}

	// A replaced cluster keeps its id; its elements and relations are
	// written anew.
	for _, chunk := range chunks(replacedIDs, inChunk) {
		for _, table := range []string{"galaxy_elements", "galaxy_cluster_relations"} {
			var a args
			if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE galaxy_cluster_id IN ("+inList(&a, chunk)+")", a...); err != nil {
				return res, fmt.Errorf("delete old cluster data: %w", err)
			}
		}
	}
	clusterIDs := make(map[*misp.GalaxyCluster]int64, len(added)+len(replaced))
	for i, c := range replaced {
		gid := ids[c.Type]
		_, err := tx.exec(ctx, `UPDATE galaxy_clusters SET collection_uuid = $1, type = $2, value = $3,
				tag_name = $4, description = $5, source = $6, authors = $7, version = $8, distribution = 3,
				sharing_group_id = NULL, org_id = 0, orgc_id = 0, is_default = TRUE, locked = FALSE,
				published = FALSE, deleted = FALSE
			WHERE id = $9`,
			c.CollectionUUID, c.Type, c.Value, clusterTagName(c), c.Description, c.Source,
			jsonList(c.Authors), int64(c.Version), replacedIDs[i])
		if err != nil {
			return res, fmt.Errorf("update cluster %s of galaxy %d: %w", c.UUID, gid, err)
		}
		clusterIDs[c] = replacedIDs[i]
	}
	if err := insertClusters(ctx, tx, ids, added, clusterIDs); err != nil {
		return res, err
	}
	written := append(append([]*misp.GalaxyCluster(nil), replaced...), added...)
	if err := insertElements(ctx, tx, written, clusterIDs); err != nil {
		return res, err
	}
	if err := insertRelations(ctx, tx, written, clusterIDs); err != nil {
		return res, err
	}

	for _, g := range galaxies {
		switch s := status[g.UUID]; {
		case s == galaxyAdded:
			res.Added++
		case s == galaxyUpdated || changed[ids[g.Type]]:
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	return res, nil
}

type galaxyStatus int

const (
	galaxyUnchanged galaxyStatus = iota
	galaxyAdded
	galaxyUpdated
)

// importGalaxyRows adds or updates the galaxy rows (Galaxy::__load_galaxies)
// and returns the galaxy id of every type, stored before or now, and what
// happened to each library galaxy by UUID.
func importGalaxyRows(ctx context.Context, tx *tx, galaxies []*misp.Galaxy) (map[string]int64, map[string]galaxyStatus, error) {
	type storedGalaxy struct {
		id      int64
		version int64
		icon    string
	}
	stored := map[string]storedGalaxy{}
	ids := map[string]int64{}
	err := tx.each(ctx, "SELECT id, uuid, type, version, icon FROM galaxies ORDER BY id", nil, func(rows *sql.Rows) error {
		var s storedGalaxy
		var uuid, typ string
		if err := rows.Scan(&s.id, &uuid, &typ, &s.version, &s.icon); err != nil {
			return err
		}
		stored[uuid] = s
		ids[typ] = s.id
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read stored galaxies: %w", err)
	}
	status := make(map[string]galaxyStatus, len(galaxies))
	for _, g := range galaxies {
		if _, dup := status[g.UUID]; dup {
			continue
		}
		namespace := g.Namespace
		if namespace == "" {
			namespace = "misp"
		}
		order, err := killChainArg(g)
		if err != nil {
			return nil, nil, err
		}
		s, ok := stored[g.UUID]
		switch {
		case !ok:
			var id int64
			err := tx.get(ctx, `INSERT INTO galaxies (uuid, name, type, description, version, icon, namespace,
					enabled, local_only, kill_chain_order)
				VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, FALSE, $8) RETURNING id`,
				[]any{g.UUID, g.Name, g.Type, g.Description, int64(g.Version), g.Icon, namespace, order}, &id)
			if err != nil {
				return nil, nil, fmt.Errorf("insert galaxy %s: %w", g.UUID, err)
			}
			ids[g.Type] = id
			status[g.UUID] = galaxyAdded
		case int64(g.Version) > s.version || (g.Icon != "" && g.Icon != s.icon):
			// MISP also saves a galaxy whose icon changed.
			_, err := tx.exec(ctx, `UPDATE galaxies SET name = $1, type = $2, description = $3, version = $4,
					icon = $5, namespace = $6, kill_chain_order = $7
				WHERE id = $8`,
				g.Name, g.Type, g.Description, int64(g.Version), g.Icon, namespace, order, s.id)
			if err != nil {
				return nil, nil, fmt.Errorf("update galaxy %s: %w", g.UUID, err)
			}
			ids[g.Type] = s.id
			status[g.UUID] = galaxyUpdated
		default:
			ids[g.Type] = s.id
			status[g.UUID] = galaxyUnchanged
		}
	}
	return ids, status, nil
}

// clusterTagName is the cluster's tag: misp-galaxy:<type>="<value>".
func clusterTagName(c *misp.GalaxyCluster) string {
	if c.TagName != "" {
		return c.TagName
	}
	return "misp-galaxy:" + c.Type + `="` + c.Value + `"`
}

const clusterInsertCols = 10

// insertClusters inserts new library clusters and records their ids.
func insertClusters(ctx context.Context, tx *tx, galaxyIDs map[string]int64, clusters []*misp.GalaxyCluster, ids map[*misp.GalaxyCluster]int64) error {
	index := make(map[clusterKey]*misp.GalaxyCluster, len(clusters))
	for _, c := range clusters {
		index[clusterKey{galaxyIDs[c.Type], c.UUID}] = c
	}
	err := bulkInsert(ctx, tx, `INSERT INTO galaxy_clusters (uuid, collection_uuid, type, value, tag_name,
			description, galaxy_id, source, authors, version, distribution, is_default) VALUES `,
		clusterInsertCols, ", 3, TRUE", len(clusters),
		func(i int, a []any) []any {
			c := clusters[i]
			return append(a, c.UUID, c.CollectionUUID, c.Type, c.Value, clusterTagName(c), c.Description,
				galaxyIDs[c.Type], c.Source, jsonList(c.Authors), int64(c.Version))
		},
		" RETURNING id, galaxy_id, uuid", func(rows *sql.Rows) error {
			var id int64
			var k clusterKey
			if err := rows.Scan(&id, &k.galaxyID, &k.uuid); err != nil {
				return err
			}
			ids[index[k]] = id
			return nil
		})
	if err != nil {
		return fmt.Errorf("insert clusters: %w", err)
	}
	return nil
}

func insertElements(ctx context.Context, tx *tx, clusters []*misp.GalaxyCluster, ids map[*misp.GalaxyCluster]int64) error {
	type row struct {
		cluster int64
		e       *misp.GalaxyElement
	}
	var rows []row
	for _, c := range clusters {
		for _, e := range c.GalaxyElement {
			rows = append(rows, row{ids[c], e})
		}
	}
	err := bulkInsert(ctx, tx, "INSERT INTO galaxy_elements (galaxy_cluster_id, key, value) VALUES ", 3, "", len(rows),
		func(i int, a []any) []any { return append(a, rows[i].cluster, rows[i].e.Key, rows[i].e.Value) }, "", nil)
	if err != nil {
		return fmt.Errorf("insert cluster elements: %w", err)
	}
	return nil
}

func insertRelations(ctx context.Context, tx *tx, clusters []*misp.GalaxyCluster, ids map[*misp.GalaxyCluster]int64) error {
	type row struct {
		cluster *misp.GalaxyCluster
		r       *misp.GalaxyClusterRelation
	}
	var rows []row
	for _, c := range clusters {
		for _, r := range c.GalaxyClusterRelation {
			rows = append(rows, row{c, r})
		}
	}
	err := bulkInsert(ctx, tx, `INSERT INTO galaxy_cluster_relations (galaxy_cluster_id, galaxy_cluster_uuid,
			referenced_galaxy_cluster_uuid, referenced_galaxy_cluster_type, tags, distribution, is_default) VALUES `,
		5, ", 3, TRUE", len(rows),
		func(i int, a []any) []any {
			c, r := rows[i].cluster, rows[i].r
			return append(a, ids[c], c.UUID, r.ReferencedGalaxyClusterUUID, r.ReferencedGalaxyClusterType, jsonList(r.Tags))
		}, "", nil)
	if err != nil {
		return fmt.Errorf("insert cluster relations: %w", err)
	}
	return nil
}

// bulkRows is the most rows one bulk INSERT carries.
const bulkRows = 500

// bulkInsert inserts n rows with multi-row INSERT statements: head, then
// per row the ncols values that fill appends followed by the literal
// tail of the value list (constant columns), then returning; scan reads
// each returned row. SQLite gets anonymous "?" placeholders: it binds
// numbered ones in time quadratic in their number (docs/design.md), which
// is why other inserts there go row by row.
func bulkInsert(ctx context.Context, tx *tx, head string, ncols int, constTail string, n int,
	fill func(i int, a []any) []any, returning string, scan func(*sql.Rows) error) error {
	perStmt := max(1, min(bulkRows, tx.d.MaxParams/ncols))
	var q strings.Builder
	for start := 0; start < n; start += perStmt {
		end := min(start+perStmt, n)
		q.Reset()
		q.WriteString(head)
		a := make([]any, 0, (end-start)*ncols)
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j := range ncols {
				if j > 0 {
					q.WriteString(", ")
				}
				if tx.d.QuestionPlaceholders {
					q.WriteByte('?')
				} else {
					q.WriteString("$" + strconv.Itoa(len(a)+j+1))
				}
			}
			q.WriteString(constTail)
			q.WriteByte(')')
			a = fill(i, a)
		}
		q.WriteString(returning)
		var err error
		if scan != nil {
			err = tx.each(ctx, q.String(), a, scan)
		} else {
			_, err = tx.exec(ctx, q.String(), a...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
