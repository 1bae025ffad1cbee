package storage_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func putTeamRep(t *testing.T, svc *engine.Service, id, team string, role engine.Role, capacity int) {
	t.Helper()
	r := engine.Rep{ID: engine.RepID(id), Name: "name " + id, Role: role, Team: team, Capacity: capacity, Active: true}
	if _, err := svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
		t.Fatalf("PutRep(%s): %v", id, err)
	}
}

// pending returns the kinds and recipients of the notices waiting.
func pending(t *testing.T, s *storage.Store, now time.Time) map[string]int {
	t.Helper()
	items, err := s.ClaimNotices(context.Background(), now.Add(time.Hour), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, it := range items {
		out[string(it.Kind)+">"+string(it.To)]++
		if err := s.CompleteNotice(context.Background(), it.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestFollowUpRules(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := newService(t, s, engine.ModePool)
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 2)
		putTeamRep(t, svc, "b", "east", engine.RoleRep, 1)
		putTeamRep(t, svc, "boss", "east", engine.RoleManager, 0)
		putTeamRep(t, svc, "x", "west", engine.RoleRep, 1)

		l, _, err := svc.Intake(ctx, lead("f-1", 100, 0.5), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if got := pending(t, s, clock.Now()); got["pool>a"] != 1 || got["pool>b"] != 1 || got["pool>boss"] != 0 {
			t.Errorf("notices after pooled intake = %v, want pool cards to a and b, none to the manager", got)
		}
		clock.Add(time.Minute)
		if _, err := svc.Claim(ctx, l.ID, "a", engine.Actor("a")); err != nil {
			t.Fatal(err)
		}
		if got := pending(t, s, clock.Now()); got["assigned>a"] != 1 || got["lead_changed>"] != 1 {
			t.Errorf("notices after claim = %v, want an assignment card to a and a card update", got)
		}

		steps := []struct {
			name string
			do   func() error
			code string
		}{
			{"accept", func() error { _, err := svc.Accept(ctx, l.ID, "a"); return err }, ""},
			{"accept twice", func() error { _, err := svc.Accept(ctx, l.ID, "a"); return err }, "already_accepted"},
			{"progress by stranger", func() error { _, err := svc.Progress(ctx, l.ID, "x", 10, ""); return err }, "not_owner"},
			{"progress over 100", func() error { _, err := svc.Progress(ctx, l.ID, "a", 140, ""); return err }, "out_of_range"},
			{"progress", func() error { _, err := svc.Progress(ctx, l.ID, "a", 40, "demo booked"); return err }, ""},
			{"unknown user", func() error { _, err := svc.Progress(ctx, l.ID, "ghost", 1, ""); return err }, "unknown_user"},
			{"transfer to other team's full rep", func() error {
				_, err := svc.Transfer(ctx, l.ID, "a", "nobody")
				return err
			}, "unknown_rep"},
			{"own dispute", func() error {
				_, err := svc.FileDispute(ctx, l.ID, "a", engine.DisputeOwnership, "mine")
				return err
			}, "own_lead"},
			{"dispute without reason", func() error {
				_, err := svc.FileDispute(ctx, l.ID, "b", engine.DisputeOwnership, " ")
				return err
			}, "missing_field"},
			{"manager transfers to b", func() error { _, err := svc.Transfer(ctx, l.ID, "boss", "b"); return err }, ""},
			{"old owner can no longer release", func() error { _, err := svc.Release(ctx, l.ID, "a"); return err }, "not_owner"},
			{"b releases", func() error { _, err := svc.Release(ctx, l.ID, "b"); return err }, ""},
			{"release again", func() error { _, err := svc.Release(ctx, l.ID, "b"); return err }, "not_assigned"},
		}
		for _, st := range steps {
			clock.Add(time.Minute)
			if err := st.do(); engine.CodeOf(err) != st.code && !(st.code == "" && err == nil) {
				t.Errorf("%s: err = %v (code %s), want code %q", st.name, err, engine.CodeOf(err), st.code)
			}
		}

		got, err := s.Lead(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != engine.StatusPool || got.Assignee != "" || got.Progress != 0 || got.AcceptedAt != nil {
			t.Errorf("lead after release = %s %q progress %d accepted %v, want a fresh pooled lead",
				got.Status, got.Assignee, got.Progress, got.AcceptedAt)
		}
		reps, _ := s.Reps(ctx)
		for _, r := range reps {
			if r.OpenTasks != 0 {
				t.Errorf("rep %s holds %d open tasks after the release, want 0", r.ID, r.OpenTasks)
			}
		}
		owners, _ := s.Ownerships(ctx, l.ID)
		if len(owners) != 2 || owners[0].RepID != "a" || owners[1].RepID != "b" || owners[1].How != engine.EventTransferred {
			t.Errorf("ownerships = %+v, want a (claimed) then b (transferred), both ended", owners)
		}
		if n := pending(t, s, clock.Now()); n["pool>a"] != 1 || n["pool>b"] != 0 {
			t.Errorf("notices after b released = %v, want a pool card to a and none to b", n)
		}
	})
}

func TestDisputeNotifiesBothTeamsManagers(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := newService(t, s, engine.ModeAuto)
		putTeamRep(t, svc, "e1", "east", engine.RoleRep, 1)
		putTeamRep(t, svc, "w1", "west", engine.RoleRep, 0)
		putTeamRep(t, svc, "em", "east", engine.RoleManager, 0)
		putTeamRep(t, svc, "wm", "west", engine.RoleManager, 0)
		putTeamRep(t, svc, "nm", "north", engine.RoleManager, 0)
		l, _, err := svc.Intake(ctx, lead("d-1", 100, 0.5), engine.ActorAPI)
		if err != nil || l.Assignee != "e1" {
			t.Fatalf("intake = %s, %v; want assigned to e1", l.Assignee, err)
		}
		pending(t, s, clock.Now())
		d, err := svc.FileDispute(ctx, l.ID, "w1", engine.DisputeCrossRegion, "我三月就登记过这个客户")
		if err != nil {
			t.Fatal(err)
		}
		if d.Against != "e1" || d.Status != engine.DisputeOpen {
			t.Errorf("dispute = %+v, want open against e1", d)
		}
		if got := pending(t, s, clock.Now()); got["dispute>em"] != 1 || got["dispute>wm"] != 1 || got["dispute>nm"] != 0 {
			t.Errorf("notices = %v, want the east and west managers asked, not north", got)
		}
		list, _ := svc.Disputes(ctx, engine.DisputeFilter{LeadID: l.ID})
		if len(list) != 1 || list[0].ID != d.ID {
			t.Errorf("disputes of %s = %+v, want %s", l.ID, list, d.ID)
		}
	})
}

// Of several senders leasing the same notices at once, each notice goes
// to exactly one.
func TestNoticeLeaseIsExclusive(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		err := s.Update(ctx, func(tx engine.Tx) error {
			var ns []engine.Notice
			for i := range 50 {
				ns = append(ns, engine.Notice{Key: "k" + string(rune('A'+i)), Kind: engine.NoticeText,
					LeadID: 1, To: "r1", At: now})
			}
			ns = append(ns, ns[0]) // written twice, stored once
			return tx.Enqueue(ctx, ns...)
		})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				items, err := s.ClaimNotices(ctx, now, time.Minute, 100)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, it := range items {
					seen[it.ID]++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(seen) != 50 {
			t.Errorf("leased %d distinct notices, want 50", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("notice %d leased %d times", id, n)
			}
		}
		again, _ := s.ClaimNotices(ctx, now.Add(30*time.Second), time.Minute, 100)
		later, _ := s.ClaimNotices(ctx, now.Add(2*time.Minute), time.Minute, 100)
		if len(again) != 0 || len(later) != 50 {
			t.Errorf("during the lease %d, after it %d notices; want 0 and 50", len(again), len(later))
		}
	})
}

func TestTransferApproval(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode, p.TransferApproval = engine.ModeAuto, true
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 1)
		putTeamRep(t, svc, "b", "east", engine.RoleRep, 1)
		putTeamRep(t, svc, "lead", "east", engine.RoleLead, 0)
		putTeamRep(t, svc, "w", "west", engine.RoleLead, 0)
		l, _, err := svc.Intake(ctx, lead("t-1", 100, 0.5), engine.ActorAPI)
		if err != nil || l.Assignee != "a" {
			t.Fatalf("intake = %q, %v; want a", l.Assignee, err)
		}
		pending(t, s, clock.Now())

		res, err := svc.Transfer(ctx, l.ID, "a", "b")
		if err != nil || res.Pending == nil || len(res.Approvers) != 1 || res.Approvers[0].ID != "lead" {
			t.Fatalf("Transfer by a rep = %+v, %v; want a request waiting for the east lead", res, err)
		}
		if got := pending(t, s, clock.Now()); got["transfer>lead"] != 1 {
			t.Errorf("notices = %v, want an approval card to the east lead", got)
		}
		if got, _ := s.Lead(ctx, l.ID); got.Assignee != "a" {
			t.Errorf("lead moved to %q before approval", got.Assignee)
		}
		id := res.Pending.ID
		if _, err := svc.DecideTransfer(ctx, id, "b", true); engine.CodeOf(err) != "not_approver" {
			t.Errorf("a rep decided: %v, want not_approver", err)
		}
		if _, err := svc.DecideTransfer(ctx, id, "w", true); engine.CodeOf(err) != "not_approver" {
			t.Errorf("another team's lead decided: %v, want not_approver", err)
		}
		clock.Add(time.Minute)
		req, err := svc.DecideTransfer(ctx, id, "lead", true)
		if err != nil || req.Status != engine.TransferApproved || req.DecidedBy != "lead" {
			t.Fatalf("approve = %+v, %v", req, err)
		}
		if _, err := svc.DecideTransfer(ctx, id, "lead", false); engine.CodeOf(err) != "already_decided" {
			t.Errorf("second decision: %v, want already_decided", err)
		}
		got, _ := s.Lead(ctx, l.ID)
		if got.Assignee != "b" {
			t.Errorf("after approval the lead is %q's, want b's", got.Assignee)
		}
		if n := pending(t, s, clock.Now()); n["text>a"] != 1 || n["assigned>b"] != 1 {
			t.Errorf("notices after approval = %v, want a told and b an assignment card", n)
		}

		clock.Add(time.Minute)
		res, err = svc.Transfer(ctx, l.ID, "b", "a")
		if err != nil || res.Pending == nil {
			t.Fatal(res, err)
		}
		if _, err := svc.DecideTransfer(ctx, res.Pending.ID, "lead", false); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Lead(ctx, l.ID); got.Assignee != "b" {
			t.Errorf("after a rejection the lead is %q's, want still b's", got.Assignee)
		}
		direct, err := svc.Transfer(ctx, l.ID, "lead", "a")
		if err != nil || direct.Pending != nil || direct.Lead.Assignee != "a" {
			t.Errorf("a lead's own transfer = %+v, %v; want done at once", direct, err)
		}
	})
}

func TestPoolRules(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode, p.ClaimsPerDay, p.ReclaimCooldown = engine.ModePool, 2, time.Hour
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 5)
		var ids []engine.LeadID
		for i := range 4 {
			l, _, err := svc.Intake(ctx, lead(fmt.Sprint("p-", i), 100, 0.5), engine.ActorAPI)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		claim := func(i int) string {
			clock.Add(time.Minute)
			_, err := svc.Claim(ctx, ids[i], "a", "a")
			return engine.CodeOf(err)
		}
		release := func(i int) {
			clock.Add(time.Minute)
			if _, err := svc.Release(ctx, ids[i], "a"); err != nil {
				t.Fatal(err)
			}
		}
		if c := claim(0); c != "" {
			t.Fatalf("first claim: %s", c)
		}
		release(0)
		if c := claim(0); c != "reclaim_cooldown" {
			t.Errorf("claim back within the cool-down: code %s, want reclaim_cooldown", c)
		}
		if c := claim(1); c != "" {
			t.Errorf("second claim of the day: code %s, want success", c)
		}
		if c := claim(2); c != "claim_limit" {
			t.Errorf("third claim of the day: code %s, want claim_limit", c)
		}
		clock.Add(24 * time.Hour)
		if c := claim(0); c != "" {
			t.Errorf("claim back the next day: code %s, want success", c)
		}
	})
}

func TestLoadWarningAtEightyPercent(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := newService(t, s, engine.ModeAuto)
		putRep(t, svc, "r1", 5)
		putTeamRep(t, svc, "tl", "east", engine.RoleLead, 0)
		for i := range 5 {
			if _, _, err := svc.Intake(ctx, lead(fmt.Sprint("w-", i), 100, 0.5), engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		warnings, err := s.AuditEntries(ctx, "rep.load_warning")
		if err != nil {
			t.Fatal(err)
		}
		if len(warnings) != 1 || warnings[0].Subject != "r1" || warnings[0].Detail != "4 of 5 open tasks" {
			t.Errorf("load warnings = %+v, want one for r1 at 4 of 5", warnings)
		}
		if got := pending(t, s, clock.Now()); got["text>tl"] != 1 {
			t.Errorf("notices = %v, want the team lead alerted once", got)
		}
	})
}

// A new lead for a customer someone already works goes to that owner.
func TestDuplicateLeadsAttachToOwner(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s, engine.ModePool)
		putTeamRep(t, svc, "a", "east", engine.RoleRep, 2)
		putTeamRep(t, svc, "b", "east", engine.RoleRep, 2)
		in := func(ext, company, phone string) engine.LeadInput {
			return engine.LeadInput{ExternalID: ext, Profile: engine.Profile{Company: company,
				Contact: engine.Contact{Phone: phone}}}
		}
		first, _, err := svc.Intake(ctx, in("1", "甲医院", "13800000000"), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Claim(ctx, first.ID, "b", "b"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			ext, company, phone string
			status              engine.Status
			owner               engine.RepID
		}{
			{"2", "甲医院", "", engine.StatusAssigned, "b"},
			{"3", "甲医院分院", "13800000000", engine.StatusPool, ""}, // b is full now
			{"4", "乙公司", "", engine.StatusPool, ""},
		}
		for _, tt := range tests {
			l, _, err := svc.Intake(ctx, in(tt.ext, tt.company, tt.phone), engine.ActorAPI)
			if err != nil {
				t.Fatal(err)
			}
			if l.Status != tt.status || l.Assignee != tt.owner {
				t.Errorf("lead %s (%s) = %s %q, want %s %q", tt.ext, tt.company, l.Status, l.Assignee, tt.status, tt.owner)
			}
			if tt.owner != "" && (l.Decision.Strategy != "duplicate" || !strings.Contains(l.Decision.Reasons[0], first.ID.String())) {
				t.Errorf("lead %s decision = %+v, want the duplicate rule naming %s", tt.ext, l.Decision, first.ID)
			}
		}
	})
}

// An away rep gets nothing; on return the waiting leads come a few at a
// time, not the whole backlog at once.
func TestAwayAndReturn(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s, engine.ModeAuto)
		r := engine.Rep{ID: "r1", Name: "张三", Role: engine.RoleRep, Team: "east", Capacity: 10, Active: true, Away: true}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			l, _, err := svc.Intake(ctx, lead(fmt.Sprint("away-", i), 100, 0.5), engine.ActorAPI)
			if err != nil || l.Status != engine.StatusStandby {
				t.Fatalf("lead %d while the only rep is away = %s, %v; want standby", i, l.Status, err)
			}
		}
		r.Away = false
		back, err := svc.PutRep(ctx, r, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if back.OpenTasks != 3 {
			t.Errorf("on return the rep holds %d, want 3 (the rest wait for the next drain)", back.OpenTasks)
		}
		if err := svc.DrainStandby(ctx); err != nil {
			t.Fatal(err)
		}
		if later, _ := s.Rep(ctx, "r1"); later.OpenTasks != 6 {
			t.Errorf("after the next drain the rep holds %d, want all 6", later.OpenTasks)
		}
	})
}
