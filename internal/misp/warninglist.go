package misp

// WarninglistStore stores MISP's warninglist library (issue 6).
type WarninglistStore interface {
}
