package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/console"
	"github.com/leadbot/leadbot/bot/dingtalk"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/bot/wecom"
	"github.com/leadbot/leadbot/docs"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/metrics"
	"github.com/leadbot/leadbot/storage"
)

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

func newLogger(c Config, w io.Writer) *slog.Logger {
	o := &slog.HandlerOptions{Level: logLevels[c.Log.Level]}
	if c.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, o))
	}
	return slog.New(slog.NewTextHandler(w, o))
}

// openStore connects to the configured database and migrates it.
func openStore(ctx context.Context, c Config, log *slog.Logger) (*storage.Store, error) {
	s, err := storage.Open(ctx, storage.Options{Driver: c.Database.Driver, DSN: c.Database.DSN,
		MaxOpenConns: c.Database.MaxOpenConns, Log: log})
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate %s database: %w", c.Database.Driver, err)
	}
	return s, nil
}

// newService builds the engine the configuration describes; opts set
// what the configuration does not, such as the decision hook.
func newService(
	c Config,
	s engine.Store,
	log *slog.Logger,
	opts ...func(*engine.Deps),
) (*engine.Service, error) {
	router, err := c.router()
	if err != nil {
		return nil, err
	}
	scorer, err := engine.NewWeightedScorer(c.scoring(), engine.SystemClock{})
	if err != nil {
		return nil, err
	}
	d := engine.Deps{
		Store:      s,
		Scorer:     scorer,
		Router:     router,
		Policy:     c.policy(),
		Log:        log,
		LearnEvery: c.Engine.LearnEvery,
	}
	for _, o := range opts {
		o(&d)
	}
	return engine.NewService(d), nil
}

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs, path := commandFlags("serve", "", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	return serve(ctx, c, log)
}

// serve runs until ctx ends, then lets requests in flight finish within
// the shutdown timeout before it closes the database.
func serve(ctx context.Context, c Config, log *slog.Logger) error {
	store, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer store.Close()
	m := newMetrics(c, store, log)
	svc, err := newService(c, store, log, observeDecisions(m))
	if err != nil {
		return err
	}
	if err := svc.Relearn(ctx); err != nil {
		log.Warn("engine not trained on start", slog.Any("err", err))
	}
	loc, _ := time.LoadLocation(c.API.Timezone)
	handler := api.New(api.Options{Service: svc, Token: c.API.Token, ReadToken: c.API.ReadToken,
		Location: loc, OpenAPI: docs.OpenAPI, Log: log, Metrics: m,
		Insight: c.reporter(store, nil), Export: store})
	dash, err := newDashboard(c, svc, store, log)
	if err != nil {
		return err
	}
	if dash != nil {
		handler.Handle("/dashboard", dash)
		handler.Handle("/dashboard/", dash)
	}
	msrv, mln, err := mountMetrics(c, m, handler, log)
	if err != nil {
		return err
	}
	sender, streams, err := startChat(ctx, c, svc, store, handler, loc, m, c.dashLinks(dash), log)
	if err != nil {
		return err
	}
	// The background work outlives ctx until the listener has drained,
	// then stops before the database closes.
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var bg sync.WaitGroup
	bg.Go(func() { sender.Run(bgCtx) })
	bg.Go(func() { relearnEvery(bgCtx, svc, relearnInterval, log) })
	sched := newScheduler(svc, store, log)
	sched.metrics = m
	sched.digest = newDigestJob(svc, c.healthDigests(store, nil), nil).run
	bg.Go(func() { sched.run(bgCtx, c.Scheduler.Tick, c.Scheduler.LeaseTTL) })
	for _, run := range streams {
		bg.Go(func() { run(bgCtx) })
	}
	defer func() {
		stopBackground()
		bg.Wait()
	}()

	ln, err := net.Listen("tcp", c.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (http.addr): %w", c.HTTP.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if c.API.Token == "" {
		log.Warn("api token not set: /api/v1 refuses every call until LEADBOT_API_TOKEN is set")
	}
	log.Info("leadbot started", slog.String("addr", "http://"+ln.Addr().String()),
		slog.String("driver", c.Database.Driver), slog.String("mode", c.Engine.Mode),
		slog.String("strategy", c.Engine.Strategy), slog.String("version", version()))

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if msrv != nil {
		go runMetrics(msrv, mln, log)
	}
	select {
	case err := <-done:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	log.Info("leadbot stopping", slog.Duration("timeout", c.HTTP.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), c.HTTP.ShutdownTimeout)
	defer cancel()
	if msrv != nil {
		msrv.Shutdown(sctx)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("leadbot stopped")
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stderr io.Writer) error {
	fs, path := commandFlags("migrate", "", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	s, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	log.Info("database migrated", slog.String("driver", c.Database.Driver))
	return s.Close()
}

// startChat builds the chat layer: the renderer, the command core, the
// console when it is on (seeding the demo team on a first start), the
// platform adapters that are configured, and the outbox sender over
// every channel. It returns the sender and the work that runs until
// serve stops, such as DingTalk's stream, and the wait for the WeCom
// commands still running when it does: their callbacks were answered,
// so they must finish before the database closes.
func startChat(
	ctx context.Context,
	c Config,
	svc *engine.Service,
	store *storage.Store,
	h *api.Server,
	loc *time.Location,
	m *metrics.Metrics,
	links *dashLinks,
	log *slog.Logger,
) (*bot.Sender, []func(context.Context), error) {
	lang := i18n.Parse(c.Chat.Language)
	renderer := bot.NewRenderer(store, lang, loc).WithPool(svc)
	core := bot.NewCore(svc, renderer, log)
	if links != nil {
		core.WithDashboard(links)
	}
	var channels []bot.Channel
	var sender *bot.Sender
	var streams []func(context.Context)
	if c.consoleOn() {
		con, err := newConsole(ctx, c, svc, store, core, renderer, func() { sender.Kick() }, links, log)
		if err != nil {
			return nil, nil, err
		}
		channels = append(channels, con)
		h.Handle("/", con.Handler())
	}
	if c.WeCom.CorpID != "" {
		wc := wecom.NewChannel(c.wecom(), wecom.Options{
			Log:           log,
			GroupWebhooks: c.WeCom.GroupWebhooks,
			Codes:         store.CardCodes("wecom", wecom.CodeLife),
		})
		wh, err := wecom.NewHandler(c.wecom(), wecom.HandlerOptions{
			Core:    core,
			Reps:    store,
			Inbox:   store,
			Channel: wc,
			Kick:    func() { sender.Kick() },
			Lang:    lang,
			Log:     log,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("wecom: %w", err)
		}
		channels = append(channels, wc)
		h.Handle("/wecom/callback", wh)
		streams = append(streams, func(ctx context.Context) {
			<-ctx.Done()
			wh.Wait()
		})
		log.Info(
			"wecom enabled",
			slog.String("callback", "/wecom/callback"),
			slog.Int("agent_id", c.WeCom.AgentID),
		)
	}
	if c.DingTalk.ClientID != "" {
		dc := c.dingtalk()
		dapi := dingtalk.NewAPI(dc, nil)
		channels = append(channels, dingtalk.NewChannel(dapi, lang, log).WithGroups(c.DingTalk.GroupConversations))
		st := dingtalk.NewStream(dingtalk.StreamOptions{
			Config: dc,
			Core:   core,
			Reps:   store,
			Inbox:  store,
			API:    dapi,
			Lang:   lang,
			Kick:   func() { sender.Kick() },
			Log:    log,
		})
		streams = append(streams, func(ctx context.Context) {
			if err := st.Run(ctx); err != nil {
				log.Error("dingtalk stream stopped", slog.Any("err", err))
			}
		})
		log.Info("dingtalk enabled", slog.Bool("cards", dc.CardTemplateID != ""))
	}
	sender = bot.NewSender(store, store, renderer, channels,
		bot.SenderOptions{Interval: c.Chat.OutboxInterval, Lease: c.Chat.OutboxLease, Log: log,
			Metrics: m})
	return sender, streams, nil
}

func newConsole(
	ctx context.Context,
	c Config,
	svc *engine.Service,
	store *storage.Store,
	core *bot.Core,
	renderer *bot.Renderer,
	kick func(),
	links *dashLinks,
	log *slog.Logger,
) (*console.Console, error) {
	if c.Console.Demo {
		seeded, err := console.SeedDemo(ctx, svc)
		if err != nil {
			return nil, err
		}
		if seeded {
			log.Info("demo team seeded", slog.String("reps", console.DemoPrefix+"*"))
		}
	}
	reps, err := store.Reps(ctx)
	if err != nil {
		return nil, err
	}
	log.Info("console enabled", slog.String("addr", "http://"+c.HTTP.Addr+"/"))
	o := console.Options{Core: core, Store: store, Renderer: renderer,
		Lang: i18n.Parse(c.Chat.Language), Demo: console.HasDemo(reps), Kick: kick, Log: log}
	if links != nil {
		// The console is on this machine: a path keeps the link on the
		// address the browser already uses.
		o.Dashboard = func(rep engine.RepID) string { return links.h.Link(rep, links.ttl) }
	}
	return console.New(o), nil
}

// relearnInterval is how often serve retrains on what every replica
// has recorded, besides the retraining after enough local outcomes.
const relearnInterval = 10 * time.Minute

func relearnEvery(ctx context.Context, svc *engine.Service, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := svc.Relearn(ctx); err != nil && ctx.Err() == nil {
				log.Warn("engine not retrained", slog.Any("err", err))
			}
		}
	}
}
