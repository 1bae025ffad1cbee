package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/leadbot/leadbot/engine"
)

// targetRow is one version of a team's or a rep's target. Rows are only
// ever added: a change is a new row, so the table is the history.
type targetRow struct {
	ID     int64     `gorm:"primaryKey;autoIncrement"`
	Team   string    `gorm:"size:64;not null;default:'';index"`
	RepID  string    `gorm:"size:64;not null;default:'';index"`
	Period string    `gorm:"size:16;not null"`
	Metric string    `gorm:"size:32;not null"`
	Amount int64     `gorm:"not null"`
	Split  string    `gorm:"size:16;not null;default:''"`
	FromAt time.Time `gorm:"precision:3;not null"`
	SetBy  string    `gorm:"size:64;not null"`
	SetAt  time.Time `gorm:"precision:3;not null"`
}

func (targetRow) TableName() string { return "targets" }

func (r targetRow) toEngine() engine.Target {
	return engine.Target{ID: engine.TargetID(r.ID), Team: r.Team, Rep: engine.RepID(r.RepID),
		Period: engine.PeriodKind(r.Period), Metric: engine.Metric(r.Metric), Amount: r.Amount,
		Split: engine.TargetSplit(r.Split), From: r.FromAt, SetBy: engine.RepID(r.SetBy),
		SetAt: r.SetAt}
}

func (t *tx) InsertTarget(ctx context.Context, g engine.Target) (engine.TargetID, error) {
	row := targetRow{Team: g.Team, RepID: string(g.Rep), Period: string(g.Period),
		Metric: string(g.Metric), Amount: g.Amount, Split: string(g.Split),
		FromAt: dbTime(g.From), SetBy: string(g.SetBy), SetAt: dbTime(g.SetAt)}
	if err := t.db.WithContext(ctx).Create(&row).Error; err != nil {
		return 0, wrapf(err, "store target of %s%s", g.Team, g.Rep)
	}
	return engine.TargetID(row.ID), nil
}

func (r reader) Targets(ctx context.Context, f engine.TargetFilter) ([]engine.Target, error) {
	q := r.db.WithContext(ctx)
	switch {
	case len(f.Teams) > 0 && len(f.Reps) > 0:
		q = q.Where("team IN ? OR rep_id IN ?", f.Teams, repStrings(f.Reps))
	case len(f.Teams) > 0:
		q = q.Where("team IN ?", f.Teams)
	case len(f.Reps) > 0:
		q = q.Where("rep_id IN ?", repStrings(f.Reps))
	}
	var rows []targetRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, wrapf(err, "list targets")
	}
	out := make([]engine.Target, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func repStrings(ids []engine.RepID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// WorkDone aggregates in SQL, a batch of reps at a time. Touches and
// claims read lead_events through its (rep_id, event) index; wins and
// revenue read the deals of our own leads through their rep_id index.
func (r reader) WorkDone(
	ctx context.Context,
	q engine.WorkQuery,
) (map[engine.RepID]float64, error) {
	out := map[engine.RepID]float64{}
	ids := repStrings(q.Reps)
	for start := 0; start < len(ids); start += batchSize {
		batch := ids[start:min(start+batchSize, len(ids))]
		var rows []struct {
			RepID string
			Done  float64
		}
		err := r.workQuery(ctx, q, batch).Scan(&rows).Error
		if err != nil {
			return nil, wrapf(err, "count %s of %d reps", q.Metric, len(batch))
		}
		for _, row := range rows {
			out[engine.RepID(row.RepID)] = row.Done
		}
	}
	return out, nil
}

func (r reader) workQuery(ctx context.Context, q engine.WorkQuery, reps []string) *gorm.DB {
	since, until := dbTime(q.Since), dbTime(q.Until)
	db := r.db.WithContext(ctx)
	touches := []string{string(engine.EventAccepted), string(engine.EventProgress)}
	switch q.Metric {
	case engine.MetricWon, engine.MetricRevenue:
		sel := "rep_id, COUNT(*) AS done"
		if q.Metric == engine.MetricRevenue {
			sel = "rep_id, COALESCE(SUM(amount), 0) AS done"
		}
		return db.Model(&dealRow{}).Select(sel).
			Where("rep_id IN ? AND outcome = ? AND lead_id IS NOT NULL", reps, string(engine.Won)).
			Where("closed_at >= ? AND closed_at < ?", since, until).
			Group("rep_id")
	case engine.MetricExistingReviews:
		return db.Table("lead_events AS e").Select("e.rep_id AS rep_id, COUNT(*) AS done").
			Joins("JOIN leads AS l ON l.id = e.lead_id").
			Where("e.rep_id IN ? AND e.event IN ?", reps, touches).
			Where("e.at >= ? AND e.at < ?", since, until).
			Where("l.customer_type = ?", string(engine.CustomerExisting)).
			Group("e.rep_id")
	}
	events := touches
	if q.Metric == engine.MetricClaimed {
		events = []string{string(engine.EventClaimed)}
	}
	return db.Model(&leadEventRow{}).Select("rep_id, COUNT(*) AS done").
		Where("rep_id IN ? AND event IN ?", reps, events).
		Where("at >= ? AND at < ?", since, until).
		Group("rep_id")
}
