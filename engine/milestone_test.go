package engine

import (
	"testing"
	"time"
)

// Planned back in Shanghai on working days with the National Day
// holidays off.
func TestPlanWorkingDays(t *testing.T) {
	hours, err := ParseBusinessHours("09:00-18:00", "mon-fri",
		[]string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"})
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultPolicy
	p.Hours = hours
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// 2026-09-01 08:00 in Shanghai, a Tuesday.
	now := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	ms := p.plan(7, time.Date(2026, 10, 16, 0, 0, 0, 0, time.UTC), sh, now)
	want := []struct {
		kind MilestoneKind
		date string
	}{
		// Back from Fri 10-16: 15 14 13 12, 9 8, then 7 6 5 off, 4 3 the
		// weekend, 2 1 off, then 9-30 29 28 and 25 is the tenth.
		{MilestoneProposal, "2026-09-25"},
		// 24 23 22 21, 18 17 16 15 14, 11 is the twentieth.
		{MilestoneDemo, "2026-09-11"},
	}
	if len(ms) != 3 {
		t.Fatalf("plan = %d milestones, want 3", len(ms))
	}
	for _, w := range want {
		var m *Milestone
		for _, x := range ms {
			if x.Kind == w.kind {
				m = x
			}
		}
		if m == nil {
			t.Fatalf("plan has no %s", w.kind)
		}
		if got := m.Date.Format(time.DateOnly); got != w.date || m.Moved {
			t.Errorf("%s on %s, want %s", w.kind, got, w.date)
		}
	}
	// The decision-maker contact falls on 08-28 (10 9 8 7, 4 3 2 1, 8-31,
	// 8-28), before planning: it moves to the next working day,
	// Wednesday 09-02, due 18:00 there.
	dm := ms[0]
	if dm.Kind != MilestoneDecisionMaker || !dm.Moved || dm.Date.Format(time.DateOnly) != "2026-09-02" ||
		!dm.DueAt.Equal(time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("decision maker = %s on %s due %s moved %t, want 2026-09-02 due 10:00 UTC, moved",
			dm.Kind, dm.Date.Format(time.DateOnly), dm.DueAt, dm.Moved)
	}
}
