package text

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/misp"
)

func TestGolden(t *testing.T) { exporttest.GoldenScopes(t, Format) }

func hit(typ, value string) misp.AttributeHit {
	return misp.AttributeHit{Attribute: &misp.Attribute{Type: typ, Value: value}, Event: &misp.Event{ID: 1}}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		hits []misp.AttributeHit
		want string
	}{
		{"empty answer is one newline", nil, "\n"},
		{"composite value whole", []misp.AttributeHit{hit("filename|md5", "a.exe|d41d8cd98f00b204e9800998ecf8427e")}, "a.exe|d41d8cd98f00b204e9800998ecf8427e\n"},
		{
			"repeats dropped, first order kept",
			[]misp.AttributeHit{hit("ip-src", "192.0.2.1"), hit("domain", "example.com"), hit("ip-dst", "192.0.2.1"), hit("ip-src", "192.0.2.2")},
			"192.0.2.1\nexample.com\n192.0.2.2\n",
		},
		{"case matters", []misp.AttributeHit{hit("domain", "Example.com"), hit("domain", "example.com")}, "Example.com\nexample.com\n"},
		{"newline kept raw", []misp.AttributeHit{hit("text", "a\nb")}, "a\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), tt.hits)
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("text answer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDedupAcrossEvents checks that a value repeated in two events of an
// events-scope answer is written once.
func TestDedupAcrossEvents(t *testing.T) {
	e1 := &misp.Event{ID: 1, Attribute: []*misp.Attribute{{Type: "md5", Value: "x"}}}
	e2 := &misp.Event{ID: 2, Attribute: []*misp.Attribute{{Type: "md5", Value: "x"}, {Type: "md5", Value: "y"}}}
	got := exporttest.WriteEvents(t, Format, exporttest.Options(export.ScopeEvents), []*misp.Event{e1, e2})
	if diff := cmp.Diff("x\ny\n", string(got)); diff != "" {
		t.Errorf("text answer (-want +got):\n%s", diff)
	}
}
