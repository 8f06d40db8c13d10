package httpserver

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	requestInfoKey
)

// RequestID returns the id of the request carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// requestInfo collects what the access log line reports about a request
// that only later layers learn (the authenticated user). It is tracing
// data, not identity: handlers receive the actor explicitly.
type requestInfo struct {
	userID, orgID int64
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the wrapped writer to http.ResponseController.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Logging assigns a request id (or keeps a valid incoming X-Request-Id),
// recovers from panics, and writes one access-log line per request.
func Logging(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		info := &requestInfo{}
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, requestInfoKey, info)
		r = r.WithContext(ctx)
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.LogAttrs(ctx, slog.LevelError, "panic serving request",
					slog.String("request_id", id),
					slog.String("panic", fmt.Sprint(p)),
					slog.String("stack", string(debug.Stack())))
				if rec.status == 0 {
					writeError(rec, r, log, errors.New("panic"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.status),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("request_id", id),
				slog.Int64("user_id", info.userID),
				slog.Int64("org_id", info.orgID),
				slog.String("remote_ip", ClientIP(r).String()))
		}()
		next.ServeHTTP(rec, r)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')) {
			return false
		}
	}
	return true
}

// LimitBody caps request bodies at max bytes and transparently decodes
// gzip-compressed bodies (Content-Encoding: gzip), capping the decompressed
// size too. Reading past the limit fails with *http.MaxBytesError (413).
func LimitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			msg := "The request body is too large."
			WriteJSON(w, r, http.StatusRequestEntityTooLarge, Exception{Name: msg, Message: msg, URL: r.URL.Path})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
		case "", "identity":
		case "gzip":
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				WriteJSON(w, r, http.StatusBadRequest, Exception{Name: "Invalid gzip body.", Message: "Invalid gzip body.", URL: r.URL.Path})
				return
			}
			r.Body = http.MaxBytesReader(w, struct {
				io.Reader
				io.Closer
			}{zr, r.Body}, max)
			r.Header.Del("Content-Encoding")
			r.ContentLength = -1
		default:
			msg := "Unsupported Content-Encoding: " + enc
			WriteJSON(w, r, http.StatusUnsupportedMediaType, Exception{Name: msg, Message: msg, URL: r.URL.Path})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ClientIP is the address of the peer. Razmena does not trust forwarding
// headers: behind a reverse proxy, restrict keys by the proxy's view.
func ClientIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// Authenticator turns the API keys of a request into an actor.
type Authenticator interface {
	Authenticate(ctx context.Context, keys []string, ip netip.Addr) (*misp.Actor, *misp.AuthKey, error)
}

// HandlerFunc is a handler that returns its error for the adapter to render.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ActorHandlerFunc is a handler for an authenticated request.
type ActorHandlerFunc func(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error

// Adapter turns HandlerFuncs into http.Handlers, rendering returned errors.
type Adapter struct {
	Log  *slog.Logger
	Auth Authenticator
	// Keys extracts candidate API keys from a request.
	Keys func(http.Header) []string
	// Throttle, when set, refuses clients that failed to authenticate too
	// often (429) before their keys are checked.
	Throttle Throttle
	// Audit, when set, records state-changing requests, failed
	// authentications and throttling (see audit.go).
	Audit AuditLog
}

// Public adapts a handler that needs no authentication.
func (a *Adapter) Public(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, a.Log, err)
		}
	})
}

// Authed adapts a handler that needs an authenticated actor. Failed
// authentication answers 403 with MISP's message; a client throttled for
// failing too often gets 429, whatever its key. Failures, throttling and
// every state-changing request that reaches h are recorded in the audit
// log.
func (a *Adapter) Authed(h ActorHandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, keys := ClientIP(r), a.Keys(r.Header)
		if a.Throttle != nil {
			if wait, blocked := a.Throttle.Blocked(ip, keys); blocked {
				a.refuseThrottled(w, r, wait)
				return
			}
		}
		actor, key, err := a.Auth.Authenticate(r.Context(), keys, ip)
		if err != nil {
			if errors.Is(err, misp.ErrUnauthenticated) {
				a.authFailed(r, ip, keys, err)
			}
			writeError(w, r, a.Log, err)
			return
		}
		if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
			info.userID, info.orgID = actor.UserID(), actor.OrgID()
		}
		if key != nil && key.Expiration > 0 {
			w.Header().Set("X-Auth-Key-Expiration", time.Unix(int64(key.Expiration), 0).UTC().Format(time.RFC3339))
		}
		if a.Audit == nil || !auditedMethod(r.Method) {
			if err := h(w, r, actor); err != nil {
				writeError(w, r, a.Log, err)
			}
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		completed := false
		defer func() {
			// Recorded before the response is complete, so that a client
			// reading the log right after its write finds the entry; a
			// handler that panicked is recorded as the 500 it becomes.
			status := rec.status
			if !completed {
				status = http.StatusInternalServerError
			} else if status == 0 {
				status = http.StatusOK
			}
			a.record(r, actorEntry(r, ip, actor, status))
		}()
		if err := h(rec, r, actor); err != nil {
			writeError(rec, r, a.Log, err)
		}
		completed = true
	})
}

// WriteError renders err as the adapter would; for handlers that have
// already decided on an error outside the HandlerFunc flow.
func (a *Adapter) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, a.Log, err)
}
