package misp

// GalaxyStore stores MISP's galaxy library (issue 6).
type GalaxyStore interface {
}
