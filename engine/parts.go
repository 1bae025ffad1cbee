package engine

import "math"

// ScorePart is one part of a candidate's score. A candidate's Score is
// the sum of Value times Weight over its parts, up to rounding; a part
// of weight 0 adds nothing and is there to explain, such as the
// expected value in yuan behind a win chance.
type ScorePart struct {
	Name   string
	Value  float64
	Weight float64
}

// The names of score parts.
const (
	// PartLead is the lead's own close probability, before the rep.
	PartLead = "lead"
	// PartRecord is what the rep's record on leads like this one adds
	// to the win chance (negative when it takes away).
	PartRecord = "record"
	// PartLoad is what the rep's open tasks add to the win chance.
	PartLoad = "load"
	// PartValue is the win chance times the lead's amount, in yuan.
	PartValue = "value"
	// PartConfidence is how much of the rep's record is their own
	// history rather than the team's, from 0 to 1.
	PartConfidence = "confidence"
	// PartRecentA is the rep's share of recent tier A leads, which the
	// fairness guard caps; listed for tier A leads while it is on.
	PartRecentA = "recent_a_share"
	// PartExplored is 1 on the candidate chosen to give a rep with
	// little history a record.
	PartExplored = "explored"
	// PartSpare is the share of the rep's capacity still free.
	PartSpare = "spare"
	// PartOpenTasks and PartCapacity are the load behind PartSpare.
	PartOpenTasks = "open_tasks"
	PartCapacity  = "capacity"
)

// round3 keeps three decimals, as candidate scores do.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// valueParts splits a value router's score, the rep's win chance, into
// what the lead brings and what the rep's record and load add, and
// lists what else the choice weighed.
func valueParts(e Estimate, share float64, guarded, explored bool) []ScorePart {
	skilled := sigmoid(logit(e.Base) + e.Skill)
	out := []ScorePart{
		{Name: PartLead, Value: round3(e.Base), Weight: 1},
		{Name: PartRecord, Value: round3(skilled - e.Base), Weight: 1},
		{Name: PartLoad, Value: round3(e.Probability - skilled), Weight: 1},
		{Name: PartValue, Value: math.Round(e.Value)},
		{Name: PartConfidence, Value: round3(e.Confidence)},
	}
	if guarded {
		out = append(out, ScorePart{Name: PartRecentA, Value: round3(share)})
	}
	if explored {
		out = append(out, ScorePart{Name: PartExplored, Value: 1})
	}
	return out
}

// spareParts are the parts of a load-based score: the free share of the
// rep's capacity.
func spareParts(r Rep) []ScorePart {
	return []ScorePart{
		{Name: PartSpare, Value: spare(r), Weight: 1},
		{Name: PartOpenTasks, Value: float64(r.OpenTasks)},
		{Name: PartCapacity, Value: float64(r.Capacity)},
	}
}

// tieHash orders reps who rank exactly equal for a lead: random, yet the
// same every time the lead is routed, since it is seeded by the lead.
func tieHash(seed uint64, lead *Lead, r *Rep) uint64 {
	return stableHash(seed, leadKey(*lead), string(r.ID))
}

// tieOrder orders reps who rank exactly equal for a lead by tieHash,
// then, should the hashes collide, by id. It keeps each rep's hash once
// computed, so a roster of equals costs one hash per rep rather than one
// per comparison.
type tieOrder struct {
	lead *Lead
	reps []Rep
	h    []uint64 // by roster index; 0 until computed
}

func (t *tieOrder) hash(i int) uint64 {
	if t.h == nil {
		t.h = make([]uint64, len(t.reps))
	}
	if t.h[i] == 0 {
		t.h[i] = tieHash(0, t.lead, &t.reps[i])
	}
	return t.h[i]
}

// before reports whether rep i goes before rep j in the tie-break.
func (t *tieOrder) before(i, j int) bool {
	if hi, hj := t.hash(i), t.hash(j); hi != hj {
		return hi < hj
	}
	return t.reps[i].ID < t.reps[j].ID
}

// tie says that the choice was a tie broken at random, naming one
// rep it was tied with; n counts the reps tied, the chosen one included.
func (l Lang) tie(n int, other Rep) string {
	if n == 2 {
		return l.say(msgTieOne, displayName(other))
	}
	return l.say(msgTie, n-1, displayName(other))
}

// tiedWith counts the fitting reps that rank equal with the chosen one
// by equal, the chosen included, and returns the index of the runner-up
// of the tie-break among them, -1 when there is none.
func tiedWith(ties *tieOrder, chosen int, equal func(a, b *Rep) bool) (int, int) {
	reps := ties.reps
	n, next := 0, -1
	for i := range reps {
		if !equal(&reps[i], &reps[chosen]) || fitOf(ties.lead, &reps[i]) != fitOK {
			continue
		}
		n++
		if i != chosen && (next < 0 || ties.before(i, next)) {
			next = i
		}
	}
	return n, next
}
