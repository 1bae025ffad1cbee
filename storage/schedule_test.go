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

// scheduled builds a team whose owner holds one tier A lead due 4 hours
// after 09:00 UTC on a Friday, with quiet hours off unless asked.
func scheduled(t *testing.T, s *storage.Store, quiet engine.QuietHours) (*engine.Service, *enginetest.Clock, engine.Lead) {
	t.Helper()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Schedule.Quiet = quiet
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	putTeamRep(t, svc, "owner", "east", engine.RoleRep, 3)
	putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
	putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
	l, _, err := svc.Intake(context.Background(), lead("s-1", 500000, 0.9), engine.ActorAPI)
	if err != nil || l.Assignee != "owner" || l.DueAt == nil {
		t.Fatalf("intake = %+v, %v", l, err)
	}
	pending(t, s, clock.Now())
	return svc, clock, l
}

func TestDeadlineTiers(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := scheduled(t, s, engine.QuietHours{})
		steps := []struct {
			at   time.Duration // after assignment; the lead is due at 4h
			want map[string]int
		}{
			{time.Hour, map[string]int{}},
			{2 * time.Hour, map[string]int{"reminder>owner": 1}},
			{3 * time.Hour, map[string]int{}},
			{4 * time.Hour, map[string]int{"alert>owner": 1}},
			{7 * time.Hour, map[string]int{}},
			{8 * time.Hour, map[string]int{"alert>lead": 1}},
			{28 * time.Hour, map[string]int{"alert>boss": 1}},
			{48 * time.Hour, map[string]int{}},
		}
		start := clock.Now()
		for _, st := range steps {
			clock.Set(start.Add(st.at))
			if _, err := svc.ScanDeadlines(ctx); err != nil {
				t.Fatal(err)
			}
			got := pending(t, s, clock.Now())
			if len(got) != len(st.want) {
				t.Errorf("at +%s: notices %v, want %v", st.at, got, st.want)
				continue
			}
			for k, n := range st.want {
				if got[k] != n {
					t.Errorf("at +%s: notices %v, want %v", st.at, got, st.want)
				}
			}
		}
		events, _ := s.LeadEvents(ctx, l.ID)
		var alerted int
		for _, e := range events {
			if e.Event == engine.EventAlerted || e.Event == engine.EventReminded {
				alerted++
			}
		}
		if alerted != 4 {
			t.Errorf("history has %d reminded/alerted lines, want 4", alerted)
		}
	})
}

// After downtime the scan sends every tier that was missed, once, even
// with two schedulers scanning at the same moment.
func TestMissedAlertsAfterDowntime(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, _ := scheduled(t, s, engine.QuietHours{})
		clock.Add(30 * time.Hour)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.ScanDeadlines(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got := pending(t, s, clock.Now())
		if len(got) != 3 || got["alert>owner"] != 1 || got["alert>lead"] != 1 || got["alert>boss"] != 1 {
			t.Errorf("after downtime: %v, want one alert of each tier", got)
		}
	})
}

// An alert that falls in the recipient's quiet hours waits for morning.
func TestQuietHoursDefer(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		quiet, _ := engine.ParseQuietHours("21:00-08:00")
		svc, clock, _ := scheduled(t, s, quiet)
		clock.Add(4 * time.Hour) // 13:00 UTC: 13:00 local for a rep without a zone
		if _, err := svc.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		pending(t, s, clock.Now().Add(-time.Hour)) // nothing else is due
		// Tier 2 is due at 17:00 UTC, 01:00 in Shanghai for a rep there.
		r, _ := s.Rep(ctx, "lead")
		r.Timezone = "Asia/Shanghai"
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		clock.Add(4 * time.Hour)
		if _, err := svc.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		early, err := s.ClaimNotices(ctx, clock.Now(), time.Minute, 10)
		if err != nil || len(early) != 0 {
			t.Errorf("at 01:00 local: %d notices, %v; want none during quiet hours", len(early), err)
		}
		morning := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
		if got, _ := s.ClaimNotices(ctx, morning, time.Minute, 10); len(got) != 1 || got[0].To != "lead" {
			t.Errorf("at 08:00 local: %+v, want the team lead's alert", got)
		}
	})
}

func TestSchedulerLease(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		steps := []struct {
			holder string
			at     time.Duration
			want   bool
		}{
			{"a", 0, true},
			{"b", 10 * time.Second, false},
			{"a", 20 * time.Second, true}, // renewal
			{"b", 45 * time.Second, false},
			{"b", 51 * time.Second, true}, // a stopped renewing at 20s; its lease ran out at 50s
			{"a", 52 * time.Second, false},
		}
		for _, st := range steps {
			got, err := s.AcquireLease(ctx, "scheduler", st.holder, now.Add(st.at), 30*time.Second)
			if err != nil || got != st.want {
				t.Errorf("%s at +%s: lease %t, %v; want %t", st.holder, st.at, got, err, st.want)
			}
		}
		if err := s.ReleaseLease(ctx, "scheduler", "b"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.AcquireLease(ctx, "scheduler", "a", now.Add(53*time.Second), 30*time.Second); !got {
			t.Error("lease not free after its holder released it")
		}
	})
}

// The scheduler's scans use an index on MySQL: due leads (by
// idx_leads_chase), leads without a follow-up, open work and the leads
// closed in a checkpoint's period.
func TestDueScanUsesIndex(t *testing.T) {
	for _, q := range []struct{ query, index string }{
		{"SELECT * FROM leads WHERE status = 'assigned' AND (" +
			"(alert_tier = 0 AND reminded = false AND due_at <= NOW() + INTERVAL 1 DAY)" +
			" OR (alert_tier = 0 AND reminded = true AND due_at <= NOW())" +
			" OR (alert_tier = 1 AND reminded = true AND due_at <= NOW() - INTERVAL 4 HOUR)" +
			" OR (alert_tier = 2 AND reminded = true AND due_at <= NOW() - INTERVAL 1 DAY)" +
			") ORDER BY due_at, id LIMIT 500", "idx_leads_chase"},
		{"SELECT * FROM leads WHERE status = 'assigned' AND ((touched_at IS NULL AND " +
			"held_since <= NOW()) OR touched_at <= NOW()) ORDER BY id LIMIT 500", ""},
		{"SELECT * FROM leads WHERE status = 'assigned' ORDER BY id LIMIT 500", ""},
		{"SELECT * FROM leads WHERE closed_at >= NOW() - INTERVAL 7 DAY AND closed_at < NOW() " +
			"ORDER BY id LIMIT 500", ""},
	} {
		for _, row := range explainMySQL(t, q.query) {
			if keys := row["possible_keys"]; keys == "" || !strings.Contains(keys, q.index) {
				t.Errorf("%s cannot use %q: %v", q.query, q.index, row)
			}
		}
	}
}

// A lead its owner never follows up goes back to the pool after a
// warning; a follow-up after the warning keeps it.
func TestRecycling(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode, p.RecycleAfter, p.RecycleWarning = engine.ModeAuto, 72*time.Hour, 24*time.Hour
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 3)
		putTeamRep(t, svc, "b", "east", engine.RoleRep, 3)
		idle, _, _ := svc.Intake(ctx, lead("idle", 100, 0.5), engine.ActorAPI)
		kept, _, _ := svc.Intake(ctx, lead("kept", 100, 0.5), engine.ActorAPI)
		pending(t, s, clock.Now())

		scan := func(after time.Duration) int {
			clock.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC).Add(after))
			n, err := svc.ScanRecycling(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := scan(47 * time.Hour); n != 0 {
			t.Errorf("at 47h: %d acted on, want none", n)
		}
		if n := scan(49 * time.Hour); n != 2 {
			t.Errorf("at 49h: %d warned, want both", n)
		}
		if got := pending(t, s, clock.Now()); got["text>a"] != 1 || got["text>b"] != 1 {
			t.Errorf("warnings = %v, want one to each owner", got)
		}
		if n := scan(50 * time.Hour); n != 0 {
			t.Errorf("at 50h: %d acted on, want no second warning", n)
		}
		if _, err := svc.Progress(ctx, kept.ID, kept.Assignee, 10, "called"); err != nil {
			t.Fatal(err)
		}
		if n := scan(73 * time.Hour); n != 1 {
			t.Errorf("at 73h: %d recycled, want only the idle lead", n)
		}
		got, _ := s.Lead(ctx, idle.ID)
		if got.Status != engine.StatusPool || got.Assignee != "" || got.Decision.Strategy != "recycle" {
			t.Errorf("idle lead = %s %q by %s, want back in the pool by recycling", got.Status, got.Assignee,
				got.Decision.Strategy)
		}
		if k, _ := s.Lead(ctx, kept.ID); k.Status != engine.StatusAssigned {
			t.Errorf("the followed-up lead is %s, want still assigned", k.Status)
		}
		owner, _ := s.Rep(ctx, idle.Assignee)
		if owner.OpenTasks != 0 {
			t.Errorf("the idle lead's owner holds %d open tasks, want 0", owner.OpenTasks)
		}
	})
}
