package hashes

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
		{"no hash types is one newline", []misp.AttributeHit{hit("ip-src", "192.0.2.1"), hit("filename", "a.exe")}, "\n"},
		{"simple type", []misp.AttributeHit{hit("sha256", "e3b0c442")}, "e3b0c442\n"},
		{"composite: right part", []misp.AttributeHit{hit("filename|sha1", "a|b.exe|da39a3ee")}, "b.exe\n"},
		{"malware-sample: md5 part", []misp.AttributeHit{hit("malware-sample", "mal.exe|9e107d9d")}, "9e107d9d\n"},
		{"x509 fingerprint", []misp.AttributeHit{hit("x509-fingerprint-sha256", "ab12")}, "ab12\n"},
		{
			"types MISP leaves out",
			[]misp.AttributeHit{hit("filename|sha384", "a|b"), hit("vhash", "c"), hit("telfhash", "d"), hit("cdhash", "e")},
			"\n",
		},
		{"repeats kept", []misp.AttributeHit{hit("md5", "x"), hit("filename|md5", "f|x")}, "x\nx\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exporttest.WriteAttributes(t, Format, exporttest.Options(export.ScopeAttributes), tt.hits)
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("hashes answer (-want +got):\n%s", diff)
			}
		})
	}
}
