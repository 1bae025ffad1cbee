package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Verdict is a manager's answer to a dispute.
type Verdict string

// The verdicts.
const (
	Approve Verdict = "approve"
	Reject  Verdict = "reject"
	// Split approves a commission dispute with the commission shared.
	Split Verdict = "split"
)

// DisputeResult is what a decision did: the dispute as it stands, and
// whether it still waits for another team's manager.
type DisputeResult struct {
	Dispute Dispute
	Waiting bool
}

// DecideDispute settles a dispute. Only a manager of a team concerned
// (the filer's, and the holder's), or the configured arbiter, may; anyone
// else is Forbidden. A cross-region dispute needs the managers of both
// teams to approve, unless the arbiter decides; one rejection settles it.
// An approved ownership or cross-region dispute moves the lead to the
// filer, who needs room; a split records the filer's share. A dispute
// already decided, or about a lead closed meanwhile, is Conflict.
func (s *Service) DecideDispute(
	ctx context.Context,
	id DisputeID,
	by RepID,
	v Verdict,
	share *float64,
	comment string,
) (DisputeResult, error) {
	if err := checkVerdict(v, share, comment); err != nil {
		return DisputeResult{}, err
	}
	now := s.now()
	var out DisputeResult
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		out = DisputeResult{}
		d, l, teams, err := s.disputeCase(ctx, tx, id)
		if err != nil {
			return err
		}
		r, err := actorRep(ctx, tx, by)
		if err != nil {
			return err
		}
		arbiter := s.policy.DisputeArbiter != "" && by == s.policy.DisputeArbiter
		if !arbiter && (r.Role != RoleManager || !slices.Contains(teams, r.Team)) {
			return &Error{
				Kind: Forbidden,
				Code: "not_decider",
				Msg: fmt.Sprintf(
					"only a manager of team %v or the arbiter may decide %s",
					teams,
					id,
				),
			}
		}
		if v != Reject && d.Kind == DisputeCrossRegion && !arbiter {
			voted, err := tx.VoteDispute(ctx, id, r.Team, by, now)
			if err != nil {
				return err
			}
			if missing := without(teams, voted); len(missing) > 0 {
				out = DisputeResult{Dispute: d, Waiting: true}
				logs.add("dispute approval recorded", slog.String("dispute_id", id.String()),
					slog.String("team", r.Team))
				return tx.AppendEvents(ctx, LeadEvent{
					LeadID: l.ID,
					At:     now,
					Event:  EventDecided,
					Actor:  Actor(by),
					Detail: fmt.Sprintf(
						"%s: approved by team %s, waiting for %v",
						id,
						r.Team,
						missing,
					),
				})
			}
		}
		d, err = s.settle(ctx, tx, d, l, r, v, share, comment, now)
		if err != nil {
			return err
		}
		out.Dispute = d
		logs.add(
			"dispute decided",
			slog.String("dispute_id", id.String()),
			slog.String("lead_id", l.ID.String()),
			slog.String("verdict", string(v)),
			slog.String("rep_id", string(by)),
		)
		return nil
	})
	return out, err
}

func checkVerdict(v Verdict, share *float64, comment string) error {
	var c checker
	c.oneOf("verdict", string(v), string(Approve), string(Reject), string(Split))
	if v == Split {
		if share == nil {
			c.fail("split", "missing_field", "is required to split a commission")
		} else {
			c.number("split", *share, 0, 1)
		}
	}
	c.text("comment", comment, 500, false)
	return errOrNil(c.err)
}

// disputeCase loads an open dispute, its lead, and the teams concerned.
func (s *Service) disputeCase(
	ctx context.Context,
	tx Tx,
	id DisputeID,
) (Dispute, Lead, []string, error) {
	d, err := tx.Dispute(ctx, id)
	if err != nil {
		return Dispute{}, Lead{}, nil, err
	}
	if d.Status != DisputeOpen {
		return Dispute{}, Lead{}, nil, conflict("already_decided", "%s is already %s", id, d.Status)
	}
	l, err := tx.Lead(ctx, d.LeadID)
	if err != nil {
		return Dispute{}, Lead{}, nil, err
	}
	if l.Status.Closed() && d.Kind != DisputeCommission {
		return Dispute{}, Lead{}, nil, conflict(
			"lead_closed",
			"lead %s was closed (%s) meanwhile",
			l.ID,
			l.Status,
		)
	}
	var teams []string
	for _, who := range []RepID{d.FiledBy, d.Against} {
		if who == "" {
			continue
		}
		r, err := tx.Rep(ctx, who)
		if err != nil {
			return Dispute{}, Lead{}, nil, err
		}
		if r.Team != "" && !slices.Contains(teams, r.Team) {
			teams = append(teams, r.Team)
		}
	}
	return d, l, teams, nil
}

func without(all, some []string) []string {
	var out []string
	for _, t := range all {
		if !slices.Contains(some, t) {
			out = append(out, t)
		}
	}
	return out
}

// settle records the decision and applies it: ownership moves to the
// filer on approval of an ownership or cross-region dispute.
func (s *Service) settle(
	ctx context.Context,
	tx Tx,
	d Dispute,
	l Lead,
	by Rep,
	v Verdict,
	share *float64,
	comment string,
	now time.Time,
) (Dispute, error) {
	d.Status, d.DecidedBy, d.DecidedAt, d.Comment = DisputeRejected, by.ID, &now, comment
	key := "dispute.rejected"
	if v != Reject {
		d.Status, key = DisputeApproved, "dispute.approved"
	}
	if v == Split {
		d.Split, key = share, "dispute.split"
	}
	ok, err := tx.DecideDispute(ctx, d)
	if err != nil {
		return Dispute{}, err
	}
	if !ok {
		return Dispute{}, conflict("already_decided", "%s was decided meanwhile", d.ID)
	}
	moves := v == Approve && d.Kind != DisputeCommission && l.Assignee != d.FiledBy
	if moves {
		if err := s.moveToFiler(ctx, tx, l, d, by, now); err != nil {
			return Dispute{}, err
		}
		applied := AuditEntry{
			At:      now,
			Actor:   Actor(by.ID),
			Action:  "dispute.applied",
			Subject: d.ID.String(),
			Detail:  fmt.Sprintf("lead %s moved from %q to %q", l.ID, l.Assignee, d.FiledBy),
		}
		if err := tx.Audit(ctx, applied); err != nil {
			return Dispute{}, err
		}
	}
	ev := LeadEvent{
		LeadID: l.ID,
		At:     now,
		Event:  EventDecided,
		Actor:  Actor(by.ID),
		RepID:  d.FiledBy,
		Detail: fmt.Sprintf("%s %s: %s", d.ID, d.Status, comment),
	}
	if err := tx.AppendEvents(ctx, ev); err != nil {
		return Dispute{}, err
	}
	entry := AuditEntry{
		At:      now,
		Actor:   Actor(by.ID),
		Action:  "dispute.decided",
		Subject: d.ID.String(),
		Detail:  fmt.Sprintf("%s on lead %s, verdict %s", d.Kind, l.ID, v),
	}
	if err := tx.Audit(ctx, entry); err != nil {
		return Dispute{}, err
	}
	var notices []Notice
	for _, who := range []RepID{d.FiledBy, d.Against} {
		if who != "" {
			notices = append(notices, Notice{
				Key:    noticeKey(NoticeText, l.ID, who, now) + ":" + d.ID.String(),
				Kind:   NoticeText,
				LeadID: l.ID,
				To:     who,
				Text:   key,
				Args: map[string]string{
					"lead":    l.ID.String(),
					"dispute": d.ID.String(),
				},
				At: now,
			})
		}
	}
	return d, tx.Enqueue(ctx, append(notices, changedNotice(l.ID, now))...)
}

// moveToFiler hands the disputed lead to the rep who won the dispute.
func (s *Service) moveToFiler(
	ctx context.Context,
	tx Tx,
	l Lead,
	d Dispute,
	by Rep,
	now time.Time,
) error {
	filer, err := s.claimant(ctx, tx, d.FiledBy)
	if err != nil {
		return err
	}
	if l.Status == StatusAssigned {
		owner, err := tx.Rep(ctx, l.Assignee)
		if err != nil {
			return err
		}
		_, err = s.handOver(ctx, tx, l, owner, filer, by.ID, now)
		return err
	}
	// A pooled or waiting lead goes to the filer as a claim would.
	due := s.firstTouch(l.Tier, filer, now)
	dec := &Decision{Strategy: "dispute", RepID: filer.ID, Load: filer.OpenTasks, At: now,
		Reasons: []string{fmt.Sprintf("%s: %s", d.ID, d.Reason)}, Inputs: s.inputsOf(l, 0)}
	keepArm(l.Decision, dec)
	ok, err := tx.TransitionLead(ctx, LeadChange{
		ID:        l.ID,
		From:      l.Status,
		To:        StatusAssigned,
		Assignee:  filer.ID,
		DueAt:     &due,
		Decision:  dec,
		NewHolder: true,
		At:        now,
	})
	if err != nil {
		return err
	}
	if !ok {
		return conflict("lead_changed", "lead %s changed meanwhile", l.ID)
	}
	if ok, err := tx.ReserveCapacity(ctx, filer.ID, now); err != nil {
		return err
	} else if !ok {
		return overCapacity(filer)
	}
	l.Status, l.Assignee, l.Decision, l.DueAt = StatusAssigned, filer.ID, dec, &due
	if err := s.recordOwnerChange(ctx, tx, l, EventAssigned, Actor(by.ID), now); err != nil {
		return err
	}
	return tx.Enqueue(ctx, assignedNotice(l, now))
}

// settleByRule applies the automatic rules that settle the obvious
// cases before a manager sees them, and returns the reason of the rule
// that did, or "". The one rule: the registered owner of an existing
// customer keeps it within the protection period.
func (s *Service) settleByRule(
	ctx context.Context,
	tx Tx,
	d Dispute,
	l Lead,
	now time.Time,
) (string, error) {
	protect := s.policy.ProtectExisting
	if protect <= 0 || d.Kind == DisputeCommission || l.CustomerType != CustomerExisting ||
		l.Assignee == "" {
		return "", nil
	}
	owners, err := tx.Ownerships(ctx, l.ID)
	if err != nil {
		return "", err
	}
	for i := len(owners) - 1; i >= 0; i-- {
		o := owners[i]
		if o.RepID != l.Assignee || o.EndedAt != nil {
			continue
		}
		if now.Sub(o.StartedAt) < protect {
			return s.policy.Lang.say(msgProtected, l.Assignee, o.StartedAt.Format("2006-01-02"),
				o.StartedAt.Add(protect).Format("2006-01-02")), nil
		}
	}
	return "", nil
}

// recordAutoDecision writes what an automatic rule decided and tells
// the filer, with the rule's reason.
func (s *Service) recordAutoDecision(
	ctx context.Context,
	tx Tx,
	d Dispute,
	now time.Time,
	logs *logQueue,
) error {
	ev := LeadEvent{
		LeadID: d.LeadID,
		At:     now,
		Event:  EventDecided,
		Actor:  ActorEngine,
		RepID:  d.Against,
		Detail: fmt.Sprintf("%s %s: %s", d.ID, d.Status, d.Comment),
	}
	if err := tx.AppendEvents(ctx, ev); err != nil {
		return err
	}
	entry := AuditEntry{
		At:      now,
		Actor:   ActorEngine,
		Action:  "dispute.decided",
		Subject: d.ID.String(),
		Detail:  "settled by rule: " + d.Comment,
	}
	if err := tx.Audit(ctx, entry); err != nil {
		return err
	}
	logs.add("dispute settled by rule", slog.String("dispute_id", d.ID.String()),
		slog.String("lead_id", d.LeadID.String()))
	return tx.Enqueue(ctx, Notice{
		Key:    noticeKey(NoticeText, d.LeadID, d.FiledBy, now) + ":" + d.ID.String(),
		Kind:   NoticeText,
		LeadID: d.LeadID,
		To:     d.FiledBy,
		Text:   "dispute.auto",
		Args: map[string]string{
			"lead":    d.LeadID.String(),
			"dispute": d.ID.String(),
			"reason":  d.Comment,
		},
		At: now,
	})
}

// ScanDisputes escalates the disputes left undecided for longer than the
// policy's DisputeEscalateAfter: the arbiter, or every manager where
// there is none, gets the approval card. It returns how many notices it
// queued.
func (s *Service) ScanDisputes(ctx context.Context) (int, error) {
	after := s.policy.DisputeEscalateAfter
	if after <= 0 {
		return 0, nil
	}
	now := s.now()
	open, err := s.store.Disputes(ctx, DisputeFilter{Status: DisputeOpen, Limit: MaxListLimit})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range open {
		if now.Sub(d.FiledAt) < after {
			continue
		}
		n, err := s.escalateDispute(ctx, d, now)
		if err != nil {
			return sent, fmt.Errorf("escalate dispute %s: %w", d.ID, err)
		}
		sent += n
	}
	return sent, nil
}

func (s *Service) escalateDispute(ctx context.Context, d Dispute, now time.Time) (int, error) {
	var n int
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		reps, err := tx.Reps(ctx)
		if err != nil {
			return err
		}
		var notices []Notice
		for _, r := range reps {
			if (s.policy.DisputeArbiter != "" && r.ID == s.policy.DisputeArbiter) ||
				(s.policy.DisputeArbiter == "" && r.Role == RoleManager && r.Active) {
				// Keyed by the dispute, so a second scan queues nothing.
				notices = append(notices, Notice{
					Key:    fmt.Sprintf("escalate:%s:%s", d.ID, r.ID),
					Kind:   NoticeDispute,
					LeadID: d.LeadID,
					To:     r.ID,
					Text:   d.ID.String(),
					At:     now,
				})
			}
		}
		n = len(notices)
		logs.add(
			"dispute escalated",
			slog.String("dispute_id", d.ID.String()),
			slog.Int("notices", n),
		)
		return tx.Enqueue(ctx, notices...)
	})
	return n, err
}

// NoteViewed records in the audit log that a lead or manager looked at
// the open disputes of a lead, so that the record shows who knew when.
func (s *Service) NoteViewed(ctx context.Context, lead LeadID, by RepID) error {
	open, err := s.store.Disputes(ctx, DisputeFilter{LeadID: lead, Status: DisputeOpen})
	if err != nil || len(open) == 0 {
		return err
	}
	now := s.now()
	return s.store.Update(ctx, func(tx Tx) error {
		var entries []AuditEntry
		for _, d := range open {
			entries = append(entries, AuditEntry{At: now, Actor: Actor(by), Action: "dispute.viewed",
				Subject: d.ID.String(), Detail: "lead " + lead.String()})
		}
		return tx.Audit(ctx, entries...)
	})
}
