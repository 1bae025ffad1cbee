package engine

import (
	"math"
	"testing"
	"time"
)

// profileDeals is a small history whose figures the tests work out by
// hand: r1 and r2 (team T) sold to healthcare, r3 (team U) to
// manufacturing; 20 wins in 100 deals.
func profileDeals() ([]Deal, []Rep) {
	reps := []Rep{
		{ID: "r1", Team: "T"}, {ID: "r2", Team: "T"}, {ID: "r3", Team: "U"},
		{ID: "r4", Team: "T", Industries: []string{"医疗"}}, {ID: "r5"},
	}
	var deals []Deal
	add := func(rep RepID, industry string, n, won int, amount float64) {
		for i := range n {
			d := Deal{RepID: rep, Profile: Profile{Industry: industry}, Outcome: Lost,
				Amount: amount, ClosedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			if i < won {
				d.Outcome = Won
			}
			deals = append(deals, d)
		}
	}
	add("r1", "医疗", 10, 6, 100_000)
	add("r2", "医疗", 10, 2, 100_000)
	add("r3", "制造", 80, 12, 50_000)
	return deals, reps
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestProfilesShrinkage(t *testing.T) {
	deals, reps := profileDeals()
	p := BuildProfiles(deals, reps, ProfileOptions{})
	// Company: (20 + 20 x 0.2) / (100 + 20) = 0.2; in healthcare
	// (8 + 20 x 0.2) / (20 + 20) = 0.3. Team T overall: 12/40 = 0.3; its
	// healthcare prior is 0.3 moved by T's odds ratio to the company,
	// 0.4235, so its rate is (8 + 20 x 0.4235) / 40 = 0.4118. r1 overall:
	// (6 + 10 x 0.3) / 20 = 0.45; prior in healthcare 0.4118 moved by
	// r1's odds ratio to T, 0.5720; rate (6 + 10 x 0.5720) / 20 = 0.5860.
	tests := []struct {
		name       string
		got        Capability
		rate, team float64
		deals      int
		confidence float64
	}{
		{"r1 overall", p.Overall(reps[0]), 0.45, 0.3, 10, 0.5},
		{"r1 healthcare", p.Cell(reps[0], ByIndustry, "医疗"), 0.5860, 0.4118, 10, 0.5},
		{"r2 healthcare", p.Cell(reps[1], ByIndustry, "医疗"), 0.2763, 0.4118, 10, 0.5},
		// (0 + 10 x 0.4118 + 0.5) / (10 + 0.5): declared, no history.
		{"r4 declared", p.Cell(reps[3], ByIndustry, " 医疗 "), 0.4398, 0.4118, 0, 0},
		{"r5 no team", p.Cell(reps[4], ByIndustry, "医疗"), 0.3, 0.3, 0, 0},
		{"r3 manufacturing", p.Cell(reps[2], ByIndustry, "制造"), 0.1486, 0.1453, 80, 80.0 / 90},
		{"unknown rep", p.Overall(Rep{ID: "zz"}), 0.2, 0.2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.got
			if !near(c.Rate, tt.rate, 1e-4) || !near(c.TeamRate, tt.team, 1e-4) {
				t.Errorf("rate, team = %.4f, %.4f; want %.4f, %.4f",
					c.Rate, c.TeamRate, tt.rate, tt.team)
			}
			if c.Deals != tt.deals || !near(c.Confidence, tt.confidence, 1e-9) {
				t.Errorf("deals, confidence = %d, %v; want %d, %v",
					c.Deals, c.Confidence, tt.deals, tt.confidence)
			}
		})
	}
	if got := p.CompanyRate(); !near(got, 0.2, 1e-12) {
		t.Errorf("CompanyRate() = %v, want 0.2", got)
	}
}

func TestProfilesMeanAmount(t *testing.T) {
	deals, reps := profileDeals()
	p := BuildProfiles(deals, reps, ProfileOptions{})
	// Company mean won amount: (8 x 100k + 12 x 50k) / 20 = 70k. In
	// healthcare (800k + 20 x 70k) / 28 = 78,571; team T there
	// (800k + 20 x 78,571) / 28 = 84,694; r1 (600k + 10 x 84,694) / 16.
	c := p.Cell(reps[0], ByIndustry, "医疗")
	if !near(c.MeanAmount, 90_433.67, 0.01) {
		t.Errorf("r1 healthcare mean amount = %.2f, want 90433.67", c.MeanAmount)
	}
}

func TestDeclaredExpertiseIsWeak(t *testing.T) {
	deals, reps := profileDeals()
	// r2 declares healthcare, where r2 won 2 of 10: the hint moves the
	// rate by under 2 points.
	reps[1].Industries = []string{"医疗"}
	with := BuildProfiles(deals, reps, ProfileOptions{}).Cell(reps[1], ByIndustry, "医疗")
	without := BuildProfiles(deals, reps, ProfileOptions{ExpertiseBonus: -1}).
		Cell(reps[1], ByIndustry, "医疗")
	if !with.Declared || without.Rate >= with.Rate || with.Rate-without.Rate > 0.02 {
		t.Errorf("declared rate %.4f vs undeclared %.4f: want a rise under 0.02",
			with.Rate, without.Rate)
	}
	if with.Rate >= with.TeamRate {
		t.Errorf("declared rep with a poor record rated %.4f, at or above the team's %.4f",
			with.Rate, with.TeamRate)
	}
}

func TestProfilesLift(t *testing.T) {
	deals, reps := profileDeals()
	p := BuildProfiles(deals, reps, ProfileOptions{})
	lead := Profile{Industry: "医疗"}
	// With one cell the lift is logit(rate there) - logit(company rate
	// there): logit(0.5860) - logit(0.3) = 1.1947.
	tests := []struct {
		rep  Rep
		want float64
	}{
		{reps[0], 1.1947},
		{reps[1], -0.1158},
		{reps[3], 0.6052},
		{reps[4], 0},
	}
	for _, tt := range tests {
		if got, _ := p.Lift(tt.rep, lead); !near(got, tt.want, 1e-4) {
			t.Errorf("Lift(%s, 医疗) = %.4f, want %.4f", tt.rep.ID, got, tt.want)
		}
	}
}

func TestSizeBand(t *testing.T) {
	p := BuildProfiles(nil, nil, ProfileOptions{})
	tests := []struct {
		size int
		want string
	}{{0, ""}, {1, "1-49"}, {49, "1-49"}, {50, "50-499"}, {499, "50-499"}, {500, "500+"}}
	for _, tt := range tests {
		if got := p.SizeBand(tt.size); got != tt.want {
			t.Errorf("SizeBand(%d) = %q, want %q", tt.size, got, tt.want)
		}
	}
}

func TestSizeBandsInAnyOrder(t *testing.T) {
	p := BuildProfiles(nil, nil, ProfileOptions{SizeBands: []int{1000, 10, 10, 0}})
	tests := []struct {
		size int
		want string
	}{{5, "1-9"}, {10, "10-999"}, {1000, "1000+"}}
	for _, tt := range tests {
		if got := p.SizeBand(tt.size); got != tt.want {
			t.Errorf("SizeBand(%d) = %q, want %q", tt.size, got, tt.want)
		}
	}
}
