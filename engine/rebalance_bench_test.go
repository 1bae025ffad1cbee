package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
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
	zLeads, zReps, zo := zonedFixture(leads, reps, o)
	for _, c := range []struct {
		name  string
		k     *Knowledge
		leads []Lead
		reps  []Rep
		o     RebalanceOptions
	}{
		{"load", nil, leads, reps, o},
		{"knowledge", k, leads, reps, o},
		{"load+zones", nil, zLeads, zReps, zo},
	} {
		name := fmt.Sprintf("%s/reps=%d/leads=%d", c.name, len(c.reps), len(c.leads))
		b.Run(name, func(b *testing.B) {
			var p Plan
			for b.Loop() {
				p = PlanRebalance(c.leads, c.reps, c.k, c.o)
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

// zonedFixture copies the fixture with the time zone rule on: reps in
// four zones and a quarter of the leads with a customer in Shanghai, so
// that the New York reps (no shared hours in December) may not take them.
func zonedFixture(leads []Lead, reps []Rep, o RebalanceOptions) ([]Lead, []Rep, RebalanceOptions) {
	zones := []string{"Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Tokyo"}
	reps, leads = slices.Clone(reps), slices.Clone(leads)
	for i := range reps {
		reps[i].Timezone = zones[i%len(zones)]
	}
	for i := range leads {
		if i%4 == 0 {
			leads[i].Timezone = "Asia/Shanghai"
		}
	}
	o.Zones = ZoneRule{MinOverlap: 2 * time.Hour}
	o.Hours = BusinessHours{Start: 9 * 60, End: 18 * 60, On: true}
	o.At = time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	return leads, reps, o
}
