package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
)

func TestLeadLifecycle(t *testing.T) {
	forEachDB(t, engine.ModeHybrid, func(t *testing.T, e *env) {
		e.putRep("r1", 2)
		e.putRep("r2", 2)

		// Tier A is assigned at once in hybrid mode; the rest are pooled.
		a := e.postLead("crm-a", 500000, 0.8)
		// r1 and r2 tie: either may get it, drawn by the lead.
		if a.Tier != "A" || a.Status != "assigned" || (a.assignee() != "r1" && a.assignee() != "r2") {
			t.Fatalf("tier A lead = tier %s %s %q, want A assigned r1 or r2", a.Tier, a.Status, a.assignee())
		}
		if a.Decision == nil || a.Decision.Strategy != "round-robin" || len(a.Decision.Reasons) == 0 {
			t.Errorf("tier A decision = %+v, want round-robin with reasons", a.Decision)
		}
		if a.DueAt == nil || !strings.HasSuffix(*a.DueAt, "+08:00") {
			t.Errorf("due_at = %v, want a policy deadline written with +08:00", a.DueAt)
		}
		c := e.postLead("crm-c", 1000, 0.1)
		if c.Tier != "C" || c.Status != "pool" || c.Assignee != nil {
			t.Fatalf("tier C lead = %s %s %v, want C in the pool, no assignee", c.Tier, c.Status, c.Assignee)
		}

		var again leadJSON
		e.must(200, "POST", "/api/v1/leads", map[string]any{"external_id": "crm-c", "company": "other"}).decode(t, &again)
		if again.ID != c.ID || again.Company != c.Company {
			t.Errorf("repeated intake = %s %q, want existing %s %q", again.ID, again.Company, c.ID, c.Company)
		}

		var pooled []leadJSON
		e.must(200, "GET", "/api/v1/leads?status=pool", nil).decode(t, &pooled)
		if len(pooled) != 1 || pooled[0].ID != c.ID {
			t.Errorf("GET leads?status=pool = %+v, want only %s", pooled, c.ID)
		}

		var claimed leadJSON
		e.must(200, "POST", "/api/v1/leads/"+c.ID+"/claim", map[string]string{"rep_id": "r2"}).decode(t, &claimed)
		if claimed.Status != "assigned" || claimed.assignee() != "r2" {
			t.Errorf("claimed = %s %q, want assigned r2", claimed.Status, claimed.assignee())
		}
		r := e.call("POST", "/api/v1/leads/"+c.ID+"/claim", map[string]string{"rep_id": "r1"})
		expectError(t, r, 409, "already_claimed", "")

		var won leadJSON
		e.must(200, "POST", "/api/v1/leads/"+a.ID+"/outcome",
			map[string]any{"outcome": "won", "amount": 280000}).decode(t, &won)
		if won.Status != "won" || won.Amount == nil || *won.Amount != 280000 {
			t.Errorf("after outcome = %s amount %v, want won 280000", won.Status, won.Amount)
		}
		expectError(t, e.call("POST", "/api/v1/leads/"+a.ID+"/outcome", map[string]any{"outcome": "lost"}),
			409, "not_assigned", "")

		var reps []struct {
			ID        string `json:"id"`
			OpenTasks int    `json:"open_tasks"`
		}
		e.must(200, "GET", "/api/v1/reps", nil).decode(t, &reps)
		if got := fmt.Sprint(reps); got != "[{r1 0} {r2 1}]" {
			t.Errorf("reps = %s, want [{r1 0} {r2 1}]", got)
		}

		var history []struct {
			Event string  `json:"event"`
			Actor string  `json:"actor"`
			RepID *string `json:"rep_id"`
		}
		e.must(200, "GET", "/api/v1/leads/"+a.ID+"/history", nil).decode(t, &history)
		var events []string
		for _, h := range history {
			events = append(events, h.Event)
		}
		if got := strings.Join(events, ","); got != "created,assigned,closed" {
			t.Errorf("history of %s = %s, want created,assigned,closed", a.ID, got)
		}
		e.must(200, "GET", "/api/v1/leads/"+strings.TrimPrefix(a.ID, "L"), nil)
	})
}

func TestStandbyDrainsWhenCapacityFrees(t *testing.T) {
	forEachDB(t, engine.ModeAuto, func(t *testing.T, e *env) {
		e.putRep("r1", 1)
		first := e.postLead("one", 100, 0.5)
		waiting := e.postLead("two", 100, 0.5)
		if waiting.Status != "standby" || waiting.Assignee != nil {
			t.Fatalf("second lead = %s %v, want standby", waiting.Status, waiting.Assignee)
		}
		e.must(200, "POST", "/api/v1/leads/"+first.ID+"/outcome", map[string]string{"outcome": "lost"})
		var got leadJSON
		e.must(200, "GET", "/api/v1/leads/"+waiting.ID, nil).decode(t, &got)
		if got.Status != "assigned" || got.assignee() != "r1" {
			t.Errorf("standby lead after capacity freed = %s %q, want assigned r1", got.Status, got.assignee())
		}

		third := e.postLead("three", 100, 0.5)
		e.putRep("r2", 1) // a new rep with room also drains the queue
		e.must(200, "GET", "/api/v1/leads/"+third.ID, nil).decode(t, &got)
		if got.Status != "assigned" || got.assignee() != "r2" {
			t.Errorf("standby lead after new rep = %s %q, want assigned r2", got.Status, got.assignee())
		}
	})
}

func TestClaimRefusals(t *testing.T) {
	forEachDB(t, engine.ModePool, func(t *testing.T, e *env) {
		e.putRep("r1", 1)
		e.must(200, "PUT", "/api/v1/reps/gone", map[string]any{"name": "gone", "role": "rep",
			"capacity": 5, "active": false})
		l1 := e.postLead("p1", 100, 0.5)
		l2 := e.postLead("p2", 100, 0.5)
		e.must(200, "POST", "/api/v1/leads/"+l1.ID+"/claim", map[string]string{"rep_id": "r1"})

		tests := []struct {
			name, lead, rep string
			status          int
			code, field     string
		}{
			{"full rep", l2.ID, "r1", 422, "over_capacity", "rep_id"},
			{"inactive rep", l2.ID, "gone", 422, "rep_inactive", "rep_id"},
			{"unknown rep", l2.ID, "nobody", 422, "unknown_rep", "rep_id"},
			{"unknown lead", "L999", "r1", 404, "lead_not_found", ""},
			{"not a lead id", "xyz", "r1", 404, "lead_not_found", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.call("POST", "/api/v1/leads/"+tt.lead+"/claim", map[string]string{"rep_id": tt.rep})
				expectError(t, r, tt.status, tt.code, tt.field)
			})
		}
		var got leadJSON
		e.must(200, "GET", "/api/v1/leads/"+l2.ID, nil).decode(t, &got)
		if got.Status != "pool" {
			t.Errorf("lead after refused claims = %s, want pool", got.Status)
		}
	})
}

func TestHistoryRejectsBadRowsAlone(t *testing.T) {
	forEachDB(t, engine.ModeHybrid, func(t *testing.T, e *env) {
		e.must(200, "PUT", "/api/v1/reps/old", map[string]any{"name": "left", "role": "rep",
			"capacity": 0, "active": false})
		rows := `[
			{"lead": {"external_id": "h1", "company": "A", "industry": "medical"}, "rep_id": "old",
			 "outcome": "won", "amount": 120000, "closed_at": "2026-06-30T18:00:00+08:00"},
			{"lead": {"external_id": "h2", "company": "B"}, "rep_id": "ghost",
			 "outcome": "won", "amount": 1, "closed_at": "2026-06-30T18:00:00+08:00"},
			{"lead": {"company": "C"}, "rep_id": "old", "outcome": "maybe", "closed_at": "2026-06-30T18:00:00+08:00"},
			{"lead": {"company": "D"}, "rep_id": "old", "outcome": "lost", "amount": "lots"},
			{"lead": {"external_id": "h1", "company": "A"}, "rep_id": "old",
			 "outcome": "won", "closed_at": "2026-06-30T18:00:00+08:00"},
			{"lead": {"company": "E"}, "rep_id": "old", "outcome": "lost", "closed_at": "2026-07-01"}
		]`
		var got struct {
			Imported int `json:"imported"`
			Rejected []struct {
				Index int    `json:"index"`
				Error string `json:"error"`
			} `json:"rejected"`
		}
		e.must(200, "POST", "/api/v1/history", rows).decode(t, &got)
		if got.Imported != 1 {
			t.Errorf("imported = %d, want 1", got.Imported)
		}
		want := map[int]string{1: "ghost", 2: "outcome", 3: "amount", 4: "h1", 5: "closed_at"}
		if len(got.Rejected) != len(want) {
			t.Fatalf("rejected = %+v, want rows 1 to 5", got.Rejected)
		}
		for _, r := range got.Rejected {
			if !strings.Contains(r.Error, want[r.Index]) {
				t.Errorf("row %d rejected with %q, want it to mention %q", r.Index, r.Error, want[r.Index])
			}
		}
		expectError(t, e.call("POST", "/api/v1/history", `{"not": "an array"}`), 400, "invalid_type", "")
	})
}

func TestAuth(t *testing.T) {
	forEachDB(t, engine.ModeHybrid, func(t *testing.T, e *env) {
		tests := []struct {
			name, method, tok string
			status            int
		}{
			{"no token", "GET", "", 401},
			{"wrong token", "GET", "nope", 401},
			{"read token may read", "GET", "read-token", 200},
			{"read token may not write", "PUT", "read-token", 403},
			{"full token", "GET", token, 200},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body := map[string]any{"name": "x", "role": "rep", "capacity": 1}
				if tt.method == "GET" {
					body = nil
				}
				r := e.do(tt.method, "/api/v1/reps/r1", tt.tok, body)
				if tt.method == "GET" {
					r = e.do("GET", "/api/v1/reps", tt.tok, nil)
				}
				if r.Status != tt.status {
					t.Errorf("%s with %q = %d %s, want %d", tt.method, tt.tok, r.Status, r.Body, tt.status)
				}
			})
		}
		if r := e.do("GET", "/healthz", "", nil); r.Status != 200 {
			t.Errorf("GET /healthz without token = %d, want 200", r.Status)
		}
		if r := e.do("GET", "/readyz", "", nil); r.Status != 200 {
			t.Errorf("GET /readyz without token = %d, want 200", r.Status)
		}
		r := e.do("GET", "/api/v1/openapi.yaml", token, nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/yaml") {
			t.Errorf("GET openapi.yaml = %d %s, want 200 yaml", r.Status, r.Header.Get("Content-Type"))
		}
		expectError(t, e.call("GET", "/api/v1/nothing", nil), 404, "not_found", "")
		r = e.call("DELETE", "/api/v1/leads/L1", nil)
		expectError(t, r, 405, "method_not_allowed", "")
		if got := r.Header.Get("Allow"); got != "GET" {
			t.Errorf("Allow = %q, want GET", got)
		}
	})
}

func expectError(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	var e apiErr
	r.decode(t, &e)
	if r.Status != status || e.Error.Code != code || e.Error.Field != field || e.Error.Message == "" {
		t.Errorf("got %d %s, want %d code %q field %q with a message", r.Status, r.Body, status, code, field)
	}
}

func TestRequestIDHeader(t *testing.T) {
	forEachDB(t, engine.ModeHybrid, func(t *testing.T, e *env) {
		req, _ := http.NewRequest("GET", e.srv.URL+"/healthz", nil)
		req.Header.Set("X-Request-ID", "abc-123")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-ID"); got != "abc-123" {
			t.Errorf("X-Request-ID = %q, want the caller's abc-123", got)
		}
	})
}

func TestDisputesAndHistoryEndpoints(t *testing.T) {
	forEachDB(t, engine.ModeAuto, func(t *testing.T, e *env) {
		e.must(200, "PUT", "/api/v1/reps/r1", map[string]any{"name": "张三", "role": "rep", "team": "east", "capacity": 2})
		e.must(200, "PUT", "/api/v1/reps/r2", map[string]any{"name": "李四", "role": "rep", "team": "east", "capacity": 0})
		l := e.postLead("dsp", 100, 0.5)
		svc := engine.NewService(engine.Deps{Store: e.store, Clock: e.clock})
		id, _ := engine.ParseLeadID(l.ID)
		if _, err := svc.FileDispute(context.Background(), id, "r2", engine.DisputeOwnership, "我三月就登记过这个客户"); err != nil {
			t.Fatal(err)
		}

		var got []struct {
			ID, LeadID, Kind, Status, FiledBy, Reason string
			Against                                   *string
			DecidedBy                                 *string `json:"decided_by"`
		}
		e.must(200, "GET", "/api/v1/disputes?lead_id="+l.ID+"&status=open", nil).decode(t, &got)
		if len(got) != 1 || got[0].ID != "D1" || got[0].Kind != "ownership" || got[0].Against == nil ||
			*got[0].Against != "r1" || got[0].DecidedBy != nil || got[0].Reason != "我三月就登记过这个客户" {
			t.Errorf("disputes = %+v, want D1 open against r1", got)
		}
		e.must(200, "GET", "/api/v1/disputes?status=approved", nil).decode(t, &got)
		if len(got) != 0 {
			t.Errorf("approved disputes = %+v, want none", got)
		}
		expectError(t, e.call("GET", "/api/v1/disputes?lead_id=zz", nil), 422, "invalid_value", "lead_id")

		var history []struct{ Event string }
		e.must(200, "GET", "/api/v1/leads/"+l.ID+"/history", nil).decode(t, &history)
		if n := len(history); n != 3 || history[n-1].Event != "disputed" {
			t.Errorf("history = %+v, want created, assigned, disputed", history)
		}
		expectError(t, e.call("GET", "/api/v1/leads/L404/history", nil), 404, "lead_not_found", "")
		expectError(t, e.call("GET", "/api/v1/leads/L404", nil), 404, "lead_not_found", "")
		expectError(t, e.call("POST", "/api/v1/leads/L404/outcome", map[string]string{"outcome": "won"}),
			404, "lead_not_found", "")
	})
}

func TestDecisionLog(t *testing.T) {
	forEachDB(t, engine.ModePool, func(t *testing.T, e *env) {
		e.putRep("r1", 2)
		l := e.postLead("log", 100, 0.5)
		e.must(200, "POST", "/api/v1/leads/"+l.ID+"/claim", map[string]string{"rep_id": "r1"})
		var got struct {
			LeadID string `json:"lead_id"`
			Latest *struct {
				Strategy string  `json:"strategy"`
				RepID    *string `json:"rep_id"`
			} `json:"latest"`
			Log []struct {
				Strategy string   `json:"strategy"`
				Reasons  []string `json:"reasons"`
			} `json:"log"`
		}
		e.must(200, "GET", "/api/v1/leads/"+l.ID+"/decision", nil).decode(t, &got)
		if len(got.Log) != 2 || got.Log[0].Strategy != "pool" || got.Latest == nil || got.Latest.Strategy != "claim" ||
			got.Latest.RepID == nil || *got.Latest.RepID != "r1" || len(got.Log[1].Reasons) == 0 {
			t.Errorf("decision log = %+v, want pool then claim by r1 with reasons", got)
		}
		expectError(t, e.call("GET", "/api/v1/leads/L99/decision", nil), 404, "lead_not_found", "")
	})
}

// A routed decision keeps what it knew of the lead, and keeps it when
// the lead changes later.
func TestDecisionInputs(t *testing.T) {
	forEachDB(t, engine.ModeAuto, func(t *testing.T, e *env) {
		e.putRep("r1", 2)
		e.putRep("r2", 2)
		l := e.postLead("inputs", 300000, 0.7)
		type inputs struct {
			Score            float64  `json:"score"`
			Tier             string   `json:"tier"`
			CloseProbability *float64 `json:"close_probability"`
			ExpectedAmount   float64  `json:"expected_amount"`
			Mode             string   `json:"mode"`
			Roster           int      `json:"roster"`
		}
		var got struct {
			Latest *struct {
				Inputs *inputs `json:"inputs"`
			} `json:"latest"`
			Log []struct {
				Strategy string  `json:"strategy"`
				Inputs   *inputs `json:"inputs"`
			} `json:"log"`
		}
		e.must(200, "GET", "/api/v1/leads/"+l.ID+"/decision", nil).decode(t, &got)
		if len(got.Log) != 1 || got.Log[0].Inputs == nil || got.Latest == nil || got.Latest.Inputs == nil {
			t.Fatalf("decision log = %+v, want one routed decision with its inputs", got)
		}
		in := got.Log[0].Inputs
		if in.Score != l.Score || in.Tier != l.Tier || in.CloseProbability == nil ||
			*in.CloseProbability != 0.7 || in.ExpectedAmount != 300000 || in.Mode != "auto" ||
			in.Roster != 2 {
			t.Errorf("inputs = %+v, want score %.1f tier %s, probability 0.7, amount 300000, "+
				"mode auto, 2 reps weighed", *in, l.Score, l.Tier)
		}
		if li := got.Latest.Inputs; li.Score != in.Score || li.Roster != in.Roster ||
			li.CloseProbability == nil || *li.CloseProbability != *in.CloseProbability {
			t.Errorf("the lead's decision inputs %+v differ from the log's %+v", *got.Latest.Inputs, *in)
		}
	})
}
