package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/config"
	"github.com/razmena/razmena/internal/store/postgres/pgtest"
)

// syncBuffer is a bytes.Buffer safe for the server's log goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startMain runs the real program on 127.0.0.1:0 against database.
func startMain(t *testing.T, database string, env map[string]string) (*Main, *syncBuffer) {
	t.Helper()
	cfg := config.Default()
	if err := cfg.Env(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	cfg.Database = database
	cfg.MaxBodyBytes = 64 << 10
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	m := &Main{Config: cfg, Stdout: out, Stderr: io.Discard}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return m, out
}

func call(t *testing.T, m *Main, method, path, key string, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, m.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PyMISP 2.5.1 - Python 3.11")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

var keyLine = regexp.MustCompile(`API key:\s+([A-Za-z0-9]{40})`)

// eachStore runs f once with a fresh SQLite file and once with a fresh
// PostgreSQL database (skipped without TEST_POSTGRES_DSN, required in CI).
func eachStore(t *testing.T, f func(t *testing.T, database string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "sub", "razmena.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, pgtest.NewDSN(t)) })
}

func TestFirstStartGeneratesCredentialsOnce(t *testing.T) { eachStore(t, testFirstStart) }

func testFirstStart(t *testing.T, db string) {
	m, out := startMain(t, db, nil)
	match := keyLine.FindStringSubmatch(out.String())
	if match == nil {
		t.Fatalf("first start printed no API key:\n%s", out.String())
	}
	key := match[1]
	if !strings.Contains(out.String(), "password:") {
		t.Errorf("first start printed no password:\n%s", out.String())
	}
	status, body := call(t, m, "GET", "/users/view/me", key, "")
	if status != http.StatusOK || !strings.Contains(string(body), `"perm_site_admin":true`) {
		t.Fatalf("users/view/me with the printed key = %d %s", status, body)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// The second start over the same database creates nothing and
	// prints no credentials; the key from the first start still works.
	m2, out2 := startMain(t, db, nil)
	defer m2.Close()
	if strings.Contains(out2.String(), "API key") || strings.Contains(out2.String(), "password") {
		t.Errorf("second start printed credentials:\n%s", out2.String())
	}
	if m2.Instance.UUID != m.Instance.UUID {
		t.Errorf("instance UUID changed across restarts: %s → %s", m.Instance.UUID, m2.Instance.UUID)
	}
	if status, body := call(t, m2, "GET", "/servers/getVersion", key, ""); status != http.StatusOK {
		t.Errorf("getVersion after restart = %d %s", status, body)
	}
}

func TestServeWithGivenAdminKey(t *testing.T) { eachStore(t, testServeWithGivenAdminKey) }

func testServeWithGivenAdminKey(t *testing.T, db string) {
	key := strings.Repeat("Ab1", 13) + "Z"
	m, out := startMain(t, db, map[string]string{
		"RAZMENA_ADMIN_KEY":      key,
		"RAZMENA_ADMIN_PASSWORD": "A strong password 42",
	})
	defer m.Close()
	if strings.Contains(out.String(), key) || strings.Contains(out.String(), "A strong password 42") {
		t.Errorf("console shows the given secrets:\n%s", out.String())
	}

	// PyMISP's connect sequence (misp-rest-api §2).
	status, body := call(t, m, "GET", "/servers/getVersion", key, "")
	if status != http.StatusOK {
		t.Fatalf("getVersion = %d %s", status, body)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if v["version"] != MISPVersion || v["uuid"] != m.Instance.UUID {
		t.Errorf("getVersion = %v, want version %s and the instance uuid", v, MISPVersion)
	}
	status, body = call(t, m, "GET", "/users/view/me.json", key, "")
	if status != http.StatusOK {
		t.Fatalf("users/view/me = %d %s", status, body)
	}
	var me map[string]json.RawMessage
	if err := json.Unmarshal(body, &me); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"User", "Role", "UserSetting", "Organisation"} {
		if _, ok := me[k]; !ok {
			t.Errorf("users/view/me lacks %q", k)
		}
	}
	if status, body := call(t, m, "GET", "/attributes/describeTypes.json", key, ""); status != http.StatusOK || !strings.Contains(string(body), `"sane_defaults"`) {
		t.Errorf("describeTypes = %d %.200s", status, body)
	}

	// An event round trip through the real program.
	status, body = call(t, m, "POST", "/events/add", key, `{"Event":{"info":"smoke","Attribute":[{"type":"ip-dst","value":"203.0.113.9"}]}}`)
	if status != http.StatusOK {
		t.Fatalf("events/add = %d %s", status, body)
	}
	var ev struct{ Event struct{ ID, UUID string } }
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if status, body := call(t, m, "GET", "/events/view/"+ev.Event.UUID, key, ""); status != http.StatusOK || !strings.Contains(string(body), "203.0.113.9") {
		t.Errorf("events/view = %d %.300s", status, body)
	}

	// Errors: wrong key, oversized body.
	if status, _ := call(t, m, "GET", "/servers/getVersion", strings.Repeat("x", 40), ""); status != http.StatusForbidden {
		t.Errorf("wrong key = %d, want 403", status)
	}
	big := `{"Event":{"info":"` + strings.Repeat("a", 70<<10) + `"}}`
	if status, body := call(t, m, "POST", "/events/add", key, big); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body = %d %.200s, want 413", status, body)
	}

	// Health checks need no key.
	if status, _ := call(t, m, "GET", "/healthz", "", ""); status != http.StatusOK {
		t.Errorf("healthz = %d", status)
	}
	if status, _ := call(t, m, "GET", "/readyz", "", ""); status != http.StatusOK {
		t.Errorf("readyz = %d", status)
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	m, _ := startMain(t, filepath.Join(t.TempDir(), "r.db"), map[string]string{"RAZMENA_ADMIN_KEY": strings.Repeat("k", 40)})
	// A client that has opened a connection and is mid-request when
	// shutdown begins still gets its answer.
	done := make(chan int, 1)
	go func() {
		resp, err := http.Get(m.URL() + "/healthz")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	if got := <-done; got != http.StatusOK {
		t.Fatalf("healthz before shutdown = %d", got)
	}
	start := time.Now()
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if time.Since(start) > m.Config.ShutdownTimeout {
		t.Errorf("Close took %v, longer than the shutdown timeout", time.Since(start))
	}
	if _, err := http.Get(m.URL() + "/healthz"); err == nil {
		t.Error("server still answers after Close")
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	env := map[string]string{"RAZMENA_DATABASE": db}
	runCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, stdio{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }})
		return out.String() + errOut.String(), err
	}
	if out, err := runCmd("version"); err != nil || !strings.Contains(out, MISPVersion) {
		t.Errorf("version = %q, %v", out, err)
	}
	if out, err := runCmd("migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate = %q, %v", out, err)
	}
	if out, err := runCmd("serve", "-config-dump", "-listen", "127.0.0.1:9999"); err != nil || !strings.Contains(out, "127.0.0.1:9999") {
		t.Errorf("serve -config-dump = %q, %v", out, err)
	}
	if _, err := runCmd("frobnicate"); err == nil {
		t.Error("unknown command: want an error")
	}
	if _, err := runCmd("serve", "-log-format", "xml", "-config-dump"); err == nil {
		t.Error("invalid configuration: want an error")
	}

	// The admin CLI: an organisation, a user, a key, revocation.
	if out, err := runCmd("admin", "org", "add", "-name", "CERT Example", "-type", "CERT"); err != nil {
		t.Fatalf("org add = %q, %v", out, err)
	}
	if _, err := runCmd("admin", "org", "add", "-name", "cert example"); err == nil {
		t.Error("duplicate organisation name (case-insensitive): want an error")
	}
	out, err := runCmd("admin", "user", "add", "-email", "analyst@cert.example", "-org", "CERT Example")
	if err != nil || !strings.Contains(out, "password: ") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	out, err = runCmd("admin", "key", "add", "-user", "analyst@cert.example", "-read-only", "-comment", "siem")
	if err != nil {
		t.Fatalf("key add = %q, %v", out, err)
	}
	key := regexp.MustCompile(`(?m)^([A-Za-z0-9]{40})$`).FindString(out)
	if key == "" {
		t.Fatalf("key add printed no key: %q", out)
	}
	out, err = runCmd("admin", "key", "list", "-user", "analyst@cert.example")
	if err != nil || !strings.Contains(out, key[:4]+"…"+key[36:]) || strings.Contains(out, key) {
		t.Errorf("key list = %q, %v; want the key's ends and never the key", out, err)
	}
	if out, err := runCmd("admin", "role", "list"); err != nil || !strings.Contains(out, "Read Only") {
		t.Errorf("role list = %q, %v", out, err)
	}

	m, _ := startMain(t, db, map[string]string{"RAZMENA_ADMIN_KEY": strings.Repeat("q", 40)})
	if status, body := call(t, m, "GET", "/users/view/me", key, ""); status != http.StatusOK || !strings.Contains(string(body), "analyst@cert.example") {
		t.Errorf("CLI-created key: users/view/me = %d %.200s", status, body)
	}
	if status, _ := call(t, m, "POST", "/events/add", key, `{"Event":{"info":"x"}}`); status != http.StatusForbidden {
		t.Errorf("read-only key on a write = %d, want 403", status)
	}
	m.Close()
	list, _ := runCmd("admin", "key", "list", "-user", "analyst@cert.example")
	keyID := strings.Fields(strings.Split(list, "\n")[1])[0]
	if out, err := runCmd("admin", "key", "revoke", "-id", keyID); err != nil {
		t.Fatalf("key revoke = %q, %v", out, err)
	}
	m, _ = startMain(t, db, nil)
	defer m.Close()
	if status, _ := call(t, m, "GET", "/users/view/me", key, ""); status != http.StatusForbidden {
		t.Errorf("revoked key = %d, want 403", status)
	}
}
