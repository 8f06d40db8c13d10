package misp

import (
	"encoding/json"
	"testing"
)

func TestLenientInput(t *testing.T) {
	var v struct {
		A Int          `json:"a"`
		B Bool         `json:"b"`
		C Distribution `json:"c"`
		D Analysis     `json:"d"`
		E ThreatLevel  `json:"e"`
	}
	tests := []struct {
		in   string
		want [5]int64
	}{
		{`{"a":"12","b":"1","c":4,"d":"Ongoing","e":"high"}`, [5]int64{12, 1, 4, 1, 1}},
		{`{"a":12,"b":true,"c":"5","d":2,"e":"3"}`, [5]int64{12, 1, 5, 2, 3}},
		{`{"a":null,"b":0,"c":"","d":"0","e":4}`, [5]int64{0, 0, 0, 0, 4}},
		{`{"a":"","b":"false","c":0,"d":"completed","e":"Undefined"}`, [5]int64{0, 0, 0, 2, 4}},
	}
	for _, tt := range tests {
		v.A, v.B, v.C, v.D, v.E = 0, false, 0, 0, 0
		if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
			t.Errorf("Unmarshal(%s) = %v", tt.in, err)
			continue
		}
		b := int64(0)
		if v.B {
			b = 1
		}
		got := [5]int64{int64(v.A), b, int64(v.C), int64(v.D), int64(v.E)}
		if got != tt.want {
			t.Errorf("Unmarshal(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{`{"a":"x"}`, `{"a":1.5}`, `{"b":"maybe"}`, `{"c":{}}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("Unmarshal(%s) = nil, want an error", bad)
		}
	}
	out, err := json.Marshal(struct {
		A Int  `json:"a"`
		B Bool `json:"b"`
	}{7, true})
	if err != nil || string(out) != `{"a":"7","b":true}` {
		t.Errorf("Marshal = %s, %v; want integers as strings, booleans as booleans", out, err)
	}
}

func TestParseMicroTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // ISO output, "" = error
	}{
		{"2019-06-02T22:14:28.711954+00:00", "2019-06-02T22:14:28.711954+00:00"},
		{"2019-06-02T22:14:28Z", "2019-06-02T22:14:28.000000+00:00"},
		{"2019-06-02T23:14:28+01:00", "2019-06-02T22:14:28.000000+00:00"},
		{"2019-06-02", "2019-06-02T00:00:00.000000+00:00"},
		{"1559513668", "2019-06-02T22:14:28.000000+00:00"},       // seconds
		{"1559513668711", "2019-06-02T22:14:28.711000+00:00"},    // milliseconds
		{"1559513668711954", "2019-06-02T22:14:28.711954+00:00"}, // microseconds
		{"9000000000000000000", ""},                              // year > 9999
		{"yesterday", ""},
	}
	for _, tt := range tests {
		got, err := ParseMicroTime(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseMicroTime(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseMicroTime(%q) = %v", tt.in, err)
			continue
		}
		b, _ := got.MarshalJSON()
		if string(b) != `"`+tt.want+`"` {
			t.Errorf("ParseMicroTime(%q) = %s, want %q", tt.in, b, tt.want)
		}
		back, err := ParseMicroTime(tt.want)
		if err != nil || back != got {
			t.Errorf("round trip of %q = %v, %v", tt.want, back, err)
		}
	}
}

func TestUUID(t *testing.T) {
	u := NewUUID()
	if !IsUUID(u) || u[14] != '4' {
		t.Errorf("NewUUID() = %q, want a v4 UUID", u)
	}
	for _, bad := range []string{"", "not-a-uuid", "0bb1b8b4-3d4a-4c4b-9b6a-1c2d3e4f5a6", "0bb1b8b4x3d4a-4c4b-9b6a-1c2d3e4f5a6b"} {
		if IsUUID(bad) {
			t.Errorf("IsUUID(%q) = true", bad)
		}
	}
}

func TestPermission(t *testing.T) {
	for level := PermissionReadOnly; level <= PermissionPublish; level++ {
		var p Perms
		p.SetPermission(level)
		if got := p.Permission(); got != level {
			t.Errorf("SetPermission(%d).Permission() = %d", level, got)
		}
	}
	ro := Perms{Add: true, SiteAdmin: true, Auth: true, Audit: true}.ReadOnly()
	if ro != (Perms{Auth: true, Audit: true}) {
		t.Errorf("ReadOnly() = %+v, want only auth and audit", ro)
	}
}
