// Package dashboard serves the web dashboard of team leads and managers
// at /dashboard: health tiles with their trends, progress against the
// targets in effect, a heatmap of each rep's load against capacity, each
// rep's win rate by industry, the standby queue, and a decision
// explorer. People reach it through a signed, expiring link (see
// Signer); the page, its script and its charts are embedded, so it works
// offline.
package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

//go:embed assets
var assets embed.FS

// CookieName is the session cookie, which carries the signed token.
const CookieName = "leadbot_dashboard"

// Source is what the dashboard reads besides the engine's own reads.
type Source interface {
	// HeldAt counts the leads each rep held at a moment.
	HeldAt(ctx context.Context, at time.Time) (map[engine.RepID]int, error)
	// FindLeads returns up to limit leads by external id or company.
	FindLeads(ctx context.Context, q string, limit int) ([]engine.Lead, error)
}

// Options configure the dashboard.
type Options struct {
	Service *engine.Service
	Source  Source
	// Insight makes the health tiles; without it the tiles answer 503.
	Insight *insight.Reporter
	Signer  *Signer
	Clock   engine.Clock
	// Location is the time zone days are cut in.
	Location *time.Location
	// Lang is the page's language for viewers who name none.
	Lang string
	// LoopbackOnly refuses every request that does not come from this
	// machine, for a dashboard keyed with a secret made at start-up.
	LoopbackOnly bool
	Log          *slog.Logger
}

// Handler serves /dashboard and everything under it.
type Handler struct {
	o   Options
	mux *http.ServeMux
}

// New returns the dashboard handler; mount it at /dashboard and
// /dashboard/.
func New(o Options) *Handler {
	if o.Clock == nil {
		o.Clock = engine.SystemClock{}
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Lang == "" {
		o.Lang = "zh-CN"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{o: o, mux: http.NewServeMux()}
	static, _ := fs.Sub(assets, "assets")
	h.mux.HandleFunc("GET /dashboard", h.enter)
	h.mux.Handle("GET /dashboard/assets/",
		http.StripPrefix("/dashboard/assets/", http.FileServerFS(static)))
	api := func(pattern string, fn apiFunc) { h.mux.Handle(pattern, h.gate(fn)) }
	api("GET /dashboard/api/me", h.me)
	api("GET /dashboard/api/tiles", h.tiles)
	api("GET /dashboard/api/load", h.load)
	api("GET /dashboard/api/strengths", h.strengths)
	api("GET /dashboard/api/standby", h.standby)
	api("GET /dashboard/api/search", h.search)
	api("GET /dashboard/api/decision", h.decision)
	api("GET /dashboard/api/targets", h.targets)
	return h
}

// ServeHTTP answers a dashboard request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.o.LoopbackOnly && !fromLoopback(r) {
		http.Error(w, "the dashboard answers this machine only: set dashboard.secret",
			http.StatusForbidden)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// Link returns the path that lets rep in until ttl has passed.
func (h *Handler) Link(rep engine.RepID, ttl time.Duration) string {
	return "/dashboard?t=" + h.o.Signer.Sign(rep, h.o.Clock.Now().Add(ttl))
}

// Viewer is the person looking at the dashboard.
type Viewer struct {
	engine.Rep
	Expires time.Time
}

// Errors of access; the statuses they answer with are in status.
var (
	ErrNoSession = errors.New("no dashboard session: open the link the bot sent")
	ErrRole      = errors.New("the dashboard is for team leads and managers")
	ErrInactive  = errors.New("this rep is no longer active")
)

// Authorize checks a token and its rep: active, and a lead or a
// manager. It runs on every request, so that a demoted rep loses access
// at once.
func (h *Handler) Authorize(ctx context.Context, token string) (Viewer, error) {
	if token == "" {
		return Viewer{}, ErrNoSession
	}
	id, exp, err := h.o.Signer.Verify(token, h.o.Clock.Now())
	if err != nil {
		return Viewer{}, err
	}
	rep, err := h.o.Service.Store().Rep(ctx, id)
	if engine.KindOf(err) == engine.NotFound {
		return Viewer{}, ErrInactive
	}
	if err != nil {
		return Viewer{}, err
	}
	if !rep.Active {
		return Viewer{}, ErrInactive
	}
	if rep.Role != engine.RoleLead && rep.Role != engine.RoleManager {
		return Viewer{}, ErrRole
	}
	return Viewer{Rep: rep, Expires: exp}, nil
}

func status(err error) int {
	switch {
	case errors.Is(err, ErrNoSession), errors.Is(err, ErrMalformed),
		errors.Is(err, ErrSignature), errors.Is(err, ErrExpired):
		return http.StatusUnauthorized
	case errors.Is(err, ErrRole), errors.Is(err, ErrInactive):
		return http.StatusForbidden
	case engine.KindOf(err) == engine.NotFound:
		return http.StatusNotFound
	case engine.KindOf(err) == engine.Invalid:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// enter takes a link's token into a session cookie and sends the
// browser to the bare page, so that the token leaves the address bar;
// with a session it serves the page.
func (h *Handler) enter(w http.ResponseWriter, r *http.Request) {
	if t := r.URL.Query().Get("t"); t != "" {
		v, err := h.Authorize(r.Context(), t)
		if err != nil {
			h.refuse(w, r, err)
			return
		}
		// A session cookie: the token inside expires by itself, on the
		// server's clock rather than the browser's.
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: t, Path: "/dashboard",
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		h.o.Log.Info("dashboard opened", slog.String("rep_id", string(v.ID)),
			slog.String("role", string(v.Role)))
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	if _, err := h.Authorize(r.Context(), sessionToken(r)); err != nil {
		h.refuse(w, r, err)
		return
	}
	page, _ := assets.ReadFile("assets/index.html")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

func sessionToken(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

// refuse answers a person who may not see the page, in both languages
// since who they are is not known.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	var msg string
	switch code {
	case http.StatusUnauthorized:
		msg = "链接无效或已过期：请在聊天中向 Leadbot 发送“看板”获取新链接。\n" +
			"This link is invalid or has expired: " +
			"send \"dashboard\" to Leadbot in chat for a new one."
	case http.StatusForbidden:
		msg = "看板只对组长和经理开放。\nThe dashboard is for team leads and managers."
	default:
		h.o.Log.Error("dashboard request failed", slog.String("path", r.URL.Path),
			slog.Any("err", err))
		msg = "出了点问题，已记录日志。\nSomething went wrong; it was logged."
	}
	http.Error(w, msg+"\n("+err.Error()+")", code)
}

type apiFunc func(r *http.Request, v Viewer) (any, error)

// gate answers a data request for the session's viewer only.
func (h *Handler) gate(fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := h.Authorize(r.Context(), sessionToken(r))
		if err != nil {
			writeJSON(w, status(err), map[string]string{"error": err.Error()})
			return
		}
		out, err := fn(r, v)
		if err != nil {
			code := status(err)
			msg := err.Error()
			if code == http.StatusInternalServerError {
				h.o.Log.Error("dashboard request failed", slog.String("path", r.URL.Path),
					slog.String("rep_id", string(v.ID)), slog.Any("err", err))
				msg = "something went wrong; it was logged"
			}
			writeJSON(w, code, map[string]string{"error": msg})
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
