package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/leadbot/leadbot/engine"
)

// reader implements engine.Reader on a connection pool or a transaction.
type reader struct{ db *gorm.DB }

func (r reader) Rep(ctx context.Context, id engine.RepID) (engine.Rep, error) {
	var row repRow
	err := r.db.WithContext(ctx).Where("id = ?", string(id)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return engine.Rep{}, &engine.Error{Kind: engine.NotFound, Code: "rep_not_found",
			Msg: fmt.Sprintf("no rep has id %q", id)}
	}
	if err != nil {
		return engine.Rep{}, wrapf(err, "load rep %s", id)
	}
	return row.toEngine(), nil
}

func (r reader) Reps(ctx context.Context) ([]engine.Rep, error) {
	var rows []repRow
	if err := r.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, wrapf(err, "list reps")
	}
	out := make([]engine.Rep, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (r reader) Lead(ctx context.Context, id engine.LeadID) (engine.Lead, error) {
	var row leadRow
	err := r.db.WithContext(ctx).Where("id = ?", int64(id)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return engine.Lead{}, &engine.Error{Kind: engine.NotFound, Code: "lead_not_found",
			Msg: fmt.Sprintf("no lead has id %s", id)}
	}
	if err != nil {
		return engine.Lead{}, wrapf(err, "load lead %s", id)
	}
	return row.toEngine(), nil
}

func (r reader) Leads(ctx context.Context, f engine.LeadFilter) ([]engine.Lead, error) {
	q := r.db.WithContext(ctx)
	if f.BestFirst {
		q = q.Order("tier").Order("score DESC")
	}
	q = q.Order("id")
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Assignee != "" {
		q = q.Where("assignee = ?", string(f.Assignee))
	}
	if f.AfterID > 0 {
		q = q.Where("id > ?", int64(f.AfterID))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []leadRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapf(err, "list leads")
	}
	out := make([]engine.Lead, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (r reader) LeadEvents(ctx context.Context, id engine.LeadID) ([]engine.LeadEvent, error) {
	var rows []leadEventRow
	err := r.db.WithContext(ctx).Where("lead_id = ?", int64(id)).Order("id").Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "load history of lead %s", id)
	}
	out := make([]engine.LeadEvent, len(rows))
	for i, row := range rows {
		out[i] = engine.LeadEvent{LeadID: id, At: row.At, Event: engine.Event(row.Event),
			Actor: engine.Actor(row.Actor), RepID: engine.RepID(row.RepID), Detail: row.Detail}
	}
	return out, nil
}

func (r reader) Ownerships(ctx context.Context, id engine.LeadID) ([]engine.Ownership, error) {
	var rows []ownershipRow
	err := r.db.WithContext(ctx).Where("lead_id = ?", int64(id)).Order("id").Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "load owners of lead %s", id)
	}
	out := make([]engine.Ownership, len(rows))
	for i, row := range rows {
		out[i] = engine.Ownership{
			LeadID:    id,
			RepID:     engine.RepID(row.RepID),
			How:       engine.Event(row.How),
			StartedAt: row.StartedAt,
			EndedAt:   row.EndedAt,
			EndReason: row.EndReason,
		}
	}
	return out, nil
}

func (r reader) Disputes(ctx context.Context, f engine.DisputeFilter) ([]engine.Dispute, error) {
	q := r.db.WithContext(ctx).Order("id DESC")
	if f.LeadID != 0 {
		q = q.Where("lead_id = ?", int64(f.LeadID))
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []disputeRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapf(err, "list disputes")
	}
	out := make([]engine.Dispute, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (r reader) Transfer(
	ctx context.Context,
	id engine.TransferID,
) (engine.TransferRequest, error) {
	var row transferRow
	err := r.db.WithContext(ctx).Where("id = ?", int64(id)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return engine.TransferRequest{}, &engine.Error{
			Kind: engine.NotFound,
			Code: "transfer_not_found",
			Msg:  fmt.Sprintf("no transfer request has id %s", id),
		}
	}
	if err != nil {
		return engine.TransferRequest{}, wrapf(err, "load transfer %s", id)
	}
	return row.toEngine(), nil
}

func (r reader) Deals(ctx context.Context, limit int) ([]engine.Deal, error) {
	var rows []dealRow
	if err := r.db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, wrapf(err, "load deal history")
	}
	out := make([]engine.Deal, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (r reader) RecentTierA(ctx context.Context, limit int) ([]engine.RepID, error) {
	var ids []string
	err := r.db.WithContext(ctx).Table("ownerships").Select("ownerships.rep_id").
		Joins("JOIN leads ON leads.id = ownerships.lead_id").
		Where("leads.tier = ?", string(engine.TierA)).
		Order("ownerships.id DESC").Limit(limit).Pluck("ownerships.rep_id", &ids).Error
	if err != nil {
		return nil, wrapf(err, "load recent tier A owners")
	}
	out := make([]engine.RepID, len(ids))
	for i, id := range ids {
		out[i] = engine.RepID(id)
	}
	return out, nil
}

func (r reader) Decisions(ctx context.Context, id engine.LeadID) ([]engine.Decision, error) {
	var rows []decisionRow
	if err := r.db.WithContext(ctx).
		Where("lead_id = ?", int64(id)).
		Order("id").
		Find(&rows).Error; err != nil {
		return nil, wrapf(err, "load decisions of lead %s", id)
	}
	out := make([]engine.Decision, len(rows))
	for i, row := range rows {
		out[i] = engine.Decision{
			Strategy:   row.Strategy,
			RepID:      engine.RepID(row.RepID),
			Reasons:    row.Reasons,
			Candidates: fromCandidateDocs(row.Candidates),
			At:         row.At,
			Experiment: row.Experiment,
			Arm:        engine.Arm(row.Arm),
			Inputs:     row.Inputs.toEngine(),
		}
	}
	return out, nil
}

func (r reader) CountEvents(
	ctx context.Context,
	rep engine.RepID,
	ev engine.Event,
	since time.Time,
) (int, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&leadEventRow{}).
		Where("rep_id = ? AND event = ? AND at >= ?", string(rep), string(ev), dbTime(since)).
		Count(&n).Error
	if err != nil {
		return 0, wrapf(err, "count %s events of rep %s", ev, rep)
	}
	return int(n), nil
}

// AuditEntries returns the audit lines of one action, oldest first.
func (s *Store) AuditEntries(ctx context.Context, action string) ([]engine.AuditEntry, error) {
	var rows []auditRow
	if err := s.r.WithContext(ctx).
		Where("action = ?", action).
		Order("id").
		Find(&rows).Error; err != nil {
		return nil, wrapf(err, "load audit lines %s", action)
	}
	out := make([]engine.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = engine.AuditEntry{At: r.At, Actor: engine.Actor(r.Actor), Action: r.Action,
			Subject: r.Subject, Detail: r.Detail}
	}
	return out, nil
}

func (r reader) DueLeads(ctx context.Context, by engine.DueBy, limit int) ([]engine.Lead, error) {
	// Every term is one range of idx_leads_chase (status, alert_tier,
	// reminded, due_at), so the scan reads only leads with a step due,
	// however many are overdue and already fully chased.
	var rows []leadRow
	db := r.db.WithContext(ctx).
		Where("status = ?", string(engine.StatusAssigned)).
		Where("(alert_tier = 0 AND reminded = ? AND due_at <= ?)"+
			" OR (alert_tier = 0 AND reminded = ? AND due_at <= ?)"+
			" OR (alert_tier = 1 AND reminded = ? AND due_at <= ?)"+
			" OR (alert_tier = 1 AND reminded = ? AND due_at <= ?)"+
			" OR (alert_tier = 2 AND reminded = ? AND due_at <= ?)"+
			" OR (alert_tier = 2 AND reminded = ? AND due_at <= ?)",
			false, dbTime(by.Remind), true, dbTime(by.Alert[0]),
			false, dbTime(by.Alert[1]), true, dbTime(by.Alert[1]),
			false, dbTime(by.Alert[2]), true, dbTime(by.Alert[2]))
	if !by.AfterDue.IsZero() {
		after := dbTime(by.AfterDue)
		db = db.Where("due_at > ? OR (due_at = ? AND id > ?)", after, after, int64(by.AfterID))
	}
	err := db.Order("due_at").Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list leads due")
	}
	out := make([]engine.Lead, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (r reader) LagCandidates(ctx context.Context, f engine.LagFilter) ([]engine.Lead, error) {
	var rows []leadRow
	after := dbTime(f.DueAfter)
	err := r.db.WithContext(ctx).
		Where("status = ? AND due_at >= ?", string(engine.StatusAssigned), after).
		Where("due_at > ? OR id > ?", after, int64(f.AfterID)).
		Where("alert_tier < ? AND progress <= ?", f.BelowTier, f.MaxProgress).
		Order("due_at").
		Order("id").
		Limit(f.Limit).
		Find(&rows).
		Error
	if err != nil {
		return nil, wrapf(err, "list held leads for the lag check")
	}
	out := make([]engine.Lead, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (r reader) Dispute(ctx context.Context, id engine.DisputeID) (engine.Dispute, error) {
	var row disputeRow
	err := r.db.WithContext(ctx).Where("id = ?", int64(id)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return engine.Dispute{}, &engine.Error{Kind: engine.NotFound, Code: "dispute_not_found",
			Msg: fmt.Sprintf("no dispute has id %s", id)}
	}
	if err != nil {
		return engine.Dispute{}, wrapf(err, "load dispute %s", id)
	}
	return row.toEngine(), nil
}

func (r reader) StaleLeads(
	ctx context.Context,
	by engine.StaleBy,
	limit int,
) ([]engine.Lead, error) {
	// The latest follow-up is touched_at, else held_since. Every term is
	// one range of idx_leads_idle (status, recycle_warned, touched_at,
	// held_since), so the scan reads only leads with a step due, not the
	// owners warned already who still have time.
	var rows []leadRow
	warn, recycle := dbTime(by.Warn), dbTime(by.Recycle)
	db := r.db.WithContext(ctx).Where("status = ?", string(engine.StatusAssigned)).
		Where("(recycle_warned = ? AND touched_at IS NULL AND held_since <= ?)"+
			" OR (recycle_warned = ? AND touched_at <= ?)"+
			" OR (recycle_warned = ? AND touched_at IS NULL AND held_since <= ?)"+
			" OR (recycle_warned = ? AND touched_at <= ?)",
			false, warn, false, warn, true, recycle, true, recycle)
	if by.AfterID > 0 {
		db = db.Where("id > ?", int64(by.AfterID))
	}
	err := db.Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list leads without follow-up")
	}
	out := make([]engine.Lead, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}
