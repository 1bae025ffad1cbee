package api_test

import (
	"testing"

	"github.com/leadbot/leadbot/engine"
)

type milestoneJSON struct {
	ID     string  `json:"id"`
	Kind   string  `json:"kind"`
	Date   string  `json:"date"`
	DueAt  string  `json:"due_at"`
	Moved  bool    `json:"moved"`
	Status string  `json:"status"`
	DoneBy *string `json:"done_by"`
}

func TestTargetAndMilestones(t *testing.T) {
	forEachDB(t, engine.ModeAuto, func(t *testing.T, e *env) {
		e.putRep("r1", 3)
		var l struct {
			ID            string  `json:"id"`
			TargetCloseAt *string `json:"target_close_at"`
		}
		e.must(201, "POST", "/api/v1/leads", map[string]any{"external_id": "t-1", "company": "acme",
			"target_close_at": "2027-01-29"}).decode(t, &l)
		if l.TargetCloseAt == nil || *l.TargetCloseAt != "2027-01-29" {
			t.Errorf("target_close_at = %v, want 2027-01-29", l.TargetCloseAt)
		}

		// Working days Monday to Friday, in UTC for a rep without a zone:
		// ten before Friday 2027-01-29 is 01-15, twenty 01-01, thirty 12-18;
		// 18:00 UTC is 02:00 the next day in the API's Shanghai time.
		var ms []milestoneJSON
		e.must(200, "GET", "/api/v1/leads/"+l.ID+"/milestones", nil).decode(t, &ms)
		want := []milestoneJSON{
			{Kind: "decision_maker", Date: "2026-12-18", DueAt: "2026-12-19T02:00:00+08:00"},
			{Kind: "demo", Date: "2027-01-01", DueAt: "2027-01-02T02:00:00+08:00"},
			{Kind: "proposal", Date: "2027-01-15", DueAt: "2027-01-16T02:00:00+08:00"},
		}
		if len(ms) != len(want) {
			t.Fatalf("milestones = %+v, want %d", ms, len(want))
		}
		for i, w := range want {
			if ms[i].Kind != w.Kind || ms[i].Date != w.Date || ms[i].DueAt != w.DueAt ||
				ms[i].Status != "open" {
				t.Errorf("milestone %d = %+v, want %s on %s due %s, open", i, ms[i], w.Kind, w.Date, w.DueAt)
			}
		}

		e.must(200, "PUT", "/api/v1/leads/"+l.ID+"/target",
			map[string]string{"target_close_at": "2027-02-26"}).decode(t, &l)
		e.must(200, "GET", "/api/v1/leads/"+l.ID+"/milestones", nil).decode(t, &ms)
		if *l.TargetCloseAt != "2027-02-26" || len(ms) != 3 || ms[2].Date != "2027-02-12" {
			t.Errorf("after replanning: target %v, milestones %+v; want the proposal on 2027-02-12",
				*l.TargetCloseAt, ms)
		}

		var done milestoneJSON
		e.must(200, "POST", "/api/v1/leads/"+l.ID+"/milestones/demo/done", nil).decode(t, &done)
		if done.Status != "done" || done.Kind != "demo" || done.DoneBy == nil || *done.DoneBy != "api" {
			t.Errorf("done = %+v, want the demo done by api", done)
		}
		expectError(t, e.call("POST", "/api/v1/leads/"+l.ID+"/milestones/demo/done", nil),
			409, "milestone_done", "")
		expectError(t, e.call("POST", "/api/v1/leads/"+l.ID+"/milestones/lunch/done", nil),
			422, "invalid_value", "kind")
	})
}

func TestTargetValidation(t *testing.T) {
	forEachDB(t, engine.ModeAuto, func(t *testing.T, e *env) {
		e.putRep("r1", 3)
		expectError(t, e.call("POST", "/api/v1/leads", map[string]any{"external_id": "t-2",
			"company": "acme", "target_close_at": "31/01/2027"}), 422, "invalid_date", "target_close_at")
		expectError(t, e.call("POST", "/api/v1/leads", map[string]any{"external_id": "t-3",
			"company": "acme", "target_close_at": "2026-11-30"}), 422, "in_past", "target_close_at")
		l := e.postLead("t-4", 100, 0.5)
		path := "/api/v1/leads/" + l.ID + "/target"
		expectError(t, e.call("PUT", path, map[string]string{}), 422, "missing_field", "target_close_at")
		expectError(t, e.call("PUT", path, map[string]string{"target_close_at": "2027-13-01"}),
			422, "invalid_date", "target_close_at")
		expectError(t, e.call("PUT", path, map[string]string{"target_close_at": "2030-01-01"}),
			422, "out_of_range", "target_close_at")
		expectError(t, e.call("PUT", "/api/v1/leads/L404/target",
			map[string]string{"target_close_at": "2027-01-29"}), 404, "lead_not_found", "")
		expectError(t, e.call("POST", "/api/v1/leads/"+l.ID+"/milestones/demo/done", nil),
			404, "milestone_not_found", "")
	})
}
