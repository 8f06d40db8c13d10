package warninglist

import (
	"context"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// MISP converts l to the stored form: a library list (Default), its
// entries as Parse left them (trimmed, cidr entries canonical, unusable
// ones in Skipped and not stored) and its matching attribute types.
func (l *List) MISP() *misp.Warninglist {
	w := &misp.Warninglist{
		ID:          misp.Int(l.ID),
		Name:        l.Name,
		Type:        l.Type,
		Description: l.Description,
		Version:     misp.Int(l.Version),
		Enabled:     misp.Bool(l.Enabled),
		Default:     true,
		Category:    l.Category,
		EntryCount:  len(l.Entries),
		Entries:     make([]misp.WarninglistEntry, len(l.Entries)),
		Types:       make([]misp.WarninglistType, len(l.MatchingAttributes)),
	}
	for i, e := range l.Entries {
		w.Entries[i].Value = e
	}
	for i, t := range l.MatchingAttributes {
		w.Types[i].Type = t
	}
	return w
}

// FromMISP converts a stored list back, for NewIndex: the entry values
// and the matching attribute types (none means "ALL").
func FromMISP(w *misp.Warninglist) *List {
	l := &List{
		ID:                 int64(w.ID),
		Name:               w.Name,
		Version:            int(w.Version),
		Description:        w.Description,
		Type:               w.Type,
		Category:           w.Category,
		Entries:            make([]string, len(w.Entries)),
		MatchingAttributes: w.MatchingAttributes(),
		Enabled:            bool(w.Enabled),
	}
	for i, e := range w.Entries {
		l.Entries[i] = e.Value
	}
	if len(l.MatchingAttributes) == 0 {
		l.MatchingAttributes = []string{AllTypes}
	}
	return l
}

// Importer stores warninglists; misp.WarninglistStore is one.
type Importer interface {
	ImportWarninglists(ctx context.Context, lists []*misp.Warninglist) (misp.LibraryResult, error)
}

// ImportDir loads the misp-warninglists checkout at dir (or its lists
// directory) and imports it into st, as MISP's warninglists/update does:
// each list added (disabled), replaced by a newer version (keeping
// enabled) or left unchanged. The files that could not be loaded are
// listed in the result's Errors ("path: cause"), the absent ones in its
// Missing (see Load), and the others are imported; the error is the
// store's.
func ImportDir(ctx context.Context, st Importer, dir string) (misp.LibraryResult, error) {
	loaded, rep := Load(dir)
	lists := make([]*misp.Warninglist, len(loaded))
	for i, l := range loaded {
		lists[i] = l.MISP()
	}
	res, err := st.ImportWarninglists(ctx, lists)
	res.Library = "warninglists"
	rep.AddTo(&res)
	if err != nil {
		return res, fmt.Errorf("import warninglists from %s: %w", dir, err)
	}
	return res, nil
}
