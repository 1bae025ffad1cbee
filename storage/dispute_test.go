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

// disputeWorld has two teams: east (holder e1, manager em) and west
// (filer w1, manager wm), and a lead held by e1.
func disputeWorld(t *testing.T, s *storage.Store) (*engine.Service, engine.Lead) {
	t.Helper()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode, p.DisputeArbiter, p.DisputeEscalateAfter = engine.ModeAuto, "arb", 48*time.Hour
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	putTeamRep(t, svc, "e1", "east", engine.RoleRep, 1)
	putTeamRep(t, svc, "w1", "west", engine.RoleRep, 0)
	putTeamRep(t, svc, "em", "east", engine.RoleManager, 0)
	putTeamRep(t, svc, "wm", "west", engine.RoleManager, 0)
	putTeamRep(t, svc, "nm", "north", engine.RoleManager, 0)
	putTeamRep(t, svc, "arb", "hq", engine.RoleManager, 0)
	l, _, err := svc.Intake(context.Background(), lead("d", 100, 0.5), engine.ActorAPI)
	if err != nil || l.Assignee != "e1" {
		t.Fatalf("intake = %q, %v", l.Assignee, err)
	}
	w1, _ := s.Rep(context.Background(), "w1")
	w1.Capacity = 2
	if _, err := svc.PutRep(context.Background(), w1, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	return svc, l
}

func TestDisputeDecisions(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, l := disputeWorld(t, s)
		file := func(kind engine.DisputeKind) engine.DisputeID {
			d, err := svc.FileDispute(ctx, l.ID, "w1", kind, "我先登记的")
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		decide := func(id engine.DisputeID, by engine.RepID, v engine.Verdict) (engine.DisputeResult, string) {
			var share *float64
			if v == engine.Split {
				half := 0.5
				share = &half
			}
			res, err := svc.DecideDispute(ctx, id, by, v, share, "ok")
			if err != nil {
				return res, engine.CodeOf(err)
			}
			return res, ""
		}

		split := file(engine.DisputeCommission)
		if _, code := decide(split, "w1", engine.Approve); code != "not_decider" {
			t.Errorf("a rep decides: %s, want not_decider", code)
		}
		if _, code := decide(split, "nm", engine.Approve); code != "not_decider" {
			t.Errorf("another team's manager decides: %s, want not_decider", code)
		}
		res, code := decide(split, "em", engine.Split)
		if code != "" || res.Dispute.Status != engine.DisputeApproved || *res.Dispute.Split != 0.5 {
			t.Errorf("split = %+v %s, want approved with share 0.5", res.Dispute, code)
		}
		if _, code := decide(split, "wm", engine.Reject); code != "already_decided" {
			t.Errorf("second decision: %s, want already_decided", code)
		}
		if got, _ := s.Lead(ctx, l.ID); got.Assignee != "e1" {
			t.Errorf("a commission split moved the lead to %q", got.Assignee)
		}

		cross := file(engine.DisputeCrossRegion)
		if res, code := decide(cross, "em", engine.Approve); code != "" || !res.Waiting {
			t.Errorf("first team's approval = %+v %s, want waiting for the other team", res, code)
		}
		if res, code := decide(cross, "wm", engine.Approve); code != "" || res.Waiting ||
			res.Dispute.Status != engine.DisputeApproved {
			t.Errorf("second team's approval = %+v %s, want approved", res, code)
		}
		if got, _ := s.Lead(ctx, l.ID); got.Assignee != "w1" {
			t.Errorf("after an approved cross-region dispute the lead is %q's, want w1's", got.Assignee)
		}
		e1, _ := s.Rep(ctx, "e1")
		w1, _ := s.Rep(ctx, "w1")
		if e1.OpenTasks != 0 || w1.OpenTasks != 1 {
			t.Errorf("loads after the move: e1 %d, w1 %d; want 0 and 1", e1.OpenTasks, w1.OpenTasks)
		}

		back, err := svc.FileDispute(ctx, l.ID, "e1", engine.DisputeOwnership, "客户原本是我的")
		if err != nil {
			t.Fatal(err)
		}
		if res, code := decide(back.ID, "arb", engine.Reject); code != "" || res.Dispute.Status != engine.DisputeRejected {
			t.Errorf("arbiter rejects = %+v %s", res.Dispute, code)
		}

		closed := file(engine.DisputeCommission)
		owned, _ := svc.FileDispute(ctx, l.ID, "e1", engine.DisputeOwnership, "再申诉")
		if _, err := svc.RecordOutcome(ctx, l.ID, engine.Won, nil, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		if _, code := decide(owned.ID, "em", engine.Approve); code != "lead_closed" {
			t.Errorf("ownership of a lead closed meanwhile: %s, want lead_closed", code)
		}
		if _, code := decide(closed, "wm", engine.Reject); code != "" {
			t.Errorf("a commission dispute may still be settled after the close: %s", code)
		}
	})
}

// Two managers decide one dispute at the same moment: one wins, the
// other is told it is already decided.
func TestDisputeDecidedOnce(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, l := disputeWorld(t, s)
		d, err := svc.FileDispute(ctx, l.ID, "w1", engine.DisputeOwnership, "我先登记的")
		if err != nil {
			t.Fatal(err)
		}
		codes := make([]string, 2)
		var wg sync.WaitGroup
		for i, by := range []engine.RepID{"em", "wm"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v := engine.Approve
				if i == 1 {
					v = engine.Reject
				}
				_, err := svc.DecideDispute(ctx, d.ID, by, v, nil, "")
				codes[i] = engine.CodeOf(err)
				if err == nil {
					codes[i] = "ok"
				}
			}()
		}
		wg.Wait()
		if !(codes[0] == "ok" && codes[1] == "already_decided") && !(codes[1] == "ok" && codes[0] == "already_decided") {
			t.Errorf("two managers at once: %v, want one ok and one already_decided", codes)
		}
		history, _ := s.LeadEvents(ctx, l.ID)
		decided := 0
		for _, e := range history {
			if e.Event == engine.EventDecided {
				decided++
			}
		}
		if decided != 1 {
			t.Errorf("history has %d decided lines, want 1", decided)
		}
	})
}

func TestDisputeRulesAndEscalation(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode, p.ProtectExisting, p.DisputeEscalateAfter = engine.ModeAuto, 90*24*time.Hour, 48*time.Hour
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "e1", "east", engine.RoleRep, 2)
		putTeamRep(t, svc, "e2", "east", engine.RoleRep, 0)
		putTeamRep(t, svc, "em", "east", engine.RoleManager, 0)
		putTeamRep(t, svc, "wm", "west", engine.RoleManager, 0)
		in := lead("old", 100, 0.5)
		in.CustomerType = engine.CustomerExisting
		old, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil || old.Assignee != "e1" {
			t.Fatal(old.Assignee, err)
		}
		fresh, _, _ := svc.Intake(ctx, lead("fresh", 100, 0.5), engine.ActorAPI)
		pending(t, s, clock.Now())

		clock.Add(24 * time.Hour)
		d, err := svc.FileDispute(ctx, old.ID, "e2", engine.DisputeOwnership, "我的客户")
		if err != nil || d.Status != engine.DisputeAuto || !strings.Contains(d.Comment, "老客户保护期") {
			t.Errorf("dispute on a protected existing customer = %+v, %v; want settled by the rule", d, err)
		}
		if got := pending(t, s, clock.Now()); got["text>e2"] != 1 || got["dispute>em"] != 0 {
			t.Errorf("notices = %v, want the filer told and no manager asked", got)
		}

		open, err := svc.FileDispute(ctx, fresh.ID, "e2", engine.DisputeOwnership, "我的客户")
		if err != nil || open.Status != engine.DisputeOpen {
			t.Fatalf("dispute on a new customer = %+v, %v; want open", open, err)
		}
		pending(t, s, clock.Now())
		clock.Add(47 * time.Hour)
		if n, _ := svc.ScanDisputes(ctx); n != 0 {
			t.Errorf("escalated after 47h: %d notices", n)
		}
		clock.Add(2 * time.Hour)
		if n, err := svc.ScanDisputes(ctx); err != nil || n != 2 {
			t.Errorf("escalation after 49h = %d, %v; want every manager asked", n, err)
		}
		svc.ScanDisputes(ctx)
		if got := pending(t, s, clock.Now()); got["dispute>em"] != 1 || got["dispute>wm"] != 1 {
			t.Errorf("notices after escalation = %v, want one card to each manager", got)
		}
	})
}

func TestDisputeProposalCommentAndViews(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, l := disputeWorld(t, s)
		half := 0.5
		d, err := svc.FileDisputeSplit(ctx, l.ID, "w1", engine.DisputeCommission, "一起跟的单", &half)
		if err != nil || d.Proposed == nil || *d.Proposed != 0.5 {
			t.Fatalf("FileDisputeSplit = %+v, %v", d, err)
		}
		if _, err := svc.FileDisputeSplit(ctx, l.ID, "w1", engine.DisputeCommission, "x", ptr(1.5)); engine.FieldOf(err) != "proposed_split" {
			t.Errorf("a share over 1: err = %v, want proposed_split named", err)
		}
		if err := svc.NoteViewed(ctx, l.ID, "em"); err != nil {
			t.Fatal(err)
		}
		res, err := svc.DecideDispute(ctx, d.ID, "em", engine.Reject, nil, "没有证据")
		if err != nil || res.Dispute.Comment != "没有证据" {
			t.Fatalf("decide = %+v, %v", res.Dispute, err)
		}
		got, _ := s.Disputes(ctx, engine.DisputeFilter{LeadID: l.ID})
		if len(got) != 1 || got[0].Proposed == nil || got[0].Comment != "没有证据" {
			t.Errorf("stored dispute = %+v, want the proposal and the comment", got)
		}
		for _, action := range []string{"dispute.filed", "dispute.viewed", "dispute.decided"} {
			entries, _ := s.AuditEntries(ctx, action)
			if len(entries) == 0 || entries[0].Subject != d.ID.String() {
				t.Errorf("audit %s = %+v, want a line for %s", action, entries, d.ID)
			}
		}
	})
}

func ptr(v float64) *float64 { return &v }
