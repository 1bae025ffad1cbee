package engine

import "context"

// CommittedDecision is a decision about a lead whose transaction has
// committed: what operators count when they watch routing.
type CommittedDecision struct {
	LeadID   LeadID
	Strategy string
	// RepID is the rep chosen, "" when nobody was.
	RepID RepID
	// Status is where the transaction left the lead: assigned, standby
	// or pool. It is "" only for a decision logged on a lead whose
	// status the transaction did not set.
	Status Status
}

// decisionTx is a transaction that remembers the decisions it logs and
// the statuses it gives leads, to report them once it has committed.
type decisionTx struct {
	Tx
	decisions []LoggedDecision
	status    map[LeadID]Status
}

func newDecisionTx(tx Tx) *decisionTx {
	return &decisionTx{Tx: tx, status: map[LeadID]Status{}}
}

func (t *decisionTx) InsertLeads(ctx context.Context, leads []*Lead) error {
	if err := t.Tx.InsertLeads(ctx, leads); err != nil {
		return err
	}
	for _, l := range leads {
		t.status[l.ID] = l.Status
	}
	return nil
}

func (t *decisionTx) TransitionLead(ctx context.Context, c LeadChange) (bool, error) {
	ok, err := t.Tx.TransitionLead(ctx, c)
	if ok && err == nil {
		t.status[c.ID] = c.To
	}
	return ok, err
}

func (t *decisionTx) AppendDecisions(ctx context.Context, ds ...LoggedDecision) error {
	if err := t.Tx.AppendDecisions(ctx, ds...); err != nil {
		return err
	}
	t.decisions = append(t.decisions, ds...)
	return nil
}

// committed returns the decisions logged, each with the status its
// lead was left in.
func (t *decisionTx) committed() []CommittedDecision {
	out := make([]CommittedDecision, len(t.decisions))
	for i, d := range t.decisions {
		out[i] = CommittedDecision{LeadID: d.LeadID, Strategy: d.Strategy, RepID: d.RepID,
			Status: t.status[d.LeadID]}
	}
	return out
}
