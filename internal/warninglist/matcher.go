package warninglist

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/razmena/razmena/internal/misp"
)

// Source is what a Matcher reads the enabled lists from;
// misp.WarninglistStore is one.
type Source interface {
	WarninglistRevision(ctx context.Context) (int64, error)
	EnabledWarninglists(ctx context.Context) ([]*misp.Warninglist, int64, error)
}

// Matcher keeps an Index over the enabled lists of a store and rebuilds
// it when they change, for the parts of the server that flag values
// (warninglists/checkValue, restSearch's enforceWarninglist, the warnings
// of event views, freetext import).
//
// The store advances a revision number with every change that can alter
// matching, in the transaction that makes the change. Index reads that
// number (one indexed row) and returns the cached Index if it was built
// at that revision, otherwise it reloads the enabled lists and their
// revision from one snapshot and builds a new one. So an answer never
// uses lists older than those committed when the call began, also when
// another server process sharing the PostgreSQL database made the change.
//
// A Matcher is safe for concurrent use. Readers take the cached Index
// without locking (an atomic pointer); one rebuild runs at a time, and
// callers needing the new revision wait for it (or for their context).
// The returned Index is immutable: a caller may use it for a whole
// request while rebuilds replace the cached one.
type Matcher struct {
	src Source
	cur atomic.Pointer[built]
	// build is held by the goroutine rebuilding the Index.
	build chan struct{}
}

// built is an Index and the revision of the lists it was built from.
type built struct {
	rev int64
	ix  *Index
}

// NewMatcher returns a Matcher over src. It reads nothing until used.
func NewMatcher(src Source) *Matcher {
	return &Matcher{src: src, build: make(chan struct{}, 1)}
}

// Index returns an Index over the lists enabled in the store now,
// building it first if they changed since the last call. Its cost is one
// revision read when nothing changed.
func (m *Matcher) Index(ctx context.Context) (*Index, error) {
	rev, err := m.src.WarninglistRevision(ctx)
	if err != nil {
		return nil, fmt.Errorf("warninglist matcher: %w", err)
	}
	if b := m.cur.Load(); b != nil && b.rev == rev {
		return b.ix, nil
	}
	select {
	case m.build <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("warninglist matcher: %w", ctx.Err())
	}
	defer func() { <-m.build }()
	// Another caller may have rebuilt while this one waited.
	if rev, err = m.src.WarninglistRevision(ctx); err != nil {
		return nil, fmt.Errorf("warninglist matcher: %w", err)
	}
	if b := m.cur.Load(); b != nil && b.rev == rev {
		return b.ix, nil
	}
	stored, rev, err := m.src.EnabledWarninglists(ctx)
	if err != nil {
		return nil, fmt.Errorf("warninglist matcher: %w", err)
	}
	lists := make([]*List, len(stored))
	for i, w := range stored {
		lists[i] = FromMISP(w)
	}
	ix := NewIndex(lists)
	m.cur.Store(&built{rev: rev, ix: ix})
	return ix, nil
}

// Check is Index(ctx) followed by Index.Check, for a single value; a
// caller checking many values should take the Index once.
func (m *Matcher) Check(ctx context.Context, typ, value string) ([]Hit, error) {
	ix, err := m.Index(ctx)
	if err != nil {
		return nil, err
	}
	return ix.Check(typ, value), nil
}
