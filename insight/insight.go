// Package insight computes a sales organisation's health metrics over a
// period, per team and for the company: task completion, key-account
// coverage, stalled and unfollowed work, response and cycle times,
// conversion, revenue, and the overload signals of each rep. The
// definitions are in docs/metrics.md.
//
// The computation is pure: a Builder folds plain rows (per-rep counts a
// store aggregates, and the samples behind medians) into a Report. A
// Reporter feeds a Builder from a Source, which the storage package
// implements; nothing here does I/O of its own.
package insight

import (
	"time"

	"github.com/leadbot/leadbot/engine"
)

// Status is how a tile stands against its threshold.
type Status string

// The tile statuses. Info marks a tile without a threshold; NoData one
// with nothing to count, whose value is absent rather than zero.
const (
	Healthy Status = "healthy"
	Warning Status = "warning"
	Alert   Status = "alert"
	Info    Status = "info"
	NoData  Status = "no_data"
)

// Floor is the threshold of a metric where more is better: above
// Healthy it is healthy, above Warning a warning, else an alert.
type Floor struct {
	Healthy float64 `yaml:"healthy_above" json:"healthy_above"`
	Warning float64 `yaml:"warning_above" json:"warning_above"`
}

// Ceiling is the threshold of a metric where less is better: above
// Alert it is an alert, above Warning a warning, else healthy.
type Ceiling struct {
	Alert   float64 `yaml:"alert_above" json:"alert_above"`
	Warning float64 `yaml:"warning_above" json:"warning_above"`
}

// Thresholds are the levels tiles are judged by.
type Thresholds struct {
	Completion Floor   `yaml:"completion"`
	Coverage   Floor   `yaml:"coverage"`
	Stalled    Ceiling `yaml:"stalled"`
	Unfollowed Ceiling `yaml:"unfollowed"`
	// SlowingReplies compares a rep's median time to first touch with
	// the previous period's, as a ratio: 1.5 is half as slow again.
	SlowingReplies Ceiling `yaml:"slowing_replies"`
	AfterHours     Ceiling `yaml:"after_hours"`
}

// DefaultThresholds are the product's levels: completion healthy above
// 85%, coverage above 90%, stalled opportunities alerting above 35%,
// unfollowed customers above 20%; the warning bands and the reply and
// after-hours levels are the installation's starting point.
var DefaultThresholds = Thresholds{
	Completion:     Floor{Healthy: 0.85, Warning: 0.70},
	Coverage:       Floor{Healthy: 0.90, Warning: 0.80},
	Stalled:        Ceiling{Alert: 0.35, Warning: 0.25},
	Unfollowed:     Ceiling{Alert: 0.20, Warning: 0.10},
	SlowingReplies: Ceiling{Alert: 1.5, Warning: 1.2},
	AfterHours:     Ceiling{Alert: 0.30, Warning: 0.15},
}

// DefaultStallAfter is how long an open held lead may go without a
// touch before it counts as stalled.
const DefaultStallAfter = 7 * 24 * time.Hour

// Settings are what the metrics are measured with.
type Settings struct {
	Thresholds Thresholds
	// StallAfter is the silence after which a held lead is stalled.
	StallAfter time.Duration
	// UntouchedAfter and UntouchedCount are the scheduler's untouched
	// work rule: a rep holding UntouchedCount or more leads without a
	// follow-up for longer than UntouchedAfter is overloaded.
	UntouchedAfter time.Duration
	UntouchedCount int
	// Cadence is the follow-up cadence unfollowed leads are behind.
	Cadence engine.Cadence
	// Hours is the working day; actions outside it in the rep's time
	// zone are after hours.
	Hours engine.BusinessHours
	// Zone is the time zone of reps who name none; nil is UTC.
	Zone *time.Location
}

// Period is the stretch [From, To) a report covers, measured at AsOf,
// the moment the report is made.
type Period struct {
	From, To, AsOf time.Time
}

// Previous is the period of the same length just before p.
func (p Period) Previous() Period {
	return Period{From: p.From.Add(-p.To.Sub(p.From)), To: p.From, AsOf: p.AsOf}
}

// Current reports whether the period reaches the present, so that the
// state of held leads now describes its end.
func (p Period) Current() bool { return !p.To.Before(p.AsOf) }

// DueEnd is the end of the stretch in which deadlines are judged: a
// task due after AsOf is not late yet.
func (p Period) DueEnd() time.Time {
	if p.AsOf.Before(p.To) {
		return p.AsOf
	}
	return p.To
}

// The tile ids, in the order a report lists them.
const (
	TileCompletion      = "completion_rate"
	TileCoverage        = "key_account_coverage"
	TileStalled         = "stalled_rate"
	TileUnfollowed      = "unfollowed_rate"
	TileFirstTouch      = "median_first_touch_hours"
	TileCycle           = "median_cycle_hours"
	TileReplyLatency    = "median_reply_hours"
	TileRevenuePerRep   = "revenue_per_rep"
	TileConversion      = "conversion_rate"
	TileUntouched       = "untouched_tasks"
	TileSlowingReplies  = "slowing_replies"
	TileAfterHoursShare = "after_hours_share"
)

// Tile is one metric of one scope: its value, what judges it and the
// counts behind it, so that a manager can check it by hand.
type Tile struct {
	ID string `json:"id"`
	// Unit is "ratio" (0 to 1), "hours", "amount" or "count".
	Unit string `json:"unit"`
	// Value is nil when there is nothing to count (NoData).
	Value  *float64 `json:"value"`
	Status Status   `json:"status"`
	// Floor or Ceiling is the threshold, neither for an Info tile.
	Floor   *Floor   `json:"floor,omitempty"`
	Ceiling *Ceiling `json:"ceiling,omitempty"`
	// Numerator and Denominator are the counts of a ratio; Samples is
	// how many durations a median was taken of; Pending how many were
	// still open (not touched, not answered) at AsOf, left out.
	Numerator   *float64 `json:"numerator,omitempty"`
	Denominator *float64 `json:"denominator,omitempty"`
	Samples     *int     `json:"samples,omitempty"`
	Pending     *int     `json:"pending,omitempty"`
	// Note says why a tile has no data when the reason is not an empty
	// period, such as state that is not kept for past periods.
	Note string `json:"note,omitempty"`
	// Trend is the tile's value week by week, oldest first, when asked
	// for.
	Trend []Point `json:"trend,omitempty"`
}

// Point is a tile's value over one stretch of a trend.
type Point struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Value  *float64  `json:"value"`
	Status Status    `json:"status"`
}

// TierConversion is the outcome of the leads of one tier closed in the
// period.
type TierConversion struct {
	Tier   engine.Tier `json:"tier"`
	Won    int         `json:"won"`
	Closed int         `json:"closed"`
	// Rate is Won / Closed, nil with nothing closed.
	Rate *float64 `json:"rate"`
}

// RepHealth is one rep's figures and overload signals.
type RepHealth struct {
	Rep  engine.RepID `json:"rep"`
	Name string       `json:"name"`
	Team string       `json:"team"`
	// Tiles are the rep's own unfollowed rate, revenue, median time to
	// first touch, untouched tasks, slowing replies and after-hours
	// share.
	Tiles []Tile `json:"tiles"`
	// Overloaded is set when any overload signal alerts.
	Overloaded bool `json:"overloaded"`
}

// Scope is the company's or one team's figures.
type Scope struct {
	// Team is "" for the company.
	Team       string           `json:"team"`
	Tiles      []Tile           `json:"tiles"`
	Conversion []TierConversion `json:"conversion_by_tier"`
	Reps       []RepHealth      `json:"reps"`
}

// Report is the health of the company and its teams over one period.
type Report struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	AsOf    time.Time `json:"as_of"`
	Company Scope     `json:"company"`
	Teams   []Scope   `json:"teams"`
}

// In is the report with its times in loc.
func (r Report) In(loc *time.Location) Report {
	r.From, r.To, r.AsOf = r.From.In(loc), r.To.In(loc), r.AsOf.In(loc)
	r.Company = r.Company.in(loc)
	teams := make([]Scope, len(r.Teams))
	for i, s := range r.Teams {
		teams[i] = s.in(loc)
	}
	r.Teams = teams
	return r
}

func (s Scope) in(loc *time.Location) Scope {
	tiles := make([]Tile, len(s.Tiles))
	for i, t := range s.Tiles {
		if t.Trend != nil {
			pts := make([]Point, len(t.Trend))
			for j, p := range t.Trend {
				p.From, p.To = p.From.In(loc), p.To.In(loc)
				pts[j] = p
			}
			t.Trend = pts
		}
		tiles[i] = t
	}
	s.Tiles = tiles
	return s
}

// Tile returns the scope's tile with the id, and whether it has one.
func (s Scope) Tile(id string) (Tile, bool) {
	for _, t := range s.Tiles {
		if t.ID == id {
			return t, true
		}
	}
	return Tile{}, false
}
