package api_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// targetEnv is an API counting periods in Shanghai at Friday 2026-12-04
// 09:00 there, with pooled leads, a manager of team hq and reps r1, r2
// of team east.
func targetEnv(t *testing.T, s *storage.Store) *env {
	t.Helper()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC))
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	p.Checkpoints.Zone = shanghai
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	h := api.New(api.Options{Service: svc, Token: token, Location: shanghai})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: s, clock: clock}
	e.must(200, "PUT", "/api/v1/reps/boss", map[string]any{"name": "boss", "role": "manager",
		"team": "hq", "capacity": 0})
	e.putRep("r1", 5)
	e.putRep("r2", 5)
	return e
}

type targetJSON struct {
	ID     string  `json:"id"`
	Team   *string `json:"team"`
	RepID  *string `json:"rep_id"`
	Period string  `json:"period"`
	Metric string  `json:"metric"`
	Amount int64   `json:"amount"`
	Split  *string `json:"split"`
	From   string  `json:"from"`
	SetBy  string  `json:"set_by"`
}

type progressJSON struct {
	Amount   int64   `json:"amount"`
	Done     float64 `json:"done"`
	Expected int64   `json:"expected"`
	Share    float64 `json:"share"`
	Status   string  `json:"status"`
}

type reportJSON struct {
	Target targetJSON `json:"target"`
	Period struct {
		Kind  string `json:"kind"`
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"period"`
	Assigned int64 `json:"assigned"`
	progressJSON
	Parts []struct {
		RepID string  `json:"rep_id"`
		Own   *string `json:"own_target_id"`
		progressJSON
	} `json:"parts"`
}

func TestTargetsAPI(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := targetEnv(t, s)
		var week targetJSON
		e.must(201, "POST", "/api/v1/targets", map[string]any{"by": "boss", "team": "east",
			"period": "week", "metric": "claimed", "amount": 5}).decode(t, &week)
		if week.ID != "G1" || week.Team == nil || *week.Team != "east" || week.RepID != nil ||
			week.Split == nil || *week.Split != "even" || week.From != "2026-11-30" ||
			week.SetBy != "boss" {
			t.Errorf("POST targets = %+v, want G1 of east, even, from Monday 2026-11-30", week)
		}
		e.must(201, "POST", "/api/v1/targets", map[string]any{"by": "boss", "rep_id": "r1",
			"period": "month", "metric": "revenue", "amount": 1000})

		// r1 claims two pooled leads and wins one for 800; r2 claims one.
		var ids []string
		for _, ext := range []string{"t-1", "t-2", "t-3"} {
			ids = append(ids, e.postLead(ext, 1000, 0.1).ID)
		}
		for i, rep := range []string{"r1", "r1", "r2"} {
			e.must(200, "POST", "/api/v1/leads/"+ids[i]+"/claim", map[string]string{"rep_id": rep})
		}
		e.must(200, "POST", "/api/v1/leads/"+ids[0]+"/outcome",
			map[string]any{"outcome": "won", "amount": 800})

		var rs []reportJSON
		e.must(200, "GET", "/api/v1/targets?team=east", nil).decode(t, &rs)
		if len(rs) != 2 {
			t.Fatalf("GET targets = %+v, want the week's and the month's", rs)
		}
		// 105 of the week's 168 hours have passed: 5 expects 3, r1's 3
		// expects 1 and r2's 2 expects 1.
		w := rs[0]
		if w.Period.Start != "2026-11-30T00:00:00+08:00" ||
			w.Period.End != "2026-12-07T00:00:00+08:00" || w.Amount != 5 || w.Assigned != 5 ||
			w.Done != 3 || w.Expected != 3 || w.Status != "on_track" {
			t.Errorf("week report = %+v, want 3 of 5 claims, on track", w)
		}
		if len(w.Parts) != 2 || w.Parts[0].RepID != "r1" || w.Parts[0].Amount != 3 ||
			w.Parts[0].Done != 2 || w.Parts[1].Amount != 2 || w.Parts[1].Done != 1 ||
			w.Parts[1].Expected != 1 || w.Parts[1].Own != nil {
			t.Errorf("week parts = %+v, want r1 2 of 3 and r2 1 of 2", w.Parts)
		}
		m := rs[1]
		if m.Target.Metric != "revenue" || m.Done != 800 || m.Share != 0.8 ||
			m.Status != "on_track" ||
			m.Parts == nil || len(m.Parts) != 0 {
			t.Errorf("month report = %+v, want 800 of 1000 on track, no parts", m)
		}

		var hist []targetJSON
		e.must(200, "GET", "/api/v1/targets/history?rep_id=r1", nil).decode(t, &hist)
		if len(hist) != 1 || hist[0].ID != "G2" {
			t.Errorf("history of r1 = %+v, want G2", hist)
		}
	})
}

func TestTargetsAPIRefusals(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := targetEnv(t, s)
		body := func(edit func(map[string]any)) map[string]any {
			b := map[string]any{"by": "boss", "team": "east", "period": "week",
				"metric": "touches", "amount": 5}
			edit(b)
			return b
		}
		tests := []struct {
			name   string
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{"no by", body(func(b map[string]any) { delete(b, "by") }), 422, "missing_field", "by"},
			{"no amount", body(func(b map[string]any) { delete(b, "amount") }), 422,
				"missing_field", "amount"},
			{"bad metric", body(func(b map[string]any) { b["metric"] = "calls" }), 422,
				"invalid_value", "metric"},
			{"bad period", body(func(b map[string]any) { b["period"] = "day" }), 422,
				"invalid_value", "period"},
			{"fractional amount", body(func(b map[string]any) { b["amount"] = 2.5 }), 400,
				"invalid_type", "amount"},
			{"bad from", body(func(b map[string]any) { b["from"] = "next week" }), 422,
				"invalid_date", "from"},
			{"no scope", body(func(b map[string]any) { delete(b, "team") }), 422,
				"missing_field", "team"},
			{"rep sets", body(func(b map[string]any) { b["by"] = "r1" }), 403,
				"not_supervisor", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				expectError(t, e.call("POST", "/api/v1/targets", tt.body), tt.status, tt.code,
					tt.field)
			})
		}
		expectError(t, e.call("GET", "/api/v1/targets?period=day", nil), 422, "invalid_value",
			"period")
		expectError(t, e.call("GET", "/api/v1/targets?rep_id=ghost", nil), 404, "rep_not_found", "")
		var hist []targetJSON
		e.must(200, "GET", "/api/v1/targets/history", nil).decode(t, &hist)
		if len(hist) != 0 {
			t.Errorf("history after refusals = %+v, want none", hist)
		}
	})
}
