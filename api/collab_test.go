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

func TestLeadCollaborators(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC))
		over := 500000.0
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		p.Collaboration = engine.DefaultCollaborationOptions
		p.Collaboration.Pairing = []engine.PairingRule{{Name: "big",
			When: engine.PairingCondition{AmountOver: &over},
			Add:  engine.PairingTarget{Tag: "technical_consultant"}}}
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		srv := httptest.NewServer(api.New(api.Options{Service: svc, Token: token,
			Location: shanghai, OpenAPI: []byte("openapi: 3.0.3\n")}))
		t.Cleanup(srv.Close)
		e := &env{t: t, srv: srv, store: s, clock: clock}

		e.putRep("r1", 3)
		var tc struct {
			Skills []string `json:"skills"`
		}
		e.must(200, "PUT", "/api/v1/reps/tc1", map[string]any{"name": "顾问", "role": "rep",
			"capacity": 0, "skills": []string{"technical_consultant"}}).decode(t, &tc)
		if len(tc.Skills) != 1 || tc.Skills[0] != "technical_consultant" {
			t.Errorf("PUT rep skills = %q, want [technical_consultant]", tc.Skills)
		}

		type collab struct {
			RepID     string  `json:"rep_id"`
			Role      string  `json:"role"`
			Rule      *string `json:"rule"`
			Reason    string  `json:"reason"`
			StartedAt string  `json:"started_at"`
			EndsAt    *string `json:"ends_at"`
			EndedAt   *string `json:"ended_at"`
			EndReason *string `json:"end_reason"`
		}
		var got struct {
			Collaborators *[]collab `json:"collaborators"`
		}
		small := e.postLead("c-small", 1000, 0.5)
		e.must(200, "GET", "/api/v1/leads/"+small.ID, nil).decode(t, &got)
		if got.Collaborators == nil || len(*got.Collaborators) != 0 {
			t.Errorf("small lead collaborators = %v, want an empty array", got.Collaborators)
		}

		big := e.postLead("c-big", 900000, 0.5)
		e.must(200, "GET", "/api/v1/leads/"+big.ID, nil).decode(t, &got)
		if got.Collaborators == nil || len(*got.Collaborators) != 1 {
			t.Fatalf("big lead collaborators = %v, want one", got.Collaborators)
		}
		c := (*got.Collaborators)[0]
		if c.RepID != "tc1" || c.Role != "pairing" || c.Rule == nil || *c.Rule != "big" ||
			c.EndsAt != nil || c.EndedAt != nil || c.EndReason != nil ||
			c.StartedAt != "2026-12-04T09:00:00+08:00" || c.Reason == "" {
			t.Errorf("collaborator = %+v, want tc1 by rule big, live, started 09:00 +08:00", c)
		}

		e.must(200, "POST", "/api/v1/leads/"+big.ID+"/outcome", map[string]any{"outcome": "lost"})
		e.must(200, "GET", "/api/v1/leads/"+big.ID, nil).decode(t, &got)
		c = (*got.Collaborators)[0]
		if c.EndedAt == nil || c.EndReason == nil || *c.EndReason != "closed" {
			t.Errorf("collaborator after close = %+v, want ended, reason closed", c)
		}
	})
}
