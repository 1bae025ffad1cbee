package storage

import (
	"context"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// collaboratorRow is one rep working on a lead beside its owner, from
// joining until release. Rows are ended, never deleted.
type collaboratorRow struct {
	ID        int64      `gorm:"primaryKey;autoIncrement"`
	LeadID    int64      `gorm:"not null;index:idx_collaborators_lead"`
	RepID     string     `gorm:"size:64;not null;index:idx_collaborators_live,priority:2"`
	Role      string     `gorm:"size:16;not null"`
	Rule      string     `gorm:"size:64;not null;default:''"`
	Reason    string     `gorm:"type:text"`
	StartedAt time.Time  `gorm:"precision:3;not null"`
	EndsAt    *time.Time `gorm:"precision:3;index"`
	EndedAt   *time.Time `gorm:"precision:3;index:idx_collaborators_live,priority:1"`
	EndReason string     `gorm:"size:64;not null;default:''"`
}

func (collaboratorRow) TableName() string { return "collaborators" }

func (r collaboratorRow) toEngine() engine.Collaborator {
	return engine.Collaborator{
		LeadID:    engine.LeadID(r.LeadID),
		RepID:     engine.RepID(r.RepID),
		Role:      engine.CollaboratorRole(r.Role),
		Rule:      r.Rule,
		Reason:    r.Reason,
		StartedAt: r.StartedAt,
		EndsAt:    r.EndsAt,
		EndedAt:   r.EndedAt,
		EndReason: r.EndReason,
	}
}

func collaborators(rows []collaboratorRow) []engine.Collaborator {
	out := make([]engine.Collaborator, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out
}

func (r reader) Collaborators(
	ctx context.Context,
	id engine.LeadID,
) ([]engine.Collaborator, error) {
	var rows []collaboratorRow
	err := r.db.WithContext(ctx).Where("lead_id = ?", int64(id)).Order("id").Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "load collaborators of lead %s", id)
	}
	return collaborators(rows), nil
}

func (r reader) LiveCollaborations(ctx context.Context) (map[engine.RepID]int, error) {
	var rows []struct {
		RepID string
		N     int
	}
	err := r.db.WithContext(ctx).Model(&collaboratorRow{}).Select("rep_id, COUNT(*) AS n").
		Where("ended_at IS NULL").Group("rep_id").Scan(&rows).Error
	if err != nil {
		return nil, wrapf(err, "count live collaborations")
	}
	out := make(map[engine.RepID]int, len(rows))
	for _, row := range rows {
		out[engine.RepID(row.RepID)] = row.N
	}
	return out, nil
}

func (r reader) LapsedCollaborations(
	ctx context.Context,
	before time.Time,
	limit int,
) ([]engine.Collaborator, error) {
	var rows []collaboratorRow
	err := r.db.WithContext(ctx).
		Where("ended_at IS NULL AND ends_at IS NOT NULL AND ends_at <= ?", dbTime(before)).
		Order("ends_at").Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list lapsed collaborations")
	}
	return collaborators(rows), nil
}

func (t *tx) StartCollaborations(ctx context.Context, cs ...engine.Collaborator) error {
	if len(cs) == 0 {
		return nil
	}
	rows := make([]collaboratorRow, len(cs))
	for i, c := range cs {
		rows[i] = collaboratorRow{LeadID: int64(c.LeadID), RepID: string(c.RepID),
			Role: string(c.Role), Rule: c.Rule, Reason: c.Reason,
			StartedAt: dbTime(c.StartedAt), EndsAt: dbTimePtr(c.EndsAt)}
	}
	return wrapf(t.insert(ctx, rows), "record collaborators")
}

// EndCollaborations ends each selected row by a conditional update of
// its own, so that of two transactions ending the same row only one
// reports it.
func (t *tx) EndCollaborations(
	ctx context.Context,
	e engine.CollaborationEnd,
) ([]engine.Collaborator, error) {
	q := t.db.WithContext(ctx).Where("lead_id = ? AND ended_at IS NULL", int64(e.LeadID))
	if e.DueBy != nil {
		q = q.Where("ends_at IS NOT NULL AND ends_at <= ?", dbTime(*e.DueBy))
	}
	var rows []collaboratorRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, wrapf(err, "load live collaborators of lead %s", e.LeadID)
	}
	at := dbTime(e.At)
	var out []engine.Collaborator
	for _, row := range rows {
		res := t.db.WithContext(ctx).Model(&collaboratorRow{}).
			Where("id = ? AND ended_at IS NULL", row.ID).
			Updates(map[string]any{"ended_at": at, "end_reason": e.Reason})
		if res.Error != nil {
			return nil, wrapf(res.Error, "end collaborators of lead %s", e.LeadID)
		}
		if res.RowsAffected == 1 {
			row.EndedAt, row.EndReason = &at, e.Reason
			out = append(out, row.toEngine())
		}
	}
	return out, nil
}
