package storage

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leadbot/leadbot/engine"
)

// tx implements engine.Tx on one gorm transaction.
type tx struct {
	reader
	db *gorm.DB
	// maxParams bounds the bound parameters of one INSERT.
	maxParams int
}

var _ engine.Tx = (*tx)(nil)

// batchSize bounds the ids of one IN list.
const batchSize = 500

// insert writes a slice of rows in as many statements as the parameter
// bound asks.
func (t *tx) insert(ctx context.Context, rows any) error {
	v := reflect.ValueOf(rows)
	cols := v.Type().Elem().NumField()
	per := max(1, min(v.Len(), t.maxParams/cols))
	return t.db.WithContext(ctx).CreateInBatches(rows, per).Error
}

func (t *tx) LeadIDsByExternalID(
	ctx context.Context,
	ids []string,
) (map[string]engine.LeadID, error) {
	out := make(map[string]engine.LeadID)
	for chunk := range chunks(ids) {
		var rows []leadRow
		err := t.db.WithContext(ctx).Select("id", "external_id").
			Where("external_id IN ?", chunk).Find(&rows).Error
		if err != nil {
			return nil, wrapf(err, "look up external ids")
		}
		for _, r := range rows {
			out[r.ExternalID] = engine.LeadID(r.ID)
		}
	}
	return out, nil
}

func (t *tx) DealExternalIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	for chunk := range chunks(ids) {
		var got []string
		err := t.db.WithContext(ctx).Model(&dealRow{}).
			Where("external_id IN ?", chunk).Pluck("external_id", &got).Error
		if err != nil {
			return nil, wrapf(err, "look up deal external ids")
		}
		for _, id := range got {
			out[id] = true
		}
	}
	return out, nil
}

func chunks(ids []string) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(ids) > 0 {
			n := min(len(ids), batchSize)
			if !yield(ids[:n]) {
				return
			}
			ids = ids[n:]
		}
	}
}

func (t *tx) PutRep(ctx context.Context, r engine.Rep) (engine.Rep, error) {
	row := toRepRow(r)
	_, err := t.Rep(ctx, r.ID)
	switch {
	case err == nil:
		err = t.replaceRep(ctx, row)
	case engine.KindOf(err) == engine.NotFound:
		err = t.db.WithContext(ctx).Create(&row).Error
		if isDuplicate(classify(err)) {
			if _, lookErr := t.Rep(ctx, r.ID); lookErr == nil {
				// Created by a concurrent request meanwhile: run again,
				// and this time replace it.
				return engine.Rep{}, &transientError{err}
			}
		}
	default:
		return engine.Rep{}, err
	}
	if isDuplicate(classify(err)) {
		return engine.Rep{}, &engine.Error{
			Kind: engine.Conflict,
			Code: "chat_user_taken",
			Msg: fmt.Sprintf(
				"another rep already has the wecom_userid or dingtalk_userid of rep %q",
				r.ID,
			),
		}
	}
	if err != nil {
		return engine.Rep{}, wrapf(err, "save rep %s", r.ID)
	}
	return t.Rep(ctx, r.ID)
}

// replaceRep overwrites a rep's profile. The load counters and the
// creation time belong to Leadbot and survive a replace. (An upsert would
// be shorter, but MySQL's ON DUPLICATE KEY fires on any unique key, so a
// taken chat user id would overwrite the other rep.)
func (t *tx) replaceRep(ctx context.Context, row repRow) error {
	return t.db.WithContext(ctx).Model(&repRow{}).Where("id = ?", row.ID).
		Select("name", "team", "role", "level", "capacity", "industries", "regions", "timezone",
			"wecom_userid", "dingtalk_userid", "active", "language", "away", "skills",
			"updated_at").
		Updates(&row).Error
}

func (t *tx) InsertLeads(ctx context.Context, leads []*engine.Lead) error {
	if len(leads) == 0 {
		return nil
	}
	rows := make([]leadRow, len(leads))
	for i, l := range leads {
		rows[i] = toLeadRow(*l)
	}
	err := t.insert(ctx, rows)
	if isDuplicate(classify(err)) {
		return &engine.Error{Kind: engine.Conflict, Code: "duplicate_external_id",
			Msg: "a lead with this external id was stored meanwhile"}
	}
	if err != nil {
		return wrapf(err, "insert %d leads", len(leads))
	}
	for i := range leads {
		leads[i].ID = engine.LeadID(rows[i].ID)
	}
	return nil
}

func (t *tx) TransitionLead(ctx context.Context, c engine.LeadChange) (bool, error) {
	at := dbTime(c.At)
	set := map[string]any{
		"status":     string(c.To),
		"assignee":   optString(string(c.Assignee)),
		"due_at":     dbTimePtr(c.DueAt),
		"updated_at": at,
	}
	if c.Decision != nil {
		set["decision"] = toDecisionDoc(c.Decision)
	}
	if c.To.Closed() {
		set["closed_at"] = at
		set["closed_amount"] = c.ClosedAmount
	}
	if c.NewHolder {
		set["progress"], set["accepted_at"], set["touched_at"] = 0, nil, nil
		set["reminded"], set["alert_tier"], set["recycle_warned"] = false, 0, false
		set["held_since"], set["cadence_at"], set["extended_at"] = nil, nil, nil
		if c.To == engine.StatusAssigned {
			set["held_since"], set["cadence_at"] = at, at
		}
	}
	if c.NewDeadline {
		set["reminded"], set["alert_tier"], set["extended_at"] = false, 0, at
	}
	q := t.db.WithContext(ctx).
		Model(&leadRow{}).
		Where("id = ? AND status = ?", int64(c.ID), string(c.From))
	if c.FromAssignee != "" {
		q = q.Where("assignee = ?", string(c.FromAssignee))
	}
	res := q.Updates(set)
	if res.Error != nil {
		return false, wrapf(res.Error, "move lead %s from %s to %s", c.ID, c.From, c.To)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) TouchLead(ctx context.Context, lt engine.LeadTouch) (bool, error) {
	at := dbTime(lt.At)
	set := map[string]any{"touched_at": at, "updated_at": at, "recycle_warned": false,
		"cadence_at": at}
	q := t.db.WithContext(ctx).Model(&leadRow{}).
		Where(
			"id = ? AND status = ? AND assignee = ?",
			int64(lt.ID),
			string(engine.StatusAssigned),
			string(lt.Owner),
		)
	if lt.Accept {
		set["accepted_at"] = at
		q = q.Where("accepted_at IS NULL")
	}
	if lt.Progress != nil {
		set["progress"] = *lt.Progress
	}
	res := q.Updates(set)
	if res.Error != nil {
		return false, wrapf(res.Error, "record follow-up on lead %s", lt.ID)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) ReserveCapacity(ctx context.Context, id engine.RepID, at time.Time) (bool, error) {
	res := t.db.WithContext(ctx).Model(&repRow{}).
		Where("id = ? AND active = ? AND open_tasks < capacity", string(id), true).
		Updates(map[string]any{
			"open_tasks":       gorm.Expr("open_tasks + 1"),
			"last_assigned_at": dbTime(at),
		})
	if res.Error != nil {
		return false, wrapf(res.Error, "reserve capacity of rep %s", id)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) ReleaseCapacity(ctx context.Context, id engine.RepID) error {
	err := t.db.WithContext(ctx).Model(&repRow{}).
		Where("id = ? AND open_tasks > 0", string(id)).
		Update("open_tasks", gorm.Expr("open_tasks - 1")).Error
	return wrapf(err, "release capacity of rep %s", id)
}

func (t *tx) StandbyLeads(ctx context.Context, limit int) ([]engine.Lead, error) {
	var rows []leadRow
	err := t.db.WithContext(ctx).Where("status = ?", string(engine.StatusStandby)).
		Order("tier").Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "list standby leads")
	}
	out := make([]engine.Lead, len(rows))
	for i, row := range rows {
		out[i] = row.toEngine()
	}
	return out, nil
}

func (t *tx) StartOwnerships(ctx context.Context, os ...engine.Ownership) error {
	if len(os) == 0 {
		return nil
	}
	rows := make([]ownershipRow, len(os))
	for i, o := range os {
		rows[i] = ownershipRow{LeadID: int64(o.LeadID), RepID: string(o.RepID), How: string(o.How),
			StartedAt: dbTime(o.StartedAt)}
	}
	return wrapf(t.insert(ctx, rows), "record lead owners")
}

func (t *tx) EndOwnership(
	ctx context.Context,
	id engine.LeadID,
	at time.Time,
	reason string,
) error {
	err := t.db.WithContext(ctx).Model(&ownershipRow{}).
		Where("lead_id = ? AND ended_at IS NULL", int64(id)).
		Updates(map[string]any{"ended_at": dbTime(at), "end_reason": reason}).Error
	return wrapf(err, "end ownership of lead %s", id)
}

func (t *tx) AppendEvents(ctx context.Context, events ...engine.LeadEvent) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]leadEventRow, len(events))
	for i, e := range events {
		rows[i] = leadEventRow{LeadID: int64(e.LeadID), At: dbTime(e.At), Event: string(e.Event),
			Actor: string(e.Actor), RepID: string(e.RepID), Detail: e.Detail}
	}
	return wrapf(t.insert(ctx, rows), "append lead history")
}

func (t *tx) AppendDecisions(ctx context.Context, ds ...engine.LoggedDecision) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]decisionRow, len(ds))
	for i, d := range ds {
		rows[i] = decisionRow{LeadID: int64(d.LeadID), At: dbTime(d.At), Strategy: d.Strategy,
			RepID: string(d.RepID), Reasons: d.Reasons, Candidates: toCandidateDocs(d.Candidates),
			Experiment: d.Experiment, Arm: string(d.Arm), Inputs: toInputsDoc(d.Inputs)}
	}
	return wrapf(t.insert(ctx, rows), "log decisions")
}

func (t *tx) InsertDeals(ctx context.Context, deals []engine.Deal) error {
	if len(deals) == 0 {
		return nil
	}
	rows := make([]dealRow, len(deals))
	for i, d := range deals {
		rows[i] = toDealRow(d)
	}
	err := t.insert(ctx, rows)
	if isDuplicate(classify(err)) {
		return &engine.Error{Kind: engine.Conflict, Code: "duplicate_external_id",
			Msg: "a deal with one of these external ids was stored meanwhile"}
	}
	return wrapf(err, "insert %d deals", len(deals))
}

func (t *tx) Audit(ctx context.Context, entries ...engine.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{At: dbTime(e.At), Actor: string(e.Actor), Action: e.Action,
			Subject: e.Subject, Detail: e.Detail}
	}
	return wrapf(t.db.WithContext(ctx).Create(&rows).Error, "write audit log")
}

func (t *tx) InsertDispute(ctx context.Context, d engine.Dispute) (engine.DisputeID, error) {
	row := disputeRow{LeadID: int64(d.LeadID), Kind: string(d.Kind), Status: string(d.Status),
		FiledBy: string(d.FiledBy), Against: optString(string(d.Against)), Reason: d.Reason,
		FiledAt: dbTime(d.FiledAt), DecidedBy: optString(string(d.DecidedBy)),
		DecidedAt: dbTimePtr(d.DecidedAt), Comment: d.Comment, ProposedSplit: d.Proposed}
	if err := t.db.WithContext(ctx).Create(&row).Error; err != nil {
		return 0, wrapf(err, "file dispute on lead %s", d.LeadID)
	}
	return engine.DisputeID(row.ID), nil
}

func (t *tx) InsertTransfer(
	ctx context.Context,
	r engine.TransferRequest,
) (engine.TransferID, error) {
	row := transferRow{
		LeadID:      int64(r.LeadID),
		FromRep:     string(r.From),
		ToRep:       string(r.To),
		RequestedBy: string(r.RequestedBy),
		Status:      string(r.Status),
		RequestedAt: dbTime(r.RequestedAt),
	}
	if err := t.db.WithContext(ctx).Create(&row).Error; err != nil {
		return 0, wrapf(err, "request transfer of lead %s", r.LeadID)
	}
	return engine.TransferID(row.ID), nil
}

func (t *tx) DecideTransfer(ctx context.Context, id engine.TransferID, status engine.TransferStatus,
	by engine.RepID, at time.Time) (bool, error) {
	res := t.db.WithContext(ctx).Model(&transferRow{}).
		Where("id = ? AND status = ?", int64(id), string(engine.TransferPending)).
		Updates(map[string]any{
			"status":     string(status),
			"decided_by": string(by),
			"decided_at": dbTime(at),
		})
	if res.Error != nil {
		return false, wrapf(res.Error, "decide transfer %s", id)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) MarkChased(
	ctx context.Context,
	id engine.LeadID,
	due time.Time,
	tier int,
) (bool, error) {
	q := t.db.WithContext(ctx).Model(&leadRow{}).
		Where(
			"id = ? AND status = ? AND due_at = ?",
			int64(id),
			string(engine.StatusAssigned),
			dbTime(due),
		)
	set := map[string]any{"reminded": true}
	if tier > 0 {
		q = q.Where("alert_tier < ?", tier)
		set["alert_tier"] = tier
	} else {
		q = q.Where("reminded = ?", false)
	}
	res := q.Updates(set)
	if res.Error != nil {
		return false, wrapf(res.Error, "mark lead %s chased", id)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) DecideDispute(ctx context.Context, d engine.Dispute) (bool, error) {
	res := t.db.WithContext(ctx).Model(&disputeRow{}).
		Where("id = ? AND status = ?", int64(d.ID), string(engine.DisputeOpen)).
		Updates(map[string]any{
			"status":     string(d.Status),
			"decided_by": optString(string(d.DecidedBy)),
			"decided_at": dbTimePtr(d.DecidedAt),
			"comment":    d.Comment,
			"split":      d.Split,
		})
	if res.Error != nil {
		return false, wrapf(res.Error, "decide dispute %s", d.ID)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) VoteDispute(
	ctx context.Context,
	id engine.DisputeID,
	team string,
	by engine.RepID,
	at time.Time,
) ([]string, error) {
	row := disputeVoteRow{DisputeID: int64(id), Team: team, RepID: string(by), At: dbTime(at)}
	err := t.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	if err != nil {
		return nil, wrapf(err, "record approval of dispute %s", id)
	}
	var teams []string
	err = t.db.WithContext(ctx).
		Model(&disputeVoteRow{}).
		Where("dispute_id = ?", int64(id)).
		Pluck("team", &teams).
		Error
	return teams, wrapf(err, "load approvals of dispute %s", id)
}

func (t *tx) MarkRecycleWarned(
	ctx context.Context,
	id engine.LeadID,
	owner engine.RepID,
) (bool, error) {
	res := t.db.WithContext(ctx).Model(&leadRow{}).
		Where("id = ? AND status = ? AND assignee = ? AND recycle_warned = ?",
			int64(id), string(engine.StatusAssigned), string(owner), false).
		Update("recycle_warned", true)
	if res.Error != nil {
		return false, wrapf(res.Error, "mark lead %s warned", id)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) HeldLeadsLike(ctx context.Context, companies, phones []string) ([]engine.Lead, error) {
	var out []engine.Lead
	for _, part := range []struct {
		column string
		values []string
	}{{"company", companies}, {"contact_phone", phones}} {
		for chunk := range chunks(part.values) {
			var rows []leadRow
			err := t.db.WithContext(ctx).
				Where("status = ? AND "+part.column+" IN ?", string(engine.StatusAssigned), chunk).
				Order("id").Find(&rows).Error
			if err != nil {
				return nil, wrapf(err, "look for held leads by %s", part.column)
			}
			for _, r := range rows {
				out = append(out, r.toEngine())
			}
		}
	}
	return out, nil
}
