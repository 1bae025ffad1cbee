package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// The use cases in this file carry out what the weekly health digest
// suggests: cover an uncovered key account, or make one move of a
// rebalance plan. Both are supervisor actions under the rules of
// Reassign, each one transaction with its history, audit and notices,
// and both are safe to ask for twice: the second time finds the work
// done and says so with a Conflict of its own code.

// Cover gives an open lead nobody covers to the rep the router chooses:
// a pooled or standby lead among the reps of by's team (the arbiter's:
// among everyone), a lead held by an away or inactive rep as Reassign
// does. A lead its active owner at work holds is Conflict (code
// already_covered); a caller who is not a team lead or manager of a team
// (or of the holder's team), or the arbiter, Forbidden (code
// not_supervisor); nobody fitting with room Conflict (code no_fit).
func (s *Service) Cover(ctx context.Context, id LeadID, by RepID) (Lead, error) {
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		l, err := tx.Lead(ctx, id)
		if err != nil {
			return err
		}
		switch l.Status {
		case StatusPool, StatusStandby:
			out, err = s.assignOpen(ctx, tx, l, by, now, logs)
		case StatusAssigned:
			out, err = s.coverHeld(ctx, tx, id, by, now, logs)
		default:
			err = conflict("lead_closed", "lead %s is already closed (%s)", id, l.Status)
		}
		return err
	})
	return out, err
}

// assignOpen routes a pooled or standby lead among the reps by may
// supervise, and starts its collaborators as an assignment does.
//
// TODO: the pool's visibility rules (engine.pool.visibility) are not
// applied: a supervisor may hand a lead to a rep who could not see it in
// the pool. The router's own fit rules still apply.
func (s *Service) assignOpen(
	ctx context.Context,
	tx Tx,
	l Lead,
	by RepID,
	now time.Time,
	logs *logQueue,
) (Lead, error) {
	r, err := actorRep(ctx, tx, by)
	if err != nil {
		return Lead{}, err
	}
	arbiter := s.policy.DisputeArbiter != "" && by == s.policy.DisputeArbiter
	if !arbiter && (r.Role == RoleRep || r.Team == "") {
		return Lead{}, &Error{Kind: Forbidden, Code: "not_supervisor", Msg: fmt.Sprintf(
			"only a team lead or manager, or the arbiter, may assign lead %s", l.ID)}
	}
	reps, err := tx.Reps(ctx)
	if err != nil {
		return Lead{}, err
	}
	var team []Rep
	for _, c := range reps {
		if arbiter || mayManage(r, c) {
			team = append(team, c)
		}
	}
	d, err := s.pick(ctx, tx, l, team, now)
	if err != nil {
		return Lead{}, err
	}
	if d.RepID == "" {
		return Lead{}, conflict("no_fit", "nobody who fits lead %s has room: %s",
			l.ID, strings.Join(d.Reasons, "; "))
	}
	owner := team[indexOfRep(team, d.RepID)]
	d.Reasons = append([]string{digestSay(s.policy.Lang, dgCovered, displayName(r))}, d.Reasons...)
	from := l.Status
	l.Status, l.Assignee, l.Decision, l.UpdatedAt = StatusAssigned, d.RepID, &d, now
	l.DueAt = s.dueAt(l, owner, now)
	startCollab, err := s.collaborate(ctx, tx, reps, &l, now)
	if err != nil {
		return Lead{}, err
	}
	ok, err := tx.TransitionLead(ctx, LeadChange{ID: l.ID, From: from, To: StatusAssigned,
		Assignee: d.RepID, DueAt: l.DueAt, Decision: &d, NewHolder: true, At: now})
	if err != nil {
		return Lead{}, err
	}
	if !ok {
		return Lead{}, conflict("already_claimed", "lead %s was just taken by someone else", l.ID)
	}
	if err := s.recordOwnerChange(ctx, tx, l, EventAssigned, Actor(by), now); err != nil {
		return Lead{}, err
	}
	if err := startCollab(logs); err != nil {
		return Lead{}, err
	}
	entry := AuditEntry{At: now, Actor: Actor(by), Action: "lead.covered", Subject: l.ID.String(),
		Detail: fmt.Sprintf("from the %s to %q, chosen by %s", from, d.RepID, d.Strategy)}
	if err := tx.Audit(ctx, entry); err != nil {
		return Lead{}, err
	}
	if err := tx.Enqueue(ctx, assignedNotice(l, now), changedNotice(l.ID, now)); err != nil {
		return Lead{}, err
	}
	logs.add("lead covered", slog.String("lead_id", l.ID.String()),
		slog.String("rep_id", string(d.RepID)), slog.String("actor", string(by)))
	return tx.Lead(ctx, l.ID)
}

// coverHeld reassigns, by the router, a lead whose owner is away or
// inactive.
func (s *Service) coverHeld(
	ctx context.Context,
	tx Tx,
	id LeadID,
	by RepID,
	now time.Time,
	logs *logQueue,
) (Lead, error) {
	r, l, owner, err := s.supervised(ctx, tx, id, by)
	if err != nil {
		return Lead{}, err
	}
	if owner.Active && !owner.Away {
		return Lead{}, conflict("already_covered", "lead %s is held by %s, who is at work",
			id, displayName(owner))
	}
	mv := move{lead: l, from: owner, how: EventAssigned, end: "reassigned", by: by}
	if err := s.routeAway(ctx, tx, &mv, now); err != nil {
		return Lead{}, err
	}
	why := digestSay(s.policy.Lang, dgCoveredFrom, displayName(r), displayName(owner))
	mv.decision.Reasons = append([]string{why}, mv.decision.Reasons...)
	out, err := s.moveHeld(ctx, tx, mv, now)
	if err != nil {
		return Lead{}, err
	}
	entry := AuditEntry{At: now, Actor: Actor(by), Action: "lead.covered", Subject: id.String(),
		Detail: fmt.Sprintf("from absent %q to %q, chosen by %s", owner.ID, mv.to.ID,
			mv.decision.Strategy)}
	if err := tx.Audit(ctx, entry); err != nil {
		return Lead{}, err
	}
	told := toldOwner(l, owner, "intervene.reassigned", r, now)
	told.Args["name"] = displayName(mv.to)
	logs.add("lead covered", slog.String("lead_id", id.String()),
		slog.String("from_rep_id", string(owner.ID)), slog.String("rep_id", string(mv.to.ID)),
		slog.String("actor", string(by)))
	return out, tx.Enqueue(ctx, told)
}

// ApplyMove makes one suggested rebalance move, lead from one rep to
// another, as a supervisor's reassignment by by. It checks the move
// still holds: a lead already with to is Conflict (code already_moved);
// one that left from, or closed, Conflict (code move_stale); a receiver
// without room OverCapacity, or gone Invalid (code unknown_rep or
// rep_inactive). Who may is as for Reassign.
func (s *Service) ApplyMove(ctx context.Context, id LeadID, from, to, by RepID) (Lead, error) {
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		l, err := tx.Lead(ctx, id)
		if err != nil {
			return err
		}
		if l.Status == StatusAssigned && l.Assignee == to {
			if _, err := actorRep(ctx, tx, by); err != nil {
				return err
			}
			return conflict("already_moved", "lead %s is with %s already", id, to)
		}
		if l.Status != StatusAssigned || l.Assignee != from {
			return conflict("move_stale", "lead %s is no longer held by %s (now %s %s)",
				id, from, l.Status, l.Assignee)
		}
		r, l, owner, err := s.supervised(ctx, tx, id, by)
		if err != nil {
			return err
		}
		mv := move{lead: l, from: owner, how: EventAssigned, end: "rebalanced", by: by}
		if err := s.namedReceiver(ctx, tx, &mv, to, now); err != nil {
			return err
		}
		// The move was planned under the time zone rule; the receiver's
		// zone may have changed since.
		if !s.zoneCheck(&l, now).fits(&mv.to) {
			return conflict("move_stale", "%s no longer shares enough working hours with the customer of lead %s",
				to, id)
		}
		why := digestSay(s.policy.Lang, dgMoved, displayName(r), displayName(owner))
		mv.decision.Reasons = append([]string{why}, mv.decision.Reasons...)
		if out, err = s.moveHeld(ctx, tx, mv, now); err != nil {
			return err
		}
		entry := AuditEntry{At: now, Actor: Actor(by), Action: "lead.rebalanced",
			Subject: id.String(), Detail: fmt.Sprintf("from %q to %q from the health digest",
				owner.ID, mv.to.ID)}
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		told := toldOwner(l, owner, "intervene.reassigned", r, now)
		told.Args["name"] = displayName(mv.to)
		logs.add("lead rebalanced", slog.String("lead_id", id.String()),
			slog.String("from_rep_id", string(owner.ID)), slog.String("rep_id", string(mv.to.ID)),
			slog.String("actor", string(by)))
		return tx.Enqueue(ctx, told)
	})
	return out, err
}

// dgMsg names one sentence of the digest actions' decisions.
type dgMsg int

const (
	dgCovered dgMsg = iota
	dgCoveredFrom
	dgMoved
	dgCount
)

var dgCatalog = map[Lang]*[dgCount]string{
	Chinese: {
		dgCovered:     "%s 从周报补位重点客户",
		dgCoveredFrom: "%s 从周报补位重点客户：原跟进人 %s 不在岗",
		dgMoved:       "%s 从周报执行负载均衡：原跟进人 %s",
	},
	English: {
		dgCovered:     "%s covered a key account from the weekly digest",
		dgCoveredFrom: "%s covered a key account from the weekly digest: %s is away",
		dgMoved:       "%s applied a rebalance move from the weekly digest: from %s",
	},
}

func digestSay(l Lang, m dgMsg, args ...any) string {
	return fmt.Sprintf(dgCatalog[l.resolved()][m], args...)
}
