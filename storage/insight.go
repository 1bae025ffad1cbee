package storage

import (
	"context"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

var _ insight.Source = (*Store)(nil)

// insightPage is how many rows a stream of samples reads at a time; a
// variable so that tests can page through a few rows.
var insightPage = 500

// repliedKinds are the notices that ask their recipient, the lead's
// holder, to act on the lead.
var repliedKinds = []string{
	string(engine.NoticeAssigned),
	string(engine.NoticeReminder),
	string(engine.NoticeCadence),
	string(engine.NoticeMilestone),
}

// touchEvents are the holder's follow-ups.
var touchEvents = []string{string(engine.EventAccepted), string(engine.EventProgress)}

// TaskCounts counts the leads due in [from, to) per holder, in one
// grouped scan of the due_at index.
func (s *Store) TaskCounts(ctx context.Context, from, to time.Time) ([]insight.TaskCount, error) {
	var rows []struct {
		Assignee string
		Due      int
		OnTime   int
	}
	// A comparison with a NULL is unknown, so a lead counts as on time
	// only by a time it has.
	err := s.r.WithContext(ctx).Raw(
		"SELECT assignee, COUNT(*) AS due, SUM(CASE WHEN accepted_at <= due_at"+
			" OR touched_at <= due_at OR closed_at <= due_at THEN 1 ELSE 0 END) AS on_time"+
			" FROM leads WHERE due_at >= ? AND due_at < ? AND assignee IS NOT NULL"+
			" GROUP BY assignee",
		dbTime(from), dbTime(to),
	).Scan(&rows).Error
	if err != nil {
		return nil, wrapf(err, "count tasks due")
	}
	out := make([]insight.TaskCount, len(rows))
	for i, r := range rows {
		out[i] = insight.TaskCount{Rep: engine.RepID(r.Assignee), Due: r.Due, OnTime: r.OnTime}
	}
	return out, nil
}

// HeldCounts counts the assigned leads per holder in one grouped scan.
func (s *Store) HeldCounts(ctx context.Context, q insight.HeldQuery) ([]insight.HeldCount, error) {
	const anchor = "COALESCE(touched_at, held_since)"
	var args []any
	untouched := "0"
	if !q.UntouchedBefore.IsZero() {
		untouched = "CASE WHEN " + anchor + " < ? THEN 1 ELSE 0 END"
	}
	args = append(args, dbTime(q.StalledBefore))
	if !q.UntouchedBefore.IsZero() {
		args = append(args, dbTime(q.UntouchedBefore))
	}
	cadenced, cArgs := cadenceCase(q.Cadence, "1")
	behind, bArgs := cadenceCase(q.Cadence, "CASE WHEN "+anchor+" < ? THEN 1 ELSE 0 END")
	args = append(append(args, cArgs...), bArgs...)
	args = append(args, string(engine.StatusAssigned))

	var rows []struct {
		Assignee  string
		Held      int
		Stalled   int
		Untouched int
		Cadenced  int
		Behind    int
	}
	err := s.r.WithContext(ctx).Raw(
		"SELECT assignee, COUNT(*) AS held,"+
			" SUM(CASE WHEN "+anchor+" < ? THEN 1 ELSE 0 END) AS stalled,"+
			" SUM("+untouched+") AS untouched,"+
			" SUM("+cadenced+") AS cadenced, SUM("+behind+") AS behind"+
			" FROM leads WHERE status = ? AND assignee IS NOT NULL GROUP BY assignee",
		args...,
	).Scan(&rows).Error
	if err != nil {
		return nil, wrapf(err, "count held leads")
	}
	out := make([]insight.HeldCount, len(rows))
	for i, r := range rows {
		out[i] = insight.HeldCount{Rep: engine.RepID(r.Assignee), Held: r.Held,
			Stalled: r.Stalled, Untouched: r.Untouched, Cadenced: r.Cadenced, Behind: r.Behind}
	}
	return out, nil
}

// cadenceCase is a CASE expression that is then for a lead the first
// of rules matches, 0 for one none matches; a ? in then takes the
// rule's Before.
func cadenceCase(rules []insight.CadenceRule, then string) (string, []any) {
	if len(rules) == 0 {
		return "0", nil
	}
	var b strings.Builder
	var args []any
	b.WriteString("CASE")
	for _, r := range rules {
		b.WriteString(" WHEN tier = ?")
		args = append(args, string(r.Tier))
		if r.NewSince != nil {
			b.WriteString(" AND customer_type = ? AND held_since > ?")
			args = append(args, string(engine.CustomerNew), dbTime(*r.NewSince))
		}
		b.WriteString(" THEN " + then)
		if strings.Contains(then, "?") {
			args = append(args, dbTime(r.Before))
		}
	}
	b.WriteString(" ELSE 0 END")
	return b.String(), args
}

// KeyAccounts counts open tier A leads per holder through the queue
// index (status, tier).
func (s *Store) KeyAccounts(ctx context.Context) ([]insight.KeyAccountCount, error) {
	var rows []struct {
		Assignee *string
		N        int
	}
	err := s.r.WithContext(ctx).Raw(
		"SELECT assignee, COUNT(*) AS n FROM leads WHERE status IN (?, ?, ?) AND tier = ?"+
			" GROUP BY assignee",
		string(engine.StatusPool), string(engine.StatusStandby), string(engine.StatusAssigned),
		string(engine.TierA),
	).Scan(&rows).Error
	if err != nil {
		return nil, wrapf(err, "count open tier A leads")
	}
	out := make([]insight.KeyAccountCount, len(rows))
	for i, r := range rows {
		out[i] = insight.KeyAccountCount{Rep: engine.RepID(deref(r.Assignee)), Open: r.N}
	}
	return out, nil
}

// ClosedCounts counts the leads closed in [from, to) per holder and
// tier through the closed_at index.
func (s *Store) ClosedCounts(
	ctx context.Context,
	from, to time.Time,
) ([]insight.ClosedCount, error) {
	var rows []struct {
		Assignee  *string
		Tier      string
		Won       int
		Lost      int
		WonAmount float64
	}
	won, lost := string(engine.StatusWon), string(engine.StatusLost)
	err := s.r.WithContext(ctx).Raw(
		"SELECT assignee, tier,"+
			" SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS won,"+
			" SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS lost,"+
			" SUM(CASE WHEN status = ? THEN COALESCE(closed_amount, 0) ELSE 0 END) AS won_amount"+
			" FROM leads WHERE closed_at >= ? AND closed_at < ? GROUP BY assignee, tier",
		won, lost, won, dbTime(from), dbTime(to),
	).Scan(&rows).Error
	if err != nil {
		return nil, wrapf(err, "count closed leads")
	}
	out := make([]insight.ClosedCount, len(rows))
	for i, r := range rows {
		out[i] = insight.ClosedCount{Rep: engine.RepID(deref(r.Assignee)),
			Tier: engine.Tier(r.Tier), Won: r.Won, Lost: r.Lost, WonAmount: r.WonAmount}
	}
	return out, nil
}

// Holdings pages through the ownerships started in [from, to) by id,
// and reads each page's follow-ups by lead.
func (s *Store) Holdings(
	ctx context.Context,
	from, to time.Time,
	fn func(insight.Holding) error,
) error {
	var after int64
	for {
		var page []ownershipRow
		err := s.r.WithContext(ctx).
			Where("started_at >= ? AND started_at < ? AND id > ?", dbTime(from), dbTime(to), after).
			Order("id").Limit(insightPage).Find(&page).Error
		if err != nil {
			return wrapf(err, "list holdings started")
		}
		if len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].ID
		touches, err := s.leadEvents(ctx, page, "event IN ?", touchEvents)
		if err != nil {
			return err
		}
		for _, o := range page {
			h := insight.Holding{Rep: engine.RepID(o.RepID), Start: o.StartedAt}
			for _, e := range touches[o.LeadID] {
				in := !e.At.Before(o.StartedAt) && (o.EndedAt == nil || !e.At.After(*o.EndedAt))
				if e.RepID == o.RepID && in {
					at := e.At
					h.FirstTouch = &at
					break
				}
			}
			if err := fn(h); err != nil {
				return err
			}
		}
	}
}

// leadEvents reads, in order, the history lines matching cond of the
// leads in page, by lead.
func (s *Store) leadEvents(
	ctx context.Context,
	page []ownershipRow,
	cond string,
	args ...any,
) (map[int64][]leadEventRow, error) {
	ids := make([]int64, len(page))
	for i, o := range page {
		ids[i] = o.LeadID
	}
	return s.eventsOf(ctx, ids, cond, args...)
}

func (s *Store) eventsOf(
	ctx context.Context,
	ids []int64,
	cond string,
	args ...any,
) (map[int64][]leadEventRow, error) {
	var rows []leadEventRow
	err := s.r.WithContext(ctx).Where("lead_id IN ?", ids).Where(cond, args...).
		Order("at").Order("id").Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "load history of %d leads", len(ids))
	}
	out := map[int64][]leadEventRow{}
	for _, r := range rows {
		out[r.LeadID] = append(out[r.LeadID], r)
	}
	return out, nil
}

// Cycles pages through the leads closed in [from, to) by id, and reads
// each page's first assignments.
func (s *Store) Cycles(
	ctx context.Context,
	from, to time.Time,
	fn func(insight.Cycle) error,
) error {
	var after int64
	for {
		var page []leadRow
		err := s.r.WithContext(ctx).Select("id", "assignee", "closed_at").
			Where("closed_at >= ? AND closed_at < ? AND id > ?", dbTime(from), dbTime(to), after).
			Order("id").Limit(insightPage).Find(&page).Error
		if err != nil {
			return wrapf(err, "list leads closed")
		}
		if len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].ID
		ids := make([]int64, len(page))
		for i, l := range page {
			ids[i] = l.ID
		}
		var owners []ownershipRow
		err = s.r.WithContext(ctx).Where("lead_id IN ?", ids).Find(&owners).Error
		if err != nil {
			return wrapf(err, "load owners of %d closed leads", len(ids))
		}
		first := map[int64]time.Time{}
		for _, o := range owners {
			if t, ok := first[o.LeadID]; !ok || o.StartedAt.Before(t) {
				first[o.LeadID] = o.StartedAt
			}
		}
		for _, l := range page {
			start, ok := first[l.ID]
			if !ok || l.ClosedAt == nil {
				continue
			}
			c := insight.Cycle{Rep: engine.RepID(deref(l.Assignee)), AssignedAt: start,
				ClosedAt: *l.ClosedAt}
			if err := fn(c); err != nil {
				return err
			}
		}
	}
}

// Replies pages through the first deliveries of the notices that ask
// a holder to act, by id, and reads each page's later history.
func (s *Store) Replies(
	ctx context.Context,
	from, to time.Time,
	fn func(insight.Reply) error,
) error {
	var after int64
	for {
		var page []deliveryRow
		err := s.r.WithContext(ctx).Table("deliveries").Select("deliveries.*").
			Joins("JOIN outbox ON outbox.id = deliveries.outbox_id").
			Where("deliveries.at >= ? AND deliveries.at < ? AND deliveries.id > ?",
				dbTime(from), dbTime(to), after).
			Where("deliveries.lead_id <> 0 AND deliveries.rep_id <> '' AND outbox.kind IN ?",
				repliedKinds).
			// One notice reaches several platforms; the first counts.
			Where("NOT EXISTS (SELECT 1 FROM deliveries d2" +
				" WHERE d2.outbox_id = deliveries.outbox_id AND d2.id < deliveries.id)").
			Order("deliveries.id").Limit(insightPage).Scan(&page).Error
		if err != nil {
			return wrapf(err, "list notices delivered")
		}
		if len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].ID
		ids := make([]int64, len(page))
		since := page[0].At
		for i, d := range page {
			ids[i] = d.LeadID
			if d.At.Before(since) {
				since = d.At
			}
		}
		acts, err := s.eventsOf(ctx, ids, "at >= ?", dbTime(since))
		if err != nil {
			return err
		}
		for _, d := range page {
			x := insight.Reply{Rep: engine.RepID(d.RepID), SentAt: d.At}
			for _, e := range acts[d.LeadID] {
				if e.Actor == d.RepID && !e.At.Before(d.At) {
					at := e.At
					x.ActedAt = &at
					break
				}
			}
			if err := fn(x); err != nil {
				return err
			}
		}
	}
}

// Actions pages through the history lines of [from, to) whose actor is
// a rep, by id.
func (s *Store) Actions(
	ctx context.Context,
	from, to time.Time,
	fn func(insight.Action) error,
) error {
	var after int64
	for {
		var page []leadEventRow
		err := s.r.WithContext(ctx).Select("lead_events.id", "lead_events.actor", "lead_events.at").
			Joins("JOIN reps ON reps.id = lead_events.actor").
			Where("lead_events.at >= ? AND lead_events.at < ? AND lead_events.id > ?",
				dbTime(from), dbTime(to), after).
			Order("lead_events.id").Limit(insightPage).Find(&page).Error
		if err != nil {
			return wrapf(err, "list reps' actions")
		}
		if len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].ID
		for _, e := range page {
			if err := fn(insight.Action{Rep: engine.RepID(e.Actor), At: e.At}); err != nil {
				return err
			}
		}
	}
}

var _ insight.Exporter = (*Store)(nil)

// ExportTasks pages through the held or closed leads due in [from, to)
// on the due_at index, by deadline then id.
func (s *Store) ExportTasks(
	ctx context.Context,
	from, to time.Time,
	fn func(insight.TaskLine) error,
) error {
	last, after := dbTime(from), int64(0)
	for {
		var page []leadRow
		err := s.r.WithContext(ctx).
			Where("due_at >= ? AND due_at < ? AND assignee IS NOT NULL", dbTime(from), dbTime(to)).
			Where("due_at > ? OR (due_at = ? AND id > ?)", last, last, after).
			Order("due_at").Order("id").Limit(insightPage).Find(&page).Error
		if err != nil {
			return wrapf(err, "list tasks due")
		}
		if len(page) == 0 {
			return nil
		}
		end := page[len(page)-1]
		last, after = *end.DueAt, end.ID
		for _, row := range page {
			l := row.toEngine()
			t := insight.TaskLine{Lead: l, Assignee: l.Assignee, DueAt: *l.DueAt,
				AcceptedAt: l.AcceptedAt, TouchedAt: l.TouchedAt, ClosedAt: l.ClosedAt,
				ClosedAmount: l.ClosedAmount}
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

// ExportDecisions pages through the decisions made in [from, to) by id,
// with their leads' companies.
func (s *Store) ExportDecisions(
	ctx context.Context,
	from, to time.Time,
	fn func(insight.DecisionLine) error,
) error {
	var after int64
	for {
		var page []decisionRow
		err := s.r.WithContext(ctx).
			Where("at >= ? AND at < ? AND id > ?", dbTime(from), dbTime(to), after).
			Order("id").Limit(insightPage).Find(&page).Error
		if err != nil {
			return wrapf(err, "list decisions")
		}
		if len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].ID
		ids := make([]int64, len(page))
		for i, d := range page {
			ids[i] = d.LeadID
		}
		var leads []leadRow
		err = s.r.WithContext(ctx).Select("id", "company").Where("id IN ?", ids).Find(&leads).Error
		if err != nil {
			return wrapf(err, "load companies of %d leads", len(ids))
		}
		company := make(map[int64]string, len(leads))
		for _, l := range leads {
			company[l.ID] = l.Company
		}
		for _, row := range page {
			d := insight.DecisionLine{ID: row.ID, LeadID: engine.LeadID(row.LeadID),
				Company: company[row.LeadID], Decision: engine.Decision{
					Strategy: row.Strategy, RepID: engine.RepID(row.RepID), Reasons: row.Reasons,
					Candidates: fromCandidateDocs(row.Candidates), At: row.At,
					Experiment: row.Experiment, Arm: engine.Arm(row.Arm),
					Inputs: row.Inputs.toEngine()}}
			if err := fn(d); err != nil {
				return err
			}
		}
	}
}
