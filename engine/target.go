package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// TargetID identifies one version of a target. It is written "G3".
type TargetID int64

func (id TargetID) String() string { return "G" + strconv.FormatInt(int64(id), 10) }

// PeriodKind is the length of the periods a target counts over.
type PeriodKind string

// The period kinds. Weeks start on Monday 00:00, months on the 1st and
// quarters on 1 January, April, July and October, in the installation's
// time zone.
const (
	PeriodWeek    PeriodKind = "week"
	PeriodMonth   PeriodKind = "month"
	PeriodQuarter PeriodKind = "quarter"
)

// Metric is the recorded work a target counts.
type Metric string

// The metrics. Each is counted from the database over a period: see
// docs/targets.md for the exact definitions.
const (
	// MetricTouches counts acceptances and progress updates on leads
	// the rep held.
	MetricTouches Metric = "touches"
	// MetricExistingReviews counts the touches on leads of existing
	// customers.
	MetricExistingReviews Metric = "existing_reviews"
	// MetricClaimed counts leads the rep claimed from the pool.
	MetricClaimed Metric = "claimed"
	// MetricWon counts leads closed won while the rep held them.
	MetricWon Metric = "won"
	// MetricRevenue sums the amounts of those leads.
	MetricRevenue Metric = "revenue"
)

// Metrics lists every metric, in the order reports show them.
var Metrics = []Metric{MetricTouches, MetricExistingReviews, MetricClaimed, MetricWon,
	MetricRevenue}

// TargetSplit is how a team target is broken down to the team's reps.
type TargetSplit string

// The splits.
const (
	// SplitEven gives every rep the same part.
	SplitEven TargetSplit = "even"
	// SplitCapacity gives each rep a part in proportion to capacity.
	SplitCapacity TargetSplit = "capacity"
)

// MaxTargetAmount is the largest amount a target may ask for.
const MaxTargetAmount = 1e12

// Target is one version of a team's or a rep's target: Amount of Metric
// in every Period from the one starting at From, until a later version
// for the same scope, period kind and metric replaces it. Versions are
// never changed; an amount of 0 ends the target.
type Target struct {
	ID TargetID
	// Team is the team of a team target; Rep the rep of a rep target.
	// Exactly one is set.
	Team   string
	Rep    RepID
	Period PeriodKind
	Metric Metric
	// Amount is a count, or for revenue whole currency units.
	Amount int64
	// Split is how a team target is broken down; "" on rep targets.
	Split TargetSplit
	// From is the start of the first period the version applies to.
	From  time.Time
	SetBy RepID
	SetAt time.Time
}

// TargetInput is a target as a manager sets it. From is any moment in
// the first period it applies to; zero means the current period.
type TargetInput struct {
	Team   string
	Rep    RepID
	Period PeriodKind
	Metric Metric
	Amount int64
	Split  TargetSplit
	From   time.Time
}

// Validate checks a target input; an error names the field at fault.
func (in TargetInput) Validate() error {
	var c checker
	switch {
	case in.Team == "" && in.Rep == "":
		c.fail("team", "missing_field", "is required, or rep")
	case in.Team != "" && in.Rep != "":
		c.fail("rep", "invalid_value", "cannot be given with team; a target is one or the other")
	case in.Rep != "" && !validRepID(in.Rep):
		c.fail("rep", "invalid_value", "is %q, not a rep id", in.Rep)
	}
	c.text("team", in.Team, MaxShortLen, false)
	c.oneOf("period", string(in.Period), string(PeriodWeek), string(PeriodMonth),
		string(PeriodQuarter))
	c.oneOf("metric", string(in.Metric), metricNames()...)
	if in.Amount < 0 || in.Amount > MaxTargetAmount {
		c.fail("amount", "out_of_range", "is %d, must be from 0 to %d", in.Amount,
			int64(MaxTargetAmount))
	}
	switch {
	case in.Rep != "" && in.Split != "":
		c.fail("split", "invalid_value", "applies to team targets only")
	case in.Team != "" && in.Split != "":
		c.oneOf("split", string(in.Split), string(SplitEven), string(SplitCapacity))
	}
	return errOrNil(c.err)
}

func metricNames() []string {
	out := make([]string, len(Metrics))
	for i, m := range Metrics {
		out[i] = string(m)
	}
	return out
}

// Period is one week, month or quarter: from Start, up to End.
type Period struct {
	Kind       PeriodKind
	Start, End time.Time
}

// PeriodOf returns the period of the kind that holds t, in zone loc.
func PeriodOf(kind PeriodKind, t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	y, m, d := t.Date()
	var start, end time.Time
	switch kind {
	case PeriodWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, m, d-back, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d-back+7, 0, 0, 0, 0, loc)
	case PeriodMonth:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		end = start.AddDate(0, 1, 0)
	default:
		q := (int(m)-1)/3*3 + 1
		start = time.Date(y, time.Month(q), 1, 0, 0, 0, 0, loc)
		end = start.AddDate(0, 3, 0)
	}
	return Period{Kind: kind, Start: start, End: end}
}

// Elapsed returns how much of the period has passed at t, from 0 to 1.
func (p Period) Elapsed(t time.Time) float64 {
	switch {
	case !t.After(p.Start):
		return 0
	case !t.Before(p.End):
		return 1
	}
	return float64(t.Sub(p.Start)) / float64(p.End.Sub(p.Start))
}

// TargetFilter selects targets. Zero fields select everything.
type TargetFilter struct {
	// Teams and Reps keep the targets of these teams or these reps.
	Teams []string
	Reps  []RepID
}

// WorkQuery asks how much of a metric each of some reps did in a span.
type WorkQuery struct {
	Metric       Metric
	Reps         []RepID
	Since, Until time.Time
}

// targetZone is the installation's time zone periods are counted in.
func (s *Service) targetZone() *time.Location {
	if z := s.policy.Checkpoints.Zone; z != nil {
		return z
	}
	return time.UTC
}

// PutTarget sets a team's or a rep's target from the period holding
// in.From on, as a new version: the earlier ones stay as history. A
// manager may set any target; a team lead those of their own team and
// its reps. The change is audited.
func (s *Service) PutTarget(ctx context.Context, in TargetInput, by RepID) (Target, error) {
	if err := in.Validate(); err != nil {
		return Target{}, err
	}
	now := s.now()
	from := in.From
	if from.IsZero() {
		from = now
	}
	t := Target{Team: in.Team, Rep: in.Rep, Period: in.Period, Metric: in.Metric,
		Amount: in.Amount, Split: in.Split, SetBy: by, SetAt: now,
		From: PeriodOf(in.Period, from, s.targetZone()).Start}
	if t.Team != "" && t.Split == "" {
		t.Split = SplitEven
	}
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		if err := mayTarget(ctx, tx, t, by); err != nil {
			return err
		}
		var err error
		if t.ID, err = tx.InsertTarget(ctx, t); err != nil {
			return err
		}
		entry := AuditEntry{At: now, Actor: Actor(by), Action: "target.put",
			Subject: t.ID.String(), Detail: fmt.Sprintf("%s: %d %s a %s from %s, split %q",
				t.scope(), t.Amount, t.Metric, t.Period, t.From.Format(time.DateOnly), t.Split)}
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		logs.add("target set", slog.String("target_id", t.ID.String()),
			slog.String("team", t.Team), slog.String("rep_id", string(t.Rep)),
			slog.String("actor", string(by)))
		return nil
	})
	if err != nil {
		return Target{}, err
	}
	return t, nil
}

func (t Target) scope() string {
	if t.Rep != "" {
		return "rep " + string(t.Rep)
	}
	return "team " + t.Team
}

// mayTarget checks that by may set t: a manager any target, a team lead
// the targets of their team and of its reps.
func mayTarget(ctx context.Context, tx Tx, t Target, by RepID) error {
	r, err := actorRep(ctx, tx, by)
	if err != nil {
		return err
	}
	team := t.Team
	if t.Rep != "" {
		rep, err := tx.Rep(ctx, t.Rep)
		if err != nil {
			return err
		}
		team = rep.Team
	} else if err := teamExists(ctx, tx, team); err != nil {
		return err
	}
	if r.Role == RoleManager || (r.Role == RoleLead && r.Team != "" && r.Team == team) {
		return nil
	}
	return &Error{Kind: Forbidden, Code: "not_supervisor", Msg: fmt.Sprintf(
		"only a manager, or a lead of team %q, may set the target of %s", team, t.scope())}
}

// teamExists answers NotFound for a team nobody on the roster is in, so
// that a misspelt team gets no target.
func teamExists(ctx context.Context, tx Tx, team string) error {
	reps, err := tx.Reps(ctx)
	if err != nil {
		return err
	}
	for _, r := range reps {
		if r.Team == team {
			return nil
		}
	}
	return notFound("team_not_found", "no rep is in team %q", team)
}

// Targets returns the versions of targets f selects, oldest first: the
// history of every change.
func (s *Service) Targets(ctx context.Context, f TargetFilter) ([]Target, error) {
	return s.store.Targets(ctx, f)
}
