package freetext

import (
	"regexp"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		in   string
		want []short
	}{
		{"exclude", Options{Exclude: regexp.MustCompile(`^192\.0\.2\.`)}, "192.0.2.1 198.51.100.1",
			one("198.51.100.1", "ip-dst")},
		// The pattern sees the candidate before refanging, as in MISP.
		{"exclude before refanging", Options{Exclude: regexp.MustCompile(`\[\.\]`)}, "evil[.]com evil.org",
			one("evil.org", "domain")},
		{"tlds", Options{TLDs: []string{"COM"}}, "evil.com evil.rs", []short{
			{"evil.com", "domain", ""}, {"evil.rs", "filename", ""},
		}},
		{"onion always", Options{TLDs: []string{"com"}}, "expyuzz4wqqyqhjn.onion", one("expyuzz4wqqyqhjn.onion", "domain")},
		{"vendors", Options{SecurityVendorDomains: []string{"Any.Run"}}, "https://app.any.run/tasks/1 https://virustotal.com/x", []short{
			{"https://app.any.run/tasks/1", "link", ""}, {"https://virustotal.com/x", "url", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shorten(New(tt.opts).Parse(tt.in))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("New(%+v).Parse(%q) mismatch (-want +got):\n%s", tt.opts, tt.in, diff)
			}
		})
	}
}

// TestParseConcurrent runs Parse from several goroutines on the shared
// default parser; go test -race checks that they share nothing mutable.
func TestParseConcurrent(t *testing.T) {
	text := readTestdata(t, "advisory-en.txt")
	want := Parse(text)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := Parse(text); !cmp.Equal(want, got) {
				t.Errorf("concurrent Parse = %v, want %v", got, want)
			}
		})
	}
	wg.Wait()
}
