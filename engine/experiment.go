package engine

import (
	"fmt"
	"hash/fnv"
	"time"
)

// Arm is the side of an A/B test a lead is on.
type Arm string

// The arms of an experiment.
const (
	ArmControl   Arm = "control"
	ArmTreatment Arm = "treatment"
)

// MaxExperimentName is the longest experiment name, in characters.
const MaxExperimentName = 64

// ExperimentOptions describe an A/B test of two routing strategies. The
// yaml keys are the field names that Validate reports.
type ExperimentOptions struct {
	// Name identifies the experiment in decisions and reports; it also
	// seeds the split, so a new name deals the leads out afresh.
	Name string `yaml:"name"`
	// Control and Treatment are the strategies compared, by NewRouter
	// name.
	Control   string `yaml:"control"`
	Treatment string `yaml:"treatment"`
	// Share is the part of the leads that go to the treatment, 0 to 1.
	Share float64 `yaml:"share"`
	// Start, when set, keeps leads created before it out of the
	// experiment: they are routed by the control strategy, with no arm.
	Start time.Time `yaml:"-"`
}

// Validate reports the first option that cannot work, as an *Error of
// kind Invalid naming it. Strategy names are checked by NewExperiment.
func (o ExperimentOptions) Validate() error {
	var c checker
	c.text("name", o.Name, MaxExperimentName, true)
	c.text("control", o.Control, 32, true)
	c.text("treatment", o.Treatment, 32, true)
	c.number("share", o.Share, 0, 1)
	return errOrNil(c.err)
}

// ArmOf returns the arm of a lead, and false when the lead is outside
// the experiment because it came before Start. The arm is a hash of the
// experiment's name and the lead's external id alone, so every replica,
// a re-import and a later re-routing all agree on it.
func (o ExperimentOptions) ArmOf(l Lead) (Arm, bool) {
	if !o.Start.IsZero() && l.CreatedAt.Before(o.Start) {
		return "", false
	}
	if splitPoint(o.Name, l.ExternalID) < o.Share {
		return ArmTreatment, true
	}
	return ArmControl, true
}

// splitPoint maps an experiment and an external id to a number in
// [0, 1), evenly spread and the same on every run.
func splitPoint(experiment, externalID string) float64 {
	h := fnv.New64a()
	h.Write([]byte(experiment))
	h.Write([]byte{0})
	h.Write([]byte(externalID))
	// FNV leaves similar ids close together in the high bits; a
	// finalising mix spreads them.
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// Experiment is a Router that splits the leads between two strategies:
// each lead goes to the arm ArmOf gives it and is routed by that arm's
// strategy, and the decision records the experiment and the arm.
// Standby leads drained later are routed again by the same arm, since
// the arm depends on the lead alone.
type Experiment struct {
	o         ExperimentOptions
	lang      Lang
	control   Router
	treatment Router
}

// learningExperiment is an Experiment whose strategies learn: it hands
// each knowledge snapshot on to them.
type learningExperiment struct {
	*Experiment
	learners []Learner
}

// SetKnowledge hands k to every strategy of the experiment that learns.
func (e learningExperiment) SetKnowledge(k *Knowledge) {
	for _, l := range e.learners {
		l.SetKnowledge(k)
	}
}

// Splitter is a Router running an experiment.
type Splitter interface {
	Router
	// Options returns the experiment's options.
	Options() ExperimentOptions
}

// NewExperiment returns the router of the experiment o, with both
// strategies built by NewRouter on vo. The router is a Learner when
// either strategy is, so both arms keep learning. An Invalid error names
// the option at fault.
func NewExperiment(o ExperimentOptions, vo ValueOptions) (Splitter, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	e := &Experiment{o: o, lang: vo.Lang}
	var err error
	if e.control, err = NewRouter(o.Control, vo); err != nil {
		return nil, invalid("control", "invalid_value", "%v", err)
	}
	if e.treatment, err = NewRouter(o.Treatment, vo); err != nil {
		return nil, invalid("treatment", "invalid_value", "%v", err)
	}
	var learners []Learner
	for _, r := range []Router{e.control, e.treatment} {
		if l, ok := r.(Learner); ok {
			learners = append(learners, l)
		}
	}
	if len(learners) > 0 {
		return learningExperiment{e, learners}, nil
	}
	return e, nil
}

// Name says which experiment runs and what it compares.
func (e *Experiment) Name() string {
	return fmt.Sprintf("experiment %s (%s vs %s)", e.o.Name, e.o.Control, e.o.Treatment)
}

// Options returns the experiment's options.
func (e *Experiment) Options() ExperimentOptions { return e.o }

// Route routes the lead by its arm's strategy and marks the decision
// with the experiment and the arm, saying so in the last reason.
func (e *Experiment) Route(lead Lead, reps []Rep) Decision { return e.routeZoned(lead, reps, nil) }

func (e *Experiment) routeZoned(lead Lead, reps []Rep, z *zoneCheck) Decision {
	arm, in := e.o.ArmOf(lead)
	if !in {
		return routeWith(e.control, lead, reps, z)
	}
	r := e.control
	if arm == ArmTreatment {
		r = e.treatment
	}
	d := routeWith(r, lead, reps, z)
	d.Experiment, d.Arm = e.o.Name, arm
	d.Reasons = append(d.Reasons, e.lang.experiment(e.o.Name, arm))
	return d
}

// keepArm gives a decision about a lead the experiment and arm of the
// lead's previous decision, so that a claim, hand-over, release or
// rebalance keeps the lead on its side of the test.
func keepArm(prev, d *Decision) {
	if prev != nil && d.Experiment == "" {
		d.Experiment, d.Arm = prev.Experiment, prev.Arm
	}
}

// exMsg names one sentence of the experiment texts.
type exMsg int

const (
	exReason exMsg = iota
	exControl
	exTreatment
	exSignificant
	exNotSignificant
	exNoTest
	exFewSamples
	exHigher
	exLower
	exCount
)

var exCatalog = map[Lang]*[exCount]string{
	Chinese: {
		exReason:    "A/B 实验 %s：%s",
		exControl:   "对照组",
		exTreatment: "实验组",
		exSignificant: "实验组赢率比对照组%s %s 个百分点，" +
			"差异显著（%s，95%% 置信区间 %s 到 %s 个百分点）",
		exNotSignificant: "实验组赢率比对照组%s %s 个百分点，差异不显著（%s）：" +
			"尚不能说哪一组更好",
		exNoTest:     "还没有两组都已结案的线索，无法比较赢率",
		exFewSamples: "样本太少：每组至少要有 5 单赢单和 5 单输单，正态近似才可靠",
		exHigher:     "高",
		exLower:      "低",
	},
	English: {
		exReason:    "A/B experiment %s: %s",
		exControl:   "control arm",
		exTreatment: "treatment arm",
		exSignificant: "the treatment's win rate is %s by %s points, " +
			"a significant difference (%s, 95%% interval %s to %s points)",
		exNotSignificant: "the treatment's win rate is %s by %s points, " +
			"not significant (%s): neither arm can be called better yet",
		exNoTest: "no closed leads in both arms yet: win rates cannot be compared",
		exFewSamples: "samples too small: each arm needs at least 5 won and 5 lost " +
			"leads for the normal approximation to hold",
		exHigher: "higher",
		exLower:  "lower",
	},
}

// ex formats one experiment sentence.
func (l Lang) ex(m exMsg, args ...any) string {
	return fmt.Sprintf(exCatalog[l.resolved()][m], args...)
}

// experiment is the reason that names a lead's experiment and arm.
func (l Lang) experiment(name string, arm Arm) string {
	side := l.ex(exControl)
	if arm == ArmTreatment {
		side = l.ex(exTreatment)
	}
	return l.ex(exReason, name, side)
}
