package auth

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestThrottle(limit, max int) (*Throttle, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	return NewThrottle(ThrottleConfig{Limit: limit, Window: 5 * time.Minute, MaxTracked: max, Now: clock.Now}), clock
}

func TestThrottleByAddress(t *testing.T) {
	th, clock := newTestThrottle(3, 0)
	ip := netip.MustParseAddr("192.0.2.1")
	other := netip.MustParseAddr("192.0.2.2")
	for i := 1; i <= 3; i++ {
		if _, blocked := th.Blocked(ip, []string{GenerateKey()}); blocked {
			t.Fatalf("attempt %d blocked, want the first 3 let through", i)
		}
		tripped := th.Fail(ip, []string{GenerateKey()})
		if wantTrip := i == 3; (len(tripped) > 0) != wantTrip {
			t.Errorf("Fail #%d tripped %q, want a trip only at the limit", i, tripped)
		}
	}
	clock.Advance(time.Minute)
	wait, blocked := th.Blocked(ip, nil)
	if !blocked || wait != 4*time.Minute {
		t.Errorf("Blocked(after limit) = %v, %v; want true, 4m (the rest of the window)", wait, blocked)
	}
	if _, blocked := th.Blocked(other, nil); blocked {
		t.Error("another address is blocked")
	}
	if _, blocked := th.Blocked(netip.MustParseAddr("::ffff:192.0.2.1"), nil); !blocked {
		t.Error("the IPv4-mapped form of the address is not blocked")
	}
	clock.Advance(4 * time.Minute)
	if _, blocked := th.Blocked(ip, nil); blocked {
		t.Error("still blocked after the window")
	}
	// The window starts over: one failure does not block.
	th.Fail(ip, nil)
	if _, blocked := th.Blocked(ip, nil); blocked {
		t.Error("blocked after one failure in a new window")
	}
}

func TestThrottleByKey(t *testing.T) {
	th, _ := newTestThrottle(2, 0)
	key := GenerateKey()
	for i := 0; i < 2; i++ {
		// From a new address each time: only the key's count grows.
		th.Fail(netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), []string{key})
	}
	if _, blocked := th.Blocked(netip.MustParseAddr("203.0.113.7"), []string{GenerateKey(), key}); !blocked {
		t.Error("a throttled key is let through from a fresh address")
	}
	if _, blocked := th.Blocked(netip.MustParseAddr("203.0.113.7"), []string{GenerateKey()}); blocked {
		t.Error("another key from a fresh address is blocked")
	}
}

func TestThrottleIPv6Prefix(t *testing.T) {
	th, _ := newTestThrottle(2, 0)
	th.Fail(netip.MustParseAddr("2001:db8:1:2::1"), nil)
	th.Fail(netip.MustParseAddr("2001:db8:1:2:ffff::9"), nil)
	if _, blocked := th.Blocked(netip.MustParseAddr("2001:db8:1:2::77"), nil); !blocked {
		t.Error("an address of a throttled /64 is let through")
	}
	if _, blocked := th.Blocked(netip.MustParseAddr("2001:db8:1:3::1"), nil); blocked {
		t.Error("an address of another /64 is blocked")
	}
}

func TestThrottleTripMessage(t *testing.T) {
	th, _ := newTestThrottle(1, 0)
	key := GenerateKey()
	tripped := th.Fail(netip.MustParseAddr("192.0.2.1"), []string{key})
	if len(tripped) != 2 {
		t.Fatalf("Fail tripped %q, want the address and the key", tripped)
	}
	all := strings.Join(tripped, "\n")
	if strings.Contains(all, key) || strings.Contains(all, key[4:12]) {
		t.Errorf("trip messages %q contain the key beyond its first four characters", all)
	}
	for _, want := range []string{"address 192.0.2.1", "API key " + key[:4] + "****", "refused until 2026-01-15 10:05:00 UTC"} {
		if !strings.Contains(all, want) {
			t.Errorf("trip messages %q do not mention %q", all, want)
		}
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	th, clock := newTestThrottle(2, 100)
	first := netip.MustParseAddr("10.0.0.1")
	th.Fail(first, nil)
	th.Fail(first, nil)
	for i := 0; i < 1000; i++ {
		clock.Advance(time.Millisecond)
		th.Fail(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), []string{GenerateKey()})
	}
	if ips, keys := th.Len(); ips > 100 || keys > 100 {
		t.Errorf("tracking %d addresses and %d keys, want at most 100 each", ips, keys)
	}
	if _, blocked := th.Blocked(first, nil); blocked {
		t.Error("the oldest entry was not evicted")
	}
	// Expired entries are dropped as new failures arrive.
	clock.Advance(time.Hour)
	th.Fail(first, nil)
	if ips, keys := th.Len(); ips != 1 || keys != 100 {
		t.Errorf("after the window: tracking %d addresses and %d keys, want 1 and 100 (keys expire when keys fail)", ips, keys)
	}
}

func TestThrottleDisabled(t *testing.T) {
	th, _ := newTestThrottle(0, 0)
	ip := netip.MustParseAddr("192.0.2.1")
	for i := 0; i < 100; i++ {
		if tripped := th.Fail(ip, nil); tripped != nil {
			t.Fatalf("disabled throttle tripped: %q", tripped)
		}
	}
	if _, blocked := th.Blocked(ip, nil); blocked {
		t.Error("disabled throttle blocks")
	}
}
