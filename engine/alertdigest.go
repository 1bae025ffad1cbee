package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// AlertItem is one reminder or alert that a digest of missed alerts
// carries instead of its own card.
type AlertItem struct {
	Lead    LeadID `json:"lead"`
	Company string `json:"company"`
	Owner   RepID  `json:"owner"`
	// Tier is 0 for a reminder, 1 to 3 for the overdue tiers.
	Tier  int       `json:"tier"`
	DueAt time.Time `json:"due_at"`
}

// alertDigestItems is how many items a digest of missed alerts keeps;
// its "total" argument counts them all.
const alertDigestItems = 50

// AlertItemsOf reads the items a NoticeAlertDigest carries, and how many
// there were in all.
func AlertItemsOf(n Notice) ([]AlertItem, int, error) {
	var items []AlertItem
	if err := decodeArg(n, &items); err != nil {
		return nil, 0, err
	}
	total := len(items)
	fmt.Sscan(n.Args["total"], &total)
	return items, total, nil
}

// planBurst finds the people a deadline scan would send more than
// AlertDigestOver reminders and alerts, from the scan's view of the
// leads, and the leads that would tell any of them. It returns nothing
// when nobody is over.
func (s *Service) planBurst(
	ctx context.Context,
	leads []Lead,
	now time.Time,
) (map[RepID]bool, map[LeadID]bool, error) {
	over := s.policy.Checkpoints.AlertDigestOver
	if over <= 0 || len(leads) == 0 {
		return nil, nil, nil
	}
	reps, err := s.store.Reps(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := map[RepID]Rep{}
	for _, r := range reps {
		byID[r.ID] = r
	}
	count := map[RepID]int{}
	audience := map[LeadID][]RepID{}
	for _, l := range leads {
		tier, ok := s.chaseTier(l, now)
		owner, known := byID[l.Assignee]
		if !ok || !known {
			continue
		}
		for _, c := range chaseTargets(l, tier, owner, reps) {
			count[c.to.ID]++
			audience[l.ID] = append(audience[l.ID], c.to.ID)
		}
	}
	folded := map[RepID]bool{}
	for id, n := range count {
		if n > over {
			folded[id] = true
		}
	}
	if len(folded) == 0 {
		return nil, nil, nil
	}
	burst := map[LeadID]bool{}
	for id, tos := range audience {
		for _, to := range tos {
			burst[id] = burst[id] || folded[to]
		}
	}
	return folded, burst, nil
}

// chaseFolded chases the leads in one transaction: each is recorded as
// chased as usual (MarkChased, a history line), the notices to people
// outside folded go out one by one, and each person in folded gets one
// digest listing theirs. It returns how many notices it queued.
func (s *Service) chaseFolded(
	ctx context.Context,
	leads []Lead,
	folded map[RepID]bool,
	now time.Time,
) (int, error) {
	var n int
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		reps, err := tx.Reps(ctx)
		if err != nil {
			return err
		}
		f := &folding{folded: folded, items: map[RepID][]AlertItem{}}
		chased := 0
		for _, l := range leads {
			ok, err := s.foldChase(ctx, tx, l, reps, f, now)
			if err != nil {
				return fmt.Errorf("chase lead %s: %w", l.ID, err)
			}
			if ok {
				chased++
			}
		}
		for _, to := range f.order {
			f.notices = append(f.notices, s.alertDigestNotice(to, f.items[to.ID], now))
		}
		n = len(f.notices)
		logs.add(
			"missed alerts folded",
			slog.Int("leads", chased),
			slog.Int("digests", len(f.order)),
			slog.Int("notices", n),
		)
		return tx.Enqueue(ctx, f.notices...)
	})
	return n, err
}

// folding is what a folded scan gathers: the notices that go as they
// are, and each folded person's digest items, in the order first met.
type folding struct {
	folded  map[RepID]bool
	notices []Notice
	items   map[RepID][]AlertItem
	order   []Rep
}

// foldChase records one lead as chased, if it still needs it, and adds
// what it tells to f. It reports whether the lead was chased.
func (s *Service) foldChase(
	ctx context.Context,
	tx Tx,
	l Lead,
	reps []Rep,
	f *folding,
	now time.Time,
) (bool, error) {
	tier, ok := s.chaseTier(l, now)
	if !ok {
		return false, nil
	}
	won, err := tx.MarkChased(ctx, l.ID, *l.DueAt, tier)
	if err != nil || !won {
		return false, err
	}
	owner, err := tx.Rep(ctx, l.Assignee)
	if err != nil {
		return false, err
	}
	for _, c := range chaseTargets(l, tier, owner, reps) {
		if !f.folded[c.to.ID] {
			f.notices = append(f.notices, s.chaseNotice(c.kind(), c.text(), l, c.to, now))
			continue
		}
		if f.items[c.to.ID] == nil {
			f.order = append(f.order, c.to)
		}
		f.items[c.to.ID] = append(f.items[c.to.ID], AlertItem{Lead: l.ID, Company: l.Company,
			Owner: l.Assignee, Tier: c.tier, DueAt: *l.DueAt})
	}
	return true, tx.AppendEvents(ctx, s.chaseEvent(l, tier, now))
}

func (s *Service) alertDigestNotice(to Rep, items []AlertItem, now time.Time) Notice {
	b, _ := json.Marshal(items[:min(len(items), alertDigestItems)])
	return Notice{
		Key:       fmt.Sprintf("%s:%s:%d", NoticeAlertDigest, to.ID, now.UnixMilli()),
		Kind:      NoticeAlertDigest,
		To:        to.ID,
		Args:      map[string]string{digestArg: string(b), "total": fmt.Sprint(len(items))},
		At:        now,
		NotBefore: s.policy.Schedule.Quiet.NextAllowed(now, s.zoneOf(to)),
	}
}
