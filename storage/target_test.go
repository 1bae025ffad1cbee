package storage_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// targetNow is Wednesday 2026-12-02 12:00 in Shanghai: two and a half
// days into the week that began Monday 2026-11-30 00:00 (+08:00).
var targetNow = time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)

// targeted builds a service counting periods in Shanghai, with team east
// (its lead, reps a1, a2, a3 of capacity 5, 3, 2, and an inactive a4),
// team west (its lead and rep w1), and a manager of team hq.
func targeted(t *testing.T, s *storage.Store) *engine.Service {
	t.Helper()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	p := engine.DefaultPolicy
	p.Checkpoints.Zone = sh
	svc := engine.NewService(engine.Deps{Store: s, Clock: enginetest.NewClock(targetNow),
		Policy: p})
	putTeamRep(t, svc, "mgr", "hq", engine.RoleManager, 0)
	putTeamRep(t, svc, "lead-east", "east", engine.RoleLead, 0)
	putTeamRep(t, svc, "lead-west", "west", engine.RoleLead, 0)
	putTeamRep(t, svc, "a1", "east", engine.RoleRep, 5)
	putTeamRep(t, svc, "a2", "east", engine.RoleRep, 3)
	putTeamRep(t, svc, "a3", "east", engine.RoleRep, 2)
	putTeamRep(t, svc, "w1", "west", engine.RoleRep, 4)
	off := engine.Rep{ID: "a4", Name: "a4", Role: engine.RoleRep, Team: "east", Capacity: 9}
	if _, err := svc.PutRep(context.Background(), off, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	return svc
}

func putTarget(
	t *testing.T,
	svc *engine.Service,
	in engine.TargetInput,
	by engine.RepID,
) engine.Target {
	t.Helper()
	g, err := svc.PutTarget(context.Background(), in, by)
	if err != nil {
		t.Fatalf("PutTarget(%+v) by %s: %v", in, by, err)
	}
	return g
}

// report finds the report of one scope, period kind and metric.
func report(
	t *testing.T,
	rs []engine.TargetReport,
	scope string,
	kind engine.PeriodKind,
	m engine.Metric,
) engine.TargetReport {
	t.Helper()
	for _, r := range rs {
		if (r.Target.Team == scope || string(r.Target.Rep) == scope) &&
			r.Target.Period == kind && r.Target.Metric == m {
			return r
		}
	}
	t.Fatalf("no report of %s %s %s in %+v", scope, kind, m, rs)
	return engine.TargetReport{}
}

// partsOf writes a report's parts as "rep=amount/done status".
func partsOf(r engine.TargetReport) string {
	var b strings.Builder
	for i, p := range r.Parts {
		if i > 0 {
			b.WriteString(" ")
		}
		own := ""
		if p.Own != 0 {
			own = "*"
		}
		b.WriteString(string(p.Rep) + own + "=" + strconv.FormatInt(p.Amount, 10) + "/" +
			strconv.FormatFloat(p.Done, 'f', -1, 64) + " " +
			string(p.Status))
	}
	return b.String()
}

func TestTargetBreakdownAndOverride(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc := targeted(t, s)
		reviews := engine.TargetInput{Team: "east", Period: engine.PeriodWeek,
			Metric: engine.MetricExistingReviews, Amount: 20}
		first := putTarget(t, svc, reviews, "lead-east")
		if first.Split != engine.SplitEven || !first.From.Equal(time.Date(2026, 11, 29, 16, 0, 0, 0,
			time.UTC)) {
			t.Errorf("target = %+v, want an even split from Monday 00:00 in Shanghai", first)
		}
		putTarget(t, svc, engine.TargetInput{Team: "east", Period: engine.PeriodMonth,
			Metric: engine.MetricWon, Amount: 20, Split: engine.SplitCapacity}, "mgr")

		rs, err := svc.TargetProgress(ctx, engine.TargetQuery{Team: "east"})
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct {
			kind engine.PeriodKind
			m    engine.Metric
			want string
		}{
			{engine.PeriodWeek, engine.MetricExistingReviews,
				"a1=7/0 behind a2=7/0 behind a3=6/0 behind"},
			{engine.PeriodMonth, engine.MetricWon,
				"a1=10/0 on_track a2=6/0 on_track a3=4/0 on_track"},
		}
		for _, c := range checks {
			if got := partsOf(report(t, rs, "east", c.kind, c.m)); got != c.want {
				t.Errorf("%s %s parts = %s, want %s", c.kind, c.m, got, c.want)
			}
		}

		// a3's own target replaces their share; a1 and a2 split the 15
		// left, and the team still reads 20.
		putTarget(t, svc, engine.TargetInput{Rep: "a3", Period: engine.PeriodWeek,
			Metric: engine.MetricExistingReviews, Amount: 5}, "lead-east")
		rs, err = svc.TargetProgress(ctx, engine.TargetQuery{Team: "east",
			Period: engine.PeriodWeek})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("%d week reports %+v, want the team's alone", len(rs), rs)
		}
		r := rs[0]
		if got, want := partsOf(r), "a1=8/0 behind a2=7/0 behind a3*=5/0 behind"; got != want {
			t.Errorf("parts with a3's own = %s, want %s", got, want)
		}
		if r.Amount != 20 || r.Assigned != 20 {
			t.Errorf("team amount %d assigned %d, want 20 and 20", r.Amount, r.Assigned)
		}

		// A new version from now replaces the amount; one from next week
		// waits for it; the history keeps all of them.
		reviews.Amount = 30
		putTarget(t, svc, reviews, "mgr")
		reviews.Amount, reviews.From = 10, targetNow.AddDate(0, 0, 7)
		putTarget(t, svc, reviews, "mgr")
		for _, c := range []struct {
			at   time.Time
			want int64
		}{{targetNow, 30}, {targetNow.AddDate(0, 0, 7), 10}, {targetNow.AddDate(0, 0, -7), 0}} {
			rs, err := svc.TargetProgress(ctx, engine.TargetQuery{Team: "east",
				Period: engine.PeriodWeek, At: c.at})
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			for _, r := range rs {
				if r.Target.Team == "east" {
					got = r.Amount
				}
			}
			if got != c.want {
				t.Errorf("team week amount at %s = %d, want %d", c.at, got, c.want)
			}
		}
		all, err := svc.Targets(ctx, engine.TargetFilter{Teams: []string{"east"}})
		if err != nil || len(all) != 4 {
			t.Errorf("east's history = %d versions, %v; want 4", len(all), err)
		}
		audit, _ := s.AuditEntries(ctx, "target.put")
		if len(audit) != 5 || audit[0].Actor != "lead-east" ||
			audit[0].Subject != first.ID.String() {
			t.Errorf("audit = %+v, want 5 target.put lines, the first by lead-east", audit)
		}
	})
}

// seedWork stores two leads (one of an existing customer) and history
// around the week of targetNow.
func seedWork(t *testing.T, s *storage.Store) {
	t.Helper()
	ctx := context.Background()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	err := s.Update(ctx, func(tx engine.Tx) error {
		existing := &engine.Lead{ExternalID: "old", Status: engine.StatusAssigned,
			Tier: engine.TierB, CreatedAt: at("2026-11-01T00:00:00Z"),
			Profile: engine.Profile{Company: "old co", CustomerType: engine.CustomerExisting}}
		fresh := &engine.Lead{ExternalID: "new", Status: engine.StatusAssigned,
			Tier: engine.TierB, CreatedAt: at("2026-11-01T00:00:00Z"),
			Profile: engine.Profile{Company: "new co", CustomerType: engine.CustomerNew}}
		if err := tx.InsertLeads(ctx, []*engine.Lead{existing, fresh}); err != nil {
			return err
		}
		old, new := existing.ID, fresh.ID
		ev := func(id engine.LeadID, when string, e engine.Event,
			rep engine.RepID) engine.LeadEvent {
			return engine.LeadEvent{LeadID: id, At: at(when), Event: e, Actor: engine.Actor(rep),
				RepID: rep}
		}
		err := tx.AppendEvents(ctx,
			// In the week: a1 three touches (two on the existing
			// customer) and a claim; a2 one touch.
			ev(old, "2026-11-30T01:00:00Z", engine.EventAccepted, "a1"),
			ev(old, "2026-12-01T02:00:00Z", engine.EventProgress, "a1"),
			ev(new, "2026-12-01T03:00:00Z", engine.EventProgress, "a1"),
			ev(new, "2026-12-02T01:00:00Z", engine.EventClaimed, "a1"),
			ev(old, "2026-12-02T02:00:00Z", engine.EventProgress, "a2"),
			// Not counted: Sunday 23:59 in Shanghai, last week; next
			// Monday 00:00; a reminder; another team's rep.
			ev(old, "2026-11-29T15:59:00Z", engine.EventProgress, "a1"),
			ev(old, "2026-12-06T16:00:00Z", engine.EventProgress, "a2"),
			ev(old, "2026-12-01T05:00:00Z", engine.EventReminded, "a2"),
			ev(old, "2026-12-01T06:00:00Z", engine.EventProgress, "w1"),
		)
		if err != nil {
			return err
		}
		deal := func(lead engine.LeadID, rep engine.RepID, o engine.Outcome, amount float64,
			when string) engine.Deal {
			return engine.Deal{LeadID: lead, RepID: rep, Outcome: o, Amount: amount,
				ClosedAt: at(when), Profile: engine.Profile{Company: "co"}}
		}
		imported := deal(0, "a1", engine.Won, 9000, "2026-12-01T00:00:00Z")
		imported.ExternalID = "crm-1"
		return tx.InsertDeals(ctx, []engine.Deal{
			deal(old, "a1", engine.Won, 1000, "2026-12-01T04:00:00Z"),
			deal(new, "a1", engine.Lost, 0, "2026-12-01T05:00:00Z"),
			// Imported history is not work done in Leadbot.
			imported,
			// Last month: in the quarter, not in the month.
			deal(new, "a2", engine.Won, 500, "2026-11-20T00:00:00Z"),
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTargetProgressCountsRecordedWork(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc := targeted(t, s)
		seedWork(t, s)
		week := func(m engine.Metric, n int64) engine.TargetInput {
			return engine.TargetInput{Team: "east", Period: engine.PeriodWeek, Metric: m, Amount: n}
		}
		putTarget(t, svc, week(engine.MetricTouches, 6), "mgr")
		putTarget(t, svc, week(engine.MetricExistingReviews, 20), "mgr")
		putTarget(t, svc, week(engine.MetricClaimed, 3), "mgr")
		putTarget(t, svc, engine.TargetInput{Team: "east", Period: engine.PeriodMonth,
			Metric: engine.MetricWon, Amount: 2}, "mgr")
		putTarget(t, svc, engine.TargetInput{Rep: "a1", Period: engine.PeriodQuarter,
			Metric: engine.MetricRevenue, Amount: 5000}, "mgr")
		putTarget(t, svc, engine.TargetInput{Rep: "a2", Period: engine.PeriodQuarter,
			Metric: engine.MetricRevenue, Amount: 400}, "mgr")
		putTarget(t, svc, engine.TargetInput{Team: "west", Period: engine.PeriodWeek,
			Metric: engine.MetricTouches, Amount: 1}, "mgr")

		rs, err := svc.TargetProgress(ctx, engine.TargetQuery{})
		if err != nil {
			t.Fatal(err)
		}
		// Two and a half days of seven: 6 expects 2 by now, 20 expects 7.
		tests := []struct {
			scope  string
			kind   engine.PeriodKind
			m      engine.Metric
			done   float64
			status engine.ProgressStatus
			parts  string
		}{
			{"east", engine.PeriodWeek, engine.MetricTouches, 4, engine.StatusOnTrack,
				"a1=2/3 met a2=2/1 on_track a3=2/0 on_track"},
			{"east", engine.PeriodWeek, engine.MetricExistingReviews, 3, engine.StatusBehind,
				"a1=7/2 on_track a2=7/1 behind a3=6/0 behind"},
			{"east", engine.PeriodWeek, engine.MetricClaimed, 1, engine.StatusOnTrack,
				"a1=1/1 met a2=1/0 on_track a3=1/0 on_track"},
			{"east", engine.PeriodMonth, engine.MetricWon, 1, engine.StatusOnTrack,
				"a1=1/1 met a2=1/0 on_track a3=0/0 met"},
			{"west", engine.PeriodWeek, engine.MetricTouches, 1, engine.StatusMet, "w1=1/1 met"},
			{"a1", engine.PeriodQuarter, engine.MetricRevenue, 1000, engine.StatusBehind, ""},
			{"a2", engine.PeriodQuarter, engine.MetricRevenue, 500, engine.StatusMet, ""},
		}
		if len(rs) != len(tests) {
			t.Errorf("%d reports, want %d", len(rs), len(tests))
		}
		for _, tt := range tests {
			r := report(t, rs, tt.scope, tt.kind, tt.m)
			if r.Done != tt.done || r.Status != tt.status || partsOf(r) != tt.parts {
				t.Errorf("%s %s %s = %v %s [%s], want %v %s [%s]", tt.scope, tt.kind, tt.m,
					r.Done, r.Status, partsOf(r), tt.done, tt.status, tt.parts)
			}
		}

		// A rep sees their part of the team's targets and their own.
		mine, err := svc.TargetProgress(ctx, engine.TargetQuery{Rep: "a2"})
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 5 || partsOf(mine[0]) != "a2=2/1 on_track" {
			t.Errorf("a2's reports = %d, first [%s]; want 5, a2=2/1 on_track",
				len(mine), partsOf(mine[0]))
		}
	})
}

func TestTargetRefusals(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc := targeted(t, s)
		east := engine.TargetInput{Team: "east", Period: engine.PeriodWeek,
			Metric: engine.MetricTouches, Amount: 5}
		rep := engine.TargetInput{Rep: "a1", Period: engine.PeriodWeek,
			Metric: engine.MetricTouches, Amount: 5}
		tests := []struct {
			name string
			in   engine.TargetInput
			by   engine.RepID
			kind engine.Kind
			code string
		}{
			{"rep", east, "a1", engine.Forbidden, "not_supervisor"},
			{"other team's lead", east, "lead-west", engine.Forbidden, "not_supervisor"},
			{"other team's lead on a rep", rep, "lead-west", engine.Forbidden, "not_supervisor"},
			{"unknown actor", east, "ghost", engine.Forbidden, "unknown_user"},
			{"unknown rep", engine.TargetInput{Rep: "nobody", Period: engine.PeriodWeek,
				Metric: engine.MetricTouches, Amount: 1}, "mgr", engine.NotFound, "rep_not_found"},
			{"unknown team", engine.TargetInput{Team: "eats", Period: engine.PeriodWeek,
				Metric: engine.MetricTouches, Amount: 1}, "mgr", engine.NotFound, "team_not_found"},
			{"bad metric", engine.TargetInput{Team: "east", Period: engine.PeriodWeek,
				Metric: "calls", Amount: 1}, "mgr", engine.Invalid, "invalid_value"},
		}
		for _, tt := range tests {
			_, err := svc.PutTarget(ctx, tt.in, tt.by)
			if engine.KindOf(err) != tt.kind || engine.CodeOf(err) != tt.code {
				t.Errorf("%s: PutTarget = %v, want %s %s", tt.name, err, tt.kind, tt.code)
			}
		}
		all, err := svc.Targets(ctx, engine.TargetFilter{})
		if err != nil || len(all) != 0 {
			t.Errorf("targets after refusals = %+v, %v; want none", all, err)
		}
		if audit, _ := s.AuditEntries(ctx, "target.put"); len(audit) != 0 {
			t.Errorf("audit after refusals = %+v, want none", audit)
		}
		putTarget(t, svc, rep, "lead-east")
		putTarget(t, svc, east, "mgr")
	})
}

// The progress counts read lead_events and deals through indexes.
func TestTargetCountsUseIndex(t *testing.T) {
	db := planDB(t)
	for q, index := range map[string]string{
		"SELECT rep_id, COUNT(*) FROM lead_events WHERE rep_id IN ('a1','a2') " +
			"AND event IN ('accepted','progress') AND at >= NOW() - INTERVAL 7 DAY " +
			"AND at < NOW() GROUP BY rep_id": "idx_lead_events_rep",
		"SELECT rep_id, SUM(amount) FROM deals WHERE rep_id IN ('a1','a2') AND outcome = 'won' " +
			"AND lead_id IS NOT NULL AND closed_at >= NOW() - INTERVAL 7 DAY " +
			"AND closed_at < NOW() GROUP BY rep_id": "idx_deals_rep_id",
	} {
		if keys := explainKey(t, db, q); !strings.Contains(keys, index) {
			t.Errorf("EXPLAIN %s: possible keys %q, want %s", q, keys, index)
		}
	}
}
