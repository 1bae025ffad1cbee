package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

type ctxKey int

const requestIDKey ctxKey = 0

// RequestID returns the id of the request that ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives each request an id (the caller's X-Request-ID when it
// is sane), recovers panics, and logs one line per request. Probes log
// at debug level: they come every few seconds and say nothing new.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		probe := r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics"
		if !probe {
			s.log.LogAttrs(
				r.Context(),
				slog.LevelDebug,
				"request started",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
			)
		}

		defer func() {
			if p := recover(); p != nil {
				s.log.ErrorContext(r.Context(), "request panicked", slog.String("request_id", id),
					slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					writeJSON(sw, http.StatusInternalServerError, errorBody("internal_error",
						"something went wrong; it was logged with request id "+id, ""))
				}
			}
			level := slog.LevelInfo
			if probe {
				level = slog.LevelDebug
			}
			s.log.LogAttrs(r.Context(), level, "request", slog.String("request_id", id),
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
				slog.Duration("took", time.Since(start)))
			// The mux has set the pattern on r by now: it routes the
			// request it was handed rather than a copy.
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.ObserveRequest(routeOf(r.Pattern), r.Method, status, time.Since(start))
		}()
		next.ServeHTTP(sw, r)
	})
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// authorize checks the bearer token: the full token may do anything, the
// read token only GET.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token == "" {
			writeJSON(w, http.StatusUnauthorized, errorBody(
				"api_disabled",
				"the API refuses all calls until a token is configured "+
					"(api.token, LEADBOT_API_TOKEN)",
				"",
			))
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case ok && tokenEqual(got, s.token):
		case ok && s.read != "" && tokenEqual(got, s.read):
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				writeJSON(w, http.StatusForbidden, errorBody("read_only_token",
					"this token may only read; use the full API token to change data", ""))
				return
			}
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="leadbot"`)
			writeJSON(w, http.StatusUnauthorized, errorBody("unauthorized",
				"missing or wrong bearer token in the Authorization header", ""))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func tokenEqual(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
