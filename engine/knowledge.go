package engine

import "errors"

// Knowledge is what the engine has learned from history, as one
// immutable snapshot: the close-probability model, the reps' capability
// profiles, the load model and the recent tier A assignments. Strategies
// and scorers read it without locks; retraining builds a new snapshot and
// hands it over with SetKnowledge, so a decision always sees one
// consistent snapshot. Nothing in a Knowledge may be changed once it is
// handed over.
type Knowledge struct {
	Model    *Model
	Profiles *Profiles
	Load     LoadModel
	RecentA  RecentA
	// Notes say, in English for the operator's log, where learning fell
	// back to priors for lack of history.
	Notes []string
}

// RecentA counts the tier A leads assigned recently (over whatever
// window the service chooses, such as the last 30 days), in total and
// by rep, for the fairness guard.
type RecentA struct {
	Total int
	ByRep map[RepID]int
}

// NewRecentA counts a list of the reps who received recent tier A leads,
// one entry per lead.
func NewRecentA(assignees []RepID) RecentA {
	r := RecentA{Total: len(assignees), ByRep: make(map[RepID]int)}
	for _, id := range assignees {
		r.ByRep[id]++
	}
	return r
}

// Share returns the rep's share of recent tier A leads, 0 when there
// were none.
func (r RecentA) Share(id RepID) float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.ByRep[id]) / float64(r.Total)
}

// LearnOptions tune Learn; the zero value takes every default.
type LearnOptions struct {
	Model    ModelOptions
	Profiles ProfileOptions
	Load     LoadOptions
}

// Learn builds a snapshot from the closed deals, the current roster (for
// teams) and the load observations. It does not fail: where history is
// too thin it uses priors and says so in Notes. Retraining from scratch
// on every outcome is fine; see BenchmarkLearn for what it costs.
func Learn(deals []Deal, reps []Rep, loads []LoadObservation, o LearnOptions) *Knowledge {
	if o.Profiles.Prior == 0 {
		o.Profiles.Prior = o.Model.Prior
	}
	k := &Knowledge{Profiles: BuildProfiles(deals, reps, o.Profiles)}
	m, err := TrainModel(deals, o.Model)
	k.Model = m
	if errors.Is(err, ErrTooLittleHistory) {
		k.Notes = append(k.Notes, err.Error()+": close probability falls back to the prior")
	}
	k.Load = FitLoad(loads, o.Load)
	if !k.Load.Fitted {
		k.Notes = append(k.Notes, "too few load observations to fit: "+
			"win chance falls by the default amount per open task")
	}
	return k
}

// WithRecentA returns a copy of k whose recent tier A assignments are r.
// The copy shares the model and profiles, so it is cheap enough to make
// after every tier A assignment.
func (k *Knowledge) WithRecentA(r RecentA) *Knowledge {
	c := *k.orEmpty()
	c.RecentA = r
	return &c
}

var emptyKnowledge = Learn(nil, nil, nil, LearnOptions{})

func (k *Knowledge) orEmpty() *Knowledge {
	if k == nil {
		return emptyKnowledge
	}
	return k
}

// Learner is a strategy or scorer that uses learned knowledge. The
// service hands each new snapshot to its router and scorer when they are
// Learners; until then they work from priors.
type Learner interface {
	SetKnowledge(k *Knowledge)
}
