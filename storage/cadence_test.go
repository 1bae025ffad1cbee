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

// cadenceStart is when the leads of the cadence tests are assigned: a
// Friday, 09:00 UTC.
var cadenceStart = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// paced builds a team (owner, team lead, manager) and a service that
// assigns at once and counts every hour, with quiet hours off.
func paced(t *testing.T, s *storage.Store) (*engine.Service, *enginetest.Clock) {
	t.Helper()
	clock := enginetest.NewClock(cadenceStart)
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Hours = engine.BusinessHours{}
	p.Schedule.Quiet = engine.QuietHours{}
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	putTeamRep(t, svc, "owner", "east", engine.RoleRep, 5)
	putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
	putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
	return svc, clock
}

// heldLead takes in a lead of the tier asked for, assigned to owner.
func heldLead(t *testing.T, svc *engine.Service, s *storage.Store, ext string, tier engine.Tier,
	customer engine.CustomerType) engine.Lead {
	t.Helper()
	in := lead(ext, 500000, 0.9)
	if tier == engine.TierC {
		in = lead(ext, 1000, 0.05)
	}
	in.CustomerType = customer
	l, _, err := svc.Intake(context.Background(), in, engine.ActorAPI)
	if err != nil || l.Assignee != "owner" || l.Tier != tier {
		t.Fatalf("intake %s = tier %s to %q, %v; want tier %s to owner", ext, l.Tier, l.Assignee,
			err, tier)
	}
	pending(t, s, cadenceStart)
	return l
}

type cadenceStep struct {
	at    time.Duration // after assignment
	touch bool          // record progress instead of scanning
	want  map[string]int
}

func runCadence(t *testing.T, svc *engine.Service, s *storage.Store, clock *enginetest.Clock,
	l engine.Lead, steps []cadenceStep) {
	t.Helper()
	ctx := context.Background()
	for _, st := range steps {
		clock.Set(cadenceStart.Add(st.at))
		if st.touch {
			if _, err := svc.Progress(ctx, l.ID, "owner", 10, "called"); err != nil {
				t.Fatal(err)
			}
			pending(t, s, clock.Now())
			continue
		}
		if _, err := svc.ScanCadence(ctx); err != nil {
			t.Fatal(err)
		}
		got := pending(t, s, clock.Now())
		if !sameCounts(got, st.want) {
			t.Errorf("at +%s: notices %v, want %v", st.at, got, st.want)
		}
	}
}

func sameCounts(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, n := range want {
		if got[k] != n {
			return false
		}
	}
	return true
}

func countEvents(t *testing.T, s *storage.Store, id engine.LeadID, ev engine.Event) int {
	t.Helper()
	events, err := s.LeadEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Event == ev {
			n++
		}
	}
	return n
}

// A tier A lead needs a touch every 84 hours (two a week): the owner is
// nudged when a slot ends untouched, once, and a touch starts over.
func TestCadenceSlots(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		svc, clock := paced(t, s)
		l := heldLead(t, svc, s, "c-a", engine.TierA, "")
		nudge := map[string]int{"cadence>owner": 1}
		runCadence(t, svc, s, clock, l, []cadenceStep{
			{at: 83 * time.Hour, want: map[string]int{}},
			{at: 84 * time.Hour, want: nudge},
			{at: 85 * time.Hour, want: map[string]int{}},
			{at: 100 * time.Hour, touch: true},
			{at: 183 * time.Hour, want: map[string]int{}},
			{at: 184 * time.Hour, want: nudge},
			{at: 267 * time.Hour, want: map[string]int{}},
			{at: 268 * time.Hour, want: nudge},
		})
		if n := countEvents(t, s, l.ID, engine.EventNudged); n != 3 {
			t.Errorf("history has %d nudges, want 3", n)
		}
	})
}

// A new customer needs three touches in the first week it is held, then
// its tier's (none for C); the silence alert comes after 14 days.
func TestCadenceNewCustomer(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		svc, clock := paced(t, s)
		l := heldLead(t, svc, s, "c-new", engine.TierC, engine.CustomerNew)
		nudge := map[string]int{"cadence>owner": 1}
		runCadence(t, svc, s, clock, l, []cadenceStep{
			{at: 55 * time.Hour, want: map[string]int{}},
			{at: 56 * time.Hour, want: nudge},
			{at: 112 * time.Hour, want: nudge},
			{at: 168 * time.Hour, want: nudge},
			{at: 300 * time.Hour, want: map[string]int{}},
			{at: 336 * time.Hour, want: map[string]int{"silence>owner": 1, "silence>lead": 1}},
			{at: 1000 * time.Hour, want: map[string]int{}},
		})
	})
}

// A long silence alerts the owner and the team lead once per silence,
// even with two schedulers scanning at once; a touch ends the silence,
// and the next one alerts again.
func TestCadenceSilenceOncePerEpisode(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := paced(t, s)
		l := heldLead(t, svc, s, "c-c", engine.TierC, engine.CustomerExisting)
		alert := map[string]int{"silence>owner": 1, "silence>lead": 1}
		runCadence(t, svc, s, clock, l, []cadenceStep{
			{at: 14*24*time.Hour - time.Millisecond, want: map[string]int{}},
		})
		clock.Set(cadenceStart.Add(14 * 24 * time.Hour))
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.ScanCadence(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := pending(t, s, clock.Now()); !sameCounts(got, alert) {
			t.Errorf("at 14 days, two scans: %v, want %v", got, alert)
		}
		runCadence(t, svc, s, clock, l, []cadenceStep{
			{at: 20 * 24 * time.Hour, want: map[string]int{}},
			{at: 21 * 24 * time.Hour, touch: true},
			{at: 35*24*time.Hour - time.Hour, want: map[string]int{}},
			{at: 35 * 24 * time.Hour, want: alert},
			{at: 60 * 24 * time.Hour, want: map[string]int{}},
		})
		if n := countEvents(t, s, l.ID, engine.EventAlerted); n != 2 {
			t.Errorf("history has %d silence alerts, want 2", n)
		}
	})
}

// After downtime a lead that missed several slots gets one nudge, and
// the schedule goes on from where the slots stand.
func TestCadenceAfterDowntime(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		svc, clock := paced(t, s)
		l := heldLead(t, svc, s, "c-down", engine.TierA, "")
		runCadence(t, svc, s, clock, l, []cadenceStep{
			// Slots ended at 84h, 168h and 252h.
			{at: 300 * time.Hour, want: map[string]int{"cadence>owner": 1}},
			{at: 335 * time.Hour, want: map[string]int{}},
			// The slot ending at 336h, and 14 days of silence.
			{at: 336 * time.Hour, want: map[string]int{"cadence>owner": 1, "silence>owner": 1,
				"silence>lead": 1}},
		})
	})
}

// A nudge falling outside the owner's working day waits for it: a slot
// ending at 05:00 on a Tuesday in Shanghai is delivered at 09:00.
func TestCadenceWaitsForWorkingHours(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(cadenceStart)
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		r := engine.Rep{ID: "owner", Name: "owner", Role: engine.RoleRep, Team: "east",
			Capacity: 5, Active: true, Timezone: "Asia/Shanghai"}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		heldLead(t, svc, s, "c-sh", engine.TierA, "")
		clock.Set(cadenceStart.Add(84 * time.Hour)) // Monday 21:00 UTC, Tuesday 05:00 there
		if n, err := svc.ScanCadence(ctx); err != nil || n != 1 {
			t.Fatalf("ScanCadence = %d, %v; want 1 nudge", n, err)
		}
		open := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
		if got, _ := s.ClaimNotices(ctx, open.Add(-time.Minute), time.Minute, 10); len(got) != 0 {
			t.Errorf("at 08:59 local: %d notices, want none before working hours", len(got))
		}
		got, err := s.ClaimNotices(ctx, open, time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].Kind != engine.NoticeCadence {
			t.Errorf("at 09:00 local: %+v, %v; want the nudge", got, err)
		}
	})
}

// The scheduler's cadence and milestone scans use an index on MySQL.
func TestCadenceScansUseIndex(t *testing.T) {
	db := planDB(t)
	for index, q := range map[string]string{
		"idx_leads_cadence": "SELECT * FROM leads WHERE status = 'assigned' AND cadence_at <= NOW() " +
			"ORDER BY cadence_at LIMIT 500",
		"idx_milestones_due": "SELECT * FROM milestones WHERE status = 'open' AND next_at <= NOW() " +
			"ORDER BY next_at LIMIT 500",
	} {
		if keys := explainKey(t, db, q); !strings.Contains(keys, index) {
			t.Errorf("EXPLAIN %s: possible keys %q, want %s", q, keys, index)
		}
	}
}
