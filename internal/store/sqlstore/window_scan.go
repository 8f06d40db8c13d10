package sqlstore

import (
	"context"
	"sync"

	"github.com/razmena/razmena/internal/misp"
)

// ScanWorkers, when not 0, replaces the dialect's Dialect.ScanWorkers:
// for the tests of every way of reading a stream on every store.
var ScanWorkers int

// scanWorkers is how many connections read a stream's walk of the
// attributes at once.
func (db *DB) scanWorkers() int {
	if ScanWorkers > 0 {
		return ScanWorkers
	}
	return db.dialect.ScanWorkers
}

// maxWindowChunks bounds how wide a window grows, in chunks' worth of
// ids, while the chunks read last held no match.
const maxWindowChunks = 4

// windowFill is the share, in tenths of a chunk, of matches a window is
// cut to hold, so that most windows are read by one statement.
const windowFill = 7

// walksInIDOrder reports whether the scan of s walks the attributes in id
// order, so that cutting it into id windows costs no more than reading it
// whole: none of its filters leads the planner to an index of values,
// uuids, events or tags, which every window would search again. A time
// window read through the time index is the caller's to rule out
// (planIndex). An offset is counted from the first row, which a window
// cannot know.
func walksInIDOrder(s misp.AttributeSearch) bool {
	return s.Offset == 0 && s.Value == "" && s.Values.Empty() && s.Value1.Empty() && s.Value2.Empty() &&
		len(s.UUIDs) == 0 && len(s.EventIDs) == 0 && len(s.EventUUIDs) == 0 && s.EventInfo.Empty() &&
		len(s.OrgcIDs) == 0 && s.Tags.Empty() && s.EventTags.Empty() && s.DateFrom == "" && s.DateTo == "" &&
		s.EventTimestamp == (misp.Range{}) && s.PublishTimestamp == (misp.Range{})
}

// scanWindow is one id range (lo, hi] of a windowed scan (hi 0: no upper
// bound), the matches expected in it when it was cut, and the chunks read
// from it, in order. err is set before chunks is closed.
type scanWindow struct {
	lo, hi int64
	expect int64
	chunks chan []*misp.Attribute
	err    error
}

// windowCutter cuts the id axis after a scan's start into windows, each
// wide enough to hold windowFill tenths of a chunk of matches at the
// density of the chunk read last: chunk ids at first, twice the last
// width (up to maxWindowChunks chunks) while the chunk read last held no
// match, and from top (the largest id when the scan began) one last
// window without an upper bound, so that what is added during the scan
// is read as a chunk-by-chunk scan would read it.
//
// With a limit, it cuts no window while the matches found and those
// expected in the windows being read reach the limit: a window read past
// a page's end takes a core from the page's last window.
type windowCutter struct {
	mu          sync.Mutex
	wake        *sync.Cond
	next, top   int64
	chunk       int64
	width       int64
	span, found int64 // of the chunk read last
	limit       int64 // 0: none
	matched     int64 // in the windows no longer being read
	expected    int64 // in the windows being read
	reading     int
	done        bool // the last window is cut
	stopped     bool // the scan is over
	order       chan<- *scanWindow
}

// newWindowCutter returns the cutter of a windowed scan of s that began
// when top was the largest id, handing its windows to order too, and the
// function that stops it from waking on ctx's end.
func newWindowCutter(ctx context.Context, s misp.AttributeSearch, top int64, chunk int, order chan<- *scanWindow) (*windowCutter, func() bool) {
	c := &windowCutter{next: s.AfterID, top: top, chunk: int64(chunk), limit: int64(s.Limit), order: order}
	c.wake = sync.NewCond(&c.mu)
	return c, context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.stopped = true
		c.wake.Broadcast()
	})
}

// cut returns the next window, handed to order as well, or nil after the
// last or once the scan is over.
func (c *windowCutter) cut() *scanWindow {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.stopped && !c.done && c.limit > 0 && c.reading > 0 && c.matched+c.expected >= c.limit {
		c.wake.Wait()
	}
	if c.stopped || c.done {
		return nil
	}
	var expect int64
	switch {
	case c.span == 0:
		c.width = c.chunk
	case c.found == 0:
		c.width = min(2*c.width, maxWindowChunks*c.chunk)
	default:
		c.width = max(c.chunk, c.chunk*windowFill*c.span/(10*c.found))
		expect = c.width * c.found / c.span
	}
	w := &scanWindow{lo: c.next, hi: c.next + c.width, expect: expect, chunks: make(chan []*misp.Attribute, 1)}
	if w.hi >= c.top {
		w.hi, c.done = 0, true
	}
	c.next = w.hi
	c.reading++
	c.expected += expect
	c.order <- w // never blocks: the slots bound the windows not yet merged
	return w
}

// record sets the density estimate to that of a chunk just read: found
// matches in span ids.
func (c *windowCutter) record(span, found int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.span, c.found = span, found
}

// finish records that window w is no longer being read, with matched
// matches.
func (c *windowCutter) finish(w *scanWindow, matched int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reading--
	c.expected -= w.expect
	c.matched += matched
	c.wake.Broadcast()
}

// scanWindows is scanChunks for a search that walks the attributes in id
// order (walksInIDOrder, plan not planIndex), read by db.scanWorkers()
// connections at once, top being the largest id when the scan began:
// each worker reads the next id window chunk by chunk, each chunk in a
// read transaction of its own as scanChunks reads them, and the windows'
// chunks are sent to out in id order. At most one window more than there
// are workers is cut and not yet sent on, and a worker holds one chunk
// read ahead per window, so memory stays a few chunks; the windows being
// read when a page's limit is reached are abandoned.
func (db *DB) scanWindows(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch, chunk int, plan timestampPlan, top int64, out chan<- []*misp.Attribute) error {
	ctx, cancel := context.WithCancel(ctx)
	workers := db.scanWorkers()
	slots := make(chan struct{}, workers+1)
	order := make(chan *scanWindow, workers+1)
	c, stop := newWindowCutter(ctx, s, top, chunk, order)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
		stop()
	}()
	for range workers {
		wg.Go(func() {
			for {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				w := c.cut()
				if w == nil {
					return
				}
				var n int64
				n, w.err = db.readWindow(ctx, actor, s, chunk, plan, w, c)
				c.finish(w, n)
				close(w.chunks)
			}
		})
	}
	remaining := s.Limit
	for {
		var w *scanWindow
		select {
		case w = <-order:
		case <-ctx.Done():
			return ctx.Err()
		}
		for attrs := range w.chunks {
			if remaining > 0 && len(attrs) > remaining {
				attrs = attrs[:remaining]
			}
			select {
			case out <- attrs:
			case <-ctx.Done():
				return ctx.Err()
			}
			if remaining > 0 {
				if remaining -= len(attrs); remaining == 0 {
					return nil
				}
			}
		}
		if w.err != nil {
			return w.err
		}
		<-slots
		if w.hi == 0 {
			return nil
		}
	}
}

// readWindow reads the attributes of s in window w, chunk attributes per
// read transaction, sends each chunk with matches to w.chunks, records
// the density of each chunk with c, and returns the number of matches.
func (db *DB) readWindow(ctx context.Context, actor *misp.Actor, s misp.AttributeSearch, chunk int, plan timestampPlan, w *scanWindow, c *windowCutter) (matched int64, err error) {
	page := s
	page.AfterID, page.Limit = w.lo, chunk
	for {
		var attrs []*misp.Attribute
		err := db.read(ctx, func(tx *tx) error {
			var err error
			attrs, err = searchChunk(ctx, tx, actor, page, &plan, w.hi)
			return err
		})
		if err != nil {
			return matched, err
		}
		full := len(attrs) == chunk
		// The density from the first match on, once there are enough
		// matches to tell: a window may begin in a stretch without any.
		from, to := page.AfterID, w.hi
		if full {
			to = int64(attrs[len(attrs)-1].ID)
		}
		if len(attrs) >= 64 {
			from = int64(attrs[0].ID) - 1
		}
		if to > 0 {
			c.record(to-from, int64(len(attrs)))
		}
		matched += int64(len(attrs))
		if len(attrs) > 0 {
			select {
			case w.chunks <- attrs:
			case <-ctx.Done():
				return matched, ctx.Err()
			}
		}
		if !full {
			return matched, nil
		}
		page.AfterID = int64(attrs[len(attrs)-1].ID)
	}
}
