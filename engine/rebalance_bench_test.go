package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// rebalanceFixture returns nReps reps in three levels and four regions
// (a fifth covering all), 50 of them telesales and 30 reserve, holding
// nLeads open leads between them so that about one rep in six is over
// capacity; and knowledge learned from 20 deals per rep.
func rebalanceFixture(nReps, nLeads int) ([]Lead, []Rep, *Knowledge) {
	rng := rand.New(rand.NewPCG(7, 1))
	regions := []string{"华北", "华东", "华南", "西部"}
	levels := []string{"junior", "mid", "senior"}
	reps := make([]Rep, nReps)
	for i := range reps {
		r := Rep{ID: RepID(fmt.Sprintf("r%04d", i)), Team: fmt.Sprintf("t%d", i%20),
			Role: RoleRep, Active: true, Level: levels[i%3], Capacity: 8 + i%8}
		if i%5 != 0 {
			r.Regions = []string{regions[i%4]}
		}
		switch {
		case i < 50:
			r.Team = "telesales"
		case i < 80:
			r.Level = "reserve"
		}
		reps[i] = r
	}

	deals := syntheticDeals(20*nReps, 5)
	for i := range deals {
		deals[i].RepID = reps[i%nReps].ID
	}
	k := Learn(deals, reps, nil, LearnOptions{})

	tiers := []Tier{TierA, TierB, TierB, TierC, TierC}
	leads := make([]Lead, nLeads)
	for i := range leads {
		// One rep in six draws from a bigger share, so that it ends up
		// over capacity.
		ri := rng.IntN(nReps)
		if rng.IntN(4) == 0 {
			ri = rng.IntN(nReps/6) * 6
		}
		r := &reps[ri]
		leads[i] = Lead{ID: LeadID(i + 1), Status: StatusAssigned, Assignee: r.ID,
			Tier: tiers[i%len(tiers)], Profile: deals[i%len(deals)].Profile,
			Progress: rng.IntN(100)}
		leads[i].Region = regions[rng.IntN(len(regions))]
		if len(r.Regions) > 0 {
			leads[i].Region = r.Regions[0]
		}
		r.OpenTasks++
	}
	return leads, reps, k
}

func BenchmarkPlanRebalance(b *testing.B) {
	leads, reps, k := rebalanceFixture(1_000, 10_000)
	o := RebalanceOptions{ReserveLevel: "reserve", TelesalesTeam: "telesales"}
	for _, c := range []struct {
		name string
		k    *Knowledge
	}{{"load", nil}, {"knowledge", k}} {
		name := fmt.Sprintf("%s/reps=%d/leads=%d", c.name, len(reps), len(leads))
		b.Run(name, func(b *testing.B) {
			var p Plan
			for b.Loop() {
				p = PlanRebalance(leads, reps, c.k, o)
			}
			if len(p.Moves) == 0 {
				b.Fatal("no moves planned")
			}
			b.ReportMetric(float64(len(p.Moves)), "moves")
			b.ReportMetric(float64(p.Overloaded), "overloaded")
			b.ReportMetric(float64(p.Unresolved), "unresolved")
		})
	}
}
