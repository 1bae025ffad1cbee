package engine

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The plan of a held lead is linear progress from 0% when its owner got
// it (HeldSince, or the decision's time) or a supervisor last extended
// it (ExtendedAt) to 100% at its deadline. It counts once the owner has
// taken the lead on, by accepting it or recording progress: until then
// the deadline is a first touch, which time alone escalates, so a lead
// just handed over does not alert its team lead within the hour. When the share of that time
// gone by exceeds the progress the owner recorded by Schedule.LagAlert
// or more, the lead lags, and the scheduler sends the overdue alerts of
// tiers 1 and 2 at once, before the deadline: the owner and the team
// lead hear together why ("进度 30%，按计划应到 55%").
//
// The rule keeps the chasing of a deadline what it was, one step per
// tier: a lag alert records tier 2 as sent, so it also stands for the
// reminder and for the owner's alert when the deadline passes, neither
// of which comes again; the team lead is not alerted a second time after
// EscalateLeadAfter, and the manager still is after
// EscalateManagerAfter. The rule acts only before the deadline; past it,
// time alone sets the tier. A new deadline (an extension, a new owner)
// starts the chasing afresh, and its plan with it: after an extension
// the plan runs from 0% at the extension, so the owner's recorded
// progress counts in full against it.

// lagInfo is how far a lead's recorded progress is behind its plan, in
// percent.
type lagInfo struct {
	progress, planned int
}

// lagBehind reports whether the lead lags its plan at now by the
// policy's share or more, and by how much.
func (s *Service) lagBehind(l Lead, now time.Time) (lagInfo, bool) {
	limit := s.policy.Schedule.LagAlert
	if limit <= 0 || l.DueAt == nil || l.Status != StatusAssigned || !now.Before(*l.DueAt) {
		return lagInfo{}, false
	}
	if l.AcceptedAt == nil && l.TouchedAt == nil {
		return lagInfo{}, false
	}
	start := l.HeldSince
	if l.ExtendedAt != nil {
		start = l.ExtendedAt
	}
	if start == nil && l.Decision != nil && !l.Decision.At.IsZero() {
		start = &l.Decision.At
	}
	if start == nil || !l.DueAt.After(*start) || now.Before(*start) {
		return lagInfo{}, false
	}
	share := float64(now.Sub(*start)) / float64(l.DueAt.Sub(*start))
	info := lagInfo{progress: l.Progress, planned: int(math.Round(share * 100))}
	// A hair of slack, so that a lag of exactly the limit counts despite
	// floating point.
	return info, share-float64(l.Progress)/100 >= limit-1e-9
}

// annotate adds the lag to the alerts of tiers 1 and 2, for the chat
// layer to say why they came before the deadline.
func (g lagInfo) annotate(notices []Notice) []Notice {
	for i, n := range notices {
		if n.Kind != NoticeAlert || (n.Text != "1" && n.Text != "2") {
			continue
		}
		notices[i].Args = map[string]string{
			"progress": strconv.Itoa(g.progress),
			"planned":  strconv.Itoa(g.planned),
		}
	}
	return notices
}

// LagFilter selects the held leads a lag scan reads: due at DueAfter or
// later (continuing after the lead AfterID among those due exactly at
// DueAfter), alerted below BelowTier, with progress at most MaxProgress,
// earliest deadline first, then by id.
type LagFilter struct {
	DueAfter    time.Time
	AfterID     LeadID
	MaxProgress int
	BelowTier   int
	Limit       int
}

// lagScanPages bounds how many pages of scanBatch leads one lag scan
// reads.
const lagScanPages = 20

// scanLag chases the held leads that lag their plan before their
// deadline. The deadline scan lists only leads with a step due by time,
// so a lead reminded already, or due beyond the reminder window, is
// found here. It reads them by deadline in pages through the index on
// status and deadline, skipping those already alerted to the team lead
// and those whose progress leaves no room to lag; one the deadline scan
// chased in the same tick is read afresh and not chased twice.
//
// TODO: each scan reads every held lead not yet due (up to lagScanPages
// pages); a stored time at which each lead starts to lag would let the
// scan read only those that do.
func (s *Service) scanLag(ctx context.Context, now time.Time) (int, error) {
	limit := s.policy.Schedule.LagAlert
	if limit <= 0 {
		return 0, nil
	}
	f := LagFilter{
		DueAfter:    now,
		MaxProgress: int(math.Floor((1-limit)*100 + 1e-9)),
		BelowTier:   2,
		Limit:       scanBatch,
	}
	if f.MaxProgress < 0 {
		return 0, nil
	}
	sent := 0
	var roster tickRoster
	for range lagScanPages {
		leads, err := s.store.LagCandidates(ctx, f)
		if err != nil {
			return sent, err
		}
		for _, l := range leads {
			if _, lagging := s.lagBehind(l, now); !lagging {
				continue
			}
			n, err := s.chase(ctx, l, now, &roster)
			if err != nil {
				return sent, fmt.Errorf("chase lead %s: %w", l.ID, err)
			}
			sent += n
		}
		if len(leads) < f.Limit {
			break
		}
		last := leads[len(leads)-1]
		f.DueAfter, f.AfterID = *last.DueAt, last.ID
	}
	return sent, nil
}
