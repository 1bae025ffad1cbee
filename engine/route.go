package engine

import (
	"fmt"
	"math"
)

// Router chooses the rep who should own a lead. It does no I/O: it sees
// the lead and the roster with each rep's current load, and returns a
// Decision whose RepID is "" when nobody fitting has room, in which case
// the lead waits on standby. A Router must not choose an inactive rep or
// one without room. The time zone rule (ZoneRule) depends on the time of
// the decision, which Route is not given: the Service applies it through
// the built-in strategies, and Route alone does not.
type Router interface {
	// Name identifies the strategy in decisions and configuration.
	Name() string
	Route(lead Lead, reps []Rep) Decision
}

// RoundRobinName is the configuration name of RoundRobin.
const RoundRobinName = "round-robin"

// NewRouter returns the strategy configured by name. Every strategy
// writes its reasons in o.Lang; the expertise-value-load router also
// takes the rest of o, and starts from priors until it is handed
// learned knowledge through the Learner interface.
func NewRouter(name string, o ValueOptions) (Router, error) {
	switch name {
	case RoundRobinName:
		return RoundRobin{Lang: o.Lang}, nil
	case LeastLoadedName:
		return LeastLoaded{Lang: o.Lang}, nil
	case ExpertiseValueLoadName:
		return NewValueRouter(o)
	}
	return nil, fmt.Errorf("unknown routing strategy %q (known: %s, %s, %s)",
		name, ExpertiseValueLoadName, LeastLoadedName, RoundRobinName)
}

// RoundRobin is the capacity-aware rotation: among active reps with
// room who fit the lead, the one who has gone longest without a new
// lead gets it. It reads the rotation from each rep's last assignment
// rather than a counter of its own, so several Leadbot processes take
// turns correctly. It stays as a baseline to compare the others with.
type RoundRobin struct {
	// Lang is the language of the reasons (default Chinese).
	Lang Lang
}

// Name returns RoundRobinName.
func (RoundRobin) Name() string { return RoundRobinName }

// roundRobinCandidates is how many reps a rotation decision lists.
const roundRobinCandidates = 5

// Route picks the rep with room who was assigned least recently; exact
// ties are broken at random, seeded by the lead, and say so in the
// reasons. It reads the roster once, keeping the first few in
// rotation order as the candidates. Route applies no time zone rule;
// the Service gives it the rule of the decision.
func (s RoundRobin) Route(lead Lead, reps []Rep) Decision { return s.routeZoned(lead, reps, nil) }

func (s RoundRobin) routeZoned(lead Lead, reps []Rep, z *zoneCheck) Decision {
	var top []int
	var skips skipped
	room := 0
	ties := tieOrder{lead: &lead, reps: reps}
	tied := 0 // reps level with the first in the rotation
	for i := range reps {
		if skips.note(fitOf(&lead, &reps[i], z), &reps[i]) {
			room++
			tied = countTied(tied, len(top) == 0, func() int {
				return reps[i].LastAssignedAt.Compare(reps[top[0]].LastAssignedAt)
			})
			top = insertTurn(top, i, reps, &ties)
		}
	}
	d := Decision{Strategy: RoundRobinName}
	if room == 0 {
		d.Reasons = s.Lang.standby(skips)
		return d
	}

	chosen := reps[top[0]]
	d.RepID = chosen.ID
	for _, i := range top {
		d.Candidates = append(d.Candidates, Candidate{RepID: reps[i].ID, Score: spare(reps[i]),
			Parts: spareParts(reps[i])})
	}
	d.Reasons = []string{
		s.Lang.say(msgRoundRobin, displayName(chosen), room),
		s.Lang.say(msgLoad, chosen.OpenTasks, chosen.Capacity),
	}
	if tied > 1 {
		d.Reasons = append(d.Reasons, s.Lang.tie(tied, reps[top[1]]))
	}
	if skips.any() {
		d.Reasons = append(d.Reasons, s.Lang.skips(skips))
	}
	return d
}

func sameTurn(a, b *Rep) bool { return a.LastAssignedAt.Equal(b.LastAssignedAt) }

// insertTurn keeps the reps next in the rotation, first first.
func insertTurn(top []int, i int, reps []Rep, ties *tieOrder) []int {
	turnBefore := func(a, b int) bool {
		if !sameTurn(&reps[a], &reps[b]) {
			return reps[a].LastAssignedAt.Before(reps[b].LastAssignedAt)
		}
		return ties.before(a, b)
	}
	k := roundRobinCandidates
	if len(top) == k && !turnBefore(i, top[k-1]) {
		return top
	}
	at := len(top)
	for at > 0 && turnBefore(i, top[at-1]) {
		at--
	}
	top = append(top, 0)
	copy(top[at+1:], top[at:])
	top[at] = i
	if len(top) > k {
		top = top[:k]
	}
	return top
}

// Routable reports whether a rep may be given leads at all: active, not
// away, and not a manager.
func Routable(r Rep) bool {
	return r.Active && !r.Away && r.Role != RoleManager && r.Capacity > 0
}

func spare(r Rep) float64 {
	if r.Capacity <= 0 {
		return 0
	}
	return math.Round(float64(r.Capacity-r.OpenTasks)/float64(r.Capacity)*100) / 100
}

func displayName(r Rep) string {
	if r.Name != "" {
		return r.Name
	}
	return string(r.ID)
}
