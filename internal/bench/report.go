package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Report is the result of a run; it is written as JSON for tooling and
// as a markdown section for docs/benchmarks.md.
type Report struct {
	Date            string      `json:"date"`
	Machine         Machine     `json:"machine"`
	Store           string      `json:"store"`
	Seed            uint64      `json:"seed"`
	Scale           Scale       `json:"scale"`
	Ingest          Ingest      `json:"ingest"`
	Lookups         []Lookup    `json:"lookups"`
	Pages           []Page      `json:"pages"`
	EventViews      []EventView `json:"event_views"`
	Exports         []Export    `json:"exports"`
	Mixed           Mixed       `json:"mixed"`
	PeakRSSMB       float64     `json:"peak_rss_mb"`
	DurationSeconds float64     `json:"duration_seconds"`
	// OptimizeSeconds is the time the store took to refresh its planner
	// statistics after loading (sqlstore DB.Optimize), as the server does
	// periodically; the raw baseline's database gets the same.
	OptimizeSeconds float64 `json:"optimize_seconds"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs       int    `json:"cpus"`
	MemTotalMB int64  `json:"mem_total_mb"`
	LoadStart  string `json:"load_start"`
	LoadEnd    string `json:"load_end"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Clients    int    `json:"ingest_clients"`
}

// Scale is the size of the generated community.
type Scale struct {
	Attributes    int `json:"attributes"`
	Events        int `json:"events"`
	Orgs          int `json:"orgs"`
	SharingGroups int `json:"sharing_groups"`
	LargestEvent  int `json:"largest_event_attributes"`
}

// Rate is an ingest rate.
type Rate struct {
	Seconds    float64 `json:"seconds"`
	Attributes int     `json:"attributes"`
	PerSecond  float64 `json:"attributes_per_second"`
}

// Ingest compares the API path with the raw SQL baseline.
type Ingest struct {
	API   Rate    `json:"api"`
	Raw   Rate    `json:"raw"`
	Ratio float64 `json:"ratio"`
}

// Latency is a set of percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

// Lookup is the exact-value search figure of one user.
type Lookup struct {
	User     string  `json:"user"`
	Lookups  int     `json:"lookups"`
	Hits     int     `json:"hits"`
	RawHits  int     `json:"raw_hits"`
	Latency  Latency `json:"latency"`
	Raw      Latency `json:"raw"`
	RatioP95 float64 `json:"ratio_p95"`
}

// Page is the keyset listing figure of one user.
type Page struct {
	User         string   `json:"user"`
	Types        []string `json:"types"`
	MinTimestamp int64    `json:"min_timestamp"`
	MaxTimestamp int64    `json:"max_timestamp"`
	PageSize     int      `json:"page_size"`
	FirstRows    int      `json:"first_rows"`
	FirstMS      float64  `json:"first_ms"`
	RawFirstMS   float64  `json:"raw_first_ms"`
	// FirstMS and RawFirstMS are medians of firstRepeats reads;
	// FirstColdMS is the first of them.
	FirstColdMS float64 `json:"first_cold_ms"`
	DeepPage    int     `json:"deep_page"`
	DeepRows    int     `json:"deep_rows"`
	RawDeepRows int     `json:"raw_deep_rows"`
	DeepMS      float64 `json:"deep_ms"`
	RawDeepMS   float64 `json:"raw_deep_ms"`
	// FullPages is the number of full (PageSize-row) pages; MedianMS and
	// RawMedianMS are the median times over them.
	FullPages   int     `json:"full_pages"`
	MedianMS    float64 `json:"median_ms"`
	RawMedianMS float64 `json:"raw_median_ms"`
}

// EventView is the largest event's full view for one user.
type EventView struct {
	User       string  `json:"user"`
	EventID    int64   `json:"event_id"`
	Attributes int     `json:"attributes"`
	MS         float64 `json:"ms"`
	RawMS      float64 `json:"raw_ms"`
	Ratio      float64 `json:"ratio"`
}

// Export is one full restSearch export stream: every result the user may
// see, in one format.
type Export struct {
	User   string `json:"user"`
	Scope  string `json:"scope"`
	Format string `json:"format"`
	// Results is X-Result-Count: attributes, or events in events scope.
	Results        int64   `json:"results"`
	Bytes          int64   `json:"bytes"`
	Seconds        float64 `json:"seconds"`
	MBPerSecond    float64 `json:"mb_per_second"`
	RawAttributes  int     `json:"raw_attributes"`
	RawMBPerSecond float64 `json:"raw_mb_per_second"`
	Ratio          float64 `json:"ratio"`
	RSSBeforeMB    float64 `json:"rss_before_mb"`
	PeakRSSMB      float64 `json:"peak_rss_mb"`
	// PeakReset is false when the kernel refused to reset the
	// high-water mark: PeakRSSMB is then the peak of the whole run.
	PeakReset bool `json:"peak_reset"`
}

// Mixed is the concurrent mixed-load figure.
type Mixed struct {
	Readers                    int     `json:"readers"`
	Seconds                    float64 `json:"seconds"`
	Reads                      int64   `json:"reads"`
	ReadErrors                 int64   `json:"read_errors"`
	Writes                     int64   `json:"writes"`
	ReadsPerSecond             float64 `json:"reads_per_second"`
	WritesPerSecond            float64 `json:"writes_per_second"`
	AttributesWrittenPerSecond float64 `json:"attributes_written_per_second"`
}

func newReport(cfg Config) *Report {
	return &Report{
		Date:  time.Now().UTC().Format(time.RFC3339),
		Store: cfg.Store,
		Seed:  cfg.Seed,
		Machine: Machine{CPUs: runtime.NumCPU(), MemTotalMB: memTotalMB(), LoadStart: loadAvg(),
			GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, Clients: cfg.Clients},
	}
}

func (rep *Report) finish(d time.Duration) {
	rep.Machine.LoadEnd = loadAvg()
	rep.PeakRSSMB = float64(vmKB("VmHWM")) / 1024
	rep.DurationSeconds = d.Seconds()
}

// loadAvg is the first three fields of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// memTotalMB is MemTotal of /proc/meminfo.
func memTotalMB() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n / 1024
			}
		}
	}
	return 0
}

// Targets of issue 4.
const (
	targetIngestRatio = 0.5
	targetLookupRatio = 2.0
	targetPageMS      = 200.0
	targetExportRSSMB = 256.0
)

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// Markdown writes the report as a markdown section.
func (rep *Report) Markdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	s := rep.Scale
	p("### %s, %d attributes (%s)\n\n", rep.Store, s.Attributes, rep.Date[:10])
	m := rep.Machine
	p("Run %s; %d CPUs, %d MB RAM, %s; load average %s at start, %s at end; %d ingest clients; seed %d; %.0f s in all.\n",
		rep.Date, m.CPUs, m.MemTotalMB, m.GoVersion, m.LoadStart, m.LoadEnd, m.Clients, rep.Seed, rep.DurationSeconds)
	p("Community: %d events (largest %d attributes), %d organisations, %d sharing groups.\n\n",
		s.Events, s.LargestEvent, s.Orgs, s.SharingGroups)
	p("| figure | Razmena | raw baseline | ratio | target |\n|---|---|---|---|---|\n")
	in := rep.Ingest
	p("| ingest, attributes/s (API %0.f s, raw %.0f s) | %.0f | %.0f | %.2f | ≥ 0.50: %s |\n",
		in.API.Seconds, in.Raw.Seconds, in.API.PerSecond, in.Raw.PerSecond, in.Ratio, verdict(in.Ratio >= targetIngestRatio))
	for _, l := range rep.Lookups {
		p("| exact-value search, %s, p50 / p95 / p99 ms (%d lookups, %d rows; raw %d rows) | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.2f (p95) | ≤ 2: %s |\n",
			l.User, l.Lookups, l.Hits, l.RawHits, l.Latency.P50, l.Latency.P95, l.Latency.P99, l.Raw.P50, l.Raw.P95, l.Raw.P99,
			l.RatioP95, verdict(l.RatioP95 <= targetLookupRatio))
	}
	for _, pg := range rep.Pages {
		p("| 20,000-attribute page, %s, first page ms (%d rows; median of %d, the first of them %.0f ms) | %.0f | %.0f | %.2f | ≤ 200 ms: %s |\n",
			pg.User, pg.FirstRows, firstRepeats, pg.FirstColdMS, pg.FirstMS, pg.RawFirstMS, pg.FirstMS/pg.RawFirstMS, verdict(pg.FirstMS <= targetPageMS))
		if pg.FullPages > 0 {
			p("| 20,000-attribute page, %s, median of %d full pages, ms | %.0f | %.0f | %.2f | ≤ 200 ms: %s |\n",
				pg.User, pg.FullPages, pg.MedianMS, pg.RawMedianMS, pg.MedianMS/pg.RawMedianMS, verdict(pg.MedianMS <= targetPageMS))
		}
		p("| 20,000-attribute page, %s, deep page %d ms (%d rows; raw %d) | %.0f | %.0f | %.2f | ≤ 200 ms: %s |\n",
			pg.User, pg.DeepPage, pg.DeepRows, pg.RawDeepRows, pg.DeepMS, pg.RawDeepMS, pg.DeepMS/pg.RawDeepMS, verdict(pg.DeepMS <= targetPageMS))
	}
	for _, v := range rep.EventViews {
		p("| largest event view, %s, ms (%d attributes) | %.0f | %.0f | %.2f | — |\n", v.User, v.Attributes, v.MS, v.RawMS, v.Ratio)
	}
	for _, x := range rep.Exports {
		p("| %s/restSearch %s, %s, MB/s (%d results, %.0f MB in %.1f s; raw: %d attributes as JSON) | %.1f | %.1f | %.2f | — |\n",
			x.Scope, x.Format, x.User, x.Results, float64(x.Bytes)/1e6, x.Seconds, x.RawAttributes, x.MBPerSecond, x.RawMBPerSecond, x.Ratio)
		reset := ""
		if !x.PeakReset {
			reset = " (high-water mark not reset: peak of the whole run)"
		}
		p("| peak RSS of the process during %s/restSearch %s, MB (%.0f MB before)%s | %.0f | — | — | ≤ 256 MB: %s |\n",
			x.Scope, x.Format, x.RSSBeforeMB, reset, x.PeakRSSMB, verdict(x.PeakRSSMB <= targetExportRSSMB))
	}
	mx := rep.Mixed
	p("| mixed load, %d HTTP readers + 1 writer for %.0f s: reads/s, events/s (attributes/s) written | %.0f reads/s, %.1f events/s (%.0f attributes/s) | — | — | — |\n",
		mx.Readers, mx.Seconds, mx.ReadsPerSecond, mx.WritesPerSecond, mx.AttributesWrittenPerSecond)
	p("| peak RSS of the whole run, MB | %.0f | — | — | — |\n\n", rep.PeakRSSMB)
	p("Planner statistics refreshed after loading (`ANALYZE`, as the server does hourly) in %.1f s.\n\n", rep.OptimizeSeconds)
	_, err := io.WriteString(w, b.String())
	return err
}
