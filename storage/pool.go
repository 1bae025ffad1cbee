package storage

import (
	"context"

	"github.com/leadbot/leadbot/engine"
)

func (r reader) CountHeld(ctx context.Context, rep engine.RepID, how engine.Event) (int, error) {
	var n int64
	err := r.db.WithContext(ctx).Table("leads").
		Joins("JOIN ownerships ON ownerships.lead_id = leads.id"+
			" AND ownerships.rep_id = leads.assignee AND ownerships.ended_at IS NULL").
		Where("leads.status = ? AND leads.assignee = ? AND ownerships.how = ?",
			string(engine.StatusAssigned), string(rep), string(how)).
		Distinct("leads.id").Count(&n).Error
	if err != nil {
		return 0, wrapf(err, "count leads rep %s holds by %s", rep, how)
	}
	return int(n), nil
}

func (r reader) LastHolders(
	ctx context.Context,
	ids []engine.LeadID,
) (map[engine.LeadID]engine.RepID, error) {
	out := make(map[engine.LeadID]engine.RepID, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		chunk := make([]int64, n)
		for i, id := range ids[:n] {
			chunk[i] = int64(id)
		}
		ids = ids[n:]

		latest := r.db.Model(&ownershipRow{}).Select("MAX(id)").
			Where("lead_id IN ?", chunk).Group("lead_id")
		var rows []ownershipRow
		err := r.db.WithContext(ctx).Select("lead_id", "rep_id").
			Where("id IN (?)", latest).Find(&rows).Error
		if err != nil {
			return nil, wrapf(err, "find the last holders of %d leads", len(chunk))
		}
		for _, row := range rows {
			out[engine.LeadID(row.LeadID)] = engine.RepID(row.RepID)
		}
	}
	return out, nil
}

func toPartDocs(ps []engine.ScorePart) []partDoc {
	if len(ps) == 0 {
		return nil
	}
	out := make([]partDoc, len(ps))
	for i, p := range ps {
		out[i] = partDoc{Name: p.Name, Value: p.Value, Weight: p.Weight}
	}
	return out
}

func fromPartDocs(ps []partDoc) []engine.ScorePart {
	if len(ps) == 0 {
		return nil
	}
	out := make([]engine.ScorePart, len(ps))
	for i, p := range ps {
		out[i] = engine.ScorePart{Name: p.Name, Value: p.Value, Weight: p.Weight}
	}
	return out
}
