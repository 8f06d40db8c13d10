package galaxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// Galaxy is a typed collection of clusters, such as threat-actor or
// mitre-attack-pattern.
type Galaxy struct {
	UUID        string
	Name        string
	Type        string
	Description string
	Version     int
	Icon        string
	// Namespace is "misp" when the file gives none.
	Namespace string
	// KillChainOrder maps a kill-chain name to its ordered tactic names
	// (ATT&CK galaxies); nil when absent.
	KillChainOrder map[string][]string
}

type fileGalaxy struct {
	UUID           string              `json:"uuid"`
	Name           string              `json:"name"`
	Type           string              `json:"type"`
	Description    string              `json:"description"`
	Version        misp.Int            `json:"version"`
	Icon           string              `json:"icon"`
	Namespace      string              `json:"namespace"`
	KillChainOrder map[string][]string `json:"kill_chain_order"`
}

// ParseGalaxy reads one galaxies/*.json file. It requires a UUID and a
// type, the keys MISP stores galaxies and attaches clusters by.
func ParseGalaxy(r io.Reader) (*Galaxy, error) {
	var f fileGalaxy
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode galaxy: %w", err)
	}
	g := &Galaxy{
		UUID:           f.UUID,
		Name:           f.Name,
		Type:           strings.TrimSpace(f.Type),
		Description:    f.Description,
		Version:        int(f.Version),
		Icon:           f.Icon,
		Namespace:      f.Namespace,
		KillChainOrder: f.KillChainOrder,
	}
	if g.Namespace == "" {
		g.Namespace = "misp"
	}
	var errs []error
	if g.UUID == "" {
		errs = append(errs, errors.New("galaxy uuid is required"))
	}
	if g.Type == "" {
		errs = append(errs, errors.New("galaxy type is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return g, nil
}
