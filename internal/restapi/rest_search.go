package restapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/jsonfmt"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/restsearch"
	"github.com/razmena/razmena/internal/warninglist"
)

// registerRestSearch adds events/restSearch and attributes/restSearch.
func (a *API) registerRestSearch(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/events/restSearch", a.searchHandler(export.ScopeEvents))
	a.route(mux, "GET POST", "/attributes/restSearch", a.searchHandler(export.ScopeAttributes))
}

// searchHandler serves restSearch in scope (misp-rest-api §4): parse the
// request, resolve names to ids, and stream the answer in the requested
// format straight from the store, so that memory does not grow with the
// answer. Everything read goes through the stores' visibility rules.
func (a *API) searchHandler(scope string) httpserver.ActorHandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
		named := Named(r)
		positional := named[""]
		delete(named, "")
		var body []byte
		if r.Method == http.MethodPost {
			var err error
			if body, err = readBody(r); err != nil {
				return err
			}
		}
		req, err := restsearch.Parse(scope, named, positional, r.Method, body, a.now())
		if err != nil {
			var re *restsearch.Error
			if errors.As(err, &re) {
				return exception(r, re.Status, re.Message)
			}
			return err
		}
		f, ok := formats[req.ReturnFormat]
		if !ok {
			return exception(r, http.StatusNotFound, "Invalid output format.")
		}
		if f.Restrictive {
			yes := true
			if !req.Given["to_ids"] {
				req.ToIDS = &yes
			}
			if !req.Given["published"] {
				req.Published = &yes
			}
		}
		s, empty, err := a.resolveSearch(r.Context(), req)
		if err != nil {
			return err
		}
		key := searchKey(actor, req, s)
		if after, ok := a.cursors.get(key, req.Page-1); ok {
			s.AfterID, s.Offset = after, 0
		}
		return a.writeSearch(w, r, actor, req, f, s, empty, key)
	}
}

// writeSearch streams the answer. X-Result-Count must precede the body:
// an answer that fits in answerBuffer is held back and counted as it is
// written; a larger one is counted by the store (bounded by the page when
// there is a limit) when the buffer fills, and then streams through.
func (a *API) writeSearch(w http.ResponseWriter, r *http.Request, actor *misp.Actor, req *restsearch.Request, f export.Format, s misp.AttributeSearch, empty bool, key string) error {
	ctx := r.Context()
	o := export.Options{
		Scope: req.Scope, Headerless: req.Headerless, RequestedAttributes: req.RequestedAttributes,
		IncludeContext: req.IncludeContext, IncludeEventUUID: req.IncludeEventUUID,
		IncludeEventTags: req.IncludeEventTags, Params: req.FormatParams, Now: a.now(), BaseURL: a.cfg.BaseURL,
	}
	if f.Producer {
		host, err := a.hostOrg(ctx)
		if err != nil {
			return fmt.Errorf("host organisation: %w", err)
		}
		if host != nil {
			o.OrgName, o.OrgUUID = host.Name, host.UUID
		}
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Response-Format", f.Name)
	h.Set("X-Export-Module-Used", f.Name)
	out := &heldWriter{w: w, limit: answerBuffer, count: func() (int64, error) {
		if req.Scope == export.ScopeEvents {
			return a.st.Search.CountEvents(ctx, actor, s)
		}
		return a.st.Search.CountAttributes(ctx, actor, s)
	}}
	var n, last int64
	var err error
	if req.Scope == export.ScopeEvents {
		n, last, err = a.streamEvents(ctx, actor, req, f, o, s, empty, out)
	} else {
		n, last, err = a.streamAttributes(ctx, actor, req, f, o, s, empty, out)
	}
	if err == nil {
		err = out.finish(n)
	}
	if err == nil && req.Limit > 0 && n == int64(req.Limit) {
		a.cursors.put(key, max(req.Page, 1), last)
	}
	if err != nil && out.sent {
		// The status line is gone: cut the answer short (a client sees a
		// truncated body) and log why.
		a.log.ErrorContext(ctx, "restSearch answer cut short", "path", r.URL.Path, "error", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

// answerBuffer is how much of a restSearch answer is held back to count
// it without a query: a 20,000-attribute JSON page fits. A variable for
// the tests of the overflow path.
var answerBuffer = 16 << 20

// heldWriter holds an answer back until it ends or exceeds limit bytes,
// so that X-Result-Count can be set before the first byte is sent: at the
// end, to the number of results written; on overflow, to what count
// returns. sent reports that the status line is gone, after which an
// error can no longer become an error answer.
type heldWriter struct {
	w     http.ResponseWriter
	limit int
	count func() (int64, error)
	// held is the answer so far, in blocks of heldBlock bytes: appending
	// to one growing slice would copy the held bytes again at every
	// doubling.
	held [][]byte
	size int
	sent bool
}

// heldBlock is the size of the blocks an answer is held in.
const heldBlock = 256 << 10

func (h *heldWriter) Write(p []byte) (int, error) {
	if h.sent {
		return h.w.Write(p)
	}
	if h.size+len(p) <= h.limit {
		h.size += len(p)
		for rest := p; len(rest) > 0; {
			if len(h.held) == 0 || len(h.held[len(h.held)-1]) == heldBlock {
				h.held = append(h.held, make([]byte, 0, heldBlock))
			}
			last := &h.held[len(h.held)-1]
			n := min(len(rest), heldBlock-len(*last))
			*last = append(*last, rest[:n]...)
			rest = rest[n:]
		}
		return len(p), nil
	}
	n, err := h.count()
	if err != nil {
		return 0, fmt.Errorf("count search results: %w", err)
	}
	if err := h.flush(n); err != nil {
		return 0, err
	}
	return h.w.Write(p)
}

// finish sends what is held, counted as n results, if nothing was sent:
// the whole answer, so with its Content-Length (no chunked encoding for
// the client to undo).
func (h *heldWriter) finish(n int64) error {
	if h.sent {
		return nil
	}
	h.w.Header().Set("Content-Length", strconv.Itoa(h.size))
	return h.flush(n)
}

func (h *heldWriter) flush(n int64) error {
	h.w.Header().Set("X-Result-Count", strconv.FormatInt(n, 10))
	h.sent = true
	held := h.held
	h.held = nil
	if len(held) == 0 {
		// An empty answer still sends its status line and headers.
		_, err := h.w.Write(nil)
		return err
	}
	for _, b := range held {
		if _, err := h.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// streamAttributes writes the attributes scope and returns the number of
// attributes written and the id of the last one.
func (a *API) streamAttributes(ctx context.Context, actor *misp.Actor, req *restsearch.Request, f export.Format, o export.Options, s misp.AttributeSearch, empty bool, out io.Writer) (n, last int64, err error) {
	aw := f.Attributes(out, o)
	if !empty {
		// stix2 writes the clusters of the attributes' and of their
		// events' tags, so it reads the event tags too.
		galaxies := searchGalaxies(req, f)
		so := misp.StreamOptions{EventTags: req.IncludeEventTags || req.IncludeContext || galaxies,
			// Only the json and xml formats show correlations.
			Correlations: req.IncludeCorrelations && mispTree(f)}
		en := a.enricher(actor, galaxies, false)
		keepAll := req.IncludeAllTags
		warned, err := a.warnedFilter(ctx, req)
		if err != nil {
			return 0, 0, err
		}
		// includeWarninglistHits: each to_ids attribute's hits, in the
		// json and xml formats.
		var hits *warninglist.Index
		if req.IncludeWarninglistHits && mispTree(f) {
			if hits, err = a.warnings.Index(ctx); err != nil {
				return 0, 0, fmt.Errorf("warninglists: %w", err)
			}
		}
		err = a.st.Search.StreamAttributes(ctx, actor, s, so, func(h misp.AttributeHit) error {
			if warned(h.Attribute) {
				return nil
			}
			if hits != nil {
				h.Attribute.Warnings = warningsOf(hits, h.Attribute)
			}
			if !keepAll {
				h.Attribute.Tag = exportableTags(h.Attribute.Tag)
				if h.Event != nil && h.Event.Tag != nil {
					h.Event.Tag = exportableTags(h.Event.Tag)
				}
			}
			if en.galaxies {
				if err := en.attachHitGalaxies(ctx, h); err != nil {
					return err
				}
			}
			n, last = n+1, int64(h.Attribute.ID)
			return aw.Write(h)
		})
		if err != nil {
			return n, last, err
		}
	}
	return n, last, aw.Close()
}

// eventChunk is how many event ids an events-scope search reads at once.
const eventChunk = 500

// streamEvents writes the events scope and returns the number of events
// written and the id of the last event selected.
func (a *API) streamEvents(ctx context.Context, actor *misp.Actor, req *restsearch.Request, f export.Format, o export.Options, s misp.AttributeSearch, empty bool, out io.Writer) (n, last int64, err error) {
	var ew export.EventWriter
	if f.Events != nil {
		ew = f.Events(out, o)
	} else {
		ew = export.Flatten(f.Attributes(out, o))
	}
	// MISP's events scope always fetches RelatedEvent (fetchEvent's
	// default); Razmena only with includeEventCorrelations, as it costs
	// an export of 16,725 events minutes instead of 26 s
	// (docs/correlation.md). RelatedAttribute comes with
	// includeGranularCorrelations. Only the json format shows both; the
	// xml format shows RelatedEvent (MISP's XMLConverterTool drops the
	// attributes' RelatedAttribute).
	tree := mispTree(f)
	opts := misp.EventViewOptions{Deleted: s.Deleted, ExcludeLocalTags: req.ExcludeLocalTags, Metadata: req.Metadata,
		EventCorrelations:    tree && req.IncludeEventCorrelations,
		GranularCorrelations: f.Name == jsonfmt.Format.Name && req.IncludeGranularCorrelations}
	warned, err := a.warnedFilter(ctx, req)
	if err != nil {
		return 0, 0, err
	}
	// Galaxy unless excludeGalaxy (in the json, xml and stix2 formats,
	// the ones that show it), warnings with includeWarninglistHits.
	en := a.enricher(actor, searchGalaxies(req, f), tree && req.IncludeWarninglistHits)
	remaining := s.Limit
	for !empty {
		page := s
		page.Limit = eventChunk
		if remaining > 0 && remaining < eventChunk {
			page.Limit = remaining
		}
		ids, err := a.st.Search.SearchEventIDs(ctx, actor, page)
		if err != nil {
			return n, last, err
		}
		// Events deleted or hidden since the ids were read are skipped.
		err = a.st.Search.LoadEvents(ctx, actor, ids, opts, 0, func(e *misp.Event) error {
			if err := a.attachSharingGroups(ctx, actor, e); err != nil {
				return err
			}
			stripEvent(e, req, s, warned)
			if err := en.enrich(ctx, e); err != nil {
				return err
			}
			n++
			return ew.WriteEvent(e)
		})
		if err != nil {
			return n, last, err
		}
		if len(ids) > 0 {
			last = ids[len(ids)-1]
		}
		if len(ids) < page.Limit {
			break
		}
		if remaining > 0 {
			if remaining -= len(ids); remaining == 0 {
				break
			}
		}
		s.AfterID, s.Offset = ids[len(ids)-1], 0
	}
	return n, last, ew.Close()
}

// stripEvent applies to a returned event the filters that events-scope
// restSearch also applies to its attributes (misp-rest-api §4.2): to_ids,
// NOT tags, and distribution (to objects too); hides non-exportable tags
// unless includeAllTags, and attachment data unless withAttachments.
func stripEvent(e *misp.Event, req *restsearch.Request, s misp.AttributeSearch, warned func(*misp.Attribute) bool) {
	keep := func(at *misp.Attribute) bool {
		if warned(at) {
			return false
		}
		if s.ToIDS != nil && bool(at.ToIDS) != *s.ToIDS {
			return false
		}
		if len(s.Distributions) > 0 && !contains(s.Distributions, at.Distribution) {
			return false
		}
		for _, t := range at.Tag {
			if contains(s.Tags.None, int64(t.ID)) {
				return false
			}
		}
		return true
	}
	filter := func(attrs []*misp.Attribute) []*misp.Attribute {
		out := attrs[:0]
		for _, at := range attrs {
			if keep(at) {
				if !req.WithAttachments {
					at.Data = ""
				}
				out = append(out, at)
			}
		}
		return out
	}
	e.Attribute = filter(e.Attribute)
	// distribution also applies to objects (Event::fetchEvent's Object
	// conditions): an object of another one goes with its attributes.
	objects := e.Object[:0]
	for _, o := range e.Object {
		if len(s.Distributions) > 0 && !contains(s.Distributions, o.Distribution) {
			continue
		}
		o.Attribute = filter(o.Attribute)
		objects = append(objects, o)
	}
	e.Object = objects
	if !req.IncludeAllTags {
		hideNonExportable(e)
	}
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// warnedFilter returns the test of restSearch's enforceWarninglist: an
// attribute whose value is on an enabled warninglist for its type is left
// out of the answer, as MISP leaves it out. Without the parameter the
// test keeps everything.
func (a *API) warnedFilter(ctx context.Context, req *restsearch.Request) (func(*misp.Attribute) bool, error) {
	if !req.EnforceWarninglist {
		return func(*misp.Attribute) bool { return false }, nil
	}
	ix, err := a.warnings.Index(ctx)
	if err != nil {
		return nil, fmt.Errorf("warninglists: %w", err)
	}
	return func(at *misp.Attribute) bool { return len(ix.Check(at.Type, at.Value)) > 0 }, nil
}
