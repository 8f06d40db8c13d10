package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// callFrom is call from another loopback address (Linux routes all of
// 127.0.0.0/8 to lo), so that a throttled 127.0.0.1 does not matter.
func callFrom(t *testing.T, m *Main, localIP, method, path, key, body string) (int, []byte) {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest(method, m.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", key)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
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

// TestAuthThrottleAndAuditLog checks the wiring of the real program: the
// -auth-fail-limit setting throttles, and writes, failures and the
// throttling land in the audit log that admin/logs/index serves.
func TestAuthThrottleAndAuditLog(t *testing.T) { eachStore(t, testAuthThrottleAndAuditLog) }

func testAuthThrottleAndAuditLog(t *testing.T, db string) {
	key := strings.Repeat("Ab1", 13) + "Z"
	m, _ := startMain(t, db, map[string]string{"RAZMENA_ADMIN_KEY": key, "RAZMENA_AUTH_FAIL_LIMIT": "2"})
	defer m.Close()
	if status, body := call(t, m, "POST", "/events/add", key, `{"Event":{"info":"audited"}}`); status != http.StatusOK {
		t.Fatalf("events/add = %d %s", status, body)
	}
	bad := strings.Repeat("x", 40)
	for i, want := range []int{http.StatusForbidden, http.StatusForbidden, http.StatusTooManyRequests} {
		if status, _ := call(t, m, "GET", "/servers/getVersion", bad, ""); status != want {
			t.Errorf("wrong key, attempt %d = %d, want %d", i+1, status, want)
		}
	}
	if status, _ := call(t, m, "GET", "/servers/getVersion", key, ""); status != http.StatusTooManyRequests {
		t.Errorf("valid key from the throttled address = %d, want 429", status)
	}

	status, body := callFrom(t, m, "127.0.0.2", "GET", "/admin/logs/index", key, "")
	if status != http.StatusOK {
		t.Fatalf("admin/logs/index from another address = %d %s", status, body)
	}
	var logs []struct{ Log map[string]string }
	if err := json.Unmarshal(body, &logs); err != nil {
		t.Fatalf("admin/logs/index: %v: %s", err, body)
	}
	var actions []string
	for _, l := range logs {
		actions = append(actions, l.Log["action"]+" "+l.Log["model"])
	}
	// The same wrong key twice throttles the address and the key.
	want := []string{"auth_throttle User", "auth_throttle User", "auth_fail User", "auth_fail User", "add Event"}
	if strings.Join(actions, ", ") != strings.Join(want, ", ") {
		t.Errorf("audit log actions = %q, want %q", actions, want)
	}
	if strings.Contains(string(body), key[4:]) || strings.Contains(string(body), bad[4:]) {
		t.Errorf("audit log contains a key: %s", body)
	}
}
