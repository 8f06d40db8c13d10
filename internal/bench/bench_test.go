package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/restapi"
	"github.com/razmena/razmena/internal/setup"
	"github.com/razmena/razmena/internal/store/postgres/pgtest"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// testHandler wires the REST API as cmd/razmena's Main.Handler does
// (cmd is a main package and cannot be imported).
func testHandler(db *sqlstore.DB, inst *setup.Instance) http.Handler {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	adapter := &httpserver.Adapter{
		Log:      log,
		Auth:     auth.NewAuthenticator(db, db.Now),
		Keys:     auth.Candidates,
		Throttle: auth.NewThrottle(auth.ThrottleConfig{Limit: 1000, Window: time.Minute, Now: db.Now}),
		Audit:    db,
	}
	restapi.New(restapi.Stores{
		Events: db, Attributes: db, Objects: db, Tags: db, Orgs: db, Users: db, Roles: db,
		AuthKeys: db, Audit: db, SharingGroups: db, Search: db,
		Taxonomies: db, Galaxies: db, ObjectTemplates: db, Warninglists: db, Correlations: db,
	}, adapter, restapi.Config{BaseURL: "http://127.0.0.1", Version: "2.5.1",
		InstanceUUID: inst.UUID, HostOrgID: inst.HostOrgID, Now: db.Now}).Register(mux)
	return httpserver.Logging(log, httpserver.LimitBody(1<<30, mux))
}

// TestSmoke runs the harness end to end at a small scale and checks that
// every figure was produced. It asserts nothing about timings.
func TestSmoke(t *testing.T) {
	stores := []struct{ name, db string }{{"sqlite", ""}}
	if pgtest.Available(t) {
		stores = append(stores, struct{ name, db string }{"postgres", pgtest.NewDSN(t)})
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			var log bytes.Buffer
			rep, err := Run(t.Context(), Config{
				Store: st.name, Database: st.db, Attributes: 5000, Seed: 1, Clients: 2,
				Lookups: 20, Readers: 2, MixedDuration: time.Second, Timeout: 5 * time.Minute,
				Handler: testHandler, Log: &log,
			})
			if err != nil {
				t.Fatalf("Run() = %v\nlog:\n%s", err, log.String())
			}
			checkReport(t, rep)
			var md strings.Builder
			if err := rep.Markdown(&md); err != nil {
				t.Fatalf("Markdown() = %v", err)
			}
			for _, want := range []string{"ingest", "exact-value search, org user", "exact-value search, site admin",
				"20,000-attribute page", "largest event view", "attributes/restSearch json", "peak RSS", "mixed load"} {
				if !strings.Contains(md.String(), want) {
					t.Errorf("Markdown() lacks %q:\n%s", want, md.String())
				}
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Errorf("json.Marshal(report) = %v", err)
			}
		})
	}
}

func checkReport(t *testing.T, rep *Report) {
	t.Helper()
	if rep.Scale.Attributes != 5000 || rep.Scale.Events < 10 || rep.Scale.SharingGroups == 0 {
		t.Errorf("Scale = %+v, want 5000 attributes in several events with sharing groups", rep.Scale)
	}
	if rep.Ingest.API.PerSecond <= 0 || rep.Ingest.Raw.PerSecond <= 0 || rep.Ingest.Ratio <= 0 {
		t.Errorf("Ingest = %+v, want rates and a ratio", rep.Ingest)
	}
	if len(rep.Lookups) != 2 {
		t.Fatalf("Lookups = %+v, want one per user", rep.Lookups)
	}
	for _, l := range rep.Lookups {
		if l.Hits == 0 || l.Latency.P95 <= 0 || l.Raw.P95 <= 0 {
			t.Errorf("Lookup = %+v, want hits and latencies", l)
		}
	}
	// The admin sees every row the raw query finds; the user fewer.
	if admin, user := rep.Lookups[1], rep.Lookups[0]; admin.Hits != admin.RawHits || user.Hits >= admin.Hits {
		t.Errorf("lookup hits: user %d, admin %d, raw %d; want user < admin = raw", user.Hits, admin.Hits, admin.RawHits)
	}
	if len(rep.Pages) != 3 || rep.Pages[0].FirstRows == 0 || rep.Pages[0].DeepPage == 0 {
		t.Errorf("Pages = %+v, want a first and a deep page per user, and through restSearch", rep.Pages)
	} else if store, http := rep.Pages[0], rep.Pages[2]; store.FirstRows != http.FirstRows || store.DeepRows != http.DeepRows {
		t.Errorf("restSearch pages (first %d, deep %d rows) differ from the store's for the same user (%d, %d)",
			http.FirstRows, http.DeepRows, store.FirstRows, store.DeepRows)
	}
	if len(rep.EventViews) != 2 || rep.EventViews[1].Attributes != rep.Scale.LargestEvent {
		t.Errorf("EventViews = %+v, want the largest event (%d attributes) in full for the admin", rep.EventViews, rep.Scale.LargestEvent)
	}
	if len(rep.Exports) != 4 {
		t.Errorf("%d exports, want attributes json and csv, events json, and the admin's attributes json", len(rep.Exports))
	} else if all := rep.Exports[3]; all.Results != int64(rep.Scale.Attributes) || all.Results <= rep.Exports[0].Results {
		t.Errorf("site admin export: %d attributes, org user %d; want all %d, more than the user's", all.Results, rep.Exports[0].Results, rep.Scale.Attributes)
	}
	for _, x := range rep.Exports {
		if x.Results == 0 || x.Bytes == 0 || x.MBPerSecond <= 0 || x.PeakRSSMB <= 0 || x.RawMBPerSecond <= 0 {
			t.Errorf("Export = %+v, want a stream, its rate and peak RSS", x)
		}
	}
	if m := rep.Mixed; m.Reads == 0 || m.Writes == 0 {
		t.Errorf("Mixed = %+v, want reads and writes", m)
	}
	if rep.Machine.CPUs == 0 || rep.Machine.LoadStart == "" {
		t.Errorf("Machine = %+v", rep.Machine)
	}
}
