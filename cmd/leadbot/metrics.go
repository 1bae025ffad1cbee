package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/metrics"
	"github.com/leadbot/leadbot/storage"
)

// metricsPath is where the metrics are served, on either listener.
const metricsPath = "/metrics"

func (c Config) validateMetrics(bad func(key, format string, args ...any)) {
	if c.Metrics.Addr == "" {
		return
	}
	if _, _, err := net.SplitHostPort(c.Metrics.Addr); err != nil {
		bad("metrics.addr", "is %q; want host:port such as 0.0.0.0:9090, "+
			"or empty to serve /metrics on http.addr", c.Metrics.Addr)
		return
	}
	if c.Metrics.Addr == c.HTTP.Addr {
		bad("metrics.addr", "is http.addr (%s); leave it empty to serve "+
			"/metrics there", c.HTTP.Addr)
	}
}

// newMetrics builds the process's metrics on a registry of its own,
// reading the outbox and deadlines of store at each scrape.
func newMetrics(c Config, store *storage.Store, log *slog.Logger) *metrics.Metrics {
	return metrics.New(metrics.Options{
		Registry: prometheus.NewRegistry(),
		Source:   store,
		Version:  version(),
		Driver:   c.Database.Driver,
		Log:      log,
	})
}

// observeDecisions has the service count its committed decisions.
func observeDecisions(m *metrics.Metrics) func(*engine.Deps) {
	return func(d *engine.Deps) { d.OnDecision = m.ObserveDecision }
}

// mountMetrics serves the metrics as metrics.enabled and metrics.addr
// say: on the API's listener, or on a server of their own, which it
// returns with its listener for serve to run and shut down.
func mountMetrics(
	c Config,
	m *metrics.Metrics,
	h *api.Server,
	log *slog.Logger,
) (*http.Server, net.Listener, error) {
	if !c.Metrics.Enabled {
		return nil, nil, nil
	}
	if c.Metrics.Addr == "" {
		h.Handle("GET "+metricsPath, m.Handler())
		return nil, nil, nil
	}
	ln, err := net.Listen("tcp", c.Metrics.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s (metrics.addr): %w", c.Metrics.Addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+metricsPath, m.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("metrics listening", slog.String("addr", "http://"+ln.Addr().String()+metricsPath))
	return srv, ln, nil
}

// runMetrics serves the metrics' own listener until it is shut down.
func runMetrics(srv *http.Server, ln net.Listener, log *slog.Logger) {
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Error("metrics server stopped", slog.Any("err", err))
	}
}
