package engine

import (
	"fmt"
	"math"
)

// Grid holds the cut-offs of the 3x3 value grid: close probability
// (high, mid, low) by deal size (large, mid, small).
type Grid struct {
	ProbabilityHigh float64 // at or above: high
	ProbabilityMid  float64 // at or above: mid; below: low
	AmountLarge     float64 // yuan, at or above: large
	AmountMid       float64 // yuan, at or above: mid; below: small
}

// DefaultGrid is the grid a new installation starts with.
var DefaultGrid = Grid{
	ProbabilityHigh: 0.6,
	ProbabilityMid:  0.3,
	AmountLarge:     200_000,
	AmountMid:       50_000,
}

// Validate reports a grid whose cut-offs are out of order.
func (g Grid) Validate() error {
	switch {
	case !(g.ProbabilityMid > 0 && g.ProbabilityMid < g.ProbabilityHigh && g.ProbabilityHigh <= 1):
		return fmt.Errorf("probability cut-offs must satisfy 0 < mid (%v) < high (%v) <= 1",
			g.ProbabilityMid, g.ProbabilityHigh)
	case !(g.AmountMid > 0 && g.AmountMid < g.AmountLarge):
		return fmt.Errorf("amount cut-offs must satisfy 0 < mid (%v) < large (%v)",
			g.AmountMid, g.AmountLarge)
	}
	return nil
}

// tierTable maps probability band (0 high, 1 mid, 2 low) and size band
// (0 large, 1 mid, 2 small) to a tier. A likely large deal is the best
// use of a rep's time; an unlikely small one the least.
var tierTable = [3][3]Tier{
	{TierA, TierA, TierB},
	{TierA, TierB, TierC},
	{TierB, TierC, TierC},
}

// Scoring is a lead's value assessment.
type Scoring struct {
	Score       float64 // 0 to 100
	Tier        Tier
	Probability float64
	Reasons     []string
}

// Scorer assesses the value of a lead.
type Scorer interface {
	Score(p Profile) Scoring
}

// GridScorer scores a lead by its close probability and expected amount.
// A lead without its own probability is given DefaultProbability.
type GridScorer struct {
	Grid               Grid
	DefaultProbability float64
}

// Score places the lead on the grid. The score weighs probability 60%
// and deal size (up to the large cut-off) 40%.
func (s GridScorer) Score(p Profile) Scoring {
	prob := s.DefaultProbability
	probNote := fmt.Sprintf("no close probability given: assumed %.0f%%", prob*100)
	if p.CloseProbability != nil {
		prob = *p.CloseProbability
		probNote = fmt.Sprintf("close probability %.0f%%", prob*100)
	}

	pb := band(prob, s.Grid.ProbabilityHigh, s.Grid.ProbabilityMid)
	sb := band(p.ExpectedAmount, s.Grid.AmountLarge, s.Grid.AmountMid)
	size := math.Min(1, p.ExpectedAmount/s.Grid.AmountLarge)
	score := math.Round((60*prob+40*size)*10) / 10

	return Scoring{
		Score:       score,
		Tier:        tierTable[pb][sb],
		Probability: prob,
		Reasons: []string{
			probNote,
			fmt.Sprintf("expected amount %.0f yuan (%s deal)", p.ExpectedAmount, sizeNames[sb]),
		},
	}
}

var sizeNames = [3]string{"large", "mid-size", "small"}

func band(v, high, mid float64) int {
	switch {
	case v >= high:
		return 0
	case v >= mid:
		return 1
	}
	return 2
}
