package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// untouchedListed is how many leads an untouched-work alert names.
const untouchedListed = 10

// ScanUntouched alerts the team lead (or, in a team without one, the
// managers) of every rep who holds UntouchedCount or more assigned
// leads without a follow-up (acceptance or progress) for longer than
// UntouchedAfter, naming the leads. An episode is the rep's oldest
// untouched lead, untouched since a given time: it is claimed by a
// conditional write on a mark for the rep and that lead, in the same
// transaction as the alert, so one episode alerts once whichever replica
// scans and however often. A new episode starts when that lead is
// followed up (or leaves the rep) while enough others stay untouched.
// It returns how many notices it queued. One scan pages through every
// untouched lead, up to untouchedPages pages.
func (s *Service) ScanUntouched(ctx context.Context) (int, error) {
	cp := s.policy.Checkpoints
	if cp.UntouchedAfter <= 0 || cp.UntouchedCount <= 0 {
		return 0, nil
	}
	now := s.now()
	// Strictly longer than UntouchedAfter: the store's bound is inclusive.
	before := now.Add(-cp.UntouchedAfter - time.Millisecond)
	byRep := map[RepID][]Lead{}
	var ids []RepID
	by := StaleBy{Warn: before, Recycle: before}
	for range untouchedPages {
		leads, err := s.store.StaleLeads(ctx, by, scanBatch)
		if err != nil {
			return 0, err
		}
		for _, l := range leads {
			if byRep[l.Assignee] == nil {
				ids = append(ids, l.Assignee)
			}
			byRep[l.Assignee] = append(byRep[l.Assignee], l)
		}
		if len(leads) < scanBatch {
			break
		}
		by.AfterID = leads[len(leads)-1].ID
	}
	slices.Sort(ids)
	sent := 0
	for _, id := range ids {
		if len(byRep[id]) < cp.UntouchedCount {
			continue
		}
		n, err := s.alertUntouched(ctx, id, byRep[id], now)
		if err != nil {
			return sent, fmt.Errorf("untouched work of rep %s: %w", id, err)
		}
		sent += n
	}
	return sent, nil
}

// untouchedSince is when a held lead was last followed up, or when its
// owner got it.
func untouchedSince(l Lead) time.Time {
	switch {
	case l.TouchedAt != nil:
		return *l.TouchedAt
	case l.HeldSince != nil:
		return *l.HeldSince
	}
	return l.UpdatedAt
}

// untouchedPages bounds one untouched scan to 100,000 leads, so that an
// installation that stopped following up altogether still scans in
// bounded time and memory.
const untouchedPages = 200

func (s *Service) alertUntouched(
	ctx context.Context,
	id RepID,
	leads []Lead,
	now time.Time,
) (int, error) {
	slices.SortFunc(leads, func(a, b Lead) int {
		if c := untouchedSince(a).Compare(untouchedSince(b)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	oldest := leads[0]
	since := untouchedSince(oldest)
	var n int
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		mark := fmt.Sprintf("untouched:%s:%s", id, oldest.ID)
		ok, err := tx.AdvanceMark(ctx, mark, since)
		if err != nil || !ok {
			return err
		}
		r, err := tx.Rep(ctx, id)
		if err != nil {
			return err
		}
		reps, err := tx.Reps(ctx)
		if err != nil {
			return err
		}
		err = tx.Audit(ctx, AuditEntry{
			At:      now,
			Actor:   ActorEngine,
			Action:  "rep.untouched_warning",
			Subject: string(id),
			Detail:  fmt.Sprintf("%d leads without a follow-up, oldest %s", len(leads), oldest.ID),
		})
		if err != nil {
			return err
		}
		notices := s.untouchedNotices(r, leads, reps, since, now)
		n = len(notices)
		logs.add(
			"untouched work alerted",
			slog.String("rep_id", string(id)),
			slog.String("lead_id", oldest.ID.String()),
			slog.Int("leads", len(leads)),
			slog.Int("notices", n),
		)
		return tx.Enqueue(ctx, notices...)
	})
	return n, err
}

func (s *Service) untouchedNotices(
	r Rep,
	leads []Lead,
	reps []Rep,
	since, now time.Time,
) []Notice {
	var lines []string
	for _, l := range leads[:min(len(leads), untouchedListed)] {
		lines = append(lines, fmt.Sprintf("• %s %s", l.ID, l.Company))
	}
	if more := len(leads) - untouchedListed; more > 0 {
		lines = append(lines, fmt.Sprintf("… +%d", more))
	}
	args := map[string]string{
		"name":  displayName(r),
		"count": fmt.Sprint(len(leads)),
		"hours": fmt.Sprint(int(s.policy.Checkpoints.UntouchedAfter.Hours())),
		"leads": strings.Join(lines, "\n"),
	}
	var out []Notice
	for _, to := range alertAudience(2, r, reps) {
		out = append(out, Notice{
			Key: fmt.Sprintf("untouched:%s:%s:%d:%s",
				r.ID, leads[0].ID, since.UnixMilli(), to.ID),
			Kind:      NoticeText,
			To:        to.ID,
			Text:      "alert.untouched",
			Args:      args,
			At:        now,
			NotBefore: s.policy.Schedule.Quiet.NextAllowed(now, s.zoneOf(to)),
		})
	}
	return out
}
