package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/leadbot/leadbot/engine"
)

// milestoneRow is a sub-deadline of a lead. next_at is the time of its
// next chase, so the scheduler's scan reads only what is due.
type milestoneRow struct {
	ID     int64      `gorm:"primaryKey;autoIncrement"`
	LeadID int64      `gorm:"not null;uniqueIndex:idx_milestones_kind,priority:1"`
	Kind   string     `gorm:"size:32;not null;uniqueIndex:idx_milestones_kind,priority:2"`
	Date   time.Time  `gorm:"precision:3;not null"`
	DueAt  time.Time  `gorm:"precision:3;not null"`
	Moved  bool       `gorm:"not null;default:false"`
	Status string     `gorm:"size:16;not null;index:idx_milestones_due,priority:1"`
	Stage  int        `gorm:"not null;default:0"`
	NextAt *time.Time `gorm:"precision:3;index:idx_milestones_due,priority:2"`
	DoneAt *time.Time `gorm:"precision:3"`
	DoneBy string     `gorm:"size:64;not null;default:''"`
}

func (milestoneRow) TableName() string { return "milestones" }

func (r milestoneRow) toEngine() engine.Milestone {
	return engine.Milestone{ID: engine.MilestoneID(r.ID), LeadID: engine.LeadID(r.LeadID),
		Kind: engine.MilestoneKind(r.Kind), Date: r.Date.UTC(), DueAt: r.DueAt, Moved: r.Moved,
		Status: engine.MilestoneStatus(r.Status), Stage: r.Stage, NextAt: r.NextAt,
		DoneAt: r.DoneAt, DoneBy: engine.Actor(r.DoneBy)}
}

// migrateCadence runs migrate and, when it added the leads' cadence_at
// column, starts the cadence of the leads already held from their latest
// touch, once.
func migrateCadence(db *gorm.DB, migrate func(*gorm.DB) error) error {
	m := db.Migrator()
	fresh := m.HasTable(&leadRow{}) && !m.HasColumn(&leadRow{}, "CadenceAt")
	if err := migrate(db); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	return db.Model(&leadRow{}).
		Where("status = ? AND cadence_at IS NULL", string(engine.StatusAssigned)).
		Update("cadence_at", gorm.Expr("COALESCE(touched_at, held_since)")).Error
}

func (r reader) CadenceDue(
	ctx context.Context,
	before time.Time,
	limit int,
) ([]engine.Lead, error) {
	var rows []leadRow
	err := r.db.WithContext(ctx).
		Where("status = ? AND cadence_at <= ?", string(engine.StatusAssigned), dbTime(before)).
		Order("cadence_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list leads due a cadence look")
	}
	out := make([]engine.Lead, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (r reader) Milestones(ctx context.Context, id engine.LeadID) ([]engine.Milestone, error) {
	var rows []milestoneRow
	err := r.db.WithContext(ctx).Where("lead_id = ?", int64(id)).
		Order("date").Order("id").Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list milestones of lead %s", id)
	}
	return milestonesOf(rows), nil
}

func (r reader) DueMilestones(
	ctx context.Context,
	before time.Time,
	limit int,
) ([]engine.Milestone, error) {
	var rows []milestoneRow
	err := r.db.WithContext(ctx).
		Where("status = ? AND next_at <= ?", string(engine.MilestoneOpen), dbTime(before)).
		Order("next_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list milestones due")
	}
	return milestonesOf(rows), nil
}

func milestonesOf(rows []milestoneRow) []engine.Milestone {
	out := make([]engine.Milestone, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out
}

func (t *tx) AdvanceCadence(
	ctx context.Context,
	id engine.LeadID,
	from time.Time,
	next *time.Time,
) (bool, error) {
	res := t.db.WithContext(ctx).Model(&leadRow{}).
		Where("id = ? AND status = ? AND cadence_at = ?",
			int64(id), string(engine.StatusAssigned), dbTime(from)).
		Update("cadence_at", dbTimePtr(next))
	if res.Error != nil {
		return false, wrapf(res.Error, "move cadence of lead %s", id)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) SetTargetClose(
	ctx context.Context,
	id engine.LeadID,
	target *time.Time,
	at time.Time,
) (bool, error) {
	res := t.db.WithContext(ctx).Model(&leadRow{}).
		Where("id = ? AND status NOT IN ?", int64(id),
			[]string{string(engine.StatusWon), string(engine.StatusLost)}).
		Updates(map[string]any{"target_close_at": dbTimePtr(target), "updated_at": dbTime(at)})
	if res.Error != nil {
		return false, wrapf(res.Error, "set target close date of lead %s", id)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) SaveMilestones(ctx context.Context, ms []*engine.Milestone) error {
	for _, m := range ms {
		row := milestoneRow{ID: int64(m.ID), LeadID: int64(m.LeadID), Kind: string(m.Kind),
			Date: dbTime(m.Date), DueAt: dbTime(m.DueAt), Moved: m.Moved, Status: string(m.Status),
			Stage: m.Stage, NextAt: dbTimePtr(m.NextAt), DoneAt: dbTimePtr(m.DoneAt),
			DoneBy: string(m.DoneBy)}
		if m.ID != 0 {
			err := t.db.WithContext(ctx).Model(&milestoneRow{}).
				Where("id = ? AND status = ?", row.ID, string(engine.MilestoneOpen)).
				Updates(map[string]any{"date": row.Date, "due_at": row.DueAt, "moved": row.Moved,
					"stage": row.Stage, "next_at": row.NextAt}).Error
			if err != nil {
				return wrapf(err, "replan milestone %s of lead %s", m.ID, m.LeadID)
			}
			continue
		}
		err := t.db.WithContext(ctx).Create(&row).Error
		if isDuplicate(classify(err)) {
			return &engine.Error{Kind: engine.Conflict, Code: "milestone_exists",
				Msg: fmt.Sprintf("lead %s already has a %s milestone", m.LeadID, m.Kind)}
		}
		if err != nil {
			return wrapf(err, "plan milestone %s of lead %s", m.Kind, m.LeadID)
		}
		m.ID = engine.MilestoneID(row.ID)
	}
	return nil
}

func (t *tx) AdvanceMilestone(
	ctx context.Context,
	m engine.Milestone,
	stage int,
	next *time.Time,
) (bool, error) {
	res := t.db.WithContext(ctx).Model(&milestoneRow{}).
		Where("id = ? AND status = ? AND stage = ? AND due_at = ?",
			int64(m.ID), string(engine.MilestoneOpen), m.Stage, dbTime(m.DueAt)).
		Updates(map[string]any{"stage": stage, "next_at": dbTimePtr(next)})
	if res.Error != nil {
		return false, wrapf(res.Error, "mark milestone %s chased", m.ID)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) FinishMilestone(
	ctx context.Context,
	id engine.MilestoneID,
	by engine.Actor,
	at time.Time,
) (bool, error) {
	res := t.db.WithContext(ctx).Model(&milestoneRow{}).
		Where("id = ? AND status = ?", int64(id), string(engine.MilestoneOpen)).
		Updates(map[string]any{"status": string(engine.MilestoneDone), "done_at": dbTime(at),
			"done_by": string(by), "next_at": nil})
	if res.Error != nil {
		return false, wrapf(res.Error, "finish milestone %s", id)
	}
	return res.RowsAffected == 1, nil
}
