package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// The use cases in this file are what a rep does with a lead after it
// arrives: accept it, report progress, give it back, hand it over, or
// dispute who owns it. Chat commands and card buttons call them; the
// rules are the same wherever the request comes from.

// actorRep loads the rep behind actor, who must exist and be active.
func actorRep(ctx context.Context, tx Tx, actor RepID) (Rep, error) {
	r, err := tx.Rep(ctx, actor)
	if KindOf(err) == NotFound {
		return Rep{}, &Error{
			Kind: Forbidden,
			Code: "unknown_user",
			Msg:  fmt.Sprintf("%q is not a known rep", actor),
		}
	}
	if err != nil {
		return Rep{}, err
	}
	if !r.Active {
		return Rep{}, &Error{
			Kind: Forbidden,
			Code: "inactive_user",
			Msg:  fmt.Sprintf("rep %q is inactive", actor),
		}
	}
	return r, nil
}

// mayManage reports whether r may act on a lead that owner holds: the
// owner, or a team lead or manager of the owner's team.
func mayManage(r Rep, owner Rep) bool {
	if r.ID == owner.ID {
		return true
	}
	return (r.Role == RoleLead || r.Role == RoleManager) && r.Team != "" && r.Team == owner.Team
}

// heldLead loads an assigned lead that by may act on, with its owner.
func heldLead(ctx context.Context, tx Tx, id LeadID, by Rep) (Lead, Rep, error) {
	l, err := tx.Lead(ctx, id)
	if err != nil {
		return Lead{}, Rep{}, err
	}
	if l.Status != StatusAssigned {
		if l.Status.Closed() {
			return l, Rep{}, conflict("lead_closed", "lead %s is already closed (%s)", id, l.Status)
		}
		return l, Rep{}, conflict("not_assigned", "lead %s is %s, nobody holds it", id, l.Status)
	}
	owner, err := tx.Rep(ctx, l.Assignee)
	if err != nil {
		return Lead{}, Rep{}, err
	}
	if !mayManage(by, owner) {
		return l, owner, &Error{Kind: Forbidden, Code: "not_owner",
			Msg: fmt.Sprintf("lead %s belongs to %s", id, displayName(owner))}
	}
	return l, owner, nil
}

// actorHeld loads the rep acting and the held lead they act on, with
// its owner: actorRep and heldLead in one step.
func actorHeld(ctx context.Context, tx Tx, id LeadID, by RepID) (Rep, Lead, Rep, error) {
	r, err := actorRep(ctx, tx, by)
	if err != nil {
		return Rep{}, Lead{}, Rep{}, err
	}
	l, owner, err := heldLead(ctx, tx, id, r)
	return r, l, owner, err
}

// Accept records that the owner has seen the lead and takes it on. A
// second acceptance is Conflict with code already_accepted.
func (s *Service) Accept(ctx context.Context, id LeadID, by RepID) (Lead, error) {
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		_, l, _, err := actorHeld(ctx, tx, id, by)
		if err != nil {
			return err
		}
		if l.Assignee != by {
			return &Error{
				Kind: Forbidden,
				Code: "not_owner",
				Msg:  "only the owner can accept a lead",
			}
		}
		ok, err := tx.TouchLead(ctx, LeadTouch{ID: id, Owner: by, Accept: true, At: now})
		if err != nil {
			return err
		}
		if !ok {
			return conflict("already_accepted", "lead %s is already accepted", id)
		}
		ev := LeadEvent{LeadID: id, At: now, Event: EventAccepted, Actor: Actor(by), RepID: by}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, changedNotice(id, now)); err != nil {
			return err
		}
		out, err = tx.Lead(ctx, id)
		logs.add(
			"lead accepted",
			slog.String("lead_id", id.String()),
			slog.String("rep_id", string(by)),
		)
		return err
	})
	return out, err
}

// Progress records the owner's progress in percent, with a note.
func (s *Service) Progress(
	ctx context.Context,
	id LeadID,
	by RepID,
	percent int,
	note string,
) (Lead, error) {
	var c checker
	c.number("percent", float64(percent), 0, 100)
	c.text("note", note, 500, false)
	if c.err != nil {
		return Lead{}, c.err
	}
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		_, l, _, err := actorHeld(ctx, tx, id, by)
		if err != nil {
			return err
		}
		ok, err := tx.TouchLead(
			ctx,
			LeadTouch{ID: id, Owner: l.Assignee, Progress: &percent, At: now},
		)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("not_assigned", "lead %s changed hands meanwhile", id)
		}
		detail := strings.TrimSpace(fmt.Sprintf("%d%% %s", percent, note))
		ev := LeadEvent{
			LeadID: id,
			At:     now,
			Event:  EventProgress,
			Actor:  Actor(by),
			RepID:  l.Assignee,
			Detail: detail,
		}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, changedNotice(id, now)); err != nil {
			return err
		}
		out, err = tx.Lead(ctx, id)
		logs.add(
			"progress recorded",
			slog.String("lead_id", id.String()),
			slog.Int("percent", percent),
		)
		return err
	})
	return out, err
}

// Release gives a held lead back to the open pool and frees its owner's
// capacity; the reps who may claim it are told.
func (s *Service) Release(ctx context.Context, id LeadID, by RepID) (Lead, error) {
	now := s.now()
	var out Lead
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		r, l, owner, err := actorHeld(ctx, tx, id, by)
		if err != nil {
			return err
		}
		d := &Decision{Strategy: "release", At: now,
			Reasons: []string{s.policy.Lang.say(msgReleased, displayName(r))}}
		keepArm(l.Decision, d)
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
		out, err = tx.Lead(ctx, id)
		logs.add(
			"lead released",
			slog.String("lead_id", id.String()),
			slog.String("rep_id", string(owner.ID)),
		)
		return err
	})
	return out, err
}

func (s *Service) recordRelease(
	ctx context.Context,
	tx Tx,
	l Lead,
	owner Rep,
	by RepID,
	d *Decision,
	now time.Time,
) error {
	if err := tx.ReleaseCapacity(ctx, owner.ID); err != nil {
		return err
	}
	if err := tx.EndOwnership(ctx, l.ID, now, "released"); err != nil {
		return err
	}
	ev := LeadEvent{LeadID: l.ID, At: now, Event: EventReleased, Actor: Actor(by), RepID: owner.ID,
		Detail: d.Reasons[0]}
	if err := tx.AppendEvents(ctx, ev); err != nil {
		return err
	}
	if err := tx.AppendDecisions(ctx, LoggedDecision{l.ID, *d}); err != nil {
		return err
	}
	reps, err := tx.Reps(ctx)
	if err != nil {
		return err
	}
	l.Status, l.Assignee = StatusPool, ""
	var others []Rep
	for _, r := range reps {
		if r.ID != owner.ID {
			others = append(others, r)
		}
	}
	notices, err := s.poolNotices(ctx, tx, l, others, now)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, append(notices, changedNotice(l.ID, now))...)
}

func (s *Service) handOver(
	ctx context.Context,
	tx Tx,
	l Lead,
	from, to Rep,
	by RepID,
	now time.Time,
) (Lead, error) {
	d := Decision{
		Strategy: "transfer",
		RepID:    to.ID,
		Load:     to.OpenTasks,
		At:       now,
		Reasons: []string{
			s.policy.Lang.say(msgHandedOver, displayName(from), displayName(to)),
			s.policy.Lang.say(msgLoad, to.OpenTasks+1, to.Capacity),
		},
	}
	return s.moveHeld(ctx, tx, move{lead: l, from: from, to: to, decision: d,
		how: EventTransferred, end: "transferred", by: by}, now)
}

// FileDispute records a rep's challenge of a lead's ownership or
// commission, with the lead's holder at the time, and asks the managers
// of the teams concerned to decide.
func (s *Service) FileDispute(
	ctx context.Context,
	id LeadID,
	by RepID,
	kind DisputeKind,
	reason string,
) (Dispute, error) {
	return s.FileDisputeSplit(ctx, id, by, kind, reason, nil)
}

// FileDisputeSplit files a dispute as FileDispute does, with the share
// of the commission (0 to 1) the filer proposes for themselves.
func (s *Service) FileDisputeSplit(
	ctx context.Context,
	id LeadID,
	by RepID,
	kind DisputeKind,
	reason string,
	proposed *float64,
) (Dispute, error) {
	var c checker
	if proposed != nil {
		c.number("proposed_split", *proposed, 0, 1)
	}
	c.oneOf(
		"kind",
		string(kind),
		string(DisputeOwnership),
		string(DisputeCommission),
		string(DisputeCrossRegion),
	)
	c.text("reason", reason, 500, true)
	if c.err != nil {
		return Dispute{}, c.err
	}
	now := s.now()
	var out Dispute
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		r, err := actorRep(ctx, tx, by)
		if err != nil {
			return err
		}
		l, err := tx.Lead(ctx, id)
		if err != nil {
			return err
		}
		if kind == DisputeOwnership && l.Assignee == by {
			return conflict("own_lead", "lead %s is already yours", id)
		}
		out = Dispute{LeadID: id, Kind: kind, Status: DisputeOpen, FiledBy: by, Against: l.Assignee,
			Proposed: proposed,
			Reason:   strings.TrimSpace(reason), FiledAt: now}
		rule, err := s.settleByRule(ctx, tx, out, l, now)
		if err != nil {
			return err
		}
		if rule != "" {
			out.Status, out.Comment, out.DecidedAt = DisputeAuto, rule, &now
		}
		if out.ID, err = tx.InsertDispute(ctx, out); err != nil {
			return err
		}
		ev := LeadEvent{
			LeadID: id,
			At:     now,
			Event:  EventDisputed,
			Actor:  Actor(by),
			RepID:  l.Assignee,
			Detail: fmt.Sprintf("%s %s: %s", out.ID, kind, out.Reason),
		}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
		entry := AuditEntry{
			At:      now,
			Actor:   Actor(by),
			Action:  "dispute.filed",
			Subject: out.ID.String(),
			Detail:  fmt.Sprintf("%s on lead %s against %q: %s", kind, id, l.Assignee, out.Reason),
		}
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		if rule != "" {
			return s.recordAutoDecision(ctx, tx, out, now, logs)
		}
		notices, err := s.disputeNotices(ctx, tx, out, r, l, now)
		if err != nil {
			return err
		}
		logs.add(
			"dispute filed",
			slog.String("dispute_id", out.ID.String()),
			slog.String("lead_id", id.String()),
		)
		return tx.Enqueue(ctx, notices...)
	})
	return out, err
}

// disputeNotices asks the managers of the filer's team and of the
// holder's team to decide.
func (s *Service) disputeNotices(
	ctx context.Context,
	tx Tx,
	d Dispute,
	filer Rep,
	l Lead,
	now time.Time,
) ([]Notice, error) {
	teams := map[string]bool{filer.Team: true}
	if l.Assignee != "" {
		owner, err := tx.Rep(ctx, l.Assignee)
		if err != nil {
			return nil, err
		}
		teams[owner.Team] = true
	}
	reps, err := tx.Reps(ctx)
	if err != nil {
		return nil, err
	}
	var out []Notice
	for _, r := range reps {
		if r.Role == RoleManager && r.Active && teams[r.Team] {
			out = append(out, Notice{
				Key:    noticeKey(NoticeDispute, l.ID, r.ID, now),
				Kind:   NoticeDispute,
				LeadID: l.ID,
				To:     r.ID,
				Text:   d.ID.String(),
				At:     now,
			})
		}
	}
	return out, nil
}

// MyLeads returns the leads a rep holds, most urgent first: the earliest
// deadline, then the better tier.
func (s *Service) MyLeads(ctx context.Context, rep RepID) ([]Lead, error) {
	leads, err := s.store.Leads(
		ctx,
		LeadFilter{Status: StatusAssigned, Assignee: rep, Limit: MaxListLimit},
	)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(leads, func(a, b Lead) int {
		if c := compareDue(a.DueAt, b.DueAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Tier, b.Tier)
	})
	return leads, nil
}

func compareDue(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

// PoolFor returns up to limit pooled leads the rep may claim, best first.
func (s *Service) PoolFor(ctx context.Context, rep RepID, limit int) ([]Lead, error) {
	r, err := s.store.Rep(ctx, rep)
	if err != nil {
		return nil, err
	}
	// TODO: rank by the rep's fit once routing learns strengths; until
	// then the best tier and score come first for everyone.
	leads, err := s.store.Leads(
		ctx,
		LeadFilter{Status: StatusPool, BestFirst: true, Limit: MaxListLimit},
	)
	if err != nil {
		return nil, err
	}
	g, err := s.newPoolGate(ctx, s.store, leads)
	if err != nil {
		return nil, err
	}
	var out []Lead
	for _, l := range leads {
		if g.may(r, l) && len(out) < limit {
			out = append(out, l)
		}
	}
	return out, nil
}
