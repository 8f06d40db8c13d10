package restapi

import (
	"slices"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

func TestExportableTags(t *testing.T) {
	tag := func(name string, exportable bool) *misp.AttachedTag {
		return &misp.AttachedTag{Name: name, Exportable: misp.Bool(exportable)}
	}
	a, b, c, hidden := tag("a", true), tag("b", true), tag("c", true), tag("hidden", false)
	for _, tc := range []struct {
		in, want []*misp.AttachedTag
	}{
		{nil, nil},
		{[]*misp.AttachedTag{}, nil},
		{[]*misp.AttachedTag{hidden}, nil},
		{[]*misp.AttachedTag{a, b}, []*misp.AttachedTag{a, b}},
		{[]*misp.AttachedTag{hidden, a, b}, []*misp.AttachedTag{a, b}},
		{[]*misp.AttachedTag{a, hidden, b, hidden, c}, []*misp.AttachedTag{a, b, c}},
		{[]*misp.AttachedTag{a, b, hidden}, []*misp.AttachedTag{a, b}},
	} {
		in := slices.Clone(tc.in)
		got := exportableTags(in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("exportableTags(%v) = %v, want %v", tagNames(tc.in), tagNames(got), tagNames(tc.want))
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("exportableTags(%v) changed its input to %v", tagNames(tc.in), tagNames(in))
		}
		if len(got) == len(in) && len(got) > 0 && &got[0] != &in[0] {
			t.Errorf("exportableTags(%v) copied a slice whose tags are all exportable", tagNames(tc.in))
		}
	}
}

func tagNames(tags []*misp.AttachedTag) []string {
	var names []string
	for _, t := range tags {
		names = append(names, t.Name)
	}
	return names
}
