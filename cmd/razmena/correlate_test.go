package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/config"
)

func TestCorrelateCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	env := map[string]string{"RAZMENA_DATABASE": db}
	runCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, stdio{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }})
		return out.String() + errOut.String(), err
	}
	if _, err := runCmd("correlate"); err == nil {
		t.Error("correlate without -rebuild or -limit: want an error")
	}
	if _, err := runCmd("correlate", "-limit", "-3"); err == nil {
		t.Error("correlate -limit -3: want an error")
	}
	out, err := runCmd("correlate", "-limit", "50", "-rebuild")
	if err != nil || !strings.Contains(out, "correlation limit set to 50") || !strings.Contains(out, "rebuilt in") {
		t.Fatalf("correlate -limit 50 -rebuild = %q, %v", out, err)
	}
	if _, err := runCmd("correlate", "-fresh"); err == nil {
		t.Error("correlate -fresh without -rebuild: want an error")
	}
	out, err = runCmd("correlate", "-rebuild", "-fresh")
	for _, want := range []string{"values inserted", "indexes built", "over-correlating values counted", "rebuilt from scratch in"} {
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("correlate -rebuild -fresh = %q, %v, want %q", out, err, want)
		}
	}
	cfg := config.Default()
	cfg.Database = db
	store, err := openStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n, err := store.CorrelationLimit(context.Background()); err != nil || n != 50 {
		t.Errorf("CorrelationLimit() = %d, %v, want 50", n, err)
	}
}

func TestCorrelateAdvanced(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "r.db")
	env := map[string]string{"RAZMENA_DATABASE": db}
	runCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, stdio{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }})
		return out.String() + errOut.String(), err
	}
	if _, err := runCmd("correlate", "-advanced", "maybe"); err == nil {
		t.Error("correlate -advanced maybe: want an error")
	}
	cfg := config.Default()
	cfg.Database = db
	advanced := func() bool {
		t.Helper()
		store, err := openStore(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		on, err := store.AdvancedCorrelations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	for _, tc := range []struct {
		arg  string
		want bool
	}{{"on", true}, {"off", false}, {"on", true}} {
		out, err := runCmd("correlate", "-advanced", tc.arg)
		if err != nil || !strings.Contains(out, "CIDR correlation (advanced correlations) "+tc.arg) {
			t.Fatalf("correlate -advanced %s = %q, %v", tc.arg, out, err)
		}
		if got := advanced(); got != tc.want {
			t.Errorf("after correlate -advanced %s: AdvancedCorrelations() = %v, want %v", tc.arg, got, tc.want)
		}
	}
}
