package engine

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of what the service learns from.
const (
	// maxLearnDeals is how many of the latest closed deals training reads.
	maxLearnDeals = 200_000
	// recentWindow is how many of the latest tier A assignments the
	// fairness guard looks at.
	recentWindow = 100
)

// learning keeps the knowledge of the strategies that learn fresh: it
// trains on the closed deals, hands the snapshot to every Learner, and
// keeps the recent tier A assignments current between trainings.
type learning struct {
	learners []Learner
	every    int64

	mu     sync.Mutex
	k      *Knowledge
	recent []RepID // oldest first

	outcomes atomic.Int64
	running  atomic.Bool
}

// noteAssignment counts a tier A assignment for the fairness guard, so
// that the next lead, even in the same batch, sees it.
func (l *learning) noteAssignment(t Tier, rep RepID) {
	if t != TierA || len(l.learners) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recent = append(l.recent, rep)
	if len(l.recent) > recentWindow {
		l.recent = slices.Clone(l.recent[len(l.recent)-recentWindow:])
	}
	l.publish()
}

// publish hands the current snapshot to the learners; l.mu is held.
func (l *learning) publish() {
	if l.k == nil {
		return
	}
	k := l.k.WithRecentA(NewRecentA(l.recent))
	for _, lr := range l.learners {
		lr.SetKnowledge(k)
	}
}

// Relearn trains the engine's strategies on the closed deals and hands
// them the result. It is cheap enough (about a tenth of a second for
// 50,000 deals) to run on start-up and now and then; the service also
// runs it by itself after enough new outcomes.
func (s *Service) Relearn(ctx context.Context) error {
	if len(s.learn.learners) == 0 && !s.policy.Collaboration.on() {
		return nil
	}
	start := time.Now()
	deals, err := s.store.Deals(ctx, maxLearnDeals)
	if err != nil {
		return err
	}
	reps, err := s.store.Reps(ctx)
	if err != nil {
		return err
	}
	recent, err := s.store.RecentTierA(ctx, recentWindow)
	if err != nil {
		return err
	}
	slices.Reverse(recent)

	var loads []LoadObservation
	for _, d := range deals {
		if d.AssignedLoad != nil {
			loads = append(
				loads,
				LoadObservation{OpenTasks: *d.AssignedLoad, Won: d.Outcome == Won},
			)
		}
	}
	k := Learn(deals, reps, loads, LearnOptions{})
	s.learn.mu.Lock()
	s.learn.k, s.learn.recent = k, recent
	s.learn.publish()
	s.learn.mu.Unlock()
	s.learn.outcomes.Store(0)

	s.log.Info(
		"engine retrained",
		slog.Int("deals", len(deals)),
		slog.Int("load_observations", len(loads)),
		slog.Any("notes", k.Notes),
		slog.Duration("took", time.Since(start)),
	)
	return nil
}

// learnedOutcomes counts new closed deals and retrains in the background
// once enough have come in.
func (s *Service) learnedOutcomes(ctx context.Context, n int) {
	if s.learn.every <= 0 || s.learn.outcomes.Add(int64(n)) < s.learn.every {
		return
	}
	if !s.learn.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.learn.running.Store(false)
		if err := s.Relearn(context.WithoutCancel(ctx)); err != nil {
			s.log.Warn("engine not retrained", slog.Any("err", err))
		}
	}()
}
