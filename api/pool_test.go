package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
)

type partsJSON struct {
	Candidates []struct {
		RepID string  `json:"rep_id"`
		Score float64 `json:"score"`
		Parts []struct {
			Name   string  `json:"name"`
			Value  float64 `json:"value"`
			Weight float64 `json:"weight"`
		} `json:"parts"`
	} `json:"candidates"`
	Reasons []string `json:"reasons"`
}

func (p partsJSON) String() string {
	var b strings.Builder
	for _, c := range p.Candidates {
		fmt.Fprintf(&b, "%s %v:", c.RepID, c.Score)
		for _, part := range c.Parts {
			fmt.Fprintf(&b, " %s=%v×%v", part.Name, part.Value, part.Weight)
		}
		b.WriteString("; ")
	}
	return b.String()
}

// The round-robin scores a candidate by the free share of their
// capacity: r1 holds 0 of 2 and r2 0 of 4, so both score 1, from spare
// alone, and they tie for the lead.
func TestDecisionCandidateParts(t *testing.T) {
	forEachDB(t, engine.ModeAuto, func(t *testing.T, e *env) {
		e.putRep("r1", 2)
		e.putRep("r2", 4)
		l := e.postLead("parts", 100, 0.5)
		want := map[string]string{
			"r1": "r1 1: spare=1×1 open_tasks=0×0 capacity=2×0; ",
			"r2": "r2 1: spare=1×1 open_tasks=0×0 capacity=4×0; ",
		}
		other := map[string]string{"r1": "r2", "r2": "r1"}[l.assignee()]
		wantAll := want[l.assignee()] + want[other]

		var got struct {
			Latest partsJSON   `json:"latest"`
			Log    []partsJSON `json:"log"`
		}
		e.must(200, "GET", "/api/v1/leads/"+l.ID+"/decision", nil).decode(t, &got)
		if len(got.Log) != 1 || got.Latest.String() != wantAll || got.Log[0].String() != wantAll {
			t.Errorf("decision = %s, log %v; want %s", got.Latest, got.Log, wantAll)
		}
		tie := "与 rep " + other + " 并列"
		if !strings.Contains(strings.Join(got.Latest.Reasons, "|"), tie) {
			t.Errorf("reasons %q, want the tie with %s", got.Latest.Reasons, other)
		}

		var lead struct {
			Decision partsJSON `json:"decision"`
		}
		e.must(200, "GET", "/api/v1/leads/"+l.ID, nil).decode(t, &lead)
		if lead.Decision.String() != wantAll {
			t.Errorf("lead decision = %s, want %s", lead.Decision, wantAll)
		}
	})
}

func TestClaimNotVisible(t *testing.T) {
	forEachDB(t, engine.ModePool, func(t *testing.T, e *env) {
		e.must(200, "PUT", "/api/v1/reps/east1", map[string]any{"name": "东", "role": "rep",
			"team": "east", "capacity": 2, "regions": []string{"east"}})
		var l leadJSON
		e.must(201, "POST", "/api/v1/leads", map[string]any{"external_id": "n1", "company": "北方公司",
			"region": "north"}).decode(t, &l)
		var east leadJSON
		e.must(201, "POST", "/api/v1/leads", map[string]any{"external_id": "e1", "company": "东方公司",
			"region": "east"}).decode(t, &east)

		var visible []leadJSON
		e.must(200, "GET", "/api/v1/leads?visible_to=east1&limit=1", nil).decode(t, &visible)
		if len(visible) != 1 || visible[0].ID != east.ID {
			t.Errorf("GET leads?visible_to=east1 = %+v, want only %s", visible, east.ID)
		}
		expectError(t, e.call("GET", "/api/v1/leads?visible_to=nobody", nil), 422, "unknown_rep", "visible_to")
		expectError(t, e.call("GET", "/api/v1/leads?visible_to=east1&status=won", nil),
			422, "invalid_value", "status")

		r := e.call("POST", "/api/v1/leads/"+l.ID+"/claim", map[string]string{"rep_id": "east1"})
		expectError(t, r, 422, "not_visible", "rep_id")
	})
}
