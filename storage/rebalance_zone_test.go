package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// A rebalance applies the policy's time zone rule: a's surplus Shanghai
// lead goes to the Shanghai rep of another level, not to the peer in New
// York who shares no working time with the customer in winter; with the
// rule off it goes to the peer.
func TestRebalanceKeepsToTimeZones(t *testing.T) {
	for _, tt := range []struct {
		name string
		min  time.Duration
		want engine.RepID
	}{{"rule on", 2 * time.Hour, "sh"}, {"rule off", 0, "ny"}} {
		t.Run(tt.name, func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				testRebalanceKeepsToTimeZones(t, s, tt.min, tt.want)
			})
		})
	}
}

func testRebalanceKeepsToTimeZones(t *testing.T, s *storage.Store, min time.Duration,
	want engine.RepID) {
	ctx := context.Background()
	svc, clock := zoneService(t, s, engine.ModeAuto, engine.RoundRobin{}, winterDay, min)
	put := func(id, level, tz string, capacity int) {
		t.Helper()
		r := engine.Rep{ID: engine.RepID(id), Name: id, Role: engine.RoleRep, Team: "t",
			Level: level, Capacity: capacity, Active: true, Timezone: tz}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatalf("PutRep(%s): %v", id, err)
		}
	}
	put("a", "mid", "Asia/Shanghai", 2)
	for i := range 2 {
		clock.Add(time.Minute)
		l, _, err := svc.Intake(ctx, zoneLead(fmt.Sprint("cn-", i), "Asia/Shanghai", ""),
			engine.ActorAPI)
		if err != nil || l.Assignee != "a" {
			t.Fatalf("Intake = %s, %v; want it assigned to a", l.Assignee, err)
		}
	}
	put("a", "mid", "Asia/Shanghai", 1)
	put("ny", "mid", "America/New_York", 5)
	put("sh", "senior", "Asia/Shanghai", 5)

	plan, err := svc.Rebalance(ctx, engine.RebalanceOptions{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Applied != 1 || len(plan.Moves) != 1 || plan.Moves[0].To != want {
		t.Errorf("Rebalance = %+v, want one move applied, to %s", plan, want)
	}
}
