package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// seedTouches stores one lead and, in the week of Monday 2026-11-30
// (UTC): a three touches and a claim, b two touches, c one; and two
// touches of a outside that week.
func seedTouches(t *testing.T, s *storage.Store) {
	t.Helper()
	ctx := context.Background()
	at := func(v string) time.Time {
		t.Helper()
		x, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	err := s.Update(ctx, func(tx engine.Tx) error {
		l := &engine.Lead{ExternalID: "touched", Status: engine.StatusAssigned, Tier: engine.TierB,
			CreatedAt: at("2026-11-01T00:00:00Z"), Profile: engine.Profile{Company: "co"}}
		if err := tx.InsertLeads(ctx, []*engine.Lead{l}); err != nil {
			return err
		}
		ev := func(when string, e engine.Event, rep engine.RepID) engine.LeadEvent {
			return engine.LeadEvent{LeadID: l.ID, At: at(when), Event: e, Actor: engine.Actor(rep),
				RepID: rep}
		}
		return tx.AppendEvents(ctx,
			ev("2026-11-30T01:00:00Z", engine.EventAccepted, "a"),
			ev("2026-12-02T01:00:00Z", engine.EventProgress, "a"),
			ev("2026-12-06T23:59:00Z", engine.EventProgress, "a"),
			ev("2026-12-03T01:00:00Z", engine.EventClaimed, "a"),
			ev("2026-12-01T01:00:00Z", engine.EventProgress, "b"),
			ev("2026-12-04T01:00:00Z", engine.EventProgress, "b"),
			ev("2026-12-05T01:00:00Z", engine.EventProgress, "c"),
			// The week before and the week of the digest.
			ev("2026-11-29T23:59:00Z", engine.EventProgress, "a"),
			ev("2026-12-07T00:00:00Z", engine.EventProgress, "a"),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The digest of Monday 2026-12-07 shows the lead team east's targets of
// the week that just ended, with the reps behind their share, and the
// month's in progress; the manager gets a tally per team.
func TestHealthDigestTargets(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		clock := enginetest.NewClock(now)
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "boss", "hq", engine.RoleManager, 0)
		putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
		for _, id := range []string{"a", "b", "c"} {
			putTeamRep(t, svc, id, "east", engine.RoleRep, 5)
		}
		putTeamRep(t, svc, "wlead", "west", engine.RoleLead, 0)
		putTeamRep(t, svc, "w", "west", engine.RoleRep, 5)
		seedTouches(t, s)
		lastWeek := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
		for _, in := range []engine.TargetInput{
			{Team: "east", Period: engine.PeriodWeek, Metric: engine.MetricTouches, Amount: 6,
				From: lastWeek},
			{Team: "east", Period: engine.PeriodWeek, Metric: engine.MetricClaimed, Amount: 3,
				From: lastWeek},
			{Team: "east", Period: engine.PeriodMonth, Metric: engine.MetricWon, Amount: 10},
			// Ended before the week the digest covers: not shown.
			{Team: "west", Period: engine.PeriodWeek, Metric: engine.MetricTouches, Amount: 4,
				From: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
			{Team: "west", Period: engine.PeriodWeek, Metric: engine.MetricTouches, Amount: 0,
				From: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
		} {
			putTarget(t, svc, in, "boss")
		}

		if n := scanHealth(t, svc, healthOptions(t, s, clock)); n != 3 {
			t.Fatalf("ScanHealthDigest = %d, want the two leads' and the manager's", n)
		}
		got := healthDigests(t, s, now)
		d, err := engine.HealthDigestOf(got["lead"][0])
		if err != nil {
			t.Fatal(err)
		}
		// Touches: a 3, b 2, c 1 of 6, split 2 each: met, c behind.
		// Claims: a 1 of 3, split 1 each: behind, b and c at 0 of 1.
		// Won this month: 0 of 10 after 6 days 9 hours of 31, which
		// expects floor(10 × 153/744) = 2: behind, every rep at 0 of
		// their share 4, 3, 3, expecting floor of 0.82, 0.62, 0.62 = 0.
		week := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
		tests := []struct {
			period engine.PeriodKind
			metric engine.Metric
			amount int64
			done   float64
			expect int64
			status engine.ProgressStatus
			from   time.Time
			behind []engine.RepBehind
		}{
			{engine.PeriodWeek, engine.MetricTouches, 6, 6, 6, engine.StatusMet, week,
				[]engine.RepBehind{{Rep: "c", Name: "name c", Done: 1, Share: 2, Expected: 2}}},
			{engine.PeriodWeek, engine.MetricClaimed, 3, 1, 3, engine.StatusBehind, week,
				[]engine.RepBehind{{Rep: "b", Name: "name b", Share: 1, Expected: 1},
					{Rep: "c", Name: "name c", Share: 1, Expected: 1}}},
			{engine.PeriodMonth, engine.MetricWon, 10, 0, 2, engine.StatusBehind,
				time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), []engine.RepBehind{}},
		}
		if len(d.Targets) != len(tests) {
			t.Fatalf("lead's targets = %+v, want %d", d.Targets, len(tests))
		}
		for i, tt := range tests {
			g := d.Targets[i]
			if g.Period != tt.period || g.Metric != tt.metric || g.Amount != tt.amount ||
				g.Done != tt.done || g.Expected != tt.expect || g.Status != tt.status ||
				!g.From.Equal(tt.from) {
				t.Errorf("target %d = %s %s %v/%d expect %d %s from %s, want %s %s %v/%d "+
					"expect %d %s from %s", i, g.Period, g.Metric, g.Done, g.Amount, g.Expected,
					g.Status, g.From, tt.period, tt.metric, tt.done, tt.amount, tt.expect,
					tt.status, tt.from)
			}
			if len(g.Behind) != len(tt.behind) {
				t.Errorf("target %d behind = %+v, want %+v", i, g.Behind, tt.behind)
				continue
			}
			for j := range g.Behind {
				if g.Behind[j] != tt.behind[j] {
					t.Errorf("target %d behind %d = %+v, want %+v", i, j, g.Behind[j], tt.behind[j])
				}
			}
		}
		if e := d.Targets[0].Elapsed; e != 1 {
			t.Errorf("last week's elapsed = %v, want 1", e)
		}
		if e, want := d.Targets[2].Elapsed, 153.0/744; e < want-1e-9 || e > want+1e-9 {
			t.Errorf("month's elapsed = %v, want %v", e, want)
		}

		w, err := engine.HealthDigestOf(got["wlead"][0])
		if err != nil || len(w.Targets) != 0 {
			t.Errorf("west's digest targets = %+v, %v; want none", w.Targets, err)
		}
		m, err := engine.HealthDigestOf(got["boss"][0])
		if err != nil {
			t.Fatal(err)
		}
		tallies := map[string]*engine.TargetTally{}
		for _, h := range m.Teams {
			tallies[h.Team] = h.Targets
		}
		want := engine.TargetTally{Total: 3, Met: 1, Behind: 2}
		if c := tallies["east"]; c == nil || *c != want {
			t.Errorf("east's tally = %+v, want %+v", c, want)
		}
		if c, ok := tallies["west"]; !ok || c != nil {
			t.Errorf("west's headline = %+v (present %t), want one with no tally", c, ok)
		}
		if to := d.Targets[1].To; !to.Equal(week.AddDate(0, 0, 7)) {
			t.Errorf("last week's targets end %s, want 12-07 00:00", to)
		}
	})
}
