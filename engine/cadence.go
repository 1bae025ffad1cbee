package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Cadence is how often the owner of a held lead must touch it (accept
// it or record progress), and how long a silence may last.
//
// Touches are counted in slots: a slot starts at the latest touch (or,
// before the first, when the owner got the lead) and lasts a week
// divided by the touches a week the lead needs then, so the next touch
// of a tier A lead needing two is due three and a half days after the
// last one. A slot that ends without a touch is missed: its owner is
// nudged once, and the next slot starts where it ended. A touch starts a
// new slot at once.
type Cadence struct {
	// PerWeek is the touches a rolling week each tier needs; a tier
	// without one (or 0) needs none.
	PerWeek map[Tier]int
	// NewCustomer is the touches a new customer's lead needs in the
	// first week its owner holds it, when that is more than its tier's.
	NewCustomer int
	// Silence is how long a held lead may go without a touch before its
	// owner and the team lead are alerted, once per silence; 0 never.
	Silence time.Duration
}

// DefaultCadence is two touches a week for tier A, one for B, none for
// C, three in a new customer's first week, and an alert after two
// silent weeks.
var DefaultCadence = Cadence{
	PerWeek:     map[Tier]int{TierA: 2, TierB: 1},
	NewCustomer: 3,
	Silence:     14 * 24 * time.Hour,
}

const week = 7 * 24 * time.Hour

// maxSlots bounds how many slots one look at a lead walks: a year of
// three touches a week.
const maxSlots = 160

// perWeek is the touches a week the lead needs in a slot starting at.
func (c Cadence) perWeek(l Lead, at time.Time) int {
	n := c.PerWeek[l.Tier]
	if l.CustomerType == CustomerNew && l.HeldSince != nil && at.Before(l.HeldSince.Add(week)) {
		n = max(n, c.NewCustomer)
	}
	return n
}

// slot is one stretch in which a touch is due.
type slot struct{ start, end time.Time }

// walk follows the slots from anchor and returns those that ended in
// [from, until], and the end of the first one after until (zero when no
// slot follows: the lead needs no more touches).
func (c Cadence) walk(l Lead, anchor, from, until time.Time) ([]slot, time.Time) {
	var ended []slot
	start := anchor
	for range maxSlots {
		n := c.perWeek(l, start)
		if n <= 0 {
			return ended, time.Time{}
		}
		end := start.Add(week / time.Duration(n))
		if end.After(until) {
			return ended, end
		}
		if !end.Before(from) {
			ended = append(ended, slot{start, end})
		}
		start = end
	}
	return ended, start
}

// cadenceLook is what one look at a lead's cadence finds due.
type cadenceLook struct {
	// missed are the slots that ended since the last look.
	missed []slot
	// silent is set when the silence threshold passed since then.
	silent bool
	// next is when to look again; zero for never.
	next time.Time
}

func (c Cadence) look(l Lead, anchor, from, now time.Time) cadenceLook {
	missed, next := c.walk(l, anchor, from, now)
	out := cadenceLook{missed: missed, next: next}
	if c.Silence <= 0 {
		return out
	}
	quiet := anchor.Add(c.Silence)
	switch {
	case quiet.After(now):
		if out.next.IsZero() || quiet.Before(out.next) {
			out.next = quiet
		}
	case !quiet.Before(from):
		out.silent = true
	}
	return out
}

// ScanCadence chases the follow-up cadence of held leads: a nudge to the
// owner for each slot missed, and an alert to the owner and the team
// lead when a lead has gone silent. Each lead's next look is stored with
// it and moved by a conditional update in the same transaction as the
// notices, so each nudge goes out once whichever replica scans; after
// downtime a lead that missed several slots gets one nudge, for the
// latest. It returns how many notices it queued.
func (s *Service) ScanCadence(ctx context.Context) (int, error) {
	now := s.now()
	leads, err := s.store.CadenceDue(ctx, now, scanBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, l := range leads {
		n, err := s.pace(ctx, l, now)
		if err != nil {
			return sent, fmt.Errorf("pace lead %s: %w", l.ID, err)
		}
		sent += n
	}
	return sent, nil
}

func (s *Service) pace(ctx context.Context, l Lead, now time.Time) (int, error) {
	if l.CadenceAt == nil {
		return 0, nil
	}
	from := *l.CadenceAt
	anchor := lastFollowUp(l)
	var got cadenceLook
	if !anchor.IsZero() {
		got = s.policy.Cadence.look(l, anchor, from, now)
	}
	var next *time.Time
	if !got.next.IsZero() {
		next = &got.next
	}
	var n int
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		ok, err := tx.AdvanceCadence(ctx, l.ID, from, next)
		if err != nil || !ok {
			return err
		}
		notices, events, err := s.cadenceNotices(ctx, tx, l, anchor, got, now)
		if err != nil {
			return err
		}
		n = len(notices)
		if err := tx.AppendEvents(ctx, events...); err != nil {
			return err
		}
		if n > 0 {
			logs.add(
				"cadence chased",
				slog.String("lead_id", l.ID.String()),
				slog.String("rep_id", string(l.Assignee)),
				slog.Int("missed", len(got.missed)),
				slog.Bool("silent", got.silent),
			)
		}
		return tx.Enqueue(ctx, notices...)
	})
	return n, err
}

// cadenceNotices builds the nudge for the latest missed slot and the
// silence alerts, with their history lines.
func (s *Service) cadenceNotices(
	ctx context.Context,
	tx Tx,
	l Lead,
	anchor time.Time,
	got cadenceLook,
	now time.Time,
) ([]Notice, []LeadEvent, error) {
	if len(got.missed) == 0 && !got.silent {
		return nil, nil, nil
	}
	owner, err := tx.Rep(ctx, l.Assignee)
	if err != nil {
		return nil, nil, err
	}
	last := anchor.UTC().Format(time.RFC3339)
	var notices []Notice
	var events []LeadEvent
	if len(got.missed) > 0 && !owner.Away {
		sl := got.missed[len(got.missed)-1]
		n := s.policy.Cadence.perWeek(l, sl.start)
		notices = append(notices, Notice{
			Key: fmt.Sprintf("%s:%s:%s:%d", NoticeCadence, l.ID, owner.ID,
				sl.start.UnixMilli()),
			Kind:      NoticeCadence,
			LeadID:    l.ID,
			To:        owner.ID,
			Args:      map[string]string{"per_week": strconv.Itoa(n), "last": last},
			At:        now,
			NotBefore: s.workingMoment(now, owner),
		})
		events = append(events, LeadEvent{LeadID: l.ID, At: now, Event: EventNudged,
			Actor: ActorEngine, RepID: owner.ID,
			Detail: s.policy.Lang.say(msgCadenceBehind, n, last)})
	}
	if got.silent {
		reps, err := tx.Reps(ctx)
		if err != nil {
			return nil, nil, err
		}
		days := int(s.policy.Cadence.Silence / (24 * time.Hour))
		args := map[string]string{"days": strconv.Itoa(days), "last": last}
		for _, to := range append([]Rep{owner}, alertAudience(2, owner, reps)...) {
			notices = append(notices, Notice{
				Key: fmt.Sprintf("%s:%s:%s:%d", NoticeSilence, l.ID, to.ID,
					anchor.UnixMilli()),
				Kind:      NoticeSilence,
				LeadID:    l.ID,
				To:        to.ID,
				Args:      args,
				At:        now,
				NotBefore: s.workingMoment(now, to),
			})
		}
		events = append(events, LeadEvent{LeadID: l.ID, At: now, Event: EventAlerted,
			Actor: ActorEngine, RepID: owner.ID,
			Detail: s.policy.Lang.say(msgSilence, days, last)})
	}
	return notices, events, nil
}

// workingMoment is the first moment from t that is outside the
// recipient's quiet hours and inside the working day, in their time
// zone: what is not urgent waits for office hours.
func (s *Service) workingMoment(t time.Time, to Rep) time.Time {
	loc := repZone(to)
	t = s.policy.Schedule.Quiet.NextAllowed(t, loc)
	return s.policy.Hours.Add(t, 0, loc)
}

// repZone is the rep's time zone, UTC when they name none or a bad one.
func repZone(r Rep) *time.Location {
	if r.Timezone == "" {
		return time.UTC
	}
	if z, err := time.LoadLocation(r.Timezone); err == nil {
		return z
	}
	return time.UTC
}

// EventNudged records a nudge about the follow-up cadence.
const EventNudged Event = "nudged"
