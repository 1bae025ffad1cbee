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

func newService(t *testing.T, s *storage.Store, mode engine.Mode) (*engine.Service, *enginetest.Clock) {
	t.Helper()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = mode
	return engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p}), clock
}

func putRep(t *testing.T, svc *engine.Service, id string, capacity int) {
	t.Helper()
	r := engine.Rep{ID: engine.RepID(id), Name: "rep " + id, Role: engine.RoleRep,
		Team: "east", Capacity: capacity, Active: true}
	if _, err := svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
		t.Fatalf("PutRep(%s): %v", id, err)
	}
}

func lead(ext string, amount, prob float64) engine.LeadInput {
	return engine.LeadInput{ExternalID: ext, Profile: engine.Profile{
		Company: "company " + ext, ExpectedAmount: amount, CloseProbability: &prob}}
}

func TestRoundRobinStandbyAndDrain(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := newService(t, s, engine.ModeAuto)
		putRep(t, svc, "r1", 1)
		putRep(t, svc, "r2", 1)

		var got []engine.Lead
		for i := range 3 {
			clock.Add(time.Minute)
			l, created, err := svc.Intake(ctx, lead(fmt.Sprint("ext-", i), 1000, 0.1), engine.ActorAPI)
			if err != nil || !created {
				t.Fatalf("Intake(ext-%d) = created %t, %v", i, created, err)
			}
			got = append(got, l)
		}
		// The first lead is a tie, drawn at random by the lead; the
		// second goes to the other rep, who has waited longer.
		first, second := engine.RepID("r1"), engine.RepID("r2")
		if got[0].Assignee == "r2" {
			first, second = second, first
		}
		want := []struct {
			status   engine.Status
			assignee engine.RepID
		}{{engine.StatusAssigned, first}, {engine.StatusAssigned, second}, {engine.StatusStandby, ""}}
		for i, w := range want {
			if got[i].Status != w.status || got[i].Assignee != w.assignee {
				t.Errorf("lead %d = %s/%q, want %s/%q", i, got[i].Status, got[i].Assignee, w.status, w.assignee)
			}
		}

		if _, err := svc.RecordOutcome(ctx, got[0].ID, engine.Won, nil, engine.ActorAPI); err != nil {
			t.Fatalf("RecordOutcome: %v", err)
		}
		drained, err := svc.Lead(ctx, got[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		if drained.Status != engine.StatusAssigned || drained.Assignee != first {
			t.Errorf("standby lead after %s freed up = %s/%q, want assigned/%s",
				first, drained.Status, drained.Assignee, first)
		}
		r1, err := s.Rep(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if r1.OpenTasks != 1 {
			t.Errorf("%s open tasks = %d, want 1", first, r1.OpenTasks)
		}
	})
}

func TestIntakeIsIdempotent(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s, engine.ModePool)
		first, created, err := svc.Intake(ctx, lead("crm-1", 5000, 0.5), engine.ActorAPI)
		if err != nil || !created {
			t.Fatalf("first Intake = %t, %v", created, err)
		}
		again, created, err := svc.Intake(ctx, lead("crm-1", 9999, 0.9), engine.ActorAPI)
		if err != nil || created {
			t.Fatalf("second Intake = created %t, %v; want existing", created, err)
		}
		if again.ID != first.ID || again.ExpectedAmount != 5000 {
			t.Errorf("second Intake = %s amount %v, want %s amount 5000", again.ID, again.ExpectedAmount, first.ID)
		}
	})
}

func TestConcurrentIntakeOfOneExternalID(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s, engine.ModePool)
		var wg sync.WaitGroup
		ids := make(chan engine.LeadID, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, _, err := svc.Intake(ctx, lead("same", 100, 0.5), engine.ActorAPI)
				if err != nil {
					t.Errorf("Intake: %v", err)
					return
				}
				ids <- l.ID
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[engine.LeadID]bool{}
		for id := range ids {
			seen[id] = true
		}
		all, err := svc.Leads(ctx, engine.LeadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || len(all) != 1 {
			t.Errorf("20 concurrent intakes of one external id gave ids %v and %d leads, want 1 and 1", seen, len(all))
		}
	})
}

func TestDataSurvivesReopen(t *testing.T) {
	for _, driver := range storagetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			opts := storagetest.Options(t, driver)
			s, err := storage.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			svc, _ := newService(t, s, engine.ModeAuto)
			putRep(t, svc, "r1", 3)
			l, _, err := svc.Intake(ctx, lead("keep", 100, 0.5), engine.ActorAPI)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()

			s, err = storage.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			got, err := s.Lead(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Assignee != "r1" || got.ExternalID != "keep" || got.Decision == nil {
				t.Errorf("lead after reopen = %+v, want the stored lead with its decision", got)
			}
			events, err := s.LeadEvents(ctx, l.ID)
			if err != nil || len(events) != 2 {
				t.Errorf("history after reopen = %d events, %v; want 2", len(events), err)
			}
		})
	}
}

func TestChatUserIDsAreUnique(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s, engine.ModePool)
		a := engine.Rep{ID: "a", Name: "A", Role: engine.RoleRep, Capacity: 1, Active: true, WeComUserID: "zhangsan"}
		if _, err := svc.PutRep(ctx, a, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		b := a
		b.ID = "b"
		_, err := svc.PutRep(ctx, b, engine.ActorAPI)
		if engine.CodeOf(err) != "chat_user_taken" {
			t.Errorf("second rep with wecom_userid zhangsan: err = %v, want chat_user_taken", err)
		}
		a.WeComUserID = ""
		a.Name = "A again"
		if _, err := svc.PutRep(ctx, a, engine.ActorAPI); err != nil {
			t.Errorf("replace rep a: %v", err)
		}
		if _, err := svc.PutRep(ctx, b, engine.ActorAPI); err != nil {
			t.Errorf("rep b after a let the id go: %v", err)
		}
	})
}

func TestDisputesFilterAndOrder(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		at := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
		err := s.Update(ctx, func(tx engine.Tx) error {
			for i, st := range []engine.DisputeStatus{engine.DisputeOpen, engine.DisputeApproved, engine.DisputeOpen} {
				d := engine.Dispute{LeadID: engine.LeadID(1 + i%2), Kind: engine.DisputeOwnership, Status: st,
					FiledBy: "r2", Against: "r1", Reason: "我三月就登记过这个客户", FiledAt: at}
				if _, err := tx.InsertDispute(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    engine.DisputeFilter
			want string
		}{
			{"all, newest first", engine.DisputeFilter{}, "D3 D2 D1"},
			{"open", engine.DisputeFilter{Status: engine.DisputeOpen}, "D3 D1"},
			{"by lead", engine.DisputeFilter{LeadID: 2}, "D2"},
		}
		for _, tt := range tests {
			got, err := s.Disputes(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range got {
				ids = append(ids, d.ID.String())
			}
			if g := fmt.Sprint(ids); g != "["+tt.want+"]" {
				t.Errorf("%s: Disputes = %s, want [%s]", tt.name, g, tt.want)
			}
		}
	})
}

func TestReplaceRepKeepsLoad(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := newService(t, s, engine.ModeAuto)
		putRep(t, svc, "r1", 3)
		if _, _, err := svc.Intake(ctx, lead("x", 10, 0.5), engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Rep(ctx, "r1")
		clock.Add(time.Hour)
		r := engine.Rep{ID: "r1", Name: "新名字", Role: engine.RoleLead, Capacity: 1,
			Industries: []string{"medical"}, Active: false}
		got, err := svc.PutRep(ctx, r, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "新名字" || got.Role != engine.RoleLead || got.Active || got.Capacity != 1 ||
			fmt.Sprint(got.Industries) != "[medical]" {
			t.Errorf("replaced rep = %+v, want the new profile", got)
		}
		if got.OpenTasks != 1 || !got.CreatedAt.Equal(before.CreatedAt) || !got.LastAssignedAt.Equal(before.LastAssignedAt) {
			t.Errorf("replace lost Leadbot's own columns: got open %d created %s last %s, want 1 %s %s",
				got.OpenTasks, got.CreatedAt, got.LastAssignedAt, before.CreatedAt, before.LastAssignedAt)
		}
	})
}
