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

// burst has owner hold seven leads and b one, all due at 13:00 UTC on
// a Friday, in team east with a lead and a manager; digests fold more
// than five alerts.
func burst(t *testing.T, s *storage.Store) (*engine.Service, *enginetest.Clock, []engine.Lead) {
	t.Helper()
	ctx := context.Background()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Schedule.Quiet = engine.QuietHours{}
	p.Checkpoints = engine.Checkpoints{AlertDigestOver: 5}
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	putTeamRep(t, svc, "owner", "east", engine.RoleRep, 7)
	putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
	putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
	due := time.Date(2026, 12, 4, 13, 0, 0, 0, time.UTC)
	var out []engine.Lead
	for i := range 7 {
		l, _, err := svc.Intake(ctx, dueLead(fmt.Sprint("burst-", i), due), engine.ActorAPI)
		if err != nil || l.Assignee != "owner" {
			t.Fatalf("intake burst-%d = %+v, %v", i, l, err)
		}
		out = append(out, l)
	}
	putTeamRep(t, svc, "b", "east", engine.RoleRep, 3) // owner is full
	l, _, err := svc.Intake(ctx, dueLead("burst-b", due), engine.ActorAPI)
	if err != nil || l.Assignee != "b" {
		t.Fatalf("intake burst-b = %+v, %v", l, err)
	}
	pending(t, s, clock.Now())
	return svc, clock, append(out, l)
}

// claimAll returns the notices waiting, by kind and recipient.
func claimAll(t *testing.T, s *storage.Store, now time.Time) map[string]engine.Notice {
	t.Helper()
	items, err := s.ClaimNotices(context.Background(), now.Add(time.Hour), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]engine.Notice{}
	for _, it := range items {
		k := string(it.Kind) + ">" + string(it.To)
		if _, dup := out[k]; dup {
			k += fmt.Sprint("#", it.ID)
		}
		out[k] = it.Notice
		if err := s.CompleteNotice(context.Background(), it.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// After a day down, the 24 missed alerts (eight leads, three tiers each)
// go out as one digest to each of owner, lead and manager, who had more
// than five, and b's one alert as its own card; every lead is recorded
// as chased, once, however many schedulers scan.
func TestMissedAlertsFoldIntoDigests(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, leads := burst(t, s)
		clock.Add(30 * time.Hour)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range 2 {
			wg.Go(func() {
				n, err := svc.ScanDeadlines(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		if counts[0]+counts[1] != 4 {
			t.Errorf("scans queued %v notices, want 4 in all", counts)
		}
		got := claimAll(t, s, clock.Now())
		if len(got) != 4 {
			t.Fatalf("notices = %v, want 3 digests and b's alert", keysOf(got))
		}
		if n, ok := got["alert>b"]; !ok || n.Text != "1" || n.LeadID != leads[7].ID {
			t.Errorf("b's alert = %+v, want tier 1 on %s", n, leads[7].ID)
		}
		want := map[string]struct{ items, tier int }{"owner": {7, 1}, "lead": {8, 2}, "boss": {8, 3}}
		for to, w := range want {
			n, ok := got["alert_digest>"+to]
			if !ok {
				t.Errorf("no digest for %s", to)
				continue
			}
			items, total, err := engine.AlertItemsOf(n)
			if err != nil || len(items) != w.items || total != w.items {
				t.Errorf("%s's digest has %d of %d items, %v; want %d", to, len(items), total, err, w.items)
				continue
			}
			for i, it := range items {
				if it.Tier != w.tier || it.Lead != leads[i].ID || it.Company != leads[i].Company {
					t.Errorf("%s's item %d = %+v, want tier %d on %s", to, i, it, w.tier, leads[i].ID)
				}
			}
		}
		for _, l := range leads {
			got, _ := s.Lead(ctx, l.ID)
			events, _ := s.LeadEvents(ctx, l.ID)
			alerted := 0
			for _, e := range events {
				if e.Event == engine.EventAlerted {
					alerted++
				}
			}
			if got.AlertTier != 3 || alerted != 1 {
				t.Errorf("%s: tier %d, %d alerted lines; want 3 and 1", l.ID, got.AlertTier, alerted)
			}
		}
		if n, err := svc.ScanDeadlines(ctx); err != nil || n != 0 {
			t.Errorf("scan again = %d, %v; want nothing", n, err)
		}
	})
}

// A scan with no one over the limit sends a card per alert, as before.
func TestFewAlertsStayCards(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, _ := burst(t, s)
		clock.Add(4 * time.Hour) // tier 1: seven to owner, over five
		if _, err := svc.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		got := claimAll(t, s, clock.Now())
		if len(got) != 2 || got["alert_digest>owner"].Key == "" || got["alert>b"].Key == "" {
			t.Errorf("at the deadline: %v, want owner's digest and b's card", keysOf(got))
		}
		clock.Add(4 * time.Hour) // tier 2: eight to the lead
		p := engine.DefaultPolicy
		p.Mode, p.Schedule.Quiet = engine.ModeAuto, engine.QuietHours{}
		p.Checkpoints.AlertDigestOver = 8
		plain := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		if _, err := plain.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		got = claimAll(t, s, clock.Now())
		if len(got) != 8 {
			t.Errorf("tier 2 with a limit of 8: %v, want eight cards to the lead", keysOf(got))
		}
		for k := range got {
			if k[:len("alert>lead")] != "alert>lead" {
				t.Errorf("tier 2 notice %s, want alerts to the lead", k)
			}
		}
	})
}

func keysOf(m map[string]engine.Notice) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
