package misp

// TaxonomyStore stores MISP's taxonomy library (issue 6).
type TaxonomyStore interface {
}
