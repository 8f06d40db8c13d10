package misp

import (
	"bytes"
	"context"
	"encoding/json"
)

// Galaxy is a typed collection of clusters, such as threat-actor or
// mitre-attack-pattern (misp-core-format §5). Fields are in the order of
// MISP's galaxies table; kill_chain_order is absent when the galaxy has
// none, as MISP unsets it.
type Galaxy struct {
	ID          Int    `json:"id"`
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Version     Int    `json:"version"`
	Icon        string `json:"icon"`
	Namespace   string `json:"namespace"`
	Enabled     Bool   `json:"enabled"`
	LocalOnly   Bool   `json:"local_only"`
	// KillChainOrder maps a kill chain to its ordered tactics (ATT&CK
	// galaxies); nil when the galaxy has none.
	KillChainOrder map[string][]string `json:"kill_chain_order,omitempty"`
}

// GalaxyCluster is one entry of a galaxy. A default cluster comes from
// the library: distribution 3, organisations 0, default true, not
// published. The related lists are nil when not loaded (and then left out
// of the JSON) and non-nil when loaded, even if empty.
type GalaxyCluster struct {
	ID             Int          `json:"id"`
	UUID           string       `json:"uuid"`
	CollectionUUID string       `json:"collection_uuid"`
	Type           string       `json:"type"`
	Value          string       `json:"value"`
	TagName        string       `json:"tag_name"`
	Description    string       `json:"description"`
	GalaxyID       Int          `json:"galaxy_id"`
	Source         string       `json:"source"`
	Authors        []string     `json:"authors"`
	Version        Int          `json:"version"`
	Distribution   Distribution `json:"distribution"`
	SharingGroupID *Int         `json:"sharing_group_id"`
	OrgID          Int          `json:"org_id"`
	OrgcID         Int          `json:"orgc_id"`
	Default        Bool         `json:"default"`
	Locked         Bool         `json:"locked"`
	ExtendsUUID    string       `json:"extends_uuid"`
	ExtendsVersion Int          `json:"extends_version"`
	Published      Bool         `json:"published"`
	Deleted        Bool         `json:"deleted"`

	// Galaxy is the cluster's galaxy, when loaded.
	Galaxy *Galaxy `json:"Galaxy,omitempty"`
	// GalaxyElement are the cluster's key/value metadata, in library order.
	GalaxyElement []*GalaxyElement `json:"GalaxyElement,omitzero"`
	// GalaxyClusterRelation are the cluster's relations to other clusters.
	GalaxyClusterRelation []*GalaxyClusterRelation `json:"GalaxyClusterRelation,omitzero"`
}

// Meta groups the loaded elements by key: the "meta" object MISP shows
// for a cluster inside an event (GalaxyCluster::postprocess).
func (c *GalaxyCluster) Meta() map[string][]string {
	meta := make(map[string][]string)
	for _, e := range c.GalaxyElement {
		meta[e.Key] = append(meta[e.Key], e.Value)
	}
	return meta
}

// Synonyms returns the values of the loaded elements keyed "synonyms".
func (c *GalaxyCluster) Synonyms() []string {
	var out []string
	for _, e := range c.GalaxyElement {
		if e.Key == "synonyms" {
			out = append(out, e.Value)
		}
	}
	return out
}

// GalaxyElement is one key/value pair of a cluster's metadata.
type GalaxyElement struct {
	ID              Int    `json:"id"`
	GalaxyClusterID Int    `json:"galaxy_cluster_id"`
	Key             string `json:"key"`
	Value           string `json:"value"`
}

// GalaxyClusterRelation is a typed link from a cluster to another cluster,
// named by UUID. A relation has its own distribution and sharing group
// (GalaxyClusterRelation::buildConditions): the reader sees it when its
// organisation holds the source cluster, at distribution 1–3, or at 4
// when authorised in the group, whatever it may see of the target.
// ReferencedGalaxyClusterID is the id of a stored cluster with that UUID
// that the reader may see (the lowest, since UUIDs repeat across
// galaxies), 0 when there is none: MISP shows the stored id even when it
// names a cluster the reader may not see.
type GalaxyClusterRelation struct {
	ID                          Int          `json:"id"`
	GalaxyClusterID             Int          `json:"galaxy_cluster_id"`
	ReferencedGalaxyClusterID   Int          `json:"referenced_galaxy_cluster_id"`
	ReferencedGalaxyClusterUUID string       `json:"referenced_galaxy_cluster_uuid"`
	ReferencedGalaxyClusterType string       `json:"referenced_galaxy_cluster_type"`
	GalaxyClusterUUID           string       `json:"galaxy_cluster_uuid"`
	Distribution                Distribution `json:"distribution"`
	SharingGroupID              *Int         `json:"sharing_group_id"`
	Default                     Bool         `json:"default"`
	// Tags are the names of the relation's tags (MISP links them as Tag
	// rows; Razmena keeps the names and does not show them yet).
	Tags []string `json:"-"`
}

// GalaxyFilter selects galaxies.
type GalaxyFilter struct {
	// Search is a case-insensitive substring of the name, namespace,
	// description, kill chain order or uuid (galaxies/index "value").
	Search string
	// Enabled, when set, keeps galaxies of that state.
	Enabled *bool
}

// GalaxyClusterFilter selects clusters. Empty lists select everything;
// values in one list are alternatives, and the lists are combined.
type GalaxyClusterFilter struct {
	IDs         []int64
	UUIDs       []string
	GalaxyIDs   []int64
	GalaxyUUIDs []string
	Versions    []int64
	// Distributions, OrgIDs, OrgcIDs select by those columns.
	Distributions []Distribution
	OrgIDs        []int64
	OrgcIDs       []int64
	// TagNames are matched case-insensitively.
	TagNames []string
	// Default, Published and Deleted, when set, keep clusters of that state.
	Default   *bool
	Published *bool
	Deleted   *bool
	// Search is galaxy_clusters/index's searchall: a case-insensitive
	// substring of the value, the description or a synonym, or the exact
	// uuid.
	Search string
	// ValueOrSynonym keeps the clusters whose value is one of its terms,
	// or one of whose synonyms (elements keyed "synonyms") is LIKE one of
	// them (% and _ are wildcards), all case-insensitively: the clusters
	// whose tags a non-strict tags/search finds (TagsController::search).
	ValueOrSynonym []string
	// Elements loads each cluster's elements; Full loads its galaxy,
	// elements and relations.
	Elements bool
	Full     bool
	// AfterID and Limit page through the clusters in id order (Limit 0:
	// all of them); Offset skips clusters after AfterID.
	AfterID int64
	Limit   int
	Offset  int
}

// GalaxyStore stores MISP's galaxy library (issue 6): galaxies, their
// clusters, the clusters' elements and relations. A cluster is identified
// by its galaxy and its UUID: cluster UUIDs repeat across galaxies (the
// legacy and enterprise ATT&CK galaxies share about a thousand).
//
// Cluster reads take the actor and apply GalaxyCluster::buildConditions
// (misp-access-control §8.6): a site admin sees every cluster, others the
// clusters of their organisation, of distribution 1–3, or of a sharing
// group they belong to. Default clusters have distribution 3.
type GalaxyStore interface {
	// ImportGalaxies stores library galaxies and their clusters, a cluster
	// going to the galaxy of its Type, in one transaction. A galaxy not
	// stored yet is added; one with a newer version (or another icon,
	// as MISP) is updated, keeping enabled and local_only. A cluster is
	// matched by galaxy and UUID: a new one is added, one whose version is
	// newer than the stored one replaces it (keeping its id, replacing its
	// elements and relations), others are left as they are; clusters
	// missing from the library are kept, as MISP keeps them. A second
	// cluster with the UUID of an earlier one in the same galaxy is
	// skipped. Clusters whose type names no galaxy are skipped. Counts are
	// per galaxy: added, updated (its row or any of its clusters changed)
	// or unchanged. ErrInvalid if a galaxy or cluster lacks its UUID or
	// type.
	ImportGalaxies(ctx context.Context, galaxies []*Galaxy, clusters []*GalaxyCluster) (LibraryResult, error)

	// FindGalaxies lists galaxies in id order.
	FindGalaxies(ctx context.Context, f GalaxyFilter) ([]*Galaxy, error)
	// FindGalaxyByID returns a galaxy. ErrNotFound.
	FindGalaxyByID(ctx context.Context, id int64) (*Galaxy, error)
	// FindGalaxyByUUID returns a galaxy. ErrNotFound.
	FindGalaxyByUUID(ctx context.Context, uuid string) (*Galaxy, error)

	// FindGalaxyClusters lists the clusters visible to actor that match f,
	// in id order, with what f asks to load.
	FindGalaxyClusters(ctx context.Context, actor *Actor, f GalaxyClusterFilter) ([]*GalaxyCluster, error)
	// FindGalaxyClusterByID returns a visible cluster with its galaxy,
	// elements and relations. ErrNotFound if it does not exist or is not
	// visible.
	FindGalaxyClusterByID(ctx context.Context, actor *Actor, id int64) (*GalaxyCluster, error)
	// FindGalaxyClusterByUUID is FindGalaxyClusterByID for the visible
	// cluster with that UUID of lowest id. ErrNotFound.
	FindGalaxyClusterByUUID(ctx context.Context, actor *Actor, uuid string) (*GalaxyCluster, error)
	// FindClustersByTagNames returns the visible, non-deleted clusters
	// whose tag_name is one of names (case-insensitively), with their
	// galaxy, elements and the relations actor may see, in id order: what
	// an event shows as its Galaxy blocks. A tag may name clusters of
	// several galaxies.
	FindClustersByTagNames(ctx context.Context, actor *Actor, names []string) ([]*GalaxyCluster, error)
}

// EventGalaxy is a galaxy as an event or attribute view shows it (MISP's
// Event::__attachGalaxies): the galaxy's fields, then the clusters of it
// that the event's (or attribute's) tags attach.
type EventGalaxy struct {
	Galaxy
	GalaxyCluster []*EventCluster `json:"GalaxyCluster"`
}

// EventCluster is a cluster attached by a tag, in an EventGalaxy, as
// MISP's Event::__attachGalaxies shows a full cluster: the cluster's
// fields without its Galaxy and elements, its relations the reader may
// see (GalaxyClusterRelation, loaded by the store), its organisations,
// its elements grouped as meta, the tag's id, and the attachment's local
// flag and relationship type (false when it has none, as MISP).
type EventCluster struct {
	GalaxyCluster
	// Org and Orgc are the blocks of the cluster's org_id and orgc_id as
	// galaxy_clusters/view shows them: the organisation, MISP's generic
	// organisation for 0, {} for one that no longer exists. The views
	// set them.
	Org              any              `json:"Org"`
	Orgc             any              `json:"Orgc"`
	Meta             ClusterMeta      `json:"meta"`
	TagID            Int              `json:"tag_id"`
	Local            Bool             `json:"local"`
	RelationshipType RelationshipType `json:"relationship_type"`
}

// ClusterMeta is a cluster's elements grouped by key (GalaxyCluster::
// postprocess). A nil ClusterMeta is written [] and an empty non-nil one
// {}: MISP's JSON converter turns the empty meta of an event's clusters
// into an object but leaves that of an attribute's clusters the empty PHP
// array it is.
type ClusterMeta map[string][]string

// MarshalJSON writes the map, [] when nil, without escaping <, > and &
// (as MISP does not).
func (m ClusterMeta) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("[]"), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string][]string(m)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// RelationshipType is an attachment's relationship type, which MISP
// writes as false when there is none.
type RelationshipType string

// MarshalJSON writes the type, or false when empty.
func (r RelationshipType) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("false"), nil
	}
	return json.Marshal(string(r))
}
