package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// Exact ties go to a rep drawn by the lead: the same lead always to the
// same rep whatever the roster order, different leads to either, and
// the reasons say it was a tie and with whom.
func TestTiesBrokenAtRandomByLead(t *testing.T) {
	routers := []Router{RoundRobin{}, LeastLoaded{}}
	for _, r := range routers {
		t.Run(r.Name(), func(t *testing.T) {
			reps := []Rep{valueRep("a", 1, 4), valueRep("b", 1, 4)}
			reversed := []Rep{reps[1], reps[0]}
			won := map[RepID]int{}
			for i := range 40 {
				lead := Lead{ExternalID: fmt.Sprint("tie-", i)}
				d := r.Route(lead, reps)
				if again := r.Route(lead, reversed); again.RepID != d.RepID {
					t.Fatalf("lead %s: Route = %s, then %s with the roster reversed",
						lead.ExternalID, d.RepID, again.RepID)
				}
				won[d.RepID]++
				other := "rep a"
				if d.RepID == "a" {
					other = "rep b"
				}
				want := "与 " + other + " 并列，按线索编号随机选定"
				if !slices.ContainsFunc(d.Reasons, func(s string) bool {
					return strings.Contains(s, want)
				}) {
					t.Fatalf("lead %s: reasons %q, want one saying %q", lead.ExternalID, d.Reasons, want)
				}
			}
			if won["a"] == 0 || won["b"] == 0 {
				t.Errorf("40 tied leads went %v, want some to each rep", won)
			}
		})
	}
}

func TestNoTieNoTieReason(t *testing.T) {
	reps := []Rep{valueRep("a", 1, 4), valueRep("b", 2, 4)}
	for _, r := range []Router{RoundRobin{}, LeastLoaded{}} {
		reps[0].LastAssignedAt = reps[1].LastAssignedAt.Add(1)
		d := r.Route(Lead{ExternalID: "x"}, reps)
		for _, s := range d.Reasons {
			if strings.Contains(s, "并列") {
				t.Errorf("%s: reasons %q mention a tie, want none", r.Name(), d.Reasons)
			}
		}
	}
}

// With no history the win chance is the lead's own probability moved by
// load alone: -0.05 log-odds per open task. For rep b at 20 open tasks,
// sigmoid(logit(0.5) - 1) = 0.26894, so load takes 0.231 off the 0.5.
func TestValueRouterCandidateParts(t *testing.T) {
	o := DefaultValueOptions
	o.Explore = 0
	r, err := NewValueRouter(o)
	if err != nil {
		t.Fatal(err)
	}
	prob := 0.5
	lead := Lead{ExternalID: "p-1", Tier: TierB,
		Profile: Profile{ExpectedAmount: 100_000, CloseProbability: &prob}}
	d := r.Route(lead, []Rep{valueRep("a", 0, 5), valueRep("b", 20, 40)})
	want := []Candidate{
		{RepID: "a", Score: 0.5, Parts: []ScorePart{
			{PartLead, 0.5, 1}, {PartRecord, 0, 1}, {PartLoad, 0, 1},
			{PartValue, 50_000, 0}, {PartConfidence, 0, 0}}},
		{RepID: "b", Score: 0.269, Parts: []ScorePart{
			{PartLead, 0.5, 1}, {PartRecord, 0, 1}, {PartLoad, -0.231, 1},
			{PartValue, 26_894, 0}, {PartConfidence, 0, 0}}},
	}
	if fmt.Sprint(d.Candidates) != fmt.Sprint(want) {
		t.Errorf("candidates = %+v\nwant %+v", d.Candidates, want)
	}
	for _, c := range d.Candidates {
		sum := 0.0
		for _, p := range c.Parts {
			sum += p.Value * p.Weight
		}
		if math.Abs(sum-c.Score) > 0.002 {
			t.Errorf("candidate %s: parts sum to %v, score %v", c.RepID, sum, c.Score)
		}
	}
}

func TestLoadRouterCandidateParts(t *testing.T) {
	reps := []Rep{valueRep("a", 1, 4), valueRep("b", 6, 8)}
	for _, r := range []Router{RoundRobin{}, LeastLoaded{}} {
		d := r.Route(Lead{ExternalID: "p-2"}, reps)
		got := map[RepID]string{}
		for _, c := range d.Candidates {
			got[c.RepID] = fmt.Sprint(c.Score, c.Parts)
		}
		want := map[RepID]string{
			"a": "0.75 [{spare 0.75 1} {open_tasks 1 0} {capacity 4 0}]",
			"b": "0.25 [{spare 0.25 1} {open_tasks 6 0} {capacity 8 0}]",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s candidates = %v, want %v", r.Name(), got, want)
		}
	}
}

// For a tier A lead under the fairness guard each candidate lists their
// share of recent tier A leads: a had 2 of 3, b 1 of 3.
func TestValueRouterFairnessPart(t *testing.T) {
	o := DefaultValueOptions
	o.Explore, o.MinRecentA = 0, 1
	r, err := NewValueRouter(o)
	if err != nil {
		t.Fatal(err)
	}
	r.SetKnowledge(Learn(nil, nil, nil, LearnOptions{}).WithRecentA(NewRecentA([]RepID{"a", "a", "b"})))
	prob := 0.5
	lead := Lead{ExternalID: "fa", Tier: TierA,
		Profile: Profile{ExpectedAmount: 100_000, CloseProbability: &prob}}
	d := r.Route(lead, []Rep{valueRep("a", 0, 5), valueRep("b", 0, 5)})
	shares := map[RepID]float64{}
	for _, c := range d.Candidates {
		for _, p := range c.Parts {
			if p.Name == PartRecentA {
				shares[c.RepID] = p.Value
			}
		}
	}
	if d.RepID != "b" || shares["a"] != 0.667 || shares["b"] != 0.333 {
		t.Errorf("Route = %s, recent A shares %v; want b, a 0.667 and b 0.333", d.RepID, shares)
	}
}
