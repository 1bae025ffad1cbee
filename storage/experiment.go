package storage

import (
	"context"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// experimentRow is one decision of an experiment with its lead's outcome.
type experimentRow struct {
	LeadID       int64
	Arm          string
	Strategy     string
	RepID        string
	At           time.Time
	Status       string
	ClosedAt     *time.Time
	ClosedAmount *float64
}

// ExperimentLeads reads every decision of the experiment, joined with
// its lead, and folds them into one line per lead: the arm and strategy
// of the lead's first decision in the experiment and its first
// assignment to a rep.
func (r reader) ExperimentLeads(ctx context.Context, name string) ([]engine.ExperimentLead, error) {
	var rows []experimentRow
	err := r.db.WithContext(ctx).Table("decisions").
		Select("decisions.lead_id, decisions.arm, decisions.strategy, decisions.rep_id, "+
			"decisions.at, leads.status, leads.closed_at, leads.closed_amount").
		Joins("JOIN leads ON leads.id = decisions.lead_id").
		Where("decisions.experiment = ?", name).
		Order("decisions.lead_id, decisions.id").
		Scan(&rows).Error
	if err != nil {
		return nil, wrapf(err, "load decisions of experiment %q", name)
	}

	var out []engine.ExperimentLead
	for _, row := range rows {
		if n := len(out); n == 0 || out[n-1].LeadID != engine.LeadID(row.LeadID) {
			out = append(out, engine.ExperimentLead{
				LeadID:   engine.LeadID(row.LeadID),
				Arm:      engine.Arm(row.Arm),
				Strategy: row.Strategy,
				Status:   engine.Status(row.Status),
				ClosedAt: row.ClosedAt,
			})
			if row.Status == string(engine.StatusWon) {
				out[n].Amount = row.ClosedAmount
			}
		}
		l := &out[len(out)-1]
		if row.RepID != "" && l.AssignedAt == nil {
			at := row.At
			l.AssignedAt = &at
		}
	}
	return out, nil
}
