package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// TransferID identifies a request to hand a lead over. It is written
// "T3".
type TransferID int64

func (id TransferID) String() string { return "T" + strconv.FormatInt(int64(id), 10) }

// ParseTransferID reads a transfer id written "T3" or "3".
func ParseTransferID(s string) (TransferID, error) {
	id, err := parseID(s, "T", "transfer id")
	return TransferID(id), err
}

// TransferStatus is where a transfer request stands.
type TransferStatus string

// The transfer statuses.
const (
	TransferPending  TransferStatus = "pending"
	TransferApproved TransferStatus = "approved"
	TransferRejected TransferStatus = "rejected"
)

// TransferRequest is a rep's request to hand a lead to a colleague,
// waiting for a team lead's approval where policy asks for one.
type TransferRequest struct {
	ID          TransferID
	LeadID      LeadID
	From        RepID // the owner when asked
	To          RepID
	RequestedBy RepID
	Status      TransferStatus
	DecidedBy   RepID
	RequestedAt time.Time
	DecidedAt   *time.Time
}

// TransferResult is what became of a transfer: done, with the lead as it
// now stands, or waiting for approval.
type TransferResult struct {
	Lead    Lead
	Pending *TransferRequest
	// Approvers are whom a pending request went to.
	Approvers []Rep
}

// Transfer hands a held lead to another rep, who must have room. The
// owner, or a team lead or manager of the owner's team, may ask. Where
// policy wants approval, a rep's request waits for the team lead (or,
// in a team without one, its manager); a lead or manager transfers at
// once.
func (s *Service) Transfer(ctx context.Context, id LeadID, by, to RepID) (TransferResult, error) {
	now := s.now()
	var out TransferResult
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		out = TransferResult{}
		r, l, owner, err := actorHeld(ctx, tx, id, by)
		if err != nil {
			return err
		}
		recv, err := s.claimant(ctx, tx, to)
		if err != nil {
			return err
		}
		if recv.ID == owner.ID {
			return conflict("same_owner", "lead %s already belongs to %s", id, displayName(owner))
		}
		if s.policy.TransferApproval && r.Role == RoleRep {
			return s.requestTransfer(ctx, tx, l, owner, recv, r, now, &out, logs)
		}
		out.Lead, err = s.handOver(ctx, tx, l, owner, recv, by, now)
		if err != nil {
			return err
		}
		logs.add("lead transferred", slog.String("lead_id", id.String()),
			slog.String("from_rep_id", string(owner.ID)), slog.String("rep_id", string(to)))
		return nil
	})
	return out, err
}

func (s *Service) requestTransfer(
	ctx context.Context,
	tx Tx,
	l Lead,
	owner, to, by Rep,
	now time.Time,
	out *TransferResult,
	logs *logQueue,
) error {
	approvers, err := approversOf(ctx, tx, owner)
	if err != nil {
		return err
	}
	if len(approvers) == 0 {
		return conflict(
			"no_approver",
			"transfers need approval, and team %q has no lead or manager",
			owner.Team,
		)
	}
	req := TransferRequest{LeadID: l.ID, From: owner.ID, To: to.ID, RequestedBy: by.ID,
		Status: TransferPending, RequestedAt: now}
	if req.ID, err = tx.InsertTransfer(ctx, req); err != nil {
		return err
	}
	ev := LeadEvent{
		LeadID: l.ID,
		At:     now,
		Event:  EventTransferred,
		Actor:  Actor(by.ID),
		RepID:  owner.ID,
		Detail: s.policy.Lang.say(msgTransferAsked, req.ID, displayName(to)),
	}
	if err := tx.AppendEvents(ctx, ev); err != nil {
		return err
	}
	var notices []Notice
	for _, a := range approvers {
		notices = append(notices, Notice{
			Key:    noticeKey(NoticeTransfer, l.ID, a.ID, now),
			Kind:   NoticeTransfer,
			LeadID: l.ID,
			To:     a.ID,
			Text:   req.ID.String(),
			At:     now,
		})
	}
	out.Lead, out.Pending, out.Approvers = l, &req, approvers
	logs.add(
		"transfer requested",
		slog.String("lead_id", l.ID.String()),
		slog.String("rep_id", string(to.ID)),
	)
	return tx.Enqueue(ctx, notices...)
}

// approversOf returns the active team leads of the owner's team, or its
// managers where it has no lead.
func approversOf(ctx context.Context, tx Tx, owner Rep) ([]Rep, error) {
	reps, err := tx.Reps(ctx)
	if err != nil {
		return nil, err
	}
	pick := func(role Role) []Rep {
		var out []Rep
		for _, r := range reps {
			if r.Role == role && r.Active && r.Team != "" && r.Team == owner.Team {
				out = append(out, r)
			}
		}
		return out
	}
	if leads := pick(RoleLead); len(leads) > 0 {
		return leads, nil
	}
	return pick(RoleManager), nil
}

// DecideTransfer approves or rejects a pending transfer request. Only a
// team lead or manager of the owner's team may; the first decision wins
// and a second is Conflict. An approval hands the lead over at once, if
// the receiver still has room.
func (s *Service) DecideTransfer(
	ctx context.Context,
	id TransferID,
	by RepID,
	approve bool,
) (TransferRequest, error) {
	now := s.now()
	var out TransferRequest
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		r, err := actorRep(ctx, tx, by)
		if err != nil {
			return err
		}
		req, err := tx.Transfer(ctx, id)
		if err != nil {
			return err
		}
		owner, err := tx.Rep(ctx, req.From)
		if err != nil {
			return err
		}
		if r.Role == RoleRep || !mayManage(r, owner) {
			return &Error{Kind: Forbidden, Code: "not_approver",
				Msg: fmt.Sprintf("only a lead or manager of team %q may decide %s", owner.Team, id)}
		}
		status := TransferRejected
		if approve {
			status = TransferApproved
		}
		ok, err := tx.DecideTransfer(ctx, id, status, by, now)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("already_decided", "%s is already decided", id)
		}
		if err := s.applyTransfer(ctx, tx, req, owner, r, approve, now); err != nil {
			return err
		}
		out, err = tx.Transfer(ctx, id)
		logs.add("transfer decided", slog.String("transfer_id", id.String()),
			slog.String("lead_id", req.LeadID.String()), slog.Bool("approved", approve))
		return err
	})
	return out, err
}

func (s *Service) applyTransfer(
	ctx context.Context,
	tx Tx,
	req TransferRequest,
	owner, by Rep,
	approve bool,
	now time.Time,
) error {
	key := "transfer.rejected"
	if approve {
		key = "transfer.approved"
		l, err := tx.Lead(ctx, req.LeadID)
		if err != nil {
			return err
		}
		if l.Status != StatusAssigned || l.Assignee != owner.ID {
			return conflict(
				"transfer_stale",
				"lead %s is no longer held by %s",
				l.ID,
				displayName(owner),
			)
		}
		recv, err := s.claimant(ctx, tx, req.To)
		if err != nil {
			return err
		}
		if _, err := s.handOver(ctx, tx, l, owner, recv, by.ID, now); err != nil {
			return err
		}
	} else {
		ev := LeadEvent{
			LeadID: req.LeadID,
			At:     now,
			Event:  EventDecided,
			Actor:  Actor(by.ID),
			RepID:  owner.ID,
			Detail: s.policy.Lang.say(msgTransferRejected, req.ID),
		}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
	}
	to, err := tx.Rep(ctx, req.To)
	if err != nil {
		return err
	}
	told := Notice{Key: noticeKey(NoticeText, req.LeadID, req.RequestedBy, now), Kind: NoticeText,
		LeadID: req.LeadID, To: req.RequestedBy, Text: key,
		Args: map[string]string{"lead": req.LeadID.String(), "name": displayName(to)}, At: now}
	return tx.Enqueue(ctx, told, changedNotice(req.LeadID, now))
}
