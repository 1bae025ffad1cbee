package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/insight"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// healthStart is a Wednesday; the digest on "0 9 * * mon" last fell on
// Monday 2026-11-30 09:00 UTC and next falls on 2026-12-07.
var healthStart = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func healthOptions(t *testing.T, s *storage.Store, clock engine.Clock) engine.HealthDigests {
	t.Helper()
	every, err := cron.ParseStandard("CRON_TZ=UTC 0 9 * * mon")
	if err != nil {
		t.Fatal(err)
	}
	rep := insight.NewReporter(s, insight.Settings{Thresholds: insight.DefaultThresholds}, clock)
	return engine.HealthDigests{Every: every, Report: rep.DigestReport}
}

// healthTeam builds team east: a holds L2 and L3 over a capacity of one,
// L1 (tier A) went back to the pool, c holds L4 (tier A) and is away,
// b has room; "lead" leads it and "boss" manages it. Team west has a
// lead and rep w.
func healthTeam(t *testing.T, svc *engine.Service) []engine.Lead {
	t.Helper()
	ctx := context.Background()
	putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
	putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
	putTeamRep(t, svc, "a", "east", engine.RoleRep, 10)
	var out []engine.Lead
	intake := func(ext, want string) {
		t.Helper()
		l, _, err := svc.Intake(ctx, lead(ext, 500000, 0.9), engine.ActorAPI)
		if err != nil || l.Assignee != engine.RepID(want) || l.Tier != engine.TierA {
			t.Fatalf("intake %s = %s tier %s, %v; want %s tier A", ext, l.Assignee, l.Tier, err, want)
		}
		out = append(out, l)
	}
	for i := range 3 {
		intake(fmt.Sprint("hd-", i+1), "a")
	}
	if _, err := svc.Release(ctx, out[0].ID, "a"); err != nil {
		t.Fatal(err)
	}
	setRep(t, svc, "a", func(r *engine.Rep) { r.Capacity = r.OpenTasks })
	putTeamRep(t, svc, "c", "east", engine.RoleRep, 10)
	intake("hd-4", "c")
	setRep(t, svc, "c", func(r *engine.Rep) { r.Away = true })
	setRep(t, svc, "a", func(r *engine.Rep) { r.Capacity = 1 })
	putTeamRep(t, svc, "b", "east", engine.RoleRep, 10)
	putTeamRep(t, svc, "wlead", "west", engine.RoleLead, 0)
	putTeamRep(t, svc, "w", "west", engine.RoleRep, 0)
	return out
}

func setRep(t *testing.T, svc *engine.Service, id engine.RepID, fn func(*engine.Rep)) {
	t.Helper()
	r, err := svc.Store().Rep(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	fn(&r)
	if _, err := svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
}

// healthDigests claims the waiting notices and returns the health
// digests among them by recipient.
func healthDigests(t *testing.T, s *storage.Store, now time.Time) map[engine.RepID][]engine.Notice {
	t.Helper()
	items, err := s.ClaimNotices(context.Background(), now.Add(24*time.Hour), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[engine.RepID][]engine.Notice{}
	for _, it := range items {
		if it.Kind == engine.NoticeHealthDigest {
			out[it.To] = append(out[it.To], it.Notice)
		}
		if err := s.CompleteNotice(context.Background(), it.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func scanHealth(t *testing.T, svc *engine.Service, o engine.HealthDigests) int {
	t.Helper()
	n, err := svc.ScanHealthDigest(context.Background(), o)
	if err != nil {
		t.Fatalf("ScanHealthDigest: %v", err)
	}
	return n
}

// Each lead and manager gets one digest a week, however often and from
// however many replicas the scan runs, and one after downtime for the
// latest week missed only.
func TestHealthDigestOncePerWeek(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		clock := enginetest.NewClock(healthStart)
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		other := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		healthTeam(t, svc)
		o := healthOptions(t, s, clock)
		healthDigests(t, s, clock.Now())

		// boss, lead and wlead; reps get none.
		if n := scanHealth(t, svc, o); n != 3 {
			t.Errorf("first scan queued %d, want 3", n)
		}
		if n := scanHealth(t, svc, o) + scanHealth(t, other, o); n != 0 {
			t.Errorf("repeated scans queued %d, want 0", n)
		}
		got := healthDigests(t, s, clock.Now())
		week1 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC).UnixMilli()
		for _, to := range []engine.RepID{"boss", "lead", "wlead"} {
			want := fmt.Sprintf("health_digest:%s:%d", to, week1)
			if len(got[to]) != 1 || got[to][0].Key != want {
				t.Errorf("digests to %s = %v, want one keyed %s", to, got[to], want)
			}
		}
		if len(got) != 3 {
			t.Errorf("digests went to %d people, want 3", len(got))
		}

		// Three weeks of downtime: the latest week only.
		clock.Set(time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC))
		if n := scanHealth(t, other, o); n != 3 {
			t.Errorf("scan after downtime queued %d, want 3", n)
		}
		if n := scanHealth(t, svc, o); n != 0 {
			t.Errorf("second replica after downtime queued %d, want 0", n)
		}
		got = healthDigests(t, s, clock.Now())
		week4 := time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC).UnixMilli()
		if d := got["lead"]; len(d) != 1 || d[0].Key != fmt.Sprintf("health_digest:lead:%d", week4) {
			t.Errorf("digest to lead after downtime = %v, want the week of 12-21 only", d)
		}
	})
}

func tileOf(t *testing.T, tiles []engine.HealthTile, id string) engine.HealthTile {
	t.Helper()
	for _, x := range tiles {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no tile %s among %v", id, tiles)
	return engine.HealthTile{}
}

// The content, checked by hand: coverage of east is 2 of 3 key accounts
// (L4's owner is away), an alert below the warning level of 80%, listed
// before the healthy tiles; L1 in the pool and L4 are the gaps; a holds
// two over a capacity of one, so one of them moves to b, the only rep
// of east at work with room. The manager sees the company's coverage,
// 2 of 4 with the pooled L1, and east's headline.
func TestHealthDigestContent(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		clock := enginetest.NewClock(healthStart)
		svc, leads := healthService(t, s, clock)
		o := healthOptions(t, s, clock)
		healthDigests(t, s, clock.Now())
		scanHealth(t, svc, o)
		got := healthDigests(t, s, clock.Now())

		d, err := engine.HealthDigestOf(got["lead"][0])
		if err != nil {
			t.Fatal(err)
		}
		if d.Team != "east" || !d.From.Equal(healthStart.AddDate(0, 0, -7)) || !d.To.Equal(healthStart) {
			t.Errorf("lead's digest is of team %q over %s to %s, want east over the week to the scan",
				d.Team, d.From, d.To)
		}
		cov := tileOf(t, d.Tiles, insight.TileCoverage)
		if cov.Status != "alert" || *cov.Numerator != 2 || *cov.Denominator != 3 ||
			cov.Limit == nil || *cov.Limit != 0.8 || !cov.Below {
			t.Errorf("east coverage = %+v, want an alert of 2/3 below 0.8", cov)
		}
		if !d.Tiles[0].Breached() {
			t.Errorf("first tile %s is %s, want the breached first", d.Tiles[0].ID, d.Tiles[0].Status)
		}
		for i := 1; i < len(d.Tiles); i++ {
			if d.Tiles[i].Breached() && !d.Tiles[i-1].Breached() {
				t.Errorf("breached tile %s listed after %s", d.Tiles[i].ID, d.Tiles[i-1].ID)
			}
		}
		var gaps []string
		for _, g := range d.Gaps {
			gaps = append(gaps, fmt.Sprintf("%s:%s:%s", g.Lead, g.Status, g.Holder))
		}
		want := []string{leads[0].ID.String() + ":pool:", leads[3].ID.String() + ":assigned:c"}
		if !slices.Equal(gaps, want) {
			t.Errorf("gaps = %v, want %v", gaps, want)
		}
		if len(d.Moves) != 1 || d.Moves[0].From != "a" || d.Moves[0].To != "b" ||
			(d.Moves[0].Lead != leads[1].ID && d.Moves[0].Lead != leads[2].ID) ||
			d.Moves[0].Reason == "" {
			t.Errorf("moves = %+v, want one of L2, L3 from a to b with its reason", d.Moves)
		}

		m, err := engine.HealthDigestOf(got["boss"][0])
		if err != nil {
			t.Fatal(err)
		}
		cov = tileOf(t, m.Tiles, insight.TileCoverage)
		if m.Team != "" || *cov.Numerator != 2 || *cov.Denominator != 4 {
			t.Errorf("manager's digest: team %q coverage %+v, want the company's 2/4", m.Team, cov)
		}
		var east *engine.TeamHeadline
		for i := range m.Teams {
			if m.Teams[i].Team == "east" {
				east = &m.Teams[i]
			}
		}
		if east == nil {
			t.Fatalf("no headline of east among %+v", m.Teams)
		}
		if east.Alerts == 0 || east.Worst == nil || east.Worst.Status != "alert" {
			t.Errorf("east headline = %+v, want its alerts and worst tile", east)
		}

		w, err := engine.HealthDigestOf(got["wlead"][0])
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Moves) != 0 || len(w.Gaps) != 1 || w.Gaps[0].Lead != leads[0].ID {
			t.Errorf("west's suggestions = %+v %+v, want the pooled L1 only", w.Gaps, w.Moves)
		}
	})
}

func healthService(
	t *testing.T,
	s *storage.Store,
	clock *enginetest.Clock,
) (*engine.Service, []engine.Lead) {
	t.Helper()
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	return svc, healthTeam(t, svc)
}

// Cover and ApplyMove act once; a second click finds the work done, a
// move overtaken by events is refused, and only supervisors may.
func TestHealthDigestActions(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(healthStart)
		svc, leads := healthService(t, s, clock)
		l1, l2, l3, l4 := leads[0].ID, leads[1].ID, leads[2].ID, leads[3].ID

		checks := []struct {
			name string
			do   func() (engine.Lead, error)
			code string // "" for success
			to   engine.RepID
		}{
			{"rep may not cover", func() (engine.Lead, error) { return svc.Cover(ctx, l1, "a") },
				"not_supervisor", ""},
			{"other team may not cover", func() (engine.Lead, error) { return svc.Cover(ctx, l4, "wlead") },
				"not_supervisor", ""},
			{"west has nobody for the pooled lead",
				func() (engine.Lead, error) { return svc.Cover(ctx, l1, "wlead") }, "no_fit", ""},
			{"cover pooled", func() (engine.Lead, error) { return svc.Cover(ctx, l1, "lead") }, "", "b"},
			{"cover pooled again", func() (engine.Lead, error) { return svc.Cover(ctx, l1, "lead") },
				"already_covered", ""},
			{"cover away-held", func() (engine.Lead, error) { return svc.Cover(ctx, l4, "boss") }, "", "b"},
			{"cover away-held again", func() (engine.Lead, error) { return svc.Cover(ctx, l4, "boss") },
				"already_covered", ""},
			{"rep may not move", func() (engine.Lead, error) { return svc.ApplyMove(ctx, l2, "a", "b", "a") },
				"not_supervisor", ""},
			{"move", func() (engine.Lead, error) { return svc.ApplyMove(ctx, l2, "a", "b", "lead") }, "", "b"},
			{"move again", func() (engine.Lead, error) { return svc.ApplyMove(ctx, l2, "a", "b", "lead") },
				"already_moved", ""},
			{"stale move", func() (engine.Lead, error) { return svc.ApplyMove(ctx, l3, "c", "b", "lead") },
				"move_stale", ""},
		}
		for _, c := range checks {
			l, err := c.do()
			if (c.code == "") != (err == nil) || (err != nil && engine.CodeOf(err) != c.code) {
				t.Fatalf("%s: error %v, want code %q", c.name, err, c.code)
			}
			if c.code == "" && (l.Status != engine.StatusAssigned || l.Assignee != c.to) {
				t.Errorf("%s: lead %s is %s with %q, want assigned to %s", c.name, l.ID, l.Status,
					l.Assignee, c.to)
			}
		}

		setRep(t, svc, "b", func(r *engine.Rep) { r.Capacity = r.OpenTasks })
		_, err := svc.ApplyMove(ctx, l3, "a", "b", "lead")
		if engine.KindOf(err) != engine.OverCapacity {
			t.Errorf("move to a full receiver: %v, want OverCapacity", err)
		}

		b, _ := s.Rep(ctx, "b")
		a, _ := s.Rep(ctx, "a")
		if b.OpenTasks != 3 || a.OpenTasks != 1 {
			t.Errorf("open tasks a=%d b=%d, want 1 and 3", a.OpenTasks, b.OpenTasks)
		}
		for _, id := range []engine.LeadID{l1, l2, l4} {
			hist, err := svc.LeadHistory(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var by []string
			for _, ev := range hist {
				if ev.Event == engine.EventAssigned {
					by = append(by, string(ev.Actor))
				}
			}
			if !slices.Contains(by, "lead") && !slices.Contains(by, "boss") {
				t.Errorf("history of %s: assignments by %v, want one by the supervisor", id, by)
			}
		}
	})
}

// A suggested move is checked again when it is clicked: a receiver who
// now works hours the customer does not is refused.
func TestApplyMoveRechecksTheTimeZoneRule(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		p.Zones = engine.ZoneRule{MinOverlap: 2 * time.Hour}
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 5)
		putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
		l, _, err := svc.Intake(ctx, engine.LeadInput{ExternalID: "tz-move", Timezone: "Asia/Shanghai",
			Profile: engine.Profile{Company: "上海某厂", ExpectedAmount: 100000}}, engine.ActorAPI)
		if err != nil || l.Assignee != "a" {
			t.Fatalf("intake = %s, %v; want a's", l.Assignee, err)
		}
		putTeamRep(t, svc, "b", "east", engine.RoleRep, 5)
		setRep(t, svc, "b", func(r *engine.Rep) { r.Timezone = "America/New_York" })
		if _, err := svc.ApplyMove(ctx, l.ID, "a", "b", "lead"); engine.CodeOf(err) != "move_stale" {
			t.Errorf("move to New York: err = %v, want move_stale", err)
		}
		setRep(t, svc, "b", func(r *engine.Rep) { r.Timezone = "Asia/Shanghai" })
		if got, err := svc.ApplyMove(ctx, l.ID, "a", "b", "lead"); err != nil || got.Assignee != "b" {
			t.Errorf("move to Shanghai = %s, %v; want b's", got.Assignee, err)
		}
	})
}
