package config

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

func TestPrecedence(t *testing.T) {
	env := map[string]string{
		"RAZMENA_LISTEN":         "127.0.0.1:9000",
		"RAZMENA_DATABASE":       "postgres://u:secretpw@db/razmena",
		"RAZMENA_ADMIN_KEY":      strings.Repeat("a", 40),
		"RAZMENA_ADMIN_PASSWORD": "Sup3rSecretPassword",
	}
	c := Default()
	if err := c.Env(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse([]string{"--listen", "127.0.0.1:9001"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9001" {
		t.Errorf("Listen = %q, want the flag value", c.Listen)
	}
	if !c.Postgres() {
		t.Errorf("Postgres() = false for %q", c.Database)
	}
	if c.BaseURL != "http://127.0.0.1:9001" {
		t.Errorf("BaseURL = %q, want derived from listen", c.BaseURL)
	}
	var b bytes.Buffer
	if err := c.Dump(&b); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"secretpw", strings.Repeat("a", 40), "Sup3rSecretPassword"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("Dump shows secret %q:\n%s", secret, b.String())
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"bad listen", func(c *Config) { c.Listen = "nonsense" }},
		{"empty database", func(c *Config) { c.Database = " " }},
		{"bad base url", func(c *Config) { c.BaseURL = "ftp://x" }},
		{"bad level", func(c *Config) { c.LogLevel = "loud" }},
		{"bad format", func(c *Config) { c.LogFormat = "xml" }},
		{"tiny body", func(c *Config) { c.MaxBodyBytes = 10 }},
		{"short admin key", func(c *Config) { c.AdminKey = "abc" }},
		{"admin key with symbols", func(c *Config) { c.AdminKey = misp.Secret("!" + secret39()) }},
		{"negative auth fail limit", func(c *Config) { c.AuthFailLimit = -1 }},
		{"no auth fail window", func(c *Config) { c.AuthFailWindow = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mod(&c)
			if err := c.Validate(); err == nil {
				t.Errorf("Validate() = nil, want an error")
			}
		})
	}
	c := Default()
	if err := c.Validate(); err != nil {
		t.Errorf("Validate(Default()) = %v", err)
	}
}

func secret39() string { return strings.Repeat("b", 39) }

func TestEnvErrors(t *testing.T) {
	c := Default()
	err := c.Env(func(k string) string {
		if k == "RAZMENA_MAX_BODY_BYTES" {
			return "lots"
		}
		return ""
	})
	if err == nil {
		t.Error("Env with a bad number = nil, want an error")
	}
}

func TestAuthFailFlags(t *testing.T) {
	c := Default()
	if c.AuthFailLimit != 10 || c.AuthFailWindow != 5*time.Minute {
		t.Errorf("defaults = %d per %v, want 10 per 5m", c.AuthFailLimit, c.AuthFailWindow)
	}
	env := map[string]string{"RAZMENA_AUTH_FAIL_LIMIT": "3", "RAZMENA_AUTH_FAIL_WINDOW": "1m"}
	if err := c.Env(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.AuthFailLimit != 3 || c.AuthFailWindow != time.Minute {
		t.Errorf("from the environment: %d per %v, want 3 per 1m", c.AuthFailLimit, c.AuthFailWindow)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse([]string{"-auth-fail-limit", "0", "-auth-fail-window", "0s"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate(throttling off) = %v", err)
	}
	for _, bad := range []map[string]string{{"RAZMENA_AUTH_FAIL_LIMIT": "many"}, {"RAZMENA_AUTH_FAIL_WINDOW": "soon"}} {
		c := Default()
		if err := c.Env(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("Env(%v) = nil, want an error", bad)
		}
	}
}
