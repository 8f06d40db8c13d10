package warninglist

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// fakeSource is an in-memory Source: lists by name, a revision advanced
// by every change, and counters of the reads.
type fakeSource struct {
	mu     sync.Mutex
	rev    int64
	lists  []*misp.Warninglist
	err    error
	loads  atomic.Int64
	checks atomic.Int64
	// gate, when not nil, blocks EnabledWarninglists until closed, after
	// a send on entered.
	gate    chan struct{}
	entered chan struct{}
}

func (f *fakeSource) WarninglistRevision(context.Context) (int64, error) {
	f.checks.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rev, f.err
}

func (f *fakeSource) EnabledWarninglists(ctx context.Context) ([]*misp.Warninglist, int64, error) {
	f.loads.Add(1)
	if f.gate != nil {
		f.entered <- struct{}{}
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*misp.Warninglist
	for _, w := range f.lists {
		if w.Enabled {
			c := *w // a store returns lists of its own
			out = append(out, &c)
		}
	}
	return out, f.rev, f.err
}

func (f *fakeSource) set(name string, enabled bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range f.lists {
		if w.Name == name {
			w.Enabled = misp.Bool(enabled)
		}
	}
	f.rev++
}

func newFakeSource() *fakeSource {
	dns := (&List{ID: 1, Name: "dns", Version: 1, Type: TypeCIDR, Category: CategoryFalsePositive,
		MatchingAttributes: []string{"ip-src", "ip-dst"}, Entries: []string{"8.8.8.8/32", "1.1.1.0/24"}}).MISP()
	hosts := (&List{ID: 2, Name: "hosts", Version: 1, Type: TypeHostname, Category: CategoryKnown,
		Entries: []string{"example.com"}}).MISP() // no matching attributes: ALL
	hosts.Types = nil
	return &fakeSource{lists: []*misp.Warninglist{dns, hosts}}
}

func TestMatcherFollowsRevision(t *testing.T) {
	ctx := t.Context()
	src := newFakeSource()
	m := NewMatcher(src)
	check := func(typ, value string) []string {
		t.Helper()
		hits, err := m.Check(ctx, typ, value)
		if err != nil {
			t.Fatalf("Check(%s, %s) = %v", typ, value, err)
		}
		return hitNames(hits)
	}
	if got := check("ip-dst", "8.8.8.8"); got != nil {
		t.Errorf("nothing enabled: Check(8.8.8.8) = %v", got)
	}
	src.set("dns", true)
	if got := check("ip-dst", "8.8.8.8"); len(got) != 1 || got[0] != "dns = 8.8.8.8/32" {
		t.Errorf("dns enabled: Check(8.8.8.8) = %v", got)
	}
	if got := check("domain", "www.example.com"); got != nil {
		t.Errorf("hosts disabled: Check(www.example.com) = %v", got)
	}
	loads := src.loads.Load()
	for range 5 {
		check("ip-src", "1.1.1.1")
	}
	if n := src.loads.Load() - loads; n != 0 {
		t.Errorf("%d reloads without a change, want 0", n)
	}
	src.set("hosts", true)
	if got := check("domain", "www.example.com"); len(got) != 1 || got[0] != "hosts = example.com" {
		t.Errorf("hosts enabled: Check(www.example.com) = %v", got)
	}
	src.set("dns", false)
	if got := check("ip-dst", "8.8.8.8"); got != nil {
		t.Errorf("dns disabled again: Check(8.8.8.8) = %v", got)
	}
	if n := src.loads.Load() - loads; n != 2 {
		t.Errorf("%d reloads after two changes, want 2", n)
	}
}

func TestMatcherErrors(t *testing.T) {
	src := newFakeSource()
	src.err = errors.New("database down")
	m := NewMatcher(src)
	if _, err := m.Index(t.Context()); !errors.Is(err, src.err) {
		t.Errorf("Index() = %v, want the source's error", err)
	}
	src.err = nil
	if _, err := m.Index(t.Context()); err != nil {
		t.Errorf("Index() after recovery = %v", err)
	}
}

// TestMatcherConcurrent has many goroutines ask while lists change: each
// answer must reflect a state at least as new as the one before the call,
// and a rebuild is shared by the callers waiting for it.
func TestMatcherConcurrent(t *testing.T) {
	ctx := t.Context()
	src := newFakeSource()
	src.set("dns", true)
	m := NewMatcher(src)
	if _, err := m.Index(ctx); err != nil {
		t.Fatal(err)
	}

	// Callers waiting for a slow rebuild share it.
	src.gate, src.entered = make(chan struct{}), make(chan struct{}, 1)
	src.set("hosts", true)
	loads := src.loads.Load()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			hits, err := m.Check(ctx, "domain", "a.example.com")
			if err == nil && len(hits) != 1 {
				err = errors.New("no hit on the newly enabled list")
			}
			errs <- err
		})
	}
	// A caller whose context ends while it waits gives up.
	<-src.entered
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Index(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Index(cancelled) while a rebuild runs = %v, want context.Canceled", err)
	}
	close(src.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := src.loads.Load() - loads; n != 1 {
		t.Errorf("%d loads for 8 waiting callers, want 1", n)
	}

	// Readers and writers at once, for the race detector.
	src.gate = nil
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				if i == 0 {
					src.set("dns", j%2 == 0)
					continue
				}
				if _, err := m.Check(ctx, "ip-dst", "8.8.8.8"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
