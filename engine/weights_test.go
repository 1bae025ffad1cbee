package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

type fixedClock time.Time

// Now returns the fixed time.
func (c fixedClock) Now() time.Time { return time.Time(c) }

var weightsNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestDefaultWeightsScoreLikeGrid(t *testing.T) {
	w, err := NewWeightedScorer(DefaultWeights(), fixedClock(weightsNow))
	if err != nil {
		t.Fatalf("NewWeightedScorer(DefaultWeights()) = %v", err)
	}
	g := GridScorer{Grid: DefaultGrid, DefaultProbability: 0.2}
	for _, p := range []Profile{
		{ExpectedAmount: 300_000, CloseProbability: prob(0.6)},
		{ExpectedAmount: 60_000, CloseProbability: prob(0.9)},
		{ExpectedAmount: 1_000, CloseProbability: prob(0.1)},
		{ExpectedAmount: 120_000},
		{},
	} {
		got, want := w.Score(p), g.Score(p)
		if got.Score != want.Score || got.Tier != want.Tier || got.Probability != want.Probability {
			t.Errorf("Score(%v yuan) = %v %s, want the grid's %v %s",
				p.ExpectedAmount, got.Score, got.Tier, want.Score, want.Tier)
		}
	}
}

// richWeights weighs probability 2, and industry, company size, recency
// and a budget attribute 1 each: a total weight of 6.
func richWeights() WeightsConfig {
	c := DefaultWeights()
	c.Lang = English
	c.ProbabilityWeight = 2
	c.Inputs = map[string]Input{
		"industry": {Weight: 1, Default: 20, Points: map[string]float64{"医疗": 80, "Retail": 40}},
		"company_size": {Weight: 1, Curve: []Breakpoint{
			{At: 0, Points: 0}, {At: 100, Points: 50}, {At: 1000, Points: 100}}},
		"recency": {Weight: 1, Default: 10, Curve: []Breakpoint{
			{At: 0, Points: 100}, {At: 30, Points: 0}}},
	}
	c.Attributes = map[string]Input{
		"budget_confirmed": {Weight: 1, Default: 50,
			Points: map[string]float64{"true": 100, "false": 0}},
	}
	return c
}

func TestWeightedScore(t *testing.T) {
	s, err := NewWeightedScorer(richWeights(), fixedClock(weightsNow))
	if err != nil {
		t.Fatalf("NewWeightedScorer = %v", err)
	}
	sixDaysAgo := weightsNow.Add(-6 * 24 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name  string
		p     Profile
		score float64
		tier  Tier
	}{
		// (2x50 + 80 + (50 + 50x450/900) + (100 - 100x6/30) + 100) / 6
		// = (100 + 80 + 75 + 80 + 100) / 6 = 72.5
		{"everything given", Profile{CloseProbability: prob(0.5), Industry: "医疗", CompanySize: 550,
			ExpectedAmount: 100_000, Attributes: map[string]any{
				"last_contact_at": sixDaysAgo, "budget_confirmed": true}}, 72.5, TierB},
		// (2x20 + 20 + 0 + 10 + 50) / 6 = 20
		{"nothing given", Profile{}, 20, TierC},
		// (2x60 + 40 + 100 + 100 + 0) / 6 = 60; "retail" matches "Retail".
		{"categories ignore case", Profile{CloseProbability: prob(0.6), Industry: " retail",
			CompanySize: 5000, ExpectedAmount: 250_000, Attributes: map[string]any{
				"last_contact_at": "2026-12-01 12:00:00", "budget_confirmed": "false"}}, 60, TierA},
		// days ago as a number: 15 days gives 50 points;
		// (2x20 + 20 + 0 + 50 + 50) / 6 = 26.7
		{"recency in days", Profile{Industry: "制造", Attributes: map[string]any{
			"last_contact_at": 15.0}}, 26.7, TierC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Score(tt.p)
			if got.Score != tt.score || got.Tier != tt.tier {
				t.Errorf("Score = %v %s, want %v %s (reasons %q)",
					got.Score, got.Tier, tt.score, tt.tier, got.Reasons)
			}
		})
	}
}

func TestWeightedReasons(t *testing.T) {
	s, err := NewWeightedScorer(richWeights(), fixedClock(weightsNow))
	if err != nil {
		t.Fatalf("NewWeightedScorer = %v", err)
	}
	p := Profile{CloseProbability: prob(0.5), Industry: "医疗", CompanySize: 550,
		ExpectedAmount: 100_000,
		Attributes:     map[string]any{"budget_confirmed": true}}
	want := []string{
		"close probability 50% (given with the lead)",
		"expected amount 100,000 yuan (mid-size deal)",
		"budget_confirmed true adds 16.7 of its 16.7 points",
		"industry 医疗 adds 13.3 of its 16.7 points",
		"company size 550 adds 12.5 of its 16.7 points",
	}
	if got := s.Score(p).Reasons; !slices.Equal(got, want) {
		t.Errorf("Reasons =\n%q\nwant\n%q", got, want)
	}

	c := richWeights()
	c.Lang = Chinese
	zh, _ := NewWeightedScorer(c, fixedClock(weightsNow))
	got := strings.Join(zh.Score(p).Reasons, "\n")
	for _, w := range []string{"成交概率 50%（线索自带）", "预计金额 10万元（中单）", "行业「医疗」得 13.3 分（满分 16.7）"} {
		if !strings.Contains(got, w) {
			t.Errorf("Chinese reasons =\n%s\nwant a line %q", got, w)
		}
	}
}

func TestWeightedProbabilitySource(t *testing.T) {
	s, _ := NewWeightedScorer(DefaultWeights(), nil)
	got := s.Score(Profile{})
	if got.Probability != 0.2 || !strings.Contains(got.Reasons[0], "默认 20%") {
		t.Errorf("before learning: probability %v, reasons %q; want the default 0.2",
			got.Probability, got.Reasons)
	}
	k := Learn(industryDeals(), nil, nil, LearnOptions{})
	s.SetKnowledge(k)
	got = s.Score(Profile{Industry: "a"})
	if !near(got.Probability, 0.7869, 1e-4) || !strings.Contains(got.Reasons[0], "模型依据 200 单历史") {
		t.Errorf("after learning: probability %v, reasons %q; want the model's 0.7869",
			got.Probability, got.Reasons)
	}
	if got := s.Score(Profile{Industry: "a", CloseProbability: prob(0.1)}); got.Probability != 0.1 {
		t.Errorf("own probability 0.1 scored as %v", got.Probability)
	}
}

func TestOnCurve(t *testing.T) {
	c := []Breakpoint{{At: 0, Points: 0}, {At: 10, Points: 100}, {At: 20, Points: 40}}
	tests := []struct{ v, want float64 }{
		{-5, 0}, {0, 0}, {2.5, 25}, {10, 100}, {15, 70}, {20, 40}, {99, 40},
	}
	for _, tt := range tests {
		if got := onCurve(c, tt.v); !near(got, tt.want, 1e-12) {
			t.Errorf("onCurve(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// fields lists the Field of every *Error joined in err.
func fields(err error) []string {
	var out []string
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	for _, e := range errs {
		var ee *Error
		if errors.As(e, &ee) {
			out = append(out, ee.Field)
		}
	}
	return out
}

func TestWeightsValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *WeightsConfig)
		want []string
	}{
		{"rich config", func(*WeightsConfig) {}, nil},
		{"unknown input", func(c *WeightsConfig) { c.Inputs["industy"] = Input{Weight: 1} },
			[]string{"inputs.industy"}},
		{"negative weight", func(c *WeightsConfig) {
			c.Inputs["source"] = Input{Weight: -1, Points: map[string]float64{"web": 1}}
		}, []string{"inputs.source.weight"}},
		{"points out of range", func(c *WeightsConfig) { c.Inputs["industry"].Points["医疗"] = 120 },
			[]string{"inputs.industry.points.医疗"}},
		{"same category twice",
			func(c *WeightsConfig) { c.Inputs["industry"].Points["retail "] = 10 },
			[]string{"inputs.industry.points.retail "}},
		{"curve on a category", func(c *WeightsConfig) {
			c.Inputs["region"] = Input{Weight: 1, Curve: []Breakpoint{{At: 0}}}
		}, []string{"inputs.region.curve"}},
		{"number without curve",
			func(c *WeightsConfig) { c.Inputs["interactions"] = Input{Weight: 1} },
			[]string{"inputs.interactions.curve"}},
		{"points on a number", func(c *WeightsConfig) {
			c.Inputs["interactions"] = Input{Weight: 1, Points: map[string]float64{"1": 1},
				Curve: []Breakpoint{{At: 0}}}
		}, []string{"inputs.interactions.points"}},
		{"curve out of order", func(c *WeightsConfig) {
			c.Inputs["company_size"] = Input{Weight: 1,
				Curve: []Breakpoint{{At: 10}, {At: 10}, {At: 5, Points: 101}}}
		}, []string{"inputs.company_size.curve[1].at", "inputs.company_size.curve[2].points",
			"inputs.company_size.curve[2].at"}},
		{"attribute on industry", func(c *WeightsConfig) {
			in := c.Inputs["industry"]
			in.Attribute = "x"
			c.Inputs["industry"] = in
		}, []string{"inputs.industry.attribute"}},
		{"attribute with points and curve", func(c *WeightsConfig) {
			c.Attributes["tier"] = Input{Weight: 1, Points: map[string]float64{"x": 1},
				Curve: []Breakpoint{{}}}
		}, []string{"attributes.tier"}},
		{"bad grid and language", func(c *WeightsConfig) {
			c.Grid.ProbabilityMid = 0.9
			c.Lang = "fr"
		}, []string{"lang", "grid"}},
		{"every weight zero", func(c *WeightsConfig) {
			c.ProbabilityWeight, c.Inputs, c.Attributes = 0, nil, nil
		}, []string{"probability_weight"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := richWeights()
			tt.edit(&c)
			err := c.Validate()
			if got := fields(err); !slices.Equal(got, tt.want) {
				t.Errorf("Validate() fields = %q, want %q (error %v)", got, tt.want, err)
			}
			if err != nil && KindOf(err) != Invalid {
				t.Errorf("Validate() kind = %v, want invalid", KindOf(err))
			}
		})
	}
}
