package restapi

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestLeakMatrix is the access-control acceptance test (issue #3): for
// every user of the generated world (leakDescribe) and every read path
// (leakPaths), the things the API returns must be exactly those the
// oracle (leakOracle) allows — nothing hidden may leak, nothing visible
// may go missing — and a refused lookup must look like a lookup of
// nothing. It runs with MISP.unpublishedprivate off and on, and, through
// TestMain, on SQLite and on PostgreSQL.
func TestLeakMatrix(t *testing.T) {
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("unpublishedprivate=%v", private), func(t *testing.T) {
			env := newTestEnv(t)
			env.DB.Policy.UnpublishedPrivate = private
			w := leakDescribe()
			f := leakBuild(t, env, w)
			o := &leakOracle{w: w, unpublishedPrivate: private}
			before := env.snapshot(t)
			for _, p := range leakPaths {
				t.Run(p.name, func(t *testing.T) {
					// Users are independent readers: ask for them
					// concurrently, report in order.
					diffs := make([]string, len(w.Users))
					var wg sync.WaitGroup
					sem := make(chan struct{}, 4)
					for i, u := range w.Users {
						wg.Add(1)
						sem <- struct{}{}
						go func() {
							defer func() { <-sem; wg.Done() }()
							diffs[i] = p.want(o, u).diff(p.collect(t, f, u))
						}()
					}
					wg.Wait()
					for i, d := range diffs {
						if d != "" {
							t.Errorf("%s as %s (-want +got):\n%s", p.name, w.Users[i].Key, d)
						}
					}
				})
			}
			env.assertUnchanged(t, before)
		})
	}
}

// TestLeakMatrixCoverage checks that the world exercises what the matrix
// claims: every user sees something and misses something, and every
// path returns, for some user, each kind of thing it can return.
func TestLeakMatrixCoverage(t *testing.T) {
	w := leakDescribe()
	o := &leakOracle{w: w}
	if n := len(w.Users); n != 18 {
		t.Errorf("users = %d, want 3 orgs × 6 roles", n)
	}
	all := o.allEvents(&leakUser{SiteAdmin: true}, true)
	for _, u := range w.Users {
		got := o.allEvents(u, true)
		if len(got) == 0 || (!u.SiteAdmin && len(got) == len(all)) {
			t.Errorf("user %s sees %d of %d things: the world does not separate it", u.Key, len(got), len(all))
		}
	}
	leakGalaxyCoverage(t, w, o)
	// Each org sees a different slice, and unpublishedprivate changes it.
	seen := map[string]bool{}
	for _, org := range w.Orgs {
		u := &leakUser{Org: org, Audit: true}
		for _, private := range []bool{false, true} {
			o.unpublishedPrivate = private
			key := strings.Join(o.allEvents(u, false).sorted(), "\n")
			if seen[key] {
				t.Errorf("org %s (unpublishedprivate=%v) sees the same as another case", org, private)
			}
			seen[key] = true
		}
	}
}

// leakSet is a set of things received, each named "<kind> <id>".
type leakSet map[string]bool

func (s leakSet) add(kind, id string) { s[kind+" "+id] = true }

func (s leakSet) sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// diff lists what is only in want (-) and only in got (+), at most 40
// lines of each.
func (s leakSet) diff(got leakSet) string {
	var b strings.Builder
	for _, side := range []struct {
		sign     string
		from, in leakSet
	}{{"-", s, got}, {"+", got, s}} {
		n := 0
		for _, k := range side.from.sorted() {
			if side.in[k] {
				continue
			}
			if n++; n <= 40 {
				fmt.Fprintf(&b, "%s %s\n", side.sign, k)
			}
		}
		if n > 40 {
			fmt.Fprintf(&b, "%s … %d more\n", side.sign, n-40)
		}
	}
	return b.String()
}
