package restapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// The correlation administration endpoints (docs/correlation.md), all
// for site admins as in MISP's ACL: the exclusion list
// (CorrelationExclusionsController), the top and over-correlating
// values (CorrelationsController) and the full recorrelation
// (AttributesController::generateCorrelation). Correlations themselves
// are read with events (events/view, restSearch).

func (a *API) registerCorrelations(mux *http.ServeMux) {
	a.route(mux, "GET", "/correlation_exclusions", a.correlationExclusionIndex)
	a.route(mux, "GET POST", "/correlation_exclusions/index", a.correlationExclusionIndex)
	a.route(mux, "GET", "/correlation_exclusions/view/{id}", a.correlationExclusionView)
	a.route(mux, "POST", "/correlation_exclusions/add", a.correlationExclusionAdd)
	a.route(mux, "POST PUT", "/correlation_exclusions/edit/{id}", a.correlationExclusionEdit)
	a.route(mux, "POST DELETE", "/correlation_exclusions/delete/{id}", a.correlationExclusionDelete)
	a.route(mux, "POST", "/correlation_exclusions/clean", a.correlationExclusionClean)
	a.route(mux, "GET", "/correlations/top", a.correlationTop)
	a.route(mux, "GET", "/correlations/overCorrelations", a.correlationOver)
	a.route(mux, "POST", "/attributes/generateCorrelation", a.generateCorrelation)
}

// exclusionOut is an exclusion as MISP answers it: {"CorrelationExclusion": {…}}.
type exclusionOut struct {
	CorrelationExclusion *misp.CorrelationExclusion `json:"CorrelationExclusion"`
}

// invalidExclusion is CRUDComponent's answer for a missing exclusion.
func invalidExclusion(r *http.Request) error {
	return exception(r, http.StatusNotFound, "Invalid CorrelationExclusion.")
}

// exclusionID parses the {id} of an exclusion path.
func exclusionID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("id"), ".json"), 10, 64)
	return id, err == nil && id > 0
}

// correlationExclusionIndex is GET /correlation_exclusions[/index]: every
// exclusion, by id, filtered by value, comment (exact, or LIKE patterns
// with "%") and quickFilter (a substring of either), named, in the query
// or in a body.
func (a *API) correlationExclusionIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	params, err := harvestParams(r, []string{"value", "comment", "quickFilter"})
	if err != nil {
		return err
	}
	last := func(k string) string {
		if vs := params[k]; len(vs) > 0 {
			return vs[len(vs)-1]
		}
		return ""
	}
	list, err := a.st.Correlations.FindCorrelationExclusions(r.Context(), misp.CorrelationExclusionFilter{
		Value: last("value"), Comment: last("comment"), Quick: last("quickFilter")})
	if err != nil {
		return fmt.Errorf("correlation exclusions: %w", err)
	}
	out := make([]exclusionOut, len(list))
	for i, x := range list {
		out[i] = exclusionOut{x}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// correlationExclusionView is GET /correlation_exclusions/view/{id}.
func (a *API) correlationExclusionView(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	id, ok := exclusionID(r)
	if !ok {
		return invalidExclusion(r)
	}
	x, err := a.st.Correlations.FindCorrelationExclusionByID(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return invalidExclusion(r)
	}
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, exclusionOut{x})
	return nil
}

// exclusionInput reads an exclusion from a body, wrapped in
// "CorrelationExclusion" or bare, as CRUDComponent accepts it, and from
// the named parameters value and comment, which win.
func exclusionInput(r *http.Request) (*misp.CorrelationExclusion, map[string]bool, error) {
	in := map[string]any{}
	body, err := readBody(r)
	if err != nil {
		return nil, nil, err
	}
	if !emptyBody(body) {
		var m map[string]any
		if err := decodeJSON(r, body, &m); err != nil {
			return nil, nil, err
		}
		in = m
		if inner, ok := m["CorrelationExclusion"].(map[string]any); ok {
			in = inner
		}
	}
	x := &misp.CorrelationExclusion{}
	given := map[string]bool{}
	for _, k := range []string{"value", "comment"} {
		v, ok := in[k]
		if !ok || v == nil {
			continue
		}
		s := phpString(v)
		if k == "value" {
			x.Value = s
		} else {
			x.Comment = s
		}
		given[k] = true
	}
	named := Named(r)
	if v := named.Get("value"); v != "" {
		x.Value, given["value"] = v, true
	}
	if v := named.Get("comment"); v != "" {
		x.Comment, given["comment"] = v, true
	}
	return x, given, nil
}

// correlationExclusionAdd is POST /correlation_exclusions/add
// {"value", "comment"}: the saved exclusion, or MISP's save failure for
// a value listed already or empty. The correlations it excludes go at
// once (MISP waits for correlation_exclusions/clean).
func (a *API) correlationExclusionAdd(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	x, _, err := exclusionInput(r)
	if err != nil {
		return err
	}
	fail := func(field, msg string) error {
		return saveFail(r, "Could not add correlation_exclusion", "/correlation_exclusions/add", map[string][]string{field: {msg}}, "")
	}
	if err := x.Validate(); err != nil {
		var ve *misp.ValidationError
		if errors.As(err, &ve) {
			return saveFail(r, "Could not add correlation_exclusion", "/correlation_exclusions/add", ve.Fields, "")
		}
		return err
	}
	err = a.st.Correlations.CreateCorrelationExclusion(r.Context(), x)
	if errors.Is(err, misp.ErrConflict) {
		return fail("value", "Value is already in the exclusion list.")
	}
	if err != nil {
		return err
	}
	httpserver.WriteJSON(w, r, http.StatusOK, exclusionOut{x})
	return nil
}

// correlationExclusionEdit is POST|PUT /correlation_exclusions/edit/{id}:
// only the comment can change, as in MISP.
func (a *API) correlationExclusionEdit(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	id, ok := exclusionID(r)
	if !ok {
		return invalidExclusion(r)
	}
	ctx := r.Context()
	x, err := a.st.Correlations.FindCorrelationExclusionByID(ctx, id)
	if errors.Is(err, misp.ErrNotFound) {
		return invalidExclusion(r)
	}
	if err != nil {
		return err
	}
	in, given, err := exclusionInput(r)
	if err != nil {
		return err
	}
	if given["comment"] {
		x.Comment = in.Comment
		if err := a.st.Correlations.UpdateCorrelationExclusion(ctx, x); err != nil {
			if errors.Is(err, misp.ErrNotFound) {
				return invalidExclusion(r)
			}
			return err
		}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, exclusionOut{x})
	return nil
}

// correlationExclusionDelete is POST|DELETE
// /correlation_exclusions/delete/{id}: the values it held back correlate
// again at once.
func (a *API) correlationExclusionDelete(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	id, ok := exclusionID(r)
	if !ok {
		return invalidExclusion(r)
	}
	err := a.st.Correlations.DeleteCorrelationExclusion(r.Context(), id)
	if errors.Is(err, misp.ErrNotFound) {
		return invalidExclusion(r)
	}
	if err != nil {
		return err
	}
	writeSuccess(w, r, "CorrelationExclusion deleted.", "/correlation_exclusions/delete/"+idString(id), idString(id))
	return nil
}

// correlationExclusionClean is POST /correlation_exclusions/clean.
func (a *API) correlationExclusionClean(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	if err := a.st.Correlations.CleanCorrelationExclusions(r.Context()); err != nil {
		return err
	}
	writeSuccess(w, r, "Correlations cleanup initiated, based on the exclusion rules.", "/correlation_exclusions/clean", "")
	return nil
}

// namedPage reads the named limit and page of the correlation lists
// (default 50 per page, page 1).
func namedPage(r *http.Request) (limit, page int) {
	limit, page = 50, 1
	named := Named(r)
	if n, err := strconv.Atoi(named.Get("limit")); err == nil && n > 0 {
		limit = n
	}
	if n, err := strconv.Atoi(named.Get("page")); err == nil && n > 0 {
		page = n
	}
	return limit, page
}

// correlationTop is GET /correlations/top[/limit:n/page:m]:
// [{"Correlation": {"value", "count", "excluded"}}], the values making
// the most correlations first. MISP reads a list cached in Redis by
// correlations/generateTopCorrelations; Razmena counts on each call.
func (a *API) correlationTop(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	limit, page := namedPage(r)
	top, err := a.st.Correlations.TopCorrelations(r.Context(), limit, page)
	if err != nil {
		return err
	}
	type item struct {
		Correlation *misp.TopCorrelation `json:"Correlation"`
	}
	out := make([]item, len(top))
	for i, t := range top {
		out[i] = item{t}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// correlationOver is GET /correlations/overCorrelations[/limit:n/page:m]:
// [{"OverCorrelatingValue": {"value", "occurrence", "over_correlation",
// "excluded"}}], most held first. MISP's rows also carry a row id, which
// Razmena's table does not have.
func (a *API) correlationOver(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	limit, page := namedPage(r)
	list, err := a.st.Correlations.FindOverCorrelatingValues(r.Context(), limit, page)
	if err != nil {
		return err
	}
	type value struct {
		*misp.OverCorrelatingValue
		OverCorrelation bool `json:"over_correlation"`
		Excluded        bool `json:"excluded"`
	}
	type item struct {
		OverCorrelatingValue value `json:"OverCorrelatingValue"`
	}
	out := make([]item, len(list))
	for i, v := range list {
		// Listed values are over the limit by construction, and an
		// excluded value holds no correlation values to count.
		out[i] = item{value{OverCorrelatingValue: v, OverCorrelation: true}}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// generateCorrelation is POST /attributes/generateCorrelation: recompute
// every correlation, as MISP does without background jobs, answering
// "All done. N attributes processed." when it is. The rebuild goes on if
// the client stops waiting: each of its batches is a transaction, and a
// half-done rebuild is still correct, but it would have to start over.
func (a *API) generateCorrelation(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.SiteAdmin); err != nil {
		return err
	}
	p, err := a.st.Correlations.RebuildCorrelations(context.WithoutCancel(r.Context()), 0, nil)
	if err != nil {
		return err
	}
	writeSuccess(w, r, fmt.Sprintf("All done. %d attributes processed.", p.Attributes), "/attributes/generateCorrelation", "")
	return nil
}
