package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func untouchedService(t *testing.T, s *storage.Store, clock *enginetest.Clock) *engine.Service {
	t.Helper()
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Schedule.Quiet = engine.QuietHours{}
	p.Checkpoints = engine.Checkpoints{UntouchedAfter: 48 * time.Hour, UntouchedCount: 3}
	return engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
}

// texts claims the text notices waiting, as key to notice.
func texts(t *testing.T, s *storage.Store, now time.Time) []engine.Notice {
	t.Helper()
	items, err := s.ClaimNotices(context.Background(), now.Add(time.Hour), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []engine.Notice
	for _, it := range items {
		if it.Kind == engine.NoticeText {
			out = append(out, it.Notice)
		}
		if err := s.CompleteNotice(context.Background(), it.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Three leads without a follow-up for over 48 hours alert the team
// lead once, with the list; a follow-up on the oldest ends the episode,
// and the next one alerts again.
func TestUntouchedWork(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		clock := enginetest.NewClock(start)
		svc := untouchedService(t, s, clock)
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 10)
		putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
		// All three come at the same moment: the oldest is the first by id.
		var ids []engine.LeadID
		for i := range 3 {
			l, _, err := svc.Intake(ctx, lead(fmt.Sprint("u", i+1), 100, 0.5), engine.ActorAPI)
			if err != nil || l.Assignee != "a" {
				t.Fatalf("intake u%d = %+v, %v", i+1, l, err)
			}
			ids = append(ids, l.ID)
		}
		texts(t, s, clock.Now())
		other := untouchedService(t, s, clock)
		scan := func(sv *engine.Service, after time.Duration) []engine.Notice {
			t.Helper()
			clock.Set(start.Add(after))
			if _, err := sv.ScanUntouched(ctx); err != nil {
				t.Fatal(err)
			}
			return texts(t, s, clock.Now())
		}

		if got := scan(svc, 48*time.Hour); len(got) != 0 {
			t.Errorf("at 48h: %v, want nothing before all three pass 48h", got)
		}
		got := scan(svc, 49*time.Hour)
		want := fmt.Sprintf("• %s company u1\n• %s company u2\n• %s company u3", ids[0], ids[1], ids[2])
		if len(got) != 1 || got[0].To != "lead" || got[0].Text != "alert.untouched" ||
			got[0].Args["count"] != "3" || got[0].Args["hours"] != "48" ||
			got[0].Args["name"] != "name a" || got[0].Args["leads"] != want {
			t.Fatalf("at 49h: %+v, want one alert to the lead listing\n%s", got, want)
		}
		if got := scan(svc, 50*time.Hour); len(got) != 0 {
			t.Errorf("at 50h: %v, want the episode alerted once", got)
		}
		if got := scan(other, 50*time.Hour); len(got) != 0 {
			t.Errorf("another replica at 50h: %v, want the episode alerted once", got)
		}

		if _, err := svc.Progress(ctx, ids[0], "a", 10, "called"); err != nil {
			t.Fatal(err)
		}
		if got := scan(svc, 60*time.Hour); len(got) != 0 {
			t.Errorf("at 60h: %v, want nothing with two untouched", got)
		}
		// At 99h u1's follow-up is 49 hours old: three again, the oldest
		// now u2, a new episode.
		got = scan(svc, 99*time.Hour)
		want = fmt.Sprintf("• %s company u2\n• %s company u3\n• %s company u1", ids[1], ids[2], ids[0])
		if len(got) != 1 || got[0].Args["leads"] != want {
			t.Errorf("at 99h: %+v, want a new alert listing\n%s", got, want)
		}
		entries, _ := s.AuditEntries(ctx, "rep.untouched_warning")
		if len(entries) != 2 {
			t.Errorf("audit has %d untouched warnings, want 2", len(entries))
		}
	})
}

// Two schedulers scanning at once alert an episode once.
func TestUntouchedOnceAcrossReplicas(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		clock := enginetest.NewClock(start)
		svc := untouchedService(t, s, clock)
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 10)
		putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
		for i := range 4 {
			if _, _, err := svc.Intake(ctx, lead(fmt.Sprint("r", i), 100, 0.5), engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		texts(t, s, clock.Now())
		clock.Add(72 * time.Hour)
		other := untouchedService(t, s, clock)
		var wg sync.WaitGroup
		for _, sv := range []*engine.Service{svc, other} {
			wg.Go(func() {
				if _, err := sv.ScanUntouched(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		// A team without a lead alerts its manager.
		if got := texts(t, s, clock.Now()); len(got) != 1 || got[0].To != "boss" || got[0].Args["count"] != "4" {
			t.Errorf("after two scans: %+v, want one alert of 4 to the manager", got)
		}
	})
}

// An untouched-work alert in the team lead's quiet hours waits for them
// to end.
func TestUntouchedQuietHours(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		clock := enginetest.NewClock(start)
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		p.Checkpoints = engine.Checkpoints{UntouchedAfter: 48 * time.Hour, UntouchedCount: 3}
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 10)
		tl := engine.Rep{ID: "lead", Name: "lead", Team: "east", Role: engine.RoleLead,
			Active: true, Timezone: "Asia/Shanghai"}
		if _, err := svc.PutRep(ctx, tl, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, _, err := svc.Intake(ctx, lead(fmt.Sprint("q", i), 100, 0.5), engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		texts(t, s, clock.Now())
		clock.Set(time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)) // 01:00 in Shanghai
		if n, err := svc.ScanUntouched(ctx); err != nil || n != 1 {
			t.Fatalf("ScanUntouched = %d, %v; want one alert queued", n, err)
		}
		if got, _ := s.ClaimNotices(ctx, clock.Now(), time.Minute, 10); len(got) != 0 {
			t.Errorf("at 01:00 Shanghai: %+v, want nothing in quiet hours", got)
		}
		morning := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
		got, _ := s.ClaimNotices(ctx, morning, time.Minute, 10)
		if len(got) != 1 || got[0].To != "lead" || got[0].Text != "alert.untouched" {
			t.Errorf("at 08:00 Shanghai: %+v, want the lead's alert", got)
		}
	})
}

// A rep whose untouched leads come after a full page of someone else's
// is alerted too: the scan pages through every untouched lead.
func TestUntouchedBeyondTheFirstPage(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		clock := enginetest.NewClock(start)
		svc := untouchedService(t, s, clock)
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 500)
		putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
		var first []engine.LeadInput
		for i := range 500 {
			first = append(first, lead(fmt.Sprint("a", i), 100, 0.5))
		}
		if _, err := svc.IntakeBatch(ctx, first, engine.IntakeOptions{Actor: engine.ActorImport}); err != nil {
			t.Fatal(err)
		}
		// a is full now: the next three go to b, after a's 500 by id.
		putTeamRep(t, svc, "b", "west", engine.RoleRep, 5)
		putTeamRep(t, svc, "westlead", "west", engine.RoleLead, 0)
		for i := range 3 {
			if l, _, err := svc.Intake(ctx, lead(fmt.Sprint("b", i), 100, 0.5), engine.ActorAPI); err != nil ||
				l.Assignee != "b" {
				t.Fatalf("intake b%d = %s, %v; want b's", i, l.Assignee, err)
			}
		}
		texts(t, s, clock.Now())
		clock.Set(start.Add(49 * time.Hour))
		if _, err := svc.ScanUntouched(ctx); err != nil {
			t.Fatal(err)
		}
		got := map[engine.RepID]int{}
		for _, n := range texts(t, s, clock.Now()) {
			got[n.To]++
		}
		if got["lead"] != 1 || got["westlead"] != 1 {
			t.Errorf("untouched alerts by recipient = %v, want one to each team's lead", got)
		}
	})
}
