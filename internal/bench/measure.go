package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// pageSize is the page of the listing target (restSearch's 20,000-row
// page that takes ~4.9 s on MISP with 5 M md5 attributes).
const pageSize = 20000

// maxPages bounds the pages walked to reach a deep page.
const maxPages = 60

// exportPage is the page size of the export stream.
const exportPage = 5000

// rawAttrCols are the attribute columns the raw queries read: the same
// the store scans.
const rawAttrCols = `a.id, a.uuid, a.event_id, a.object_id, a.object_relation, a.category, a.type,
	a.value1, a.value2, a.to_ids, a.timestamp, a.distribution, a.sharing_group_id, a.comment,
	a.deleted, a.disable_correlation, a.first_seen, a.last_seen, a.data`

// rawQuery runs q (with ? placeholders, rewritten to $N for PostgreSQL)
// and reads every column of every row, returning the row count.
func (r *run) rawQuery(ctx context.Context, q string, args ...any) (int, error) {
	if r.cfg.Store == "postgres" {
		var b strings.Builder
		n := 0
		for _, c := range q {
			if c == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(c)
		}
		q = b.String()
	}
	// A prepared statement per query text, as the store keeps its own:
	// the baseline measures running the query, not parsing it.
	st, ok := r.rawStmts[q]
	if !ok {
		var err error
		if st, err = r.rawSQL().PrepareContext(ctx, q); err != nil {
			return 0, err
		}
		if r.rawStmts == nil {
			r.rawStmts = make(map[string]*sql.Stmt)
		}
		r.rawStmts[q] = st
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// users are the two readers every read figure is taken for.
func (r *run) users() []struct {
	name  string
	actor *misp.Actor
} {
	return []struct {
		name  string
		actor *misp.Actor
	}{{"org user", r.user}, {"site admin", r.admin}}
}

// lookupValues picks the values to look up: popular values (several
// hits each) and values of random stored attributes (usually one hit).
func (r *run) lookupValues(ctx context.Context) ([]string, error) {
	rng := rand.New(rand.NewPCG(r.cfg.Seed^otherStreams, 0x100c))
	var vals []string
	for len(vals) < r.cfg.Lookups/2 {
		pool := r.c.pools[attrTypes[rng.IntN(len(attrTypes))].name]
		vals = append(vals, pool[rng.IntN(len(pool))])
	}
	for len(vals) < r.cfg.Lookups {
		var v string
		id := 1 + rng.Int64N(int64(r.c.total))
		q := "SELECT value1 FROM attributes WHERE id >= ? ORDER BY id LIMIT 1"
		if r.cfg.Store == "postgres" {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if err := r.db.SQL().QueryRowContext(ctx, q, id).Scan(&v); err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// lookups measures exact-value search latency through the store for each
// user, and the raw indexed SELECT of the same rows.
func (r *run) lookups(ctx context.Context) error {
	vals, err := r.lookupValues(ctx)
	if err != nil {
		return err
	}
	raw := make([]time.Duration, 0, len(vals))
	hits := 0
	for _, v := range vals {
		t := time.Now()
		// The same condition as the store's: a composite half of its own,
		// or both halves of a composite. value2's index leaves the empty
		// value2 out (migration 00013), and a planner uses it only for a
		// term that says so: SQLite read the whole table for
		// "a.value2 = ?" alone (232 ms a lookup at 1 M attributes).
		cond, qa := "a.value1 = ? OR (a.value2 = ? AND a.value2 <> '')", []any{v, v}
		if v1, v2, ok := strings.Cut(v, "|"); ok {
			cond += " OR (a.value1 = ? AND a.value2 = ?)"
			qa = append(qa, v1, v2)
		}
		n, err := r.rawQuery(ctx, "SELECT "+rawAttrCols+" FROM attributes a WHERE ("+cond+") AND a.deleted = FALSE ORDER BY a.id", qa...)
		if err != nil {
			return err
		}
		raw = append(raw, time.Since(t))
		hits += n
	}
	rawLat := latency(raw)
	for _, u := range r.users() {
		ds := make([]time.Duration, 0, len(vals))
		got := 0
		for _, v := range vals {
			t := time.Now()
			attrs, err := r.db.SearchAttributes(ctx, u.actor, misp.AttributeSearch{Value: v})
			if err != nil {
				return err
			}
			ds = append(ds, time.Since(t))
			got += len(attrs)
		}
		l := Lookup{User: u.name, Lookups: len(vals), Hits: got, RawHits: hits, Latency: latency(ds), Raw: rawLat}
		l.RatioP95 = l.Latency.P95 / l.Raw.P95
		r.rep.Lookups = append(r.rep.Lookups, l)
	}
	return nil
}

// pages measures keyset pages of pageSize attributes of the network
// types in the middle 80 % of the time range: the first page, and the
// deepest full page reached within maxPages.
func (r *run) pages(ctx context.Context) error {
	min, max, err := r.pageWindow(ctx)
	if err != nil {
		return err
	}
	types := pageTypes
	for _, u := range r.users() {
		p := Page{User: u.name, Types: types, MinTimestamp: min, MaxTimestamp: max, PageSize: pageSize}
		err := r.walkPages(ctx, &p, func(_ int, after int64) (int, func() (int64, error), error) {
			s := misp.AttributeSearch{Types: misp.StringFilter{Any: types}, MinTimestamp: min, MaxTimestamp: max, AfterID: after, Limit: pageSize}
			attrs, err := r.db.SearchAttributes(ctx, u.actor, s)
			if err != nil || len(attrs) == 0 {
				return 0, nil, err
			}
			return len(attrs), func() (int64, error) { return int64(attrs[len(attrs)-1].ID), nil }, nil
		})
		if err != nil {
			return err
		}
		r.rep.Pages = append(r.rep.Pages, p)
	}
	return r.searchPages(ctx, types, min, max)
}

// pageTypes are the attribute types the pages search.
var pageTypes = []string{"ip-dst", "ip-src", "domain"}

// pageWindow returns the time window the pages search: the middle 80 %
// of the community's attribute timestamps.
func (r *run) pageWindow(ctx context.Context) (min, max int64, err error) {
	var lo, hi int64
	if err := r.db.SQL().QueryRowContext(ctx, "SELECT MIN(timestamp), MAX(timestamp) FROM attributes").Scan(&lo, &hi); err != nil {
		return 0, 0, err
	}
	span := hi - lo
	return lo + span/10, hi - span/10, nil
}

// rawPage runs the raw keyset SELECT of a page of types in the time
// window min-max after id after, and returns its number of rows.
func (r *run) rawPage(ctx context.Context, types []string, min, max, after int64) (int, error) {
	return r.rawQuery(ctx, "SELECT "+rawAttrCols+" FROM attributes a WHERE a.type IN (?, ?, ?) AND a.timestamp >= ? AND a.timestamp <= ? AND a.deleted = FALSE AND a.id > ? ORDER BY a.id LIMIT ?",
		types[0], types[1], types[2], min, max, after, pageSize)
}

// firstRepeats is how many times walkPages reads the first page: its
// time is their median, like the median of the full pages, and the
// first of them, which a fresh process's first large answer slows
// (heap growth under the collector, goroutine stacks growing), is kept
// apart (Page.FirstColdMS).
const firstRepeats = 5

// walkPages fills p by reading pages with fetch (page number, keyset
// cursor → rows, and a function giving the id of the last row, called
// outside the timing) and, after each, the raw keyset SELECT of the same
// filter: the first page (firstRepeats times), the deepest full page
// reached within maxPages, and the median of the full pages.
func (r *run) walkPages(ctx context.Context, p *Page, fetch func(page int, after int64) (int, func() (int64, error), error)) error {
	types := p.Types
	after := int64(0)
	var full, rawFull []time.Duration
	for i := 1; i <= maxPages; i++ {
		var (
			rows, n   int
			last      func() (int64, error)
			err       error
			dds, rdds []time.Duration
			repeats   = 1
		)
		if i == 1 {
			repeats = firstRepeats
		}
		for range repeats {
			t := time.Now()
			rows, last, err = fetch(i, after)
			if err != nil {
				return err
			}
			dds = append(dds, time.Since(t))
			t = time.Now()
			n, err = r.rawPage(ctx, types, p.MinTimestamp, p.MaxTimestamp, after)
			if err != nil {
				return err
			}
			rdds = append(rdds, time.Since(t))
		}
		dd, rdd := median(dds), median(rdds)
		d, rd := ms(dd), ms(rdd)
		if i == 1 {
			p.FirstRows, p.FirstMS, p.RawFirstMS, p.FirstColdMS = rows, d, rd, ms(dds[0])
		}
		if rows == 0 {
			break
		}
		// The deep page is the last full one, or the last with rows
		// when there is no full page beyond the first.
		if rows == pageSize || p.DeepRows < pageSize || i == 1 {
			p.DeepPage, p.DeepRows, p.DeepMS, p.RawDeepMS, p.RawDeepRows = i, rows, d, rd, n
		}
		if rows < pageSize {
			break
		}
		full, rawFull = append(full, dd), append(rawFull, rdd)
		if after, err = last(); err != nil {
			return err
		}
	}
	if len(full) > 0 {
		p.FullPages, p.MedianMS, p.RawMedianMS = len(full), ms(median(full)), ms(median(rawFull))
	}
	return nil
}

// eventView measures FindEventByID of the largest event for each user,
// with what events/view adds by default (RelatedEvent),
// median of three, against raw SELECTs of its attributes and objects.
func (r *run) eventView(ctx context.Context) error {
	id := r.eventIDs[r.c.largest]
	var raws []time.Duration
	for i := 0; i < 3; i++ {
		t := time.Now()
		if _, err := r.rawQuery(ctx, "SELECT "+rawAttrCols+" FROM attributes a WHERE a.event_id = ? AND a.deleted = FALSE ORDER BY a.id", id); err != nil {
			return err
		}
		if _, err := r.rawQuery(ctx, "SELECT * FROM objects WHERE event_id = ? ORDER BY id", id); err != nil {
			return err
		}
		raws = append(raws, time.Since(t))
	}
	rawMS := ms(median(raws))
	for _, u := range r.users() {
		var ds []time.Duration
		n := 0
		for i := 0; i < 3; i++ {
			t := time.Now()
			e, err := r.db.FindEventByID(ctx, u.actor, id, misp.EventViewOptions{EventCorrelations: true})
			if err != nil {
				return err
			}
			ds = append(ds, time.Since(t))
			n = len(e.Attribute)
			for _, o := range e.Object {
				n += len(o.Attribute)
			}
		}
		v := EventView{User: u.name, EventID: id, Attributes: n, MS: ms(median(ds)), RawMS: rawMS}
		v.Ratio = v.MS / v.RawMS
		r.rep.EventViews = append(r.rep.EventViews, v)
	}
	return nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// rawExport is the export baseline: one streaming SELECT of every live
// attribute, scanned and encoded as JSON, without visibility or tags. It
// returns MB/s and the number of attributes.
func (r *run) rawExport(ctx context.Context) (float64, int, error) {
	rw := &countingWriter{}
	renc := json.NewEncoder(rw)
	t := time.Now()
	rows, err := r.db.SQL().QueryContext(ctx, "SELECT a.id, a.uuid, a.event_id, a.type, a.category, a.value1, a.value2, a.timestamp, a.distribution FROM attributes a WHERE a.deleted = FALSE ORDER BY a.id")
	if err != nil {
		return 0, 0, err
	}
	rn := 0
	for rows.Next() {
		a := &misp.Attribute{}
		var v1, v2 string
		if err := rows.Scan(&a.ID, &a.UUID, &a.EventID, &a.Type, &a.Category, &v1, &v2, &a.Timestamp, &a.Distribution); err != nil {
			rows.Close()
			return 0, 0, err
		}
		a.Value = v1
		if v2 != "" {
			a.Value += "|" + v2
		}
		if err := renc.Encode(a); err != nil {
			rows.Close()
			return 0, 0, err
		}
		rn++
	}
	if err := rows.Close(); err != nil {
		return 0, 0, err
	}
	rd := time.Since(t)
	return float64(rw.n) / 1e6 / rd.Seconds(), rn, nil
}

// mixed runs cfg.Readers HTTP readers (event views of small events and
// attribute views, as the normal user) and one writer (events/add of
// new 20-attribute events) for cfg.MixedDuration, and records throughput.
func (r *run) mixed(ctx context.Context) error {
	var small []int64
	var attrIDs []int64
	for i, p := range r.c.events {
		userOrg := r.c.orgs - 1
		visible := p.org == userOrg || (p.distribution >= 1 && p.distribution <= 3) ||
			(p.distribution == 4 && slices.Contains(r.c.sgs[p.sgIndex], userOrg))
		if p.size <= 200 && visible {
			small = append(small, r.eventIDs[i])
		}
	}
	if len(small) == 0 {
		small = r.eventIDs
	}
	rng := rand.New(rand.NewPCG(r.cfg.Seed^otherStreams, 0x313))
	for i := 0; i < 10; i++ {
		attrs, err := r.db.SearchAttributes(ctx, r.user, misp.AttributeSearch{AfterID: rng.Int64N(int64(r.c.total)), Limit: 100, NoTags: true})
		if err != nil {
			return err
		}
		for _, a := range attrs {
			attrIDs = append(attrIDs, int64(a.ID))
		}
	}
	if len(attrIDs) == 0 {
		return errors.New("the normal user sees no attribute")
	}
	// Operations start until the duration is over and are waited for:
	// each worker completes at least one however slow the machine (a
	// smoke run under the race detector), and the rates divide by the
	// time until the last one ended.
	const maxOps = 1_000_000 // a bound in count as well as in time
	deadline := time.Now().Add(r.cfg.MixedDuration)
	more := func(i int) bool { return i == 0 || (i < maxOps && time.Now().Before(deadline) && ctx.Err() == nil) }
	client := &http.Client{Timeout: time.Minute}
	var reads, readErrs, writes, written atomic.Int64
	var firstReadErr atomic.Value
	var wg sync.WaitGroup
	get := func(path string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", r.userKey)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return nil
	}
	start := time.Now()
	for w := 0; w < r.cfg.Readers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(r.cfg.Seed^otherStreams, uint64(w)+0x400))
			for i := 0; more(i); i++ {
				path := "/events/view/" + strconv.FormatInt(small[rng.IntN(len(small))], 10)
				if i%2 == 1 {
					path = "/attributes/view/" + strconv.FormatInt(attrIDs[rng.IntN(len(attrIDs))], 10)
				}
				if err := get(path); err != nil {
					if ctx.Err() == nil {
						readErrs.Add(1)
						firstReadErr.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				reads.Add(1)
			}
		}()
	}
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		wrng := rand.New(rand.NewPCG(r.cfg.Seed^otherStreams, 0x777))
		for i := 0; more(i); i++ {
			e := r.c.event(wrng.IntN(len(r.c.events)))
			e.uuid, e.info = newUUID(wrng), e.info+" (mixed load)"
			e.objects = nil
			if len(e.attrs) > 20 {
				e.attrs = e.attrs[:20]
			}
			for _, a := range e.attrs {
				a.uuid = newUUID(wrng)
			}
			if _, err := r.postEvent(ctx, client, r.keys[e.plan.org], r.wire(e)); err != nil {
				if ctx.Err() == nil {
					writeErr = err
				}
				return
			}
			writes.Add(1)
			written.Add(int64(len(e.attrs)))
		}
	}()
	wg.Wait()
	if writeErr != nil {
		return writeErr
	}
	d := time.Since(start).Seconds()
	r.rep.Mixed = Mixed{Readers: r.cfg.Readers, Seconds: d, Reads: reads.Load(), ReadErrors: readErrs.Load(),
		Writes: writes.Load(), ReadsPerSecond: float64(reads.Load()) / d, WritesPerSecond: float64(writes.Load()) / d,
		AttributesWrittenPerSecond: float64(written.Load()) / d}
	if readErrs.Load() > 0 {
		return fmt.Errorf("%d reads failed, the first: %v", readErrs.Load(), firstReadErr.Load())
	}
	return nil
}

// vmKB reads a kB field of /proc/self/status (0 where unavailable).
func vmKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(field+":")); ok {
			f := strings.Fields(string(rest))
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// latency summarises durations as percentiles in milliseconds.
func latency(ds []time.Duration) Latency {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 { return ms(s[min(len(s)-1, int(p*float64(len(s))))]) }
	return Latency{P50: at(0.50), P95: at(0.95), P99: at(0.99)}
}

// otherStreams separates the harness's random streams from the
// generator's, which use (seed, event index + 1).
const otherStreams = 0x9e3779b97f4a7c15
