package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/insight"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// metricsNow is the clock of the metrics tests: Monday 2026-03-09 00:00
// UTC, 08:00 in Shanghai, the API's zone.
var metricsNow = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)

// newMetricsEnv is an API with health reports and exports on s, holding
// rep r1 of team east with two leads due in the week before now: L1
// accepted in time, L2 never touched.
func newMetricsEnv(t *testing.T, s *storage.Store) *env {
	t.Helper()
	ctx := context.Background()
	clock := enginetest.NewClock(metricsNow)
	due1 := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	acc := due1.Add(-time.Hour)
	due2 := due1.Add(24 * time.Hour)
	held := due1.Add(-24 * time.Hour)
	err := s.Update(ctx, func(tx engine.Tx) error {
		_, err := tx.PutRep(ctx, engine.Rep{ID: "r1", Name: "Rep One", Team: "east",
			Role: engine.RoleRep, Capacity: 5, Active: true})
		if err != nil {
			return err
		}
		leads := []*engine.Lead{
			{ExternalID: "crm-1", Tier: "A", Status: "assigned", Assignee: "r1", DueAt: &due1,
				HeldSince: &held, AcceptedAt: &acc, TouchedAt: &acc, CreatedAt: held,
				UpdatedAt: held, Profile: engine.Profile{Company: "Acme, \"Big\"\nCo"}},
			{ExternalID: "crm-2", Tier: "B", Status: "assigned", Assignee: "r1", DueAt: &due2,
				HeldSince: &held, CreatedAt: held, UpdatedAt: held,
				Profile: engine.Profile{Company: "华东医院"}},
		}
		return tx.InsertLeads(ctx, leads)
	})
	if err != nil {
		t.Fatal(err)
	}
	set := insight.Settings{Thresholds: insight.DefaultThresholds, Cadence: engine.DefaultCadence}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	h := api.New(api.Options{Token: token, ReadToken: "read-token", Location: shanghai,
		Insight: insight.NewReporter(s, set, clock), Export: s})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: s, clock: clock}
}

func TestHealthEndpoint(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newMetricsEnv(t, s)
		var got insight.Report
		// The default period is the week up to now; the read token may
		// ask.
		r := e.do("GET", "/api/v1/metrics/health", "read-token", nil)
		if r.Status != 200 {
			t.Fatalf("GET health = %d %s, want 200", r.Status, r.Body)
		}
		r.decode(t, &got)
		if want := metricsNow.Add(-7 * 24 * time.Hour); !got.From.Equal(want) ||
			!got.To.Equal(metricsNow) {
			t.Errorf("period = %s to %s, want %s to %s", got.From, got.To, want, metricsNow)
		}
		if !strings.Contains(string(r.Body), `"to":"2026-03-09T08:00:00+08:00"`) {
			t.Errorf("body %s does not write to in the API's zone", r.Body)
		}
		// L1 on time, L2 late: 1/2, at or below 0.70: alert.
		tile, ok := got.Company.Tile(insight.TileCompletion)
		if !ok || tile.Value == nil || *tile.Value != 0.5 || tile.Status != insight.Alert ||
			*tile.Numerator != 1 || *tile.Denominator != 2 {
			t.Errorf("completion = %+v, want 0.5 alert of 1 / 2", tile)
		}
		if len(got.Teams) != 1 || got.Teams[0].Team != "east" {
			t.Errorf("teams = %+v, want east", got.Teams)
		}

		r = e.must(200, "GET", "/api/v1/metrics/health?trend=weeks:3", nil)
		r.decode(t, &got)
		if tile, _ := got.Company.Tile(insight.TileCompletion); len(tile.Trend) != 3 ||
			!strings.Contains(string(r.Body), `"trend":[{"from":"2026-02-16T08:00:00+08:00"`) {
			t.Errorf("trend of completion = %+v, want three weeks from 16 Feb in +08:00", tile.Trend)
		}
		for _, bad := range []string{"weeks:0", "weeks:27", "days:3", "weeks:x"} {
			r = e.call("GET", "/api/v1/metrics/health?trend="+bad, nil)
			var body apiErr
			r.decode(t, &body)
			if r.Status != 422 || body.Error.Field != "trend" {
				t.Errorf("trend=%s = %d %s, want 422 on trend", bad, r.Status, r.Body)
			}
		}

		// A week without tasks says no data, with a null value.
		r = e.must(200, "GET", "/api/v1/metrics/health?from=2026-01-05&to=2026-01-12&team=east", nil)
		if !strings.Contains(string(r.Body), `"id":"completion_rate","unit":"ratio","value":null,"status":"no_data"`) {
			t.Errorf("empty week body %s, want completion_rate null no_data", r.Body)
		}
	})
}

func TestHealthEndpointBadParams(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newMetricsEnv(t, s)
		tests := []struct {
			name, query, field, code string
		}{
			{"from not a time", "from=yesterday", "from", "invalid_param"},
			{"to not a time", "to=2026-13-01", "to", "invalid_param"},
			{"to before from", "from=2026-03-09&to=2026-03-02", "to", "invalid_param"},
			{"empty period", "from=2026-03-02&to=2026-03-02", "to", "invalid_param"},
			{"from twice", "from=2026-03-01&from=2026-03-02", "from", "invalid_param"},
			{"too long", "from=2020-01-01&to=2026-03-01", "from", "invalid_param"},
			{"unknown team", "team=nowhere", "team", "unknown_team"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, path := range []string{"/api/v1/metrics/health", "/api/v1/export/tasks.csv",
					"/api/v1/export/metrics.csv"} {
					if tt.code == "unknown_team" && strings.Contains(path, "tasks") {
						continue // tasks.csv does not filter by team
					}
					r := e.call("GET", path+"?"+tt.query, nil)
					var body apiErr
					r.decode(t, &body)
					if r.Status != 422 || body.Error.Field != tt.field || body.Error.Code != tt.code {
						t.Errorf("GET %s?%s = %d %s, want 422 %s on %s", path, tt.query,
							r.Status, r.Body, tt.code, tt.field)
					}
				}
			})
		}
	})
}

func TestExportTasksCSV(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newMetricsEnv(t, s)
		r := e.do("GET", "/api/v1/export/tasks.csv?from=2026-03-02&to=2026-03-09", "read-token", nil)
		if r.Status != 200 {
			t.Fatalf("GET tasks.csv = %d %s", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type = %q, want text/csv; charset=utf-8", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="tasks.csv"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		// The dates are midnight in Shanghai: the period starts at
		// 2026-03-01T16:00Z, and both leads fall in it.
		want := "\xEF\xBB\xBF" +
			"lead_id,external_id,company,tier,status,assignee,team,due_at,accepted_at," +
			"touched_at,progress,closed_at,closed_amount,on_time\r\n" +
			"1,crm-1,\"Acme, \"\"Big\"\"\r\nCo\",A,assigned,r1,east,2026-03-03T12:00:00Z," +
			"2026-03-03T11:00:00Z,2026-03-03T11:00:00Z,0,,,yes\r\n" +
			"2,crm-2,华东医院,B,assigned,r1,east,2026-03-04T12:00:00Z,,,0,,,no\r\n"
		if got := string(r.Body); got != want {
			t.Errorf("tasks.csv =\n%q\nwant\n%q", got, want)
		}

		r = e.must(200, "GET", "/api/v1/export/decisions.csv", nil)
		if got, want := string(r.Body), "\xEF\xBB\xBFdecision_id,at,lead_id,company,strategy,"+
			"rep_id,team,score,tier,experiment,arm,reasons,candidates\r\n"; got != want {
			t.Errorf("decisions.csv = %q, want the header only: %q", got, want)
		}
		r = e.must(200, "GET", "/api/v1/export/metrics.csv?team=east", nil)
		if !strings.Contains(string(r.Body),
			"\r\n2026-03-02T00:00:00Z,2026-03-09T00:00:00Z,2026-03-09T00:00:00Z,"+
				"company,,,completion_rate,,ratio,0.5,alert,1,2,,,0.85,0.7,\r\n") {
			t.Errorf("metrics.csv has no company completion row:\n%s", r.Body)
		}
	})
}

// A server built without a reporter says so rather than failing.
func TestHealthWithoutReporter(t *testing.T) {
	srv := httptest.NewServer(api.New(api.Options{Token: token}))
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv}
	for _, path := range []string{"/api/v1/metrics/health", "/api/v1/export/tasks.csv"} {
		if r := e.call("GET", path, nil); r.Status != 503 {
			t.Errorf("GET %s = %d %s, want 503", path, r.Status, r.Body)
		}
	}
}
