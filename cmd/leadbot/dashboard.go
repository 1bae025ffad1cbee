package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/dashboard"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
)

// dashboardConfig is the web dashboard's configuration.
type dashboardConfig struct {
	// Secret signs the dashboard links; empty serves the dashboard to
	// this machine only, keyed with a secret made at start-up, while
	// the console is on.
	Secret  string        `yaml:"secret" secret:"true"`
	LinkTTL time.Duration `yaml:"link_ttl"`
	// BaseURL is the address people reach Leadbot at, which chat links
	// start with; empty is http:// and http.addr.
	BaseURL string `yaml:"base_url"`
}

// minDashboardSecret is the shortest secret that signs links.
const minDashboardSecret = 16

func defaultDashboard() dashboardConfig {
	return dashboardConfig{LinkTTL: 12 * time.Hour}
}

func (c Config) validateDashboard(bad func(key, format string, args ...any)) {
	if n := len(c.Dashboard.Secret); n > 0 && n < minDashboardSecret {
		// Say how long it is, never what it is.
		bad("dashboard.secret", "has %d characters; want at least %d", n, minDashboardSecret)
	}
	if u := c.Dashboard.BaseURL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bad("dashboard.base_url",
				"is %q; want an address such as https://leadbot.example.com", u)
		}
	}
	if c.Dashboard.LinkTTL <= 0 || c.Dashboard.LinkTTL > 30*24*time.Hour {
		bad("dashboard.link_ttl", "is %s; want a duration from 1s to 720h", c.Dashboard.LinkTTL)
	}
}

// newDashboard returns the dashboard the configuration asks for, or nil
// when it is off: no secret and no console.
func newDashboard(
	c Config,
	svc *engine.Service,
	store *storage.Store,
	log *slog.Logger,
) (*dashboard.Handler, error) {
	secret := []byte(c.Dashboard.Secret)
	local := len(secret) == 0
	if local {
		if !c.consoleOn() {
			log.Info("dashboard off: set dashboard.secret to sign its links")
			return nil, nil
		}
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	signer, err := dashboard.NewSigner(secret)
	if err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(c.API.Timezone)
	if err != nil {
		return nil, fmt.Errorf("config api.timezone: %w", err)
	}
	h := dashboard.New(dashboard.Options{
		Service:      svc,
		Source:       store,
		Insight:      c.reporter(store, nil),
		Signer:       signer,
		Location:     zone,
		Lang:         string(i18n.Parse(c.Chat.Language)),
		LoopbackOnly: local,
		Log:          log,
	})
	log.Info("dashboard enabled", slog.String("path", "/dashboard"),
		slog.Bool("loopback_only", local))
	return h, nil
}

// dashLinks makes the links chat and the console hand out.
type dashLinks struct {
	h    *dashboard.Handler
	base string
	ttl  time.Duration
}

func (c Config) dashLinks(h *dashboard.Handler) *dashLinks {
	if h == nil {
		return nil
	}
	return &dashLinks{h: h, base: c.dashboardBase(), ttl: c.Dashboard.LinkTTL}
}

func (c Config) dashboardBase() string {
	if c.Dashboard.BaseURL != "" {
		return strings.TrimRight(c.Dashboard.BaseURL, "/")
	}
	return "http://" + c.HTTP.Addr
}

// DashboardLink returns rep's link and how long it is valid.
func (d *dashLinks) DashboardLink(rep engine.RepID) (string, time.Duration) {
	return d.base + d.h.Link(rep, d.ttl), d.ttl
}

const dashboardLinkUsage = `Usage: leadbot dashboard-link [flags] REP_ID

Prints a signed link to the dashboard for a team lead or manager, valid
for dashboard.link_ttl (or --ttl). It needs dashboard.secret.

Flags:
`

func cmdDashboardLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := commandFlags("dashboard-link", dashboardLinkUsage, stderr)
	base := fs.String("base", "",
		"the address people reach Leadbot at (default dashboard.base_url)")
	ttl := fs.Duration("ttl", 0, "how long the link stays valid (default dashboard.link_ttl)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want exactly one rep id")
	}
	c, err := loadConfig(*path)
	if err != nil {
		return err
	}
	if c.Dashboard.Secret == "" {
		return errors.New(
			"dashboard.secret is not set (LEADBOT_DASHBOARD_SECRET): links cannot be signed")
	}
	if *ttl <= 0 {
		*ttl = c.Dashboard.LinkTTL
	}
	store, err := openStore(ctx, c, newLogger(c, stderr))
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.Rep(ctx, engine.RepID(fs.Arg(0)))
	if err != nil {
		return err
	}
	if !rep.Active || (rep.Role != engine.RoleLead && rep.Role != engine.RoleManager) {
		return fmt.Errorf(
			"rep %s is %s and active=%t: the dashboard is for active leads and managers",
			rep.ID, rep.Role, rep.Active)
	}
	signer, err := dashboard.NewSigner([]byte(c.Dashboard.Secret))
	if err != nil {
		return err
	}
	if *base == "" {
		*base = c.dashboardBase()
	}
	token := signer.Sign(rep.ID, time.Now().Add(*ttl))
	fmt.Fprintf(stdout, "%s/dashboard?t=%s\n", strings.TrimRight(*base, "/"), token)
	return nil
}
