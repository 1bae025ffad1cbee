package engine

import (
	"cmp"
	"math"
)

// LeastLoadedName is the configuration name of LeastLoaded.
const LeastLoadedName = "least-loaded"

// LeastLoaded gives each lead to the fitting rep with the lowest share of
// their capacity in use, so that work spreads evenly whatever each rep's
// capacity. Among equals, the one who has waited longest for a lead gets
// it; exact ties are broken at random, seeded by the lead.
type LeastLoaded struct {
	// Lang is the language of the reasons (default Chinese).
	Lang Lang
}

// Name returns LeastLoadedName.
func (LeastLoaded) Name() string { return LeastLoadedName }

// leastLoadedCandidates is how many reps a decision lists.
const leastLoadedCandidates = 5

// Route picks the fitting rep with the lowest open/capacity ratio, in one
// pass over the roster. Candidates are scored by their spare capacity.
// Route applies no time zone rule; the Service gives it the rule of the
// decision.
func (s LeastLoaded) Route(lead Lead, reps []Rep) Decision { return s.routeZoned(lead, reps, nil) }

func (s LeastLoaded) routeZoned(lead Lead, reps []Rep, z *zoneCheck) Decision {
	d := Decision{Strategy: LeastLoadedName}
	var top []int
	var skips skipped
	n := 0
	ties := tieOrder{lead: &lead, reps: reps}
	tied := 0 // reps level with the least loaded
	for i := range reps {
		if skips.note(fitOf(&lead, &reps[i], z), &reps[i]) {
			n++
			tied = countTied(tied, len(top) == 0, func() int {
				return compareLoad(&reps[i], &reps[top[0]])
			})
			top = insertLeast(top, i, reps, &ties)
		}
	}
	if n == 0 {
		d.Reasons = s.Lang.standby(skips)
		return d
	}

	chosen := reps[top[0]]
	d.RepID = chosen.ID
	for _, i := range top {
		d.Candidates = append(d.Candidates, Candidate{RepID: reps[i].ID, Score: spare(reps[i]),
			Parts: spareParts(reps[i])})
	}
	used := float64(chosen.OpenTasks) / float64(chosen.Capacity)
	d.Reasons = []string{s.Lang.say(msgLeastLoaded, displayName(chosen),
		chosen.OpenTasks, chosen.Capacity, pct(math.Min(1, used)), n)}
	if tied > 1 {
		d.Reasons = append(d.Reasons, s.Lang.tie(tied, reps[top[1]]))
	}
	if skips.any() {
		d.Reasons = append(d.Reasons, s.Lang.skips(skips))
	}
	return d
}

// insertLeast keeps the least loaded reps seen, best first.
func insertLeast(top []int, i int, reps []Rep, ties *tieOrder) []int {
	k := leastLoadedCandidates
	lessLoaded := func(a, b int) bool { return lessLoaded(a, b, reps, ties) }
	if len(top) == k && !lessLoaded(i, top[k-1]) {
		return top
	}
	if len(top) < k {
		top = append(top, i)
	} else {
		top[k-1] = i
	}
	for j := len(top) - 1; j > 0 && lessLoaded(top[j], top[j-1]); j-- {
		top[j], top[j-1] = top[j-1], top[j]
	}
	return top
}

// lessLoaded orders reps by open/capacity, compared exactly by cross
// multiplication, then by who has waited longest, then at random by the
// lead.
func lessLoaded(i, j int, reps []Rep, ties *tieOrder) bool {
	if c := compareLoad(&reps[i], &reps[j]); c != 0 {
		return c < 0
	}
	return ties.before(i, j)
}

// compareLoad orders two reps by lessLoaded's keys before the tie-break:
// negative when a goes first, 0 for an exact tie.
func compareLoad(a, b *Rep) int {
	if x, y := a.OpenTasks*b.Capacity, b.OpenTasks*a.Capacity; x != y {
		return cmp.Compare(x, y)
	}
	return a.LastAssignedAt.Compare(b.LastAssignedAt)
}
