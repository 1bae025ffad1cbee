package storage_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// planned builds a service counting working days Monday to Friday with
// 2027-01-01 a holiday, and an owner in Shanghai holding one lead, at
// 09:00 UTC on Friday 2026-12-04.
func planned(t *testing.T, s *storage.Store) (*engine.Service, *enginetest.Clock, engine.Lead) {
	t.Helper()
	ctx := context.Background()
	clock := enginetest.NewClock(cadenceStart)
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Schedule.Quiet = engine.QuietHours{}
	hours, err := engine.ParseBusinessHours("09:00-18:00", "mon-fri", []string{"2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	p.Hours = hours
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	r := engine.Rep{ID: "owner", Name: "owner", Role: engine.RoleRep, Team: "east",
		Capacity: 5, Active: true, Timezone: "Asia/Shanghai"}
	if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	putTeamRep(t, svc, "other", "west", engine.RoleRep, 0)
	l, _, err := svc.Intake(ctx, lead("m-1", 500000, 0.9), engine.ActorAPI)
	if err != nil || l.Assignee != "owner" {
		t.Fatalf("intake = %+v, %v", l, err)
	}
	pending(t, s, clock.Now())
	return svc, clock, l
}

type wantMilestone struct {
	kind  engine.MilestoneKind
	date  string
	due   time.Time
	moved bool
}

func checkMilestones(t *testing.T, got []engine.Milestone, want []wantMilestone) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d milestones %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Date.Format(time.DateOnly) != w.date || !g.DueAt.Equal(w.due) ||
			g.Moved != w.moved {
			t.Errorf("milestone %d = %s on %s due %s moved %t, want %s on %s due %s moved %t", i,
				g.Kind, g.Date.Format(time.DateOnly), g.DueAt.UTC(), g.Moved, w.kind, w.date, w.due,
				w.moved)
		}
	}
}

// Milestones fall 30, 20 and 10 working days before the target, skipping
// weekends and the New Year holiday, due at 18:00 in the owner's zone.
func TestMilestonesPlannedBack(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _, l := planned(t, s)
		target := time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC) // a Friday
		got, err := svc.SetTarget(ctx, l.ID, target, "owner")
		if err != nil || got.TargetClose == nil || !got.TargetClose.Equal(target) {
			t.Fatalf("SetTarget = %v, %v; want the target stored", got.TargetClose, err)
		}
		ms, err := svc.Milestones(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkMilestones(t, ms, []wantMilestone{
			{engine.MilestoneDecisionMaker, "2026-12-17", time.Date(2026, 12, 17, 10, 0, 0, 0, time.UTC), false},
			{engine.MilestoneDemo, "2026-12-31", time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC), false},
			{engine.MilestoneProposal, "2027-01-15", time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC), false},
		})
		if n := countEvents(t, s, l.ID, engine.EventTargetSet); n != 1 {
			t.Errorf("history has %d target lines, want 1", n)
		}
		if _, err := svc.SetTarget(ctx, l.ID, target, "other"); engine.KindOf(err) != engine.Forbidden {
			t.Errorf("SetTarget by another team's rep: %v, want Forbidden", err)
		}
		past := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
		if _, err := svc.SetTarget(ctx, l.ID, past, "owner"); engine.KindOf(err) != engine.Invalid ||
			!strings.Contains(err.Error(), "target_close_at") {
			t.Errorf("SetTarget(yesterday) = %v, want Invalid naming target_close_at", err)
		}
	})
}

// A target too close for the offsets puts the milestones already past on
// the next working day, not overdue, and the history says so.
func TestMilestonesPastMoveToEarliestDay(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := planned(t, s)
		target := time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC) // a Tuesday
		if _, err := svc.SetTarget(ctx, l.ID, target, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		ms, _ := svc.Milestones(ctx, l.ID)
		monday := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		checkMilestones(t, ms, []wantMilestone{
			{engine.MilestoneDecisionMaker, "2026-12-07", monday, true},
			{engine.MilestoneDemo, "2026-12-07", monday, true},
			// Ten working days before 12-22 is 12-08.
			{engine.MilestoneProposal, "2026-12-08", time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC), false},
		})
		if n, err := svc.ScanMilestones(ctx); err != nil || n != 0 {
			t.Errorf("scan at planning = %d, %v; want nothing due", n, err)
		}
		events, _ := s.LeadEvents(ctx, l.ID)
		last := events[len(events)-1]
		if last.Event != engine.EventTargetSet || !strings.Contains(last.Detail, "2026-11-24") {
			t.Errorf("history %q, want the target line naming the passed date 2026-11-24", last.Detail)
		}
		clock.Set(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
		if n, _ := svc.ScanMilestones(ctx); n != 2 {
			t.Errorf("a day before: %d reminders, want 2", n)
		}
	})
}

// A milestone is reminded a day ahead and alerted when overdue, once
// each; done stops its chasing; after downtime an overdue milestone gets
// only the alert, once, with two schedulers scanning.
func TestMilestonesChased(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := planned(t, s)
		target := time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)
		if _, err := svc.SetTarget(ctx, l.ID, target, "owner"); err != nil {
			t.Fatal(err)
		}
		pending(t, s, clock.Now())
		one := map[string]int{"milestone>owner": 1}
		none := map[string]int{}
		steps := []struct {
			at   time.Time
			want map[string]int
		}{
			{time.Date(2026, 12, 16, 9, 59, 0, 0, time.UTC), none},
			{time.Date(2026, 12, 16, 10, 0, 0, 0, time.UTC), one},
			{time.Date(2026, 12, 16, 11, 0, 0, 0, time.UTC), none},
			{time.Date(2026, 12, 17, 10, 0, 0, 0, time.UTC), one},
			{time.Date(2026, 12, 18, 10, 0, 0, 0, time.UTC), none},
		}
		for _, st := range steps {
			clock.Set(st.at)
			if _, err := svc.ScanMilestones(ctx); err != nil {
				t.Fatal(err)
			}
			if got := pending(t, s, clock.Now()); !sameCounts(got, st.want) {
				t.Errorf("at %s: %v, want %v", st.at, got, st.want)
			}
		}
		m, err := svc.CompleteMilestone(ctx, l.ID, engine.MilestoneDemo, "owner")
		if err != nil || m.Status != engine.MilestoneDone {
			t.Fatalf("CompleteMilestone(demo) = %+v, %v", m, err)
		}
		if _, err := svc.CompleteMilestone(ctx, l.ID, engine.MilestoneDemo, "owner"); engine.CodeOf(err) != "milestone_done" {
			t.Errorf("second CompleteMilestone(demo) = %v, want milestone_done", err)
		}
		pending(t, s, clock.Now())
		clock.Set(time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC)) // past demo and proposal
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.ScanMilestones(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		items, _ := s.ClaimNotices(ctx, clock.Now(), time.Minute, 10)
		if len(items) != 1 || items[0].Text != string(engine.MilestoneProposal) ||
			items[0].Args["stage"] != "overdue" {
			t.Errorf("after downtime: %+v, want one overdue alert for the proposal", items)
		}
		if n := countEvents(t, s, l.ID, engine.EventMilestoneDone); n != 1 {
			t.Errorf("history has %d milestone done lines, want 1", n)
		}
	})
}

// A lead taken in with a target close date gets its milestones at once.
func TestIntakeWithTarget(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _, _ := planned(t, s)
		in := lead("m-2", 500000, 0.9)
		target := time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)
		in.TargetClose = &target
		l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.Lead(ctx, l.ID)
		if got.TargetClose == nil || !got.TargetClose.Equal(target) {
			t.Errorf("stored target %v, want %s", got.TargetClose, target)
		}
		if ms, _ := svc.Milestones(ctx, l.ID); len(ms) != 3 || ms[2].Date.Format(time.DateOnly) != "2027-01-15" {
			t.Errorf("milestones %+v, want three, the proposal on 2027-01-15", ms)
		}
		old := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		in = lead("m-3", 100, 0.5)
		in.TargetClose = &old
		if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); engine.KindOf(err) != engine.Invalid {
			t.Errorf("Intake with a past target = %v, want Invalid", err)
		}
	})
}
