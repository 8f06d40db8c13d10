// Package bench is Razmena's benchmark harness (issue 4): it generates a
// seeded synthetic MISP community, loads it through the real REST ingest
// path, loads the same rows again with plain SQL as a baseline, and
// measures the hot read paths against raw indexed queries. Everything
// runs in one process against 127.0.0.1; every loop is bounded in count
// and time.
package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/setup"
	"github.com/razmena/razmena/internal/store/postgres"
	"github.com/razmena/razmena/internal/store/sqlite"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// Config says what to run.
type Config struct {
	// Store is "sqlite" or "postgres".
	Store string
	// Database is, for SQLite, the path of the database file to load
	// (it must not exist; the baseline goes to a sibling file), empty for
	// a temporary directory; for PostgreSQL, the URL of a database whose
	// role may CREATE DATABASE: the run creates two fresh databases
	// beside it and drops them at the end.
	Database string
	// Attributes is the scale of the community.
	Attributes int
	// Seed makes the community reproducible.
	Seed uint64
	// Clients is the number of concurrent ingest clients.
	Clients int
	// Lookups is the number of exact-value lookups per user.
	Lookups int
	// Readers and MixedDuration shape the concurrent mixed load.
	Readers       int
	MixedDuration time.Duration
	// Timeout bounds the whole run.
	Timeout time.Duration
	// Keep leaves the databases behind for inspection (query plans)
	// instead of removing them at the end.
	Keep bool
	// Handler builds the server's full HTTP handler (the one `razmena
	// serve` runs) over db for the instance inst.
	Handler func(db *sqlstore.DB, inst *setup.Instance) http.Handler
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// run is one benchmark run in progress.
type run struct {
	cfg   Config
	log   io.Writer
	c     *community
	db    *sqlstore.DB // the store loaded through the API
	url   string       // base URL of the server
	inst  *setup.Instance
	admin *misp.Actor
	user  *misp.Actor // a normal user of an organisation that owns little
	// keys are the API keys of each organisation's publisher, who
	// ingests its events; userKey is the normal user's.
	keys    []string
	userKey string
	// adminKey is the site admin's, for the export of everything.
	adminKey string
	orgIDs   []int64
	sgIDs    []int64
	tagIDs   map[string]int64
	// eventIDs maps plan index to stored event id, after ingest.
	eventIDs []int64
	rep      *Report
	// rawStmts are the prepared statements of the raw baseline queries,
	// by text; the measurements run one at a time.
	rawStmts map[string]*sql.Stmt
	// rawPool, when not nil, is the pool they are prepared on instead of
	// the store's (rawPlanPool).
	rawPool *sql.DB
}

// Run runs the benchmark and returns its report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Attributes <= 0 {
		return nil, errors.New("bench: attributes must be positive")
	}
	if cfg.Handler == nil {
		return nil, errors.New("bench: no handler")
	}
	if cfg.Clients <= 0 {
		cfg.Clients = 4
	}
	if cfg.Lookups <= 0 {
		cfg.Lookups = 200
	}
	if cfg.Readers <= 0 {
		cfg.Readers = 4
	}
	if cfg.MixedDuration <= 0 {
		cfg.MixedDuration = 20 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 6 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	r := &run{cfg: cfg, log: cfg.Log, rep: newReport(cfg)}
	start := time.Now()
	r.logf("planning a community of %d attributes (seed %d)", cfg.Attributes, cfg.Seed)
	r.c = planCommunity(cfg.Seed, cfg.Attributes)
	r.rep.Scale = Scale{Attributes: r.c.total, Events: len(r.c.events), Orgs: r.c.orgs,
		SharingGroups: len(r.c.sgs), LargestEvent: r.c.events[r.c.largest].size}

	mainDB, rawDB, mainDSN, cleanup, err := openDatabases(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if r.rawPool, err = rawPlanPool(cfg.Store, mainDSN); err != nil {
		return nil, err
	}
	defer r.closeRaw()
	if cfg.Keep {
		r.logf("keeping the databases: %s", keptNames(cfg))
	}
	r.db = mainDB
	if err := r.prepare(ctx); err != nil {
		return nil, fmt.Errorf("bench: prepare: %w", err)
	}
	stop, err := r.serve(mainDB)
	if err != nil {
		return nil, err
	}
	defer stop()

	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"ingest through the API", r.ingest},
		{"raw SQL baseline", func(ctx context.Context) error { return r.rawLoad(ctx, rawDB) }},
		{"planner statistics", func(ctx context.Context) error {
			t := time.Now()
			if err := r.db.Optimize(ctx); err != nil {
				return err
			}
			r.rep.OptimizeSeconds = time.Since(t).Seconds()
			return rawDB.Optimize(ctx)
		}},
		{"exact-value lookups", r.lookups},
		{"20,000-attribute pages", r.pages},
		{"largest event view", r.eventView},
		{"restSearch exports", r.export},
		{"mixed load", r.mixed},
	}
	for _, s := range steps {
		r.logf("%s", s.name)
		t := time.Now()
		if err := s.fn(ctx); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", s.name, err)
		}
		r.logf("%s done in %s", s.name, time.Since(t).Round(time.Millisecond))
	}
	r.rep.finish(time.Since(start))
	return r.rep, nil
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "%s bench: "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// openDatabases opens the store to load through the API and the fresh
// one the raw baseline writes, both migrated.
func openDatabases(ctx context.Context, cfg Config) (mainDB, rawDB *sqlstore.DB, mainDSN string, cleanup func(), err error) {
	// undo removes the databases, closers close their handles; a kept
	// run only closes them.
	var undo, closers []func()
	cleanup = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
		if cfg.Keep && err == nil {
			return
		}
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	var dsns [2]string
	switch cfg.Store {
	case "sqlite":
		path := cfg.Database
		if path == "" {
			dir, err := os.MkdirTemp("", "razmena-bench-")
			if err != nil {
				return nil, nil, "", nil, err
			}
			undo = append(undo, func() { os.RemoveAll(dir) })
			path = filepath.Join(dir, "bench.db")
		}
		dsns = [2]string{path, path + ".raw"}
		for _, p := range dsns {
			if _, err := os.Stat(p); err == nil {
				return nil, nil, "", nil, fmt.Errorf("bench: %s exists; the run needs a fresh database", p)
			}
			undo = append(undo, func() {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					os.Remove(p + suffix)
				}
			})
		}
	case "postgres":
		for i, name := range []string{"main", "raw"} {
			dsn, drop, err := createPostgresDatabase(ctx, cfg.Database, fmt.Sprintf("razmena_bench_%d_%s", os.Getpid(), name))
			if err != nil {
				return nil, nil, "", nil, err
			}
			undo = append(undo, drop)
			dsns[i] = dsn
		}
	default:
		return nil, nil, "", nil, fmt.Errorf("bench: unknown store %q (sqlite or postgres)", cfg.Store)
	}
	var dbs [2]*sqlstore.DB
	for i, dsn := range dsns {
		var db *sqlstore.DB
		if cfg.Store == "sqlite" {
			db, err = sqlite.Open(ctx, dsn)
		} else {
			db, err = postgres.Open(ctx, dsn)
		}
		if err != nil {
			return nil, nil, "", nil, err
		}
		closers = append(closers, func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			return nil, nil, "", nil, err
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1], dsns[0], cleanup, nil
}

// keptNames says where a kept run leaves its databases.
func keptNames(cfg Config) string {
	if cfg.Store == "postgres" {
		return fmt.Sprintf("razmena_bench_%d_main and razmena_bench_%d_raw beside %s", os.Getpid(), os.Getpid(), cfg.Database)
	}
	if cfg.Database == "" {
		return "a temporary directory (give -database to name it)"
	}
	return cfg.Database + " and " + cfg.Database + ".raw"
}

// prepare creates the instance, organisations, users with API keys,
// sharing groups and tags.
func (r *run) prepare(ctx context.Context) error {
	inst, err := setup.Ensure(ctx, r.db, setup.Options{HostOrgName: "Bench host", AdminEmail: "admin@bench.test"})
	if err != nil {
		return err
	}
	r.inst = inst
	if r.admin, err = r.actor(ctx, "admin@bench.test"); err != nil {
		return err
	}
	if r.adminKey, err = r.newKey(ctx, r.admin.User.ID); err != nil {
		return err
	}
	for i := 0; i < r.c.orgs; i++ {
		o := &misp.Organisation{Name: fmt.Sprintf("Bench org %02d", i), Local: true}
		if err := r.db.CreateOrg(ctx, o); err != nil {
			return err
		}
		r.orgIDs = append(r.orgIDs, int64(o.ID))
		key, err := r.newUser(ctx, o, misp.RolePublisher, fmt.Sprintf("publisher%02d@bench.test", i))
		if err != nil {
			return err
		}
		r.keys = append(r.keys, key)
	}
	// The normal user belongs to the last organisation: it owns about
	// 1/orgs of the events and sees the rest through distribution and
	// sharing groups, the common case on a community instance.
	last := r.c.orgs - 1
	o, err := r.db.FindOrgByID(ctx, r.orgIDs[last])
	if err != nil {
		return err
	}
	if r.userKey, err = r.newUser(ctx, o, misp.RoleUser, "analyst@bench.test"); err != nil {
		return err
	}
	if r.user, err = r.actor(ctx, "analyst@bench.test"); err != nil {
		return err
	}
	for i, members := range r.c.sgs {
		g := &misp.SharingGroup{Name: fmt.Sprintf("Bench sharing group %d", i), Active: true, Local: true,
			OrgID: misp.Int(r.orgIDs[members[0]])}
		for _, m := range members {
			g.SharingGroupOrg = append(g.SharingGroupOrg, &misp.SharingGroupOrg{OrgID: misp.Int(r.orgIDs[m])})
		}
		if err := r.db.CreateSharingGroup(ctx, g); err != nil {
			return err
		}
		r.sgIDs = append(r.sgIDs, int64(g.ID))
	}
	r.tagIDs = map[string]int64{}
	for _, name := range tagNames {
		t := &misp.Tag{Name: name, Exportable: true}
		if err := t.Validate(); err != nil {
			return err
		}
		if err := r.db.CreateTag(ctx, t); err != nil {
			return err
		}
		r.tagIDs[name] = int64(t.ID)
	}
	return nil
}

// newUser creates a user of org with the role and returns a new API key.
func (r *run) newUser(ctx context.Context, o *misp.Organisation, role int64, email string) (string, error) {
	u := &misp.User{Email: email, OrgID: o.ID, RoleID: misp.Int(role), PasswordHash: "!"}
	if err := r.db.CreateUser(ctx, u); err != nil {
		return "", err
	}
	return r.newKey(ctx, u.ID)
}

// newKey creates an API key for the user and returns it.
func (r *run) newKey(ctx context.Context, userID misp.Int) (string, error) {
	raw := auth.GenerateKey()
	k := &misp.AuthKey{UserID: userID, Comment: "bench"}
	if err := auth.NewAuthKey(k, raw); err != nil {
		return "", err
	}
	if err := r.db.CreateAuthKey(ctx, k); err != nil {
		return "", err
	}
	return raw, nil
}

// actor builds the store actor of the user with the given e-mail.
func (r *run) actor(ctx context.Context, email string) (*misp.Actor, error) {
	u, err := r.db.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	role, err := r.db.FindRoleByID(ctx, int64(u.RoleID))
	if err != nil {
		return nil, err
	}
	o, err := r.db.FindOrgByID(ctx, int64(u.OrgID))
	if err != nil {
		return nil, err
	}
	return misp.NewActor(u, role, o, 0, false), nil
}

// serve starts the handler on 127.0.0.1 and returns its stop function.
func (r *run) serve(db *sqlstore.DB) (func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	srv := &http.Server{Handler: r.cfg.Handler(db, r.inst), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns ErrServerClosed after Shutdown
	}()
	r.url = "http://" + ln.Addr().String()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx) // best effort at the end of the run
		<-done
	}, nil
}

// rawPlanPool opens, on PostgreSQL, the pool the raw baseline queries
// are prepared on: the database at dsn, with every execution planned for
// its parameters, as the store plans its pages (its KeysetPage
// statements). On the store's own pool, PostgreSQL switched the raw
// page's prepared statement to a generic plan after five executions and
// read the page's whole time window (514 ms against 30 at 1 M
// attributes). nil on SQLite, whose raw queries share the store's pool.
func rawPlanPool(store, dsn string) (*sql.DB, error) {
	if store != "postgres" {
		return nil, nil
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("bench: raw pool: %w", err)
	}
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	cfg.RuntimeParams["jit"] = "off" // as the store's connections
	return stdlib.OpenDB(*cfg), nil
}

// rawSQL is the pool of the raw baseline queries.
func (r *run) rawSQL() *sql.DB {
	if r.rawPool != nil {
		return r.rawPool
	}
	return r.db.SQL()
}

// closeRaw closes the raw baseline's statements and pool.
func (r *run) closeRaw() {
	for _, st := range r.rawStmts {
		st.Close()
	}
	if r.rawPool != nil {
		r.rawPool.Close()
	}
}
