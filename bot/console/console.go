// Package console is the local web chat that stands in for WeCom and
// DingTalk: pick a user, see the cards that user received with working
// buttons, type commands, and watch cards change as others act. It is a
// bot.Channel like the real platforms, and its pages and scripts are
// embedded, so it works offline. It has no login: it is meant for one
// machine, and Leadbot serves it on loopback only unless told otherwise.
package console

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Name is the console's platform name in deliveries.
const Name = "console"

//go:embed assets
var assets embed.FS

// Store is what the console reads.
type Store interface {
	Rep(ctx context.Context, id engine.RepID) (engine.Rep, error)
	Reps(ctx context.Context) ([]engine.Rep, error)
	Deliveries(
		ctx context.Context,
		platform string,
		rep engine.RepID,
		after int64,
		limit int,
	) ([]engine.Delivery, error)
}

// Options configure the console.
type Options struct {
	Core     *bot.Core
	Store    Store
	Renderer *bot.Renderer
	// Lang is the language of the page when the user has none.
	Lang i18n.Lang
	// Demo marks the page as showing demo data.
	Demo bool
	// Kick wakes the outbox sender after a command, so that cards arrive
	// without waiting for its next round.
	Kick func()
	Log  *slog.Logger
	// Dashboard, when set, makes a signed dashboard link for a lead or
	// manager, which the user list offers beside their name.
	Dashboard func(engine.RepID) string
}

// Console is the web chat and its bot.Channel.
type Console struct {
	opt  Options
	hub  *hub
	page *template.Template
}

var _ bot.Channel = (*Console)(nil)

// New returns the console.
func New(o Options) *Console {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Kick == nil {
		o.Kick = func() {}
	}
	page := template.Must(template.ParseFS(assets, "assets/index.html"))
	return &Console{opt: o, hub: newHub(), page: page}
}

// Name returns "console".
func (c *Console) Name() string { return Name }

// Reaches is true for every rep: anyone can be picked in the console.
func (c *Console) Reaches(engine.Rep) bool { return true }

// Send wakes the rep's open pages; the feed renders the card itself.
func (c *Console) Send(ctx context.Context, to engine.Rep, m bot.Message) (string, error) {
	c.hub.notify(to.ID)
	return "", nil
}

// Update wakes the viewer's open pages, which draw the card's new state.
func (c *Console) Update(
	ctx context.Context,
	d engine.Delivery,
	to engine.Rep,
	m bot.Message,
) error {
	c.hub.notify(to.ID)
	return nil
}

// Handler serves the page at / and its API under /console/.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	mux.Handle(
		"GET /console/static/",
		http.StripPrefix("/console/static/", http.FileServerFS(static)),
	)
	mux.HandleFunc("GET /{$}", c.index)
	mux.HandleFunc("GET /console/api/users", c.users)
	mux.HandleFunc("GET /console/api/feed", c.feed)
	mux.HandleFunc("GET /console/api/events", c.events)
	mux.HandleFunc("POST /console/api/say", c.say)
	mux.HandleFunc("POST /console/api/click", c.click)
	return mux
}

func (c *Console) index(w http.ResponseWriter, r *http.Request) {
	lang := c.opt.Lang
	if q := r.URL.Query().Get("lang"); q != "" {
		lang = i18n.Parse(q)
	}
	t := func(key string) string { return i18n.T(lang, key, nil) }
	data := map[string]any{"Lang": string(lang), "Demo": c.opt.Demo, "T": t}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := c.page.Execute(w, data); err != nil {
		c.opt.Log.Warn("console page failed", slog.Any("err", err))
	}
}

type userJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Team string `json:"team"`
	Role string `json:"role"`
	Load string `json:"load"`
	// Dashboard is the user's dashboard link, for leads and managers.
	Dashboard string `json:"dashboard,omitempty"`
}

func (c *Console) users(w http.ResponseWriter, r *http.Request) {
	reps, err := c.opt.Store.Reps(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	out := []userJSON{}
	for _, rep := range reps {
		if rep.Active {
			u := c.userJSON(rep)
			if c.opt.Dashboard != nil && (rep.Role == engine.RoleLead || rep.Role == engine.RoleManager) {
				u.Dashboard = c.opt.Dashboard(rep.ID)
			}
			out = append(out, u)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"demo": c.opt.Demo, "users": out})
}

type itemJSON struct {
	ID   int64     `json:"id"`
	At   time.Time `json:"at"`
	Text string    `json:"text,omitempty"`
	Card *bot.Card `json:"card,omitempty"`
}

// feed renders what reached the user, each card as its lead stands now.
func (c *Console) feed(w http.ResponseWriter, r *http.Request) {
	user, err := c.user(r.Context(), r.URL.Query().Get("user"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ds, err := c.opt.Store.Deliveries(r.Context(), Name, user.ID, 0, 1000)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	items := []itemJSON{}
	for _, d := range ds[max(0, len(ds)-100):] {
		m, err := c.opt.Renderer.Notice(r.Context(), d.Notice, user)
		if err != nil {
			c.opt.Log.Warn(
				"console card not drawn",
				slog.Int64("notice_id", d.OutboxID),
				slog.Any("err", err),
			)
			continue
		}
		items = append(items, itemJSON{ID: d.ID, At: d.At, Text: m.Text, Card: m.Card})
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": c.userJSON(user), "items": items})
}

func (c *Console) userJSON(r engine.Rep) userJSON {
	return userJSON{ID: string(r.ID), Name: r.Name, Team: r.Team, Role: string(r.Role),
		Load: fmt.Sprintf("%d/%d", r.OpenTasks, r.Capacity)}
}

// events streams a line whenever the user's feed changes.
func (c *Console) events(w http.ResponseWriter, r *http.Request) {
	user, err := c.user(r.Context(), r.URL.Query().Get("user"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	// The stream outlives the server's write timeout, which is for
	// ordinary requests; the browser reconnects if it drops.
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	ch := c.hub.subscribe(user.ID)
	defer c.hub.unsubscribe(user.ID, ch)
	fmt.Fprint(w, ": connected\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ch:
			fmt.Fprint(w, "data: feed\n\n")
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

type sayJSON struct {
	User   string `json:"user"`
	Text   string `json:"text"`
	Action string `json:"action"`
	Value  string `json:"value"`
}

func (c *Console) say(w http.ResponseWriter, r *http.Request)   { c.inbound(w, r, false) }
func (c *Console) click(w http.ResponseWriter, r *http.Request) { c.inbound(w, r, true) }

func (c *Console) inbound(w http.ResponseWriter, r *http.Request, click bool) {
	var in sayJSON
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		writeJSON(
			w,
			http.StatusBadRequest,
			map[string]string{"error": "malformed request: " + err.Error()},
		)
		return
	}
	msg := bot.Inbound{Platform: Name, Text: in.Text}
	if click {
		msg = bot.Inbound{Platform: Name, Action: in.Action, Value: in.Value}
	}
	user, err := c.user(r.Context(), in.User)
	var reply bot.Reply
	switch {
	case engine.KindOf(err) == engine.NotFound:
		reply = c.opt.Core.Stranger(c.opt.Lang)
	case err != nil:
		c.fail(w, r, err)
		return
	default:
		msg.User = user
		reply = c.opt.Core.Handle(r.Context(), msg)
	}
	c.opt.Kick()
	writeJSON(w, http.StatusOK, reply)
}

func (c *Console) user(ctx context.Context, id string) (engine.Rep, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return engine.Rep{}, &engine.Error{
			Kind: engine.NotFound,
			Code: "unknown_user",
			Msg:  "no user picked",
		}
	}
	return c.opt.Store.Rep(ctx, engine.RepID(id))
}

func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch engine.KindOf(err) {
	case engine.NotFound:
		status = http.StatusNotFound
	case engine.Unavailable:
		status = http.StatusServiceUnavailable
	}
	if status == http.StatusInternalServerError && !errors.Is(err, context.Canceled) {
		c.opt.Log.Error(
			"console request failed",
			slog.String("path", r.URL.Path),
			slog.Any("err", err),
		)
	}
	writeJSON(w, status, map[string]string{"error": i18n.T(c.opt.Lang, "error.internal", nil)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
