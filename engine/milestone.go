package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MilestoneID identifies a milestone. It is written "M4".
type MilestoneID int64

func (id MilestoneID) String() string { return "M" + strconv.FormatInt(int64(id), 10) }

// MilestoneKind is a step on the way to closing a deal.
type MilestoneKind string

// The milestone kinds, in the order a deal passes them.
const (
	MilestoneDecisionMaker MilestoneKind = "decision_maker"
	MilestoneDemo          MilestoneKind = "demo"
	MilestoneProposal      MilestoneKind = "proposal"
)

// MilestoneKinds lists the kinds in the order a deal passes them.
var MilestoneKinds = []MilestoneKind{MilestoneDecisionMaker, MilestoneDemo, MilestoneProposal}

// MilestoneStatus is where a milestone stands.
type MilestoneStatus string

// The milestone statuses.
const (
	MilestoneOpen MilestoneStatus = "open"
	MilestoneDone MilestoneStatus = "done"
)

// The stages of a milestone's chasing.
const (
	milestoneUnchased = 0
	milestoneReminded = 1
	milestoneAlerted  = 2
)

// Milestone is a sub-deadline of a lead, planned back from its target
// close date.
type Milestone struct {
	ID     MilestoneID
	LeadID LeadID
	Kind   MilestoneKind
	// Date is the local date it falls on, held as midnight UTC; DueAt is
	// the end of that working day in the owner's time zone.
	Date  time.Time
	DueAt time.Time
	// Moved is set when the date planned back had already passed and the
	// milestone was put on the earliest workable day instead.
	Moved  bool
	Status MilestoneStatus
	// Stage is how far the scheduler has chased it: 0 not yet, 1
	// reminded, 2 alerted overdue. NextAt is its next chase, nil when
	// there is none.
	Stage  int
	NextAt *time.Time
	DoneAt *time.Time
	DoneBy Actor
}

// MilestonePlan is how milestones are planned back from a target close
// date and chased.
type MilestonePlan struct {
	// Offsets are how many working days before the target close date
	// each kind falls; a kind without an offset is not planned. Working
	// days are the business days and holidays of Policy.Hours; with
	// business hours off, every day counts.
	Offsets map[MilestoneKind]int
	// RemindBefore is how long before a milestone is due its owner is
	// reminded.
	RemindBefore time.Duration
}

// DefaultMilestones puts decision-maker contact 30 working days before
// the target close date, the demo 20 and the proposal 10, each reminded
// a day ahead.
var DefaultMilestones = MilestonePlan{
	Offsets: map[MilestoneKind]int{
		MilestoneDecisionMaker: 30,
		MilestoneDemo:          20,
		MilestoneProposal:      10,
	},
	RemindBefore: 24 * time.Hour,
}

// MaxTargetAhead is how far ahead a target close date may lie.
const MaxTargetAhead = 2 * 365 * 24 * time.Hour

// Events of a lead's history about its target and milestones.
const (
	EventTargetSet     Event = "target_set"
	EventMilestoneDone Event = "milestone_done"
)

// ParseMilestoneKind reads a kind as the API writes it.
func ParseMilestoneKind(s string) (MilestoneKind, error) {
	k := MilestoneKind(strings.TrimSpace(s))
	if !slices.Contains(MilestoneKinds, k) {
		return "", invalid("kind", "invalid_value",
			"is %q, must be one of decision_maker, demo, proposal", s)
	}
	return k, nil
}

// ParseDate reads a date written 2006-01-02, as midnight UTC.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, invalid(field, "invalid_date",
			"is %q, want a date such as 2027-01-31", s)
	}
	return t, nil
}

// workday reports whether the date (midnight UTC) is a working day.
func (b BusinessHours) workday(d time.Time) bool {
	if !b.On {
		return true
	}
	return b.Days[d.Weekday()] && !b.Holidays[d.Format(time.DateOnly)]
}

// workdaysBefore steps n working days back from the date d.
func (b BusinessHours) workdaysBefore(d time.Time, n int) time.Time {
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		if b.workday(d) {
			n--
		}
	}
	return d
}

// nextWorkday returns the first working day after the date d.
func (b BusinessHours) nextWorkday(d time.Time) time.Time {
	for range 400 {
		d = d.AddDate(0, 0, 1)
		if b.workday(d) {
			break
		}
	}
	return d
}

// dayEnd is when the working day of date d ends in loc: the end of
// business hours, or midnight when every hour counts.
func (b BusinessHours) dayEnd(d time.Time, loc *time.Location) time.Time {
	y, m, day := d.Date()
	if !b.On {
		return time.Date(y, m, day+1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, day, b.End/60, b.End%60, 0, 0, loc)
}

// localDate is t's date in loc, as midnight UTC.
func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// checkTarget reports a target close date that cannot be planned for:
// before today in loc, or too far ahead.
func checkTarget(target time.Time, now time.Time, loc *time.Location) error {
	today := localDate(now, loc)
	if target.Before(today) {
		return invalid("target_close_at", "in_past", "is %s, before today (%s)",
			target.Format(time.DateOnly), today.Format(time.DateOnly))
	}
	if target.Sub(today) > MaxTargetAhead {
		return invalid("target_close_at", "out_of_range", "is %s, more than two years ahead",
			target.Format(time.DateOnly))
	}
	return nil
}

// plan lays out the milestones of a lead closing by target, in loc, as
// seen at now. A date planned back that is already past moves to the
// first working day after today (or the target day itself, when that
// comes first), so a late target brings due dates, not overdue alerts.
// A reminder whose time has passed by planning is not sent.
func (p Policy) plan(l LeadID, target time.Time, loc *time.Location, now time.Time) []*Milestone {
	today := localDate(now, loc)
	earliest := p.Hours.nextWorkday(today)
	if target.Before(earliest) {
		earliest = target
	}
	var out []*Milestone
	for _, k := range MilestoneKinds {
		off, ok := p.Milestones.Offsets[k]
		if !ok || off <= 0 {
			continue
		}
		m := &Milestone{LeadID: l, Kind: k, Status: MilestoneOpen,
			Date: p.Hours.workdaysBefore(target, off)}
		if m.Date.Before(earliest) {
			m.Date, m.Moved = earliest, true
		}
		m.DueAt = p.Hours.dayEnd(m.Date, loc).UTC()
		next := m.DueAt.Add(-p.Milestones.RemindBefore)
		if !next.After(now) {
			m.Stage, next = milestoneReminded, m.DueAt
		}
		m.NextAt = &next
		out = append(out, m)
	}
	return out
}

// SetTarget sets the date a lead should close by and plans its
// milestones back from it, replacing the dates of those not done yet.
// The API may set it on any open lead; a rep only on a lead they may
// manage. A date before today in the owner's time zone is Invalid.
func (s *Service) SetTarget(
	ctx context.Context,
	id LeadID,
	target time.Time,
	actor Actor,
) (Lead, error) {
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		_, owner, err := s.targetLead(ctx, tx, id, actor)
		if err != nil {
			return err
		}
		loc := repZone(owner)
		if err := checkTarget(target, now, loc); err != nil {
			return err
		}
		ok, err := tx.SetTargetClose(ctx, id, &target, now)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("lead_closed", "lead %s is already closed", id)
		}
		if err := s.replan(ctx, tx, id, target, loc, actor, now); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, changedNotice(id, now)); err != nil {
			return err
		}
		logs.add(
			"target close date set",
			slog.String("lead_id", id.String()),
			slog.String("target", target.Format(time.DateOnly)),
		)
		out, err = tx.Lead(ctx, id)
		return err
	})
	return out, err
}

// targetLead loads an open lead that actor may plan, with its owner ("" if
// nobody holds it).
func (s *Service) targetLead(
	ctx context.Context,
	tx Tx,
	id LeadID,
	actor Actor,
) (Lead, Rep, error) {
	if isSystem(actor) {
		l, err := tx.Lead(ctx, id)
		if err != nil {
			return Lead{}, Rep{}, err
		}
		if l.Status.Closed() {
			return Lead{}, Rep{}, conflict("lead_closed", "lead %s is already closed (%s)",
				id, l.Status)
		}
		var owner Rep
		if l.Assignee != "" {
			if owner, err = tx.Rep(ctx, l.Assignee); err != nil {
				return Lead{}, Rep{}, err
			}
		}
		return l, owner, nil
	}
	_, l, owner, err := actorHeld(ctx, tx, id, RepID(actor))
	return l, owner, err
}

func isSystem(a Actor) bool { return a == ActorAPI || a == ActorEngine || a == ActorImport }

// replan plans a lead's milestones for target and records the plan in
// its history. Milestones done stay as they are.
func (s *Service) replan(
	ctx context.Context,
	tx Tx,
	id LeadID,
	target time.Time,
	loc *time.Location,
	actor Actor,
	now time.Time,
) error {
	have, err := tx.Milestones(ctx, id)
	if err != nil {
		return err
	}
	var save []*Milestone
	var parts []string
	lang := s.policy.Lang
	for _, m := range s.policy.plan(id, target, loc, now) {
		if i := slices.IndexFunc(have, func(h Milestone) bool { return h.Kind == m.Kind }); i >= 0 {
			if have[i].Status == MilestoneDone {
				continue
			}
			m.ID = have[i].ID
		}
		save = append(save, m)
		name := lang.word(string(m.Kind))
		part := lang.say(msgMilestonePlanned, name, m.Date.Format(time.DateOnly))
		if m.Moved {
			planned := s.policy.Hours.workdaysBefore(target, s.policy.Milestones.Offsets[m.Kind])
			part = lang.say(msgMilestoneMoved, name, m.Date.Format(time.DateOnly),
				planned.Format(time.DateOnly))
		}
		parts = append(parts, part)
	}
	if err := tx.SaveMilestones(ctx, save); err != nil {
		return err
	}
	ev := LeadEvent{LeadID: id, At: now, Event: EventTargetSet, Actor: actor,
		Detail: lang.say(msgTargetSet, target.Format(time.DateOnly),
			strings.Join(parts, lang.say(msgItemSep)))}
	return tx.AppendEvents(ctx, ev)
}

// latestZone is the zone whose date is the earliest on Earth: a date
// that is still today there is refused nowhere.
var latestZone = time.FixedZone("UTC-12", -12*3600)

// checkTarget reports a target close date that lies before today
// everywhere, or too far ahead. Nobody holds the lead yet, so no owner's
// zone can tell.
func (in LeadInput) checkTarget(now time.Time) error {
	if in.TargetClose == nil {
		return nil
	}
	return checkTarget(*in.TargetClose, now, latestZone)
}

// TODO: replan a lead's open milestones in the new owner's time zone when
// it changes hands; until then they stay due at the end of the working
// day where the owner at planning (or UTC, for a pooled lead) works.

// planIntake plans the milestones of new leads that came with a target
// close date, in their owners' time zones (UTC for a lead nobody holds).
func (s *Service) planIntake(ctx context.Context, tx Tx, leads []*Lead, actor Actor) error {
	for _, l := range leads {
		if l.TargetClose == nil {
			continue
		}
		loc := time.UTC
		if l.Assignee != "" {
			owner, err := tx.Rep(ctx, l.Assignee)
			if err != nil {
				return err
			}
			loc = repZone(owner)
		}
		if err := s.replan(ctx, tx, l.ID, *l.TargetClose, loc, actor, l.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// Milestones returns a lead's milestones, earliest first.
func (s *Service) Milestones(ctx context.Context, id LeadID) ([]Milestone, error) {
	if _, err := s.store.Lead(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Milestones(ctx, id)
}

// CompleteMilestone marks a lead's milestone of a kind done, which stops
// its chasing. The API may do so for any lead, a rep for a lead they may
// manage. NotFound (code milestone_not_found) when the lead has no such
// milestone; Conflict (code milestone_done) when it is done already.
func (s *Service) CompleteMilestone(
	ctx context.Context,
	id LeadID,
	kind MilestoneKind,
	actor Actor,
) (Milestone, error) {
	if _, err := ParseMilestoneKind(string(kind)); err != nil {
		return Milestone{}, err
	}
	now := s.now()
	var out Milestone
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		l, _, err := s.targetLead(ctx, tx, id, actor)
		if err != nil {
			return err
		}
		ms, err := tx.Milestones(ctx, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ms, func(m Milestone) bool { return m.Kind == kind })
		if i < 0 {
			return &Error{Kind: NotFound, Code: "milestone_not_found",
				Msg: fmt.Sprintf("lead %s has no %s milestone; set a target close date first",
					id, kind)}
		}
		ok, err := tx.FinishMilestone(ctx, ms[i].ID, actor, now)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("milestone_done", "the %s milestone of lead %s is already done",
				kind, id)
		}
		ev := LeadEvent{LeadID: id, At: now, Event: EventMilestoneDone, Actor: actor,
			RepID:  l.Assignee,
			Detail: s.policy.Lang.say(msgMilestoneDone, s.policy.Lang.word(string(kind)))}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, changedNotice(id, now)); err != nil {
			return err
		}
		logs.add(
			"milestone done",
			slog.String("lead_id", id.String()),
			slog.String("kind", string(kind)),
		)
		out = ms[i]
		out.Status, out.DoneAt, out.DoneBy, out.NextAt = MilestoneDone, &now, actor, nil
		return nil
	})
	return out, err
}

// ScanMilestones chases the milestones due: a reminder to the owner
// RemindBefore ahead, then an alert once it is overdue. The stage is
// moved by a conditional update in the same transaction as the notice,
// so each goes out once whichever replica scans; after downtime an
// overdue milestone gets the alert without the stale reminder. A
// milestone that comes due while nobody holds its lead is passed over
// unchased. It returns how many notices it queued.
func (s *Service) ScanMilestones(ctx context.Context) (int, error) {
	now := s.now()
	ms, err := s.store.DueMilestones(ctx, now, scanBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range ms {
		n, err := s.chaseMilestone(ctx, m, now)
		if err != nil {
			return sent, fmt.Errorf("chase milestone %s of lead %s: %w", m.ID, m.LeadID, err)
		}
		sent += n
	}
	return sent, nil
}

func (s *Service) chaseMilestone(ctx context.Context, m Milestone, now time.Time) (int, error) {
	stage, next := milestoneAlerted, (*time.Time)(nil)
	if m.Stage == milestoneUnchased && now.Before(m.DueAt) {
		stage, next = milestoneReminded, &m.DueAt
	}
	var n int
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		ok, err := tx.AdvanceMilestone(ctx, m, stage, next)
		if err != nil || !ok {
			return err
		}
		l, err := tx.Lead(ctx, m.LeadID)
		if err != nil || l.Status != StatusAssigned {
			return err
		}
		owner, err := tx.Rep(ctx, l.Assignee)
		if err != nil {
			return err
		}
		lang := s.policy.Lang
		name, due := lang.word(string(m.Kind)), m.DueAt.UTC().Format(time.RFC3339)
		ev := LeadEvent{LeadID: l.ID, At: now, Event: EventReminded, Actor: ActorEngine,
			RepID: owner.ID, Detail: lang.say(msgMilestoneDue, name, due)}
		what := "remind"
		if stage == milestoneAlerted {
			ev.Event, what = EventAlerted, "overdue"
			ev.Detail = lang.say(msgMilestoneOverdue, name, due)
		}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
		n = 1
		logs.add(
			"milestone chased",
			slog.String("lead_id", l.ID.String()),
			slog.String("rep_id", string(owner.ID)),
			slog.String("kind", string(m.Kind)),
			slog.String("stage", what),
		)
		return tx.Enqueue(ctx, Notice{
			Key: fmt.Sprintf("%s:%s:%s:%s:%s:%d", NoticeMilestone, what, m.Kind, l.ID, owner.ID,
				m.DueAt.UnixMilli()),
			Kind:      NoticeMilestone,
			LeadID:    l.ID,
			To:        owner.ID,
			Text:      string(m.Kind),
			Args:      map[string]string{"stage": what, "due": due},
			At:        now,
			NotBefore: s.policy.Schedule.Quiet.NextAllowed(now, repZone(owner)),
		})
	})
	return n, err
}
