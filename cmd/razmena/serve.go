package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/config"
	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/restapi"
	"github.com/razmena/razmena/internal/setup"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

func runServe(ctx context.Context, args []string, io stdio) error {
	cfg := config.Default()
	if err := cfg.Env(io.getenv); err != nil {
		return err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.stderr)
	cfg.Flags(fs)
	dump := fs.Bool("config-dump", false, "print the effective configuration (secrets masked) and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if *dump {
		return cfg.Dump(io.stdout)
	}
	m := &Main{Config: cfg, Stdout: io.stdout, Stderr: io.stderr}
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	return m.Close()
}

// Main is the running server: opened store, HTTP server and listener. Tests
// start it on 127.0.0.1:0 with a temporary database.
type Main struct {
	Config config.Config
	Stdout io.Writer
	Stderr io.Writer

	Log      *slog.Logger
	DB       *sqlstore.DB
	Instance *setup.Instance
	Listener net.Listener
	Server   *http.Server

	wg sync.WaitGroup
	// stopMaintenance ends the periodic database maintenance.
	stopMaintenance context.CancelFunc
	serveMu         sync.Mutex
	served          error
}

// newLogger builds the process logger from the configuration.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	level, _ := cfg.Level() // checked by Validate
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Run opens and migrates the store, sets the instance up on first start,
// and starts serving HTTP in the background. Close stops it.
func (m *Main) Run(ctx context.Context) error {
	if m.Stdout == nil {
		m.Stdout = os.Stdout
	}
	if m.Stderr == nil {
		m.Stderr = os.Stderr
	}
	m.Log = newLogger(m.Config, m.Stderr)
	db, err := openStore(ctx, m.Config)
	if err != nil {
		return err
	}
	db.Policy.UnpublishedPrivate = m.Config.UnpublishedPrivate
	m.DB = db
	inst, err := setup.Ensure(ctx, db, setup.Options{
		HostOrgName:   m.Config.HostOrgName,
		AdminEmail:    m.Config.AdminEmail,
		AdminKey:      string(m.Config.AdminKey),
		AdminPassword: string(m.Config.AdminPassword),
	})
	if err != nil {
		db.Close()
		return fmt.Errorf("first-start setup: %w", err)
	}
	m.Instance = inst
	if inst.FirstStart {
		printCredentials(m.Stdout, inst)
	}

	ln, err := net.Listen("tcp", m.Config.Listen)
	if err != nil {
		db.Close()
		return fmt.Errorf("listen: %w", err)
	}
	m.Listener = ln
	m.Server = &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		err := m.Server.Serve(ln)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server stopped", slog.String("error", err.Error()))
			m.serveMu.Lock()
			m.served = err
			m.serveMu.Unlock()
		}
	}()
	mctx, cancel := context.WithCancel(context.Background())
	m.stopMaintenance = cancel
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.maintain(mctx)
	}()
	m.Log.Info("razmena started",
		slog.String("version", Version),
		slog.String("listen", ln.Addr().String()),
		slog.String("base_url", m.Config.BaseURL),
		slog.String("database", config.MaskDSN(m.Config.Database)))
	return nil
}

// URL is the address the server listens on, as an http URL.
func (m *Main) URL() string { return "http://" + m.Listener.Addr().String() }

// Handler builds the full HTTP handler: the MISP REST API, health checks
// and the middleware stack.
func (m *Main) Handler() http.Handler {
	mux := http.NewServeMux()
	adapter := &httpserver.Adapter{
		Log:  m.Log,
		Auth: auth.NewAuthenticator(m.DB, m.DB.Now),
		Keys: auth.Candidates,
		// Per process: several processes behind one PostgreSQL each keep
		// their own counters (docs/security.md).
		Throttle: auth.NewThrottle(auth.ThrottleConfig{
			Limit: m.Config.AuthFailLimit, Window: m.Config.AuthFailWindow, Now: m.DB.Now,
		}),
		Audit: m.DB,
	}
	api := restapi.New(restapi.Stores{
		Events: m.DB, Attributes: m.DB, Objects: m.DB, Tags: m.DB,
		Orgs: m.DB, Users: m.DB, Roles: m.DB, AuthKeys: m.DB, Audit: m.DB, SharingGroups: m.DB, Search: m.DB,
		Taxonomies: m.DB, Galaxies: m.DB, ObjectTemplates: m.DB, Warninglists: m.DB, Correlations: m.DB,
	}, adapter, restapi.Config{
		BaseURL:      m.Config.BaseURL,
		Version:      MISPVersion,
		InstanceUUID: m.Instance.UUID,
		HostOrgID:    m.Instance.HostOrgID,
		LibraryDir:   m.Config.Libraries,
		Now:          m.DB.Now,
	})
	api.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpserver.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := m.DB.Ping(ctx); err != nil {
			m.Log.Warn("readiness check failed", slog.String("error", err.Error()))
			httpserver.WriteJSON(w, r, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
			return
		}
		httpserver.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ready"})
	})
	return httpserver.Logging(m.Log, httpserver.LimitBody(m.Config.MaxBodyBytes, mux))
}

// Close shuts the server down gracefully, waiting up to the configured
// timeout for requests in flight, then closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.stopMaintenance != nil {
		m.stopMaintenance()
	}
	if m.Server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		defer cancel()
		if err := m.Server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		m.wg.Wait()
	}
	m.serveMu.Lock()
	if m.served != nil {
		errs = append(errs, m.served)
	}
	m.serveMu.Unlock()
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
	}
	return errors.Join(errs...)
}

// maintenanceInterval is how often the server refreshes the planner's
// statistics; the first run is a minute after start.
const maintenanceInterval = time.Hour

// maintain refreshes the database's planner statistics (sqlstore
// DB.Optimize) a minute after start and then every maintenanceInterval,
// until ctx ends. Plans for attribute pages depend on them.
func (m *Main) maintain(ctx context.Context) {
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		if err := m.DB.Optimize(ctx); err != nil && ctx.Err() == nil {
			m.Log.Warn("refreshing planner statistics failed", slog.String("error", err.Error()))
		} else if err == nil {
			m.Log.Debug("planner statistics refreshed", slog.Duration("took", time.Since(start)))
		}
		timer.Reset(maintenanceInterval)
	}
}

func printCredentials(w io.Writer, inst *setup.Instance) {
	fmt.Fprintln(w, "================================================================")
	fmt.Fprintln(w, " Razmena first start: site admin account created")
	fmt.Fprintf(w, "   e-mail:   %s\n", inst.AdminEmail)
	if inst.PasswordGenerated {
		fmt.Fprintf(w, "   password: %s\n", string(inst.AdminPassword))
	} else if inst.AdminPassword != "" {
		fmt.Fprintln(w, "   password: (from RAZMENA_ADMIN_PASSWORD)")
	}
	if inst.KeyGenerated {
		fmt.Fprintf(w, "   API key:  %s\n", string(inst.AdminKey))
	} else if inst.AdminKey != "" {
		fmt.Fprintln(w, "   API key:  (from RAZMENA_ADMIN_KEY)")
	}
	fmt.Fprintln(w, " They are shown only this once. Lost them? Use `razmena admin`.")
	fmt.Fprintln(w, "================================================================")
}
