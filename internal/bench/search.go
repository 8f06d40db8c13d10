package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"time"
)

// restSearch posts body to path with the API key and passes the answer
// to read; it returns X-Result-Count.
func (r *run) restSearch(ctx context.Context, key, path string, body any, read func(io.Reader) error) (int64, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048)) // best effort, for the error message
		return 0, fmt.Errorf("POST %s: %s: %s", path, resp.Status, msg)
	}
	if err := read(resp.Body); err != nil {
		return 0, fmt.Errorf("POST %s: answer: %w", path, err)
	}
	n, err := strconv.ParseInt(resp.Header.Get("X-Result-Count"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("POST %s: X-Result-Count %q", path, resp.Header.Get("X-Result-Count"))
	}
	return n, nil
}

// searchPages measures the 20,000-attribute page of pages() through
// attributes/restSearch over HTTP (json, limit and page), as the normal
// user: request to last byte, including the answer's JSON. The baseline
// is the raw keyset SELECT of the same rows.
func (r *run) searchPages(ctx context.Context, types []string, min, max int64) error {
	p := Page{User: "org user, attributes/restSearch over HTTP", Types: types, MinTimestamp: min, MaxTimestamp: max, PageSize: pageSize}
	var raw bytes.Buffer
	err := r.walkPages(ctx, &p, func(page int, _ int64) (int, func() (int64, error), error) {
		body := map[string]any{"returnFormat": "json", "type": types, "timestamp": []int64{min, max}, "limit": pageSize, "page": page}
		raw.Reset()
		rows, err := r.restSearch(ctx, r.userKey, "/attributes/restSearch", body, func(rd io.Reader) error {
			_, err := raw.ReadFrom(rd)
			return err
		})
		if err != nil || rows == 0 {
			return 0, nil, err
		}
		// The last id, for the baseline's keyset cursor.
		return int(rows), func() (int64, error) {
			var ids struct {
				Response struct {
					Attribute []struct {
						ID json.Number `json:"id"`
					}
				} `json:"response"`
			}
			if err := json.Unmarshal(raw.Bytes(), &ids); err != nil {
				return 0, err
			}
			if got := len(ids.Response.Attribute); int64(got) != rows {
				return 0, fmt.Errorf("restSearch page %d: %d attributes, X-Result-Count %d", page, got, rows)
			}
			return ids.Response.Attribute[rows-1].ID.Int64()
		}, nil
	})
	if err != nil {
		return err
	}
	r.rep.Pages = append(r.rep.Pages, p)
	return nil
}

// exports are the restSearch answers the export step streams: as the
// org user in three formats, and everything (every attribute of the
// community) as the site admin.
var exports = []struct {
	admin         bool
	scope, format string
}{
	{false, "attributes", "json"},
	{false, "attributes", "csv"},
	{false, "events", "json"},
	{true, "attributes", "json"},
}

// export streams every attribute visible to the reader through
// restSearch over HTTP, in each of exports, reading and discarding the
// answer, and records MB/s and the peak RSS of the process during each
// stream, against a raw SELECT of all attributes encoded as JSON.
func (r *run) export(ctx context.Context) error {
	rawMBs, rawN, err := r.rawExport(ctx)
	if err != nil {
		return err
	}
	for _, e := range exports {
		// Peak RSS: return freed memory to the OS, reset the high-water
		// mark (Linux clear_refs 5), and read VmHWM after the stream. The
		// process also holds the server and the harness, so this is an
		// upper bound of what the export needs.
		debug.FreeOSMemory()
		reset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
		before := vmKB("VmRSS")
		w := &countingWriter{}
		t := time.Now()
		key, user := r.userKey, "org user"
		if e.admin {
			key, user = r.adminKey, "site admin"
		}
		n, err := r.restSearch(ctx, key, "/"+e.scope+"/restSearch", map[string]any{"returnFormat": e.format}, func(rd io.Reader) error {
			_, err := io.Copy(w, rd)
			return err
		})
		if err != nil {
			return err
		}
		d := time.Since(t)
		x := Export{User: user, Scope: e.scope, Format: e.format, Results: n, Bytes: w.n, Seconds: d.Seconds(),
			MBPerSecond: float64(w.n) / 1e6 / d.Seconds(), PeakRSSMB: float64(vmKB("VmHWM")) / 1024,
			RSSBeforeMB: float64(before) / 1024, PeakReset: reset, RawAttributes: rawN, RawMBPerSecond: rawMBs}
		x.Ratio = x.MBPerSecond / x.RawMBPerSecond
		r.rep.Exports = append(r.rep.Exports, x)
		r.logf("export %s/%s as %s: %d results, %.0f MB in %.1f s, peak RSS %.0f MB", e.scope, e.format, user, n, float64(w.n)/1e6, d.Seconds(), x.PeakRSSMB)
	}
	return nil
}
