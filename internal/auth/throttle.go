package auth

import (
	"container/list"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Throttle defaults.
const (
	// DefaultFailLimit is the number of failed authentications a client
	// address or a key may have within DefaultFailWindow.
	DefaultFailLimit = 10
	// DefaultFailWindow is the window failures are counted in.
	DefaultFailWindow = 5 * time.Minute
	// DefaultMaxTracked caps the client addresses and the keys tracked
	// (each); about 150 bytes each.
	DefaultMaxTracked = 10000
)

// ThrottleConfig configures a Throttle.
type ThrottleConfig struct {
	// Limit is the number of failures allowed per subject within Window;
	// 0 disables throttling.
	Limit int
	// Window is how long failures count, from a subject's first failure.
	Window time.Duration
	// MaxTracked caps the subjects tracked per kind (addresses, keys);
	// when full, the subject whose window started first is forgotten.
	// 0 means DefaultMaxTracked.
	MaxTracked int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Throttle refuses API-key authentication to client addresses and keys
// that failed too often: a subject with Limit failures in a window is
// refused until the window, which opens at its first failure, has passed —
// even with a valid key, so that a brute force cannot learn that it hit.
// Successful authentications neither count nor reset the counters.
//
// Keys are tracked by their SHA-256 digest, never in the clear. IPv6
// clients are tracked per /64, the block one subscriber usually controls.
// State is in memory, per process: several processes behind one
// PostgreSQL each keep their own counters (a client spreading attempts
// over n processes gets n×Limit per window). Memory is bounded by
// MaxTracked per kind; no goroutine is involved (expired entries are
// dropped as new ones arrive). A Throttle is safe for concurrent use.
type Throttle struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	ips  *failureTable
	keys *failureTable
}

// NewThrottle returns a Throttle configured by c.
func NewThrottle(c ThrottleConfig) *Throttle {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxTracked <= 0 {
		c.MaxTracked = DefaultMaxTracked
	}
	return &Throttle{
		limit: c.Limit, window: c.Window, now: c.Now,
		ips:  newFailureTable(c.MaxTracked),
		keys: newFailureTable(c.MaxTracked),
	}
}

// Blocked reports whether a request from ip carrying the candidate keys
// must be refused without checking the keys, and for how long at most.
func (t *Throttle) Blocked(ip netip.Addr, keys []string) (time.Duration, bool) {
	if t.limit <= 0 {
		return 0, false
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	check := func(ft *failureTable, id string) {
		if e := ft.get(id); e != nil && e.count >= t.limit {
			if left := e.start.Add(t.window).Sub(now); left > wait {
				wait = left
			}
		}
	}
	check(t.ips, ipSubject(ip))
	for _, k := range keys {
		check(t.keys, keySubject(k))
	}
	return wait, wait > 0
}

// Fail records a failed authentication from ip with the candidate keys
// and returns a sentence for each subject this failure throttled (that
// reached the limit), for the audit log. A key appears in it by its first
// four characters only.
func (t *Throttle) Fail(ip netip.Addr, keys []string) []string {
	if t.limit <= 0 {
		return nil
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var tripped []string
	note := func(ft *failureTable, id, what string) {
		if e := ft.fail(id, now, t.window); e.count == t.limit {
			tripped = append(tripped, fmt.Sprintf("Authentication throttled for %s: %d failed attempts since %s UTC; refused until %s UTC",
				what, e.count, e.start.UTC().Format(time.DateTime), e.start.Add(t.window).UTC().Format(time.DateTime)))
		}
	}
	ipID := ipSubject(ip)
	note(t.ips, ipID, "address "+ipID)
	for _, k := range keys {
		note(t.keys, keySubject(k), "API key "+KeyPrefix(k))
	}
	return tripped
}

// KeyPrefix is what may be shown or logged of a key: its first four
// characters followed by asterisks, as MISP logs keys.
func KeyPrefix(key string) string {
	if len(key) < 4 {
		return "****"
	}
	return key[:4] + "************************************"
}

// ipSubject names the throttled unit of an address: the address itself
// for IPv4, its /64 for IPv6.
func ipSubject(ip netip.Addr) string {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return "unknown"
	}
	if ip.Is6() {
		p, err := ip.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// keySubject is the digest a key is tracked by.
func keySubject(key string) string { return string(HashKey(key)) }

// failureEntry counts the failures of one subject in its current window.
type failureEntry struct {
	id    string
	start time.Time
	count int
}

// failureTable holds at most max entries in a map, and in a list ordered
// by window start (oldest first) for expiry and eviction.
type failureTable struct {
	max   int
	byID  map[string]*list.Element
	order *list.List
}

func newFailureTable(max int) *failureTable {
	return &failureTable{max: max, byID: map[string]*list.Element{}, order: list.New()}
}

func (ft *failureTable) get(id string) *failureEntry {
	if el, ok := ft.byID[id]; ok {
		return el.Value.(*failureEntry)
	}
	return nil
}

// fail counts a failure of id at now and returns its entry. A window that
// has passed starts over.
func (ft *failureTable) fail(id string, now time.Time, window time.Duration) *failureEntry {
	if el, ok := ft.byID[id]; ok {
		e := el.Value.(*failureEntry)
		if now.Before(e.start.Add(window)) {
			e.count++
			return e
		}
		ft.remove(el)
	}
	ft.expire(now, window)
	for ft.order.Len() >= ft.max {
		ft.remove(ft.order.Front())
	}
	e := &failureEntry{id: id, start: now, count: 1}
	ft.byID[id] = ft.order.PushBack(e)
	return e
}

// expire drops the entries whose window has passed. The list is ordered by
// start, so they are at its front.
func (ft *failureTable) expire(now time.Time, window time.Duration) {
	for el := ft.order.Front(); el != nil; el = ft.order.Front() {
		if now.Before(el.Value.(*failureEntry).start.Add(window)) {
			return
		}
		ft.remove(el)
	}
}

func (ft *failureTable) remove(el *list.Element) {
	delete(ft.byID, el.Value.(*failureEntry).id)
	ft.order.Remove(el)
}

// Len returns the number of client addresses and keys tracked, for tests
// and metrics.
func (t *Throttle) Len() (ips, keys int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ips.order.Len(), t.keys.order.Len()
}
