package storage

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leadbot/leadbot/engine"
)

// Outbox statuses.
const (
	outboxPending = "pending"
	outboxSent    = "sent"
	outboxFailed  = "failed"
)

func (t *tx) Enqueue(ctx context.Context, notices ...engine.Notice) error {
	if len(notices) == 0 {
		return nil
	}
	rows := make([]outboxRow, len(notices))
	for i, n := range notices {
		args := ""
		if len(n.Args) > 0 {
			b, err := json.Marshal(n.Args)
			if err != nil {
				return err
			}
			args = string(b)
		}
		at, next := dbTime(n.At), dbTime(n.At)
		if n.NotBefore.After(n.At) {
			next = dbTime(n.NotBefore)
		}
		rows[i] = outboxRow{
			Key:       n.Key,
			Kind:      string(n.Kind),
			LeadID:    int64(n.LeadID),
			RepID:     string(n.To),
			Text:      n.Text,
			Args:      args,
			Status:    outboxPending,
			NextAt:    next,
			CreatedAt: at,
		}
	}
	per := max(1, t.maxParams/14)
	err := t.db.WithContext(ctx).
		Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).
		CreateInBatches(rows, per).
		Error
	return wrapf(err, "enqueue %d notices", len(notices))
}

// ClaimNotices leases up to limit due notices to the caller for lease.
// Each notice is leased by a conditional update, so of several senders
// (replicas) exactly one gets it; a sender that dies loses its lease and
// another takes the notice over when it expires.
func (s *Store) ClaimNotices(
	ctx context.Context,
	now time.Time,
	lease time.Duration,
	limit int,
) ([]engine.OutboxItem, error) {
	now = dbTime(now)
	var rows []outboxRow
	err := s.w.WithContext(ctx).Where("status = ? AND next_at <= ?", outboxPending, now).
		Where("lease_until IS NULL OR lease_until < ?", now).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list due notices")
	}
	until := now.Add(lease)
	var out []engine.OutboxItem
	for _, r := range rows {
		res := s.w.WithContext(ctx).Model(&outboxRow{}).
			Where(
				"id = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)",
				r.ID,
				outboxPending,
				now,
			).
			Updates(map[string]any{
				"lease_until": until,
				"attempts":    gorm.Expr("attempts + 1"),
			})
		if res.Error != nil {
			return out, wrapf(res.Error, "lease notice %d", r.ID)
		}
		if res.RowsAffected == 1 {
			r.Attempts++
			out = append(out, r.toItem())
		}
	}
	return out, nil
}

func (r outboxRow) toItem() engine.OutboxItem {
	n := engine.Notice{Key: r.Key, Kind: engine.NoticeKind(r.Kind), LeadID: engine.LeadID(r.LeadID),
		To: engine.RepID(r.RepID), Text: r.Text, At: r.CreatedAt}
	if r.Args != "" {
		json.Unmarshal([]byte(r.Args), &n.Args)
	}
	return engine.OutboxItem{ID: r.ID, Attempts: r.Attempts, Notice: n}
}

// NoticeByKey returns the notice with key, or NotFound.
func (s *Store) NoticeByKey(ctx context.Context, key string) (engine.OutboxItem, error) {
	var row outboxRow
	err := s.r.WithContext(ctx).Where(map[string]any{"key": key}).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return engine.OutboxItem{}, &engine.Error{Kind: engine.NotFound, Code: "notice_not_found",
			Msg: "no notice has key " + key}
	}
	if err != nil {
		return engine.OutboxItem{}, wrapf(err, "load notice %s", key)
	}
	return row.toItem(), nil
}

// RecordDelivery notes that notice id reached a platform. Recording the
// same platform twice keeps the first.
func (s *Store) RecordDelivery(ctx context.Context, d engine.Delivery) error {
	row := deliveryRow{OutboxID: d.OutboxID, Platform: d.Platform, RepID: string(d.RepID),
		LeadID: int64(d.LeadID), Ref: d.Ref, At: dbTime(d.At)}
	err := s.w.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return wrapf(err, "record delivery of notice %d", d.OutboxID)
}

// Delivered returns the platforms a notice has reached.
func (s *Store) Delivered(ctx context.Context, id int64) (map[string]bool, error) {
	var platforms []string
	err := s.r.WithContext(ctx).
		Model(&deliveryRow{}).
		Where("outbox_id = ?", id).
		Pluck("platform", &platforms).
		Error
	if err != nil {
		return nil, wrapf(err, "load deliveries of notice %d", id)
	}
	out := make(map[string]bool, len(platforms))
	for _, p := range platforms {
		out[p] = true
	}
	return out, nil
}

// CompleteNotice marks a notice sent.
func (s *Store) CompleteNotice(ctx context.Context, id int64, at time.Time) error {
	err := s.w.WithContext(ctx).Model(&outboxRow{}).Where("id = ?", id).
		Updates(map[string]any{
			"status":       outboxSent,
			"completed_at": dbTime(at),
			"lease_until":  nil,
		}).
		Error
	return wrapf(err, "complete notice %d", id)
}

// RetryNotice releases a notice's lease and makes it due again at next.
// With final it is given up instead, and kept with its last error.
func (s *Store) RetryNotice(
	ctx context.Context,
	id int64,
	next time.Time,
	lastErr string,
	final bool,
) error {
	set := map[string]any{"lease_until": nil, "next_at": dbTime(next), "last_error": lastErr}
	if final {
		set["status"] = outboxFailed
		set["completed_at"] = dbTime(next)
	}
	err := s.w.WithContext(ctx).Model(&outboxRow{}).Where("id = ?", id).Updates(set).Error
	return wrapf(err, "reschedule notice %d", id)
}

// Deliveries returns what reached rep on platform after the delivery
// with id after, oldest first: the feed of a chat that keeps no history
// of its own, such as the console.
func (s *Store) Deliveries(
	ctx context.Context,
	platform string,
	rep engine.RepID,
	after int64,
	limit int,
) ([]engine.Delivery, error) {
	var rows []deliveryRow
	err := s.r.WithContext(ctx).
		Where("platform = ? AND rep_id = ? AND id > ?", platform, string(rep), after).
		Order("id").
		Limit(limit).
		Find(&rows).
		Error
	if err != nil {
		return nil, wrapf(err, "list deliveries to %s", rep)
	}
	return s.withNotices(ctx, rows)
}

// LeadDeliveries returns every delivery about a lead: where its cards
// are, to update them when it changes.
func (s *Store) LeadDeliveries(ctx context.Context, lead engine.LeadID) ([]engine.Delivery, error) {
	var rows []deliveryRow
	if err := s.r.WithContext(ctx).
		Where("lead_id = ?", int64(lead)).
		Order("id").
		Find(&rows).Error; err != nil {
		return nil, wrapf(err, "list deliveries of lead %s", lead)
	}
	return s.withNotices(ctx, rows)
}

// withNotices returns the deliveries with the notices they delivered.
func (s *Store) withNotices(ctx context.Context, rows []deliveryRow) ([]engine.Delivery, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.OutboxID
	}
	notices := make(map[int64]engine.Notice, len(rows))
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		var items []outboxRow
		if err := s.r.WithContext(ctx).Where("id IN ?", ids[:n]).Find(&items).Error; err != nil {
			return nil, wrapf(err, "load delivered notices")
		}
		for _, it := range items {
			notices[it.ID] = it.toItem().Notice
		}
		ids = ids[n:]
	}
	out := make([]engine.Delivery, len(rows))
	for i, r := range rows {
		out[i] = engine.Delivery{ID: r.ID, OutboxID: r.OutboxID, Platform: r.Platform,
			RepID: engine.RepID(r.RepID), LeadID: engine.LeadID(r.LeadID), Ref: r.Ref, At: r.At,
			Notice: notices[r.OutboxID]}
	}
	return out, nil
}

// AcquireLease makes holder the holder of the named lease until now+ttl,
// if nobody else holds it unexpired, and reports whether holder has it.
// A holder renews by acquiring again before it expires.
func (s *Store) AcquireLease(
	ctx context.Context,
	name, holder string,
	now time.Time,
	ttl time.Duration,
) (bool, error) {
	now = dbTime(now)
	until := now.Add(ttl)
	res := s.w.WithContext(ctx).Model(&leaseRow{}).
		Where("name = ? AND (holder = ? OR expires_at < ?)", name, holder, now).
		Updates(map[string]any{"holder": holder, "expires_at": until})
	if res.Error != nil {
		return false, wrapf(res.Error, "renew lease %s", name)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	err := classify(
		s.w.WithContext(ctx).Create(&leaseRow{Name: name, Holder: holder, ExpiresAt: until}).Error,
	)
	if isDuplicate(err) {
		return false, nil
	}
	return err == nil, wrapf(err, "take lease %s", name)
}

// ReleaseLease gives up the lease if holder has it, so that another
// process takes over at once rather than when it expires.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	err := s.w.WithContext(ctx).
		Where("name = ? AND holder = ?", name, holder).
		Delete(&leaseRow{}).
		Error
	return wrapf(err, "release lease %s", name)
}
