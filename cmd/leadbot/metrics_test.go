package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestBadMetricsAddrNamesKey(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no port", map[string]string{"LEADBOT_METRICS_ADDR": "metrics"},
			`metrics.addr: is "metrics"; want host:port`},
		{"the API's address", map[string]string{"LEADBOT_HTTP_ADDR": "0.0.0.0:8080",
			"LEADBOT_METRICS_ADDR": "0.0.0.0:8080"},
			"metrics.addr: is http.addr (0.0.0.0:8080); leave it empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("", false, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// getMetrics fetches and parses an exposition.
func getMetrics(t *testing.T, url string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams, string(b)
}

// sample returns the value of the sample of a family with all of these
// label pairs, and whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// A running serve answers /metrics without a token, with the requests it
// served, the decision it committed and the scheduler's first run.
func TestServeExposesMetrics(t *testing.T) {
	p := startServe(t, t.TempDir(), "LEADBOT_SCHEDULER_TICK=1s",
		"LEADBOT_CONSOLE_ENABLED=off", "LEADBOT_ENGINE_MODE=auto")
	if code, b := p.call(t, "PUT", "/api/v1/reps/r1",
		strings.NewReader(`{"name":"张三","role":"rep","capacity":3}`)); code != 200 {
		t.Fatalf("PUT rep = %d %s", code, b)
	}
	if code, b := p.call(t, "POST", "/api/v1/leads",
		strings.NewReader(`{"external_id":"crm-1","company":"华东某医院"}`)); code != 201 {
		t.Fatalf("POST lead = %d %s", code, b)
	}

	// The scheduler's first run comes a tick after it takes the lease.
	var fams map[string]*dto.MetricFamily
	var text string
	for deadline := time.Now().Add(20 * time.Second); ; {
		fams, text = getMetrics(t, p.base+"/metrics")
		if _, ok := sample(fams, "leadbot_scheduler_job_runs_total",
			"job", "deadlines", "result", "ok"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no deadlines run in /metrics after 20s:\n%s\nstderr:\n%s", text, p.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}

	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"leadbot_http_requests_total",
			[]string{"route", "/api/v1/leads", "method", "POST", "status", "2xx"}, 1},
		{"leadbot_http_requests_total",
			[]string{"route", "/api/v1/reps/{rep_id}", "method", "PUT", "status", "2xx"}, 1},
		{"leadbot_http_request_duration_seconds",
			[]string{"route", "/api/v1/leads", "method", "POST"}, 1},
		{"leadbot_routing_decisions_total",
			[]string{"strategy", "expertise-value-load", "outcome", "assigned"}, 1},
		{"leadbot_scheduler_leader", nil, 1},
		{"leadbot_scheduler_lag_seconds", nil, 0},
		{"leadbot_build_info", []string{"driver", "sqlite"}, 1},
	}
	for _, tt := range tests {
		got, ok := sample(fams, tt.name, tt.labels...)
		if !ok || got != tt.want {
			t.Errorf("%s%v = %v (present %t), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	for _, name := range []string{"leadbot_outbox_pending_notices",
		"leadbot_outbox_oldest_pending_age_seconds", "leadbot_scheduler_job_duration_seconds",
		"leadbot_scheduler_job_last_run_timestamp_seconds", "go_goroutines",
		"process_resident_memory_bytes"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("no %s in /metrics", name)
		}
	}
	if strings.Contains(text, "crm-1") || strings.Contains(text, `"r1"`) {
		t.Errorf("/metrics names a lead or a rep:\n%s", text)
	}
	p.stop(t)
}

// metrics.addr moves the metrics to a listener of their own, off the
// API's.
func TestServeMetricsOnOwnAddr(t *testing.T) {
	addr := freeAddr(t)
	p := startServe(t, t.TempDir(), "LEADBOT_METRICS_ADDR="+addr,
		"LEADBOT_CONSOLE_ENABLED=off")
	fams, _ := getMetrics(t, "http://"+addr+"/metrics")
	if _, ok := sample(fams, "leadbot_build_info"); !ok {
		t.Errorf("no leadbot_build_info on metrics.addr")
	}
	if code, b := p.call(t, "GET", "/metrics", nil); code != http.StatusNotFound {
		t.Errorf("GET /metrics on http.addr = %d %s, want 404", code, b)
	}
	p.stop(t)
}

func TestServeMetricsOff(t *testing.T) {
	p := startServe(t, t.TempDir(), "LEADBOT_METRICS_ENABLED=false",
		"LEADBOT_CONSOLE_ENABLED=off")
	if code, b := p.call(t, "GET", "/metrics", nil); code != http.StatusNotFound {
		t.Errorf("GET /metrics with metrics.enabled false = %d %s, want 404", code, b)
	}
	p.stop(t)
}
