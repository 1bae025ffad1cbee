package engine

import (
	"fmt"
	"testing"
)

// benchRoster returns n reps in 20 teams with part of their capacity in
// use, and a history of 20 deals per rep drawn by syntheticDeals.
func benchRoster(n int) ([]Rep, *Knowledge) {
	reps := make([]Rep, n)
	for i := range reps {
		reps[i] = Rep{ID: RepID(fmt.Sprintf("r%d", i)), Name: fmt.Sprintf("rep %d", i),
			Team: fmt.Sprintf("t%d", i%20), Role: RoleRep, Active: true,
			Capacity: 10, OpenTasks: i % 10, Industries: []string{fmt.Sprintf("i%d", i%8)}}
	}
	deals := syntheticDeals(20*n, 5)
	for i := range deals {
		deals[i].RepID = reps[i%n].ID
	}
	return reps, Learn(deals, reps, loadHistory(100, -1, -0.05), LearnOptions{})
}

func BenchmarkRoute(b *testing.B) {
	lead := Lead{ExternalID: "crm-1", Tier: TierB, Profile: Profile{Industry: "i2",
		ProductLine: "p1", CustomerType: CustomerNew, CompanySize: 300, ExpectedAmount: 120_000}}
	for _, n := range []int{100, 1_000, 10_000} {
		reps, k := benchRoster(n)
		r, _ := NewValueRouter(DefaultValueOptions)
		r.SetKnowledge(k)
		b.Run(fmt.Sprintf("%s/reps=%d", ExpertiseValueLoadName, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := r.Route(lead, reps); d.RepID == "" {
					b.Fatal("nobody chosen")
				}
			}
		})
		b.Run(fmt.Sprintf("%s/reps=%d", LeastLoadedName, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				LeastLoaded{}.Route(lead, reps)
			}
		})
		// The baseline: the rotation, which reads each rep once.
		b.Run(fmt.Sprintf("%s/reps=%d", RoundRobinName, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				RoundRobin{}.Route(lead, reps)
			}
		})
	}
}
