package galaxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Cluster is one entry of a galaxy, as MISP stores a default (library)
// cluster.
type Cluster struct {
	UUID        string
	Value       string
	Description string
	// Type is the galaxy type of the cluster's collection.
	Type    string
	Version int
	// CollectionUUID, Source and Authors come from the collection.
	CollectionUUID string
	Source         string
	Authors        []string
	// Synonyms are the values of the "synonyms" meta key.
	Synonyms []string
	// Elements are the flattened meta key/value pairs (MISP's
	// GalaxyElement rows), in file order.
	Elements []Element
	Related  []Relation
	// Revoked marks a cluster withdrawn by its source (ATT&CK); MISP does
	// not import it.
	Revoked bool
	// TagName is the tag that attaches the cluster: misp-galaxy:<type>="<value>".
	TagName string
}

// Element is one key/value pair of a cluster's meta.
type Element struct {
	Key   string
	Value string
}

// Relation links a cluster to another cluster.
type Relation struct {
	DestUUID string
	// Type is the relationship, such as "similar" or "uses".
	Type string
	Tags []string
}

// Meta groups the elements by key, the shape of a cluster's "meta" in
// MISP's output.
func (c *Cluster) Meta() map[string][]string {
	meta := make(map[string][]string)
	for _, e := range c.Elements {
		meta[e.Key] = append(meta[e.Key], e.Value)
	}
	return meta
}

// Collection is one clusters/*.json file: the clusters of one galaxy type.
type Collection struct {
	UUID        string
	Name        string
	Type        string
	Description string
	Category    string
	Source      string
	Authors     []string
	Version     int
	Clusters    []Cluster
}

type fileCollection struct {
	UUID        string        `json:"uuid"`
	Name        string        `json:"name"`
	Type        string        `json:"type"`
	Description string        `json:"description"`
	Category    string        `json:"category"`
	Source      string        `json:"source"`
	Authors     []string      `json:"authors"`
	Version     misp.Int      `json:"version"`
	Values      []fileCluster `json:"values"`
}

type fileCluster struct {
	UUID        string          `json:"uuid"`
	Value       string          `json:"value"`
	Description string          `json:"description"`
	Version     misp.Int        `json:"version"`
	Meta        json.RawMessage `json:"meta"`
	Related     []fileRelation  `json:"related"`
	Revoked     misp.Bool       `json:"revoked"`
}

type fileRelation struct {
	DestUUID string   `json:"dest-uuid"`
	Type     string   `json:"type"`
	Tags     []string `json:"tags"`
}

// ParseCollection reads one clusters/*.json file. It requires the galaxy
// type and the list of clusters ("values"); clusters are kept as MISP
// keeps them, with no further checks.
func ParseCollection(r io.Reader) (*Collection, error) {
	var f fileCollection
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode cluster collection: %w", err)
	}
	c := &Collection{
		UUID:        f.UUID,
		Name:        f.Name,
		Type:        strings.TrimSpace(f.Type),
		Description: f.Description,
		Category:    f.Category,
		Source:      f.Source,
		Authors:     f.Authors,
		Version:     int(f.Version),
	}
	if c.Type == "" {
		return nil, errors.New("cluster collection type is required")
	}
	if f.Values == nil {
		return nil, errors.New("cluster collection values are required")
	}
	c.Clusters = make([]Cluster, 0, len(f.Values))
	for i, fc := range f.Values {
		cl, err := c.cluster(fc)
		if err != nil {
			return nil, fmt.Errorf("cluster %d (%s): %w", i, fc.Value, err)
		}
		c.Clusters = append(c.Clusters, cl)
	}
	return c, nil
}

// cluster builds a cluster of c the way Galaxy::update saves it.
func (c *Collection) cluster(fc fileCluster) (Cluster, error) {
	elements, err := flattenMeta(fc.Meta)
	if err != nil {
		return Cluster{}, err
	}
	version := int(fc.Version)
	if version == 0 {
		version = c.Version
	}
	if version == 0 {
		version = 1
	}
	cl := Cluster{
		UUID:           fc.UUID,
		Value:          fc.Value,
		Description:    fc.Description,
		Type:           c.Type,
		Version:        version,
		CollectionUUID: c.UUID,
		Source:         c.Source,
		Authors:        c.Authors,
		Elements:       elements,
		Revoked:        bool(fc.Revoked),
		TagName:        TagName(c.Type, fc.Value),
	}
	for _, e := range elements {
		if e.Key == "synonyms" {
			cl.Synonyms = append(cl.Synonyms, e.Value)
		}
	}
	for _, r := range fc.Related {
		cl.Related = append(cl.Related, Relation{DestUUID: r.DestUUID, Type: r.Type, Tags: r.Tags})
	}
	return cl, nil
}

// TagName returns the tag of the cluster value in a galaxy of type typ.
func TagName(typ, value string) string {
	return "misp-galaxy:" + typ + `="` + value + `"`
}
