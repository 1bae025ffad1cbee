package storage

import (
	"context"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// OutboxBacklog is what the outbox holds undelivered at one moment, for
// the operations metrics.
type OutboxBacklog struct {
	// Pending counts the notices neither sent nor given up, including
	// those held back until quiet hours end.
	Pending int64
	// Oldest is when the oldest notice was queued that is due now or has
	// been tried at least once: a notice that waits out quiet hours
	// untried is no backlog. Zero when there is none.
	Oldest time.Time
}

// OutboxBacklog counts the pending notices and finds the oldest one
// overdue. Both read the pending rows of idx_outbox_due, which a healthy
// sender keeps few; the rows sent or given up are never read.
func (s *Store) OutboxBacklog(ctx context.Context, now time.Time) (OutboxBacklog, error) {
	var b OutboxBacklog
	err := s.r.WithContext(ctx).Model(&outboxRow{}).
		Where("status = ?", outboxPending).
		Count(&b.Pending).
		Error
	if err != nil {
		return OutboxBacklog{}, wrapf(err, "count pending notices")
	}
	if b.Pending == 0 {
		return b, nil
	}
	var rows []outboxRow
	err = s.r.WithContext(ctx).
		Select("created_at").
		Where("status = ? AND (next_at <= ? OR attempts > 0)", outboxPending, dbTime(now)).
		Order("created_at").
		Limit(1).
		Find(&rows).
		Error
	if err != nil {
		return OutboxBacklog{}, wrapf(err, "find oldest pending notice")
	}
	if len(rows) == 1 {
		b.Oldest = rows[0].CreatedAt
	}
	return b, nil
}

// OldestUnchased returns the deadline of the assigned lead that is
// longest past it without its owner's overdue alert: now minus it is
// how far the deadline scan is behind. Zero when every lead past its
// deadline has been alerted. Each look-up reads the head of one range of
// idx_leads_chase (status, alert_tier, reminded, due_at).
func (s *Store) OldestUnchased(ctx context.Context, now time.Time) (time.Time, error) {
	var oldest time.Time
	for _, reminded := range []bool{false, true} {
		var rows []leadRow
		err := s.r.WithContext(ctx).
			Select("due_at").
			Where("status = ? AND alert_tier = 0 AND reminded = ? AND due_at <= ?",
				string(engine.StatusAssigned), reminded, dbTime(now)).
			Order("due_at").
			Limit(1).
			Find(&rows).
			Error
		if err != nil {
			return time.Time{}, wrapf(err, "find oldest unchased deadline")
		}
		if len(rows) == 1 && rows[0].DueAt != nil &&
			(oldest.IsZero() || rows[0].DueAt.Before(oldest)) {
			oldest = *rows[0].DueAt
		}
	}
	return oldest, nil
}
