package storage

import (
	"context"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// HeldAt counts the leads each rep held at the moment at, from the
// ownership history: held from before at and not given up by then. It
// is one grouped scan of the started_at index.
func (s *Store) HeldAt(ctx context.Context, at time.Time) (map[engine.RepID]int, error) {
	var rows []struct {
		RepID string
		Held  int
	}
	t := dbTime(at)
	err := s.r.WithContext(ctx).Raw(
		"SELECT rep_id, COUNT(*) AS held FROM ownerships"+
			" WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?) GROUP BY rep_id",
		t, t,
	).Scan(&rows).Error
	if err != nil {
		return nil, wrapf(err, "count leads held at %s", at.Format(time.RFC3339))
	}
	out := make(map[engine.RepID]int, len(rows))
	for _, r := range rows {
		out[engine.RepID(r.RepID)] = r.Held
	}
	return out, nil
}

// FindLeads returns up to limit leads whose external id is q, then
// those whose company contains q (case-insensitively), newest first.
func (s *Store) FindLeads(ctx context.Context, q string, limit int) ([]engine.Lead, error) {
	q = strings.TrimSpace(q)
	if q == "" || limit <= 0 {
		return nil, nil
	}
	var exact []leadRow
	db := s.r.WithContext(ctx)
	if err := db.Where("external_id = ?", q).Limit(1).Find(&exact).Error; err != nil {
		return nil, wrapf(err, "find lead by external id %q", q)
	}
	pattern := "%" + likeEscaper.Replace(strings.ToLower(q)) + "%"
	var rows []leadRow
	err := db.Where("LOWER(company) LIKE ? ESCAPE '!'", pattern).
		Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapf(err, "find leads by company %q", q)
	}
	out := make([]engine.Lead, 0, len(exact)+len(rows))
	seen := map[int64]bool{}
	for _, r := range append(exact, rows...) {
		if !seen[r.ID] && len(out) < limit {
			seen[r.ID] = true
			out = append(out, r.toEngine())
		}
	}
	return out, nil
}

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
