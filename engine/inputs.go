package engine

// inputsOf snapshots what a decision about l is made on; roster is how
// many reps a strategy weighed, 0 when a person chose.
func (s *Service) inputsOf(l Lead, roster int) *DecisionInputs {
	in := &DecisionInputs{
		Score:          l.Score,
		Tier:           l.Tier,
		ExpectedAmount: l.ExpectedAmount,
		Industry:       l.Industry,
		ProductLine:    l.ProductLine,
		CustomerType:   l.CustomerType,
		CompanySize:    l.CompanySize,
		Region:         l.Region,
		Source:         l.Source,
		Timezone:       l.Timezone,
		Mode:           s.policy.Mode,
		Roster:         roster,
	}
	if l.CloseProbability != nil {
		p := *l.CloseProbability
		in.CloseProbability = &p
	}
	return in
}
