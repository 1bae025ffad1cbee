package engine

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"
)

// ExperimentLead is one lead of an experiment as the store keeps it: its
// arm, when it was first assigned in the experiment, and how it ended.
type ExperimentLead struct {
	LeadID LeadID
	Arm    Arm
	// Strategy is the strategy of the lead's first routing in the arm.
	Strategy string
	// AssignedAt is the lead's first assignment to a rep in the
	// experiment; nil while it has only waited on standby.
	AssignedAt *time.Time
	Status     Status
	ClosedAt   *time.Time
	// Amount is the closing amount of a won lead.
	Amount *float64
}

// ArmReport sums up one arm of an experiment.
type ArmReport struct {
	Arm      Arm
	Strategy string
	// Leads counts the leads routed in the arm, Assigned those that
	// reached a rep, Closed those with an outcome, Won the won ones.
	Leads, Assigned, Closed, Won int
	// WinRate is Won over Closed, 0 with nothing closed.
	WinRate float64
	// Revenue is the amount of the won leads, in yuan.
	Revenue float64
	// MeanCycle and MedianCycle are the times from first assignment to
	// close of the closed leads.
	MeanCycle, MedianCycle time.Duration
}

// ProportionTest is a two-proportion z-test of the treatment's win rate
// against the control's.
type ProportionTest struct {
	// Diff is the treatment's win rate less the control's; Low and High
	// bound its 95% confidence interval.
	Diff, Low, High float64
	// Z is the test statistic under the pooled rate; P its two-sided
	// p-value.
	Z, P float64
	// Significant is whether P is under 0.05.
	Significant bool
	// Valid is false when an arm has nothing closed, and the other
	// fields are zero.
	Valid bool
	// Small warns that an arm has fewer than 5 won or 5 lost leads, too
	// few for the normal approximation.
	Small bool
}

// ExperimentReport compares the arms of an experiment.
type ExperimentReport struct {
	Experiment         string
	Control, Treatment ArmReport
	Test               ProportionTest
	// Verdict says in words what the test shows; Warning, when not
	// empty, why not to trust it yet.
	Verdict, Warning string
}

// z975 is the 97.5th percentile of the standard normal distribution.
const z975 = 1.959963984540054

// minCell is the fewest wins and losses per arm for the normal
// approximation to hold.
const minCell = 5

// TwoProportion tests whether win rates won1/n1 (control) and won2/n2
// (treatment) differ. z uses the pooled rate, as the test assumes no
// difference; the interval uses each arm's own rate.
func TwoProportion(won1, n1, won2, n2 int) ProportionTest {
	if n1 == 0 || n2 == 0 {
		return ProportionTest{}
	}
	p1, p2 := float64(won1)/float64(n1), float64(won2)/float64(n2)
	t := ProportionTest{Valid: true, Diff: p2 - p1, P: 1}
	pooled := float64(won1+won2) / float64(n1+n2)
	se0 := math.Sqrt(pooled * (1 - pooled) * (1/float64(n1) + 1/float64(n2)))
	if se0 > 0 {
		t.Z = t.Diff / se0
		t.P = math.Erfc(math.Abs(t.Z) / math.Sqrt2)
	}
	se := math.Sqrt(p1*(1-p1)/float64(n1) + p2*(1-p2)/float64(n2))
	t.Low, t.High = t.Diff-z975*se, t.Diff+z975*se
	t.Significant = t.P < 0.05
	t.Small = min(won1, n1-won1, won2, n2-won2) < minCell
	return t
}

// ReportExperiment sums up the leads of an experiment per arm and tests
// the difference in win rate, writing the verdict in lang.
func ReportExperiment(name string, leads []ExperimentLead, lang Lang) ExperimentReport {
	r := ExperimentReport{Experiment: name}
	r.Control = armReport(ArmControl, leads)
	r.Treatment = armReport(ArmTreatment, leads)
	c, t := r.Control, r.Treatment
	r.Test = TwoProportion(c.Won, c.Closed, t.Won, t.Closed)
	r.Verdict = lang.verdict(r.Test)
	if r.Test.Valid && r.Test.Small {
		r.Warning = lang.ex(exFewSamples)
	}
	return r
}

func armReport(arm Arm, leads []ExperimentLead) ArmReport {
	a := ArmReport{Arm: arm}
	var cycles []time.Duration
	for _, l := range leads {
		if l.Arm != arm {
			continue
		}
		a.Leads++
		if a.Strategy == "" {
			a.Strategy = l.Strategy
		}
		if l.AssignedAt == nil {
			continue
		}
		a.Assigned++
		if !l.Status.Closed() {
			continue
		}
		a.Closed++
		if l.Status == StatusWon {
			a.Won++
			if l.Amount != nil {
				a.Revenue += *l.Amount
			}
		}
		if l.ClosedAt != nil {
			cycles = append(cycles, l.ClosedAt.Sub(*l.AssignedAt))
		}
	}
	if a.Closed > 0 {
		a.WinRate = float64(a.Won) / float64(a.Closed)
	}
	a.MeanCycle, a.MedianCycle = meanMedian(cycles)
	return a
}

func meanMedian(ds []time.Duration) (mean, median time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	n := len(ds)
	median = ds[n/2]
	if n%2 == 0 {
		median = ds[n/2-1] + (ds[n/2]-ds[n/2-1])/2
	}
	return sum / time.Duration(n), median
}

// verdict says what a test shows.
func (l Lang) verdict(t ProportionTest) string {
	points := func(x float64) string {
		return strconv.FormatFloat(math.Round(x*1000)/10, 'f', 1, 64)
	}
	if !t.Valid {
		return l.ex(exNoTest)
	}
	dir := l.ex(exHigher)
	if t.Diff < 0 {
		dir = l.ex(exLower)
	}
	if t.Significant {
		return l.ex(exSignificant, dir, points(math.Abs(t.Diff)), pValue(t.P),
			points(t.Low), points(t.High))
	}
	return l.ex(exNotSignificant, dir, points(math.Abs(t.Diff)), pValue(t.P))
}

// pValue writes a p-value to two significant digits, small ones as
// "p < 0.001".
func pValue(p float64) string {
	if p < 0.001 {
		return "p < 0.001"
	}
	return "p = " + strconv.FormatFloat(p, 'g', 2, 64)
}

// ExperimentReport reports on the named experiment, or on the running
// one when name is empty: Invalid when no experiment runs and none is
// named, NotFound when no lead was routed in it.
func (s *Service) ExperimentReport(ctx context.Context, name string) (ExperimentReport, error) {
	if name == "" {
		sp, ok := s.router.(Splitter)
		if !ok {
			return ExperimentReport{}, invalid("name", "missing_field",
				"is required: no experiment is running")
		}
		name = sp.Options().Name
	}
	leads, err := s.store.ExperimentLeads(ctx, name)
	if err != nil {
		return ExperimentReport{}, err
	}
	if len(leads) == 0 {
		return ExperimentReport{}, notFound("unknown_experiment",
			"no lead has been routed in experiment %q", name)
	}
	return ReportExperiment(name, leads, s.policy.Lang), nil
}
