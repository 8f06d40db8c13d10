package config

import (
	"bytes"
	"flag"
	"strings"
	"testing"

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
