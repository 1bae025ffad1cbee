package insight

import (
	"context"
	"fmt"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// Source is where a report's rows come from. Counts come aggregated;
// the samples behind medians and shares stream through fn, page by page,
// so a period is never read whole into memory. Every method returns an
// *engine.Error of kind Unavailable when the database cannot be reached,
// and fn's error unchanged.
type Source interface {
	// Reps returns every rep, ordered by id.
	Reps(ctx context.Context) ([]engine.Rep, error)
	// TaskCounts counts, per holder, the held or closed leads whose
	// deadline is in [from, to) and those followed up (accepted, or
	// progress recorded) or closed by their deadline.
	TaskCounts(ctx context.Context, from, to time.Time) ([]TaskCount, error)
	// HeldCounts counts the assigned leads per holder as q judges them.
	HeldCounts(ctx context.Context, q HeldQuery) ([]HeldCount, error)
	// KeyAccounts counts open tier A leads (pooled, standby, assigned)
	// per holder, "" for those nobody holds.
	KeyAccounts(ctx context.Context) ([]KeyAccountCount, error)
	// ClosedCounts counts per holder and tier the leads closed in
	// [from, to), and sums the won amounts.
	ClosedCounts(ctx context.Context, from, to time.Time) ([]ClosedCount, error)
	// Holdings streams the stretches of holding that started in
	// [from, to), each with its holder's first acceptance or progress in
	// the stretch.
	Holdings(ctx context.Context, from, to time.Time, fn func(Holding) error) error
	// Cycles streams the leads closed in [from, to) that were ever
	// assigned, with their first assignment.
	Cycles(ctx context.Context, from, to time.Time, fn func(Cycle) error) error
	// Replies streams the notices about a lead first delivered to a rep
	// in [from, to), each with the rep's next act on the lead.
	Replies(ctx context.Context, from, to time.Time, fn func(Reply) error) error
	// Actions streams what reps did themselves to leads in [from, to).
	Actions(ctx context.Context, from, to time.Time, fn func(Action) error) error
}

// Reporter makes health reports from a source.
type Reporter struct {
	src   Source
	set   Settings
	clock engine.Clock
}

// NewReporter returns a reporter on src; clock tells AsOf.
func NewReporter(src Source, set Settings, clock engine.Clock) *Reporter {
	if set.StallAfter <= 0 {
		set.StallAfter = DefaultStallAfter
	}
	if clock == nil {
		clock = engine.SystemClock{}
	}
	return &Reporter{src: src, set: set, clock: clock}
}

// Query asks for a report: the period [From, To) and, when Team is set,
// that team only beside the company. With Weeks set, each tile of the
// company and the teams carries its trend over that many weeks up to To.
type Query struct {
	From, To time.Time
	Team     string
	Weeks    int
}

// MaxTrendWeeks bounds a trend: half a year of weekly points.
const MaxTrendWeeks = 26

// Now is the reporter's clock.
func (r *Reporter) Now() time.Time { return r.clock.Now() }

// Health reports over q's period. Invalid (field "to") when the period
// is empty or reversed, (field "team") when no rep is in q.Team.
func (r *Reporter) Health(ctx context.Context, q Query) (Report, error) {
	if !q.From.Before(q.To) {
		return Report{}, &engine.Error{Kind: engine.Invalid, Code: "invalid_period", Field: "to",
			Msg: fmt.Sprintf("is %s; it must be after from (%s)",
				q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))}
	}
	reps, err := r.src.Reps(ctx)
	if err != nil {
		return Report{}, err
	}
	p := Period{From: q.From, To: q.To, AsOf: r.clock.Now()}
	b := NewBuilder(r.set, p, reps)
	if q.Team != "" && !hasTeam(reps, q.Team) {
		return Report{}, &engine.Error{Kind: engine.Invalid, Code: "unknown_team", Field: "team",
			Msg: fmt.Sprintf("no rep is in team %q", q.Team)}
	}
	if err := r.fill(ctx, b, p); err != nil {
		return Report{}, err
	}
	out := b.Report(q.Team)
	if q.Weeks > 0 {
		if err := r.trend(ctx, &out, reps, q); err != nil {
			return Report{}, err
		}
	}
	return out, nil
}

// trend adds to every tile of out its value in each of q.Weeks weeks up
// to q.To, oldest first. Each week is a report of its own; a week that
// ended before now has no state figures.
func (r *Reporter) trend(ctx context.Context, out *Report, reps []engine.Rep, q Query) error {
	if q.Weeks > MaxTrendWeeks {
		return &engine.Error{Kind: engine.Invalid, Code: "invalid_param", Field: "trend",
			Msg: fmt.Sprintf("asks for %d weeks; at most %d", q.Weeks, MaxTrendWeeks)}
	}
	const week = 7 * 24 * time.Hour
	asOf := out.AsOf
	for k := q.Weeks; k >= 1; k-- {
		to := q.To.Add(-time.Duration(k-1) * week)
		p := Period{From: to.Add(-week), To: to, AsOf: asOf}
		b := NewBuilder(r.set, p, reps)
		if err := r.fill(ctx, b, p); err != nil {
			return err
		}
		wk := b.Report(q.Team)
		addPoints(&out.Company, wk.Company, p)
		for i := range out.Teams {
			for _, s := range wk.Teams {
				if s.Team == out.Teams[i].Team {
					addPoints(&out.Teams[i], s, p)
				}
			}
		}
	}
	return nil
}

func addPoints(dst *Scope, wk Scope, p Period) {
	for i, t := range dst.Tiles {
		if w, ok := wk.Tile(t.ID); ok {
			dst.Tiles[i].Trend = append(dst.Tiles[i].Trend,
				Point{From: p.From, To: p.To, Value: w.Value, Status: w.Status})
		}
	}
}

func hasTeam(reps []engine.Rep, team string) bool {
	for _, r := range reps {
		if r.Team == team {
			return true
		}
	}
	return false
}

// fill reads every row of p into b.
func (r *Reporter) fill(ctx context.Context, b *Builder, p Period) error {
	tasks, err := r.src.TaskCounts(ctx, p.From, p.DueEnd())
	if err != nil {
		return err
	}
	b.AddTasks(tasks...)

	if p.Current() {
		if err := r.fillState(ctx, b, p.AsOf); err != nil {
			return err
		}
	}

	closed, err := r.src.ClosedCounts(ctx, p.From, p.To)
	if err != nil {
		return err
	}
	b.AddClosed(closed...)

	prev := p.Previous()
	err = r.src.Holdings(ctx, prev.From, p.To, func(h Holding) error {
		b.AddHolding(h)
		return nil
	})
	if err != nil {
		return err
	}
	err = r.src.Cycles(ctx, p.From, p.To, func(c Cycle) error {
		b.AddCycle(c)
		return nil
	})
	if err != nil {
		return err
	}
	err = r.src.Replies(ctx, p.From, p.To, func(x Reply) error {
		b.AddReply(x)
		return nil
	})
	if err != nil {
		return err
	}
	return r.src.Actions(ctx, p.From, p.To, func(a Action) error {
		b.AddAction(a)
		return nil
	})
}

// fillState reads the state of held leads at asOf.
func (r *Reporter) fillState(ctx context.Context, b *Builder, asOf time.Time) error {
	q := HeldQuery{
		StalledBefore: asOf.Add(-r.set.StallAfter),
		Cadence:       CadenceRules(r.set.Cadence, asOf),
	}
	if r.set.UntouchedAfter > 0 {
		q.UntouchedBefore = asOf.Add(-r.set.UntouchedAfter)
	}
	held, err := r.src.HeldCounts(ctx, q)
	if err != nil {
		return err
	}
	b.AddHeld(held...)
	keys, err := r.src.KeyAccounts(ctx)
	if err != nil {
		return err
	}
	b.AddKeyAccounts(keys...)
	return nil
}
