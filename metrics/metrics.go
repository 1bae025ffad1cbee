// Package metrics records what a Leadbot process does for Prometheus:
// requests, routing decisions, chat deliveries and scheduler runs as they
// happen, and the outbox backlog and the scheduler's lag read from the
// database at each scrape. It wraps prometheus/client_golang, so that no
// other package imports it: the engine, the API and the chat sender tell
// it what happened through the small hooks they define, and cmd/leadbot
// wires them to a Metrics on a registry of its own.
//
// Every label has a small fixed set of values (a route pattern, a
// strategy, a platform, a job): never a lead or rep id.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
)

// Source is what the scrape-time gauges read from the database.
type Source interface {
	// OutboxBacklog counts the pending notices and finds the oldest
	// one overdue at now.
	OutboxBacklog(ctx context.Context, now time.Time) (storage.OutboxBacklog, error)
	// OldestUnchased returns the deadline of the lead longest past it
	// without an overdue alert, zero when there is none.
	OldestUnchased(ctx context.Context, now time.Time) (time.Time, error)
}

// Options configure a Metrics.
type Options struct {
	// Registry is where the metrics are registered and what Handler
	// serves. It should be the process's own, not the global default.
	Registry *prometheus.Registry
	// Source, when set, is read at each scrape for the outbox and
	// scheduler gauges.
	Source Source
	// Version and Driver label leadbot_build_info.
	Version string
	Driver  string
	// Clock tells the scrape-time gauges the time; nil is the wall clock.
	Clock engine.Clock
	// Log receives the errors of a scrape; nil discards.
	Log *slog.Logger
}

// Metrics records Leadbot's events. Its methods are safe for concurrent
// use.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	decisions *prometheus.CounterVec

	deliveries *prometheus.CounterVec
	notices    *prometheus.CounterVec

	jobRuns     *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	jobLastRun  *prometheus.GaugeVec
	jobLastOK   *prometheus.GaugeVec
	leader      prometheus.Gauge
}

// New registers Leadbot's metrics, the Go runtime's and the process's on
// o.Registry. It panics when a metric is registered twice, a mistake of
// the wiring at start-up.
func New(o Options) *Metrics {
	if o.Clock == nil {
		o.Clock = engine.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: o.Registry, log: o.Log}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leadbot_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status class.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "leadbot_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method"})
	m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leadbot_routing_decisions_total",
		Help: "Committed decisions about leads, by strategy and the status " +
			"they left the lead in (assigned, standby, pool).",
	}, []string{"strategy", "outcome"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leadbot_outbox_deliveries_total",
		Help: "Attempts to reach a chat platform, by platform, kind " +
			"(send, team, update) and result (ok, error).",
	}, []string{"platform", "kind", "result"})
	m.notices = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leadbot_outbox_notices_total",
		Help: "Outbox notices handled by this sender, by result " +
			"(sent, retried, given_up).",
	}, []string{"result"})
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leadbot_scheduler_job_runs_total",
		Help: "Scheduled job runs on this replica, by job and result (ok, error).",
	}, []string{"job", "result"})
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "leadbot_scheduler_job_duration_seconds",
		Help:    "Time a scheduled job run took, by job.",
		Buckets: prometheus.ExponentialBuckets(0.005, 4, 9),
	}, []string{"job"})
	m.jobLastRun = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "leadbot_scheduler_job_last_run_timestamp_seconds",
		Help: "When a scheduled job last started on this replica, in Unix seconds.",
	}, []string{"job"})
	m.jobLastOK = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "leadbot_scheduler_job_last_success_timestamp_seconds",
		Help: "When a scheduled job last finished without error on this " +
			"replica, in Unix seconds.",
	}, []string{"job"})
	m.leader = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "leadbot_scheduler_leader",
		Help: "1 while this replica holds the scheduler lease, else 0.",
	})
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "leadbot_build_info",
		Help:        "Always 1; labelled with the version and the database driver.",
		ConstLabels: prometheus.Labels{"version": o.Version, "driver": o.Driver},
	})
	build.Set(1)

	o.Registry.MustRegister(
		m.requests, m.latency, m.decisions, m.deliveries, m.notices,
		m.jobRuns, m.jobDuration, m.jobLastRun, m.jobLastOK, m.leader, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if o.Source != nil {
		o.Registry.MustRegister(&backlog{src: o.Source, clock: o.Clock})
	}
	return m
}

// Handler serves the registry in the Prometheus exposition format. A
// gauge whose database read fails is left out and logged; the rest are
// served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      errorLog{m.log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// errorLog hands the exposition library's errors to slog.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) {
	l.log.Warn("metrics scrape incomplete", slog.String("err", fmt.Sprint(v...)))
}

// ObserveRequest counts a request answered with status after took. The
// route is the pattern of the handler that took it ("" for none), never
// the raw path.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	method = knownMethod(method)
	m.requests.WithLabelValues(route, method, statusClass(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// knownMethod keeps the label's values few: a client may send any word.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// ObserveDecision counts a committed decision: engine.Deps.OnDecision.
func (m *Metrics) ObserveDecision(_ context.Context, d engine.CommittedDecision) {
	outcome := string(d.Status)
	if outcome == "" {
		outcome = "unknown"
	}
	m.decisions.WithLabelValues(d.Strategy, outcome).Inc()
}

// ObserveDelivery counts one attempt to reach a platform; err nil is a
// success.
func (m *Metrics) ObserveDelivery(platform, kind string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.deliveries.WithLabelValues(platform, kind, result).Inc()
}

// ObserveNotice counts what became of a notice the sender took: sent,
// retried or given_up.
func (m *Metrics) ObserveNotice(result string) {
	m.notices.WithLabelValues(result).Inc()
}

// ObserveJob records a run of a scheduled job that started at start
// and took took, failing with err.
func (m *Metrics) ObserveJob(job string, start time.Time, took time.Duration, err error) {
	m.jobLastRun.WithLabelValues(job).Set(float64(start.UnixMilli()) / 1e3)
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
	if err != nil {
		m.jobRuns.WithLabelValues(job, "error").Inc()
		return
	}
	m.jobRuns.WithLabelValues(job, "ok").Inc()
	m.jobLastOK.WithLabelValues(job).Set(float64(start.Add(took).UnixMilli()) / 1e3)
}

// SetLeader records whether this replica holds the scheduler lease.
func (m *Metrics) SetLeader(leader bool) {
	if leader {
		m.leader.Set(1)
		return
	}
	m.leader.Set(0)
}
