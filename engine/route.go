package engine

import (
	"fmt"
	"math"
	"sort"
)

// Router chooses the rep who should own a lead. It does no I/O: it sees
// the lead and the roster with each rep's current load, and returns a
// Decision whose RepID is "" when nobody fitting has room, in which case
// the lead waits on standby. A Router must not choose an inactive rep or
// one without room.
type Router interface {
	// Name identifies the strategy in decisions and configuration.
	Name() string
	Route(lead Lead, reps []Rep) Decision
}

// RoundRobinName is the configuration name of RoundRobin.
const RoundRobinName = "round-robin"

// NewRouter returns the strategy configured by name, with its default
// options. An expertise-value-load router starts from priors: hand it
// learned knowledge through the Learner interface.
func NewRouter(name string) (Router, error) {
	switch name {
	case RoundRobinName:
		return RoundRobin{}, nil
	case LeastLoadedName:
		return LeastLoaded{}, nil
	case ExpertiseValueLoadName:
		r, err := NewValueRouter(DefaultValueOptions)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	return nil, fmt.Errorf("unknown routing strategy %q (known: %s, %s, %s)",
		name, RoundRobinName, LeastLoadedName, ExpertiseValueLoadName)
}

// RoundRobin is the capacity-aware rotation: among active reps with
// room, the one who has gone longest without a new lead gets it. It reads
// the rotation from each rep's last assignment rather than a counter of
// its own, so several Leadbot processes take turns correctly.
type RoundRobin struct{}

// Name returns RoundRobinName.
func (RoundRobin) Name() string { return RoundRobinName }

// Route picks the rep with room who was assigned least recently; ties go
// to the lower id.
func (RoundRobin) Route(lead Lead, reps []Rep) Decision {
	var room []Rep
	var inactive, full int
	for _, r := range reps {
		switch {
		case !Routable(r):
			if r.Role != RoleManager {
				inactive++
			}
		case !r.HasRoom():
			full++
		default:
			room = append(room, r)
		}
	}

	d := Decision{Strategy: RoundRobinName}
	if len(room) == 0 {
		d.Reasons = []string{fmt.Sprintf("every rep is at capacity (%d full, %d inactive): waiting on standby",
			full, inactive)}
		return d
	}

	sort.SliceStable(room, func(i, j int) bool {
		a, b := room[i], room[j]
		if !a.LastAssignedAt.Equal(b.LastAssignedAt) {
			return a.LastAssignedAt.Before(b.LastAssignedAt)
		}
		return a.ID < b.ID
	})
	chosen := room[0]
	d.RepID = chosen.ID
	for _, r := range room {
		d.Candidates = append(d.Candidates, Candidate{RepID: r.ID, Score: spare(r)})
	}
	d.Reasons = []string{
		fmt.Sprintf("round-robin: %s has waited longest for a new lead among %d reps with room",
			displayName(chosen), len(room)),
		fmt.Sprintf("load %d of %d", chosen.OpenTasks, chosen.Capacity),
	}
	if full+inactive > 0 {
		d.Reasons = append(d.Reasons, fmt.Sprintf("skipped %d full and %d inactive reps", full, inactive))
	}
	return d
}

// Routable reports whether a rep may be given leads at all: active, and
// not a manager.
func Routable(r Rep) bool {
	return r.Active && r.Role != RoleManager && r.Capacity > 0
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
