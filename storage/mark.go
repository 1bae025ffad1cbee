package storage

import (
	"context"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// markRow is how far a periodic scan got: the checkpoint last sent, or
// a rep's untouched-work episode last alerted. Moving it forward is the
// conditional write that lets one scan of many win.
type markRow struct {
	Name string    `gorm:"primaryKey;size:191"`
	At   time.Time `gorm:"precision:3;not null"`
}

func (markRow) TableName() string { return "scan_marks" }

// AdvanceMark moves an existing mark by a conditional update, and
// creates a missing one; of two scans creating the same mark at once,
// the second meets the first's row as a duplicate key and reports false.
func (t *tx) AdvanceMark(ctx context.Context, name string, at time.Time) (bool, error) {
	at = dbTime(at)
	res := t.db.WithContext(ctx).Model(&markRow{}).
		Where("name = ? AND at < ?", name, at).
		Update("at", at)
	if res.Error != nil {
		return false, wrapf(res.Error, "advance scan mark %s", name)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	var n int64
	err := t.db.WithContext(ctx).Model(&markRow{}).Where("name = ?", name).Count(&n).Error
	if err != nil {
		return false, wrapf(err, "read scan mark %s", name)
	}
	if n > 0 {
		return false, nil
	}
	err = t.db.WithContext(ctx).Create(&markRow{Name: name, At: at}).Error
	err = wrapf(err, "set scan mark %s", name)
	if isDuplicate(err) {
		return false, nil
	}
	return err == nil, err
}

func (r reader) ClosedLeads(
	ctx context.Context,
	since, until time.Time,
	afterID engine.LeadID,
	limit int,
) ([]engine.Lead, error) {
	var rows []leadRow
	err := r.db.WithContext(ctx).
		Where("closed_at >= ? AND closed_at < ?", dbTime(since), dbTime(until)).
		Where("id > ?", int64(afterID)).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list leads closed from %s", since.Format(time.RFC3339))
	}
	out := make([]engine.Lead, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}
