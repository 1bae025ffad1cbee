package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// The use cases in this file are what a supervisor does about a lead its
// owner is late with, from an overdue alert or by command: push the
// deadline out, give the lead to someone else, or take it back to the
// open pool. A team lead or manager of the owner's team may, and so may
// the dispute arbiter; the owner may not. Each is one transaction with
// its history line, audit line and notices.

// EventExtended is the history line of a deadline a supervisor moved.
const EventExtended Event = "extended"

// Extension is how far a deadline moves: whole working days (the same
// local time of day that many working days on, in the owner's time
// zone) or business hours, counted as first-touch deadlines are.
// Exactly one of the two is set.
type Extension struct {
	Days  int
	Hours int
}

// The longest extensions allowed.
const (
	maxExtendDays  = 30
	maxExtendHours = 240
)

// ParseExtension reads an extension written as working days or business
// hours: "2d" or "4h".
func ParseExtension(s string) (Extension, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	var e Extension
	if len(t) >= 2 {
		n, err := strconv.Atoi(t[:len(t)-1])
		switch {
		case err != nil:
		case t[len(t)-1] == 'd':
			e.Days = n
		case t[len(t)-1] == 'h':
			e.Hours = n
		}
	}
	if e == (Extension{}) {
		return Extension{}, invalid("extension", "bad_extension",
			"%q is not an extension: want working days or business hours such as 1d or 4h", s)
	}
	return e, e.Validate()
}

// String writes the extension as ParseExtension reads it.
func (e Extension) String() string {
	if e.Hours > 0 {
		return strconv.Itoa(e.Hours) + "h"
	}
	return strconv.Itoa(e.Days) + "d"
}

// Validate reports an extension that is empty, negative, both days and
// hours, or longer than 30 working days or 240 business hours.
func (e Extension) Validate() error {
	ok := (e.Days > 0) != (e.Hours > 0) && e.Days >= 0 && e.Hours >= 0 &&
		e.Days <= maxExtendDays && e.Hours <= maxExtendHours
	if !ok {
		return invalid("extension", "bad_extension",
			"is %dd %dh: want 1 to %d working days or 1 to %d business hours",
			e.Days, e.Hours, maxExtendDays, maxExtendHours)
	}
	return nil
}

// Extend moves a held lead's deadline by ext (nil: the schedule's
// ExtendBy), counted from the deadline or, for one already passed, from
// now. The scheduler's reminder and alerts start afresh for the new
// deadline. A caller who is not a supervisor of the lead is Forbidden
// (code not_supervisor), a lead nobody holds Conflict, a bad extension
// Invalid (code bad_extension).
func (s *Service) Extend(
	ctx context.Context,
	id LeadID,
	by RepID,
	ext *Extension,
	note string,
) (Lead, error) {
	e := s.policy.Schedule.ExtendBy
	if ext != nil {
		e = *ext
	}
	if err := checkIntervention(note, &e); err != nil {
		return Lead{}, err
	}
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		r, l, owner, err := s.supervised(ctx, tx, id, by)
		if err != nil {
			return err
		}
		from := now
		if l.DueAt != nil && l.DueAt.After(now) {
			from = *l.DueAt
		}
		due := s.extended(from, e, repZone(owner))
		ok, err := tx.TransitionLead(ctx, LeadChange{ID: id, From: StatusAssigned,
			To: StatusAssigned, FromAssignee: owner.ID, Assignee: owner.ID, DueAt: &due,
			Decision: l.Decision, NewDeadline: true, At: now})
		if err != nil {
			return err
		}
		if !ok {
			return conflict("not_assigned", "lead %s changed hands meanwhile", id)
		}
		if err := s.recordExtension(ctx, tx, l, owner, r, e, due, note, now); err != nil {
			return err
		}
		logs.add("deadline extended", slog.String("lead_id", id.String()),
			slog.String("rep_id", string(owner.ID)), slog.String("actor", string(by)),
			slog.String("extension", e.String()))
		out, err = tx.Lead(ctx, id)
		return err
	})
	return out, err
}

// recordExtension writes the history and audit lines of an extension
// and tells the owner of the new deadline.
func (s *Service) recordExtension(
	ctx context.Context,
	tx Tx,
	l Lead,
	owner, by Rep,
	e Extension,
	due time.Time,
	note string,
	now time.Time,
) error {
	old := "-"
	if l.DueAt != nil {
		old = l.DueAt.UTC().Format(time.RFC3339)
	}
	newDue := due.UTC().Format(time.RFC3339)
	ev := LeadEvent{LeadID: l.ID, At: now, Event: EventExtended, Actor: Actor(by.ID),
		RepID:  owner.ID,
		Detail: withNote(s.policy.Lang.say(msgExtended, displayName(by), old, newDue), note)}
	if err := tx.AppendEvents(ctx, ev); err != nil {
		return err
	}
	entry := AuditEntry{At: now, Actor: Actor(by.ID), Action: "lead.extended",
		Subject: l.ID.String(), Detail: fmt.Sprintf("due %s to %s (%s)", old, newDue, e)}
	if err := tx.Audit(ctx, entry); err != nil {
		return err
	}
	told := toldOwner(l, owner, "intervene.extended", by, now)
	told.Args["due"] = due.In(repZone(owner)).Format("01-02 15:04")
	return tx.Enqueue(ctx, told, changedNotice(l.ID, now))
}

// Reassign takes a held lead from its owner and gives it to to or, when
// to is "", to the rep the router chooses among the others, so that the
// decision log says why. The new owner needs room and gets a fresh
// first-touch deadline. Besides the errors of Extend: nobody else
// fitting with room is Conflict (code no_fit), a full receiver
// OverCapacity, an unknown one Invalid (code unknown_rep).
func (s *Service) Reassign(
	ctx context.Context,
	id LeadID,
	by, to RepID,
	note string,
) (Lead, error) {
	if err := checkIntervention(note, nil); err != nil {
		return Lead{}, err
	}
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		r, l, owner, err := s.supervised(ctx, tx, id, by)
		if err != nil {
			return err
		}
		mv := move{lead: l, from: owner, how: EventAssigned, end: "reassigned", by: by}
		if to == "" {
			err = s.routeAway(ctx, tx, &mv, now)
		} else {
			err = s.namedReceiver(ctx, tx, &mv, to, now)
		}
		if err != nil {
			return err
		}
		why := withNote(s.policy.Lang.say(msgReassigned, displayName(r), displayName(owner)), note)
		mv.decision.Reasons = append([]string{why}, mv.decision.Reasons...)
		if out, err = s.moveHeld(ctx, tx, mv, now); err != nil {
			return err
		}
		entry := AuditEntry{At: now, Actor: Actor(by), Action: "lead.reassigned",
			Subject: id.String(), Detail: fmt.Sprintf("from %q to %q, chosen by %s",
				owner.ID, mv.to.ID, mv.decision.Strategy)}
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		told := toldOwner(l, owner, "intervene.reassigned", r, now)
		told.Args["name"] = displayName(mv.to)
		logs.add("lead reassigned", slog.String("lead_id", id.String()),
			slog.String("from_rep_id", string(owner.ID)), slog.String("rep_id", string(mv.to.ID)),
			slog.String("actor", string(by)))
		return tx.Enqueue(ctx, told)
	})
	return out, err
}

// routeAway asks the router for the best fitting rep with room other
// than the owner, and reserves their slot.
func (s *Service) routeAway(ctx context.Context, tx Tx, mv *move, now time.Time) error {
	reps, err := tx.Reps(ctx)
	if err != nil {
		return err
	}
	var others []Rep
	for _, r := range reps {
		if r.ID != mv.from.ID {
			others = append(others, r)
		}
	}
	d, err := s.pick(ctx, tx, mv.lead, others, now)
	if err != nil {
		return err
	}
	if d.RepID == "" {
		return conflict("no_fit", "nobody else who fits lead %s has room: %s",
			mv.lead.ID, strings.Join(d.Reasons, "; "))
	}
	mv.to, mv.decision, mv.reserved = others[indexOfRep(others, d.RepID)], d, true
	return nil
}

// namedReceiver checks the rep a supervisor named.
func (s *Service) namedReceiver(
	ctx context.Context,
	tx Tx,
	mv *move,
	to RepID,
	now time.Time,
) error {
	recv, err := s.claimant(ctx, tx, to)
	if err != nil {
		return err
	}
	if recv.ID == mv.from.ID {
		return conflict("same_owner", "lead %s already belongs to %s",
			mv.lead.ID, displayName(recv))
	}
	mv.to = recv
	mv.decision = Decision{Strategy: "reassign", RepID: recv.ID, Load: recv.OpenTasks, At: now,
		Reasons: []string{s.policy.Lang.say(msgLoad, recv.OpenTasks+1, recv.Capacity)}}
	return nil
}

// ReturnToPool takes a held lead from its owner back to the open pool,
// freeing the owner's capacity; the reps who may claim it are told. Its
// errors are those of Extend.
func (s *Service) ReturnToPool(
	ctx context.Context,
	id LeadID,
	by RepID,
	note string,
) (Lead, error) {
	if err := checkIntervention(note, nil); err != nil {
		return Lead{}, err
	}
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		r, l, owner, err := s.supervised(ctx, tx, id, by)
		if err != nil {
			return err
		}
		why := withNote(s.policy.Lang.say(msgReturned, displayName(r), displayName(owner)), note)
		d := &Decision{Strategy: "return", At: now, Reasons: []string{why}}
		ok, err := tx.TransitionLead(ctx, LeadChange{ID: id, From: StatusAssigned, To: StatusPool,
			FromAssignee: owner.ID, Decision: d, NewHolder: true, At: now})
		if err != nil {
			return err
		}
		if !ok {
			return conflict("not_assigned", "lead %s changed hands meanwhile", id)
		}
		if err := s.recordRelease(ctx, tx, l, owner, by, d, now); err != nil {
			return err
		}
		entry := AuditEntry{At: now, Actor: Actor(by), Action: "lead.returned",
			Subject: id.String(), Detail: fmt.Sprintf("from %q to the open pool", owner.ID)}
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, toldOwner(l, owner, "intervene.returned", r, now)); err != nil {
			return err
		}
		logs.add("lead returned to pool", slog.String("lead_id", id.String()),
			slog.String("rep_id", string(owner.ID)), slog.String("actor", string(by)))
		out, err = tx.Lead(ctx, id)
		return err
	})
	return out, err
}

// supervised loads the rep acting, the held lead they act on and its
// owner, and checks that the rep supervises the owner: a team lead or
// manager of the owner's team, or the dispute arbiter, and not the
// owner.
func (s *Service) supervised(
	ctx context.Context,
	tx Tx,
	id LeadID,
	by RepID,
) (Rep, Lead, Rep, error) {
	r, err := actorRep(ctx, tx, by)
	if err != nil {
		return Rep{}, Lead{}, Rep{}, err
	}
	l, err := tx.Lead(ctx, id)
	if err != nil {
		return Rep{}, Lead{}, Rep{}, err
	}
	switch {
	case l.Status.Closed():
		return r, l, Rep{}, conflict("lead_closed", "lead %s is already closed (%s)", id, l.Status)
	case l.Status != StatusAssigned:
		return r, l, Rep{}, conflict("not_assigned", "lead %s is %s, nobody holds it", id, l.Status)
	}
	owner, err := tx.Rep(ctx, l.Assignee)
	if err != nil {
		return Rep{}, Lead{}, Rep{}, err
	}
	arbiter := s.policy.DisputeArbiter != "" && by == s.policy.DisputeArbiter
	if r.ID == owner.ID || (!arbiter && (r.Role == RoleRep || !mayManage(r, owner))) {
		return r, l, owner, &Error{Kind: Forbidden, Code: "not_supervisor", Msg: fmt.Sprintf(
			"only a lead or manager of team %q, or the arbiter, may extend, reassign or "+
				"return lead %s of %s", owner.Team, id, displayName(owner))}
	}
	return r, l, owner, nil
}

func checkIntervention(note string, e *Extension) error {
	var c checker
	c.text("note", note, 500, false)
	if c.err != nil {
		return c.err
	}
	if e != nil {
		return e.Validate()
	}
	return nil
}

// move is one held lead changing owner.
type move struct {
	lead     Lead
	from, to Rep
	decision Decision
	// how is the new ownership's history event, end the old one's end.
	how Event
	end string
	// reserved is set when the receiver's slot is already taken for it.
	reserved bool
	by       RepID
}

// moveHeld gives a held lead to a new owner with a fresh first-touch
// deadline: the old owner's capacity and ownership end, the new one's
// begin, with the history, the decision and the new owner's card.
func (s *Service) moveHeld(ctx context.Context, tx Tx, mv move, now time.Time) (Lead, error) {
	l, from, to := mv.lead, mv.from, mv.to
	due := s.firstTouch(l.Tier, to, now)
	d := mv.decision
	keepArm(l.Decision, &d)
	if d.Inputs == nil {
		d.Inputs = s.inputsOf(l, 0)
	}
	ok, err := tx.TransitionLead(ctx, LeadChange{ID: l.ID, From: StatusAssigned,
		To: StatusAssigned, FromAssignee: from.ID, Assignee: to.ID, DueAt: &due,
		Decision: &d, NewHolder: true, At: now})
	if err != nil {
		return Lead{}, err
	}
	if !ok {
		return Lead{}, conflict("not_assigned", "lead %s changed hands meanwhile", l.ID)
	}
	if !mv.reserved {
		if ok, err := tx.ReserveCapacity(ctx, to.ID, now); err != nil {
			return Lead{}, err
		} else if !ok {
			return Lead{}, overCapacity(to)
		}
		if err := warnLoad(ctx, tx, to.ID, to.OpenTasks, to.Capacity, now); err != nil {
			return Lead{}, err
		}
	}
	if err := tx.ReleaseCapacity(ctx, from.ID); err != nil {
		return Lead{}, err
	}
	if err := tx.EndOwnership(ctx, l.ID, now, mv.end); err != nil {
		return Lead{}, err
	}
	l.Assignee, l.Decision, l.DueAt = to.ID, &d, &due
	if err := s.recordOwnerChange(ctx, tx, l, mv.how, Actor(mv.by), now); err != nil {
		return Lead{}, err
	}
	if err := tx.Enqueue(ctx, assignedNotice(l, now), changedNotice(l.ID, now)); err != nil {
		return Lead{}, err
	}
	return tx.Lead(ctx, l.ID)
}

// extended is from moved on by e in the owner's time zone.
func (s *Service) extended(from time.Time, e Extension, loc *time.Location) time.Time {
	if e.Hours > 0 {
		d := time.Duration(e.Hours) * time.Hour
		return s.policy.Hours.Add(from, d, loc).Truncate(time.Millisecond)
	}
	return s.policy.Hours.addWorkdays(from, e.Days, loc).Truncate(time.Millisecond)
}

// addWorkdays returns the same local time of day n working days after t;
// with no working hours set, every day is a working day.
func (b BusinessHours) addWorkdays(t time.Time, n int, loc *time.Location) time.Time {
	local := t.In(loc)
	for range 400 { // a year of days is enough for any sane extension
		if n <= 0 {
			break
		}
		local = local.AddDate(0, 0, 1)
		if !b.On || (b.Days[local.Weekday()] && !b.Holidays[local.Format("2006-01-02")]) {
			n--
		}
	}
	return local
}

// toldOwner tells the owner what a supervisor did with their lead; key
// names the catalogue text.
func toldOwner(l Lead, owner Rep, key string, by Rep, now time.Time) Notice {
	return Notice{
		Key:    noticeKey(NoticeText, l.ID, owner.ID, now) + ":" + key,
		Kind:   NoticeText,
		LeadID: l.ID,
		To:     owner.ID,
		Text:   key,
		Args: map[string]string{
			"lead":    l.ID.String(),
			"company": l.Company,
			"by":      displayName(by),
		},
		At: now,
	}
}

func withNote(s, note string) string {
	if note = strings.TrimSpace(note); note != "" {
		return s + ": " + note
	}
	return s
}
