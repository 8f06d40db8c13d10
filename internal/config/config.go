// Package config holds Razmena's configuration: one Config struct filled
// from defaults, RAZMENA_* environment variables and command-line flags
// (in increasing precedence), checked by Validate and passed explicitly.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// Config is the server configuration.
type Config struct {
	// Listen is the HTTP listen address.
	Listen string
	// Database is a SQLite file path, or a postgres:// URL.
	Database string
	// BaseURL is the instance's external URL (MISP.baseurl).
	BaseURL string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is text or json.
	LogFormat string
	// MaxBodyBytes caps request bodies (compressed and decompressed).
	MaxBodyBytes int64
	// HostOrgName names the host organisation created on first start.
	HostOrgName string
	// AdminEmail is the e-mail of the site admin created on first start.
	AdminEmail string
	// AdminKey, when set, is the first admin's API key (40 characters);
	// otherwise one is generated and printed once.
	AdminKey misp.Secret
	// AdminPassword, when set, is the first admin's password; otherwise
	// one is generated and printed once.
	AdminPassword misp.Secret
	// ShutdownTimeout bounds graceful shutdown.
	ShutdownTimeout time.Duration
	// AuthFailLimit is the number of failed API-key authentications a
	// client address or a key may have within AuthFailWindow before it is
	// refused with 429 for the rest of the window; 0 disables throttling.
	AuthFailLimit int
	// AuthFailWindow is the window failed authentications are counted in.
	AuthFailWindow time.Duration
	// UnpublishedPrivate is MISP.unpublishedprivate: unpublished events
	// are visible only to their owner organisation (and site admins).
	UnpublishedPrivate bool
	// Libraries is the directory of the MISP knowledge libraries that the
	// */update endpoints and `razmena libraries` load from: taxonomies/,
	// galaxy/, objects/ and warninglists/, each laid out as the MISP
	// repository of that name.
	Libraries string
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Listen:          "127.0.0.1:8080",
		Database:        "./data/razmena.db",
		LogLevel:        "info",
		LogFormat:       "text",
		MaxBodyBytes:    100 << 20,
		HostOrgName:     "ORGNAME",
		AdminEmail:      "admin@admin.test",
		ShutdownTimeout: 15 * time.Second,
		AuthFailLimit:   10,
		AuthFailWindow:  5 * time.Minute,
		Libraries:       "./data/libraries",
	}
}

// env names, one per field.
var envNames = map[string]string{
	"listen":           "RAZMENA_LISTEN",
	"database":         "RAZMENA_DATABASE",
	"base-url":         "RAZMENA_BASE_URL",
	"log-level":        "RAZMENA_LOG_LEVEL",
	"log-format":       "RAZMENA_LOG_FORMAT",
	"max-body-bytes":   "RAZMENA_MAX_BODY_BYTES",
	"host-org":         "RAZMENA_HOST_ORG",
	"admin-email":      "RAZMENA_ADMIN_EMAIL",
	"shutdown-timeout": "RAZMENA_SHUTDOWN_TIMEOUT",
	"auth-fail-limit":  "RAZMENA_AUTH_FAIL_LIMIT",
	"auth-fail-window": "RAZMENA_AUTH_FAIL_WINDOW",
	"libraries":        "RAZMENA_LIBRARIES",
}

// Flags registers the configuration flags on fs, bound to c. Call Env
// before parsing so that flags override the environment.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Listen, "listen", c.Listen, "HTTP listen address (env RAZMENA_LISTEN)")
	fs.StringVar(&c.Database, "database", c.Database, "SQLite file, or postgres://user:pass@host/db URL (env RAZMENA_DATABASE)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "external URL of this instance, e.g. https://misp.example.org (env RAZMENA_BASE_URL); default http://<listen>")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env RAZMENA_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (env RAZMENA_LOG_FORMAT)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest accepted request body in bytes (env RAZMENA_MAX_BODY_BYTES)")
	fs.StringVar(&c.HostOrgName, "host-org", c.HostOrgName, "name of the host organisation created on first start (env RAZMENA_HOST_ORG)")
	fs.StringVar(&c.AdminEmail, "admin-email", c.AdminEmail, "e-mail of the site admin created on first start (env RAZMENA_ADMIN_EMAIL)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "graceful shutdown limit (env RAZMENA_SHUTDOWN_TIMEOUT)")
	fs.IntVar(&c.AuthFailLimit, "auth-fail-limit", c.AuthFailLimit, "failed API-key authentications per client address and per key within -auth-fail-window before 429; 0 disables (env RAZMENA_AUTH_FAIL_LIMIT)")
	fs.DurationVar(&c.AuthFailWindow, "auth-fail-window", c.AuthFailWindow, "window in which failed authentications are counted (env RAZMENA_AUTH_FAIL_WINDOW)")
	fs.StringVar(&c.Libraries, "libraries", c.Libraries, "directory of the MISP knowledge libraries: taxonomies/, galaxy/, objects/, warninglists/ (env RAZMENA_LIBRARIES)")
	fs.BoolVar(&c.UnpublishedPrivate, "unpublished-private", c.UnpublishedPrivate, "unpublished events are visible only to their owner organisation, as MISP.unpublishedprivate (env RAZMENA_UNPUBLISHED_PRIVATE)")
}

// Env applies RAZMENA_* variables read with getenv. Secrets are taken only
// from the environment (RAZMENA_ADMIN_KEY, RAZMENA_ADMIN_PASSWORD), never
// from flags, so they do not show in process listings.
func (c *Config) Env(getenv func(string) string) error {
	var errs []error
	str := func(name string, dst *string) {
		if v := getenv(envNames[name]); v != "" {
			*dst = v
		}
	}
	str("listen", &c.Listen)
	str("database", &c.Database)
	str("base-url", &c.BaseURL)
	str("log-level", &c.LogLevel)
	str("log-format", &c.LogFormat)
	str("host-org", &c.HostOrgName)
	str("admin-email", &c.AdminEmail)
	str("libraries", &c.Libraries)
	if v := getenv(envNames["max-body-bytes"]); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("RAZMENA_MAX_BODY_BYTES: %w", err))
		}
		c.MaxBodyBytes = n
	}
	if v := getenv(envNames["shutdown-timeout"]); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("RAZMENA_SHUTDOWN_TIMEOUT: %w", err))
		}
		c.ShutdownTimeout = d
	}
	if v := getenv(envNames["auth-fail-limit"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("RAZMENA_AUTH_FAIL_LIMIT: %w", err))
		}
		c.AuthFailLimit = n
	}
	if v := getenv(envNames["auth-fail-window"]); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("RAZMENA_AUTH_FAIL_WINDOW: %w", err))
		}
		c.AuthFailWindow = d
	}
	if v := getenv("RAZMENA_UNPUBLISHED_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("RAZMENA_UNPUBLISHED_PRIVATE: %w", err))
		}
		c.UnpublishedPrivate = b
	}
	if v := getenv("RAZMENA_ADMIN_KEY"); v != "" {
		c.AdminKey = misp.Secret(v)
	}
	if v := getenv("RAZMENA_ADMIN_PASSWORD"); v != "" {
		c.AdminPassword = misp.Secret(v)
	}
	return errors.Join(errs...)
}

// Postgres reports whether Database selects PostgreSQL.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://")
}

// Validate checks cross-field rules and fills derived defaults (BaseURL).
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: %w", c.Listen, err))
	}
	if strings.TrimSpace(c.Database) == "" {
		errs = append(errs, errors.New("database: empty"))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base-url %q: want an absolute http(s) URL", c.BaseURL))
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if _, err := c.Level(); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q: want text or json", c.LogFormat))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, fmt.Errorf("max-body-bytes %d: want at least 1024", c.MaxBodyBytes))
	}
	if strings.TrimSpace(c.HostOrgName) == "" {
		errs = append(errs, errors.New("host-org: empty"))
	}
	if c.AdminKey != "" && !validKey(string(c.AdminKey)) {
		errs = append(errs, errors.New("RAZMENA_ADMIN_KEY: want exactly 40 characters of a-z, A-Z, 0-9"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown-timeout: want a positive duration"))
	}
	if c.AuthFailLimit < 0 {
		errs = append(errs, errors.New("auth-fail-limit: want 0 (off) or more"))
	}
	if c.AuthFailLimit > 0 && c.AuthFailWindow <= 0 {
		errs = append(errs, errors.New("auth-fail-window: want a positive duration"))
	}
	return errors.Join(errs...)
}

func validKey(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, r := range s {
		if !(('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')) {
			return false
		}
	}
	return true
}

// Level returns the slog level named by LogLevel.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// Dump writes the effective configuration with secrets masked.
func (c Config) Dump(w io.Writer) error {
	mask := func(s misp.Secret) string {
		if s == "" {
			return "(not set)"
		}
		return "********"
	}
	lines := [][2]string{
		{"listen", c.Listen},
		{"database", MaskDSN(c.Database)},
		{"base-url", c.BaseURL},
		{"log-level", c.LogLevel},
		{"log-format", c.LogFormat},
		{"max-body-bytes", strconv.FormatInt(c.MaxBodyBytes, 10)},
		{"host-org", c.HostOrgName},
		{"admin-email", c.AdminEmail},
		{"admin-key", mask(c.AdminKey)},
		{"admin-password", mask(c.AdminPassword)},
		{"shutdown-timeout", c.ShutdownTimeout.String()},
		{"auth-fail-limit", strconv.Itoa(c.AuthFailLimit)},
		{"auth-fail-window", c.AuthFailWindow.String()},
		{"unpublished-private", strconv.FormatBool(c.UnpublishedPrivate)},
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%-17s %s\n", l[0], l[1]); err != nil {
			return err
		}
	}
	return nil
}

// MaskDSN hides the password of a database URL.
func MaskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
