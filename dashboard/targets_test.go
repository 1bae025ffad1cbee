package dashboard_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

type targetPart struct {
	RepID    string `json:"rep_id"`
	Name     string
	Amount   int64
	Done     float64
	Expected int64
	Share    float64
	Status   string
}

type targetReport struct {
	ID       string
	Team     string
	Metric   string
	Period   string
	Elapsed  float64
	FirstDay string `json:"first_day"`
	LastDay  string `json:"last_day"`
	Amount   int64
	Done     float64
	Expected int64
	Status   string
	Parts    []targetPart
}

// The targets panel reads each target in effect with its progress in
// the current week: a lead their team's, a manager every team's.
func TestTargets(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		l := e.intake("crm-1", "华东某医院")
		if l.Assignee != "r1" {
			t.Fatalf("seeding: L1 went to %q, want r1", l.Assignee)
		}
		e.putRep(engine.Rep{ID: "r2", Name: "李四", Team: "east", Role: engine.RoleRep,
			Capacity: 1, Active: true})
		for _, in := range []engine.TargetInput{
			{Team: "east", Period: engine.PeriodWeek, Metric: engine.MetricTouches, Amount: 10},
			{Team: "west", Period: engine.PeriodWeek, Metric: engine.MetricTouches, Amount: 4},
		} {
			if _, err := e.svc.PutTarget(ctx, in, "m1"); err != nil {
				t.Fatalf("put target of %s: %v", in.Team, err)
			}
		}
		// Two touches by r1: the acceptance and one progress update.
		if _, err := e.svc.Accept(ctx, l.ID, "r1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Progress(ctx, l.ID, "r1", 30, "报价已发"); err != nil {
			t.Fatal(err)
		}
		// Tuesday 1 December 02:00 to Thursday 3 December 12:00 UTC:
		// half of the week from Monday 30 November has passed.
		e.clock.Add(58 * time.Hour)

		lead, _ := e.client("l1")
		var got []targetReport
		if code := e.get(lead, "/dashboard/api/targets", &got); code != http.StatusOK {
			t.Fatalf("targets = %d", code)
		}
		if len(got) != 1 || got[0].Team != "east" {
			t.Fatalf("east lead's targets = %+v, want east's alone", got)
		}
		east := got[0]
		// 10 split evenly over r1 and r2 is 5 each; halfway through,
		// 5 is expected of the team and 2 of each rep.
		if east.Metric != "touches" || east.Period != "week" || east.Elapsed != 0.5 ||
			east.FirstDay != "2026-11-30" || east.LastDay != "2026-12-06" ||
			east.Amount != 10 || east.Done != 2 || east.Expected != 5 || east.Status != "behind" {
			t.Errorf("east = %+v, want 2 of 10 touches in 30 November to 6 December, 5 expected, behind", east)
		}
		want := []targetPart{
			{RepID: "r1", Name: "张三", Amount: 5, Done: 2, Expected: 2, Share: 0.4,
				Status: "on_track"},
			{RepID: "r2", Name: "李四", Amount: 5, Done: 0, Expected: 2, Share: 0,
				Status: "behind"},
		}
		if len(east.Parts) != len(want) {
			t.Fatalf("east parts = %+v, want %+v", east.Parts, want)
		}
		for i := range want {
			if east.Parts[i] != want[i] {
				t.Errorf("east part %d = %+v, want %+v", i, east.Parts[i], want[i])
			}
		}

		manager, _ := e.client("m1")
		e.get(manager, "/dashboard/api/targets", &got)
		if len(got) != 2 || got[0].Team != "east" || got[1].Team != "west" {
			t.Fatalf("manager's targets = %+v, want east's and west's", got)
		}
		west := got[1]
		if west.Amount != 4 || west.Done != 0 || west.Expected != 2 || west.Status != "behind" ||
			len(west.Parts) != 1 || west.Parts[0].RepID != "r3" || west.Parts[0].Amount != 4 {
			t.Errorf("west = %+v, want r3 with 0 of 4, 2 expected, behind", west)
		}

		e.putRep(engine.Rep{ID: "l2", Name: "周组长", Team: "west", Role: engine.RoleLead,
			Active: true})
		other, _ := e.client("l2")
		e.get(other, "/dashboard/api/targets", &got)
		if len(got) != 1 || got[0].Team != "west" {
			t.Errorf("west lead's targets = %+v, want west's alone", got)
		}
	})
}
