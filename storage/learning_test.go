package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// The default strategy learns from the history loaded through the
// service: the rep who wins medical deals gets the next medical lead,
// whichever of the two it is, and the decision says why in Chinese.
func TestRoutingLearnsFromHistory(t *testing.T) {
	for _, winner := range []string{"alpha", "beta"} {
		t.Run(winner, func(t *testing.T) { routeAfterHistory(t, winner) })
	}
}

func routeAfterHistory(t *testing.T, winner string) {
	loser := map[string]string{"alpha": "beta", "beta": "alpha"}[winner]
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		router, err := engine.NewRouter(engine.ExpertiseValueLoadName, engine.DefaultValueOptions)
		if err != nil {
			t.Fatal(err)
		}
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Router: router, Policy: p})
		putTeamRep(t, svc, "alpha", "east", engine.RoleRep, 5)
		putTeamRep(t, svc, "beta", "east", engine.RoleRep, 5)

		var deals []engine.Deal
		for i := range 60 {
			outcome := engine.Lost
			rep := engine.RepID(loser)
			if i%2 == 0 {
				rep = engine.RepID(winner)
				if i%10 != 0 {
					outcome = engine.Won
				}
			} else if i%6 == 1 {
				outcome = engine.Won
			}
			deals = append(deals, engine.Deal{ExternalID: fmt.Sprint("h", i), RepID: rep, Outcome: outcome,
				Amount: 100000, ClosedAt: clock.Now().Add(-time.Duration(i) * time.Hour),
				Profile: engine.Profile{Company: "医院", Industry: "medical", ExpectedAmount: 100000}})
		}
		if n, rejected, err := svc.ImportHistory(ctx, deals, engine.HistoryOptions{Actor: engine.ActorAPI}); err != nil || n != 60 {
			t.Fatalf("ImportHistory = %d %v %v", n, rejected, err)
		}
		if err := svc.Relearn(ctx); err != nil {
			t.Fatal(err)
		}

		in := engine.LeadInput{ExternalID: "new", Profile: engine.Profile{Company: "某医院", Industry: "medical",
			ExpectedAmount: 300000}}
		l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if string(l.Assignee) != winner || l.Decision.Strategy != engine.ExpertiseValueLoadName {
			t.Fatalf("medical lead went to %q by %s, want %s by the value strategy; reasons %q",
				l.Assignee, l.Decision.Strategy, winner, l.Decision.Reasons)
		}
		if why := strings.Join(l.Decision.Reasons, "；"); !strings.Contains(why, "medical行业赢率") {
			t.Errorf("reasons %q, want the medical win rate in Chinese", why)
		}

		clock.Add(time.Hour)
		if _, err := svc.RecordOutcome(ctx, l.ID, engine.Won, nil, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		got, err := s.Deals(ctx, 1)
		if err != nil || len(got) != 1 || got[0].LeadID != l.ID || got[0].AssignedLoad == nil || *got[0].AssignedLoad != 0 {
			t.Errorf("newest deal = %+v, %v; want lead %s assigned at load 0", got, err, l.ID)
		}
	})
}
