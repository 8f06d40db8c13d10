package restapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/restsearch"
)

// MISP pages restSearch with limit and page, which a database answers by
// reading and skipping every row before the page: page 13 of 20,000
// attributes reads 260,000. Clients page in order, so Razmena remembers
// where each full page of a search ended (its last attribute or event
// id) and starts the next page there by keyset, at the cost of the first
// page. A cursor is only a starting id: the page is still read through
// the same filters and visibility, so a stale or foreign cursor can
// change which rows a page holds but never shows what the reader may not
// see. Unlike OFFSET, pages do not shift when rows before them are
// deleted meanwhile.

// maxPageCursors bounds the memory of remembered pages (about 100 bytes
// each).
const maxPageCursors = 10000

// pageCursors maps (search, page) to the id the page ended at.
type pageCursors struct {
	mu  sync.Mutex
	max int
	m   map[string]int64
}

func newPageCursors(max int) *pageCursors {
	return &pageCursors{max: max, m: make(map[string]int64)}
}

func (c *pageCursors) get(key string, page int) (int64, bool) {
	if page < 1 || key == "" {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.m[key+"#"+strconv.Itoa(page)]
	return id, ok
}

// put remembers that page of key ended at id. When full, the map starts
// afresh: losing cursors only costs the skipped rows again.
func (c *pageCursors) put(key string, page int, id int64) {
	if key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key+"#"+strconv.Itoa(page)] = id
}

// searchKey names a search for its cursors: the reader (user,
// organisation and role decide visibility), the scope, the page size and
// every filter, paging aside.
func searchKey(actor *misp.Actor, req *restsearch.Request, s misp.AttributeSearch) string {
	s.AfterID, s.Offset = 0, 0
	b, err := json.Marshal(struct {
		User, Org int64
		Admin     bool
		Scope     string
		Limit     int
		Search    misp.AttributeSearch
	}{actor.UserID(), actor.OrgID(), actor.SiteAdmin(), req.Scope, req.Limit, s})
	if err != nil {
		return "" // unreachable (the struct marshals); "" disables cursors
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
