package api_test

import (
	"testing"

	"github.com/leadbot/leadbot/engine"
)

func TestLeadTimezone(t *testing.T) {
	forEachDB(t, engine.ModePool, func(t *testing.T, e *env) {
		var l struct {
			ID       string `json:"id"`
			Timezone string `json:"timezone"`
		}
		e.must(201, "POST", "/api/v1/leads", map[string]any{"external_id": "cn-1",
			"company": "c", "timezone": "Asia/Shanghai"}).decode(t, &l)
		if l.Timezone != "Asia/Shanghai" {
			t.Errorf("POST lead timezone = %q, want Asia/Shanghai", l.Timezone)
		}
		e.must(200, "GET", "/api/v1/leads/"+l.ID, nil).decode(t, &l)
		if l.Timezone != "Asia/Shanghai" {
			t.Errorf("GET lead timezone = %q, want Asia/Shanghai", l.Timezone)
		}

		r := e.call("POST", "/api/v1/leads", map[string]any{"external_id": "cn-2",
			"company": "c", "timezone": "Asia/Shang_hai"})
		expectError(t, r, 422, "invalid_value", "timezone")
		e.must(404, "GET", "/api/v1/leads/L2", nil)

		// The test clock is in December: New York (UTC-5) shares none of
		// Shanghai's (UTC+8) working day.
		e.must(200, "PUT", "/api/v1/reps/ny", map[string]any{"name": "ny", "role": "rep",
			"capacity": 5, "timezone": "America/New_York"})
		r = e.call("POST", "/api/v1/leads/"+l.ID+"/claim", map[string]any{"rep_id": "ny"})
		expectError(t, r, 422, "out_of_hours", "rep_id")
		e.must(200, "PUT", "/api/v1/reps/cn", map[string]any{"name": "cn", "role": "rep",
			"capacity": 5, "timezone": "Asia/Shanghai"})
		e.must(200, "POST", "/api/v1/leads/"+l.ID+"/claim", map[string]any{"rep_id": "cn"})
	})
}
