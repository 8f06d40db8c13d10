package csv

import (
	"bufio"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/misp"
)

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		edit func(*export.Options)
	}{
		{"default", func(*export.Options) {}},
		{"context", func(o *export.Options) { o.IncludeContext = true }},
		{"requested", func(o *export.Options) {
			o.RequestedAttributes = []string{"id", "value", "value1", "value2", "first_seen", "object_uuid", "event_uuid", "nonsense"}
			o.IncludeEventUUID = true
		}},
		{"headerless", func(o *export.Options) { o.Headerless = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := exporttest.Options(export.ScopeAttributes)
			tt.edit(&o)
			exporttest.Golden(t, "attributes_"+tt.name, exporttest.WriteAttributes(t, Format, o, exporttest.Hits()))
			o.Scope = export.ScopeEvents
			exporttest.Golden(t, "events_"+tt.name, exporttest.WriteEvents(t, Format, o, exporttest.Events()))
		})
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name string
		o    export.Options
		want string
	}{
		{
			name: "default",
			want: "uuid,event_id,category,type,value,comment,to_ids,date,object_relation,attribute_tag,object_uuid,object_name,object_meta_category\n",
		},
		{
			name: "context",
			o:    export.Options{IncludeContext: true},
			want: "uuid,event_id,category,type,value,comment,to_ids,date,object_relation,attribute_tag,object_uuid,object_name,object_meta_category," +
				"event_info,event_member_org,event_source_org,event_distribution,event_threat_level_id,event_analysis,event_date,event_tag,event_timestamp\n",
		},
		{
			name: "requested drops the object columns, keeps order and unknown names",
			o:    export.Options{RequestedAttributes: []string{"value", "timestamp", "no-such", "uuid", "value"}},
			want: "value,date,no_such,uuid,value\n",
		},
		{
			name: "requested with context",
			o:    export.Options{RequestedAttributes: []string{"value"}, IncludeContext: true},
			want: "value,event_info,event_member_org,event_source_org,event_distribution,event_threat_level_id,event_analysis,event_date,event_tag,event_timestamp\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Scope = export.ScopeAttributes
			got := string(exporttest.WriteAttributes(t, Format, tt.o, nil))
			if diff := cmp.Diff(tt.want+"\n", got); diff != "" {
				t.Errorf("empty csv answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHeaderless(t *testing.T) {
	o := export.Options{Scope: export.ScopeAttributes, Headerless: true, RequestedAttributes: []string{"value"}}
	if got := string(exporttest.WriteAttributes(t, Format, o, nil)); got != "\n" {
		t.Errorf("empty headerless answer = %q, want %q", got, "\n")
	}
	h := misp.AttributeHit{Attribute: &misp.Attribute{Value: "a"}, Event: &misp.Event{}}
	if got := string(exporttest.WriteAttributes(t, Format, o, []misp.AttributeHit{h})); got != "\"a\"\n\n" {
		t.Errorf("headerless answer = %q, want %q", got, "\"a\"\n\n")
	}
}

func TestCell(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"plain", `"plain"`},
		{`say "hi"`, `"say ""hi"""`},
		{`"`, `""""`},
		{"a,b;c", `"a,b;c"`},
		{"line one\nline two", "\"line one\nline two\""},
		{"cr\r\nlf", "\"cr\r\nlf\""},
		{`=HYPERLINK("http://x")`, `"=HYPERLINK(""http://x"")"`},
		{"198.51.100.23", `"198.51.100.23"`},
		{"2001:db8::1", `"2001:db8::1"`},
		{"AS64500", `"AS64500"`},
		{"0x1A", `"0x1A"`},
		{"inf", `"inf"`},
		// PHP's is_numeric: written bare.
		{"48213", "48213"},
		{"007", "007"},
		{"-1.5", "-1.5"},
		{"+.5", "+.5"},
		{"1.", "1."},
		{"1e5", "1e5"},
		{"1.5E-3", "1.5E-3"},
		{" 12", " 12"},
		{"12 \n", "12 \n"},
		{"123456789012345678901234567890", "123456789012345678901234567890"},
		{"1234e567", "1234e567"},
		// Not numeric.
		{".", `"."`},
		{"-", `"-"`},
		{"1e", `"1e"`},
		{"1e+", `"1e+"`},
		{"1e5.3", `"1e5.3"`},
		{"1.2.3", `"1.2.3"`},
		{"1 2", `"1 2"`},
		{" ", `" "`},
		{"5\x00", "\"5\x00\""},
	}
	for _, tt := range tests {
		var b strings.Builder
		bw := bufio.NewWriter(&b)
		if err := writeCell(bw, tt.in); err != nil {
			t.Fatal(err)
		}
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != tt.want {
			t.Errorf("writeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestScopes checks the columns that exist in one scope only.
func TestScopes(t *testing.T) {
	h := misp.AttributeHit{
		Attribute: &misp.Attribute{Type: "domain|ip", Value: "example.com|192.0.2.1"},
		Event:     &misp.Event{UUID: "e-uuid"},
	}
	cols := []string{"value1", "value2", "decay_score_score", "decay_score_decayed", "event_uuid"}
	tests := []struct {
		name string
		o    export.Options
		want string
	}{
		{"attributes", export.Options{Scope: export.ScopeAttributes, IncludeEventUUID: true}, `"example.com","192.0.2.1",0,0,"e-uuid"`},
		{"attributes without includeEventUuid", export.Options{Scope: export.ScopeAttributes}, `"example.com","192.0.2.1",0,0,""`},
		{"events", export.Options{Scope: export.ScopeEvents, IncludeEventUUID: true}, `"","","","",""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.RequestedAttributes, tt.o.Headerless = cols, true
			got := string(exporttest.WriteAttributes(t, Format, tt.o, []misp.AttributeHit{h}))
			if diff := cmp.Diff(tt.want+"\n\n", got); diff != "" {
				t.Errorf("csv answer (-want +got):\n%s", diff)
			}
		})
	}
}
