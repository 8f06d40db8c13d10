package restapi

import (
	"net/http"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// taxonomyExport is the machinetag.json TaxonomiesController::export
// writes: a field of a predicate or entry is present only when it is not
// empty (so a numerical value of 0 and a false exclusive are left out),
// and values only when a predicate has entries. The version is a number
// and the numerical values strings, as MISP sends them.
type taxonomyExport struct {
	Namespace   string                `json:"namespace"`
	Description string                `json:"description"`
	Version     int64                 `json:"version"`
	Exclusive   misp.Bool             `json:"exclusive"`
	Predicates  []exportPredicate     `json:"predicates"`
	Values      []taxonomyExportValue `json:"values,omitempty"`
}

type exportPredicate struct {
	Value          string    `json:"value,omitempty"`
	Expanded       string    `json:"expanded,omitempty"`
	Colour         string    `json:"colour,omitempty"`
	Description    string    `json:"description,omitempty"`
	Exclusive      misp.Bool `json:"exclusive,omitempty"`
	NumericalValue *misp.Int `json:"numerical_value,omitempty"`
}

type taxonomyExportValue struct {
	Predicate string            `json:"predicate"`
	Entry     []exportPredicate `json:"entry"`
}

// nonZero is PHP's !empty() for a numerical value.
func nonZero(i *misp.Int) *misp.Int {
	if i == nil || *i == 0 {
		return nil
	}
	return i
}

// taxonomyExport is GET /taxonomies/export/{id|namespace}: the taxonomy as
// a machinetag.json that taxonomies/import (and Razmena's loader) reads.
func (a *API) taxonomyExport(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	t, err := a.findTaxonomy(r)
	if err != nil {
		return err
	}
	out := taxonomyExport{Namespace: t.Namespace, Description: t.Description, Version: int64(t.Version),
		Exclusive: t.Exclusive, Predicates: []exportPredicate{}}
	for _, p := range t.Predicates {
		out.Predicates = append(out.Predicates, exportPredicate{Value: p.Value, Expanded: p.Expanded,
			Colour: p.Colour, Description: p.Description, Exclusive: p.Exclusive, NumericalValue: nonZero(p.NumericalValue)})
		if len(p.Entries) == 0 {
			continue
		}
		v := taxonomyExportValue{Predicate: p.Value}
		for _, e := range p.Entries {
			v.Entry = append(v.Entry, exportPredicate{Value: e.Value, Expanded: e.Expanded, Colour: e.Colour,
				Description: e.Description, NumericalValue: nonZero(e.NumericalValue)})
		}
		out.Values = append(out.Values, v)
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}
