package engine

import (
	"context"
	"time"
)

// digestBehind is the most reps behind their share a digest names per
// target; the rest are counted.
const digestBehind = 3

// DigestTarget is one team target as a digest shows it, with the
// progress counted when the digest was built.
type DigestTarget struct {
	Target TargetID   `json:"target"`
	Period PeriodKind `json:"period"`
	Metric Metric     `json:"metric"`
	// From and To are the period counted; Elapsed the share of it
	// passed at the digest, 1 for a period that has ended.
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Elapsed float64   `json:"elapsed"`
	// Amount is the team's target, Done the team's work, Expected what
	// on-track work has reached.
	Amount   int64          `json:"amount"`
	Done     float64        `json:"done"`
	Expected int64          `json:"expected"`
	Status   ProgressStatus `json:"status"`
	// Behind are the first reps behind their share, in id order;
	// MoreBehind counts the others.
	Behind     []RepBehind `json:"behind"`
	MoreBehind int         `json:"more_behind,omitempty"`
}

// RepBehind is a rep whose work is short of the pace of their share.
type RepBehind struct {
	Rep      RepID   `json:"rep"`
	Name     string  `json:"name"`
	Done     float64 `json:"done"`
	Share    int64   `json:"share"`
	Expected int64   `json:"expected"`
}

// TargetTally counts a team's digest targets by status.
type TargetTally struct {
	Total   int `json:"total"`
	Met     int `json:"met"`
	OnTrack int `json:"on_track"`
	Behind  int `json:"behind"`
}

// TallyTargets counts targets by status.
func TallyTargets(ts []DigestTarget) TargetTally {
	c := TargetTally{Total: len(ts)}
	for _, t := range ts {
		switch t.Status {
		case StatusMet:
			c.Met++
		case StatusOnTrack:
			c.OnTrack++
		default:
			c.Behind++
		}
	}
	return c
}

// digestTargets reports, by team, the team targets a digest built at
// now shows: the weekly ones of the week that ended before now's, and
// the monthly and quarterly ones of the periods in progress at now.
func (s *Service) digestTargets(
	ctx context.Context,
	reps []Rep,
	now time.Time,
) (map[string][]DigestTarget, error) {
	lastWeek := PeriodOf(PeriodWeek, now, s.targetZone()).Start.Add(-time.Nanosecond)
	queries := []TargetQuery{
		{Period: PeriodWeek, At: lastWeek},
		{Period: PeriodMonth, At: now},
		{Period: PeriodQuarter, At: now},
	}
	names := map[RepID]string{}
	for _, r := range reps {
		names[r.ID] = displayName(r)
	}
	out := map[string][]DigestTarget{}
	for _, q := range queries {
		rs, err := s.TargetProgress(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.Target.Team != "" {
				out[r.Target.Team] = append(out[r.Target.Team], digestTarget(r, names))
			}
		}
	}
	return out, nil
}

func digestTarget(r TargetReport, names map[RepID]string) DigestTarget {
	d := DigestTarget{Target: r.Target.ID, Period: r.Period.Kind, Metric: r.Target.Metric,
		From: r.Period.Start, To: r.Period.End, Elapsed: r.Elapsed, Amount: r.Amount,
		Done: r.Done, Expected: r.Expected, Status: r.Status, Behind: []RepBehind{}}
	for _, p := range r.Parts {
		if p.Status != StatusBehind {
			continue
		}
		if len(d.Behind) == digestBehind {
			d.MoreBehind++
			continue
		}
		d.Behind = append(d.Behind, RepBehind{Rep: p.Rep, Name: names[p.Rep], Done: p.Done,
			Share: p.Amount, Expected: p.Expected})
	}
	return d
}
