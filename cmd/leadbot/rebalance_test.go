package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestRebalanceCommand(t *testing.T) {
	for _, driver := range storagetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			opts := storagetest.Options(t, driver)
			t.Setenv("LEADBOT_DATABASE_DRIVER", opts.Driver)
			t.Setenv("LEADBOT_DATABASE_DSN", opts.DSN)
			svc := seedOverloaded(t, opts)
			ctx := context.Background()

			code, out, errOut := runCmd(t, "rebalance", "--dry-run")
			if code != 0 || !strings.Contains(out, "dry run: 3 moves planned, 1 reps overloaded") {
				t.Fatalf("rebalance --dry-run = %d\n%s\n%s", code, out, errOut)
			}
			if got := openTasks(t, svc); got["a"] != 4 || got["b"]+got["c"] != 0 {
				t.Errorf("after dry run open tasks = %v, want a 4 and b, c none", got)
			}

			code, out, errOut = runCmd(t, "rebalance")
			if code != 0 || !strings.Contains(out, "moved 3 of 3 planned, 0 skipped") ||
				!strings.Contains(out, "负载均衡") {
				t.Fatalf("rebalance = %d\n%s\n%s", code, out, errOut)
			}
			got := openTasks(t, svc)
			if got["a"] != 1 || got["b"]+got["c"] != 3 || got["b"] == 0 || got["c"] == 0 {
				t.Errorf("after rebalance open tasks = %v, want a 1 and 3 spread over b and c", got)
			}
			leads, err := svc.Leads(ctx, engine.LeadFilter{Status: engine.StatusAssigned})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range leads {
				if l.Assignee == "a" {
					continue
				}
				own, err := svc.Store().Ownerships(ctx, l.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(own) != 2 || own[0].EndedAt == nil || own[1].RepID != l.Assignee ||
					own[1].How != engine.EventTransferred {
					t.Errorf("ownerships of %s = %+v, want a ended and %s by transfer",
						l.ID, own, l.Assignee)
				}
			}

			code, out, _ = runCmd(t, "rebalance")
			if code != 0 || !strings.Contains(out, "moved 0 of 0 planned") {
				t.Errorf("second rebalance = %d %q, want nothing to move", code, out)
			}
		})
	}
}

func TestRebalanceCommandErrors(t *testing.T) {
	t.Setenv("LEADBOT_DATABASE_DSN", t.TempDir()+"/x.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad overload", []string{"rebalance", "--overload", "-1"}, "overload"},
		{"extra argument", []string{"rebalance", "now"}, `unexpected argument "now"`},
		{"bad flag", []string{"rebalance", "--frob"}, "frob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("leadbot %s = %d %q, want failure mentioning %q",
					strings.Join(tt.args, " "), code, errOut, tt.want)
			}
		})
	}
}

// seedOverloaded leaves rep a holding four leads at capacity 1, with
// peers b and c empty, and returns a service on the same database.
func seedOverloaded(t *testing.T, opts storage.Options) *engine.Service {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	policy := engine.DefaultPolicy
	policy.Mode = engine.ModeAuto
	svc := engine.NewService(engine.Deps{Store: store, Policy: policy})

	rep := func(id string, capacity int) engine.Rep {
		return engine.Rep{ID: engine.RepID(id), Name: id, Role: engine.RoleRep, Level: "senior",
			Team: "east", Capacity: capacity, Active: true}
	}
	put := func(r engine.Rep) {
		t.Helper()
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatalf("PutRep(%s): %v", r.ID, err)
		}
	}
	put(rep("a", 5))
	for i := range 4 {
		in := engine.LeadInput{ExternalID: fmt.Sprint("crm-", i),
			Profile: engine.Profile{Company: fmt.Sprint("公司", i)}}
		if l, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil || l.Assignee != "a" {
			t.Fatalf("Intake(%s) = %s, %v; want assigned to a", in.ExternalID, l.Assignee, err)
		}
	}
	put(rep("a", 1))
	put(rep("b", 5))
	put(rep("c", 5))
	return svc
}

func openTasks(t *testing.T, svc *engine.Service) map[engine.RepID]int {
	t.Helper()
	reps, err := svc.Reps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[engine.RepID]int{}
	for _, r := range reps {
		out[r.ID] = r.OpenTasks
	}
	return out
}

// racingStore runs before ahead of the next transaction, as another
// request would between planning and applying.
type racingStore struct {
	engine.Store
	before func()
}

func (s *racingStore) Update(ctx context.Context, fn func(tx engine.Tx) error) error {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	return s.Store.Update(ctx, fn)
}

func TestRebalanceSkipsChangedLead(t *testing.T) {
	for _, driver := range storagetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			svc := seedOverloaded(t, storagetest.Options(t, driver))
			racing := &racingStore{Store: svc.Store()}
			rb := engine.NewService(engine.Deps{Store: racing})

			plan, err := rb.Rebalance(ctx, engine.RebalanceOptions{}, true)
			if err != nil || len(plan.Moves) != 3 {
				t.Fatalf("dry run = %+v, %v; want 3 moves", plan, err)
			}
			first := plan.Moves[0].LeadID
			racing.before = func() {
				if _, err := svc.Release(ctx, first, "a"); err != nil {
					t.Errorf("Release(%s): %v", first, err)
				}
			}

			plan, err = rb.Rebalance(ctx, engine.RebalanceOptions{}, false)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Applied != 2 || !strings.Contains(plan.Moves[0].Skipped, "changed hands") {
				t.Errorf("Rebalance = %d applied, first skipped %q; want 2 and %s skipped",
					plan.Applied, plan.Moves[0].Skipped, first)
			}
			if got := openTasks(t, svc); got["a"] != 1 {
				t.Errorf("open tasks = %v, want a 1", got)
			}
		})
	}
}
