package misp

// ObjectTemplateStore stores MISP's object template library (issue 6).
type ObjectTemplateStore interface {
}
