package insight

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// TileRevenue is a rep's own won amount in the period.
const TileRevenue = "revenue"

// noStateNote marks state tiles of a period that ended before the
// report: the state of held leads is kept for now only.
const noStateNote = "state_not_kept_for_past_periods"

// Builder folds rows into a report. Add rows in any order, then call
// Report. It does no I/O.
type Builder struct {
	set    Settings
	period Period
	roster map[engine.RepID]engine.Rep
	// zones are the roster's time zones, loaded once.
	zones map[engine.RepID]*time.Location
	order []engine.RepID
	acc   map[engine.RepID]*repAcc
	// pooledA counts open tier A leads nobody holds.
	pooledA int
}

// repAcc is what is known of one holder.
type repAcc struct {
	tasks       TaskCount
	held        HeldCount
	keyOpen     int
	closed      map[engine.Tier]*ClosedCount
	touches     []time.Duration
	prevTouches []time.Duration
	touchOpen   int
	cycles      []time.Duration
	replies     []time.Duration
	replyOpen   int
	actions     int
	afterHours  int
}

// NewBuilder starts a report over p for the roster reps.
func NewBuilder(set Settings, p Period, reps []engine.Rep) *Builder {
	b := &Builder{set: set, period: p, roster: map[engine.RepID]engine.Rep{},
		zones: map[engine.RepID]*time.Location{}, acc: map[engine.RepID]*repAcc{}}
	if b.set.Zone == nil {
		b.set.Zone = time.UTC
	}
	for _, r := range reps {
		b.roster[r.ID] = r
		b.zones[r.ID] = b.set.Zone
		if z, err := time.LoadLocation(r.Timezone); r.Timezone != "" && err == nil {
			b.zones[r.ID] = z
		}
		b.rep(r.ID)
	}
	return b
}

func (b *Builder) rep(id engine.RepID) *repAcc {
	a := b.acc[id]
	if a == nil {
		a = &repAcc{closed: map[engine.Tier]*ClosedCount{}}
		b.acc[id] = a
		b.order = append(b.order, id)
	}
	return a
}

// AddTasks adds holders' tasks due in the period.
func (b *Builder) AddTasks(rows ...TaskCount) {
	for _, r := range rows {
		t := &b.rep(r.Rep).tasks
		t.Due += r.Due
		t.OnTime += r.OnTime
	}
}

// AddHeld adds the state of holders' assigned leads at AsOf.
func (b *Builder) AddHeld(rows ...HeldCount) {
	for _, r := range rows {
		h := &b.rep(r.Rep).held
		h.Held += r.Held
		h.Stalled += r.Stalled
		h.Untouched += r.Untouched
		h.Cadenced += r.Cadenced
		h.Behind += r.Behind
	}
}

// AddKeyAccounts adds open tier A leads by holder.
func (b *Builder) AddKeyAccounts(rows ...KeyAccountCount) {
	for _, r := range rows {
		if r.Rep == "" {
			b.pooledA += r.Open
			continue
		}
		b.rep(r.Rep).keyOpen += r.Open
	}
}

// AddClosed adds leads closed in the period.
func (b *Builder) AddClosed(rows ...ClosedCount) {
	for _, r := range rows {
		a := b.rep(r.Rep)
		c := a.closed[r.Tier]
		if c == nil {
			c = &ClosedCount{Rep: r.Rep, Tier: r.Tier}
			a.closed[r.Tier] = c
		}
		c.Won += r.Won
		c.Lost += r.Lost
		c.WonAmount += r.WonAmount
	}
}

// AddHolding adds a stretch of holding that started in the period or
// in the one before it.
//
// TODO: time to first touch is wall time; first-touch deadlines count
// business hours, so a lead assigned on Friday evening reads slow.
func (b *Builder) AddHolding(h Holding) {
	a := b.rep(h.Rep)
	in := !h.Start.Before(b.period.From) && h.Start.Before(b.period.To)
	prev := b.period.Previous()
	before := !h.Start.Before(prev.From) && h.Start.Before(prev.To)
	touched := h.FirstTouch != nil && !h.FirstTouch.After(b.period.AsOf)
	switch {
	case in && touched:
		a.touches = append(a.touches, h.FirstTouch.Sub(h.Start))
	case in:
		a.touchOpen++
	case before && touched:
		a.prevTouches = append(a.prevTouches, h.FirstTouch.Sub(h.Start))
	}
}

// AddCycle adds a lead closed in the period.
func (b *Builder) AddCycle(c Cycle) {
	a := b.rep(c.Rep)
	a.cycles = append(a.cycles, c.ClosedAt.Sub(c.AssignedAt))
}

// AddReply adds a notice delivered in the period.
func (b *Builder) AddReply(r Reply) {
	a := b.rep(r.Rep)
	if r.ActedAt == nil || r.ActedAt.After(b.period.AsOf) {
		a.replyOpen++
		return
	}
	a.replies = append(a.replies, r.ActedAt.Sub(r.SentAt))
}

// AddAction adds a rep's act in the period, judged against the working
// day in the rep's time zone.
func (b *Builder) AddAction(x Action) {
	a := b.rep(x.Rep)
	a.actions++
	if b.afterHours(x) {
		a.afterHours++
	}
}

// afterHours reports whether an act fell outside the working day: the
// working day's next open moment from it is not the act itself.
func (b *Builder) afterHours(x Action) bool {
	if !b.set.Hours.On {
		return false
	}
	loc, ok := b.zones[x.Rep]
	if !ok {
		loc = b.set.Zone
	}
	return !b.set.Hours.Add(x.At, 0, loc).Equal(x.At)
}

// Report is the company, then every team in name order; with team set,
// the company and that team only.
func (b *Builder) Report(team string) Report {
	out := Report{From: b.period.From, To: b.period.To, AsOf: b.period.AsOf}
	out.Company = b.scope("", b.order, true)
	byTeam := map[string][]engine.RepID{}
	for _, id := range b.order {
		t := b.roster[id].Team
		if t != "" {
			byTeam[t] = append(byTeam[t], id)
		}
	}
	names := make([]string, 0, len(byTeam))
	for t := range byTeam {
		names = append(names, t)
	}
	slices.Sort(names)
	out.Teams = []Scope{}
	for _, t := range names {
		if team == "" || t == team {
			out.Teams = append(out.Teams, b.scope(t, byTeam[t], false))
		}
	}
	return out
}

// sums is a scope's rows added up.
type sums struct {
	due, onTime                  int
	held, stalled, untouched     int
	cadenced, behind             int
	keyOpen, keyCovered          int
	won                          float64
	sellers                      int
	touches, prevTouches, cycles []time.Duration
	replies                      []time.Duration
	touchOpen, replyOpen         int
	actions, afterHours          int
	closed                       map[engine.Tier]*ClosedCount
}

func (b *Builder) sum(ids []engine.RepID, company bool) sums {
	s := sums{closed: map[engine.Tier]*ClosedCount{}}
	if company {
		s.keyOpen = b.pooledA
	}
	for _, id := range ids {
		a := b.acc[id]
		r, known := b.roster[id]
		s.due += a.tasks.Due
		s.onTime += a.tasks.OnTime
		s.held += a.held.Held
		s.stalled += a.held.Stalled
		s.untouched += a.held.Untouched
		s.cadenced += a.held.Cadenced
		s.behind += a.held.Behind
		s.keyOpen += a.keyOpen
		if known && r.Active && !r.Away {
			s.keyCovered += a.keyOpen
		}
		if known && r.Active && r.Role == engine.RoleRep {
			s.sellers++
		}
		for t, c := range a.closed {
			sc := s.closed[t]
			if sc == nil {
				sc = &ClosedCount{Tier: t}
				s.closed[t] = sc
			}
			sc.Won += c.Won
			sc.Lost += c.Lost
			sc.WonAmount += c.WonAmount
			s.won += c.WonAmount
		}
		s.touches = append(s.touches, a.touches...)
		s.prevTouches = append(s.prevTouches, a.prevTouches...)
		s.cycles = append(s.cycles, a.cycles...)
		s.replies = append(s.replies, a.replies...)
		s.touchOpen += a.touchOpen
		s.replyOpen += a.replyOpen
		s.actions += a.actions
		s.afterHours += a.afterHours
	}
	return s
}

func (b *Builder) scope(team string, ids []engine.RepID, company bool) Scope {
	s := b.sum(ids, company)
	th := b.set.Thresholds
	won, closed := 0, 0
	for _, c := range s.closed {
		won += c.Won
		closed += c.Won + c.Lost
	}
	tiles := []Tile{
		floorTile(TileCompletion, s.onTime, s.due, th.Completion),
		b.state(floorTile(TileCoverage, s.keyCovered, s.keyOpen, th.Coverage)),
		b.state(ceilingTile(TileStalled, s.stalled, s.held, th.Stalled)),
		b.state(ceilingTile(TileUnfollowed, s.behind, s.cadenced, th.Unfollowed)),
		medianTile(TileFirstTouch, s.touches, &s.touchOpen),
		medianTile(TileCycle, s.cycles, nil),
		medianTile(TileReplyLatency, s.replies, &s.replyOpen),
		amountTile(TileRevenuePerRep, s.won, s.sellers),
		infoRatio(TileConversion, won, closed),
		b.state(countTile(TileUntouched, s.untouched, nil)),
		slowingTile(s.touches, s.prevTouches, th.SlowingReplies),
		ceilingTile(TileAfterHoursShare, s.afterHours, s.actions, th.AfterHours),
	}
	out := Scope{Team: team, Tiles: tiles, Conversion: conversion(s.closed),
		Reps: []RepHealth{}}
	for _, id := range ids {
		if r, ok := b.roster[id]; id != "" && (!ok || r.Role == engine.RoleRep) {
			out.Reps = append(out.Reps, b.repHealth(id))
		}
	}
	slices.SortFunc(out.Reps, func(x, y RepHealth) int { return cmp.Compare(x.Rep, y.Rep) })
	return out
}

// overloadSignals are the rep tiles that say a rep has too much work.
var overloadSignals = map[string]bool{
	TileUntouched:       true,
	TileSlowingReplies:  true,
	TileAfterHoursShare: true,
}

// repHealth is one rep's tiles and overload signals.
func (b *Builder) repHealth(id engine.RepID) RepHealth {
	a := b.acc[id]
	r := b.roster[id]
	th := b.set.Thresholds
	var rule *Ceiling
	if b.set.UntouchedCount > 0 && b.set.UntouchedAfter > 0 {
		// Counts are whole: above count-1 is count or more.
		rule = &Ceiling{Alert: float64(b.set.UntouchedCount - 1), Warning: 0}
	}
	won := 0.0
	for _, c := range a.closed {
		won += c.WonAmount
	}
	open := a.touchOpen
	tiles := []Tile{
		b.state(ceilingTile(TileUnfollowed, a.held.Behind, a.held.Cadenced, th.Unfollowed)),
		amountTile(TileRevenue, won, 1),
		medianTile(TileFirstTouch, a.touches, &open),
		b.state(countTile(TileUntouched, a.held.Untouched, rule)),
		slowingTile(a.touches, a.prevTouches, th.SlowingReplies),
		ceilingTile(TileAfterHoursShare, a.afterHours, a.actions, th.AfterHours),
	}
	out := RepHealth{Rep: id, Name: r.Name, Team: r.Team, Tiles: tiles}
	for _, t := range tiles {
		if overloadSignals[t.ID] && t.Status == Alert {
			out.Overloaded = true
		}
	}
	return out
}

// state leaves a tile of the state of held leads without data when the
// period ended before the report.
func (b *Builder) state(t Tile) Tile {
	if b.period.Current() {
		return t
	}
	return Tile{ID: t.ID, Unit: t.Unit, Status: NoData, Floor: t.Floor, Ceiling: t.Ceiling,
		Note: noStateNote}
}

func conversion(closed map[engine.Tier]*ClosedCount) []TierConversion {
	var out []TierConversion
	for _, t := range []engine.Tier{engine.TierA, engine.TierB, engine.TierC} {
		c := TierConversion{Tier: t}
		if x := closed[t]; x != nil {
			c.Won, c.Closed = x.Won, x.Won+x.Lost
		}
		if c.Closed > 0 {
			c.Rate = ptr(round(float64(c.Won)/float64(c.Closed), 4))
		}
		out = append(out, c)
	}
	return out
}

func ratio(id string, num, den int) Tile {
	t := Tile{ID: id, Unit: "ratio", Status: NoData,
		Numerator: ptr(float64(num)), Denominator: ptr(float64(den))}
	if den > 0 {
		t.Value = ptr(round(float64(num)/float64(den), 4))
	}
	return t
}

func floorTile(id string, num, den int, f Floor) Tile {
	t := ratio(id, num, den)
	t.Floor = &f
	if t.Value != nil {
		t.Status = f.judge(*t.Value)
	}
	return t
}

func ceilingTile(id string, num, den int, c Ceiling) Tile {
	t := ratio(id, num, den)
	t.Ceiling = &c
	if t.Value != nil {
		t.Status = c.judge(*t.Value)
	}
	return t
}

func infoRatio(id string, num, den int) Tile {
	t := ratio(id, num, den)
	if t.Value != nil {
		t.Status = Info
	}
	return t
}

func countTile(id string, n int, c *Ceiling) Tile {
	t := Tile{ID: id, Unit: "count", Value: ptr(float64(n)), Status: Info, Ceiling: c}
	if c != nil {
		t.Status = c.judge(float64(n))
	}
	return t
}

func amountTile(id string, amount float64, per int) Tile {
	t := Tile{ID: id, Unit: "amount", Status: NoData,
		Numerator: ptr(round(amount, 2)), Denominator: ptr(float64(per))}
	if per > 0 {
		t.Value = ptr(round(amount/float64(per), 2))
		t.Status = Info
	}
	return t
}

func medianTile(id string, ds []time.Duration, open *int) Tile {
	n := len(ds)
	t := Tile{ID: id, Unit: "hours", Status: NoData, Samples: &n, Pending: open}
	if m, ok := median(ds); ok {
		t.Value = ptr(round(m.Hours(), 2))
		t.Status = Info
	}
	return t
}

// slowingTile is the median time to first touch of the period over the
// previous period's.
func slowingTile(now, before []time.Duration, c Ceiling) Tile {
	n := len(now)
	t := Tile{ID: TileSlowingReplies, Unit: "ratio", Status: NoData, Ceiling: &c, Samples: &n}
	cur, ok1 := median(now)
	prev, ok2 := median(before)
	if !ok1 || !ok2 {
		return t
	}
	t.Numerator = ptr(round(cur.Hours(), 2))
	t.Denominator = ptr(round(prev.Hours(), 2))
	if prev <= 0 {
		return t
	}
	t.Value = ptr(round(float64(cur)/float64(prev), 4))
	t.Status = c.judge(*t.Value)
	return t
}

func (f Floor) judge(v float64) Status {
	switch {
	case v > f.Healthy:
		return Healthy
	case v > f.Warning:
		return Warning
	}
	return Alert
}

func (c Ceiling) judge(v float64) Status {
	switch {
	case v > c.Alert:
		return Alert
	case v > c.Warning:
		return Warning
	}
	return Healthy
}

// median is the middle duration, the mean of the two middle ones for an
// even count; false for none.
func median(ds []time.Duration) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m], true
	}
	return (s[m-1] + s[m]) / 2, true
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func ptr[T any](v T) *T { return &v }
