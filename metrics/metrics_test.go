package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/metrics"
	"github.com/leadbot/leadbot/storage"
)

// source is a database that answers the scrape-time reads with fixed
// values, or fails.
type source struct {
	backlog  storage.OutboxBacklog
	unchased time.Time
	err      error
}

func (s source) OutboxBacklog(context.Context, time.Time) (storage.OutboxBacklog, error) {
	return s.backlog, s.err
}

func (s source) OldestUnchased(context.Context, time.Time) (time.Time, error) {
	return s.unchased, s.err
}

// scrape serves the registry once and parses what it wrote.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(io.Reader(rec.Body))
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return fams
}

// value returns the sample of the family with exactly these labels: a
// counter's or gauge's value, a histogram's count.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric family %s", name)
	}
	for _, s := range f.Metric {
		if !hasLabels(s, labels) {
			continue
		}
		switch {
		case s.Counter != nil:
			return s.Counter.GetValue()
		case s.Gauge != nil:
			return s.Gauge.GetValue()
		case s.Histogram != nil:
			return float64(s.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("%s has no sample labelled %v", name, labels)
	return 0
}

func hasLabels(s *dto.Metric, labels []string) bool {
	if len(s.Label)*2 != len(labels) {
		return false
	}
	for i := 0; i < len(labels); i += 2 {
		found := false
		for _, l := range s.Label {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

func TestEventsCounted(t *testing.T) {
	m := metrics.New(metrics.Options{Registry: prometheus.NewRegistry(), Version: "v1.2.3",
		Driver: "mysql"})
	m.ObserveRequest("/api/v1/leads/{id}", "GET", 200, 30*time.Millisecond)
	m.ObserveRequest("/api/v1/leads/{id}", "GET", 204, 10*time.Millisecond)
	m.ObserveRequest("", "BREW", 404, time.Millisecond)
	m.ObserveRequest("/api/v1/leads", "POST", 503, time.Second)
	ctx := context.Background()
	m.ObserveDecision(ctx, engine.CommittedDecision{Strategy: "claim",
		Status: engine.StatusAssigned})
	m.ObserveDecision(ctx, engine.CommittedDecision{Strategy: "round-robin"})
	m.ObserveDelivery("wecom", "send", nil)
	m.ObserveDelivery("wecom", "send", errors.New("down"))
	m.ObserveNotice("given_up")
	m.ObserveJob("deadlines", t0, 2*time.Second, nil)
	m.ObserveJob("deadlines", t0.Add(time.Minute), time.Second, errors.New("db gone"))
	m.SetLeader(true)

	fams := scrape(t, m)
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"leadbot_http_requests_total",
			[]string{"route", "/api/v1/leads/{id}", "method", "GET", "status", "2xx"}, 2},
		{"leadbot_http_requests_total",
			[]string{"route", "unmatched", "method", "other", "status", "4xx"}, 1},
		{"leadbot_http_requests_total",
			[]string{"route", "/api/v1/leads", "method", "POST", "status", "5xx"}, 1},
		{"leadbot_http_request_duration_seconds",
			[]string{"route", "/api/v1/leads/{id}", "method", "GET"}, 2},
		{"leadbot_routing_decisions_total",
			[]string{"strategy", "claim", "outcome", "assigned"}, 1},
		{"leadbot_routing_decisions_total",
			[]string{"strategy", "round-robin", "outcome", "unknown"}, 1},
		{"leadbot_outbox_deliveries_total",
			[]string{"platform", "wecom", "kind", "send", "result", "ok"}, 1},
		{"leadbot_outbox_deliveries_total",
			[]string{"platform", "wecom", "kind", "send", "result", "error"}, 1},
		{"leadbot_outbox_notices_total", []string{"result", "given_up"}, 1},
		{"leadbot_scheduler_job_runs_total", []string{"job", "deadlines", "result", "ok"}, 1},
		{"leadbot_scheduler_job_runs_total", []string{"job", "deadlines", "result", "error"}, 1},
		{"leadbot_scheduler_job_duration_seconds", []string{"job", "deadlines"}, 2},
		// The last run is the failed one at 09:01; the last success ended
		// at 09:00:02.
		{"leadbot_scheduler_job_last_run_timestamp_seconds", []string{"job", "deadlines"},
			float64(t0.Unix() + 60)},
		{"leadbot_scheduler_job_last_success_timestamp_seconds", []string{"job", "deadlines"},
			float64(t0.Unix() + 2)},
		{"leadbot_scheduler_leader", nil, 1},
		{"leadbot_build_info", []string{"version", "v1.2.3", "driver", "mysql"}, 1},
	}
	for _, tt := range tests {
		if got := value(t, fams, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_start_time_seconds"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("no %s: the Go and process collectors are missing", name)
		}
	}
}

func TestBacklogReadAtScrape(t *testing.T) {
	clock := enginetest.NewClock(t0)
	src := source{backlog: storage.OutboxBacklog{Pending: 3, Oldest: t0.Add(-90 * time.Second)},
		unchased: t0.Add(-2 * time.Minute)}
	m := metrics.New(metrics.Options{Registry: prometheus.NewRegistry(), Source: src,
		Clock: clock})

	fams := scrape(t, m)
	for name, want := range map[string]float64{
		"leadbot_outbox_pending_notices":            3,
		"leadbot_outbox_oldest_pending_age_seconds": 90,
		"leadbot_scheduler_lag_seconds":             120,
	} {
		if got := value(t, fams, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}

	clock.Add(time.Minute)
	if got := value(t, scrape(t, m), "leadbot_scheduler_lag_seconds"); got != 180 {
		t.Errorf("a minute later, leadbot_scheduler_lag_seconds = %v, want 180", got)
	}
}

func TestBacklogEmptyIsZero(t *testing.T) {
	m := metrics.New(metrics.Options{Registry: prometheus.NewRegistry(), Source: source{},
		Clock: enginetest.NewClock(t0)})
	fams := scrape(t, m)
	for _, name := range []string{"leadbot_outbox_pending_notices",
		"leadbot_outbox_oldest_pending_age_seconds", "leadbot_scheduler_lag_seconds"} {
		if got := value(t, fams, name); got != 0 {
			t.Errorf("%s = %v with nothing waiting, want 0", name, got)
		}
	}
}

// A database that fails at scrape time leaves its gauges out and is
// logged; everything else is still served.
func TestBacklogFailureServesTheRest(t *testing.T) {
	var logs bytes.Buffer
	m := metrics.New(metrics.Options{Registry: prometheus.NewRegistry(),
		Source: source{err: errors.New("dial tcp: connection refused")},
		Log:    slog.New(slog.NewTextHandler(&logs, nil))})
	m.SetLeader(false)

	fams := scrape(t, m)
	if got := value(t, fams, "leadbot_scheduler_leader"); got != 0 {
		t.Errorf("leadbot_scheduler_leader = %v, want 0", got)
	}
	for _, name := range []string{"leadbot_outbox_pending_notices",
		"leadbot_scheduler_lag_seconds"} {
		if _, ok := fams[name]; ok {
			t.Errorf("%s served although the database failed", name)
		}
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("logs = %q, want the database error", logs.String())
	}
}
