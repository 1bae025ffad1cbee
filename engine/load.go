package engine

import "math"

// LoadObservation is one assignment from history: how many open tasks
// the rep held just before the lead was assigned, and whether it was won.
type LoadObservation struct {
	OpenTasks int
	Won       bool
}

// LoadOptions tune FitLoad. Zero fields take the defaults given with
// each.
type LoadOptions struct {
	// MinObservations is the least history worth fitting (default 200);
	// with less, the slope is DefaultSlope.
	MinObservations int
	// DefaultSlope is the change in log-odds per open task assumed when
	// history is thin, and the value the fit is pulled toward (default
	// -0.05: ten open tasks cut the odds of winning by about 40%).
	DefaultSlope float64
	// Penalty is the strength of that pull, in units of log-likelihood
	// (default 10).
	Penalty float64
}

func (o LoadOptions) withDefaults() LoadOptions {
	setInt(&o.MinObservations, 200)
	if o.DefaultSlope == 0 {
		o.DefaultSlope = -0.05
	}
	o.DefaultSlope = math.Min(0, o.DefaultSlope)
	setFloat(&o.Penalty, 10)
	return o
}

// LoadModel says how a rep's chance of winning moves with the number of
// open tasks they hold: the log-odds change by Slope per task, counted
// from Reference, the mean load in the history it was fitted on (which
// is the load the other estimates implicitly assume).
type LoadModel struct {
	Slope        float64
	Reference    float64
	Observations int
	// Fitted is false when the slope is the default for lack of history.
	Fitted bool
}

// Shift returns the change in log-odds of winning at a load of open
// tasks, against the reference load. It is never positive for a load
// above the reference.
func (m LoadModel) Shift(open int) float64 {
	return m.Slope * (float64(open) - m.Reference)
}

// FitLoad fits logit P(won) = a + Slope × (open tasks - Reference) by
// Newton's method with a penalty pulling Slope toward the default. The
// slope is capped at zero: more open work never makes a rep better at a
// deal, and a positive fit is read as no effect.
func FitLoad(obs []LoadObservation, o LoadOptions) LoadModel {
	o = o.withDefaults()
	m := LoadModel{Slope: o.DefaultSlope, Observations: len(obs)}
	if len(obs) == 0 {
		return m
	}
	var sum, won float64
	for _, ob := range obs {
		sum += float64(ob.OpenTasks)
		won += b2f(ob.Won)
	}
	n := float64(len(obs))
	m.Reference = sum / n
	if len(obs) < o.MinObservations || won == 0 || won == n {
		return m
	}

	a, b := logit(won/n), o.DefaultSlope
	for range 25 {
		var ga, gb, haa, hab, hbb float64
		for _, ob := range obs {
			x := float64(ob.OpenTasks) - m.Reference
			p := sigmoid(a + b*x)
			r := p * (1 - p)
			ga += b2f(ob.Won) - p
			gb += (b2f(ob.Won) - p) * x
			haa += r
			hab += r * x
			hbb += r * x * x
		}
		gb -= o.Penalty * (b - o.DefaultSlope)
		hbb += o.Penalty
		det := haa*hbb - hab*hab
		if det <= 1e-12 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a, b = a+da, b+db
		if math.Abs(da)+math.Abs(db) < 1e-9 {
			break
		}
	}
	m.Slope, m.Fitted = math.Min(0, b), true
	return m
}
