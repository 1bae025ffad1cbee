package engine

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"
)

// ProgressStatus is how work stands against a target.
type ProgressStatus string

// The progress statuses.
const (
	// StatusMet: done reached the target.
	StatusMet ProgressStatus = "met"
	// StatusOnTrack: done keeps pace with the time passed in the period.
	StatusOnTrack ProgressStatus = "on_track"
	// StatusBehind: done is short of the pace.
	StatusBehind ProgressStatus = "behind"
)

// Progress is the work done against one amount in a period.
type Progress struct {
	Amount int64
	Done   float64
	// Expected is the amount scaled by the share of the period passed,
	// rounded down: what on-track work has reached by now.
	Expected int64
	// Share is Done over Amount, 0 when Amount is 0.
	Share  float64
	Status ProgressStatus
}

func progressOf(amount int64, done, elapsed float64) Progress {
	p := Progress{Amount: amount, Done: done,
		Expected: int64(math.Floor(float64(amount) * elapsed))}
	if amount > 0 {
		p.Share = done / float64(amount)
	}
	switch {
	case done >= float64(amount):
		p.Status = StatusMet
	case done >= float64(p.Expected):
		p.Status = StatusOnTrack
	default:
		p.Status = StatusBehind
	}
	return p
}

// RepProgress is one rep's part of a target and the work done on it.
type RepProgress struct {
	Rep RepID
	// Own is the rep's own target, which replaced their share of the
	// team's; 0 when the part is their share.
	Own TargetID
	Progress
}

// TargetReport is a target in effect in a period and the work done on
// it. A team target's report has the team's progress and a part per
// active rep of the team; a rep target's has the rep's progress alone.
type TargetReport struct {
	Target Target
	Period Period
	// Elapsed is how much of the period has passed, from 0 to 1.
	Elapsed float64
	// Assigned sums the parts; it differs from the team's amount when
	// reps' own targets add up to more, or the team has no rep.
	Assigned int64
	Progress
	Parts []RepProgress
}

// TargetQuery selects target reports. Zero fields select everything; a
// zero At is now.
type TargetQuery struct {
	Team   string
	Rep    RepID
	Period PeriodKind
	At     time.Time
}

// TargetProgress reports every target in effect in the periods holding
// q.At, with the work done on it counted from recorded history: team
// targets first, then rep targets of reps whose team has none of that
// period and metric; by period kind, team or rep, then metric. With
// q.Rep a team report keeps that rep's part alone.
func (s *Service) TargetProgress(ctx context.Context, q TargetQuery) ([]TargetReport, error) {
	kinds := []PeriodKind{PeriodWeek, PeriodMonth, PeriodQuarter}
	if q.Period != "" {
		var c checker
		c.oneOf("period", string(q.Period), string(PeriodWeek), string(PeriodMonth),
			string(PeriodQuarter))
		if c.err != nil {
			return nil, c.err
		}
		kinds = []PeriodKind{q.Period}
	}
	now := s.now()
	at := q.At
	if at.IsZero() {
		at = now
	}
	reps, err := s.store.Reps(ctx)
	if err != nil {
		return nil, err
	}
	if q.Rep != "" && !slices.ContainsFunc(reps, func(r Rep) bool { return r.ID == q.Rep }) {
		return nil, notFound("rep_not_found", "rep %q is not known", q.Rep)
	}
	versions, err := s.store.Targets(ctx, TargetFilter{})
	if err != nil {
		return nil, err
	}
	var out []TargetReport
	for _, k := range kinds {
		p := PeriodOf(k, at, s.targetZone())
		rs, err := s.reportsFor(ctx, p, p.Elapsed(now), inEffect(versions, p), reps)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return filterReports(out, q, reps), nil
}

// inEffect returns, of each scope and metric with versions of the
// period's kind, the latest version from the period or before, unless
// it ended the target.
func inEffect(versions []Target, p Period) []Target {
	type key struct {
		team   string
		rep    RepID
		metric Metric
	}
	latest := map[key]Target{}
	for _, v := range versions {
		if v.Period != p.Kind || v.From.After(p.Start) {
			continue
		}
		k := key{v.Team, v.Rep, v.Metric}
		if cur, ok := latest[k]; !ok || v.From.After(cur.From) ||
			(v.From.Equal(cur.From) && v.ID > cur.ID) {
			latest[k] = v
		}
	}
	var out []Target
	for _, v := range latest {
		if v.Amount > 0 {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b Target) int {
		return cmp.Or(cmp.Compare(a.Rep, b.Rep), cmp.Compare(a.Team, b.Team),
			slices.Index(Metrics, a.Metric)-slices.Index(Metrics, b.Metric))
	})
	return out
}

// reportsFor builds the reports of the targets in effect in one period.
func (s *Service) reportsFor(
	ctx context.Context,
	p Period,
	elapsed float64,
	targets []Target,
	reps []Rep,
) ([]TargetReport, error) {
	own := map[RepID]map[Metric]Target{}
	for _, t := range targets {
		if t.Rep != "" {
			if own[t.Rep] == nil {
				own[t.Rep] = map[Metric]Target{}
			}
			own[t.Rep][t.Metric] = t
		}
	}
	covered := map[RepID]map[Metric]bool{}
	var out []TargetReport
	for _, t := range targets {
		if t.Team == "" {
			continue
		}
		parts := breakDown(t, members(reps, t.Team), own)
		for _, part := range parts {
			if covered[part.Rep] == nil {
				covered[part.Rep] = map[Metric]bool{}
			}
			covered[part.Rep][t.Metric] = true
		}
		out = append(out, TargetReport{Target: t, Period: p, Elapsed: elapsed, Parts: parts})
	}
	for _, t := range targets {
		if t.Rep == "" || covered[t.Rep][t.Metric] {
			continue
		}
		parts := []RepProgress{{Rep: t.Rep, Own: t.ID, Progress: Progress{Amount: t.Amount}}}
		out = append(out, TargetReport{Target: t, Period: p, Elapsed: elapsed, Parts: parts})
	}
	if err := s.countDone(ctx, p, out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].sumUp()
	}
	return out, nil
}

// sumUp sets the progress of each part and of the whole from the work
// counted; a rep target's report keeps no parts.
func (r *TargetReport) sumUp() {
	var done float64
	r.Assigned = 0
	for j := range r.Parts {
		part := &r.Parts[j]
		part.Progress = progressOf(part.Amount, part.Done, r.Elapsed)
		done += part.Done
		r.Assigned += part.Amount
	}
	r.Progress = progressOf(r.Target.Amount, done, r.Elapsed)
	if r.Target.Rep != "" {
		r.Parts = nil
	}
}

// countDone fills in each part's work done, one query per metric.
func (s *Service) countDone(ctx context.Context, p Period, rs []TargetReport) error {
	for _, m := range Metrics {
		var ids []RepID
		for _, r := range rs {
			if r.Target.Metric != m {
				continue
			}
			for _, part := range r.Parts {
				ids = append(ids, part.Rep)
			}
		}
		if len(ids) == 0 {
			continue
		}
		slices.Sort(ids)
		done, err := s.store.WorkDone(ctx, WorkQuery{Metric: m, Reps: slices.Compact(ids),
			Since: p.Start, Until: p.End})
		if err != nil {
			return err
		}
		for i := range rs {
			if rs[i].Target.Metric != m {
				continue
			}
			for j := range rs[i].Parts {
				rs[i].Parts[j].Done = done[rs[i].Parts[j].Rep]
			}
		}
	}
	return nil
}

// members returns the active reps (role rep) of a team, in id order.
func members(reps []Rep, team string) []Rep {
	var out []Rep
	for _, r := range reps {
		if r.Team == team && r.Role == RoleRep && r.Active {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Rep) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// breakDown splits a team target over its members. A member with an
// own target of the metric in effect keeps it; what remains of the
// team's amount is split over the others, evenly or by capacity, by the
// largest remainder so that the parts add up to it exactly.
func breakDown(t Target, team []Rep, own map[RepID]map[Metric]Target) []RepProgress {
	parts := make([]RepProgress, len(team))
	left := t.Amount
	var rest []int
	for i, r := range team {
		parts[i].Rep = r.ID
		if o, ok := own[r.ID][t.Metric]; ok {
			parts[i].Own = o.ID
			parts[i].Amount = o.Amount
			left -= o.Amount
			continue
		}
		rest = append(rest, i)
	}
	if left <= 0 || len(rest) == 0 {
		return parts
	}
	weights := make([]int64, len(rest))
	for i, idx := range rest {
		weights[i] = 1
		if t.Split == SplitCapacity {
			weights[i] = int64(max(team[idx].Capacity, 0))
		}
	}
	for i, n := range largestRemainder(left, weights) {
		parts[rest[i]].Amount = n
	}
	return parts
}

// largestRemainder splits amount in proportion to weights (all equal
// when they sum to 0): each part is its quota rounded down, and the
// units left over go to the largest remainders, ties to the earlier.
func largestRemainder(amount int64, weights []int64) []int64 {
	var total int64
	for _, w := range weights {
		total += w
	}
	if total == 0 {
		for i := range weights {
			weights[i] = 1
		}
		total = int64(len(weights))
	}
	out := make([]int64, len(weights))
	rem := make([]int64, len(weights))
	given := int64(0)
	for i, w := range weights {
		// amount is at most 1e12 and a weight at most MaxCapacity, so
		// the product fits an int64.
		out[i] = amount * w / total
		rem[i] = amount * w % total
		given += out[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, i := range order[:amount-given] {
		out[i]++
	}
	return out
}

// filterReports keeps the reports q asks for: of q.Team's targets and
// its reps' own, or those q.Rep has a part in, with that part alone.
func filterReports(rs []TargetReport, q TargetQuery, reps []Rep) []TargetReport {
	team := map[RepID]string{}
	for _, r := range reps {
		team[r.ID] = r.Team
	}
	out := []TargetReport{}
	for _, r := range rs {
		if q.Team != "" && r.Target.Team != q.Team && team[r.Target.Rep] != q.Team {
			continue
		}
		if q.Rep != "" {
			if r.Target.Rep != "" {
				if r.Target.Rep != q.Rep {
					continue
				}
			} else {
				i := slices.IndexFunc(r.Parts, func(p RepProgress) bool { return p.Rep == q.Rep })
				if i < 0 {
					continue
				}
				r.Parts = []RepProgress{r.Parts[i]}
			}
		}
		out = append(out, r)
	}
	return out
}
