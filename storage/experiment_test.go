package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// armIDs returns the first n external ids crm-0, crm-1, ... that o puts
// in arm.
func armIDs(o engine.ExperimentOptions, arm engine.Arm, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		ext := fmt.Sprint("crm-", i)
		if a, _ := o.ArmOf(engine.Lead{ExternalID: ext}); a == arm {
			out = append(out, ext)
		}
	}
	return out
}

func TestExperimentArmFollowsTheLead(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		o := engine.ExperimentOptions{Name: "ev-2026q4", Control: engine.RoundRobinName,
			Treatment: engine.LeastLoadedName, Share: 0.5}
		router, err := engine.NewExperiment(o, engine.ValueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		clock := enginetest.NewClock(t0)
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p, Router: router})
		putRep(t, svc, "r1", 2)
		putRep(t, svc, "r2", 2)

		ctl, trt := armIDs(o, engine.ArmControl, 3), armIDs(o, engine.ArmTreatment, 2)
		arms := map[string]engine.Arm{}
		leads := map[string]engine.Lead{}
		// Four fill the roster; the fifth, a control lead, waits.
		for _, ext := range []string{ctl[0], trt[0], ctl[1], trt[1], ctl[2]} {
			clock.Add(time.Minute)
			l, _, err := svc.Intake(ctx, lead(ext, 50_000, 0.5), engine.ActorAPI)
			if err != nil {
				t.Fatalf("Intake(%s): %v", ext, err)
			}
			leads[ext] = l
			arms[ext], _ = o.ArmOf(l)
		}
		waiting := leads[ctl[2]]
		if waiting.Status != engine.StatusStandby || waiting.Decision.Arm != engine.ArmControl {
			t.Fatalf("fifth lead = %s in arm %q, want standby in control",
				waiting.Status, waiting.Decision.Arm)
		}

		// Closing one frees a slot for the waiting lead: drained by its
		// own arm's strategy.
		clock.Add(48 * time.Hour)
		won := 100_000.0
		if _, err := svc.RecordOutcome(ctx, leads[ctl[0]].ID, engine.Won, &won, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		if _, err := svc.RecordOutcome(ctx, leads[trt[0]].ID, engine.Lost, nil, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		drained, err := svc.Lead(ctx, waiting.ID)
		if err != nil {
			t.Fatal(err)
		}
		if drained.Status != engine.StatusAssigned || drained.Decision.Strategy != engine.RoundRobinName {
			t.Errorf("drained lead = %s by %q, want assigned by round-robin (control)",
				drained.Status, drained.Decision.Strategy)
		}

		// A release, a claim and a hand-over keep the lead in its arm.
		c := leads[ctl[1]]
		clock.Add(time.Hour)
		if _, err := svc.Release(ctx, c.ID, c.Assignee); err != nil {
			t.Fatalf("Release: %v", err)
		}
		if _, err := svc.Claim(ctx, c.ID, c.Assignee, engine.ActorAPI); err != nil {
			t.Fatalf("Claim: %v", err)
		}
		putRep(t, svc, "r3", 2)
		d := leads[trt[1]]
		if _, err := svc.Transfer(ctx, d.ID, d.Assignee, "r3"); err != nil {
			t.Fatalf("Transfer: %v", err)
		}

		for ext, l := range leads {
			log, err := svc.Decisions(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, dec := range log {
				if dec.Experiment != o.Name || dec.Arm != arms[ext] {
					t.Errorf("lead %s decision %q is in %q/%q, want %s/%s",
						ext, dec.Strategy, dec.Experiment, dec.Arm, o.Name, arms[ext])
				}
			}
			now, err := svc.Lead(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if now.Decision.Arm != arms[ext] || now.Decision.Experiment != o.Name {
				t.Errorf("lead %s latest decision %q in %q/%q, want %s/%s", ext,
					now.Decision.Strategy, now.Decision.Experiment, now.Decision.Arm, o.Name, arms[ext])
			}
		}
		if log, _ := svc.Decisions(ctx, c.ID); len(log) != 3 {
			t.Errorf("released and claimed lead has %d decisions, want 3", len(log))
		}

		got, err := s.ExperimentLeads(ctx, o.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("ExperimentLeads = %d leads, want 5", len(got))
		}
		first := got[0]
		assigned, closed := t0.Add(time.Minute), t0.Add(5*time.Minute+48*time.Hour)
		if first.LeadID != leads[ctl[0]].ID || first.Arm != engine.ArmControl ||
			first.Strategy != engine.RoundRobinName || first.Status != engine.StatusWon ||
			first.AssignedAt == nil || !first.AssignedAt.Equal(assigned) ||
			first.ClosedAt == nil || !first.ClosedAt.Equal(closed) ||
			first.Amount == nil || *first.Amount != won {
			t.Errorf("first experiment lead = %+v, want %s won 100000, control by round-robin, "+
				"assigned %s, closed %s", first, leads[ctl[0]].ID, assigned, closed)
		}
		if w := got[4]; w.AssignedAt == nil || !w.AssignedAt.Equal(t0.Add(5*time.Minute+48*time.Hour)) {
			t.Errorf("drained lead assigned at %v, want when the slot freed up", w.AssignedAt)
		}
		if l := got[1]; l.Status != engine.StatusLost || l.Amount != nil {
			t.Errorf("lost lead = %s amount %v, want lost with no revenue", l.Status, l.Amount)
		}

		r, err := svc.ExperimentReport(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if r.Experiment != o.Name || r.Control.Leads != 3 || r.Control.Won != 1 ||
			r.Control.Revenue != won || r.Control.MeanCycle != 48*time.Hour+4*time.Minute ||
			r.Treatment.Leads != 2 || r.Treatment.Closed != 1 || r.Treatment.Won != 0 ||
			r.Treatment.Strategy != engine.LeastLoadedName ||
			r.Treatment.MedianCycle != 49*time.Hour+3*time.Minute {
			t.Errorf("report = %+v", r)
		}
		if _, err := svc.ExperimentReport(ctx, "nope"); engine.KindOf(err) != engine.NotFound {
			t.Errorf("report of an unknown experiment = %v, want NotFound", err)
		}
	})
}

func TestRebalanceKeepsTheArm(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		o := engine.ExperimentOptions{Name: "ev-2026q4", Control: engine.RoundRobinName,
			Treatment: engine.LeastLoadedName, Share: 0.5}
		router, err := engine.NewExperiment(o, engine.ValueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p, Router: router})
		putRep(t, svc, "a", 3)
		exts := append(armIDs(o, engine.ArmControl, 2), armIDs(o, engine.ArmTreatment, 1)...)
		for _, ext := range exts {
			if _, _, err := svc.Intake(ctx, lead(ext, 50_000, 0.5), engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		putRep(t, svc, "a", 1)
		putRep(t, svc, "b", 3)

		plan, err := svc.Rebalance(ctx, engine.RebalanceOptions{}, false)
		if err != nil || plan.Applied != 2 {
			t.Fatalf("Rebalance = %d moves applied, %v; want 2", plan.Applied, err)
		}
		for _, m := range plan.Moves {
			l, err := svc.Lead(ctx, m.LeadID)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := o.ArmOf(l)
			if d := l.Decision; d.Strategy != "transfer" || d.Experiment != o.Name || d.Arm != want {
				t.Errorf("moved lead %s decision %q in %q/%q, want transfer in %s/%s",
					l.ExternalID, d.Strategy, d.Experiment, d.Arm, o.Name, want)
			}
		}
	})
}
