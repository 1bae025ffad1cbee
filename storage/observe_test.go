package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// The decision hook hears of each decision once its transaction has
// committed, with the status the lead was left in; a dry run and a
// rejected request tell it nothing.
func TestOnDecisionAfterCommit(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		var got []string
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p,
			OnDecision: func(_ context.Context, d engine.CommittedDecision) {
				got = append(got, d.LeadID.String()+" "+d.Strategy+" "+string(d.RepID)+
					" "+string(d.Status))
			}})
		putRep(t, svc, "r1", 1)

		first, _, err := svc.Intake(ctx, lead("ext-1", 1000, 0.5), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		second, _, err := svc.Intake(ctx, lead("ext-2", 1000, 0.5), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Release(ctx, first.ID, "r1"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Claim(ctx, first.ID, "r1", engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Claim(ctx, first.ID, "r1", engine.ActorAPI); err == nil {
			t.Fatal("second Claim succeeded, want a conflict")
		}
		_, err = svc.IntakeBatch(ctx, []engine.LeadInput{lead("ext-3", 1000, 0.5)},
			engine.IntakeOptions{Actor: engine.ActorAPI, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		putRep(t, svc, "r1", 2)

		want := []string{
			first.ID.String() + " round-robin r1 assigned",
			second.ID.String() + " round-robin  standby",
			first.ID.String() + " release  pool",
			first.ID.String() + " claim r1 assigned",
			second.ID.String() + " round-robin r1 assigned",
		}
		if !slices.Equal(got, want) {
			t.Errorf("decisions heard:\n%q\nwant\n%q", got, want)
		}
	})
}
