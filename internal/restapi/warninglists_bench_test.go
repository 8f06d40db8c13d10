package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/postgres/pgtest"
	"github.com/razmena/razmena/internal/store/sqlite"
	"github.com/razmena/razmena/internal/store/sqlstore"
	"github.com/razmena/razmena/internal/warninglist"
)

// BenchmarkWarninglistCheckValue10000 checks 10,000 values, about half
// of them listed, against every list of the real library, all enabled:
// "api" is one POST /warninglists/checkValue of the 10,000 values over
// HTTP (decoding, checking, encoding the hits), "matcher" the Matcher's
// Index for a request (its revision read included) and CheckValue of each
// value. One op is the batch of 10,000 (docs/warninglists.md).
func BenchmarkWarninglistCheckValue10000(b *testing.B) {
	if _, err := os.Stat(filepath.Join(sharedLibraries, "warninglists")); err != nil {
		b.Skipf("library not available: %v", err)
	}
	ctx := context.Background()
	db := openBenchStore(b)
	lists, rep := warninglist.Load(filepath.Join(sharedLibraries, "warninglists"))
	if len(rep.Errors) > 0 {
		b.Fatal(rep.Errors)
	}
	if _, err := warninglist.ImportDir(ctx, db, filepath.Join(sharedLibraries, "warninglists")); err != nil {
		b.Fatal(err)
	}
	on := true
	if _, err := db.ToggleWarninglists(ctx, misp.WarninglistSelection{Names: []string{"%"}}, &on); err != nil {
		b.Fatal(err)
	}
	values := benchValues(lists, 10000)
	body, err := json.Marshal(values)
	if err != nil {
		b.Fatal(err)
	}

	srv, key := benchServer(b, db)
	b.Run("api", func(b *testing.B) {
		post := func() []byte {
			req, err := http.NewRequest("POST", srv.URL+"/warninglists/checkValue", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", key)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("User-Agent", "PyMISP 2.5.1 - Python 3.12")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			defer resp.Body.Close()
			out, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("checkValue: %d %v %.200s", resp.StatusCode, err, out)
			}
			return out
		}
		var hits map[string]any
		if err := json.Unmarshal(post(), &hits); err != nil { // also builds the matcher's index
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			post()
		}
		b.ReportMetric(float64(len(hits)), "values-hit")
	})

	b.Run("matcher", func(b *testing.B) {
		m := warninglist.NewMatcher(db)
		if _, err := m.Index(ctx); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			ix, err := m.Index(ctx)
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range values {
				ix.CheckValue(v)
			}
		}
	})
}

// openBenchStore is openEnvStore for a benchmark.
func openBenchStore(b *testing.B) *sqlstore.DB {
	b.Helper()
	if testStore == "postgres" {
		return pgtest.New(b)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "razmena.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}

// benchServer serves the API over db with one user (role User) and
// returns its key.
func benchServer(b *testing.B, db *sqlstore.DB) (*httptest.Server, string) {
	b.Helper()
	ctx := context.Background()
	org := &misp.Organisation{Name: "ORG-BENCH", UUID: "33333333-3333-4333-8333-333333333333", Local: true}
	if err := db.CreateOrg(ctx, org); err != nil {
		b.Fatal(err)
	}
	u := &misp.User{Email: "bench@example.org", OrgID: org.ID, RoleID: misp.Int(misp.RoleUser), TermsAccepted: true}
	if err := db.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	raw := strings.Repeat("b", 36) + "0001"
	k := &misp.AuthKey{UserID: u.ID, Comment: "bench"}
	if err := auth.NewAuthKey(k, raw); err != nil {
		b.Fatal(err)
	}
	if err := db.CreateAuthKey(ctx, k); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ad := &httpserver.Adapter{Log: log, Auth: auth.NewAuthenticator(db, db.Now), Keys: auth.Candidates, Audit: db}
	api := New(Stores{Events: db, Attributes: db, Objects: db, Tags: db, Orgs: db, Users: db, Roles: db, AuthKeys: db,
		Audit: db, SharingGroups: db, Search: db, Taxonomies: db, Galaxies: db, ObjectTemplates: db, Warninglists: db},
		ad, Config{BaseURL: testBaseURL, Version: "2.5.1"})
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(httpserver.LimitBody(64<<20, mux))
	b.Cleanup(srv.Close)
	return srv, raw
}

// benchValues returns n values, every other one taken from the lists (an
// address inside a listed range, a subdomain of a listed domain, a listed
// string) and the others random addresses and domains.
func benchValues(lists []*warninglist.List, n int) []string {
	rng := rand.New(rand.NewPCG(2026, 6))
	var listed []*warninglist.List
	for _, l := range lists {
		if len(l.Entries) > 0 && l.Type != warninglist.TypeRegex && l.Type != warninglist.TypeSubstring {
			listed = append(listed, l)
		}
	}
	values := make([]string, 0, n)
	for i := range n {
		if i%2 == 1 {
			switch i % 3 {
			case 0:
				values = append(values, netip.AddrFrom4([4]byte{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}).String())
			case 1:
				values = append(values, fmt.Sprintf("host%d.razmena-bench-%d.example", rng.IntN(1e6), i))
			default:
				values = append(values, fmt.Sprintf("https://www.razmena-bench-%d.test/path?q=%d", i, rng.IntN(1e6)))
			}
			continue
		}
		l := listed[rng.IntN(len(listed))]
		e := l.Entries[rng.IntN(len(l.Entries))]
		switch l.Type {
		case warninglist.TypeCIDR:
			if p, err := netip.ParsePrefix(e); err == nil {
				e = p.Addr().String()
			}
		case warninglist.TypeHostname:
			e = "www." + strings.Trim(e, ".")
		}
		values = append(values, e)
	}
	return values
}
