package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// ScanRecycling takes back leads that their owners leave without a
// follow-up: a warning to the owner RecycleWarning before the time is
// up, then the lead goes back to the open pool for someone who will
// work it. Recording progress or accepting the lead counts as a
// follow-up. It returns how many leads it warned about or took back.
func (s *Service) ScanRecycling(ctx context.Context) (int, error) {
	after := s.policy.RecycleAfter
	if after <= 0 {
		return 0, nil
	}
	now := s.now()
	warn := min(s.policy.RecycleWarning, after)
	by := StaleBy{Warn: now.Add(-(after - warn)), Recycle: now.Add(-after)}
	leads, err := s.store.StaleLeads(ctx, by, scanBatch)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, l := range leads {
		last := lastFollowUp(l)
		if last.IsZero() {
			continue
		}
		var err error
		var acted bool
		if now.Sub(last) >= after {
			acted, err = s.recycle(ctx, l, now)
		} else if !l.RecycleWarned {
			acted, err = s.warnRecycle(ctx, l, last.Add(after), now)
		}
		if err != nil {
			return done, fmt.Errorf("recycle lead %s: %w", l.ID, err)
		}
		if acted {
			done++
		}
	}
	return done, nil
}

func lastFollowUp(l Lead) time.Time {
	if l.TouchedAt != nil {
		return *l.TouchedAt
	}
	if l.HeldSince != nil {
		return *l.HeldSince
	}
	return time.Time{}
}

func (s *Service) warnRecycle(ctx context.Context, l Lead, at, now time.Time) (bool, error) {
	var ok bool
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		var err error
		if ok, err = tx.MarkRecycleWarned(ctx, l.ID, l.Assignee); err != nil || !ok {
			return err
		}
		ev := LeadEvent{
			LeadID: l.ID,
			At:     now,
			Event:  EventAlerted,
			Actor:  ActorEngine,
			RepID:  l.Assignee,
			Detail: s.policy.Lang.say(msgRecycleAt, at.UTC().Format(time.RFC3339)),
		}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
		logs.add(
			"recycle warning",
			slog.String("lead_id", l.ID.String()),
			slog.String("rep_id", string(l.Assignee)),
		)
		return tx.Enqueue(ctx, Notice{
			Key:    fmt.Sprintf("recycle-warn:%s:%s:%d", l.ID, l.Assignee, at.UnixMilli()),
			Kind:   NoticeText,
			LeadID: l.ID,
			To:     l.Assignee,
			Text:   "lead.recycle_warning",
			Args: map[string]string{
				"lead":    l.ID.String(),
				"company": l.Company,
				"hours":   fmt.Sprint(int(at.Sub(now).Hours() + 0.5)),
			},
			At: now,
		})
	})
	return ok, err
}

// recycle gives a lead nobody followed up back to the pool, as its owner
// giving it back would, with the reason on record.
func (s *Service) recycle(ctx context.Context, l Lead, now time.Time) (bool, error) {
	var ok bool
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		owner, err := tx.Rep(ctx, l.Assignee)
		if err != nil {
			return err
		}
		d := &Decision{Strategy: "recycle", At: now, Reasons: []string{
			s.policy.Lang.say(msgRecycled, displayName(owner), int(s.policy.RecycleAfter.Hours()))}}
		keepArm(l.Decision, d)
		ok, err = tx.TransitionLead(ctx, LeadChange{ID: l.ID, From: StatusAssigned, To: StatusPool,
			FromAssignee: owner.ID, Decision: d, NewHolder: true, At: now})
		if err != nil || !ok {
			return err
		}
		if err := s.recordRelease(ctx, tx, l, owner, RepID(ActorEngine), d, now); err != nil {
			return err
		}
		logs.add(
			"lead recycled",
			slog.String("lead_id", l.ID.String()),
			slog.String("rep_id", string(owner.ID)),
		)
		return nil
	})
	return ok, err
}
