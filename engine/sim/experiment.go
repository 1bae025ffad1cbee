package sim

import (
	"time"

	"github.com/leadbot/leadbot/engine"
)

// RunExperiment plays the stream of c through an A/B test of two
// strategies, sharing one roster as they would in production, and
// reports on it as the service would. Every lead of the stream is
// closed by the end, so the report counts them all.
func RunExperiment(c Config, o engine.ExperimentOptions) (engine.ExperimentReport, error) {
	r, err := engine.NewExperiment(o, engine.DefaultValueOptions)
	if err != nil {
		return engine.ExperimentReport{}, err
	}
	s := newWorld(c).play(r)
	return engine.ReportExperiment(o.Name, s.arms, engine.English), nil
}

// noteArm records an experiment's assignment with the outcome drawn for
// it.
func (s *runState) noteArm(l lead, d engine.Decision, step int, won bool) {
	assigned := s.at(step)
	closed := assigned.Add(time.Duration(l.duration) * time.Hour)
	e := engine.ExperimentLead{LeadID: l.ID, Arm: d.Arm, Strategy: d.Strategy,
		AssignedAt: &assigned, Status: engine.StatusLost, ClosedAt: &closed}
	if won {
		amount := l.ExpectedAmount
		e.Status, e.Amount = engine.StatusWon, &amount
	}
	s.arms = append(s.arms, e)
}
