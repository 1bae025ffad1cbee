package api_test

import (
	"testing"

	"github.com/leadbot/leadbot/engine"
)

// A manager extends, reassigns and returns a lead through the API; the
// owner and bad input are refused with the contract's statuses.
func TestInterventionEndpoints(t *testing.T) {
	forEachDB(t, engine.ModeAuto, func(t *testing.T, e *env) {
		e.putRep("a", 3)
		l := e.postLead("crm-late", 500000, 0.9)
		e.putRep("b", 3)
		e.must(200, "PUT", "/api/v1/reps/boss", map[string]any{"name": "boss", "role": "manager",
			"team": "east", "capacity": 0})
		if l.Assignee == nil || *l.Assignee != "a" || l.DueAt == nil {
			t.Fatalf("lead = %+v, want held by a with a deadline", l)
		}
		path := "/api/v1/leads/" + l.ID

		refusals := []struct {
			name   string
			action string
			body   map[string]any
			status int
			code   string
		}{
			{"nobody acting", "extend", map[string]any{}, 422, "missing_field"},
			{"the owner", "extend", map[string]any{"by": "a"}, 403, "not_supervisor"},
			{"a stranger", "return", map[string]any{"by": "ghost"}, 403, "unknown_user"},
			{"a bad length", "extend", map[string]any{"by": "boss", "extension": "3x"}, 422, "bad_extension"},
			{"to the owner", "reassign", map[string]any{"by": "boss", "rep_id": "a"}, 409, "same_owner"},
		}
		for _, rf := range refusals {
			r := e.call("POST", path+"/"+rf.action, rf.body)
			var ae apiErr
			r.decode(t, &ae)
			if r.Status != rf.status || ae.Error.Code != rf.code {
				t.Errorf("%s: %d %s, want %d %s", rf.name, r.Status, r.Body, rf.status, rf.code)
			}
		}

		// Taken in at 01:00 UTC on Friday by a rep without a time zone, a
		// tier A lead is due 4 business hours into the UTC working day, at
		// 13:00 UTC; two working days on is Tuesday 13:00 UTC.
		var got leadJSON
		e.must(200, "POST", path+"/extend", map[string]any{"by": "boss", "extension": "2d"}).decode(t, &got)
		if got.DueAt == nil || *got.DueAt != "2026-12-08T21:00:00+08:00" {
			t.Errorf("extended due_at = %v, want Tuesday 13:00 UTC (21:00 in Shanghai)", got.DueAt)
		}
		e.must(200, "POST", path+"/reassign", map[string]any{"by": "boss"}).decode(t, &got)
		if got.Assignee == nil || *got.Assignee != "b" {
			t.Errorf("reassigned to %v, want b, the only other rep with room", got.Assignee)
		}
		e.must(200, "POST", path+"/reassign", map[string]any{"by": "boss", "rep_id": "a", "note": "back"}).decode(t, &got)
		if got.Assignee == nil || *got.Assignee != "a" {
			t.Errorf("reassigned to %v, want a", got.Assignee)
		}
		e.must(200, "POST", path+"/return", map[string]any{"by": "boss"}).decode(t, &got)
		if got.Status != "pool" || got.Assignee != nil {
			t.Errorf("returned lead = %s %v, want pooled", got.Status, got.Assignee)
		}
		e.must(409, "POST", path+"/return", map[string]any{"by": "boss"})
	})
}
