package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// friday9 is when the tests of this file start: 09:00 UTC on Friday
// 4 December 2026, the start of a working day.
var friday9 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// lateWorld builds team east (owner, r2 and r3 who take leads, a team
// lead and a manager), a west team lead, and an arbiter in team north,
// with quiet hours off and the lag rule at 20 points. The owner holds
// one tier A lead, due at 13:00 (4 business hours).
func lateWorld(t *testing.T, s *storage.Store) (*engine.Service, *enginetest.Clock, engine.Lead) {
	t.Helper()
	clock := enginetest.NewClock(friday9)
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Schedule.Quiet = engine.QuietHours{}
	p.Schedule.LagAlert = 0.2
	p.DisputeArbiter = "judge"
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	putTeamRep(t, svc, "owner", "east", engine.RoleRep, 3)
	l, _, err := svc.Intake(context.Background(), lead("late-1", 500000, 0.9), engine.ActorAPI)
	if err != nil || l.Assignee != "owner" || l.DueAt == nil || !l.DueAt.Equal(friday9.Add(4*time.Hour)) {
		t.Fatalf("intake = %+v, %v; want held by owner, due 13:00", l, err)
	}
	putTeamRep(t, svc, "r2", "east", engine.RoleRep, 2)
	putTeamRep(t, svc, "r3", "east", engine.RoleRep, 2)
	putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
	putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
	putTeamRep(t, svc, "westlead", "west", engine.RoleLead, 0)
	putTeamRep(t, svc, "judge", "north", engine.RoleRep, 0)
	pending(t, s, clock.Now())
	return svc, clock, l
}

func noticeKeys(m map[string]engine.Notice) string {
	return strings.Join(keysOf(m), " ")
}

// The lag alert goes out once, at the first scan at which progress is 20
// points behind the straight plan from 09:00 to 13:00, to the owner and
// the team lead together; at the deadline and after the grace nothing
// follows but the manager's alert.
func TestLagAlert(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := lateWorld(t, s)
		clock.Set(friday9.Add(30 * time.Minute))
		if _, err := svc.Progress(ctx, l.ID, "owner", 10, "called"); err != nil {
			t.Fatal(err)
		}
		pending(t, s, clock.Now())

		steps := []struct {
			at   time.Duration
			want string // notices by kind>to, sorted
		}{
			// 60 of 240 minutes: the plan says 25%, 15 points ahead of 10%.
			{time.Hour, ""},
			// 71 minutes: 29.6%, still under 20 points.
			{71 * time.Minute, ""},
			// 72 minutes: 30%, exactly 20 points behind.
			{72 * time.Minute, "alert>lead alert>owner"},
			{2 * time.Hour, ""},            // the reminder's time: the lag alert stood for it
			{4 * time.Hour, ""},            // the deadline: the owner was alerted
			{8 * time.Hour, ""},            // the grace: the team lead was alerted
			{28 * time.Hour, "alert>boss"}, // the manager as ever
		}
		for _, st := range steps {
			clock.Set(friday9.Add(st.at))
			if _, err := svc.ScanDeadlines(ctx); err != nil {
				t.Fatal(err)
			}
			got := claimAll(t, s, clock.Now())
			if g := sortedKeys(got); g != st.want {
				t.Errorf("at +%s: notices %q, want %q", st.at, g, st.want)
			}
			if st.at == 72*time.Minute {
				for _, k := range []string{"alert>lead", "alert>owner"} {
					if a := got[k].Args; a["progress"] != "10" || a["planned"] != "30" {
						t.Errorf("%s args = %v, want progress 10 and planned 30", k, a)
					}
				}
			}
		}
		events, _ := s.LeadEvents(ctx, l.ID)
		var lines []string
		for _, e := range events {
			if e.Event == engine.EventAlerted || e.Event == engine.EventReminded {
				lines = append(lines, e.Detail)
			}
		}
		if len(lines) != 2 || lines[0] != "进度 10%，按计划应到 30%：提前提醒组长" {
			t.Errorf("chasing history = %q, want the lag alert with its reason, then tier 3", lines)
		}
	})
}

// Before its owner accepts it or records progress, a lead's deadline is
// a first touch: no lag alert, only the reminder and the alerts by time.
func TestNoLagAlertBeforeTheOwnerTakesItOn(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, _ := lateWorld(t, s)
		for _, st := range []struct {
			at   time.Duration
			want string
		}{
			{72 * time.Minute, ""},            // 30% of the plan gone, untouched
			{2 * time.Hour, "reminder>owner"}, // halfway: the reminder
			{4 * time.Hour, "alert>owner"},    // the deadline
			{8 * time.Hour, "alert>lead"},     // the grace
		} {
			clock.Set(friday9.Add(st.at))
			if _, err := svc.ScanDeadlines(ctx); err != nil {
				t.Fatal(err)
			}
			if g := sortedKeys(claimAll(t, s, clock.Now())); g != st.want {
				t.Errorf("at +%s: notices %q, want %q", st.at, g, st.want)
			}
		}
	})
}

func sortedKeys(m map[string]engine.Notice) string {
	ks := strings.Fields(noticeKeys(m))
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return strings.Join(ks, " ")
}

// A lead due days away, beyond the reminder window, is found by the lag
// scan; one whose progress leaves no room to lag is not.
func TestLagScanBeyondReminderWindow(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, _ := lateWorld(t, s)
		due := friday9.Add(100 * time.Hour) // Tuesday 13:00
		far, ahead := lead("far", 100, 0.5), lead("ahead", 100, 0.5)
		far.DueAt, ahead.DueAt = &due, &due
		lf, _, err := svc.Intake(ctx, far, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		la, _, err := svc.Intake(ctx, ahead, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Accept(ctx, lf.ID, lf.Assignee); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Progress(ctx, la.ID, la.Assignee, 85, ""); err != nil {
			t.Fatal(err)
		}
		pending(t, s, clock.Now())
		// 20% of 100 hours is 20 hours; the tier A lead of lateWorld is
		// past its deadline by then and chased on its own.
		clock.Set(friday9.Add(19*time.Hour + 59*time.Minute))
		if _, err := svc.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		claimAll(t, s, clock.Now())
		clock.Set(friday9.Add(20 * time.Hour))
		if _, err := svc.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		got := claimAll(t, s, clock.Now())
		owner := string(lf.Assignee)
		if n := got["alert>"+owner]; n.LeadID != lf.ID || n.Args["planned"] != "20" {
			t.Errorf("at +20h: notices %q, owner's %+v; want the lag alert of %s at 20%%",
				noticeKeys(got), n, lf.ID)
		}
		if n := got["alert>lead"]; n.LeadID != lf.ID {
			t.Errorf("at +20h: team lead's notice %+v, want the lag alert of %s", n, lf.ID)
		}
		for _, id := range []engine.LeadID{lf.ID, la.ID} {
			l, _ := s.Lead(ctx, id)
			if want := map[engine.LeadID]int{lf.ID: 2, la.ID: 0}[id]; l.AlertTier != want {
				t.Errorf("%s alert tier = %d, want %d", id, l.AlertTier, want)
			}
		}
	})
}

// The lag scan reads held leads by deadline and id, page after page.
func TestLagCandidatesPages(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s, engine.ModeAuto)
		putRep(t, svc, "a", 10)
		var want []engine.LeadID
		for i, h := range []int{50, 50, 50, 70} {
			in := lead("page-"+string(rune('a'+i)), 100, 0.5)
			due := friday9.Add(time.Duration(h) * time.Hour)
			in.DueAt = &due
			l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, l.ID)
		}
		f := engine.LagFilter{DueAfter: friday9.Add(50 * time.Hour), MaxProgress: 80, BelowTier: 2, Limit: 1}
		var got []engine.LeadID
		for range 6 {
			page, err := s.LagCandidates(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page[0].ID)
			f.DueAfter, f.AfterID = *page[0].DueAt, page[0].ID
		}
		if len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
			t.Errorf("pages = %v, want %v", got, want)
		}
	})
}

// The lag scan's query uses the index on status and deadline on MySQL.
func TestLagScanUsesIndex(t *testing.T) {
	plan := explainMySQL(t, "SELECT * FROM leads WHERE status = 'assigned' AND due_at >= NOW() "+
		"AND (due_at > NOW() OR id > 0) AND alert_tier < 2 AND progress <= 80 "+
		"ORDER BY due_at, id LIMIT 500")
	for _, row := range plan {
		if !strings.Contains(row["possible_keys"], "idx_leads_due") {
			t.Errorf("the lag scan cannot use idx_leads_due: %v", row)
		}
	}
}

// Who may act on a late lead, and what is refused with which code.
func TestInterventionRoles(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := lateWorld(t, s)
		d2 := &engine.Extension{Days: 2}
		_, err := svc.Extend(ctx, l.ID, "owner", nil, "")
		if err == nil || !strings.Contains(err.Error(), `team "east"`) {
			t.Errorf("owner's extension: %v, want a refusal naming the team whose leads may", err)
		}
		closed, _, _ := svc.Intake(ctx, lead("closed", 100, 0.5), engine.ActorAPI)
		if _, err := svc.RecordOutcome(ctx, closed.ID, engine.Lost, nil, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			do   func() error
			code string
		}{
			{"owner extends own lead", func() error { _, err := svc.Extend(ctx, l.ID, "owner", nil, ""); return err }, "not_supervisor"},
			{"teammate extends", func() error { _, err := svc.Extend(ctx, l.ID, "r2", nil, ""); return err }, "not_supervisor"},
			{"other team's lead reassigns", func() error { _, err := svc.Reassign(ctx, l.ID, "westlead", "", ""); return err }, "not_supervisor"},
			{"teammate returns", func() error { _, err := svc.ReturnToPool(ctx, l.ID, "r3", ""); return err }, "not_supervisor"},
			{"stranger", func() error { _, err := svc.Extend(ctx, l.ID, "ghost", nil, ""); return err }, "unknown_user"},
			{"zero days", func() error {
				_, err := svc.Extend(ctx, l.ID, "boss", &engine.Extension{}, "")
				return err
			}, "bad_extension"},
			{"31 days", func() error {
				_, err := svc.Extend(ctx, l.ID, "boss", &engine.Extension{Days: 31}, "")
				return err
			}, "bad_extension"},
			{"closed lead", func() error { _, err := svc.Extend(ctx, closed.ID, "boss", nil, ""); return err }, "lead_closed"},
			{"unknown lead", func() error { _, err := svc.Extend(ctx, 99, "boss", nil, ""); return err }, "lead_not_found"},
			{"reassign to the owner", func() error { _, err := svc.Reassign(ctx, l.ID, "boss", "owner", ""); return err }, "same_owner"},
			{"reassign to a manager", func() error { _, err := svc.Reassign(ctx, l.ID, "boss", "boss", ""); return err }, "rep_inactive"},
			{"reassign to nobody", func() error { _, err := svc.Reassign(ctx, l.ID, "boss", "nobody", ""); return err }, "unknown_rep"},
			{"team lead extends", func() error { _, err := svc.Extend(ctx, l.ID, "lead", d2, ""); return err }, ""},
			{"arbiter extends", func() error { _, err := svc.Extend(ctx, l.ID, "judge", d2, ""); return err }, ""},
			{"manager returns", func() error { _, err := svc.ReturnToPool(ctx, l.ID, "boss", "超时"); return err }, ""},
			{"pooled lead", func() error { _, err := svc.Reassign(ctx, l.ID, "boss", "", ""); return err }, "not_assigned"},
		}
		for _, st := range steps {
			clock.Add(time.Minute)
			err := st.do()
			if engine.CodeOf(err) != st.code && !(st.code == "" && err == nil) {
				t.Errorf("%s: err = %v (code %s), want code %q", st.name, err, engine.CodeOf(err), st.code)
			}
			if st.code == "not_supervisor" && engine.KindOf(err) != engine.Forbidden {
				t.Errorf("%s: kind %s, want forbidden", st.name, engine.KindOf(err))
			}
		}
	})
}

// An extension from an overdue lead's alert counts one working day from
// now, past the weekend, and the chasing and the plan start afresh.
func TestExtendRestartsChasing(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := lateWorld(t, s)
		clock.Set(friday9.Add(30 * time.Hour)) // Saturday 15:00, 26 hours late
		if _, err := svc.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		if got := sortedKeys(claimAll(t, s, clock.Now())); got != "alert>boss alert>lead alert>owner" {
			t.Fatalf("overdue notices = %q, want all three tiers", got)
		}

		got, err := svc.Extend(ctx, l.ID, "boss", nil, "客户出差")
		if err != nil {
			t.Fatal(err)
		}
		monday := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
		if got.DueAt == nil || !got.DueAt.Equal(monday) || got.AlertTier != 0 || got.Reminded ||
			got.Assignee != "owner" {
			t.Errorf("extended lead = due %v tier %d reminded %t by %s, want due Monday 15:00, "+
				"chasing cleared, still the owner's", got.DueAt, got.AlertTier, got.Reminded, got.Assignee)
		}
		n := claimAll(t, s, clock.Now())
		if sortedKeys(n) != "lead_changed> text>owner" || n["text>owner"].Text != "intervene.extended" ||
			n["text>owner"].Args["due"] != "12-07 15:00" {
			t.Errorf("notices = %q, owner's %+v; want the owner told of Monday 15:00 and a card update",
				sortedKeys(n), n["text>owner"])
		}
		events, _ := s.LeadEvents(ctx, l.ID)
		last := events[len(events)-1]
		if last.Event != engine.EventExtended || last.Actor != "boss" ||
			!strings.Contains(last.Detail, "2026-12-07T15:00:00Z") || !strings.Contains(last.Detail, "客户出差") {
			t.Errorf("last history line = %+v, want the extension by boss with the new deadline and note", last)
		}
		audit, _ := s.AuditEntries(ctx, "lead.extended")
		if len(audit) != 1 || audit[0].Subject != l.ID.String() || !strings.HasSuffix(audit[0].Detail, "(1d)") {
			t.Errorf("audit = %+v, want one lead.extended line of 1d", audit)
		}

		// The plan restarts at the extension: 40% by Saturday 15:00 is 20
		// points behind once 60% of the 48 hours to Monday have passed,
		// at 19:48 on Sunday.
		if _, err := svc.Progress(ctx, l.ID, "owner", 40, ""); err != nil {
			t.Fatal(err)
		}
		claimAll(t, s, clock.Now())
		sunday := func(h, m int) time.Time { return time.Date(2026, 12, 6, h, m, 0, 0, time.UTC) }
		for _, st := range []struct {
			at   time.Time
			want string
		}{
			{sunday(14, 59), ""},
			{sunday(15, 0), "reminder>owner"},
			{sunday(19, 47), ""},
			{sunday(19, 48), "alert>lead alert>owner"},
			{monday, ""},
			{monday.Add(24 * time.Hour), "alert>boss"},
		} {
			clock.Set(st.at)
			if _, err := svc.ScanDeadlines(ctx); err != nil {
				t.Fatal(err)
			}
			if got := sortedKeys(claimAll(t, s, clock.Now())); got != st.want {
				t.Errorf("at %s: notices %q, want %q", st.at.Format(time.RFC3339), got, st.want)
			}
		}
	})
}

// Business hours extend a deadline not yet passed from the deadline:
// 13:00 on Friday plus six hours is 10:00 on Monday.
func TestExtendByBusinessHours(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := lateWorld(t, s)
		clock.Set(friday9.Add(time.Hour))
		got, err := svc.Extend(ctx, l.ID, "lead", &engine.Extension{Hours: 6}, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC); got.DueAt == nil || !got.DueAt.Equal(want) {
			t.Errorf("due = %v, want %v", got.DueAt, want)
		}
	})
}

// Without a name, the router picks the best other rep with room; the
// decision log says who reassigned it and why the router chose.
func TestReassignByRouter(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := lateWorld(t, s)
		clock.Set(friday9.Add(5 * time.Hour)) // 14:00
		got, err := svc.Reassign(ctx, l.ID, "lead", "", "")
		if err != nil {
			t.Fatal(err)
		}
		// r2 and r3 have never had a lead; the rotation breaks the tie by id.
		if want := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC); got.Assignee != "r2" ||
			got.DueAt == nil || !got.DueAt.Equal(want) || got.Progress != 0 {
			t.Errorf("reassigned lead = %s due %v, want r2 due 18:00 with a fresh start", got.Assignee, got.DueAt)
		}
		ds, _ := s.Decisions(ctx, l.ID)
		d := ds[len(ds)-1]
		if d.Strategy != engine.RoundRobinName || d.RepID != "r2" || len(d.Reasons) < 2 ||
			d.Reasons[0] != "name lead 改派：原跟进人 name owner" || !strings.Contains(d.Reasons[1], "轮流分配") {
			t.Errorf("decision = %+v, want the reassignment and then the router's reasons", d)
		}
		loads := map[engine.RepID]int{}
		reps, _ := s.Reps(ctx)
		for _, r := range reps {
			loads[r.ID] = r.OpenTasks
		}
		if loads["owner"] != 0 || loads["r2"] != 1 {
			t.Errorf("open tasks = %v, want owner 0 and r2 1", loads)
		}
		owners, _ := s.Ownerships(ctx, l.ID)
		if len(owners) != 2 || owners[0].EndReason != "reassigned" || owners[1].RepID != "r2" ||
			owners[1].EndedAt != nil {
			t.Errorf("ownerships = %+v, want owner's ended as reassigned and r2's open", owners)
		}
		n := claimAll(t, s, clock.Now())
		if sortedKeys(n) != "assigned>r2 lead_changed> text>owner" || n["text>owner"].Args["name"] != "name r2" {
			t.Errorf("notices = %q, want r2's card, a card update and the owner told it went to r2", sortedKeys(n))
		}
		if a, _ := s.AuditEntries(ctx, "lead.reassigned"); len(a) != 1 || a[0].Actor != "lead" {
			t.Errorf("audit = %+v, want one lead.reassigned line by the team lead", a)
		}

		// Named, to a rep with room; then nobody else with room is left.
		if got, err := svc.Reassign(ctx, l.ID, "boss", "r3", "熟悉客户"); err != nil || got.Assignee != "r3" {
			t.Fatalf("reassign to r3 = %s, %v", got.Assignee, err)
		}
		for _, id := range []string{"owner", "r2"} {
			r, _ := s.Rep(ctx, engine.RepID(id))
			r.Active = false
			if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Reassign(ctx, l.ID, "boss", "", ""); engine.CodeOf(err) != "no_fit" {
			t.Errorf("reassign with nobody else = %v, want no_fit", err)
		}
	})
}

// Returning a late lead to the pool frees the owner and tells them; the
// rest of the team may claim it.
func TestReturnToPool(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock, l := lateWorld(t, s)
		clock.Set(friday9.Add(30 * time.Hour))
		got, err := svc.ReturnToPool(ctx, l.ID, "boss", "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != engine.StatusPool || got.Assignee != "" || got.Decision.Strategy != "return" {
			t.Errorf("returned lead = %s %q by %s, want pooled by return", got.Status, got.Assignee,
				got.Decision.Strategy)
		}
		if r, _ := s.Rep(ctx, "owner"); r.OpenTasks != 0 {
			t.Errorf("owner holds %d open tasks, want 0", r.OpenTasks)
		}
		n := claimAll(t, s, clock.Now())
		if n["text>owner"].Text != "intervene.returned" || n["pool>r2"].LeadID != l.ID ||
			n["pool>owner"].LeadID != 0 {
			t.Errorf("notices = %q, want the owner told and pool cards to the others", sortedKeys(n))
		}
		if a, _ := s.AuditEntries(ctx, "lead.returned"); len(a) != 1 {
			t.Errorf("audit = %+v, want one lead.returned line", a)
		}
		owners, _ := s.Ownerships(ctx, l.ID)
		if len(owners) != 1 || owners[0].EndedAt == nil {
			t.Errorf("ownerships = %+v, want the owner's ended", owners)
		}
	})
}
