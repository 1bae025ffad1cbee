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

// tieOrder orders reps who rank exactly equal for a lead by a hash of
// the lead and the rep: random, yet the same every time the lead is
// routed, whatever the roster order; should two hashes collide, by id.
// The lead's part of the hash is computed once, and the hashes of the
// reps compared most (the few a router keeps) are remembered, so a
// roster of equals costs about one short hash per rep.
type tieOrder struct {
	lead   *Lead
	reps   []Rep
	prefix uint64
	ready  bool
	// A direct-mapped cache by roster index: slot i%len holds index+1
	// and its hash.
	idx [tieSlots]int
	h   [tieSlots]uint64
}

const tieSlots = 32

func (t *tieOrder) hash(i int) uint64 {
	if !t.ready {
		t.prefix, t.ready = fnvAdd(fnvOffset, leadKey(*t.lead)), true
	}
	slot := i % tieSlots
	if t.idx[slot] != i+1 {
		t.idx[slot], t.h[slot] = i+1, mix64(fnvAdd(t.prefix, string(t.reps[i].ID)))
	}
	return t.h[slot]
}

// before reports whether rep i goes before rep j in the tie-break.
func (t *tieOrder) before(i, j int) bool {
	if hi, hj := t.hash(i), t.hash(j); hi != hj {
		return hi < hj
	}
	return t.reps[i].ID < t.reps[j].ID
}

const fnvOffset = 14695981039346656037

// fnvAdd continues an FNV-1a hash with s and a separator byte, so that
// ("ab", "c") and ("a", "bc") differ.
func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= 0xff
	return h * 1099511628211
}

// mix64 is the SplitMix64 finaliser: it spreads an FNV hash so that its
// order is as random as its bits.
func mix64(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// tie says that the choice was a tie broken at random, naming one
// rep it was tied with; n counts the reps tied, the chosen one included.
func (l Lang) tie(n int, other Rep) string {
	if n == 2 {
		return l.say(msgTieOne, displayName(other))
	}
	return l.say(msgTie, n-1, displayName(other))
}

// countTied keeps count of the reps level with the best seen so far as
// a router takes in one more: first says it is the first, and compare
// orders it against the best without the tie-break (negative: better).
func countTied(tied int, first bool, compare func() int) int {
	if first {
		return 1
	}
	switch c := compare(); {
	case c < 0:
		return 1
	case c == 0:
		return tied + 1
	}
	return tied
}
