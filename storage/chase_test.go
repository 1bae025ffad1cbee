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

// A scan reaches every lead with something due, however many come
// before it that have nothing due yet, and a backlog of overdue leads
// larger than a page is alerted in one scan.
func TestScanReachesEveryDueLead(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode, p.Schedule.Quiet = engine.ModeAuto, engine.QuietHours{}
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "owner", "east", engine.RoleRep, 700)
		t0 := clock.Now()

		// One lead due in 30 hours: its reminder is due at +6h.
		due := t0.Add(30 * time.Hour)
		in := lead("x", 100, 0.5)
		in.DueAt = &due
		if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		// 600 leads handed over at +6h and due at +12h, earlier than the
		// first: reminded halfway, at +9h.
		clock.Set(t0.Add(6 * time.Hour))
		soon := t0.Add(12 * time.Hour)
		var ins []engine.LeadInput
		for i := range 600 {
			in := lead(fmt.Sprintf("y-%d", i), 100, 0.5)
			in.DueAt = &soon
			ins = append(ins, in)
		}
		if _, err := svc.IntakeBatch(ctx, ins, engine.IntakeOptions{Actor: engine.ActorAPI}); err != nil {
			t.Fatal(err)
		}
		pending(t, s, clock.Now())

		steps := []struct {
			at   time.Duration
			want int
		}{
			{7 * time.Hour, 1},    // the first lead's reminder only
			{13 * time.Hour, 600}, // the 600 overdue alerts, past a page
			{13 * time.Hour, 0},   // nothing twice
		}
		for _, st := range steps {
			clock.Set(t0.Add(st.at))
			n, err := svc.ScanDeadlines(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := pending(t, s, clock.Now())
			if n != st.want || got["reminder>owner"]+got["alert>owner"] != st.want {
				t.Errorf("scan at +%s queued %d (%v), want %d", st.at, n, got, st.want)
			}
		}
	})
}
