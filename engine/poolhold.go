package engine

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// holdRules are the limits on what a rep may take from the pool beyond
// capacity and the daily cap: at most MaxHeld claimed leads open at
// once, and no duplicate of an existing customer whom another rep holds
// within the protection period.
func (s *Service) holdRules(ctx context.Context, tx Tx, l Lead, r Rep, now time.Time) error {
	if limit := s.policy.MaxHeld; limit > 0 {
		// Only open holdings count: a claimed lead that was won, lost,
		// released or handed over no longer does.
		n, err := tx.CountHeld(ctx, r.ID, EventClaimed)
		if err != nil {
			return err
		}
		if n >= limit {
			return &Error{Kind: OverCapacity, Code: "held_limit", Field: "rep_id",
				Msg: fmt.Sprintf("rep %q holds %d open leads from claims, the most allowed at once",
					r.ID, n)}
		}
	}
	return s.checkProtected(ctx, tx, l, r, now)
}

// checkProtected refuses the claim of a pooled lead for a customer that
// another rep holds as an existing customer within the protection
// period: the same rule that settles ownership disputes, applied before
// the claim rather than after it. A lead of such a customer reaches the
// pool when its owner had no room as it came in.
func (s *Service) checkProtected(ctx context.Context, tx Tx, l Lead, r Rep, now time.Time) error {
	protect := s.policy.ProtectExisting
	if protect <= 0 {
		return nil
	}
	var phones []string
	if p := strings.TrimSpace(l.Contact.Phone); p != "" {
		phones = append(phones, p)
	}
	held, err := tx.HeldLeadsLike(ctx, []string{strings.TrimSpace(l.Company)}, phones)
	if err != nil {
		return err
	}
	for _, h := range held {
		if h.ID == l.ID || h.Assignee == "" || h.Assignee == r.ID || h.HeldSince == nil {
			continue
		}
		if h.CustomerType != CustomerExisting && l.CustomerType != CustomerExisting {
			continue
		}
		until := h.HeldSince.Add(protect)
		if now.Before(until) {
			return conflict("protected_customer",
				"lead %s is a customer of lead %s, which %s holds as an existing customer "+
					"protected until %s",
				l.ID, h.ID, h.Assignee, until.Format(time.RFC3339))
		}
	}
	return nil
}
