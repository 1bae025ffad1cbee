package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Claim gives a pooled lead to the rep who asks for it. Of any number of
// simultaneous claims exactly one succeeds; the others get Conflict. An
// unknown or inactive rep is Invalid, a full one OverCapacity, an unknown
// lead NotFound.
func (s *Service) Claim(ctx context.Context, id LeadID, rep RepID, actor Actor) (Lead, error) {
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		l, err := tx.Lead(ctx, id)
		if err != nil {
			return err
		}
		if l.Status != StatusPool {
			return notClaimable(l)
		}
		r, err := s.claimant(ctx, tx, rep)
		if err != nil {
			return err
		}
		if err := s.checkVisible(ctx, tx, r, l); err != nil {
			return err
		}
		if err := s.poolRules(ctx, tx, l, r, now); err != nil {
			return err
		}

		l.Status, l.Assignee, l.UpdatedAt = StatusAssigned, rep, now
		l.DueAt = s.dueAt(l, r, now)
		prev := l.Decision
		l.Decision = &Decision{Strategy: "claim", RepID: rep, Load: r.OpenTasks, At: now,
			Reasons: []string{s.policy.Lang.say(msgClaimed, displayName(r)),
				s.policy.Lang.say(msgLoad, r.OpenTasks+1, r.Capacity)}}
		keepArm(prev, l.Decision)
		l.Decision.Inputs = s.inputsOf(l, 0)
		startCollab, err := s.collaborate(ctx, tx, nil, &l, now)
		if err != nil {
			return err
		}
		ok, err := tx.TransitionLead(ctx, LeadChange{ID: id, From: StatusPool, To: StatusAssigned,
			Assignee: rep, DueAt: l.DueAt, Decision: l.Decision, NewHolder: true, At: now})
		if err != nil {
			return err
		}
		if !ok {
			return conflict("already_claimed", "lead %s was just claimed by someone else", id)
		}
		if ok, err := tx.ReserveCapacity(ctx, rep, now); err != nil {
			return err
		} else if !ok {
			return overCapacity(r)
		}
		if err := warnLoad(ctx, tx, rep, r.OpenTasks, r.Capacity, now); err != nil {
			return err
		}

		if err := s.recordOwnerChange(ctx, tx, l, EventClaimed, actor, now); err != nil {
			return err
		}
		if err := startCollab(logs); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, assignedNotice(l, now), changedNotice(id, now)); err != nil {
			return err
		}
		out = l
		logs.add(
			"lead claimed",
			slog.String("lead_id", id.String()),
			slog.String("rep_id", string(rep)),
		)
		return nil
	})
	return out, err
}

func (s *Service) claimant(ctx context.Context, tx Tx, id RepID) (Rep, error) {
	r, err := tx.Rep(ctx, id)
	if KindOf(err) == NotFound {
		return Rep{}, invalid("rep_id", "unknown_rep", "no rep has id %q", id)
	}
	if err != nil {
		return Rep{}, err
	}
	if !Routable(r) {
		return Rep{}, invalid("rep_id", "rep_inactive",
			"rep %q cannot take leads (inactive, a manager, or capacity 0)", id)
	}
	if !r.HasRoom() {
		return Rep{}, overCapacity(r)
	}
	return r, nil
}

// poolRules are the limits on claiming beyond capacity: a daily cap, so
// that the fastest clicker does not empty the pool, a cooldown before
// taking back a lead one gave up, and the rules of holdRules.
func (s *Service) poolRules(ctx context.Context, tx Tx, l Lead, r Rep, now time.Time) error {
	if limit := s.policy.ClaimsPerDay; limit > 0 {
		n, err := tx.CountEvents(ctx, r.ID, EventClaimed, startOfDay(now, r.Timezone))
		if err != nil {
			return err
		}
		if n >= limit {
			return &Error{Kind: OverCapacity, Code: "claim_limit", Field: "rep_id",
				Msg: fmt.Sprintf("rep %q has claimed %d leads today, the most allowed", r.ID, n)}
		}
	}
	if cool := s.policy.ReclaimCooldown; cool > 0 {
		owners, err := tx.Ownerships(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, o := range owners {
			if o.RepID == r.ID && o.EndReason == "released" && o.EndedAt != nil &&
				now.Sub(*o.EndedAt) < cool {
				return conflict(
					"reclaim_cooldown",
					"rep %q gave lead %s back at %s; it may be claimed again after %s",
					r.ID,
					l.ID,
					o.EndedAt.Format(time.RFC3339),
					o.EndedAt.Add(cool).Format(time.RFC3339),
				)
			}
		}
	}
	return s.holdRules(ctx, tx, l, r, now)
}

// loadWarning is the share of capacity at which a rep's load is worth a
// warning: busy, but not yet full.
const loadWarning = 0.8

// warnLoad writes an audit line and alerts the rep's team lead when an
// assignment takes the rep across the warning share of their capacity.
func warnLoad(ctx context.Context, tx Tx, id RepID, before, capacity int, now time.Time) error {
	limit := loadWarning * float64(capacity)
	if capacity <= 0 || float64(before) >= limit || float64(before+1) < limit {
		return nil
	}
	err := tx.Audit(ctx, AuditEntry{
		At:      now,
		Actor:   ActorEngine,
		Action:  "rep.load_warning",
		Subject: string(id),
		Detail:  fmt.Sprintf("%d of %d open tasks", before+1, capacity),
	})
	if err != nil {
		return err
	}
	r, err := tx.Rep(ctx, id)
	if err != nil {
		return err
	}
	reps, err := tx.Reps(ctx)
	if err != nil {
		return err
	}
	var notices []Notice
	for _, to := range alertAudience(2, r, reps) {
		notices = append(notices, Notice{
			Key:  fmt.Sprintf("load:%s:%s:%d", id, to.ID, now.UnixMilli()),
			Kind: NoticeText,
			To:   to.ID,
			Text: "alert.load",
			Args: map[string]string{
				"name":     displayName(r),
				"open":     fmt.Sprint(before + 1),
				"capacity": fmt.Sprint(capacity),
			},
			At: now,
		})
	}
	return tx.Enqueue(ctx, notices...)
}

// startOfDay is midnight of now's day in the named zone (UTC when it is
// empty or unknown).
func startOfDay(now time.Time, zone string) time.Time {
	loc := time.UTC
	if z, err := time.LoadLocation(zone); err == nil && zone != "" {
		loc = z
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func overCapacity(r Rep) *Error {
	return &Error{
		Kind:  OverCapacity,
		Code:  "over_capacity",
		Field: "rep_id",
		Msg: fmt.Sprintf(
			"rep %q already holds %d open tasks, capacity %d",
			r.ID,
			r.OpenTasks,
			r.Capacity,
		),
	}
}

func notClaimable(l Lead) *Error {
	switch {
	case l.Status.Closed():
		return conflict("lead_closed", "lead %s is already closed (%s)", l.ID, l.Status)
	case l.Assignee != "":
		return conflict("already_claimed", "lead %s is already held by %s", l.ID, l.Assignee)
	}
	return conflict("not_in_pool", "lead %s is %s, not in the open pool", l.ID, l.Status)
}

func (s *Service) recordOwnerChange(
	ctx context.Context,
	tx Tx,
	l Lead,
	how Event,
	actor Actor,
	now time.Time,
) error {
	o := Ownership{LeadID: l.ID, RepID: l.Assignee, How: how, StartedAt: now}
	if err := tx.StartOwnerships(ctx, o); err != nil {
		return err
	}
	ev := LeadEvent{LeadID: l.ID, At: now, Event: how, Actor: actor, RepID: l.Assignee}
	if l.Decision != nil && len(l.Decision.Reasons) > 0 {
		ev.Detail = l.Decision.Reasons[0]
	}
	if err := tx.AppendEvents(ctx, ev); err != nil {
		return err
	}
	return tx.AppendDecisions(ctx, LoggedDecision{l.ID, *l.Decision})
}

// RecordOutcome closes an assigned lead as won or lost, frees its
// owner's capacity and records the deal for learning. The freed capacity
// goes to waiting standby leads in the same transaction. A lead that is
// not assigned is Conflict.
func (s *Service) RecordOutcome(
	ctx context.Context,
	id LeadID,
	outcome Outcome,
	amount *float64,
	actor Actor,
) (Lead, error) {
	return s.recordOutcome(ctx, id, outcome, amount, actor, nil)
}

// Close records an outcome on behalf of a rep in chat: the owner, or a
// team lead or manager of the owner's team.
func (s *Service) Close(
	ctx context.Context,
	id LeadID,
	by RepID,
	outcome Outcome,
	amount *float64,
) (Lead, error) {
	return s.recordOutcome(ctx, id, outcome, amount, Actor(by), func(tx Tx) error {
		_, _, _, err := actorHeld(ctx, tx, id, by)
		return err
	})
}

func (s *Service) recordOutcome(ctx context.Context, id LeadID, outcome Outcome, amount *float64,
	actor Actor, authorize func(Tx) error) (Lead, error) {
	var c checker
	c.oneOf("outcome", string(outcome), string(Won), string(Lost))
	if amount != nil {
		c.number("amount", *amount, 0, MaxAmount)
	}
	if c.err != nil {
		return Lead{}, c.err
	}

	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		if authorize != nil {
			if err := authorize(tx); err != nil {
				return err
			}
		}
		l, err := tx.Lead(ctx, id)
		if err != nil {
			return err
		}
		if l.Status != StatusAssigned {
			return conflict(
				"not_assigned",
				"lead %s is %s; only an assigned lead can be closed",
				id,
				l.Status,
			)
		}
		final := l.ExpectedAmount
		if amount != nil {
			final = *amount
		}

		ok, err := tx.TransitionLead(ctx, LeadChange{
			ID:           id,
			From:         StatusAssigned,
			To:           Status(outcome),
			Assignee:     l.Assignee,
			DueAt:        l.DueAt,
			Decision:     l.Decision,
			ClosedAmount: &final,
			At:           now,
		})
		if err != nil {
			return err
		}
		if !ok {
			return conflict(
				"not_assigned",
				"lead %s changed meanwhile; it is no longer assigned",
				id,
			)
		}
		if err := s.recordClose(ctx, tx, l, outcome, final, actor, now); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, changedNotice(id, now)); err != nil {
			return err
		}
		logs.add("lead closed", slog.String("lead_id", id.String()),
			slog.String("rep_id", string(l.Assignee)), slog.String("outcome", string(outcome)))

		if err := s.drainStandby(ctx, tx, now, logs); err != nil {
			return err
		}
		out, err = tx.Lead(ctx, id)
		return err
	})
	if err == nil {
		s.learnedOutcomes(ctx, 1)
	}
	return out, err
}

func (s *Service) recordClose(
	ctx context.Context,
	tx Tx,
	l Lead,
	outcome Outcome,
	amount float64,
	actor Actor,
	now time.Time,
) error {
	if err := tx.ReleaseCapacity(ctx, l.Assignee); err != nil {
		return err
	}
	if err := tx.EndOwnership(ctx, l.ID, now, "closed "+string(outcome)); err != nil {
		return err
	}
	end := CollaborationEnd{LeadID: l.ID, At: now, Reason: EndClosed}
	if _, err := s.endCollaboration(ctx, tx, end); err != nil {
		return err
	}
	deal := Deal{LeadID: l.ID, Profile: l.Profile, RepID: l.Assignee,
		Outcome: outcome, Amount: amount, ClosedAt: now}
	if d := l.Decision; d != nil && d.RepID == l.Assignee {
		load := d.Load
		deal.AssignedLoad = &load
	}
	if err := tx.InsertDeals(ctx, []Deal{deal}); err != nil {
		return err
	}
	return tx.AppendEvents(ctx, LeadEvent{LeadID: l.ID, At: now, Event: EventClosed, Actor: actor,
		RepID: l.Assignee, Detail: s.policy.Lang.say(msgClosedFor, s.policy.Lang.word(string(outcome)),
			s.policy.Lang.money(amount))})
}

// DrainStandby assigns waiting leads to reps with room, a few per rep at
// a time: the scheduler runs it every tick, so a backlog held back from a
// returning rep arrives over the following minutes.
func (s *Service) DrainStandby(ctx context.Context) error {
	now := s.now()
	return s.update(ctx, func(tx Tx, logs *logQueue) error {
		return s.drainStandby(ctx, tx, now, logs)
	})
}

// drainPerRep caps what one drain gives any one rep, so that a rep back
// from leave, or with a raised capacity, is not flooded with the whole
// backlog at once; the rest follows as work closes.
const drainPerRep = 3

// drainStandby assigns waiting leads, best tier and then oldest first,
// for as long as somebody has room.
func (s *Service) drainStandby(ctx context.Context, tx Tx, now time.Time, logs *logQueue) error {
	reps, err := tx.Reps(ctx)
	if err != nil {
		return err
	}
	room := 0
	for _, r := range reps {
		if Routable(r) && r.HasRoom() {
			room += r.Capacity - r.OpenTasks
		}
	}
	if room == 0 {
		return nil
	}
	waiting, err := tx.StandbyLeads(ctx, room)
	if err != nil {
		return err
	}

	given := map[RepID]int{}
	for _, l := range waiting {
		d, err := s.pick(ctx, tx, l, reps, now)
		if err != nil {
			return err
		}
		if d.RepID == "" {
			continue
		}
		if given[d.RepID]++; given[d.RepID] >= drainPerRep {
			// Full for the rest of this drain only: the store's count
			// is untouched.
			i := indexOfRep(reps, d.RepID)
			reps[i].OpenTasks = max(reps[i].OpenTasks, reps[i].Capacity)
		}
		d.Reasons = append(d.Reasons, s.policy.Lang.say(msgDrained))
		l.Status, l.Assignee, l.Decision, l.UpdatedAt = StatusAssigned, d.RepID, &d, now
		l.DueAt = s.dueAt(l, reps[indexOfRep(reps, d.RepID)], now)
		startCollab, err := s.collaborate(ctx, tx, reps, &l, now)
		if err != nil {
			return err
		}
		ok, err := tx.TransitionLead(ctx, LeadChange{
			ID:        l.ID,
			From:      StatusStandby,
			To:        StatusAssigned,
			Assignee:  d.RepID,
			DueAt:     l.DueAt,
			Decision:  &d,
			NewHolder: true,
			At:        now,
		})
		if err != nil {
			return err
		}
		if !ok {
			// Another transaction took it first; give the slot back.
			if err := tx.ReleaseCapacity(ctx, d.RepID); err != nil {
				return err
			}
			reps[indexOfRep(reps, d.RepID)].OpenTasks--
			continue
		}
		if err := s.recordOwnerChange(ctx, tx, l, EventAssigned, ActorEngine, now); err != nil {
			return err
		}
		if err := startCollab(logs); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, assignedNotice(l, now), changedNotice(l.ID, now)); err != nil {
			return err
		}
		logs.add("standby lead assigned", slog.String("lead_id", l.ID.String()),
			slog.String("rep_id", string(d.RepID)))
	}
	return nil
}
