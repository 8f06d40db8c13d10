package httpserver

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// AuditLog is where the adapter records the audit log: every
// state-changing request that reached an authenticated handler, every
// failed authentication and every throttling decision.
type AuditLog interface {
	CreateAuditEntry(ctx context.Context, e *misp.AuditEntry) error
}

// Throttle refuses clients that failed to authenticate too often
// (auth.Throttle). Fail returns a sentence for each subject the failure
// throttled.
type Throttle interface {
	Blocked(ip netip.Addr, keys []string) (wait time.Duration, blocked bool)
	Fail(ip netip.Addr, keys []string) (tripped []string)
}

// auditTimeout bounds an audit write; it does not depend on the client,
// which may have gone away.
const auditTimeout = 5 * time.Second

// msgRateLimited is MISP's 429 message.
const msgRateLimited = "Rate limit exceeded."

// refuseThrottled answers 429 to a client that failed to authenticate too
// often, without looking at its keys.
func (a *Adapter) refuseThrottled(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int64((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	WriteJSON(w, r, http.StatusTooManyRequests, Exception{Name: msgRateLimited, Message: msgRateLimited, URL: r.URL.Path})
}

// authFailed counts a failed authentication against the client address
// and the keys it presented, and records it (and any throttling it
// caused) in the audit log. Of the keys only the first four characters
// are recorded, as MISP does.
func (a *Adapter) authFailed(r *http.Request, ip netip.Addr, keys []string, err error) {
	var tripped []string
	if a.Throttle != nil {
		tripped = a.Throttle.Fail(ip, keys)
	}
	if a.Audit == nil {
		return
	}
	status := statusOf(err)
	e := systemEntry(r, ip, misp.AuditAuthFail, status)
	e.Title = authFailTitle(r, keys)
	e.Description = publicMessage(err, status)
	a.record(r, e)
	for _, msg := range tripped {
		e := systemEntry(r, ip, misp.AuditAuthThrottle, status)
		e.Title = msg
		e.Description = "Further attempts are answered 429 " + msgRateLimited
		a.record(r, e)
	}
}

// authFailTitle is MISP's title of a failed API-key authentication.
func authFailTitle(r *http.Request, keys []string) string {
	if len(keys) == 0 {
		if r.Header.Get("Authorization") == "" && r.Header.Get("X-MISP-AUTH") == "" {
			return "Failed authentication: no API key given."
		}
		return "Failed authentication using an API key of incorrect length."
	}
	shown := make([]string, len(keys))
	for i, k := range keys {
		shown[i] = keyPrefix(k)
	}
	return "Failed authentication using API key (" + strings.Join(shown, ", ") + ")"
}

// keyPrefix is the part of a key that may be logged: the first four
// characters, the rest as asterisks.
func keyPrefix(k string) string {
	if len(k) < 4 {
		return "****"
	}
	return k[:4] + strings.Repeat("*", 36)
}

// systemEntry is an entry no authenticated user caused.
func systemEntry(r *http.Request, ip netip.Addr, action string, status int) *misp.AuditEntry {
	e := requestEntry(r, ip, status)
	e.Action, e.Model = action, "User"
	e.Org, e.Email = misp.AuditSystem, misp.AuditSystem
	return e
}

// auditedMethod reports whether requests of this method change state and
// are recorded: everything but GET and HEAD (MISP's REST reads via POST,
// such as events/index, are recorded too).
func auditedMethod(m string) bool { return m != http.MethodGet && m != http.MethodHead }

// actorEntry is the entry of a state-changing request by actor that
// answered status.
func actorEntry(r *http.Request, ip netip.Addr, actor *misp.Actor, status int) *misp.AuditEntry {
	e := requestEntry(r, ip, status)
	e.UserID, e.OrgID = actor.UserID(), actor.OrgID()
	e.Email = actor.User.Email
	if actor.Org != nil {
		e.Org = actor.Org.Name
	}
	e.Model, e.Action = routeModelAction(r.Method, r.Pattern)
	if id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("id"), ".json"), 10, 64); err == nil && id > 0 {
		e.ModelID = id
	}
	e.Title = r.Method + " " + e.Path
	e.Description = strconv.Itoa(status) + " " + http.StatusText(status)
	return e
}

// requestEntry fills what every entry says about the request. Nothing of
// the headers or the body is recorded.
func requestEntry(r *http.Request, ip netip.Addr, status int) *misp.AuditEntry {
	e := &misp.AuditEntry{
		RequestID: RequestID(r.Context()),
		Method:    r.Method,
		Route:     r.Pattern,
		Path:      redactPath(r.URL.Path),
		Status:    status,
	}
	if ip.IsValid() {
		e.IP = ip.String()
	}
	e.Change = "HTTP method: " + e.Method + "\nTarget: " + e.Path + "\nRoute: " + e.Route +
		"\nStatus: " + strconv.Itoa(status) + "\nRequest id: " + e.RequestID
	return e
}

// redactPath hides the value of an "apikey:" named parameter, MISP's
// legacy way of passing a key in the URL (not supported, but a client
// may still send it).
func redactPath(p string) string {
	if !strings.Contains(strings.ToLower(p), "apikey:") {
		return p
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(strings.ToLower(s), "apikey:") {
			segs[i] = s[:len("apikey:")] + "[redacted]"
		}
	}
	return strings.Join(segs, "/")
}

// record writes e, logging (not returning) a failure: the request has
// been answered and must not fail for its audit entry.
func (a *Adapter) record(r *http.Request, e *misp.AuditEntry) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditTimeout)
	defer cancel()
	if err := a.Audit.CreateAuditEntry(ctx, e); err != nil {
		a.Log.LogAttrs(r.Context(), slog.LevelError, "audit log write failed",
			slog.String("request_id", e.RequestID),
			slog.String("action", e.Action),
			slog.String("route", e.Route),
			slog.Int64("user_id", e.UserID),
			slog.String("error", err.Error()))
	}
}

// auditModels maps controllers (snake_case) to MISP's model names where
// the name is not simply the singular.
var auditModels = map[string]string{
	"objects":      "MispObject",
	"taxonomies":   "Taxonomy",
	"galaxies":     "Galaxy",
	"analyst_data": "AnalystData",
}

// routeModelAction derives MISP's model and action from a route pattern
// such as "POST /admin/users/edit/{id}" (User, edit). REST-style routes
// without an action segment take it from the method: POST on a
// collection adds, POST/PUT on an item edits, DELETE deletes.
func routeModelAction(method, pattern string) (model, action string) {
	_, path, ok := strings.Cut(pattern, " ")
	if !ok {
		path = pattern
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 0 && segs[0] == "admin" {
		segs = segs[1:]
	}
	if len(segs) == 0 || segs[0] == "" {
		return "", strings.ToLower(method)
	}
	model = modelName(segs[0])
	switch {
	case len(segs) > 1 && !strings.HasPrefix(segs[1], "{"):
		action = strings.TrimSuffix(segs[1], ".json")
	case method == http.MethodDelete:
		action = "delete"
	case method == http.MethodPost && len(segs) == 1:
		action = "add"
	case method == http.MethodPost || method == http.MethodPut:
		action = "edit"
	default:
		action = strings.ToLower(method)
	}
	return model, action
}

// modelName turns a controller ("sharing_groups", "sharingGroups") into
// its model name ("SharingGroup").
func modelName(controller string) string {
	var snake strings.Builder
	for i, c := range controller {
		if 'A' <= c && c <= 'Z' {
			if i > 0 {
				snake.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		snake.WriteRune(c)
	}
	s := strings.TrimSuffix(snake.String(), ".json")
	if m, ok := auditModels[s]; ok {
		return m
	}
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return strings.TrimSuffix(b.String(), "s")
}
